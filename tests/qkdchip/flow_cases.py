"""A small scenario and a fast stage list (synthetic comb) shared by the flow tests."""

from __future__ import annotations

import tomllib
from typing import Any

from qkdchip.flow import STAGES, Stage
from qkdchip.flow_context import FlowContext, StageResult
from qkdchip.scenarios import scenario_from_dict
from qkdchip.scenarios.loader import SCENARIO_DIR
from qkdchip.simulations.comb.solve import CombLine
from qkdchip.stage_outputs import CombOutput

C = 299_792_458.0

TINY_SCENARIO = """name = "tiny"

[network]
clients = 4
channels = 2
pair_distances_km = [380.0]
sweep_points = 3

[protocol]
name = "sns"
n_pulses = "asymptotic"

[yield]
wafers = 1
draws = 5
"""
"""The small scenario as a file: every other value from weiming.toml."""


def small_scenario() -> Any:
    data = tomllib.loads((SCENARIO_DIR / "weiming.toml").read_text(encoding="utf-8"))
    data["name"] = "tiny"
    data["network"].update(
        {"clients": 4, "channels": 2, "pair_distances_km": [380.0], "sweep_points": 3}
    )
    data["network"]["pair"] = [{"pair": 2, "alice_downstream_km": 30.0}]
    data["protocol"]["n_pulses"] = "asymptotic"
    data["protocol"]["name"] = "sns"
    data["yield"] = {"wafers": 1, "draws": 5}
    return scenario_from_dict(data, source="tiny")


def synthetic_comb(ctx: FlowContext) -> StageResult:
    """Comb lines of the reference spacing with a smooth envelope (stands in for the LLE)."""
    ctx.keys["comb"] = "synthetic_comb"  # the provenance downstream stages key on
    pump_hz = C / 1549.78e-9
    lines = []
    for m in range(-30, 31):
        frequency_hz = pump_hz + m * 30.03e9
        power_dbm = -12.0 - 0.02 * m**2
        lines.append(CombLine(m, frequency_hz, C / frequency_hz * 1e9, power_dbm, power_dbm + 20))
    output = CombOutput(
        state="synthetic",
        pulses=0,
        pump_power_w=0.1,
        pump_frequency_hz=pump_hz,
        fsr_hz=30.03e9,
        detuning_hz=0.0,
        lines=tuple(lines),
        line_linewidth_hz=(40.0,) * len(lines),
    )
    return StageResult(output, "synthetic comb")


def small_stages() -> tuple[Stage, ...]:
    real = {s.name: s for s in STAGES}
    return (
        real["devices"],
        Stage("comb", "synthetic comb lines", synthetic_comb),
        real["yield"],
        real["network"],
    )
