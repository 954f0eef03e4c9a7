"""Binomial confidence intervals, design effects and first-order sensitivity indices."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qkdchip.records import Record


def _check_counts(k: float, n: float, confidence: float) -> None:
    if not (n > 0 and math.isfinite(n)):
        raise ValueError(f"n = {n!r} must be > 0")
    if not (0 <= k <= n):
        raise ValueError(f"k = {k!r} must be in [0, n = {n}]")
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"confidence = {confidence!r} must be in (0, 1)")


def wilson_interval(k: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k/n`` (``n`` may be fractional)."""
    from scipy.special import ndtri

    _check_counts(k, n, confidence)
    z = float(ndtri(0.5 + confidence / 2.0))
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def clopper_pearson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval for ``k`` successes in ``n`` trials."""
    from scipy.stats import beta

    _check_counts(k, n, confidence)
    a = 1.0 - confidence
    low = 0.0 if k == 0 else float(beta.ppf(a / 2.0, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1.0 - a / 2.0, k + 1, n - k))
    return low, high


@dataclass(frozen=True)
class YieldEstimate(Record):
    """A yield with its 95 % confidence interval.

    The interval is a Wilson interval on the effective sample size ``n_total / design_effect``:
    devices on one wafer share that wafer's offsets and field, so they are not independent. The
    design effect (Kish) is the between-wafer variance of the per-wafer yields over the binomial
    variance of one wafer's yield, floored at 1.
    """

    n_pass: int
    n_total: int
    value: float
    ci_low: float
    ci_high: float
    design_effect: float


def yield_estimate(
    per_wafer_pass: NDArray[np.int64], per_wafer_total: int, confidence: float = 0.95
) -> YieldEstimate:
    """Yield and clustered Wilson interval from per-wafer pass counts.

    Args:
        per_wafer_pass: passing items on each wafer.
        per_wafer_total: items per wafer (the same on every wafer, >= 1).
        confidence: interval confidence level.
    """
    per_wafer_pass = np.asarray(per_wafer_pass)
    if per_wafer_total < 1 or per_wafer_pass.size < 1:
        raise ValueError("need at least one wafer and one item per wafer")
    n_total = int(per_wafer_pass.size * per_wafer_total)
    n_pass = int(per_wafer_pass.sum())
    p = n_pass / n_total
    deff = 1.0
    if per_wafer_pass.size > 1 and 0.0 < p < 1.0:
        between = float(np.var(per_wafer_pass / per_wafer_total, ddof=1))
        deff = max(1.0, between / (p * (1.0 - p) / per_wafer_total))
    low, high = wilson_interval(p * n_total / deff, n_total / deff, confidence)
    return YieldEstimate(n_pass, n_total, p, low, high, deff)


def first_order_indices(
    inputs: dict[str, NDArray[np.float64]],
    outputs: dict[str, NDArray[np.float64]],
    n_bins: int = 32,
) -> dict[str, dict[str, float]]:
    """First-order variance-based (Sobol) indices ``Var(E[Y|X_i]) / Var(Y)`` from given data.

    Each input is cut into ``n_bins`` equal-count bins (inputs with at most ``n_bins`` distinct
    values, such as a defect flag, are grouped by value) and the variance of the bin means of
    ``Y`` estimates ``Var(E[Y|X_i])``. Unlike a linear regression this captures the non-monotone
    dependence of a pass/fail indicator on a parameter that fails on both sides of its window,
    and it reuses the Monte Carlo sample instead of needing a pick-freeze design. The estimator
    is biased upward by about ``(bins - 1)/N`` (the noise variance of the bin means) for an
    input with no effect; that term is subtracted and the result floored at 0. Inputs must be
    independent of each other (true for distinct process parameters). The indices of one output
    sum to at most 1; the rest is interaction (for example two MMIs whose errors add).

    Args:
        inputs: name -> samples of each input (same length N).
        outputs: name -> samples of each output Y (for a failure indicator: 0/1).
        n_bins: number of equal-count bins (>= 2).

    Returns:
        output name -> input name -> first-order index in [0, 1] (0 when Y does not vary).
    """
    if n_bins < 2:
        raise ValueError(f"n_bins = {n_bins!r} must be >= 2")
    ys = {k: np.asarray(v, dtype=float).ravel() for k, v in outputs.items()}
    sizes = {y.size for y in ys.values()} | {np.size(x) for x in inputs.values()}
    if len(sizes) > 1:
        raise ValueError(f"inputs and outputs must have the same number of samples, got {sizes}")
    result: dict[str, dict[str, float]] = {k: {} for k in ys}
    for name, x in inputs.items():
        x = np.asarray(x, dtype=float).ravel()
        n = x.size
        uniq = np.unique(x)
        if uniq.size <= n_bins:
            labels = np.searchsorted(uniq, x)
            n_groups = uniq.size
        else:
            order = np.argsort(x, kind="stable")
            labels = np.empty(n, dtype=np.int64)
            labels[order] = (np.arange(n) * n_bins) // n
            n_groups = n_bins
        counts = np.bincount(labels, minlength=n_groups).astype(float)
        used = counts > 0
        for target, y in ys.items():
            var_y = float(np.var(y))
            if var_y == 0.0:
                result[target][name] = 0.0
                continue
            sums = np.bincount(labels, weights=y, minlength=n_groups)
            means = sums[used] / counts[used]
            between = float(np.sum(counts[used] * (means - y.mean()) ** 2) / n)
            bias = (used.sum() - 1) * var_y / n
            result[target][name] = float(np.clip((between - bias) / var_y, 0.0, 1.0))
    return result
