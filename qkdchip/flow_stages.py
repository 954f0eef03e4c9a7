"""The work of each main-flow stage, as functions of a :class:`qkdchip.flow.FlowContext`.

Each function returns a JSON dictionary (its ``headline`` is shown on the console) and may
raise ``StageSkippedError`` when an earlier stage it needs produced nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qkdchip.atomic import atomic_write_json
from qkdchip.cache import source_hash

if TYPE_CHECKING:
    from qkdchip.flow import FlowContext
    from qkdchip.scenarios.schema import Scenario

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
)
"""Modules whose source the yield stage's output depends on (its cache key hashes them): the
yield model, the process statistics, the wafer's die grid, the chip's inventory, the device
designs (the comb ring's area, the drawn lasers, with the range checks they import), the
physical constants and the chip pool (network.clients); the simulated grating enters by its
key."""

MISALIGNMENT_GRID: tuple[float, ...] = (
    0.0, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.07, 0.1, 0.14, 0.2, 0.3,
)  # fmt: skip
"""e_d values at which the yield-aware network tabulates the optimised key rate."""


# ------------------------------------------------------------------------------------- masks
def masks(ctx: FlowContext) -> dict[str, Any]:
    """Write every GDS mask (and its preview PNGs) to ``ctx.gds_dir``."""
    from qkdchip.circuits.masks import write_all_masks

    designs = ctx.scenario.design
    key = {
        "code": source_hash(["qkdchip.circuits", "qkdchip.components", "qkdchip.pdk"]),
        "design": designs.to_dict(),
    }
    stamp = ctx.gds_dir / ".qkdchip-masks.json"

    def compute() -> dict[str, Any]:
        manifest = write_all_masks(ctx.gds_dir, designs=designs).to_dict()
        # the files the manifest lists, never a stray temporary file of an interrupted run
        files = sorted(
            str(ctx.gds_dir / f["file"])
            for f in _manifest_files(manifest)
            if Path(f["file"]).suffix in (".gds", ".png")
        )
        return {"files": files, "manifest": manifest}

    data, was_cached = ctx.cached("masks", key, compute)
    if was_cached and changed_mask_files(ctx.gds_dir, data["manifest"]):
        data, was_cached = compute(), False  # a mask file is missing or not what was written
    # sorted: the same whether the data were computed or read back from the stage cache
    atomic_write_json(stamp, {"inputs": key, **data}, indent=1, sort_keys=True)
    gds = [p for p in data["files"] if p.endswith(".gds")]
    ctx.files["masks"] = list(data["files"])
    ok = data.get("manifest", {}).get("ok")
    checks = "" if ok is None else ("; DRC and checks clean" if ok else "; DRC/checks NOT clean")
    return {
        **data,
        "headline": f"{len(gds)} GDS files in {ctx.gds_dir}{checks}",
        "_cached": was_cached,
    }


def _manifest_files(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every file of a mask manifest with its SHA-256: the masks, previews and layer files."""
    return [*manifest["masks"], *manifest["files"]]


def changed_mask_files(gds_dir: Path, manifest: dict[str, Any]) -> list[str]:
    """Files of ``manifest`` that are missing from ``gds_dir`` or differ from their SHA-256."""
    from qkdchip.circuits.masks import sha256_of

    out = []
    for entry in _manifest_files(manifest):
        path = gds_dir / entry["file"]
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            out.append(entry["file"])
    return out


# ----------------------------------------------------------------------------------- devices
def devices(ctx: FlowContext) -> dict[str, Any]:
    """Load the default device-simulation results (served from the shipped MPB/meep cache).

    Every default device of :func:`~qkdchip.simulations.devices.defaults.default_results` is
    simulated with the settings of its shipped result, so on a fresh machine the results come
    from the package without meep (a missing result would need meep and fails the stage). The
    output holds each result (``results``), the cache keys of the results behind it (``keys``,
    the last one the device's own) and its headline numbers (``headlines``); the comb stage
    takes the reference ring from it.
    """
    from qkdchip.simulations.devices.defaults import default_results_with_keys

    # the default designs are shipped; a changed one is simulated (meep/MPB) or user-cached
    results, keys = default_results_with_keys(designs=ctx.scenario.design)
    ctx.keys["devices"] = keys
    headlines = device_headlines(results)
    ring, mod = headlines["ring"], headlines["modulator"]
    grating, mmi = headlines["grating"], headlines["mmi"]
    return {
        "results": {name: result.to_dict() for name, result in results.items()},
        "keys": keys,
        "headlines": headlines,
        "headline": (
            f"ring FSR {ring['fsr_ghz']:.3f} GHz, D2/2π {ring['d2_khz']:.0f} kHz; "
            f"coupler Q_c {headlines['coupler']['q_coupling']:.3g}; "
            f"grating κ {grating['kappa_per_cm']:.0f}/cm; MMI split {mmi['split_ratio']:.3f}; "
            f"modulator Vπ·L {mod['vpi_l_v_mm']:.1f} V·mm "
            f"(Vπ {mod['vpi_v']:.1f} V at {mod['length_um']:g} µm)"
        ),
    }


def device_headlines(results: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The headline numbers of each device result, in the units their names say."""
    from qkdchip.simulations.devices.defaults import DEVICES

    return {name: DEVICES[name].headlines(result) for name, result in results.items()}


# -------------------------------------------------------------------------------------- comb
def comb(ctx: FlowContext) -> dict[str, Any]:
    """Solve (or load from cache) the server's reference dark-pulse comb.

    The resonator is the devices stage's simulated reference ring (FSR, D_int, its MPB mode)
    and bus coupler (Q_c), with the comb module's assumed intrinsic Q, trigger and pump recipe.
    """
    from qkdchip.simulations import comb as comb_module
    from qkdchip.simulations.ring.coupling import CouplerResult
    from qkdchip.simulations.ring.resonances import RingResult

    device_results = ctx.need("devices")["results"]
    ring_data = device_results["ring"]
    coupler_data = device_results["coupler"]
    key = {
        "code": source_hash(["qkdchip.simulations.comb"]),
        "devices": {name: ctx.keys["devices"][name] for name in ("ring", "coupler")},
        "seed": ctx.scenario.seed,
        "pump_power_w": ctx.scenario.comb.pump_power_w,
    }

    def compute() -> dict[str, Any]:
        kwargs = {}
        if ctx.scenario.comb.pump_power_w is not None:
            kwargs["pump_power_w"] = ctx.scenario.comb.pump_power_w
        resonator = comb_module.reference_resonator(
            ring=RingResult.from_dict(ring_data), coupler=CouplerResult.from_dict(coupler_data)
        )
        result = comb_module.reference_comb(resonator=resonator, seed=ctx.scenario.seed, **kwargs)
        return result.to_dict()

    data, was_cached = ctx.cached("comb", key, compute)
    lines = comb_lines(data)
    usable = int(
        np.sum((lines["power_dbm"] >= ctx.scenario.comb.min_line_power_dbm) & (lines["mu"] != 0))
    )
    state = data.get("state", "unknown")
    return {
        **data,
        "comb_lines_usable": usable,
        "headline": (
            f"{state} comb, {usable} lines besides the pump >= "
            f"{ctx.scenario.comb.min_line_power_dbm:g} dBm"
        ),
        "_cached": was_cached,
    }


def comb_lines(data: dict[str, Any]) -> dict[str, np.ndarray]:
    """Arrays ``mu``, ``frequency_hz`` and ``power_dbm`` of the comb stage's lines.

    ``data["lines"]`` is the list of line dictionaries of ``CombResult.to_dict()``.
    """
    lines = data["lines"]
    return {
        "mu": np.asarray([ln["mu"] for ln in lines], dtype=int),
        "frequency_hz": np.asarray([ln["frequency_hz"] for ln in lines], dtype=float),
        "power_dbm": np.asarray([ln["power_dbm"] for ln in lines], dtype=float),
    }


# ------------------------------------------------------------------------------------- yield
def wafer_yield(ctx: FlowContext) -> dict[str, Any]:
    """Wafer-yield Monte Carlo of the InP transmitter chip, plus a chip pool for the network."""
    from qkdchip.simulations.network.clients import chip_pool
    from qkdchip.simulations.wafer_yield.engine import YieldModel, run_wafer_yield

    sc = ctx.scenario
    ctx.need("devices")  # the lasers' grating and the modulators' Vπ·L are simulated
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

    def compute() -> dict[str, Any]:
        model = YieldModel.build("inp", designs=sc.design)
        result = run_wafer_yield("inp", n_wafers=sc.yield_.wafers, seed=sc.seed, model=model)
        maps = result.maps
        return {
            "summary": result.to_dict(),
            "maps": {
                "x_mm": maps.x_mm,
                "y_mm": maps.y_mm,
                "metrics": dict(maps.metrics),
                "chip_pass": maps.chip_pass,
                "die_yield": maps.die_yield,
            },
            "pool": chip_pool(seed=sc.seed, model=model),
        }

    data, was_cached = ctx.cached("yield", key, compute)
    summary = data["summary"]
    mod = summary.get("modulator_yield") or {}
    chip = summary.get("chip_yield") or {}
    data["modulator_yield"] = mod.get("value")
    data["chip_yield"] = chip.get("value")
    return {
        **data,
        "headline": (
            f"modulator yield {_pct(data['modulator_yield'])}, chip yield "
            f"{_pct(data['chip_yield'])} over {sc.yield_.wafers} wafers"
        ),
        "_cached": was_cached,
    }


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100.0 * float(value):.1f} %"


# ----------------------------------------------------------------------------------- network
def network(ctx: FlowContext) -> dict[str, Any]:
    """Channel plan, per-pair key rates at each distance, the distance sweep, and yield draws."""

    from qkdchip.simulations.network.clients import (
        client_name,
        drawn_laser_cavity,
        pool_clients,
        tested_clients,
    )
    from qkdchip.simulations.network.model import (
        ClientChip,
        NetworkModel,
        evaluate_network,
    )
    from qkdchip.simulations.network.sweep import distance_sweep

    sc = ctx.scenario
    channels = _channel_plan(sc, ctx.need("comb"))
    model = NetworkModel(
        fibre=sc.fibre,
        server=sc.server,
        protocol=sc.protocol,
        phase=sc.phase,
        comb_linewidth_hz=sc.comb.line_linewidth_hz,
        operation=sc.network.operation,
        classical_power_dbm=sc.network.classical_power_dbm,
    )
    tx = sc.transmitter
    pool_data = None
    cavity = drawn_laser_cavity(ctx.need("devices")["results"]["grating"], laser=sc.design.laser)
    laser = tx.laser.slave(
        cavity_length_m=cavity.cavity_length_m,
        group_index=cavity.group_index,
        mirror_reflectivity=cavity.injection_reflectance,
    )
    if tx.source == "yield":
        pool_data = ctx.need("yield")["pool"]
    nominal = [
        ClientChip(
            name=client_name(k),
            laser=laser,
            extinction_ratio_db=tx.extinction_ratio_db,
            coupling_loss_db=tx.coupling_loss_db,
        )
        for k in range(sc.network.clients)
    ]
    # The headline network: 2N chips drawn at random among the dies of the first simulated
    # wafer that pass the wafer tests (a tested set, as a network operator would deploy), or
    # nominal chips when the scenario asks for them. Untested random sets follow below.
    pool: list[Any] = []
    groups = np.zeros(0, dtype=int)
    clients = nominal
    if pool_data is not None:
        pool = pool_clients(pool_data, laser=laser, coupling_loss_db=tx.coupling_loss_db)
        groups = np.asarray(pool_data["wafer"], dtype=int)
        clients = tested_clients(
            pool,
            passes=np.asarray(pool_data["chip_pass"], dtype=bool),
            first_wafer=groups == 0,
            n=sc.network.clients,
            seed=sc.seed + 2,
        )

    def rate_fn(*, system: Any, protocol: str) -> dict[str, Any]:
        from qkdchip.simulations.qkd import optimise_key_rate

        return optimise_key_rate(system, protocol=protocol, seed=sc.seed).to_dict()

    distances = list(sc.network.pair_distances_km)
    links_by_distance = {d: sc.network.links(d) for d in distances}
    n_total = len(distances) * len(channels)
    done = [0]

    def tick() -> None:
        done[0] += 1
        ctx.report_progress("network", done[0], n_total)

    key = {
        "code": source_hash(
            [
                "qkdchip.simulations.network",
                "qkdchip.simulations.qkd",
                "qkdchip.simulations.devices",
                "qkdchip.components.designs",
                "qkdchip.flow_stages",
            ]
        ),
        "scenario": repr(sc),
        "grating": ctx.keys["devices"]["grating"],
        "comb": ctx.keys["comb"],
        "yield": ctx.keys["yield"] if pool_data is not None else None,
    }

    def compute_network() -> dict[str, Any]:
        result = evaluate_network(
            model=model,
            channels=channels,
            clients=clients,
            links_by_distance=links_by_distance,
            key_rate=rate_fn,
            progress=tick,
        )
        return result.to_dict()

    net, cached_net = ctx.cached("network", key, compute_network)

    def compute_reach() -> dict[str, Any]:
        return _reach(ctx, net, model=model, channels=channels, clients=clients, rate_fn=rate_fn)

    reach, _ = ctx.cached("reach", key, compute_reach)

    # Key rate versus distance for the median channel's pair (nominal chips), with PLOB.
    def compute_sweep() -> dict[str, Any]:
        return distance_sweep(
            model=model,
            channels=channels,
            nominal=nominal,
            downstream_km=sc.network.downstream_km,
            max_km=sc.network.sweep_max_km,
            points=sc.network.sweep_points,
            seed=sc.seed,
            progress=lambda done, total: ctx.report_progress("sweep", done, total),
        )

    sweep, _ = ctx.cached("sweep", key, compute_sweep)

    draws_out: list[dict[str, Any]] = []
    if pool and sc.yield_.draws > 0:

        def compute_draws() -> dict[str, Any]:
            blocks = [
                _untested_draws(
                    model,
                    channels,
                    links_by_distance[d],
                    pool=pool,
                    groups=groups,
                    draws=sc.yield_.draws,
                    seed=sc.seed + 3,
                    rate_fn=rate_fn,
                )
                for d in distances
            ]
            return {"by_distance": blocks}

        draws_out = ctx.cached("yield_network", key, compute_draws)[0]["by_distance"]

    capability = net["networking_capability_km"]
    last = net["by_distance"][-1]
    n_beat = sum(p["beats_plob"] for p in last["pairs"])
    return {
        "network": net,
        "reach": reach,
        "sweep": sweep,
        "yield_aware": draws_out,
        "networking_capability_km": capability,
        "headline": (
            f"{n_beat}/{len(channels)} pairs beat PLOB at {last['distance_km']:g} km; "
            f"networking capability {capability:,.0f} km; "
            + (
                f"all pairs beat PLOB up to {reach['distance_km']:g} km"
                if reach["distance_km"]
                else "at no configured distance do all pairs beat PLOB"
            )
        ),
        "_cached": cached_net,
    }


def _channel_plan(sc: Scenario, comb_data: dict[str, Any]) -> list[Any]:
    """The scenario's WDM channels on the comb's lines (grid anchored on the pump line)."""
    from qkdchip.simulations.network.wdm import assign_channels, grid_for_comb

    lines = comb_lines(comb_data)
    pump = lines["mu"] == 0
    if not np.any(pump):
        raise ValueError("the comb result has no pump line (mu = 0) to anchor the channel plan")
    spacing = float(np.median(np.diff(lines["frequency_hz"]) / np.diff(lines["mu"])))
    grid = grid_for_comb(
        sc.wdm, line_spacing_hz=spacing, pump_frequency_hz=float(lines["frequency_hz"][pump][0])
    )
    return assign_channels(
        line_mu=lines["mu"],
        line_frequency_hz=lines["frequency_hz"],
        line_power_dbm=lines["power_dbm"],
        n_channels=sc.network.channels,
        grid=grid,
        min_power_dbm=sc.comb.min_line_power_dbm,
    )


def _untested_draws(
    model: Any,
    channels: Any,
    links: Any,
    *,
    pool: list[Any],
    groups: np.ndarray,
    draws: int,
    seed: int,
    rate_fn: Any,
) -> dict[str, Any]:
    """Key rates of ``draws`` random, untested chip sets at one distance (a key-rate table over
    the misalignment, built once, serves every pair)."""
    from qkdchip.simulations.network.yield_aware import key_rate_table, yield_aware_network

    table = key_rate_table(
        model=model,
        channel=channels[0],
        links=links[0],
        channels=channels,
        misalignment_grid=MISALIGNMENT_GRID,
        key_rate=rate_fn,
    )
    res = yield_aware_network(
        model=model,
        channels=channels,
        links=links,
        pool=pool,
        groups=groups,
        table=table,
        draws=draws,
        rng=np.random.default_rng(seed),
    )
    return {**res.to_dict(), "table": table.to_dict(), "ratio_to_plob": res.ratio_to_plob.tolist()}


def _reach(
    ctx: FlowContext,
    net: dict[str, Any],
    *,
    model: Any,
    channels: Any,
    clients: Any,
    rate_fn: Any,
) -> dict[str, Any]:
    """Longest distance at which every pair beats PLOB, searched from the configured ones.

    The search starts at the longest configured distance where every pair beats PLOB; with
    none, the reach is unknown (``distance_km`` None). Each evaluated distance runs the whole
    network evaluation (every pair, its locking, noise and optimised key rate).
    """
    from qkdchip.simulations.network.model import evaluate_network
    from qkdchip.simulations.network.reach import longest_distance_km

    good = [b["distance_km"] for b in net["by_distance"] if b["all_beat_plob"]]
    n_pairs = len(channels)
    if not good:
        return {
            "distance_km": None,
            "first_failing_km": None,
            "evaluations": 0,
            "networking_capability_km": 0.0,
        }

    evaluated = [0]

    def qualifies(distance_km: float) -> bool:
        evaluated[0] += 1
        ctx.report_progress("reach", evaluated[0], evaluated[0])  # distances evaluated so far
        result = evaluate_network(
            model=model,
            channels=channels,
            clients=clients,
            links_by_distance={distance_km: ctx.scenario.network.links(distance_km)},
            key_rate=rate_fn,
        )
        return result.all_beat_plob(distance_km)

    reach = longest_distance_km(qualifies, start_km=max(good))
    return {**reach.to_dict(), "networking_capability_km": n_pairs * reach.distance_km}
