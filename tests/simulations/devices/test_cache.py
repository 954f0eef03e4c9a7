from __future__ import annotations

import json
from pathlib import Path

import pytest

from qkdchip import cache
from qkdchip.simulations.devices.convergence import compare


def test_key_depends_on_every_field_and_not_on_order() -> None:
    a = cache.cache_key("ring", {"x": 1, "y": [1, 2]})
    assert a == cache.cache_key("ring", {"y": [1, 2], "x": 1})
    assert a != cache.cache_key("ring", {"x": 2, "y": [1, 2]})
    assert a != cache.cache_key("modes", {"x": 1, "y": [1, 2]})


def test_cached_computes_once_then_reads_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    calls: list[int] = []

    def compute() -> dict:
        calls.append(1)
        return {"value": 3.5}

    assert cache.cached("grating", {"a": 1}, compute) == ({"value": 3.5}, False)
    assert cache.cached("grating", {"a": 1}, compute) == ({"value": 3.5}, True)
    assert cache.cached("grating", {"a": 1}, compute, fresh=True) == ({"value": 3.5}, False)
    assert len(calls) == 2
    files = list(tmp_path.glob("grating_*.json"))
    assert len(files) == 1
    assert json.loads(files[0].read_text())["key"] == {"a": 1}
    assert list(tmp_path.iterdir()) == files


def test_nan_results_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    with pytest.raises(ValueError, match="JSON"):
        cache.cached("ring", {"a": 1}, lambda: {"v": float("nan")})
    assert not list(tmp_path.iterdir())


def test_bad_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="kind"):
        cache.cache_key("not a name", {})


def test_shipped_results_are_keyed_records() -> None:
    for path in cache.SHIPPED_DIR.glob("*.json"):
        record = json.loads(path.read_text())
        kind = path.stem.rsplit("_", 1)[0]
        assert cache.cache_key(kind, record["key"]) == path.stem


class _R:
    def __init__(self, v: float) -> None:
        self.v = v


def test_convergence_compare_reports_relative_change() -> None:
    report = compare(_R(1.0), _R(1.01), ["v"], low_resolution=10, high_resolution=20)
    assert report.quantities[0].change == pytest.approx(0.01)
    assert report.worst_relative_change() == pytest.approx(0.01 / 1.01)
    with pytest.raises(ValueError, match="names"):
        compare(_R(1.0), _R(1.0), [], low_resolution=1, high_resolution=2)
