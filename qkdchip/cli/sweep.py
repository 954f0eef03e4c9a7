"""``qkdchip sweep``: the main flow over many points of a design space, on dask.distributed.

A point is the scenario with some values overridden: ``--param PATH=SPEC`` (repeatable) names
a scenario value by its place in the file (``fibre.loss_db_per_km``,
``transmitter.laser.alpha_factor``, ``design.ring.gap_um``, ``seed``) and gives its values:
``START:STOP:N`` (N evenly spaced values), ``V1,V2,...`` (a list; one value fixes it) or, with
``--sample sobol|lhs``, ``LOW:HIGH`` (a range to sample). Several --param make a grid (every
combination), or with ``--zip`` a list of points (the values taken side by side).

``--output NAME`` (repeatable, or comma-separated) picks what to report; ``--list-outputs``
lists them. Outputs at a distance are ``NAME@Dkm``. Each point runs only the stages its outputs
need; the stage outputs are cached in ``--out``/cache and shared by every point (and by
``qkdchip run``). Results go to ``--out``/sweeps/NAME.parquet (one row per point: inputs,
outputs, status and error, stage statuses and cache keys) and, for one or two varying
parameters, a plot beside it. A rerun computes only the points the file does not hold yet.

The points run on a local dask cluster, one worker process per core (``--workers N``), or on
a running cluster (``--scheduler tcp://HOST:8786``); ``--mpi N`` runs each meep job of a point
on N MPI processes (meep built with MPI). On SLURM, start the workers with
dask-jobqueue's SLURMCluster (see ``qkdchip.sweep``) or ``srun dask worker tcp://HOST:8786
--nthreads 1``, with --out and the device cache on a shared file system.

Example:
  qkdchip sweep --param fibre.loss_db_per_km=0.16:0.22:4
      --output total_key_rate_bps@370km --output max_distance_km_all_above_plob
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qkdchip.cli import add_engine_options, add_offline_option, add_scenario_options, engine_options

if TYPE_CHECKING:
    from qkdchip.sweep.engine import SweepResult
    from qkdchip.sweep.scenario import BaseScenario
    from qkdchip.sweep.spec import SweepSpec

MAX_TABLE_ROWS = 20
"""Points the console table shows (the results file holds them all)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sweep",
        help="run the flow over a grid or sample of design and scenario values (dask)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_scenario_options(parser)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="PATH=SPEC",
        help="a swept value: PATH=START:STOP:N, PATH=V1,V2,... or (with --sample) "
        "PATH=LOW:HIGH; repeatable",
    )
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="NAME",
        help="an output to report (repeatable or comma-separated), e.g. fsr_ghz, "
        "total_key_rate_bps@370km; see --list-outputs",
    )
    design = parser.add_mutually_exclusive_group()
    design.add_argument(
        "--zip", action="store_true", help="take the --param lists side by side, not every mix"
    )
    design.add_argument(
        "--sample", choices=("sobol", "lhs"), default=None, help="sample the LOW:HIGH ranges"
    )
    parser.add_argument(
        "--samples", type=int, default=None, metavar="N", help="points of --sample (sobol: 2^k)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    parser.add_argument(
        "--name",
        default=None,
        help="results file name in OUT/sweeps (default: from the swept paths)",
    )
    add_engine_options(parser)
    parser.add_argument(
        "--retry-failed", action="store_true", help="evaluate again the points that failed"
    )
    parser.add_argument("--no-plot", action="store_true", help="write no plot")
    parser.add_argument("--list-outputs", action="store_true", help="list the outputs and exit")
    parser.add_argument("--json", action="store_true", help="print the points as JSON")
    add_offline_option(parser)
    parser.set_defaults(handler=sweep)


def _list_outputs(console: Console) -> int:
    from qkdchip.sweep.outputs import OUTPUTS

    table = Table(title="sweep outputs (NAME@Dkm: at a distance of D km)")
    for column in ("name", "unit", "stage", "provenance"):
        table.add_column(column, no_wrap=True)
    table.add_column("what")
    for o in OUTPUTS.values():
        name = f"{o.name}@Dkm" if o.at_distance else o.name
        table.add_row(name, o.unit, o.stage, o.provenance, o.description)
    console.print(table)
    return 0


