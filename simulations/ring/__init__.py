"""Ring resonators: meep cylindrical resonances, dispersion (D1, D2, D3, D_int), Q, coupling."""

from qkdchip.simulations.ring.coupling import CouplerResult, CouplerSettings, simulate_coupler
from qkdchip.simulations.ring.resonances import RingResult, RingSettings, simulate_ring

__all__ = [
    "CouplerResult",
    "CouplerSettings",
    "RingResult",
    "RingSettings",
    "simulate_coupler",
    "simulate_ring",
]
