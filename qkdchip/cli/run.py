"""``qkdchip run``: the main flow, stage by stage."""

from __future__ import annotations

import argparse

from rich.console import Console

from qkdchip.flow import STAGES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", help="run the main flow: masks, devices, comb, yield, network", description=__doc__
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run every built stage in order and say which stages are not built yet."""
    console = Console()
    missing = []
    for stage in STAGES:
        if stage.action is None:
            missing.append(stage.name)
            console.print(f"[yellow]not built yet[/]  {stage.name}: {stage.description}")
            continue
        console.print(f"[green]running[/]        {stage.name}: {stage.description}")
        console.print(f"               {stage.action()}")
    built = len(STAGES) - len(missing)
    console.print(f"{built} of {len(STAGES)} stages ran; not built yet: {', '.join(missing)}")
    return 0
