"""A warm main-flow run (every cached stage served from its cache) imports neither the layout
stack nor the plotting or optimisation libraries: those are for computing, not for reading
cached records back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY_MODULES = ("gdsfactory", "matplotlib", "scipy.optimize")
REPO = Path(__file__).resolve().parents[2]

RUN_FLOW = f"""
import sys
from pathlib import Path

from qkdchip.flow import STAGES, run_flow
from qkdchip.flow_context import FlowContext
from qkdchip.report import write_report
from tests.qkdchip.flow_cases import small_scenario, small_stages

out = Path(sys.argv[1])
ctx = FlowContext(scenario=small_scenario(), out_dir=out / "results", gds_dir=out / "gds")
masks = next(s for s in STAGES if s.name == "masks")
outcomes = run_flow(ctx, stages=(masks, *small_stages()))
write_report(ctx, outcomes)
print(" ".join(f"{{o.name}}={{o.status}}" for o in outcomes))
print(" ".join(m for m in {HEAVY_MODULES!r} if m in sys.modules))
"""


def _run_flow(out: Path) -> tuple[str, list[str]]:
    """Stage statuses and heavy modules imported of one run of the small flow into ``out``."""
    proc = subprocess.run(
        [sys.executable, "-c", RUN_FLOW, str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    statuses, heavy = proc.stdout.splitlines()[-2:]
    return statuses, heavy.split()


def test_warm_run_imports_no_gdsfactory_matplotlib_or_scipy_optimize(tmp_path: Path) -> None:
    statuses, _ = _run_flow(tmp_path)
    assert statuses == "masks=done devices=done comb=done yield=done network=done"
    statuses, heavy = _run_flow(tmp_path)
    # the devices stage reads the shipped device results, the synthetic comb has no cache
    assert statuses == "masks=cached devices=done comb=done yield=cached network=cached"
    assert heavy == []
