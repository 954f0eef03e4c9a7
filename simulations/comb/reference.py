"""The reference dark-pulse comb chip of the TF-QKD network (Nature (2026) network paper).

Known from the paper: FSR 30.03 GHz, 100-nm-thick Si3N4 film (normal dispersion), intrinsic Q
of about 20 million, pump near 1549.78 nm, a self-injection-locked DFB pump and a dark-pulse
comb whose lines seed ten WDM channels.

Simulated, read from the shipped device results (never re-typed here):

* the ring (:func:`reference_ring_result`, the cylindrical meep run of
  :func:`~qkdchip.simulations.devices.defaults.reference_ring_design` with
  :data:`~qkdchip.simulations.devices.defaults.REFERENCE_RING_SETTINGS`): FSR, the group index
  c/(2πR·FSR) that goes with it, the pump resonance's wavelength and the integrated dispersion
  D_int(mu) (D2/2π about -760 kHz, strongly normal);
* the MPB mode of the ring's strip at the pump wavelength, recorded in that ring result:
  effective index, effective mode area and the Kerr-weighted field fractions, which give the
  effective n2 from the materials' n2 (:data:`qkdchip.pdk.materials.KERR_N2_M2_PER_W`);
* the bus coupling Q (:func:`reference_coupler_result`, MPB supermodes and coupled-mode theory
  for the same ring and its drawn gap): the gap of
  :class:`~qkdchip.components.designs.RingDesign` is chosen so that Q_c is about 10 million,
  an over-coupled ring (eta about 2/3, as usual for dark-pulse combs, which gain conversion
  efficiency from over-coupling).

Assumed (explicit defaults below):

* Intrinsic Q 20 million (:data:`REFERENCE_Q_INTRINSIC`, the paper's value).
* The trigger is an avoided mode crossing that shifts mode mu = +1 up by 45 MHz (about 1.5
  loaded linewidths), in the range Xue et al. (Nat. Photon. 9, 594 (2015)) report.
* The self-injection-locked pump is represented by a slow detuning sweep from the blue side into
  the bistable range, then held; 100 mW on chip
  (:data:`~qkdchip.options.REFERENCE_PUMP_POWER_W`).
* Or, with :func:`reference_sil_comb`, the pump is the DFB laser self-injection locked to the
  ring (:mod:`qkdchip.simulations.comb.sil`): free-running linewidth 1 MHz (assumed, a typical
  InP DFB), backscattering beta = 0.3 (assumed), and the feedback strength calibrated so that
  the best phase narrows the laser to the 40 Hz the paper reports for the comb lines
  (secondary source).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from qkdchip.options import REFERENCE_PUMP_POWER_W
from qkdchip.pdk.materials import effective_kerr_n2
from qkdchip.simulations.comb.resonator import Resonator
from qkdchip.simulations.comb.sil import SelfInjection, feedback_for_linewidth
from qkdchip.simulations.comb.sil_comb import SilComb, run_sil_comb, sil_comb
from qkdchip.simulations.comb.solve import CombResult, solve_comb

if TYPE_CHECKING:
    from qkdchip.simulations.ring.coupling import CouplerResult
    from qkdchip.simulations.ring.resonances import RingResult

__all__ = [
    "REFERENCE_AMX_MU",
    "REFERENCE_AMX_SHIFT_HZ",
    "REFERENCE_BACKSCATTER",
    "REFERENCE_DFB_LINEWIDTH_HZ",
    "REFERENCE_LOCKED_LINEWIDTH_HZ",
    "REFERENCE_PUMP_POWER_W",
    "REFERENCE_Q_INTRINSIC",
    "reference_comb",
    "reference_coupler_result",
    "reference_resonator",
    "reference_ring_result",
    "reference_sil",
    "reference_sil_comb",
]

REFERENCE_Q_INTRINSIC = 20e6
"""Intrinsic Q of the reference ring (paper: about 20 million)."""
REFERENCE_DFB_LINEWIDTH_HZ = 1e6
"""Assumed free-running linewidth of the server's DFB laser (Hz)."""
REFERENCE_BACKSCATTER = 0.3
"""Assumed normalised backscattering 2 gamma / kappa of the pumped mode."""
REFERENCE_LOCKED_LINEWIDTH_HZ = 40.0
"""Comb-line linewidth the paper reports (Hz, secondary source); calibrates the feedback."""
REFERENCE_AMX_MU = 1
"""Assumed mode of the avoided mode crossing that triggers the dark pulse."""
REFERENCE_AMX_SHIFT_HZ = 45e6
"""Assumed resonance shift of that mode (Hz, about 1.5 loaded linewidths)."""
# Detuning sweep in units of the loaded half linewidth kappa/2 (zeta0): from the blue side
# (-2) into the bistable range (3.5), then held.
_ZETA_START = -2.0
_ZETA_STOP = 3.5
_SWEEP_TAU = 200.0
_HOLD_TAU = 100.0
_SIL_HOLD_TAU = 300.0


