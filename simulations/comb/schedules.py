"""Detuning and pump schedules in normalised time, batched over parameter points.

A schedule maps normalised times tau (shape (K,)) to values of shape (K, B): one column per
batch member (B = 1 for a single trajectory).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

__all__ = ["PiecewiseLinear", "Schedule", "as_schedule", "linear_sweep"]


@dataclass(frozen=True, eq=False)
class PiecewiseLinear:
    """Piecewise-linear schedule, held constant outside its time range.

    Attributes:
        times: increasing knot times (K,), normalised.
        values: knot values, shape (K,) for one schedule or (K, B) for a batch.
    """

    times: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        t = np.asarray(self.times, dtype=float)
        v = np.asarray(self.values, dtype=float)
        if v.ndim == 1:
            v = v[:, None]
        if t.ndim != 1 or t.size < 1 or v.ndim != 2 or v.shape[0] != t.size:
            raise ValueError(
                f"times has shape {t.shape} and values {np.shape(self.values)}; "
                "need (K,) and (K,) or (K, B)"
            )
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
            raise ValueError("schedule times and values must be finite")
        if np.any(np.diff(t) <= 0):
            raise ValueError("schedule times must be strictly increasing")
        object.__setattr__(self, "times", t)
        object.__setattr__(self, "values", v)
        object.__setattr__(self, "_knots", t.tolist())
        if t.size > 1:
            cumulative = np.concatenate(
                [
                    np.zeros((1, v.shape[1])),
                    np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(t)[:, None], 0),
                ]
            )
        else:
            cumulative = np.zeros((1, v.shape[1]))
        object.__setattr__(self, "_cumulative", cumulative)

    @property
    def integral_at_knots(self) -> np.ndarray:
        """Exact integral of the schedule from its first knot to each knot, (K, B)."""
        return self._cumulative

    def antiderivative(self, tau: float) -> np.ndarray:
        """Exact integral of the schedule from its first knot to tau, shape (B,).

        Before the first knot and after the last one the schedule is constant.
        """
        knots = self._knots
        if tau <= knots[0] or len(knots) == 1:
            return self.values[0] * (tau - knots[0])
        if tau >= knots[-1]:
            return self._cumulative[-1] + self.values[-1] * (tau - knots[-1])
        i = bisect.bisect_right(knots, tau) - 1
        x = tau - knots[i]
        slope = (self.values[i + 1] - self.values[i]) / (knots[i + 1] - knots[i])
        return self._cumulative[i] + self.values[i] * x + 0.5 * slope * x * x

    def at(self, tau: float) -> np.ndarray:
        """Values at one time, shape (B,) (fast path for step-by-step integrators)."""
        knots = self._knots
        if tau <= knots[0] or len(knots) == 1:
            return self.values[0]
        if tau >= knots[-1]:
            return self.values[-1]
        i = bisect.bisect_right(knots, tau) - 1
        w = (tau - knots[i]) / (knots[i + 1] - knots[i])
        return self.values[i] + w * (self.values[i + 1] - self.values[i])

    @property
    def batch(self) -> int:
        """Number of batch columns B."""
        return int(self.values.shape[1])

    def __call__(self, tau: np.ndarray) -> np.ndarray:
        """Values at times tau, shape (K, B)."""
        tau = np.atleast_1d(np.asarray(tau, dtype=float))
        if self.times.size == 1:
            return np.broadcast_to(self.values[0], (tau.size, self.batch)).copy()
        index = np.clip(np.searchsorted(self.times, tau, side="right") - 1, 0, self.times.size - 2)
        t0 = self.times[index]
        w = np.clip((tau - t0) / (self.times[index + 1] - t0), 0.0, 1.0)[:, None]
        return (1.0 - w) * self.values[index] + w * self.values[index + 1]

    def extrema(self) -> tuple[float, float]:
        """Smallest and largest value the schedule takes."""
        return float(self.values.min()), float(self.values.max())


Schedule = PiecewiseLinear


def as_schedule(value: PiecewiseLinear | float | np.ndarray, name: str) -> PiecewiseLinear:
    """A schedule from a schedule, a constant, or one constant per batch member.

    Args:
        value: schedule, scalar or 1-D array (one constant per batch member).
        name: parameter name used in error messages.
    """
    if isinstance(value, PiecewiseLinear):
        return value
    arr = np.asarray(value, dtype=float)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a schedule, a number or a 1-D array, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}={value!r} must be finite")
    return PiecewiseLinear(np.array([0.0]), arr.reshape(1, -1))


def linear_sweep(
    start: float | np.ndarray,
    stop: float | np.ndarray,
    *,
    duration: float,
    t_start: float = 0.0,
) -> PiecewiseLinear:
    """A linear ramp from start to stop over [t_start, t_start + duration], then held.

    Args:
        start: initial value (scalar or (B,)).
        stop: final value (scalar or (B,)).
        duration: ramp duration in normalised time (> 0).
        t_start: ramp start time.
    """
    if not np.isfinite(duration) or duration <= 0:
        raise ValueError(f"duration={duration!r} must be finite and > 0")
    a, b = np.broadcast_arrays(np.asarray(start, float), np.asarray(stop, float))
    return PiecewiseLinear(
        np.array([t_start, t_start + duration]), np.stack([np.ravel(a), np.ravel(b)])
    )
