"""Outputs of a wafer-yield run: wafer-map PNGs, yield table (JSON, Markdown), failure causes.

Every file is written atomically with :mod:`qkdchip.atomic`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from qkdchip.atomic import atomic_write_figure, atomic_write_json, atomic_write_text
from qkdchip.circuits.wafer_geometry import WaferLayout, WaferSpec
from qkdchip.simulations.wafer_yield.engine import WaferYieldResult
from qkdchip.simulations.wafer_yield.statistics import YieldEstimate

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

_UM_PER_MM = 1000.0


def _pct(y: YieldEstimate) -> str:
    return f"{100 * y.value:.2f} % [{100 * y.ci_low:.2f}, {100 * y.ci_high:.2f}]"


def markdown_table(result: WaferYieldResult) -> str:
    """The yield table as Markdown."""
    lines = [
        f"# Wafer yield: {result.platform}",
        "",
        f"{result.n_wafers} wafers x {result.n_dies} dies, sampler {result.sampler}, "
        f"seed {result.seed}. Intervals: 95 % Wilson on the effective sample size "
        "(clustered by wafer).",
        "",
        "| item | yield [95 % CI] | passed / tested | design effect |",
        "|---|---|---|---|",
    ]
    rows: list[tuple[str, YieldEstimate]] = list(result.device_yields.items())
    if result.modulator_yield is not None:
        rows.append(("modulator (pooled)", result.modulator_yield))
    rows.append(("chip", result.chip_yield))
    for name, y in rows:
        lines.append(f"| {name} | {_pct(y)} | {y.n_pass} / {y.n_total} | {y.design_effect:.1f} |")
    ref = result.reference
    if ref is not None:
        n_mod = ref.n_chips * ref.modulators_per_chip
        q = ref.quantiles
        lines += [
            "",
            "## Reference experiment",
            "",
            f"{ref.n_chips} chips at random dies of one wafer, {ref.modulators_per_chip} "
            f"modulators each, one experiment per wafer: working modulators out of {n_mod} have "
            f"mean {ref.mean_working:.2f}, 2.5/50/97.5 % quantiles {q[0]:.0f} / {q[1]:.0f} / "
            f"{q[2]:.0f}; P(<= {ref.observed_working}) = {ref.p_at_most_observed:.3f}; observed "
            f"{ref.observed_working} in the central 95 %: {ref.observed_in_central_95}. "
            f"Chip yield of the sampled chips {100 * ref.chip_yield:.1f} % "
            f"[{100 * ref.chip_yield_ci[0]:.1f}, {100 * ref.chip_yield_ci[1]:.1f}].",
        ]
    lines += ["", "## Top failure causes (chips failed)", "", "| cause | chips | fraction |"]
    lines.append("|---|---|---|")
    n_chips = result.n_wafers * result.n_dies
    for cause, count in result.top_failure_causes(5):
        lines.append(f"| {cause} | {count} | {100 * count / n_chips:.2f} % |")
    lines += ["", "## Drivers (first-order variance-based indices)", ""]
    lines += ["| group | output | top inputs |", "|---|---|---|"]
    for group, outputs in result.sensitivity.items():
        for output in outputs:
            top = ", ".join(f"{k} {v:.3f}" for k, v in result.drivers(group, output, 3))
            lines.append(f"| {group} | {output} | {top} |")
    return "\n".join(lines) + "\n"


def failure_causes(result: WaferYieldResult) -> dict[str, Any]:
    """Per-device failure causes: counts and fractions of devices of each kind."""
    out: dict[str, Any] = {"devices": {}, "chips": {}}
    for key, count in result.failure_causes.items():
        kind = key.split(".", 1)[0]
        total = result.device_yields[kind].n_total
        out["devices"][key] = {"count": count, "fraction_of_kind": count / total}
    n_chips = result.n_wafers * result.n_dies
    for key, count in result.chip_failure_causes.items():
        out["chips"][key] = {"count": count, "fraction_of_chips": count / n_chips}
    return out


def _wafer_axes(wafer: WaferSpec, title: str) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.add_subplot()
    r = wafer.radius_um / _UM_PER_MM
    for outline, style in ((wafer.outline_points(), "-"), (wafer.usable_outline_points(), ":")):
        closed = np.vstack([outline, outline[:1]]) / _UM_PER_MM
        ax.plot(closed[:, 0], closed[:, 1], color="k", lw=1.0, ls=style)
    ax.set_aspect("equal")
    ax.set_xlim(-1.05 * r, 1.05 * r)
    ax.set_ylim(-1.05 * r, 1.05 * r)
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_title(title)
    return fig, ax


def _die_patches(
    x: NDArray[np.float64], y: NDArray[np.float64], w: float, h: float
) -> list[Rectangle]:
    from matplotlib.patches import Rectangle

    return [Rectangle((xi - w / 2, yi - h / 2), w, h) for xi, yi in zip(x, y, strict=True)]


def wafer_map_png(
    path: Path,
    *,
    wafer: WaferSpec,
    x_mm: NDArray[np.float64],
    y_mm: NDArray[np.float64],
    die_width_mm: float,
    die_height_mm: float,
    values: NDArray[np.float64],
    title: str,
    label: str,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Path:
    """Draw one value per die as a coloured rectangle on the wafer outline; write a PNG (Agg)."""
    from matplotlib.collections import PatchCollection

    fig, ax = _wafer_axes(wafer, title)
    coll = PatchCollection(
        _die_patches(x_mm, y_mm, die_width_mm, die_height_mm), cmap=cmap, edgecolor="none"
    )
    coll.set_array(np.asarray(values, dtype=float))
    coll.set_clim(vmin, vmax)
    ax.add_collection(coll)
    fig.colorbar(coll, ax=ax, label=label, shrink=0.85)
    return atomic_write_figure(path, fig, format="png", dpi=110)


def write_outputs(
    result: WaferYieldResult,
    out_dir: str | Path,
    *,
    layout: WaferLayout,
) -> dict[str, Path]:
    """Write the yield table (JSON, Markdown), failure causes (JSON) and wafer-map PNGs.

    ``layout`` is the wafer mask layout whose product dies the result sampled (``spec.layout``).

    Returns:
        name -> written path.
    """
    out = Path(out_dir)
    prefix = f"yield_{result.platform}"
    paths: dict[str, Path] = {}
    summary = result.to_dict()
    paths["json"] = atomic_write_json(out / f"{prefix}_table.json", summary)
    paths["markdown"] = atomic_write_text(out / f"{prefix}_table.md", markdown_table(result))
    paths["failure_causes"] = atomic_write_json(
        out / f"{prefix}_failure_causes.json", failure_causes(result)
    )
    maps = result.maps
    common = {
        "wafer": layout.wafer,
        "x_mm": maps.x_mm,
        "y_mm": maps.y_mm,
        "die_width_mm": layout.die_width_um / _UM_PER_MM,
        "die_height_mm": layout.die_height_um / _UM_PER_MM,
    }
    for name, values in maps.metrics.items():
        paths[f"map:{name}"] = wafer_map_png(
            out / f"{prefix}_map_{name.replace('.', '_')}.png",
            values=values,
            title=f"{result.platform}: {name} (wafer 1)",
            label=name.split(".", 1)[1],
            **common,
        )
    paths["map:pass_fail"] = wafer_map_png(
        out / f"{prefix}_map_pass_fail.png",
        values=maps.chip_pass.astype(float),
        title=f"{result.platform}: chip pass (yellow) / fail (purple), wafer 1",
        label="pass",
        vmin=0.0,
        vmax=1.0,
        **common,
    )
    paths["map:die_yield"] = wafer_map_png(
        out / f"{prefix}_map_die_yield.png",
        values=maps.die_yield,
        title=f"{result.platform}: chip yield per die over {result.n_wafers} wafers",
        label="yield",
        cmap="magma",
        vmin=float(np.min(maps.die_yield)),
        vmax=1.0,
        **common,
    )
    return paths
