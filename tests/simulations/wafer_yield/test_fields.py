"""The process model's sampled statistics recover its inputs."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from qkdchip.circuits.wafer_geometry import INP_WAFER_LAYOUT, WaferLayout
from qkdchip.pdk.process_statistics import (
    INP_PROCESS_STATISTICS,
    DefectStatistics,
    ProcessParameter,
    ProcessStatistics,
)
from qkdchip.platforms import INP
from qkdchip.simulations.wafer_yield.engine import YieldModel
from qkdchip.simulations.wafer_yield.fields import DieLevelSampler, correlation, site_factor
from qkdchip.simulations.wafer_yield.geometry import product_dies

GRID = product_dies(INP_WAFER_LAYOUT)


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
    sampler = DieLevelSampler.build(stats, GRID)
    rng = np.random.default_rng(seed)
    return sampler.die_values(sampler.structured_normals(n_wafers, rng, "mc"), rng)[0]


def test_product_dies_inside_usable_area() -> None:
    # 116 sites of the optimised 12.5 x 2.0 mm grid, less the 5 test dies
    assert GRID.n_dies == 111
    assert len(set(GRID.labels)) == GRID.n_dies
    w, h = GRID.die_width_mm, GRID.die_height_mm
    inside = INP_WAFER_LAYOUT.wafer.rects_inside(
        1e3 * (GRID.x_mm - w / 2),
        1e3 * (GRID.y_mm - h / 2),
        1e3 * (GRID.x_mm + w / 2),
        1e3 * (GRID.y_mm + h / 2),
    )
    assert inside.all()
    test_labels = {site.label for site in INP_WAFER_LAYOUT.plan().test_sites}
    assert len(test_labels) == 5
    assert not test_labels & set(GRID.labels)


def test_yield_package_does_not_import_layout_libraries() -> None:
    code = (
        "import sys; from qkdchip.simulations.wafer_yield import YieldModel; "
        "from qkdchip.platforms import INP, SI3N4; YieldModel.build(INP); YieldModel.build(SI3N4); "
        "print(sorted(m for m in ('gdsfactory', 'kfactory', 'klayout') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("kind", ["gaussian", "exponential"])
def test_factor_reproduces_correlation(kind: str) -> None:
    f = site_factor(GRID.x_mm, GRID.y_mm, correlation_length_mm=6.0, kind=kind)
    r = np.hypot(GRID.x_mm[:, None] - GRID.x_mm, GRID.y_mm[:, None] - GRID.y_mm)
    target = correlation(r, correlation_length_mm=6.0, kind=kind)
    # F F^T = R + 1e-8 I: exact to the jitter.
    np.testing.assert_allclose(f @ f.T, target, atol=2e-8)


@pytest.mark.parametrize("coretype", ["Haswell", "Sandybridge"])
def test_the_factor_is_the_same_under_another_blas_kernel(coretype: str) -> None:
    """An eigendecomposition flipped signs and rotated equal-eigenvalue modes between BLAS
    kernels, so one seed sampled other wafers on another machine; the Cholesky factor does not.
    Long (25 mm, ill-conditioned) and short (1 mm, near-identity) correlation lengths."""
    code = (
        "import sys, numpy as np\n"
        "from tests.simulations.wafer_yield.test_fields import GRID\n"
        "from qkdchip.simulations.wafer_yield.fields import site_factor\n"
        "f = [site_factor(GRID.x_mm, GRID.y_mm, correlation_length_mm=length, kind='gaussian')"
        " for length in (25.0, 1.0)]\n"
        "np.save(sys.argv[1], np.stack(f))\n"
    )
    path = Path(tempfile.mkdtemp()) / "factor.npy"
    env = {**os.environ, "OPENBLAS_CORETYPE": coretype, "PYTHONPATH": str(Path.cwd())}
    subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True)
    here = np.stack(
        [
            site_factor(GRID.x_mm, GRID.y_mm, correlation_length_mm=length, kind="gaussian")
            for length in (25.0, 1.0)
        ]
    )
    assert np.max(np.abs(np.load(path) - here)) < 1e-6


@pytest.mark.parametrize("kind", ["gaussian", "exponential"])
def test_sample_sigma_and_lag_correlation(kind: str) -> None:
    n = 4000
    vals = _sample(_stats(covariance=kind), n, seed=1)
    # Sample sigma per site: SE of a std from 4000 draws is 1.1 %; pooled over sites it is
    # smaller, so 3 % on the site-average is a > 5-sigma bound.
    assert vals.std(axis=0).mean() == pytest.approx(2.0, rel=0.03)
    assert vals.mean() == pytest.approx(100.0, abs=0.15)
    # Pairs of dies four rows (8.4 mm, about one correlation length) apart.
    r = np.hypot(GRID.x_mm[:, None] - GRID.x_mm, GRID.y_mm[:, None] - GRID.y_mm)
    i, j = np.nonzero(np.abs(r - 8.4) < 0.3)
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
    r_rel = (GRID.r_mm / GRID.wafer_radius_mm) ** 2
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
    model = YieldModel.build(INP, stats=stats)
    rng = np.random.default_rng(3)
    res = model.simulate(model.sampler.structured_normals(256, rng, "mc"), rng)
    widths = res.batches["phase_modulator"].values["ridge_width_nm"]
    # 256 x 111 x 3 = 85k draws: SE of the sample sigma is 0.24 %, of the mean 0.024 nm.
    assert widths.std() == pytest.approx(7.0, rel=0.02)
    assert widths.mean() == pytest.approx(2000.0, abs=0.1)
    mmi = res.batches["intensity_modulator"].values["mmi_split_error"]
    assert mmi.shape[-1] == 2
    assert abs(np.corrcoef(mmi[..., 0].ravel(), mmi[..., 1].ravel())[0, 1]) < 0.02


def test_product_dies_rejects_a_wafer_without_product_dies() -> None:
    huge = WaferLayout(
        die_width_um=50_000.0, die_height_um=50_000.0, street_um=100.0, n_test_dies=0, n_marks=0
    )
    with pytest.raises(ValueError, match="no 50000.0 x 50000.0 µm product die fits"):
        product_dies(huge)
