"""Waveguide cells of both platforms drawn from a cross-section: a straight and a circular bend.

The PDKs register them as ``straight`` and ``bend_circular`` (in place of gdsfactory's generic
cells of those names), so gdsfactory's routers and the routing strategies of
:mod:`qkdchip.pdk.wires` draw with them. The bend is an exact circular arc sampled to the
0.5 nm chord error of :mod:`qkdchip.components.geometry` (gdsfactory's generic bends are
sampled per 20 nm of arc, tens of thousands of points at millimetre radii).
"""

from __future__ import annotations

import math

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.checks import check_even_nm
from qkdchip.components.geometry import arc_step_rad
from qkdchip.validation import check_range


@gf.cell
def straight(
    length: float = 10.0,
    cross_section: CrossSectionSpec = "xs_inp_deep",
    width: float | None = None,
) -> gf.Component:
    """Straight waveguide or metal line of ``cross_section``.

    ::

        o1 ========== o2      (e1 / e2 for a metal cross-section)

    Args:
        length: length in µm, [0, 100000].
        cross_section: registered cross-section (or spec) of the active PDK.
        width: width in µm (even nm); None: the cross-section's.

    Returns:
        Component with the cross-section's two ports; ``info["length"]`` in µm.
    """
    check_range("length", length, 0.0, 1e5)
    if width is not None:
        check_even_nm("width", width)
    c = gf.Component()
    ref = c << gf.components.straight(length=length, cross_section=cross_section, width=width)
    c.add_ports(ref.ports)
    c.info["length"] = length
    c.flatten()
    return c


@gf.cell
def bend_circular(
    radius: float | None = None,
    angle: float = 90.0,
    cross_section: CrossSectionSpec = "xs_inp_deep",
    width: float | None = None,
) -> gf.Component:
    """Circular bend of ``cross_section`` turning ``angle`` degrees counter-clockwise.

    ::

                  o2
                  |
                 /
        o1 ____.'          o1 at the origin facing west; o2 after the turn

    Args:
        radius: centre-line radius in µm (>= the cross-section's ``radius_min``); None: the
            cross-section's radius.
        angle: turn in degrees, [-180, 180], not 0.
        cross_section: registered cross-section (or spec) of the active PDK.
        width: width in µm (even nm); None: the cross-section's.

    Returns:
        Component with the cross-section's two ports; ``info`` has ``radius``, ``length`` (µm)
        and ``min_bend_radius`` (µm, equal to ``radius``: no Euler section).
    """
    check_range("angle", angle, -180.0, 180.0)
    if angle == 0:
        raise ValueError("angle=0 is not allowed: a bend must turn")
    xs = (
        gf.get_cross_section(cross_section)
        if width is None
        else gf.get_cross_section(cross_section, width=width)
    )
    check_even_nm("width", xs.width)
    r = xs.radius if radius is None else radius
    if r is None or not r > 0:
        raise ValueError(f"radius={radius!r} must be > 0 µm (the cross-section has none)")
    if xs.radius_min is not None:
        check_range("radius", r, xs.radius_min)
    step_deg = math.degrees(arc_step_rad(r + xs.width / 2))
    c = gf.Component()
    ref = c << gf.components.bend_circular(
        radius=r, angle=angle, angular_step=step_deg, cross_section=xs
    )
    c.add_ports(ref.ports)
    c.info["radius"] = r
    c.info["length"] = abs(math.radians(angle)) * r
    c.info["min_bend_radius"] = r
    c.flatten()
    return c
