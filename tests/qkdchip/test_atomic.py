from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from qkdchip.atomic import atomic_write, atomic_write_figure, atomic_write_json, atomic_write_text


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.txt"]


def test_crash_halfway_keeps_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "mask.gds"
    target.write_text("good")

    def failing_writer(tmp: Path) -> None:
        assert tmp.suffix == ".gds"
        tmp.write_text("half")
        raise RuntimeError("writer crashed")

    with pytest.raises(RuntimeError, match="crashed"):
        atomic_write(target, failing_writer)
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["mask.gds"]


def test_json_is_strict(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="JSON"):
        atomic_write_json(tmp_path / "x.json", {"rate": math.nan})
    assert not (tmp_path / "x.json").exists()
    atomic_write_json(tmp_path / "x.json", {"rate": 1.5})
    assert json.loads((tmp_path / "x.json").read_text()) == {"rate": 1.5}


def test_figure_is_written_atomically_without_pyplot(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure()
    fig.subplots().plot([0, 1], [1, 0])
    path = atomic_write_figure(tmp_path / "a.png", fig, dpi=50)
    assert path.read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="format"):
        atomic_write_figure(tmp_path / "b.png", Figure(), format="no-such-format")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]  # no temporary file left


def test_plot_helpers_leave_the_backend_alone() -> None:
    import subprocess
    import sys

    code = (
        "import matplotlib; matplotlib.use('svg'); "
        "import qkdchip.report, qkdchip.simulations.qkd.plot, qkdchip.cli.simulate; "
        "import qkdchip.circuits.preview, qkdchip.simulations.comb.plot; "
        "assert matplotlib.get_backend() == 'svg', matplotlib.get_backend()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
