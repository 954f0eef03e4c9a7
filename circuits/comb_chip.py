"""The Si3N4 microcomb chip of the server: comb ring with heater, gap-sweep rings, cut-back set.

Needs the Si3N4 PDK active (``qkdchip.pdk.si3n4.get_pdk().activate()``).
"""

from __future__ import annotations

from dataclasses import dataclass

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.circuits.wafer_geometry import SI3N4_WAFER_LAYOUT
from qkdchip.circuits.waveguides import place_cutbacks, straight_link
from qkdchip.components.designs import RingDesign
from qkdchip.components.si3n4 import edge_coupler, ring_heater, ring_point_coupled
from qkdchip.components.si3n4.common import film_cross_section
from qkdchip.pdk.si3n4.design_rules import design_rules

COMB_RING = RingDesign()
"""The comb ring the chip draws by default: the simulated reference ring (``RingDesign()``
equals :func:`~qkdchip.simulations.devices.defaults.reference_ring_design`, whose resonances
and D_int the shipped ring result holds)."""


def _join(c: gf.Component, a: gf.Port, b: gf.Port, width: float) -> None:
    """Join two facing, colinear ports on the same horizontal line with a straight link in
    ``a``'s cross-section."""
    if abs(a.center[1] - b.center[1]) > 1e-6:
        raise ValueError(f"ports at y={a.center[1]} and y={b.center[1]} are not colinear")
    x0, x1 = sorted((a.center[0], b.center[0]))
    ref = c << straight_link(
        length=round(x1 - x0, 3), width=width, cross_section=a.info["cross_section"]
    )
    ref.move((x0, a.center[1]))


def place_edge_coupled(
    c: gf.Component,
    device: gf.Component,
    *,
    x_center: float,
    y_bus: float,
    chip_width_um: float,
    coupler: gf.Component,
    width: float,
    name: str,
) -> gf.ComponentReference:
    """Place ``device`` (bus ports o1/o2 on y=0) and wire its bus to both facets."""
    ref = c << device
    ref.move((x_center, y_bus))
    west = c << coupler
    west.move((0.0, y_bus))
    east = c << coupler
    east.mirror_x()
    east.move((chip_width_um, y_bus))
    _join(c, west.ports["o2"], ref.ports["o1"], width)
    _join(c, ref.ports["o2"], east.ports["o2"], width)
    c.add_port(f"{name}_w", port=west.ports["o1"])
    c.add_port(f"{name}_e", port=east.ports["o1"])
    return ref


@dataclass(frozen=True)
class _Facets:
    """Die width (µm), film (nm), waveguide cross-section, width and bend radius (µm) and edge
    coupler that every structure on the chip shares."""

    chip_width_um: float
    thickness_nm: float
    cross_section: CrossSectionSpec
    width_um: float
    min_radius_um: float
    tip_width_um: float
    taper_length_um: float
    coupler: gf.Component


def _facets(
    *,
    chip_width_um: float,
    thickness_nm: float,
    width_um: float,
    tip_width_um: float,
    taper_length_um: float,
    cross_section: CrossSectionSpec | None,
) -> _Facets:
    """The shared facets of a die ``chip_width_um`` wide with inverse-taper couplers (µm)."""
    min_radius = design_rules(thickness_nm).layer("WG").min_bend_radius_um or 0.0
    xs = film_cross_section(cross_section, thickness_nm)
    coupler = edge_coupler(
        tip_width_um=tip_width_um,
        taper_length_um=taper_length_um,
        waveguide_width_um=width_um,
        thickness_nm=thickness_nm,
        cross_section=xs,
    )
    return _Facets(
        chip_width_um=chip_width_um,
        thickness_nm=thickness_nm,
        cross_section=xs,
        width_um=width_um,
        min_radius_um=min_radius,
        tip_width_um=tip_width_um,
        taper_length_um=taper_length_um,
        coupler=coupler,
    )


