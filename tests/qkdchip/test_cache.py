from __future__ import annotations

import json
from pathlib import Path

import numpy as np
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
    record = json.loads(files[0].read_text())
    assert (record["kind"], record["key"], record["result"]) == (
        "grating",
        {"a": 1},
        {"value": 3.5},
    )
    assert list(tmp_path.iterdir()) == files


def test_nan_results_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    with pytest.raises(ValueError, match="JSON"):
        cache.cached("ring", {"a": 1}, lambda: {"v": float("nan")})
    assert not list(tmp_path.iterdir())


def test_bad_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="kind"):
        cache.cache_key("not a name", {})


def test_shipped_results_are_verified_records() -> None:
    paths = sorted(cache.SHIPPED_DIR.glob("*.json"))
    assert len(paths) >= 16
    for path in paths:
        record = json.loads(path.read_text())
        assert cache.cache_key(record["kind"], record["key"]) == path.stem
        assert cache.read_record(path, record["kind"], record["key"]) == record["result"]


class _R:
    def __init__(self, v: float) -> None:
        self.v = v


def test_convergence_compare_reports_relative_change() -> None:
    report = compare(_R(1.0), _R(1.01), ["v"], low_resolution=10, high_resolution=20)
    assert report.quantities[0].change == pytest.approx(0.01)
    assert report.worst_relative_change() == pytest.approx(0.01 / 1.01)
    with pytest.raises(ValueError, match="names"):
        compare(_R(1.0), _R(1.0), [], low_resolution=1, high_resolution=2)


def test_key_ignores_the_last_bits_of_input_floats() -> None:
    payload = {"period_um": 0.1 + 0.2, "n": [1.5, 3.2457063947576095]}
    nudged = {"period_um": 0.3, "n": [np.nextafter(1.5, 2.0), 3.245706394757607]}
    assert cache.cache_key("grating", payload) == cache.cache_key("grating", nudged)
    assert cache.cache_key("grating", payload) != cache.cache_key(
        "grating", {**payload, "n": [1.5]}
    )


def test_key_refuses_non_finite_and_non_json_values() -> None:
    with pytest.raises(ValueError, match=r"payload\.a\[1\]=nan must be finite"):
        cache.cache_key("ring", {"a": [1.0, float("nan")]})
    with pytest.raises(ValueError, match=r"payload\.b has type set"):
        cache.cache_key("ring", {"b": {1}})


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"garbage": true}', b"[1, 2]", b"\xff\xfe\x00", None],
    ids=["truncated", "other-object", "list", "not-utf8", "wrong-checksum"],
)
def test_a_bad_record_is_reported_discarded_and_recomputed(
    content: bytes | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    cache.cached("grating", {"a": 1}, lambda: {"value": 3.5})
    (path,) = tmp_path.glob("grating_*.json")
    if content is None:
        record = json.loads(path.read_text())
        record["result"]["value"] = 4.5  # edited by hand: the checksum no longer matches
        path.write_text(json.dumps(record))
    else:
        path.write_bytes(content)
    assert cache.cached("grating", {"a": 1}, lambda: {"value": 3.5}) == ({"value": 3.5}, False)
    assert "discarding a bad cache entry" in caplog.text
    assert cache.cached("grating", {"a": 1}, lambda: {"value": 0.0}) == ({"value": 3.5}, True)


def test_a_record_under_another_name_is_not_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    cache.cached("grating", {"a": 1}, lambda: {"value": 3.5})
    (path,) = tmp_path.glob("grating_*.json")
    path.rename(tmp_path / f"{cache.cache_key('grating', {'a': 2})}.json")
    assert cache.cached("grating", {"a": 2}, lambda: {"value": 7.0}) == ({"value": 7.0}, False)


def test_offline_miss_names_the_device_the_changed_inputs_and_the_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    cache.cached("grating", {"period_nm": 239.0, "periods": 10}, lambda: {"value": 1.0})
    with cache.offline(), pytest.raises(cache.ResultMissingError) as err:
        cache.cached("grating", {"period_nm": 245.0, "periods": 10}, lambda: {"value": 2.0})
    message = str(err.value)
    assert "grating result grating_" in message
    assert "period_nm 239.0 -> 245.0" in message
    assert "periods" not in message.replace("period_nm", "")
    assert "about 3 min" in message
    assert len(list(tmp_path.iterdir())) == 1  # nothing computed or written


def test_recording_lists_the_keys_served_and_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    cache.cached("modes", {"a": 1}, lambda: {"n": 1.5})
    with cache.recording() as keys:
        cache.cached("modes", {"a": 1}, lambda: {"n": 1.5})
        cache.cached("ring", {"b": 2}, lambda: {"f": 3.0})
    assert keys == [cache.cache_key("modes", {"a": 1}), cache.cache_key("ring", {"b": 2})]


def test_user_cache_is_per_user_not_per_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert cache.user_cache_dir() == tmp_path / "xdg" / "qkdchip" / "devices"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.user_cache_dir() == Path.home() / ".cache" / "qkdchip" / "devices"


def test_source_hash_follows_an_edit_within_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "edited_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    module = package / "model.py"
    module.write_text("GAIN = 1.0\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = cache.source_hash(["edited_pkg"])
    assert cache.source_hash(["edited_pkg"]) == before
    module.write_text("GAIN = 2.0  # edited\n", encoding="utf-8")
    assert cache.source_hash(["edited_pkg"]) != before
    with pytest.raises(ValueError, match="not importable"):
        cache.source_hash(["no_such_module_anywhere"])
