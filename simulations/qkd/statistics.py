"""Concentration inequalities for finite-key decoy-state analysis (pluggable).

A :class:`ConcentrationInequality` turns an observed count into bounds on its expected value
and an expected value into bounds on the count that will be observed, each failing with
probability at most ``failure``. :class:`ChernoffBound` is the multiplicative Chernoff bound
used by the SNS finite-key papers (Jiang et al., Phys. Rev. Applied 12, 024061 (2019)), in the
form of Zhang, Zhao, Razavi, Ma, Phys. Rev. A 95, 012333 (2017):

    E^L(x) = x / (1 + d1),  [e^{d1} / (1+d1)^{1+d1}]^{x/(1+d1)} = failure/2
    E^U(x) = x / (1 - d2),  [e^{-d2} / (1-d2)^{1-d2}]^{x/(1-d2)} = failure/2
    phi^U(Y) = (1 + d) Y,   [e^{d} / (1+d)^{1+d}]^{Y} = failure/2
    phi^L(Y) = (1 - d) Y,   [e^{-d} / (1-d)^{1-d}]^{Y} = failure/2

Provenance: the four equations are recalled, not checked against the source; the full texts
of Zhang et al. 2017 and Jiang et al. 2019 were not available, so the equation numbers are
not known. They are verified here mathematically instead: each is an
exact inversion of the multiplicative Chernoff tails P(X >= (1+d)Y) <= [e^d/(1+d)^{1+d}]^Y
and P(X <= (1-d)Y) <= [e^{-d}/(1-d)^{1-d}]^Y for a sum X of independent Bernoulli variables
with mean Y (the substituted forms in the method docstrings follow with ``u = ln(1+d)``,
``w = -ln(1-d)``), and the tests check both the defining equations and, against exact
Poisson tails, that each bound fails with probability at most ``failure/2``.

Each equation is solved with a substitution that makes it a convex increasing function of one
variable (``u = ln(1+d)`` or ``w = -ln(1-d)``) and a vectorised Newton iteration started on the
right of the root, so the iterates decrease monotonically to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

_TINY_COUNT = 1e-9
_MAX_ITER = 60
_STEP_TOLERANCE = 1e-8
"""Relative Newton step below which a bound's root is taken as found. Steps of 1e-10 are
below the rounding noise of the bounds at counts above ~1e13 (``ln(2/failure)/count`` ~ 1e-12
makes ``u + expm1(-u)`` lose most of its digits), where a smaller tolerance ran all
:data:`_MAX_ITER` steps for results equal to 1e-14."""


class ConcentrationInequality(Protocol):
    """Interface of a concentration inequality used by the finite-key analysis."""

    def expected_lower(self, observed: ArrayLike, failure: float) -> Array:
        """Lower bound on the expected value given an observed count."""
        ...

    def expected_upper(self, observed: ArrayLike, failure: float) -> Array:
        """Upper bound on the expected value given an observed count."""
        ...

    def observed_lower(self, expected: ArrayLike, failure: float) -> Array:
        """Lower bound on the count that will be observed given its expected value."""
        ...

    def observed_upper(self, expected: ArrayLike, failure: float) -> Array:
        """Upper bound on the count that will be observed given its expected value."""
        ...


def _newton_from_right(newton_step: Callable[[Array], Array], start: Array) -> Array:
    """Root of ``func(x) = target`` for convex increasing ``func``, from ``start`` >= root.

    ``newton_step(x)`` is ``(func(x) - target) / func'(x)`` (each caller shares the
    transcendental function between ``func`` and its derivative). The iterates decrease
    towards the root; they stop once every one moved by at most :data:`_STEP_TOLERANCE` of
    itself, or moved up (a step of rounding noise): Newton's quadratic convergence leaves an
    error of the order of the square of that step.
    """
    x = start.copy()
    for _ in range(_MAX_ITER):
        step = newton_step(x)
        step = np.where(np.isfinite(step), step, 0.0)
        x_new = np.maximum(x - step, 0.0)
        if np.all(x - x_new <= _STEP_TOLERANCE * x_new + 1e-300):
            return x_new
        x = x_new
    return x


def _log_term(failure: float) -> float:
    if not (0.0 < failure < 1.0):
        raise ValueError(f"failure={failure!r} must lie in (0, 1)")
    return math.log(2.0 / failure)


def _counts(values: ArrayLike, name: str) -> Array:
    arr = np.asarray(values, dtype=float)
    if np.any(np.isnan(arr)) or np.any(arr < 0.0):
        raise ValueError(f"{name} must be non-negative counts, got {values!r}")
    return arr


@dataclass(frozen=True)
class ChernoffBound:
    """Multiplicative Chernoff bound (Zhang et al., PRA 95, 012333 (2017) form)."""

    def expected_lower(self, observed: ArrayLike, failure: float) -> Array:
        """``E^L(x) = x e^{-u}`` with ``u + expm1(-u) = ln(2/failure)/x``."""
        x = _counts(observed, "observed")
        x_safe = np.maximum(x, _TINY_COUNT)
        c = _log_term(failure) / x_safe
        start = np.sqrt(2.0 * c) + c

        def step(v: Array) -> Array:
            e = np.expm1(-v)
            return (v + e - c) / -e

        u = _newton_from_right(step, start)
        return np.where(x < _TINY_COUNT, 0.0, x_safe * np.exp(-u))

    def expected_upper(self, observed: ArrayLike, failure: float) -> Array:
        """``E^U(x) = x e^{w}`` with ``expm1(w) - w = ln(2/failure)/x``; ``ln(2/f)`` at x=0."""
        x = _counts(observed, "observed")
        log_term = _log_term(failure)
        x_safe = np.maximum(x, _TINY_COUNT)
        c = log_term / x_safe
        start = np.minimum(np.sqrt(2.0 * c), np.log(2.0 * c + 2.0))

        def step(v: Array) -> Array:
            e = np.expm1(v)
            return (e - v - c) / e

        w = _newton_from_right(step, start)
        return np.where(x < _TINY_COUNT, log_term, x_safe * np.exp(w))

    def observed_lower(self, expected: ArrayLike, failure: float) -> Array:
        """``phi^L(Y) = (1 - d) Y`` with ``d + (1-d) ln(1-d) = ln(2/failure)/Y``; 0 if none."""
        y = _counts(expected, "expected")
        y_safe = np.maximum(y, _TINY_COUNT)
        c = _log_term(failure) / y_safe
        feasible = c < 1.0
        c_f = np.where(feasible, c, 0.5)
        start = np.minimum(np.sqrt(2.0 * c_f), 1.0 - 1e-16)

        def step(v: Array) -> Array:
            log = np.log1p(-v)
            return (v + (1.0 - v) * log - c_f) / -log

        d = _newton_from_right(step, start)
        return np.where(feasible & (y >= _TINY_COUNT), (1.0 - d) * y_safe, 0.0)

    def observed_upper(self, expected: ArrayLike, failure: float) -> Array:
        """``phi^U(Y) = Y e^u`` with ``1 + e^u (u - 1) = ln(2/failure)/Y``.

        The left side is evaluated as ``e^u (u + expm1(-u))`` to avoid cancellation.

        For ``Y < 1e-6`` the bound ``ln(2/failure)`` (looser, still valid) is returned to avoid
        overflow.
        """
        y = _counts(expected, "expected")
        log_term = _log_term(failure)
        small = y < 1e-6
        y_safe = np.where(small, 1.0, y)
        c = log_term / y_safe
        start = np.minimum(np.sqrt(2.0 * c), 1.0 + np.log1p(c))

        def step(v: Array) -> Array:
            grow = np.exp(v)
            return (grow * (v + np.expm1(-v)) - c) / (v * grow)

        u = _newton_from_right(step, start)
        return np.where(small, log_term, y_safe * np.exp(u))


CHERNOFF = ChernoffBound()
