"""Chernoff bounds: the defining equations hold, ordering and width are right."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qkdchip.simulations.qkd import CHERNOFF, statistics

XI = 1e-10
TARGET = math.log(XI / 2.0)
COUNTS = np.array([3.0, 30.0, 100.0, 1e4, 1e6, 1e9, 1e12])


def _kl_up(d: np.ndarray) -> np.ndarray:
    """ln of e^d / (1+d)^(1+d)."""
    return d - (1.0 + d) * np.log1p(d)


def _kl_down(d: np.ndarray) -> np.ndarray:
    """ln of e^-d / (1-d)^(1-d)."""
    return -d - (1.0 - d) * np.log1p(-d)


def test_expected_value_bounds_solve_their_equations() -> None:
    low = CHERNOFF.expected_lower(COUNTS, XI)
    d1 = COUNTS / low - 1.0
    np.testing.assert_allclose(COUNTS / (1.0 + d1) * _kl_up(d1), TARGET, rtol=1e-7)
    high = CHERNOFF.expected_upper(COUNTS, XI)
    d2 = 1.0 - COUNTS / high
    np.testing.assert_allclose(COUNTS / (1.0 - d2) * _kl_down(d2), TARGET, rtol=1e-7)


def test_observed_value_bounds_solve_their_equations() -> None:
    expected = COUNTS[COUNTS > 30]  # phi^L is zero (no solution) for tiny expectations
    up = CHERNOFF.observed_upper(expected, XI)
    np.testing.assert_allclose(expected * _kl_up(up / expected - 1.0), TARGET, rtol=1e-7)
    lo = CHERNOFF.observed_lower(expected, XI)
    np.testing.assert_allclose(expected * _kl_down(1.0 - lo / expected), TARGET, rtol=1e-7)


def test_ordering_and_gaussian_width_for_large_counts() -> None:
    assert np.all(CHERNOFF.expected_lower(COUNTS, XI) < COUNTS)
    assert np.all(CHERNOFF.expected_upper(COUNTS, XI) > COUNTS)
    assert np.all(CHERNOFF.observed_lower(COUNTS, XI) < COUNTS)
    assert np.all(CHERNOFF.observed_upper(COUNTS, XI) > COUNTS)
    # For large x the relative half-width tends to sqrt(2 ln(2/xi) / x) (Gaussian tail);
    # the next term is O(ln(2/xi)/x), i.e. 2e-5 at x = 1e6, so 1 % is ample.
    x = 1e6
    width = (CHERNOFF.expected_upper(x, XI) - CHERNOFF.expected_lower(x, XI)) / (2 * x)
    assert width == pytest.approx(math.sqrt(2 * math.log(2 / XI) / x), rel=0.01)


@pytest.mark.parametrize("failure", [1e-10, 1e-6])
def test_bounds_of_many_counts_up_to_1e16_take_a_few_newton_steps(
    failure: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Beyond ~1e13 counts the roots sit below the bounds' rounding noise at 1e-10: a
    # tolerance that small never stopped (60 steps) for results equal to 1e-14.
    steps: list[int] = []
    solve = statistics._newton_from_right

    def counted(newton_step, start):  # type: ignore[no-untyped-def]
        def step(x: np.ndarray) -> np.ndarray:
            steps[-1] += 1
            return newton_step(x)

        steps.append(0)
        return solve(step, start)

    monkeypatch.setattr(statistics, "_newton_from_right", counted)
    counts = np.logspace(-3, 16, 4001)
    low, high = CHERNOFF.expected_lower(counts, failure), CHERNOFF.expected_upper(counts, failure)
    up, lo = CHERNOFF.observed_upper(counts, failure), CHERNOFF.observed_lower(counts, failure)
    assert max(steps) <= 12, steps
    big = counts > 1e3
    target = math.log(failure / 2.0)
    d1, d2 = counts[big] / low[big] - 1.0, 1.0 - counts[big] / high[big]
    np.testing.assert_allclose(counts[big] / (1.0 + d1) * _kl_up(d1), target, rtol=1e-6)
    np.testing.assert_allclose(counts[big] / (1.0 - d2) * _kl_down(d2), target, rtol=1e-6)
    np.testing.assert_allclose(counts[big] * _kl_up(up[big] / counts[big] - 1.0), target, rtol=1e-6)
    np.testing.assert_allclose(
        counts[big] * _kl_down(1.0 - lo[big] / counts[big]), target, rtol=1e-6
    )


def test_regression_values_from_reference_notes() -> None:
    # Values computed outside this package (brentq) from the same equations.
    assert CHERNOFF.expected_lower(100.0, XI) == pytest.approx(45.94, abs=0.01)
    assert CHERNOFF.expected_upper(100.0, XI) == pytest.approx(185.5, abs=0.1)
    assert CHERNOFF.observed_upper(100.0, XI) == pytest.approx(176.4, abs=0.1)
    assert CHERNOFF.observed_lower(100.0, XI) == pytest.approx(39.60, abs=0.01)
    assert CHERNOFF.expected_lower(1e6, XI) == pytest.approx(993128, abs=1)
    assert CHERNOFF.expected_upper(1e6, XI) == pytest.approx(1006903, abs=1)


def test_zero_counts_and_bad_input() -> None:
    assert CHERNOFF.expected_lower(0.0, XI) == 0.0
    assert CHERNOFF.expected_upper(0.0, XI) == pytest.approx(math.log(2 / XI))
    assert CHERNOFF.observed_lower(0.0, XI) == 0.0
    with pytest.raises(ValueError, match="failure"):
        CHERNOFF.expected_lower(10.0, 1.5)
    with pytest.raises(ValueError, match="observed"):
        CHERNOFF.expected_upper(-1.0, XI)


@pytest.mark.parametrize("failure", [1e-3, 1e-10])
def test_bounds_are_valid_against_exact_poisson_tails(failure: float) -> None:
    # A Poisson count is the limit of many rare Bernoulli trials, for which the Chernoff tails
    # hold; each bound must therefore leave at most failure/2 of probability beyond it.
    from scipy.stats import poisson

    for y in (20.0, 300.0, 1e5):
        assert poisson.sf(math.floor(CHERNOFF.observed_upper(y, failure)), y) <= failure / 2
        assert poisson.cdf(math.ceil(CHERNOFF.observed_lower(y, failure)) - 1, y) <= failure / 2
        # Observing x when the mean is E^L(x) (or E^U(x)) is itself a tail event.
        x = y
        assert poisson.sf(x - 1, CHERNOFF.expected_lower(x, failure)) <= failure / 2
        assert poisson.cdf(x, CHERNOFF.expected_upper(x, failure)) <= failure / 2
