"""InP transmitter cells (DBR laser, modulators, VOA, MMIs, SSC, pads)."""
