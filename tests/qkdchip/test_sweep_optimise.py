"""Design optimisation: known optima, bounds and constraints, determinism, the history file,
reruns from the cache, the command line.

The points are cheap: a devices stage that reads the simulated device results alone (Vπ of the
drawn phase modulator is Vπ·L / L, from the shipped results), or one whose ring FSR and D2 are
made-up functions of two scenario values.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qkdchip.cli import main
from qkdchip.flow import Stage
from qkdchip.flow_context import FlowContext, StageResult
from qkdchip.sweep import Bound, Constraint, OptimiseSpec, parse_constraints, run_optimise
from qkdchip.sweep.optimise import (
    FAILED_ENERGY,
    INFEASIBLE_ENERGY,
    Evaluation,
    energy,
    parse_objective,
    plot_convergence,
    population,
    write_history,
)
from tests.qkdchip.sweep_cases import FIGURES, TINY, Figures

if TYPE_CHECKING:
    from distributed import Client

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

PM = "design.phase_modulator.length_um"
LOSS = "fibre.loss_db_per_km"
EFFICIENCY = "server.detector_efficiency"


@pytest.fixture
def tiny(tmp_path: Path) -> str:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return str(path)


def _made_up_ring(ctx: FlowContext) -> StageResult:
    """A devices stage whose ring's FSR peaks at a loss of 0.18 dB/km and a detector efficiency
    of 0.7, and whose D2 turns positive above 0.25 dB/km."""
    loss, efficiency = ctx.scenario.fibre.loss_db_per_km, ctx.scenario.server.detector_efficiency
    fsr = 30.0 - 100.0 * (loss - 0.18) ** 2 - 10.0 * (efficiency - 0.7) ** 2
    ring = {"fsr_ghz": fsr, "d2_khz": 1e3 * (loss - 0.25)}
    return StageResult(Figures({"ring": ring}), "made-up ring")


MADE_UP = (Stage("devices", "made-up ring", _made_up_ring),)


def test_constraints_objectives_and_bounds_parse() -> None:
    assert parse_constraints("d2_khz<0") == (Constraint("d2_khz", "<", 0.0),)
    assert parse_constraints("3 >= vpi_v") == (Constraint("vpi_v", "<=", 3.0),)
    assert parse_constraints("29.9<fsr_ghz<=30.2") == (
        Constraint("fsr_ghz", ">", 29.9),
        Constraint("fsr_ghz", "<=", 30.2),
    )
    assert parse_constraints("total_key_rate_bps@370>1")[0].output == "total_key_rate_bps@370km"
    assert parse_objective("total_key_rate_bps@370*chip_yield") == (
        "total_key_rate_bps@370km",
        "chip_yield",
    )
    assert Bound.parse(f"{PM}=1000:5000") == Bound(PM, 1000.0, 5000.0)
    for text, words in [
        ("d2_khz", "must look like NAME<VALUE"),
        ("d2_khz<zero", "'zero' is not a number"),
        ("nope<1", "output='nope' is not allowed"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_constraints(text)
    with pytest.raises(ValueError, match=r"must look like PATH=LOW:HIGH"):
        Bound.parse(f"{PM}=1000")
    with pytest.raises(ValueError, match=rf"{PM} high=1000.0 is outside the allowed range"):
        Bound.parse(f"{PM}=1000:1000")
    with pytest.raises(ValueError, match=r"budget=4 is outside the allowed range \[5, "):
        OptimiseSpec("weiming", (Bound(PM, 1.0, 2.0),), ("vpi_v",), budget=4)
    with pytest.raises(ValueError, match=r"sense='up' is not allowed"):
        OptimiseSpec("weiming", (Bound(PM, 1.0, 2.0),), ("vpi_v",), sense="up")


def test_population_spends_two_thirds_of_the_budget_on_evolution() -> None:
    assert population(30, 1) == (5, 5, 3)  # 20 evaluations of evolution, 10 left
    assert population(40, 2) == (4, 8, 2)
    assert population(5, 3) == (1, 5, 0)


def test_a_feasible_point_beats_an_infeasible_one_which_beats_a_failed_one() -> None:
    spec = OptimiseSpec("weiming", (Bound(PM, 1.0, 2.0),), ("vpi_v",), sense="maximise",
                        constraints=parse_constraints("vpi_v<3"))  # fmt: skip

    def evaluation(vpi: float | None, feasible: bool, violation: float) -> Evaluation:
        return Evaluation(index=0, batch=0, phase="evolution", point_key="p", inputs={PM: 1.0},
                          outputs={"vpi_v": vpi}, objective=vpi, feasible=feasible,
                          violation=violation, status="ok" if vpi else "failed")  # fmt: skip

    assert energy(spec, evaluation(2.9, True, 0.0)) == -2.9
    assert energy(spec, evaluation(3.3, False, 0.1)) == pytest.approx(1.1 * INFEASIBLE_ENERGY)
    assert energy(spec, evaluation(None, False, 0.0)) == FAILED_ENERGY


def test_the_constrained_optimum_is_found_and_a_rerun_reads_every_point(
    tiny: str, tmp_path: Path, client: Client
) -> None:
    spec = OptimiseSpec(tiny, (Bound(PM, 1000.0, 5000.0),), ("vpi_v",), sense="minimise",
                        constraints=parse_constraints("vpi_v>=3"), budget=30)  # fmt: skip
    points = tmp_path / "points.parquet"
    batches: list[int] = []
    result = run_optimise(
        spec,
        points,
        flow_dir=tmp_path,
        client=client,
        stages=FIGURES,
        on_batch=lambda b: batches.append(len(b)),
    )
    assert len(result.evaluations) == sum(batches) == 30
    best = result.best
    assert best is not None
    # Vπ = Vπ·L / L: the shortest Vπ of at least 3 V is at L = Vπ·L / 3 V
    vpi_l = best.outputs["vpi_v"] * best.inputs[PM]
    assert best.inputs[PM] == pytest.approx(vpi_l / 3.0, rel=0.01)
    assert 3.0 <= best.outputs["vpi_v"] < 3.03
    assert all(1000.0 <= e.inputs[PM] <= 5000.0 for e in result.evaluations)
    assert all(e.feasible == (e.outputs["vpi_v"] >= 3.0) for e in result.evaluations)
    assert {e.phase for e in result.evaluations} == {"evolution", "polish"}
    assert result.computed == len({e.point_key for e in result.evaluations})

    history = write_history(result, tmp_path / "history.parquet")
    import pyarrow.parquet as pq

    table = pq.read_table(history)
    assert table.num_rows == 30
    assert table.column("evaluation").to_pylist() == list(range(30))
    assert table.column(PM).type == "double"
    assert table.column("feasible").to_pylist() == [e.feasible for e in result.evaluations]
    meta = json.loads(table.schema.metadata[b"qkdchip.optimise"])
    assert (meta["best"], meta["objective_unit"]) == (best.index, "V")
    assert plot_convergence(result, tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert "<dc:date>" not in plot_convergence(result, tmp_path / "c.svg").read_text("utf-8")

    # every point is in the results file: no cluster is contacted (no scheduler at this address)
    again = run_optimise(spec, points, flow_dir=tmp_path, scheduler="tcp://127.0.0.1:9")
    assert again.computed == 0
    assert again.evaluations == result.evaluations


def test_an_interior_optimum_is_found_deterministically_within_bounds_and_constraints(
    tiny: str, tmp_path: Path, client: Client
) -> None:
    bounds = (Bound(LOSS, 0.1, 0.3), Bound(EFFICIENCY, 0.3, 0.9))
    spec = OptimiseSpec(tiny, bounds, ("fsr_ghz",), constraints=parse_constraints("d2_khz<0"),
                        budget=30, seed=3)  # fmt: skip

    def run(name: str, spec: OptimiseSpec) -> tuple[Evaluation, ...]:
        done = run_optimise(
            spec, tmp_path / f"{name}.parquet", flow_dir=tmp_path, client=client, stages=MADE_UP
        )
        assert done.best is not None
        assert done.best.inputs[LOSS] == pytest.approx(0.18, abs=0.01)
        assert done.best.inputs[EFFICIENCY] == pytest.approx(0.7, abs=0.03)
        return done.evaluations

    first = run("a", spec)
    assert all(0.1 <= e.inputs[LOSS] <= 0.3 and 0.3 <= e.inputs[EFFICIENCY] <= 0.9 for e in first)
    assert any(not e.feasible for e in first)  # D2 >= 0 above 0.25 dB/km
    assert all(e.feasible == (e.inputs[LOSS] < 0.25) for e in first)
    second = run("b", spec)
    assert [(e.inputs, e.objective) for e in second] == [(e.inputs, e.objective) for e in first]
    other = run("c", dataclasses.replace(spec, seed=4))
    assert [e.inputs for e in other] != [e.inputs for e in first]


def test_cli_prints_the_best_point_as_json_and_writes_the_history(
    tiny: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qkdchip.flow.STAGES", FIGURES)
    argv = ["optimise", "--scenario", tiny, "--out", str(tmp_path / "out"), "--vary",
            f"{PM}=2000:4000", "--maximise", "vpi_v", "--constraint", "vpi_v<=4", "--budget",
            "5", "--workers", "1", "--offline", "--json"]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["evaluations"] == 5
    assert 3.0 < data["best"]["outputs"]["vpi_v"] <= 4.0
    assert data["spec"]["constraints"] == [{"output": "vpi_v", "op": "<=", "bound": 4.0}]
    for name in ("history", "points", "png", "svg"):
        assert Path(data["files"][name]).is_file()
    assert data["files"]["history"].endswith("optimise/maximise_vpi_v.parquet")
    assert "5 evaluations (5 points computed, 0 reused, 0 failed)" in captured.err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--maximise", "vpi_v"], "give at least one --vary"),
        (["--vary", f"{PM}=1:2"], "give --maximise EXPR or --minimise EXPR"),
        (["--vary", f"{PM}=1", "--maximise", "vpi_v"], "must look like PATH=LOW:HIGH"),
        (["--vary", f"{PM}=1:2", "--maximise", "vpi"], "output='vpi' is not allowed"),
        (["--vary", f"{PM}=1:2", "--maximise", "vpi_v", "--constraint", "vpi_v=3"],
         "must look like NAME<VALUE"),
        (["--vary", "protocol.name=1:2", "--maximise", "vpi_v"], "takes a number parameter"),
    ],
)  # fmt: skip
def test_bad_optimise_input_is_one_line_naming_it(
    extra: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["optimise", *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("qkdchip optimise: error: ")
    assert words in err
