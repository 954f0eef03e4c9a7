"""Each error rate of a pair split into the mechanisms that cause it.

The key-rate engine gives one X1-window error rate and one Z-window error rate. Their parts:

* **X** (X1 windows, both parties send the weak decoy ``mu_1``): the error rate is evaluated
  three times with the engine's own window model (:func:`~qkdchip.simulations.qkd.window_yields`):
  as run; with no misalignment (``e_d = 0``); and with no misalignment and a vanishing phase
  slice. The differences give the misalignment part, the phase-slice part (the width of the
  accepted phase difference) and the noise part, which add up to the total exactly. The
  misalignment part is shared among its mechanisms in proportion to their first-order error
  (a visibility factor V_i adds ``(1 - V_i)/2``, a phase variance s_i^2 adds ``s_i^2/4``); the
  noise part in proportion to the noise counts by source.
* **Z** (signal windows): errors are the windows where both parties send (a click from either
  pulse) and where neither sends (a noise click), ``E_Z = (r_d + r_v) / S_Z``; ``r_v`` is shared
  among the noise sources in proportion to their counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qkdchip.records import Record

_VANISHING_SLICE_RAD = 1e-6


@dataclass(frozen=True)
class QberDecomposition(Record):
    """X- and Z-basis error rates by contribution; each mapping sums to its total.

    Attributes:
        qber_x: X1-window error rate.
        qber_z: Z-window error rate (before AOPP).
        x: contribution to ``qber_x`` by mechanism.
        z: contribution to ``qber_z`` by mechanism.
    """

    qber_x: float
    qber_z: float
    x: dict[str, float]
    z: dict[str, float]


def _shares(total: float, weights: Mapping[str, float]) -> dict[str, float]:
    norm = math.fsum(weights.values())
    if norm <= 0.0:
        return {name: 0.0 for name in weights}
    return {name: total * w / norm for name, w in weights.items()}


def _x_error(yields: Any) -> float:
    gain = float(yields.x1_gain)
    return float(yields.x1_error) / gain if gain > 0.0 else 0.0


def qber_decomposition(
    *,
    system: Any,
    parameters: Mapping[str, Any],
    visibility_factors: Mapping[str, float],
    phase_variances_rad2: Mapping[str, float],
    noise_per_gate: Mapping[str, float],
) -> QberDecomposition:
    """Split a pair's X and Z error rates into their mechanisms.

    Args:
        system: the pair's :class:`~qkdchip.simulations.qkd.SnsSystem` (its ``misalignment``,
            ``phase_slice_rad`` and ``dark_count_per_pulse`` as given to the key-rate engine).
        parameters: the engine's optimal source parameters (``SnsParameters.to_dict()``).
        visibility_factors: visibility factor of each interference mechanism, (0, 1].
        phase_variances_rad2: phase-error variance of each phase mechanism, rad².
        noise_per_gate: mean noise counts per detector gate by source.

    Returns:
        The :class:`QberDecomposition`.
    """
    from qkdchip.simulations.qkd import window_yields
    from qkdchip.simulations.qkd.system import SnsParameters

    derived = ("p_2", "mu_1_b")
    params = SnsParameters(**{k: v for k, v in parameters.items() if k not in derived})
    eta_a, eta_b = system.detected_transmittances()

    def yields(misalignment: float, phase_slice_rad: float) -> Any:
        return window_yields(
            eta_a=eta_a,
            eta_b=eta_b,
            p_dark=system.dark_count_per_pulse,
            misalignment=misalignment,
            phase_slice_rad=phase_slice_rad,
            mu_z=params.mu_z,
            mu_1=params.mu_1,
            mu_2=params.mu_2,
            mu_z_b=params.bob_mu_z,
            mu_1_b=params.mu_1_b,
            mu_2_b=params.mu_2_b if params.mu_2 is not None else None,
        )

    run = yields(system.misalignment, system.phase_slice_rad)
    qber_x = _x_error(run)
    no_misalignment = _x_error(yields(0.0, system.phase_slice_rad))
    noise_only = _x_error(yields(0.0, _VANISHING_SLICE_RAD))
    first_order = {name: 0.5 * (1.0 - v) for name, v in visibility_factors.items()}
    first_order |= {name: 0.25 * var for name, var in phase_variances_rad2.items()}
    x = _shares(qber_x - no_misalignment, first_order)
    x["phase_slice"] = no_misalignment - noise_only
    x |= _shares(noise_only, noise_per_gate)

    eps_a, eps_b = params.eps, params.bob_eps
    r_v = (1.0 - eps_a) * (1.0 - eps_b) * float(run.s00)
    r_d = eps_a * eps_b * float(run.szz)
    r_c = eps_a * (1.0 - eps_b) * float(run.sz0) + eps_b * (1.0 - eps_a) * float(run.s0z)
    s_z = r_v + r_d + r_c
    z = {"both_sending": r_d / s_z if s_z > 0.0 else 0.0}
    z |= _shares(r_v / s_z if s_z > 0.0 else 0.0, noise_per_gate)
    return QberDecomposition(qber_x=qber_x, qber_z=math.fsum(z.values()), x=x, z=z)
