"""Wafer mask layout: outline with flat, edge exclusion, die grid, labels, marks, test dies.

The wafer is one top cell holding *references*: one per die site (the product chip or a
test-structure die), one per label character (glyph cells shared by every label), one per
alignment mark. Only the wafer outline and the usable-region outline are drawn flat, on the
floorplan layer. This keeps a wafer of hundreds of dies at the size of one die plus a few
kilobytes.

::

            . - ~ ~ ~ - .            +--------+ product die (reference)
        .'  [ ][ ][ ][ ]  '.         |R03C12  |  label R<row>C<col> (1-based, row 1 on top)
      .' [ ][ ][T][ ][ ][ ] '.       +--------+
     :  [ ][ ][ ][ ][ ][ ][ ] :      [T] test-structure die at a reserved site
     + [ ][T][ ][T][ ][T][ ] +       +  alignment mark at a street crossing
     :  [ ][ ][ ][ ][ ][ ][ ] :
      '. [ ][ ][T][ ][ ][ ] .'       dashed: usable region (edge exclusion along rim and flat)
        '. [ ][ ][ ][ ]  .'
           '-__________-'   <- primary flat (bottom)
"""

from __future__ import annotations

from dataclasses import dataclass

import gdsfactory as gf
import numpy as np

from qkdchip.circuits.wafer_geometry import WaferPlan

LABEL_CHARSET = "RC0123456789"
"""Characters a die label may use."""


@gf.cell
def label_glyph(char: str, size: float = 60.0, layer: str = "TEXT") -> gf.Component:
    """One label character as polygons (a shared cell, referenced by every label).

    Args:
        char: a single character from :data:`LABEL_CHARSET`.
        size: character height scale (µm), as gdsfactory's ``text``.
        layer: layer name in the active PDK.
    """
    if len(char) != 1 or char not in LABEL_CHARSET:
        raise ValueError(f"char={char!r} must be one character of {LABEL_CHARSET!r}")
    if not 5.0 <= size <= 1000.0:
        raise ValueError(f"size={size} outside the allowed range [5, 1000] µm")
    c = gf.Component()
    glyph = c << gf.components.text(text=char, size=size, layer=layer)
    glyph.xmin = 0.0
    glyph.ymin = 0.0
    c.flatten()
    return c


def add_label(
    component: gf.Component,
    text: str,
    *,
    origin_um: tuple[float, float],
    size: float,
    layer: str,
) -> None:
    """Add ``text`` as references to shared glyph cells, lower-left at ``origin_um`` (µm)."""
    advance = 0.75 * size
    x0, y0 = origin_um
    for k, char in enumerate(text):
        ref = component << label_glyph(char=char, size=size, layer=layer)
        ref.move((x0 + k * advance, y0))


@gf.cell
def alignment_mark(
    size: float = 80.0,
    arm_width: float = 8.0,
    cross_layer: str = "WG",
    box_layers: tuple[str, ...] = (),
) -> gf.Component:
    """Cross-and-box alignment mark centred on the origin.

    The first lithography layer prints the cross; each later layer prints four boxes in the
    quadrants of the cross (box layer ``k`` at a growing distance), so an overlay error shows as
    an asymmetric gap.

    ::

          [k] | [k]
          ----+----   cross on cross_layer, size x size µm
          [k] | [k]

    Args:
        size: overall mark size (µm); must fit in a street crossing.
        arm_width: width of the cross arms (µm).
        cross_layer: layer of the cross.
        box_layers: layers of the quadrant boxes, one ring of four boxes each.
    """
    if not 10.0 <= size <= 1000.0:
        raise ValueError(f"size={size} outside the allowed range [10, 1000] µm")
    if not 1.0 <= arm_width <= size / 4:
        raise ValueError(f"arm_width={arm_width} outside the allowed range [1, size/4] µm")
    c = gf.Component()
    h = size / 2.0
    w = arm_width / 2.0
    c.add_polygon([(-h, -w), (h, -w), (h, w), (-h, w)], layer=cross_layer)
    c.add_polygon([(-w, -h), (w, -h), (w, -w), (-w, -w)], layer=cross_layer)
    c.add_polygon([(-w, w), (w, w), (w, h), (-w, h)], layer=cross_layer)
    if box_layers:
        free = h - w  # room from arm edge to mark edge
        box = free / (2 * len(box_layers) + 1)
        gap = box / 2.0
        for k, layer in enumerate(box_layers):
            lo = w + gap + 2 * k * box
            hi = lo + box
            for sx in (-1, 1):
                for sy in (-1, 1):
                    xs = sorted((sx * lo, sx * hi))
                    ys = sorted((sy * lo, sy * hi))
                    c.add_polygon(
                        [(xs[0], ys[0]), (xs[1], ys[0]), (xs[1], ys[1]), (xs[0], ys[1])],
                        layer=layer,
                    )
    return c


