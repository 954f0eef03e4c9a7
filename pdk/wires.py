"""Metal-line cross-section shared by both platforms (electrical ports, wire corners only)."""

from __future__ import annotations

import gdsfactory as gf
from gdsfactory.typings import LayerSpec


def metal_cross_section(width: float, layer: LayerSpec) -> gf.CrossSection:
    """A metal line ``width`` µm wide on ``layer`` with electrical ports and no bend radius.

    ``radius=None`` makes gdsfactory's routers draw wire corners instead of arcs.
    """
    return gf.cross_section.cross_section(
        width=width,
        layer=layer,
        radius=None,
        radius_min=None,
        port_names=gf.cross_section.port_names_electrical,
        port_types=gf.cross_section.port_types_electrical,
    )
