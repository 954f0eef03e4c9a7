"""``qkdchip optimise``: the design fields, within bounds, that give the best objective.

``--vary PATH=LOW:HIGH`` (repeatable) names a field and its range; ``--maximise EXPR`` or
``--minimise EXPR`` the objective, an output or a product of outputs (``NAME*NAME``; any sweep
output, ``NAME@Dkm`` at a distance); ``--constraint`` (repeatable) what a point must meet:
``NAME<VALUE``, ``NAME>=VALUE`` or ``LOW<NAME<HIGH``. Differential evolution (scipy, seeded by
``--seed``) spends about two thirds of ``--budget`` evaluations, a generation at a time; a
compass search around its best point spends the rest. Every batch of points runs on dask
through the sweep engine, and every point is kept in a results file, so a rerun (or a longer
run, or a sweep of the same scenario) reads what it holds instead of computing it again.

Writes ``--out``/optimise/NAME.parquet (every evaluation: fields, outputs, objective,
feasibility), NAME-points.parquet (the sweep points) and a convergence plot NAME.png and
NAME.svg.

Example:
  qkdchip optimise --vary design.ring.gap_um=1.5:3.0 --maximise comb_lines_usable
      --constraint 'd2_khz<0' --constraint '29.9<fsr_ghz<30.2' --budget 30 --workers 2
  qkdchip optimise --vary design.laser.front_grating_um=50:200
      --maximise 'total_key_rate_bps@370km*chip_yield'
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from qkdchip.cli import add_engine_options, add_offline_option, add_scenario_options, engine_options

if TYPE_CHECKING:
    from qkdchip.sweep.optimise import Evaluation, OptimiseResult


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "optimise",
        help="pick design fields within bounds for the best objective under constraints (dask)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_scenario_options(parser)
    parser.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="PATH=LOW:HIGH",
        help="a field to vary and its range (repeatable), e.g. design.ring.gap_um=1.5:3.0",
    )
    sense = parser.add_mutually_exclusive_group()
    sense.add_argument("--maximise", metavar="EXPR", help="output (or NAME*NAME) to maximise")
    sense.add_argument("--minimise", metavar="EXPR", help="output (or NAME*NAME) to minimise")
    parser.add_argument(
        "--constraint",
        action="append",
        default=[],
        metavar="EXPR",
        help="NAME<VALUE, NAME>=VALUE or LOW<NAME<HIGH (repeatable), e.g. 'd2_khz<0'",
    )
    parser.add_argument(
        "--budget", type=int, default=30, metavar="N", help="most evaluations (default 30)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the optimiser (default 0)")
    parser.add_argument(
        "--name", default=None, help="file name in OUT/optimise (default: from the objective)"
    )
    add_engine_options(parser)
    parser.add_argument("--no-plot", action="store_true", help="write no convergence plot")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_offline_option(parser)
    parser.set_defaults(handler=optimise)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _print_best(console: Console, result: OptimiseResult, best: Evaluation) -> None:
    spec = result.spec
    table = Table(title=f"best of {len(result.evaluations)} evaluations (evaluation {best.index})")
    table.add_column("", no_wrap=True)
    table.add_column("value", justify="right")
    table.add_column("bounds", justify="right")
    for bound in spec.bounds:
        value = best.inputs[bound.path]
        table.add_row(bound.path, _cell(value), f"[{bound.low:g}, {bound.high:g}]")
    for column, value in best.outputs.items():
        table.add_row(column, _cell(value), "")
    table.add_row(f"[bold]{spec.sense} {spec.objective_text}[/]", _cell(best.objective), "")
    console.print(table)
    for constraint in spec.constraints:
        console.print(f"  {constraint}: met", soft_wrap=True)


def optimise(args: argparse.Namespace) -> int:
    """Run the optimisation; exit 1 if no evaluation meets the constraints, 0 otherwise."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from qkdchip.sweep.optimise import (
        Bound,
        OptimiseSpec,
        default_name,
        field_kinds,
        parse_constraints,
        parse_objective,
        plot_convergence,
        run_optimise,
        write_history,
    )
    from qkdchip.sweep.scenario import BaseScenario

    console = Console(stderr=args.json)
    if not args.vary:
        raise ValueError("give at least one --vary PATH=LOW:HIGH")
    if args.maximise is None and args.minimise is None:
        raise ValueError("give --maximise EXPR or --minimise EXPR")
    engine = engine_options(args)
    spec = OptimiseSpec(
        scenario=str(args.scenario),
        bounds=tuple(Bound.parse(text) for text in args.vary),
        objective=parse_objective(args.maximise or args.minimise),
        sense="maximise" if args.maximise is not None else "minimise",
        constraints=tuple(c for text in args.constraint for c in parse_constraints(text)),
        budget=args.budget,
        seed=args.seed,
    )
    base = BaseScenario.load(args.scenario)
    field_kinds(spec, base)  # every field a number parameter of the scenario, before any work
    out_dir = Path(args.out) if args.out else Path("results") / base.scenario.name
    folder, name = out_dir / "optimise", args.name or default_name(spec)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("evaluations", total=spec.budget)
        result = run_optimise(
            spec,
            folder / f"{name}-points.parquet",
            flow_dir=out_dir,
            **engine,
            offline=args.offline,
            on_batch=lambda batch: progress.advance(task, len(batch)),
        )
    files = {"history": str(write_history(result, folder / f"{name}.parquet"))}
    files["points"] = str(result.points)
    if not args.no_plot:
        for suffix in ("png", "svg"):
            files[suffix] = str(plot_convergence(result, folder / f"{name}.{suffix}"))
    if args.json:
        print(json.dumps({**result.to_dict(), "files": files}, indent=1, allow_nan=False))
    elif result.best is not None:
        _print_best(console, result, result.best)
    failed = sum(e.status == "failed" for e in result.evaluations)
    console.print(
        f"{len(result.evaluations)} evaluations ({result.computed} points computed, "
        f"{result.reused} reused, {failed} failed); {result.message}; history: "
        f"{files['history']}" + (f"  plot: {files['png']}" if "png" in files else ""),
        soft_wrap=True,
    )
    if result.best is None:
        console.print("[red]no evaluation met every constraint[/]")
        return 1
    return 0
