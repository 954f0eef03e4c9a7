"""What a sweep evaluates: its parameters, how their values combine into points, its outputs.

A sweep is a grid (the Cartesian product of its axes: 1-D, 2-D, N-D), a zip (the axes taken
element by element: a list of points), or a Sobol or Latin-hypercube sample of ranges
(``scipy.stats.qmc``). Every value is rounded to 12 significant digits when the points are
made, so a point's overrides are the same inputs on every machine and a rerun finds them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qkdchip.records import Record
from qkdchip.sweep.outputs import parse_outputs
from qkdchip.sweep.scenario import Scalar
from qkdchip.validation import check_choice, check_range
from qkdchip.values import convert_value

if TYPE_CHECKING:
    from qkdchip.sweep.scenario import BaseScenario

DESIGNS: tuple[str, ...] = ("grid", "zip", "sobol", "lhs")
"""How axes combine: Cartesian product, element by element, Sobol or Latin-hypercube sample."""
SAMPLERS: tuple[str, ...] = ("sobol", "lhs")
"""The designs that sample ranges."""
MAX_POINTS = 1_000_000
"""Most points one sweep holds."""
VALUE_DIGITS = 12
"""Significant digits a generated value keeps (the cache keys' rounding)."""


def _round(value: float) -> float:
    return float(f"{value:.{VALUE_DIGITS}g}")


def grid_values(start: float, stop: float, n: int) -> tuple[float, ...]:
    """``n`` evenly spaced values from ``start`` to ``stop`` (both included), rounded."""
    check_range("n", n, 1, MAX_POINTS)
    if n == 1:
        return (_round(start),)
    step = (stop - start) / (n - 1)
    return (*(_round(start + k * step) for k in range(n - 1)), _round(stop))


@dataclass(frozen=True)
class Axis(Record):
    """One swept parameter.

    Attributes:
        path: the parameter (``design.ring.gap_um``, ``fibre.loss_db_per_km``, ``seed``).
        values: its values (grid and zip designs; a single value is a fixed override in any
            design).
        low, high: the range a sampling design draws from (in the parameter's unit); an
            integer parameter is rounded to the nearest integer.
    """

    path: str
    values: tuple[Scalar, ...] = ()
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        if not self.path:
            raise ValueError("path='' must name a scenario key, e.g. fibre.loss_db_per_km")
        ranged = self.low is not None or self.high is not None
        if ranged == bool(self.values):
            raise ValueError(
                f"axis {self.path}: give either values or a range (low and high), not "
                f"{'both' if ranged else 'neither'}"
            )
        if ranged:
            if self.low is None or self.high is None:
                raise ValueError(f"axis {self.path}: a range needs both low and high")
            check_range(f"{self.path} low", self.low)
            check_range(f"{self.path} high", self.high, self.low, low_open=True)

    @property
    def is_range(self) -> bool:
        """Whether this axis is a range to sample."""
        return not self.values

    @classmethod
    def parse(cls, text: str, base: BaseScenario) -> Axis:
        """An axis from command-line text.

        ``PATH=START:STOP:N`` (N evenly spaced values), ``PATH=LOW:HIGH`` (a range to sample),
        ``PATH=V1,V2,...`` (a list; one value is a fixed override). Words and true/false
        parameters take lists only.

        Raises:
            ValueError: the text, the path or a value is malformed (the message names it).
        """
        path, sep, spec = (part.strip() for part in text.partition("="))
        if not sep or not path or not spec:
            raise ValueError(
                f"--param {text!r} must look like PATH=START:STOP:N, PATH=LOW:HIGH or "
                "PATH=V1,V2,..."
            )
        kind = base.kind(path)
        parts = spec.split(":")
        if kind in (int, float) and len(parts) in (2, 3):
            numbers = [base.convert(path, p.strip()) for p in parts[:2]]
            if len(parts) == 2:
                return cls(path=path, low=float(numbers[0]), high=float(numbers[1]))
            count = convert_value(f"--param {path} N", parts[2].strip(), int)
            values = grid_values(float(numbers[0]), float(numbers[1]), count)
            return cls(path=path, values=tuple(base.convert(path, v) for v in values))
        return cls(path=path, values=tuple(base.convert(path, v.strip()) for v in spec.split(",")))


@dataclass(frozen=True)
class SweepSpec(Record):
    """A whole sweep: the scenario, the parameters, how they combine, the outputs.

    Attributes:
        scenario: a shipped scenario name or a scenario ``.toml`` path.
        axes: the parameters (their paths must differ).
        outputs: output names (:mod:`qkdchip.sweep.outputs`), e.g. ``fsr_ghz``,
            ``total_key_rate_bps@370km`` (kept in that spelling: ``@370`` becomes ``@370km``).
        design: ``grid``, ``zip``, ``sobol`` or ``lhs``.
        samples: points a sampling design draws (a power of two for ``sobol``).
        seed: seed of the sampling design's scrambling.
    """

    scenario: str
    axes: tuple[Axis, ...]
    outputs: tuple[str, ...]
    design: str = "grid"
    samples: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        check_choice("design", self.design, DESIGNS)
        if not self.axes:
            raise ValueError("axes=() must hold at least one parameter")
        if not self.outputs:
            raise ValueError("outputs=() must name at least one output")
        columns = tuple(r.column for r in parse_outputs(self.outputs))
        object.__setattr__(self, "outputs", columns)  # one spelling: NAME or NAME@Dkm
        paths = [a.path for a in self.axes]
        if len(set(paths)) != len(paths):
            raise ValueError(f"axes: a parameter is given twice: {paths}")
        check_range("seed", self.seed, 0, 2**63, high_open=True)
        if self.design in SAMPLERS:
            check_range("samples", self.samples, 1, MAX_POINTS)
            if self.design == "sobol" and self.samples & (self.samples - 1):
                raise ValueError(
                    f"samples={self.samples!r} is not allowed for sobol; allowed values: powers "
                    "of two (1, 2, 4, ..., 1024, ...), which keep the sample balanced"
                )
            for axis in self.axes:
                if not axis.is_range and len(axis.values) > 1:
                    raise ValueError(
                        f"axis {axis.path}: a {self.design} sample takes ranges (LOW:HIGH) or "
                        f"one fixed value, not {len(axis.values)} values"
                    )
            if not any(a.is_range for a in self.axes):
                raise ValueError(f"design={self.design!r} needs at least one range (LOW:HIGH)")
            return
        ranges = [a.path for a in self.axes if a.is_range]
        if ranges:
            raise ValueError(
                f"axis {ranges[0]}: a range (LOW:HIGH) is sampled; use design sobol or lhs, or "
                "give START:STOP:N"
            )
        if self.design == "zip":
            lengths = {len(a.values) for a in self.axes if len(a.values) > 1}
            if len(lengths) > 1:
                raise ValueError(
                    f"design='zip' takes axes of one length (or one value); got lengths "
                    f"{[len(a.values) for a in self.axes]}"
                )
        count = math.prod(len(a.values) for a in self.axes)
        if self.design == "grid" and count > MAX_POINTS:
            raise ValueError(f"the grid has {count} points; at most {MAX_POINTS} are allowed")

    @property
    def varying(self) -> tuple[Axis, ...]:
        """The axes that take more than one value (a plot's dimensions)."""
        return tuple(a for a in self.axes if a.is_range or len(a.values) > 1)

    def points(self, base: BaseScenario) -> list[dict[str, Scalar]]:
        """Every point's overrides (parameter path -> value typed as its scenario key), in
        order: a grid varies its last axis fastest."""
        if self.design in SAMPLERS:
            return self._sampled(base)
        if self.design == "zip":
            n = max(len(a.values) for a in self.axes)
            rows: Sequence[tuple[Scalar, ...]] = [
                tuple(a.values[k] if len(a.values) > 1 else a.values[0] for a in self.axes)
                for k in range(n)
            ]
        else:
            import itertools

            rows = list(itertools.product(*(a.values for a in self.axes)))
        return [
            {a.path: base.convert(a.path, v) for a, v in zip(self.axes, row, strict=True)}
            for row in rows
        ]

    def _sampled(self, base: BaseScenario) -> list[dict[str, Scalar]]:
        import numpy as np
        from scipy.stats import qmc

        ranged = [a for a in self.axes if a.is_range]
        kinds = {a.path: base.kind(a.path) for a in ranged}
        for path, kind in kinds.items():
            if kind not in (int, float):
                raise ValueError(
                    f"axis {path}: a range takes a number parameter; {path} is a {kind.__name__}"
                )
        rng = np.random.default_rng(self.seed)
        if self.design == "sobol":
            engine = qmc.Sobol(len(ranged), scramble=True, rng=rng)
            unit = engine.random_base2(int(math.log2(self.samples)))
        else:
            unit = qmc.LatinHypercube(len(ranged), rng=rng).random(self.samples)
        scaled = qmc.scale(unit, [a.low for a in ranged], [a.high for a in ranged])
        points = []
        for row in scaled:
            drawn = dict(zip((a.path for a in ranged), row.tolist(), strict=True))
            point: dict[str, Scalar] = {}
            for axis in self.axes:
                if axis.is_range:
                    value = drawn[axis.path]
                    point[axis.path] = round(value) if kinds[axis.path] is int else _round(value)
                else:
                    point[axis.path] = base.convert(axis.path, axis.values[0])
            points.append(point)
        return points
