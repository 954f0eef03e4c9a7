"""The InP client QKD transmitter chip (12.5 x 2.0 mm die, two lanes of 3 mm modulators).

Two comb lines from the server lock two on-chip DBR lasers by injection through their rear
gratings: the signal laser and the reference laser (another comb line) that gives the
dual-wavelength phase reference. Block diagram (x east, y north; light follows the arrows)::

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
- Every ridge is deep-etched (``cross_section="xs_inp_deep"``), as the simulated grating,
  modulator and MMI are, so no etch transition is drawn. The chip takes another ridge
  cross-section; a shallow one needs 500 µm bends, which do not fit the 12.5 mm die, and a
  design that mixes the etches joins them with ``taper_deep_to_shallow``.

Needs the InP PDK active (``qkdchip.pdk.inp.get_pdk().activate()``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

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
from qkdchip.components.inp.common import ridge_layer, ridge_min_radius_um
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
CORE_XS = "xs_inp_deep"
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
    c: gf.Component,
    x0: float,
    x1: float,
    y: float,
    width: float,
    cross_section: CrossSectionSpec = CORE_XS,
) -> gf.ComponentReference:
    """Straight ridge of ``cross_section`` (deep by default) from x0 to x1 at height y (x0 < x1),
    all in µm."""
    length = round(x1 - x0, 3)
    if length <= 0:
        raise ValueError(f"no room for a link between x = {x0} and {x1} µm")
    ref = c << straight_link(length=length, width=width, cross_section=cross_section)
    ref.move((x0, y))
    return ref


def _u_turn_segments(
    *, radius_um: float, down_um: float, back_um: float, s_bend_dx_um: float, s_bend_dy_um: float
) -> tuple[tuple[float, float], ...]:
    """(radius, angle) segments of the path from the signal lane's west end down and back east
    to the combiner: a 90° bend, ``down_um`` straight, a 90° bend, ``back_um`` straight, then
    an S-bend of ``s_bend_dx_um`` x ``s_bend_dy_um`` onto the combiner's input (µm, degrees)."""
    segments: list[tuple[float, float]] = [
        (radius_um, 90.0),
        (round(down_um, 6), 0.0),
        (radius_um, 90.0),
        (round(back_um, 6), 0.0),
    ]
    for arc in s_bend_segments(dx_um=s_bend_dx_um, dy_um=s_bend_dy_um):
        assert isinstance(arc, Arc)
        segments.append((round(arc.radius_um, 6), round(arc.angle_deg, 9)))
    return tuple(segments)


