"""Cross-sections of the InP platform (radii set explicitly; metal with wire corners)."""

from __future__ import annotations

import gdsfactory as gf

from qkdchip.pdk.inp.layers import LAYER
from qkdchip.pdk.stacks import INP_RIDGE_WIDTH_UM
from qkdchip.pdk.wires import metal_cross_section


@gf.xsection
def xs_inp_deep(
    width: float = INP_RIDGE_WIDTH_UM, radius: float = 150.0, radius_min: float = 100.0
) -> gf.CrossSection:
    """Deep-etched ridge; radius in µm (min 100 µm, design rule)."""
    return gf.cross_section.cross_section(
        width=width, layer=LAYER.WG_DEEP, radius=radius, radius_min=radius_min
    )


@gf.xsection
def xs_inp_shallow(
    width: float = INP_RIDGE_WIDTH_UM, radius: float = 600.0, radius_min: float = 500.0
) -> gf.CrossSection:
    """Shallow-etched ridge; radius in µm (min 500 µm, design rule)."""
    return gf.cross_section.cross_section(
        width=width, layer=LAYER.WG_SHALLOW, radius=radius, radius_min=radius_min
    )


@gf.xsection
def xs_inp_metal(width: float = 10.0) -> gf.CrossSection:
    """p-metal routing line, ``width`` in µm (wire corners only)."""
    return metal_cross_section(width, LAYER.METAL_P)
