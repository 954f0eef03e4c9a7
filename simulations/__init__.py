"""Device solvers, comb solver, wafer-yield Monte Carlo and the TF-QKD network model."""
