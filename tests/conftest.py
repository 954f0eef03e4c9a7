"""Shared test configuration."""

from __future__ import annotations

import pytest

from qkdchip.simulations.meep_jobs import meep_available

requires_meep = pytest.mark.skipif(not meep_available(), reason="needs Debian's python3-meep")
