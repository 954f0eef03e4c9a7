"""PLOB/TGW bounds: exact values (checked against 60-digit decimal arithmetic), stability."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numpy as np
import pytest

from qkdchip.simulations.qkd import (
    binary_entropy,
    plob_absolute,
    plob_bound,
    plob_conditional,
    single_repeater_bound,
    tgw_absolute,
    tgw_bound,
    tgw_conditional,
)

getcontext().prec = 60


def _plob_exact(eta: float) -> float:
    return float(-(Decimal(1) - Decimal(eta)).ln() / Decimal(2).ln())


def _tgw_exact(eta: float) -> float:
    e = Decimal(eta)
    return float(((Decimal(1) + e) / (Decimal(1) - e)).ln() / Decimal(2).ln())


@pytest.mark.parametrize("eta", [1e-20, 1.862e-16, 1e-12, 1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999])
def test_plob_and_tgw_match_high_precision(eta: float) -> None:
    # Relative 1e-13: a few ulps of the log1p evaluation.
    assert plob_bound(eta) == pytest.approx(_plob_exact(eta), rel=1e-13)
    assert tgw_bound(eta) == pytest.approx(_tgw_exact(eta), rel=1e-13)


def test_naive_plob_loses_precision_where_ours_does_not() -> None:
    # 1002 km at 0.157 dB/km = 157.3 dB: the naive form is ~19 % high.
    eta = 10 ** (-157.3 / 10)
    naive = -math.log2(1.0 - eta)
    exact = _plob_exact(eta)
    assert abs(naive / exact - 1.0) > 0.1
    assert float(plob_bound(eta)) == pytest.approx(exact, rel=1e-13)
    assert float(plob_bound(eta)) == pytest.approx(eta / math.log(2.0), rel=1e-12)


def test_small_eta_limits() -> None:
    eta = np.array([1e-20, 1e-15, 1e-10])
    np.testing.assert_allclose(plob_bound(eta), eta / math.log(2.0), rtol=1e-9)
    np.testing.assert_allclose(tgw_bound(eta), 2.0 * eta / math.log(2.0), rtol=1e-9)


def test_edges_and_naming() -> None:
    assert plob_bound(0.0) == 0.0
    assert math.isinf(float(plob_bound(1.0)))
    assert plob_absolute(1e-5) == plob_bound(1e-5)
    assert tgw_absolute(1e-5) == tgw_bound(1e-5)
    assert plob_conditional(1e-5, 0.5) == pytest.approx(float(plob_bound(5e-6)), rel=1e-15)
    assert tgw_conditional(1e-5, 0.5) == pytest.approx(float(tgw_bound(5e-6)), rel=1e-15)
    assert single_repeater_bound(1e-3, 1e-5) == pytest.approx(float(plob_bound(1e-5)))


@pytest.mark.parametrize("bad", [-1e-3, 1.5, float("nan")])
def test_bad_transmittance_is_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="eta"):
        plob_bound(bad)
    with pytest.raises(ValueError, match="eta"):
        tgw_bound(bad)


def test_binary_entropy() -> None:
    np.testing.assert_allclose(binary_entropy([0.0, 0.5, 1.0]), [0.0, 1.0, 0.0])
    p = 0.11
    assert binary_entropy(p) == pytest.approx(-p * math.log2(p) - (1 - p) * math.log2(1 - p))
