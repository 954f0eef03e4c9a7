"""The state one main-flow run shares between its stages, and the stage-output cache.

:class:`FlowContext` holds the scenario, the folders, every stage's typed output and the cache
keys the stages downstream key on; :meth:`FlowContext.cached` serves a stage's output from
``<out>/cache/`` or computes and stores it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from qkdchip import cache
from qkdchip.records import Record
from qkdchip.scenarios.schema import Scenario

_LOG = logging.getLogger(__name__)

CACHE_VERSION = 2
"""Bump to invalidate every cached stage output."""


class StageSkippedError(RuntimeError):
    """A stage cannot run because an earlier stage it needs did not produce its output."""


T = TypeVar("T")
R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class StageResult:
    """What a stage's action returns.

    Attributes:
        output: the stage's typed output (:mod:`qkdchip.stage_outputs`).
        headline: one line for the console and the report.
        cached: whether the output came from the cache.
    """

    output: Any
    headline: str
    cached: bool = False


NETWORK_PARTS: tuple[str, ...] = ("reach", "limit", "security", "sweep", "untested")
"""The network stage's optional parts: the reach search, the mechanism that limits it (needs the
reach), the security margins, the key rate versus distance, the random untested chip sets."""


@dataclass
class FlowContext:
    """State shared by the stages of one run.

    Attributes:
        scenario: the validated scenario.
        out_dir: results folder (report, summary, cache).
        gds_dir: folder the masks go to.
        outputs: stage name -> typed output of the stages that ran.
        files: stage name -> files the stage wrote (plots, masks).
        progress: called with (stage, done, total) while a stage works through items.
        keys: stage name -> cache key of its output (the devices stage: device -> keys of
            the results it used), the provenance the downstream stages key on.
        network_parts: the network stage's parts beyond the key rates at the configured
            distances (:data:`NETWORK_PARTS`) that run; None: every part (a sweep point runs
            only what its outputs read).
    """

    scenario: Scenario
    out_dir: Path
    gds_dir: Path
    outputs: dict[str, Any] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    progress: Callable[[str, int, int], None] | None = None
    keys: dict[str, Any] = field(default_factory=dict)
    network_parts: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.network_parts is not None and not self.network_parts <= set(NETWORK_PARTS):
            raise ValueError(
                f"network_parts={sorted(self.network_parts)!r} must be a subset of "
                f"{NETWORK_PARTS!r}"
            )

    def runs_network_part(self, part: str) -> bool:
        """Whether the network stage runs ``part`` (one of :data:`NETWORK_PARTS`)."""
        return self.network_parts is None or part in self.network_parts

    @property
    def cache_dir(self) -> Path:
        """Folder of the cached stage outputs."""
        return self.out_dir / "cache"

    def need(self, stage: str, kind: type[T]) -> T:
        """The output of an earlier stage, or :class:`StageSkippedError` if it has none."""
        if stage not in self.outputs:
            raise StageSkippedError(f"needs the '{stage}' stage, which produced no output")
        output = self.outputs[stage]
        if not isinstance(output, kind):
            raise TypeError(f"the '{stage}' stage's output is a {type(output).__name__}")
        return output

    def cached(
        self, stage: str, inputs: Any, compute: Callable[[], R], kind: type[R]
    ) -> tuple[R, bool]:
        """The stage's cached output for these inputs, or compute, store and return it.

        ``inputs`` holds inputs only (scenario values, code hashes, upstream keys from
        :attr:`keys`), never computed floats. The key is kept in ``keys[stage]`` for the
        stages downstream.

        Returns:
            (the output, whether it came from the cache).
        """
        payload = {"version": CACHE_VERSION, "inputs": inputs}
        self.keys[stage] = cache.cache_key(stage, payload)

        def compute_json() -> dict[str, Any]:
            # the form a cache read gives back (JSON types, sorted keys): a computed and a
            # cached run give the same record
            return json.loads(json.dumps(compute().to_dict(), sort_keys=True))

        data, was_cached = cache.cached(stage, payload, compute_json, folder=self.cache_dir)
        _LOG.debug(
            "%s: %s (key %s)", stage, "cache hit" if was_cached else "computed", self.keys[stage]
        )
        return kind.from_dict(data), was_cached

    def report_progress(self, stage: str, done: int, total: int) -> None:
        """Forward progress to the caller's callback, if any."""
        if self.progress is not None:
            self.progress(stage, done, total)