@dataclass(frozen=True)
class WaferStyle:
    """Layer names and sizes used to draw a wafer (names resolve in the active PDK).

    Args:
        outline_layer: layer of the wafer and usable-region outlines.
        text_layer: layer of the die labels.
        mark_cross_layer: alignment-mark cross layer.
        mark_box_layers: alignment-mark box layers.
        label_size_um: label character size (µm).
        label_offset_um: label lower-left corner relative to the die's lower-left corner (µm).
        mark_size_um: alignment mark size (µm).
        mark_arm_um: alignment mark arm width (µm).
    """

    outline_layer: str = "FLOORPLAN"
    text_layer: str = "TEXT"
    mark_cross_layer: str = "WG"
    mark_box_layers: tuple[str, ...] = ()
    label_size_um: float = 60.0
    label_offset_um: tuple[float, float] = (20.0, 20.0)
    mark_size_um: float = 80.0
    mark_arm_um: float = 8.0


def _polygon_um(points: np.ndarray) -> list[tuple[float, float]]:
    return [(round(float(x), 3), round(float(y), 3)) for x, y in points]


def draw_wafer(
    c: gf.Component,
    *,
    plan: WaferPlan,
    product_die: gf.Component,
    test_die: gf.Component,
    style: WaferStyle,
) -> None:
    """Fill ``c`` with the wafer: outlines, die references, labels and alignment marks.

    Each die's bounding box lower-left corner is put on its site's lower-left corner; the
    label goes at ``style.label_offset_um`` inside the die.
    """
    grid = plan.grid
    lower_left: dict[str, tuple[float, float]] = {}
    for die in (product_die, test_die):
        box = die.dbbox()
        w, h = box.right - box.left, box.top - box.bottom
        if abs(w - grid.die_width_um) > 1e-3 or abs(h - grid.die_height_um) > 1e-3:
            raise ValueError(
                f"die {die.name} is {w} x {h} µm but the grid expects "
                f"{grid.die_width_um} x {grid.die_height_um} µm"
            )
        lower_left[die.name] = (box.left, box.bottom)
    c.add_polygon(_polygon_um(grid.wafer.outline_points()), layer=style.outline_layer)
    usable = _polygon_um(grid.wafer.usable_outline_points())
    c.add_polygon(usable, layer=style.outline_layer)

    test_keys = {(s.row, s.column) for s in plan.test_sites}
    for site in grid.sites:
        die = test_die if (site.row, site.column) in test_keys else product_die
        left, bottom = lower_left[die.name]
        ref = c << die
        ref.move((site.x_um - left, site.y_um - bottom))
        add_label(
            c,
            site.label,
            origin_um=(site.x_um + style.label_offset_um[0], site.y_um + style.label_offset_um[1]),
            size=style.label_size_um,
            layer=style.text_layer,
        )
    mark = alignment_mark(
        size=style.mark_size_um,
        arm_width=style.mark_arm_um,
        cross_layer=style.mark_cross_layer,
        box_layers=style.mark_box_layers,
    )
    for x, y in plan.mark_centres_um:
        ref = c << mark
        ref.move((x, y))
    c.info["wafer"] = {k: v for k, v in plan.to_dict().items() if k != "wafer"}
    c.info["diameter_um"] = grid.wafer.diameter_um
    c.info["flat_length_um"] = grid.wafer.flat_length_um
    c.info["edge_exclusion_um"] = grid.wafer.edge_exclusion_um
