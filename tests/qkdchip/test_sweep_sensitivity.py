"""Sensitivity analysis: steps from the process statistics, derivatives against hand
computations, ranking, failing points, files, the command line.

The points are cheap: a devices stage that reads the simulated device results alone (served
from the shipped results: Vπ of the drawn phase modulator is Vπ·L / L), or one whose ring FSR
is a made-up function of three scenario values.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qkdchip.cli import main
from qkdchip.flow import Stage
from qkdchip.flow_context import FlowContext, StageResult
from qkdchip.pdk.process_statistics import SI3N4_PROCESS_STATISTICS
from qkdchip.sweep import TOLERANCES, SensitivitySpec, field_steps, run_sensitivity
from qkdchip.sweep.scenario import BaseScenario
from qkdchip.sweep.sensitivity import parameter_value, plot_tornado, write_table
from qkdchip.sweep.tolerances import path_unit
from tests.qkdchip.sweep_cases import FIGURES, TINY, Figures

if TYPE_CHECKING:
    from distributed import Client

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

PM = "design.phase_modulator.length_um"
IM = "design.intensity_modulator.arm_length_um"
VOA = "design.voa.length_um"
GAP = "design.ring.gap_um"
LOSS = "fibre.loss_db_per_km"
EFFICIENCY = "server.detector_efficiency"
JITTER = "interference.timing_jitter_ps"


@pytest.fixture
def tiny(tmp_path: Path) -> str:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return str(path)


def made_up_fsr_ghz(loss: float, efficiency: float, jitter: float) -> float:
    """The FSR the made-up devices stage reports: linear in two values, quadratic in one."""
    return 10.0 * loss + 2.0 * efficiency + (jitter / 10.0) ** 2


def _made_up_fsr(ctx: FlowContext) -> StageResult:
    """A devices stage whose ring has the FSR :func:`made_up_fsr_ghz`."""
    sc = ctx.scenario
    fsr = made_up_fsr_ghz(
        sc.fibre.loss_db_per_km, sc.server.detector_efficiency, sc.interference.timing_jitter_ps
    )
    return StageResult(Figures({"ring": {"fsr_ghz": fsr}}), "made-up FSR")


def test_steps_are_one_sigma_of_the_process_parameter_or_the_given_step() -> None:
    steps = {s.path: s for s in field_steps()}
    assert set(steps) == set(TOLERANCES)
    gap = SI3N4_PROCESS_STATISTICS["ring_coupling_gap_nm"]
    by_hand = math.sqrt(gap.sigma_wafer**2 + gap.sigma_within**2 + gap.sigma_device**2) / 1e3
    assert steps[GAP].step == pytest.approx(by_hand, rel=1e-5)
    assert steps[GAP].unit == "µm"
    assert "ring_coupling_gap_nm" in steps[GAP].source
    ridge = steps["design.laser.ridge_width_um"]
    assert "design.phase_modulator.ridge_width_um" in ridge.linked
    assert steps["design.ring.thickness_nm"].step == pytest.approx(0.76974, rel=1e-4)

    chosen = field_steps(fields=["design.mmi.ridge_width_um"], steps={GAP: 0.05, PM: 20.0})
    assert [(s.path, s.step, s.is_sigma) for s in chosen] == [
        ("design.laser.ridge_width_um", ridge.step, True),
        (GAP, 0.05, False),
        (PM, 20.0, False),
    ]
    with pytest.raises(ValueError, match=r"'design.voa.length_um' has no fabrication tolerance"):
        field_steps(fields=[VOA])
    with pytest.raises(ValueError, match=r"step of design.ring.gap_um=0.0 is outside"):
        field_steps(steps={GAP: 0.0})


def test_linked_fields_move_together_and_points_are_nominal_elsewhere(tiny: str) -> None:
    base = BaseScenario.load(tiny)
    spec = SensitivitySpec(
        tiny, field_steps(fields=["design.laser.ridge_width_um", GAP]), ("d2_khz",)
    )
    points = spec.sweep(base).points(base)
    assert len(points) == 5
    ridges = [p for p in points[0] if p.endswith("ridge_width_um")]
    assert len(ridges) == 6
    sigma = TOLERANCES["design.laser.ridge_width_um"].sigma
    nominal = parameter_value(base, "design.laser.ridge_width_um")
    for point, side in zip(points[1:3], (-1, 1), strict=True):
        (moved,) = {point[r] for r in ridges}
        assert moved == pytest.approx(nominal + side * sigma, rel=1e-12)
        assert point[GAP] == parameter_value(base, GAP)
    assert {points[3][r] for r in ridges} == {nominal}


@pytest.mark.parametrize(
    ("path", "unit"),
    [
        (GAP, "µm"),
        (LOSS, "dB/km"),
        ("design.voa.max_absorption_db_per_mm", "dB/mm"),
        ("server.dark_count_rate_hz", "Hz"),
        (EFFICIENCY, ""),
        ("phase.reference_photons_per_pulse", ""),
    ],
)
def test_units_are_read_from_the_parameter_name(path: str, unit: str) -> None:
    assert path_unit(path) == unit


def test_vpi_derivative_matches_the_hand_computation_and_failures_are_reported(
    tiny: str, tmp_path: Path, client: Client
) -> None:
    steps = {PM: 100.0, IM: 50.0, VOA: 590.0, GAP: 20.0}
    spec = SensitivitySpec(tiny, field_steps(steps=steps), ("vpi_v", "vpi_l_v_mm"))
    points = tmp_path / "points.parquet"
    result = run_sensitivity(spec, points, flow_dir=tmp_path, client=client, stages=FIGURES)
    assert (result.sweep.computed, result.sweep.reused) == (9, 0)

    vpi = {r.path: r for r in result.ranking("vpi_v")}
    vpi_l_v_mm = vpi[PM].value_nominal * 3000.0 / 1e3  # Vπ·L, V·mm, of the 3 mm modulator
    assert result.ranking("vpi_l_v_mm")[0].value_nominal == pytest.approx(vpi_l_v_mm, rel=1e-12)
    # Vπ = Vπ·L / L: the central difference of 1/L is -1 / (L² - h²)
    by_hand = -vpi_l_v_mm * 1e3 / (3000.0**2 - 100.0**2)
    assert vpi[PM].derivative == pytest.approx(by_hand, rel=1e-9)
    assert vpi[PM].change_per_step == pytest.approx(100.0 * by_hand, rel=1e-9)
    assert vpi[PM].derivative_unit == "V per µm"
    assert (vpi[PM].rank, vpi[PM].method) == (1, "central")
    assert result.most_sensitive("vpi_v") == vpi[PM]
    assert (vpi[IM].derivative, vpi[IM].method) == (0.0, "central")
    # 600 - 590 µm is shorter than a VOA may be: the derivative is one-sided
    assert vpi[VOA].method == "forward"
    assert "length_um=10.0 is outside the allowed range" in vpi[VOA].error
    # both neighbours of the gap fail: no derivative, ranked last, and the rest still ranks
    assert [r.path for r in result.ranking("vpi_v")][-1] == GAP
    assert (vpi[GAP].derivative, vpi[GAP].rank, vpi[GAP].method) == (None, None, "none")
    assert "gap_um=-17.695 is outside the allowed range" in vpi[GAP].error
    assert [(p.field, p.side) for p in result.failed] == [(VOA, -1), (GAP, -1), (GAP, 1)]
    # Vπ·L does not depend on the drawn length
    assert all(r.change_per_step in (0.0, None) for r in result.ranking("vpi_l_v_mm"))

    table, csv = write_table(result, tmp_path / "s.parquet")
    import pyarrow.parquet as pq

    rows = pq.read_table(table).to_pylist()
    assert [(r["output"], r["rank"], r["path"]) for r in rows[:4]] == [
        ("vpi_v", 1, PM),
        ("vpi_v", 2, IM),
        ("vpi_v", 3, VOA),
        ("vpi_v", None, GAP),
    ]
    assert csv.read_text(encoding="utf-8").startswith('"output","output_unit","rank"')
    assert plot_tornado(result, tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    svg = plot_tornado(result, tmp_path / "s.svg").read_text(encoding="utf-8")
    assert "design.phase_modulator.length_um" in svg
    assert "<dc:date>" not in svg

    # a rerun reads every point back: no cluster is contacted (no scheduler at this address)
    again = run_sensitivity(spec, points, flow_dir=tmp_path, scheduler="tcp://127.0.0.1:9")
    assert (again.sweep.computed, again.sweep.reused) == (0, 9)
    assert again.rows == result.rows


def test_fields_rank_by_the_change_one_step_makes(
    tiny: str, tmp_path: Path, client: Client
) -> None:
    base = BaseScenario.load(tiny)
    loss, efficiency, jitter = (parameter_value(base, p) for p in (LOSS, EFFICIENCY, JITTER))
    steps = {LOSS: 0.01, EFFICIENCY: 0.1, JITTER: 1.0}
    spec = SensitivitySpec(tiny, field_steps(steps=steps), ("fsr_ghz",))
    result = run_sensitivity(
        spec,
        tmp_path / "points.parquet",
        flow_dir=tmp_path,
        client=client,
        stages=(Stage("devices", "made-up FSR", _made_up_fsr),),
    )
    rows = result.ranking("fsr_ghz")
    assert [r.path for r in rows] == [JITTER, EFFICIENCY, LOSS]
    assert [r.rank for r in rows] == [1, 2, 3]
    derivatives = {r.path: r.derivative for r in rows}
    assert derivatives[LOSS] == pytest.approx(10.0, rel=1e-6)
    assert derivatives[EFFICIENCY] == pytest.approx(2.0, rel=1e-9)
    assert derivatives[JITTER] == pytest.approx(2.0 * jitter / 100.0, rel=1e-9)  # exact: quadratic
    nominal = made_up_fsr_ghz(loss, efficiency, jitter)
    assert rows[0].value_nominal == pytest.approx(nominal)
    assert rows[0].relative_change == pytest.approx(0.3 / nominal, rel=1e-9)
    assert rows[2].derivative_unit == "GHz per dB/km"


def test_cli_prints_the_ranking_as_json_and_writes_the_files(
    tiny: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qkdchip.flow.STAGES", FIGURES)
    argv = ["sensitivity", "--scenario", tiny, "--out", str(tmp_path / "out"), "--output",
            "vpi_v", "--step", f"{PM}=100", "--step", f"{IM}=50", "--workers", "1", "--offline",
            "--json"]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert [(r["path"], r["rank"]) for r in data["rows"]] == [(PM, 1), (IM, 2)]
    assert data["rows"][0]["derivative_unit"] == "V per µm"
    assert (data["computed"], data["reused"], data["failed_points"]) == (5, 0, [])
    for name in ("table", "csv", "points", "png", "svg"):
        assert Path(data["files"][name]).is_file()
    assert data["files"]["table"].endswith("sensitivity/vpi_v.parquet")
    assert "5 points computed, 0 reused, 0 failed" in captured.err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--step", f"{PM}=100"], "give at least one --output"),
        (["--output", "vpi_v", "--step", f"{PM}"], f"--step '{PM}' must look like key=value"),
        (["--output", "vpi_v", "--step", f"{PM}=-5"], f"step of {PM}=-5.0 is outside"),
        (["--output", "vpi_v", "--field", VOA], "has no fabrication tolerance"),
        (["--output", "vpi_v", "--step", "fibre.nope=1"], "unknown key 'nope' in fibre"),
        (["--output", "vpi_v", "--step", "protocol.name=1"], "is a str; a sensitivity takes"),
    ],
)
def test_bad_sensitivity_input_is_one_line_naming_it(
    extra: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sensitivity", *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("qkdchip sensitivity: error: ")
    assert words in err


def test_list_tolerances_names_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", "--list-tolerances"]) == 0
    out = capsys.readouterr().out
    for path in TOLERANCES:
        assert path in out
