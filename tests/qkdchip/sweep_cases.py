"""A small network scenario and a devices stage that reads the simulated device results
alone, for cheap sweep points."""

from __future__ import annotations

import dataclasses

from qkdchip.flow import Stage
from qkdchip.flow_context import FlowContext, StageResult
from qkdchip.flow_stages import device_headlines

TINY = """name = "tiny"

[network]
clients = 4
channels = 2
pair_distances_km = [380.0]
"""
"""A scenario file: four clients on two channels at 380 km, every other value from weiming."""


@dataclasses.dataclass(frozen=True)
class Figures:
    """Headline numbers by device, what the device outputs of a sweep read."""

    headlines: dict[str, dict[str, float]]


def device_figures(ctx: FlowContext) -> StageResult:
    """The device results of the point's designs and their headline numbers, nothing else."""
    from qkdchip.simulations.devices.defaults import default_results_with_keys

    results, ctx.keys["devices"] = default_results_with_keys(designs=ctx.scenario.design)
    return StageResult(Figures(device_headlines(results)), "device figures")


FIGURES = (Stage("devices", "device figures", device_figures),)
"""The stage list of points whose outputs are device figures."""
