"""Circular Si3N4 microrings with a point-coupled or pulley (wrapped) bus.

The ring is an exact circle (an annulus sampled to 0.5 nm chord error), not gdsfactory's
Euler/racetrack ``ring_single``. The bus is one polygon of straights and circular arcs.
"""

from __future__ import annotations

import math

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.checks import (
    check_bend_radius,
    check_even_nm,
    check_space,
    check_waveguide_width,
)
from qkdchip.components.designs import (
    DEFAULT_N_GROUP_THIN_SIN,
    DEFAULT_RING_GAP_UM,
    DEFAULT_RING_RADIUS_UM,
    RingDesign,
    ring_fsr_hz,
    ring_radius_for_fsr,
)
from qkdchip.components.geometry import Arc, Straight, annulus_sectors, extrude
from qkdchip.components.ports import add_port
from qkdchip.components.si3n4.common import film_cross_section
from qkdchip.pdk.si3n4.design_rules import THIN_FILM_MAX_NM, design_rules
from qkdchip.pdk.si3n4.layers import LAYER
from qkdchip.validation import check_range

N_GROUP_THICK_SIN = 2.05
"""Assumption: group index of a 1.6 µm x 800 nm Si3N4 strip at 1550 nm (assumed, 2.0-2.1)."""


def n_group_assumed(thickness_nm: float) -> float:
    """Group index used for the FSR estimate in ``info`` (mode solvers refine it)."""
    return DEFAULT_N_GROUP_THIN_SIN if thickness_nm <= THIN_FILM_MAX_NM else N_GROUP_THICK_SIN


def _validate(design: RingDesign, bend_radius_um: float | None) -> None:
    """Check a ring against its film's rules (and the pulley counter-bend radius, if any)."""
    rules = design_rules(design.thickness_nm)
    check_waveguide_width(rules, "WG", "width_um", design.width_um)
    check_waveguide_width(rules, "WG", "bus_width_um", design.bus_width_um)
    check_space(rules, "WG", "gap_um", design.gap_um)
    check_bend_radius(rules, "WG", "radius_um", design.radius_um)
    if bend_radius_um is not None:
        check_bend_radius(rules, "WG", "bend_radius_um", bend_radius_um)
    check_even_nm("bus_width_um", design.bus_width_um)


def _ring_info(c: gf.Component, design: RingDesign) -> None:
    n_g = n_group_assumed(design.thickness_nm)
    c.info["radius_um"] = design.radius_um
    c.info["circumference_um"] = design.circumference_um
    c.info["n_group_assumed"] = n_g
    c.info["fsr_ghz_estimate"] = ring_fsr_hz(radius_um=design.radius_um, n_group=n_g) * 1e-9
    c.info["coupling_length_um"] = design.bus_radius_um * math.radians(design.wrap_angle_deg)
    c.info["design"] = design.to_dict()


def _draw_ring(
    c: gf.Component,
    design: RingDesign,
    bend_radius_um: float,
    bus_extension_um: float,
    cross_section: CrossSectionSpec | None,
) -> None:
    """Draw ring + bus into ``c``: bus ports at y = 0, ring centre at x = 0."""
    half = math.radians(design.wrap_angle_deg) / 2
    rb = design.bus_radius_um
    rs = bend_radius_um
    yc = (rb + rs) * math.cos(half) - rs
    x_turn = (rb + rs) * math.sin(half)
    x_reach = max(x_turn, design.radius_um + design.width_um / 2) + bus_extension_um
    x_port = math.ceil(x_reach * 1e3) * 1e-3
    for poly in annulus_sectors((0.0, yc), design.radius_um, design.width_um, 0.0, 2 * math.pi):
        c.add_polygon(poly, layer=LAYER.WG)
    wb = design.bus_width_um
    if design.wrap_angle_deg == 0:
        segments: list[Straight | Arc] = [Straight(2 * x_port)]
    else:
        ext = x_port - x_turn
        wrap = design.wrap_angle_deg
        segments = [
            Straight(ext),
            Arc(rs, -wrap / 2),
            Arc(rb, wrap),
            Arc(rs, -wrap / 2),
            Straight(ext),
        ]
    bus, _ = extrude((-x_port, 0.0), 0.0, wb, segments)
    c.add_polygon(bus, layer=LAYER.WG)
    xs = film_cross_section(cross_section, design.thickness_nm)
    for name, x, orientation in (("o1", -x_port, 180), ("o2", x_port, 0)):
        add_port(c, name, center=(x, 0.0), width=wb, orientation=orientation, cross_section=xs)
    c.info["ring_center_y_um"] = yc


@gf.cell
def ring_point_coupled(
    radius_um: float = DEFAULT_RING_RADIUS_UM,
    width_um: float = 2.8,
    gap_um: float = DEFAULT_RING_GAP_UM,
    thickness_nm: float = 100.0,
    bus_width_um: float = 2.8,
    bus_extension_um: float = 50.0,
    cross_section: CrossSectionSpec | None = None,
) -> gf.Component:
    """Circular microring with a straight, point-coupled bus waveguide.

    Defaults are the simulated reference comb ring (999.4 µm, 30.03 GHz, 100 nm film)::

                 .-----.
               /  ring   \\      centre (0, ring_center_y_um)
               \\         /
                 '-----'        <- gap_um (edge to edge)
        o1 ======================= o2      bus at y = 0
       (180°)                     (0°)

    Args:
        radius_um: ring centre-line radius in µm (>= WG min bend radius of the film).
        width_um: ring waveguide width in µm.
        gap_um: edge-to-edge ring-bus gap in µm (>= WG min space).
        thickness_nm: Si3N4 film thickness in nm (selects the design rules).
        bus_width_um: bus width in µm (even number of nm).
        bus_extension_um: straight bus beyond the ring on each side in µm, [1, 5000].
        cross_section: the bus's cross-section (ports name it); None: the film's strip.

    Returns:
        Component with optical ports o1 (west) and o2 (east); ``info`` has the FSR estimate.
    """
    check_range("bus_extension_um", bus_extension_um, 1.0, 5000.0)
    design = RingDesign.from_settings(locals(), wrap_angle_deg=0.0)
    _validate(design, None)
    c = gf.Component()
    _draw_ring(c, design, radius_um, bus_extension_um, cross_section)
    _ring_info(c, design)
    return c