def _floorplan(*, chip_width_um: float, chip_height_um: float) -> gf.Component:
    """An empty die with its outline on FLOORPLAN, south-west corner at the origin (µm)."""
    c = gf.Component()
    c.add_polygon(
        [(0, 0), (chip_width_um, 0), (chip_width_um, chip_height_um), (0, chip_height_um)],
        layer="FLOORPLAN",
    )
    return c


def _place_cutbacks(
    c: gf.Component,
    facets: _Facets,
    *,
    loops: tuple[int, ...],
    y0_um: float,
    pitch_um: float,
    loop_height_um: float,
) -> tuple[float, dict[str, float]]:
    """Stack the cut-back waveguides from ``y0_um`` upwards; return the next free bus height
    and the length of each set (µm)."""
    return place_cutbacks(
        c,
        loops=loops,
        y0=y0_um,
        pitch=pitch_um,
        chip_width_um=facets.chip_width_um,
        width=facets.width_um,
        layer="WG",
        radius=facets.min_radius_um,
        loop_height=loop_height_um,
        tip=facets.tip_width_um,
        taper=facets.taper_length_um,
        cross_section=facets.cross_section,
    )


def _place_gap_sweep(
    c: gf.Component,
    facets: _Facets,
    *,
    radius_um: float,
    gaps_um: tuple[float, ...],
    pitch_um: float,
    y0_um: float,
) -> tuple[float, dict[str, float]]:
    """Place one ring per gap, each on its own bus, from ``y0_um`` upwards in ``pitch_um`` steps;
    return the next free bus height and the gap of each ring by structure name (µm)."""
    y = y0_um
    sweep = {}
    for k, gap in enumerate(gaps_um, start=1):
        ring = ring_point_coupled(
            radius_um=radius_um,
            width_um=facets.width_um,
            gap_um=gap,
            thickness_nm=facets.thickness_nm,
            bus_width_um=facets.width_um,
            cross_section=facets.cross_section,
        )
        place_edge_coupled(
            c,
            ring,
            x_center=facets.chip_width_um / 2,
            y_bus=y,
            chip_width_um=facets.chip_width_um,
            coupler=facets.coupler,
            width=facets.width_um,
            name=f"gap{k}",
        )
        sweep[f"gap{k}"] = gap
        y += pitch_um
    return y, sweep


def _heater_pad_offset(
    facets: _Facets,
    *,
    radius_um: float,
    gap_um: float,
    y_bus_um: float,
    chip_height_um: float,
    pad_size_um: float,
    pad_edge_margin_um: float,
) -> float:
    """Height of the heater pads above the comb ring's top that leaves ``pad_edge_margin_um``
    between the pads' top edge and the north chip edge (µm)."""
    probe = ring_point_coupled(
        radius_um=radius_um,
        width_um=facets.width_um,
        gap_um=gap_um,
        thickness_nm=facets.thickness_nm,
        bus_width_um=facets.width_um,
    )
    ring_top = float(probe.info["ring_center_y_um"]) + radius_um + facets.width_um / 2
    pad_offset = chip_height_um - pad_edge_margin_um - pad_size_um - (y_bus_um + ring_top)
    if pad_offset < 20.0:
        raise ValueError(
            f"chip_height_um={chip_height_um} is too small: the comb ring and its pads need "
            f"{chip_height_um - pad_offset + 20.0:.1f} µm"
        )
    return pad_offset


