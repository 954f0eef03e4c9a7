"""Shared test configuration."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qkdchip import cache
from qkdchip.simulations.meep_jobs import meep_available, runner

requires_meep = pytest.mark.skipif(not meep_available(), reason="needs Debian's python3-meep")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "pdk(platform): activate that platform's PDK ('si3n4' default, or 'inp')"
    )


@pytest.fixture(autouse=True)
def _active_pdk(request: pytest.FixtureRequest) -> None:
    """Activate a PDK for tests whose module uses gdsfactory (others skip the import cost).

    The platform is the ``@pytest.mark.pdk("inp")`` marker's argument, else Si3N4.
    """
    if "gdsfactory" not in sys.modules:
        return
    from qkdchip.platforms import platform

    marker = request.node.get_closest_marker("pdk")
    platform(marker.args[0] if marker else "si3n4").activate()


@pytest.fixture(scope="session")
def _session_device_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("device_cache")


@pytest.fixture(autouse=True)
def _isolated_device_cache(_session_device_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Device results computed by tests go to a per-session folder, not the user's cache."""
    monkeypatch.setenv(cache.CACHE_ENV, str(_session_device_cache))


@pytest.fixture
def shipped_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user cache (returned) and no meep: only the shipped results can answer."""
    folder = tmp_path / "device_cache"
    folder.mkdir()
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    monkeypatch.setattr(runner, "meep_python", lambda: None)
    return folder
