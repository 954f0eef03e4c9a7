"""Plot of key rate versus distance with the PLOB and TGW bounds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from qkdchip.atomic import atomic_write_figure
from qkdchip.simulations.qkd.result import KeyRateResult


def plot_key_rate_vs_distance(
    curves: Mapping[str, Sequence[KeyRateResult]],
    path: str | Path,
    *,
    title: str | None = None,
) -> Path:
    """Write a log-scale plot of key rate per pulse versus total distance.

    The absolute and conditional PLOB and TGW bounds are drawn from the first curve's
    results (they depend on the channel only). Points without key are left out.

    Args:
        curves: label -> results sorted or not by distance.
        path: output image file (format from the suffix, e.g. ``.png``, ``.svg``).
        title: optional plot title.

    Returns:
        The written path (written atomically: temporary file, then rename).
    """
    if not curves:
        raise ValueError("curves must contain at least one curve")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.subplots()
    for label, results in curves.items():
        pts = sorted((r.distance_km, r.key_rate_per_pulse) for r in results)
        pts = [(d, k) for d, k in pts if k > 0.0]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", label=label)
    ref = sorted(next(iter(curves.values())), key=lambda r: r.distance_km)
    ref = [r for r in ref if r.distance_km > 0.0]
    dist = [r.distance_km for r in ref]
    styles = (
        ("plob", "PLOB (absolute)", "k--"),
        ("plob_conditional", "PLOB (conditional)", "k:"),
        ("tgw", "TGW (absolute)", "C7--"),
        ("tgw_conditional", "TGW (conditional)", "C7:"),
    )
    for field, label, style in styles:
        ax.plot(dist, [getattr(r, field) for r in ref], style, label=label, linewidth=1.0)
    ax.set_yscale("log")
    ax.set_xlabel("Alice-Bob fibre length (km)")
    ax.set_ylabel("secure key rate (bit per pulse)")
    if title:
        ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    # An explicit format, so a path without suffix is not given a ".png" by matplotlib.
    return atomic_write_figure(path, fig, format=Path(path).suffix.lstrip(".") or "png")
