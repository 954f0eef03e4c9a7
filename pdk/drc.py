"""Design-rule check in Python with ``klayout.db``, driven by a platform's rules.

:func:`rule_checks` turns a platform's :class:`~qkdchip.pdk.rules.DesignRules` into the list of
checks; :func:`run_drc` runs them here, and :func:`qkdchip.pdk.klayout.drc_deck` writes the same
list as a KLayout DRC script, so both find the same violations. Shapes are collected through the
hierarchy (``begin_shapes_rec``) and merged per layer, then checked for

* width (``LAYER.width``): ``Region.width_check``, any feature (taper tips included),
* waveguide width (``LAYER.waveguide_width``): the same check between edges within
  ``WAVEGUIDE_PARALLEL_DEG`` of parallel, i.e. waveguide sections but not tapers,
* space (``LAYER.space``): ``Region.space_check`` (also between different shapes),
* bend radius (``LAYER.bend_radius``): the local radius of curvature of every edge,
  :func:`bend_radius_markers`,
* grid (``LAYER.off_grid``): vertices off the manufacturing grid, ``Region.grid_check``,
* corner angle (``LAYER.acute_angle``): spikes and notches sharper than the platform's minimum
  angle, ``Region.corners_edge_pairs``,
* enclosure (``INNER.enclosure.OUTER``): ``Region.enclosing_check``, and coverage
  (``INNER.not_inside.OUTER``): parts of ``inner`` outside ``outer`` (``OUTER`` may be a union
  such as ``METAL_P+METAL_N``),
* separation between two layers (``A.separation.B``): ``Region.separation_check``, and overlap
  (``A.overlap.B``): shapes of both layers on top of each other.

All distance checks use projection metrics, so 1 nm snapping jogs on curved waveguides are not
reported as errors (Euclidean metrics flag them as false width errors on gdsfactory's curved
bus ends; see the 1 nm spurious vertices of gdsfactory issue #4400).

Bend radius: each contour is smoothed by ``SMOOTH_DBU`` (removing 1 nm snapping jogs) and split
at its corners (turns above ``CORNER_TURN_DEG``: end faces, junctions). At every vertex of a
chain between corners, the circumradius of three points on the edge, the vertex's position and
the points ``h`` before and after it along the edge (``h = BEND_WINDOW_FRACTION * R_min``, the
span shrunk and kept inside chains shorter than ``2 h``), is the local radius of that edge; an
edge whose radius is below ``(1 - BEND_RADIUS_TOLERANCE) * R_min`` is reported. The inner edge
of a bend of centre-line radius ``R`` and width ``w`` has radius ``R - w/2``; the tolerance
covers that for ``w`` up to about 4 % of ``R_min`` (2 µm at 50 µm) plus the 0.5 % noise that
1 nm snapping adds. A sampled arc gives its exact radius; a lone kink of angle ``φ`` reads as a
radius of about ``h/φ``, so kinks up to ``BEND_WINDOW_FRACTION`` rad (5.7°) pass, as do bends
that turn less than that in total. Corners sharper than ``CORNER_TURN_DEG`` are left to the
corner-angle rule.

Example::

    report = run_drc(component, qkdchip.pdk.inp.design_rules())
    if not report.clean:
        print(report.format())
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar, Literal

import klayout.db as kdb
import numpy as np

from qkdchip.pdk.rules import DesignRules
from qkdchip.records import Record

MAX_REPORTED_PER_RULE = 200
"""Violations listed per rule (the count covers all of them)."""
SNAP_TOLERANCE_DBU = 2
"""A distance is reported only when it is below the rule minus this many database units (2 nm):
curved or off-axis edges drawn at exactly the minimum lose up to 0.5 nm per edge to grid
snapping plus up to 0.5 nm to arc sampling (``qkdchip.components.geometry.SAGITTA_TOL_UM``)."""
IGNORE_ANGLE_DEG = 80.0
"""Edge pairs meeting at this angle or more are not checked for width, space, enclosure or
separation. KLayout's default (90°) flags the corner where a slowly tapering or arc-sampled edge
meets an end edge at 89.6° as a zero-width error; sharper corners are the corner-angle rule's."""
WAVEGUIDE_PARALLEL_DEG = 0.05
"""The waveguide-width rule measures only between edges within this angle of parallel: straight
waveguide sections, not tapers (a linear taper whose width changes by more than 0.87 µm per mm
has edges further from parallel) nor arc-sampled bends."""
BEND_WINDOW_FRACTION = 0.1
"""Half-span ``h`` of the three points whose circumcircle gives an edge's local radius, as a
fraction of the layer's minimum bend radius (30 µm for a 300 µm rule)."""
BEND_RADIUS_TOLERANCE = 0.03
"""Edges with a radius below ``(1 - this) * R_min`` are reported (module docstring)."""
CORNER_TURN_DEG = 60.0
"""A contour turning by more than this at one vertex has a corner there, not a bend."""
SMOOTH_DBU = 1
"""Contours are smoothed by this many database units before their curvature is measured."""