def _place_lane(
    c: gf.Component,
    cells: _Cells,
    lane: str,
    *,
    cursor: float,
    y: float,
    plan: _Floorplan,
    westward: bool,
) -> tuple[list[_Placed], dict[str, float], float]:
    """Place ``lane``'s sections (inventory order) from x = ``cursor``, a ridge link before each.

    A westward lane keeps its contacts north (mirrored in x), an eastward one turns them south.

    Returns:
        The placed sections, the x of the link before each (by section key; the MZMs' lower-arm
        wires cross there) and the x where the lane ends (µm).
    """
    placed: list[_Placed] = []
    gaps: dict[str, float] = {}
    step = -plan.link_um if westward else plan.link_um
    for section in sections_in_lane(lane):
        ref = c << cells.lanes[lane][section.kind]
        if westward:
            ref.mirror_x()
        else:
            ref.mirror_y()
        ref.move((cursor + step, y))
        ridge_link(
            c,
            min(cursor, cursor + step),
            max(cursor, cursor + step),
            y,
            plan.ridge_width_um,
            plan.cross_section,
        )
        gaps[section.key] = cursor + step / 2
        placed.append(_Placed(section, ref))
        cursor = ref.ports["o2"].center[0]
    return placed, gaps, cursor


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
    cross_section: CrossSectionSpec = CORE_XS,
) -> gf.Component:
    """InP QKD transmitter for a client of a sending-or-not-sending TF-QKD network.

    The block diagram and the roles of the sections are in the module docstring.

    Args:
        chip_width_um: die width (µm); the wafer's die is 12500 µm wide.
        chip_height_um: die height (µm); the wafer's die is 2000 µm high.
        top_lane_y_um: y of the signal lane (µm).
        bottom_lane_y_um: y of the output lane after the combiner (µm).
        return_offset_um: height of the returning signal waveguide above the bottom lane (µm).
        link_um: passive ridge between neighbouring blocks (µm).
        ridge_width_um: deep-ridge width (µm).
        facet_angle_deg: facet angle of the angled spot-size converters (°).
        ssc_taper_um: taper length of the angled spot-size converters (µm).
        ssc_tip_um: tip width of the angled spot-size converters (µm).
        dbr_rear_um: DBR lasers' rear grating length (µm).
        dbr_gain_um: DBR lasers' gain section length (µm).
        dbr_phase_um: DBR lasers' phase section length (µm).
        dbr_front_um: DBR lasers' front grating length (µm).
        dbr_isolation_um: DBR lasers' isolation between adjacent contacts (µm).
        signal_period_nm: grating period of the signal laser (nm).
        reference_period_nm: grating period of the reference laser (nm).
        im_arm_length_um: arm length of the intensity modulators (MZMs) (µm).
        im_arm_separation_um: arm separation of the intensity modulators (MZMs) (µm).
        pm_length_um: phase modulator electrode length (µm).
        voa_length_um: attenuator length (µm).
        combiner_width_um: width of the 2:1 MMI combiner and of the MZMs' MMIs (µm).
        combiner_length_um: length of the 2:1 MMI combiner and of the MZMs' MMIs (µm).
        combiner_port_offset_um: port offset of the 2:1 MMI combiner and of the MZMs' MMIs (µm).
        combiner_access_width_um: access width of the 2:1 MMI combiner and of the MZMs' MMIs (µm).
        combiner_taper_um: access taper length of the 2:1 MMI combiner and of the MZMs' MMIs (µm).
        dc_pad_um: DC pad side (µm).
        rf_pad_um: RF pad side (µm).
        pad_pitch_um: slot pitch of the pad rows (µm).
        pad_edge_margin_um: distance from the chip edge to the pad rows (µm).
        wire_width_um: metal wire width (µm).
        channel_pitch_um: channel pitch of the metal wires (µm).
        label_keepout_um: no south pad left of this x, where the wafer writes the die label.
        cross_section: the ridge cross-section of every device and link (deep-etched by
            default); its layer's minimum radius sets the bends.

    Returns:
        The chip: optical ports ``in_signal``, ``in_reference``, ``out`` at the facets and one
        electrical port per pad (named after its net); ``info["nets"]`` lists every net (its
        contact and pad points) for the geometric checks.
    """
    rules = design_rules()
    settings = locals()
    wiring = _Wiring(**{f.name: settings[f.name] for f in fields(_Wiring)})
    _check_wiring_room(wiring, link_um=link_um, metal_space_um=rules.layer(METAL).min_space_um)
    cells = _chip_cells(
        ridge_width_um=ridge_width_um,
        ssc=SpotSizeConverterDesign(
            tip_width_um=ssc_tip_um, taper_length_um=ssc_taper_um, facet_angle_deg=facet_angle_deg
        ),
        laser=DbrLaserDesign(
            rear_grating_um=dbr_rear_um,
            gain_um=dbr_gain_um,
            phase_um=dbr_phase_um,
            front_grating_um=dbr_front_um,
            isolation_um=dbr_isolation_um,
        ),
        periods_nm=(signal_period_nm, reference_period_nm),
        im=MzmDesign(arm_length_um=im_arm_length_um, arm_separation_um=im_arm_separation_um),
        mmi=MmiDesign(
            width_um=combiner_width_um,
            length_um=combiner_length_um,
            port_offset_um=combiner_port_offset_um,
            access_width_um=combiner_access_width_um,
            taper_length_um=combiner_taper_um,
        ),
        pm_length_um=pm_length_um,
        voa_length_um=voa_length_um,
        cross_section=cross_section,
    )
    plan = _Floorplan(
        width_um=chip_width_um,
        top_lane_y_um=top_lane_y_um,
        bottom_lane_y_um=bottom_lane_y_um,
        return_offset_um=return_offset_um,
        link_um=link_um,
        ridge_width_um=ridge_width_um,
        radius_um=ridge_min_radius_um(ridge_layer(cross_section)),
        cross_section=cross_section,
        facet_x_um=cells.facet_x_um,
        pad_edge_margin_um=pad_edge_margin_um,
    )
    c = _die(width_um=chip_width_um, height_um=chip_height_um)
    lanes = _place_lanes(c, cells, plan)
    contacts = _contacts(c, lanes.top, lanes.bottom, lanes.signal.gaps, wiring)
    nets = _pad_rows(
        c, contacts, wiring, chip_width_um=chip_width_um, chip_height_um=chip_height_um
    )
    _describe(c, lanes, contacts=contacts, nets=nets, size_um=(chip_width_um, chip_height_um))
    c.info["grating_periods_nm"] = {"signal": signal_period_nm, "reference": reference_period_nm}
    return c


