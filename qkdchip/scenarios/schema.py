"""The scenario: one validated object describing a whole network study.

A scenario file is TOML with one table per section (see ``weiming.toml``). Sections that map
onto the network model reuse its dataclasses (:class:`FibrePlant`, :class:`Server`,
:class:`Protocol`, :class:`PhaseTracking`, :class:`WdmGrid`), so every number is validated once,
where it is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.options import MAX_WAFERS
from qkdchip.simulations.comb.solve import MAX_PUMP_POWER_W
from qkdchip.simulations.network.injection_locking import LaserOperation
from qkdchip.simulations.network.model import (
    OPERATIONS,
    FibrePlant,
    NetworkModel,
    PairLinks,
    PhaseTracking,
    Protocol,
    Server,
)
from qkdchip.simulations.network.visibility import Interference
from qkdchip.simulations.network.wdm import WdmGrid
from qkdchip.validation import check_choice, check_range

if TYPE_CHECKING:
    from qkdchip.simulations.circuit_models.transmitter import TransmitterResponse

MAX_PAIR_DISTANCE_KM = 5000.0
"""Longest pair distance a scenario evaluates (km): far past the reach of any TF-QKD link."""


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


@dataclass(frozen=True)
class PairOverride:
    """Per-pair fibre lengths that differ from the network defaults.

    Attributes:
        pair: pair number, 1-based.
        alice_downstream_km: Alice's downstream (comb distribution) fibre, km; None = default.
        bob_downstream_km: Bob's downstream fibre, km; None = default.
    """

    pair: int
    alice_downstream_km: float | None = None
    bob_downstream_km: float | None = None

    def __post_init__(self) -> None:
        check_range("pair", self.pair, 1)
        for name in ("alice_downstream_km", "bob_downstream_km"):
            value = getattr(self, name)
            if value is not None:
                check_range(name, value, 0.0, 1e4)


@dataclass(frozen=True)
class NetworkSection:
    """Topology and operation of the star network.

    Attributes:
        clients: number of client chips (two per pair).
        channels: number of WDM channels (one per pair), clients / 2.
        pair_distances_km: Alice-Bob distances to evaluate (upstream arms split equally), km.
        operation: ``sequential``, ``sequential-parallel`` (pairs take turns while every channel
            is lit, the paper's operation) or ``simultaneous``.
        downstream_km: default downstream fibre per client, km.
        seed_in_backbone: whether the comb seed lines run down the backbone (upstream) fibres
            instead of separate downstream fibres.
        sweep_max_km: longest distance of the key-rate-versus-distance curve, km.
        sweep_points: points on that curve.
        classical_power_dbm: classical channel sharing the upstream fibre, dBm (None: none).
        pairs: per-pair overrides.
    """

    clients: int = 20
    channels: int = 10
    pair_distances_km: tuple[float, ...] = (204.0, 370.0)
    operation: str = "sequential"
    downstream_km: float = 0.05
    seed_in_backbone: bool = False
    sweep_max_km: float = 700.0
    sweep_points: int = 15
    classical_power_dbm: float | None = None
    pairs: tuple[PairOverride, ...] = ()

    def __post_init__(self) -> None:
        check_range("channels", self.channels, 1)
        _require(
            self.clients == 2 * self.channels,
            f"clients ({self.clients}) must be 2 x channels ({self.channels}): one channel "
            "per client pair",
        )
        _require(len(self.pair_distances_km) >= 1, "pair_distances_km must not be empty")
        for d in self.pair_distances_km:
            check_range("pair_distances_km entry", d, 0.0, MAX_PAIR_DISTANCE_KM)
        check_choice("operation", self.operation, OPERATIONS)
        check_range("downstream_km", self.downstream_km, 0.0, 1e4)
        check_range("sweep_max_km", self.sweep_max_km, 0.0, MAX_PAIR_DISTANCE_KM, low_open=True)
        check_range("sweep_points", self.sweep_points, 2, 200)
        for override in self.pairs:
            _require(
                override.pair <= self.channels,
                f"pairs: pair {override.pair} does not exist (channels = {self.channels})",
            )
        numbers = [o.pair for o in self.pairs]
        _require(len(numbers) == len(set(numbers)), f"pairs: pair numbers repeat: {numbers}")

    def links(self, distance_km: float) -> tuple[PairLinks, ...]:
        """Fibre lengths of every pair at one Alice-Bob distance (equal upstream arms)."""
        overrides = {o.pair: o for o in self.pairs}
        out = []
        for pair in range(1, self.channels + 1):
            o = overrides.get(pair)
            down_a = self.downstream_km
            down_b = self.downstream_km
            if o is not None:
                down_a = o.alice_downstream_km if o.alice_downstream_km is not None else down_a
                down_b = o.bob_downstream_km if o.bob_downstream_km is not None else down_b
            out.append(
                PairLinks(
                    alice_upstream_km=distance_km / 2.0,
                    bob_upstream_km=distance_km / 2.0,
                    alice_downstream_km=down_a,
                    bob_downstream_km=down_b,
                )
            )
        return tuple(out)


@dataclass(frozen=True)
class CombSection:
    """The server comb: where its lines come from and what counts as usable.

    Attributes:
        source: ``simulated`` (the LLE solver's reference dark-pulse comb).
        pump: ``sil``, the DFB self-injection locked to the ring (the paper's server: the lock
            starts the comb and sets every line's linewidth), or ``swept``, an ideal laser
            swept into the resonance (needs ``line_linewidth_hz``).
        line_linewidth_hz: with ``pump = "swept"``, the Lorentzian linewidth of each line, Hz
            (an ideal laser has none of its own); with ``sil`` the lock gives it.
        min_line_power_dbm: weakest line power (server output) that may seed a client, dBm.
        pump_power_w: on-chip pump power of the comb solver, W; None = the reference value.
    """

    source: str = "simulated"
    pump: str = "sil"
    line_linewidth_hz: float | None = None
    min_line_power_dbm: float = -40.0
    pump_power_w: float | None = None

    def __post_init__(self) -> None:
        check_choice("source", self.source, ("simulated",))
        check_choice("pump", self.pump, ("sil", "swept"))
        if self.pump == "sil" and self.line_linewidth_hz is not None:
            raise ValueError(
                "comb.line_linewidth_hz applies to pump = 'swept' only: the lines of a "
                "self-injection-locked pump take their linewidth from the lock"
            )
        if self.pump == "swept":
            if self.line_linewidth_hz is None:
                raise ValueError("comb.line_linewidth_hz is needed with pump = 'swept'")
            check_range("line_linewidth_hz", self.line_linewidth_hz, 0.0, 1e9, low_open=True)
        check_range("min_line_power_dbm", self.min_line_power_dbm, -100.0, 30.0)
        if self.pump_power_w is not None:
            check_range("pump_power_w", self.pump_power_w, 0.0, MAX_PUMP_POWER_W, low_open=True)


@dataclass(frozen=True)
class TransmitterSection:
    """Client transmitter chip parameters the network uses.

    Attributes:
        source: ``yield`` (chips drawn from the wafer-yield Monte Carlo) or ``nominal`` (every
            chip at its design values below).
        laser: how the DBR laser is run (its cavity comes from the drawn laser).
        extinction_ratio_db: nominal intensity-modulator extinction ratio, dB; None: the
            drawn chip's, from its circuit (the devices stage's transmitter response).
        coupling_loss_db: fibre-to-laser loss of the injected comb light (facet and on-chip
            path), dB; None: the drawn chip's injection path, from its circuit.
    """

    source: str = "yield"
    laser: LaserOperation = field(default_factory=LaserOperation)
    extinction_ratio_db: float | None = None
    coupling_loss_db: float | None = None

    def __post_init__(self) -> None:
        check_choice("source", self.source, ("yield", "nominal"))
        if self.extinction_ratio_db is not None:
            check_range("extinction_ratio_db", self.extinction_ratio_db, 0.0, 100.0, low_open=True)
        if self.coupling_loss_db is not None:
            check_range("coupling_loss_db", self.coupling_loss_db, 0.0, 60.0)

    @property
    def needs_circuit(self) -> bool:
        """Whether a chip loss comes from the drawn chip's circuit (one is not set here)."""
        return self.extinction_ratio_db is None or self.coupling_loss_db is None

    def chip_losses(self, circuit: TransmitterResponse | None) -> dict[str, float]:
        """``extinction_ratio_db`` and ``coupling_loss_db`` of the nominal chips: the scenario's
        where it sets them, else the drawn chip's from its ``circuit`` (the extinction capped
        at 100 dB, the network's largest)."""
        extinction = self.extinction_ratio_db
        coupling = self.coupling_loss_db
        if circuit is None:
            if extinction is None or coupling is None:
                raise ValueError(
                    "the transmitter's circuit response is needed: [transmitter] sets no "
                    "extinction_ratio_db or coupling_loss_db"
                )
            return {"extinction_ratio_db": extinction, "coupling_loss_db": coupling}
        return {
            "extinction_ratio_db": min(circuit.im_extinction_db, 100.0)
            if extinction is None
            else extinction,
            "coupling_loss_db": circuit.injection_loss_db if coupling is None else coupling,
        }


@dataclass(frozen=True)
class YieldSection:
    """Wafer-yield Monte Carlo settings.

    Attributes:
        wafers: wafers to simulate for the yield statistics.
        draws: random sets of client chips for the yield-aware network.
    """

    wafers: int = 20
    draws: int = 200

    def __post_init__(self) -> None:
        check_range("wafers", self.wafers, 1, MAX_WAFERS)
        check_range("draws", self.draws, 0, 100_000)


@dataclass(frozen=True)
class Scenario:
    """A whole network study.

    Attributes:
        name: scenario name (also the default results folder).
        description: one paragraph for the report.
        seed: seed of every random draw.
        network: topology and operation.
        fibre: fibre plant.
        server: server optics and detectors.
        protocol: SNS protocol.
        phase: phase tracking.
        interference: what sets the fringe visibility at the server.
        comb: comb source.
        wdm: channel grid and filters.
        transmitter: client chips.
        yield_: wafer-yield settings (``[yield]`` in the file).
        design: the drawn devices of both chips (``[design.<device>]`` tables).
    """

    name: str
    description: str = ""
    seed: int = 0
    network: NetworkSection = field(default_factory=NetworkSection)
    fibre: FibrePlant = field(default_factory=FibrePlant)
    server: Server = field(default_factory=Server)
    protocol: Protocol = field(default_factory=Protocol)
    phase: PhaseTracking = field(default_factory=PhaseTracking)
    interference: Interference = field(default_factory=Interference)
    comb: CombSection = field(default_factory=CombSection)
    wdm: WdmGrid = field(default_factory=WdmGrid)
    transmitter: TransmitterSection = field(default_factory=TransmitterSection)
    yield_: YieldSection = field(default_factory=YieldSection)
    design: ChipDesigns = field(default_factory=ChipDesigns)

    def __post_init__(self) -> None:
        _require(
            bool(self.name) and all(c.isalnum() or c in "-_" for c in self.name),
            f"name must be letters, digits, '-' or '_', got {self.name!r}",
        )
        check_range("seed", self.seed, 0, 2**63, high_open=True)

    def network_model(self, **comb_facts: Any) -> NetworkModel:
        """The network model of this scenario; ``comb_facts`` are what only the comb knows
        (``wdm`` grid, ``comb_linewidth_hz``, ``reference_frequency_hz``), left at the model's
        defaults when not given."""
        return NetworkModel(
            fibre=self.fibre,
            server=self.server,
            protocol=self.protocol,
            phase=self.phase,
            interference=self.interference,
            operation=self.network.operation,
            seed_in_backbone=self.network.seed_in_backbone,
            classical_power_dbm=self.network.classical_power_dbm,
            **comb_facts,
        )
