"""Registry of every cell of both platforms: name -> platform, factory, PDK and design rules.

Cell names are unique across platforms, so ``build_cell("mzm")`` or the CLI need only the name.
Nothing is activated at import; :func:`activate_platform` is for entry points and test fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import gdsfactory as gf

from qkdchip.components import inp as inp_cells
from qkdchip.components import si3n4 as si3n4_cells
from qkdchip.pdk import inp as inp_pdk
from qkdchip.pdk import si3n4 as si3n4_pdk
from qkdchip.pdk.rules import DesignRules

PLATFORMS: tuple[str, ...] = ("si3n4", "inp")
_CELL_MODULES: dict[str, ModuleType] = {"si3n4": si3n4_cells, "inp": inp_cells}


def cell_names(platform: str | None = None) -> list[str]:
    """Sorted names of the registered cells (of one platform, or of both)."""
    platforms = PLATFORMS if platform is None else (_check_platform(platform),)
    return sorted(name for p in platforms for name in _CELL_MODULES[p].__all__)


def _check_platform(platform: str) -> str:
    if platform not in PLATFORMS:
        raise ValueError(f"platform={platform!r} is unknown; allowed: {list(PLATFORMS)}")
    return platform


def platform_of(name: str) -> str:
    """Platform (``"si3n4"`` or ``"inp"``) of cell ``name``."""
    for platform in PLATFORMS:
        if name in _CELL_MODULES[platform].__all__:
            return platform
    raise ValueError(f"cell={name!r} is not registered; allowed: {cell_names()}")


def cell_factory(name: str) -> Callable[..., gf.Component]:
    """The ``@gf.cell`` function of cell ``name``."""
    return getattr(_CELL_MODULES[platform_of(name)], name)


def get_pdk(platform: str, thickness_nm: float | None = None) -> gf.Pdk:
    """The (not yet activated) PDK of a platform; ``thickness_nm`` selects the Si3N4 film."""
    if _check_platform(platform) == "si3n4":
        return si3n4_pdk.get_pdk(
            si3n4_pdk.DEFAULT_THICKNESS_NM if thickness_nm is None else thickness_nm
        )
    return inp_pdk.get_pdk()


def activate_platform(platform: str, thickness_nm: float | None = None) -> gf.Pdk:
    """Activate and return a platform's PDK (entry points and test fixtures only)."""
    pdk = get_pdk(platform, thickness_nm)
    pdk.activate()
    return pdk


def rules_for(platform: str, params: dict[str, Any] | None = None) -> DesignRules:
    """Design rules that apply to a cell built with ``params`` on ``platform``."""
    if _check_platform(platform) == "si3n4":
        thickness = (params or {}).get("thickness_nm", si3n4_pdk.DEFAULT_THICKNESS_NM)
        return si3n4_pdk.design_rules(float(thickness))
    return inp_pdk.design_rules()


def build_cell(name: str, **params: Any) -> gf.Component:
    """Activate the cell's platform PDK and build ``name(**params)`` (for entry points)."""
    platform = platform_of(name)
    thickness = params.get("thickness_nm") if platform == "si3n4" else None
    activate_platform(platform, None if thickness is None else float(thickness))
    return cell_factory(name)(**params)