@dataclass(frozen=True)
class _Lanes:
    """The three lanes as placed and the combiner that joins them."""

    signal: _Lane
    reference: _Lane
    output: _Lane
    combiner: gf.ComponentReference

    @property
    def top(self) -> list[_Placed]:
        """The signal lane's sections (contacts north)."""
        return self.signal.placed

    @property
    def bottom(self) -> list[_Placed]:
        """The reference and output lanes' sections (contacts south)."""
        return self.reference.placed + self.output.placed


def _place_lanes(c: gf.Component, cells: _Cells, plan: _Floorplan) -> _Lanes:
    """Signal lane, reference lane, the U-turn and combiner that join them, and the output."""
    signal = _signal_lane(c, cells, plan)
    reference = _reference_lane(c, cells, plan)
    combiner = _u_turn_and_combiner(
        c, cells.mmi, plan, signal_west_um=signal.end_um, reference_east_um=reference.end_um
    )
    output = _output_lane(c, cells, plan, combiner=combiner)
    return _Lanes(signal, reference, output, combiner)


def _describe(
    c: gf.Component,
    lanes: _Lanes,
    *,
    contacts: _Contacts,
    nets: list[Net],
    size_um: tuple[float, float],
) -> None:
    """The chip's ``info``: size and block centres (µm), inputs, lanes, sections, nets, pads."""
    top, bottom = lanes.top, lanes.bottom
    c.info["chip_size_um"] = list(size_um)
    c.info["optical_inputs"] = ["in_signal", "in_reference"]
    blocks = {p.section.label: p.ref for p in (*top, *bottom)}
    blocks.update(
        {
            "SSC in": lanes.signal.ssc,
            "SSC ref": lanes.reference.ssc,
            "SSC out": lanes.output.ssc,
            "MMI 2:1": lanes.combiner,
        }
    )
    c.info["block_centres_um"] = {
        name: [round(ref.dbbox().center().x, 3), round(ref.dbbox().center().y, 3)]
        for name, ref in blocks.items()
    }
    c.info["blocks_signal_lane"] = ["ssc_in", *[p.name for p in top], "u_turn"]
    c.info["blocks_output_lane"] = ["ssc_ref", *[p.name for p in bottom], "ssc_out"]
    c.info["active_sections"] = [p.section.label for p in (*top, *bottom)]
    c.info["nets"] = [n.to_info() for n in nets]
    every = contacts.north + contacts.south
    c.info["n_dc_pads"] = sum(1 for k in every if not k.rf)
    c.info["n_gsg_pads"] = sum(1 for k in every if k.rf)