def _place_comb(
    c: gf.Component,
    facets: _Facets,
    *,
    radius_um: float,
    gap_um: float,
    y_bus_um: float,
    chip_height_um: float,
    heater_width_um: float,
    pad_size_um: float,
    pad_pitch_um: float,
    pad_edge_margin_um: float,
) -> gf.Component:
    """Place the comb ring with its heater on the bus at ``y_bus_um``, pads at the north edge
    (µm); adds ports ``comb_w`` / ``comb_e`` and ``heater_e1`` / ``heater_e2``."""
    pad_offset = _heater_pad_offset(
        facets,
        radius_um=radius_um,
        gap_um=gap_um,
        y_bus_um=y_bus_um,
        chip_height_um=chip_height_um,
        pad_size_um=pad_size_um,
        pad_edge_margin_um=pad_edge_margin_um,
    )
    comb = ring_heater(
        radius_um=radius_um,
        width_um=facets.width_um,
        gap_um=gap_um,
        thickness_nm=facets.thickness_nm,
        bus_width_um=facets.width_um,
        heater_width_um=heater_width_um,
        pad_size_um=pad_size_um,
        pad_pitch_um=pad_pitch_um,
        pad_offset_um=round(pad_offset, 3),
        cross_section=facets.cross_section,
    )
    ref = place_edge_coupled(
        c,
        comb,
        x_center=facets.chip_width_um / 2,
        y_bus=y_bus_um,
        chip_width_um=facets.chip_width_um,
        coupler=facets.coupler,
        width=facets.width_um,
        name="comb",
    )
    for port in ("e1", "e2"):
        c.add_port(f"heater_{port}", port=ref.ports[port])
    return comb


def _check_fits(c: gf.Component, *, chip_width_um: float, chip_height_um: float) -> None:
    """Raise ValueError when the structures of ``c`` reach past the die (µm)."""
    box = c.dbbox()
    if box.right > chip_width_um + 1e-6 or box.top > chip_height_um + 1e-6:
        raise ValueError(
            f"structures need {box.right:.1f} x {box.top:.1f} µm, more than the chip "
            f"{chip_width_um} x {chip_height_um} µm"
        )


def _record_info(
    c: gf.Component,
    comb: gf.Component,
    *,
    chip_width_um: float,
    chip_height_um: float,
    radius_um: float,
    sweep: dict[str, float],
    cutbacks: dict[str, float],
) -> None:
    """Write the chip size, the comb ring's design and estimates, the gap sweep and the
    cut-back lengths into ``c.info`` (µm, GHz, Ω)."""
    c.info["chip_size_um"] = [chip_width_um, chip_height_um]
    c.info["comb_radius_um"] = radius_um
    c.info["comb_ring"] = comb.info["design"]
    c.info["comb_fsr_ghz_estimate"] = float(comb.info["fsr_ghz_estimate"])
    c.info["heater_resistance_ohm_estimate"] = float(comb.info["heater_resistance_ohm_estimate"])
    c.info["gap_sweep_um"] = sweep
    c.info["cutback_lengths_um"] = cutbacks


