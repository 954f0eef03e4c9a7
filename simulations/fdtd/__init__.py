"""meep FDTD device simulations: DBR gratings (1-D effective index) and InP MMIs (2-D EIM)."""
