"""Discrete phase randomisation: photon-number-like classes and their fidelity to Fock states.

A coherent state whose phase is drawn uniformly from ``M`` values ``2 pi k / M`` is the mixture

    rho_mu = sum_{j=0}^{M-1} P_j(mu) |lambda_j^mu><lambda_j^mu|,
    P_j(mu) = sum_{l>=0} e^{-mu} mu^{lM+j} / (lM+j)!,
    |lambda_j^mu> = (e^{-mu/2} / sqrt(P_j)) sum_{l>=0} mu^{(lM+j)/2} / sqrt((lM+j)!) |lM+j>

(Cao, Zhang, Lo, Ma, "Discrete-phase-randomized coherent state source and its application in
quantum key distribution", New J. Phys. 17, 053014 (2015), doi:10.1088/1367-2630/17/5/053014;
its abstract, the only part read here, states that about 10 phases perform close to
continuous randomisation). The decomposition is derived here in two lines: averaging
``|alpha e^{i theta}><alpha e^{i theta}|`` over the ``M`` phases keeps only the coherences
between photon numbers congruent modulo ``M``. Unlike Fock states the classes depend on
``mu``, so the decoy method cannot assume one yield per class for all intensities.

This module gives ``P_j`` and the angle ``delta_j(mu) = arccos <j|lambda_j^mu>`` between a
class and the Fock state it tends to (``<j|lambda_j^mu>^2 = e^{-mu} mu^j / j! / P_j``), and the
bound that turns an angle into a yield interval: for two pure states at angle ``delta`` and any
measurement outcome with probabilities ``p`` and ``q``, ``|asin sqrt(p) - asin sqrt(q)| <=
delta``. Derivation: the classical fidelity of the two outcome distributions is at least the
quantum fidelity, ``sqrt(pq) + sqrt((1-p)(1-q)) >= cos delta``; with ``p = sin^2 a`` and
``q = sin^2 b`` the left side is ``cos(a - b)``. Cao et al. tie the yields of the classes
of different intensities through such fidelities (recalled, not read); the way it is applied
to the SNS decoy bounds is in :mod:`.decoy` (derived here, not taken from a paper).

``phase_slices = None`` means continuous randomisation: ``P_j`` Poisson and every angle 0.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qkdchip.validation import check_range

Array = NDArray[np.float64]

MAX_PHASE_SLICES = 1_000_000
"""Largest number of discrete phases accepted (beyond ~60 the classes equal Fock states to
double precision for intensities up to 2)."""
_MAX_PHOTONS = 40
"""Photon numbers summed in the class series. For intensities up to 2 what is left out changes
an angle by less than 1e-17 rad (``sqrt(2^41 / 41!)``), below double precision in every bound
that uses it."""


_RECENT_SIZE = 8
"""How many class tables :func:`class_table` keeps (the most recent)."""
_RECENT_TABLES: dict[tuple[int, tuple[int, ...], bytes], tuple[Array, Array]] = {}
_RECENT_LOCK = threading.Lock()


def check_phase_slices(phase_slices: int | None) -> None:
    """``phase_slices`` must be None (continuous) or an integer in [2, MAX_PHASE_SLICES]."""
    if phase_slices is None:
        return
    if isinstance(phase_slices, bool) or not isinstance(phase_slices, int | np.integer):
        raise ValueError(
            f"phase_slices={phase_slices!r} must be an integer in [2, {MAX_PHASE_SLICES}] "
            "or None (continuous randomisation)"
        )
    check_range("phase_slices", int(phase_slices), 2, MAX_PHASE_SLICES)


def class_table(mu: ArrayLike, phase_slices: int | None, classes: int) -> tuple[Array, Array]:
    """``P_j(mu)`` and ``delta_j(mu)`` for ``j = 0 .. classes - 1`` in one evaluation.

    Args:
        mu: mean photon number(s), > 0.
        phase_slices: number of discrete phases ``M`` (>= ``classes``), or None (Poisson
            probabilities, zero angles).
        classes: how many classes to return.

    Returns:
        Two arrays of shape ``(classes, *mu.shape)``: the probabilities and the angles (rad),
        the latter exact for tiny angles (:func:`_discrete_class_table`). They are read-only:
        the most recent tables are kept, so that one key-rate evaluation asking again for the
        same intensities (the signal intensity's classes are needed by three of its bounds)
        gets them without recomputing.
    """
    m = np.asarray(mu, dtype=float)
    if phase_slices is None or phase_slices > _MAX_PHOTONS:
        poisson = _poisson_table(m, classes)
        return poisson, np.zeros_like(poisson)
    key = (phase_slices, m.shape, m.tobytes())
    with _RECENT_LOCK:
        kept = _RECENT_TABLES.get(key)
    if kept is None or kept[0].shape[0] < classes:
        kept = _discrete_class_table(m, phase_slices, classes)
        for table in kept:
            table.flags.writeable = False
        with _RECENT_LOCK:
            _RECENT_TABLES[key] = kept
            if len(_RECENT_TABLES) > _RECENT_SIZE:
                del _RECENT_TABLES[next(iter(_RECENT_TABLES))]
    return kept[0][:classes], kept[1][:classes]


def _discrete_class_table(m: Array, phase_slices: int, classes: int) -> tuple[Array, Array]:
    """:func:`class_table` computed, for ``phase_slices <= _MAX_PHOTONS``.

    Class ``j`` holds the photon numbers ``l M + j`` (up to ``_MAX_PHOTONS``); relative to
    its Poisson term its tail is ``S_j = sum_{l>=1} mu^{lM} j! / (lM + j)!``, so
    ``P_j = e^{-mu} mu^j / j! (1 + S_j)`` and ``sin^2 delta_j = S_j / (1 + S_j)``: no
    exponentials beyond the Poisson terms, and no difference of nearly equal numbers for tiny
    angles.
    """
    poisson = _poisson_table(m, classes)
    tail_ratio = np.zeros_like(poisson)
    block_power = m**phase_slices
    power = np.ones_like(m)
    for first in range(phase_slices, _MAX_PHOTONS + 1, phase_slices):
        power = power * block_power  # mu^first
        rows = min(classes, _MAX_PHOTONS + 1 - first)
        weights = [math.factorial(j) / math.factorial(first + j) for j in range(rows)]
        tail_ratio[:rows] += np.reshape(weights, (-1, *([1] * m.ndim))) * power
    share = tail_ratio / (1.0 + tail_ratio)
    return poisson * (1.0 + tail_ratio), np.arcsin(np.sqrt(share))


def class_probability(j: int, mu: ArrayLike, phase_slices: int | None) -> Array:
    """``P_j(mu)``: probability of class ``j`` (Poisson ``e^{-mu} mu^j / j!`` if continuous).

    Args:
        j: class index, ``0 <= j < phase_slices``.
        mu: mean photon number(s), > 0.
        phase_slices: number of discrete phases ``M``, or None.
    """
    if phase_slices is None:
        return _poisson_table(np.asarray(mu, dtype=float), j + 1)[j]
    return class_table(mu, phase_slices, j + 1)[0][j]


def class_angle(j: int, mu: ArrayLike, phase_slices: int | None) -> Array:
    """``delta_j(mu) = arccos <j|lambda_j^mu>`` in radians (0 if continuous)."""
    return class_table(mu, phase_slices, j + 1)[1][j]


def _poisson_table(mu: Array, classes: int) -> Array:
    """``e^{-mu} mu^j / j!`` for ``j = 0 .. classes - 1``, shape ``(classes, *mu.shape)``.

    The powers come from repeated products (rounding below ``j`` ulp); for ``j <= 1`` the
    entries are bit-identical to ``exp(-mu)`` and ``mu * exp(-mu)``.
    """
    table = np.empty((classes, *mu.shape))
    table[0] = np.exp(-mu)
    for j in range(1, classes):
        table[j] = table[j - 1] * mu
    if classes > 2:
        table[2:] *= np.array([1.0 / math.factorial(j) for j in range(2, classes)]).reshape(
            -1, *([1] * mu.ndim)
        )
    return table


def yield_lower(p: ArrayLike, delta: ArrayLike) -> Array:
    """Smallest outcome probability of a state at angle ``delta`` from one giving ``p``.

    ``sin^2(max(0, asin sqrt(p) - delta))``; ``p`` is clipped to [0, 1].
    """
    a = np.arcsin(np.sqrt(np.clip(np.asarray(p, dtype=float), 0.0, 1.0)))
    return np.sin(np.maximum(a - np.asarray(delta, dtype=float), 0.0)) ** 2


def yield_upper(p: ArrayLike, delta: ArrayLike) -> Array:
    """Largest outcome probability of a state at angle ``delta`` from one giving ``p``.

    ``sin^2(min(pi/2, asin sqrt(p) + delta))``; ``p`` is clipped to [0, 1].
    """
    a = np.arcsin(np.sqrt(np.clip(np.asarray(p, dtype=float), 0.0, 1.0)))
    return np.sin(np.minimum(a + np.asarray(delta, dtype=float), math.pi / 2.0)) ** 2
