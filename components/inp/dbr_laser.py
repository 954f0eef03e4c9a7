"""InP DBR laser: rear grating | gain | phase | front grating, isolated contacts."""

from __future__ import annotations

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.checks import check_min_value
from qkdchip.components.designs import (
    DbrGratingDesign,
    DbrLaserDesign,
)
from qkdchip.components.geometry import Straight, extrude
from qkdchip.components.inp.common import (
    REGION_MARGIN_UM,
    check_ridge,
    electroded_section,
    rect,
    ridge_layer,
)
from qkdchip.components.ports import add_port
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.inp.layers import LAYER

GRATING_OVERHANG_UM = 1.0
"""Grating teeth extend this far beyond each ridge edge (covers overlay error)."""


def _draw_grating(c: gf.Component, x0: float, grating: DbrGratingDesign, ridge_um: float) -> None:
    """Teeth of a first-order grating starting at x0; positions rounded to the 1 nm grid."""
    tooth_nm = round(grating.period_nm * grating.duty_cycle)
    half = ridge_um / 2 + GRATING_OVERHANG_UM
    x0_nm = round(x0 * 1e3)
    for k in range(grating.n_periods):
        start = x0_nm + round(k * grating.period_nm)
        rect(c, start * 1e-3, -half, (start + tooth_nm) * 1e-3, half, LAYER.GRATING)


_DESIGN = DbrLaserDesign()


@gf.cell
def dbr_laser(
    rear_grating_um: float = _DESIGN.rear_grating_um,
    gain_um: float = _DESIGN.gain_um,
    phase_um: float = _DESIGN.phase_um,
    front_grating_um: float = _DESIGN.front_grating_um,
    isolation_um: float = _DESIGN.isolation_um,
    period_nm: float = _DESIGN.period_nm,
    ridge_width_um: float = _DESIGN.ridge_width_um,
    cross_section: CrossSectionSpec = "xs_inp_deep",
) -> gf.Component:
    """DBR laser with four separately contacted sections and isolation between contacts.

    Light leaves through the short front grating at o2. The defaults are those of
    :class:`~qkdchip.components.designs.DbrLaserDesign` (the transmitter's lasers)::

           e1            e2             e3        e4          (all 90°)
           |             |              |         |
     o1 =[rear DBR]|iso|[ gain (ACTIVE) ]|iso|[phase]|iso|[front DBR]= o2 (output)

    Args:
        rear_grating_um: rear grating length in µm.
        gain_um: gain section length in µm.
        phase_um: phase section length in µm.
        front_grating_um: front grating length in µm.
        isolation_um: isolation between adjacent contacts in µm (>= METAL_P space).
        period_nm: grating period in nm (tooth = period/2, on the 1 nm grid).
        ridge_width_um: ridge width in µm (even nm).
        cross_section: the ridge's cross-section (its layer; ports name it), deep or shallow.

    Returns:
        Component with o1 (rear, 180°), o2 (front output, 0°) and e1 (rear grating), e2 (gain),
        e3 (phase), e4 (front grating). The gratings' κ, Bragg wavelength and reflectances
        are simulated (``qkdchip simulate grating``), not estimated by the cell.
    """
    design = DbrLaserDesign.from_settings(locals())
    layer = ridge_layer(cross_section)
    check_ridge("ridge_width_um", ridge_width_um, layer)
    rules = design_rules()
    check_min_value("isolation_um", isolation_um, rules.layer("METAL_P").min_space_um)
    tooth_nm = round(period_nm * 0.5)
    check_min_value("period_nm/2 (tooth)", tooth_nm * 1e-3, rules.layer("GRATING").min_width_um)
    check_min_value(
        "period_nm/2 (tooth gap)",
        (period_nm - tooth_nm) * 1e-3,
        rules.layer("GRATING").min_space_um,
    )
    c = gf.Component()
    total = design.total_length_um
    poly, _ = extrude((0.0, 0.0), 0.0, ridge_width_um, [Straight(total)])
    c.add_polygon(poly, layer=layer)

    sections = (
        ("e1", rear_grating_um, None),
        ("e2", gain_um, LAYER.ACTIVE),
        ("e3", phase_um, LAYER.PIN),
        ("e4", front_grating_um, None),
    )
    x = 0.0
    starts: dict[str, float] = {}
    half_region = ridge_width_um / 2 + REGION_MARGIN_UM
    for k, (port, length, region) in enumerate(sections):
        starts[port] = x
        electroded_section(
            c,
            x0=x,
            length_um=length,
            y=0.0,
            ridge_width_um=ridge_width_um,
            region_layer=region,
            electrode_width_um=4.0,
            port_name=port,
        )
        x += length
        if k < len(sections) - 1:
            rect(c, x, -half_region, x + isolation_um, half_region, LAYER.ISOLATION)
            x += isolation_um
    _draw_grating(c, starts["e1"], design.rear_grating(), ridge_width_um)
    _draw_grating(c, starts["e4"], design.front_grating(), ridge_width_um)
    for name, x, orientation in (("o1", 0.0, 180), ("o2", total, 0)):
        add_port(
            c,
            name,
            center=(x, 0.0),
            width=ridge_width_um,
            orientation=orientation,
            cross_section=cross_section,
        )
    c.info["design"] = design.to_dict()
    c.info["total_length_um"] = total
    c.info["electrical_ports"] = {
        "e1": "rear_grating",
        "e2": "gain",
        "e3": "phase",
        "e4": "front_grating",
    }
    c.info["output_port"] = "o2"
    return c
