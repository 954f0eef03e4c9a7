"""The report of a main-flow run: ``summary.json``, ``report.md`` and a self-contained HTML page.

Plots are PNG files next to the report (the Markdown links them) and are embedded as base64 in
the HTML, so ``report.html`` opens anywhere on its own. Every file is written atomically
(:mod:`qkdchip.atomic`).
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qkdchip.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text
from qkdchip.cache import cache_key, source_hash
from qkdchip.constants import C_M_PER_S
from qkdchip.provenance import build_provenance, yield_table

if TYPE_CHECKING:
    from qkdchip.flow import StageOutcome
    from qkdchip.flow_context import FlowContext
    from qkdchip.simulations.network.model import NetworkResult, PairResult
    from qkdchip.simulations.network.sweep import DistanceSweep
    from qkdchip.stage_outputs import (
        CombOutput,
        UntestedDraws,
        WaferMapData,
    )


# ------------------------------------------------------------------------------------ summary
def build_summary(ctx: FlowContext, outcomes: Sequence[StageOutcome]) -> dict[str, Any]:
    """The ``summary.json`` content: headline numbers, per-channel results, stage statuses.

    Numbers that a stage which did not run would have produced are ``null``. The summary
    describes the results, not the run that produced them: no timings, and a stage served from
    its cache is ``done``, so the same inputs give the same bytes (the console shows the run).
    """
    sc = ctx.scenario
    out: dict[str, Any] = {
        "scenario": sc.name,
        "description": sc.description,
        "clients": sc.network.clients,
        "channels": sc.network.channels,
        "pair_distance_km": list(sc.network.pair_distances_km),
        "operation": sc.network.operation,
        "protocol": sc.protocol.name,
        "key_rate_analysis": sc.protocol.analysis(),
        "stages": [
            {
                "name": o.name,
                "status": "done" if o.status == "cached" else o.status,
                "message": o.message,
            }
            for o in outcomes
        ],
        "per_channel": None,
        "per_channel_by_distance": None,
        "networking_capability_km": None,
        "max_distance_km_all_above_plob": None,
        "limiting_mechanism": None,
        "security_margins": None,
        "networking_capability_at_max_distance_km": None,
        "total_key_rate_bps": None,
        "modulator_yield": None,
        "chip_yield": None,
        "comb_lines_usable": None,
        "yield_aware": None,
        "devices": None,
        "transmitter_circuit": None,
    }
    devices = ctx.outputs.get("devices")
    if devices is not None:
        out["devices"] = devices.headlines
    comb = ctx.outputs.get("comb")
    if comb is not None:
        out["comb_lines_usable"] = comb.usable_lines(sc.comb.min_line_power_dbm)
        out["comb_state"] = comb.state
    yld = ctx.outputs.get("yield")
    if yld is not None:
        out["modulator_yield"] = yld.modulator_yield
        out["chip_yield"] = yld.chip_yield
        if yld.reference_experiment:
            out["reference_experiment"] = yld.reference_experiment
    out["provenance"] = build_provenance(ctx, yield_table(ctx))
    net = ctx.outputs.get("network")
    if net is not None:
        blocks = net.evaluation.by_distance
        longest = blocks[-1]
        out["per_channel"] = [_channel_row(p) for p in longest.pairs]
        out["per_channel_distance_km"] = longest.distance_km
        out["per_channel_by_distance"] = {
            f"{b.distance_km:g}": [_channel_row(p) for p in b.pairs] for b in blocks
        }
        out["networking_capability_km"] = net.evaluation.networking_capability_km
        out["max_distance_km_all_above_plob"] = None if net.reach is None else net.reach.distance_km
        out["limiting_mechanism"] = None if net.limit is None else net.limit.to_dict()
        out["security_margins"] = None if net.security is None else net.security.to_dict()
        out["networking_capability_at_max_distance_km"] = net.capability_at_reach_km
        out["total_key_rate_bps"] = {f"{b.distance_km:g}": b.total_key_rate_bps for b in blocks}
        out["all_pairs_beat_plob"] = {f"{b.distance_km:g}": b.all_beat_plob for b in blocks}
        out["yield_aware"] = [d.statistics() for d in net.untested_draws] or None
        if net.transmitter is not None:
            out["transmitter_circuit"] = net.transmitter.headlines()
    return out


def _channel_row(p: PairResult) -> dict[str, Any]:
    return {
        "pair": p.pair,
        "clients": [p.alice, p.bob],
        "wavelength_nm": p.channel.wavelength_nm,
        "comb_mode": p.channel.line_mu,
        "line_power_dbm": p.channel.line_power_dbm,
        "status": p.status,
        "locked": [p.lock_alice.locked, p.lock_bob.locked],
        "misalignment": None if p.phase is None else p.phase.misalignment,
        "key_rate_per_pulse": p.key_rate_per_pulse,
        "key_rate_bps": p.key_rate_bps,
        "key_rate_bps_time_shared": p.key_rate_bps_time_shared,
        "plob": p.plob,
        "ratio_to_plob": p.ratio_to_plob,
        "beats_plob": p.beats_plob,
        "qber_x": p.qber_x,
        "qber_z": p.qber_z,
        "qber_z_aopp": p.qber_z_aopp,
        "qber_x_parts": None if p.qber is None else p.qber.x,
        "qber_z_parts": None if p.qber is None else p.qber.z,
        "noise_per_gate": p.noise_per_gate,
    }


# -------------------------------------------------------------------------------------- plots
PNG_DPI = 200
"""Resolution of the report's PNG figures (an SVG of each is written beside it)."""


