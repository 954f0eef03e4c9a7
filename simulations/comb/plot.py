"""Figures of a comb result: line spectrum and detuning sweep (matplotlib Figures made without
pyplot, so the caller's backend is left alone)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from qkdchip.atomic import atomic_write_figure
from qkdchip.simulations.comb.solve import CombResult

__all__ = ["plot_spectrum", "plot_sweep"]

_STATE_COLOURS = {"CW": "tab:gray", "comb": "tab:green", "unstable comb": "tab:red"}


def plot_spectrum(result: CombResult, path: str | Path, *, min_power_dbm: float = -30.0) -> Path:
    """Bus-output line powers versus wavelength, written atomically to ``path`` (PNG/PDF/SVG).

    Args:
        result: the comb.
        path: output file.
        min_power_dbm: threshold drawn as a dashed line (usable lines).
    """
    wl = np.array([line.wavelength_nm for line in result.lines])
    power = result.power_dbm
    floor = max(float(power.max()) - 80.0, -120.0)
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.subplots()
    ax.vlines(wl, floor, np.maximum(power, floor), color="tab:blue", lw=1.2)
    pump = result.mu == 0
    ax.vlines(wl[pump], floor, power[pump], color="tab:orange", lw=1.6, label="pump (through)")
    ax.axhline(min_power_dbm, color="k", ls="--", lw=0.8, label=f"{min_power_dbm:g} dBm")
    ax.set_ylim(floor, float(power.max()) + 5.0)
    shown = wl[power > floor]
    span = max(float(np.ptp(shown)), 1.0)
    ax.set_xlim(float(shown.min()) - 0.1 * span, float(shown.max()) + 0.1 * span)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("bus power per line (dBm)")
    usable = len(result.usable_lines(min_power_dbm))
    fsr_ghz = result.fsr_hz / 1e9
    ax.set_title(f"{result.state}: {usable} lines >= {min_power_dbm:g} dBm, FSR {fsr_ghz:.2f} GHz")
    ax.legend(loc="upper right")
    return atomic_write_figure(path, fig, dpi=120)


def plot_sweep(result: CombResult, path: str | Path) -> Path:
    """Intracavity power versus detuning, coloured by the sampled state, written atomically.

    Args:
        result: the comb (with its sweep record).
        path: output file.
    """
    det_mhz = result.sweep_detuning_hz / 1e6
    power_w = result.sweep_intracavity_power_w
    states = np.array(result.sweep_state)
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(det_mhz, power_w, color="0.7", lw=0.8)
    for name, colour in _STATE_COLOURS.items():
        sel = states == name
        if sel.any():
            ax.scatter(det_mhz[sel], power_w[sel], s=6, color=colour, label=name)
    ax.set_xlabel("detuning (omega0 - omega_p)/2pi (MHz)")
    ax.set_ylabel("intracavity power (W)")
    ax.set_title(f"detuning sweep; final state: {result.state}")
    ax.legend(loc="upper left")
    return atomic_write_figure(path, fig, dpi=120)
