"""``qkdchip keyrate``: JSON output, the must-show run, plot and bad input."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from qkdchip.cli import main


def test_must_show_rates_fall_and_beat_plob(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["keyrate", "--protocol", "sns-aopp", "--finite", "1e12", "--distance-km"]
    assert main([*argv, "100", "200", "300", "400", "500", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    rates = [r["key_rate_per_pulse"] for r in results]
    assert all(b < a for a, b in pairwise(rates))
    assert results[0]["ratio_to_plob"] < 1.0
    assert results[-1]["ratio_to_plob"] > 1.0
    for r in results:
        assert {"distance_km", "key_rate_bps", "plob", "qber_z", "qber_x", "parameters"} <= set(r)


def test_table_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rate.png"
    argv = ["keyrate", "--protocol", "sns", "--distance-km", "200", "--plot", str(out)]
    assert main([*argv, "--dark-count-rate-hz", "10", "--gate-s", "1e-9"]) == 0
    assert out.stat().st_size > 1000
    assert "200" in capsys.readouterr().out


@pytest.mark.parametrize(
    "bad",
    [
        ["--detector-efficiency", "1.5"],
        ["--loss-db-per-km", "-0.2"],
        ["--misalignment", "0.7"],
        ["--distance-km", "-5"],
        ["--dark-count-rate-hz", "10"],
        ["--distance-km", "1e300"],
        ["--loss-db-per-km", "1e300"],
        ["--finite", "1e40"],
    ],
)
def test_bad_input_is_one_line_error(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keyrate", *bad]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qkdchip keyrate: error:")


def test_bound_and_phase_slices_are_named_in_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["keyrate", "--protocol", "sns-aopp", "--finite", "1e12", "--bound", "worst-split"]
    assert main([*argv, "--phase-slices", "16", "--distance-km", "370", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["bound"] == "worst-split"
    assert payload["phase_slices"] == 16
    (result,) = payload["results"]
    assert result["bound"] == "worst-split"
    assert "New J. Phys. 22, 053048" in result["bound_reference"]
    assert "16 discrete phases" in result["bound_reference"]
    assert result["eps_sec"] > 0.0


def test_help_lists_every_bound(capsys: pytest.CaptureFixture[str]) -> None:
    from qkdchip.simulations.qkd import BOUNDS

    with pytest.raises(SystemExit):
        main(["keyrate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert all(bound in text for bound in BOUNDS)


@pytest.mark.parametrize("bad", [["--bound", "zigzag"], ["--phase-slices", "1"]])
def test_bad_bound_or_phase_slices_is_one_line_error(
    bad: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keyrate", "--finite", "1e12", "--distance-km", "300", *bad]) == 2
    assert capsys.readouterr().err.startswith("qkdchip keyrate: error:")
