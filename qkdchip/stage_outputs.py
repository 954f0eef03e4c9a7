"""Typed outputs of the main-flow stages: what each stage hands to the next, the report and the
cache.

Every output that is cached is a :class:`~qkdchip.records.Record`, so the cache stores its
fields as JSON and gives the same record back. Bounds that are infinite (a lossless channel)
are None, so the JSON stays strict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from qkdchip.circuits.manifest import MaskEntry
from qkdchip.records import Record
from qkdchip.simulations.circuit_models.transmitter import TransmitterResponse
from qkdchip.simulations.comb.solve import CombLine
from qkdchip.simulations.network.clients import ChipPool
from qkdchip.simulations.network.limits import LimitingMechanism
from qkdchip.simulations.network.model import NetworkResult
from qkdchip.simulations.network.reach import Reach
from qkdchip.simulations.network.security import SecurityMargins
from qkdchip.simulations.network.sweep import DistanceSweep

if TYPE_CHECKING:
    from qkdchip.circuits.masks import Manifest
    from qkdchip.simulations.comb.solve import CombResult
    from qkdchip.simulations.network.yield_aware import KeyRateTable, YieldAwareResult
    from qkdchip.simulations.wafer_yield.engine import WaferMaps, WaferYieldResult


# ------------------------------------------------------------------------------------- masks
@dataclass(frozen=True)
class MasksOutput(Record):
    """The masks stage: the GDS masks written, with their DRC and checks.

    Attributes:
        files: paths of the written GDS masks and preview PNGs.
        masks: the manifest entry of every GDS mask.
        sha256: SHA-256 of every file the manifest lists (masks, previews, layer files),
            by file name relative to the GDS folder.
    """

    files: tuple[str, ...]
    masks: tuple[MaskEntry, ...]
    sha256: dict[str, str]

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> MasksOutput:
        """The output of :func:`~qkdchip.circuits.masks.write_all_masks`'s manifest."""
        sha256 = {m.file: m.sha256 for m in manifest.masks} | dict(manifest.files)
        files = sorted(
            str(manifest.out_dir / name) for name in sha256 if name.endswith((".gds", ".png"))
        )
        return cls(files=tuple(files), masks=manifest.masks, sha256=sha256)

    @property
    def ok(self) -> bool:
        """True when every mask is DRC clean and passed its checks."""
        return all(m.drc_violations == 0 and m.checks_ok for m in self.masks)


# ----------------------------------------------------------------------------------- devices
@dataclass(frozen=True)
class DevicesOutput:
    """The devices stage: each simulated device's result, the keys behind it, its headlines.

    Attributes:
        results: device name -> its result record (``RingResult``, ``GratingResult``, ...).
        keys: device name -> cache keys of the results it used, its own last.
        headlines: device name -> headline numbers in the units their names say.
    """

    results: dict[str, Any]
    keys: dict[str, list[str]]
    headlines: dict[str, dict[str, float]]


