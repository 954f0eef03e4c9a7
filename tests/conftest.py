"""Shared test configuration."""

from __future__ import annotations

import sys

import pytest

from qkdchip.simulations.meep_jobs import meep_available

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
    from qkdchip.components.registry import activate_platform

    marker = request.node.get_closest_marker("pdk")
    activate_platform(marker.args[0] if marker else "si3n4")
