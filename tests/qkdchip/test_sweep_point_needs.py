"""A sweep point runs what its outputs need: the network at the distances asked for, and meep
jobs on the MPI processes asked for, neither of which changes its key or its values."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from qkdchip.flow import Stage
from qkdchip.flow_context import FlowContext, StageResult
from qkdchip.simulations.meep_jobs.mpi import current_mpi_processes
from qkdchip.sweep import Axis, SweepSpec, run_sweep
from qkdchip.sweep.outputs import network_distances, parse_outputs
from qkdchip.sweep.points import PointTask, evaluate_point
from qkdchip.sweep.scenario import BaseScenario
from tests.qkdchip.flow_cases import TINY_SCENARIO, small_stages


@pytest.fixture
def two_distances(tmp_path: Path) -> BaseScenario:
    """The tests' small network, configured at 300 and 380 km."""
    path = tmp_path / "tiny.toml"
    text = TINY_SCENARIO.replace("[380.0]", "[300.0, 380.0]").replace("draws = 5", "draws = 0")
    path.write_text(text, encoding="utf-8")
    return BaseScenario.load(path)


def test_outputs_at_a_distance_alone_evaluate_only_their_distances(
    two_distances: BaseScenario,
) -> None:
    scenario = two_distances.scenario

    def distances(*outputs: str) -> tuple[float, ...]:
        return network_distances(parse_outputs(outputs), scenario)

    assert distances("total_key_rate_bps@380km") == (380.0,)
    assert distances("qber_x_max@450km", "total_key_rate_bps@100km") == (100.0, 450.0)
    assert distances("networking_capability_km") == (300.0, 380.0)
    assert distances("max_distance_km_all_above_plob", "pairs_above_plob@450km") == (
        300.0,
        380.0,
        450.0,
    )


def _network_distances_computed(flow_dir: Path) -> list[list[float]]:
    """The distances of every network stage output cached in ``flow_dir``."""
    records = [json.loads(p.read_text()) for p in (flow_dir / "cache").glob("network_*.json")]
    return [[b["distance_km"] for b in r["result"]["by_distance"]] for r in records]


def test_a_point_evaluates_the_network_where_its_outputs_read_it_with_the_same_values(
    two_distances: BaseScenario, tmp_path: Path
) -> None:
    def point(flow_dir: Path, *outputs: str) -> dict[str, float | int | None]:
        task = PointTask(
            base=two_distances,
            overrides={"fibre.loss_db_per_km": 0.18},
            requests=parse_outputs(outputs),
            flow_dir=str(flow_dir),
            stages=small_stages(),
        )
        result = evaluate_point(task)
        assert result.status == "ok", result.error
        return result.outputs

    alone = point(tmp_path / "alone", "total_key_rate_bps@300km")
    with_capability = point(
        tmp_path / "configured", "total_key_rate_bps@300km", "networking_capability_km"
    )
    assert alone["total_key_rate_bps@300km"] == with_capability["total_key_rate_bps@300km"] > 0
    assert _network_distances_computed(tmp_path / "alone") == [[300.0]]
    assert _network_distances_computed(tmp_path / "configured") == [[300.0, 380.0]]


def _mpi_devices(ctx: FlowContext) -> StageResult:
    """A devices stage reporting, as the ring's FSR, the MPI processes its meep jobs would get."""
    output = SimpleNamespace(headlines={"ring": {"fsr_ghz": float(current_mpi_processes())}})
    return StageResult(output, "MPI processes", False)


def test_a_point_runs_its_meep_jobs_on_the_processes_asked_for_with_the_same_key(
    two_distances: BaseScenario, tmp_path: Path
) -> None:
    stages = (Stage("devices", "reports the MPI processes", _mpi_devices),)
    points = [
        evaluate_point(
            PointTask(
                base=two_distances,
                overrides={"seed": 3},
                requests=parse_outputs(["fsr_ghz"]),
                flow_dir=str(tmp_path),
                stages=stages,
                mpi_processes=n,
            )
        )
        for n in (1, 4)
    ]
    assert [p.outputs["fsr_ghz"] for p in points] == [1.0, 4.0]
    assert points[0].point_key == points[1].point_key
    assert current_mpi_processes() == 1  # only inside the point


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_a_sweep_refuses_a_bad_process_count_before_it_starts(
    two_distances: BaseScenario, tmp_path: Path, bad: object
) -> None:
    spec = SweepSpec(str(tmp_path / "tiny.toml"), (Axis("seed", (1, 2)),), ("fsr_ghz",))
    with pytest.raises(ValueError, match=rf"mpi_processes={bad!r} is outside the allowed range"):
        run_sweep(spec, tmp_path / "s.parquet", flow_dir=tmp_path, mpi_processes=bad)  # type: ignore[arg-type]
    assert not (tmp_path / "s.parquet").exists()


def test_a_point_runs_only_the_network_parts_its_outputs_read(
    two_distances: BaseScenario, tmp_path: Path
) -> None:
    """Key rates need no reach search, security margins, limiting mechanism, distance sweep or
    untested draws; the reach outputs need the reach (and its limit is not read either)."""
    from qkdchip.sweep.outputs import network_parts

    assert network_parts(parse_outputs(["total_key_rate_bps@380km"])) == frozenset()
    assert network_parts(parse_outputs(["max_distance_km_all_above_plob"])) == {"reach"}

    def point(outputs: list[str], flow_dir: Path) -> set[str]:
        task = PointTask(
            base=two_distances,
            overrides={},
            requests=parse_outputs(outputs),
            flow_dir=str(flow_dir),
            stages=small_stages(),
        )
        result = evaluate_point(task)
        assert result.status == "ok", result.error
        return {name.split("_")[0] for name in result.cache_keys}

    key_rate_only = point(["total_key_rate_bps@380km"], tmp_path / "a")
    assert "network" in key_rate_only
    assert not key_rate_only & {"reach", "security", "limit", "sweep"}
    reach = point(["max_distance_km_all_above_plob"], tmp_path / "b")
    assert "reach" in reach
    assert not reach & {"security", "limit", "sweep"}


def test_a_flow_context_refuses_an_unknown_network_part(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="network_parts"):
        FlowContext(
            scenario=SimpleNamespace(),  # type: ignore[arg-type]
            out_dir=tmp_path,
            gds_dir=tmp_path,
            network_parts=frozenset({"reach", "everything"}),
        )