@dataclass(frozen=True)
class _Lane:
    """A lane as placed: its spot-size converter, its sections, the x of the link before each
    section (by key; the MZMs' lower-arm wires cross there) and the x where it ends (µm)."""

    ssc: gf.ComponentReference
    placed: list[_Placed]
    gaps: dict[str, float]
    end_um: float


def _die(*, width_um: float, height_um: float) -> gf.Component:
    """An empty chip with its floorplan outline (µm)."""
    c = gf.Component()
    c.add_polygon([(0, 0), (width_um, 0), (width_um, height_um), (0, height_um)], layer="FLOORPLAN")
    return c


@dataclass(frozen=True)
class _Floorplan:
    """Where the lanes run on the die (all µm)."""

    width_um: float
    top_lane_y_um: float
    bottom_lane_y_um: float
    return_offset_um: float
    link_um: float
    ridge_width_um: float
    radius_um: float
    facet_x_um: float
    pad_edge_margin_um: float
    cross_section: CrossSectionSpec


def _check_wiring_room(wiring: _Wiring, *, link_um: float, metal_space_um: float) -> None:
    """Refuse wire channels narrower than a wire and its spaces, and links with no room for
    the MZMs' crossing wires (all µm)."""
    if wiring.channel_pitch_um < wiring.wire_width_um + metal_space_um:
        raise ValueError(
            f"channel_pitch_um={wiring.channel_pitch_um} must be >= wire_width_um + metal space "
            f"({wiring.wire_width_um + metal_space_um}) µm"
        )
    if link_um < wiring.wire_width_um + 2 * metal_space_um + 10.0:
        raise ValueError(
            f"link_um={link_um} leaves no room for a {wiring.wire_width_um} µm crossing wire "
            f"(min {wiring.wire_width_um + 2 * metal_space_um + 10.0} µm)"
        )


@dataclass(frozen=True)
class _Cells:
    """The device cells the lanes place.

    Attributes:
        ssc: the angled spot-size converter (all three facets).
        lanes: lane -> device kind -> cell.
        mmi: :func:`mmi1x2` settings of the chip's MMIs (µm).
    """

    ssc: gf.Component
    lanes: dict[str, dict[str, gf.Component]]
    mmi: dict[str, Any]

    @property
    def facet_x_um(self) -> float:
        """x of the facet from the SSC's origin: the angled tip's corners reach past o2, and
        every shape stays inside the die (µm)."""
        overhang = self.ssc.dbbox().right - self.ssc.ports["o2"].center[0]
        return self.ssc.ports["o2"].center[0] + overhang