def _figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """A matplotlib Figure and its axes, made without pyplot (no backend is chosen or changed:
    the caller's inline or interactive backend keeps working)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols)


def _encoded(fig: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=PNG_DPI, metadata=_FIXED_METADATA[fmt])
    return buf.getvalue()


_FIXED_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None}}
"""Figure metadata left out so the same inputs give the same bytes."""


def plot_comb(comb: CombOutput, network: NetworkResult | None, min_dbm: float) -> Any:
    """Comb spectrum (line powers) with the lines chosen as WDM channels highlighted."""
    power_dbm = comb.power_dbm
    wl = C_M_PER_S / comb.frequency_hz * 1e9
    fig, ax = _figure(figsize=(8, 3.6))
    floor = min(float(np.min(power_dbm)), min_dbm) - 5.0
    ax.vlines(wl, floor, power_dbm, color="0.55", lw=1.0, label="comb lines")
    ax.axhline(min_dbm, color="0.3", ls=":", lw=0.8, label=f"usable >= {min_dbm:g} dBm")
    if network is not None:
        for k, ch in enumerate(network.channels):
            ax.vlines(
                ch.wavelength_nm,
                floor,
                ch.line_power_dbm,
                color="C3",
                lw=2.2,
                label="WDM channels" if k == 0 else None,
            )
            ax.annotate(
                str(k + 1),
                (ch.wavelength_nm, ch.line_power_dbm),
                textcoords="offset points",
                xytext=(0, 3),
                ha="center",
                fontsize=7,
            )
    pump = comb.mu == 0
    if np.any(pump):
        ax.vlines(
            wl[pump],
            floor,
            power_dbm[pump],
            color="C0",
            lw=2.2,
            label="pump / phase reference",
        )
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("line power (dBm)")
    ax.set_ylim(bottom=floor)
    ax.set_title(f"server comb: {comb.state}")
    ax.legend(fontsize=7, loc="lower center")
    return fig


def plot_network_key_rates(
    sweep: DistanceSweep, network: NetworkResult, *, loss_db_per_km: float
) -> Any:
    """The report's key-rate figure: the median channel's optimised rate per pulse versus
    distance (nominal chips), the PLOB bound of the fibre (``loss_db_per_km``, dB/km) as a
    smooth curve, and every client pair's rate at its evaluated distances.

    (:func:`qkdchip.simulations.qkd.plot.plot_key_rate_vs_distance` draws key-rate curves of
    ``qkdchip keyrate`` with the PLOB and TGW bounds.)
    """
    from qkdchip.simulations.qkd.bounds import plob_bound

    pts = sweep.points
    d = np.array([p.distance_km for p in pts])
    rate = np.array([p.key_rate_per_pulse for p in pts])
    fine = np.linspace(max(d[0], 1.0), d[-1], 400)
    plob = plob_bound(10.0 ** (-loss_db_per_km * fine / 10.0))
    fig, ax = _figure(figsize=(6.4, 4.2))
    good = rate > 0
    ax.semilogy(
        d[good],
        rate[good],
        "C0-",
        label=f"SNS key rate (channel {sweep.channel.wavelength_nm:.2f} nm)",
    )
    ax.semilogy(fine, plob, "k--", label="PLOB bound")
    for block in network.by_distance:
        for p in block.pairs:
            if p.key_rate_per_pulse > 0:
                ax.plot(block.distance_km, p.key_rate_per_pulse, "C3.", ms=5)
    ax.plot([], [], "C3.", label="client pairs")
    ax.set_xlabel("Alice-Bob distance (km)")
    ax.set_ylabel("secret key rate (bit per pulse)")
    e_d = [p.misalignment for p in pts]
    ax.set_title(f"misalignment e_d from {100 * min(e_d):.2f} % to {100 * max(e_d):.2f} %")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_x_error_contributions(sweep: DistanceSweep) -> Any:
    """X-basis error rate versus distance, stacked by contribution (median channel, nominal
    chips)."""
    from matplotlib import colormaps

    pts = sweep.points
    d = np.array([p.distance_km for p in pts])
    names = sorted({n for p in pts for n in p.qber.x}, key=lambda n: -pts[-1].qber.x.get(n, 0.0))
    parts = np.array([[100.0 * p.qber.x.get(n, 0.0) for p in pts] for n in names])
    total = np.array([100.0 * p.qber.qber_x for p in pts])
    fig, ax = _figure(figsize=(6.4, 4.2))
    colours = colormaps["tab20"](np.arange(len(names)) % 20)
    labels = [n.replace("_", " ") for n in names]
    ax.stackplot(d, parts, labels=labels, colors=colours, alpha=0.9)
    ax.plot(d, total, "k-", lw=1, label="total")
    ax.set_xlabel("Alice-Bob distance (km)")
    ax.set_ylabel("X-basis error rate (%)")
    ax.set_xlim(d[0], d[-1])
    ax.set_ylim(0.0, min(float(total.max()), 10.0) * 1.05)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    return fig


def plot_channels(network: NetworkResult) -> Any:
    """Per-channel key rate at the longest evaluated distance against PLOB."""
    block = network.by_distance[-1]
    pairs = block.pairs
    x = np.arange(1, len(pairs) + 1)
    rate = np.array([p.key_rate_per_pulse for p in pairs])
    plob = pairs[0].plob
    fig, ax = _figure(figsize=(7, 3.8))
    colours = ["C2" if p.beats_plob else "C3" for p in pairs]
    ax.bar(x, rate, color=colours)
    if plob is not None:  # None: no finite bound (zero loss)
        ax.axhline(plob, color="k", ls="--", label=f"PLOB at {block.distance_km:g} km")
        ax.legend(fontsize=8)
    for xi, p in zip(x, pairs, strict=True):
        ax.annotate(
            f"{p.ratio_to_plob:.2f}x",
            (xi, p.key_rate_per_pulse),
            textcoords="offset points",
            xytext=(0, 2),
            ha="center",
            fontsize=7,
        )
    ax.set_xticks(x, [f"{p.channel.wavelength_nm:.2f}" for p in pairs], rotation=60, fontsize=7)
    ax.set_xlabel("channel wavelength (nm)")
    ax.set_ylabel("key rate (bit per pulse)")
    ax.set_title(f"per-channel key rate at {block.distance_km:g} km")
    return fig


def plot_wafer_maps(maps: WaferMapData) -> Any:
    """Wafer maps of the first simulated wafer's key metrics and pass/fail (die centres on the
    wafer, mm; each metric's colour bar)."""
    x = np.asarray(maps.x_mm, dtype=float)
    y = np.asarray(maps.y_mm, dtype=float)
    panels = [(k, np.asarray(v, dtype=float)) for k, v in maps.metrics.items()][:5]
    panels.append(("chip pass (wafer 1)", np.asarray(maps.chip_pass, dtype=float)))
    ncol = 3
    nrow = int(np.ceil(len(panels) / ncol))
    fig, axes = _figure(nrow, ncol, figsize=(4.2 * ncol, 3.8 * nrow))
    for ax, (name, values) in zip(np.ravel(axes), panels, strict=False):
        sc = ax.scatter(x, y, c=values, s=6, marker="s", cmap="viridis")
        ax.set_aspect("equal")
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("x (mm)", fontsize=7)
        ax.set_ylabel("y (mm)", fontsize=7)
        ax.tick_params(labelsize=6)
        bar = fig.colorbar(sc, ax=ax, shrink=0.8)
        bar.set_label(name, fontsize=7)
        bar.ax.tick_params(labelsize=6)
    for ax in np.ravel(axes)[len(panels) :]:
        ax.axis("off")
    return fig


