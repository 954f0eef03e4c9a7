"""``qkdchip sweep`` on the command line, and the sweep plots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qkdchip.cli import main
from qkdchip.sweep import Axis, PointResult, SweepResult, SweepSpec
from qkdchip.sweep.outputs import OUTPUTS
from qkdchip.sweep.plot import plot_sweep
from tests.qkdchip.sweep_cases import TINY


def test_sweep_writes_results_and_a_plot_and_a_rerun_reuses_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY, encoding="utf-8")
    argv = [
        "sweep",
        "--scenario",
        str(scenario),
        "--out",
        str(tmp_path / "out"),
        "--param",
        "design.phase_modulator.length_um=2000:3000:3",
        "--param",
        "seed=4",
        "--output",
        "vpi_v,fsr_ghz",
        "--workers",
        "1",
        "--offline",
    ]
    assert main(argv) == 0
    results = tmp_path / "out" / "sweeps" / "design.phase_modulator.length_um.parquet"
    assert results.is_file()
    assert results.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    assert "3 points computed, 0 reused, 0 failed" in capsys.readouterr().out
    assert main([*argv, "--json", "--no-plot"]) == 0
    captured = capsys.readouterr()
    points = json.loads(captured.out)
    assert [p["inputs"] for p in points] == [
        {"design.phase_modulator.length_um": v, "seed": 4} for v in (2000.0, 2500.0, 3000.0)
    ]
    assert points[0]["outputs"]["vpi_v"] == pytest.approx(1.5 * points[2]["outputs"]["vpi_v"])
    assert "0 points computed, 3 reused" in captured.err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--param", "fibre.nope=1", "--output", "fsr_ghz"], "unknown key 'nope' in fibre"),
        (["--param", "seed=1"], "give at least one --output"),
        (["--param", "seed=1", "--output", "fsr"], "output='fsr' is not allowed"),
        (["--param", "seed=1:4", "--output", "fsr_ghz", "--sample", "lhs"], "needs --samples"),
        (["--param", "seed=1", "--output", "fsr_ghz", "--workers", "2", "--scheduler", "x"],
         "give --workers or --scheduler"),
    ],
)  # fmt: skip
def test_bad_sweep_input_is_one_line_naming_it(
    extra: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("qkdchip sweep: error: ")
    assert words in err


def test_list_outputs_names_every_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "--list-outputs"]) == 0
    out = capsys.readouterr().out
    for output in OUTPUTS.values():
        assert (f"{output.name}@Dkm" if output.at_distance else output.name) in out


def _result(spec: SweepSpec, points: list[dict[str, float]], value: object) -> SweepResult:
    """A sweep result with made-up outputs (the plot reads nothing else)."""
    rows = []
    for k, inputs in enumerate(points):
        outputs = {c: value(inputs) for c in spec.outputs}  # type: ignore[operator]
        ok = k != 1
        rows.append(
            PointResult(
                point_key=f"p{k}",
                inputs=inputs,
                outputs=outputs if ok else dict.fromkeys(spec.outputs),
                requested=spec.outputs,
                status="ok" if ok else "failed",
            )
        )
    return SweepResult(
        spec=spec, path=Path("x"), points=tuple(rows), computed=len(rows), reused=0, stale=0
    )


def test_plots_draw_lines_for_one_parameter_and_heat_maps_for_two(tmp_path: Path) -> None:
    import matplotlib

    backend = matplotlib.get_backend()
    outputs = ("total_key_rate_bps@300km", "chip_yield")
    one = SweepSpec("weiming", (Axis("fibre.loss_db_per_km", (0.16, 0.18, 0.2, 0.22)),), outputs)
    line = [{"fibre.loss_db_per_km": v} for v in (0.16, 0.18, 0.2, 0.22)]
    plot_sweep(
        _result(one, line, lambda p: 10 ** (6 - 20 * p["fibre.loss_db_per_km"])), tmp_path / "a.png"
    )
    grid = SweepSpec(
        "weiming",
        (Axis("fibre.loss_db_per_km", (0.16, 0.18, 0.2)), Axis("seed", (1, 2, 3, 4))),
        outputs,
    )
    cells = [
        {"fibre.loss_db_per_km": a, "seed": b} for a in (0.16, 0.18, 0.2) for b in (1, 2, 3, 4)
    ]
    rate = lambda p: 1e4 * p["seed"] / p["fibre.loss_db_per_km"]  # noqa: E731
    plot_sweep(_result(grid, cells, rate), tmp_path / "b.png")
    sampled = SweepSpec(
        "weiming",
        (Axis("fibre.loss_db_per_km", low=0.16, high=0.2), Axis("seed", low=1, high=9)),
        outputs,
        design="lhs",
        samples=8,
    )
    scattered = [
        {"fibre.loss_db_per_km": 0.16 + 0.005 * k, "seed": (3 * k) % 8 + 1} for k in range(8)
    ]
    plot_sweep(_result(sampled, scattered, rate), tmp_path / "c.svg")
    for name in ("a.png", "b.png", "c.svg"):
        assert (tmp_path / name).stat().st_size > 5000
    assert matplotlib.get_backend() == backend
    three = SweepSpec(
        "weiming", (*grid.axes, Axis("server.detector_efficiency", (0.5, 0.6))), outputs
    )
    with pytest.raises(ValueError, match=r"1 or 2 varying parameters; this sweep varies 3"):
        plot_sweep(_result(three, cells, rate), tmp_path / "d.png")
