"""Parent side of the meep/MPB subprocess runner."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from qkdchip.atomic import HOST, remove_orphans
from qkdchip.simulations.meep_jobs.child import RUNNER_HOST
from qkdchip.simulations.meep_jobs.mpi import (
    check_mpi_processes,
    current_mpi_processes,
    mpi_command,
    mpi_environment,
    require_mpi,
)

INSTALL_HINT = (
    "meep is not installed for this Python. On Debian bookworm run "
    "'sudo apt-get install python3-meep' (or 'make setup'), then use the project's .venv, "
    "which sees Debian's packages through --system-site-packages. "
    "Note: PyPI's package named 'meep' is an unrelated task runner."
)


class MeepNotInstalledError(RuntimeError):
    """meep (and MPB) cannot be imported by the Python that runs the jobs."""


class MeepJobError(RuntimeError):
    """A meep/MPB job failed in its subprocess; the message is the solver's own error text."""


def meep_available(python: str | None = None) -> bool:
    """Whether ``import meep`` would succeed, found without importing it here."""
    if python is None:
        return importlib.util.find_spec("meep") is not None
    probe = "import importlib.util,sys; sys.exit(importlib.util.find_spec('meep') is None)"
    return subprocess.run([python, "-c", probe], check=False).returncode == 0


CHILD: tuple[str, ...] = (sys.executable, "-m", "qkdchip.simulations.meep_jobs.child")
"""The child interpreter's command, before its arguments (result file, parent's id and, under
MPI, the request file)."""

ORPHAN_WORKDIR = re.compile(r"^qkdchip-meep-(?P<pid>\d+)-")
"""A job's working folder in the system temporary folder; group ``pid`` is the parent's id
(a parent killed outright leaves it, and the next job removes it)."""


def run_job(
    job: str,
    params: dict[str, Any] | None = None,
    *,
    timeout_s: float = 600.0,
    threads: int = 1,
    mpi_processes: int | None = None,
) -> dict[str, Any]:
    """Run ``job`` (``"package.module:function"``) with ``params`` in a child interpreter.

    Args:
        job: dotted module path and function name, separated by a colon.
        params: keyword arguments for the job; JSON types only.
        timeout_s: wall-clock limit in seconds; the child is killed when it is exceeded.
        threads: OpenMP/BLAS threads the child (each MPI process) may use.
        mpi_processes: MPI processes of the job, [1, 1024]; > 1 runs it under ``mpirun`` and
            needs meep built with MPI (default: :func:`~.mpi.meep_mpi`'s setting, else 1).

    Returns:
        The dict the job returned (by rank 0 under MPI).

    Raises:
        ValueError: ``job`` is malformed, ``params`` is not JSON-serialisable, or
            ``timeout_s``, ``threads`` or ``mpi_processes`` is out of range.
        MeepNotInstalledError: meep cannot be imported.
        MeepMpiError: ``mpi_processes`` > 1 without ``mpirun`` or without an MPI build of meep.
        MeepJobError: the job raised, crashed or timed out; the message carries the error text.
    """
    if job.count(":") != 1 or not all(job.split(":")):
        raise ValueError(f"job={job!r} must look like 'package.module:function'")
    if not timeout_s > 0:
        raise ValueError(f"timeout_s={timeout_s!r} must be > 0 seconds")
    if threads < 1:
        raise ValueError(f"threads={threads!r} must be >= 1")
    processes = (
        current_mpi_processes() if mpi_processes is None else check_mpi_processes(mpi_processes)
    )
    try:
        payload = json.dumps({"job": job, "params": params or {}})
    except TypeError as err:
        raise ValueError(f"params for job {job!r} must be JSON-serialisable: {err}") from err
    if not meep_available():
        raise MeepNotInstalledError(INSTALL_HINT)
    launcher = require_mpi(processes) if processes > 1 else None

    env = dict(os.environ)
    env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    env[RUNNER_HOST] = HOST  # the child watches this process only on this machine
    remove_orphans(tempfile.gettempdir(), ORPHAN_WORKDIR)
    with tempfile.TemporaryDirectory(prefix=f"qkdchip-meep-{os.getpid()}-") as workdir:
        out_path = Path(workdir) / "result.json"
        cmd = [*CHILD, str(out_path), str(os.getpid())]
        stdin_text: str | None = payload
        if launcher is not None:  # mpirun passes stdin to rank 0 only: every rank reads a file
            request = Path(workdir) / "request.json"
            request.write_text(payload, encoding="utf-8")
            cmd = mpi_command(launcher, processes, [*cmd, str(request)])
            env = mpi_environment(env)
            stdin_text = None
        try:
            proc = subprocess.run(
                cmd,
                input=stdin_text,
                stdin=subprocess.DEVNULL if stdin_text is None else None,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                cwd=workdir,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise MeepJobError(f"job {job} exceeded timeout_s={timeout_s:g} s") from err
        if not out_path.exists():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise MeepJobError(
                f"job {job} died with exit code {proc.returncode} and no result:\n{tail}"
            )
        result = json.loads(out_path.read_text())
    if "error" in result:
        raise MeepJobError(f"job {job} failed: {result['error']}")
    return result["result"]
