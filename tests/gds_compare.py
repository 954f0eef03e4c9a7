"""Geometry comparison of GDS files: merged regions per layer, compared by XOR.

Robust to what a writer may change without changing the mask (cell order, names of
unchanged sub-cells, timestamps): two files match when every layer holds the same area.
"""

from __future__ import annotations

import os
from pathlib import Path

import klayout.db as kdb

REGEN = os.environ.get("QKDCHIP_REGEN_GDS") == "1"
"""``QKDCHIP_REGEN_GDS=1``: (re)write the reference files after an intended change."""


def read_top(path: Path) -> tuple[kdb.Layout, kdb.Cell]:
    """The layout of ``path`` and its single top cell."""
    layout = kdb.Layout()
    layout.read(str(path))
    (top,) = layout.top_cells()
    return layout, top


def layer_regions(layout: kdb.Layout, cell: kdb.Cell) -> dict[tuple[int, int], kdb.Region]:
    """Merged region of every non-empty layer of ``cell`` (hierarchy flattened)."""
    out = {}
    for index in layout.layer_indexes():
        info = layout.get_info(index)
        region = kdb.Region(cell.begin_shapes_rec(index)).merged()
        if not region.is_empty():
            out[(info.layer, info.datatype)] = region
    return out


def geometry_differences(new: Path, reference: Path) -> list[str]:
    """The layers on which ``new`` and ``reference`` differ (empty when they match)."""
    a = layer_regions(*read_top(new))
    b = layer_regions(*read_top(reference))
    if set(a) != set(b):
        return [f"layers differ: {sorted(a)} vs {sorted(b)}"]
    return [
        f"layer {layer}: XOR has {(a[layer] ^ b[layer]).count()} polygons"
        for layer in sorted(a)
        if not (a[layer] ^ b[layer]).is_empty()
    ]
