"""TF-QKD network model: injection locking, phase-error budget, WDM plan, per-pair key rates."""
