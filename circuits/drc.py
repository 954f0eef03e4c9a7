"""Design-rule check of chips and of whole wafers, hierarchically.

A chip is checked flat with :func:`qkdchip.pdk.drc.run_drc`. A wafer holds hundreds of
references to a few die cells, so checking it flat would repeat the same work for every die.
Instead :func:`wafer_drc` checks each distinct child cell once (product die, test die, alignment
mark) and then what only the wafer level can get wrong: the spacing between neighbouring dies
and between alignment marks and dies, which must be at least the largest minimum space of the
layers they share. Since every die's shapes lie inside its bounding box, these two parts
together cover every pair of shapes on the wafer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import gdsfactory as gf
import klayout.db as kdb

from qkdchip.pdk.drc import DrcReport, run_drc
from qkdchip.pdk.rules import DesignRules
from qkdchip.records import Record


@dataclass(frozen=True)
class WaferDrcReport(Record):
    """DRC of a wafer: per-cell reports plus wafer-level spacing problems."""

    derived: ClassVar[dict[str, str]] = {"count": "cell"}

    cell: str
    cell_reports: tuple[DrcReport, ...]
    spacing_problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def count(self) -> int:
        """Total number of violations."""
        return sum(r.count for r in self.cell_reports) + len(self.spacing_problems)

    @property
    def clean(self) -> bool:
        return self.count == 0


def _layers_with_shapes(cell: kdb.Cell, rules: DesignRules) -> list[str]:
    names = []
    for rule in rules.layers:
        index = cell.layout().find_layer(*rule.gds)
        if index is None:
            continue
        if not kdb.Region(cell.begin_shapes_rec(index)).is_empty():
            names.append(rule.layer)
    return names


def wafer_drc(wafer: gf.Component, rules: DesignRules) -> WaferDrcReport:
    """Check every distinct child cell of ``wafer`` and the spacing between its instances.

    Args:
        wafer: wafer top cell whose instances are dies, marks and label glyphs.
        rules: the platform's design rules.
    """
    layout = wafer.kcl.layout
    children: dict[str, kdb.Cell] = {}
    for inst in wafer.insts:
        children.setdefault(inst.cell.name, layout.cell(inst.cell.name))
    reports = tuple(run_drc(child, rules) for _, child in sorted(children.items()))

    # top-level shapes (outlines) must not carry rule layers
    problems: list[str] = []
    for rule in rules.layers:
        index = layout.find_layer(*rule.gds)
        if index is not None and not wafer.kdb_cell.shapes(index).is_empty():
            problems.append(f"wafer top cell draws on rule layer {rule.layer}")

    present = {name: set(_layers_with_shapes(child, rules)) for name, child in children.items()}

    def need(a: str, b: str) -> float:
        common = present[a] & present[b]
        return max((rules.layer(layer).min_space_um for layer in common), default=0.0)

    boxes = [(inst.cell.name, inst.dbbox()) for inst in wafer.insts if present[inst.cell.name]]
    # sweep along x for pairs of instance boxes closer than the space rule of a shared layer
    boxes.sort(key=lambda item: item[1].left)
    reach = max((rule.min_space_um for rule in rules.layers), default=0.0)
    for k, (name_a, a) in enumerate(boxes):
        for name_b, b in boxes[k + 1 :]:
            if b.left - a.right > reach:
                break
            gap_x = max(b.left - a.right, a.left - b.right)
            gap_y = max(b.bottom - a.top, a.bottom - b.top)
            limit = need(name_a, name_b)
            if max(gap_x, gap_y) < limit - 1e-6:
                problems.append(
                    f"{name_a} at ({a.left:.3f}, {a.bottom:.3f}) and {name_b} at "
                    f"({b.left:.3f}, {b.bottom:.3f}) µm are closer than {limit} µm"
                )
    return WaferDrcReport(cell=wafer.name, cell_reports=reports, spacing_problems=tuple(problems))
