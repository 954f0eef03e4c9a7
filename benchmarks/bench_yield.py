"""Benchmark: wafer-yield Monte Carlo, batched engine versus a vectorised per-wafer numpy loop.

Baseline (measured in the same run, on 1000 wafers like the engine): what a competent numpy user
writes for the same model. A Python loop over wafers; for each wafer it draws the wafer
offsets, the correlated within-wafer field (the same site factors, one matrix-vector product
per parameter) and the die noise as arrays over all dies, then for each device kind draws the
device noise for all dies and devices at once, calls the same vectorised compact model once on
those arrays, draws the killer defects and checks the specs with array operations. It returns
per-wafer pass counts of every device kind, of the modulators and of the chips.

Engine: the wafer-level normals of all wafers at once, then ``YieldModel.simulate`` on the
chunks ``run_wafer_yield`` uses (one batched matrix product per parameter, every device of a
chunk in single numpy expressions), reduced to the same per-wafer pass counts. Both are
timed best of ``REPEATS`` runs, interleaved so that both see the same machine load; the
ratio is baseline time over engine time. Baseline and engine use different seeds; their
yields must agree within statistical error (``|z| < Z_MAX`` with per-wafer clustered standard
errors), which the benchmark checks and prints. The full ``run_wafer_yield`` (which also
tallies failure causes, sensitivities, reference experiments and maps) is timed as an extra
line.

Run: ``.venv/bin/python benchmarks/bench_yield.py``. Targets: >= 1e6 device evaluations per
second including correlated sampling; a 1000-wafer run of the full InP wafer in < 30 s. Rates
are given per wall-clock second and per CPU second of this process (``time.process_time``): on
a shared machine other processes stretch the wall clock of both engine and baseline.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from qkdchip.platforms import INP
from qkdchip.simulations.wafer_yield.devices import device_model
from qkdchip.simulations.wafer_yield.engine import (
    _ELEMENTS_PER_CHUNK,
    YieldModel,
    run_wafer_yield,
)

N_WAFERS = 1000
REPEATS = 5
Z_MAX = 4.0

Counts = dict[str, NDArray[np.int64]]


def baseline_wafer(model: YieldModel, rng: np.random.Generator) -> dict[str, int]:
    """Pass counts of one wafer: per device kind, ``modulators`` and ``chips``."""
    stats = model.stats
    n_dies = model.grid.n_dies
    die: dict[str, NDArray[np.float64]] = {}
    for p, param in enumerate(stats.parameters):
        vals = param.nominal + model.sampler.bowl[p] + param.sigma_wafer * rng.standard_normal()
        factor = model.sampler.factors[p]
        if factor is not None:
            vals = vals + param.sigma_within * (factor @ rng.standard_normal(factor.shape[1]))
        if param.sigma_die > 0.0:
            vals = vals + param.sigma_die * rng.standard_normal(n_dies)
        die[param.name] = vals
    defects = stats.defects
    alpha = defects.cluster_alpha
    density = rng.gamma(alpha, defects.density_per_cm2 / alpha)
    chip_ok = np.ones(n_dies, dtype=bool)
    counts = {"modulators": 0}
    for dev in model.spec.devices:
        dm = device_model(dev.kind)
        values: dict[str, NDArray[np.float64]] = {}
        for name in dm.parameters:
            k = dm.draws.get(name, 1)
            shape = (n_dies, dev.count, k) if k > 1 else (n_dies, dev.count)
            base = die[name].reshape((n_dies, 1, 1) if k > 1 else (n_dies, 1))
            values[name] = base + stats[name].sigma_device * rng.standard_normal(shape)
        metrics = dm.evaluate(values, model.nominals, model.table, model.spec.operating)
        ok = rng.random((n_dies, dev.count)) >= -np.expm1(-density * dev.area_cm2)
        for s in dev.specs:
            ok &= s.passes(metrics[s.metric])
        counts[dev.kind] = int(ok.sum())
        if dev.kind in model.spec.modulator_kinds:
            counts["modulators"] += counts[dev.kind]
        chip_ok &= ok.all(axis=1)
    counts["chips"] = int(chip_ok.sum())
    return counts


def baseline_run(model: YieldModel, n_wafers: int, seed: int) -> Counts:
    """Per-wafer pass counts from the per-wafer loop."""
    rng = np.random.default_rng(seed)
    rows = [baseline_wafer(model, rng) for _ in range(n_wafers)]
    return {key: np.array([row[key] for row in rows]) for key in rows[0]}


def engine_run(model: YieldModel, n_wafers: int, seed: int) -> Counts:
    """Per-wafer pass counts from the batched engine."""
    rng = np.random.default_rng(seed)
    z = model.sampler.structured_normals(n_wafers, rng, "mc")
    chunk = max(1, _ELEMENTS_PER_CHUNK // (model.grid.n_dies * model.devices_per_die))
    parts: dict[str, list[NDArray[np.int64]]] = {}
    for start in range(0, n_wafers, chunk):
        res = model.simulate(z[start : start + chunk], rng)
        mods = np.zeros(res.chip_pass.shape[0], dtype=np.int64)
        for dev in model.spec.devices:
            passed = res.batches[dev.kind].passed.sum(axis=(1, 2))
            parts.setdefault(dev.kind, []).append(passed)
            if dev.kind in model.spec.modulator_kinds:
                mods += passed
        parts.setdefault("modulators", []).append(mods)
        parts.setdefault("chips", []).append(res.chip_pass.sum(axis=1))
    return {key: np.concatenate(chunks) for key, chunks in parts.items()}


def timed(fn: Callable[[], Counts]) -> tuple[Counts, float, float]:
    """Output of ``fn``, its wall time and this process's CPU time (s)."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall0, time.process_time() - cpu0


