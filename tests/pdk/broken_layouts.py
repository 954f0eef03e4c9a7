"""Deliberately broken layouts, one per rule set (InP, thin and thick Si3N4): each case sits in
its own 1 mm tile and breaks one rule (the controls break none).

The layouts use a 0.1 nm database unit so that a vertex can lie off the 1 nm manufacturing
grid; every other vertex is on that grid.
"""

from __future__ import annotations

import math

import klayout.db as kdb

from qkdchip.pdk import inp, si3n4

DBU_UM = 0.0001
TILE_UM = 1000.0
"""Pitch of the cases along x in µm (far beyond every rule's reach)."""
SAGITTA_UM = 0.0005
"""Arc sampling: chord sag at most 0.5 nm."""
THICK_FILM_NM = 800.0
"""Film of the thick-film Si3N4 rule set."""


def _point(x_um: float, y_um: float) -> kdb.Point:
    """A vertex on the 1 nm grid, in 0.1 nm database units."""
    return kdb.Point(round(x_um * 1000) * 10, round(y_um * 1000) * 10)


def _polygon(points: list[tuple[float, float]]) -> kdb.Polygon:
    return kdb.Polygon([_point(x, y) for x, y in points])


def _box(x0: float, y0: float, x1: float, y1: float) -> kdb.Polygon:
    return _polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def bend(x0: float, y0: float, radius_um: float, width_um: float) -> kdb.Polygon:
    """A 90° circular bend of centre-line ``radius_um`` starting eastwards at (x0, y0), with
    100 µm straights on both ends."""
    r_out, r_in = radius_um + width_um / 2, radius_um - width_um / 2
    n = max(math.ceil(math.pi / 2 / (2 * math.sqrt(2 * r_out * SAGITTA_UM) / r_out)), 2)
    angles = [-math.pi / 2 + (math.pi / 2) * k / n for k in range(n + 1)]
    cx, cy = x0 + 100.0, y0 + radius_um

    def arc(r: float) -> list[tuple[float, float]]:
        return [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in angles]

    top = cy + 100.0
    points = [(x0, y0 - width_um / 2), *arc(r_out), (cx + r_out, top)]
    points += [(cx + r_in, top), *reversed(arc(r_in)), (x0, y0 + width_um / 2)]
    return _polygon(points)


Cases = dict[str, tuple[float, set[str]]]
"""Per case: its tile's x origin in µm and the rules it breaks."""


class _Builder:
    """Draws the cases of one platform, each in the next tile."""

    def __init__(self, gds_layers: tuple[tuple[str, tuple[int, int]], ...]) -> None:
        self.layout = kdb.Layout()
        self.layout.dbu = DBU_UM
        self.cell = self.layout.create_cell("BROKEN")
        self.gds = dict(gds_layers)
        self.cases: Cases = {}

    def case(self, name: str, rules: set[str], *shapes: tuple[str, kdb.Polygon]) -> None:
        x = len(self.cases) * TILE_UM
        self.cases[name] = (x, rules)
        for layer, shape in shapes:
            index = self.layout.layer(*self.gds[layer])
            self.cell.shapes(index).insert(shape.moved(round(x / DBU_UM), 0))


def _off_grid(width_um: float) -> kdb.Polygon:
    """A 100 µm straight whose east end's lower vertex is 0.5 nm off the 1 nm grid."""
    low, high = _point(0, -width_um / 2), _point(100, width_um / 2)
    return kdb.Polygon([low, kdb.Point(high.x + 5, low.y), high, kdb.Point(low.x, high.y)])


def _taper(tip_um: float, width_um: float, length_um: float) -> kdb.Polygon:
    """A linear taper from ``tip_um`` at x = 0 to ``width_um`` at x = ``length_um``."""
    return _polygon(
        [
            (0, -tip_um / 2),
            (length_um, -width_um / 2),
            (length_um, width_um / 2),
            (0, tip_um / 2),
        ]
    )


def _spike(tip_deg: float) -> kdb.Polygon:
    """A 40 µm strip ending in a 20 µm long point of ``tip_deg`` pointing east."""
    half = 20.0 * math.tan(math.radians(tip_deg) / 2)
    return _polygon([(0, -half), (40, -half), (60, 0), (40, half), (0, half)])


