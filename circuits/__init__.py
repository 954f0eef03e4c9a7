"""Whole chips, reticles and wafer masks."""
