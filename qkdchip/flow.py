"""The main flow behind ``qkdchip run``: every stage from masks to network key rates.

A stage that fails is reported with its error, and the stages that need its output are
skipped and say so: the flow never makes up numbers. Stage outputs are the typed records of
:mod:`qkdchip.stage_outputs`, kept in a :class:`FlowContext`; the expensive ones are cached under
``<out>/cache/`` keyed by a hash of their inputs, so a rerun of the same scenario reuses them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qkdchip import flow_stages
from qkdchip.atomic import remove_orphans
from qkdchip.flow_context import FlowContext, StageResult, StageSkippedError
from qkdchip.records import Record


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
    action: Callable[[FlowContext], StageResult]


@dataclass(frozen=True)
class StageOutcome(Record):
    """What happened to one stage.

    ``status`` is ``done``, ``cached``, ``skipped`` or ``failed``.
    """

    name: str
    status: str
    message: str
    seconds: float


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


_LOG = logging.getLogger(__name__)


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
        _LOG.info("stage %s: started", stage.name)
        if on_start is not None:
            on_start(stage)
        start = time.perf_counter()
        try:
            result = stage.action(ctx)
            ctx.outputs[stage.name] = result.output
            outcome = StageOutcome(
                stage.name,
                "cached" if result.cached else "done",
                result.headline,
                time.perf_counter() - start,
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
        _LOG.info(
            "stage %s: %s in %.1f s: %s",
            outcome.name,
            outcome.status,
            outcome.seconds,
            outcome.message,
        )
        if on_stage is not None:
            on_stage(stage, outcome)
    return outcomes
