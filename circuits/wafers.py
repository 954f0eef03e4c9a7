"""3-inch wafer masks of both platforms: product dies, test dies, labels, alignment marks.

Each wafer cell needs its platform's PDK active. Die counts are the maximum a regular grid of
the product die (plus street) fits in the usable region (see
:func:`qkdchip.circuits.wafer_geometry.optimise_die_grid`). Defaults come from the platform's
:class:`~qkdchip.circuits.wafer_geometry.WaferLayout`, which the wafer-yield Monte Carlo uses for
its die sites too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Platform:
    """What a platform's wafer places: its product chip cell, test die cell and mark style."""

    chip: Callable[..., gf.Component]
    test_die: Callable[[], gf.Component]
    style: WaferStyle


_INP = _Platform(chip=transmitter_chip, test_die=inp_test_die, style=INP_STYLE)
_SI3N4 = _Platform(chip=comb_chip, test_die=si3n4_test_die, style=SI3N4_STYLE)


def _wafer(
    platform: _Platform,
    *,
    diameter_um: float,
    flat_length_um: float,
    edge_exclusion_um: float,
    street_um: float,
    n_test_dies: int,
    n_marks: int,
    product: dict[str, float] | None,
) -> gf.Component:
    """A wafer of ``platform``'s product chip (built from ``product``) on the largest grid that
    fits, with its test dies and alignment marks (µm)."""
    chip = platform.chip(**(product or {}))
    test = platform.test_die()
    box = chip.dbbox()
    plan = WaferLayout(
        die_width_um=box.right - box.left,
        die_height_um=box.top - box.bottom,
        street_um=street_um,
        wafer=WaferSpec(
            diameter_um=diameter_um,
            flat_length_um=flat_length_um,
            edge_exclusion_um=edge_exclusion_um,
        ),
        n_test_dies=n_test_dies,
        n_marks=n_marks,
    ).plan()
    c = gf.Component()
    draw_wafer(c, plan=plan, product_die=chip, test_die=test, style=platform.style)
    c.info["product_cell"] = chip.name
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
        _INP,
        diameter_um=diameter_um,
        flat_length_um=flat_length_um,
        edge_exclusion_um=edge_exclusion_um,
        street_um=street_um,
        n_test_dies=n_test_dies,
        n_marks=n_marks,
        product=product,
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
        _SI3N4,
        diameter_um=diameter_um,
        flat_length_um=flat_length_um,
        edge_exclusion_um=edge_exclusion_um,
        street_um=street_um,
        n_test_dies=n_test_dies,
        n_marks=n_marks,
        product=product,
    )


INP_CHIP_CELLS: dict[str, Callable[..., gf.Component]] = {
    "transmitter_chip": transmitter_chip,
    "inp_test_die": inp_test_die,
    "inp_wafer": inp_wafer,
}
"""The InP platform's whole-chip and wafer cells (registered in its PDK), by name."""
SI3N4_CHIP_CELLS: dict[str, Callable[..., gf.Component]] = {
    "comb_chip": comb_chip,
    "si3n4_test_die": si3n4_test_die,
    "si3n4_wafer": si3n4_wafer,
}
"""The Si3N4 platform's whole-chip and wafer cells (registered in its PDK), by name."""
