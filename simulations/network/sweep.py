"""Key rate versus distance of one representative pair, with the PLOB bound beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qkdchip.simulations.network.model import (
    ClientChip,
    NetworkModel,
    PairLinks,
    lock_client,
    noise_per_gate,
    pair_phase_budget,
    pair_system,
)
from qkdchip.simulations.network.wdm import ChannelAssignment
from qkdchip.simulations.qkd import optimise_key_rate


def distance_sweep(
    *,
    model: NetworkModel,
    channels: Sequence[ChannelAssignment],
    nominal: Sequence[ClientChip],
    downstream_km: float,
    max_km: float,
    points: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Optimised key rate versus distance (1 km to ``max_km``, ``points`` distances) of the
    median-power channel with nominal chips, split equally upstream.

    Each distance gets its own phase budget and noise (drift and reference counts change with
    length); each optimisation starts from the optimum of the previous distance.
    """
    order = sorted(channels, key=lambda c: c.line_power_dbm)
    channel = order[len(order) // 2]
    down = downstream_km
    lock_a = lock_client(model=model, chip=nominal[0], channel=channel, downstream_km=down)
    lock_b = lock_client(model=model, chip=nominal[1], channel=channel, downstream_km=down)
    distances = np.linspace(0.0, max_km, points)
    distances[0] = max(distances[0], 1.0)
    out = []
    start = None
    for k, d in enumerate(distances):
        links = PairLinks(d / 2, d / 2, down, down)
        budget = pair_phase_budget(
            model=model,
            links=links,
            lock_a=lock_a,
            lock_b=lock_b,
            extinction_ratio_db=(nominal[0].extinction_ratio_db, nominal[1].extinction_ratio_db),
        )
        noise = noise_per_gate(model=model, channel=channel, links=links, active_channels=channels)
        system = pair_system(
            model=model, links=links, noise=noise, misalignment=budget.misalignment
        )
        result = optimise_key_rate(system, protocol=model.protocol.name, initial=start, seed=seed)
        if result.key_rate_per_pulse > 0.0:
            start = result.parameters
        out.append({**result.to_dict(), "misalignment": budget.misalignment})
        if progress is not None:
            progress(k + 1, len(distances))
    return {"channel": channel.to_dict(), "points": out}