def plot_yield_aware(blocks: Sequence[UntestedDraws]) -> Any:
    """Random untested chip sets: distribution of per-pair key rate / PLOB, and rate vs e_d."""
    fig, (ax1, ax2) = _figure(1, 2, figsize=(11, 4.0))
    for k, block in enumerate(blocks):
        ratio = np.ravel(np.asarray(block.ratio_to_plob, dtype=float))
        keyed = ratio[ratio > 0]
        label = (
            f"{block.distance_km:g} km: {100 * np.mean(ratio > 1):.0f} % of pairs > PLOB, "
            f"P(all pairs) = {block.probability_all_pairs_beat_plob:.2f}"
        )
        if keyed.size:
            bins = np.linspace(0.0, max(3.0, float(np.max(keyed)) * 1.05), 40)
            ax1.hist(keyed, bins=bins, color=f"C{k}", alpha=0.6, label=label)
        no_key = None if keyed.size else label
        ax1.bar(-0.1, np.sum(ratio == 0), width=0.08, color=f"C{k}", alpha=0.6, label=no_key)
        rate = np.maximum(np.asarray(block.table_key_rate_per_pulse, dtype=float), 1e-30)
        ax2.semilogy(
            np.asarray(block.table_misalignment) * 100,
            rate,
            f"C{k}o-",
            ms=3,
            label=f"{block.distance_km:g} km",
        )
        if block.plob is not None:  # None: no finite bound (zero loss)
            ax2.axhline(block.plob, color=f"C{k}", ls="--", lw=0.8)
    ax1.axvline(1.0, color="k", ls="--", lw=0.8)
    ax1.set_xlabel("key rate / PLOB per drawn pair (bar at -0.1: no key)")
    ax1.set_ylabel("pairs")
    ax1.set_title("random untested chip sets (one wafer per draw)")
    ax1.legend(fontsize=7)
    ax2.set_ylim(bottom=1e-9)
    ax2.set_xlabel("misalignment e_d (%)")
    ax2.set_ylabel("optimised key rate (bit per pulse)")
    ax2.set_title("key rate vs e_d (dashed: PLOB)")
    ax2.legend(fontsize=7)
    ax2.grid(True, which="both", alpha=0.3)
    return fig


