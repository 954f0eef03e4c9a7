"""Phase-error budget of a TF-QKD pair and the X-basis misalignment error it causes.

Model: the residual phase error ``dphi`` between Alice's and Bob's pulses at the server's beam
splitter is a zero-mean Gaussian sum of independent contributions (each a variance in rad²).
An X1-window photon exits the wrong port with probability ``sin²(dphi/2)``; with a Gaussian
``dphi`` of variance s², ``<sin²(dphi/2)> = (1 - exp(-s²/2)) / 2``. A phase-independent floor
``e0 = (1 - V)/2`` from the interference visibility V (polarisation, pulse-shape and timing
mismatch) combines with it as two independent flips::

    e_d = e0 + (1 - 2 e0) (1 - exp(-s²/2)) / 2

Contributions:

* laser phase noise over the path delay: both lasers follow the same comb line, so only the
  master's phase diffusion over the arrival-time mismatch tau survives, variance ``2 pi dnu tau``
  (Lorentzian linewidth dnu); plus each slave's residual jitter from injection locking.
* reference-phase tracking: the reference phase at lambda_0 is sampled every ``1/f_s`` and the
  window's estimate applies at its centre, so a linear drift w leaves a uniform error of width
  ``w/f_s``, variance ``(w/f_s)²/12``; the estimate itself has shot-noise variance
  ``2/(N V²)`` from N detected reference counts per window (Cramér-Rao ``1/(N V²)`` for a fringe
  at its steepest point, doubled because counts are split over two quadratures).
* differential phase (lambda_0 versus the quantum wavelength) drifts slowly and is re-estimated
  every ``T_d``: variance ``(w_d T_d)²/12``.
* finite intensity-modulator extinction: a leaked field of relative amplitude
  ``r = 10^(-ER/20)`` with a random phase adds a phase error of variance ``r²/2`` per party.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from qkdchip.validation import check_range


def misalignment_from_variance(*, variance_rad2: float, floor: float) -> float:
    """X-basis misalignment error of a Gaussian phase error on top of a floor.

    Args:
        variance_rad2: total phase-error variance, rad² (>= 0).
        floor: phase-independent error probability, [0, 0.5].

    Returns:
        e_d in [floor, 0.5].
    """
    check_range("variance_rad2", variance_rad2, 0.0)
    if not (0.0 <= floor <= 0.5):
        raise ValueError(f"floor must be in [0, 0.5], got {floor!r}")
    phase_part = 0.5 * (-math.expm1(-0.5 * variance_rad2))
    return floor + (1.0 - 2.0 * floor) * phase_part


def laser_phase_variance(*, linewidth_hz: float, delay_s: float) -> float:
    """Phase-diffusion variance of a Lorentzian laser over a delay, ``2 pi dnu |tau|`` (rad²)."""
    check_range("linewidth_hz", linewidth_hz, 0.0)
    if not math.isfinite(delay_s):
        raise ValueError(f"delay_s must be finite, got {delay_s!r}")
    return 2.0 * math.pi * linewidth_hz * abs(delay_s)


def drift_tracking_variance(*, drift_rad_per_s: float, update_interval_s: float) -> float:
    """Residual of a linear drift between phase updates (estimate at window centre), rad²."""
    check_range("drift_rad_per_s", drift_rad_per_s, 0.0)
    check_range("update_interval_s", update_interval_s, 0.0)
    return (drift_rad_per_s * update_interval_s) ** 2 / 12.0


def estimation_variance(*, counts_per_window: float, visibility: float) -> float:
    """Shot-noise variance of a fringe-phase estimate from N counts, ``2/(N V²)`` (rad²).

    Capped at pi²/3, the variance of a phase uniform on [-pi, pi] (no information at all).
    """
    if not (counts_per_window >= 0.0):
        raise ValueError(f"counts_per_window must be >= 0, got {counts_per_window!r}")
    if not (0.0 < visibility <= 1.0):
        raise ValueError(f"visibility must be in (0, 1], got {visibility!r}")
    uniform = math.pi**2 / 3.0
    if counts_per_window <= 0.0:
        return uniform
    if math.isinf(counts_per_window):
        return 0.0
    return min(uniform, 2.0 / (counts_per_window * visibility**2))


def extinction_variance(*, extinction_ratio_db: float) -> float:
    """Phase variance from a leaked field of relative amplitude 10^(-ER/20), ``r²/2`` (rad²)."""
    if not (math.isfinite(extinction_ratio_db) and extinction_ratio_db > 0.0):
        raise ValueError(f"extinction_ratio_db must be > 0, got {extinction_ratio_db!r}")
    r = 10.0 ** (-extinction_ratio_db / 20.0)
    return 0.5 * r * r


@dataclass(frozen=True)
class PhaseErrorBudget:
    """Phase-error variances of one pair and the resulting misalignment error.

    Attributes:
        contributions_rad2: variance per named contribution, rad².
        total_variance_rad2: sum of the contributions, rad².
        floor: visibility floor (1 - V)/2.
        misalignment: e_d used by the key-rate engine.
    """

    contributions_rad2: dict[str, float] = field(default_factory=dict)
    total_variance_rad2: float = 0.0
    floor: float = 0.0
    misalignment: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "contributions_rad2": dict(self.contributions_rad2),
            "total_variance_rad2": self.total_variance_rad2,
            "floor": self.floor,
            "misalignment": self.misalignment,
        }


def phase_error_budget(
    *,
    visibility: float,
    linewidth_hz: float,
    path_mismatch_s: float,
    lock_residual_rad2: float,
    reference_drift_rad_per_s: float,
    sampling_rate_hz: float,
    reference_counts_per_window: float,
    differential_drift_rad_per_s: float,
    differential_window_s: float,
    extinction_ratio_db: tuple[float, float],
) -> PhaseErrorBudget:
    """Add up the phase-error contributions of one Alice-Bob pair.

    Args:
        visibility: interference visibility without phase noise, (0, 1]; floor = (1 - V)/2.
        linewidth_hz: Lorentzian linewidth of the (locked) lasers, Hz.
        path_mismatch_s: arrival-time difference of the two paths from the comb, s.
        lock_residual_rad2: sum of both slaves' residual injection-locking jitter, rad².
        reference_drift_rad_per_s: drift rate of the reference phase at lambda_0, rad/s.
        sampling_rate_hz: phase-estimation rate of the reference (SNSPD sampling), Hz (> 0).
        reference_counts_per_window: detected reference counts per estimation window.
        differential_drift_rad_per_s: drift rate of the lambda_0 / lambda_q phase, rad/s.
        differential_window_s: update interval of the differential phase, s.
        extinction_ratio_db: intensity-modulator extinction ratios of (Alice, Bob), dB.

    Returns:
        The :class:`PhaseErrorBudget`.
    """
    if not (0.0 < visibility <= 1.0):
        raise ValueError(f"visibility must be in (0, 1], got {visibility!r}")
    if not (math.isfinite(sampling_rate_hz) and sampling_rate_hz > 0.0):
        raise ValueError(f"sampling_rate_hz must be > 0, got {sampling_rate_hz!r}")
    check_range("lock_residual_rad2", lock_residual_rad2, 0.0)
    if len(extinction_ratio_db) != 2:
        raise ValueError(
            f"extinction_ratio_db must hold two values (Alice, Bob), got {extinction_ratio_db!r}"
        )
    contributions = {
        "laser_phase_noise": laser_phase_variance(
            linewidth_hz=linewidth_hz, delay_s=path_mismatch_s
        ),
        "injection_lock_residual": lock_residual_rad2,
        "reference_drift": drift_tracking_variance(
            drift_rad_per_s=reference_drift_rad_per_s, update_interval_s=1.0 / sampling_rate_hz
        ),
        "reference_estimation": estimation_variance(
            counts_per_window=reference_counts_per_window, visibility=visibility
        ),
        "differential_drift": drift_tracking_variance(
            drift_rad_per_s=differential_drift_rad_per_s, update_interval_s=differential_window_s
        ),
        "modulator_extinction": extinction_variance(extinction_ratio_db=extinction_ratio_db[0])
        + extinction_variance(extinction_ratio_db=extinction_ratio_db[1]),
    }
    total = math.fsum(contributions.values())
    floor = 0.5 * (1.0 - visibility)
    return PhaseErrorBudget(
        contributions_rad2=contributions,
        total_variance_rad2=total,
        floor=floor,
        misalignment=misalignment_from_variance(variance_rad2=total, floor=floor),
    )
