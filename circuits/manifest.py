"""The manifest entry of one written GDS mask and the file digest it records (no gdsfactory).

The main flow's cached masks output holds these entries, so reading it back needs no layout
stack; :mod:`qkdchip.circuits.masks` writes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from qkdchip.records import Record


@dataclass(frozen=True, kw_only=True)
class MaskEntry(Record):
    """One GDS mask in the manifest."""

    derived: ClassVar[dict[str, str]] = {"size_um": "bbox_um"}

    file: str
    platform: str
    kind: str
    top_cell: str
    bbox_um: tuple[tuple[float, float], tuple[float, float]]
    die_count: int | None = None
    product_die_count: int | None = None
    test_die_count: int | None = None
    drc_violations: int
    checks_ok: bool
    checks: dict[str, Any]
    sha256: str
    bytes: int
    preview: str

    @property
    def size_um(self) -> tuple[float, float]:
        """Width and height of the bounding box (µm)."""
        (x0, y0), (x1, y1) = self.bbox_um
        return (round(x1 - x0, 3), round(y1 - y0, 3))


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
