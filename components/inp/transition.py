"""InP deep-to-shallow etch transition: where a deep-etched ridge becomes a shallow-etched one."""

from __future__ import annotations

import gdsfactory as gf

from qkdchip.components.checks import check_even_nm, check_waveguide_width
from qkdchip.components.geometry import Straight, extrude
from qkdchip.components.ports import add_port
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.inp.layers import LAYER
from qkdchip.pdk.stacks import INP_RIDGE_WIDTH_UM
from qkdchip.validation import check_range

TRANSITION_LENGTH_UM = 75.0
"""Default transition length in µm (the Nazca demofab ``d2s``/``s2d`` transitions are 75 µm,
Nazca Design demofab ``pdk_30_BB_library.py``)."""


@gf.cell
def taper_deep_to_shallow(
    width1: float = INP_RIDGE_WIDTH_UM,
    width2: float = INP_RIDGE_WIDTH_UM,
    length_um: float = TRANSITION_LENGTH_UM,
    deep_window_um: float = 4.0,
) -> gf.Component:
    """Adiabatic transition from a deep-etched ridge (o1) to a shallow-etched ridge (o2).

    A ``WG_DEEP`` shape is the area the deep etch leaves standing, a ``WG_SHALLOW`` shape the
    ridge the shallow etch leaves standing. Along the transition the shallow ridge tapers from
    ``width1`` to ``width2`` over the deep ridge, while the deep-etched edges move out linearly
    to ``deep_window_um`` beyond each side of the shallow ridge, so the mode leaves the
    deep-etched guide for the shallow-etched one without a step::

                 ____----------- WG_DEEP edge (deep_window_um from the ridge at o2)
        o1 =====<=========================== o2     WG_SHALLOW ridge: width1 -> width2
        (deep)   ‾‾‾‾-----------              (shallow)
                 |<-- length_um -->|

    The PDK registers it as the (WG_DEEP, WG_SHALLOW) layer transition, so a route in
    ``xs_inp_shallow`` from a deep port (or in ``xs_inp_deep`` from a shallow one) gets it
    automatically.

    Args:
        width1: deep ridge width at o1 in µm (even nm, >= WG_DEEP min waveguide width).
        width2: shallow ridge width at o2 in µm (even nm, >= WG_SHALLOW min waveguide width).
        length_um: transition length in µm, [10, 1000].
        deep_window_um: deep-etch edge distance from the shallow ridge at o2 in µm, [1, 20].

    Returns:
        Component with o1 (``xs_inp_deep``, 180°) and o2 (``xs_inp_shallow``, 0°).
    """
    rules = design_rules()
    check_waveguide_width(rules, "WG_DEEP", "width1", width1)
    check_waveguide_width(rules, "WG_SHALLOW", "width2", width2)
    check_even_nm("width1", width1)
    check_even_nm("width2", width2)
    check_range("length_um", length_um, 10.0, 1000.0)
    check_range("deep_window_um", deep_window_um, 1.0, 20.0)
    c = gf.Component()
    window = width2 + 2 * deep_window_um
    for layer, end_width in ((LAYER.WG_DEEP, window), (LAYER.WG_SHALLOW, width2)):
        poly, _ = extrude((0.0, 0.0), 0.0, width1, [Straight(length_um, end_width_um=end_width)])
        c.add_polygon(poly, layer=layer)
    add_port(c, "o1", center=(0.0, 0.0), width=width1, orientation=180, cross_section="xs_inp_deep")
    add_port(
        c,
        "o2",
        center=(length_um, 0.0),
        width=width2,
        orientation=0,
        cross_section="xs_inp_shallow",
    )
    c.info["length_um"] = length_um
    return c
