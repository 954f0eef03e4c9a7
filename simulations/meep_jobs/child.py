"""Child side of the meep/MPB runner: ``python -m qkdchip.simulations.meep_jobs.child OUT PID``.

Reads ``{"job": "module:function", "params": {...}}`` from stdin, calls the job and writes
``{"result": ...}`` or ``{"error": "<Type>: <message>"}`` to OUT (written atomically). On Linux
the child is killed with its parent (process PID), so a killed run leaves no solver running.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
from pathlib import Path

from qkdchip.atomic import atomic_write_text


def _write_atomically(path: Path, data: dict) -> None:
    atomic_write_text(path, json.dumps(data))


def _die_with_parent(parent_pid: int) -> None:
    """Linux: ask for SIGKILL when the parent exits (prctl PR_SET_PDEATHSIG); exit at once when
    the parent is already gone."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent_pid:
        sys.exit(1)


def main(argv: list[str]) -> int:
    out_path = Path(argv[1])
    _die_with_parent(int(argv[2]))
    request = json.loads(sys.stdin.read())
    module_name, function_name = request["job"].split(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
        result = function(**request["params"])
        json.dumps(result)
    except Exception as err:  # report the solver's own error text to the parent
        _write_atomically(out_path, {"error": f"{type(err).__name__}: {err}"})
        return 1
    _write_atomically(out_path, {"result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
