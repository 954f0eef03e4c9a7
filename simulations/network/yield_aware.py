"""Yield-aware network: random sets of client chips from the wafer Monte Carlo.

The chips change a pair's key rate through injection locking (a chip whose laser cannot reach
its comb line gives no key), its failed devices, and the misalignment error e_d (modulator
extinction, locking residual). Every pair at one distance shares the fibre and noise, so the
optimised key rate is a smooth function of e_d alone: it is tabulated once per distance on a
grid of e_d (one optimisation per grid point) and interpolated for every drawn pair.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np

from qkdchip.records import InfAsNone, Record
from qkdchip.simulations.network.model import (
    ClientChip,
    KeyRateFunction,
    NetworkModel,
    PairLinks,
    lock_client,
    noise_per_gate,
    pair_phase_budget,
    pair_system,
)
from qkdchip.simulations.network.wdm import ChannelAssignment
from qkdchip.simulations.qkd.source_flaws import SourceFlaws


@dataclass(frozen=True)
class KeyRateTable(Record):
    """Optimised key rate per pulse versus misalignment at one distance.

    Attributes:
        distance_km: Alice-Bob distance, km.
        misalignment: grid of e_d values (ascending).
        key_rate_per_pulse: optimised key rate at each grid value.
        plob: absolute PLOB bound at this distance (infinite at 0 km: written as None).
    """

    distance_km: float
    misalignment: tuple[float, ...]
    key_rate_per_pulse: tuple[float, ...]
    plob: Annotated[float, InfAsNone()]

    def __call__(self, e_d: np.ndarray) -> np.ndarray:
        """Key rate per pulse at misalignment(s) ``e_d`` (linear interpolation, 0 beyond)."""
        grid = np.asarray(self.misalignment)
        rate = np.asarray(self.key_rate_per_pulse)
        return np.interp(np.asarray(e_d, dtype=float), grid, rate, right=0.0)


def key_rate_table(
    *,
    model: NetworkModel,
    channel: ChannelAssignment,
    links: PairLinks,
    channels: Sequence[ChannelAssignment],
    misalignment_grid: Sequence[float],
    key_rate: KeyRateFunction,
    flaws: SourceFlaws | None = None,
) -> KeyRateTable:
    """Tabulate the optimised key rate of one pair's link over a grid of e_d (with the source
    flaws ``flaws`` counted, if given)."""
    grid = sorted(float(e) for e in misalignment_grid)
    if len(grid) < 2 or grid[0] < 0.0 or grid[-1] > 0.5:
        raise ValueError(f"misalignment_grid must hold >= 2 values in [0, 0.5], got {grid}")
    noise = noise_per_gate(
        model=model,
        channel=channel,
        links=links,
        lit_channels=model.lit_channels(channel, channels),
    )
    systems = [pair_system(model=model, links=links, noise=noise, misalignment=e_d) for e_d in grid]
    results = key_rate(systems=systems, protocol=model.protocol.name, flaws=flaws)
    rates = [float(result["key_rate_per_pulse"]) for result in results]
    plob = results[-1]["plob"]
    plob = math.inf if plob is None else float(plob)  # None: 0 km
    return KeyRateTable(
        distance_km=links.distance_km,
        misalignment=tuple(grid),
        key_rate_per_pulse=tuple(rates),
        plob=plob,
    )


@dataclass(frozen=True)
class YieldAwareResult:
    """Key rates of random chip sets at one distance.

    Attributes:
        distance_km: Alice-Bob distance, km.
        draws: number of random chip sets.
        key_rate_per_pulse: per draw and pair, shape (draws, pairs).
        misalignment: e_d per draw and pair (NaN-free; 0.5 where a laser does not lock).
        locked: whether both lasers of the pair locked and both chips work, (draws, pairs).
        plob: the absolute PLOB bound.
    """

    distance_km: float
    draws: int
    key_rate_per_pulse: np.ndarray
    misalignment: np.ndarray
    locked: np.ndarray
    plob: float

    @property
    def beats_plob(self) -> np.ndarray:
        """Per draw and pair: key rate above PLOB."""
        return self.key_rate_per_pulse > self.plob

    @property
    def ratio_to_plob(self) -> np.ndarray:
        """Per draw and pair: key rate / PLOB; 0 where PLOB underflows to 0 (no key either)."""
        rates = self.key_rate_per_pulse
        return np.divide(rates, self.plob, out=np.zeros_like(rates), where=self.plob > 0.0)

    @property
    def probability_all_beat_plob(self) -> float:
        """Fraction of draws in which every pair beats PLOB."""
        return float(np.mean(np.all(self.beats_plob, axis=1)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (quantiles, not every draw)."""
        rates = self.key_rate_per_pulse.ravel()
        ratio = self.ratio_to_plob.ravel()
        q = [0.05, 0.25, 0.5, 0.75, 0.95]
        return {
            "distance_km": self.distance_km,
            "draws": self.draws,
            "pairs_per_draw": int(self.key_rate_per_pulse.shape[1]),
            "plob": self.plob if math.isfinite(self.plob) else None,  # None: no bound (0 km)
            "probability_all_pairs_beat_plob": self.probability_all_beat_plob,
            "fraction_pairs_beat_plob": float(np.mean(self.beats_plob)),
            "fraction_pairs_with_key": float(np.mean(rates > 0.0)),
            "fraction_pairs_locked": float(np.mean(self.locked)),
            "ratio_to_plob_quantiles": {
                f"q{int(100 * k)}": float(np.quantile(ratio, k)) for k in q
            },
            "misalignment_quantiles": {
                f"q{int(100 * k)}": float(np.quantile(self.misalignment.ravel(), k)) for k in q
            },
        }


