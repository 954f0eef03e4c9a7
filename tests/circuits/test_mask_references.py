"""The default masks against committed references: a refactor that moves no polygon passes.

Both chips are compared layer by layer (merged geometry, XOR); the wafers by their die grid,
which places those chips. ``QKDCHIP_REGEN_GDS=1`` rewrites the references after an intended
change of the layout.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qkdchip.circuits.masks import write_all_masks
from tests.gds_compare import REGEN, geometry_differences, read_top

REFERENCES = Path(__file__).parent / "reference_gds"
CHIPS = ("transmitter_chip.gds", "comb_chip.gds")


@pytest.fixture(scope="module")
def masks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("masks")
    manifest = write_all_masks(out)
    assert manifest.ok
    return out, manifest.to_dict()


@pytest.mark.parametrize("name", CHIPS)
def test_each_chip_draws_the_reference_geometry(masks: tuple[Path, dict], name: str) -> None:
    out, _ = masks
    reference = REFERENCES / name
    if REGEN:
        shutil.copyfile(out / name, reference)
    assert geometry_differences(out / name, reference) == []


def _placements(path: Path) -> list[list[float]]:
    """Origin and size (µm) of every instance in the wafer's top cell, sorted."""
    layout, top = read_top(path)
    out = []
    for inst in top.each_inst():
        box = inst.dbbox()
        out.append([round(box.left, 3), round(box.bottom, 3), round(box.width(), 3)])
    return sorted(out)


def test_the_wafers_place_the_reference_dies(masks: tuple[Path, dict]) -> None:
    out, manifest = masks
    keys = ("die_count", "product_die_count", "test_die_count", "size_um", "bbox_um")
    grids = {
        m["file"]: {**{k: m[k] for k in keys}, "placements": _placements(out / m["file"])}
        for m in manifest["masks"]
        if m["kind"] == "wafer"
    }
    reference = REFERENCES / "wafer_grids.json"
    if REGEN:
        reference.write_text(json.dumps(grids, sort_keys=True) + "\n", "utf-8")
    assert grids == json.loads(reference.read_text(encoding="utf-8"))
