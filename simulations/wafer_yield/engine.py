"""Wafer-yield Monte Carlo: sample wafers, evaluate every device of every die, tally yields.

Everything is vectorised over wafers, dies and devices; wafers are processed in chunks to bound
memory, and a progress callback hears of each wafer when its chunk is done. The wafer-level
standard normals (offsets and the fields' Cholesky coordinates) come from plain MC or scrambled
Sobol; die noise, device noise and killer defects are plain MC from the same caller-seeded
generator, so the same seed gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.options import MAX_WAFERS
from qkdchip.pdk.process_statistics import ProcessParameter, ProcessStatistics
from qkdchip.platforms import INP, Platform
from qkdchip.records import Record
from qkdchip.simulations.wafer_yield.devices import device_model
from qkdchip.simulations.wafer_yield.fields import DieLevelSampler
from qkdchip.simulations.wafer_yield.geometry import ProductDies, product_dies
from qkdchip.simulations.wafer_yield.sampling import validate_sampler
from qkdchip.simulations.wafer_yield.sensitivity_table import (
    SensitivityTable,
    load_sensitivity_table,
)
from qkdchip.simulations.wafer_yield.specs import ChipSpec, load_chip_spec
from qkdchip.simulations.wafer_yield.statistics import (
    YieldEstimate,
    first_order_indices,
    yield_estimate,
)

DEFECT_CAUSE = "killer_defect"
_ELEMENTS_PER_CHUNK = 2_000_000


@dataclass(frozen=True)
class DeviceBatch:
    """One device kind evaluated on a chunk of wafers; arrays are (wafers, dies, count).

    ``parametric_pass`` is every metric inside its spec window; ``passed`` is that and no killer
    defect.
    """

    values: dict[str, NDArray[np.float64]]
    metrics: dict[str, NDArray[np.float64]]
    metric_pass: dict[str, NDArray[np.bool_]]
    parametric_pass: NDArray[np.bool_]
    defect: NDArray[np.bool_]
    passed: NDArray[np.bool_]


@dataclass(frozen=True)
class ChunkResult:
    """All devices of a chunk of wafers."""

    die_values: NDArray[np.float64]
    batches: dict[str, DeviceBatch]
    chip_pass: NDArray[np.bool_]


def _evaluate_nominal(
    kind: str,
    nominals: dict[str, float],
    table: SensitivityTable,
    operating: dict[str, float],
) -> dict[str, NDArray[np.float64]]:
    """Metrics of one device of ``kind`` at the nominal process."""
    model = device_model(kind)
    values = {n: np.array([nominals[n]]) for n in model.parameters}
    for n, k in model.draws.items():
        values[n] = np.full((1, k), nominals[n])
    return model.evaluate(values, nominals, table, operating)


@dataclass(frozen=True)
class YieldModel:
    """Process statistics + chip spec + sensitivity table + sampled dies, validated together.

    ``grid`` holds the product dies of the platform's wafer mask (see
    :func:`~qkdchip.simulations.wafer_yield.geometry.product_dies`).
    """

    stats: ProcessStatistics
    spec: ChipSpec
    table: SensitivityTable
    grid: ProductDies
    sampler: DieLevelSampler
    nominals: dict[str, float]

    @classmethod
    def build(
        cls,
        platform: Platform,
        *,
        stats: ProcessStatistics | None = None,
        spec: ChipSpec | None = None,
        table: SensitivityTable | None = None,
        designs: ChipDesigns | None = None,
    ) -> YieldModel:
        """Assemble and cross-check the inputs (ValueError on any mismatch).

        ``designs`` (the drawn devices) set the table's design point when no ``table`` is
        given.
        """
        stats = stats if stats is not None else platform.process
        spec = spec if spec is not None else load_chip_spec(platform, designs=designs)
        table = table if table is not None else load_sensitivity_table(platform, designs=designs)
        for name, obj in (("stats", stats), ("spec", spec), ("table", table)):
            if obj.platform != platform.name:
                raise ValueError(f"{name} is for platform {obj.platform!r}, not {platform.name!r}")
        nominals = {p.name: p.nominal for p in stats.parameters}
        for dev in spec.devices:
            model = device_model(dev.kind)
            if model.platform != platform:
                raise ValueError(f"device {dev.kind!r} belongs to platform {model.platform.name!r}")
            missing = [n for n in model.parameters if n not in nominals]
            if missing:
                raise ValueError(f"device {dev.kind!r} needs process parameters {missing}")
            metrics = _evaluate_nominal(dev.kind, nominals, table, spec.operating)
            unknown = [s.metric for s in dev.specs if s.metric not in metrics]
            if unknown:
                raise ValueError(
                    f"device {dev.kind!r} has specs on unknown metrics {unknown}; "
                    f"known: {sorted(metrics)}"
                )
        grid = product_dies(spec.layout)
        sampler = DieLevelSampler.build(stats, grid)
        return cls(stats, spec, table, grid, sampler, nominals)

    @property
    def devices_per_die(self) -> int:
        """Number of devices on one chip."""
        return sum(d.count for d in self.spec.devices)

    def simulate(self, z: NDArray[np.float64], rng: np.random.Generator) -> ChunkResult:
        """Evaluate every device on the wafers whose structured normals are ``z``."""
        die_vals = self.sampler.die_values(z, rng)
        n_wafers, n_dies = die_vals.shape[1:]
        defects = self.stats.defects
        if defects.density_per_cm2 > 0.0:
            alpha = defects.cluster_alpha
            density = rng.gamma(alpha, defects.density_per_cm2 / alpha, size=n_wafers)
        else:
            density = np.zeros(n_wafers)
        index = {name: i for i, name in enumerate(self.stats.names)}
        batches: dict[str, DeviceBatch] = {}
        chip_pass = np.ones((n_wafers, n_dies), dtype=bool)
        for dev in self.spec.devices:
            model = device_model(dev.kind)
            values: dict[str, NDArray[np.float64]] = {}
            for name in model.parameters:
                param = self.stats[name]
                draws = model.draws.get(name, 1)
                base = die_vals[index[name]][:, :, None]
                shape: tuple[int, ...] = (n_wafers, n_dies, dev.count)
                if draws > 1:
                    base = base[..., None]
                    shape = (*shape, draws)
                if param.sigma_device > 0.0:
                    values[name] = base + param.sigma_device * rng.standard_normal(shape)
                else:
                    values[name] = np.broadcast_to(base, shape)
            metrics = model.evaluate(values, self.nominals, self.table, self.spec.operating)
            metric_pass = {s.metric: s.passes(metrics[s.metric]) for s in dev.specs}
            p_defect = -np.expm1(-density * dev.area_cm2)[:, None, None]
            defect = rng.random((n_wafers, n_dies, dev.count)) < p_defect
            parametric_pass = np.ones(defect.shape, dtype=bool)
            for ok in metric_pass.values():
                parametric_pass &= ok
            passed = parametric_pass & ~defect
            batches[dev.kind] = DeviceBatch(
                values, metrics, metric_pass, parametric_pass, defect, passed
            )
            chip_pass &= passed.all(axis=-1)
        return ChunkResult(die_vals, batches, chip_pass)

    def nominal_metrics(self) -> dict[str, dict[str, float]]:
        """Metrics of every device kind at the nominal process."""
        out: dict[str, dict[str, float]] = {}
        for dev in self.spec.devices:
            metrics = _evaluate_nominal(dev.kind, self.nominals, self.table, self.spec.operating)
            out[dev.kind] = {k: float(np.ravel(v)[0]) for k, v in metrics.items()}
        return out


@dataclass(frozen=True)
class ReferenceExperiment(Record):
    """The reference test: ``n_chips`` random dies of one wafer, all their modulators tested.

    Attributes:
        n_chips: chips per experiment (20).
        modulators_per_chip: modulators on each chip (6).
        observed_working: working modulators in the reference (117).
        histogram: ``histogram[k]`` = experiments with ``k`` working modulators.
        mean_working: mean working modulators per experiment.
        quantiles: 2.5 %, 50 % and 97.5 % quantiles of the working count.
        p_at_most_observed: fraction of experiments with at most ``observed_working``.
        observed_in_central_95: whether the observed count lies in the central 95 % range.
        chip_yield: fraction of sampled chips whose devices all pass.
        chip_yield_ci: its 95 % Wilson interval (clustered by experiment).
        all_modulators_yield: fraction of sampled chips whose modulators all pass.
        all_modulators_yield_ci: its 95 % Wilson interval (clustered by experiment).
    """

    derived: ClassVar[dict[str, str]] = {"n_experiments": "modulators_per_chip"}

    n_chips: int
    modulators_per_chip: int
    observed_working: int
    histogram: tuple[int, ...]
    mean_working: float
    quantiles: Annotated[tuple[float, float, float], Field(alias="quantiles_2p5_50_97p5")]
    p_at_most_observed: float
    observed_in_central_95: bool
    chip_yield: float
    chip_yield_ci: tuple[float, float]
    all_modulators_yield: float
    all_modulators_yield_ci: tuple[float, float]

    @property
    def n_experiments(self) -> int:
        """Number of simulated experiments."""
        return sum(self.histogram)


@dataclass(frozen=True)
class WaferMaps:
    """Per-die data for wafer maps: the first simulated wafer and the yield over all wafers."""

    x_mm: NDArray[np.float64]
    y_mm: NDArray[np.float64]
    metrics: dict[str, NDArray[np.float64]]
    chip_pass: NDArray[np.bool_]
    die_yield: NDArray[np.float64]


@dataclass(frozen=True)
class WaferYieldResult:
    """Outcome of :func:`run_wafer_yield`.

    Attributes:
        platform, sampler, seed, n_wafers, n_dies: run settings.
        device_yields: device kind -> yield of one device.
        modulator_yield: yield of one modulator (all modulator kinds pooled); None if the chip
            has none.
        chip_yield: yield of a whole chip.
        failure_causes: ``kind.metric`` (or ``kind.killer_defect``) -> failing devices.
        chip_failure_causes: same keys -> chips with at least one device failing that way.
        sensitivity: group (device kind or ``chip``) -> output (``fail``, ``parametric_fail``,
            a spec'd metric; for ``chip``: ``fail``, ``modulator_fail``) -> input (process
            parameter or ``killer_defect``) -> first-order index.
        reference: the reference experiment (None if the chip has no modulators).
        nominal_metrics: metrics at the nominal process.
        maps: per-die data for wafer maps.
    """

    platform: str
    sampler: str
    seed: int
    n_wafers: int
    n_dies: int
    device_yields: dict[str, YieldEstimate]
    modulator_yield: YieldEstimate | None
    chip_yield: YieldEstimate
    failure_causes: dict[str, int]
    chip_failure_causes: dict[str, int]
    sensitivity: dict[str, dict[str, dict[str, float]]]
    reference: ReferenceExperiment | None
    nominal_metrics: dict[str, dict[str, float]]
    maps: WaferMaps

    def top_failure_causes(self, n: int = 3) -> list[tuple[str, int]]:
        """The ``n`` causes that fail the most chips, most first."""
        ranked = sorted(self.chip_failure_causes.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(k, v) for k, v in ranked[:n] if v > 0]

    def drivers(
        self, group: str = "chip", output: str = "fail", n: int = 3
    ) -> list[tuple[str, float]]:
        """The ``n`` inputs with the largest first-order index of ``output`` in ``group``."""
        indices = self.sensitivity.get(group, {}).get(output, {})
        return sorted(indices.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no per-die arrays)."""
        return {
            "platform": self.platform,
            "sampler": self.sampler,
            "seed": self.seed,
            "n_wafers": self.n_wafers,
            "n_dies_per_wafer": self.n_dies,
            "device_yields": {k: v.to_dict() for k, v in self.device_yields.items()},
            "modulator_yield": (
                None if self.modulator_yield is None else self.modulator_yield.to_dict()
            ),
            "chip_yield": self.chip_yield.to_dict(),
            "failure_causes_devices": dict(self.failure_causes),
            "failure_causes_chips": dict(self.chip_failure_causes),
            "top_failure_causes": [
                {"cause": k, "chips": v, "fraction_of_chips": v / (self.n_wafers * self.n_dies)}
                for k, v in self.top_failure_causes(5)
            ],
            "sensitivity_first_order": self.sensitivity,
            "reference_experiment": None if self.reference is None else self.reference.to_dict(),
            "nominal_metrics": self.nominal_metrics,
        }