CheckKind = Literal[
    "width",
    "waveguide_width",
    "space",
    "bend_radius",
    "off_grid",
    "acute_angle",
    "enclosure",
    "not_inside",
    "separation",
    "overlap",
]


@dataclass(frozen=True)
class RuleCheck:
    """One check of a platform's rule deck, as :func:`run_drc` and the KLayout deck run it.

    Attributes:
        rule: name its violations are reported under (``"WG.width"``).
        kind: what is checked.
        layer: the checked layer (the enclosed layer of an enclosure, the first layer of a
            separation).
        limit: the rule's minimum, in ``unit``.
        others: the enclosing layers (their union encloses) or the second layer of a separation.
        unit: ``"µm"``, or ``"deg"`` for a corner angle.
        source: where the limit comes from (the rule table's ``source``).
    """

    rule: str
    kind: CheckKind
    layer: str
    limit: float
    others: tuple[str, ...] = ()
    unit: str = "µm"
    source: str = ""

    @property
    def description(self) -> str:
        """One line saying what violates the rule."""
        others = "+".join(self.others)
        return {
            "width": f"{self.layer} width < {self.limit:g} µm",
            "waveguide_width": f"{self.layer} waveguide (parallel edges) width < {self.limit:g} µm",
            "space": f"{self.layer} space < {self.limit:g} µm",
            "bend_radius": f"{self.layer} edge bend radius < {self.limit:g} µm",
            "off_grid": f"{self.layer} vertex off the {self.limit:g} µm grid",
            "acute_angle": f"{self.layer} corner sharper than {self.limit:g}°",
            "enclosure": f"{self.layer} enclosure by {others} < {self.limit:g} µm",
            "not_inside": f"{self.layer} outside {others}",
            "separation": f"{self.layer} to {others} separation < {self.limit:g} µm",
            "overlap": f"{self.layer} overlaps {others}",
        }[self.kind]


def rule_checks(rules: DesignRules) -> tuple[RuleCheck, ...]:
    """Every check of ``rules``, in the order they are run and reported."""
    checks: list[RuleCheck] = []
    shapes = rules.shapes
    for lr in rules.layers:
        limits: tuple[tuple[CheckKind, float | None, str, str], ...] = (
            ("width", lr.min_width_um, "µm", lr.source),
            ("waveguide_width", lr.min_waveguide_width_um, "µm", lr.source),
            ("space", lr.min_space_um, "µm", lr.source),
            ("bend_radius", lr.min_bend_radius_um, "µm", lr.source),
            ("off_grid", shapes.grid_um, "µm", shapes.source),
            ("acute_angle", shapes.min_angle_deg, "deg", shapes.source),
        )
        checks.extend(
            RuleCheck(f"{lr.layer}.{kind}", kind, lr.layer, limit, unit=unit, source=source)
            for kind, limit, unit, source in limits
            if limit is not None
        )
    enclosure_kinds: tuple[CheckKind, ...] = ("enclosure", "not_inside")
    separation_kinds: tuple[CheckKind, ...] = ("separation", "overlap")
    for enc in rules.enclosures:
        for kind in enclosure_kinds:
            checks.append(
                RuleCheck(
                    f"{enc.inner}.{kind}.{enc.outer_name}",
                    kind,
                    enc.inner,
                    enc.min_enclosure_um,
                    others=enc.outer_layers,
                    source=enc.source,
                )
            )
    for sep in rules.separations:
        for kind in separation_kinds:
            checks.append(
                RuleCheck(
                    f"{sep.layer_a}.{kind}.{sep.layer_b}",
                    kind,
                    sep.layer_a,
                    sep.min_space_um,
                    others=(sep.layer_b,),
                    source=sep.source,
                )
            )
    return tuple(checks)


