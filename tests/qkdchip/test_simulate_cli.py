from __future__ import annotations

import json
from pathlib import Path

import pytest

from qkdchip.cli import main


@pytest.fixture
def no_meep(tmp_path: Path, shipped_only: Path) -> Path:
    """The folder for plots, with only the shipped device results and no meep."""
    out = tmp_path / "out"
    out.mkdir()
    return out


def test_reference_ring_comes_from_the_shipped_cache(
    no_meep: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot = no_meep / "dint.png"
    assert main(["simulate", "ring", "--json", "--plot", str(plot)]) == 0
    ring = json.loads(capsys.readouterr().out)
    assert ring["fsr_hz"] == pytest.approx(30.03e9, rel=0.01)
    assert ring["d2_hz"] < 0  # normal dispersion of the 100 nm film
    assert len(ring["mu"]) == len(ring["d_int_hz"]) > 100
    assert max(ring["d_int_hz"]) <= 0
    assert 1500 < ring["pump_wavelength_nm"] < 1600
    assert [p.name for p in no_meep.iterdir() if p.is_file()] == [plot.name]  # no temp file left


@pytest.mark.parametrize("device", ["modes", "coupler", "grating", "mmi", "modulator"])
def test_every_default_device_is_shipped(
    device: str, no_meep: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot = no_meep / "p.png"
    assert main(["simulate", device, "--json", "--plot", str(plot)]) == 0
    assert json.loads(capsys.readouterr().out)
    assert plot.exists() == (device == "grating")  # only ring and grating have a plot


def test_meep_coupler_of_the_reference_ring_is_shipped(
    no_meep: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", "coupler", "--solver", "meep", "--json"]) == 0
    coupler = json.loads(capsys.readouterr().out)
    assert coupler["settings"]["solver"] == "meep"
    assert 5e6 < coupler["q_coupling"] < 2e7  # over-coupled for the 20 M intrinsic Q


def test_mmi_2x2_at_its_scanned_length_is_shipped(
    no_meep: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", "mmi", "--design", "ports=2x2", "--json"]) == 0
    mmi = json.loads(capsys.readouterr().out)
    assert mmi["design"]["n_inputs"] == 2
    assert mmi["split_ratio"] == pytest.approx(0.5, abs=0.03)


def test_mmi_2x2_length_scan_is_shipped(no_meep: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "mmi", "--design", "ports=2x2", "--scan", "length_um=62:66:5", "--json"]
    assert main(argv) == 0
    scan = json.loads(capsys.readouterr().out)
    assert scan["values"] == [62.0, 63.0, 64.0, 65.0, 66.0]
    assert scan["best_value"] == 65.0
    assert max(scan["transmission"]) <= 1.0 + 1e-3


def test_a_new_design_without_meep_says_how_to_install_it(
    no_meep: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["simulate", "modes", "--design", "width_um=2.5"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    # the cache's warning that the result is missing and how long it takes, then the error
    assert len(err) <= 2
    assert "python3-meep" in err[-1]
    assert err[-1].startswith("qkdchip simulate: error")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "ring", "--design", "radius"], "key=value"),
        (["simulate", "ring", "--design", "colour=red"], "RingDesign has no field 'colour'"),
        (["simulate", "modes", "--design", "platform=gaas"], "platform"),
        (["simulate", "ring", "--design", "radius_um=-3"], "radius_um"),
        (["simulate", "ring", "--solver", "meep"], "coupler only"),
        (["simulate", "ring", "--scan", "width_um=1:2:3"], "mmi only"),
        (["simulate", "mmi", "--scan", "width_um=1:2"], "START:STOP:N"),
        (["simulate", "mmi", "--scan", "width_um=2:1:3"], "STOP > START"),
        (["simulate", "mmi", "--scan", "width_um=1:2:2"], "N >= 3"),
        (["simulate", "mmi", "--scan", "gap_um=1:2:3"], "field"),
        (["simulate", "coupler", "--solver", "meep", "--design", "bus_width_um=2"], "identical"),
    ],
)
def test_bad_design_is_one_line(
    argv: list[str], message: str, no_meep: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err
