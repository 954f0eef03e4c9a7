"""Decoy-state bounds of SNS TF-QKD in the one-sided form.

Single-photon yield (one party sends one photon, the other vacuum), from the one-sided sources
``S_10`` ("Alice sends mu_1, Bob vacuum") and ``S_20``:

    s_1 >= [mu_2^2 e^{mu_1} S_10 - mu_1^2 e^{mu_2} S_20 - (mu_2^2 - mu_1^2) S_00]
           / [mu_1 mu_2 (mu_2 - mu_1)]                                           (1)

This is the two-decoy lower bound of Ma, Qi, Zhao, Lo, PRA 72, 012326 (2005) applied to a
one-sided Poisson source; it follows from ``S_k0 = sum_n e^{-mu_k} mu_k^n / n! s_n`` with
``s_n >= 0`` and ``mu_2 e^{...}`` elimination of ``s_2`` (re-derived and checked against the
forward model in the tests). The SNS papers use it with ``S_k0 := (S_k0 + S_0k)/2`` (Jiang et
al., PRApplied 12, 024061 (2019); exact equation numbers not verified).

Phase-flip error rate of the untagged bits from the X1 windows, whose total photon number is
Poisson(2 mu_1): vacuum contributes error 1/2, the single-photon part ``2 mu_1 e^{-2 mu_1} s_1``
carries the error ``e_1``, higher photon numbers contribute non-negatively:

    e_1^ph <= [T_X1 - e^{-2 mu_1} S_00 / 2] / [2 mu_1 e^{-2 mu_1} s_1]            (2)

(Wang, Yu, Hu, PRA 98, 062323 (2018), arXiv:1805.09222, the X1 phase-error estimate; the
reference notes cite its Eqs. (44)-(45) through a third-party code's docstrings, not read here.)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def single_photon_yield_lower(
    *,
    mu_1: ArrayLike,
    mu_2: ArrayLike,
    s_mu1: ArrayLike,
    s_mu2: ArrayLike,
    s_00: ArrayLike,
) -> Array:
    """Lower bound (1) on the one-sided single-photon yield; may be negative (no key).

    Args:
        mu_1: weak intensity, ``0 < mu_1 < mu_2``.
        mu_2: strong intensity (mu_2 decoy, or mu_z in the 3-intensity protocol).
        s_mu1: yield (lower bound in finite size) of the one-sided ``mu_1`` source.
        s_mu2: yield (upper bound in finite size) of the one-sided ``mu_2`` source.
        s_00: vacuum yield (upper bound in finite size).
    """
    m1 = np.asarray(mu_1, dtype=float)
    m2 = np.asarray(mu_2, dtype=float)
    num = (
        m2 * m2 * np.exp(m1) * np.asarray(s_mu1, dtype=float)
        - m1 * m1 * np.exp(m2) * np.asarray(s_mu2, dtype=float)
        - (m2 * m2 - m1 * m1) * np.asarray(s_00, dtype=float)
    )
    return num / (m1 * m2 * (m2 - m1))


def phase_error_upper(
    *,
    mu_1: ArrayLike,
    t_x1: ArrayLike,
    s_00: ArrayLike,
    s1_lower: ArrayLike,
    mu_1_b: ArrayLike | None = None,
) -> Array:
    """Upper bound (2) on the phase-flip error rate, clipped to [0, 0.5].

    With unequal X1 intensities (Alice ``mu_1``, Bob ``mu_1_b``) the total photon number is
    Poisson(``mu_1 + mu_1_b``) and ``2 mu_1`` in (2) becomes ``mu_1 + mu_1_b``; ``s1_lower``
    must then be the yield of the X1 single-photon state, the intensity-weighted mean
    ``(mu_1 s_1A + mu_1_b s_1B) / (mu_1 + mu_1_b)`` of the one-sided yields (the two matched
    phase slices, 0 and pi, average the superposition into this mixture).
    Where ``s1_lower <= 0`` nothing is known and 0.5 is returned.

    Args:
        mu_1: Alice's X1 intensity (and Bob's unless ``mu_1_b`` is given).
        t_x1: error rate of X1 windows (upper bound in finite size).
        s_00: vacuum yield (lower bound in finite size).
        s1_lower: lower bound on the single-photon yield.
        mu_1_b: Bob's X1 intensity, None for ``mu_1``.
    """
    m1 = np.asarray(mu_1, dtype=float)
    total = 2.0 * m1 if mu_1_b is None else m1 + np.asarray(mu_1_b, dtype=float)
    s1 = np.asarray(s1_lower, dtype=float)
    num = np.asarray(t_x1, dtype=float) - np.exp(-total) * np.asarray(s_00, dtype=float) / 2.0
    den = total * np.exp(-total) * s1
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = np.where(s1 > 0.0, num / np.where(s1 > 0.0, den, 1.0), 0.5)
    return np.clip(e1, 0.0, 0.5)
