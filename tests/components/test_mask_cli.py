"""``qkdchip mask``: list, one cell with parameters, errors, the full-mask mode."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from qkdchip.circuits import masks
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
    argv = ["mask", "--cell", "mmi2x2", "--param", "length_um=150", "--out", str(tmp_path)]
    assert main(argv) == 0
    files = list(tmp_path.iterdir())
    assert [f.suffix for f in files] == [".gds"]
    assert "LU150" in files[0].name
    out = capsys.readouterr().out
    assert "o4" in out
    assert "clean" in out


def test_whole_chip_by_name_writes_gds_and_is_drc_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich would shorten the port names
    assert main(["mask", "--cell", "transmitter_chip", "--out", str(tmp_path)]) == 0
    (gds,) = tmp_path.iterdir()
    assert gds.name.startswith("transmitter_chip")
    assert gds.suffix == ".gds"
    out = capsys.readouterr().out
    for port in ("in_signal", "in_reference", "out", "dbr_sig_gain"):
        assert port in out
    assert "clean" in out


def test_list_names_the_chips_and_wafers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mask", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("transmitter_chip", "comb_chip", "inp_wafer", "si3n4_wafer"):
        assert name in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mask", "--cell", "nope"], "cell='nope'"),
        (["mask", "--cell", "mzm", "--param", "bogus=1"], "bogus"),
        (["mask", "--cell", "mzm", "--param", "arm_length_um=abc"], "arm_length_um"),
        (["mask", "--cell", "mzm", "--param", "arm_length_um=1"], "arm_length_um"),
        (["mask", "--cell", "transmitter_chip", "--param", "channel_pitch_um=12"], "channel_pitch"),
        (["mask", "--param", "a=1"], "--param needs --cell"),
        # past the 32-bit GDS coordinates, once silently wrapped and "clean"
        (["mask", "--cell", "pad_dc", "--param", "size_um=1e9"], "is outside [-150000, 150000]"),
        (["mask", "--cell", "pad_dc", "--param", "size_um=nan"], "must be finite"),
    ],
)
def test_bad_input_exits_2_with_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main([*argv, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("ok", [True, False])
def test_full_mask_mode_calls_write_all_masks(
    ok: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []

    def write_all_masks(out_dir: Path) -> SimpleNamespace:
        calls.append(Path(out_dir))
        entry = SimpleNamespace(file="chip.gds", drc_violations=0 if ok else 3, checks_ok=ok)
        return SimpleNamespace(masks=(entry,), ok=ok)

    monkeypatch.setattr(masks, "write_all_masks", write_all_masks)
    assert main(["mask", "--out", str(tmp_path)]) == (0 if ok else 1)
    assert calls == [tmp_path]
    assert "chip.gds" in capsys.readouterr().out
