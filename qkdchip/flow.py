"""The main flow behind ``qkdchip run``: every stage from masks to network key rates.

A stage that fails is reported with its error, and the stages that need its output are
skipped and say so: the flow never makes up numbers. Stage outputs are plain JSON dictionaries
kept in a :class:`FlowContext`; the expensive ones are cached under ``<out>/cache/`` keyed by a
hash of their inputs, so a rerun of the same scenario reuses them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qkdchip import cache, flow_stages
from qkdchip.atomic import remove_orphans
from qkdchip.scenarios.schema import Scenario

CACHE_VERSION = 1
"""Bump to invalidate every cached stage output."""


class StageSkippedError(RuntimeError):
    """A stage cannot run because an earlier stage it needs did not produce its output."""


@dataclass
class FlowContext:
    """State shared by the stages of one run.

    Attributes:
        scenario: the validated scenario.
        out_dir: results folder (report, summary, cache).
        gds_dir: folder the masks go to.
        outputs: stage name -> JSON output of the stages that ran.
        files: stage name -> files the stage wrote (plots, masks).
        progress: called with (stage, done, total) while a stage works through items.
        keys: stage name -> cache key of its output (the devices stage: device -> keys of
            the results it used), the provenance the downstream stages key on.
    """

    scenario: Scenario
    out_dir: Path
    gds_dir: Path
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    progress: Callable[[str, int, int], None] | None = None
    keys: dict[str, Any] = field(default_factory=dict)

    @property
    def cache_dir(self) -> Path:
        """Folder of the cached stage outputs."""
        return self.out_dir / "cache"

    def need(self, stage: str) -> dict[str, Any]:
        """The output of an earlier stage, or :class:`StageSkippedError` if it has none."""
        if stage not in self.outputs:
            raise StageSkippedError(f"needs the '{stage}' stage, which produced no output")
        return self.outputs[stage]

    def cached(
        self, stage: str, inputs: Any, compute: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], bool]:
        """The stage's cached output for these inputs, or compute, store and return it.

        ``inputs`` holds inputs only (scenario values, code hashes, upstream keys from
        :attr:`keys`), never computed floats. The key is kept in ``keys[stage]`` for the
        stages downstream.

        Returns:
            (output as JSON types, whether it came from the cache).
        """
        payload = {"version": CACHE_VERSION, "inputs": inputs}
        self.keys[stage] = cache.cache_key(stage, payload)

        def compute_json() -> dict[str, Any]:
            # the form a cache read gives back (JSON types, sorted keys): a computed and a
            # cached run write the same summary bytes
            return json.loads(json.dumps(compute(), default=_json_default, sort_keys=True))

        return cache.cached(stage, payload, compute_json, folder=self.cache_dir)

    def report_progress(self, stage: str, done: int, total: int) -> None:
        """Forward progress to the caller's callback, if any."""
        if self.progress is not None:
            self.progress(stage, done, total)


@dataclass(frozen=True)
class Stage:
    """One step of the main flow.

    Attributes:
        name: short name (also the key of its output).
        description: what it does, one line.
        action: the function doing the work.
    """

    name: str
    description: str
    action: Callable[[FlowContext], dict[str, Any]]


@dataclass(frozen=True)
class StageOutcome:
    """What happened to one stage.

    ``status`` is ``done``, ``cached``, ``skipped`` or ``failed``.
    """

    name: str
    status: str
    message: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot serialise {type(value).__name__}")


# The stage actions live in qkdchip.flow_stages; this module is about orchestration only.
STAGES: tuple[Stage, ...] = (
    Stage(
        "masks",
        "write chip and wafer GDS masks to gds_out/",
        flow_stages.masks,
    ),
    Stage(
        "devices",
        "load the default device-simulation results from the shipped MPB/meep cache",
        flow_stages.devices,
    ),
    Stage(
        "comb",
        "solve the Lugiato-Lefever equation for the server's dark-pulse comb",
        flow_stages.comb,
    ),
    Stage(
        "yield",
        "wafer-yield Monte Carlo of the InP transmitter chips",
        flow_stages.wafer_yield,
    ),
    Stage(
        "network",
        "WDM plan, injection locking, phase budget and SNS TF-QKD key rates of every pair",
        flow_stages.network,
    ),
)


def _subfolders(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []


def run_flow(
    ctx: FlowContext,
    *,
    stages: Sequence[Stage] = STAGES,
    on_stage: Callable[[Stage, StageOutcome], None] | None = None,
    on_start: Callable[[Stage], None] | None = None,
) -> list[StageOutcome]:
    """Run the stages in order; a stage that cannot run is recorded, never faked.

    Args:
        ctx: the run's context (scenario, folders); outputs accumulate in it.
        stages: the stages to run.
        on_stage: called after each stage with its outcome.
        on_start: called before each stage.

    Returns:
        One :class:`StageOutcome` per stage.
    """
    for folder in (ctx.gds_dir, ctx.out_dir, *_subfolders(ctx.out_dir)):
        remove_orphans(folder)  # temporary files of a run killed while writing
    outcomes = []
    for stage in stages:
        if on_start is not None:
            on_start(stage)
        start = time.perf_counter()
        try:
            data = stage.action(ctx)
            status = "cached" if data.pop("_cached", False) else "done"
            ctx.outputs[stage.name] = data
            outcome = StageOutcome(
                stage.name, status, str(data.get("headline", "")), time.perf_counter() - start
            )
        except StageSkippedError as err:
            outcome = StageOutcome(stage.name, "skipped", str(err), 0.0)
        except (ValueError, RuntimeError, ImportError) as err:
            outcome = StageOutcome(
                stage.name,
                "failed",
                f"{type(err).__name__}: {err}",
                time.perf_counter() - start,
            )
        outcomes.append(outcome)
        if on_stage is not None:
            on_stage(stage, outcome)
    return outcomes