# -------------------------------------------------------------------------------------- comb
@dataclass(frozen=True)
class CombOutput(Record):
    """The comb stage: the server comb's state and lines at the bus output.

    Attributes:
        state: ``dark pulse``, ``CW``, ... (see :class:`~qkdchip.simulations.comb.CombResult`).
        pulses: pulses in the ring.
        pump_power_w: on-chip pump power, W.
        pump_frequency_hz: pump frequency, Hz.
        fsr_hz: free spectral range at the pump, Hz.
        detuning_hz: final pump-resonance detuning, Hz.
        lines: the lines at or above -60 dBm, and the pump, ascending mu.
        line_linewidth_hz: each of those lines' Lorentzian linewidth, Hz, when the pump's
            noise is modelled (a self-injection-locked pump), else None.
    """

    state: str
    pulses: int
    pump_power_w: float
    pump_frequency_hz: float
    fsr_hz: float
    detuning_hz: float
    lines: tuple[CombLine, ...]
    line_linewidth_hz: tuple[float, ...] | None = None

    @classmethod
    def from_result(
        cls,
        result: CombResult,
        *,
        linewidth_hz: tuple[float, ...] | None = None,
        floor_dbm: float = -60.0,
    ) -> CombOutput:
        """The output of a solved comb (``linewidth_hz``: every line's linewidth, ascending
        mu, if known); lines below ``floor_dbm`` (dBm) are left out."""
        keep = [
            k for k, line in enumerate(result.lines) if line.power_dbm >= floor_dbm or line.mu == 0
        ]
        lines = tuple(
            CombLine(
                mu=int(line.mu),
                frequency_hz=float(line.frequency_hz),
                wavelength_nm=float(line.wavelength_nm),
                power_dbm=float(line.power_dbm),
                intracavity_power_dbm=float(line.intracavity_power_dbm),
            )
            for line in (result.lines[k] for k in keep)
        )
        return cls(
            state=result.state,
            pulses=int(result.pulses),
            pump_power_w=float(result.pump_power_w),
            pump_frequency_hz=float(result.pump_frequency_hz),
            fsr_hz=float(result.fsr_hz),
            detuning_hz=float(result.detuning_hz),
            lines=lines,
            line_linewidth_hz=None
            if linewidth_hz is None
            else tuple(float(linewidth_hz[k]) for k in keep),
        )

    @property
    def mu(self) -> np.ndarray:
        """Mode numbers of the lines."""
        return np.asarray([line.mu for line in self.lines], dtype=int)

    @property
    def frequency_hz(self) -> np.ndarray:
        """Line frequencies, Hz."""
        return np.asarray([line.frequency_hz for line in self.lines], dtype=float)

    @property
    def power_dbm(self) -> np.ndarray:
        """Line powers at the bus output, dBm."""
        return np.asarray([line.power_dbm for line in self.lines], dtype=float)

    def linewidth_hz(self, mu: int) -> float:
        """The Lorentzian linewidth of line ``mu`` (Hz); ValueError without a noise model."""
        if self.line_linewidth_hz is None:
            raise ValueError("this comb's pump has no noise model: its lines have no linewidth")
        for line, width in zip(self.lines, self.line_linewidth_hz, strict=True):
            if line.mu == mu:
                return width
        raise ValueError(f"mu={mu!r} is not a line of this comb")

    def usable_lines(self, min_power_dbm: float) -> int:
        """Lines besides the pump at or above ``min_power_dbm`` (dBm)."""
        return sum(1 for ln in self.lines if ln.mu != 0 and ln.power_dbm >= min_power_dbm)


# ------------------------------------------------------------------------------------- yield
@dataclass(frozen=True)
class WaferMapData(Record):
    """Per-die data of the first simulated wafer, for wafer maps.

    Attributes:
        x_mm, y_mm: die centres, mm.
        metrics: metric name -> value per die.
        chip_pass: whether each die passes every test.
        die_yield: each die position's yield over all simulated wafers.
    """

    x_mm: tuple[float, ...]
    y_mm: tuple[float, ...]
    metrics: dict[str, tuple[float, ...]]
    chip_pass: tuple[bool, ...]
    die_yield: tuple[float, ...]

    @classmethod
    def from_maps(cls, maps: WaferMaps) -> WaferMapData:
        """The record of the yield engine's maps."""
        return cls(
            x_mm=tuple(maps.x_mm.tolist()),
            y_mm=tuple(maps.y_mm.tolist()),
            metrics={k: tuple(np.asarray(v).tolist()) for k, v in maps.metrics.items()},
            chip_pass=tuple(maps.chip_pass.tolist()),
            die_yield=tuple(maps.die_yield.tolist()),
        )


@dataclass(frozen=True)
class YieldOutput(Record):
    """The yield stage: the InP transmitter's yields, wafer maps and a chip pool.

    Attributes:
        modulator_yield: yield of one modulator, or None when the chip has none.
        chip_yield: yield of a whole chip.
        reference_experiment: the paper's 20-chip experiment replayed (counts, quantiles), or
            None.
        maps: the first wafer's per-die data.
        pool: client-chip metrics of every die of a few wafers, for the network.
    """

    modulator_yield: float | None
    chip_yield: float
    reference_experiment: dict[str, Any] | None
    maps: WaferMapData
    pool: ChipPool

    @classmethod
    def from_result(cls, result: WaferYieldResult, *, pool: ChipPool) -> YieldOutput:
        """The output of a wafer-yield run and its chip pool."""
        summary = result.to_dict()
        mod = result.modulator_yield
        return cls(
            modulator_yield=None if mod is None else float(mod.value),
            chip_yield=float(result.chip_yield.value),
            reference_experiment=summary.get("reference_experiment"),
            maps=WaferMapData.from_maps(result.maps),
            pool=pool,
        )