def inp_layout() -> tuple[kdb.Layout, Cases]:
    """The broken InP layout and its cases."""
    draw = _Builder(inp.design_rules().gds_layers)
    case = draw.case
    case(
        "width",
        {"WG_DEEP.width", "WG_DEEP.waveguide_width"},
        ("WG_DEEP", _box(0, -0.25, 100, 0.25)),
    )
    case("waveguide_width", {"WG_DEEP.waveguide_width"}, ("WG_DEEP", _box(0, -0.45, 100, 0.45)))
    case(
        "shallow_waveguide_width",
        {"WG_SHALLOW.waveguide_width"},
        ("WG_SHALLOW", _box(0, -0.6, 100, 0.6)),
    )
    case(
        "space",
        {"WG_DEEP.space"},
        ("WG_DEEP", _box(0, -2.25, 100, -0.25)),
        ("WG_DEEP", _box(0, 0.25, 100, 2.25)),
    )
    case(
        "enclosure",
        {"PAD.enclosure.METAL_P+METAL_N"},
        ("METAL_P", _box(0, 0, 100, 100)),
        ("PAD", _box(1, 5, 95, 95)),
    )
    case("not_inside", {"PAD.not_inside.METAL_P+METAL_N"}, ("PAD", _box(0, 0, 60, 60)))
    case(
        "separation",
        {"METAL_P.separation.METAL_N"},
        ("METAL_P", _box(0, 0, 50, 50)),
        ("METAL_N", _box(53, 0, 100, 50)),
    )
    case(
        "overlap",
        {"METAL_P.overlap.METAL_N"},
        ("METAL_P", _box(0, 0, 50, 50)),
        ("METAL_N", _box(40, 40, 90, 90)),
    )
    case("bend_radius", {"WG_DEEP.bend_radius"}, ("WG_DEEP", bend(0, 0, 20.0, 2.0)))
    case("off_grid", {"WG_DEEP.off_grid"}, ("WG_DEEP", _off_grid(2.0)))
    case(
        "acute_angle",
        {"METAL_P.acute_angle", "METAL_P.width"},
        ("METAL_P", _spike(30.0)),
    )
    case("control_bend", set(), ("WG_DEEP", bend(0, 0, 150.0, 2.0)))
    case("control_waveguide_at_minimum", set(), ("WG_DEEP", _box(0, -0.5, 100, 0.5)))
    case("control_taper", set(), ("WG_DEEP", _taper(0.8, 2.0, 100.0)))
    case("control_shallow_taper", set(), ("WG_SHALLOW", _taper(1.0, 2.0, 100.0)))
    return draw.layout, draw.cases


def si3n4_layout() -> tuple[kdb.Layout, Cases]:
    """The broken thin-film Si3N4 layout and its cases."""
    draw = _Builder(si3n4.design_rules().gds_layers)
    case = draw.case
    case("width", {"WG.width", "WG.waveguide_width"}, ("WG", _box(0, -0.1, 100, 0.1)))
    case("waveguide_width", {"WG.waveguide_width"}, ("WG", _box(0, -0.3, 50, 0.3)))
    case(
        "space", {"WG.space"}, ("WG", _box(0, -3.15, 100, -0.15)), ("WG", _box(0, 0.15, 100, 3.15))
    )
    case(
        "enclosure",
        {"PAD.enclosure.ROUTING"},
        ("ROUTING", _box(0, 0, 100, 100)),
        ("PAD", _box(1, 5, 95, 95)),
    )
    case("not_inside", {"PAD.not_inside.ROUTING"}, ("PAD", _box(0, 0, 60, 60)))
    case("bend_radius", {"WG.bend_radius"}, ("WG", bend(0, 0, 100.0, 2.8)))
    case("off_grid", {"WG.off_grid"}, ("WG", _off_grid(2.8)))
    case(
        "acute_angle",
        {"ROUTING.acute_angle", "ROUTING.width"},
        ("ROUTING", _spike(30.0)),
    )
    case("control_bend", set(), ("WG", bend(0, 0, 400.0, 2.8)))
    case("control_taper", set(), ("WG", _taper(0.3, 2.8, 200.0)))
    return draw.layout, draw.cases


def si3n4_thick_layout() -> tuple[kdb.Layout, Cases]:
    """The broken thick-film (800 nm) Si3N4 layout and its cases."""
    draw = _Builder(si3n4.design_rules(THICK_FILM_NM).gds_layers)
    case = draw.case
    case("width", {"WG.width", "WG.waveguide_width"}, ("WG", _box(0, -0.1, 100, 0.1)))
    case("waveguide_width", {"WG.waveguide_width"}, ("WG", _box(0, -0.25, 100, 0.25)))
    case("bend_radius", {"WG.bend_radius"}, ("WG", bend(0, 0, 20.0, 1.6)))
    case("control_waveguide_at_minimum", set(), ("WG", _box(0, -0.3, 100, 0.3)))
    case("control_taper", set(), ("WG", _taper(0.3, 1.6, 100.0)))
    case("control_bend", set(), ("WG", bend(0, 0, 60.0, 1.6)))
    return draw.layout, draw.cases
