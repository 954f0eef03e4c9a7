"""The process model's sampled statistics recover its inputs."""

from __future__ import annotations

import numpy as np
import pytest

from qkdchip.pdk.process_statistics import (
    INP_PROCESS_STATISTICS,
    DefectStatistics,
    ProcessParameter,
    ProcessStatistics,
)
from qkdchip.simulations.wafer_yield.engine import YieldModel
from qkdchip.simulations.wafer_yield.fields import DieLevelSampler, correlation, site_factor
from qkdchip.simulations.wafer_yield.geometry import WaferGeometry, die_grid

WAFER = WaferGeometry()
GRID = die_grid(WAFER)


def _stats(**changes: float | str) -> ProcessStatistics:
    base = {
        "name": "w_nm",
        "unit": "nm",
        "nominal": 100.0,
        "sigma_wafer": 0.0,
        "sigma_within": 2.0,
        "correlation_length_mm": 8.0,
        "sigma_die": 0.0,
        "sigma_device": 0.0,
        "source": "test",
        "assumption": True,
    }
    param = ProcessParameter(**{**base, **changes})
    defects = DefectStatistics(density_per_cm2=0.0, cluster_alpha=1.0, source="", assumption=True)
    return ProcessStatistics("inp", (param,), defects)


def _sample(stats: ProcessStatistics, n_wafers: int, seed: int) -> np.ndarray:
    sampler = DieLevelSampler.build(stats, GRID, WAFER.radius_mm)
    rng = np.random.default_rng(seed)
    return sampler.die_values(sampler.structured_normals(n_wafers, rng, "mc"), rng)[0]


def test_die_grid_inside_usable_area() -> None:
    assert 300 < GRID.n_dies < 420  # 4.6 x 2.0 mm dies on ~3700 mm^2 usable area
    for sx in (-0.5, 0.5):
        for sy in (-0.5, 0.5):
            assert WAFER.usable(GRID.x_mm + sx * 4.6, GRID.y_mm + sy * 2.0).all()


@pytest.mark.parametrize("kind", ["gaussian", "exponential"])
def test_factor_reproduces_correlation(kind: str) -> None:
    f = site_factor(GRID.x_mm, GRID.y_mm, correlation_length_mm=6.0, kind=kind)
    r = np.hypot(GRID.x_mm[:, None] - GRID.x_mm, GRID.y_mm[:, None] - GRID.y_mm)
    target = correlation(r, correlation_length_mm=6.0, kind=kind)
    # Dropped modes are below 1e-12 of the largest; the reconstruction is exact to ~1e-9.
    np.testing.assert_allclose(f @ f.T, target, atol=1e-8)


@pytest.mark.parametrize("kind", ["gaussian", "exponential"])
def test_sample_sigma_and_lag_correlation(kind: str) -> None:
    n = 4000
    vals = _sample(_stats(covariance=kind), n, seed=1)
    # Sample sigma per site: SE of a std from 4000 draws is 1.1 %; pooled over sites it is
    # smaller, so 3 % on the site-average is a > 5-sigma bound.
    assert vals.std(axis=0).mean() == pytest.approx(2.0, rel=0.03)
    assert vals.mean() == pytest.approx(100.0, abs=0.15)
    # Pairs of dies one correlation length (8 mm) apart: rho = 1/e for both kernels.
    r = np.hypot(GRID.x_mm[:, None] - GRID.x_mm, GRID.y_mm[:, None] - GRID.y_mm)
    i, j = np.nonzero(np.abs(r - 8.0) < 0.3)
    i, j = i[:200], j[:200]
    rho = np.mean([np.corrcoef(vals[:, a], vals[:, b])[0, 1] for a, b in zip(i, j, strict=True)])
    expected = float(correlation(r[i, j], correlation_length_mm=8.0, kind=kind).mean())
    # SE of one correlation estimate ~ (1 - rho^2)/sqrt(n) = 0.014; the average is tighter.
    assert rho == pytest.approx(expected, abs=0.03)


def test_wafer_offset_die_noise_and_bowl() -> None:
    stats = _stats(sigma_within=0.0, sigma_wafer=3.0, sigma_die=1.0, bowl_at_edge=-4.0)
    vals = _sample(stats, 4000, seed=2)
    wafer_means = vals.mean(axis=1)
    # Mean over ~350 dies removes the die noise (sigma 1/sqrt(350)); sigma_wafer 3 within 3 %.
    assert wafer_means.std() == pytest.approx(3.0, rel=0.03)
    within = vals - wafer_means[:, None]
    r_rel = (GRID.r_mm / WAFER.radius_mm) ** 2
    bowl = -4.0 * (r_rel - r_rel.mean())
    resid = within - bowl
    assert resid.std() == pytest.approx(1.0, rel=0.03)
    np.testing.assert_allclose(within.mean(axis=0), bowl, atol=0.1)


def test_correlation_rejects_bad_length() -> None:
    with pytest.raises(ValueError, match="correlation_length_mm"):
        correlation(np.zeros(3), correlation_length_mm=0.0, kind="gaussian")
    with pytest.raises(ValueError, match="kind"):
        correlation(np.zeros(3), correlation_length_mm=1.0, kind="matern")


def test_device_noise_in_engine_recovers_sigma() -> None:
    stats = INP_PROCESS_STATISTICS.replace_parameter(
        "ridge_width_nm", sigma_wafer=0.0, sigma_within=0.0, sigma_die=0.0, sigma_device=7.0
    )
    model = YieldModel.build("inp", stats=stats)
    rng = np.random.default_rng(3)
    res = model.simulate(model.sampler.structured_normals(64, rng, "mc"), rng)
    widths = res.batches["phase_modulator"].values["ridge_width_nm"]
    # 64 x ~350 x 3 = 67k draws: SE of the sample sigma is 0.3 %.
    assert widths.std() == pytest.approx(7.0, rel=0.02)
    assert widths.mean() == pytest.approx(1500.0, abs=0.1)
    mmi = res.batches["intensity_modulator"].values["mmi_split_error"]
    assert mmi.shape[-1] == 2
    assert abs(np.corrcoef(mmi[..., 0].ravel(), mmi[..., 1].ravel())[0, 1]) < 0.02


def test_wafer_geometry_validation_and_flat() -> None:
    assert WAFER.flat_y_mm == pytest.approx(-np.sqrt(38.1**2 - 11.11**2))
    assert not WAFER.usable(np.array([0.0]), np.array([WAFER.flat_y_mm + 1.0]))[0]
    with pytest.raises(ValueError, match="edge_exclusion_mm"):
        WaferGeometry(edge_exclusion_mm=40.0)
    with pytest.raises(ValueError, match="die_width_mm"):
        die_grid(WAFER, die_width_mm=0.0)
    with pytest.raises(ValueError, match="no 80"):
        die_grid(WAFER, die_width_mm=80.0)
