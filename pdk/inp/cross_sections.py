"""Cross-sections of the InP platform (radii set explicitly; metal with wire corners).

Every port of an InP cell names one of these (``port.info["cross_section"]``):
:data:`LAYER_CROSS_SECTIONS` gives the one of each drawn layer.
"""

from __future__ import annotations

import gdsfactory as gf

from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.inp.layers import LAYER
from qkdchip.pdk.stacks import INP_RIDGE_WIDTH_UM
from qkdchip.pdk.wires import metal_cross_section

LAYER_CROSS_SECTIONS: dict[str, str] = {
    "WG_DEEP": "xs_inp_deep",
    "WG_SHALLOW": "xs_inp_shallow",
    "METAL_P": "xs_inp_metal",
    "METAL_N": "xs_inp_metal_n",
}
"""Layer name -> the cross-section its ports carry."""


def _min_radius(layer: str) -> float:
    radius = design_rules().layer(layer).min_bend_radius_um
    if radius is None:
        raise ValueError(f"layer {layer} has no bend-radius rule")
    return radius


@gf.xsection
def xs_inp_deep(
    width: float = INP_RIDGE_WIDTH_UM,
    radius: float = 150.0,
    radius_min: float = _min_radius("WG_DEEP"),
) -> gf.CrossSection:
    """Deep-etched ridge, ``width`` in µm; radius in µm (min 100 µm, design rule)."""
    return gf.cross_section.cross_section(
        width=width, layer=LAYER.WG_DEEP, radius=radius, radius_min=radius_min
    )


@gf.xsection
def xs_inp_shallow(
    width: float = INP_RIDGE_WIDTH_UM,
    radius: float = 600.0,
    radius_min: float = _min_radius("WG_SHALLOW"),
) -> gf.CrossSection:
    """Shallow-etched ridge, ``width`` in µm; radius in µm (min 500 µm, design rule)."""
    return gf.cross_section.cross_section(
        width=width, layer=LAYER.WG_SHALLOW, radius=radius, radius_min=radius_min
    )


@gf.xsection
def xs_inp_metal(width: float = 10.0) -> gf.CrossSection:
    """p-metal line (contacts, leads, wires, pads), ``width`` in µm (wire corners only)."""
    return metal_cross_section(width, LAYER.METAL_P)


@gf.xsection
def xs_inp_metal_n(width: float = 10.0) -> gf.CrossSection:
    """Top-side n-metal line (ground pads), ``width`` in µm (wire corners only)."""
    return metal_cross_section(width, LAYER.METAL_N)