def _chip_cells(
    *,
    ridge_width_um: float,
    ssc: SpotSizeConverterDesign,
    laser: DbrLaserDesign,
    periods_nm: tuple[float, float],
    im: MzmDesign,
    mmi: MmiDesign,
    pm_length_um: float,
    voa_length_um: float,
    cross_section: CrossSectionSpec,
) -> _Cells:
    """The cells of the chip's devices, all on ``ridge_width_um`` ridges (µm) of
    ``cross_section``.

    A lane's laser is its own (Bragg period: signal, reference); MZMs sit only in the signal
    lane, whose north wiring routes their lower-arm contact. Their splitters and combiners are
    the chip's MMI, like the lane combiner.
    """
    w = ridge_width_um
    converter = ssc_angled(
        tip_width_um=ssc.tip_width_um,
        taper_length_um=ssc.taper_length_um,
        facet_angle_deg=ssc.facet_angle_deg,
        ridge_width_um=w,
        cross_section=cross_section,
    )
    modulator = mzm(
        arm_length_um=im.arm_length_um,
        arm_separation_um=im.arm_separation_um,
        ridge_width_um=w,
        mmi_width_um=mmi.width_um,
        mmi_length_um=mmi.length_um,
        mmi_port_offset_um=mmi.port_offset_um,
        mmi_access_width_um=mmi.access_width_um,
        mmi_taper_um=mmi.taper_length_um,
        cross_section=cross_section,
    )
    single = {
        "phase_modulator": phase_modulator(
            length_um=pm_length_um, ridge_width_um=w, cross_section=cross_section
        ),
        "voa": voa(length_um=voa_length_um, ridge_width_um=w, cross_section=cross_section),
    }
    sections = {
        "rear_grating_um": laser.rear_grating_um,
        "gain_um": laser.gain_um,
        "phase_um": laser.phase_um,
        "front_grating_um": laser.front_grating_um,
        "isolation_um": laser.isolation_um,
        "ridge_width_um": w,
        "cross_section": cross_section,
    }
    signal_nm, reference_nm = periods_nm
    lanes = {
        "signal": {
            "dbr_laser": dbr_laser(period_nm=signal_nm, **sections),
            "intensity_modulator": modulator,
        },
        "reference": {"dbr_laser": dbr_laser(period_nm=reference_nm, **sections), **single},
        "output": single,
    }
    for section in TRANSMITTER_SECTIONS:
        if section.kind not in lanes[section.lane]:
            raise ValueError(f"{section.label}: no {section.kind} in the {section.lane} lane")
    settings = {
        "width_um": mmi.width_um,
        "length_um": mmi.length_um,
        "port_offset_um": mmi.port_offset_um,
        "access_width_um": mmi.access_width_um,
        "taper_length_um": mmi.taper_length_um,
        "ridge_width_um": w,
        "cross_section": cross_section,
    }
    return _Cells(converter, lanes, settings)


def _signal_lane(c: gf.Component, cells: _Cells, plan: _Floorplan) -> _Lane:
    """The input SSC at the east facet and the signal lane built westwards from it."""
    ssc_in = c << cells.ssc
    ssc_in.move((plan.width_um - plan.facet_x_um, plan.top_lane_y_um))
    c.add_port("in_signal", port=ssc_in.ports["o2"])
    top, gaps, x_west = _place_lane(
        c,
        cells,
        "signal",
        cursor=ssc_in.ports["o1"].center[0],
        y=plan.top_lane_y_um,
        plan=plan,
        westward=True,
    )
    if x_west - 2 * plan.radius_um < plan.pad_edge_margin_um:
        need = plan.width_um - x_west + 2 * plan.radius_um + plan.pad_edge_margin_um
        raise ValueError(
            f"the signal lane needs {need:.1f} µm but chip_width_um={plan.width_um}; "
            "shorten the lasers or modulators"
        )
    return _Lane(ssc_in, top, gaps, x_west)


def _reference_lane(c: gf.Component, cells: _Cells, plan: _Floorplan) -> _Lane:
    """The reference SSC at the west facet and the reference lane built eastwards, on the
    combiner's lower input."""
    y_ref = plan.bottom_lane_y_um - 1.5
    ssc_ref = c << cells.ssc
    ssc_ref.mirror_x()
    ssc_ref.move((plan.facet_x_um, y_ref))
    c.add_port("in_reference", port=ssc_ref.ports["o2"])
    bottom, gaps, cursor = _place_lane(
        c,
        cells,
        "reference",
        cursor=ssc_ref.ports["o1"].center[0],
        y=y_ref,
        plan=plan,
        westward=False,
    )
    return _Lane(ssc_ref, bottom, gaps, cursor)


