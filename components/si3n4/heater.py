"""Microheater over a Si3N4 ring, with routing-metal leads and two DC pads."""

from __future__ import annotations

import math

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.checks import check_even_nm, check_min_value, check_width
from qkdchip.components.designs import DEFAULT_RING_GAP_UM, DEFAULT_RING_RADIUS_UM, RingDesign
from qkdchip.components.geometry import annulus_sectors, rectangle
from qkdchip.components.ports import add_port
from qkdchip.components.si3n4.rings import ring
from qkdchip.pdk.si3n4.design_rules import design_rules
from qkdchip.pdk.si3n4.layers import LAYER
from qkdchip.validation import check_range

PAD_OPENING_MARGIN_UM = 5.0
"""PAD opening drawn this far inside the routing-metal pad (rule: >= 2 µm)."""
HEATER_SHEET_RESISTANCE_OHM_SQ = 1.5
"""Assumption: 200 nm Pt film, resistivity ~3e-7 Ω·m (thin-film Pt is ~3x bulk) -> 1.5 Ω/sq."""


@gf.cell
def ring_heater(
    radius_um: float = DEFAULT_RING_RADIUS_UM,
    width_um: float = 2.8,
    gap_um: float = DEFAULT_RING_GAP_UM,
    thickness_nm: float = 100.0,
    wrap_angle_deg: float = 0.0,
    bus_width_um: float = 2.8,
    heater_width_um: float = 6.0,
    lead_width_um: float = 10.0,
    lead_gap_um: float = 20.0,
    pad_size_um: float = 100.0,
    pad_pitch_um: float = 200.0,
    pad_offset_um: float = 100.0,
    cross_section: CrossSectionSpec | None = None,
) -> gf.Component:
    """Ring (point-coupled or pulley) with a heater arc over it, leads and two DC pads.

    The heater follows the ring centre line except for an opening at the top, where two
    routing-metal leads run up to the pads; the bus stays at the bottom::

              e1 [pad]       [pad] e2        (ports face north, 90°)
                   |___   ___|
                       | |          routing leads
                 .----'   '----.
                /  heater arc   \\
                \\    (ring)     /
                 '-------------'
        o1 ========================= o2      bus at y = 0

    Args:
        radius_um: ring radius in µm (see :class:`qkdchip.components.designs.RingDesign`).
        width_um: ring waveguide width in µm (see ``RingDesign``).
        gap_um: ring-to-bus gap in µm (see ``RingDesign``).
        thickness_nm: Si3N4 film thickness in nm (see ``RingDesign``).
        wrap_angle_deg: bus wrap angle around the ring in degrees (see ``RingDesign``).
        bus_width_um: bus waveguide width in µm (see ``RingDesign``).
        heater_width_um: heater metal width in µm (>= HEATER min width).
        lead_width_um: routing lead width in µm (>= ROUTING min width, even nm).
        lead_gap_um: gap between the two leads in µm (>= ROUTING min space).
        pad_size_um: square pad side in µm (opening = side - 10 µm >= PAD min width).
        pad_pitch_um: centre-to-centre pad distance in µm (pad space >= PAD min space).
        pad_offset_um: distance from the ring's top edge to the pads' bottom edge in µm,
            [20, 5000].
        cross_section: the bus's cross-section (ports name it); None: the film's strip.

    Returns:
        Component with o1, o2 (bus) and e1, e2 (pads, facing north); ``info`` holds the ring
        data plus heater length and estimated resistance.
    """
    design = RingDesign.from_settings(locals())
    rules = design_rules(thickness_nm)
    check_width(rules, "HEATER", "heater_width_um", heater_width_um)
    check_width(rules, "ROUTING", "lead_width_um", lead_width_um)
    check_even_nm("lead_width_um", lead_width_um)
    check_min_value("lead_gap_um", lead_gap_um, rules.layer("ROUTING").min_space_um)
    check_min_value(
        "pad_size_um",
        pad_size_um - 2 * PAD_OPENING_MARGIN_UM,
        rules.layer("PAD").min_width_um,
    )
    check_even_nm("pad_size_um", pad_size_um)
    check_min_value("pad_pitch_um", pad_pitch_um - pad_size_um, rules.layer("ROUTING").min_space_um)
    check_range("pad_offset_um", pad_offset_um, 20.0, 5000.0)
    x_lead = lead_gap_um / 2 + lead_width_um / 2
    if x_lead >= 0.5 * radius_um:
        raise ValueError(
            f"lead_gap_um={lead_gap_um!r} and lead_width_um={lead_width_um!r} need a ring "
            f"radius above {2 * x_lead} µm (radius_um={radius_um!r})"
        )

    c = gf.Component()
    ring_ref = c << ring(design, cross_section)
    c.add_ports(ring_ref.ports)
    yc = float(ring_ref.cell.info["ring_center_y_um"])
    r = design.radius_um
    alpha = math.asin(x_lead / r)
    heater_angle = 2 * math.pi - 2 * alpha
    for poly in annulus_sectors(
        (0.0, yc), r, heater_width_um, math.pi / 2 + alpha, math.pi / 2 + alpha + heater_angle
    ):
        c.add_polygon(poly, layer=LAYER.HEATER)

    y_end = yc + r * math.cos(alpha)
    pad_bottom = yc + r + width_um / 2 + pad_offset_um
    y_jog = pad_bottom - lead_width_um
    half = lead_width_um / 2
    for sign, port in ((-1, "e1"), (1, "e2")):
        xl = sign * x_lead
        xp = sign * pad_pitch_um / 2
        x0, x1 = sorted((xl, xp))
        ps = pad_size_um / 2
        top = pad_bottom + pad_size_um
        m = PAD_OPENING_MARGIN_UM
        for poly, layer in (
            (rectangle(xl - half, y_end - half, xl + half, y_jog + half), LAYER.ROUTING),
            (rectangle(x0 - half, y_jog - half, x1 + half, y_jog + half), LAYER.ROUTING),
            (rectangle(xp - half, y_jog - half, xp + half, pad_bottom), LAYER.ROUTING),
            (rectangle(xp - ps, pad_bottom, xp + ps, top), LAYER.ROUTING),
            (rectangle(xp - ps + m, pad_bottom + m, xp + ps - m, top - m), LAYER.PAD),
        ):
            c.add_polygon(poly, layer=layer)
        add_port(
            c,
            port,
            center=(xp, top),
            width=pad_size_um,
            orientation=90,
            cross_section="xs_routing",
        )
    heater_length = r * heater_angle
    c.info.update(ring_ref.cell.info.model_dump())
    c.info["heater_length_um"] = heater_length
    c.info["heater_resistance_ohm_estimate"] = (
        HEATER_SHEET_RESISTANCE_OHM_SQ * heater_length / heater_width_um
    )
    return c
