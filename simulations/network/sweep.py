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
    pair_link,
)
from qkdchip.simulations.network.qber import QberDecomposition, qber_decomposition
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
        qber: both error rates split into their contributions.
    """

    distance_km: float
    key_rate_per_pulse: float
    plob: float | None
    ratio_to_plob: float
    qber_x: float
    misalignment: float
    qber: QberDecomposition


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
    chips = (nominal[0], nominal[1])
    locks = tuple(
        lock_client(model=model, chip=chip, channel=channel, downstream_km=down) for chip in chips
    )
    distances = np.linspace(0.0, max_km, points)
    distances[0] = max(distances[0], 1.0)
    out = []
    start = None
    for k, d in enumerate(distances):
        links = PairLinks(d / 2, d / 2, down, down)
        link = pair_link(
            model=model, channel=channel, links=links, chips=chips, locks=locks, channels=channels
        )
        result = optimise_key_rate(
            link.system,
            **model.protocol.engine_options(),
            flaws=link.flaws,
            initial=start,
            seed=seed,
        )
        if result.key_rate_per_pulse > 0.0:
            start = result.parameters
        out.append(
            SweepPoint(
                distance_km=float(d),
                key_rate_per_pulse=result.key_rate_per_pulse,
                plob=result.plob if np.isfinite(result.plob) else None,
                ratio_to_plob=result.ratio_to_plob,
                qber_x=result.qber_x,
                misalignment=link.budget.misalignment,
                qber=qber_decomposition(
                    system=link.system,
                    parameters=result.parameters.to_dict(),
                    visibility_factors=link.budget.visibility_factors,
                    phase_variances_rad2=link.budget.contributions_rad2,
                    noise_per_gate=link.noise,
                ),
            )
        )
        if progress is not None:
            progress(k + 1, len(distances))
    return DistanceSweep(channel=channel, points=tuple(out))