def yield_aware_network(
    *,
    model: NetworkModel,
    channels: Sequence[ChannelAssignment],
    links: Sequence[PairLinks],
    pool: Sequence[ClientChip],
    table: KeyRateTable,
    draws: int,
    rng: np.random.Generator,
    groups: np.ndarray | None = None,
) -> YieldAwareResult:
    """Draw ``draws`` random sets of 2 x len(channels) chips from ``pool`` and rate every pair.

    Args:
        model: shared network description.
        channels: one WDM channel per pair.
        links: fibre lengths of each pair (at the table's distance).
        pool: chips to draw from without replacement (for example every die of the simulated
            wafers, untested: the reference picked its chips without preselection).
        table: the key-rate table at this distance.
        draws: number of random chip sets (>= 1).
        rng: seeded generator.
        groups: optional group (wafer) id per pool chip; each draw then picks one group at
            random and all its chips from that group, as the reference picked its chips from
            one wafer.

    Returns:
        The :class:`YieldAwareResult`.
    """
    n_pairs = len(channels)
    if draws < 1:
        raise ValueError(f"draws={draws!r} must be >= 1")
    if len(links) != n_pairs:
        raise ValueError(f"links must hold {n_pairs} entries, got {len(links)}")
    labels = np.zeros(len(pool), dtype=int) if groups is None else np.asarray(groups, dtype=int)
    if labels.shape != (len(pool),):
        raise ValueError(f"groups must hold one id per pool chip ({len(pool)}), got {labels.shape}")
    members = [np.flatnonzero(labels == g) for g in np.unique(labels)]
    members = [m for m in members if len(m) >= 2 * n_pairs]
    if not members:
        raise ValueError(f"no group of the pool holds the {2 * n_pairs} chips a draw needs")
    e_d = np.full((draws, n_pairs), 0.5)
    ok = np.zeros((draws, n_pairs), dtype=bool)
    for k in range(draws):
        group = members[int(rng.integers(len(members)))]
        pick = rng.choice(group, size=2 * n_pairs, replace=False)
        for i, (channel, link) in enumerate(zip(channels, links, strict=True)):
            alice, bob = pool[int(pick[2 * i])], pool[int(pick[2 * i + 1])]
            lock_a = lock_client(
                model=model, chip=alice, channel=channel, downstream_km=link.alice_downstream_km
            )
            lock_b = lock_client(
                model=model, chip=bob, channel=channel, downstream_km=link.bob_downstream_km
            )
            good = alice.working and bob.working and lock_a.locked and lock_b.locked
            ok[k, i] = good
            if good:
                e_d[k, i] = pair_phase_budget(
                    model=model, links=link, chips=(alice, bob), locks=(lock_a, lock_b)
                ).misalignment
    rates = np.where(ok, table(e_d), 0.0)
    return YieldAwareResult(
        distance_km=table.distance_km,
        draws=draws,
        key_rate_per_pulse=rates,
        misalignment=e_d,
        locked=ok,
        plob=table.plob,
    )
