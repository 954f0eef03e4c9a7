"""Key rate versus distance of one representative pair, with the PLOB bound beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from qkdchip.records import Record
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


@dataclass(frozen=True)
class SweepPoint(Record):
    """The optimised key rate at one distance.

    Attributes:
        distance_km: Alice-Bob distance, km.
        key_rate_per_pulse: bits per pulse.
        plob: absolute PLOB bound, bits per pulse (None: lossless).
        ratio_to_plob: key rate over PLOB.
        qber_x: X-basis error rate.
        misalignment: the pair's e_d at this distance.
    """

    distance_km: float
    key_rate_per_pulse: float
    plob: float | None
    ratio_to_plob: float
    qber_x: float
    misalignment: float


@dataclass(frozen=True)
class DistanceSweep(Record):
    """Key rate versus distance of one pair.

    Attributes:
        channel: the pair's WDM channel.
        points: one point per distance, ascending.
    """

    channel: ChannelAssignment
    points: tuple[SweepPoint, ...]


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
) -> DistanceSweep:
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
        out.append(
            SweepPoint(
                distance_km=float(d),
                key_rate_per_pulse=result.key_rate_per_pulse,
                plob=result.plob if np.isfinite(result.plob) else None,
                ratio_to_plob=result.ratio_to_plob,
                qber_x=result.qber_x,
                misalignment=budget.misalignment,
            )
        )
        if progress is not None:
            progress(k + 1, len(distances))
    return DistanceSweep(channel=channel, points=tuple(out))
