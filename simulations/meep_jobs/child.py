"""Child side of the meep/MPB runner: ``python -m qkdchip.simulations.meep_jobs.child OUT PID
[REQUEST]``.

Reads ``{"job": "module:function", "params": {...}}`` from the file REQUEST (under ``mpirun``,
which passes stdin to rank 0 only) or from stdin, calls the job and writes ``{"result": ...}``
or ``{"error": "<Type>: <message>"}`` to OUT (written atomically; under MPI by rank 0 alone,
the others report through it). On Linux the child is killed with its parent; when a launcher
(``mpirun``) stands between it and the runner (process PID), it also exits once the runner is
gone, so a killed run leaves no solver running.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from qkdchip.atomic import HOST, atomic_write_text

RUNNER_HOST = "QKDCHIP_MEEP_RUNNER_HOST"
"""Environment variable in which the runner names its machine (as :data:`qkdchip.atomic.HOST`
writes it)."""

WATCH_S = 1.0
"""Seconds between checks that the runner is still alive, under a launcher."""

RANK_VARIABLES: tuple[str, ...] = ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK")
"""Environment variables in which MPI launchers (OpenMPI, PMIx, MPICH) give a process's rank."""


def _write_atomically(path: Path, data: dict) -> None:
    atomic_write_text(path, json.dumps(data))


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(pid: int) -> None:
    """Exit this process (at once, whatever it is doing) when process ``pid`` is gone."""

    def watch() -> None:
        while _alive(pid):
            time.sleep(WATCH_S)
        os._exit(1)

    threading.Thread(target=watch, name="qkdchip-runner-watch", daemon=True).start()


def _die_with_parent(parent_pid: int) -> None:
    """Linux: ask for SIGKILL when the parent exits (prctl PR_SET_PDEATHSIG). When the parent is
    not the runner (process ``parent_pid`` on the machine :data:`RUNNER_HOST` names): exit at
    once if the runner is gone (it died before the prctl), else watch it (a launcher such as
    ``mpirun`` stands between them). A process on another machine (an MPI rank placed there)
    is ended by its launcher."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == parent_pid or os.environ.get(RUNNER_HOST) != HOST:
        return
    if not _alive(parent_pid):
        sys.exit(1)
    _watch(parent_pid)


def is_rank_zero() -> bool:
    """Whether this process writes the result: meep's master process once meep is imported,
    else rank 0 as the MPI launcher says, else (no MPI) yes."""
    meep = sys.modules.get("meep")
    if meep is not None and hasattr(meep, "am_master"):
        return bool(meep.am_master())
    for name in RANK_VARIABLES:
        if name in os.environ:
            return os.environ[name] == "0"
    return True


def _read_request(argv: list[str]) -> dict:
    if len(argv) > 3:
        return json.loads(Path(argv[3]).read_text(encoding="utf-8"))
    return json.loads(sys.stdin.read())


def main(argv: list[str]) -> int:
    out_path = Path(argv[1])
    _die_with_parent(int(argv[2]))
    request = _read_request(argv)
    module_name, function_name = request["job"].split(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
        result = function(**request["params"])
        json.dumps(result)
    except Exception as err:  # report the solver's own error text to the parent
        if not is_rank_zero():
            return 0  # rank 0 reports it; exiting 0 lets mpirun wait for rank 0's report
        _write_atomically(out_path, {"error": f"{type(err).__name__}: {err}"})
        return 1
    if is_rank_zero():
        _write_atomically(out_path, {"result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
