"""Parametric gdsfactory cells, one sub-package per platform."""
