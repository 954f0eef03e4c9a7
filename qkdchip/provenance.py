"""Where each headline of a run comes from: the chain from the layout to the key rate.

:func:`build_provenance` reads a finished :class:`~qkdchip.flow_context.FlowContext` (its scenario,
stage outputs and cache keys) and says, for every headline of ``summary.json``, what kind of
number it is (``simulated``, ``derived``, ``assumed``, ``paper``), which results it rests on
(with their cache keys) and which assumptions enter it. It also lists every place where a model
still uses a device figure other than the drawn one, so such a figure is never silent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qkdchip.flow_context import FlowContext
    from qkdchip.simulations.wafer_yield.sensitivity_table import SensitivityTable

COMB_ASSUMPTIONS: dict[str, tuple[str, ...]] = {
    "sil": (
        "intrinsic Q 2e7 (paper: about 20 million)",
        "on-chip pump power 0.1 W (assumed)",
        "free-running DFB linewidth 1 MHz (assumed, a typical InP DFB)",
        "backscattering 2 gamma / kappa = 0.3 (assumed)",
        "feedback strength: narrows the DFB to 40 Hz at the best phase (calibrated to the "
        "paper's comb linewidth, secondary source)",
        "feedback phase -pi/2 (the air gap tuned to its best, as in the paper)",
    ),
    "swept": (
        "intrinsic Q 2e7 (paper: about 20 million)",
        "on-chip pump power 0.1 W (assumed)",
        "avoided mode crossing at mu = 1 shifted 45 MHz, the dark-pulse trigger (assumed)",
        "line linewidth from the scenario (assumed)",
    ),
}
"""What the comb solver takes besides the simulated ring and coupler, by pump
(``qkdchip.simulations.comb.reference``)."""


def _entry(kind: str, source: str, keys: list[str] | None = None, **more: Any) -> dict[str, Any]:
    return {"kind": kind, "source": source, "keys": keys or [], **more}


def _yield_assumptions(table: SensitivityTable) -> list[str]:
    return sorted(
        f"{name} = {table.design.get(name, table.sensitivities.get(name))!r} ({source})"
        for name, source in table.sources.items()
        if source.startswith("assumption") or "calibration" in source
    )


def yield_table(ctx: FlowContext) -> SensitivityTable | None:
    """The InP yield model's table of this run, or None when the yield stage did not run (the
    table rests on device results only that stage loaded)."""
    from qkdchip.platforms import INP
    from qkdchip.simulations.wafer_yield.sensitivity_table import load_sensitivity_table

    if "yield" not in ctx.keys:
        return None
    return load_sensitivity_table(INP, designs=ctx.scenario.design)


def build_provenance(ctx: FlowContext, table: SensitivityTable | None) -> dict[str, Any]:
    """Provenance of every headline of ``summary.json`` (``table``: see :func:`yield_table`)."""
    sc = ctx.scenario
    keys = ctx.keys
    out: dict[str, Any] = {
        "clients": _entry("paper", "scenario [network] clients"),
        "channels": _entry("paper", "scenario [network] channels"),
        "pair_distance_km": _entry("paper", "scenario [network] pair_distances_km"),
        "design": _entry(
            "assumed" if sc.design.overrides() else "drawn",
            "the drawn devices (ChipDesigns); changed: "
            + (", ".join(f"{k}={v}" for k, v in sc.design.overrides().items()) or "none"),
        ),
    }
    from qkdchip.simulations.devices.defaults import DEVICES

    device_keys = keys.get("devices", {})
    for name, device in DEVICES.items():
        if name in device_keys:
            out[f"devices.{name}"] = _entry("simulated", device.solver, list(device_keys[name]))
    if "comb" in keys:
        rests_on = [k for name in ("ring", "coupler") for k in device_keys.get(name, [])[-1:]]
        out["comb_lines_usable"] = _entry(
            "simulated",
            "Lugiato-Lefever solution on the simulated ring (D_int, mode area) and coupler "
            f"(Q_c); usable: lines >= {sc.comb.min_line_power_dbm:g} dBm (scenario)",
            [keys["comb"], *rests_on],
            assumptions=list(COMB_ASSUMPTIONS[sc.comb.pump]),
        )
    if table is not None:
        source = (
            f"wafer Monte Carlo over {sc.yield_.wafers} wafers (seed {sc.seed}): process "
            "statistics (qkdchip.pdk.process_statistics), specs (wafer_yield/specs.toml), "
            "the drawn lasers with the simulated grating, the drawn modulators with the simulated "
            "and calibrated Vπ·L, compact models"
        )
        simulated = [k for name in ("grating", "modulator") for k in device_keys.get(name, [])[-1:]]
        for name in ("modulator_yield", "chip_yield"):
            out[name] = _entry(
                "derived",
                source,
                [keys["yield"], *simulated],
                assumptions=_yield_assumptions(table),
            )
    if "network" in keys:
        rests_on = [keys[k] for k in ("comb", "yield") if k in keys]
        rests_on += device_keys.get("grating", [])[-1:]
        pairs = (
            "SNS-AOPP key rate of each pair, optimised: comb lines as channels, client lasers "
            "injection-locked through the drawn rear grating (simulated κ), chips drawn from "
            "the yield Monte Carlo, fibre/server/protocol/phase from the scenario"
        )
        out["per_channel"] = _entry("derived", pairs, [keys["network"], *rests_on])
        out["total_key_rate_bps"] = _entry("derived", "sum of the pairs' time-shared key rates")
        out["networking_capability_km"] = _entry(
            "derived", "pairs x the longest configured distance at which every pair beats PLOB"
        )
        out["max_distance_km_all_above_plob"] = _entry(
            "derived",
            "longest distance at which every pair beats PLOB, searched (bracket, then bisection "
            "to 1 km) over the whole network evaluation",
            [keys["reach"]] if "reach" in keys else [],
        )
        out["networking_capability_at_max_distance_km"] = _entry(
            "derived", "pairs x max_distance_km_all_above_plob"
        )
    return out
