"""Device-simulation infrastructure: result cache, convergence helper, default designs."""
