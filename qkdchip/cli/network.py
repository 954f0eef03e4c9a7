"""``qkdchip network``: the client network of a scenario, pair by pair.

Runs the devices, comb, wafer-yield and network stages of the main flow (reusing the cached
results in ``--out``) and prints, for every client pair and distance, the channel, injection
locking, misalignment, QBERs and the key rate against the PLOB bound.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from qkdchip.cli import add_json_option, add_scenario_options
from qkdchip.options import OPERATIONS

NETWORK_STAGES = ("devices", "comb", "yield", "network")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "network", help="per-pair key rates of a scenario's client network", description=__doc__
    )
    add_scenario_options(parser)
    parser.add_argument(
        "--distance-km",
        type=float,
        nargs="+",
        default=None,
        metavar="D",
        help="Alice-Bob distances instead of the scenario's",
    )
    parser.add_argument(
        "--operation",
        choices=OPERATIONS,
        default=None,
        help="override the scenario's operation",
    )
    add_json_option(parser, "the network result")
    parser.set_defaults(handler=network)


def network(args: argparse.Namespace) -> int:
    """Evaluate the scenario's network and print it; exit 1 when a needed stage is missing."""
    from qkdchip.flow import STAGES, run_flow
    from qkdchip.flow_context import FlowContext
    from qkdchip.scenarios import load_scenario
    from qkdchip.scenarios.schema import MAX_PAIR_DISTANCE_KM
    from qkdchip.stage_outputs import NetworkOutput

    sc = load_scenario(args.scenario)
    net = sc.network
    if args.distance_km:
        for d in args.distance_km:
            if not 0.0 <= d <= MAX_PAIR_DISTANCE_KM:
                raise ValueError(
                    f"--distance-km {d!r} must lie in [0, {MAX_PAIR_DISTANCE_KM:g}] km"
                )
        net = replace(net, pair_distances_km=tuple(args.distance_km))
    if args.operation:
        net = replace(net, operation=args.operation)
    sc = replace(sc, network=net)
    out_dir = Path(args.out) if args.out else Path("results") / sc.name
    ctx = FlowContext(scenario=sc, out_dir=out_dir, gds_dir=Path("gds_out"))
    stages = tuple(s for s in STAGES if s.name in NETWORK_STAGES)
    console = Console(stderr=args.json)
    outcomes = run_flow(ctx, stages=stages)
    for o in outcomes:
        if o.status not in ("done", "cached"):
            console.print(f"[yellow]{o.status}[/] {o.name}: {o.message}")
    if "network" not in ctx.outputs:
        return 1
    result = ctx.need("network", NetworkOutput)
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
        return 0
    for block in result.evaluation.by_distance:
        table = Table(title=f"{sc.name}: {block.distance_km:g} km, {net.operation}")
        for col in ("pair", "nm", "lock", "e_d%", "QBERx%", "bit/pulse", "bit/s", "/PLOB"):
            table.add_column(col, justify="right", no_wrap=True)
        table.add_column("status", min_width=6, overflow="fold")
        for p in block.pairs:
            table.add_row(
                f"{p.alice}-{p.bob}",
                f"{p.channel.wavelength_nm:.2f}",
                "yes" if p.locked else "no",
                "-" if p.phase is None else f"{100 * p.phase.misalignment:.2f}",
                f"{100 * p.qber_x:.2f}",
                f"{p.key_rate_per_pulse:.2e}",
                f"{p.key_rate_bps:.3g}",
                f"{p.ratio_to_plob:.2f}",
                p.status,
            )
        console.print(table)
        console.print(f"network key rate: {block.total_key_rate_bps:.4g} bit/s")
    capability = result.evaluation.networking_capability_km
    console.print(f"networking capability: {capability:,.0f} km")
    if result.reach is not None:
        console.print(f"every pair beats PLOB up to {result.reach.distance_km:g} km")
    return 0
