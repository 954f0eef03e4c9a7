"""Every script in examples/ runs as a user would run it, prints what it promises and writes
its files (into a temporary folder), and reads as a notebook in jupytext's percent format."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TIMEOUT_S = 180


@dataclass(frozen=True)
class Example:
    """One script, what its output must contain and the files it must write."""

    script: str
    prints: tuple[str, ...]
    writes: tuple[str, ...] = ()


CASES = (
    Example(
        "key_rate_vs_distance.py",
        ("beats PLOB at [", "600.0] km", "New J. Phys. 22, 053048 (2020)"),
        ("key_rate_vs_distance.png",),
    ),
    Example(
        "comb_custom_ring.py",
        ("state: dark pulse, pulses: 1", "lines at or above -30 dBm"),
        ("comb_spectrum.png", "comb_sweep.png"),
    ),
    Example(
        "yield_process_sigma.py",
        ("platform: modulator yield", "3x ridge-width spread: modulator yield", "wrote 12 files"),
        ("yield/yield_inp_table.json", "yield/yield_inp_map_pass_fail.png"),
    ),
    Example(
        "transmitter_variant_gds.py",
        ("12500 x 2000 µm", "DRC violations: 0", "metal nets: ok", "light paths: ok"),
        ("transmitter_pm2mm.gds", "transmitter_pm2mm.png"),
    ),
    Example(
        "own_circuit.py",
        ("DRC balanced_phase_modulators (inp): clean", "ports: in, out_top, out_bottom"),
        ("own_circuit.gds", "own_circuit.png"),
    ),
    Example(
        "reference_network.py",
        ("comb: done, dark pulse comb", "pairs beat PLOB at 370 km", "networking capability"),
    ),
    Example(
        "ring_filter_fsr.py",
        (
            "DRC ring_notch_filter (si3n4): clean",
            "FSR of the meep ring:          29.9623 GHz",
            "(< 1e-4, ok)",
            "(< 0.2 %, ok)",
        ),
        ("ring_filter_fsr.png",),
    ),
    Example(
        "design_sweep.py",
        ("2 points computed, 0 read back, 0 failed", "PM length   2000 µm: Vπ", "V·mm), ok"),
        ("sweeps/pm_length.parquet",),
    ),
)


def test_every_example_is_tested() -> None:
    assert {c.script for c in CASES} == {p.name for p in EXAMPLES.glob("*.py")}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.script.removesuffix(".py"))
def test_example_runs(case: Example, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = os.environ | {"QKDCHIP_EXAMPLE_OUT": str(out), "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / case.script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for text in case.prints:
        assert text in run.stdout, f"{text!r} not in:\n{run.stdout}"
    for name in case.writes:
        assert (out / name).is_file(), name
    assert not (tmp_path / "results").exists(), "an example wrote outside its output folder"


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_reads_as_a_notebook(script: str) -> None:
    notebook = jupytext.read(EXAMPLES / script, fmt="py:percent")
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown"
    assert notebook.cells[0].source.startswith("# ")
    assert kinds.count("code") >= 2
