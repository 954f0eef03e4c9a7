"""``qkdchip yield``: wafer-yield Monte Carlo of the InP transmitter or Si3N4 comb chip.

Samples whole wafers (wafer offsets, spatially correlated within-wafer fields, radial bowl, die
and device noise, killer defects), evaluates every device with its compact model and spec, and
writes wafer maps (PNG), the yield table (JSON, Markdown) and the failure causes to --out.
A progress bar of the simulated wafers goes to stderr (none with -q).
"""

from __future__ import annotations

import argparse
import json
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from qkdchip.cli import add_json_option
from qkdchip.options import MAX_WAFERS, SAMPLERS
from qkdchip.platforms import INP, PLATFORMS, platform


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "yield",
        help="wafer-yield Monte Carlo: yields with CIs, failure causes, drivers, wafer maps",
        description=__doc__,
    )
    parser.add_argument("--platform", choices=tuple(PLATFORMS), default=INP.name)
    parser.add_argument("--wafers", type=int, default=1024, help="wafers (power of 2 for sobol)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sampler", choices=SAMPLERS, default="mc")
    add_json_option(parser, "the summary")
    parser.add_argument("--out", default="results/yield", help="output folder")
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="also solve the InP killer-defect density for the reference 117/120",
    )
    parser.set_defaults(handler=yield_command)


def yield_command(args: argparse.Namespace) -> int:
    """Run the Monte Carlo, write the outputs and print the summary."""
    from qkdchip.simulations.wafer_yield.calibration import (
        REFERENCE_TESTED,
        REFERENCE_WORKING,
        calibrate_defect_density,
    )
    from qkdchip.simulations.wafer_yield.engine import YieldModel, run_wafer_yield
    from qkdchip.simulations.wafer_yield.report import write_outputs
    from qkdchip.simulations.wafer_yield.sampling import validate_sampler
    from qkdchip.simulations.wafer_yield.statistics import clopper_pearson_interval

    if not 1 <= args.wafers <= MAX_WAFERS:
        raise ValueError(f"--wafers = {args.wafers} must lie in [1, {MAX_WAFERS}]")
    validate_sampler(args.sampler, args.wafers)
    if args.seed < 0:
        raise ValueError(f"--seed = {args.seed} must be >= 0")
    chosen = platform(args.platform)
    if args.calibrate and chosen is not INP:
        raise ValueError(f"--calibrate applies to --platform {INP.name} only")
    started = time.perf_counter()
    model = YieldModel.build(chosen)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True, quiet=args.quiet),
        transient=True,
    ) as bar:
        task = bar.add_task("wafers", total=args.wafers)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = run_wafer_yield(
            chosen,
            n_wafers=args.wafers,
            seed=args.seed,
            sampler=args.sampler,
            model=model,
            progress=advance,
        )
    elapsed = time.perf_counter() - started
    paths = write_outputs(result, args.out, layout=model.spec.layout)
    ref_low, ref_high = clopper_pearson_interval(REFERENCE_WORKING, REFERENCE_TESTED)
    summary = result.to_dict()
    summary["elapsed_s"] = elapsed
    summary["reference_modulator_interval"] = [ref_low, ref_high]
    mod = result.modulator_yield
    if mod is not None:
        summary["modulator_ci_inside_reference_interval"] = bool(
            ref_low <= mod.ci_low and mod.ci_high <= ref_high
        )
    summary["outputs"] = {k: str(v) for k, v in paths.items()}
    if args.calibrate:
        summary["calibration"] = calibrate_defect_density(
            n_wafers=args.wafers, seed=args.seed, sampler=args.sampler, model=model
        ).to_dict()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    _print_summary(summary, result.drivers("chip", "fail", 3))
    return 0


def _print_summary(summary: dict, drivers: list[tuple[str, float]]) -> None:
    console = Console()
    table = Table(
        title=f"qkdchip yield: {summary['platform']}, {summary['n_wafers']} wafers x "
        f"{summary['n_dies_per_wafer']} dies ({summary['sampler']}, seed {summary['seed']})"
    )
    table.add_column("item")
    table.add_column("yield")
    table.add_column("95 % CI")
    rows = list(summary["device_yields"].items())
    if summary["modulator_yield"] is not None:
        rows.append(("modulator (pooled)", summary["modulator_yield"]))
    rows.append(("chip", summary["chip_yield"]))
    for name, y in rows:
        ci = f"[{100 * y['ci_low']:.2f}, {100 * y['ci_high']:.2f}]"
        table.add_row(name, f"{100 * y['value']:.2f} %", ci)
    console.print(table)
    if "modulator_ci_inside_reference_interval" in summary:
        low, high = summary["reference_modulator_interval"]
        console.print(
            f"modulator CI inside the reference 117/120 interval [{100 * low:.1f} %, "
            f"{100 * high:.1f} %]: {summary['modulator_ci_inside_reference_interval']}"
        )
    ref = summary["reference_experiment"]
    if ref is not None:
        q = ref["quantiles_2p5_50_97p5"]
        console.print(
            f"reference experiment ({ref['n_chips']} random chips): working modulators "
            f"{q[0]:.0f} / {q[1]:.0f} / {q[2]:.0f} (2.5/50/97.5 %), "
            f"P(<= {ref['observed_working']}) = {ref['p_at_most_observed']:.3f}"
        )
    for item in summary["top_failure_causes"][:3]:
        console.print(
            f"failure cause: {item['cause']} fails {100 * item['fraction_of_chips']:.2f} % of chips"
        )
    console.print(
        "chip-failure drivers (first-order index): " + ", ".join(f"{k} {v:.3f}" for k, v in drivers)
    )
    if "calibration" in summary:
        cal = summary["calibration"]
        console.print(
            f"calibrated killer-defect density {cal['density_per_cm2']:.3f} /cm^2 "
            f"(parametric modulator yield {100 * cal['parametric_modulator_yield']:.2f} %)"
        )
    console.print(f"outputs in {summary['outputs']['json'].rsplit('/', 1)[0]}")
