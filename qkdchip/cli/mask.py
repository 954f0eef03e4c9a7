"""``qkdchip mask``: write GDS masks.

``--list`` lists the cells of both PDKs; ``--cell NAME [--param key=value ...]`` writes one
cell's GDS and prints its ports and DRC result; without either, every chip and wafer mask is
written by ``qkdchip.circuits.masks.write_all_masks(out_dir)``.
"""

from __future__ import annotations

import argparse
import inspect
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from qkdchip.cli import add_json_option, parse_assignments
from qkdchip.values import convert_value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "mask",
        help="write GDS masks: one cell (--cell), the cell list (--list) or all chips/wafers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--list", action="store_true", help="list the cells of both PDKs")
    parser.add_argument("--cell", metavar="NAME", help="write only this cell (see --list)")
    parser.add_argument(
        "--param",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="cell parameter, repeatable (e.g. --param radius_um=500)",
    )
    parser.add_argument(
        "--out", metavar="DIR", default="gds_out", help="output folder (default: gds_out)"
    )
    add_json_option(parser, "the cell list, the cell's ports and DRC, or the mask manifest")
    parser.set_defaults(handler=mask)


MAX_CELL_LENGTH_UM = 150_000.0
"""Largest length a cell parameter may take (µm): the diameter of a 150 mm wafer."""


def _optional_kind(annotation: Any) -> type:
    """The type an optional (None by default) parameter takes from ``--param``: a name (a
    string or a cross-section) or a number."""
    text = str(annotation)
    return str if "str" in text or "CrossSection" in text else float


def _convert(name: str, raw: str, default: Any, annotation: Any = None) -> Any:
    where = f"--param {name}"
    if default is None and raw.strip().lower() == "none":
        return None
    kind = type(default) if default is not None else _optional_kind(annotation)
    if kind not in (bool, int, float, str):
        raise ValueError(f"{where} takes a {kind.__name__}, which --param cannot give")
    value = convert_value(where, raw.strip(), kind)
    if name.endswith("_um") and kind is not str and abs(value) > MAX_CELL_LENGTH_UM:
        raise ValueError(
            f"{where}={raw!r} is outside [-{MAX_CELL_LENGTH_UM:g}, {MAX_CELL_LENGTH_UM:g}] "
            "µm (a 150 mm wafer)"
        )
    return value


def parse_params(factory: Any, pairs: list[str]) -> dict[str, Any]:
    """Turn ``key=value`` strings into keyword arguments typed like the cell's defaults."""
    signature = inspect.signature(factory)
    allowed = signature.parameters
    params: dict[str, Any] = {}
    for key, raw in parse_assignments(pairs, option="--param").items():
        if key not in allowed:
            raise ValueError(f"--param {key!r} is not a parameter; allowed: {sorted(allowed)}")
        params[key] = _convert(key, raw, allowed[key].default, allowed[key].annotation)
    return params


def _list_cells(console: Console, *, as_json: bool) -> int:
    from qkdchip.components.registry import cell_factory, cell_names
    from qkdchip.platforms import platform_of_cell

    rows = []
    for name in cell_names():
        doc = (inspect.getdoc(cell_factory(name)) or "").splitlines()
        rows.append(
            {
                "cell": name,
                "platform": platform_of_cell(name).name,
                "description": doc[0] if doc else "",
            }
        )
    if as_json:
        print(json.dumps(rows, indent=1))
        return 0
    table = Table(title="qkdchip cells")
    for column in ("cell", "platform", "description"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row.values())
    console.print(table)
    return 0


def write_cell(
    name: str, pairs: list[str], out_dir: Path, console: Console, *, as_json: bool = False
) -> int:
    """Build one cell, write its GDS, print ports and DRC (tables, or JSON with ``as_json``);
    0 if DRC-clean, else 1.

    The GDS is written by the full masks' writer: atomically, no timestamps, cells in a
    history-independent order.
    """
    from qkdchip.circuits.masks import write_gds
    from qkdchip.components.registry import build_cell, cell_factory, rules_for
    from qkdchip.pdk.drc import run_drc

    params = parse_params(cell_factory(name), pairs)
    component = build_cell(name, **params)
    path = write_gds(component, out_dir / f"{component.name}.gds")
    ports = [
        {
            "port": port.name,
            "type": port.port_type,
            "x_um": float(port.center[0]),
            "y_um": float(port.center[1]),
            "width_um": float(port.width),
            "orientation_deg": float(port.orientation),
            "layer": str(port.layer_info),
        }
        for port in component.ports
    ]
    report = run_drc(component, rules_for(name, params))
    if as_json:
        data = {"gds": str(path), "ports": ports, "drc": report.to_dict()}
        print(json.dumps(data, indent=1))
        return 0 if report.clean else 1
    console.print(f"wrote {path}")
    table = Table(title=f"ports of {component.name}")
    for column in ports[0] if ports else ("port",):
        table.add_column(column)
    for row in ports:
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else v for v in row.values()))
    console.print(table)
    console.print(report.format())
    return 0 if report.clean else 1


def mask(args: argparse.Namespace) -> int:
    """Handler of ``qkdchip mask``."""
    console = Console()
    out_dir = Path(args.out)
    if args.list:
        if args.cell or args.param:
            raise ValueError("--list takes no --cell or --param")
        return _list_cells(console, as_json=args.json)
    if args.cell:
        return write_cell(args.cell, args.param, out_dir, console, as_json=args.json)
    if args.param:
        raise ValueError("--param needs --cell")
    from qkdchip.circuits import masks

    manifest = masks.write_all_masks(out_dir)
    if args.json:
        print(json.dumps(manifest.to_dict(), indent=1))
        return 0 if manifest.ok else 1
    for entry in manifest.masks:
        console.print(
            f"{entry.file}: DRC violations {entry.drc_violations}, "
            f"checks {'ok' if entry.checks_ok else 'FAILED'}"
        )
    ok = manifest.ok
    console.print(f"masks written to {out_dir} ({'all clean' if ok else 'with failures'})")
    return 0 if ok else 1
