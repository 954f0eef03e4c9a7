"""Child side of the meep/MPB runner: ``python -m qkdchip.simulations.meep_jobs.child OUT``.

Reads ``{"job": "module:function", "params": {...}}`` from stdin, calls the job and writes
``{"result": ...}`` or ``{"error": "<Type>: <message>"}`` to OUT (written atomically).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from qkdchip.atomic import atomic_write_text


def _write_atomically(path: Path, data: dict) -> None:
    atomic_write_text(path, json.dumps(data))


def main(argv: list[str]) -> int:
    out_path = Path(argv[1])
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
