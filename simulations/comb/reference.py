"""The reference dark-pulse comb chip of the TF-QKD network (reference notes, set E).

Known from the paper: FSR 30.03 GHz, 100-nm-thick Si3N4 film (normal dispersion), intrinsic Q
of about 20 million, pump near 1549.78 nm, a self-injection-locked DFB pump and a dark-pulse
comb whose lines seed ten WDM channels.

Mode and dispersion numbers come from this repository's device simulations of the reference
ring (MPB mode of the 2.8 um x 100 nm Si3N4 strip and the cylindrical meep ring run of
``qkdchip.simulations.ring``): D2/2pi = -764 kHz (beta2 ~ +760 ps^2/km, strongly normal),
n_g = 1.594, n_eff = 1.476, A_eff = 4.03 um^2 with 28 % of the Kerr-weighted field in Si3N4,
hence an effective n2 = 0.28 * 2.4e-19 + 0.72 * 2.6e-20 = 8.7e-20 m^2/W (silica n2 2.6e-20).
Pass the ring result itself as ``d_int`` (it has ``mu`` and ``d_int_hz``) to use the full
simulated D_int instead of the D2 parabola.

Assumed:

* Over-coupled ring, Q_c = 10 million (eta = 2/3, as usual for dark-pulse combs, which gain
  conversion efficiency from over-coupling).
* The trigger is an avoided mode crossing that shifts mode mu = +1 up by 45 MHz (about 1.5
  loaded linewidths), in the range Xue et al. (Nat. Photon. 9, 594 (2015)) report.
* The self-injection-locked pump is represented by a slow detuning sweep from the blue side into
  the bistable range, then held; 100 mW on chip (f^2 = 9.3, threshold 10.7 mW).
"""

from __future__ import annotations

from typing import Any

from qkdchip.simulations.comb.resonator import Resonator
from qkdchip.simulations.comb.solve import CombResult, solve_comb

__all__ = [
    "REFERENCE_D2_HZ",
    "REFERENCE_FSR_HZ",
    "REFERENCE_PUMP_POWER_W",
    "REFERENCE_WAVELENGTH_NM",
    "reference_comb",
    "reference_resonator",
]

REFERENCE_FSR_HZ = 30.03e9
REFERENCE_WAVELENGTH_NM = 1549.78
REFERENCE_D2_HZ = -764e3
REFERENCE_PUMP_POWER_W = 0.1
REFERENCE_AMX_MU = 1
REFERENCE_AMX_SHIFT_HZ = 45e6
# Detuning sweep in units of the loaded half linewidth kappa/2 (zeta0): from the blue side
# (-2) into the bistable range (3.5), then held.
_ZETA_START = -2.0
_ZETA_STOP = 3.5
_SWEEP_TAU = 200.0
_HOLD_TAU = 100.0


def reference_resonator(*, d_int: Any = None, **overrides: Any) -> Resonator:
    """The reference ring; ``d_int`` (array or object with mu, d_int_hz) replaces the
    analytic D2 dispersion; other keyword arguments override Resonator fields."""
    fields: dict[str, Any] = {
        "fsr_hz": REFERENCE_FSR_HZ,
        "wavelength_nm": REFERENCE_WAVELENGTH_NM,
        "q_intrinsic": 20e6,
        "q_coupling": 10e6,
        "n2_m2_per_w": 8.7e-20,
        "effective_area_um2": 4.03,
        "n_eff": 1.476,
        "n_group": 1.594,
        "d_int": d_int,
        "d2_hz": REFERENCE_D2_HZ,
        "mode_shifts_hz": {REFERENCE_AMX_MU: REFERENCE_AMX_SHIFT_HZ},
    }
    fields.update(overrides)
    return Resonator(**fields)


def reference_comb(
    *,
    resonator: Resonator | None = None,
    pump_power_w: float = REFERENCE_PUMP_POWER_W,
    n_modes: int = 256,
    seed: int = 0,
) -> CombResult:
    """Simulate the reference dark-pulse comb.

    Args:
        resonator: ring (default :func:`reference_resonator`).
        pump_power_w: on-chip pump power (W).
        n_modes: simulated modes.
        seed: quantum-noise seed.
    """
    ring = reference_resonator() if resonator is None else resonator
    norm = ring.normalise(n_modes, pump_power_w=pump_power_w)
    start, stop = norm.detuning_hz_from_zeta([_ZETA_START, _ZETA_STOP])
    return solve_comb(
        ring,
        pump_power_w=pump_power_w,
        detuning_start_hz=float(start),
        detuning_stop_hz=float(stop),
        sweep_time_s=2 * _SWEEP_TAU / norm.kappa,
        hold_time_s=2 * _HOLD_TAU / norm.kappa,
        n_modes=n_modes,
        seed=seed,
    )
