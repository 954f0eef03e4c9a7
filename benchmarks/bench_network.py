"""Benchmark: yield-aware network, tabulated key rate versus one optimisation per pair.

Both paths rate the same random chip sets of the default scenario's ten pairs at 370 km. The
baseline (measured in the same run) optimises the key rate of every drawn pair separately;
the network model optimises once per grid value of the misalignment e_d (13 values) and
interpolates, since at one distance the chips change a pair's key rate only through e_d and
whether it locks. The benchmark prints the speed ratio and the largest relative difference of
the interpolated rates from the directly optimised ones.

Run: ``.venv/bin/python benchmarks/bench_network.py``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from qkdchip.flow_stages import MISALIGNMENT_GRID
from qkdchip.scenarios import load_scenario
from qkdchip.simulations.network.model import (
    ClientChip,
    evaluate_network,
)
from qkdchip.simulations.network.wdm import ChannelAssignment
from qkdchip.simulations.network.yield_aware import key_rate_table, yield_aware_network
from qkdchip.simulations.qkd import optimise_many

DRAWS = 3
DISTANCE_KM = 370.0


def rate(*, systems: Any, protocol: str, flaws: Any = None) -> list[dict[str, Any]]:
    return [r.to_dict() for r in optimise_many(systems, protocol=protocol, flaws=flaws, seed=0)]


def main() -> None:
    sc = load_scenario("weiming")
    model = sc.network_model()
    channels = [
        ChannelAssignment(k, 193.1e12 + k * 1e11, 3 * k, 193.1e12 + k * 1e11, -15.0, 0.0)
        for k in range(sc.network.channels)
    ]
    links = sc.network.links(DISTANCE_KM)
    rng = np.random.default_rng(1)
    pool = [
        ClientChip(
            name=f"c{i}",
            frequency_error_hz=float(rng.normal(0.0, 3e9)),
            extinction_ratio_db=float(rng.uniform(18.0, 35.0)),
        )
        for i in range(200)
    ]

    t0 = time.perf_counter()
    table = key_rate_table(
        model=model,
        channel=channels[0],
        links=links[0],
        channels=channels,
        misalignment_grid=MISALIGNMENT_GRID,
        key_rate=rate,
    )
    t_table = time.perf_counter() - t0
    fast = yield_aware_network(
        model=model,
        channels=channels,
        links=links,
        pool=pool,
        table=table,
        draws=DRAWS,
        rng=np.random.default_rng(7),
    )
    t_fast = time.perf_counter() - t0

    t0 = time.perf_counter()
    pick_rng = np.random.default_rng(7)
    direct = np.zeros_like(fast.key_rate_per_pulse)
    members = np.arange(len(pool))
    for k in range(DRAWS):
        pick_rng.integers(1)  # the same group choice as yield_aware_network (one group)
        pick = pick_rng.choice(members, size=2 * len(channels), replace=False)
        chips = [pool[int(j)] for j in pick]
        res = evaluate_network(
            model=model,
            channels=channels,
            clients=chips,
            links_by_distance={DISTANCE_KM: links},
            key_rate=rate,
        )
        direct[k] = [p.key_rate_per_pulse for p in res.at(DISTANCE_KM).pairs]
    t_base = time.perf_counter() - t0

    keyed = direct > 0
    err = np.max(np.abs(fast.key_rate_per_pulse[keyed] / direct[keyed] - 1.0))
    print(f"{DRAWS} draws x {len(channels)} pairs at {DISTANCE_KM:g} km")
    print(f"baseline (optimise every pair): {t_base:.2f} s")
    print(f"tabulated e_d (network model):  {t_fast:.2f} s")
    print(f"speed-up: {t_base / t_fast:.1f}x; largest relative rate difference: {err:.2%}")
    # Extrapolated to the default scenario's 200 draws: the table is built once.
    base_200 = 200 * t_base / DRAWS
    fast_200 = t_table + 200 * (t_fast - t_table) / DRAWS
    print(
        f"extrapolated to 200 draws: baseline {base_200:.0f} s, tabulated {fast_200:.1f} s, "
        f"ratio {base_200 / fast_200:.0f}x"
    )


if __name__ == "__main__":
    main()