@gf.cell
def ring_pulley(
    radius_um: float = DEFAULT_RING_RADIUS_UM,
    width_um: float = 2.8,
    gap_um: float = 3.0,
    thickness_nm: float = 100.0,
    wrap_angle_deg: float = 20.0,
    bus_width_um: float = 2.8,
    bend_radius_um: float | None = None,
    bus_extension_um: float = 50.0,
    cross_section: CrossSectionSpec | None = None,
) -> gf.Component:
    """Circular microring with a pulley bus wrapped concentrically over ``wrap_angle_deg``.

    The bus follows a circle of radius R + w/2 + gap + w_bus/2 around the ring centre over the
    wrap angle, then counter-bends (radius ``bend_radius_um``) back to horizontal::

                 .-----.
               /  ring   \\
               \\         /
        o1 ====.\\_______/.==== o2      bus ports at y = 0
                 wrap angle

    Args:
        radius_um: ring centre-line radius in µm.
        width_um: ring waveguide width in µm.
        gap_um: edge-to-edge gap along the wrap in µm (>= WG min space).
        thickness_nm: Si3N4 film thickness in nm (selects the design rules).
        wrap_angle_deg: wrap angle in degrees, (0, 120].
        bus_width_um: bus width in µm (even number of nm).
        bend_radius_um: counter-bend radius in µm; ``None`` = the film's min bend radius.
        bus_extension_um: straight bus beyond the bends on each side in µm, [1, 5000].
        cross_section: the bus's cross-section (ports name it); None: the film's strip.

    Returns:
        Component with optical ports o1 (west) and o2 (east); ``info`` has the FSR estimate
        and the coupling (wrap) length.
    """
    check_range("wrap_angle_deg", wrap_angle_deg, 1e-3, 120.0)
    check_range("bus_extension_um", bus_extension_um, 1.0, 5000.0)
    design = RingDesign.from_settings(locals())
    rules = design_rules(thickness_nm)
    min_radius = rules.layer("WG").min_bend_radius_um
    rs = float(min_radius if bend_radius_um is None else bend_radius_um)  # WG always has one
    _validate(design, rs)
    c = gf.Component()
    _draw_ring(c, design, rs, bus_extension_um, cross_section)
    c.info["bend_radius_um"] = rs
    _ring_info(c, design)
    return c


def ring(design: RingDesign, cross_section: CrossSectionSpec | None = None) -> gf.Component:
    """The cached cell that draws ``design`` (point-coupled if its wrap angle is 0) with its bus
    in ``cross_section`` (None: the film's strip)."""
    kwargs = design.to_dict() | {"cross_section": cross_section}
    if design.wrap_angle_deg == 0:
        kwargs.pop("wrap_angle_deg")
        return ring_point_coupled(**kwargs)
    return ring_pulley(**kwargs)


@gf.cell
def ring_from_fsr(
    fsr_ghz: float = 30.03,
    n_group: float = DEFAULT_N_GROUP_THIN_SIN,
    width_um: float = 2.8,
    gap_um: float = DEFAULT_RING_GAP_UM,
    thickness_nm: float = 100.0,
    wrap_angle_deg: float = 0.0,
    bus_width_um: float = 2.8,
    cross_section: CrossSectionSpec | None = None,
) -> gf.Component:
    """Circular ring sized for a target free spectral range: R = c / (2π n_g FSR).

    Default: the reference comb's 30.03 GHz at n_g = 1.59 (R ≈ 1000 µm on the 100 nm film).
    Ports as :func:`ring_point_coupled` (wrap 0) or :func:`ring_pulley`::

        o1 ====(ring)==== o2

    Args:
        fsr_ghz: target FSR in GHz, [1, 5000].
        n_group: group index of the ring mode, [1, 4.5].
        width_um: ring width in µm.
        gap_um: ring-bus gap in µm.
        thickness_nm: film thickness in nm.
        wrap_angle_deg: 0 for point coupling, else the pulley wrap angle in degrees.
        bus_width_um: bus width in µm.
        cross_section: the bus's cross-section (ports name it); None: the film's strip.

    Returns:
        Component with ports o1, o2 and ``info`` with target FSR, radius and estimate.
    """
    check_range("fsr_ghz", fsr_ghz, 1.0, 5000.0)
    radius = round(ring_radius_for_fsr(fsr_hz=fsr_ghz * 1e9, n_group=n_group), 3)
    design = RingDesign.from_settings(locals(), radius_um=radius)
    c = gf.Component()
    ref = c << ring(design, cross_section)
    c.add_ports(ref.ports)
    c.info.update(ref.cell.info.model_dump())
    c.info["target_fsr_ghz"] = fsr_ghz
    c.info["n_group"] = n_group
    c.info["fsr_ghz_estimate"] = ring_fsr_hz(radius_um=radius, n_group=n_group) * 1e-9
    return c
