"""The longest distance at which a whole network still beats the PLOB bound.

TF-QKD beats the repeaterless bound only beyond some distance and up to a last one; the
distances where every pair beats it form an interval. :func:`longest_distance_km` walks up from
a distance known to qualify, bracketing the end of that interval with growing steps, then
bisects the bracket down to ``resolution_km`` (on the grid ``start_km + k * resolution_km``
when the steps are multiples of it). The result is always a distance that was
evaluated and qualified, never an interpolation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from qkdchip.records import Record


@dataclass(frozen=True)
class Reach(Record):
    """Result of :func:`longest_distance_km`.

    Attributes:
        distance_km: longest evaluated distance that qualifies (km).
        first_failing_km: shortest evaluated distance beyond it that does not (km); None when
            ``max_km`` still qualified.
        evaluations: number of distances evaluated.
    """

    distance_km: float
    first_failing_km: float | None
    evaluations: int


def longest_distance_km(
    qualifies: Callable[[float], bool],
    *,
    start_km: float,
    max_km: float = 3000.0,
    first_step_km: float = 50.0,
    resolution_km: float = 1.0,
) -> Reach:
    """Longest distance above ``start_km`` at which ``qualifies(distance_km)`` holds.

    Args:
        qualifies: whether the network qualifies at a distance in km (every pair beats PLOB).
        start_km: a distance that qualifies (km), > 0.
        max_km: the search stops here (km), > start_km.
        first_step_km: first bracketing step (km); each further step doubles, > 0.
        resolution_km: width of the final bracket (km), > 0.

    Returns:
        The :class:`Reach`.

    Raises:
        ValueError: a bad argument, or ``start_km`` does not qualify.
    """
    for name, value in (
        ("start_km", start_km),
        ("first_step_km", first_step_km),
        ("resolution_km", resolution_km),
    ):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name}={value!r} must be finite and > 0")
    if not (math.isfinite(max_km) and max_km > start_km):
        raise ValueError(f"max_km={max_km!r} must be finite and > start_km={start_km!r}")
    evaluations = 1
    if not qualifies(start_km):
        raise ValueError(f"start_km={start_km!r} does not qualify; start from one that does")
    good, bad, step = start_km, None, first_step_km
    while bad is None and good < max_km:
        trial = min(good + step, max_km)
        evaluations += 1
        if qualifies(trial):
            good, step = trial, 2 * step
        else:
            bad = trial
    while bad is not None and bad - good > resolution_km:
        middle = good + resolution_km * max(1, math.floor((bad - good) / (2 * resolution_km)))
        evaluations += 1
        if qualifies(middle):
            good = middle
        else:
            bad = middle
    return Reach(distance_km=good, first_failing_km=bad, evaluations=evaluations)
