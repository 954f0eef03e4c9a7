"""One sweep point: a scenario plus overrides, run through the main flow, read by the outputs.

:func:`evaluate_point` is the task a dask worker runs. It runs only the stages the point's
outputs need, in the flow's own order and with its stage cache (``<flow_dir>/cache``), and it
never raises for a point that cannot be evaluated: the point comes back failed, with the error.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qkdchip import __version__
from qkdchip.records import Record
from qkdchip.sweep.outputs import (
    OutputRequest,
    Value,
    needed_stages,
    network_distances,
    network_parts,
)
from qkdchip.sweep.scenario import BaseScenario, Scalar
from qkdchip.validation import check_choice

if TYPE_CHECKING:
    from qkdchip.flow import Stage

STATUSES: tuple[str, ...] = ("ok", "failed")
"""A point's status: every output read, or not (``error`` says why)."""


@dataclass(frozen=True)
class PointResult(Record):
    """What one sweep point gave.

    Attributes:
        point_key: the point's key (base scenario and overrides, inputs only).
        inputs: parameter path -> value (the overrides).
        outputs: output column -> value (None where the point failed or the quantity does not
            exist).
        requested: the output columns this point was evaluated for.
        status: ``ok`` or ``failed``.
        error: why the point failed (None when it did not).
        stages: stage -> ``done``, ``cached``, ``skipped`` or ``failed``.
        cache_keys: stage -> the cache key of its output (the devices stage: device -> keys of
            the results it used).
        seconds: wall time of the point, s.
        qkdchip_version: the version of qkdchip that evaluated it.
    """

    point_key: str
    inputs: dict[str, Scalar]
    outputs: dict[str, Value]
    requested: tuple[str, ...]
    status: str
    error: str | None = None
    stages: dict[str, str] = field(default_factory=dict)
    cache_keys: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    qkdchip_version: str = __version__

    def __post_init__(self) -> None:
        check_choice("status", self.status, STATUSES)

    @classmethod
    def failed(
        cls,
        *,
        point_key: str,
        inputs: dict[str, Scalar],
        requested: Sequence[str],
        error: str,
        **more: Any,
    ) -> PointResult:
        """A point with no outputs and the reason."""
        return cls(
            point_key=point_key,
            inputs=inputs,
            outputs=dict.fromkeys(requested),
            requested=tuple(requested),
            status="failed",
            error=error,
            **more,
        )


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs to evaluate one point (sent to it whole).

    Attributes:
        base: the scenario the sweep starts from.
        overrides: parameter path -> value.
        requests: the outputs to read.
        flow_dir: the flow's results folder; its ``cache/`` holds the stage outputs every point
            shares (on a cluster, a folder every worker reaches).
        stages: the main-flow stages to choose from, in order.
        offline: never run meep/MPB (a device result that is not cached fails the point).
        mpi_processes: MPI processes of each meep job the point runs (1: serial meep); the
            results and their keys do not depend on it.
    """

    base: BaseScenario
    overrides: dict[str, Scalar]
    requests: tuple[OutputRequest, ...]
    flow_dir: str
    stages: tuple[Stage, ...]
    offline: bool = False
    mpi_processes: int = 1

    @property
    def point_key(self) -> str:
        """The point's key."""
        return self.base.point_key(self.overrides)

    @property
    def columns(self) -> tuple[str, ...]:
        """The output columns asked for."""
        return tuple(r.column for r in self.requests)


def evaluate_point(task: PointTask) -> PointResult:
    """Run the flow's stages the outputs need for one point and read the outputs.

    The point's network is evaluated at the distances its outputs need
    (:func:`~qkdchip.sweep.outputs.network_distances`) and runs only the parts they read
    (:func:`~qkdchip.sweep.outputs.network_parts`).
    """
    from qkdchip.cache import offline
    from qkdchip.flow import run_flow
    from qkdchip.flow_context import FlowContext
    from qkdchip.simulations.meep_jobs import meep_mpi

    start = time.perf_counter()
    common = {"point_key": task.point_key, "inputs": dict(task.overrides)}
    try:
        configured = task.base.with_overrides(task.overrides)
        needed = needed_stages(task.requests, configured)
        scenario = configured
        network = configured.network
        distances = network_distances(task.requests, configured) if "network" in needed else ()
        if distances and distances != network.pair_distances_km:
            scenario = replace(configured, network=replace(network, pair_distances_km=distances))
    except ValueError as err:
        return PointResult.failed(
            **common, requested=task.columns, error=str(err), seconds=time.perf_counter() - start
        )
    flow_dir = Path(task.flow_dir)
    ctx = FlowContext(
        scenario=scenario,
        out_dir=flow_dir,
        gds_dir=flow_dir / "gds",
        network_parts=network_parts(task.requests),
    )
    with offline(task.offline), meep_mpi(task.mpi_processes):
        outcomes = run_flow(ctx, stages=tuple(s for s in task.stages if s.name in needed))
    more = {
        "stages": {o.name: o.status for o in outcomes},
        "cache_keys": dict(ctx.keys),
    }
    broken = [o for o in outcomes if o.status in ("failed", "skipped")]
    if broken:
        error = "; ".join(f"{o.name} {o.status}: {o.message}" for o in broken)
        return PointResult.failed(
            **common,
            requested=task.columns,
            error=error,
            seconds=time.perf_counter() - start,
            **more,
        )
    try:
        values = {r.column: r.value(ctx.outputs, configured) for r in task.requests}
    except (ValueError, KeyError) as err:
        return PointResult.failed(
            **common,
            requested=task.columns,
            error=f"reading the outputs: {type(err).__name__}: {err}",
            seconds=time.perf_counter() - start,
            **more,
        )
    return PointResult(
        **common,
        outputs=values,
        requested=task.columns,
        status="ok",
        seconds=time.perf_counter() - start,
        **more,
    )