# ------------------------------------------------------------------------------------- report
def _fmt(value: Any, spec: str = ".3g") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return format(value, spec)
    return str(value)


def write_report(ctx: FlowContext, outcomes: Sequence[StageOutcome]) -> dict[str, Path]:
    """Write summary.json, the plots, report.md and report.html into ``ctx.out_dir``.

    Returns:
        Name -> path of every file written.
    """
    out_dir = ctx.out_dir
    summary = build_summary(ctx, outcomes)
    written: dict[str, Path] = {}
    path = out_dir / "summary.json"
    atomic_write_json(path, summary, indent=1)
    written["summary"] = path

    images: list[tuple[str, str, bytes]] = []  # (file name, caption, png)
    for stage, files in ctx.files.items():
        for f in files:
            if f.endswith(".png") and Path(f).is_file():
                images.append(
                    (
                        Path(f).name,
                        f"{stage}: {Path(f).stem.replace('_', ' ')}",
                        Path(f).read_bytes(),
                    )
                )
    plot_dir = out_dir / "plots"
    for figure in _figures(ctx):
        png = _drawn(figure, plot_dir)
        images.append((figure.name, figure.caption, png))
        written[figure.name] = plot_dir / figure.name

    md = _markdown(ctx, summary, [(f"plots/{n}", c) for n, c, _ in images])
    atomic_write_text(out_dir / "report.md", md)
    written["report.md"] = out_dir / "report.md"
    page = _html(summary, md, images)
    atomic_write_text(out_dir / "report.html", page)
    written["report.html"] = out_dir / "report.html"
    return written


