"""The cells under test: every device cell of both PDKs, at its default parameters, plus the
thick-film (800 nm) variants of the Si3N4 ring cells. The whole chips and wafers, also
registered, have their own tests (tests/circuits)."""

from __future__ import annotations

from typing import Any

from qkdchip.components.registry import device_cell_names

THICK_RING: dict[str, Any] = {
    "radius_um": 100.0,
    "width_um": 1.6,
    "gap_um": 0.6,
    "thickness_nm": 800.0,
    "bus_width_um": 1.2,
}

CASES: list[tuple[str, str, dict[str, Any]]] = [
    (name, name, {}) for name in device_cell_names()
] + [
    ("ring_point_coupled_800nm", "ring_point_coupled", THICK_RING),
    ("ring_pulley_800nm", "ring_pulley", {**THICK_RING, "wrap_angle_deg": 40.0}),
]
"""(case id, cell name, parameters)."""
