"""Benchmark: wafer-yield Monte Carlo, vectorised engine versus a per-die Python loop.

Baseline (measured in the same run): the straightforward implementation of the same model.
For each wafer it draws the wafer offsets and the correlated within-wafer field (the same
site factor, one matrix-vector product per parameter), then loops over dies and devices in
Python, draws die and device noise, calls the same compact models on one device at a time and
checks the specs. It runs on a few wafers and its rate is extrapolated.

The engine samples all wafers' fields with one batched matrix product per parameter and
evaluates every device of a chunk of wafers in single numpy expressions.

Run: ``.venv/bin/python benchmarks/bench_yield.py``. Targets: >= 1e6 device evaluations per
second including correlated sampling; a 1000-wafer run of the full InP wafer in < 30 s. Rates
are given per wall-clock second and per CPU second of this process (``time.process_time``): on
a shared machine other processes stretch the wall clock of both engine and baseline.
"""

from __future__ import annotations

import time

import numpy as np

from qkdchip.platforms import INP
from qkdchip.simulations.wafer_yield.devices import device_model
from qkdchip.simulations.wafer_yield.engine import YieldModel, run_wafer_yield

N_WAFERS = 1000
BASELINE_WAFERS = 3


def baseline_wafer(model: YieldModel, rng: np.random.Generator) -> tuple[int, int]:
    """One wafer the straightforward way; returns (devices evaluated, chips passing)."""
    stats = model.stats
    names = stats.names
    n_dies = model.grid.n_dies
    die_vals = {}
    for p, param in enumerate(stats.parameters):
        field = np.full(n_dies, param.nominal) + model.sampler.bowl[p]
        field += param.sigma_wafer * rng.standard_normal()
        factor = model.sampler.factors[p]
        if factor is not None:
            field += param.sigma_within * (factor @ rng.standard_normal(factor.shape[1]))
        die_vals[names[p]] = field
    alpha = stats.defects.cluster_alpha
    density = rng.gamma(alpha, stats.defects.density_per_cm2 / alpha)
    evaluated = passing = 0
    for i in range(n_dies):
        die = {n: die_vals[n][i] + stats[n].sigma_die * rng.standard_normal() for n in names}
        chip_ok = True
        for dev in model.spec.devices:
            dm = device_model(dev.kind)
            for _ in range(dev.count):
                vals = {}
                for n in dm.parameters:
                    k = dm.draws.get(n, 1)
                    noise = stats[n].sigma_device * rng.standard_normal(k)
                    vals[n] = (die[n] + noise).reshape(1, k) if k > 1 else die[n] + noise
                metrics = dm.evaluate(vals, model.nominals, model.table, model.spec.operating)
                ok = rng.random() >= -np.expm1(-density * dev.area_cm2)
                for s in dev.specs:
                    ok = ok and bool(s.passes(metrics[s.metric])[0])
                chip_ok = chip_ok and ok
                evaluated += 1
        passing += chip_ok
    return evaluated, passing


class _Clock:
    """Wall and process CPU time of a block."""

    def __enter__(self) -> _Clock:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


def main() -> None:
    model = YieldModel.build(INP)
    per_wafer = model.grid.n_dies * model.devices_per_die
    print(f"InP wafer: {model.grid.n_dies} dies x {model.devices_per_die} devices = {per_wafer}")

    rng = np.random.default_rng(0)
    with _Clock() as base:
        n_base = sum(baseline_wafer(model, rng)[0] for _ in range(BASELINE_WAFERS))

    with _Clock() as sim:
        rng = np.random.default_rng(0)
        z = model.sampler.structured_normals(N_WAFERS, rng, "mc")
        for start in range(0, N_WAFERS, 256):
            model.simulate(z[start : start + 256], rng)

    with _Clock() as full:
        result = run_wafer_yield(INP, n_wafers=N_WAFERS, seed=0, model=model)

    n_eng = N_WAFERS * per_wafer
    print(
        f"baseline per-die loop: {BASELINE_WAFERS} wafers, {n_base / base.wall:,.0f} devices/s "
        f"wall, {n_base / base.cpu:,.0f} devices/s CPU"
    )
    for label, clock in (("sampling + evaluation", sim), ("full run_wafer_yield", full)):
        print(
            f"engine {label}: {N_WAFERS} wafers in {clock.wall:.2f} s wall ({clock.cpu:.2f} s "
            f"CPU); {n_eng / clock.wall:,.0f} devices/s wall, {n_eng / clock.cpu:,.0f} "
            f"devices/s CPU; ratio to baseline {n_eng / clock.wall / (n_base / base.wall):,.0f}x "
            f"wall, {n_eng / clock.cpu / (n_base / base.cpu):,.0f}x CPU"
        )
    print(
        f"targets: >= 1e6 devices/s; 1000 wafers < 30 s (baseline would take "
        f"{n_eng / (n_base / base.wall):,.0f} s wall)"
    )
    mod = result.modulator_yield
    assert mod is not None
    chip = result.chip_yield.value
    print(f"modulator yield {100 * mod.value:.2f} %, chip yield {100 * chip:.2f} %")


if __name__ == "__main__":
    main()