@gf.cell
def comb_chip(
    chip_width_um: float = SI3N4_WAFER_LAYOUT.die_width_um,
    chip_height_um: float = SI3N4_WAFER_LAYOUT.die_height_um,
    thickness_nm: float = COMB_RING.thickness_nm,
    comb_radius_um: float = COMB_RING.radius_um,
    ring_width_um: float = COMB_RING.width_um,
    comb_gap_um: float = COMB_RING.gap_um,
    heater_width_um: float = 6.0,
    pad_size_um: float = 100.0,
    pad_pitch_um: float = 200.0,
    pad_edge_margin_um: float = 50.0,
    sweep_radius_um: float = 300.0,
    sweep_gaps_um: tuple[float, ...] = (2.0, 2.5, 3.0, 3.5),
    sweep_pitch_um: float = 700.0,
    cutback_loops: tuple[int, ...] = (0, 1, 2),
    cutback_pitch_um: float = 150.0,
    cutback_loop_height_um: float = 700.0,
    tip_width_um: float = 0.3,
    taper_length_um: float = 200.0,
    bottom_margin_um: float = 150.0,
    cross_section: CrossSectionSpec | None = None,
) -> gf.Component:
    """Server microcomb chip on the Si3N4 film.

    Every optical structure runs straight from the west facet to the east facet through
    inverse-taper edge couplers; the comb ring's heater pads sit at the north edge::

        north edge    [e1]  [e2]   heater pads
                    .-----------.
                   /  comb ring  \\     the simulated reference ring (999.4 µm, 30.03 GHz)
                   \\  + heater  /
        comb_w >====='---------'======> comb_e
        gap4_w >=======( )=============> gap4_e   gap sweep: one ring per bus,
          ...                                     radius sweep_radius_um, gaps sweep_gaps_um
        gap1_w >=======( )=============> gap1_e
        cut2_w >===/‾\\====/‾\\=========> cut2_e   cut-back: 0, 1, 2 loops
        cut1_w >=======/‾\\============> cut1_e
        cut0_w >=======================> cut0_e
        (0, 0) south-west corner; die label area at the south-west corner

    The cut-back set resolves losses of order dB/cm (facet coupling, a failed film); the
    dB/m-level loss of the comb ring itself is measured through the rings' Q.

    Args:
        chip_width_um: die width (µm).
        chip_height_um: die height (µm).
        thickness_nm: Si3N4 film thickness (nm); selects the design rules.
        comb_radius_um: comb ring radius (µm); default the simulated reference comb ring
            (:data:`COMB_RING`, as are the film thickness, ring width and gap defaults).
        ring_width_um: comb and sweep ring/bus waveguide width (µm).
        comb_gap_um: comb ring to bus gap (µm).
        heater_width_um: heater metal width (µm).
        pad_size_um: heater pad side (µm).
        pad_pitch_um: heater pad pitch (µm).
        pad_edge_margin_um: distance from the pads' top edge to the north chip edge (µm).
        sweep_radius_um: radius of the gap-sweep rings (µm).
        sweep_gaps_um: gaps of the gap-sweep rings, one ring each (µm).
        sweep_pitch_um: distance between gap-sweep buses (µm).
        cutback_loops: number of loops of each cut-back waveguide.
        cutback_pitch_um: spacing between cut-back bands beyond the loop height (µm).
        cutback_loop_height_um: loop height of the cut-back waveguides (µm).
        tip_width_um: tip width of the inverse-taper edge couplers (µm).
        taper_length_um: taper length of the inverse-taper edge couplers (µm).
        bottom_margin_um: height of the lowest waveguide above the south edge (µm).
        cross_section: the waveguide cross-section of every structure; None: the film's strip
            (``xs_sin_thin`` on the 100 nm film).

    Returns:
        The chip with edge-coupler ports ``<structure>_w`` / ``_e`` and heater pad ports
        ``heater_e1`` / ``heater_e2``; ``info`` lists the structures and their parameters.
    """
    facets = _facets(
        chip_width_um=chip_width_um,
        thickness_nm=thickness_nm,
        width_um=ring_width_um,
        tip_width_um=tip_width_um,
        taper_length_um=taper_length_um,
        cross_section=cross_section,
    )
    c = _floorplan(chip_width_um=chip_width_um, chip_height_um=chip_height_um)
    y, cutbacks = _place_cutbacks(
        c,
        facets,
        loops=cutback_loops,
        y0_um=bottom_margin_um,
        pitch_um=cutback_pitch_um,
        loop_height_um=cutback_loop_height_um,
    )
    y, sweep = _place_gap_sweep(
        c,
        facets,
        radius_um=sweep_radius_um,
        gaps_um=sweep_gaps_um,
        pitch_um=sweep_pitch_um,
        y0_um=y,
    )
    comb = _place_comb(
        c,
        facets,
        radius_um=comb_radius_um,
        gap_um=comb_gap_um,
        y_bus_um=y,
        chip_height_um=chip_height_um,
        heater_width_um=heater_width_um,
        pad_size_um=pad_size_um,
        pad_pitch_um=pad_pitch_um,
        pad_edge_margin_um=pad_edge_margin_um,
    )
    _check_fits(c, chip_width_um=chip_width_um, chip_height_um=chip_height_um)
    _record_info(
        c,
        comb,
        chip_width_um=chip_width_um,
        chip_height_um=chip_height_um,
        radius_um=comb_radius_um,
        sweep=sweep,
        cutbacks=cutbacks,
    )
    return c
