"""Test-structure dies for the wafers (same size as the product die, so they share its grid).

- InP: a cut-back set of deep ridges (loss per length and facet loss) and a stand-alone DBR
  laser with its four contacts on DC pads and both facets brought out (LIV and spectrum).
- Si3N4: a wider gap sweep of rings than the comb chip carries, and a longer cut-back set.
"""

from __future__ import annotations

import gdsfactory as gf

from qkdchip.circuits.checks import Net, NetPin
from qkdchip.circuits.comb_chip import place_edge_coupled
from qkdchip.circuits.fanout import Contact, assign_slots, draw_fanout
from qkdchip.circuits.transmitter import CORE, METAL, ridge_link
from qkdchip.circuits.wafer_geometry import INP_WAFER_LAYOUT, SI3N4_WAFER_LAYOUT
from qkdchip.circuits.waveguides import place_cutbacks
from qkdchip.components.inp import dbr_laser, pad_dc, ssc_angled
from qkdchip.components.si3n4 import edge_coupler, ring_point_coupled
from qkdchip.pdk.inp.design_rules import design_rules as inp_rules
from qkdchip.pdk.si3n4.design_rules import design_rules as sin_rules
from qkdchip.pdk.stacks import INP_RIDGE_WIDTH_UM


def _outline(c: gf.Component, width: float, height: float) -> None:
    c.add_polygon([(0, 0), (width, 0), (width, height), (0, height)], layer="FLOORPLAN")


@gf.cell
def inp_test_die(
    chip_width_um: float = INP_WAFER_LAYOUT.die_width_um,
    chip_height_um: float = INP_WAFER_LAYOUT.die_height_um,
    cutback_loops: tuple[int, ...] = (0, 2, 4),
    cutback_loop_height_um: float = 260.0,
    laser_y_um: float = 1500.0,
    ridge_width_um: float = INP_RIDGE_WIDTH_UM,
    pad_um: float = 100.0,
    pad_pitch_um: float = 150.0,
    pad_edge_margin_um: float = 30.0,
    wire_width_um: float = 10.0,
    channel_pitch_um: float = 20.0,
) -> gf.Component:
    """InP process-control die: deep-ridge cut-back set and a stand-alone DBR laser.

    ::

        north edge  [e1][e2][e3][e4]  DC pads
        laser_w  >====[rear|gain|phase|front]====[SSC]=> laser_e (angled facet)
        cut4     >==/‾\\==/‾\\==/‾\\==/‾\\==>
        cut2     >=====/‾\\=====/‾\\=====>
        cut0     >=======================>

    Args:
        chip_width_um: die width (µm), equal to the product die.
        chip_height_um: die height (µm), equal to the product die.
        cutback_loops: loops of each cut-back ridge.
        cutback_loop_height_um: loop height (µm).
        laser_y_um: y of the laser's ridge (µm).
        ridge_width_um: ridge width (µm).
        pad_um: DC pad side (µm).
        pad_pitch_um: DC pad pitch (µm).
        pad_edge_margin_um: margin between the DC pads and the chip edges (µm).
        wire_width_um: wire width (µm).
        channel_pitch_um: wire channel pitch (µm).
    """
    radius = inp_rules().layer(CORE).min_bend_radius_um or 100.0
    c = gf.Component()
    _outline(c, chip_width_um, chip_height_um)
    _, lengths = place_cutbacks(
        c,
        loops=cutback_loops,
        y0=150.0,
        pitch=60.0,
        chip_width_um=chip_width_um,
        width=ridge_width_um,
        layer=CORE,
        radius=radius,
        loop_height=cutback_loop_height_um,
        tip=ridge_width_um,
        taper=10.0,
    )
    laser = dbr_laser(ridge_width_um=ridge_width_um)
    ssc = ssc_angled(ridge_width_um=ridge_width_um)
    overhang = ssc.dbbox().right - ssc.ports["o2"].center[0]
    ssc_ref = c << ssc
    ssc_ref.move((chip_width_um - ssc.ports["o2"].center[0] - overhang, laser_y_um))
    ref = c << laser
    x_laser = (chip_width_um - laser.dbbox().right) / 2
    ref.move((x_laser, laser_y_um))
    west = ridge_link(c, 0.0, x_laser, laser_y_um, ridge_width_um)
    x_out, x_ssc = ref.ports["o2"].center[0], ssc_ref.ports["o1"].center[0]
    ridge_link(c, x_out, x_ssc, laser_y_um, ridge_width_um)
    c.add_port("laser_e", port=ssc_ref.ports["o2"])
    c.add_port("laser_w", port=west.ports["o1"])

    sections = ("rear", "gain", "phase", "front")
    contacts = [
        Contact(f"dbr_{s}", *ref.ports[f"e{k}"].center) for k, s in enumerate(sections, start=1)
    ]
    pad_x = assign_slots(
        contacts,
        x_min_um=pad_edge_margin_um + pad_um / 2,
        x_max_um=chip_width_um - pad_edge_margin_um - pad_um / 2,
        pitch_um=pad_pitch_um,
    )
    edge_y = chip_height_um - pad_edge_margin_um - pad_um
    draw_fanout(
        c,
        contacts,
        pad_x,
        direction=1,
        channel0_y_um=max(k.y_um for k in contacts) + channel_pitch_um,
        channel_pitch_um=channel_pitch_um,
        pad_edge_y_um=edge_y,
        width_um=wire_width_um,
        layer=METAL,
    )
    nets = []
    for contact, x in zip(contacts, pad_x, strict=True):
        pad = c << pad_dc(size_um=pad_um)
        pad.move((x, edge_y + pad_um / 2))
        c.add_port(contact.net, port=pad.ports["e2"])
        nets.append(
            Net(
                contact.net,
                (
                    NetPin("contact", METAL, contact.x_um, contact.y_um),
                    NetPin("pad", METAL, x, edge_y + pad_um / 2, is_pad=True),
                ),
            )
        )
    c.info["cutback_lengths_um"] = lengths
    c.info["nets"] = [n.to_info() for n in nets]
    return c


