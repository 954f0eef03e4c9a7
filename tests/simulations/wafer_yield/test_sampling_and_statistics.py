"""Sampling scheme (Sobol balance, seeding) and the statistics helpers (CIs, indices)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtr

from qkdchip.simulations.wafer_yield.sampling import standard_normals
from qkdchip.simulations.wafer_yield.statistics import (
    clopper_pearson_interval,
    first_order_indices,
    wilson_interval,
    yield_estimate,
)


def test_sobol_points_are_balanced() -> None:
    z = standard_normals(1024, 6, np.random.default_rng(3), "sobol")
    u = ndtr(z)
    # A scrambled Sobol set of 2^m points puts exactly one point in each of the 2^m
    # equal intervals of every coordinate (a (0, m, 1)-net in each dimension).
    for k in range(6):
        counts = np.bincount((u[:, k] * 1024).astype(int), minlength=1024)
        assert (counts == 1).all()
    # and exactly 4 points in each of the 16 x 16 squares of the first two coordinates
    cells = (u[:, 0] * 16).astype(int) * 16 + (u[:, 1] * 16).astype(int)
    assert (np.bincount(cells, minlength=256) == 4).all()


@pytest.mark.parametrize("sampler", ["mc", "sobol"])
def test_same_seed_same_points(sampler: str) -> None:
    a = standard_normals(256, 1100, np.random.default_rng(7), sampler)
    b = standard_normals(256, 1100, np.random.default_rng(7), sampler)
    c = standard_normals(256, 1100, np.random.default_rng(8), sampler)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert abs(a.mean()) < 0.01
    assert a.std() == pytest.approx(1.0, rel=0.01)


def test_sobol_needs_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        standard_normals(1000, 3, np.random.default_rng(0), "sobol")
    with pytest.raises(ValueError, match="sampler"):
        standard_normals(8, 3, np.random.default_rng(0), "lhs")


def test_reference_intervals() -> None:
    # 117/120 -> Clopper-Pearson [0.929, 0.995], Wilson [0.929, 0.991].
    lo, hi = clopper_pearson_interval(117, 120)
    assert (round(lo, 3), round(hi, 3)) == (0.929, 0.995)
    lo, hi = wilson_interval(117, 120)
    assert (round(lo, 3), round(hi, 3)) == (0.929, 0.991)
    with pytest.raises(ValueError, match="k ="):
        wilson_interval(5, 4)


def test_interval_coverage() -> None:
    rng = np.random.default_rng(11)
    p, n, reps = 0.975, 120, 2000
    k = rng.binomial(n, p, size=reps)
    cp = np.array([clopper_pearson_interval(int(x), n) for x in k])
    wi = np.array([wilson_interval(int(x), n) for x in k])
    cover_cp = np.mean((cp[:, 0] <= p) & (p <= cp[:, 1]))
    cover_wi = np.mean((wi[:, 0] <= p) & (p <= wi[:, 1]))
    # Clopper-Pearson is conservative (>= 95 %); Wilson is close to nominal at this n, p
    # (its coverage oscillates around 95 %); MC error of a coverage from 2000 reps is 0.5 %.
    assert cover_cp >= 0.94
    assert 0.91 <= cover_wi <= 0.985


def test_design_effect_for_clustered_and_independent_data() -> None:
    rng = np.random.default_rng(2)
    independent = rng.binomial(300, 0.9, size=500)
    assert yield_estimate(independent, 300).design_effect == pytest.approx(1.0, abs=0.2)
    p_wafer = np.clip(rng.normal(0.9, 0.05, size=500), 0, 1)
    clustered = rng.binomial(300, p_wafer)
    est = yield_estimate(clustered, 300)
    # Kish: 1 + (m - 1) ICC = 1 + 299 * 0.05^2 / (0.9 * 0.1) = 9.3
    assert est.design_effect == pytest.approx(9.3, rel=0.2)
    assert est.ci_low < est.value < est.ci_high


def test_first_order_indices_linear_and_indicator() -> None:
    rng = np.random.default_rng(4)
    x1, x2, x3 = rng.standard_normal((3, 200_000))
    y = x1 + 0.5 * x2
    s = first_order_indices({"x1": x1, "x2": x2, "x3": x3}, {"y": y})["y"]
    # Var(Y) = 1.25: S1 = 0.8, S2 = 0.2, S3 = 0; 32 bins lose ~1 % of the variance.
    assert s["x1"] == pytest.approx(0.8, abs=0.02)
    assert s["x2"] == pytest.approx(0.2, abs=0.02)
    assert s["x3"] < 0.005
    fail = (np.abs(x1) > 2.0).astype(float)
    # Y is a function of x1 alone, so S1 = 1; equal-count bins that straddle x1 = +-2 mix
    # passes and fails (with 32 bins the outer bins hold 3.1 % > P(x1 < -2) = 2.3 %), which
    # the finer binning removes.
    coarse = first_order_indices({"x1": x1, "x2": x2}, {"fail": fail})["fail"]
    fine = first_order_indices({"x1": x1, "x2": x2}, {"fail": fail}, n_bins=512)["fail"]
    assert 0.5 < coarse["x1"] < fine["x1"]
    assert fine["x1"] > 0.9
    assert fine["x2"] < 0.005
