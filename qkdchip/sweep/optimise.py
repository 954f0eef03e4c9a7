"""Design optimisation: the design fields, within bounds, that give the best objective under
constraints, each evaluation a sweep point on dask.

The optimiser is :func:`scipy.optimize.differential_evolution` with a fixed seed: its
population is evaluated a generation at a time, the generation's points going to the sweep
engine together (``workers`` mapped onto dask), so they run in parallel, land in one results
file and are read back, not computed again, by a rerun or by any other sweep of the same
scenario. Points are rounded to 12 significant digits like every sweep point; for a given seed,
scenario and results the run is deterministic.

The objective is an output column or a product of them (``total_key_rate_bps@370km*chip_yield``:
the key rate the yield-weighted chips give), maximised or minimised. Constraints compare an
output with a number (``d2_khz<0``, ``29.9<fsr_ghz<30.2``). Differential evolution sees a
penalty: an infeasible point ranks after every feasible one, by how far it misses (relative to
the bound); a point that fails, or lacks an output, ranks after those.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qkdchip.atomic import atomic_write, atomic_write_figure
from qkdchip.records import Record
from qkdchip.sweep.outputs import OutputRequest, Value, parse_outputs
from qkdchip.sweep.scenario import BaseScenario, Scalar
from qkdchip.sweep.sensitivity import rounded
from qkdchip.sweep.spec import Axis, SweepSpec
from qkdchip.sweep.tolerances import path_unit
from qkdchip.validation import check_choice, check_range

if TYPE_CHECKING:
    import numpy as np
    from distributed import Client

    from qkdchip.flow import Stage
    from qkdchip.sweep.points import PointResult

SENSES: tuple[str, ...] = ("maximise", "minimise")
"""Whether the objective is to be made large or small."""
OPERATORS: tuple[str, ...] = ("<", "<=", ">", ">=")
"""Comparisons a constraint may make."""
MAX_BUDGET = 100_000
"""Most evaluations one optimisation makes."""
INFEASIBLE_ENERGY = 1e20
"""Penalty of an infeasible point (times 1 + its relative violation): above any feasible one."""
FAILED_ENERGY = 1e30
"""Penalty of a point that failed or lacks an output: above every infeasible one."""
MAX_VIOLATION = 1e6
"""Largest relative violation the penalty tells apart."""
PHASES: tuple[str, ...] = ("evolution", "polish")
"""Where an evaluation comes from: a generation of differential evolution, or the compass
search that polishes its best point."""
EVOLUTION_SHARE = 2 / 3
"""Share of the budget differential evolution spends; the compass search has the rest."""


@dataclass(frozen=True)
class Bound(Record):
    """A design field the optimiser varies, and its range.

    Attributes:
        path: the parameter (``design.ring.gap_um``; any number parameter of the scenario).
        low, high: its range, in its unit (low < high).
    """

    path: str
    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.path:
            raise ValueError("path='' must name a scenario key, e.g. design.ring.gap_um")
        check_range(f"{self.path} low", self.low)
        check_range(f"{self.path} high", self.high, self.low, low_open=True)

    @classmethod
    def parse(cls, text: str) -> Bound:
        """``PATH=LOW:HIGH``.

        Raises:
            ValueError: the text is malformed (the message names it).
        """
        path, sep, spec = (part.strip() for part in text.partition("="))
        low, colon, high = spec.partition(":")
        if not sep or not path or not colon:
            raise ValueError(f"--vary {text!r} must look like PATH=LOW:HIGH")
        try:
            return cls(path=path, low=float(low), high=float(high))
        except ValueError as err:
            if "outside" in str(err):
                raise
            raise ValueError(f"--vary {text!r}: LOW and HIGH must be numbers") from None


@dataclass(frozen=True)
class Constraint(Record):
    """An output compared with a number: ``output op bound``.

    Attributes:
        output: the output column (``d2_khz``, ``total_key_rate_bps@370km``).
        op: ``<``, ``<=``, ``>`` or ``>=``.
        bound: the number, in the output's unit.
    """

    output: str
    op: str
    bound: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "output", OutputRequest.parse(self.output).column)
        check_choice("op", self.op, OPERATORS)
        check_range(f"bound of {self.output}", self.bound)

    def __str__(self) -> str:
        return f"{self.output}{self.op}{self.bound:g}"

    def satisfied(self, value: float) -> bool:
        """Whether ``value`` of the output meets the constraint."""
        return {
            "<": value < self.bound,
            "<=": value <= self.bound,
            ">": value > self.bound,
            ">=": value >= self.bound,
        }[self.op]

    def violation(self, value: float) -> float:
        """How far ``value`` misses, relative to |bound| (or absolute for a bound of 0); 0 when
        it meets the constraint (a strict bound met with equality misses by a little)."""
        if self.satisfied(value):
            return 0.0
        scale = abs(self.bound) or 1.0
        return max(abs(value - self.bound) / scale, 1e-12)


_COMPARISON = re.compile(r"(<=|>=|<|>)")
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"--constraint {where!r}: {text!r} is not a number") from None


def parse_constraints(text: str) -> tuple[Constraint, ...]:
    """``NAME<V``, ``NAME>=V``, ``V<NAME`` or ``LOW<NAME<HIGH`` (any of ``< <= > >=``).

    Raises:
        ValueError: the text is malformed or names no output (the message names it).
    """
    parts = [p.strip() for p in _COMPARISON.split(text.replace(" ", ""))]
    if len(parts) == 3:
        left, op, right = parts
        if _is_number(left):
            return (Constraint(right, _FLIPPED[op], _number(left, text)),)
        return (Constraint(left, op, _number(right, text)),)
    if len(parts) == 5 and parts[1][0] == parts[3][0]:
        low, op1, name, op2, high = parts
        return (
            Constraint(name, _FLIPPED[op1], _number(low, text)),
            Constraint(name, op2, _number(high, text)),
        )
    raise ValueError(
        f"--constraint {text!r} must look like NAME<VALUE, NAME>=VALUE or LOW<NAME<HIGH"
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_objective(text: str) -> tuple[str, ...]:
    """The output columns of an objective ``NAME`` or ``NAME*NAME*...`` (their product)."""
    names = [p for p in text.split("*") if p.strip()]
    if not names:
        raise ValueError(f"objective {text!r} must name an output, e.g. comb_lines_usable")
    return tuple(OutputRequest.parse(name).column for name in names)


@dataclass(frozen=True)
class OptimiseSpec(Record):
    """An optimisation.

    Attributes:
        scenario: a shipped scenario name or a scenario ``.toml`` path (every value not varied).
        bounds: the fields varied and their ranges (their paths differ).
        objective: output columns whose product is the objective.
        sense: ``maximise`` or ``minimise``.
        constraints: what a point must meet to count.
        budget: most evaluations, >= 5 (differential evolution's population, at least 5,
            times its generations).
        seed: seed of the optimiser, >= 0.
    """

    scenario: str
    bounds: tuple[Bound, ...]
    objective: tuple[str, ...]
    sense: str = "maximise"
    constraints: tuple[Constraint, ...] = ()
    budget: int = 30
    seed: int = 0

    def __post_init__(self) -> None:
        check_choice("sense", self.sense, SENSES)
        if not self.bounds:
            raise ValueError("bounds=() must hold at least one field to vary")
        paths = [b.path for b in self.bounds]
        if len(set(paths)) != len(paths):
            raise ValueError(f"bounds: a field is given twice: {paths}")
        if not self.objective:
            raise ValueError("objective=() must name at least one output")
        object.__setattr__(
            self, "objective", tuple(r.column for r in parse_outputs(self.objective))
        )
        check_range("budget", self.budget, 5, MAX_BUDGET)
        check_range("seed", self.seed, 0, 2**32, high_open=True)
        members = population(self.budget, len(self.bounds))[1]
        if members > self.budget:
            raise ValueError(
                f"budget={self.budget!r} is outside the allowed range [{members}, {MAX_BUDGET}] "
                f"for {len(self.bounds)} fields (one generation of {members} points)"
            )

    @property
    def outputs(self) -> tuple[str, ...]:
        """Every output a point reports: the objective's, then the constraints'."""
        columns = [*self.objective, *(c.output for c in self.constraints)]
        return tuple(dict.fromkeys(columns))

    @property
    def objective_text(self) -> str:
        """The objective as written (``total_key_rate_bps@370km*chip_yield``)."""
        return "*".join(self.objective)


def population(budget: int, n_fields: int) -> tuple[int, int, int]:
    """Differential evolution's population for ``budget`` evaluations of ``n_fields`` fields:
    (members per field, members (at least 5), generations after the first), about
    sqrt(budget/N) members per field and generations for :data:`EVOLUTION_SHARE` of the
    budget."""
    per_field = max(1, round(math.sqrt(budget / n_fields)))
    while per_field > 1 and max(5, per_field * n_fields) > budget:
        per_field -= 1
    members = max(5, per_field * n_fields)
    return per_field, members, max(0, int(budget * EVOLUTION_SHARE) // members - 1)


@dataclass(frozen=True)
class Evaluation(Record):
    """One evaluation of the optimiser.

    Attributes:
        index: its place in the run (0, 1, ...); batch: the batch of points it belongs to
            (a generation, or a step of the compass search).
        phase: ``evolution`` or ``polish``.
        point_key: the sweep point's key.
        inputs: field -> value.
        outputs: output column -> value (None where missing).
        objective: the objective (None where the point failed or an output is missing).
        feasible: whether every constraint is met.
        violation: the constraints' relative violations, summed (0 when feasible).
        status: ``ok`` or ``failed`` (the sweep point's); error: why it failed.
    """

    index: int
    batch: int
    phase: str
    point_key: str
    inputs: dict[str, Scalar]
    outputs: dict[str, Value]
    objective: float | None
    feasible: bool
    violation: float
    status: str
    error: str | None = None

    def __post_init__(self) -> None:
        check_choice("phase", self.phase, PHASES)


@dataclass(frozen=True)
class OptimiseResult:
    """A finished optimisation.

    Attributes:
        spec: what was optimised.
        evaluations: every evaluation, in order.
        best: the best feasible evaluation (the first of equals), or None without one.
        points: the sweep results file of the points.
        computed: points evaluated by this run; reused: points read from the results file.
        message: the optimiser's reason to stop.
    """

    spec: OptimiseSpec
    evaluations: tuple[Evaluation, ...]
    best: Evaluation | None
    points: Path
    computed: int
    reused: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The optimisation as JSON types (without the evaluations: see the history file)."""
        return {
            "spec": self.spec.to_dict(),
            "best": None if self.best is None else self.best.to_dict(),
            "evaluations": len(self.evaluations),
            "feasible": sum(e.feasible for e in self.evaluations),
            "failed": sum(e.status == "failed" for e in self.evaluations),
            "computed": self.computed,
            "reused": self.reused,
            "points_file": str(self.points),
            "message": self.message,
        }


def _rate(spec: OptimiseSpec, point: PointResult) -> tuple[float | None, bool, float]:
    """A point's objective, whether it is feasible and its violation."""
    if point.status != "ok":
        return None, False, 0.0
    values = [point.outputs.get(c) for c in spec.objective]
    objective = None
    if all(v is not None for v in values):
        objective = float(math.prod(float(v) for v in values if v is not None))
    violation, feasible = 0.0, objective is not None
    for constraint in spec.constraints:
        value = point.outputs.get(constraint.output)
        if value is None:
            feasible = False
            continue
        miss = constraint.violation(float(value))
        violation += miss
        feasible = feasible and miss == 0.0
    return objective, feasible, violation


def energy(spec: OptimiseSpec, evaluation: Evaluation) -> float:
    """What differential evolution minimises for ``evaluation``: the objective (negated when
    maximising) if feasible, else a penalty above every feasible point."""
    if evaluation.objective is None or any(
        evaluation.outputs.get(c.output) is None for c in spec.constraints
    ):
        return FAILED_ENERGY
    if not evaluation.feasible:
        return INFEASIBLE_ENERGY * (1.0 + min(evaluation.violation, MAX_VIOLATION))
    return -evaluation.objective if spec.sense == "maximise" else evaluation.objective


@dataclass
class _Evaluator:
    """Evaluates differential evolution's generations as sweeps, keeping every evaluation."""

    spec: OptimiseSpec
    base: BaseScenario
    run: Callable[[SweepSpec, Client | None], Any]
    connect: Callable[[], Client]
    kinds: dict[str, type]
    known: set[str]
    client: Client | None = None
    evaluations: list[Evaluation] = field(default_factory=list)
    computed: int = 0
    reused: int = 0
    batches: int = 0
    phase: str = "evolution"
    on_batch: Callable[[Sequence[Evaluation]], None] | None = None

    def overrides(self, x: np.ndarray) -> dict[str, Scalar]:
        out: dict[str, Scalar] = {}
        for bound, value in zip(self.spec.bounds, x, strict=True):
            kind = self.kinds[bound.path]
            out[bound.path] = round(float(value)) if kind is int else rounded(float(value))
        return out

    def __call__(self, func: Any, xs: Iterable[np.ndarray]) -> list[float]:
        """Differential evolution's map: evaluate the generation ``xs`` (``func`` unused)."""
        batch = [self.overrides(x) for x in xs]
        unique = {self.base.point_key(p): p for p in batch}
        axes = tuple(
            Axis(b.path, tuple(p[b.path] for p in unique.values())) for b in self.spec.bounds
        )
        sweep = SweepSpec(self.spec.scenario, axes, self.spec.outputs, design="zip")
        if self.client is None and not set(unique) <= self.known:
            self.client = self.connect()
        result = self.run(sweep, self.client)
        self.computed += result.computed
        self.reused += result.reused
        by_key = {p.point_key: p for p in result.points}
        self.known |= set(by_key)
        new = []
        for overrides in batch:
            point = by_key[self.base.point_key(overrides)]
            objective, feasible, violation = _rate(self.spec, point)
            new.append(
                Evaluation(
                    index=len(self.evaluations) + len(new),
                    batch=self.batches,
                    phase=self.phase,
                    point_key=point.point_key,
                    inputs=overrides,
                    outputs={c: point.outputs.get(c) for c in self.spec.outputs},
                    objective=objective,
                    feasible=feasible,
                    violation=violation,
                    status=point.status,
                    error=point.error,
                )
            )
        self.evaluations += new
        self.batches += 1
        if self.on_batch is not None:
            self.on_batch(new)
        return [energy(self.spec, e) for e in new]


def _polish(evaluator: _Evaluator, *, budget: int, members: int) -> int:
    """Compass search from the lowest-energy evaluation so far: each step evaluates, as one
    batch, every field moved by its step down and up (within its bounds), moves to the best
    if it improves and halves the steps if not. Starts at a step of the range over twice the
    population; stops when ``budget`` points are spent or no step changes a value. Returns the
    points evaluated."""
    import numpy as np

    spec = evaluator.spec
    if budget <= 0 or not evaluator.evaluations:
        return 0
    start = min(evaluator.evaluations, key=lambda e: energy(spec, e))
    x = [float(start.inputs[b.path]) for b in spec.bounds]
    current = energy(spec, start)
    steps = [(b.high - b.low) / (2 * members) for b in spec.bounds]
    evaluator.phase = "polish"
    left = budget
    while left > 0:
        here = evaluator.overrides(np.asarray(x))
        candidates = []
        for i, bound in enumerate(spec.bounds):
            for sign in (-1.0, 1.0):
                trial = list(x)
                trial[i] = min(max(x[i] + sign * steps[i], bound.low), bound.high)
                if evaluator.overrides(np.asarray(trial)) != here:
                    candidates.append(trial)
        if not candidates:
            break
        candidates = candidates[:left]
        energies = evaluator(None, [np.asarray(c) for c in candidates])
        left -= len(candidates)
        k = int(np.argmin(energies))
        if energies[k] < current:
            x, current = candidates[k], energies[k]
        else:
            steps = [s / 2.0 for s in steps]
    return budget - left


def _known(points: Path, base: BaseScenario, columns: Sequence[str]) -> set[str]:
    """Keys of the points ``points`` holds with every output asked for, of this scenario."""
    from qkdchip.sweep import store

    stored = store.load(points)
    if stored is None:
        return set()
    return {
        key
        for key, row in stored.rows.items()
        if row["scenario_key"] == base.key and set(columns) <= set(row["requested"] or ())
    }


def best_of(spec: OptimiseSpec, evaluations: Iterable[Evaluation]) -> Evaluation | None:
    """The best feasible evaluation (the first of equals), or None without one."""
    best: Evaluation | None = None
    for e in evaluations:
        if not e.feasible or e.objective is None:
            continue
        better = best is None or (
            e.objective > best.objective  # type: ignore[operator]
            if spec.sense == "maximise"
            else e.objective < best.objective  # type: ignore[operator]
        )
        if better:
            best = e
    return best


def field_kinds(spec: OptimiseSpec, base: BaseScenario) -> dict[str, type]:
    """Each varied field's type (``int`` or ``float``) in the scenario ``base``.

    Raises:
        ValueError: a field that is not a number parameter of the scenario.
    """
    kinds = {b.path: base.kind(b.path) for b in spec.bounds}
    for path, kind in kinds.items():
        if kind not in (int, float):
            raise ValueError(
                f"--vary {path}: a bound takes a number parameter; {path} is a {kind.__name__}"
            )
    return kinds


def run_optimise(
    spec: OptimiseSpec,
    points: str | Path,
    *,
    flow_dir: str | Path,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    stages: Sequence[Stage] | None = None,
    offline: bool = False,
    mpi_processes: int = 1,
    on_batch: Callable[[Sequence[Evaluation]], None] | None = None,
) -> OptimiseResult:
    """Optimise ``spec`` with differential evolution, every generation a sweep.

    Args:
        spec: the optimisation.
        points: the sweep results file of its points (read first: points it holds are not
            evaluated again).
        flow_dir: as :func:`qkdchip.sweep.engine.run_sweep`.
        client: a dask client to use; else one to ``scheduler``, or a local cluster of
            ``workers`` processes (default: one per core), started when a point is missing.
        stages: as :func:`qkdchip.sweep.engine.run_sweep`.
        offline: as :func:`qkdchip.sweep.engine.run_sweep`.
        mpi_processes: as :func:`qkdchip.sweep.engine.run_sweep`.
        on_batch: called with each generation's evaluations.

    Returns:
        The :class:`OptimiseResult`.

    Raises:
        ValueError: a bound that is not a number parameter of the scenario.
    """
    import numpy as np
    from scipy.optimize import differential_evolution

    from qkdchip.sweep.engine import connect, run_sweep

    if workers is not None and scheduler is not None:
        raise ValueError("workers applies to a local cluster; give workers or scheduler")
    if workers is not None:
        check_range("workers", workers, 1, 4096)
    base = BaseScenario.load(spec.scenario)
    kinds = field_kinds(spec, base)
    path = Path(points)
    per_field, members, generations = population(spec.budget, len(spec.bounds))
    with contextlib.ExitStack() as stack:

        def run(sweep: SweepSpec, held: Client | None) -> Any:
            return run_sweep(
                sweep,
                path,
                flow_dir=flow_dir,
                client=held,
                stages=stages,
                offline=offline,
                mpi_processes=mpi_processes,
            )

        evaluator = _Evaluator(
            spec=spec,
            base=base,
            run=run,
            connect=lambda: stack.enter_context(connect(scheduler, workers)),
            kinds=kinds,
            known=_known(path, base, spec.outputs),
            client=client,
            on_batch=on_batch,
        )
        solution = differential_evolution(
            lambda x: 0.0,  # never called: the map evaluates every generation
            bounds=[(b.low, b.high) for b in spec.bounds],
            popsize=per_field,
            maxiter=generations,
            tol=0.0,
            atol=0.0,
            rng=np.random.default_rng(spec.seed),
            polish=False,
            init="latinhypercube",
            updating="deferred",
            workers=evaluator,
            integrality=[kinds[b.path] is int for b in spec.bounds],
        )
        left = spec.budget - len(evaluator.evaluations)
        polished = _polish(evaluator, budget=left, members=members)
    evaluations = tuple(evaluator.evaluations)
    return OptimiseResult(
        spec=spec,
        evaluations=evaluations,
        best=best_of(spec, evaluations),
        points=path,
        computed=evaluator.computed,
        reused=evaluator.reused,
        message=f"{str(solution.message).rstrip('.')}; compass search: {polished} evaluations",
    )


# ------------------------------------------------------------------------------------ files
def _unit(spec: OptimiseSpec) -> str:
    units = [OutputRequest.parse(c).output.unit for c in spec.objective]
    return "·".join(u for u in units if u)


def write_history(result: OptimiseResult, path: str | Path) -> Path:
    """Write every evaluation to ``path`` (Parquet, one row each: index, generation, point key,
    fields, outputs, objective, feasibility, violation, status, error), atomically; the schema
    metadata ``qkdchip.optimise`` holds the specification and the best evaluation's index."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from qkdchip.sweep.store import arrow_type

    base = BaseScenario.load(result.spec.scenario)
    requests = parse_outputs(result.spec.outputs)
    fields: list[tuple[str, pa.DataType]] = [
        ("evaluation", pa.int64()),
        ("batch", pa.int64()),
        ("phase", pa.string()),
        ("point_key", pa.string()),
        *((b.path, arrow_type(base.kind(b.path))) for b in result.spec.bounds),
        *((r.column, arrow_type(r.output.dtype)) for r in requests),
        ("objective", pa.float64()),
        ("feasible", pa.bool_()),
        ("violation", pa.float64()),
        ("status", pa.string()),
        ("error", pa.string()),
    ]
    rows = [
        {
            "evaluation": e.index,
            "batch": e.batch,
            "phase": e.phase,
            "point_key": e.point_key,
            **e.inputs,
            **e.outputs,
            "objective": e.objective,
            "feasible": e.feasible,
            "violation": e.violation,
            "status": e.status,
            "error": e.error,
        }
        for e in result.evaluations
    ]
    meta = {
        "spec": result.spec.to_dict(),
        "objective_unit": _unit(result.spec),
        "best": None if result.best is None else result.best.index,
        "message": result.message,
    }
    schema = pa.schema(fields, metadata={b"qkdchip.optimise": json.dumps(meta, sort_keys=True)})
    table = pa.Table.from_pylist(rows, schema=schema)
    return atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def default_name(spec: OptimiseSpec) -> str:
    """A file name from the sense and the objective (``maximise_comb_lines_usable``)."""
    text = f"{spec.sense}_{spec.objective_text}".replace("@", "_").replace("*", "+")
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", text)[:120]


def plot_convergence(result: OptimiseResult, path: str | Path, *, dpi: int = 200) -> Path:
    """Draw the convergence to ``path`` (format from its suffix), atomically: the objective of
    every evaluation and the best feasible one so far, then each field's value per evaluation
    with the best marked."""
    import numpy as np
    from matplotlib.figure import Figure

    spec, evaluations = result.spec, result.evaluations
    n = np.arange(len(evaluations))
    objective = np.array([np.nan if e.objective is None else e.objective for e in evaluations])
    feasible = np.array([e.feasible for e in evaluations], dtype=bool)
    best = np.full(len(evaluations), np.nan)
    for k in range(len(evaluations)):
        found = best_of(spec, evaluations[: k + 1])
        best[k] = np.nan if found is None else found.objective
    fig = Figure(figsize=(6.4, 2.6 + 1.6 * len(spec.bounds)), layout="constrained")
    axes = fig.subplots(1 + len(spec.bounds), 1, sharex=True, squeeze=False)[:, 0]
    top = axes[0]
    top.scatter(n[feasible], objective[feasible], s=12, color="tab:blue", label="feasible")
    top.scatter(
        n[~feasible], objective[~feasible], s=14, marker="x", color="tab:red", label="infeasible"
    )
    top.step(n, best, where="post", color="black", lw=1.2, label="best feasible so far")
    polish = [e.index for e in evaluations if e.phase == "polish"]
    if polish:
        for ax in axes:
            ax.axvline(polish[0] - 0.5, color="grey", lw=0.8, ls=":")
        where = (polish[0], 0.98)
        top.annotate(
            "compass search",
            where,
            xycoords=("data", "axes fraction"),
            fontsize=7,
            va="top",
            color="grey",
        )
    unit = _unit(spec)
    top.set_ylabel(f"{spec.objective_text}{f' ({unit})' if unit else ''}", fontsize=8)
    positive = objective[np.isfinite(objective)]
    logs = all(OutputRequest.parse(c).output.log for c in spec.objective)
    if logs and positive.size and np.all(positive > 0):
        top.set_yscale("log")
    top.legend(fontsize=7, loc="best")
    top.grid(alpha=0.3)
    for ax, bound in zip(axes[1:], spec.bounds, strict=True):
        x = np.array([float(e.inputs[bound.path]) for e in evaluations])
        ax.scatter(n, x, s=8, c=np.where(feasible, "tab:blue", "tab:red"))
        if result.best is not None:
            ax.axhline(float(result.best.inputs[bound.path]), color="black", lw=0.8, ls="--")
        ax.set_ylim(bound.low, bound.high)
        unit = path_unit(bound.path)
        ax.set_ylabel(f"{bound.path}{f' ({unit})' if unit else ''}", fontsize=7)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("evaluation")
    fig.suptitle(
        f"{spec.sense} {spec.objective_text} in {Path(spec.scenario).stem} (seed {spec.seed})",
        fontsize=9,
    )
    metadata = {"Date": None} if Path(path).suffix.lower() == ".svg" else {}
    return atomic_write_figure(path, fig, dpi=dpi, metadata=metadata)
