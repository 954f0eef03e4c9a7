"""Decoy-state bounds of SNS TF-QKD in the one-sided form.

Single-photon yield (one party sends one photon, the other vacuum), from the one-sided sources
``S_10`` ("Alice sends mu_1, Bob vacuum") and ``S_20``:

    s_1 >= [mu_2^2 e^{mu_1} S_10 - mu_1^2 e^{mu_2} S_20 - (mu_2^2 - mu_1^2) S_00]
           / [mu_1 mu_2 (mu_2 - mu_1)]                                           (1)

Derivation (complete, so the bound does not rest on a transcription): a phase-randomised
one-sided source gives ``S_k0 = sum_n e^{-mu_k} mu_k^n / n! s_n`` with yields ``s_n`` in
[0, 1]. Then ``mu_2^2 e^{mu_1} S_10 - mu_1^2 e^{mu_2} S_20 = (mu_2^2 - mu_1^2) s_0 +
mu_1 mu_2 (mu_2 - mu_1) s_1 + sum_{n>=3} mu_1^2 mu_2^2 (mu_1^{n-2} - mu_2^{n-2}) s_n / n!``
(the ``s_2`` terms cancel) and every term of the last sum is <= 0 for ``mu_1 < mu_2``,
which gives (1) with ``s_0 = S_00``. In finite size ``S_10`` enters as a lower bound and
``S_20``, ``S_00`` as upper bounds. This is the two-decoy bound of Ma, Qi, Zhao, Lo, PRA 72,
012326 (2005) applied to a one-sided source; the SNS papers use it with
``S_k0 := (S_k0 + S_0k)/2`` (Jiang et al., PRApplied 12, 024061 (2019), arXiv:1904.00192, as
recalled in the reference notes; equation number not verified). Wang, Yu, Hu 2018 state the
same bound for the two-mode X-window source of total intensity ``2 mu`` (their Eq. (44)
according to the ``snstfqkd`` package's ``decoy_analysis.py``, a third-party transcription).
The tests check (1) against the forward model's true yield.

Phase-flip error rate of the untagged bits from the X1 windows, whose total photon number is
Poisson(2 mu_1): vacuum contributes error 1/2, the single-photon part ``2 mu_1 e^{-2 mu_1} s_1``
carries the error ``e_1``, higher photon numbers contribute non-negatively:

    e_1^ph <= [T_X1 - e^{-2 mu_1} S_00 / 2] / [2 mu_1 e^{-2 mu_1} s_1]            (2)

(Wang, Yu, Hu, PRA 98, 062323 (2018), arXiv:1805.09222: the same expression appears in two
independent transcriptions of the paper, the ``snstfqkd`` package, which labels it Eq. (45),
and the "TF-QKD 族三变体精读" literature memo; not read from the full text.) The derivation
above (``T_X1 = sum_n P(n) e_n s_n`` over the Poisson(2 mu_1) photon number) is complete
given the SNS security argument that the X1 single-photon phase-flip rate equals that of the
untagged bits. Finite size: ``T_X1`` upper bound, ``S_00`` lower bound, ``s_1`` lower bound.
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
