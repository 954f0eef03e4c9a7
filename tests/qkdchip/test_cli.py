from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qkdchip import __version__
from qkdchip.cli import main
from qkdchip.simulations.meep_jobs import meep_available, runner


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"qkdchip {__version__}"


@pytest.mark.parametrize("argv", [["no-such-command"], ["run", "--no-such-option"]])
def test_bad_input_is_one_line_with_help_hint(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--help" in err


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "commands" in capsys.readouterr().out


def test_console_script_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qkdchip", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    for command in ("doctor", "run", "mask", "simulate", "comb", "yield", "keyrate", "network"):
        assert command in proc.stdout


def test_file_system_errors_are_one_line_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("x", encoding="utf-8")
    assert main(["comb", "--ring", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"qkdchip comb: error: {tmp_path}: Is a directory"
    assert main(["network", "--out", str(a_file), "--distance-km", "380"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"qkdchip network: error: {a_file / 'cache'}: Not a directory"


def test_an_internal_error_is_one_line_and_its_traceback_goes_to_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import qkdchip.simulations.qkd as qkd

    def broken(*_: object, **__: object) -> int:
        raise TypeError("unsupported operand")

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(qkd, "sweep_distances", broken)
    assert main(["keyrate", "--distance-km", "100"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    log = tmp_path / "qkdchip" / "errors.log"
    assert err == [
        f"qkdchip keyrate: internal error: TypeError: unsupported operand (traceback in {log}; "
        "please report it)"
    ]
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert 'raise TypeError("unsupported operand")' in text


def test_run_json_quiet_and_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from tests.qkdchip.flow_cases import TINY_SCENARIO

    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY_SCENARIO, encoding="utf-8")
    log = tmp_path / "qkdchip.log"
    argv = ["-q", "--log", str(log), "run", "--scenario", "tiny.toml", "--out", "out", "--json"]
    assert main([*argv, "--gds-out", "gds"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)  # stdout holds the JSON alone
    assert [s["name"] for s in data["stages"]] == ["masks", "devices", "comb", "yield", "network"]
    assert all(s["status"] == "done" for s in data["stages"])
    assert Path(data["summary"]).is_file()
    assert captured.err == ""  # quiet: no progress
    text = log.read_text(encoding="utf-8")
    assert "stage masks: started" in text
    assert "stage network: done" in text


def test_mask_list_and_doctor_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["mask", "--list", "--json"]) == 0
    cells = json.loads(capsys.readouterr().out)
    assert {"cell", "platform", "description"} <= set(cells[0])
    assert {c["platform"] for c in cells} == {"inp", "si3n4"}
    code = main(["doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == (0 if report["healthy"] else 1)
    rows = {row["component"]: row["result"] for row in report["checks"]}
    assert set(rows) >= {"python", "numpy", "gdsfactory"}
    if meep_available():  # the interpreter and numpy the meep jobs ran under
        assert rows["meep jobs run under"].startswith(runner.meep_python() or "")
        assert "numpy" in rows["meep jobs run under"]
