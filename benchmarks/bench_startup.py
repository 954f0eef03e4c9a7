"""Benchmark: start-up time of ``qkdchip --help`` and of every ``qkdchip <command> --help``.

Target: each under 0.5 s. Baseline, measured in the same run: ``python -c "import gdsfactory"``,
what any command line that imports gdsfactory at start-up pays before it can print its help.
Each time is the best of 3 subprocess runs after one warm-up run.

Run: ``.venv/bin/python benchmarks/bench_startup.py``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence

from qkdchip.cli import build_parser

REPEATS = 3
TARGET_S = 0.5


def command_names() -> list[str]:
    """The sub-commands of ``qkdchip``, in the order its help lists them."""
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    raise RuntimeError("qkdchip has no sub-commands")


def best_time(argv: Sequence[str]) -> float:
    """Best wall time (s) of ``REPEATS`` runs of ``argv``, after one warm-up run."""
    subprocess.run(argv, check=True, capture_output=True)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    python = sys.executable
    baseline = best_time([python, "-c", "import gdsfactory"])
    rows = [("qkdchip --help", best_time([python, "-m", "qkdchip", "--help"]))]
    for name in command_names():
        rows.append(
            (f"qkdchip {name} --help", best_time([python, "-m", "qkdchip", name, "--help"]))
        )
    print(f"qkdchip start-up benchmark (best of {REPEATS} runs, target < {TARGET_S} s)")
    print(f"  {'baseline: import gdsfactory':32s} {baseline:6.3f} s   baseline / time")
    for label, seconds in rows:
        verdict = "ok" if seconds < TARGET_S else "SLOW"
        print(f"  {label:32s} {seconds:6.3f} s   {baseline / seconds:6.1f} x   {verdict}")


if __name__ == "__main__":
    main()
