"""Faults survived: runs killed at any point, runs in parallel, orphans of killed processes.

A run killed outright (SIGKILL, no chance to clean up) and run again gives the same
``summary.json`` as an uninterrupted run, and leaves no temporary file in its folders or in the
system temporary folder; two runs of the same scenario at once give the same summary.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qkdchip.atomic import HOST, ORPHAN_TEMP_FILE, atomic_write_text, remove_orphans
from qkdchip.simulations.meep_jobs.runner import ORPHAN_WORKDIR
from tests.conftest import requires_meep
from tests.qkdchip.flow_cases import TINY_SCENARIO


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_orphans_of_dead_writers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = _dead_pid()
    orphan = tmp_path / f".summary.qkdtmp-{HOST}.{dead}-abc.json"
    live = tmp_path / f".summary.qkdtmp-{HOST}.{os.getpid()}-abc.json"
    elsewhere = tmp_path / f".summary.qkdtmp-{HOST}x.{dead}-abc.json"  # another machine's
    other = tmp_path / ".summary.x1y2.json"  # not ours: left alone
    for path in (orphan, live, elsewhere, other):
        path.write_text("{", encoding="utf-8")
    folder = tmp_path / f"qkdchip-meep-{dead}-xyz"
    folder.mkdir()
    (folder / "result.json").write_text("{}", encoding="utf-8")
    assert remove_orphans(tmp_path) == [orphan]
    assert remove_orphans(tmp_path, ORPHAN_WORKDIR) == [folder]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [live.name, elsewhere.name, other.name]
    )
    assert remove_orphans(tmp_path / "missing") == []


def test_the_atomic_writer_tags_its_temporary_file_with_its_process(tmp_path: Path) -> None:
    seen: list[str] = []

    def spy(tmp: Path) -> None:
        seen.append(tmp.name)
        tmp.write_text("x", encoding="utf-8")

    from qkdchip.atomic import atomic_write

    atomic_write(tmp_path / "a.json", spy)
    match = ORPHAN_TEMP_FILE.match(seen[0])
    assert match is not None
    assert int(match.group("pid")) == os.getpid()
    assert match.group("host") == HOST
    atomic_write_text(tmp_path / "b.json", "y")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


@requires_meep
def test_a_killed_parent_takes_its_meep_child_along_and_the_next_job_clears_its_folder(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(Path.cwd())}
    code = (
        "from qkdchip.simulations.meep_jobs.runner import run_job\n"
        "run_job('tests.simulations.meep_jobs.sleeping_job:sleep', {'seconds': 60})\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=Path.cwd())
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob("qkdchip-meep-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # the child is up
    children = subprocess.run(
        ["pgrep", "-P", str(parent.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    assert children, "the job's child process did not start"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{children[0]}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{children[0]}").exists(), "the meep child outlived its parent"
    assert len(list(tmp_path.glob("qkdchip-meep-*"))) == 1  # left behind by the kill
    code = (
        "from qkdchip.simulations.meep_jobs.runner import run_job\n"
        "run_job('tests.simulations.meep_jobs.sleeping_job:sleep', {'seconds': 0})\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=Path.cwd(), check=True)
    assert not list(tmp_path.glob("qkdchip-meep-*"))


def _start(
    folder: Path, env: dict[str, str], scenario: str = TINY_SCENARIO
) -> subprocess.Popen[bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.toml").write_text(scenario, encoding="utf-8")
    argv = [sys.executable, "-m", "qkdchip", "run", "--scenario", "tiny.toml"]
    argv += ["--out", "out", "--gds-out", "gds"]
    return subprocess.Popen(
        argv, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _finish(proc: subprocess.Popen[bytes]) -> None:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()


@pytest.mark.slow
def test_runs_killed_at_any_stage_and_parallel_runs_give_the_same_summary(
    tmp_path: Path,
) -> None:
    system_tmp = tmp_path / "system_tmp"
    system_tmp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(system_tmp),
        "QKDCHIP_CACHE_DIR": str(tmp_path / "device_cache"),
        "PYTHONPATH": str(Path.cwd()),
    }
    # two runs of the same scenario and one of another at once, sharing the device cache
    other = TINY_SCENARIO.replace('name = "tiny"', 'name = "tiny"\nseed = 7')
    runs = [_start(tmp_path / "a", env), _start(tmp_path / "b", env)]
    runs.append(_start(tmp_path / "c", env, scenario=other))
    for proc in runs:
        _finish(proc)
    reference = (tmp_path / "a" / "out" / "summary.json").read_bytes()
    assert (tmp_path / "b" / "out" / "summary.json").read_bytes() == reference
    assert (tmp_path / "c" / "out" / "summary.json").read_bytes() != reference
    # killed while drawing masks, in the comb or yield, in the network; then run again
    for delay_s in (1.5, 5.0, 8.0):
        folder = tmp_path / f"killed_{delay_s}"
        proc = _start(folder, env)
        time.sleep(delay_s)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _finish(_start(folder, env))
        assert (folder / "out" / "summary.json").read_bytes() == reference, delay_s
        left = [p for p in folder.rglob(".*") if ORPHAN_TEMP_FILE.match(p.name)]
        assert not left, left
    assert not [p for p in system_tmp.iterdir() if p.name.startswith("qkdchip")]
    assert not [p for p in (tmp_path / "device_cache").rglob(".*")]


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_a_cached_rerun_needs_no_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    import qkdchip.atomic
    from qkdchip.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QKDCHIP_CACHE_DIR", str(tmp_path / "device_cache"))
    (tmp_path / "tiny.toml").write_text(TINY_SCENARIO, encoding="utf-8")
    argv = ["run", "--scenario", "tiny.toml", "--out", "out", "--gds-out", "gds"]
    real_replace = os.replace

    def disk_full(src: str, dst: str) -> None:
        if Path(dst).resolve().is_relative_to(tmp_path / "gds"):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_replace(src, dst)

    with monkeypatch.context() as full:
        full.setattr(qkdchip.atomic.os, "replace", disk_full)
        assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("qkdchip run: error: gds/")
    assert err[-1].endswith(": No space left on device")
    assert not list((tmp_path / "gds").iterdir())  # nothing half-written, no temporary file
    assert main(argv) == 0
    summary = (tmp_path / "out" / "summary.json").read_bytes()

    def read_only(path: Path, write: object) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(qkdchip.atomic, "atomic_write", read_only)
    assert main(argv) == 0  # everything cached and unchanged: nothing to write
    assert (tmp_path / "out" / "summary.json").read_bytes() == summary
