"""Reference-phase tracking of a TF-QKD pair: time-domain Monte Carlo and its closed form.

Drift model: the relative fibre phase phi(t) of the two arms has an Ornstein-Uhlenbeck
velocity of rms rate w (rad/s) and correlation time tau_c (s), so its structure function is

    D(dt) = <(phi(t + dt) - phi(t))²> = 2 w² tau_c² (|dt|/tau_c - 1 + exp(-|dt|/tau_c)),

w² dt² for |dt| << tau_c (locally linear drift) and 2 w² tau_c |dt| - 2 w² tau_c² for
|dt| >> tau_c (random walk of diffusion coefficient w² tau_c). The Monte Carlo samples the
velocity and phase exactly (joint Gaussian update of the OU velocity and its integral) at
the points the loop uses.

Control cycle (period T = T_ref + T_q, duty cycle T_q / T): in the reference period the clients
alternate the 0 and pi/2 quadratures and the server's detectors fill four Poisson bins with
means ``(R T_ref/4)(1 ± V c) + B T_ref/4`` and ``(R T_ref/4)(1 ± V s) + B T_ref/4``, where
(c, s) is the mean of (cos phi, sin phi) over ``reference_sub_bins`` equal sub-bins (phi at
their midpoints), R the detected reference count rate, V the fringe visibility and B the
background count rate. The estimate ``theta = atan2(n3 - n4, n1 - n2)`` sets the correction
of the following quantum period: ``hold`` keeps it, ``linear`` extrapolates the last two
estimates, ``theta_n + lambda(t) wrap(theta_n - theta_{n-1})`` with ``lambda(t) =
(t - t_n)/T`` from the window centre t_n. The residual ``delta = wrap(phi - correction)`` is
sampled at the midpoints of ``quantum_samples`` equal sub-intervals of the quantum period. The
reference pulses carry fixed phases (the server estimates phi itself); a loop that also
corrects them has the same leading-order statistics, since the four-bin estimator's mean and
covariance do not depend on the fringe's operating point (its next order does, see below).

Closed form (:func:`tracking_error_variance`), for N V² >> 1 and small residuals:

* estimation: X = n1 - n2 and Y = n3 - n4 have means A (cos, sin) theta with A = N V/2 and
  variances s² = (N + N_B)/2 each (N = R T_ref, N_B = B T_ref), uncorrelated, so to leading
  order the estimate's variance is ``rho = s²/A² = 2 (R + B)/(R² V² T_ref)`` (``2/(N V²)``
  without background; :func:`~.phase_budget.estimation_variance` with (R + B) T_ref counts and
  visibility V_eff = V R/(R + B)). Expanding atan2 to the next order gives ``rho²`` from the
  Gaussian part and ``-rho² V_eff² sin²(2 theta)`` from the counts' third cumulant
  (kappa3(X) = (N V/2) cos theta); averaged over the fringe's operating point theta this is
  ``rho (1 + rho (1 - V_eff²/2))``, which the closed form uses (a loop locked at theta = 0
  would have ``rho (1 + rho)``). The linear predictor multiplies it by
  ``<(1 + lambda)² + lambda²>`` (two independent estimates).
* drift: the estimate is the mean phase over the window's sub-bin midpoints, so the residual
  at time t is ``sum_i a_i phi(x_i)`` with ``sum_i a_i = 0`` (+1 at t, minus the predictor's
  weights spread over the windows' midpoints); for a process with stationary increments its
  variance is ``-1/2 sum_ij a_i a_j D(x_i - x_j)``. Hold: ``<D(t - r)>_r - <D(r - r')>_rr'/2``;
  linear drift gives ``w² (t - t_n)²``. Averaged over the quantum-period samples.
* slips (``linear`` only): the slope ``wrap(theta_n - theta_{n-1})`` is off by 2 pi when the
  change between consecutive window means exceeds pi. That change is Gaussian with variance
  ``s_D² = <D(r - r' + T)> - <D(r - r')> + 2 rho`` (w² T² + 2 rho for a linear drift), so a
  slip has probability ``erfc(pi / (sqrt(2) s_D))`` and then moves the sample at lever lambda
  by 2 pi lambda: the mean square gains that probability P times ``<wrap(2 pi lambda)²>``.

The phase error (X-basis flip probability) is ``<sin²(delta/2)>``: the Monte Carlo averages it
over the simulated residuals (no Gaussian assumption); the closed form takes the shot and drift
parts s² as Gaussian, ``e0 = (1 - exp(-s²/2))/2``
(:func:`~.phase_budget.misalignment_from_variance`), and adds the slips exactly for that
Gaussian: ``e = e0 + P <1 - cos(2 pi lambda)> (1/2 - e0)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qkdchip.records import Record
from qkdchip.simulations.network.phase_budget import (
    estimation_variance,
    misalignment_from_variance,
)
from qkdchip.simulations.qkd.bounds import binary_entropy
from qkdchip.validation import check_choice, check_range

PREDICTORS = ("hold", "linear")
QUANTILE_LEVELS = (0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999)
DEFAULT_PERIODS_S = tuple(float(x) for x in np.geomspace(1e-6, 1e-2, 41))
MAX_SAMPLES = 20_000_000
MAX_RATE_HZ = 1e13
MAX_PERIOD_S = 1e3
_CHUNK_POINTS = 1 << 20
_SERIES_TERMS = 24
_UNIFORM_VARIANCE = math.pi**2 / 3.0


@dataclass(frozen=True)
class TrackingVariance(Record):
    """Closed-form tracking error of one cycle setting.

    Attributes:
        reference_period_s: T_ref, s.
        quantum_period_s: T_q, s.
        duty_cycle: T_q / (T_ref + T_q).
        predictor: ``hold`` or ``linear``.
        estimation_rad2: shot-noise part, rad².
        drift_rad2: drift part averaged over the quantum period, rad².
        slip_rad2: part from 2 pi slips of the linear predictor's slope (0 for hold), rad².
        total_rad2: their sum, rad².
        phase_error: X-basis flip probability: ``(1 - exp(-s²/2))/2`` for the Gaussian
            shot and drift parts s², mixed with the slips' shifts by 2 pi lambda.
    """

    reference_period_s: float
    quantum_period_s: float
    duty_cycle: float
    predictor: str
    estimation_rad2: float
    drift_rad2: float
    slip_rad2: float
    total_rad2: float
    phase_error: float


@dataclass(frozen=True)
class PhaseTrackingResult(Record):
    """Monte Carlo statistics of the quantum-period phase residual.

    Attributes:
        reference_period_s: T_ref, s.
        quantum_period_s: T_q, s.
        duty_cycle: T_q / (T_ref + T_q).
        predictor: ``hold`` or ``linear``.
        runs: independent realisations.
        cycles: cycles in the statistics (each run's first cycle only starts the loop).
        simulated_duration_s: simulated time of all runs, warm-up cycles included, s.
        residual_mean_rad: mean residual, rad.
        mean_square_rad2: <delta²>, rad².
        mean_square_se_rad2: batch-means standard error of ``mean_square_rad2`` (None with
            fewer than two batches), rad².
        residual_rms_rad: sqrt(<delta²>), rad.
        phase_error: <sin²(delta/2)>.
        phase_error_se: batch-means standard error of ``phase_error`` (None as above).
        quantile_levels: probabilities of ``residual_quantiles_rad``.
        residual_quantiles_rad: quantiles of delta, rad.
    """

    reference_period_s: float
    quantum_period_s: float
    duty_cycle: float
    predictor: str
    runs: int
    cycles: int
    simulated_duration_s: float
    residual_mean_rad: float
    mean_square_rad2: float
    mean_square_se_rad2: float | None
    residual_rms_rad: float
    phase_error: float
    phase_error_se: float | None
    quantile_levels: tuple[float, ...]
    residual_quantiles_rad: tuple[float, ...]


@dataclass(frozen=True)
class CycleChoice(Record):
    """Best (T_ref, T_q, predictor) of a grid for ``duty * figure_of_merit(x_error)``.

    Attributes:
        variance: the closed form at the winner.
        x_error: ``floor + (1 - 2 floor) * phase_error`` at the winner.
        figure_of_merit: the figure of merit there.
        objective: duty cycle times the figure of merit.
        monte_carlo: the Monte Carlo at the winner, if asked for.
        monte_carlo_objective: the objective with the Monte Carlo's phase error.
    """

    variance: TrackingVariance
    x_error: float
    figure_of_merit: float
    objective: float
    monte_carlo: PhaseTrackingResult | None = None
    monte_carlo_objective: float | None = None


def default_figure_of_merit(x_error: float) -> float:
    """``max(0, 1 - 2 h2(e))``: asymptotic key per sifted bit with equal bit and phase error.

    A conservative stand-in; for SNS pass the key rate per pulse as a function of e_d (its
    Z-basis error does not depend on the phase error).
    """
    return max(0.0, 1.0 - 2.0 * float(binary_entropy(x_error)))


def _check_count(name: str, value: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise ValueError(f"{name}={value!r} must be an integer in [1, {high}]")


def _check_loop(
    *,
    drift_rate_rad_per_s: float,
    correlation_time_s: float,
    reference_count_rate_hz: float,
    visibility: float,
    background_count_rate_hz: float,
    reference_sub_bins: int,
    quantum_samples: int,
) -> None:
    check_range("drift_rate_rad_per_s", drift_rate_rad_per_s, 0.0)
    check_range("correlation_time_s", correlation_time_s, 0.0, low_open=True)
    check_range("reference_count_rate_hz", reference_count_rate_hz, 0.0, MAX_RATE_HZ, low_open=True)
    check_range("visibility", visibility, 0.0, 1.0, low_open=True)
    check_range("background_count_rate_hz", background_count_rate_hz, 0.0, MAX_RATE_HZ)
    _check_count("reference_sub_bins", reference_sub_bins, 1000)
    _check_count("quantum_samples", quantum_samples, 1000)


def _check_periods(reference_period_s: float, quantum_period_s: float) -> None:
    check_range("reference_period_s", reference_period_s, 0.0, MAX_PERIOD_S, low_open=True)
    check_range("quantum_period_s", quantum_period_s, 0.0, MAX_PERIOD_S, low_open=True)


def _series_or_direct(
    u: NDArray[np.float64],
    coefficients: NDArray[np.float64],
    direct: Callable[[NDArray[np.float64]], NDArray[np.float64]],
) -> NDArray[np.float64]:
    """Power series ``sum_k c_k u^k`` below u = 1 (no cancellation), ``direct(u)`` above."""
    small = u < 1.0
    out = np.empty_like(u)
    out[small] = np.polynomial.polynomial.polyval(u[small], coefficients)
    out[~small] = direct(u[~small])
    return out


def _exp_series(sign: Callable[[int], float], start: int) -> NDArray[np.float64]:
    """Coefficients ``sign(k)/k!`` for k >= start (zero below)."""
    ks = range(start + _SERIES_TERMS)
    return np.array([sign(k) / math.factorial(k) if k >= start else 0.0 for k in ks])


# u - 1 + exp(-u) = sum_{k>=2} (-u)^k / k!
_G_SERIES = _exp_series(lambda k: (-1.0) ** k, 2)
# 2u - 3 + 4 exp(-u) - exp(-2u) = sum_{k>=3} (-1)^k (4 - 2^k) u^k / k!
_Q_SERIES = _exp_series(lambda k: (-1.0) ** k * (4.0 - 2.0**k), 3)


def _g(u: NDArray[np.float64]) -> NDArray[np.float64]:
    return _series_or_direct(u, _G_SERIES, lambda x: x - 1.0 + np.exp(-x))


def _q(u: NDArray[np.float64]) -> NDArray[np.float64]:
    return _series_or_direct(
        u, _Q_SERIES, lambda x: 2.0 * x - 3.0 + 4.0 * np.exp(-x) - np.exp(-2.0 * x)
    )


def ou_structure_function(
    *, lag_s: ArrayLike, drift_rate_rad_per_s: float, correlation_time_s: float
) -> NDArray[np.float64]:
    """Phase structure function of an OU-velocity drift, ``D(dt)`` in rad².

    Args:
        lag_s: time lags dt (any sign), s.
        drift_rate_rad_per_s: rms phase rate w, rad/s (>= 0).
        correlation_time_s: velocity correlation time tau_c, s (> 0).

    Returns:
        ``2 w² tau_c² (|dt|/tau_c - 1 + exp(-|dt|/tau_c))`` with the shape of ``lag_s``.
    """
    check_range("drift_rate_rad_per_s", drift_rate_rad_per_s, 0.0)
    check_range("correlation_time_s", correlation_time_s, 0.0, low_open=True)
    return _structure(np.asarray(lag_s, dtype=float), drift_rate_rad_per_s, correlation_time_s)


def _structure(lag: NDArray[np.float64], w: float, tau: float) -> NDArray[np.float64]:
    u = np.abs(lag) / tau
    return 2.0 * w * w * tau * tau * _g(u.ravel()).reshape(u.shape)


def _ou_steps(h: NDArray[np.float64], w: float, tau: float) -> tuple[NDArray[np.float64], ...]:
    """Exact update over steps h of velocity v and phase: ``v' = a v + s z1`` and
    ``dphi = m v + c z1 + d z2`` (z1, z2 independent standard normals)."""
    u = h / tau
    a = np.exp(-u)
    one_minus_a = -np.expm1(-u)
    s = w * np.sqrt(-np.expm1(-2.0 * u))
    mean = tau * one_minus_a
    c = w * tau * one_minus_a * np.sqrt(one_minus_a / (1.0 + a))
    var_rest = w * w * tau * tau * (_q(u) - one_minus_a**3 / (1.0 + a))
    return a, s, mean, c, np.sqrt(np.maximum(var_rest, 0.0))


def _linear_scan(x: NDArray[np.float64], factor: float) -> NDArray[np.float64]:
    """``y_n = factor * y_{n-1} + x_n`` along the last axis (y_0 = x_0), by doubling."""
    y = x.copy()
    d, p = 1, factor
    while d < y.shape[-1] and p > 1e-18:
        y[..., d:] = y[..., d:] + p * y[..., :-d]
        d, p = 2 * d, p * p
    return y


def _wrap(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.remainder(x + np.pi, 2.0 * np.pi) - np.pi


def _sample_times(
    reference_period_s: float, quantum_period_s: float, n_ref: int, n_q: int
) -> NDArray[np.float64]:
    """Reference sub-bin midpoints then quantum sample midpoints of one cycle, s."""
    return np.concatenate(
        [
            (np.arange(n_ref) + 0.5) * (reference_period_s / n_ref),
            reference_period_s + (np.arange(n_q) + 0.5) * (quantum_period_s / n_q),
        ]
    )


def _lambdas(
    reference_period_s: ArrayLike, quantum_period_s: ArrayLike, n_q: int
) -> NDArray[np.float64]:
    """Linear predictor's lever ``(t - t_n)/T`` at the quantum samples, shape (..., n_q)."""
    t_ref = np.asarray(reference_period_s, dtype=float)[..., None]
    t_q = np.asarray(quantum_period_s, dtype=float)[..., None]
    t = t_ref + (np.arange(n_q) + 0.5) * t_q / n_q
    return (t - 0.5 * t_ref) / (t_ref + t_q)


def _path(
    *,
    times: NDArray[np.float64],
    period_s: float,
    cycles: int,
    w: float,
    tau: float,
    velocity: NDArray[np.float64],
    phase: NDArray[np.float64],
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Exact OU-driven phase at ``times`` (within each cycle) for ``cycles`` cycles.

    ``velocity`` and ``phase`` (one per run) hold the state at the first cycle's first point.
    Returns the phase, shape (runs, cycles, len(times)), and the state at the next point.
    """
    runs, m = velocity.shape[0], times.shape[0]
    steps = np.diff(np.append(times, times[0] + period_s))
    a, s, mean, c, d = _ou_steps(steps, w, tau)
    z1 = rng.standard_normal((runs, cycles, m))
    z2 = rng.standard_normal((runs, cycles, m))
    kicks = s * z1
    # Cycle-start velocities: V_{n+1} = A V_n + sum_j (prod_{i>j} a_i) kick_j.
    tail = np.append(np.cumprod(a[::-1])[::-1][1:], 1.0)
    starts = _linear_scan(
        np.concatenate([velocity[:, None], kicks @ tail], axis=1), math.exp(-period_s / tau)
    )
    v = np.empty((runs, cycles, m))
    v[..., 0] = starts[:, :-1]
    for j in range(m - 1):
        v[..., j + 1] = a[j] * v[..., j] + kicks[..., j]
    increments = (mean * v + c * z1 + d * z2).reshape(runs, cycles * m)
    phi = np.concatenate([phase[:, None], phase[:, None] + np.cumsum(increments, axis=1)], axis=1)
    return phi[:, :-1].reshape(runs, cycles, m), starts[:, -1], phi[:, -1]


def _estimate(
    phi: NDArray[np.float64],
    signal: float,
    background: float,
    visibility: float,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """The server's phase estimates from one reference period per cycle: Poisson counts in
    the four quadrature bins, whose fringe averages the phase ``phi`` over the period's
    sub-bins (last axis), and ``atan2`` of their differences."""
    cos_mean = np.cos(phi).mean(axis=-1)
    sin_mean = np.sin(phi).mean(axis=-1)
    fringe = signal * visibility * np.stack([cos_mean, -cos_mean, sin_mean, -sin_mean])
    n = rng.poisson(signal + background + fringe).astype(float)
    return np.arctan2(n[2] - n[3], n[0] - n[1])


def simulate_phase_tracking(
    *,
    drift_rate_rad_per_s: float,
    correlation_time_s: float,
    reference_period_s: float,
    quantum_period_s: float,
    reference_count_rate_hz: float,
    visibility: float,
    duration_s: float,
    rng: np.random.Generator,
    background_count_rate_hz: float = 0.0,
    predictor: str = "hold",
    reference_sub_bins: int = 8,
    quantum_samples: int = 16,
    runs: int = 1,
) -> PhaseTrackingResult:
    """Monte Carlo of the tracking loop (see the module docstring for the model).

    Args:
        drift_rate_rad_per_s: rms phase rate w, rad/s.
        correlation_time_s: velocity correlation time tau_c, s.
        reference_period_s: T_ref, s.
        quantum_period_s: T_q, s.
        reference_count_rate_hz: detected reference count rate R (all four bins), Hz.
        visibility: reference fringe visibility V, (0, 1].
        duration_s: simulated time per run, s: at least two cycles, and at most
            ``MAX_SAMPLES`` residual samples in all (counting at least 8 per cycle).
        rng: the seeded generator.
        background_count_rate_hz: background count rate B (all four bins), Hz.
        predictor: ``hold`` or ``linear``.
        reference_sub_bins: sub-bins of the reference period, [1, 1000].
        quantum_samples: residual samples per quantum period, [1, 1000].
        runs: independent realisations, each from a stationary velocity and a random phase
            (many short runs sample a slow drift's velocity better than one long run).

    Returns:
        The :class:`PhaseTrackingResult`.
    """
    _check_loop(
        drift_rate_rad_per_s=drift_rate_rad_per_s,
        correlation_time_s=correlation_time_s,
        reference_count_rate_hz=reference_count_rate_hz,
        visibility=visibility,
        background_count_rate_hz=background_count_rate_hz,
        reference_sub_bins=reference_sub_bins,
        quantum_samples=quantum_samples,
    )
    _check_periods(reference_period_s, quantum_period_s)
    check_choice("predictor", predictor, PREDICTORS)
    _check_count("runs", runs, 1_000_000)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng={rng!r} must be a numpy.random.Generator")
    period = reference_period_s + quantum_period_s
    max_cycles = MAX_SAMPLES // (runs * max(quantum_samples, 8))
    check_range("duration_s", duration_s, 2.0 * period, max_cycles * period)
    n_cycles = math.floor(duration_s / period * (1.0 + 1e-12))

    n_ref, n_q = reference_sub_bins, quantum_samples
    times = _sample_times(reference_period_s, quantum_period_s, n_ref, n_q)
    lam = _lambdas(reference_period_s, quantum_period_s, n_q)
    signal = 0.25 * reference_count_rate_hz * reference_period_s
    background = 0.25 * background_count_rate_hz * reference_period_s
    square = np.empty((runs, n_cycles))
    flip = np.empty((runs, n_cycles))
    bias = np.empty((runs, n_cycles))
    residuals = np.empty((runs, n_cycles, n_q), dtype=np.float32)
    group = min(runs, max(1, _CHUNK_POINTS // times.size))
    chunk = max(1, _CHUNK_POINTS // (group * times.size))
    for r0 in range(0, runs, group):
        rs = slice(r0, min(runs, r0 + group))
        nr = rs.stop - r0
        velocity = drift_rate_rad_per_s * rng.standard_normal(nr)
        phase = rng.uniform(-np.pi, np.pi, nr)
        previous = np.full(nr, np.nan)
        for c0 in range(0, n_cycles, chunk):
            cs = slice(c0, min(n_cycles, c0 + chunk))
            phi, velocity, phase = _path(
                times=times,
                period_s=period,
                cycles=cs.stop - c0,
                w=drift_rate_rad_per_s,
                tau=correlation_time_s,
                velocity=velocity,
                phase=phase,
                rng=rng,
            )
            estimate = _estimate(phi[..., :n_ref], signal, background, visibility, rng)
            correction = estimate[..., None]
            if predictor == "linear":
                before = np.concatenate([previous[:, None], estimate[:, :-1]], axis=1)
                before = np.where(np.isnan(before), estimate, before)
                correction = correction + lam * _wrap(estimate - before)[..., None]
            previous = estimate[:, -1]
            delta = _wrap(phi[..., n_ref:] - correction)
            square[rs, cs] = np.mean(delta**2, axis=-1)
            flip[rs, cs] = np.mean(np.sin(0.5 * delta) ** 2, axis=-1)
            bias[rs, cs] = np.mean(delta, axis=-1)
            residuals[rs, cs] = delta

    used = n_cycles - 1
    batch = min(used, max(4, math.ceil(5.0 * correlation_time_s / period)))
    mean_square, ms_se = _mean_and_se(square[:, 1:], batch)
    phase_error, pe_se = _mean_and_se(flip[:, 1:], batch)
    quantiles = np.quantile(residuals[:, 1:], QUANTILE_LEVELS)
    return PhaseTrackingResult(
        reference_period_s=reference_period_s,
        quantum_period_s=quantum_period_s,
        duty_cycle=quantum_period_s / period,
        predictor=predictor,
        runs=runs,
        cycles=runs * used,
        simulated_duration_s=runs * n_cycles * period,
        residual_mean_rad=float(np.mean(bias[:, 1:])),
        mean_square_rad2=mean_square,
        mean_square_se_rad2=ms_se,
        residual_rms_rad=math.sqrt(mean_square),
        phase_error=phase_error,
        phase_error_se=pe_se,
        quantile_levels=QUANTILE_LEVELS,
        residual_quantiles_rad=tuple(float(q) for q in quantiles),
    )


def _mean_and_se(per_cycle: NDArray[np.float64], batch: int) -> tuple[float, float | None]:
    """Mean over (runs, cycles) and its standard error from batches of ``batch`` cycles."""
    runs, cycles = per_cycle.shape
    n_batches = cycles // batch
    means = per_cycle[:, : n_batches * batch].reshape(runs * n_batches, batch).mean(axis=1)
    se = float(np.std(means, ddof=1) / math.sqrt(means.size)) if means.size >= 2 else None
    return float(np.mean(per_cycle)), se


class _DriftTerms(NamedTuple):
    """Closed-form pieces that do not depend on the counts (arrays over the periods).

    drift: drift variance averaged over the quantum samples, rad²; gain: factor on one
    estimate's shot noise; step: drift variance of the change between consecutive window
    means, rad²; slip_square and slip_cos: <wrap(2 pi lambda)²> (rad²) and <cos(2 pi lambda)>
    over the quantum samples, for a 2 pi slip of the slope.
    """

    drift: NDArray[np.float64]
    gain: NDArray[np.float64]
    step: NDArray[np.float64]
    slip_square: NDArray[np.float64]
    slip_cos: NDArray[np.float64]


def _drift_terms(
    reference_period_s: NDArray[np.float64],
    quantum_period_s: NDArray[np.float64],
    *,
    w: float,
    tau: float,
    predictor: str,
    n_ref: int,
    n_q: int,
) -> _DriftTerms:
    """:class:`_DriftTerms` of the predictor for arrays of (T_ref, T_q)."""
    t_ref = reference_period_s[..., None]
    period = t_ref + quantum_period_s[..., None]
    h_ref = t_ref / n_ref
    lags = np.arange(1 - n_ref, n_ref)
    pair_weight = (n_ref - np.abs(lags)) / n_ref**2
    same = np.sum(pair_weight * _structure(lags * h_ref, w, tau), axis=-1)
    # Quantum sample minus reference midpoint, shape (..., n_q, n_ref).
    gap = (
        t_ref[..., None]
        + ((np.arange(n_q) + 0.5) * quantum_period_s[..., None] / n_q)[..., None]
        - (np.arange(n_ref) + 0.5) * h_ref[..., None]
    )
    to_current = np.mean(_structure(gap, w, tau), axis=-1)
    if predictor == "hold":
        drift = np.mean(to_current, axis=-1) - 0.5 * same
        zeros = np.zeros_like(drift)
        return _DriftTerms(drift, np.ones_like(drift), zeros, zeros, zeros)
    lam = _lambdas(reference_period_s, quantum_period_s, n_q)
    to_previous = np.mean(_structure(gap + period[..., None], w, tau), axis=-1)
    across = np.sum(pair_weight * _structure(lags * h_ref + period, w, tau), axis=-1)
    per_sample = (
        (1.0 + lam) * to_current
        - lam * to_previous
        - 0.5 * ((1.0 + lam) ** 2 + lam**2) * same[..., None]
        + lam * (1.0 + lam) * across[..., None]
    )
    return _DriftTerms(
        drift=np.mean(per_sample, axis=-1),
        gain=np.mean((1.0 + lam) ** 2 + lam**2, axis=-1),
        step=across - same,
        slip_square=np.mean(_wrap(2.0 * np.pi * lam) ** 2, axis=-1),
        slip_cos=np.mean(np.cos(2.0 * np.pi * lam), axis=-1),
    )


def _shot_variance(
    reference_period_s: float, reference_count_rate_hz: float, visibility: float, background: float
) -> float:
    """``rho (1 + rho (1 - V_eff²/2))`` with ``rho = 2 (R + B)/(R² V² T_ref)``, rad²."""
    rate = reference_count_rate_hz + background
    v_eff = visibility * reference_count_rate_hz / rate
    rho = estimation_variance(counts_per_window=rate * reference_period_s, visibility=v_eff)
    return min(rho * (1.0 + rho * (1.0 - 0.5 * v_eff * v_eff)), _UNIFORM_VARIANCE)


def tracking_error_variance(
    *,
    drift_rate_rad_per_s: float,
    correlation_time_s: float,
    reference_period_s: float,
    quantum_period_s: float,
    reference_count_rate_hz: float,
    visibility: float,
    background_count_rate_hz: float = 0.0,
    predictor: str = "hold",
    reference_sub_bins: int = 8,
    quantum_samples: int = 16,
) -> TrackingVariance:
    """Closed-form residual variance of the tracking loop (see the module docstring).

    Arguments as for :func:`simulate_phase_tracking`. Valid while rho = 2/(N V²) << 1 (the
    neglected shot terms are of relative order rho²), the drift within a reference period
    w T_ref << 1, the residual is well below 1 rad, and slips are rare (``linear``).

    Returns:
        The :class:`TrackingVariance`.
    """
    _check_loop(
        drift_rate_rad_per_s=drift_rate_rad_per_s,
        correlation_time_s=correlation_time_s,
        reference_count_rate_hz=reference_count_rate_hz,
        visibility=visibility,
        background_count_rate_hz=background_count_rate_hz,
        reference_sub_bins=reference_sub_bins,
        quantum_samples=quantum_samples,
    )
    _check_periods(reference_period_s, quantum_period_s)
    check_choice("predictor", predictor, PREDICTORS)
    terms = _drift_terms(
        np.array(reference_period_s),
        np.array(quantum_period_s),
        w=drift_rate_rad_per_s,
        tau=correlation_time_s,
        predictor=predictor,
        n_ref=reference_sub_bins,
        n_q=quantum_samples,
    )
    single = _shot_variance(
        reference_period_s, reference_count_rate_hz, visibility, background_count_rate_hz
    )
    return _record(reference_period_s, quantum_period_s, predictor, terms, (), single)


def _record(
    reference_period_s: float,
    quantum_period_s: float,
    predictor: str,
    terms: _DriftTerms,
    index: tuple[int, ...],
    single: float,
) -> TrackingVariance:
    """The :class:`TrackingVariance` of ``terms[index]`` with one estimate's shot noise."""
    step = float(terms.step[index]) + 2.0 * single
    p_slip = math.erfc(math.pi / math.sqrt(2.0 * step)) if predictor == "linear" else 0.0
    shot = float(terms.gain[index]) * single
    drift = float(terms.drift[index])
    no_slip = misalignment_from_variance(variance_rad2=shot + drift, floor=0.0)
    flip = 1.0 - float(terms.slip_cos[index])
    slip = p_slip * float(terms.slip_square[index])
    total = shot + drift + slip
    return TrackingVariance(
        reference_period_s=reference_period_s,
        quantum_period_s=quantum_period_s,
        duty_cycle=quantum_period_s / (reference_period_s + quantum_period_s),
        predictor=predictor,
        estimation_rad2=shot,
        drift_rad2=drift,
        slip_rad2=slip,
        total_rad2=total,
        phase_error=no_slip + p_slip * flip * (0.5 - no_slip),
    )


def optimal_cycle(
    *,
    drift_rate_rad_per_s: float,
    correlation_time_s: float,
    reference_count_rate_hz: float,
    visibility: float,
    background_count_rate_hz: float = 0.0,
    reference_periods_s: Sequence[float] = DEFAULT_PERIODS_S,
    quantum_periods_s: Sequence[float] = DEFAULT_PERIODS_S,
    predictors: Sequence[str] = PREDICTORS,
    floor: float = 0.0,
    figure_of_merit: Callable[[float], float] = default_figure_of_merit,
    reference_sub_bins: int = 8,
    quantum_samples: int = 16,
    confirm_duration_s: float | None = None,
    rng: np.random.Generator | None = None,
) -> CycleChoice:
    """The (T_ref, T_q, predictor) of the grid maximising ``duty * figure_of_merit(e_X)``.

    ``e_X = floor + (1 - 2 floor) * phase_error`` with the closed-form phase error; the first
    grid point wins a tie.

    Args:
        drift_rate_rad_per_s: as for :func:`tracking_error_variance`.
        correlation_time_s: as for :func:`tracking_error_variance`.
        reference_count_rate_hz: as for :func:`tracking_error_variance`.
        visibility: as for :func:`tracking_error_variance`.
        background_count_rate_hz: as for :func:`tracking_error_variance`.
        reference_sub_bins: as for :func:`tracking_error_variance`.
        quantum_samples: as for :func:`tracking_error_variance`.
        reference_periods_s: candidate T_ref, s.
        quantum_periods_s: candidate T_q, s.
        predictors: candidate predictors.
        floor: phase-independent X error (for example (1 - V_q)/2), [0, 0.5].
        figure_of_merit: key per pulse (>= 0) as a function of the X error.
        confirm_duration_s: if given, also run the Monte Carlo at the winner for this long, s
            (at least two of its cycles).
        rng: the generator for the Monte Carlo (required with ``confirm_duration_s``).

    Returns:
        The :class:`CycleChoice`.
    """
    common = {
        "drift_rate_rad_per_s": drift_rate_rad_per_s,
        "correlation_time_s": correlation_time_s,
        "reference_count_rate_hz": reference_count_rate_hz,
        "visibility": visibility,
        "background_count_rate_hz": background_count_rate_hz,
        "reference_sub_bins": reference_sub_bins,
        "quantum_samples": quantum_samples,
    }
    _check_loop(**common)
    check_range("floor", floor, 0.0, 0.5)
    for name, values in (
        ("reference_periods_s", reference_periods_s),
        ("quantum_periods_s", quantum_periods_s),
        ("predictors", predictors),
    ):
        if len(values) == 0:
            raise ValueError(f"{name}={values!r} must not be empty")
    for t_ref in reference_periods_s:
        check_range("reference_periods_s", t_ref, 0.0, MAX_PERIOD_S, low_open=True)
    for t_q in quantum_periods_s:
        check_range("quantum_periods_s", t_q, 0.0, MAX_PERIOD_S, low_open=True)
    for predictor in predictors:
        check_choice("predictors", predictor, PREDICTORS)
    if confirm_duration_s is not None:
        check_range("confirm_duration_s", confirm_duration_s, 0.0, low_open=True)
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng={rng!r} must be a numpy.random.Generator")

    t_ref, t_q = np.meshgrid(
        np.asarray(reference_periods_s, float), np.asarray(quantum_periods_s, float), indexing="ij"
    )
    shots = [
        _shot_variance(float(x), reference_count_rate_hz, visibility, background_count_rate_hz)
        for x in reference_periods_s
    ]
    candidates = []
    for predictor in predictors:
        terms = _drift_terms(
            t_ref,
            t_q,
            w=drift_rate_rad_per_s,
            tau=correlation_time_s,
            predictor=predictor,
            n_ref=reference_sub_bins,
            n_q=quantum_samples,
        )
        for (i, j), t_ij in np.ndenumerate(t_ref):
            cand = _record(float(t_ij), float(t_q[i, j]), predictor, terms, (i, j), shots[i])
            merit = _merit(figure_of_merit, cand.phase_error, floor)
            candidates.append((cand.duty_cycle * merit, merit, cand))
    objective, merit, winner = max(candidates, key=lambda c: c[0])
    choice = CycleChoice(
        variance=winner,
        x_error=floor + (1.0 - 2.0 * floor) * winner.phase_error,
        figure_of_merit=merit,
        objective=objective,
    )
    if confirm_duration_s is None or rng is None:
        return choice
    mc = simulate_phase_tracking(
        **common,
        reference_period_s=winner.reference_period_s,
        quantum_period_s=winner.quantum_period_s,
        predictor=winner.predictor,
        duration_s=confirm_duration_s,
        rng=rng,
    )
    return CycleChoice(
        variance=winner,
        x_error=choice.x_error,
        figure_of_merit=merit,
        objective=objective,
        monte_carlo=mc,
        monte_carlo_objective=mc.duty_cycle * _merit(figure_of_merit, mc.phase_error, floor),
    )


def _merit(figure_of_merit: Callable[[float], float], phase_error: float, floor: float) -> float:
    value = float(figure_of_merit(floor + (1.0 - 2.0 * floor) * phase_error))
    check_range("figure_of_merit(e)", value, 0.0)
    return value
