"""meep FDTD device simulations: DBR gratings (1-D effective index) and InP MMIs (2-D EIM)."""

from qkdchip.simulations.fdtd.grating import (
    GratingCorrugation,
    GratingResult,
    GratingSettings,
    simulate_grating,
)
from qkdchip.simulations.fdtd.mmi import MmiResult, MmiSettings, simulate_mmi

__all__ = [
    "GratingCorrugation",
    "GratingResult",
    "GratingSettings",
    "MmiResult",
    "MmiSettings",
    "simulate_grating",
    "simulate_mmi",
]
