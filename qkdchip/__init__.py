"""qkdchip: design, simulate and evaluate integrated-photonics TF-QKD networks."""

__version__ = "0.1.0"