@dataclass(frozen=True)
class DrcViolation(Record):
    """One rule violation.

    Attributes:
        rule: rule name, e.g. ``"WG.space"`` or ``"PAD.enclosure.ROUTING"``.
        layer: the checked layer (the inner layer of an enclosure rule).
        x_um: x of the violation marker's centre in µm (top-cell coordinates).
        y_um: y of the violation marker's centre in µm.
        value: what was measured, in ``unit``: a distance or radius in µm (for an area that
            must be empty, 0; for an off-grid vertex, its distance to the nearest grid point),
            or a corner angle in degrees.
        limit: the rule's minimum, in ``unit``.
        unit: ``"µm"`` or ``"deg"``.
    """

    rule: str
    layer: str
    x_um: float
    y_um: float
    value: float
    limit: float
    unit: str = "µm"

    def __str__(self) -> str:
        return (
            f"{self.rule}: {self.value:.3f} {self.unit} < {self.limit:.3f} {self.unit} "
            f"at ({self.x_um:.3f}, {self.y_um:.3f}) µm"
        )


@dataclass(frozen=True, kw_only=True)
class DrcReport(Record):
    """Result of :func:`run_drc`.

    Attributes:
        cell: name of the checked top cell.
        platform: platform of the rules.
        counts: total number of violations per rule name (rules without any are omitted).
        checked_rules: names of every rule that was evaluated.
        violations: listed violations (at most ``MAX_REPORTED_PER_RULE`` per rule).
    """

    derived: ClassVar[dict[str, str]] = {"count": "platform"}

    cell: str
    platform: str
    counts: dict[str, int] = field(default_factory=dict)
    checked_rules: tuple[str, ...] = ()
    violations: tuple[DrcViolation, ...]

    @property
    def count(self) -> int:
        """Total number of violations."""
        return sum(self.counts.values())

    @property
    def clean(self) -> bool:
        return self.count == 0

    def by_rule(self, rule: str) -> tuple[DrcViolation, ...]:
        return tuple(v for v in self.violations if v.rule == rule)

    def format(self, max_lines: int = 20) -> str:
        """Human-readable summary: one line per violation, at most ``max_lines``."""
        head = f"DRC {self.cell} ({self.platform}): "
        if self.clean:
            return head + f"clean ({len(self.checked_rules)} rules)"
        lines = [head + f"{self.count} violation(s) " + str(dict(self.counts))]
        lines += [f"  {v}" for v in self.violations[:max_lines]]
        if len(self.violations) > max_lines:
            lines.append(f"  ... {len(self.violations) - max_lines} more listed")
        return "\n".join(lines)


def _chains(points: np.ndarray) -> list[tuple[np.ndarray, bool]]:
    """A closed contour (n x 2, last vertex joined to the first) split at its corners.

    Returns (vertices, closed) per chain: the whole contour repeated back to its first vertex
    when it has no corner, else the runs from one corner vertex to the next.
    """
    step = np.roll(points, -1, axis=0) - points
    heading = np.arctan2(step[:, 1], step[:, 0])
    turn = np.mod(heading - np.roll(heading, 1) + math.pi, 2 * math.pi) - math.pi
    corners = np.flatnonzero(np.abs(turn) > math.radians(CORNER_TURN_DEG))
    if corners.size == 0:
        return [(np.vstack([points, points[:1]]), True)]
    n = len(points)
    ends = np.append(corners[1:], corners[0] + n)
    return [(points[np.arange(a, b + 1) % n], False) for a, b in zip(corners, ends, strict=True)]


