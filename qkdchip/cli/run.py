"""``qkdchip run``: the main flow for one scenario, from masks to network key rates.

Writes the masks to ``gds_out/``, then ``report.md``, ``report.html`` (self-contained) and
``summary.json`` to ``--out`` (default ``results/<scenario>``). A stage that fails is reported
and the stages that need it are skipped; stages that ran before with the same inputs are reused
from ``<out>/cache``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from qkdchip.cli import add_json_option, add_offline_option, add_scenario_options, parse_assignments

if TYPE_CHECKING:
    from qkdchip.flow import Stage, StageOutcome
    from qkdchip.flow_context import FlowContext

STATUS_STYLE = {
    "done": "green",
    "cached": "green",
    "skipped": "yellow",
    "failed": "red",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", help="run the main flow: masks, devices, comb, yield, network", description=__doc__
    )
    add_scenario_options(parser)
    parser.add_argument(
        "--gds-out", default="gds_out", metavar="DIR", help="folder for the GDS masks"
    )
    parser.add_argument(
        "--design",
        action="append",
        default=[],
        metavar="DEVICE.FIELD=VALUE",
        help="change a drawn device (repeatable), e.g. laser.rear_grating_um=200, "
        "phase_modulator.length_um=2800, ring.gap_um=2.4; devices: laser, intensity_modulator, "
        "phase_modulator, voa, mmi, ssc, ring (the scenario's [design.<device>] tables, "
        "overridden)",
    )
    add_offline_option(parser)
    add_json_option(parser, "the stage outcomes and the written files (progress goes to stderr)")
    parser.set_defaults(handler=run)


def execute(
    scenario: str | Path,
    out: str | Path | None = None,
    gds_out: str | Path = "gds_out",
    *,
    design: Sequence[str] = (),
    stages: tuple[Stage, ...] | None = None,
    console: Console | None = None,
) -> tuple[FlowContext, list[StageOutcome]]:
    """Run the flow with progress bars and write the report; returns the context and outcomes.

    ``design`` holds ``DEVICE.FIELD=VALUE`` changes of the scenario's drawn devices; ``stages``
    defaults to every stage (:data:`qkdchip.flow.STAGES`).
    """
    from qkdchip.flow import STAGES, run_flow
    from qkdchip.flow_context import FlowContext
    from qkdchip.report import write_report
    from qkdchip.scenarios import load_scenario

    stages = STAGES if stages is None else stages
    console = console or Console()
    sc = load_scenario(scenario)
    if design:
        sc = replace(
            sc, design=sc.design.with_overrides(parse_assignments(design, option="--design"))
        )
    out_dir = Path(out) if out is not None else Path("results") / sc.name
    ctx = FlowContext(scenario=sc, out_dir=out_dir, gds_dir=Path(gds_out))
    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        overall = progress.add_task("stages", total=len(stages) + 1)
        items: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in items:
                items[stage] = progress.add_task(f"  {stage}", total=total)
            progress.update(items[stage], completed=done, total=total)

        def on_start(stage: Stage) -> None:
            progress.update(overall, description=stage.name)

        def on_stage(stage: Stage, outcome: StageOutcome) -> None:
            style = STATUS_STYLE.get(outcome.status, "white")
            progress.console.print(
                f"[{style}]{outcome.status:<10}[/] {stage.name}: {outcome.message}"
            )
            progress.advance(overall)

        ctx.progress = on_progress
        outcomes = run_flow(ctx, stages=stages, on_stage=on_stage, on_start=on_start)
        progress.update(overall, description="report")
        written = write_report(ctx, outcomes)
        progress.advance(overall)
    table = Table(title=f"qkdchip run: {sc.name}")
    table.add_column("stage")
    table.add_column("status")
    table.add_column("s", justify="right")
    for o in outcomes:
        style = STATUS_STYLE.get(o.status, "white")
        table.add_row(o.name, f"[{style}]{o.status}[/]", f"{o.seconds:.1f}")
    console.print(table)
    console.print(f"report: {written['report.html']}  summary: {written['summary']}")
    return ctx, outcomes


def run(args: argparse.Namespace) -> int:
    """Run the main flow; exit 1 if a stage failed, 0 otherwise (skipped stages are listed)."""
    console = Console(stderr=args.json, quiet=args.quiet)
    ctx, outcomes = execute(
        args.scenario, args.out, args.gds_out, design=args.design, console=console
    )
    if args.json:
        data = {
            "scenario": ctx.scenario.name,
            "stages": [o.to_dict() for o in outcomes],
            "summary": str(ctx.out_dir / "summary.json"),
            "report": str(ctx.out_dir / "report.html"),
            "gds_dir": str(ctx.gds_dir),
        }
        print(json.dumps(data, indent=1))
    skipped = [o.name for o in outcomes if o.status == "skipped"]
    if skipped:
        console.print(f"[yellow]skipped:[/] {', '.join(skipped)}")
    return 1 if any(o.status == "failed" for o in outcomes) else 0
