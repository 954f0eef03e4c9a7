"""Convergence helper: how much a simulated quantity changes between two resolutions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qkdchip.records import Record


@dataclass(frozen=True)
class QuantityChange:
    """One quantity at two resolutions.

    Attributes:
        name: attribute name of the result.
        low: value at the lower resolution.
        high: value at the higher resolution.
        change: high - low.
        relative_change: |high - low| / |high| (0 when both are 0).
    """

    name: str
    low: float
    high: float
    change: float
    relative_change: float


@dataclass(frozen=True)
class ConvergenceReport(Record):
    """Changes of several quantities between ``low_resolution`` and ``high_resolution``."""

    low_resolution: int
    high_resolution: int
    quantities: tuple[QuantityChange, ...]

    def worst_relative_change(self) -> float:
        return max(q.relative_change for q in self.quantities)


def compare(
    low: Any, high: Any, names: Sequence[str], *, low_resolution: int, high_resolution: int
) -> ConvergenceReport:
    """Compare the named float attributes of two results of the same simulation."""
    if not names:
        raise ValueError("names must not be empty")
    changes = []
    for name in names:
        a, b = float(getattr(low, name)), float(getattr(high, name))
        if not (math.isfinite(a) and math.isfinite(b)):
            raise ValueError(f"{name} is not finite at one resolution: {a!r}, {b!r}")
        rel = abs(b - a) / abs(b) if b != 0 else (0.0 if a == 0 else math.inf)
        changes.append(QuantityChange(name, a, b, b - a, rel))
    return ConvergenceReport(low_resolution, high_resolution, tuple(changes))
