"""Plots of a sweep: a line plot per output over one varying parameter, a heat map with contour
lines per output over two.

matplotlib is imported when a plot is drawn, and only its object-oriented API is used (no
pyplot figure manager, no backend switch). Failed points and missing values are gaps; outputs
spanning decades (key rates, Q_c) are drawn as log10.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qkdchip.atomic import atomic_write_figure
from qkdchip.sweep.outputs import OutputRequest, parse_outputs

if TYPE_CHECKING:
    import numpy as np

    from qkdchip.sweep.engine import SweepResult
    from qkdchip.sweep.spec import Axis


def _values(result: SweepResult, request: OutputRequest) -> np.ndarray:
    """The output of every point (NaN where missing), log10 where the output is logarithmic
    (NaN where not positive)."""
    import numpy as np

    raw = [p.outputs.get(request.column) for p in result.points]
    values = np.array([np.nan if v is None else float(v) for v in raw], dtype=float)
    if request.output.log:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(values > 0.0, np.log10(values), np.nan)
    return values


def _label(request: OutputRequest) -> str:
    unit = request.output.unit
    text = f"{request.column} ({unit})" if unit else request.column
    return f"log10 {text}" if request.output.log else text


def _coordinates(result: SweepResult, axis: Axis) -> tuple[np.ndarray, list[str] | None]:
    """Each point's value of ``axis`` as numbers, and tick labels when the values are words."""
    import numpy as np

    raw = [p.inputs[axis.path] for p in result.points]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw):
        return np.asarray(raw, dtype=float), None
    labels = list(dict.fromkeys(str(v) for v in raw))
    return np.asarray([labels.index(str(v)) for v in raw], dtype=float), labels


def _line_plots(fig: Any, result: SweepResult, requests: Sequence[OutputRequest]) -> None:
    import numpy as np

    axis = result.spec.varying[0]
    x, labels = _coordinates(result, axis)
    order = np.argsort(x, kind="stable")
    axes = fig.subplots(len(requests), 1, sharex=True, squeeze=False)[:, 0]
    for ax, request in zip(axes, requests, strict=True):
        y = _values(result, request)
        ax.plot(x[order], y[order], marker="o", ms=3.5, lw=1.2)
        ax.set_ylabel(_label(request), fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel(axis.path)
    if labels is not None:
        axes[-1].set_xticks(range(len(labels)), labels)


def _heat_maps(fig: Any, result: SweepResult, requests: Sequence[OutputRequest]) -> None:
    import numpy as np
    from matplotlib.tri import Triangulation

    ax_x, ax_y = result.spec.varying[:2]
    x, x_labels = _coordinates(result, ax_x)
    y, y_labels = _coordinates(result, ax_y)
    ncol = min(len(requests), 2)
    nrow = math.ceil(len(requests) / ncol)
    panels = fig.subplots(nrow, ncol, squeeze=False).ravel()
    xs, ys = np.unique(x), np.unique(y)
    gridded = result.spec.design == "grid" and len(xs) * len(ys) == len(x)
    for ax, request in zip(panels, requests, strict=False):
        z = _values(result, request)
        if gridded:
            table = np.full((len(ys), len(xs)), np.nan)
            table[np.searchsorted(ys, y), np.searchsorted(xs, x)] = z
            masked = np.ma.masked_invalid(table)
            mesh = ax.pcolormesh(xs, ys, masked, shading="nearest", cmap="viridis")
            if min(len(xs), len(ys)) >= 2 and masked.count() >= 4 and np.ptp(masked) > 0:
                lines = ax.contour(xs, ys, masked, levels=6, colors="white", linewidths=0.7)
                ax.clabel(lines, fontsize=6, fmt="%.3g")
        else:
            ok = np.isfinite(z)
            mesh = ax.scatter(x[ok], y[ok], c=z[ok], s=14, cmap="viridis")
            if ok.sum() >= 4 and np.ptp(z[ok]) > 0:
                tri = Triangulation(x[ok], y[ok])
                ax.tricontourf(tri, z[ok], levels=12, cmap="viridis", alpha=0.6)
                lines = ax.tricontour(tri, z[ok], levels=6, colors="white", linewidths=0.7)
                ax.clabel(lines, fontsize=6, fmt="%.3g")
        fig.colorbar(mesh, ax=ax).set_label(_label(request), fontsize=8)
        ax.set_xlabel(ax_x.path, fontsize=8)
        ax.set_ylabel(ax_y.path, fontsize=8)
        if x_labels is not None:
            ax.set_xticks(range(len(x_labels)), x_labels)
        if y_labels is not None:
            ax.set_yticks(range(len(y_labels)), y_labels)
    for ax in panels[len(requests) :]:
        ax.set_visible(False)


def plot_sweep(result: SweepResult, path: str | Path) -> Path:
    """Draw ``result`` to ``path`` (format from its suffix), atomically.

    Raises:
        ValueError: the sweep varies no parameter, or more than two.
    """
    from matplotlib.figure import Figure

    varying = result.spec.varying
    if len(varying) not in (1, 2):
        raise ValueError(
            f"a sweep plot shows 1 or 2 varying parameters; this sweep varies {len(varying)} "
            f"({', '.join(a.path for a in varying) or 'none'})"
        )
    requests = parse_outputs(result.spec.outputs)
    if len(varying) == 1:
        fig = Figure(figsize=(6.4, 1.2 + 2.0 * len(requests)), layout="constrained")
        _line_plots(fig, result, requests)
    else:
        ncol = min(len(requests), 2)
        nrow = math.ceil(len(requests) / ncol)
        fig = Figure(figsize=(5.2 * ncol, 4.0 * nrow), layout="constrained")
        _heat_maps(fig, result, requests)
    fig.suptitle(f"sweep of {Path(result.spec.scenario).stem}", fontsize=10)
    return atomic_write_figure(path, fig, dpi=120)