def _u_turn_and_combiner(
    c: gf.Component,
    mmi: dict[str, Any],
    plan: _Floorplan,
    *,
    signal_west_um: float,
    reference_east_um: float,
) -> gf.ComponentReference:
    """The U-turn from the signal lane's west end down to the combiner's upper input, the
    reference lane's link to its lower input, and the 2:1 MMI combiner (µm)."""
    radius, w = plan.radius_um, plan.ridge_width_um
    y_top, y_comb = plan.top_lane_y_um, plan.bottom_lane_y_um
    y_ret = y_comb + plan.return_offset_um
    vertical = y_top - y_ret - 2 * radius
    if vertical <= 0:
        raise ValueError(
            f"lanes at y = {y_top} and {y_ret} µm are closer than two bends of {radius} µm"
        )
    dy_s = (y_comb + 1.5) - y_ret
    dx_s = s_bend_min_dx_um(dy_um=dy_s, min_radius_um=radius)
    x_comb_in = max(reference_east_um + plan.link_um, signal_west_um + dx_s + plan.link_um)
    segments = _u_turn_segments(
        radius_um=radius,
        down_um=vertical,
        back_um=x_comb_in - signal_west_um - dx_s,
        s_bend_dx_um=dx_s,
        s_bend_dy_um=dy_s,
    )
    u_turn = c << path_waveguide(segments=segments, width=w, cross_section=plan.cross_section)
    u_turn.rotate(180)
    u_turn.move((signal_west_um, y_top))
    ridge_link(c, reference_east_um, x_comb_in, y_comb - 1.5, w, plan.cross_section)
    combiner = c << mmi1x2(**mmi)
    combiner.rotate(180)
    combiner.move((x_comb_in - combiner.ports["o3"].center[0], y_comb))
    return combiner


def _output_lane(
    c: gf.Component, cells: _Cells, plan: _Floorplan, *, combiner: gf.ComponentReference
) -> _Lane:
    """The common output lane from the combiner eastwards and the output SSC at the east
    facet."""
    y_comb = plan.bottom_lane_y_um
    output, gaps, cursor = _place_lane(
        c,
        cells,
        "output",
        cursor=combiner.ports["o1"].center[0],
        y=y_comb,
        plan=plan,
        westward=False,
    )
    ssc_out = c << cells.ssc
    ssc_out.move((plan.width_um - plan.facet_x_um, y_comb))
    overflow = cursor + plan.link_um - ssc_out.ports["o1"].center[0]
    if overflow > 0:
        raise ValueError(
            f"the reference and output lanes need {plan.width_um + overflow:.1f} µm but "
            f"chip_width_um={plan.width_um}; shorten the phase modulators, VOAs or lasers"
        )
    ridge_link(
        c,
        cursor,
        ssc_out.ports["o1"].center[0],
        y_comb,
        plan.ridge_width_um,
        plan.cross_section,
    )
    c.add_port("out", port=ssc_out.ports["o2"])
    return _Lane(ssc_out, output, gaps, ssc_out.ports["o2"].center[0])


@dataclass(frozen=True)
class _Wiring:
    """Metal wires and pad rows of the chip (all µm)."""

    wire_width_um: float
    channel_pitch_um: float
    dc_pad_um: float
    rf_pad_um: float
    pad_pitch_um: float
    pad_edge_margin_um: float
    label_keepout_um: float


@dataclass(frozen=True)
class _Contacts:
    """Every contact of the chip, by pad row, with the device pin each one serves.

    Attributes:
        north, south: the contacts that the north and south pad rows serve.
        pins: net -> (x, y) of its contact on the device.
        y_virtual_um: height of the north row's contacts above the signal lane.
    """

    north: list[Contact]
    south: list[Contact]
    pins: dict[str, tuple[float, float]]
    y_virtual_um: float


_LASER_SECTIONS = ("rear", "gain", "phase", "front")


