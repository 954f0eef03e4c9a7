"""Tests of the platform process statistics (validation and defect-yield formula)."""

from __future__ import annotations

import math

import pytest

from qkdchip.pdk.process_statistics import (
    INP_PROCESS_STATISTICS,
    SI3N4_PROCESS_STATISTICS,
    DefectStatistics,
    ProcessParameter,
)
from qkdchip.platforms import platform


def _param(**changes: object) -> ProcessParameter:
    base = {
        "name": "w",
        "unit": "nm",
        "nominal": 1.0,
        "sigma_wafer": 1.0,
        "sigma_within": 1.0,
        "correlation_length_mm": 2.0,
        "sigma_die": 0.0,
        "sigma_device": 0.0,
        "source": "test",
        "assumption": True,
    }
    return ProcessParameter(**{**base, **changes})


@pytest.mark.parametrize("stats", [INP_PROCESS_STATISTICS, SI3N4_PROCESS_STATISTICS])
def test_every_parameter_has_a_source(stats) -> None:
    for p in stats.parameters:
        assert p.source
        assert p.sigma_total >= 0.0
    assert platform(stats.platform).process is stats
    assert stats.to_dict()["platform"] == stats.platform


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"sigma_wafer": -1.0}, "sigma_wafer"),
        ({"sigma_device": -0.1}, "sigma_device"),
        ({"correlation_length_mm": 0.0}, "correlation_length_mm"),
        ({"correlation_length_mm": -3.0}, "correlation_length_mm"),
        ({"nominal": math.nan}, "nominal"),
        ({"covariance": "cubic"}, "covariance"),
    ],
)
def test_bad_parameter_rejected(changes: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _param(**changes)


def test_replace_parameter_revalidates() -> None:
    with pytest.raises(ValueError, match="sigma_within"):
        INP_PROCESS_STATISTICS.replace_parameter("ridge_width_nm", sigma_within=-2.0)
    changed = INP_PROCESS_STATISTICS.replace_parameter("ridge_width_nm", sigma_within=7.0)
    assert changed["ridge_width_nm"].sigma_within == 7.0
    with pytest.raises(KeyError):
        INP_PROCESS_STATISTICS["no_such"]


def test_negative_binomial_limits() -> None:
    area = 2e-3
    poisson_like = DefectStatistics(
        density_per_cm2=10.0, cluster_alpha=1e9, source="", assumption=True
    )
    assert poisson_like.device_yield(area) == pytest.approx(math.exp(-10.0 * area), rel=1e-9)
    seeds = DefectStatistics(density_per_cm2=10.0, cluster_alpha=1.0, source="", assumption=True)
    assert seeds.device_yield(area) == pytest.approx(1.0 / (1.0 + 10.0 * area), rel=1e-12)
    with pytest.raises(ValueError, match="cluster_alpha"):
        DefectStatistics(density_per_cm2=1.0, cluster_alpha=0.0, source="", assumption=True)
    with pytest.raises(ValueError, match="density_per_cm2"):
        DefectStatistics(density_per_cm2=-1.0, cluster_alpha=1.0, source="", assumption=True)
