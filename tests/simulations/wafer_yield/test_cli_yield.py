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
    assert main(["yield", "--wafers", "0", "--out", str(tmp_path)]) == 2
    assert "wafers" in capsys.readouterr().err
    assert main(["yield", "--wafers", "12", "--sampler", "sobol", "--out", str(tmp_path)]) == 2
    # 10^8 wafers would need hundreds of GB: refused before anything is allocated
    assert main(["yield", "--wafers", "100000000", "--out", str(tmp_path)]) == 2
    assert "--wafers = 100000000 must lie in [1, 65536]" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