def yield_and_se(per_wafer: NDArray[np.int64], total: int) -> tuple[float, float]:
    """Yield and its standard error clustered by wafer (fractions)."""
    frac = per_wafer / total
    return float(frac.mean()), float(frac.std(ddof=1) / np.sqrt(frac.size))


def main() -> None:
    model = YieldModel.build(INP)
    n_dies = model.grid.n_dies
    per_wafer = n_dies * model.devices_per_die
    n_dev = N_WAFERS * per_wafer
    print(f"InP wafer: {n_dies} dies x {model.devices_per_die} devices = {per_wafer}")

    engine_run(model, 16, 0)  # warm caches
    base_runs, eng_runs = [], []
    for _ in range(REPEATS):
        base_runs.append(timed(lambda: baseline_run(model, N_WAFERS, 1)))
        eng_runs.append(timed(lambda: engine_run(model, N_WAFERS, 0)))
    base = base_runs[0][0]
    eng = eng_runs[0][0]
    base_wall, base_cpu = min(r[1] for r in base_runs), min(r[2] for r in base_runs)
    eng_wall, eng_cpu = min(r[1] for r in eng_runs), min(r[2] for r in eng_runs)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = run_wafer_yield(INP, n_wafers=N_WAFERS, seed=0, model=model)
    full_wall, full_cpu = time.perf_counter() - wall0, time.process_time() - cpu0

    print(f"{N_WAFERS} wafers, {n_dev:,} devices, best of {REPEATS}:")
    for label, wall, cpu in (
        ("baseline (vectorised per-wafer numpy loop)", base_wall, base_cpu),
        ("engine (sampling + evaluation + counts)", eng_wall, eng_cpu),
        ("engine full run_wafer_yield (single run, extra)", full_wall, full_cpu),
    ):
        print(
            f"  {label:48s} {wall:6.2f} s wall ({cpu:5.2f} s CPU); "
            f"{n_dev / wall:>10,.0f} devices/s wall, {n_dev / cpu:>10,.0f} devices/s CPU"
        )
    print(
        f"  speed-up engine vs baseline: {base_wall / eng_wall:.1f}x wall, "
        f"{base_cpu / eng_cpu:.1f}x CPU; full run vs baseline: {base_wall / full_wall:.1f}x wall"
    )
    print("  targets: >= 1e6 devices/s; 1000 wafers < 30 s")

    totals = {dev.kind: n_dies * dev.count for dev in model.spec.devices}
    totals["modulators"] = sum(totals[k] for k in model.spec.modulator_kinds)
    totals["chips"] = n_dies
    print("yield agreement (engine seed 0, baseline seed 1; z = difference / combined SE):")
    worst = 0.0
    for key, total in totals.items():
        y_eng, se_eng = yield_and_se(eng[key], total)
        y_base, se_base = yield_and_se(base[key], total)
        z = (y_eng - y_base) / np.hypot(se_eng, se_base)
        worst = max(worst, abs(z))
        print(
            f"  {key:20s} engine {100 * y_eng:6.2f} +- {100 * se_eng:.2f} %  "
            f"baseline {100 * y_base:6.2f} +- {100 * se_base:.2f} %  z {z:+.2f}"
        )
    mod = result.modulator_yield
    assert mod is not None
    print(
        f"  run_wafer_yield: modulator yield {100 * mod.value:.2f} %, "
        f"chip yield {100 * result.chip_yield.value:.2f} %"
    )
    if worst >= Z_MAX:
        raise SystemExit(f"engine and baseline yields disagree: max |z| = {worst:.2f}")
    print(f"  agree: max |z| = {worst:.2f} < {Z_MAX}")


if __name__ == "__main__":
    main()
