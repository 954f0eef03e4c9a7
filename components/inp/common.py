"""Drawing helpers shared by the InP cells: rectangles, electroded sections, contact leads."""

from __future__ import annotations

import math

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.checks import check_even_nm, check_waveguide_width, check_width
from qkdchip.components.geometry import rectangle
from qkdchip.components.ports import add_port
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.inp.layers import LAYER
from qkdchip.validation import check_choice

RIDGE_LAYERS = ("WG_DEEP", "WG_SHALLOW")
"""The layers an InP ridge may be drawn on (deep- or shallow-etched)."""

REGION_MARGIN_UM = 4.0
"""Active/PIN/isolation regions extend this far beyond each ridge edge (assumption: covers
ridge-width and overlay errors of ~1 µm with margin)."""
LEAD_LENGTH_UM = 30.0
"""Length of the p-metal lead from an electrode to its electrical port in µm."""
MAX_LEAD_WIDTH_UM = 40.0
"""Widest contact lead in µm."""


def rect(c: gf.Component, x0: float, y0: float, x1: float, y1: float, layer: object) -> None:
    """Axis-aligned rectangle between (x0, y0) and (x1, y1) in µm."""
    c.add_polygon(rectangle(x0, y0, x1, y1), layer=layer)


def lead_width_um(section_length_um: float) -> float:
    """Lead width for a section: up to 40 µm, at most half the section, an even number of µm."""
    return float(min(MAX_LEAD_WIDTH_UM, 2 * math.floor(section_length_um / 4)))


def ridge_layer(cross_section: CrossSectionSpec) -> str:
    """Layer name of an InP ridge cross-section: ``WG_DEEP`` or ``WG_SHALLOW``."""
    name = gf.get_layer_name(gf.get_cross_section(cross_section).layer)
    check_choice("cross_section layer", name, RIDGE_LAYERS)
    return name


def ridge_min_radius_um(layer: str) -> float:
    """Minimum bend radius in µm of ridges on ``layer`` (design rule)."""
    radius = design_rules().layer(layer).min_bend_radius_um
    if radius is None:
        raise ValueError(f"layer {layer} has no bend-radius rule")
    return radius


def check_ridge(name: str, width_um: float, layer: str = "WG_DEEP") -> None:
    """Ridge (waveguide) widths meet the minimum waveguide width of ``layer`` and are an even
    number of nm."""
    check_waveguide_width(design_rules(), layer, name, width_um)
    check_even_nm(name, width_um)


def electroded_section(
    c: gf.Component,
    *,
    x0: float,
    length_um: float,
    y: float,
    ridge_width_um: float,
    region_layer: object | None,
    electrode_width_um: float,
    port_name: str,
    lead_up: bool = True,
) -> None:
    """Region (doping/active) + p-metal electrode over a ridge section, with a lead and port.

    The electrode covers [x0, x0 + length_um] along the ridge centred at ``y``; the lead leaves
    from the middle of the section, north (``lead_up``) or south, and ends at the electrical
    port ``port_name``.
    """
    check_width(design_rules(), "METAL_P", "electrode_width_um", electrode_width_um)
    x1 = x0 + length_um
    if region_layer is not None:
        half = ridge_width_um / 2 + REGION_MARGIN_UM
        rect(c, x0, y - half, x1, y + half, region_layer)
    we = electrode_width_um / 2
    rect(c, x0, y - we, x1, y + we, LAYER.METAL_P)
    lw = lead_width_um(length_um)
    xm = x0 + length_um / 2
    sign = 1.0 if lead_up else -1.0
    y_end = y + sign * (we + LEAD_LENGTH_UM)
    rect(c, xm - lw / 2, y, xm + lw / 2, y_end, LAYER.METAL_P)
    add_port(
        c,
        port_name,
        center=(xm, y_end),
        width=lw,
        orientation=90 if lead_up else 270,
        cross_section="xs_inp_metal",
    )
