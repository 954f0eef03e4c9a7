"""``qkdchip sensitivity``: which design field moves an output most, per sigma of fabrication.

Central finite differences through the main flow: the nominal scenario and each field one step
below and above it (2N+1 points), evaluated by the sweep engine on dask and cached like a
sweep's points, so a rerun is instant. A field's step is one sigma of the process parameter that
sets it (``--list-tolerances`` shows the table and its sources); ``--step PATH=VALUE`` gives a
step (in the field's unit) and adds the field, ``--field PATH`` adds a tabulated field. Without
either, every tabulated field is analysed.

For each ``--output`` (any sweep output, ``NAME@Dkm`` at a distance) the fields are ranked by the
output's change per step, with the derivative in output unit per field unit. The ranked table
goes to ``--out``/sensitivity/NAME.parquet and .csv, a tornado plot to NAME.png and NAME.svg, the
points to NAME-points.parquet. A point that fails is reported; the other fields still rank.

Example:
  qkdchip sensitivity --output total_key_rate_bps@370km --output chip_yield
  qkdchip sensitivity --output vpi_v --step design.phase_modulator.length_um=20
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qkdchip.cli import (
    add_engine_options,
    add_offline_option,
    add_scenario_options,
    engine_options,
    parse_assignments,
)

if TYPE_CHECKING:
    from qkdchip.sweep.sensitivity import Sensitivity, SensitivityResult


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sensitivity",
        help="rank design fields by how much one sigma of fabrication error moves an output",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_scenario_options(parser)
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="NAME",
        help="an output (repeatable or comma-separated), e.g. total_key_rate_bps@370km, "
        "comb_lines_usable, chip_yield; see 'qkdchip sweep --list-outputs'",
    )
    parser.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="PATH",
        help="a tabulated field to analyse (repeatable; default: every tabulated field)",
    )
    parser.add_argument(
        "--step",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="a field and its step in the field's unit (repeatable); replaces its tolerance",
    )
    parser.add_argument(
        "--name", default=None, help="file name in OUT/sensitivity (default: from the outputs)"
    )
    add_engine_options(parser)
    parser.add_argument(
        "--retry-failed", action="store_true", help="evaluate again the points that failed"
    )
    parser.add_argument("--no-plot", action="store_true", help="write no tornado plot")
    parser.add_argument(
        "--list-tolerances", action="store_true", help="list the fields' tolerances and exit"
    )
    parser.add_argument("--json", action="store_true", help="print the analysis as JSON")
    add_offline_option(parser)
    parser.set_defaults(handler=sensitivity)


def _list_tolerances(console: Console) -> int:
    from qkdchip.sweep.tolerances import TOLERANCES

    table = Table(title="fabrication tolerances of the design fields (one sigma)")
    table.add_column("field", min_width=30)
    table.add_column("sigma", no_wrap=True, justify="right")
    table.add_column("process parameter", no_wrap=True)
    table.add_column("source", ratio=1)
    for t in TOLERANCES.values():
        devices = ", ".join(p.split(".")[1] for p in t.linked)
        field = t.path + (f" (and {devices})" if devices else "")
        table.add_row(field, f"{t.sigma:.4g} {t.unit}", t.process, t.source)
    console.print(table)
    return 0


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:.4g} {unit}".rstrip()


def _print_ranking(console: Console, rows: tuple[Sensitivity, ...], scenario: str) -> None:
    from qkdchip.sweep.sensitivity import GIVEN

    first = rows[0]
    unit = f" ({first.output_unit})" if first.output_unit else ""
    table = Table(
        title=f"sensitivity of {first.output}{unit} in {scenario}, nominal "
        f"{_number(first.value_nominal, first.output_unit)}"
    )
    table.add_column("rank", justify="right")
    table.add_column("field", no_wrap=True)
    for column in ("step", "change per step", "relative", "derivative"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("method")
    for row in rows:
        sigma = "given" if row.step_source == GIVEN else "1σ"
        linked = f" +{len(row.linked)} linked" if row.linked else ""
        relative = "-" if row.relative_change is None else f"{100 * row.relative_change:+.3g} %"
        table.add_row(
            "-" if row.rank is None else str(row.rank),
            row.path + linked,
            f"±{row.step:.3g} {row.unit} ({sigma})",
            _number(row.change_per_step, row.output_unit),
            relative,
            "-" if row.derivative is None else f"{row.derivative:.4g} {row.derivative_unit}",
            row.method if row.method != "none" else "[red]failed[/]",
        )
    console.print(table)
    top = rows[0]
    if top.rank is None or not top.change_per_step:
        console.print(f"no field moves {top.output}", soft_wrap=True)
        return
    console.print(
        f"most sensitive: {top.path} ({_number(top.change_per_step, top.output_unit)} of "
        f"{top.output} per step)",
        soft_wrap=True,
    )


def _print(console: Console, result: SensitivityResult) -> None:
    scenario = Path(result.spec.scenario).stem
    for output in result.spec.outputs:
        _print_ranking(console, result.ranking(output), scenario)
    for point in result.failed[:10]:
        where = "nominal point" if not point.field else f"{point.field} {point.side:+d} step"
        console.print(f"[red]failed[/] {where}: {escape(point.error)}", soft_wrap=True)


def sensitivity(args: argparse.Namespace) -> int:
    """Run the analysis; exit 1 if a point failed, 0 otherwise."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from qkdchip.sweep.scenario import BaseScenario
    from qkdchip.sweep.sensitivity import (
        SensitivitySpec,
        default_name,
        field_steps,
        plot_tornado,
        run_sensitivity,
        write_table,
    )
    from qkdchip.values import convert_value

    console = Console(stderr=args.json)
    if args.list_tolerances:
        return _list_tolerances(Console(width=max(console.width, 140)))
    if not args.output:
        raise ValueError("give at least one --output NAME (see 'qkdchip sweep --list-outputs')")
    engine = engine_options(args)
    steps = {
        path: convert_value(f"--step {path}", text, float)
        for path, text in parse_assignments(args.step, option="--step").items()
    }
    base = BaseScenario.load(args.scenario)
    spec = SensitivitySpec(
        scenario=str(args.scenario),
        fields=field_steps(fields=args.field, steps=steps),
        outputs=tuple(args.output),
    )
    spec.sweep(base)  # every field a number parameter of the scenario, before any work
    out_dir = Path(args.out) if args.out else Path("results") / base.scenario.name
    folder, name = out_dir / "sensitivity", args.name or default_name(spec.outputs)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("points", total=None)
        result = run_sensitivity(
            spec,
            folder / f"{name}-points.parquet",
            flow_dir=out_dir,
            **engine,
            offline=args.offline,
            retry_failed=args.retry_failed,
            on_start=lambda todo, reused: progress.update(task, total=todo),
            on_point=lambda point: progress.advance(task),
        )
    table, csv = write_table(result, folder / f"{name}.parquet")
    files = {"table": str(table), "csv": str(csv), "points": str(result.sweep.path)}
    if not args.no_plot:
        for suffix in ("png", "svg"):
            files[suffix] = str(plot_tornado(result, folder / f"{name}.{suffix}"))
    if args.json:
        print(json.dumps({**result.to_dict(), "files": files}, indent=1, allow_nan=False))
    else:
        _print(Console(width=max(console.width, 140)), result)
    console.print(
        f"{result.sweep.computed} points computed, {result.sweep.reused} reused, "
        f"{len(result.failed)} failed; table: {table}"
        + (f"  plot: {files['png']}" if "png" in files else ""),
        soft_wrap=True,
    )
    return 1 if result.failed else 0