@dataclass(frozen=True)
class _Figure:
    """A report figure: its file, caption, how to draw it and what it depends on.

    ``depends_on`` holds inputs only (stage cache keys, scenario values), so an unchanged run
    finds the PNG (and SVG) it drew before instead of drawing it again.
    """

    name: str
    caption: str
    draw: Callable[[], Any]
    depends_on: dict[str, Any]


def _figures(ctx: FlowContext) -> list[_Figure]:
    """The figures of the stages that produced output."""
    comb = ctx.outputs.get("comb")
    net = ctx.outputs.get("network")
    yld = ctx.outputs.get("yield")
    keys = ctx.keys
    out = []
    if comb is not None:
        evaluation = None if net is None else net.evaluation
        threshold = ctx.scenario.comb.min_line_power_dbm
        out.append(
            _Figure(
                "comb_spectrum.png",
                "Comb spectrum with the chosen WDM channels",
                lambda: plot_comb(comb, evaluation, threshold),
                {"comb": keys.get("comb"), "network": keys.get("network"), "min": threshold},
            )
        )
    if yld is not None:
        out.append(
            _Figure(
                "wafer_maps.png",
                "Wafer maps (InP transmitter, first simulated wafer)",
                lambda: plot_wafer_maps(yld.maps),
                {"yield": keys.get("yield")},
            )
        )
    if net is not None:
        network_keys = {name: keys.get(name) for name in ("network", "sweep", "yield_network")}
        loss = ctx.scenario.fibre.loss_db_per_km
        sweep = net.sweep
        if sweep is not None:
            out.append(
                _Figure(
                    "key_rate_vs_distance.png",
                    "Key rate versus distance with the PLOB bound",
                    lambda: plot_network_key_rates(sweep, net.evaluation, loss_db_per_km=loss),
                    {**network_keys, "loss_db_per_km": loss},
                )
            )
            out.append(
                _Figure(
                    "x_error_contributions.png",
                    "X-basis error rate versus distance by contribution",
                    lambda: plot_x_error_contributions(sweep),
                    network_keys,
                )
            )
        out.append(
            _Figure(
                "channels_vs_plob.png",
                "Per-channel key rates against PLOB",
                lambda: plot_channels(net.evaluation),
                network_keys,
            )
        )
        if net.untested_draws:
            out.append(
                _Figure(
                    "yield_aware.png",
                    "Yield-aware network: random chip sets",
                    lambda: plot_yield_aware(net.untested_draws),
                    network_keys,
                )
            )
    return out


def _drawn(figure: _Figure, plot_dir: Path) -> bytes:
    """The figure's PNG: the one in ``plot_dir`` if drawn from the same inputs by the same
    code (its key in ``plot_dir/figures.json``), else drawn now and written atomically, with
    an SVG of it beside it."""
    key = cache_key(
        "figure",
        {"name": figure.name, "code": source_hash(["qkdchip.report"]), **figure.depends_on},
    )
    index_path = plot_dir / "figures.json"
    index = json.loads(index_path.read_text(encoding="utf-8")) if index_path.is_file() else {}
    path = plot_dir / figure.name
    svg = path.with_suffix(".svg")
    if index.get(figure.name) == key and path.is_file() and svg.is_file():
        return path.read_bytes()
    fig = figure.draw()
    png = _encoded(fig, "png")
    atomic_write_bytes(svg, _encoded(fig, "svg"))
    atomic_write_bytes(path, png)
    atomic_write_json(index_path, {**index, figure.name: key}, indent=1, sort_keys=True)
    return png


