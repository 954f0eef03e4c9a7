"""The work of each main-flow stage, as functions of a :class:`qkdchip.flow_context.FlowContext`.

Each function returns a :class:`~qkdchip.flow_context.StageResult` (its typed output from
:mod:`qkdchip.stage_outputs` and a headline for the console) and may raise
``StageSkippedError`` when an earlier stage it needs produced nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qkdchip.atomic import atomic_write_json
from qkdchip.cache import source_hash
from qkdchip.flow_context import FlowContext, StageResult
from qkdchip.platforms import INP
from qkdchip.simulations.network.limits import LimitingMechanism
from qkdchip.simulations.network.model import NetworkResult
from qkdchip.simulations.network.reach import Reach
from qkdchip.simulations.network.security import SecurityMargins
from qkdchip.simulations.network.sweep import DistanceSweep
from qkdchip.stage_outputs import (
    CombOutput,
    DevicesOutput,
    MasksOutput,
    NetworkOutput,
    UntestedDraws,
    UntestedDrawSet,
    YieldOutput,
)

if TYPE_CHECKING:
    from qkdchip.components.chip_designs import ChipDesigns
    from qkdchip.scenarios.schema import Scenario
    from qkdchip.simulations.circuit_models.transmitter import TransmitterResponse
    from qkdchip.simulations.network.clients import NetworkClients
    from qkdchip.simulations.network.model import (
        ClientChip,
        KeyRateFunction,
        NetworkModel,
        PairLink,
        PairLinks,
    )
    from qkdchip.simulations.network.wdm import ChannelAssignment, WdmGrid

YIELD_SOURCES: tuple[str, ...] = (
    "qkdchip.simulations.wafer_yield",
    "qkdchip.simulations.modes.modulator",
    "qkdchip.pdk",
    "qkdchip.circuits.wafer_geometry",
    "qkdchip.circuits.inventory",
    "qkdchip.components.designs",
    "qkdchip.components.chip_designs",
    "qkdchip.components.checks",
    "qkdchip.constants",
    "qkdchip.values",
    "qkdchip.validation",
    "qkdchip.simulations.network.clients",
    "qkdchip.platforms",
    "qkdchip.options",
)
"""Modules whose source the yield stage's output depends on (its cache key hashes them): the
yield model, the process statistics, the wafer's die grid, the chip's inventory, the device
designs (the comb ring's area, the drawn lasers, with the range checks they import), the
physical constants, the chip pool (network.clients) and the sampler names (options); the
simulated grating enters by its key."""

NETWORK_SOURCES: tuple[str, ...] = (
    "qkdchip.simulations.network",
    "qkdchip.simulations.qkd",
    "qkdchip.simulations.devices",
    "qkdchip.components.designs",
    "qkdchip.flow_stages",
    "qkdchip.options",
)
"""Modules whose source the network stage's outputs depend on (their cache keys hash them)."""

MISALIGNMENT_GRID: tuple[float, ...] = (
    0.0, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.07, 0.1, 0.14, 0.2, 0.3,
)  # fmt: skip
"""e_d values at which the yield-aware network tabulates the optimised key rate."""


# ------------------------------------------------------------------------------------- masks
def masks(ctx: FlowContext) -> StageResult:
    """Write every GDS mask (and its preview PNGs) to ``ctx.gds_dir``."""
    designs = ctx.scenario.design
    key = {
        "code": source_hash(["qkdchip.circuits", "qkdchip.components", "qkdchip.pdk"]),
        "design": designs.to_dict(),
    }
    stamp = ctx.gds_dir / ".qkdchip-masks.json"

    def compute() -> MasksOutput:
        from qkdchip.circuits.masks import write_all_masks

        # the files the manifest lists, never a stray temporary file of an interrupted run
        return MasksOutput.from_manifest(write_all_masks(ctx.gds_dir, designs=designs))

    output, was_cached = ctx.cached("masks", key, compute, MasksOutput)
    if was_cached and changed_mask_files(ctx.gds_dir, output):
        output, was_cached = compute(), False  # a mask file is missing or not what was written
    # sorted: the same whether the output was computed or read back from the stage cache
    atomic_write_json(stamp, {"inputs": key, **output.to_dict()}, indent=1, sort_keys=True)
    gds = [p for p in output.files if p.endswith(".gds")]
    ctx.files["masks"] = list(output.files)
    checks = "; DRC and checks clean" if output.ok else "; DRC/checks NOT clean"
    headline = f"{len(gds)} GDS files in {ctx.gds_dir}{checks}"
    return StageResult(output, headline, was_cached)


def changed_mask_files(gds_dir: Path, masks: MasksOutput) -> list[str]:
    """Files the masks stage wrote that are missing from ``gds_dir`` or differ from their
    SHA-256."""
    from qkdchip.circuits.manifest import sha256_of

    return [
        name
        for name, digest in masks.sha256.items()
        if not (gds_dir / name).is_file() or sha256_of(gds_dir / name) != digest
    ]


# ----------------------------------------------------------------------------------- devices
def devices(ctx: FlowContext) -> StageResult:
    """Load the default device-simulation results (served from the shipped MPB/meep cache).

    Every default device of :func:`~qkdchip.simulations.devices.defaults.default_results` is
    simulated with the settings of its shipped result, so on a fresh machine the results come
    from the package without meep (a missing result would need meep and fails the stage). The
    comb stage takes the reference ring from its :class:`DevicesOutput`.
    """
    from qkdchip.simulations.devices.defaults import default_results_with_keys

    # the default designs are shipped; a changed one is simulated (meep/MPB) or user-cached
    results, keys = default_results_with_keys(designs=ctx.scenario.design)
    ctx.keys["devices"] = keys
    headlines = device_headlines(results)
    ring, mod = headlines["ring"], headlines["modulator"]
    grating, mmi = headlines["grating"], headlines["mmi"]
    headline = (
        f"ring FSR {ring['fsr_ghz']:.3f} GHz, D2/2π {ring['d2_khz']:.0f} kHz; "
        f"coupler Q_c {headlines['coupler']['q_coupling']:.3g}; "
        f"grating κ {grating['kappa_per_cm']:.0f}/cm; MMI split {mmi['split_ratio']:.3f}; "
        f"modulator Vπ·L {mod['vpi_l_v_mm']:.1f} V·mm "
        f"(Vπ {mod['vpi_v']:.1f} V at {mod['length_um']:g} µm)"
    )
    return StageResult(DevicesOutput(results=results, keys=keys, headlines=headlines), headline)


TRANSMITTER_CIRCUIT_SOURCES: tuple[str, ...] = (
    "qkdchip.simulations.circuit_models",
    "qkdchip.circuits",
    "qkdchip.components",
    "qkdchip.pdk",
    "qkdchip.simulations.wafer_yield.sensitivity_table",
)
"""What the transmitter circuit's response depends on (its cache key's code hash)."""


def _transmitter_circuit(ctx: FlowContext) -> TransmitterResponse:
    """The drawn transmitter's circuit response (cached; keyed on the chip's drawn settings and
    the device results its models use)."""
    from qkdchip.simulations.circuit_models.transmitter import TransmitterResponse

    keys = ctx.keys["devices"]
    response, _ = ctx.cached(
        "transmitter",
        {
            "code": source_hash(TRANSMITTER_CIRCUIT_SOURCES),
            "chip": ctx.scenario.design.transmitter_cell_settings(),
            "devices": {name: keys[name] for name in ("modulator", "grating", "mmi")},
        },
        lambda: transmitter_circuit(ctx.scenario.design),
        TransmitterResponse,
    )
    return response


def transmitter_circuit(designs: ChipDesigns) -> TransmitterResponse:
    """The drawn transmitter chip (``designs``) solved as a circuit of the simulated devices."""
    from qkdchip.simulations.circuit_models.transmitter import (
        transmitter_netlist,
        transmitter_response,
    )

    netlist = transmitter_netlist(settings=designs.transmitter_cell_settings())
    return transmitter_response(netlist=netlist)


def device_headlines(results: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The headline numbers of each device result, in the units their names say."""
    from qkdchip.simulations.devices.defaults import DEVICES

    return {name: DEVICES[name].headlines(result) for name, result in results.items()}


# -------------------------------------------------------------------------------------- comb
def comb(ctx: FlowContext) -> StageResult:
    """Solve (or load from cache) the server's reference dark-pulse comb.

    The resonator is the devices stage's simulated reference ring (FSR, D_int, its MPB mode)
    and bus coupler (Q_c), with the comb module's assumed intrinsic Q. The pump is the
    scenario's: the self-injection-locked DFB switched on at a fixed current (its lock starts
    the comb and gives every line's linewidth), or an ideal laser swept in with the assumed
    mode-crossing trigger.
    """
    device_results = ctx.need("devices", DevicesOutput).results
    settings = ctx.scenario.comb
    key = {
        "code": source_hash(["qkdchip.simulations.comb", "qkdchip.options"]),
        "devices": {name: ctx.keys["devices"][name] for name in ("ring", "coupler")},
        "seed": ctx.scenario.seed,
        "pump": settings.pump,
        "pump_power_w": settings.pump_power_w,
    }

    def compute() -> CombOutput:
        from qkdchip.simulations.comb import reference as ref

        kwargs = {}
        if settings.pump_power_w is not None:
            kwargs["pump_power_w"] = settings.pump_power_w
        ring, coupler = device_results["ring"], device_results["coupler"]
        if settings.pump == "sil":
            resonator = ref.reference_resonator(ring=ring, coupler=coupler, mode_shifts_hz={})
            locked = ref.reference_sil_comb(resonator=resonator, seed=ctx.scenario.seed, **kwargs)
            return CombOutput.from_result(locked.comb, linewidth_hz=locked.line_linewidth_hz)
        resonator = ref.reference_resonator(ring=ring, coupler=coupler)
        result = ref.reference_comb(resonator=resonator, seed=ctx.scenario.seed, **kwargs)
        return CombOutput.from_result(result)

    output, was_cached = ctx.cached("comb", key, compute, CombOutput)
    threshold = ctx.scenario.comb.min_line_power_dbm
    usable = output.usable_lines(threshold)
    headline = f"{output.state} comb, {usable} lines besides the pump >= {threshold:g} dBm"
    return StageResult(output, headline, was_cached)


# ------------------------------------------------------------------------------------- yield
def wafer_yield(ctx: FlowContext) -> StageResult:
    """Wafer-yield Monte Carlo of the InP transmitter chip, plus a chip pool for the network."""
    sc = ctx.scenario
    ctx.need("devices", DevicesOutput)  # the lasers' grating and the modulators' Vπ·L
    key = {
        "code": source_hash(YIELD_SOURCES),
        "grating": ctx.keys["devices"]["grating"],
        "modulator": ctx.keys["devices"]["modulator"],
        "laser": sc.design.laser.to_dict(),
        "phase_modulator": sc.design.phase_modulator.to_dict(),
        "intensity_modulator": sc.design.intensity_modulator.to_dict(),
        "wafers": sc.yield_.wafers,
        "seed": sc.seed,
    }

    def compute() -> YieldOutput:
        from qkdchip.simulations.network.clients import chip_pool
        from qkdchip.simulations.wafer_yield.engine import YieldModel, run_wafer_yield

        model = YieldModel.build(INP, designs=sc.design)
        result = run_wafer_yield(
            INP,
            n_wafers=sc.yield_.wafers,
            seed=sc.seed,
            model=model,
            progress=lambda done, total: ctx.report_progress("yield", done, total),
        )
        return YieldOutput.from_result(result, pool=chip_pool(seed=sc.seed, model=model))

    output, was_cached = ctx.cached("yield", key, compute, YieldOutput)
    headline = (
        f"modulator yield {_pct(output.modulator_yield)}, chip yield "
        f"{_pct(output.chip_yield)} over {sc.yield_.wafers} wafers"
    )
    return StageResult(output, headline, was_cached)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100.0 * value:.1f} %"


# ----------------------------------------------------------------------------------- network
@dataclass(frozen=True)
class _NetworkSetup:
    """What every part of the network stage evaluates: the model, channels and chips."""

    model: NetworkModel
    channels: list[ChannelAssignment]
    clients: NetworkClients
    links_by_distance: dict[float, list[PairLinks]]
    key_rate: KeyRateFunction
    transmitter: TransmitterResponse | None


def _network_setup(ctx: FlowContext) -> _NetworkSetup:
    """The network of the scenario on the comb's channels, with the drawn lasers (simulated
    grating), the drawn chip's losses from its circuit where the scenario sets none, and, when
    the scenario asks for it, chips from the yield stage's pool."""
    from qkdchip.simulations.network.clients import drawn_laser_cavity, network_clients

    sc = ctx.scenario
    tx = sc.transmitter
    grating = ctx.need("devices", DevicesOutput).results["grating"]
    cavity = drawn_laser_cavity(grating, laser=sc.design.laser)
    laser = tx.laser.slave(
        cavity_length_m=cavity.cavity_length_m,
        group_index=cavity.group_index,
        mirror_reflectivity=cavity.injection_reflectance,
    )
    pool = ctx.need("yield", YieldOutput).pool if tx.source == "yield" else None
    comb = ctx.need("comb", CombOutput)
    grid, pump_hz = _comb_grid(sc, comb)
    channels = _channel_plan(sc, comb, grid)
    transmitter = _transmitter_circuit(ctx) if tx.needs_circuit else None

    return _NetworkSetup(
        model=sc.network_model(
            wdm=grid,
            comb_linewidth_hz=_master_linewidth_hz(sc, comb, channels),
            reference_frequency_hz=pump_hz,
        ),
        channels=channels,
        clients=network_clients(
            n=sc.network.clients,
            laser=laser,
            **tx.chip_losses(transmitter),
            pool=pool,
            seed=sc.seed + 2,
        ),
        links_by_distance={d: sc.network.links(d) for d in sc.network.pair_distances_km},
        key_rate=sc.protocol.key_rate_function(seed=sc.seed),
        transmitter=transmitter,
    )


def network(ctx: FlowContext) -> StageResult:
    """Channel plan, per-pair key rates at each distance, and the parts the context runs
    (:data:`~qkdchip.flow_context.NETWORK_PARTS`): the reach and what limits it, the security
    margins, the distance sweep and random untested chip sets."""
    from qkdchip.simulations.network.model import evaluate_network

    sc = ctx.scenario
    setup = _network_setup(ctx)
    model, channels, clients = setup.model, setup.channels, setup.clients
    n_total = len(setup.links_by_distance) * len(channels)
    done = [0]

    def tick() -> None:
        done[0] += 1
        ctx.report_progress("network", done[0], n_total)

    key = {
        "code": source_hash(NETWORK_SOURCES),
        "scenario": repr(sc),
        "grating": ctx.keys["devices"]["grating"],
        "comb": ctx.keys["comb"],
        "yield": ctx.keys["yield"] if clients.pool else None,
        "transmitter": ctx.keys["transmitter"] if setup.transmitter else None,
    }

    def compute_network() -> NetworkResult:
        return evaluate_network(
            model=model,
            channels=channels,
            clients=clients.deployed,
            links_by_distance=setup.links_by_distance,
            key_rate=setup.key_rate,
            progress=tick,
        )

    net, cached_net = ctx.cached("network", key, compute_network, NetworkResult)
    # the reach is searched from the longest configured distance where every pair beats PLOB
    good = [b.distance_km for b in net.by_distance if b.all_beat_plob]
    reach = limit = security = sweep = None
    if good and ctx.runs_network_part("reach"):
        reach = ctx.cached("reach", key, lambda: _reach(ctx, setup, max(good)), Reach)[0]
    longest = net.by_distance[-1]
    has_key = any(p.key_rate_per_pulse > 0.0 for p in longest.pairs)
    if has_key and ctx.runs_network_part("security"):
        security = ctx.cached(
            "security",
            key,
            lambda: _security(ctx, setup, longest.distance_km),
            SecurityMargins,
        )[0]
    failing = None if reach is None else reach.first_failing_km
    if failing is not None and ctx.runs_network_part("limit"):
        limit = ctx.cached("limit", key, lambda: _limit(ctx, setup, failing), LimitingMechanism)[0]
    if ctx.runs_network_part("sweep"):
        sweep = ctx.cached("sweep", key, lambda: _sweep(ctx, setup), DistanceSweep)[0]
    draws: tuple[UntestedDraws, ...] = ()
    if clients.pool and sc.yield_.draws > 0 and ctx.runs_network_part("untested"):
        draw_set = ctx.cached(
            "yield_network", key, lambda: _untested_draws(ctx, setup), UntestedDrawSet
        )
        draws = draw_set[0].by_distance
    output = NetworkOutput(
        evaluation=net,
        reach=reach,
        limit=limit,
        security=security,
        sweep=sweep,
        untested_draws=draws,
        transmitter=setup.transmitter,
    )
    return StageResult(output, _network_headline(output), cached_net)


def _network_headline(output: NetworkOutput) -> str:
    net, reach, limit = output.evaluation, output.reach, output.limit
    last = net.by_distance[-1]
    n_beat = sum(p.beats_plob for p in last.pairs)
    return (
        f"{n_beat}/{net.n_pairs} pairs beat PLOB at {last.distance_km:g} km; "
        f"networking capability {net.networking_capability_km:,.0f} km; "
        + (
            f"all pairs beat PLOB up to {reach.distance_km:g} km"
            if reach is not None
            else "at no configured distance do all pairs beat PLOB"
        )
        + ("" if limit is None else f" (limited by {limit.mechanism.replace('_', ' ')})")
    )


def _sweep(ctx: FlowContext, setup: _NetworkSetup) -> DistanceSweep:
    """Key rate versus distance for the median channel's pair (nominal chips), with PLOB."""
    from qkdchip.simulations.network.sweep import distance_sweep

    net = ctx.scenario.network
    return distance_sweep(
        model=setup.model,
        channels=setup.channels,
        nominal=setup.clients.nominal,
        downstream_km=net.downstream_km,
        max_km=net.sweep_max_km,
        points=net.sweep_points,
        seed=ctx.scenario.seed,
        progress=lambda done, total: ctx.report_progress("sweep", done, total),
    )


def _master_linewidth_hz(
    sc: Scenario, comb: CombOutput, channels: Sequence[ChannelAssignment]
) -> float:
    """The linewidth of the comb lines that seed the clients (Hz): the widest of the channels'
    lines when the comb's pump noise is modelled, else the scenario's."""
    if comb.line_linewidth_hz is None:
        if sc.comb.line_linewidth_hz is None:
            raise ValueError("the comb has no line linewidths and the scenario gives none")
        return sc.comb.line_linewidth_hz
    return max(comb.linewidth_hz(ch.line_mu) for ch in channels)


def _comb_grid(sc: Scenario, comb: CombOutput) -> tuple[WdmGrid, float]:
    """The scenario's channel grid on the comb (anchored on the pump line) and the pump's
    frequency (the reference line lambda_0), Hz."""
    from qkdchip.simulations.network.wdm import grid_for_comb

    mu, frequency_hz = comb.mu, comb.frequency_hz
    pump = mu == 0
    if not np.any(pump):
        raise ValueError("the comb result has no pump line (mu = 0) to anchor the channel plan")
    spacing = float(np.median(np.diff(frequency_hz) / np.diff(mu)))
    pump_hz = float(frequency_hz[pump][0])
    return grid_for_comb(sc.wdm, line_spacing_hz=spacing, pump_frequency_hz=pump_hz), pump_hz


def _channel_plan(sc: Scenario, comb: CombOutput, grid: WdmGrid) -> list[ChannelAssignment]:
    """The scenario's WDM channels on the comb's lines."""
    from qkdchip.simulations.network.wdm import assign_channels

    mu, frequency_hz = comb.mu, comb.frequency_hz
    return assign_channels(
        line_mu=mu,
        line_frequency_hz=frequency_hz,
        line_power_dbm=comb.power_dbm,
        n_channels=sc.network.channels,
        grid=grid,
        min_power_dbm=sc.comb.min_line_power_dbm,
    )


def _untested_draws(ctx: FlowContext, setup: _NetworkSetup) -> UntestedDrawSet:
    """Key rates of random, untested chip sets at each configured distance (a key-rate table
    over the misalignment, built once per distance, serves every pair)."""
    from qkdchip.simulations.network.model import pair_source_flaws
    from qkdchip.simulations.network.yield_aware import key_rate_table, yield_aware_network

    blocks = []
    for links in setup.links_by_distance.values():
        table = key_rate_table(
            model=setup.model,
            channel=setup.channels[0],
            links=links[0],
            channels=setup.channels,
            misalignment_grid=MISALIGNMENT_GRID,
            key_rate=setup.key_rate,
            flaws=pair_source_flaws(protocol=setup.model.protocol, chips=setup.clients.nominal[:2]),
        )
        result = yield_aware_network(
            model=setup.model,
            channels=setup.channels,
            links=links,
            pool=setup.clients.pool,
            groups=setup.clients.wafer,
            table=table,
            draws=ctx.scenario.yield_.draws,
            rng=np.random.default_rng(ctx.scenario.seed + 3),
        )
        blocks.append(UntestedDraws.from_result(result, table=table))
    return UntestedDrawSet(by_distance=tuple(blocks))


def _weakest_link(
    setup: _NetworkSetup, links: Sequence[PairLinks], *, with_key: bool = False
) -> tuple[int, PairLink, tuple[ClientChip, ClientChip]]:
    """The working pair with the lowest key rate over PLOB on these links (among those with a
    key when ``with_key``): its number, its link and its chips."""
    from qkdchip.simulations.network.model import lock_client, pair_link

    model, channels, clients = setup.model, setup.channels, setup.clients.deployed
    best = None
    for i, (channel, link) in enumerate(zip(channels, links, strict=True)):
        chips = (clients[2 * i], clients[2 * i + 1])
        downs = (link.alice_downstream_km, link.bob_downstream_km)
        locks = tuple(
            lock_client(model=model, chip=c, channel=channel, downstream_km=d)
            for c, d in zip(chips, downs, strict=True)
        )
        if not all(c.working for c in chips) or not all(lk.locked for lk in locks):
            continue
        built = pair_link(
            model=model, channel=channel, links=link, chips=chips, locks=locks, channels=channels
        )
        key = built.key_rate(setup.key_rate, protocol=model.protocol.name)
        ratio = float(key["ratio_to_plob"])
        if with_key and float(key["key_rate_per_pulse"]) <= 0.0:
            continue
        if best is None or ratio < best[0]:
            best = (ratio, i + 1, built, chips)
    if best is None:
        raise ValueError(f"no pair works at {links[0].distance_km:g} km")
    return best[1], best[2], best[3]


def _limit(ctx: FlowContext, setup: _NetworkSetup, distance_km: float) -> LimitingMechanism:
    """The mechanism that costs the weakest pair the most key at ``distance_km``, the first
    distance beyond the reach."""
    from qkdchip.simulations.network.limits import limiting_mechanism

    _, link, _ = _weakest_link(setup, ctx.scenario.network.links(distance_km))
    return limiting_mechanism(model=setup.model, link=link, key_rate=setup.key_rate)


def _security(ctx: FlowContext, setup: _NetworkSetup, distance_km: float) -> SecurityMargins:
    """What its chips' extinction costs the weakest pair at ``distance_km``, and the extinction
    and isolation that keep its key within 1 %."""
    from qkdchip.simulations.network.security import security_margins

    pair, link, chips = _weakest_link(setup, ctx.scenario.network.links(distance_km), with_key=True)
    return security_margins(
        model=setup.model, pair=pair, link=link, chips=chips, seed=ctx.scenario.seed
    )


def _reach(ctx: FlowContext, setup: _NetworkSetup, start_km: float) -> Reach:
    """Longest distance at which every pair beats PLOB, searched from ``start_km`` (km), where
    every pair does. Each evaluated distance runs the whole network evaluation (every pair, its
    locking, noise and optimised key rate)."""
    from qkdchip.simulations.network.model import evaluate_network
    from qkdchip.simulations.network.reach import longest_distance_km

    evaluated = [0]

    def qualifies(distance_km: float) -> bool:
        evaluated[0] += 1
        ctx.report_progress("reach", evaluated[0], evaluated[0])  # distances evaluated so far
        result = evaluate_network(
            model=setup.model,
            channels=setup.channels,
            clients=setup.clients.deployed,
            links_by_distance={distance_km: ctx.scenario.network.links(distance_km)},
            key_rate=setup.key_rate,
        )
        return result.at(distance_km).all_beat_plob

    return longest_distance_km(qualifies, start_km=start_km)
