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
recalled, not checked against the source; equation number not verified). Wang, Yu, Hu 2018 state the
same bound for the two-mode X-window source of total intensity ``2 mu`` (their Eq. (44)
according to the ``snstfqkd`` package's ``decoy_analysis.py``, a third-party transcription).
The tests check (1) against the forward model's true yield.

Phase-flip error rate of the untagged bits from the X1 windows, whose total photon number is
Poisson(2 mu_1): vacuum contributes error 1/2, the single-photon part ``2 mu_1 e^{-2 mu_1} s_1``
carries the error ``e_1``, higher photon numbers contribute non-negatively:

    e_1^ph <= [T_X1 - e^{-2 mu_1} S_00 / 2] / [2 mu_1 e^{-2 mu_1} s_1]            (2)

(Wang, Yu, Hu, PRA 98, 062323 (2018), arXiv:1805.09222: the same expression appears in two
independent transcriptions of the paper, the ``snstfqkd`` package, which labels it Eq. (45),
and a third-party Chinese reading note on GitHub, "TF-QKD 族三变体精读", citing
arXiv:1805.09222v9; not read from the full text.) The derivation
above (``T_X1 = sum_n P(n) e_n s_n`` over the Poisson(2 mu_1) photon number) is complete
given the SNS security argument that the X1 single-photon phase-flip rate equals that of the
untagged bits. Finite size: ``T_X1`` upper bound, ``S_00`` lower bound, ``s_1`` lower bound.

Discrete phase randomisation over ``M`` phases (``phase_slices``; :mod:`.discrete_phase`):
the sources emit the classes ``|lambda_j^mu>`` with probabilities ``P_j(mu)`` instead of Fock
states, and a class's yield depends on ``mu``. Both bounds are then derived here with a
fidelity argument of the kind Cao, Zhang, Lo, Ma, New J. Phys. 17, 053014 (2015) use (their
text was not read; :mod:`.discrete_phase` gives the derivation): every class yield
lies within the
angle ``delta_j(mu)`` of the yield ``y_j`` of the Fock state ``|j>`` (``|asin sqrt(Y) -
asin sqrt(y)| <= delta``, hence ``Y <= (sqrt(y) + delta)^2`` and ``Y >= y - 2 delta sqrt(y)``).

* Single photons: combining the ``mu_1`` and ``mu_2`` equations as in (1) gives
  ``L = mu_2^2 e^{mu_1} S_10 - mu_1^2 e^{mu_2} S_20 = sum_j (A_j Y_j^{mu_1} - B_j Y_j^{mu_2})``
  with ``A_j = mu_2^2 e^{mu_1} P_j(mu_1)``, ``B_j = mu_1^2 e^{mu_2} P_j(mu_2)``. For ``j >= 2``
  ``A_j <= B_j`` (each series term is ``mu_1^2 mu_2^2 (mu_1^k - mu_2^k) <= 0``), so those terms
  are at most ``A_j (2 delta_j(mu_1) + delta_j(mu_1)^2) + 2 B_j delta_j(mu_2)`` (``y_j <= 1``);
  the vacuum class is increasing in ``y_0 = S_00`` (``A_0 > B_0``) and is taken at the upper
  bound of ``S_00``. What is left is quadratic in ``u = sqrt(y_1)``:
  ``a u^2 + b u + c >= 0`` with ``a = A_1 - B_1``, ``b = 2 (A_1 delta_1(mu_1) + B_1
  delta_1(mu_2))`` and ``c`` collecting the rest minus ``L``, so ``y_1 >= ((-b + sqrt(b^2 -
  4ac)) / 2a)^2``. With continuous phases (all angles 0) this is exactly (1).
* Phase errors: the X1 pulses share one discrete global phase, so they form the classes of a
  single mode of intensity ``mu_1 + mu_1_b``. ``T_X1 >= P_0 T_0 + P_1 T_1`` with the vacuum-class
  error yield ``T_0 >= lower(S_00 / 2, delta_0)`` gives ``T_1``; the Fock single photon's error
  yield is at most ``upper(T_1, delta_1(mu_1 + mu_1_b))`` and that of the untagged Z-window
  state ``|lambda_1^{mu_z}>`` (from a sender; the other party's vacuum is exact) at most
  ``upper(., delta_1(mu_z))``. Divided by the untagged yield this bounds ``e_1^ph``; with
  continuous phases it is exactly (2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qkdchip.simulations.qkd.discrete_phase import (
    class_angle,
    class_table,
    yield_lower,
    yield_upper,
)

Array = NDArray[np.float64]

_MAX_CLASSES = 40
"""Classes j >= 2 summed in the discrete-phase single-photon bound (P_j beyond is < 1e-35)."""


def single_photon_yield_lower(
    *,
    mu_1: ArrayLike,
    mu_2: ArrayLike,
    s_mu1: ArrayLike,
    s_mu2: ArrayLike,
    s_00: ArrayLike,
    phase_slices: int | None = None,
) -> Array:
    """Lower bound (1) on the one-sided single-photon yield; may be negative (no key).

    With ``phase_slices`` the bound is on the Fock single-photon yield of a source randomised
    over that many phases (module docstring); the yield of the class ``|lambda_1^mu>`` of a
    signal intensity follows with :func:`.discrete_phase.yield_lower`.

    Args:
        mu_1: weak intensity, ``0 < mu_1 < mu_2``.
        mu_2: strong intensity (mu_2 decoy, or mu_z in the 3-intensity protocol).
        s_mu1: yield (lower bound in finite size) of the one-sided ``mu_1`` source.
        s_mu2: yield (upper bound in finite size) of the one-sided ``mu_2`` source.
        s_00: vacuum yield (upper bound in finite size).
        phase_slices: number of discrete phases, or None for continuous randomisation.

    Raises:
        ValueError: unless ``0 < mu_1 < mu_2`` everywhere.
    """
    m1 = np.asarray(mu_1, dtype=float)
    m2 = np.asarray(mu_2, dtype=float)
    if not (np.all(m1 > 0.0) and np.all(m1 < m2)):
        raise ValueError(
            f"mu_1={mu_1!r} must lie in (0, mu_2) with mu_2={mu_2!r} (decoy order; "
            "the bound divides by mu_2 - mu_1)"
        )
    s1 = np.asarray(s_mu1, dtype=float)
    s2 = np.asarray(s_mu2, dtype=float)
    s0 = np.asarray(s_00, dtype=float)
    if phase_slices is None:
        num = m2 * m2 * np.exp(m1) * s1 - m1 * m1 * np.exp(m2) * s2 - (m2 * m2 - m1 * m1) * s0
        return num / (m1 * m2 * (m2 - m1))
    return _discrete_single_photon_lower(m1, m2, s1, s2, s0, phase_slices)


def _discrete_single_photon_lower(
    m1: Array, m2: Array, s1: Array, s2: Array, s0: Array, phase_slices: int
) -> Array:
    """The quadratic bound of the module docstring for ``phase_slices`` discrete phases."""
    classes = min(phase_slices, _MAX_CLASSES)
    w1 = m2 * m2 * np.exp(m1)
    w2 = m1 * m1 * np.exp(m2)
    p1, d1 = class_table(m1, phase_slices, classes)
    p2, d2 = class_table(m2, phase_slices, classes)
    a_j, b_j = w1 * p1, w2 * p2
    rest = a_j[0] * yield_upper(s0, d1[0]) - b_j[0] * yield_lower(s0, d2[0])
    if classes > 2:
        higher = a_j[2:] * (2.0 * d1[2:] + d1[2:] ** 2) + 2.0 * b_j[2:] * d2[2:]
        rest = rest + higher.sum(axis=0)
    a = a_j[1] - b_j[1]
    b = 2.0 * (a_j[1] * d1[1] + b_j[1] * d2[1])
    c = rest + a_j[1] * d1[1] ** 2 - (w1 * s1 - w2 * s2)
    root = (-b + np.sqrt(np.maximum(b * b - 4.0 * a * c, 0.0))) / (2.0 * a)
    return np.where(c < 0.0, root * root, -c / a)


def phase_error_upper(
    *,
    mu_1: ArrayLike,
    t_x1: ArrayLike,
    s_00: ArrayLike,
    s1_lower: ArrayLike,
    mu_1_b: ArrayLike | None = None,
    phase_slices: int | None = None,
    mu_z: ArrayLike | None = None,
    mu_z_b: ArrayLike | None = None,
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
        s1_lower: lower bound on the single-photon yield (with ``phase_slices``: on the yield
            of the untagged Z-window state).
        mu_1_b: Bob's X1 intensity, None for ``mu_1``.
        phase_slices: number of discrete phases, or None for continuous randomisation.
        mu_z: Alice's signal intensity (needed with ``phase_slices``).
        mu_z_b: Bob's signal intensity, None for ``mu_z``.
    """
    m1 = np.asarray(mu_1, dtype=float)
    total = 2.0 * m1 if mu_1_b is None else m1 + np.asarray(mu_1_b, dtype=float)
    s1 = np.asarray(s1_lower, dtype=float)
    t = np.asarray(t_x1, dtype=float)
    s0 = np.asarray(s_00, dtype=float)
    factor = total * np.exp(-total)
    if phase_slices is None:
        numerator = t - np.exp(-total) * s0 / 2.0
    else:
        if mu_z is None:
            raise ValueError("mu_z is required with phase_slices (the untagged state's class)")
        probs, angles = class_table(total, phase_slices, 2)
        vacuum = yield_lower(s0 / 2.0, angles[0])
        class_one = (t - probs[0] * vacuum) / probs[1]
        fock = yield_upper(class_one, angles[1])
        delta_z = class_angle(1, mu_z, phase_slices)
        if mu_z_b is not None:
            delta_z = np.maximum(delta_z, class_angle(1, mu_z_b, phase_slices))
        error_yield = np.where(class_one > 0.0, yield_upper(fock, delta_z), class_one)
        numerator = error_yield * factor
    e1 = np.where(s1 > 0.0, numerator / (factor * np.where(s1 > 0.0, s1, 1.0)), 0.5)
    return np.clip(e1, 0.0, 0.5)
