"""``qkdchip phase``: the reference-phase tracking loop of one pair at one distance.

For the scenario's tracking cycle (``[phase]``: cycle rate, reference duty, predictor, drift)
and a pair at ``--distance-km`` (upstream arms split equally), prints the residual phase error
during the quantum periods from the closed form and from a time-domain Monte Carlo of the loop,
the X-basis error it adds, the fraction of time left for keys, and the cycle (reference and
quantum periods, predictor) that maximises the key rate per unit time.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

from rich.console import Console
from rich.table import Table

from qkdchip.cli import add_json_option

MERITS = ("key-rate", "entropy")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "phase",
        help="phase tracking of one pair: residual error, X error, duty cycle, optimal cycle",
        description=__doc__,
    )
    parser.add_argument(
        "--scenario", default="weiming", metavar="NAME|FILE", help="scenario (default: weiming)"
    )
    parser.add_argument("--distance-km", type=float, default=370.0, help="Alice-Bob distance")
    parser.add_argument(
        "--duration-s", type=float, default=1.0, help="simulated time of the Monte Carlo, s"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the Monte Carlo")
    parser.add_argument(
        "--merit",
        choices=MERITS,
        default="key-rate",
        help="what the optimal cycle maximises per unit time: the pair's optimised key rate "
        "(default) or 1 - 2 h(e_X)",
    )
    add_json_option(parser, "the result")
    parser.set_defaults(handler=phase_command)


def phase_study(
    *, scenario: str, distance_km: float, duration_s: float, seed: int, merit: str
) -> dict[str, Any]:
    """The tracking loop of the scenario's pair at ``distance_km`` (JSON-ready)."""
    import numpy as np

    from qkdchip.scenarios import load_scenario
    from qkdchip.simulations.network.model import pair_tracking, reference_count_rate_hz
    from qkdchip.simulations.network.phase_tracking import (
        default_figure_of_merit,
        optimal_cycle,
        simulate_phase_tracking,
    )
    from qkdchip.validation import check_choice, check_range

    check_range("--distance-km", distance_km, 0.0, 5000.0, low_open=True)
    check_range("--duration-s", duration_s, 0.0, 100.0, low_open=True)
    check_range("--seed", seed, 0)
    check_choice("--merit", merit, MERITS)
    sc = load_scenario(scenario)
    model = replace(sc.network_model(), operation="sequential")
    links = sc.network.links(distance_km)[0]
    at_cycle = pair_tracking(model=model, links=links)
    loop = _loop_inputs(model, links)
    rate = reference_count_rate_hz(model=model, links=links)
    simulated = simulate_phase_tracking(
        **loop,
        reference_period_s=at_cycle.reference_period_s,
        quantum_period_s=at_cycle.quantum_period_s,
        reference_count_rate_hz=rate,
        duration_s=duration_s,
        rng=np.random.default_rng(seed),
        predictor=sc.phase.predictor,
    )
    floor = 0.5 * (1.0 - model.interference.visibility)
    figure = default_figure_of_merit if merit == "entropy" else _key_rate_merit(model, links)
    best = optimal_cycle(**loop, reference_count_rate_hz=rate, floor=floor, figure_of_merit=figure)
    return {
        "scenario": sc.name,
        "distance_km": distance_km,
        "reference_count_rate_hz": rate,
        **{k: v for k, v in loop.items() if k != "background_count_rate_hz"},
        "visibility_floor": floor,
        "scenario_cycle": at_cycle.to_dict(),
        "monte_carlo": simulated.to_dict(),
        "merit": merit,
        "optimal_cycle": best.to_dict(),
    }


def _loop_inputs(model: Any, links: Any) -> dict[str, float]:
    """Drift, correlation time, visibility and background of the pair's tracking loop."""
    from qkdchip.simulations.network.model import drift_rate_scale

    ph = model.phase
    return {
        "drift_rate_rad_per_s": ph.reference_drift_rad_per_ms
        * 1e3
        * drift_rate_scale(model=model, links=links),
        "correlation_time_s": ph.drift_correlation_ms * 1e-3,
        "visibility": model.interference.visibility,
        "background_count_rate_hz": 2.0 * model.server.dark_count_rate_hz,
    }


def _key_rate_merit(model: Any, links: Any) -> Any:
    """The pair's optimised key rate per pulse as a function of its X-basis misalignment
    (a table over e_d, interpolated)."""
    from qkdchip.simulations.network.wdm import ChannelAssignment
    from qkdchip.simulations.network.yield_aware import key_rate_table

    f = model.reference_frequency_hz
    channel = ChannelAssignment(
        grid_index=0,
        grid_frequency_hz=f,
        line_mu=0,
        line_frequency_hz=f,
        line_power_dbm=0.0,
        offset_ghz=0.0,
    )
    grid = (0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.06, 0.1, 0.2)
    table = key_rate_table(
        model=model,
        channel=channel,
        links=links,
        channels=(channel,),
        misalignment_grid=grid,
        key_rate=model.protocol.key_rate_function(seed=0),
    )
    return lambda e: float(table(e))


def phase_command(args: argparse.Namespace) -> int:
    """Print the tracking study (a table, or JSON with --json)."""
    out = phase_study(
        scenario=args.scenario,
        distance_km=args.distance_km,
        duration_s=args.duration_s,
        seed=args.seed,
        merit=args.merit,
    )
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    console = Console()
    table = Table(title=f"{out['scenario']}: phase tracking at {out['distance_km']:g} km")
    table.add_column("cycle", no_wrap=True)
    for col in ("T_ref (us)", "T_q (us)", "predictor", "rms (rad)", "X error %"):
        table.add_column(col, justify="right", no_wrap=True)
    cyc, mc, best = out["scenario_cycle"], out["monte_carlo"], out["optimal_cycle"]["variance"]
    floor = out["visibility_floor"]
    rows = (
        ("scenario (closed form)", cyc, cyc["total_rad2"] ** 0.5, cyc["phase_error"]),
        ("scenario (Monte Carlo)", cyc, mc["residual_rms_rad"], mc["phase_error"]),
        ("optimal", best, best["total_rad2"] ** 0.5, best["phase_error"]),
    )
    for name, c, rms, e in rows:
        table.add_row(
            name,
            f"{1e6 * c['reference_period_s']:.1f}",
            f"{1e6 * c['quantum_period_s']:.1f}",
            c["predictor"],
            f"{rms:.3f}",
            f"{100 * (floor + (1 - 2 * floor) * e):.2f}",
        )
    console.print(table)
    console.print(
        f"reference counts {out['reference_count_rate_hz']:.3g} /s, drift "
        f"{out['drift_rate_rad_per_s'] * 1e-3:.3g} rad/ms; key time {100 * cyc['duty_cycle']:.0f} %"
        f" (optimal {100 * best['duty_cycle']:.0f} %)"
    )
    return 0
