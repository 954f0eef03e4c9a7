"""Benchmark: design sweeps on dask, with fresh meep runs and with cached device results.

``ring``: a 16-point sweep of the comb ring's width (``design.ring.width_um``), each point a
fresh meep ring simulation (and its MPB seed mode) at a coarse grid (:data:`COARSE_RING`,
5-15 s a point), on a 2-worker ``LocalCluster`` (timed once its workers have imported the
flow, and with the cluster's start-up) against the same points evaluated one after another
in this process. Each run has its own empty device cache
(``QKDCHIP_CACHE_DIR``). Target: a speed-up of at least 1.7 on two cores. The machine's own
ceiling is measured beside it (two CPU-bound processes at once against one), since shared or
hyper-threaded cores give less than 2. Then the engine's own cost per point: trivial points
(a stage that returns at once) through the same engine.

``cached``: a 20 x 20 grid of ``fibre.loss_db_per_km`` x ``server.detector_efficiency`` with
``total_key_rate_bps@370km`` on the weiming scenario: no FDTD (the device results are shipped;
the comb, the yield and the drawn transmitter's circuit are computed once, before the clock
starts, and then cached), but every point runs its own network stage.
Target: the 400 points under 60 s on two workers. One point is profiled in this process (the
network stage's parts; the baseline is the part the output reads: the key rates at the
point's distances), then ``--points`` points spread over the grid run on the engine and the
400-point time is projected from them (``--points 400`` runs them all).

Run: ``.venv/bin/python benchmarks/bench_sweep.py [ring|cached|all] [--points N]``
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from qkdchip.cache import CACHE_ENV
from qkdchip.flow import STAGES, Stage
from qkdchip.flow_context import FlowContext, StageResult
from qkdchip.simulations.ring.resonances import RingSettings
from qkdchip.sweep import Axis, SweepSpec, grid_values, run_sweep
from qkdchip.sweep.engine import connect
from qkdchip.sweep.outputs import parse_outputs
from qkdchip.sweep.points import PointTask, evaluate_point
from qkdchip.sweep.scenario import BaseScenario

WORKERS = 2
RING_POINTS = 16
RING_TARGET = 1.7
CACHED_TARGET_S = 60.0
TRIVIAL_POINTS = 200
COARSE_RING = RingSettings(
    resolution=10,
    pad_um=1.5,
    run_after_source=100.0,
    source_bandwidth=0.15,
    mu_max=64,
    mu_step=64,
    courant=0.65,
    mode_resolution=16,
)
"""A coarse ring simulation (three azimuthal orders at 10 px/µm, MPB seed mode at 16 px/µm):
FSR and D2 to a few percent, about 10 s on one core."""
SPIN = "s = 0\nfor i in range(10_000_000):\n    s += i * i"
"""A CPU-bound run of about a second, the yardstick of :func:`parallel_ceiling`."""
LOSS = grid_values(0.15, 0.24, 20)
EFFICIENCY = grid_values(0.3, 0.9, 20)
KEY_RATE = "total_key_rate_bps@370km"
NETWORK_PARTS = {
    "compute_network": "key rates at the point's distances (read)",
    "_reach": "reach search (not read)",
    "_security": "security margins (not read)",
    "_limit": "limiting mechanism (not read)",
    "_sweep": "key rate vs distance curve (not read)",
    "_untested_draws": "untested chip draws (not read)",
}
"""The parts of the network stage (functions of qkdchip.flow_stages) and whether a key-rate
output reads them."""


def coarse_ring_devices(ctx: FlowContext) -> StageResult:
    """A devices stage of the ring alone, simulated with :data:`COARSE_RING`."""
    from qkdchip.simulations.devices.defaults import DEVICES
    from qkdchip.simulations.ring.resonances import simulate_ring

    result = simulate_ring(ctx.scenario.design.ring, settings=COARSE_RING)
    headlines = {"ring": DEVICES["ring"].headlines(result)}
    return StageResult(SimpleNamespace(headlines=headlines), "coarse ring")


def import_ring_modules() -> None:
    """Import what a ring point runs (a worker's first point would otherwise pay for it)."""
    import qkdchip.simulations.devices.defaults
    import qkdchip.simulations.ring.resonances
    import qkdchip.sweep.points  # noqa: F401


def trivial_devices(ctx: FlowContext) -> StageResult:
    """A devices stage that does nothing: what is left is the engine's own cost."""
    return StageResult(SimpleNamespace(headlines={"ring": {"fsr_ghz": 30.0}}), "nothing")


@contextmanager
def device_cache(folder: Path) -> Iterator[None]:
    """Device results go to ``folder`` (new worker processes inherit it)."""
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ[CACHE_ENV]
        else:
            os.environ[CACHE_ENV] = before


def tasks(spec: SweepSpec, flow_dir: Path, stages: tuple[Stage, ...]) -> list[PointTask]:
    """The points of ``spec`` as the engine's tasks."""
    base = BaseScenario.load(spec.scenario)
    requests = parse_outputs(spec.outputs)
    return [
        PointTask(base=base, overrides=p, requests=requests, flow_dir=str(flow_dir), stages=stages)
        for p in spec.points(base)
    ]


def _spin_s(processes: int) -> float:
    """Wall time (s) of a fixed CPU-bound run (one thread) in ``processes`` concurrent
    interpreters."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    start = time.perf_counter()
    runs = [subprocess.Popen([sys.executable, "-c", SPIN], env=env) for _ in range(processes)]
    for run in runs:
        run.wait()
    return time.perf_counter() - start


def parallel_ceiling() -> float:
    """The speed-up this machine gives two CPU-bound processes over one (2.0 for two free
    cores): two runs at once against one, best of three each."""
    one = min(_spin_s(1) for _ in range(3))
    two = min(_spin_s(WORKERS) for _ in range(3))
    return WORKERS * one / two


def bench_ring(tmp: Path) -> None:
    """Fresh meep ring points: serial in this process vs a 2-worker LocalCluster."""
    from qkdchip.simulations.meep_jobs import meep_available

    if not meep_available():
        print("ring sweep: skipped (needs meep: Debian's python3-meep)")
        return
    ceiling_before = parallel_ceiling()
    import_ring_modules()  # as on the workers, before the clock starts
    stages = (Stage("devices", "coarse ring", coarse_ring_devices),)
    widths = grid_values(2.0, 3.5, RING_POINTS)  # whole pixels at 10 px/µm
    spec = SweepSpec("weiming", (Axis("design.ring.width_um", widths),), ("fsr_ghz", "d2_khz"))

    with device_cache(tmp / "serial_cache"):
        start = time.perf_counter()
        serial = [evaluate_point(t) for t in tasks(spec, tmp / "serial_flow", stages)]
        serial_s = time.perf_counter() - start
    with device_cache(tmp / "dask_cache"):
        start = time.perf_counter()
        with connect(None, WORKERS) as client:
            client.run(import_ring_modules)
            warm_start = time.perf_counter()
            parallel = run_sweep(
                spec, tmp / "ring.parquet", flow_dir=tmp / "dask_flow", client=client, stages=stages
            )
            end = time.perf_counter()
        parallel_s, cold_s = end - warm_start, end - start
    failed = [p for p in (*serial, *parallel.points) if p.status != "ok"]
    if failed:
        raise RuntimeError(f"{len(failed)} ring points failed: {failed[0].error}")
    difference = max(
        abs(a.outputs[c] - b.outputs[c]) / abs(a.outputs[c])
        for a, b in zip(serial, parallel.points, strict=True)
        for c in a.outputs
    )
    speedup = serial_s / parallel_s
    verdict = "ok" if speedup >= RING_TARGET else "SLOW"
    print(f"ring-width sweep, {RING_POINTS} fresh meep points (FSR, D2)")
    print(
        f"  {'baseline: serial, this process':34s} {serial_s:7.1f} s   "
        f"(a point {statistics.median(p.seconds for p in serial):.1f} s, median)"
    )
    print(
        f"  {f'dask LocalCluster, {WORKERS} workers':34s} {parallel_s:7.1f} s   "
        f"(a point {statistics.median(p.seconds for p in parallel.points):.1f} s)   "
        f"{speedup:4.2f} x faster (target >= {RING_TARGET})   {verdict}"
    )
    print(
        f"  {'  with start-up and first imports':34s} {cold_s:7.1f} s   "
        f"{serial_s / cold_s:4.2f} x faster"
    )
    print(f"  largest relative difference of an output, serial vs dask: {difference:.1e}")
    ceiling = (ceiling_before, parallel_ceiling())
    print(
        f"  this machine's own ceiling: two CPU-bound processes run {min(ceiling):.2f}-"
        f"{max(ceiling):.2f} x faster than one (before, after); the sweep reaches "
        f"{speedup / max(ceiling):.0%} of it"
    )

    trivial = (Stage("devices", "nothing", trivial_devices),)
    seeds = tuple(range(TRIVIAL_POINTS))
    spec = SweepSpec("weiming", (Axis("seed", seeds),), ("fsr_ghz",))
    start = time.perf_counter()
    local = [evaluate_point(t) for t in tasks(spec, tmp / "trivial_flow", trivial)]
    local_s = (time.perf_counter() - start) / len(local)
    start = time.perf_counter()
    with connect(None, WORKERS) as client:
        startup_s = time.perf_counter() - start
        warm = SweepSpec("weiming", (Axis("seed", (10**6, 10**6 + 1)),), ("fsr_ghz",))
        flow = tmp / "trivial_flow"
        run_sweep(warm, tmp / "warm.parquet", flow_dir=flow, client=client, stages=trivial)
        start = time.perf_counter()  # the workers have imported the flow
        run_sweep(spec, tmp / "trivial.parquet", flow_dir=flow, client=client, stages=trivial)
        engine_s = (time.perf_counter() - start) / TRIVIAL_POINTS
    print(f"engine cost per point ({TRIVIAL_POINTS} trivial points, {WORKERS} workers)")
    print(f"  {'cluster start-up':34s} {startup_s:7.2f} s")
    print(f"  {'baseline: one point, this process':34s} {1e3 * local_s:7.1f} ms")
    print(
        f"  {'through dask (wall / points)':34s} {1e3 * engine_s:7.1f} ms   "
        f"{engine_s / local_s:4.2f} x the in-process cost"
    )


def _cumulative_s(stats: pstats.Stats, name: str) -> float:
    """Cumulative seconds of the qkdchip.flow_stages function ``name`` in a profile."""
    return sum(
        row[3]
        for (path, _, function), row in stats.stats.items()  # type: ignore[attr-defined]
        if function == name and path.endswith("flow_stages.py")
    )


def bench_cached(tmp: Path, n_points: int) -> None:
    """The 400-point key-rate grid: one point profiled, ``n_points`` of them on dask."""
    flow = tmp / "cached_flow"
    base = BaseScenario.load("weiming")
    warm = PointTask(
        base=base,
        overrides={},
        requests=parse_outputs(["comb_lines_usable", "chip_yield", KEY_RATE]),
        flow_dir=str(flow),
        stages=STAGES,
    )
    start = time.perf_counter()
    evaluate_point(warm)
    print(
        "cached sweep: the comb, yield and transmitter-circuit stages (and the base scenario's "
        f"network), run once: {time.perf_counter() - start:.0f} s"
    )

    grid = SweepSpec(
        "weiming",
        (Axis("fibre.loss_db_per_km", LOSS), Axis("server.detector_efficiency", EFFICIENCY)),
        (KEY_RATE,),
    )
    points = grid.points(base)
    profiler = cProfile.Profile()
    one = PointTask(
        base=base,
        overrides=points[len(points) // 2],
        requests=parse_outputs([KEY_RATE]),
        flow_dir=str(flow),
        stages=STAGES,
    )
    profiler.enable()
    profiled = evaluate_point(one)
    profiler.disable()
    stats = pstats.Stats(profiler)
    needed_s = _cumulative_s(stats, "compute_network")
    print(f"one point {one.overrides}, profiled in this process: {profiled.seconds:.1f} s")
    for name, what in NETWORK_PARTS.items():
        print(f"  {what:42s} {_cumulative_s(stats, name):7.1f} s")
    print(
        f"  {'the point / the part it reads':42s} {profiled.seconds / needed_s:7.1f} x "
        f"(baseline: {needed_s:.1f} s)"
    )

    step = max(1, len(points) // n_points)
    chosen = points[::step][:n_points]
    paths = [a.path for a in grid.axes]
    subset = SweepSpec(
        "weiming",
        tuple(Axis(path, tuple(p[path] for p in chosen)) for path in paths),
        (KEY_RATE,),
        design="zip",
    )
    start = time.perf_counter()
    run = run_sweep(subset, tmp / "cached.parquet", flow_dir=flow, workers=WORKERS)
    wall_s = time.perf_counter() - start
    failed = [p for p in run.points if p.status != "ok"]
    if failed:
        raise RuntimeError(f"{len(failed)} points failed: {failed[0].error}")
    projected_s = wall_s * len(points) / len(chosen)
    reading_only_s = len(points) * needed_s / WORKERS
    verdict = "ok" if projected_s < CACHED_TARGET_S else "SLOW"
    label = "measured" if len(chosen) == len(points) else "projected"
    print(
        f"{len(chosen)} of the {len(points)} points on {WORKERS} workers: {wall_s:.0f} s "
        f"({wall_s * WORKERS / len(chosen):.1f} s of a worker per point)"
    )
    in_task = [p.seconds for p in run.points]
    print(
        f"  {'the points themselves (in their tasks)':42s} {sum(in_task) / WORKERS:7.0f} s   "
        f"(a point {statistics.median(in_task):.2f} s, median); the rest is the cluster's "
        "start-up, the workers' first imports and the engine"
    )
    print(f"  {f'{len(points)} points, {label}':42s} {projected_s:7.0f} s   {verdict}")
    ratio = projected_s / CACHED_TARGET_S
    print(f"  {'target':42s} {CACHED_TARGET_S:7.0f} s   ({ratio:.2f} x the target)")
    print(
        f"  {'if a point ran only what it reads':42s} {reading_only_s:7.0f} s   "
        f"{projected_s / reading_only_s:.1f} x less"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", default="all", choices=("ring", "cached", "all"))
    parser.add_argument(
        "--points", type=int, default=4, help="cached grid points run on dask (400: all)"
    )
    args = parser.parse_args()
    if not 1 <= args.points <= 400:
        raise SystemExit(f"--points={args.points} is outside the allowed range [1, 400]")
    with tempfile.TemporaryDirectory(prefix="qkdchip-bench-sweep-") as tmp:
        print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"a fixed CPU-bound run (the machine's speed now): {_spin_s(1):.2f} s")
        if args.part in ("ring", "all"):
            bench_ring(Path(tmp))
        if args.part in ("cached", "all"):
            bench_cached(Path(tmp), args.points)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        print(f"the fixed CPU-bound run again: {_spin_s(1):.2f} s")


if __name__ == "__main__":
    main()
