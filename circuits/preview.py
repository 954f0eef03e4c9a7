"""PNG previews of chips and wafers, drawn with matplotlib from the layout itself.

Chips are drawn polygon by polygon, each layer in its KLayout display colour. Wafers are drawn at
the level a reviewer needs: outline, usable region, die outlines coloured by die type, and
alignment marks (drawing every polygon of hundreds of dies would take long and show nothing more
at wafer scale).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import gdsfactory as gf
import klayout.db as kdb
from gdsfactory.technology import LayerViews
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from qkdchip.atomic import atomic_write_figure


def layer_colours(views: LayerViews) -> dict[tuple[int, int], tuple[str, str]]:
    """Map GDS (layer, datatype) to (layer name, hex colour) from a PDK's layer views."""
    out: dict[tuple[int, int], tuple[str, str]] = {}
    for name, view in views.layer_views.items():
        if view.layer is None:
            continue
        colour = view.fill_color or view.frame_color
        hex_colour = colour.as_hex(format="long") if colour is not None else "#808080"
        out[(int(view.layer[0]), int(view.layer[1]))] = (name, hex_colour)
    return out


def _save_png(fig: Figure, path: Path, dpi: int) -> None:
    """Write ``fig`` as a PNG atomically (no software stamp, so the bytes are reproducible)."""
    atomic_write_figure(path, fig, dpi=dpi, metadata={"Software": None})


def _layer_polygons(component: gf.Component, layer: tuple[int, int]) -> list[list[tuple]]:
    index = component.kcl.layout.find_layer(layer[0], layer[1])
    if index is None:
        return []
    region = kdb.Region(component.begin_shapes_rec(index))
    dbu = component.kcl.dbu
    polygons = []
    for poly in region.each():
        polygons.append([(p.x * dbu, p.y * dbu) for p in poly.each_point_hull()])
    return polygons


def render_chip_png(
    component: gf.Component,
    path: Path,
    *,
    colours: Mapping[tuple[int, int], tuple[str, str]],
    title: str,
    skip_layers: tuple[tuple[int, int], ...] = (),
    block_labels: Mapping[str, Sequence[float]] | None = None,
    dpi: int = 150,
) -> Path:
    """Draw every polygon of ``component`` by layer and write a PNG atomically.

    Args:
        component: the chip.
        path: output PNG path.
        colours: (layer, datatype) -> (name, hex colour), see :func:`layer_colours`.
        title: figure title.
        skip_layers: layers not drawn (e.g. fine grating teeth that only add ink).
        block_labels: name -> (x, y) of functional blocks to annotate (µm).
        dpi: resolution.
    """
    box = component.dbbox()
    width, height = box.right - box.left, box.top - box.bottom
    aspect = height / width if width > 0 else 1.0
    fig = Figure(figsize=(12.0, max(3.0, 12.0 * aspect) + 1.0))
    ax = fig.subplots()
    handles = []
    for layer, (name, colour) in colours.items():
        if layer in skip_layers:
            continue
        polygons = _layer_polygons(component, layer)
        if not polygons:
            continue
        filled = name not in {"FLOORPLAN", "TEXT"}
        ax.add_collection(
            PolyCollection(
                polygons,
                facecolors=colour if filled else "none",
                edgecolors=colour,
                linewidths=0.4 if filled else 1.0,
                alpha=0.55 if filled else 1.0,
            )
        )
        handles.append(Patch(facecolor=colour, edgecolor=colour, alpha=0.6, label=name))
    for name, (x, y) in (block_labels or {}).items():
        ax.annotate(
            name,
            (x, y),
            xytext=(0, 14),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            color="black",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "gray", "alpha": 0.85},
        )
    ax.set_xlim(box.left - 0.02 * width, box.right + 0.02 * width)
    ax.set_ylim(box.bottom - 0.04 * height, box.top + 0.04 * height)
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    ax.set_title(title)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.tight_layout()
    _save_png(fig, path, dpi)
    return path


def render_wafer_png(
    component: gf.Component,
    path: Path,
    *,
    outline_layer: tuple[int, int],
    die_colours: Mapping[str, tuple[str, str]],
    mark_cell: str | None,
    title: str,
    dpi: int = 120,
) -> Path:
    """Draw a wafer: outlines, dies coloured by cell, alignment marks; write a PNG atomically.

    Args:
        component: the wafer top cell.
        path: output PNG path.
        outline_layer: layer of the wafer and usable-region outlines.
        die_colours: die cell name -> (legend label, colour).
        mark_cell: name of the alignment-mark cell, drawn as crosses.
        title: figure title.
        dpi: resolution.
    """
    fig = Figure(figsize=(9.0, 9.0))
    ax = fig.subplots()
    for poly in _top_polygons(component, outline_layer):
        xs, ys = zip(*poly, strict=True)
        ax.fill(xs, ys, facecolor="none", edgecolor="gray", linewidth=1.0)
    boxes: dict[str, list[list[tuple[float, float]]]] = {}
    marks: list[tuple[float, float]] = []
    for inst in component.insts:
        name = inst.cell.name
        if name in die_colours:
            b = inst.dbbox()
            boxes.setdefault(name, []).append(
                [(b.left, b.bottom), (b.right, b.bottom), (b.right, b.top), (b.left, b.top)]
            )
        elif mark_cell is not None and name == mark_cell:
            b = inst.dbbox()
            marks.append(((b.left + b.right) / 2, (b.bottom + b.top) / 2))
    handles = []
    for name, (label, colour) in die_colours.items():
        if name not in boxes:
            continue
        ax.add_collection(
            PolyCollection(boxes[name], facecolors=colour, edgecolors="black", linewidths=0.3)
        )
        handles.append(Patch(facecolor=colour, label=f"{label} ({len(boxes[name])})"))
    if marks:
        mx, my = zip(*marks, strict=True)
        ax.plot(mx, my, "r+", markersize=14, markeredgewidth=2, label="alignment marks")
    box = component.dbbox()
    pad = 0.03 * (box.right - box.left)
    ax.set_xlim(box.left - pad, box.right + pad)
    ax.set_ylim(box.bottom - pad, box.top + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    ax.set_title(title)
    ax.legend(handles=[*handles, *ax.get_legend_handles_labels()[0]], loc="upper right")
    fig.tight_layout()
    _save_png(fig, path, dpi)
    return path


def _top_polygons(component: gf.Component, layer: tuple[int, int]) -> list[list[tuple]]:
    index = component.kcl.layout.find_layer(layer[0], layer[1])
    if index is None:
        return []
    dbu = component.kcl.dbu
    out = []
    for shape in component.shapes(index).each():
        if shape.is_polygon() or shape.is_box() or shape.is_path():
            poly = shape.polygon
            out.append([(p.x * dbu, p.y * dbu) for p in poly.each_point_hull()])
    return out