def _contacts(
    c: gf.Component,
    top: list[_Placed],
    bottom: list[_Placed],
    gaps: dict[str, float],
    wiring: _Wiring,
) -> _Contacts:
    """One contact per electrode: the signal lane's to the north (each MZM's lower arm by a wire
    down, east under it and up through the gap east of it), the lower lanes' to the south."""
    pins: dict[str, tuple[float, float]] = {}
    top_port_y = max(p.center[1] for placed in top for p in placed.ref.ports if p.name[0] == "e")
    y_virtual = top_port_y + wiring.channel_pitch_um

    def add_contact(
        row: list[Contact], placed: _Placed, net: str, port: str, *, rf: bool = False
    ) -> None:
        x, y = placed.ref.ports[port].center
        row.append(Contact(net, x, y, rf=rf))
        pins[net] = (x, y)

    def add_laser(row: list[Contact], placed: _Placed) -> None:
        for k, section in enumerate(_LASER_SECTIONS, start=1):
            add_contact(row, placed, f"{placed.name}_{section}", f"e{k}")

    north: list[Contact] = []
    for placed in top:
        if placed.section.kind == "dbr_laser":
            add_laser(north, placed)
            continue
        add_contact(north, placed, f"{placed.name}_rf", "e1", rf=True)
        x2, y2 = placed.ref.ports["e2"].center
        y_drop = y2 - wiring.channel_pitch_um
        x_gap = gaps[placed.name]
        c.add_polygon(
            wire_polygon(
                [(x2, y2), (x2, y_drop), (x_gap, y_drop), (x_gap, y_virtual)],
                wiring.wire_width_um,
            ),
            layer=METAL,
        )
        north.append(Contact(f"{placed.name}_bias", x_gap, y_virtual))
        pins[f"{placed.name}_bias"] = (x2, y2)
    south: list[Contact] = []
    for placed in bottom:
        if placed.section.kind == "dbr_laser":
            add_laser(south, placed)
            continue
        rf = placed.section.kind == "phase_modulator"
        add_contact(south, placed, f"{placed.name}_{'rf' if rf else 'bias'}", "e1", rf=rf)
    return _Contacts(north=north, south=south, pins=pins, y_virtual_um=y_virtual)


def _pad_rows(
    c: gf.Component,
    contacts: _Contacts,
    wiring: _Wiring,
    *,
    chip_width_um: float,
    chip_height_um: float,
) -> list[Net]:
    """A pad per contact in a row along the north and the south edge (DC pads, GSG groups for
    RF), fanned out without crossings; every pad is a port named after its net."""
    pad_depth = max(wiring.dc_pad_um, wiring.rf_pad_um)
    half = wiring.dc_pad_um / 2
    nets: list[Net] = []
    for row, direction in ((contacts.north, 1), (contacts.south, -1)):
        row.sort(key=lambda k: k.x_um)
        x_lo = wiring.pad_edge_margin_um + half if direction > 0 else wiring.label_keepout_um + half
        pad_x = assign_slots(
            row,
            x_min_um=x_lo,
            x_max_um=chip_width_um - wiring.pad_edge_margin_um - half,
            pitch_um=wiring.pad_pitch_um,
        )
        if direction > 0:
            edge_y = chip_height_um - wiring.pad_edge_margin_um - pad_depth
            channel0 = contacts.y_virtual_um + wiring.channel_pitch_um
        else:
            edge_y = wiring.pad_edge_margin_um + pad_depth
            channel0 = min(k.y_um for k in row) - wiring.channel_pitch_um
        draw_fanout(
            c,
            row,
            pad_x,
            direction=direction,
            channel0_y_um=channel0,
            channel_pitch_um=wiring.channel_pitch_um,
            pad_edge_y_um=edge_y,
            width_um=wiring.wire_width_um,
            layer=METAL,
        )
        for contact, x in zip(row, pad_x, strict=True):
            size = wiring.rf_pad_um if contact.rf else wiring.dc_pad_um
            yc = edge_y + direction * size / 2
            pad = c << (
                pad_gsg(size_um=wiring.rf_pad_um, pitch_um=wiring.pad_pitch_um)
                if contact.rf
                else pad_dc(size_um=wiring.dc_pad_um)
            )
            if direction < 0 and contact.rf:
                pad.rotate(180)
            pad.move((x, yc))
            outer = "e2" if contact.rf or direction > 0 else "e4"
            c.add_port(contact.net, port=pad.ports[outer])
            nets.append(
                Net(
                    name=contact.net,
                    pins=(
                        NetPin("contact", METAL, *contacts.pins[contact.net]),
                        NetPin("pad", METAL, x, yc, is_pad=True),
                    ),
                )
            )
    return nets
