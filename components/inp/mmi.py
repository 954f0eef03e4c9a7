"""Deep-etched InP multimode interference couplers (1x2 and 2x2)."""

from __future__ import annotations

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.checks import check_even_nm, check_space, check_width
from qkdchip.components.designs import MmiDesign
from qkdchip.components.geometry import Straight, extrude
from qkdchip.components.inp.common import check_ridge, rect, ridge_layer
from qkdchip.components.ports import add_port
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.stacks import INP_RIDGE_WIDTH_UM


def _draw_mmi(design: MmiDesign, cross_section: CrossSectionSpec) -> gf.Component:
    rules = design_rules()
    layer = ridge_layer(cross_section)
    check_ridge("ridge_width_um", design.ridge_width_um, layer)
    check_width(rules, layer, "access_width_um", design.access_width_um)
    check_even_nm("port_offset_um", 2 * design.port_offset_um)
    check_space(
        rules,
        layer,
        "2*port_offset_um - access_width_um",
        2 * design.port_offset_um - design.access_width_um,
    )
    check_space(
        rules,
        layer,
        "2*port_offset_um - ridge_width_um",
        2 * design.port_offset_um - design.ridge_width_um,
    )
    if design.taper_length_um == 0 and design.access_width_um != design.ridge_width_um:
        raise ValueError(
            f"taper_length_um=0 needs access_width_um ({design.access_width_um}) == "
            f"ridge_width_um ({design.ridge_width_um})"
        )
    c = gf.Component()
    t, length, w = design.taper_length_um, design.length_um, design.width_um
    rect(c, t, -w / 2, t + length, w / 2, layer)
    off = design.port_offset_um
    x_out = 2 * t + length
    if design.n_inputs == 1:
        ports = [("o1", 0.0, 0.0, 180), ("o2", x_out, off, 0), ("o3", x_out, -off, 0)]
    else:
        ports = [
            ("o1", 0.0, -off, 180),
            ("o2", 0.0, off, 180),
            ("o3", x_out, off, 0),
            ("o4", x_out, -off, 0),
        ]
    for name, x, y, orientation in ports:
        if t > 0:
            poly, _ = extrude(
                (x, y),
                0.0 if orientation == 180 else 180.0,
                design.ridge_width_um,
                [Straight(t, end_width_um=design.access_width_um)],
            )
            c.add_polygon(poly, layer=layer)
        add_port(
            c,
            name,
            center=(x, y),
            width=design.ridge_width_um,
            orientation=orientation,
            cross_section=cross_section,
        )
    c.info["design"] = design.to_dict()
    c.info["beat_length_um"] = design.beat_length_um
    c.info["self_imaging_length_um_estimate"] = design.self_imaging_length_um
    c.info["total_length_um"] = x_out
    return c


@gf.cell
def mmi1x2(
    width_um: float = 6.0,
    length_um: float = 37.0,
    port_offset_um: float = 1.5,
    access_width_um: float = 2.0,
    taper_length_um: float = 10.0,
    ridge_width_um: float = INP_RIDGE_WIDTH_UM,
    cross_section: CrossSectionSpec = "xs_inp_deep",
) -> gf.Component:
    """1x2 MMI splitter (symmetric interference, 3Lπ/8 ≈ 37 µm for a 6 µm body).

    ::

                 +------------+==== o2  (y = +port_offset_um)
        o1 ======|    MMI     |
                 +------------+==== o3  (y = -port_offset_um)

    Args:
        width_um: body width in µm, [2, 40].
        length_um: body length in µm, [5, 2000].
        port_offset_um: output port distance from the axis in µm.
        access_width_um: access waveguide width at the body in µm.
        taper_length_um: access taper length in µm, [0, 200].
        ridge_width_um: width at the ports in µm (even nm).
        cross_section: the ridge's cross-section (its layer; ports name it).

    Returns:
        Component with o1 (west) and o2, o3 (east, upper/lower); ``info`` has Lπ estimates.
    """
    return _draw_mmi(MmiDesign.from_settings(locals(), n_inputs=1), cross_section)


@gf.cell
def mmi2x2(
    width_um: float = 6.0,
    length_um: float = 149.0,
    port_offset_um: float = 1.5,
    access_width_um: float = 2.0,
    taper_length_um: float = 10.0,
    ridge_width_um: float = INP_RIDGE_WIDTH_UM,
    cross_section: CrossSectionSpec = "xs_inp_deep",
) -> gf.Component:
    """2x2 MMI 3 dB coupler (general interference, 3Lπ/2 ≈ 149 µm for a 6 µm body).

    ::

        o2 ======+------------+====== o3
                 |    MMI     |
        o1 ======+------------+====== o4

    Args:
        width_um: body width in µm, [2, 40].
        length_um: body length in µm, [5, 2000].
        port_offset_um: port distance from the axis in µm (both sides).
        access_width_um: access waveguide width at the body in µm.
        taper_length_um: access taper length in µm, [0, 200].
        ridge_width_um: width at the ports in µm (even nm).
        cross_section: the ridge's cross-section (its layer; ports name it).

    Returns:
        Component with o1 (W lower), o2 (W upper), o3 (E upper), o4 (E lower).
    """
    return _draw_mmi(MmiDesign.from_settings(locals(), n_inputs=2), cross_section)
