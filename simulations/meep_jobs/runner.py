"""Parent side of the meep/MPB subprocess runner.

The child runs under the interpreter that has meep (:func:`meep_python`): on Debian that is
the system's ``/usr/bin/python3`` with ``python3-meep`` and Debian's numpy, while the toolkit's
own environment may carry any numpy. Only the job modules of this package, meep, numpy and the
standard library are imported in the child, and only JSON crosses between the two.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
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

MEEP_PYTHON_ENV = "QKDCHIP_MEEP_PYTHON"
"""Environment variable naming the interpreter that runs meep jobs (default: :func:`meep_python`
looks for one)."""
SYSTEM_PYTHON = "/usr/bin/python3"
"""Debian's interpreter, where ``python3-meep`` installs meep and MPB."""
INSTALL_HINT = (
    "no Python that can import meep was found. On Debian bookworm run "
    "'sudo apt-get install python3-meep python3-matplotlib python3-h5py' (or 'make setup'): "
    f"jobs then run under {SYSTEM_PYTHON}; set {MEEP_PYTHON_ENV} to use another interpreter "
    "with meep. Note: PyPI's package named 'meep' is an unrelated task runner."
)


class MeepNotInstalledError(RuntimeError):
    """meep (and MPB) cannot be imported by the Python that runs the jobs."""


class MeepJobError(RuntimeError):
    """A meep/MPB job failed in its subprocess; the message is the solver's own error text."""


def meep_python() -> str | None:
    """The interpreter that runs meep and MPB jobs: ``$QKDCHIP_MEEP_PYTHON`` when set, else this
    one when it can import meep, else Debian's ``/usr/bin/python3``; None when it cannot import
    meep (each interpreter is asked once per process)."""
    chosen = os.environ.get(MEEP_PYTHON_ENV)
    for python in [chosen] if chosen else [sys.executable, SYSTEM_PYTHON]:
        if _imports_meep(python):
            return python
    return None


def meep_available() -> bool:
    """Whether some interpreter can run meep jobs (:func:`meep_python`), found without importing
    meep here."""
    return meep_python() is not None


@functools.cache
def _imports_meep(python: str) -> bool:
    """Whether ``python`` can import meep: found for this interpreter, imported by another one
    (Debian's meep imports matplotlib and h5py, which its package does not declare)."""
    if python == sys.executable:
        return importlib.util.find_spec("meep") is not None
    try:
        probe = subprocess.run(
            [python, "-c", "import meep"],
            capture_output=True,
            env=_foreign_environment(os.environ),
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def _foreign_environment(base: Mapping[str, str], package: str | None = None) -> dict[str, str]:
    """``base`` for another interpreter: without this one's home and virtual environment, and
    with ``package`` (if given) first on ``PYTHONPATH``, before the user's own entries."""
    env = {k: v for k, v in base.items() if k not in ("PYTHONHOME", "VIRTUAL_ENV")}
    if package is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (package, base.get("PYTHONPATH"))))
    return env


def _package_path(folder: Path) -> str:
    """A folder in ``folder`` that holds only a link to this package, for another interpreter's
    ``PYTHONPATH`` (the package's own parent may hold this environment's numpy)."""
    import qkdchip

    shim = folder / "package"
    shim.mkdir()
    (shim / "qkdchip").symlink_to(Path(qkdchip.__file__).parent, target_is_directory=True)
    return str(shim)


CHILD_MODULE = "qkdchip.simulations.meep_jobs.child"
"""The child's module, run with ``python -m`` (arguments: result file, parent's id and, under
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
    python = meep_python()
    if python is None:
        raise MeepNotInstalledError(INSTALL_HINT)
    launcher = require_mpi(processes) if processes > 1 else None

    env = dict(os.environ)
    env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    env[RUNNER_HOST] = HOST  # the child watches this process only on this machine
    remove_orphans(tempfile.gettempdir(), ORPHAN_WORKDIR)
    with tempfile.TemporaryDirectory(prefix=f"qkdchip-meep-{os.getpid()}-") as workdir:
        out_path = Path(workdir) / "result.json"
        if python != sys.executable:
            env = _foreign_environment(env, _package_path(Path(workdir)))
        cmd = [python, "-m", CHILD_MODULE, str(out_path), str(os.getpid())]
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
