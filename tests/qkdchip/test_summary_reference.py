"""The small scenario's summary against a committed reference: a refactor that changes no
number passes.

Every stage but the masks (see tests/circuits/test_mask_references.py) runs for real. Numbers
are compared to 1e-6 relative: the last bits of a result may differ between BLAS kernels, a
changed model moves them far more. Cache keys, which name the code they came from, are left
out. ``QKDCHIP_REGEN_GDS=1`` rewrites the reference after an intended change.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from qkdchip.flow import STAGES, run_flow
from qkdchip.flow_context import FlowContext
from qkdchip.report import build_summary
from tests.gds_compare import REGEN
from tests.qkdchip.flow_cases import small_scenario

REFERENCE = Path(__file__).parent / "references" / "tiny_summary.json"
KEY = re.compile(r"\b[a-z_]+_[0-9a-f]{16}\b")


def _without_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_keys(v) for k, v in value.items() if k != "keys"}
    if isinstance(value, list):
        return [_without_keys(v) for v in value]
    if isinstance(value, str):
        return KEY.sub("<key>", value)
    return value


def _differences(new: Any, old: Any, where: str = "") -> list[str]:
    if isinstance(new, dict) and isinstance(old, dict):
        if set(new) != set(old):
            return [f"{where}: keys {sorted(set(new) ^ set(old))} differ"]
        return [d for k in new for d in _differences(new[k], old[k], f"{where}.{k}")]
    if isinstance(new, list) and isinstance(old, list):
        if len(new) != len(old):
            return [f"{where}: {len(new)} items, reference {len(old)}"]
        return [
            d
            for i, (a, b) in enumerate(zip(new, old, strict=True))
            for d in _differences(a, b, f"{where}[{i}]")
        ]
    numbers = (int, float)
    if isinstance(new, numbers) and isinstance(old, numbers) and not isinstance(new, bool):
        ok = math.isclose(new, old, rel_tol=1e-6, abs_tol=1e-300)
        return [] if ok else [f"{where}: {new!r}, reference {old!r}"]
    return [] if new == old else [f"{where}: {new!r}, reference {old!r}"]


def test_the_small_scenario_gives_the_reference_summary(tmp_path: Path) -> None:
    ctx = FlowContext(scenario=small_scenario(), out_dir=tmp_path, gds_dir=tmp_path / "gds")
    outcomes = run_flow(ctx, stages=tuple(s for s in STAGES if s.name != "masks"))
    summary = _without_keys(json.loads(json.dumps(build_summary(ctx, outcomes))))
    if REGEN:
        REFERENCE.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert _differences(summary, reference) == []
