"""Sweeps on dask.distributed: resuming, failing points, worker count, a killed worker.

The points are cheap: device figures (served from the shipped results) or the key rates of a
two-pair network on the synthetic comb of :mod:`tests.qkdchip.flow_cases`.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qkdchip.flow import Stage
from qkdchip.flow_context import FlowContext, StageResult
from qkdchip.flow_stages import devices, wafer_yield
from qkdchip.sweep import Axis, PointResult, SweepSpec, grid_values, read_results, run_sweep
from qkdchip.sweep.store import read_meta
from tests.qkdchip.flow_cases import small_stages

if TYPE_CHECKING:
    from distributed import Client

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

TINY = """name = "tiny"

[network]
clients = 4
channels = 2
pair_distances_km = [380.0]
sweep_points = 2

[protocol]
name = "sns"
n_pulses = "asymptotic"

[yield]
wafers = 1
draws = 0
"""
NETWORK_OUTPUTS = (
    "total_key_rate_bps@380km",
    "qber_x_max@380km",
    "max_distance_km_all_above_plob",
    "networking_capability_km",
    "chip_yield",
)
"""Outputs at the configured distance: every point runs the whole network stage."""


@pytest.fixture
def tiny(tmp_path: Path) -> str:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return str(path)


def _no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.rglob(".*") if p.is_file()]


def test_a_rerun_computes_only_the_missing_points(
    tiny: str, tmp_path: Path, client: Client
) -> None:
    results = tmp_path / "sweeps" / "pm.parquet"
    flow = tmp_path / "flow"
    path = "design.phase_modulator.length_um"
    first = SweepSpec(tiny, (Axis(path, (2000.0, 3000.0)),), ("vpi_v", "fsr_ghz"))
    done = run_sweep(first, results, flow_dir=flow, client=client)
    assert (done.computed, done.reused) == (2, 0)
    vpi = {p.inputs[path]: p.outputs["vpi_v"] for p in done.points}
    assert vpi[2000.0] == pytest.approx(1.5 * vpi[3000.0], rel=1e-9)  # Vπ·L is one number
    table = read_results(results)
    assert table.column(path).type == "double"
    assert table.column("status").to_pylist() == ["ok", "ok"]
    meta = read_meta(table)
    assert meta["outputs"]["vpi_v"]["provenance"] == "simulated"
    assert meta["spec"] == first.to_dict()
    keys = json.loads(table.column("cache_keys")[0].as_py())
    assert keys["devices"]["modulator"]

    seen: list[PointResult] = []
    wider = SweepSpec(tiny, (Axis(path, (2000.0, 2500.0, 3000.0)),), ("vpi_v", "fsr_ghz"))
    again = run_sweep(wider, results, flow_dir=flow, client=client, on_point=seen.append)
    assert (again.computed, again.reused) == (1, 2)
    assert [p.inputs for p in seen] == [{path: 2500.0}]
    assert [p.inputs[path] for p in again.points] == [2000.0, 2500.0, 3000.0]
    assert again.points[0] == done.points[0]  # read back exactly as computed

    # nothing missing: no cluster is contacted at all (this address has no scheduler)
    same = run_sweep(wider, results, flow_dir=flow, scheduler="tcp://127.0.0.1:9")
    assert (same.computed, same.reused) == (0, 3)
    # an output the file does not hold yet makes every point missing
    more = SweepSpec(tiny, wider.axes, ("vpi_v", "kappa_per_cm"))
    assert run_sweep(more, results, flow_dir=flow, client=client).computed == 3
    assert read_results(results).num_rows == 3
    # another version of the scenario: nothing is reused, and the old points leave the file
    Path(tiny).write_text(TINY.replace("clients = 4", "clients = 4\ndownstream_km = 1.0"))
    changed = run_sweep(first, results, flow_dir=flow, client=client)
    assert (changed.computed, changed.reused, changed.stale) == (2, 0, 3)
    assert read_results(results).num_rows == 2
    assert _no_temporary_files(tmp_path)


def _yield_unless_seed_2(ctx: FlowContext) -> StageResult:
    """The yield stage, except that it breaks (an error the flow does not catch) at seed 2."""
    if ctx.scenario.seed == 2:
        raise ZeroDivisionError("broken on purpose")
    return wafer_yield(ctx)


def test_a_failing_point_is_recorded_and_the_sweep_goes_on(
    tiny: str, tmp_path: Path, client: Client
) -> None:
    stages = (*small_stages()[:2], Stage("yield", "breaks at seed 2", _yield_unless_seed_2))
    spec = SweepSpec(
        tiny,
        (Axis("seed", (1, 2, 3)), Axis("fibre.loss_db_per_km", (0.2, 0.2, -1.0))),
        ("chip_yield",),
        design="zip",
    )
    results = tmp_path / "failing.parquet"
    run = run_sweep(spec, results, flow_dir=tmp_path, client=client, stages=stages)
    assert [p.status for p in run.points] == ["ok", "failed", "failed"]
    assert 0.0 < run.points[0].outputs["chip_yield"] <= 1.0
    assert run.points[1].error == "ZeroDivisionError: broken on purpose"
    assert "[fibre]" in run.points[2].error
    assert "loss_db_per_km=-1.0" in run.points[2].error
    assert run.points[2].outputs == {"chip_yield": None}
    assert read_results(results).column("error").to_pylist()[0] is None
    # failed points are kept on a rerun, unless asked to retry them
    rerun = run_sweep(spec, results, flow_dir=tmp_path, client=client, stages=stages)
    assert rerun.computed == 0
    retried = run_sweep(
        spec, results, flow_dir=tmp_path, client=client, stages=stages, retry_failed=True
    )
    assert retried.computed == 2
    assert [p.status for p in retried.points] == ["ok", "failed", "failed"]


def _columns(path: Path) -> dict[str, list[object]]:
    table = read_results(path)
    return {name: table.column(name).to_pylist() for name in table.column_names}


def test_results_are_the_same_with_one_or_two_workers(
    tiny: str, tmp_path: Path, client: Client
) -> None:
    from distributed import Client, LocalCluster

    spec = SweepSpec(tiny, (Axis("fibre.loss_db_per_km", (0.16, 0.22)),), NETWORK_OUTPUTS)
    stages = small_stages()
    two = run_sweep(
        spec, tmp_path / "two.parquet", flow_dir=tmp_path / "a", client=client, stages=stages
    )
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as single,
    ):
        one = run_sweep(
            spec, tmp_path / "one.parquet", flow_dir=tmp_path / "b", client=single, stages=stages
        )
    assert all(p.stages["network"] == "done" for p in (*one.points, *two.points))
    assert [p.status for p in one.points] == ["ok"] * 2
    rates = [p.outputs["total_key_rate_bps@380km"] for p in one.points]
    assert rates[0] > rates[1] > 0.0
    a, b = _columns(tmp_path / "one.parquet"), _columns(tmp_path / "two.parquet")
    for name in ("seconds", "stages", "cache_keys"):  # cache keys hash the code as well
        del a[name], b[name]
    assert a == b


def _slow_devices(ctx: FlowContext) -> StageResult:
    """The devices stage, slower: a worker is busy when it is killed."""
    time.sleep(0.4)
    return devices(ctx)


def test_a_killed_worker_has_its_points_retried(tiny: str, tmp_path: Path, client: Client) -> None:
    path = "design.phase_modulator.length_um"
    spec = SweepSpec(tiny, (Axis(path, grid_values(2000.0, 3000.0, 6)),), ("vpi_v",))
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_a_busy_worker(point: PointResult) -> None:
        busy = [w for w, keys in client.processing().items() if keys]
        if not killed and busy:
            killed.append(pids[busy[0]])
            os.kill(killed[0], signal.SIGKILL)

    run = run_sweep(
        spec,
        tmp_path / "killed.parquet",
        flow_dir=tmp_path,
        client=client,
        stages=(Stage("devices", "slow devices", _slow_devices),),
        on_point=kill_a_busy_worker,
    )
    assert killed
    assert run.computed == 6
    assert [p.status for p in run.points] == ["ok"] * 6
    assert read_results(tmp_path / "killed.parquet").num_rows == 6
    client.wait_for_workers(2, timeout=60)  # the nanny starts a new one
    assert killed[0] not in client.run(os.getpid).values()


def test_a_local_cluster_runs_its_workers_without_the_profiler_and_dask_malloc_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dask

    from qkdchip.sweep.engine import connect

    def settings() -> tuple[str | None, bool]:
        return (
            os.environ.get("MALLOC_TRIM_THRESHOLD_"),
            dask.config.get("distributed.worker.profile.enabled"),
        )

    # a cluster of dask's defaults started earlier in this process leaves its value behind
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with connect(None, 1) as client:
        assert list(client.run(settings).values()) == [(None, False)]
    assert dask.config.get("distributed.worker.profile.enabled")  # this process keeps dask's
