"""Run a sweep's points as tasks on dask.distributed and keep the results file up to date.

By default a :class:`distributed.LocalCluster` sized to the machine (one worker process per
core, one thread each) runs the points; ``scheduler`` connects to an existing cluster instead
and ``client`` uses one the caller holds. A worker that dies has its tasks retried on the
others (the scheduler's ``distributed.scheduler.allowed-failures``, default 3); a point still
lost after that, or whose task raised, is recorded failed with the error, and the sweep goes on.
Results are written every ``checkpoint_s`` seconds and at the end (also when interrupted), so a
rerun computes only the points that are missing.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qkdchip import __version__
from qkdchip.simulations.meep_jobs.mpi import check_mpi_processes
from qkdchip.sweep import store
from qkdchip.sweep.outputs import OutputRequest, parse_outputs
from qkdchip.sweep.points import PointResult, PointTask, evaluate_point
from qkdchip.sweep.scenario import BaseScenario
from qkdchip.sweep.spec import SweepSpec
from qkdchip.validation import check_range

if TYPE_CHECKING:
    from distributed import Client

    from qkdchip.flow import Stage

CHECKPOINT_S = 30.0
"""Seconds between writes of the results file while points come in."""


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep.

    Attributes:
        spec: what was swept.
        path: the results file.
        points: every point of the sweep, in the sweep's order.
        computed: points evaluated by this run.
        reused: points read from the results file.
        stale: points of the file made from another version of the scenario, left out of it
            when this run wrote it.
    """

    spec: SweepSpec
    path: Path
    points: tuple[PointResult, ...]
    computed: int
    reused: int
    stale: int

    @property
    def failed(self) -> tuple[PointResult, ...]:
        """The points that failed."""
        return tuple(p for p in self.points if p.status == "failed")


def default_workers() -> int:
    """Worker processes of a local cluster: the cores this process may use."""
    return len(os.sched_getaffinity(0))


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers``
    processes (default: one per core) with one thread each."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if workers is not None:
            raise ValueError(
                f"workers={workers!r} applies to a local cluster; an existing cluster "
                f"({scheduler}) has its own workers"
            )
        with Client(scheduler) as client:
            yield client
        return
    n = default_workers() if workers is None else workers
    check_range("workers", n, 1, 4096)
    with dask.config.set(local_worker_config()):
        cluster = LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
    with cluster, Client(cluster) as client:
        yield client


def local_worker_config() -> dict[str, Any]:
    """dask settings of a local cluster's workers that differ from dask's defaults.

    Two defaults suit long-lived workers of large arrays and cost a sweep point's key-rate
    search (thousands of numpy calls on arrays of a few kB) a third of its time, measured on
    warm workers (a network point 0.45 s with both, 0.30 s without):

    - the worker profiler samples the running task's stack every 10 ms
      (``distributed.worker.profile.enabled``): off;
    - ``MALLOC_TRIM_THRESHOLD_`` of 64 KiB in the workers' environment
      (``distributed.nanny.pre-spawn-environ``), which makes glibc return freed memory at
      once and stops it adapting its thresholds: left to glibc. dask's nannies also write
      their value into the environment of the process that starts them, so the workers of a
      cluster started after one with dask's defaults, in the same process, inherit it.

    The same settings serve workers started elsewhere (docs/sweeps.md).
    """
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return {
        "distributed.nanny.pre-spawn-environ": environ,
        "distributed.worker.profile.enabled": False,
    }


def _reusable(row: dict[str, Any] | None, columns: Sequence[str], retry: bool) -> bool:
    """Whether a stored row serves a point: it holds every output asked for, and it is not a
    failure to retry."""
    if row is None or (retry and row["status"] != "ok"):
        return False
    return set(columns) <= set(row["requested"] or ())