@gf.cell
def si3n4_test_die(
    chip_width_um: float = SI3N4_WAFER_LAYOUT.die_width_um,
    chip_height_um: float = SI3N4_WAFER_LAYOUT.die_height_um,
    thickness_nm: float = 100.0,
    width_um: float = 2.8,
    sweep_radius_um: float = 300.0,
    sweep_gaps_um: tuple[float, ...] = (1.5, 2.0, 2.5, 3.0, 3.5, 4.0),
    sweep_pitch_um: float = 700.0,
    cutback_loops: tuple[int, ...] = (0, 1, 2, 3),
    cutback_loop_height_um: float = 700.0,
    tip_width_um: float = 0.3,
    taper_length_um: float = 200.0,
) -> gf.Component:
    """Si3N4 process-control die: a wide ring gap sweep and a cut-back set.

    Args:
        chip_width_um: die width (µm), equal to the comb chip.
        chip_height_um: die height (µm), equal to the comb chip.
        thickness_nm: film thickness (nm).
        width_um: waveguide width (µm).
        sweep_radius_um: radius of the gap-sweep rings (µm).
        sweep_gaps_um: gaps of the gap-sweep rings, one ring each (µm).
        sweep_pitch_um: distance between gap-sweep buses (µm).
        cutback_loops: loops of each cut-back waveguide.
        cutback_loop_height_um: loop height of the cut-back waveguides (µm).
        tip_width_um: edge-coupler tip width (µm).
        taper_length_um: edge-coupler taper length (µm).
    """
    radius = sin_rules(thickness_nm).layer("WG").min_bend_radius_um or 300.0
    c = gf.Component()
    _outline(c, chip_width_um, chip_height_um)
    y, lengths = place_cutbacks(
        c,
        loops=cutback_loops,
        y0=150.0,
        pitch=150.0,
        chip_width_um=chip_width_um,
        width=width_um,
        layer="WG",
        radius=radius,
        loop_height=cutback_loop_height_um,
        tip=tip_width_um,
        taper=taper_length_um,
    )
    coupler = edge_coupler(
        tip_width_um=tip_width_um,
        taper_length_um=taper_length_um,
        waveguide_width_um=width_um,
        thickness_nm=thickness_nm,
    )
    sweep = {}
    for k, gap in enumerate(sweep_gaps_um, start=1):
        ring = ring_point_coupled(
            radius_um=sweep_radius_um,
            width_um=width_um,
            gap_um=gap,
            thickness_nm=thickness_nm,
            bus_width_um=width_um,
        )
        place_edge_coupled(
            c,
            ring,
            x_center=chip_width_um / 2,
            y_bus=y,
            chip_width_um=chip_width_um,
            coupler=coupler,
            width=width_um,
            name=f"gap{k}",
        )
        sweep[f"gap{k}"] = gap
        y += sweep_pitch_um
    box = c.dbbox()
    if box.top > chip_height_um + 1e-6:
        raise ValueError(f"test structures need {box.top:.1f} µm > chip_height_um={chip_height_um}")
    c.info["gap_sweep_um"] = sweep
    c.info["cutback_lengths_um"] = lengths
    return c
