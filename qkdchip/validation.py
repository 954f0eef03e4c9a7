"""Checks of parameter values, with one wording for every cell, simulation and scenario.

Each check raises ``ValueError("<name>=<value> ...")`` naming the parameter, its value and what
it may be:

* :func:`check_range`: ``<name>=<value> is outside the allowed range [low, high]`` (a bound may
  be open, or infinite for a one-sided check);
* :func:`check_ranges`: :func:`check_range` on several attributes of one object;
* :func:`check_choice`: ``<name>=<value> is not allowed; allowed values: [...]``.

Layout rules (minimum width, space, bend radius of a layer) are checked against the PDK's rule
table by :mod:`qkdchip.components.checks`, which names the rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


def check_range(
    name: str,
    value: float,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """``value`` must be a finite number (not a bool) within ``low`` .. ``high``.

    Args:
        name: the parameter, as the user names it.
        value: its value.
        low: the lower bound (infinite for none).
        high: the upper bound (infinite for none).
        low_open: exclude the lower bound itself.
        high_open: exclude the upper bound itself.
    """
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (low < value if low_open else low <= value) and (
            value < high if high_open else value <= high
        )
    if not ok:
        left = "(" if low_open or math.isinf(low) else "["
        right = ")" if high_open or math.isinf(high) else "]"
        raise ValueError(
            f"{name}={value!r} is outside the allowed range {left}{low}, {high}{right}"
        )


def check_ranges(obj: object, limits: Iterable[tuple[str, float, float]]) -> None:
    """:func:`check_range` on each named attribute of ``obj`` (``(name, low, high)`` triples)."""
    for name, low, high in limits:
        check_range(name, getattr(obj, name), low, high)


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> None:
    """``value`` must be one of ``allowed``."""
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed; allowed values: {allowed}")