def default_name(spec: SweepSpec) -> str:
    """A results-file name from the swept paths (``fibre.loss_db_per_km``, ``a+b``)."""
    paths = [a.path for a in (spec.varying or spec.axes)]
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", "+".join(paths))[:120]


def build_spec(args: argparse.Namespace, base: BaseScenario) -> SweepSpec:
    """The sweep the options describe, on the scenario ``base``."""
    from qkdchip.sweep.spec import Axis, SweepSpec

    if not args.param:
        raise ValueError("give at least one --param PATH=SPEC (see 'qkdchip sweep --help')")
    if not args.output:
        raise ValueError("give at least one --output NAME (see 'qkdchip sweep --list-outputs')")
    if args.samples is not None and args.sample is None:
        raise ValueError(f"--samples {args.samples} applies to --sample sobol|lhs only")
    if args.sample is not None and args.samples is None:
        raise ValueError(f"--sample {args.sample} needs --samples N")
    design = args.sample or ("zip" if args.zip else "grid")
    return SweepSpec(
        scenario=str(args.scenario),
        axes=tuple(Axis.parse(text, base) for text in args.param),
        outputs=tuple(args.output),
        design=design,
        samples=args.samples or 0,
        seed=args.seed,
    )


def _print_points(console: Console, result: SweepResult) -> None:
    columns = [a.path for a in result.spec.axes]
    outputs = list(result.points[0].requested) if result.points else []
    name = Path(result.spec.scenario).stem
    table = Table(title=f"sweep of {name}: {len(result.points)} points")
    for column in (*columns, *outputs, "status"):
        table.add_column(column, justify="right")
    for point in result.points[:MAX_TABLE_ROWS]:
        values = [point.inputs[c] for c in columns] + [point.outputs.get(c) for c in outputs]
        cells = [
            "-" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v) for v in values
        ]
        status = "[green]ok[/]" if point.status == "ok" else "[red]failed[/]"
        table.add_row(*cells, status)
    console.print(table)
    if len(result.points) > MAX_TABLE_ROWS:
        console.print(f"... {len(result.points) - MAX_TABLE_ROWS} more points in the file")
    for point in result.failed[:5]:
        console.print(f"[red]failed[/] {escape(str(point.inputs))}: {escape(point.error or '')}")


def sweep(args: argparse.Namespace) -> int:
    """Run the sweep; exit 1 if a point failed, 0 otherwise."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from qkdchip.sweep.engine import run_sweep
    from qkdchip.sweep.plot import plot_sweep
    from qkdchip.sweep.scenario import BaseScenario

    console = Console(stderr=args.json)
    if args.list_outputs:
        return _list_outputs(Console(width=max(console.width, 120)))
    engine = engine_options(args)
    base = BaseScenario.load(args.scenario)
    spec = build_spec(args, base)
    out_dir = Path(args.out) if args.out else Path("results") / base.scenario.name
    results = out_dir / "sweeps" / f"{args.name or default_name(spec)}.parquet"
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("points", total=None)

        def on_start(todo: int, reused: int) -> None:
            progress.update(task, total=todo)
            if reused:
                progress.console.print(f"{reused} points read from {results}", soft_wrap=True)

        result = run_sweep(
            spec,
            results,
            flow_dir=out_dir,
            **engine,
            offline=args.offline,
            retry_failed=args.retry_failed,
            on_start=on_start,
            on_point=lambda point: progress.advance(task),
        )
    plot = None
    if not args.no_plot and len(spec.varying) in (1, 2):
        plot = plot_sweep(result, results.with_suffix(".png"))
    if args.json:
        print(json.dumps([p.to_dict() for p in result.points], indent=1, allow_nan=False))
    else:
        _print_points(console, result)
    if result.stale and result.computed:
        console.print(
            f"{result.stale} points of another version of the scenario left out of {results}",
            soft_wrap=True,
        )
    console.print(
        f"{result.computed} points computed, {result.reused} reused, "
        f"{len(result.failed)} failed; results: {results}" + (f"  plot: {plot}" if plot else ""),
        soft_wrap=True,
    )
    return 1 if result.failed else 0