def _chain_radii(chain: np.ndarray, closed: bool, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Local radius of a chain at its vertices, and each measurement's three points.

    Args:
        chain: vertices (m x 2); a closed chain repeats its first vertex at the end.
        closed: whether the chain is a whole corner-free contour.
        h: half-span, in the unit of ``chain``.

    Returns:
        radii (k,) and points (k x 3 x 2): per evaluated vertex the points before, at and
        after it.
    """
    length = np.hypot(*np.diff(chain, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(length)])
    total = float(s[-1])
    span = min(h, total / 2)
    centre = s[:-1] if closed else np.clip(s[1:-1], span, total - span)

    def at(position: np.ndarray) -> np.ndarray:
        if closed:
            position = np.mod(position, total)
        k = np.clip(np.searchsorted(s, position, side="right") - 1, 0, len(length) - 1)
        f = (position - s[k]) / length[k]
        return chain[k] + (chain[k + 1] - chain[k]) * f[:, None]

    a, b, c = at(centre - span), at(centre), at(centre + span)
    ab, bc, ca = (np.hypot(*(q - p).T) for p, q in ((a, b), (b, c), (c, a)))
    cross = np.abs((b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0])
    with np.errstate(divide="ignore", invalid="ignore"):
        radii = np.where(cross > 0, ab * bc * ca / (2 * cross), np.inf)
    return radii, np.stack([a, b, c], axis=1)


def _contours(polygon: kdb.Polygon) -> Iterable[np.ndarray]:
    yield np.array([(p.x, p.y) for p in polygon.each_point_hull()], dtype=float)
    for hole in range(polygon.holes()):
        yield np.array([(p.x, p.y) for p in polygon.each_point_hole(hole)], dtype=float)


def bend_radius_markers(
    region: kdb.Region, min_radius_um: float, dbu: float
) -> list[tuple[kdb.Polygon, float]]:
    """Where an edge of ``region`` bends tighter than ``min_radius_um`` (method: module doc).

    Args:
        region: merged shapes of one layer (database units).
        min_radius_um: the layer's minimum bend radius in µm.
        dbu: database unit in µm.

    Returns:
        One marker polygon (database units) per merged violating stretch, with the smallest
        edge radius in it in µm.
    """
    h = BEND_WINDOW_FRACTION * min_radius_um / dbu
    limit = (1 - BEND_RADIUS_TOLERANCE) * min_radius_um / dbu
    boxes = kdb.Region()
    centres: list[np.ndarray] = []
    radii: list[np.ndarray] = []
    for polygon in region.smoothed(SMOOTH_DBU).each():
        for contour in _contours(polygon):
            for chain, closed in _chains(contour):
                if len(chain) < 3:
                    continue
                radius, triple = _chain_radii(chain, closed, h)
                bad = radius < limit
                if not bad.any():
                    continue
                low = np.floor(triple[bad].min(axis=1)).astype(np.int64)
                high = np.ceil(triple[bad].max(axis=1)).astype(np.int64)
                for (x0, y0), (x1, y1) in zip(low.tolist(), high.tolist(), strict=True):
                    boxes.insert(kdb.Box(x0, y0, x1, y1))
                centres.append((low + high) / 2)
                radii.append(radius[bad])
    if not centres:
        return []
    centre = np.concatenate(centres)
    radius_um = np.concatenate(radii) * dbu
    out = []
    for marker in boxes.merged().each():
        box = marker.bbox()
        inside = (
            (centre[:, 0] >= box.left)
            & (centre[:, 0] <= box.right)
            & (centre[:, 1] >= box.bottom)
            & (centre[:, 1] <= box.top)
        )
        out.append((marker, float(radius_um[inside].min())))
    return out


def _layer_region(layout: kdb.Layout, cell: kdb.Cell, gds: tuple[int, int]) -> kdb.Region:
    index = layout.find_layer(gds[0], gds[1])
    if index is None or index < 0:
        return kdb.Region()
    return kdb.Region(cell.begin_shapes_rec(index)).merged()


Found = tuple[list[tuple[kdb.DPoint, float]], int]
"""Listed violations (marker centre in µm, measured value) and the total count."""


def _edge_pairs(pairs: kdb.EdgePairs, dbu: float, value: Callable[[kdb.EdgePair], float]) -> Found:
    listed = [
        (pair.bbox().to_dtype(dbu).center(), value(pair))
        for pair in islice(pairs.each(), MAX_REPORTED_PER_RULE)
    ]
    return listed, pairs.count()


def _areas(region: kdb.Region, dbu: float) -> Found:
    listed = [
        (polygon.bbox().to_dtype(dbu).center(), 0.0)
        for polygon in islice(region.each(), MAX_REPORTED_PER_RULE)
    ]
    return listed, region.count()


def _corner_angle_deg(pair: kdb.EdgePair) -> float:
    """Angle in degrees between the two edges of a corner (incoming, outgoing)."""
    a, b = pair.first, pair.second
    back = (a.p1.x - a.p2.x, a.p1.y - a.p2.y)
    ahead = (b.p2.x - b.p1.x, b.p2.y - b.p1.y)
    cross = back[0] * ahead[1] - back[1] * ahead[0]
    dot = back[0] * ahead[0] + back[1] * ahead[1]
    return abs(math.degrees(math.atan2(cross, dot)))


def _grid_offset_um(pair: kdb.EdgePair, grid: int, dbu: float) -> float:
    """Distance in µm from an off-grid vertex to the nearest grid point."""
    p = pair.first.p1
    dx = p.x - grid * round(p.x / grid)
    dy = p.y - grid * round(p.y / grid)
    return round(math.hypot(dx, dy) * dbu, 6)


def _distance_um(dbu: float) -> Callable[[kdb.EdgePair], float]:
    return lambda pair: round(pair.distance() * dbu, 4)


def _below(limit_um: float, dbu: float) -> int:
    """Distances under this many database units violate ``limit_um`` (less the snap tolerance)."""
    return round(limit_um / dbu) - SNAP_TOLERANCE_DBU


def _layer_check(check: RuleCheck, shapes: kdb.Region, dbu: float) -> Found:
    """Run a check of one layer's merged ``shapes``."""
    options = (False, kdb.Metrics.Projection, IGNORE_ANGLE_DEG)
    if check.kind == "width":
        pairs = shapes.width_check(_below(check.limit, dbu), *options)
        return _edge_pairs(pairs, dbu, _distance_um(dbu))
    if check.kind == "waveguide_width":
        parallel = (False, kdb.Metrics.Projection, WAVEGUIDE_PARALLEL_DEG)
        pairs = shapes.width_check(_below(check.limit, dbu), *parallel)
        return _edge_pairs(pairs, dbu, _distance_um(dbu))
    if check.kind == "space":
        pairs = shapes.space_check(_below(check.limit, dbu), *options)
        return _edge_pairs(pairs, dbu, _distance_um(dbu))
    if check.kind == "off_grid":
        grid = max(round(check.limit / dbu), 1)
        pairs = shapes.grid_check(grid, grid)
        return _edge_pairs(pairs, dbu, lambda pair: _grid_offset_um(pair, grid, dbu))
    if check.kind == "acute_angle":
        sharp = 180.0 - check.limit
        corners = shapes.corners_edge_pairs(-180.0, -sharp, True, True)
        corners += shapes.corners_edge_pairs(sharp, 180.0, True, True)
        listed = [
            (pair.first.p2.to_dtype(dbu), round(_corner_angle_deg(pair), 3))
            for pair in islice(corners.each(), MAX_REPORTED_PER_RULE)
        ]
        return listed, corners.count()
    markers = bend_radius_markers(shapes, check.limit, dbu)
    listed = [
        (marker.bbox().to_dtype(dbu).center(), round(radius, 3))
        for marker, radius in markers[:MAX_REPORTED_PER_RULE]
    ]
    return listed, len(markers)


def _two_layer_check(check: RuleCheck, shapes: kdb.Region, other: kdb.Region, dbu: float) -> Found:
    """Run a check of ``shapes`` against ``other`` (the enclosing union or second layer)."""
    options = (False, kdb.Metrics.Projection, IGNORE_ANGLE_DEG)
    below = _below(check.limit, dbu)
    if check.kind == "enclosure":
        return _edge_pairs(other.enclosing_check(shapes, below, *options), dbu, _distance_um(dbu))
    if check.kind == "separation":
        return _edge_pairs(shapes.separation_check(other, below, *options), dbu, _distance_um(dbu))
    if check.kind == "not_inside":
        return _areas(shapes - other, dbu)
    return _areas(shapes & other, dbu)


def run_drc_on_cell(layout: kdb.Layout, cell: kdb.Cell, rules: DesignRules) -> DrcReport:
    """Check ``cell`` (with its hierarchy) of ``layout`` against ``rules``."""
    regions: dict[str, kdb.Region] = {}

    def region(name: str) -> kdb.Region:
        if name not in regions:
            regions[name] = _layer_region(layout, cell, rules.gds(name))
        return regions[name]

    dbu = layout.dbu
    violations: list[DrcViolation] = []
    counts: dict[str, int] = {}
    checks = rule_checks(rules)
    for check in checks:
        if region(check.layer).is_empty():
            continue
        if check.others:
            other = kdb.Region()
            for name in check.others:
                other += region(name)
            listed, count = _two_layer_check(check, region(check.layer), other.merged(), dbu)
        else:
            listed, count = _layer_check(check, region(check.layer), dbu)
        if count:
            counts[check.rule] = count
        violations.extend(
            DrcViolation(
                rule=check.rule,
                layer=check.layer,
                x_um=round(centre.x, 4),
                y_um=round(centre.y, 4),
                value=value,
                limit=check.limit,
                unit=check.unit,
            )
            for centre, value in listed
        )
    return DrcReport(
        cell=cell.name,
        platform=rules.platform,
        violations=tuple(violations),
        counts=counts,
        checked_rules=tuple(check.rule for check in checks),
    )


def run_drc(component: Any, rules: DesignRules) -> DrcReport:
    """Check a gdsfactory Component (or a ``klayout.db.Cell``) against a platform's rules.

    Args:
        component: ``gf.Component`` (any cell or a whole chip; hierarchy is flattened for the
            check) or a ``klayout.db.Cell``.
        rules: the platform's design rules (``qkdchip.pdk.si3n4.design_rules(thickness_nm)`` or
            ``qkdchip.pdk.inp.design_rules()``).

    Returns:
        The report; ``report.count == 0`` (``report.clean``) when no rule is violated.
    """
    if isinstance(component, kdb.Cell):
        return run_drc_on_cell(component.layout(), component, rules)
    kdb_cell = component.kdb_cell
    return run_drc_on_cell(kdb_cell.layout(), kdb_cell, rules)


def run_drc_gds(
    gds_path: str | Path, rules: DesignRules, cell_name: str | None = None
) -> DrcReport:
    """Check a GDS/OASIS file's top cell (or ``cell_name``) against ``rules``."""
    path = Path(gds_path)
    if not path.is_file():
        raise FileNotFoundError(f"gds_path={str(path)!r} does not exist")
    layout = kdb.Layout()
    layout.read(str(path))
    if cell_name is None:
        tops = layout.top_cells()
        if len(tops) != 1:
            raise ValueError(
                f"{path.name} has {len(tops)} top cells; pass cell_name= one of "
                f"{[t.name for t in tops]}"
            )
        cell = tops[0]
    else:
        cell = layout.cell(cell_name)
        if cell is None:
            raise ValueError(f"cell_name={cell_name!r} is not in {path.name}")
    return run_drc_on_cell(layout, cell, rules)