def _limit_cell(limit: dict[str, Any] | None) -> str:
    if limit is None:
        return "n/a"
    return (
        f"{limit['mechanism'].replace('_', ' ')} at {limit['distance_km']:g} km: key / PLOB "
        f"{limit['ratio_to_plob']:.3f}, {limit['ratio_without']:.3f} without it"
    )


def _security_cell(margins: dict[str, Any] | None) -> str:
    if margins is None:
        return "n/a"
    return (
        f"pair {margins['pair']} at {margins['distance_km']:g} km: with its "
        f"{margins['extinction_ratio_db']:.1f} dB modulator extinction counted, key / PLOB "
        f"{margins['ratio_to_plob_with_extinction']:.3f}; within 1 % of its key it needs "
        f"{margins['extinction']['required_db']:.1f} dB extinction and "
        f"{margins['isolation']['required_db']:.1f} dB injection-path isolation"
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"


def _qber_table(rows: list[dict[str, Any]]) -> list[str]:
    """The X and Z error rates of each pair split into their contributions (%)."""
    keyed = [r for r in rows if r["qber_x_parts"] is not None]
    if not keyed:
        return []
    out = []
    for basis in ("x", "z"):
        names = sorted({n for r in keyed for n in r[f"qber_{basis}_parts"]})
        names = [n for n in names if any(r[f"qber_{basis}_parts"][n] > 0 for r in keyed)]
        out += [
            "",
            f"{basis.upper()}-basis error by contribution (%):",
            "",
            "| pair | " + " | ".join(n.replace("_", " ") for n in names) + " | total |",
            "|---" * (len(names) + 2) + "|",
        ]
        for r in keyed:
            parts = r[f"qber_{basis}_parts"]
            cells = " | ".join(f"{100 * parts.get(n, 0.0):.3f}" for n in names)
            out.append(f"| {r['pair']} | {cells} | {100 * r[f'qber_{basis}']:.3f} |")
    return out


def _aopp(after: float | None, before: float) -> str:
    if after is None or after == before:
        return ""
    return f" ({100 * after:.2f} %)"


def run_facts() -> dict[str, str]:
    """What made this report: the qkdchip version, the git commit of the source (when it is a
    git checkout) and the command line. They go into the report only: ``summary.json``
    describes the results, so the same inputs give the same bytes. No time stamp: a rerun
    from the cache rewrites nothing."""
    import subprocess
    import sys

    from qkdchip import __version__

    source = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "not a git checkout"
    return {
        "qkdchip version": __version__,
        "source commit": commit,
        "command line": " ".join(sys.argv),
    }


def _transmitter_cell(headlines: dict[str, Any] | None) -> str:
    """The drawn transmitter's circuit numbers the network's nominal chips take."""
    if headlines is None:
        return "n/a (set in the scenario)"
    extinction = headlines["im_extinction_db"]
    return (
        f"{headlines['injection_loss_db']:.2f} dB / "
        + ("no null" if extinction is None else f"{extinction:.1f} dB")
        + f" / {headlines['pm_vpi_v']:.2f} V"
    )


def _markdown(ctx: FlowContext, s: dict[str, Any], images: list[tuple[str, str]]) -> str:
    sc = ctx.scenario
    facts = {**run_facts(), "scenario seed": str(sc.seed)}
    lines = [
        f"# qkdchip report: scenario `{sc.name}`",
        "",
        sc.description,
        "",
        "; ".join(f"{k}: `{v}`" for k, v in facts.items()),
        "",
        "## Headline",
        "",
        "| quantity | value |",
        "|---|---|",
        f"| clients / WDM channels | {s['clients']} / {s['channels']} |",
        f"| pair distances (km) | {', '.join(f'{d:g}' for d in s['pair_distance_km'])} |",
        f"| operation / protocol | {s['operation']} / {s['protocol']} |",
        f"| key-rate analysis | {s['key_rate_analysis']} |",
        "| networking capability (pairs x distance, all pairs > PLOB) | "
        + (
            "n/a"
            if s["networking_capability_km"] is None
            else f"{s['networking_capability_km']:,.0f} km"
        )
        + " |",
        "| longest distance with every pair > PLOB (capability there) | "
        + (
            "n/a"
            if s["max_distance_km_all_above_plob"] is None
            else f"{s['max_distance_km_all_above_plob']:g} km "
            f"({s['networking_capability_at_max_distance_km']:,.0f} km)"
        )
        + " |",
        "| what limits the weakest pair just beyond it | "
        + _limit_cell(s["limiting_mechanism"])
        + " |",
        "| source flaws (weakest pair at the longest distance) | "
        + _security_cell(s["security_margins"])
        + " |",
        "| transmitter circuit: injection loss / IM extinction / PM Vπ | "
        + _transmitter_cell(s["transmitter_circuit"])
        + " |",
        f"| usable comb lines | {_fmt(s['comb_lines_usable'])} |",
        f"| modulator yield | {_fmt(s['modulator_yield'], '.4f')} |",
        f"| chip yield | {_fmt(s['chip_yield'], '.4f')} |",
    ]
    ref = s.get("reference_experiment")
    if ref:
        q = ref.get("quantiles_2p5_50_97p5", [None, None, None])
        lines.append(
            f"| working modulators of {ref.get('n_chips')} random chips (model 2.5/50/97.5 %; "
            f"reference {ref.get('observed_working')}) | {_fmt(q[0])} / {_fmt(q[1])} / "
            f"{_fmt(q[2])} |"
        )
    if s.get("total_key_rate_bps"):
        for d, v in s["total_key_rate_bps"].items():
            lines.append(f"| network key rate at {d} km ({s['operation']}) | {v:.4g} bit/s |")
    lines += ["", "## Stages", "", "| stage | status | result |", "|---|---|---|"]
    for st in s["stages"]:
        lines.append(f"| {st['name']} | {st['status']} | {st['message']} |")
    lines += _provenance_markdown(s)
    if s["per_channel_by_distance"]:
        for d, rows in s["per_channel_by_distance"].items():
            lines += [
                "",
                f"## Per channel at {d} km",
                "",
                "| pair | clients | lambda (nm) | line (dBm) | e_d | QBER X | QBER Z "
                "(after AOPP) | bit/pulse | bit/s (own slot) | / PLOB | status |",
                "|---|---|---|---|---|---|---|---|---|---|---|",
            ]
            for r in rows:
                lines.append(
                    f"| {r['pair']} | {'-'.join(r['clients'])} | {r['wavelength_nm']:.3f} | "
                    f"{r['line_power_dbm']:.1f} | {_percent(r['misalignment'])} | "
                    f"{100 * r['qber_x']:.2f} % | {100 * r['qber_z']:.1f} %"
                    f"{_aopp(r['qber_z_aopp'], r['qber_z'])} | "
                    f"{r['key_rate_per_pulse']:.3e} | {r['key_rate_bps']:.4g} | "
                    f"{r['ratio_to_plob']:.2f} | {r['status']} |"
                )
            lines += _qber_table(rows)
    if s.get("yield_aware"):
        lines += [
            "",
            "## Yield-aware network (random untested chip sets)",
            "",
            "| distance (km) | draws | P(all pairs > PLOB) | pairs > PLOB | pairs working+locked | "
            "median ratio to PLOB |",
            "|---|---|---|---|---|---|",
        ]
        for b in s["yield_aware"]:
            lines.append(
                f"| {b['distance_km']:g} | {b['draws']} | "
                f"{b['probability_all_pairs_beat_plob']:.3f} | "
                f"{b['fraction_pairs_beat_plob']:.3f} | {b['fraction_pairs_locked']:.3f} | "
                f"{b['ratio_to_plob_quantiles']['q50']:.2f} |"
            )
    lines += ["", "## Figures", ""]
    for path, caption in images:
        lines += [f"![{caption}]({path})", "", f"*{caption}*", ""]
    lines += [
        "## Model notes",
        "",
        "- Key rates: SNS TF-QKD (finite key when `protocol.n_pulses` is set), optimised per pair.",
        "- PLOB is the absolute bound on the Alice-Bob fibre transmittance (detectors excluded).",
        "- e_d comes from the mechanisms: the visibility floor (polarisation extinction, pulse "
        "timing jitter, arm intensity imbalance), the comb line's phase noise through both "
        "injection locks over the path mismatch and each laser's residual jitter, the reference-"
        "phase tracking loop (drift between estimates and their shot noise), the differential "
        "drift and the modulators' extinction; the X error adds the phase slice and the noise.",
        "- Keys use the quantum periods only (1 - reference_duty of each tracking cycle); pairs "
        "that share the detectors (sequential operations) get 1/N of the time; the network key "
        "rate is the time average.",
        "",
    ]
    return "\n".join(lines)


def _provenance_markdown(s: dict[str, Any]) -> list[str]:
    """The section that traces each headline back to the layout and the assumptions."""
    lines = [
        "",
        "## Provenance: from layout to headline",
        "",
        "Each headline, what kind of number it is, what it rests on and the cache keys of the "
        "results behind it (a key names the inputs only: design, stack, settings, upstream "
        "keys).",
        "",
        "| headline | kind | from | keys |",
        "|---|---|---|---|",
    ]
    assumptions: dict[tuple[str, ...], list[str]] = {}
    for name, entry in s["provenance"].items():
        keys = ", ".join(f"`{k}`" for k in entry["keys"]) or "-"
        lines.append(f"| {name} | {entry['kind']} | {entry['source']} | {keys} |")
        if entry.get("assumptions"):
            assumptions.setdefault(tuple(entry["assumptions"]), []).append(name)
    for items, names in assumptions.items():
        lines += ["", f"Assumptions behind {', '.join(names)}:", ""]
        lines += [f"- {a}" for a in items]
    return lines


def _html(summary: dict[str, Any], md: str, images: list[tuple[str, str, bytes]]) -> str:
    """A self-contained page: the Markdown tables rendered as HTML, images inlined."""
    embedded = {f"plots/{name}": base64.b64encode(png).decode() for name, _, png in images}
    body: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if not table:
            return
        head, *rows = [r for r in table if not set("".join(r)) <= set("-")]
        body.append(
            '<div class="table-wrap"><table><thead><tr>'
            + "".join(f"<th>{c}</th>" for c in head)
            + "</tr></thead>"
        )
        body.append(
            "<tbody>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
            + "</tbody></table></div>"
        )
        table.clear()

    for raw in md.splitlines():
        line = raw.rstrip()
        if line.startswith("|"):
            table.append([html.escape(c.strip()) for c in line.strip("|").split("|")])
            continue
        flush()
        if line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("!["):
            caption, _, path = line[2:].partition("](")
            path = path.rstrip(")")
            if path in embedded:
                body.append(
                    f'<figure><img alt="{html.escape(caption)}" '
                    f'src="data:image/png;base64,{embedded[path]}"/>'
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>"
                )
        elif line.startswith("- "):
            body.append(f"<p>&bull; {html.escape(line[2:])}</p>")
        elif line and not (line.startswith("*") and line.endswith("*")):
            body.append(f"<p>{html.escape(line)}</p>")
    flush()
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;"
        "overflow-wrap:anywhere}"
        ".table-wrap{overflow-x:auto;margin:1em 0}"
        "table{border-collapse:collapse;font-size:0.85em;overflow-wrap:normal}"
        "td,th{border:1px solid #bbb;padding:3px 7px;text-align:right}"
        "th{background:#eee}img{max-width:100%;height:auto}figure{margin:1.5em 0}"
        "figcaption{font-style:italic;color:#555}"
    )
    title = html.escape(f"qkdchip report: {summary['scenario']}")
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title>"
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
