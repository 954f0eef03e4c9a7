"""meep jobs on several MPI processes: the mpirun command line, its environment, the checks.

A fake ``mpirun`` (first on PATH) records its arguments and environment, then starts every
rank of the child itself with the rank in ``OMPI_COMM_WORLD_RANK``, as OpenMPI does; the job
is a plain Python function, so no MPI build of meep is needed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from qkdchip.atomic import HOST
from qkdchip.cli import doctor, main
from qkdchip.simulations.meep_jobs import MeepMpiError, meep_mpi, mpi, run_job, runner
from qkdchip.simulations.meep_jobs.child import RUNNER_HOST
from tests.conftest import requires_meep

REPO = Path(__file__).parents[3]
SLEEP_JOB = "tests.simulations.meep_jobs.sleeping_job:sleep"
CHILD = [sys.executable, "-m", "qkdchip.simulations.meep_jobs.child"]
FAKE_MPIRUN = f"""#!{sys.executable}
import json, os, subprocess, sys
_, flag, n, *argv = sys.argv
keep = ("OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM",
        "OMPI_MCA_hwloc_base_binding_policy", "OMP_NUM_THREADS")
with open(os.environ["FAKE_MPIRUN_LOG"], "w") as log:
    json.dump({{"argv": sys.argv[1:], "env": {{k: os.environ.get(k) for k in keep}}}}, log)
ranks = [subprocess.Popen(argv, env={{**os.environ, "OMPI_COMM_WORLD_RANK": str(r)}})
         for r in range(int(n))]
