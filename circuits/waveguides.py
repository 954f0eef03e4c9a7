"""Chip-level waveguide cells: straight links and facet-to-facet cut-back waveguides.

Drawn as single polygons with :func:`qkdchip.components.geometry.extrude`, so their length is
known exactly and their names are short and stable. Each draws on the layer of its
``cross_section`` and its ports name it.
"""

from __future__ import annotations

import math

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.geometry import Arc, Straight, extrude
from qkdchip.components.ports import add_port
from qkdchip.pdk.wires import layer_cross_section

MIN_LOOP_STRAIGHT_UM = 1.0
"""Shortest straight drawn between the arcs of a cut-back loop (µm)."""


def _layer(cross_section: CrossSectionSpec) -> str:
    return gf.get_layer_name(gf.get_cross_section(cross_section).layer)


@gf.cell
def straight_link(length: float, width: float, cross_section: CrossSectionSpec) -> gf.Component:
    """Straight waveguide from o1 (west, 180°) to o2 (east, 0°).

    Args:
        length: length (µm), > 0.
        width: width (µm), an even number of nm.
        cross_section: its cross-section in the active PDK (layer; the ports name it).
    """
    if not length > 0:
        raise ValueError(f"length={length} must be > 0 µm")
    c = gf.Component()
    h = width / 2
    c.add_polygon([(0, -h), (length, -h), (length, h), (0, h)], layer=_layer(cross_section))
    for name, x, orientation in (("o1", 0.0, 180), ("o2", length, 0)):
        add_port(
            c,
            name,
            center=(x, 0.0),
            width=width,
            orientation=orientation,
            cross_section=cross_section,
        )
    c.info["length_um"] = length
    return c


def loop_segments(
    *, radius_um: float, height_um: float, top_um: float
) -> tuple[list[Straight | Arc], float, float]:
    """Segments of one upward loop (four quarter arcs) and its (x footprint, extra length).

    ::

             ____top____
            (           )       height = 2 * radius + vertical straight
            |           |
        ___/             \\___

    Returns:
        Segments, x footprint (µm) and path length minus the footprint (µm).
    """
    vertical = height_um - 2 * radius_um
    if vertical < MIN_LOOP_STRAIGHT_UM:
        raise ValueError(
            f"height_um={height_um} must exceed twice radius_um={radius_um} by "
            f"{MIN_LOOP_STRAIGHT_UM} µm"
        )
    segments: list[Straight | Arc] = [
        Arc(radius_um, 90.0),
        Straight(vertical),
        Arc(radius_um, -90.0),
        Straight(top_um),
        Arc(radius_um, -90.0),
        Straight(vertical),
        Arc(radius_um, 90.0),
    ]
    footprint = 4 * radius_um + top_um
    length = 2 * math.pi * radius_um + 2 * vertical + top_um
    return segments, footprint, length - footprint


@gf.cell
def cutback_waveguide(
    chip_width_um: float,
    n_loops: int,
    width: float,
    cross_section: CrossSectionSpec,
    bend_radius_um: float,
    loop_height_um: float,
    tip_width_um: float,
    taper_length_um: float,
    loop_top_um: float = 20.0,
) -> gf.Component:
    """Facet-to-facet waveguide with ``n_loops`` upward loops, tapered to a tip at both facets.

    A set of these with 0, 1, 2, ... loops is a cut-back structure: insertion loss against
    length gives the propagation loss, the facet loss being common to all.

    Args:
        chip_width_um: facet-to-facet distance (µm).
        n_loops: number of loops, [0, 10].
        width: waveguide width (µm).
        cross_section: its cross-section in the active PDK (layer; the ports name it).
        bend_radius_um: loop bend radius (µm).
        loop_height_um: loop height above the waveguide axis (µm).
        tip_width_um: width at each facet (µm).
        taper_length_um: facet taper length (µm).
        loop_top_um: straight length at the top of each loop (µm).

    Returns:
        Component with o1 (west facet) and o2 (east facet), both ``edge_coupler`` ports;
        ``info["length_um"]`` is the exact centre-line length.
    """
    if not 0 <= n_loops <= 10:
        raise ValueError(f"n_loops={n_loops} outside the allowed range [0, 10]")
    inner = chip_width_um - 2 * taper_length_um
    loop, footprint, extra = loop_segments(
        radius_um=bend_radius_um, height_um=loop_height_um, top_um=loop_top_um
    )
    free = inner - n_loops * footprint
    if free < (n_loops + 1) * MIN_LOOP_STRAIGHT_UM:
        raise ValueError(
            f"n_loops={n_loops} loops of {footprint} µm do not fit in chip_width_um="
            f"{chip_width_um} µm"
        )
    gap = free / (n_loops + 1)
    segments: list[Straight | Arc] = [Straight(taper_length_um, end_width_um=width)]
    for _ in range(n_loops):
        segments += [Straight(gap), *loop]
    segments += [Straight(gap), Straight(taper_length_um, end_width_um=tip_width_um)]
    polygon, end = extrude((0.0, 0.0), 0.0, tip_width_um, segments)
    if abs(end.x_um - chip_width_um) > 1e-6 or abs(end.y_um) > 1e-6:
        raise ValueError(f"cut-back path ends at ({end.x_um}, {end.y_um}), not at the facet")
    c = gf.Component()
    c.add_polygon([(float(x), float(y)) for x, y in polygon], layer=_layer(cross_section))
    for name, x, orientation in (("o1", 0.0, 180), ("o2", chip_width_um, 0)):
        add_port(
            c,
            name,
            center=(x, 0.0),
            width=tip_width_um,
            orientation=orientation,
            cross_section=cross_section,
            port_type="edge_coupler",
        )
    c.info["length_um"] = chip_width_um + n_loops * extra
    c.info["n_loops"] = n_loops
    return c


