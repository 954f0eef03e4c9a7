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

from qkdchip.atomic import remove_orphans

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


ORPHAN_WORKDIR = re.compile(r"^qkdchip-meep-(?P<pid>\d+)-")
"""A job's working folder in the system temporary folder; group ``pid`` is the parent's id
(a parent killed outright leaves it, and the next job removes it)."""


def run_job(
    job: str,
    params: dict[str, Any] | None = None,
    *,
    timeout_s: float = 600.0,
    threads: int = 1,
) -> dict[str, Any]:
    """Run ``job`` (``"package.module:function"``) with ``params`` in a child interpreter.

    Args:
        job: dotted module path and function name, separated by a colon.
        params: keyword arguments for the job; JSON types only.
        timeout_s: wall-clock limit in seconds; the child is killed when it is exceeded.
        threads: OpenMP/BLAS threads the child may use.

    Returns:
        The dict the job returned.

    Raises:
        ValueError: ``job`` is malformed, ``params`` is not JSON-serialisable or ``timeout_s``
            is not positive.
        MeepNotInstalledError: meep cannot be imported.
        MeepJobError: the job raised, crashed or timed out; the message carries the error text.
    """
    if job.count(":") != 1 or not all(job.split(":")):
        raise ValueError(f"job={job!r} must look like 'package.module:function'")
    if not timeout_s > 0:
        raise ValueError(f"timeout_s={timeout_s!r} must be > 0 seconds")
    if threads < 1:
        raise ValueError(f"threads={threads!r} must be >= 1")
    try:
        payload = json.dumps({"job": job, "params": params or {}})
    except TypeError as err:
        raise ValueError(f"params for job {job!r} must be JSON-serialisable: {err}") from err
    if not meep_available():
        raise MeepNotInstalledError(INSTALL_HINT)

    env = dict(os.environ)
    env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    remove_orphans(tempfile.gettempdir(), ORPHAN_WORKDIR)
    with tempfile.TemporaryDirectory(prefix=f"qkdchip-meep-{os.getpid()}-") as workdir:
        out_path = Path(workdir) / "result.json"
        cmd = [
            sys.executable,
            "-m",
            "qkdchip.simulations.meep_jobs.child",
            str(out_path),
            str(os.getpid()),
        ]
        try:
            proc = subprocess.run(
                cmd,
                input=payload,
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
