"""Angled InP spot-size converter for the chip facet."""

from __future__ import annotations

import math

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.checks import check_even_nm, check_width
from qkdchip.components.designs import SpotSizeConverterDesign
from qkdchip.components.geometry import Arc, Straight, extrude
from qkdchip.components.inp.common import check_ridge, ridge_layer, ridge_min_radius_um
from qkdchip.components.ports import add_port
from qkdchip.pdk.inp.design_rules import design_rules

_SSC = SpotSizeConverterDesign()

INPUT_STRAIGHT_UM = 10.0
"""Straight ridge before the bend in µm."""


@gf.cell
def ssc_angled(
    tip_width_um: float = _SSC.tip_width_um,
    taper_length_um: float = _SSC.taper_length_um,
    facet_angle_deg: float = _SSC.facet_angle_deg,
    ridge_width_um: float = _SSC.ridge_width_um,
    cross_section: CrossSectionSpec = "xs_inp_deep",
) -> gf.Component:
    """Spot-size converter that meets the facet at ``facet_angle_deg`` from its normal.

    A circular bend (the ridge layer's minimum radius) tilts the ridge, then a linear lateral taper
    narrows it to the tip, expanding the mode. Put the cleave line through o2; the
    facet is the plane x = o2.x (the end is drawn square to the waveguide)::

                                     __..--=  o2 (facet_angle_deg)
        o1 =====.___...---'''''''''''
         (180°)   bend       taper

    Args:
        tip_width_um: width at the facet in µm (even nm), [0.8, 4].
        taper_length_um: taper length in µm, [20, 1000].
        facet_angle_deg: angle to the facet normal in degrees, [0, 12] (7-9° typical).
        ridge_width_um: input ridge width in µm (even nm).
        cross_section: the ridge's cross-section (its layer; both ports name it).

    Returns:
        Component with o1 (ridge) and o2 (facet, port type ``edge_coupler``, orientation
        ``facet_angle_deg``).
    """
    design = SpotSizeConverterDesign(
        tip_width_um=tip_width_um,
        taper_length_um=taper_length_um,
        facet_angle_deg=facet_angle_deg,
        ridge_width_um=ridge_width_um,
    )
    layer = ridge_layer(cross_section)
    check_ridge("ridge_width_um", ridge_width_um, layer)
    check_width(design_rules(), layer, "tip_width_um", tip_width_um)  # a taper tip
    check_even_nm("tip_width_um", tip_width_um)
    radius = ridge_min_radius_um(layer)
    segments: list[Straight | Arc] = [Straight(INPUT_STRAIGHT_UM)]
    if facet_angle_deg > 0:
        segments.append(Arc(radius, facet_angle_deg))
    segments.append(Straight(taper_length_um, end_width_um=tip_width_um))
    c = gf.Component()
    poly, end = extrude((0.0, 0.0), 0.0, ridge_width_um, segments)
    c.add_polygon(poly, layer=layer)
    add_port(
        c,
        "o1",
        center=(0.0, 0.0),
        width=ridge_width_um,
        orientation=180,
        cross_section=cross_section,
    )
    add_port(
        c,
        "o2",
        center=(end.x_um, end.y_um),
        width=tip_width_um,
        orientation=facet_angle_deg,
        cross_section=cross_section,
        port_type="edge_coupler",
    )
    c.info["design"] = design.to_dict()
    c.info["facet_angle_deg"] = facet_angle_deg
    c.info["bend_radius_um"] = radius
    c.info["optical_length_um"] = sum(
        seg.length_um if isinstance(seg, Straight) else seg.radius_um * math.radians(seg.angle_deg)
        for seg in segments
    )
    return c
