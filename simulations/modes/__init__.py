"""Waveguide mode solvers (MPB, run in a subprocess): modes with material dispersion, the
effective-index method, and the electro-optic phase modulator built on the MPB mode."""

from qkdchip.simulations.modes.geometry import (
    CrossSection,
    Rect,
    ridge_cross_section,
    ridge_slab_cross_section,
    strip_cross_section,
)
from qkdchip.simulations.modes.solver import ModeResult, ModeSettings, solve_mode, solve_modes

__all__ = [
    "CrossSection",
    "ModeResult",
    "ModeSettings",
    "Rect",
    "ridge_cross_section",
    "ridge_slab_cross_section",
    "solve_mode",
    "solve_modes",
    "strip_cross_section",
]
