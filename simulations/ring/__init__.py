"""Ring resonators: meep cylindrical resonances, dispersion (D1, D2, D3, D_int), Q, coupling."""

from qkdchip.lazy import lazy_exports

_EXPORTS = {
    "CouplerResult": "coupling",
    "CouplerSettings": "coupling",
    "simulate_coupler": "coupling",
    "RingResult": "resonances",
    "RingSettings": "resonances",
    "simulate_ring": "resonances",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
