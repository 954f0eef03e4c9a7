"""Dispersion of a ring from its resonance frequencies: D1, D2, D3 and D_int(μ).

With resonances ω(m0 + μ) the expansion is ω(μ) = ω0 + D1 μ + D2 μ²/2 + D3 μ³/6 + ..., and the
integrated dispersion is D_int(μ) = ω(μ) - ω0 - D1 μ (Herr et al., Nat. Photon. 8, 145 (2014)).
Everything here is in Hz, i.e. D/2π. D2 > 0 is anomalous dispersion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DispersionFit:
    """Polynomial fit of f(μ) = f0 + D1 μ + D2 μ²/2 + D3 μ³/6 (+ D4 μ⁴/24), all in Hz."""

    f0_hz: float
    d1_hz: float
    d2_hz: float
    d3_hz: float
    residual_rms_hz: float


def fit_dispersion(mu: np.ndarray, frequency_hz: np.ndarray) -> DispersionFit:
    """Least-squares fit of the resonance frequencies around the pump mode μ = 0.

    The polynomial degree is min(4, n - 2) (at least one residual degree of freedom when
    possible); terms not fitted are reported as 0.

    Args:
        mu: integer mode numbers relative to the pump (at least 3 distinct values, including 0).
        frequency_hz: resonance frequencies in Hz.
    """
    mu = np.asarray(mu, dtype=float)
    f = np.asarray(frequency_hz, dtype=float)
    if mu.shape != f.shape or mu.ndim != 1:
        raise ValueError(
            f"mu and frequency_hz must be 1-D of equal length, got {mu.shape}, {f.shape}"
        )
    if len(np.unique(mu)) < 3:
        raise ValueError(f"mu={mu.tolist()!r} needs at least 3 distinct mode numbers")
    if not np.all(np.isfinite(f)):
        raise ValueError("frequency_hz must be finite")
    degree = int(min(4, max(2, len(mu) - 2)))
    scale = float(np.max(np.abs(mu)))
    x = mu / scale
    # Fit relative to the mean frequency to keep the normal equations well conditioned.
    f_ref = float(np.mean(f))
    coef = np.polynomial.polynomial.polyfit(x, f - f_ref, degree)
    residual = f - f_ref - np.polynomial.polynomial.polyval(x, coef)
    padded = np.zeros(5)
    padded[: degree + 1] = coef
    return DispersionFit(
        f0_hz=f_ref + padded[0],
        d1_hz=padded[1] / scale,
        d2_hz=2 * padded[2] / scale**2,
        d3_hz=6 * padded[3] / scale**3,
        residual_rms_hz=float(np.sqrt(np.mean(residual**2))),
    )


def integrated_dispersion(
    mu: np.ndarray, frequency_hz: np.ndarray, *, d1_hz: float, mu_dense: np.ndarray
) -> np.ndarray:
    """D_int/2π in Hz at every mode of ``mu_dense`` (cubic spline through the samples).

    D_int(μ) = f(μ) - f(0) - D1 μ at the sampled μ (which must include 0), then a not-a-knot
    cubic spline between them. ``mu_dense`` must lie inside the sampled range.
    """
    from scipy.interpolate import CubicSpline

    mu = np.asarray(mu, dtype=float)
    f = np.asarray(frequency_hz, dtype=float)
    order = np.argsort(mu)
    mu, f = mu[order], f[order]
    if 0 not in mu:
        raise ValueError(f"mu={mu.tolist()!r} must contain the pump mode 0")
    mu_dense = np.asarray(mu_dense, dtype=float)
    if mu_dense.min() < mu[0] or mu_dense.max() > mu[-1]:
        raise ValueError(
            f"mu_dense spans [{mu_dense.min()}, {mu_dense.max()}], outside the sampled "
            f"[{mu[0]}, {mu[-1]}]"
        )
    f0 = f[mu == 0][0]
    d_int = f - f0 - d1_hz * mu
    if len(mu) < 4:
        coef = np.polyfit(mu, d_int, len(mu) - 1)
        return np.polyval(coef, mu_dense)
    return CubicSpline(mu, d_int)(mu_dense)
