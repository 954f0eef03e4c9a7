"""Write every mask of the project: two chips, two wafers, layer properties, previews, manifest.

:func:`write_all_masks` builds the InP transmitter chip and wafer under the InP PDK and the Si3N4
comb chip and wafer under the Si3N4 PDK, checks each (DRC and the geometric checks of
:mod:`qkdchip.circuits.verify`), and writes, each file atomically (temporary file, then rename):

- ``transmitter_chip.gds``, ``comb_chip.gds``, ``inp_wafer.gds``, ``si3n4_wafer.gds``
  (plain GDS for the foundry: no timestamps, no gdsfactory metadata, cells and layers in a
  canonical order, so the same design always gives the same bytes);
- ``inp.lyp``, ``si3n4.lyp``: KLayout layer properties of each platform; ``inp.lyt``,
  ``si3n4.lyt``: KLayout technologies using them; ``inp.drc``, ``si3n4.drc``: KLayout DRC decks
  of the rules the masks were checked with (:mod:`qkdchip.pdk.klayout`);
- one PNG preview per mask;
- ``manifest.json``: per mask its file, top cell, bounding box (µm), die counts (wafers), DRC
  violation count, check results and SHA-256; SHA-256 of the other files too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import gdsfactory as gf
import klayout.db as kdb

from qkdchip import __version__
from qkdchip.atomic import atomic_write, atomic_write_json, atomic_write_text
from qkdchip.circuits.comb_chip import comb_chip
from qkdchip.circuits.manifest import MaskEntry, sha256_of
from qkdchip.circuits.preview import layer_colours, render_chip_png, render_wafer_png
from qkdchip.circuits.transmitter import transmitter_chip
from qkdchip.circuits.verify import Verification, verify_chip, verify_wafer
from qkdchip.circuits.wafers import inp_wafer, si3n4_wafer
from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.pdk.klayout import mask_files
from qkdchip.platforms import INP, SI3N4, Platform

MASK_FILES: tuple[str, ...] = (
    "transmitter_chip.gds",
    "comb_chip.gds",
    "inp_wafer.gds",
    "si3n4_wafer.gds",
)
"""The four GDS files :func:`write_all_masks` writes."""


@dataclass(frozen=True)
class Manifest:
    """What :func:`write_all_masks` wrote."""

    out_dir: Path
    masks: tuple[MaskEntry, ...]
    files: dict[str, str] = field(default_factory=dict)

    def mask(self, file: str) -> MaskEntry:
        """The entry of ``file`` (e.g. ``"inp_wafer.gds"``)."""
        for entry in self.masks:
            if entry.file == file:
                return entry
        have = [m.file for m in self.masks]
        raise ValueError(f"file={file!r} is not in the manifest; have {have}")

    @property
    def ok(self) -> bool:
        """True when every mask is DRC clean and passed its checks."""
        return all(m.drc_violations == 0 and m.checks_ok for m in self.masks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "generator": f"qkdchip {__version__}",
            "gdsfactory": gf.__version__,
            "ok": self.ok,
            "masks": [m.to_dict() for m in self.masks],
            "files": [{"file": k, "sha256": v} for k, v in sorted(self.files.items())],
        }


def gds_save_options() -> kdb.SaveLayoutOptions:
    """GDS options for reproducible files: no timestamps."""
    options = kdb.SaveLayoutOptions()
    options.format = "GDS2"
    options.gds2_write_timestamps = False
    options.gds2_max_vertex_count = 4000  # records stay below 32 kB (signed 16-bit length)
    return options


def canonical_layout(cell: kdb.Cell) -> kdb.Layout:
    """Copy ``cell`` and its hierarchy into a new layout in a history-independent order.

    gdsfactory's shared layout numbers layers and cells in the order a process happened to
    create them, and the GDS writer follows that order; here cells are created sorted by name,
    layers sorted by (layer, datatype), shapes and instances in their drawing order.
    """
    src = cell.layout()
    out = kdb.Layout()
    out.dbu = src.dbu
    indices = sorted([cell.cell_index(), *cell.called_cells()], key=lambda i: src.cell(i).name)
    cells = {i: out.add_cell(src.cell(i).name) for i in indices}
    layers = sorted(
        ((info.layer, info.datatype), index)
        for index, info in zip(src.layer_indexes(), src.layer_infos(), strict=True)
    )
    mapping = [(index, out.layer(ld[0], ld[1])) for ld, index in layers]
    for i in indices:
        source, target = src.cell(i), out.cell(cells[i])
        for from_layer, to_layer in mapping:
            target.shapes(to_layer).insert(source.shapes(from_layer))
        for inst in source.each_inst():
            array = inst.cell_inst.dup()
            array.cell_index = cells[array.cell_index]
            target.insert(array)
    return out


def write_gds(component: gf.Component, path: Path) -> Path:
    """Write ``component`` to ``path`` atomically and reproducibly (same design, same bytes)."""
    layout = canonical_layout(component.kdb_cell)
    atomic_write(path, lambda tmp: layout.write(str(tmp), gds_save_options()))
    return path


def _bbox(component: gf.Component) -> tuple[tuple[float, float], tuple[float, float]]:
    b = component.dbbox()
    return ((round(b.left, 3), round(b.bottom, 3)), (round(b.right, 3), round(b.top, 3)))


def _entry(
    component: gf.Component,
    path: Path,
    *,
    platform: str,
    kind: str,
    verification: Verification,
    preview: str,
) -> MaskEntry:
    wafer_info = component.info["wafer"] if kind == "wafer" else None
    return MaskEntry(
        file=path.name,
        platform=platform,
        kind=kind,
        top_cell=component.name,
        bbox_um=_bbox(component),
        drc_violations=verification.drc_violations,
        checks_ok=verification.ok,
        checks={
            c.name: {"ok": c.ok, "problems": list(c.problems[:20])} for c in verification.checks
        },
        sha256=sha256_of(path),
        bytes=path.stat().st_size,
        preview=preview,
        die_count=int(wafer_info["count"]) if wafer_info else None,
        product_die_count=int(wafer_info["product_dies"]) if wafer_info else None,
        test_die_count=int(wafer_info["test_dies"]) if wafer_info else None,
    )


def _platform(
    out: Path,
    *,
    platform: Platform,
    chip: Callable[[], gf.Component],
    wafer: Callable[[], gf.Component],
    chip_file: str,
    wafer_file: str,
    title: str,
    files: dict[str, str],
) -> list[MaskEntry]:
    pdk = platform.activate()
    rules = platform.design_rules()
    views = pdk.layer_views
    colours = layer_colours(views)
    for name, text in mask_files(platform.name, rules).items():
        files[name] = sha256_of(atomic_write_text(out / name, text))

    entries = []
    c = chip()
    path = write_gds(c, out / chip_file)
    png = out / chip_file.replace(".gds", ".png")
    grating = tuple(k for k, (name, _) in colours.items() if name == "GRATING")
    render_chip_png(
        c,
        png,
        colours=colours,
        title=f"{title} chip {c.dxsize:.0f} x {c.dysize:.0f} µm",
        skip_layers=grating,
        block_labels=c.info.get("block_centres_um"),
    )
    files[png.name] = sha256_of(png)
    entries.append(
        _entry(
            c,
            path,
            platform=platform.name,
            kind="chip",
            verification=verify_chip(c, rules, keep_clear=platform.keep_clear_layers),
            preview=png.name,
        )
    )

    w = wafer()
    path = write_gds(w, out / wafer_file)
    png = out / wafer_file.replace(".gds", ".png")
    info = w.info["wafer"]
    render_wafer_png(
        w,
        png,
        outline_layer=next(k for k, (name, _) in colours.items() if name == "FLOORPLAN"),
        die_colours={
            str(w.info["product_cell"]): (f"{title} chip", "#7f9fd8"),
            str(w.info["test_cell"]): ("test-structure die", "#e0a060"),
        },
        mark_cell=next(
            (i.cell.name for i in w.insts if i.cell.name.startswith("alignment_mark")), None
        ),
        title=f"{title} 3-inch wafer: {info['count']} dies",
    )
    files[png.name] = sha256_of(png)
    entries.append(
        _entry(
            w,
            path,
            platform=platform.name,
            kind="wafer",
            verification=verify_wafer(w, rules),
            preview=png.name,
        )
    )
    return entries


def _changed(settings: dict[str, float], default: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in settings.items() if default[k] != v}


def write_all_masks(out_dir: str | Path, *, designs: ChipDesigns | None = None) -> Manifest:
    """Build, check and write all masks into ``out_dir`` (created if missing).

    Activates the InP and then the Si3N4 PDK; the PDK that was active before is activated
    again at the end. ``designs`` (default :class:`ChipDesigns`) sets the drawn devices of
    both chips and of the wafers' product dies.

    Returns:
        The manifest (also written as ``manifest.json``).
    """
    designs = designs or ChipDesigns()
    # only what differs from the cells' defaults, so default masks keep their cell names
    default = ChipDesigns()
    transmitter = _changed(designs.transmitter_cell_settings(), default.transmitter_cell_settings())
    comb = _changed(designs.comb_cell_settings(), default.comb_cell_settings())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    with INP.activated():  # each platform activates its own PDK; the caller's is restored
        entries = _platform(
            out,
            platform=INP,
            chip=partial(transmitter_chip, **transmitter),
            wafer=partial(inp_wafer, product=transmitter or None),
            chip_file="transmitter_chip.gds",
            wafer_file="inp_wafer.gds",
            title="InP QKD transmitter",
            files=files,
        )
        entries += _platform(
            out,
            platform=SI3N4,
            chip=partial(comb_chip, **comb),
            wafer=partial(si3n4_wafer, product=comb or None),
            chip_file="comb_chip.gds",
            wafer_file="si3n4_wafer.gds",
            title="Si3N4 microcomb",
            files=files,
        )
    manifest = Manifest(out_dir=out, masks=tuple(entries), files=files)
    atomic_write_json(out / "manifest.json", manifest.to_dict())
    return manifest
