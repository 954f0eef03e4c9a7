"""``qkdchip mask``: list, one cell with parameters, errors, full-mask fallback."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from qkdchip.cli import main
from qkdchip.components.registry import cell_names


def test_list_names_every_cell(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mask", "--list"]) == 0
    out = capsys.readouterr().out
    for name in cell_names():
        assert name in out


def test_cell_with_params_writes_gds_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["mask", "--cell", "mmi2x2", "--param", "length_um=150", "--out", str(tmp_path)])
    assert rc == 0
    files = list(tmp_path.iterdir())
    assert [f.suffix for f in files] == [".gds"]
    assert "LU150" in files[0].name
    out = capsys.readouterr().out
    assert "o4" in out
    assert "clean" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mask", "--cell", "nope"], "cell='nope'"),
        (["mask", "--cell", "mzm", "--param", "bogus=1"], "bogus"),
        (["mask", "--cell", "mzm", "--param", "arm_length_um=abc"], "arm_length_um"),
        (["mask", "--cell", "mzm", "--param", "arm_length_um=1"], "arm_length_um"),
        (["mask", "--param", "a=1"], "--param needs --cell"),
    ],
)
def test_bad_input_exits_1_with_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main([*argv, "--out", str(tmp_path)]) == 1
    assert message in capsys.readouterr().err


@pytest.mark.skipif(
    importlib.util.find_spec("qkdchip.circuits.masks") is not None,
    reason="full-mask mode is available",
)
def test_full_mask_mode_needs_circuits_masks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mask", "--out", str(tmp_path)]) == 1
    assert "qkdchip.circuits.masks" in capsys.readouterr().out
