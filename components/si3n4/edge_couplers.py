"""Si3N4 inverse-taper edge couplers and a bus waveguide terminated by two of them."""

from __future__ import annotations

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.checks import check_even_nm, check_waveguide_width
from qkdchip.components.checks import check_width as check_rule_width
from qkdchip.components.designs import EdgeCouplerDesign
from qkdchip.components.geometry import Straight, extrude
from qkdchip.components.ports import add_port
from qkdchip.components.si3n4.common import film_cross_section
from qkdchip.pdk.si3n4.design_rules import design_rules
from qkdchip.pdk.si3n4.layers import LAYER
from qkdchip.validation import check_range


def _validate(design: EdgeCouplerDesign, thickness_nm: float) -> None:
    rules = design_rules(thickness_nm)
    check_rule_width(rules, "WG", "tip_width_um", design.tip_width_um)
    check_waveguide_width(rules, "WG", "waveguide_width_um", design.waveguide_width_um)
    check_even_nm("tip_width_um", design.tip_width_um)
    check_even_nm("waveguide_width_um", design.waveguide_width_um)


@gf.cell
def edge_coupler(
    tip_width_um: float = 0.3,
    taper_length_um: float = 200.0,
    waveguide_width_um: float = 2.8,
    thickness_nm: float = 100.0,
    cross_section: CrossSectionSpec | None = None,
) -> gf.Component:
    """Linear inverse taper from the chip facet (narrow tip) to the waveguide width.

    The facet (o1) must sit on the die edge::

        facet  o1 >--=====#######== o2
        (180°)   tip    taper    waveguide (0°)

    Args:
        tip_width_um: width at the facet in µm (>= WG min width; even nm).
        taper_length_um: taper length in µm, [10, 2000].
        waveguide_width_um: waveguide width at o2 in µm (even nm).
        thickness_nm: Si3N4 film thickness in nm (selects the design rules).
        cross_section: the waveguide's cross-section (ports name it); None: the film's strip.

    Returns:
        Component with o1 (facet, west) and o2 (waveguide, east); port o1 has type
        ``edge_coupler``.
    """
    design = EdgeCouplerDesign(
        tip_width_um=tip_width_um,
        taper_length_um=taper_length_um,
        waveguide_width_um=waveguide_width_um,
    )
    _validate(design, thickness_nm)
    xs = film_cross_section(cross_section, thickness_nm)
    c = gf.Component()
    poly, _ = extrude(
        (0.0, 0.0), 0.0, tip_width_um, [Straight(taper_length_um, end_width_um=waveguide_width_um)]
    )
    c.add_polygon(poly, layer=LAYER.WG)
    add_port(
        c,
        "o1",
        center=(0.0, 0.0),
        width=tip_width_um,
        orientation=180,
        cross_section=xs,
        port_type="edge_coupler",
    )
    add_port(
        c,
        "o2",
        center=(taper_length_um, 0.0),
        width=waveguide_width_um,
        orientation=0,
        cross_section=xs,
    )
    c.info["design"] = design.to_dict()
    return c


@gf.cell
def bus_edge_coupled(
    length_um: float = 4000.0,
    waveguide_width_um: float = 2.8,
    tip_width_um: float = 0.3,
    taper_length_um: float = 200.0,
    thickness_nm: float = 100.0,
    cross_section: CrossSectionSpec | None = None,
) -> gf.Component:
    """Straight bus waveguide with an inverse-taper edge coupler at each end (facet to facet).

    ::

        o1 >--====================================--< o2
        facet   taper          bus            taper   facet

    Args:
        length_um: facet-to-facet length in µm (> two tapers), [30, 50000].
        waveguide_width_um: bus width in µm (even nm).
        tip_width_um: tip width at both facets in µm (even nm).
        taper_length_um: each taper's length in µm.
        thickness_nm: Si3N4 film thickness in nm.
        cross_section: the waveguide's cross-section (ports name it); None: the film's strip.

    Returns:
        Component with o1 (west facet) and o2 (east facet), both of type ``edge_coupler``.
    """
    check_range("length_um", length_um, 30.0, 50000.0)
    design = EdgeCouplerDesign(
        tip_width_um=tip_width_um,
        taper_length_um=taper_length_um,
        waveguide_width_um=waveguide_width_um,
    )
    _validate(design, thickness_nm)
    xs = film_cross_section(cross_section, thickness_nm)
    middle = length_um - 2 * taper_length_um
    if middle <= 0:
        raise ValueError(
            f"length_um={length_um!r} must exceed twice taper_length_um={taper_length_um!r}"
        )
    c = gf.Component()
    poly, _ = extrude(
        (0.0, 0.0),
        0.0,
        tip_width_um,
        [
            Straight(taper_length_um, end_width_um=waveguide_width_um),
            Straight(middle),
            Straight(taper_length_um, end_width_um=tip_width_um),
        ],
    )
    c.add_polygon(poly, layer=LAYER.WG)
    for name, x, orientation in (("o1", 0.0, 180), ("o2", length_um, 0)):
        add_port(
            c,
            name,
            center=(x, 0.0),
            width=tip_width_um,
            orientation=orientation,
            cross_section=xs,
            port_type="edge_coupler",
        )
    c.info["design"] = design.to_dict()
    c.info["length_um"] = length_um
    return c
