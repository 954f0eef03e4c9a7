"""The InP client QKD transmitter chip (12.0 x 2.0 mm die, two lanes of 3 mm modulators).

Needs the InP PDK active (``qkdchip.pdk.inp.get_pdk().activate()``).
"""

from __future__ import annotations

from dataclasses import dataclass

import gdsfactory as gf

from qkdchip.circuits.checks import Net, NetPin
from qkdchip.circuits.fanout import Contact, assign_slots, draw_fanout, wire_polygon
from qkdchip.circuits.inventory import TRANSMITTER_SECTIONS, ActiveSection, sections_in_lane
from qkdchip.circuits.wafer_geometry import INP_WAFER_LAYOUT
from qkdchip.circuits.waveguides import path_waveguide, straight_link
from qkdchip.components.designs import (
    DBR_PERIOD_NM,
    DbrLaserDesign,
    MmiDesign,
    MzmDesign,
    PhaseModulatorDesign,
    SpotSizeConverterDesign,
    VoaDesign,
)
from qkdchip.components.geometry import Arc, s_bend_min_dx_um, s_bend_segments
from qkdchip.components.inp import (
    dbr_laser,
    mmi1x2,
    mzm,
    pad_dc,
    pad_gsg,
    phase_modulator,
    ssc_angled,
    voa,
)
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.stacks import INP_RIDGE_WIDTH_UM

_LASER = DbrLaserDesign()
_IM = MzmDesign()
_PM = PhaseModulatorDesign()
_MMI = MmiDesign()
_VOA = VoaDesign()
_SSC = SpotSizeConverterDesign()
# The cell's device defaults are the design records' (qkdchip.components.chip_designs joins them).
CORE = "WG_DEEP"
METAL = "METAL_P"


@dataclass(frozen=True)
class _Placed:
    """An active section placed in a lane: its inventory entry and its reference."""

    section: ActiveSection
    ref: gf.ComponentReference

    @property
    def name(self) -> str:
        return self.section.key


def ridge_link(
    c: gf.Component, x0: float, x1: float, y: float, width: float
) -> gf.ComponentReference:
    """Straight deep ridge from x0 to x1 at height y (x0 < x1), all in µm."""
    length = round(x1 - x0, 3)
    if length <= 0:
        raise ValueError(f"no room for a link between x = {x0} and {x1} µm")
    ref = c << straight_link(length=length, width=width, layer=CORE)
    ref.move((x0, y))
    return ref


