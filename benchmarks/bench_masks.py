"""Benchmark: time to build, check and write all four masks; InP wafer GDS writer and size.

Targets (issue 4): all masks in under 30 s on the 2-core machine, InP wafer GDS under 20 MB.
``write_all_masks`` has no baseline: it is measured against the target only.

Writer baseline, measured in the same run on the same hierarchical InP wafer component: what a
gdsfactory user writes, ``Component.write_gds(path)`` with gdsfactory's defaults (hierarchical,
with gdsfactory metadata). The project's writer is ``qkdchip.circuits.masks.write_gds``
(canonical cell and layer order, no timestamps or metadata, polygons split at 4000 vertices,
atomic rename), so it buys byte-reproducible files, not speed. Both writers are timed best of
``REPEATS`` (interleaved); the ratio is baseline time over project time (below 1: the project's
writer is slower). The two files are read back and checked to hold the same design: the same
cells, instances and texts, and per cell and layer the same polygon area (XOR empty).

Run: ``.venv/bin/python benchmarks/bench_masks.py``
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

T_START = time.perf_counter()

import klayout.db as kdb  # noqa: E402

from qkdchip.circuits.masks import MASK_FILES, write_all_masks, write_gds  # noqa: E402
from qkdchip.circuits.wafers import inp_wafer  # noqa: E402
from qkdchip.platforms import INP  # noqa: E402

T_IMPORT = time.perf_counter() - T_START
REPEATS = 25


CellContent = tuple[list[str], dict[tuple[int, int], tuple[kdb.Region, list[str]]]]


def _cell_content(layout: kdb.Layout, cell: kdb.Cell) -> CellContent:
    """Sorted instance descriptions and (layer, datatype) -> (region, sorted texts) of a cell."""
    insts = sorted(
        f"{inst.cell.name} {inst.dcplx_trans} {inst.na} {inst.nb} {inst.da} {inst.db}"
        for inst in cell.each_inst()
    )
    shapes: dict[tuple[int, int], tuple[kdb.Region, list[str]]] = {}
    for index, info in zip(layout.layer_indexes(), layout.layer_infos(), strict=True):
        texts = sorted(str(s.text) for s in cell.shapes(index).each(kdb.Shapes.STexts))
        shapes[(info.layer, info.datatype)] = (kdb.Region(cell.shapes(index)), texts)
    return insts, shapes


def same_design(path_a: Path, path_b: Path) -> bool:
    """True if two GDS files hold the same cells, instances, texts and polygon areas."""
    a, b = kdb.Layout(), kdb.Layout()
    a.read(str(path_a))
    b.read(str(path_b))
    if sorted(c.name for c in a.each_cell()) != sorted(c.name for c in b.each_cell()):
        return False
    empty: tuple[kdb.Region, list[str]] = (kdb.Region(), [])
    for cell_a in a.each_cell():
        insts_a, shapes_a = _cell_content(a, cell_a)
        insts_b, shapes_b = _cell_content(b, b.cell(cell_a.name))
        if insts_a != insts_b:
            return False
        for key in shapes_a.keys() | shapes_b.keys():
            region_a, texts_a = shapes_a.get(key, empty)
            region_b, texts_b = shapes_b.get(key, empty)
            if texts_a != texts_b or not (region_a ^ region_b).is_empty():
                return False
    return True


def timed(write: Callable[[], object]) -> float:
    """One call of ``write``, timed (s)."""
    t0 = time.perf_counter()
    write()
    return time.perf_counter() - t0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "masks"
        t0 = time.perf_counter()
        manifest = write_all_masks(out)
        t_all = time.perf_counter() - t0
        sizes = {name: (out / name).stat().st_size for name in MASK_FILES}

        INP.activate()
        wafer = inp_wafer()
        ours_path = Path(tmp) / "inp_wafer_qkdchip.gds"
        gf_path = Path(tmp) / "inp_wafer_gdsfactory.gds"
        t_ours, t_gf = [], []
        for _ in range(REPEATS):
            t_ours.append(timed(lambda: write_gds(wafer, ours_path)))
            t_gf.append(timed(lambda: wafer.write_gds(gf_path)))
        ours_size, gf_size = ours_path.stat().st_size, gf_path.stat().st_size
        same = same_design(ours_path, gf_path)

    print("qkdchip mask benchmark (all four masks: build, DRC, checks, GDS, PNG, manifest)")
    print(f"  import of qkdchip.circuits.masks      {T_IMPORT:8.2f} s")
    print(f"  write_all_masks                       {t_all:8.2f} s   (target < 30 s)")
    print(f"  import + write_all_masks              {T_IMPORT + t_all:8.2f} s")
    for name, size in sizes.items():
        entry = manifest.mask(name)
        dies = f", {entry.die_count} dies" if entry.die_count is not None else ""
        print(
            f"  {name:22s} {size / 1e6:8.3f} MB  DRC {entry.drc_violations}  "
            f"checks {'ok' if entry.checks_ok else 'FAILED'}{dies}"
        )
    print(
        f"  InP wafer GDS (qkdchip writer)        {sizes['inp_wafer.gds'] / 1e6:8.3f} MB   "
        "(target < 20 MB)"
    )
    print(f"InP wafer write, hierarchical, best of {REPEATS}:")
    print(
        f"  baseline gdsfactory write_gds        {min(t_gf) * 1e3:8.1f} ms  {gf_size / 1e6:.3f} MB"
    )
    print(
        f"  qkdchip masks.write_gds              {min(t_ours) * 1e3:8.1f} ms  "
        f"{ours_size / 1e6:.3f} MB"
    )
    print(f"  time ratio baseline / qkdchip        {min(t_gf) / min(t_ours):8.2f} x")
    print(f"  size ratio baseline / qkdchip        {gf_size / ours_size:8.2f} x")
    print(f"  same design in both files            {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit("the two writers' files hold different designs")


if __name__ == "__main__":
    main()
