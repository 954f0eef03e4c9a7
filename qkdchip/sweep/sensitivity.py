"""Sensitivity of sweep outputs to design fields: central finite differences through the flow.

For N fields the analysis evaluates 2N+1 points with the sweep engine (so dask runs them, the
stage cache serves what they share, and a rerun reads them from the results file): the
scenario's nominal design, and each field one step below and above it, every other field
nominal. A field's step is one sigma of the process parameter that sets it
(:data:`qkdchip.sweep.tolerances.TOLERANCES`), or a step given for it. Each output then gets

* the derivative ``(f(x+h) - f(x-h)) / 2h`` in output unit per field unit (one-sided, against
  the nominal point, where one of the two points failed);
* the change per step, ``derivative * h``: how much one sigma of fabrication error moves the
  output, the number the fields are ranked by (largest magnitude first).

A point that fails is reported with its error; the fields it does not touch still rank.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qkdchip.atomic import atomic_write, atomic_write_figure
from qkdchip.records import Record
from qkdchip.sweep.outputs import OutputRequest, Value, parse_outputs
from qkdchip.sweep.scenario import BaseScenario, Scalar
from qkdchip.sweep.spec import VALUE_DIGITS, Axis, SweepSpec
from qkdchip.sweep.tolerances import TOLERANCES, path_unit, tolerance_of
from qkdchip.validation import check_choice, check_range

if TYPE_CHECKING:
    from distributed import Client

    from qkdchip.flow import Stage
    from qkdchip.sweep.engine import SweepResult
    from qkdchip.sweep.points import PointResult

METHODS: tuple[str, ...] = ("central", "forward", "backward", "none")
"""How a derivative was taken: both neighbours, the upper one and the nominal point, the lower
one and the nominal point, or not at all (``error`` says why)."""
SIDES: tuple[int, ...] = (-1, 1)
"""The two neighbours of the nominal point: one step below, one step above."""


def rounded(value: float) -> float:
    """``value`` rounded to the sweep's significant digits (the cache keys' rounding)."""
    return float(f"{value:.{VALUE_DIGITS}g}")


def parameter_value(base: BaseScenario, path: str) -> Scalar:
    """The value of parameter ``path`` in the scenario ``base`` (its default where the file
    does not set it).

    Raises:
        ValueError: ``path`` names no scalar key of the scenario.
    """
    base.kind(path)
    node: Any = base.scenario
    for part in path.split("."):
        names = {f.name.rstrip("_"): f.name for f in dataclasses.fields(node)}
        node = getattr(node, names[part])
    return node


@dataclass(frozen=True)
class FieldStep(Record):
    """A field of the analysis and its step.

    Attributes:
        path: the field (``design.ring.gap_um``, or any number parameter of the scenario).
        step: its step h, in its unit (> 0; a whole number for an integer parameter).
        unit: its unit.
        source: where the step comes from (a process statistic's sigma, or ``given``).
        linked: fields that move with it (the same value at every point).
    """

    path: str
    step: float
    unit: str
    source: str
    linked: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_range(f"step of {self.path}", self.step, 0.0, low_open=True)

    @property
    def paths(self) -> tuple[str, ...]:
        """The field and the fields linked to it."""
        return (self.path, *self.linked)

    @property
    def is_sigma(self) -> bool:
        """Whether the step is one sigma of fabrication error (not a given step)."""
        return self.source != GIVEN


GIVEN = "given"
"""The source of a step given by the user."""


def field_steps(
    *, fields: Sequence[str] = (), steps: Mapping[str, float] | None = None
) -> tuple[FieldStep, ...]:
    """The fields of an analysis and their steps.

    Args:
        fields: fields to analyse with their tabulated tolerance.
        steps: field -> step (its unit); these fields are analysed too, with that step.
            With neither, every field of :data:`~qkdchip.sweep.tolerances.TOLERANCES`.

    Raises:
        ValueError: a field without a tabulated tolerance and no step, or a step <= 0.
    """
    steps = dict(steps or {})
    chosen = list(dict.fromkeys([*fields, *steps])) or list(TOLERANCES)
    out: dict[str, FieldStep] = {}
    for path in chosen:
        tolerance = tolerance_of(path)
        if path in steps:
            check_range(f"step of {path}", steps[path], 0.0, low_open=True)
            step, source = float(steps[path]), GIVEN
        elif tolerance is not None:
            step, source = tolerance.sigma, tolerance.source
        else:
            raise ValueError(
                f"field {path!r} has no fabrication tolerance in the table; give its step "
                f"(--step {path}=VALUE); tabulated fields: {', '.join(TOLERANCES)}"
            )
        primary = path if tolerance is None else tolerance.path
        if primary in out:
            raise ValueError(f"field {path!r} is given twice (it moves with {primary})")
        out[primary] = FieldStep(
            path=primary,
            step=step,
            unit=path_unit(path) if tolerance is None else tolerance.unit,
            source=source,
            linked=() if tolerance is None else tolerance.linked,
        )
    return tuple(out.values())


@dataclass(frozen=True)
class SensitivitySpec(Record):
    """A sensitivity analysis.

    Attributes:
        scenario: a shipped scenario name or a scenario ``.toml`` path (its values are the
            nominal point).
        fields: the fields and their steps (:func:`field_steps`).
        outputs: output columns (:mod:`qkdchip.sweep.outputs`), e.g. ``chip_yield``,
            ``total_key_rate_bps@370km``.
    """

    scenario: str
    fields: tuple[FieldStep, ...]
    outputs: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.fields:
            raise ValueError("fields=() must hold at least one field")
        if not self.outputs:
            raise ValueError("outputs=() must name at least one output")
        object.__setattr__(self, "outputs", tuple(r.column for r in parse_outputs(self.outputs)))
        paths = [p for f in self.fields for p in f.paths]
        if len(set(paths)) != len(paths):
            raise ValueError(f"fields: a parameter is given twice: {paths}")

    @property
    def labels(self) -> tuple[tuple[str, int], ...]:
        """Each point's (field, side): ``("", 0)`` the nominal point, then every field at -1
        and +1 step, in the order of :attr:`fields`."""
        return (("", 0), *((f.path, side) for f in self.fields for side in SIDES))

    def sweep(self, base: BaseScenario) -> SweepSpec:
        """The 2N+1 points as a sweep (a zip of one axis per field and linked field).

        Raises:
            ValueError: a field that is not a number parameter of the scenario.
        """
        columns: dict[str, list[Scalar]] = {}
        for field in self.fields:
            kind = base.kind(field.path)
            if kind not in (int, float):
                raise ValueError(
                    f"field {field.path!r} is a {kind.__name__}; a sensitivity takes numbers"
                )
            if kind is int and not float(field.step).is_integer():
                raise ValueError(f"step of {field.path}={field.step!r} must be a whole number")
            for path in field.paths:
                columns[path] = []
        nominal = {path: parameter_value(base, path) for path in columns}
        for name, side in self.labels:
            for field in self.fields:
                moved = field.path == name
                for path in field.paths:
                    value = nominal[path]
                    if moved:
                        value = _shifted(value, side * field.step)
                    columns[path].append(value)
        axes = tuple(Axis(path, tuple(values)) for path, values in columns.items())
        return SweepSpec(self.scenario, axes, self.outputs, design="zip")


def _shifted(value: Scalar, delta: float) -> Scalar:
    if isinstance(value, int) and not isinstance(value, bool):
        return value + round(delta)
    return rounded(float(value) + delta)


@dataclass(frozen=True)
class Sensitivity(Record):
    """The sensitivity of one output to one field.

    Attributes:
        output: the output column; output_unit: its unit.
        path: the field; unit: its unit; linked: the fields that moved with it.
        nominal: the field's nominal value; step: its step h (one sigma unless given).
        step_source: where the step comes from.
        value_minus, value_nominal, value_plus: the output at x-h, x and x+h (None where the
            point failed or the quantity does not exist).
        derivative: d output / d field, output unit per field unit.
        change_per_step: derivative x h: the output's change for one step.
        relative_change: change_per_step / |value_nominal| (None where that is 0 or missing).
        method: ``central``, ``forward``, ``backward`` or ``none``.
        rank: 1 for the largest |change_per_step| of the output, ...; None without one.
        error: why there is no central derivative (None when there is one).
    """

    output: str
    output_unit: str
    path: str
    unit: str
    linked: tuple[str, ...]
    nominal: float
    step: float
    step_source: str
    value_minus: float | None
    value_nominal: float | None
    value_plus: float | None
    derivative: float | None
    change_per_step: float | None
    relative_change: float | None
    method: str
    rank: int | None = None
    error: str | None = None

    derived = ("derivative_unit",)

    def __post_init__(self) -> None:
        check_choice("method", self.method, METHODS)

    @property
    def derivative_unit(self) -> str:
        """The derivative's unit: ``bit/s per µm``, ``per nm`` (an output without a unit),
        ``V`` (a field without one)."""
        return f"{self.output_unit} per {self.unit}".strip() if self.unit else self.output_unit


@dataclass(frozen=True)
class FailedPoint(Record):
    """A point of the analysis that failed.

    Attributes:
        field: the field moved ("" for the nominal point); side: -1, 0 or +1 step.
        inputs: the point's overrides.
        error: why it failed.
    """

    field: str
    side: int
    inputs: dict[str, Scalar]
    error: str


@dataclass(frozen=True)
class SensitivityResult:
    """A finished sensitivity analysis.

    Attributes:
        spec: what was analysed.
        rows: every (output, field) pair, each output's fields ranked (failed ones last).
        failed: the points that failed.
        sweep: the sweep of the 2N+1 points (its ``path`` is the points' results file).
    """

    spec: SensitivitySpec
    rows: tuple[Sensitivity, ...]
    failed: tuple[FailedPoint, ...]
    sweep: SweepResult

    def ranking(self, output: str) -> tuple[Sensitivity, ...]:
        """The rows of ``output`` (a column, ``NAME`` or ``NAME@Dkm``), most sensitive first."""
        column = OutputRequest.parse(output).column
        check_choice("output", column, self.spec.outputs)
        return tuple(r for r in self.rows if r.output == column)

    def most_sensitive(self, output: str) -> Sensitivity | None:
        """The field that moves ``output`` most per step, or None when none has a change."""
        first = self.ranking(output)[0]
        return first if first.rank is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The analysis as JSON types."""
        return {
            "scenario": self.spec.scenario,
            "outputs": list(self.spec.outputs),
            "fields": [f.to_dict() for f in self.spec.fields],
            "rows": [r.to_dict() for r in self.rows],
            "failed_points": [p.to_dict() for p in self.failed],
            "points_file": str(self.sweep.path),
            "computed": self.sweep.computed,
            "reused": self.sweep.reused,
        }


def run_sensitivity(
    spec: SensitivitySpec,
    points: str | Path,
    *,
    flow_dir: str | Path,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    stages: Sequence[Stage] | None = None,
    offline: bool = False,
    mpi_processes: int = 1,
    retry_failed: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_point: Callable[[PointResult], None] | None = None,
) -> SensitivityResult:
    """Evaluate the 2N+1 points of ``spec`` with the sweep engine and rank the fields.

    Args:
        spec: the analysis.
        points: the sweep results file of its points (reused by a rerun).
        flow_dir: as :func:`qkdchip.sweep.engine.run_sweep`.
        client: as :func:`qkdchip.sweep.engine.run_sweep`.
        scheduler: as :func:`qkdchip.sweep.engine.run_sweep`.
        workers: as :func:`qkdchip.sweep.engine.run_sweep`.
        stages: as :func:`qkdchip.sweep.engine.run_sweep`.
        offline: as :func:`qkdchip.sweep.engine.run_sweep`.
        mpi_processes: as :func:`qkdchip.sweep.engine.run_sweep`.
        retry_failed: as :func:`qkdchip.sweep.engine.run_sweep`.
        on_start: as :func:`qkdchip.sweep.engine.run_sweep`.
        on_point: as :func:`qkdchip.sweep.engine.run_sweep`.

    Returns:
        The :class:`SensitivityResult`.
    """
    from qkdchip.sweep.engine import run_sweep

    base = BaseScenario.load(spec.scenario)
    sweep = spec.sweep(base)
    keys = [base.point_key(p) for p in sweep.points(base)]
    result = run_sweep(
        sweep,
        points,
        flow_dir=flow_dir,
        client=client,
        scheduler=scheduler,
        workers=workers,
        stages=stages,
        offline=offline,
        mpi_processes=mpi_processes,
        retry_failed=retry_failed,
        on_start=on_start,
        on_point=on_point,
    )
    by_key = {p.point_key: p for p in result.points}
    at = {label: by_key[key] for label, key in zip(spec.labels, keys, strict=True)}
    failed = tuple(
        FailedPoint(field=name, side=side, inputs=dict(p.inputs), error=p.error or "failed")
        for (name, side), p in at.items()
        if p.status == "failed"
    )
    units = {r.column: r.output.unit for r in parse_outputs(spec.outputs)}
    rows: list[Sensitivity] = []
    for output in spec.outputs:
        column = [
            _sensitivity(field, output, units[output], at, parameter_value(base, field.path))
            for field in spec.fields
        ]
        rows += _ranked(column)
    return SensitivityResult(spec=spec, rows=tuple(rows), failed=failed, sweep=result)


def _value(point: PointResult, output: str) -> float | None:
    value: Value = point.outputs.get(output) if point.status == "ok" else None
    return None if value is None else float(value)


def _missing(point: PointResult, output: str, where: str) -> str:
    if point.status == "failed":
        return f"{where}: {point.error}"
    return f"{where}: {output} has no value"


def _sensitivity(
    field: FieldStep,
    output: str,
    unit: str,
    at: Mapping[tuple[str, int], PointResult],
    nominal: Scalar,
) -> Sensitivity:
    """The derivative of ``output`` by ``field`` from the points ``at`` (label -> point)."""
    centre, minus, plus = at[("", 0)], at[(field.path, -1)], at[(field.path, 1)]
    x0 = float(nominal)
    xm, xp = float(minus.inputs[field.path]), float(plus.inputs[field.path])
    f0, fm, fp = _value(centre, output), _value(minus, output), _value(plus, output)
    derivative: float | None = None
    method, error = "none", None
    if fm is not None and fp is not None:
        derivative, method = (fp - fm) / (xp - xm), "central"
    elif f0 is not None and fp is not None:
        derivative, method = (fp - f0) / (xp - x0), "forward"
    elif f0 is not None and fm is not None:
        derivative, method = (f0 - fm) / (x0 - xm), "backward"
    if method != "central":
        sides = ((minus, "-1 step", fm), (plus, "+1 step", fp), (centre, "nominal", f0))
        gone = [_missing(p, output, where) for p, where, v in sides if v is None]
        error = "; ".join(gone)
    change = None if derivative is None else derivative * field.step
    relative = None
    if change is not None and f0 is not None and f0 != 0.0:
        relative = change / abs(f0)
    return Sensitivity(
        output=output,
        output_unit=unit,
        path=field.path,
        unit=field.unit,
        linked=field.linked,
        nominal=x0,
        step=field.step,
        step_source=field.source,
        value_minus=fm,
        value_nominal=f0,
        value_plus=fp,
        derivative=derivative,
        change_per_step=change,
        relative_change=relative,
        method=method,
        error=error,
    )


def _ranked(rows: Sequence[Sensitivity]) -> list[Sensitivity]:
    """``rows`` of one output, by |change per step| (largest first), those without one last."""
    have = sorted(
        (r for r in rows if r.change_per_step is not None),
        key=lambda r: -abs(r.change_per_step),  # type: ignore[arg-type]
    )
    ranked = [dataclasses.replace(r, rank=k) for k, r in enumerate(have, start=1)]
    return ranked + [r for r in rows if r.change_per_step is None]


# ------------------------------------------------------------------------------------ files
TABLE_COLUMNS: tuple[tuple[str, type], ...] = (
    ("output", str), ("output_unit", str), ("rank", int), ("path", str), ("unit", str),
    ("linked", str), ("nominal", float), ("step", float), ("step_source", str),
    ("value_minus", float), ("value_nominal", float), ("value_plus", float),
    ("derivative", float), ("derivative_unit", str), ("change_per_step", float),
    ("relative_change", float), ("method", str), ("error", str),
)  # fmt: skip
"""The ranked table's columns and their types (``linked``: the linked fields, comma-separated)."""


def table_rows(result: SensitivityResult) -> list[dict[str, Any]]:
    """The ranked table as rows (column -> value)."""
    rows = []
    for row in result.rows:
        data = row.to_dict()
        data["linked"] = ",".join(row.linked)
        rows.append({name: data[name] for name, _ in TABLE_COLUMNS})
    return rows


def write_table(result: SensitivityResult, path: str | Path) -> tuple[Path, Path]:
    """Write the ranked table to ``path`` (Parquet, with the analysis in its schema metadata
    ``qkdchip.sensitivity``) and beside it as CSV, atomically; returns both paths."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    types = {str: pa.string(), int: pa.int64(), float: pa.float64()}
    meta = {k: v for k, v in result.to_dict().items() if k != "rows"}
    schema = pa.schema(
        [(name, types[kind]) for name, kind in TABLE_COLUMNS],
        metadata={b"qkdchip.sensitivity": json.dumps(meta, sort_keys=True)},
    )
    table = pa.Table.from_pylist(table_rows(result), schema=schema)
    parquet = atomic_write(path, lambda tmp: pq.write_table(table, tmp))
    csv = atomic_write(Path(path).with_suffix(".csv"), lambda tmp: pacsv.write_csv(table, tmp))
    return parquet, csv


def default_name(outputs: Sequence[str]) -> str:
    """A file name from the output columns (``total_key_rate_bps_370km+chip_yield``)."""
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", "+".join(outputs).replace("@", "_"))[:120]


# ------------------------------------------------------------------------------------- plot
def _bar_label(row: Sensitivity) -> str:
    sigma = "1σ" if row.step_source != GIVEN else "step"
    linked = f" (+{len(row.linked)} linked)" if row.linked else ""
    return f"{row.path}{linked}\n±{row.step:.3g} {row.unit} ({sigma})".rstrip()


def _draw_tornado(ax: Any, rows: Sequence[Sensitivity]) -> None:
    """One output's bars: the change at -1 and +1 step against the nominal value, largest
    on top; a field without a derivative is a labelled gap."""
    import numpy as np

    low, high = [], []
    for row in rows:
        d = row.derivative
        f0 = row.value_nominal
        if d is None:
            low.append(np.nan)
            high.append(np.nan)
            continue
        minus = row.value_minus - f0 if row.value_minus is not None and f0 is not None else None
        plus = row.value_plus - f0 if row.value_plus is not None and f0 is not None else None
        low.append(-d * row.step if minus is None else minus)
        high.append(d * row.step if plus is None else plus)
    y = np.arange(len(rows))[::-1]
    ax.barh(y, low, color="tab:blue", label="-1 step")
    ax.barh(y, high, color="tab:orange", label="+1 step")
    ax.axvline(0.0, color="black", lw=0.8)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_yticks(y, [_bar_label(r) for r in rows], fontsize=7)
    for k, row in zip(y, rows, strict=True):
        if row.derivative is None:
            ax.text(0.0, k, "  no derivative: point failed", va="center", fontsize=7, color="red")
    ax.grid(axis="x", alpha=0.3)


def plot_tornado(result: SensitivityResult, path: str | Path, *, dpi: int = 200) -> Path:
    """Draw a tornado plot of every output (one panel each) to ``path`` (format from its
    suffix), atomically."""
    from matplotlib.figure import Figure

    outputs = result.spec.outputs
    n_fields = len(result.spec.fields)
    height = sum(1.0 + 0.45 * n_fields for _ in outputs) + 0.6
    fig = Figure(figsize=(7.2, height), layout="constrained")
    axes = fig.subplots(len(outputs), 1, squeeze=False)[:, 0]
    for ax, output in zip(axes, outputs, strict=True):
        rows = result.ranking(output)
        _draw_tornado(ax, rows)
        unit = rows[0].output_unit
        nominal = rows[0].value_nominal
        at = "" if nominal is None else f" (nominal {nominal:.4g}{' ' + unit if unit else ''})"
        ax.set_xlabel(f"change of {output}{f' ({unit})' if unit else ''}{at}", fontsize=8)
        ax.set_ylabel("field (step)", fontsize=8)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(f"sensitivity of {Path(result.spec.scenario).stem}", fontsize=10)
    return atomic_write_figure(path, fig, dpi=dpi, metadata=_metadata(path))


def _metadata(path: str | Path) -> dict[str, Any]:
    """Figure metadata without a date, so the same figure gives the same bytes."""
    return {"Date": None} if Path(path).suffix.lower() == ".svg" else {}
