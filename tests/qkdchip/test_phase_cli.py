from __future__ import annotations

import json

import pytest

from qkdchip.cli import main
from qkdchip.simulations.network.phase_tracking import default_figure_of_merit


def _study(capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    argv = ["phase", "--merit", "entropy", "--duration-s", "0.5", "--json", *extra]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_phase_json_gives_error_duty_and_optimal_cycle(capsys: pytest.CaptureFixture[str]) -> None:
    out = _study(capsys, "--distance-km", "370")
    cycle, mc, best = out["scenario_cycle"], out["monte_carlo"], out["optimal_cycle"]
    # the paper's 10 kHz cycle with a 20 % reference period leaves 80 % of the time for keys
    assert cycle["duty_cycle"] == pytest.approx(0.8)
    assert mc["simulated_duration_s"] == pytest.approx(0.5)
    # the Monte Carlo agrees with the closed form: its own standard error plus the sampling
    # spread of a drift rate with 10 ms correlation over 0.5 s (about 50 independent values)
    assert mc["mean_square_rad2"] == pytest.approx(cycle["total_rad2"], rel=0.25)
    # the optimum is at least as good per unit time as the scenario's cycle
    floor = out["visibility_floor"]
    x_error = floor + (1 - 2 * floor) * cycle["phase_error"]
    assert best["objective"] >= cycle["duty_cycle"] * default_figure_of_merit(x_error)
    assert 0.0 < best["variance"]["duty_cycle"] < 1.0
    assert 0.0 < cycle["phase_error"] < 0.05


def test_longer_links_track_worse(capsys: pytest.CaptureFixture[str]) -> None:
    near = _study(capsys, "--distance-km", "200")["scenario_cycle"]
    far = _study(capsys, "--distance-km", "600")["scenario_cycle"]
    # more drift (longer fibre) and, beyond the detectors' saturation, fewer reference counts
    assert far["drift_rad2"] > near["drift_rad2"]
    assert far["estimation_rad2"] > near["estimation_rad2"]
    assert far["phase_error"] > near["phase_error"]


def test_bad_distance_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["phase", "--distance-km", "-5"]) == 2
    err = capsys.readouterr().err
    assert "--distance-km" in err
    assert len(err.strip().splitlines()) == 1