sys.exit(max(p.wait() for p in ranks))
"""


@pytest.fixture
def fake_mpirun(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake mpirun first on PATH, an MPI build of meep as far as the checks go, and the
    tests' jobs importable; returns the file the fake mpirun writes its call to."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "mpirun"
    launcher.write_text(FAKE_MPIRUN, encoding="utf-8")
    launcher.chmod(0o755)
    log = tmp_path / "mpirun.json"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_MPIRUN_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setattr(runner, "meep_python", lambda: sys.executable)
    monkeypatch.setattr(mpi, "meep_build", lambda: mpi.MeepBuild("1.25.0", True, False))
    return log


@pytest.mark.parametrize("root", [True, False])
def test_two_processes_run_under_mpirun_with_the_request_in_a_file(
    fake_mpirun: Path, monkeypatch: pytest.MonkeyPatch, root: bool
) -> None:
    monkeypatch.setattr(mpi, "running_as_root", lambda: root)
    result = run_job(SLEEP_JOB, {"seconds": 0.0}, mpi_processes=2, threads=3)
    assert result == {"slept": 0.0}  # written by rank 0 alone
    call = json.loads(fake_mpirun.read_text())
    argv = call["argv"]
    assert argv[:2] == ["-np", "2"]
    assert argv[2:5] == CHILD
    out, parent, request = (Path(a) for a in argv[5:])
    assert (out.name, request.name, str(parent)) == (
        "result.json",
        "request.json",
        str(os.getpid()),
    )
    assert out.parent == request.parent  # the job's working folder, removed afterwards
    assert not out.parent.exists()
    env = call["env"]
    allow = "1" if root else None
    assert env["OMPI_ALLOW_RUN_AS_ROOT"] == env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] == allow
    assert env["OMPI_MCA_hwloc_base_binding_policy"] == "none"
    assert env["OMP_NUM_THREADS"] == "3"  # per process


def test_the_processes_come_from_the_block_around_the_job(fake_mpirun: Path) -> None:
    with meep_mpi(3):
        assert run_job(SLEEP_JOB, {"seconds": 0.0}) == {"slept": 0.0}
        assert mpi.current_mpi_processes() == 3
    assert mpi.current_mpi_processes() == 1
    assert json.loads(fake_mpirun.read_text())["argv"][:2] == ["-np", "3"]


def test_one_process_runs_the_child_directly(
    fake_mpirun: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], str | None]] = []
    real_run = subprocess.run

    def spy(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        calls.append((list(cmd), kwargs.get("input")))  # type: ignore[arg-type]
        return real_run(cmd, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(runner.subprocess, "run", spy)
    with meep_mpi(1):
        assert run_job(SLEEP_JOB, {"seconds": 0.0}) == {"slept": 0.0}
    assert run_job(SLEEP_JOB, {"seconds": 0.0}, mpi_processes=1) == {"slept": 0.0}
    for cmd, stdin in calls:
        assert cmd[:3] == CHILD
        assert len(cmd) == 5  # the result file and the parent's id; no request file
        assert json.loads(stdin or "") == {"job": SLEEP_JOB, "params": {"seconds": 0.0}}
    assert not fake_mpirun.exists()


def test_a_serial_meep_is_refused_naming_the_processes_and_what_to_install(
    fake_mpirun: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mpi, "meep_build", lambda: mpi.MeepBuild("1.25.0", False, True))
    with pytest.raises(MeepMpiError, match=r"mpi_processes=2 needs meep built with MPI") as err:
        run_job(SLEEP_JOB, {"seconds": 0.0}, mpi_processes=2)
    assert "python3-meep-mpi-default" in str(err.value)
    assert "replaces python3-meep" in str(err.value)
    assert not fake_mpirun.exists()


def test_no_mpirun_is_refused(
    fake_mpirun: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(MeepMpiError, match=r"mpi_processes=4 needs 'mpirun' on PATH"):
        run_job(SLEEP_JOB, {"seconds": 0.0}, mpi_processes=4)


@requires_meep
def test_the_installed_serial_meep_reports_no_mpi() -> None:
    build = mpi.meep_build()
    assert (build.with_mpi, build.has_mpb) == (False, True)
    if mpi.shutil.which("mpirun") is not None:
        with pytest.raises(MeepMpiError, match="serial build"):
            mpi.require_mpi(2)


@pytest.mark.parametrize("bad", [0, -2, 2.5, True, "2", 1025])
def test_bad_process_counts_are_rejected_naming_the_parameter(bad: object) -> None:
    with pytest.raises(ValueError, match=rf"mpi_processes={bad!r} is outside the allowed range"):
        run_job(SLEEP_JOB, {"seconds": 0.0}, mpi_processes=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mpi_processes="), meep_mpi(bad):  # type: ignore[arg-type]
        pass


@pytest.mark.parametrize(
    "command",
    [
        ["simulate", "ring"],
        ["sweep", "--param", "seed=1", "--output", "fsr_ghz"],
        ["sensitivity", "--output", "fsr_ghz"],
        ["optimise", "--vary", "design.ring.gap_um=2:3", "--maximise", "fsr_ghz"],
    ],
)
def test_the_command_line_rejects_a_bad_mpi_option(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--mpi", "-1"]) == 2
    assert "--mpi=-1 is outside the allowed range" in capsys.readouterr().err


def test_only_rank_zero_writes_the_result(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"job": SLEEP_JOB, "params": {"seconds": 0.0}}))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for rank in ("1", "0"):
        out = tmp_path / f"result{rank}.json"
        argv = [*CHILD, str(out), str(os.getpid()), str(request)]
        ran = subprocess.run(
            argv, env={**env, "OMPI_COMM_WORLD_RANK": rank}, cwd=tmp_path, check=False
        )
        assert ran.returncode == 0
        assert out.exists() == (rank == "0")
    assert json.loads((tmp_path / "result0.json").read_text()) == {"result": {"slept": 0.0}}


def test_a_killed_runner_takes_the_processes_under_mpirun_along(
    fake_mpirun: Path, tmp_path: Path
) -> None:
    script = (
        "import sys\n"
        "from qkdchip.simulations.meep_jobs import mpi, run_job, runner\n"
        "runner.meep_python = lambda: sys.executable\n"
        "mpi.meep_build = lambda: mpi.MeepBuild('1.25.0', True, False)\n"
        f"run_job({SLEEP_JOB!r}, {{'seconds': 60}}, mpi_processes=2)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    family: list[psutil.Process] = []
    ranks: list[psutil.Process] = []
    while len(ranks) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        family = psutil.Process(parent.pid).children(recursive=True)
        ranks = [p for p in family if p.cmdline()[1:3] == CHILD[1:]]
    assert len(ranks) == 2, "the job's two processes did not start"
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    _, alive = psutil.wait_procs(family, timeout=10)  # the ranks, then mpirun
    assert not alive, "a process of the job outlived the runner"


def test_simulate_with_mpi_on_a_serial_meep_is_one_line_saying_what_to_install(
    fake_mpirun: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(mpi, "meep_build", lambda: mpi.MeepBuild("1.25.0", False, True))
    assert main(["simulate", "ring", "--mpi", "2"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--mpi=2 needs meep built with MPI" in err
    assert "python3-meep-mpi-default" in err


@pytest.mark.parametrize(("host", "written"), [("another_machine", True), (HOST, False)])
def test_a_process_under_a_launcher_outlives_a_gone_runner_only_on_another_machine(
    tmp_path: Path, host: str, written: bool
) -> None:
    """A rank whose runner is gone exits at once on the runner's machine; on another machine
    (where the runner's process id means nothing) its launcher ends it."""
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"job": SLEEP_JOB, "params": {"seconds": 0.0}}))
    out = tmp_path / "result.json"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    launcher = [
        sys.executable,
        "-c",
        "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), RUNNER_HOST: host}
    argv = [*launcher, *CHILD, str(out), str(gone.pid), str(request)]
    ran = subprocess.run(argv, env=env, cwd=tmp_path, check=False)
    assert out.exists() == written
    assert ran.returncode == (0 if written else 1)


@pytest.mark.parametrize(
    ("with_mpi", "mpirun", "ok", "says"),
    [
        (False, True, True, "serial, no MPI"),
        (True, True, True, "MPI (--mpi N"),
        (True, False, False, "no mpirun on PATH"),
    ],
)
def test_doctor_reports_the_meep_build(
    fake_mpirun: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    with_mpi: bool,
    mpirun: bool,
    ok: bool,
    says: str,
) -> None:
    monkeypatch.setattr(doctor, "meep_build", lambda: mpi.MeepBuild("1.25.0", with_mpi, False))
    if not mpirun:
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    row = doctor.meep_build_row()
    assert row["ok"] is ok
    assert says in str(row["result"])