def run_sweep(
    spec: SweepSpec,
    results: str | Path,
    *,
    flow_dir: str | Path,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    stages: Sequence[Stage] | None = None,
    offline: bool = False,
    mpi_processes: int = 1,
    retry_failed: bool = False,
    checkpoint_s: float = CHECKPOINT_S,
    on_start: Callable[[int, int], None] | None = None,
    on_point: Callable[[PointResult], None] | None = None,
) -> SweepResult:
    """Evaluate every point of ``spec`` that ``results`` does not hold yet, and write it.

    Args:
        spec: the sweep.
        results: the Parquet results file (read first: its points are reused when their key,
            i.e. base scenario and overrides, matches and they hold every output asked for;
            its points of other grids of the same scenario are kept, those of another version
            of the scenario are left out).
        flow_dir: the flow's results folder; its ``cache/`` holds the stage outputs the points
            share (on a multi-machine cluster, a folder every worker reaches).
        client: a dask client to use (``scheduler`` and ``workers`` are then ignored).
        scheduler: address of an existing dask scheduler (``tcp://host:8786``).
        workers: worker processes of the local cluster (default: one per core).
        stages: the main-flow stages to draw from (default :data:`qkdchip.flow.STAGES`).
        offline: never run meep/MPB; a point needing an uncached device result fails.
        mpi_processes: MPI processes of each meep job a point runs, [1, 1024] (> 1 needs meep
            built with MPI on the workers; a point's key and results do not depend on it).
        retry_failed: evaluate again the points the file holds as failed.
        checkpoint_s: seconds between writes of the results file, >= 0.
        on_start: called with (points to compute, points reused) before computing.
        on_point: called with each point as it completes.

    Returns:
        The :class:`SweepResult`.
    """
    from qkdchip.flow import STAGES

    check_range("checkpoint_s", checkpoint_s, 0.0)
    check_mpi_processes(mpi_processes)
    base = BaseScenario.load(spec.scenario)
    requests = parse_outputs(spec.outputs)
    paths = [a.path for a in spec.axes]
    kinds = {p: base.kind(p) for p in paths}
    unique = {base.point_key(p): p for p in spec.points(base)}  # a repeated point runs once
    keys, points = list(unique), list(unique.values())
    columns = [r.column for r in requests]
    path = Path(results)
    stored = store.load(path)
    done: dict[str, PointResult] = {}
    reused = 0
    for key in keys:
        if stored is not None and _reusable(stored.rows.get(key), columns, retry_failed):
            done[key] = stored.result(key, paths)
            reused += 1
    todo = [
        PointTask(
            base=base,
            overrides=p,
            requests=requests,
            flow_dir=str(Path(flow_dir).resolve()),
            stages=tuple(STAGES if stages is None else stages),
            offline=offline,
            mpi_processes=mpi_processes,
        )
        for p, k in zip(points, keys, strict=True)
        if k not in done
    ]
    if on_start is not None:
        on_start(len(todo), reused)

    def save() -> None:
        _write(path, spec, base, requests, kinds, keys, done, stored)

    if todo:
        try:
            if client is not None:
                _compute(client, todo, done, save, checkpoint_s, on_point)
            else:
                if scheduler is None:
                    workers = min(default_workers() if workers is None else workers, len(todo))
                with connect(scheduler, workers) as own:
                    _compute(own, todo, done, save, checkpoint_s, on_point)
        finally:
            if len(done) > reused:
                save()
    return SweepResult(
        spec=spec,
        path=path,
        points=tuple(done[k] for k in keys),
        computed=len(todo),
        reused=reused,
        stale=sum(r["scenario_key"] != base.key for r in stored.rows.values()) if stored else 0,
    )


def _compute(
    client: Client,
    todo: Sequence[PointTask],
    done: dict[str, PointResult],
    save: Callable[[], None],
    checkpoint_s: float,
    on_point: Callable[[PointResult], None] | None,
) -> None:
    """Submit every task, collect the points as they complete, save every ``checkpoint_s``."""
    from distributed import as_completed

    futures = {client.submit(evaluate_point, task, pure=False): task for task in todo}
    last = time.monotonic()
    for future in as_completed(futures):
        task = futures[future]
        if future.status == "finished":
            result = future.result()
        else:  # the task raised, its workers kept dying, or the cluster lost it
            err = future.exception() if future.status == "error" else None
            result = PointResult.failed(
                point_key=task.point_key,
                inputs=dict(task.overrides),
                requested=task.columns,
                error=f"{type(err).__name__}: {err}" if err else f"task {future.status}",
            )
        done[result.point_key] = result
        if on_point is not None:
            on_point(result)
        if time.monotonic() - last >= checkpoint_s:
            save()
            last = time.monotonic()


def _write(
    path: Path,
    spec: SweepSpec,
    base: BaseScenario,
    requests: Sequence[OutputRequest],
    kinds: dict[str, type],
    keys: Sequence[str],
    done: dict[str, PointResult],
    stored: store.StoredSweep | None,
) -> None:
    """Write the sweep's points (in order), then the file's other points of the same scenario,
    atomically."""
    rows: list[dict[str, Any]] = [store.row(done[k], base.key) for k in keys if k in done]
    if stored is not None:
        ours = set(keys)
        rows += [
            r for k, r in stored.rows.items() if k not in ours and r["scenario_key"] == base.key
        ]
    meta = {
        "scenario": base.source,
        "scenario_name": base.scenario.name,
        "scenario_key": base.key,
        "spec": spec.to_dict(),
        "outputs": {r.column: r.output.info() for r in requests},
        "qkdchip_version": __version__,
    }
    store.write(
        path,
        rows,
        inputs=kinds,
        outputs={r.column: r.output.dtype for r in requests},
        meta=meta,
        previous=stored,
    )
