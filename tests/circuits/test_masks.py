"""write_all_masks: files, manifest, atomic writes and byte-for-byte reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qkdchip.circuits.checks import xor_files
from qkdchip.circuits.masks import MASK_FILES, sha256_of, write_all_masks


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("masks")
    return out, write_all_masks(out)


def test_files_and_manifest(written):
    out, manifest = written
    klayout = [f"{p}.{ext}" for p in ("inp", "si3n4") for ext in ("lyp", "lyt", "drc")]
    for name in (*MASK_FILES, *klayout, "manifest.json"):
        assert (out / name).is_file(), name
    for name in MASK_FILES:
        assert (out / name.replace(".gds", ".png")).stat().st_size > 10_000
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left
    data = json.loads((out / "manifest.json").read_text())
    assert data["ok"] is True
    by_file = {m["file"]: m for m in data["masks"]}
    assert set(by_file) == set(MASK_FILES)
    for entry in data["masks"]:
        assert entry["drc_violations"] == 0
        assert entry["checks_ok"] is True
        assert entry["sha256"] == sha256_of(out / entry["file"])
    assert by_file["transmitter_chip.gds"]["size_um"] == [12500.0, 2000.0]
    assert by_file["transmitter_chip.gds"]["bbox_um"] == [[0.0, 0.0], [12500.0, 2000.0]]
    assert by_file["inp_wafer.gds"]["die_count"] == 116
    assert by_file["si3n4_wafer.gds"]["die_count"] == manifest.mask("si3n4_wafer.gds").die_count
    for item in data["files"]:
        assert item["sha256"] == sha256_of(out / item["file"])


def test_klayout_technology_and_deck_next_to_the_masks(written):
    import klayout.db as kdb

    from qkdchip.pdk.klayout import drc_deck
    from qkdchip.platforms import INP, SI3N4

    out, _ = written
    for platform in (INP, SI3N4):
        tech = kdb.Technology.technology_from_xml((out / f"{platform.name}.lyt").read_text())
        assert tech.layer_properties_file == f"{platform.name}.lyp"
        deck = (out / f"{platform.name}.drc").read_text()
        assert deck == drc_deck(platform.design_rules(), name=platform.name)
    assert "WG.bend_radius" in (out / "si3n4.drc").read_text()


def test_wafer_file_small(written):
    out, _ = written
    assert (out / "inp_wafer.gds").stat().st_size < 20e6


def test_lyp_lists_platform_layers(written):
    out, _ = written
    text = (out / "inp.lyp").read_text()
    assert "WG_DEEP" in text
    assert "METAL_P" in text
    assert "HEATER" in (out / "si3n4.lyp").read_text()


@pytest.mark.slow
def test_rewrite_in_fresh_process_is_identical(written, tmp_path):
    """A second, independent process writes the same bytes and the XOR of the geometry is empty."""
    out, _ = written
    code = (
        "import sys; from qkdchip.circuits.masks import write_all_masks; "
        "write_all_masks(sys.argv[1])"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, capture_output=True)
    for name in MASK_FILES:
        assert sha256_of(out / name) == sha256_of(tmp_path / name), name
        assert not any(xor_files(out / name, tmp_path / name).values()), name
    assert (out / "manifest.json").read_bytes() == (tmp_path / "manifest.json").read_bytes()


def test_xor_detects_a_difference(written, tmp_path):
    out, _ = written
    import klayout.db as kdb

    layout = kdb.Layout()
    layout.read(str(out / "transmitter_chip.gds"))
    top = layout.top_cell()
    top.shapes(layout.layer(1, 0)).insert(kdb.Box(0, 0, 1000, 1000))
    changed = Path(tmp_path) / "changed.gds"
    layout.write(str(changed))
    diff = xor_files(out / "transmitter_chip.gds", changed)
    assert diff["1/0"] == 1


def test_wafer_bbox_is_the_wafer_outline(written):
    _, manifest = written
    (x0, y0), (x1, y1) = manifest.mask("inp_wafer.gds").bbox_um
    # 76.2 mm across; from the flat (36.444 mm below the centre) to the top of the circle
    assert (x0, x1, y1) == (-38100.0, 38100.0, 38100.0)
    assert y0 == pytest.approx(-36444.175, abs=0.001)


@pytest.mark.parametrize(
    ("platform", "wafer_file", "chip_file"),
    [
        ("inp", "inp_wafer.gds", "transmitter_chip.gds"),
        ("si3n4", "si3n4_wafer.gds", "comb_chip.gds"),
    ],
)
def test_yield_model_samples_the_product_dies_of_the_gds_wafer(
    written, platform, wafer_file, chip_file
):
    """The yield Monte Carlo's dies are the wafer file's product-die references, test dies out."""
    import klayout.db as kdb

    import qkdchip.platforms
    from qkdchip.simulations.wafer_yield import YieldModel

    out, manifest = written
    layout = kdb.Layout()
    layout.read(str(out / wafer_file))
    product = manifest.mask(chip_file).top_cell
    boxes = [inst.dbbox() for inst in layout.top_cell().each_inst() if inst.cell.name == product]
    mask_mm = sorted(
        (round((b.left + b.right) / 2e3, 6), round((b.bottom + b.top) / 2e3, 6)) for b in boxes
    )
    dies = YieldModel.build(qkdchip.platforms.platform(platform)).grid
    yield_mm = sorted(
        (round(float(x), 6), round(float(y), 6)) for x, y in zip(dies.x_mm, dies.y_mm, strict=True)
    )
    assert len(mask_mm) == manifest.mask(wafer_file).product_die_count == dies.n_dies
    assert yield_mm == mask_mm  # same sites to 1 nm
    assert (dies.die_width_mm, dies.die_height_mm) == tuple(
        s / 1e3 for s in manifest.mask(chip_file).size_um
    )
