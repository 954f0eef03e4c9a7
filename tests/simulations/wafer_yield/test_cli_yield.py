"""``qkdchip yield`` command line."""

from __future__ import annotations

import json

from qkdchip.cli import main


def test_yield_json(tmp_path, capsys) -> None:
    code = main(["yield", "--wafers", "16", "--seed", "3", "--json", "--out", str(tmp_path)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_wafers"] == 16
    assert 0.0 < out["modulator_yield"]["value"] <= 1.0
    assert out["top_failure_causes"]
    assert (tmp_path / "yield_inp_map_pass_fail.png").exists()


def test_yield_bad_input(tmp_path, capsys) -> None:
    assert main(["yield", "--wafers", "0", "--out", str(tmp_path)]) == 1
    assert "wafers" in capsys.readouterr().err
    assert main(["yield", "--wafers", "12", "--sampler", "sobol", "--out", str(tmp_path)]) == 1
    assert not list(tmp_path.iterdir())
