"""The manifest entry of one written GDS mask and the file digest it records (no gdsfactory).

The main flow's cached masks output holds these entries, so reading it back needs no layout
stack; :mod:`qkdchip.circuits.masks` writes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class MaskEntry:
    """One GDS mask in the manifest."""

    file: str
    platform: str
    kind: str
    top_cell: str
    bbox_um: tuple[tuple[float, float], tuple[float, float]]
    drc_violations: int
    checks_ok: bool
    checks: dict[str, Any]
    sha256: str
    bytes: int
    preview: str
    die_count: int | None = None
    product_die_count: int | None = None
    test_die_count: int | None = None

    @property
    def size_um(self) -> tuple[float, float]:
        """Width and height of the bounding box (µm)."""
        (x0, y0), (x1, y1) = self.bbox_um
        return (round(x1 - x0, 3), round(y1 - y0, 3))

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "platform": self.platform,
            "kind": self.kind,
            "top_cell": self.top_cell,
            "bbox_um": [list(self.bbox_um[0]), list(self.bbox_um[1])],
            "size_um": list(self.size_um),
            "die_count": self.die_count,
            "product_die_count": self.product_die_count,
            "test_die_count": self.test_die_count,
            "drc_violations": self.drc_violations,
            "checks_ok": self.checks_ok,
            "checks": self.checks,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "preview": self.preview,
        }


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