def reference_ring_result() -> RingResult:
    """The simulated reference ring (served from the shipped cache; meep only if it is missing)."""
    from qkdchip.simulations.devices.defaults import (
        REFERENCE_RING_SETTINGS,
        reference_ring_design,
    )
    from qkdchip.simulations.ring.resonances import simulate_ring

    return simulate_ring(reference_ring_design(), settings=REFERENCE_RING_SETTINGS)


def reference_coupler_result() -> CouplerResult:
    """The simulated bus coupler of the reference ring (shipped cache; MPB only if missing)."""
    from qkdchip.simulations.devices.defaults import simulate_default

    return simulate_default("coupler")


def reference_resonator(
    *,
    ring: RingResult | None = None,
    coupler: CouplerResult | None = None,
    **overrides: Any,
) -> Resonator:
    """The reference ring as an LLE resonator, from simulated ring and coupler results.

    Args:
        ring: ring-simulation result (default :func:`reference_ring_result`). Its FSR, group
            index, pump wavelength, D2/D3 and full D_int(mu) are used, and the MPB mode it
            records gives n_eff, the effective area and the effective n2.
        coupler: bus-coupler result (default :func:`reference_coupler_result`); its Q_c is the
            resonator's coupling Q.
        **overrides: Resonator fields replacing these values (``d_int=None`` falls back to the
            ring's D2/D3 polynomial).
    """
    ring = reference_ring_result() if ring is None else ring
    coupler = reference_coupler_result() if coupler is None else coupler
    mode = ring.mode
    fields: dict[str, Any] = {
        "fsr_hz": ring.fsr_hz,
        "wavelength_nm": ring.pump_wavelength_nm,
        "q_intrinsic": REFERENCE_Q_INTRINSIC,
        "q_coupling": coupler.q_coupling,
        "n2_m2_per_w": effective_kerr_n2(mode["kerr_fractions"]),
        "effective_area_um2": mode["mode_area_um2"],
        "n_eff": mode["n_eff"],
        "n_group": ring.n_group,
        "d_int": ring,
        "d2_hz": ring.d2_hz,
        "d3_hz": ring.d3_hz,
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


def reference_sil(phase_rad: float = -math.pi / 2) -> SelfInjection:
    """The server's laser-ring coupling: the reference backscattering, and the feedback that
    narrows the reference DFB to the reported comb linewidth at the best phase.

    Args:
        phase_rad: feedback phase (the air gap's round trip), rad.
    """
    feedback = feedback_for_linewidth(
        free_linewidth_hz=REFERENCE_DFB_LINEWIDTH_HZ,
        locked_linewidth_hz=REFERENCE_LOCKED_LINEWIDTH_HZ,
        backscatter=REFERENCE_BACKSCATTER,
    )
    return SelfInjection(feedback=feedback, backscatter=REFERENCE_BACKSCATTER, phase_rad=phase_rad)


def reference_sil_comb(
    *,
    resonator: Resonator | None = None,
    pump_power_w: float = REFERENCE_PUMP_POWER_W,
    phase_rad: float = -math.pi / 2,
    n_modes: int = 256,
    seed: int = 0,
) -> SilComb:
    """The reference comb started turnkey by the self-injection-locked DFB: the laser is
    switched on at the cold resonance (xi = 0) and held for 300 photon lifetimes.

    The lock itself starts the dark pulse, so the default ring has no mode crossing (the
    swept-pump reference needs one as its trigger); a crossing that stays makes the pulse
    drift and the repetition rate follow the pump, which broadens the outer lines.

    Args:
        resonator: ring (default :func:`reference_resonator` without the mode crossing).
        pump_power_w: on-chip pump power (W).
        phase_rad: feedback phase, rad.
        n_modes: simulated modes.
        seed: quantum-noise seed.
    """
    run = run_sil_comb(
        reference_resonator(mode_shifts_hz={}) if resonator is None else resonator,
        sil=reference_sil(phase_rad),
        pump_power_w=pump_power_w,
        xi_start=0.0,
        xi_stop=0.0,
        sweep_tau=0.0,
        hold_tau=_SIL_HOLD_TAU,
        n_modes=n_modes,
        seed=seed,
    )
    return sil_comb(run, free_linewidth_hz=REFERENCE_DFB_LINEWIDTH_HZ)
