"""3-inch wafer masks of both platforms: product dies, test dies, labels, alignment marks.

Each wafer cell needs its platform's PDK active. Die counts are the maximum a regular grid of
the product die (plus street) fits in the usable region (see
:func:`qkdchip.circuits.wafer_geometry.optimise_die_grid`). Defaults come from the platform's
:class:`~qkdchip.circuits.wafer_geometry.WaferLayout`, which the wafer-yield Monte Carlo uses for
its die sites too.
"""

from __future__ import annotations

import gdsfactory as gf

from qkdchip.circuits.comb_chip import comb_chip
from qkdchip.circuits.monitor_dies import inp_test_die, si3n4_test_die
from qkdchip.circuits.transmitter import transmitter_chip
from qkdchip.circuits.wafer import WaferStyle, draw_wafer
from qkdchip.circuits.wafer_geometry import (
    INP_WAFER_LAYOUT,
    SI3N4_WAFER_LAYOUT,
    WaferLayout,
    WaferSpec,
)

INP_STYLE = WaferStyle(mark_cross_layer="WG_DEEP", mark_box_layers=("METAL_P",))
"""InP marks: cross in the first (deep-etch) layer, boxes in p-metal."""
SI3N4_STYLE = WaferStyle(mark_cross_layer="WG", mark_box_layers=("HEATER", "ROUTING"))
"""Si3N4 marks: cross in the waveguide layer, boxes in heater and routing metal."""


def _wafer(
    *,
    product: gf.Component,
    test: gf.Component,
    spec: WaferSpec,
    street_um: float,
    n_test_dies: int,
    n_marks: int,
    style: WaferStyle,
) -> gf.Component:
    box = product.dbbox()
    plan = WaferLayout(
        die_width_um=box.right - box.left,
        die_height_um=box.top - box.bottom,
        street_um=street_um,
        wafer=spec,
        n_test_dies=n_test_dies,
        n_marks=n_marks,
    ).plan()
    c = gf.Component()
    draw_wafer(c, plan=plan, product_die=product, test_die=test, style=style)
    c.info["product_cell"] = product.name
    c.info["test_cell"] = test.name
    return c


@gf.cell
def inp_wafer(
    diameter_um: float = INP_WAFER_LAYOUT.wafer.diameter_um,
    flat_length_um: float = INP_WAFER_LAYOUT.wafer.flat_length_um,
    edge_exclusion_um: float = INP_WAFER_LAYOUT.wafer.edge_exclusion_um,
    street_um: float = INP_WAFER_LAYOUT.street_um,
    n_test_dies: int = INP_WAFER_LAYOUT.n_test_dies,
    n_marks: int = INP_WAFER_LAYOUT.n_marks,
    product: dict[str, float] | None = None,
) -> gf.Component:
    """3-inch InP wafer of QKD transmitter chips (default chip) with test dies and marks.

    Args:
        diameter_um: wafer diameter (µm).
        flat_length_um: primary flat length (µm), SEMI 3-inch default.
        edge_exclusion_um: unusable band along rim and flat (µm).
        street_um: cleave/dicing street between dies (µm).
        n_test_dies: test-structure dies, 0 to 5.
        n_marks: alignment marks, 0 to 4.
        product: keyword arguments of the product chip cell (default: its defaults).
    """
    return _wafer(
        product=transmitter_chip(**(product or {})),
        test=inp_test_die(),
        spec=WaferSpec(
            diameter_um=diameter_um,
            flat_length_um=flat_length_um,
            edge_exclusion_um=edge_exclusion_um,
        ),
        street_um=street_um,
        n_test_dies=n_test_dies,
        n_marks=n_marks,
        style=INP_STYLE,
    )


@gf.cell
def si3n4_wafer(
    diameter_um: float = SI3N4_WAFER_LAYOUT.wafer.diameter_um,
    flat_length_um: float = SI3N4_WAFER_LAYOUT.wafer.flat_length_um,
    edge_exclusion_um: float = SI3N4_WAFER_LAYOUT.wafer.edge_exclusion_um,
    street_um: float = SI3N4_WAFER_LAYOUT.street_um,
    n_test_dies: int = SI3N4_WAFER_LAYOUT.n_test_dies,
    n_marks: int = SI3N4_WAFER_LAYOUT.n_marks,
    product: dict[str, float] | None = None,
) -> gf.Component:
    """3-inch Si3N4 wafer of microcomb chips (default chip) with test dies and marks.

    Args:
        diameter_um: wafer diameter (µm).
        flat_length_um: primary flat length (µm), SEMI 3-inch default.
        edge_exclusion_um: unusable band along rim and flat (µm).
        street_um: dicing street between dies (µm).
        n_test_dies: test-structure dies, 0 to 5.
        n_marks: alignment marks, 0 to 4.
        product: keyword arguments of the product chip cell (default: its defaults).
    """
    return _wafer(
        product=comb_chip(**(product or {})),
        test=si3n4_test_die(),
        spec=WaferSpec(
            diameter_um=diameter_um,
            flat_length_um=flat_length_um,
            edge_exclusion_um=edge_exclusion_um,
        ),
        street_um=street_um,
        n_test_dies=n_test_dies,
        n_marks=n_marks,
        style=SI3N4_STYLE,
    )
