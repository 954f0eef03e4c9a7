"""meep FDTD device simulations: DBR gratings (1-D effective index) and InP MMIs (2-D EIM)."""

from qkdchip.lazy import lazy_exports

_EXPORTS = {
    "GratingCorrugation": "grating",
    "GratingResult": "grating",
    "GratingSettings": "grating",
    "simulate_grating": "grating",
    "MmiResult": "mmi",
    "MmiSettings": "mmi",
    "simulate_mmi": "mmi",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