def _validate_run(n_wafers: int, sampler: str, seed: int) -> None:
    if not isinstance(n_wafers, int | np.integer) or not 1 <= n_wafers <= MAX_WAFERS:
        raise ValueError(f"n_wafers = {n_wafers!r} must be an integer in [1, {MAX_WAFERS}]")
    validate_sampler(sampler, int(n_wafers))
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed = {seed!r} must be an integer >= 0")


def _varies_between_dies(param: ProcessParameter) -> bool:
    return (param.sigma_wafer, param.sigma_within, param.sigma_die, param.bowl_at_edge) != (
        0.0,
        0.0,
        0.0,
        0.0,
    )


def _reduce(values: NDArray[np.float64], how: str) -> NDArray[np.float64]:
    return {"mean": np.mean, "min": np.min, "max": np.max}[how](values, axis=-1)


def _sensitivity_inputs(batch: DeviceBatch, model_draws: dict[str, int]) -> dict[str, NDArray]:
    inputs: dict[str, NDArray] = {}
    for name, vals in batch.values.items():
        if model_draws.get(name, 1) > 1:
            for j in range(vals.shape[-1]):
                inputs[f"{name}[{j}]"] = vals[..., j]
        else:
            inputs[name] = vals
    inputs[DEFECT_CAUSE] = batch.defect
    return inputs


