"""Design-rule check in Python with ``klayout.db`` Region checks, driven by a platform's rules.

Works on any cell or whole chip: shapes are collected through the hierarchy
(``begin_shapes_rec``) and merged per layer, then checked for

* width (``LAYER.width``): ``Region.width_check``,
* space (``LAYER.space``): ``Region.space_check`` (also between different shapes),
* enclosure (``INNER.enclosure.OUTER``): ``Region.enclosing_check``, and coverage
  (``INNER.not_inside.OUTER``): parts of ``inner`` outside ``outer`` (``OUTER`` may be a union
  such as ``METAL_P+METAL_N``),
* separation between two layers (``A.separation.B``): ``Region.separation_check``, and overlap
  (``A.overlap.B``): shapes of both layers on top of each other.

All distance checks use projection metrics, so 1 nm snapping jogs on curved waveguides are not
reported as errors (Euclidean metrics flag them; reference notes §0.8).

Example::

    report = run_drc(component, qkdchip.pdk.inp.design_rules())
    if not report.clean:
        print(report.format())
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

import klayout.db as kdb

from qkdchip.pdk.rules import DesignRules
from qkdchip.records import Record

MAX_REPORTED_PER_RULE = 200
"""Violations listed per rule (the count covers all of them)."""
SNAP_TOLERANCE_DBU = 2
"""A distance is reported only when it is below the rule minus this many database units (2 nm):
curved or off-axis edges drawn at exactly the minimum lose up to 0.5 nm per edge to grid
snapping plus up to 0.5 nm to arc sampling (``qkdchip.components.geometry.SAGITTA_TOL_UM``)."""
IGNORE_ANGLE_DEG = 80.0
"""Edge pairs meeting at this angle or more are not checked. KLayout's default (90°) flags the
corner where a slowly tapering or arc-sampled edge meets an end edge at 89.6° as a zero-width
error; truly acute spikes (< 80°) are still reported."""


@dataclass(frozen=True)
class DrcViolation(Record):
    """One rule violation.

    Attributes:
        rule: rule name, e.g. ``"WG.space"`` or ``"PAD.enclosure.ROUTING"``.
        layer: the checked layer (the inner layer of an enclosure rule).
        x_um: x of the violation marker's centre in µm (top-cell coordinates).
        y_um: y of the violation marker's centre in µm.
        value_um: measured distance in µm (0 for coverage violations).
        limit_um: the rule's minimum in µm.
    """

    rule: str
    layer: str
    x_um: float
    y_um: float
    value_um: float
    limit_um: float

    def __str__(self) -> str:
        return (
            f"{self.rule}: {self.value_um:.3f} µm < {self.limit_um:.3f} µm "
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


def _layer_region(layout: kdb.Layout, cell: kdb.Cell, gds: tuple[int, int]) -> kdb.Region:
    index = layout.find_layer(gds[0], gds[1])
    if index is None or index < 0:
        return kdb.Region()
    return kdb.Region(cell.begin_shapes_rec(index)).merged()


def _violations(
    shapes: kdb.EdgePairs | kdb.Region, rule: str, layer: str, limit_um: float, dbu: float
) -> tuple[list[DrcViolation], int]:
    """The first ``MAX_REPORTED_PER_RULE`` violations of ``shapes`` and their total count.

    Each edge pair (a width, space, enclosure or separation error) or polygon (area where none
    may be, reported with distance 0) becomes one violation at its bbox centre.
    """
    out: list[DrcViolation] = []
    for shape in islice(shapes.each(), MAX_REPORTED_PER_RULE):
        center = shape.bbox().center()
        distance = shape.distance() if isinstance(shape, kdb.EdgePair) else 0
        out.append(
            DrcViolation(
                rule=rule,
                layer=layer,
                x_um=round(center.x * dbu, 4),
                y_um=round(center.y * dbu, 4),
                value_um=round(distance * dbu, 4),
                limit_um=limit_um,
            )
        )
    return out, shapes.count()


def run_drc_on_cell(layout: kdb.Layout, cell: kdb.Cell, rules: DesignRules) -> DrcReport:
    """Check ``cell`` (with its hierarchy) of ``layout`` against ``rules``."""
    dbu = layout.dbu
    regions: dict[str, kdb.Region] = {}

    def region(name: str) -> kdb.Region:
        if name not in regions:
            regions[name] = _layer_region(layout, cell, rules.gds(name))
        return regions[name]

    violations: list[DrcViolation] = []
    counts: dict[str, int] = {}
    checked: list[str] = []
    metrics = kdb.Metrics.Projection

    def record(items: list[DrcViolation], n: int, rule: str) -> None:
        checked.append(rule)
        violations.extend(items)
        if n:
            counts[rule] = n

    def below(limit_um: float) -> int:
        """Distances under this many dbu violate ``limit_um`` (less the snapping tolerance)."""
        return round(limit_um / dbu) - SNAP_TOLERANCE_DBU

    def record_shapes(
        shapes: kdb.EdgePairs | kdb.Region, rule: str, layer: str, limit_um: float
    ) -> None:
        record(*_violations(shapes, rule, layer, limit_um, dbu), rule)

    check_args = (False, metrics, IGNORE_ANGLE_DEG)
    for lr in rules.layers:
        reg = region(lr.layer)
        width_rule, space_rule = f"{lr.layer}.width", f"{lr.layer}.space"
        if reg.is_empty():
            checked.extend([width_rule, space_rule])
            continue
        width = reg.width_check(below(lr.min_width_um), *check_args)
        record_shapes(width, width_rule, lr.layer, lr.min_width_um)
        space = reg.space_check(below(lr.min_space_um), *check_args)
        record_shapes(space, space_rule, lr.layer, lr.min_space_um)
    for enc in rules.enclosures:
        inner = region(enc.inner)
        outer = kdb.Region()
        for name in enc.outer_layers:
            outer += region(name)
        outer.merge()
        margin = outer.enclosing_check(inner, below(enc.min_enclosure_um), *check_args)
        enc_rule = f"{enc.inner}.enclosure.{enc.outer_name}"
        record_shapes(margin, enc_rule, enc.inner, enc.min_enclosure_um)
        cov_rule = f"{enc.inner}.not_inside.{enc.outer_name}"
        record_shapes(inner - outer, cov_rule, enc.inner, enc.min_enclosure_um)
    for sep in rules.separations:
        a, b = region(sep.layer_a), region(sep.layer_b)
        gap = a.separation_check(b, below(sep.min_space_um), *check_args)
        sep_rule = f"{sep.layer_a}.separation.{sep.layer_b}"
        record_shapes(gap, sep_rule, sep.layer_a, sep.min_space_um)
        overlap_rule = f"{sep.layer_a}.overlap.{sep.layer_b}"
        record_shapes(a & b, overlap_rule, sep.layer_a, sep.min_space_um)
    return DrcReport(
        cell=cell.name,
        platform=rules.platform,
        violations=tuple(violations),
        counts=counts,
        checked_rules=tuple(checked),
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
