"""Waveguide mode solvers (MPB, run in a subprocess): modes with material dispersion, the
effective-index method, and the electro-optic phase modulator built on the MPB mode."""

from qkdchip.lazy import lazy_exports

_EXPORTS = {
    "CrossSection": "geometry",
    "Rect": "geometry",
    "ridge_cross_section": "geometry",
    "ridge_slab_cross_section": "geometry",
    "strip_cross_section": "geometry",
    "ModeResult": "solver",
    "ModeSettings": "solver",
    "solve_mode": "solver",
    "solve_modes": "solver",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
