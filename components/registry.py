"""Registry of every cell of both platforms: name -> factory, design rules, built cell.

The cells are each platform's device cells (``qkdchip.components.<platform>``) and its whole
chips and wafers (``transmitter_chip``, ``inp_test_die``, ``inp_wafer``; ``comb_chip``,
``si3n4_test_die``, ``si3n4_wafer``). Cell names are unique across platforms, so
``build_cell("mzm")`` or the CLI need only the name; :func:`qkdchip.platforms.platform_of_cell`
gives a cell's platform. Nothing is activated at import; :func:`build_cell` is for entry
points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gdsfactory as gf

from qkdchip.pdk.rules import DesignRules
from qkdchip.platforms import PLATFORMS, Platform, platform_of_cell


def cell_names(platform: Platform | None = None) -> list[str]:
    """Sorted names of the registered cells (of one platform, or of both)."""
    platforms = PLATFORMS.values() if platform is None else (platform,)
    return sorted(name for p in platforms for name in p.cell_names)


def device_cell_names(platform: Platform | None = None) -> list[str]:
    """Sorted names of the device cells (no whole chips or wafers)."""
    platforms = PLATFORMS.values() if platform is None else (platform,)
    return sorted(name for p in platforms for name in p.device_cell_names)


def cell_factory(name: str) -> Callable[..., gf.Component]:
    """The ``@gf.cell`` function of cell ``name``."""
    return platform_of_cell(name).cell(name)


def _thickness_nm(params: dict[str, Any] | None) -> float | None:
    thickness = (params or {}).get("thickness_nm")
    return None if thickness is None else float(thickness)


def rules_for(name: str, params: dict[str, Any] | None = None) -> DesignRules:
    """Design rules that apply to cell ``name`` built with ``params`` (its film, if any)."""
    return platform_of_cell(name).design_rules(_thickness_nm(params))


def build_cell(name: str, **params: Any) -> gf.Component:
    """Activate the cell's platform PDK and build ``name(**params)`` (for entry points)."""
    platform_of_cell(name).activate(_thickness_nm(params))
    return cell_factory(name)(**params)