@gf.cell
def path_waveguide(
    segments: tuple[tuple[float, float], ...], width: float, cross_section: CrossSectionSpec
) -> gf.Component:
    """Waveguide along straights and circular arcs, starting at the origin heading east.

    Args:
        segments: ``(length, 0)`` for a straight of ``length`` µm, ``(radius, angle_deg)`` for
            an arc (positive angle = counter-clockwise).
        width: waveguide width (µm).
        cross_section: its cross-section in the active PDK (layer; the ports name it).

    Returns:
        Component with o1 at the origin (facing west) and o2 at the path end;
        ``info["length_um"]`` is the centre-line length.
    """
    if not segments:
        raise ValueError("segments must not be empty")
    parts: list[Straight | Arc] = [Straight(a) if b == 0 else Arc(a, b) for a, b in segments]
    polygon, end = extrude((0.0, 0.0), 0.0, width, parts)
    c = gf.Component()
    c.add_polygon([(float(x), float(y)) for x, y in polygon], layer=_layer(cross_section))
    add_port(c, "o1", center=(0.0, 0.0), width=width, orientation=180, cross_section=cross_section)
    add_port(
        c,
        "o2",
        center=(round(end.x_um, 3), round(end.y_um, 3)),
        width=width,
        orientation=round(end.heading_deg, 6) % 360.0,
        cross_section=cross_section,
    )
    c.info["length_um"] = sum(a if b == 0 else abs(math.radians(b)) * a for a, b in segments)
    return c


def place_cutbacks(
    c: gf.Component,
    *,
    loops: tuple[int, ...],
    y0: float,
    pitch: float,
    chip_width_um: float,
    width: float,
    layer: str,
    radius: float,
    loop_height: float,
    tip: float,
    taper: float,
    cross_section: CrossSectionSpec | None = None,
) -> tuple[float, dict[str, float]]:
    """Stack cut-back waveguides (:func:`cutback_waveguide`) across ``c`` from ``y0`` upwards.

    Each set gets ports ``cut<n>_w`` / ``cut<n>_e`` on ``c``; ``pitch`` (µm) separates neighbours
    (plus ``loop_height`` above a looped one). ``layer`` is the core layer; the waveguides are
    ``cross_section``, by default the one the active PDK gives ports on ``layer``
    (:func:`~qkdchip.pdk.wires.layer_cross_section`).

    Returns:
        The next free y (µm) and the length of each set (``{"cut<n>": µm}``).
    """
    y = y0
    lengths = {}
    for n in loops:
        wg = cutback_waveguide(
            chip_width_um=chip_width_um,
            n_loops=n,
            width=width,
            cross_section=layer_cross_section(layer) if cross_section is None else cross_section,
            bend_radius_um=radius,
            loop_height_um=loop_height,
            tip_width_um=tip,
            taper_length_um=taper,
        )
        ref = c << wg
        ref.move((0.0, y))
        c.add_port(f"cut{n}_w", port=ref.ports["o1"])
        c.add_port(f"cut{n}_e", port=ref.ports["o2"])
        lengths[f"cut{n}"] = round(float(wg.info["length_um"]), 3)
        y += (loop_height if n else 0.0) + pitch
    return y, lengths
