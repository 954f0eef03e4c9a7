"""Benchmark: wall time of a warm ``qkdchip run`` (every cached stage served from its cache).

Target: under 1 s. Baseline, measured in the same run: ``python -c "import gdsfactory"``, what
any gdsfactory-based tool pays before it does anything. Each time is the best of 3 subprocess
runs after one warm-up run; the warm-up run fills an empty ``--out`` folder (every stage
computed: about a minute on two cores). The timed runs must report every cached stage as
``cached``.

Run: ``.venv/bin/python benchmarks/bench_warm_run.py [--out DIR --gds-out DIR]``
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPEATS = 3
TARGET_S = 1.0
CACHED_STAGES = ("masks", "comb", "yield", "network")
"""The stages with a stage cache (the devices stage reads the device-result cache)."""


def run_once(argv: Sequence[str]) -> tuple[float, str]:
    """Wall time (s) and standard output of one run of ``argv``."""
    start = time.perf_counter()
    proc = subprocess.run(argv, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, proc.stdout


def best_time(argv: Sequence[str]) -> float:
    """Best wall time (s) of ``REPEATS`` runs of ``argv``, after one warm-up run."""
    run_once(argv)
    return min(run_once(argv)[0] for _ in range(REPEATS))


def warm_run_time(out: Path, gds_out: Path) -> float:
    """Best wall time (s) of a warm ``qkdchip run`` into ``out`` and ``gds_out``, after a
    warm-up run; RuntimeError if a timed run computed a cached stage."""
    argv = [sys.executable, "-m", "qkdchip", "run", "--out", str(out), "--gds-out", str(gds_out)]
    run_once(argv)
    times = []
    for _ in range(REPEATS):
        seconds, stdout = run_once(argv)
        status = {stage: s for s, stage in re.findall(r"^(\w+)\s+(\w+): ", stdout, re.MULTILINE)}
        computed = [stage for stage in CACHED_STAGES if status.get(stage) != "cached"]
        if computed:
            raise RuntimeError(f"not a warm run: {computed} not served from the cache")
        times.append(seconds)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="results folder (default: a temporary one)")
    parser.add_argument("--gds-out", type=Path, help="mask folder (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qkdchip-bench-") as tmp:
        out = args.out or Path(tmp) / "results"
        gds_out = args.gds_out or Path(tmp) / "gds"
        warm = warm_run_time(out, gds_out)
    baseline = best_time([sys.executable, "-c", "import gdsfactory"])
    verdict = "ok" if warm < TARGET_S else "SLOW"
    print(f"warm qkdchip run benchmark (best of {REPEATS} runs, target < {TARGET_S} s)")
    print(f"  {'baseline: import gdsfactory':30s} {baseline:6.3f} s")
    print(f"  {'warm qkdchip run':30s} {warm:6.3f} s   {baseline / warm:5.1f} x faster   {verdict}")


if __name__ == "__main__":
    main()