# ----------------------------------------------------------------------------------- network
@dataclass(frozen=True)
class UntestedDraws(Record):
    """Key rates of random, untested chip sets at one distance.

    Attributes:
        distance_km: Alice-Bob distance, km.
        draws: chip sets drawn; pairs_per_draw: pairs of each.
        plob: absolute PLOB bound (None: lossless).
        probability_all_pairs_beat_plob: fraction of draws in which every pair beats PLOB.
        fraction_pairs_beat_plob, fraction_pairs_with_key, fraction_pairs_locked: over all
            drawn pairs.
        ratio_to_plob_quantiles, misalignment_quantiles: ``q5`` ... ``q95`` over drawn pairs.
        ratio_to_plob: key rate / PLOB per draw and pair.
        table_misalignment, table_key_rate_per_pulse: the optimised key rate tabulated over
            e_d, which every pair interpolates.
    """

    distance_km: float
    draws: int
    pairs_per_draw: int
    plob: float | None
    probability_all_pairs_beat_plob: float
    fraction_pairs_beat_plob: float
    fraction_pairs_with_key: float
    fraction_pairs_locked: float
    ratio_to_plob_quantiles: dict[str, float]
    misalignment_quantiles: dict[str, float]
    ratio_to_plob: tuple[tuple[float, ...], ...]
    table_misalignment: tuple[float, ...]
    table_key_rate_per_pulse: tuple[float, ...]

    @classmethod
    def from_result(cls, result: YieldAwareResult, *, table: KeyRateTable) -> UntestedDraws:
        """The record of a yield-aware evaluation and the key-rate table it used."""
        return cls(
            **result.to_dict(),
            ratio_to_plob=tuple(tuple(row) for row in result.ratio_to_plob.tolist()),
            table_misalignment=tuple(table.misalignment),
            table_key_rate_per_pulse=tuple(table.key_rate_per_pulse),
        )

    def statistics(self) -> dict[str, Any]:
        """The summary statistics, without the per-pair ratios and the table."""
        data = self.to_dict()
        for name in ("ratio_to_plob", "table_misalignment", "table_key_rate_per_pulse"):
            del data[name]
        return data


@dataclass(frozen=True)
class UntestedDrawSet(Record):
    """Random, untested chip sets at each configured distance, in order."""

    by_distance: tuple[UntestedDraws, ...]


@dataclass(frozen=True)
class NetworkOutput(Record):
    """The network stage.

    Attributes:
        evaluation: every pair at every configured distance.
        reach: the longest distance at which every pair beats PLOB, searched from the longest
            configured one that qualifies (None when none does).
        limit: what limits the weakest pair just beyond the reach (None without a reach or
            when the search ended at its maximum distance).
        security: what the chips' modulator extinction costs the weakest pair at the longest
            configured distance, and the extinction and isolation that keep its key within 1 %
            (None when no pair has a key there).
        sweep: key rate versus distance of the median channel's pair, nominal chips (None
            when the context does not run it).
        untested_draws: random, untested chip sets at each configured distance (empty when
            the scenario asks for none).
        transmitter: the drawn transmitter chip's circuit response, whose injection loss and
            extinction the nominal chips take (None when the scenario sets both).
    """

    evaluation: NetworkResult
    reach: Reach | None
    limit: LimitingMechanism | None
    security: SecurityMargins | None
    sweep: DistanceSweep | None
    untested_draws: tuple[UntestedDraws, ...]
    transmitter: TransmitterResponse | None = None

    @property
    def capability_at_reach_km(self) -> float:
        """Client pairs x the reach (0 without one)."""
        if self.reach is None:
            return 0.0
        return len(self.evaluation.channels) * self.reach.distance_km
