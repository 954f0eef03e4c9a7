"""A small scenario and a fast stage list (synthetic comb) shared by the flow tests."""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np

from qkdchip.flow import STAGES, FlowContext, Stage
from qkdchip.scenarios import scenario_from_dict
from qkdchip.scenarios.loader import SCENARIO_DIR

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


def synthetic_comb(ctx: FlowContext) -> dict[str, Any]:
    """Comb lines of the reference spacing with a smooth envelope (stands in for the LLE)."""
    mu = np.arange(-30, 31)
    power = -12.0 - 0.02 * mu.astype(float) ** 2
    ctx.keys["comb"] = "synthetic_comb"  # the provenance downstream stages key on
    return {
        "state": "synthetic",
        "lines": [
            {"mu": int(m), "frequency_hz": C / 1549.78e-9 + m * 30.03e9, "power_dbm": float(p)}
            for m, p in zip(mu, power, strict=True)
        ],
        "comb_lines_usable": int(np.sum(power >= ctx.scenario.comb.min_line_power_dbm)),
        "headline": "synthetic comb",
    }


def small_stages() -> tuple[Stage, ...]:
    real = {s.name: s for s in STAGES}
    return (
        real["devices"],
        Stage("comb", "synthetic comb lines", synthetic_comb),
        real["yield"],
        real["network"],
    )
