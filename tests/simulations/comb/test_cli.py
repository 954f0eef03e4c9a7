"""``qkdchip comb``: malformed options are one-line errors; ``--pump sil`` reports each line's
linewidth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qkdchip.cli import main


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("fsr_hz=abc", "--design fsr_hz='abc' must be a number"),
        ("amx=one:45e6", "--design amx MU='one' must be a number"),
        ("amx=1:fast", "--design amx SHIFT_HZ='fast' must be a number"),
        ("amx=1", "amx='1' must be MU:SHIFT_HZ"),
        ("radius=5", "--design key 'radius' unknown"),
        ("fsr_hz", "must look like key=value"),
    ],
)
def test_bad_design_item_is_one_line_error(
    item: str, message: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["comb", "--design", item, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--pump-mw", "0"], "--pump-mw=0.0 must lie in (0, 10000] mW"),
        (["--sweep", "100"], "--sweep='100' must be START:STOP in MHz"),
        (["--sweep", "a:b"], "--sweep='a:b' must be START:STOP in MHz"),
        (["--pump-mw", "1e300"], "--pump-mw=1e+300 must lie in (0, 10000] mW"),
        (["--sweep", "1e300:-1e300"], "detuning_start_hz=1e+306 must lie in [-"),
        (["--hold-us", "1e300"], "--sweep-us and --hold-us need --sweep START:STOP"),
        (["--sweep", "100:200", "--hold-us", "1e300"], "hold_time_s=1e+294 must lie in [0, "),
        (["--sweep", "100:200", "--sweep-us", "1e9"], "sweep_time_s=1000.0 must lie in (0, "),
        (["--pump", "sil", "--sweep", "1:2"], "--sweep applies to --pump swept only"),
        (["--feedback-phase", "1"], "--feedback-phase applies to --pump sil only"),
        (
            ["--pump", "sil", "--feedback-phase", "99"],
            "--feedback-phase=99.0 is outside the allowed range",
        ),
    ],
)
def test_bad_pump_or_sweep_is_one_line_error(
    option: list[str], message: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["comb", *option, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert not any(tmp_path.iterdir())


def test_the_self_injection_locked_pump_gives_hz_level_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The turnkey SIL comb: a dark pulse whose lines share the locked pump's linewidth, Hz
    level from the 1 MHz DFB (no mode crossing: the pulse does not drift, so the repetition
    rate barely follows the pump)."""
    argv = ["comb", "--pump", "sil", "--modes", "128", "--json", "--out", str(tmp_path)]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == "dark pulse"
    sil = data["self_injection_locking"]
    assert sil["stabilisation"] > 100
    assert sil["pump_linewidth_hz"] < 100.0
    assert abs(sil["repetition_pull"]) < 0.01
    lines = data["usable_lines"]
    assert len(lines) >= 10
    assert all(0 < line["linewidth_hz"] < 2 * sil["pump_linewidth_hz"] for line in lines)
    assert (tmp_path / "comb_lines.json").is_file()


def test_a_sweep_that_misses_the_resonance_says_where_combs_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["comb", "--sweep=-500:-300", "--modes", "64", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "state CW" in out
    assert "bistable range" in out