@dataclass
class _SensitivitySamples:
    """The first ``limit`` flattened input and output samples of each group."""

    limit: int
    inputs: dict[str, dict[str, list[NDArray]]] = field(default_factory=dict)
    outputs: dict[str, dict[str, list[NDArray]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def keep(self, group: str, inputs: dict[str, NDArray], outputs: dict[str, NDArray]) -> None:
        """Append as many samples of ``group`` as it still lacks to reach ``limit``."""
        have = self.counts.get(group, 0)
        if have >= self.limit:
            return
        take = self.limit - have
        for store, data in ((self.inputs, inputs), (self.outputs, outputs)):
            for name, arr in data.items():
                flat = np.ravel(arr)[:take].astype(float)
                store.setdefault(group, {}).setdefault(name, []).append(flat)
        self.counts[group] = have + min(take, np.size(next(iter(outputs.values()))))

    def indices(self) -> dict[str, dict[str, dict[str, float]]]:
        """Group -> output -> input -> first-order index over the kept samples."""
        return {
            group: first_order_indices(
                {n: np.concatenate(xs) for n, xs in self.inputs[group].items()},
                {n: np.concatenate(ys) for n, ys in self.outputs[group].items()},
            )
            for group in self.inputs
        }


@dataclass
class _Tally:
    """Counts gathered chunk by chunk: passes per wafer, failure causes, reference picks."""

    pass_per_wafer: dict[str, list[NDArray]]
    die_pass: NDArray[np.float64]
    mod_per_wafer: list[NDArray] = field(default_factory=list)
    chip_per_wafer: list[NDArray] = field(default_factory=list)
    causes: dict[str, int] = field(default_factory=dict)
    chip_causes: dict[str, int] = field(default_factory=dict)
    ref_working: list[NDArray] = field(default_factory=list)
    ref_chip: list[NDArray] = field(default_factory=list)
    ref_allmod: list[NDArray] = field(default_factory=list)


def _checked_model(
    platform: Platform,
    model: YieldModel | None,
    *,
    reference_chips: int,
    sensitivity_samples: int,
) -> YieldModel:
    """The given (or default) model of ``platform``, with the run settings checked against it."""
    model = model if model is not None else YieldModel.build(platform)
    if model.stats.platform != platform.name:
        raise ValueError(f"model is for platform {model.stats.platform!r}, not {platform.name!r}")
    n_dies = model.grid.n_dies
    if not 1 <= reference_chips <= n_dies:
        raise ValueError(f"reference_chips = {reference_chips!r} must be in [1, {n_dies}]")
    if sensitivity_samples < 100:
        raise ValueError(f"sensitivity_samples = {sensitivity_samples!r} must be >= 100")
    return model


def _tally_devices(
    res: ChunkResult, *, spec: ChipSpec, tally: _Tally, sens: _SensitivitySamples
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Count passes and failure causes of every device kind in a chunk and keep its samples.

    Returns the working modulators per die and whether any device of the die has a defect.
    """
    n_w, n_dies = res.chip_pass.shape
    mod_die = np.zeros((n_w, n_dies), dtype=np.int64)
    chip_fail_any_defect = np.zeros((n_w, n_dies), dtype=bool)
    for dev in spec.devices:
        b = res.batches[dev.kind]
        tally.pass_per_wafer[dev.kind].append(b.passed.sum(axis=(1, 2)))
        if dev.kind in spec.modulator_kinds:
            mod_die += b.passed.sum(axis=-1)
        for metric, ok in b.metric_pass.items():
            key = f"{dev.kind}.{metric}"
            tally.causes[key] = tally.causes.get(key, 0) + int((~ok).sum())
            tally.chip_causes[key] = tally.chip_causes.get(key, 0) + int((~ok).any(axis=-1).sum())
        key = f"{dev.kind}.{DEFECT_CAUSE}"
        tally.causes[key] = tally.causes.get(key, 0) + int(b.defect.sum())
        tally.chip_causes[key] = tally.chip_causes.get(key, 0) + int(b.defect.any(axis=-1).sum())
        chip_fail_any_defect |= b.defect.any(axis=-1)
        outputs = {"fail": ~b.passed, "parametric_fail": ~b.parametric_pass}
        outputs |= {s.metric: b.metrics[s.metric] for s in dev.specs}
        sens.keep(dev.kind, _sensitivity_inputs(b, dict(device_model(dev.kind).draws)), outputs)
    return mod_die, chip_fail_any_defect


def _tally_chips(
    res: ChunkResult,
    mod_die: NDArray[np.int64],
    chip_fail_any_defect: NDArray[np.bool_],
    *,
    stats: ProcessStatistics,
    mods_per_chip: int,
    tally: _Tally,
    sens: _SensitivitySamples,
) -> None:
    """Count passing chips and modulators per wafer and per die position; keep chip samples."""
    chip_inputs = {
        n: res.die_values[i] for i, n in enumerate(stats.names) if _varies_between_dies(stats[n])
    }
    chip_inputs[DEFECT_CAUSE] = chip_fail_any_defect
    chip_outputs = {"fail": ~res.chip_pass}
    if mods_per_chip:
        tally.mod_per_wafer.append(mod_die.sum(axis=1))
        chip_outputs["modulator_fail"] = mod_die < mods_per_chip
    sens.keep("chip", chip_inputs, chip_outputs)
    tally.chip_per_wafer.append(res.chip_pass.sum(axis=1))
    tally.die_pass += res.chip_pass.sum(axis=0)


def _pick_reference(
    res: ChunkResult,
    mod_die: NDArray[np.int64],
    rng: np.random.Generator,
    *,
    reference_chips: int,
    mods_per_chip: int,
    tally: _Tally,
) -> None:
    """Draw ``reference_chips`` random dies of each wafer and count what the reference tests."""
    n_w, n_dies = res.chip_pass.shape
    pick = np.argsort(rng.random((n_w, n_dies)), axis=1)[:, :reference_chips]
    tally.ref_chip.append(np.take_along_axis(res.chip_pass, pick, axis=1).sum(axis=1))
    if mods_per_chip:
        picked = np.take_along_axis(mod_die, pick, axis=1)
        tally.ref_working.append(picked.sum(axis=1))
        tally.ref_allmod.append((picked == mods_per_chip).sum(axis=1))


def _first_wafer_maps(
    res: ChunkResult, *, platform: Platform, names: tuple[str, ...]
) -> tuple[NDArray[np.bool_], dict[str, NDArray]]:
    """Chip pass and map metrics per die of the chunk's first wafer.

    The metrics are the platform's map metrics and the first two process parameters.
    """
    maps_metrics: dict[str, NDArray] = {}
    for kind, metric, how in platform.map_metrics:
        if kind in res.batches:
            maps_metrics[f"{kind}.{metric}"] = _reduce(res.batches[kind].metrics[metric][0], how)
    for i, name in enumerate(names[:2]):
        maps_metrics[f"process.{name}"] = res.die_values[i, 0].copy()
    return res.chip_pass[0].copy(), maps_metrics


def _simulate_wafers(
    model: YieldModel,
    *,
    platform: Platform,
    n_wafers: int,
    seed: int,
    sampler: str,
    mods_per_chip: int,
    reference_chips: int,
    sensitivity_samples: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[_Tally, _SensitivitySamples, WaferMaps]:
    """Sample and test all wafers chunk by chunk from one generator seeded with ``seed``.

    ``progress`` gets (wafers done, wafers in all) once per wafer, after the wafer's chunk.
    Returns the counts, the sensitivity samples and the wafer maps.
    """
    n_dies = model.grid.n_dies
    rng = np.random.default_rng(seed)
    z_all = model.sampler.structured_normals(int(n_wafers), rng, sampler)
    chunk = max(1, _ELEMENTS_PER_CHUNK // (n_dies * model.devices_per_die))
    tally = _Tally({d.kind: [] for d in model.spec.devices}, np.zeros(n_dies))
    sens = _SensitivitySamples(sensitivity_samples)
    first_chip_pass: NDArray[np.bool_] | None = None
    maps_metrics: dict[str, NDArray] = {}
    for start in range(0, int(n_wafers), chunk):
        res = model.simulate(z_all[start : start + chunk], rng)
        mod_die, any_defect = _tally_devices(res, spec=model.spec, tally=tally, sens=sens)
        _tally_chips(
            res,
            mod_die,
            any_defect,
            stats=model.stats,
            mods_per_chip=mods_per_chip,
            tally=tally,
            sens=sens,
        )
        _pick_reference(
            res,
            mod_die,
            rng,
            reference_chips=reference_chips,
            mods_per_chip=mods_per_chip,
            tally=tally,
        )
        if start == 0:
            first_chip_pass, maps_metrics = _first_wafer_maps(
                res, platform=platform, names=model.stats.names
            )
        if progress is not None:
            for done in range(start + 1, start + res.chip_pass.shape[0] + 1):
                progress(done, int(n_wafers))
    assert first_chip_pass is not None
    maps = WaferMaps(
        x_mm=model.grid.x_mm,
        y_mm=model.grid.y_mm,
        metrics=maps_metrics,
        chip_pass=first_chip_pass,
        die_yield=tally.die_pass / n_wafers,
    )
    return tally, sens, maps


def _reference_experiment(
    tally: _Tally, *, reference_chips: int, mods_per_chip: int, reference_observed: int
) -> ReferenceExperiment | None:
    """Statistics of the per-wafer reference experiments (None without modulators)."""
    if not mods_per_chip:
        return None
    working = np.concatenate(tally.ref_working)
    total = reference_chips * mods_per_chip
    hist = np.bincount(working, minlength=total + 1)
    ref_chip_est = yield_estimate(np.concatenate(tally.ref_chip), reference_chips)
    ref_mod_est = yield_estimate(np.concatenate(tally.ref_allmod), reference_chips)
    q = np.quantile(working, [0.025, 0.5, 0.975])
    return ReferenceExperiment(
        n_chips=reference_chips,
        modulators_per_chip=mods_per_chip,
        observed_working=reference_observed,
        histogram=tuple(int(h) for h in hist),
        mean_working=float(working.mean()),
        quantiles=(float(q[0]), float(q[1]), float(q[2])),
        p_at_most_observed=float(np.mean(working <= reference_observed)),
        observed_in_central_95=bool(q[0] <= reference_observed <= q[2]),
        chip_yield=ref_chip_est.value,
        chip_yield_ci=(ref_chip_est.ci_low, ref_chip_est.ci_high),
        all_modulators_yield=ref_mod_est.value,
        all_modulators_yield_ci=(ref_mod_est.ci_low, ref_mod_est.ci_high),
    )


def run_wafer_yield(
    platform: Platform = INP,
    *,
    n_wafers: int = 1024,
    seed: int = 0,
    sampler: str = "mc",
    model: YieldModel | None = None,
    reference_chips: int = 20,
    reference_observed: int = 117,
    sensitivity_samples: int = 100_000,
    progress: Callable[[int, int], None] | None = None,
) -> WaferYieldResult:
    """Simulate ``n_wafers`` full wafers and report yields, causes, sensitivities and maps.

    Args:
        platform: :data:`~qkdchip.platforms.INP` (transmitter chips) or
            :data:`~qkdchip.platforms.SI3N4` (comb chips).
        n_wafers: wafers to simulate (a power of two for ``sampler="sobol"``).
        seed: seed of the generator that drives all sampling.
        sampler: ``"mc"`` or ``"sobol"`` for the wafer-level (correlated) normals.
        model: a prebuilt :class:`YieldModel` (defaults: the platform's shipped inputs).
        reference_chips: chips per reference experiment (one experiment per wafer).
        reference_observed: working modulators observed in the reference (for the report).
        sensitivity_samples: devices (and chips) kept per target for the sensitivity indices.
        progress: called with (wafers done, wafers in all) once per wafer; wafers are
            simulated in chunks, so the calls for a chunk come when it is done.

    Returns:
        The :class:`WaferYieldResult`.
    """
    _validate_run(n_wafers, sampler, seed)
    model = _checked_model(
        platform, model, reference_chips=reference_chips, sensitivity_samples=sensitivity_samples
    )
    n_dies = model.grid.n_dies
    spec = model.spec
    mods_per_chip = sum(spec.device(k).count for k in spec.modulator_kinds)
    tally, sens, maps = _simulate_wafers(
        model,
        platform=platform,
        n_wafers=n_wafers,
        seed=seed,
        sampler=sampler,
        mods_per_chip=mods_per_chip,
        reference_chips=reference_chips,
        sensitivity_samples=sensitivity_samples,
        progress=progress,
    )
    return WaferYieldResult(
        platform=platform.name,
        sampler=sampler,
        seed=int(seed),
        n_wafers=int(n_wafers),
        n_dies=n_dies,
        device_yields={
            d.kind: yield_estimate(np.concatenate(tally.pass_per_wafer[d.kind]), n_dies * d.count)
            for d in spec.devices
        },
        modulator_yield=(
            yield_estimate(np.concatenate(tally.mod_per_wafer), n_dies * mods_per_chip)
            if mods_per_chip
            else None
        ),
        chip_yield=yield_estimate(np.concatenate(tally.chip_per_wafer), n_dies),
        failure_causes=tally.causes,
        chip_failure_causes=tally.chip_causes,
        sensitivity=sens.indices(),
        reference=_reference_experiment(
            tally,
            reference_chips=reference_chips,
            mods_per_chip=mods_per_chip,
            reference_observed=reference_observed,
        ),
        nominal_metrics=model.nominal_metrics(),
        maps=maps,
    )
