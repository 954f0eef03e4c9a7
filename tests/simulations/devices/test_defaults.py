from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qkdchip.simulations.devices.defaults import DEFAULT_RESULTS, default_results, simulate_default


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
