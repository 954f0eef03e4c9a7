"""Phase-error budget of a TF-QKD pair and the X-basis misalignment error it causes.

Model: the residual phase error ``dphi`` between Alice's and Bob's pulses at the server's beam
splitter is a zero-mean Gaussian sum of independent contributions (each a variance in rad²).
An X1-window photon exits the wrong port with probability ``sin²(dphi/2)``; with a Gaussian
``dphi`` of variance s², ``<sin²(dphi/2)> = (1 - exp(-s²/2)) / 2``. A phase-independent floor
``e0 = (1 - V)/2`` from the interference visibility V (polarisation, pulse-shape and timing
mismatch) combines with it as two independent flips::

    e_d = e0 + (1 - 2 e0) (1 - exp(-s²/2)) / 2

Contributions (each computed where its physics lives; :func:`~.model.pair_phase_budget`
collects them):

* laser phase noise: the comb line's phase diffusion through both locking responses over the
  arrival-time mismatch, and each slave's residual jitter
  (:func:`~.injection_locking.pair_phase_noise`);
* reference-phase tracking: the drift between estimates and their shot noise, for a loop that
  applies each estimate to the following quantum period
  (:func:`~.phase_tracking.tracking_error_variance`);
* the differential phase (lambda_0 versus the quantum wavelength) drifts slowly and is estimated
  in post-processing over windows of ``T_d`` centred on the data: ``(w_d T_d)²/12`` for a drift
  linear over the window (:func:`drift_tracking_variance`);
* finite intensity-modulator extinction: a leaked field of relative amplitude
  ``r = 10^(-ER/20)`` with a random phase adds a phase error of variance ``r²/2`` per party.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from qkdchip.records import Record
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
    check_range("floor", floor, 0.0, 0.5)
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
    information = counts_per_window * visibility**2
    return uniform if information <= 0.0 else min(uniform, 2.0 / information)


def extinction_variance(*, extinction_ratio_db: float) -> float:
    """Phase variance from a leaked field of relative amplitude 10^(-ER/20), ``r²/2`` (rad²)."""
    if not (math.isfinite(extinction_ratio_db) and extinction_ratio_db > 0.0):
        raise ValueError(f"extinction_ratio_db must be > 0, got {extinction_ratio_db!r}")
    r = 10.0 ** (-extinction_ratio_db / 20.0)
    return 0.5 * r * r


@dataclass(frozen=True)
class PhaseErrorBudget(Record):
    """Visibility factors and phase-error variances of one pair and the resulting misalignment.

    Attributes:
        visibility_factors: visibility factor per interference mechanism (see
            :mod:`.visibility`), (0, 1].
        contributions_rad2: phase-error variance per named mechanism, rad².
        total_variance_rad2: sum of the contributions, rad².
        floor: visibility floor (1 - V)/2 with V the product of the factors.
        misalignment: e_d used by the key-rate engine.
    """

    visibility_factors: dict[str, float]
    contributions_rad2: dict[str, float]
    total_variance_rad2: float
    floor: float
    misalignment: float


def phase_error_budget(
    *, visibility_factors: Mapping[str, float], contributions_rad2: Mapping[str, float]
) -> PhaseErrorBudget:
    """Combine a pair's visibility factors and phase-error variances into its e_d.

    Args:
        visibility_factors: visibility factor per mechanism, each in (0, 1].
        contributions_rad2: phase-error variance per mechanism, rad², each >= 0.

    Returns:
        The :class:`PhaseErrorBudget`.
    """
    for name, factor in visibility_factors.items():
        check_range(f"visibility factor {name}", factor, 0.0, 1.0, low_open=True)
    for name, variance in contributions_rad2.items():
        check_range(f"phase variance {name}", variance, 0.0)
    total = math.fsum(contributions_rad2.values())
    floor = 0.5 * (1.0 - math.prod(visibility_factors.values()))
    return PhaseErrorBudget(
        visibility_factors=dict(visibility_factors),
        contributions_rad2=dict(contributions_rad2),
        total_variance_rad2=total,
        floor=floor,
        misalignment=misalignment_from_variance(variance_rad2=total, floor=floor),
    )
