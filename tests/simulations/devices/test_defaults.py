from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qkdchip.simulations.devices import cache
from qkdchip.simulations.devices.defaults import DEFAULT_RESULTS, default_results, simulate_default
from qkdchip.simulations.meep_jobs import runner


@pytest.fixture
def shipped_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty user cache and no meep: only the shipped results can answer."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(runner, "meep_available", lambda python=None: False)
    return tmp_path


def test_every_default_result_is_served_from_the_shipped_cache(shipped_only: Path) -> None:
    results = default_results()
    assert list(results) == list(DEFAULT_RESULTS)
    for name, result in results.items():
        assert result.to_dict(), name
    assert results["ring"].d2_hz < 0
    assert not list(shipped_only.iterdir())  # nothing computed, nothing written
    assert "meep" not in sys.modules


def test_unknown_default_is_rejected() -> None:
    with pytest.raises(ValueError, match="name='laser'"):
        simulate_default("laser")