@gf.cell
def transmitter_chip(
    chip_width_um: float = INP_WAFER_LAYOUT.die_width_um,
    chip_height_um: float = INP_WAFER_LAYOUT.die_height_um,
    top_lane_y_um: float = 1400.0,
    bottom_lane_y_um: float = 560.0,
    return_offset_um: float = 80.0,
    link_um: float = 40.0,
    ridge_width_um: float = INP_RIDGE_WIDTH_UM,
    facet_angle_deg: float = _SSC.facet_angle_deg,
    ssc_taper_um: float = _SSC.taper_length_um,
    ssc_tip_um: float = _SSC.tip_width_um,
    dbr_rear_um: float = _LASER.rear_grating_um,
    dbr_gain_um: float = _LASER.gain_um,
    dbr_phase_um: float = _LASER.phase_um,
    dbr_front_um: float = _LASER.front_grating_um,
    dbr_isolation_um: float = _LASER.isolation_um,
    signal_period_nm: float = DBR_PERIOD_NM,
    reference_period_nm: float = DBR_PERIOD_NM + 1.0,
    im_arm_length_um: float = _IM.arm_length_um,
    im_arm_separation_um: float = _IM.arm_separation_um,
    pm_length_um: float = _PM.length_um,
    voa_length_um: float = _VOA.length_um,
    combiner_width_um: float = _MMI.width_um,
    combiner_length_um: float = _MMI.length_um,
    combiner_port_offset_um: float = _MMI.port_offset_um,
    combiner_access_width_um: float = _MMI.access_width_um,
    combiner_taper_um: float = _MMI.taper_length_um,
    dc_pad_um: float = 100.0,
    rf_pad_um: float = 80.0,
    pad_pitch_um: float = 150.0,
    pad_edge_margin_um: float = 30.0,
    wire_width_um: float = 10.0,
    channel_pitch_um: float = 20.0,
    label_keepout_um: float = 350.0,
) -> gf.Component:
    """InP QKD transmitter for a client of a sending-or-not-sending TF-QKD network.

    Two comb lines from the server lock two on-chip DBR lasers by injection through their rear
    gratings: the signal laser (Bragg period ``signal_period_nm``) and the reference laser
    (``reference_period_nm``, another comb line) that gives the dual-wavelength phase
    reference. Block diagram (x east, y north; light follows the arrows)::

         north edge: DC pads (150 µm slot pitch) and GSG pads, one pad per contact
       +----------------------------------------------------------------------------+
       |  .--[IM II]<-[IM I]<-[IM III]<-[DBR sig]<-[SSC in]<=== in_signal (comb line 1)
       |  |   MZM      MZM     MZM    rear|gain|phase|front                         |
       |  |  U-turn, deep ridge, R = 100 µm                                         |
       |  '------------------.                                                      |
    in_reference ==>[SSC ref]->[DBR ref]->[PM ref]->[MMI 2:1]->[PM I]->[PM II]->[VOA I]
     (comb line 2)   |                                         ->[VOA II]->[SSC out]==> out
       +----------------------------------------------------------------------------+
         south edge: DC pads and GSG pads; all three SSCs meet their facet at 7 degrees

    - IM III carves pulses; IM I and IM II set the decoy and signal intensities (push-pull
      capable MZMs: the upper arm is driven through a GSG pad, the lower arm biased through a
      DC pad). A GSG group's signal pad is p-metal wired to the electrode; its two ground pads
      are n-metal top-side contacts to the n-InP that every p-i-n section shares.
    - PM ref modulates the reference pulses; after the 2:1 MMI both wavelengths share PM I
      (phase encoding) and PM II (phase randomisation), both driven in the signal slots, and
      two VOAs in series that bring the output to the single-photon level.
    - The active sections, their order in each lane and their kinds come from
      :data:`qkdchip.circuits.inventory.TRANSMITTER_SECTIONS`, the list the wafer-yield model
      counts; ``info["active_sections"]`` lists the labels drawn.
    - Every contact (4 per laser, 2 per MZM, 1 per PM and VOA) has its own pad at the chip
      edge, wired without crossings; the lower-arm wire of each MZM crosses the passive ridge
      in the gap east of its MZM (metal over a passive waveguide, never over another contact).

    Args:
        chip_width_um, chip_height_um: die size (µm); the wafer's die is 12000 x 2000 µm.
        top_lane_y_um: y of the signal lane (µm).
        bottom_lane_y_um: y of the output lane after the combiner (µm).
        return_offset_um: height of the returning signal waveguide above the bottom lane (µm).
        link_um: passive ridge between neighbouring blocks (µm).
        ridge_width_um: deep-ridge width (µm).
        facet_angle_deg, ssc_taper_um, ssc_tip_um: angled spot-size converters.
        dbr_rear_um, dbr_gain_um, dbr_phase_um, dbr_front_um, dbr_isolation_um: DBR sections.
        signal_period_nm, reference_period_nm: grating periods of the two lasers (nm).
        im_arm_length_um, im_arm_separation_um: intensity modulators (MZMs) (µm).
        pm_length_um: phase modulator electrode length (µm).
        voa_length_um: attenuator length (µm).
        combiner_width_um, combiner_length_um, combiner_port_offset_um,
        combiner_access_width_um, combiner_taper_um: the 2:1 MMI combiner (µm).
        dc_pad_um, rf_pad_um, pad_pitch_um: pad sides and the slot pitch of the pad rows (µm).
        pad_edge_margin_um: distance from the chip edge to the pad rows (µm).
        wire_width_um, channel_pitch_um: metal wires and their channel pitch (µm).
        label_keepout_um: no south pad left of this x, where the wafer writes the die label.

    Returns:
        The chip: optical ports ``in_signal``, ``in_reference``, ``out`` at the facets and one
        electrical port per pad (named after its net); ``info["nets"]`` lists every net (its
        contact and pad points) for the geometric checks.
    """
    rules = design_rules()
    radius = rules.layer(CORE).min_bend_radius_um or 100.0
    metal_space = rules.layer(METAL).min_space_um
    if channel_pitch_um < wire_width_um + metal_space:
        raise ValueError(
            f"channel_pitch_um={channel_pitch_um} must be >= wire_width_um + metal space "
            f"({wire_width_um + metal_space}) µm"
        )
    if link_um < wire_width_um + 2 * metal_space + 10.0:
        raise ValueError(
            f"link_um={link_um} leaves no room for a {wire_width_um} µm crossing wire "
            f"(min {wire_width_um + 2 * metal_space + 10.0} µm)"
        )
    w = ridge_width_um
    dbr = {
        "rear_grating_um": dbr_rear_um,
        "gain_um": dbr_gain_um,
        "phase_um": dbr_phase_um,
        "front_grating_um": dbr_front_um,
        "isolation_um": dbr_isolation_um,
        "ridge_width_um": w,
    }
    ssc = ssc_angled(
        tip_width_um=ssc_tip_um,
        taper_length_um=ssc_taper_um,
        facet_angle_deg=facet_angle_deg,
        ridge_width_um=w,
    )
    im = mzm(
        arm_length_um=im_arm_length_um, arm_separation_um=im_arm_separation_um, ridge_width_um=w
    )
    pm = phase_modulator(length_um=pm_length_um, ridge_width_um=w)
    att = voa(length_um=voa_length_um, ridge_width_um=w)
    W, H = chip_width_um, chip_height_um
    # the angled tip's corners reach past o2; keep every shape inside the die
    overhang = ssc.dbbox().right - ssc.ports["o2"].center[0]
    facet_x = ssc.ports["o2"].center[0] + overhang
    dbr_sig = dbr_laser(period_nm=signal_period_nm, **dbr)
    dbr_ref = dbr_laser(period_nm=reference_period_nm, **dbr)
    # the cell of each device kind each lane can take: a lane's laser is its own (Bragg
    # period); MZMs only in the signal lane, whose north wiring routes their lower-arm contact
    single = {"phase_modulator": pm, "voa": att}
    cells = {
        "signal": {"dbr_laser": dbr_sig, "intensity_modulator": im},
        "reference": {"dbr_laser": dbr_ref, **single},
        "output": single,
    }
    for section in TRANSMITTER_SECTIONS:
        if section.kind not in cells[section.lane]:
            raise ValueError(f"{section.label}: no {section.kind} in the {section.lane} lane")

    c = gf.Component()
    c.add_polygon([(0, 0), (W, 0), (W, H), (0, H)], layer="FLOORPLAN")
    y_top = top_lane_y_um
    y_comb = bottom_lane_y_um

    # --- signal lane, built westwards from the east facet ------------------------------------
    ssc_in = c << ssc
    ssc_in.move((W - facet_x, y_top))
    c.add_port("in_signal", port=ssc_in.ports["o2"])
    cursor = ssc_in.ports["o1"].center[0]
    top: list[_Placed] = []
    gaps: dict[str, float] = {}
    for section in sections_in_lane("signal"):
        ref = c << cells["signal"][section.kind]
        ref.mirror_x()  # heads west, contacts stay north
        ref.move((cursor - link_um, y_top))
        ridge_link(c, cursor - link_um, cursor, y_top, w)
        gaps[section.key] = cursor - link_um / 2
        top.append(_Placed(section, ref))
        cursor = ref.ports["o2"].center[0]
    x_west = cursor
    if x_west - 2 * radius < pad_edge_margin_um:
        raise ValueError(
            f"the signal lane needs {W - x_west + 2 * radius + pad_edge_margin_um:.1f} µm but "
            f"chip_width_um={W}; shorten the lasers or modulators"
        )

    # --- reference lane from the west facet ---------------------------------------------------
    y_ref = y_comb - 1.5  # lower input of the combiner
    ssc_ref = c << ssc
    ssc_ref.mirror_x()
    ssc_ref.move((facet_x, y_ref))
    c.add_port("in_reference", port=ssc_ref.ports["o2"])
    cursor = ssc_ref.ports["o1"].center[0]
    bottom: list[_Placed] = []
    for section in sections_in_lane("reference"):
        ref = c << cells["reference"][section.kind]
        ref.mirror_y()  # contacts face south
        ref.move((cursor + link_um, y_ref))
        ridge_link(c, cursor, cursor + link_um, y_ref, w)
        bottom.append(_Placed(section, ref))
        cursor = ref.ports["o2"].center[0]

    # --- U-turn from the signal lane down to the combiner's upper input ----------------------
    y_ret = y_comb + return_offset_um
    vertical = y_top - y_ret - 2 * radius
    if vertical <= 0:
        raise ValueError(
            f"lanes at y = {y_top} and {y_ret} µm are closer than two bends of {radius} µm"
        )
    dy_s = (y_comb + 1.5) - y_ret
    dx_s = s_bend_min_dx_um(dy_um=dy_s, min_radius_um=radius)
    x_comb_in = max(cursor + link_um, x_west + dx_s + link_um)
    straight_back = x_comb_in - x_west - dx_s
    segments: list[tuple[float, float]] = [
        (radius, 90.0),
        (round(vertical, 6), 0.0),
        (radius, 90.0),
        (round(straight_back, 6), 0.0),
    ]
    for arc in s_bend_segments(dx_um=dx_s, dy_um=dy_s):
        assert isinstance(arc, Arc)
        segments.append((round(arc.radius_um, 6), round(arc.angle_deg, 9)))
    u_turn = c << path_waveguide(segments=tuple(segments), width=w, layer=CORE)
    u_turn.rotate(180)
    u_turn.move((x_west, y_top))
    ridge_link(c, cursor, x_comb_in, y_ref, w)

    combiner = c << mmi1x2(
        width_um=combiner_width_um,
        length_um=combiner_length_um,
        port_offset_um=combiner_port_offset_um,
        access_width_um=combiner_access_width_um,
        taper_length_um=combiner_taper_um,
        ridge_width_um=w,
    )
    combiner.rotate(180)
    combiner.move((x_comb_in - combiner.ports["o3"].center[0], y_comb))

    # --- common output lane ---------------------------------------------------------------------
    cursor = combiner.ports["o1"].center[0]
    for section in sections_in_lane("output"):
        ref = c << cells["output"][section.kind]
        ref.mirror_y()
        ref.move((cursor + link_um, y_comb))
        ridge_link(c, cursor, cursor + link_um, y_comb, w)
        bottom.append(_Placed(section, ref))
        cursor = ref.ports["o2"].center[0]
    ssc_out = c << ssc
    ssc_out.move((W - facet_x, y_comb))
    overflow = cursor + link_um - ssc_out.ports["o1"].center[0]
    if overflow > 0:
        raise ValueError(
            f"the reference and output lanes need {W + overflow:.1f} µm but "
            f"chip_width_um={W}; shorten the phase modulators, VOAs or lasers"
        )
    ridge_link(c, cursor, ssc_out.ports["o1"].center[0], y_comb, w)
    c.add_port("out", port=ssc_out.ports["o2"])

    # --- contacts -------------------------------------------------------------------------------
    north: list[Contact] = []
    device_pins: dict[str, tuple[float, float]] = {}
    sections = ("rear", "gain", "phase", "front")
    top_port_y = max(p.center[1] for placed in top for p in placed.ref.ports if p.name[0] == "e")
    y_virtual = top_port_y + channel_pitch_um

    def add_contact(
        row: list[Contact], placed: _Placed, net: str, port: str, *, rf: bool = False
    ) -> None:
        x, y = placed.ref.ports[port].center
        row.append(Contact(net, x, y, rf=rf))
        device_pins[net] = (x, y)

    def add_laser(row: list[Contact], placed: _Placed) -> None:
        for k, section in enumerate(sections, start=1):
            add_contact(row, placed, f"{placed.name}_{section}", f"e{k}")

    for placed in top:
        ports = placed.ref.ports
        if placed.section.kind == "dbr_laser":
            add_laser(north, placed)
            continue
        add_contact(north, placed, f"{placed.name}_rf", "e1", rf=True)
        # lower arm: down, east under the MZM, up through the gap east of it
        x2, y2 = ports["e2"].center
        y_drop = y2 - channel_pitch_um
        x_gap = gaps[placed.name]
        c.add_polygon(
            wire_polygon(
                [(x2, y2), (x2, y_drop), (x_gap, y_drop), (x_gap, y_virtual)], wire_width_um
            ),
            layer=METAL,
        )
        north.append(Contact(f"{placed.name}_bias", x_gap, y_virtual))
        device_pins[f"{placed.name}_bias"] = (x2, y2)
    south: list[Contact] = []
    for placed in bottom:
        if placed.section.kind == "dbr_laser":
            add_laser(south, placed)
            continue
        rf = placed.section.kind == "phase_modulator"
        add_contact(south, placed, f"{placed.name}_{'rf' if rf else 'bias'}", "e1", rf=rf)

    # --- pad rows and fan-outs --------------------------------------------------------------
    pad_depth = max(dc_pad_um, rf_pad_um)
    nets: list[Net] = []
    for contacts, direction in ((north, 1), (south, -1)):
        contacts.sort(key=lambda k: k.x_um)
        half = dc_pad_um / 2
        x_lo = pad_edge_margin_um + half if direction > 0 else label_keepout_um + half
        pad_x = assign_slots(
            contacts, x_min_um=x_lo, x_max_um=W - pad_edge_margin_um - half, pitch_um=pad_pitch_um
        )
        if direction > 0:
            edge_y = H - pad_edge_margin_um - pad_depth
            channel0 = y_virtual + channel_pitch_um
        else:
            edge_y = pad_edge_margin_um + pad_depth
            channel0 = min(k.y_um for k in contacts) - channel_pitch_um
        draw_fanout(
            c,
            contacts,
            pad_x,
            direction=direction,
            channel0_y_um=channel0,
            channel_pitch_um=channel_pitch_um,
            pad_edge_y_um=edge_y,
            width_um=wire_width_um,
            layer=METAL,
        )
        for contact, x in zip(contacts, pad_x, strict=True):
            size = rf_pad_um if contact.rf else dc_pad_um
            yc = edge_y + direction * size / 2
            pad = c << (
                pad_gsg(size_um=rf_pad_um, pitch_um=pad_pitch_um)
                if contact.rf
                else pad_dc(size_um=dc_pad_um)
            )
            if direction < 0 and contact.rf:
                pad.rotate(180)
            pad.move((x, yc))
            if contact.rf:
                outer = "e2"
                c.add_port(contact.net, port=pad.ports[outer])
            else:
                c.add_port(contact.net, port=pad.ports["e2" if direction > 0 else "e4"])
            nets.append(
                Net(
                    name=contact.net,
                    pins=(
                        NetPin("contact", METAL, *device_pins[contact.net]),
                        NetPin("pad", METAL, x, yc, is_pad=True),
                    ),
                )
            )

    c.info["chip_size_um"] = [W, H]
    c.info["optical_inputs"] = ["in_signal", "in_reference"]
    blocks = {p.section.label: p.ref for p in (*top, *bottom)}
    blocks.update({"SSC in": ssc_in, "SSC ref": ssc_ref, "SSC out": ssc_out, "MMI 2:1": combiner})
    c.info["block_centres_um"] = {
        name: [round(ref.dbbox().center().x, 3), round(ref.dbbox().center().y, 3)]
        for name, ref in blocks.items()
    }
    c.info["blocks_signal_lane"] = ["ssc_in", *[p.name for p in top], "u_turn"]
    c.info["blocks_output_lane"] = ["ssc_ref", *[p.name for p in bottom], "ssc_out"]
    c.info["active_sections"] = [p.section.label for p in (*top, *bottom)]
    c.info["nets"] = [n.to_info() for n in nets]
    c.info["n_dc_pads"] = sum(1 for k in north + south if not k.rf)
    c.info["n_gsg_pads"] = sum(1 for k in north + south if k.rf)
    c.info["bragg_wavelengths_nm"] = {
        "signal": float(dbr_sig.info["bragg_wavelength_nm"]),
        "reference": float(dbr_ref.info["bragg_wavelength_nm"]),
    }
    return c
