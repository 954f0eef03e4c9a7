"""Benchmark: time to build, check and write all four masks; InP wafer file size.

Targets (issue 4): all masks in under 30 s on the 2-core machine, InP wafer GDS under 20 MB.
Baseline, measured in the same run: the same InP wafer written flat (every die's polygons
copied into the top cell, no hierarchy), which is what a mask without referenced dies costs.

Run: ``.venv/bin/python benchmarks/bench_masks.py``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

T_START = time.perf_counter()

from qkdchip.circuits.masks import (  # noqa: E402
    MASK_FILES,
    canonical_layout,
    gds_save_options,
    write_all_masks,
)
from qkdchip.circuits.wafers import inp_wafer  # noqa: E402
from qkdchip.platforms import INP  # noqa: E402

T_IMPORT = time.perf_counter() - T_START


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "masks"
        t0 = time.perf_counter()
        manifest = write_all_masks(out)
        t_all = time.perf_counter() - t0
        sizes = {name: (out / name).stat().st_size for name in MASK_FILES}

        INP.activate()
        wafer = inp_wafer()
        t0 = time.perf_counter()
        flat = canonical_layout(wafer.kdb_cell)
        flat.top_cell().flatten(-1, True)
        flat_path = Path(tmp) / "inp_wafer_flat.gds"
        flat.write(str(flat_path), gds_save_options())
        t_flat = time.perf_counter() - t0
        flat_size = flat_path.stat().st_size

        t0 = time.perf_counter()
        hier = canonical_layout(wafer.kdb_cell)
        hier_path = Path(tmp) / "inp_wafer_hier.gds"
        hier.write(str(hier_path), gds_save_options())
        t_hier = time.perf_counter() - t0

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
    wafer_size = sizes["inp_wafer.gds"]
    print(f"  InP wafer hierarchical               {wafer_size / 1e6:8.3f} MB   (target < 20 MB)")
    print(f"  InP wafer flat baseline              {flat_size / 1e6:8.3f} MB")
    print(f"  size ratio flat / hierarchical       {flat_size / wafer_size:8.1f} x")
    print(f"  write time hierarchical              {t_hier:8.3f} s")
    print(f"  flatten + write time flat baseline   {t_flat:8.3f} s")
    print(f"  time ratio flat / hierarchical       {t_flat / t_hier:8.1f} x")


if __name__ == "__main__":
    main()
