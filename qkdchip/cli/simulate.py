"""``qkdchip simulate``: device simulations (MPB modes, meep ring, coupler, grating, MMI, ...).

Results come from the shipped cache for the default designs and are recomputed with ``--fresh``
or for any other design or resolution (that needs meep). ``--design key=value`` overrides
fields of the device's design object. ``--mpi N`` runs each meep job on N MPI processes (an MPI
build of meep); the result and its cache key are the same as on one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.console import Console
from rich.table import Table

from qkdchip.atomic import atomic_write_figure
from qkdchip.cli import add_json_option, add_offline_option, parse_assignments
from qkdchip.values import convert_value, replace_fields

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from qkdchip.simulations.fdtd.grating import GratingResult
    from qkdchip.simulations.fdtd.mmi import MmiResult, MmiScan
    from qkdchip.simulations.modes.modulator import ModulatorResult
    from qkdchip.simulations.modes.solver import ModeResult
    from qkdchip.simulations.ring.coupling import CouplerResult
    from qkdchip.simulations.ring.resonances import RingResult

DEVICES: tuple[str, ...] = ("modes", "ring", "coupler", "grating", "mmi", "modulator")
PLOT_DIR = Path("results")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate", help="device simulations with MPB and meep (cached)", description=__doc__
    )
    parser.add_argument("device", choices=DEVICES, help="what to simulate")
    parser.add_argument(
        "--design",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field of the design (repeatable); for modes also platform=si3n4|inp, "
        "for mmi also ports=1x2|2x2",
    )
    parser.add_argument("--resolution", type=int, help="solver resolution in pixels per µm")
    parser.add_argument(
        "--scan",
        metavar="FIELD=START:STOP:N",
        help="mmi only: sweep length_um or width_um over N values and tabulate split and loss",
    )
    parser.add_argument(
        "--solver",
        choices=("mpb", "meep"),
        help="coupler only: supermodes from MPB (default) or from meep in the time domain",
    )
    parser.add_argument("--fresh", action="store_true", help="recompute, ignoring any cache")
    parser.add_argument(
        "--mpi",
        type=int,
        default=1,
        metavar="N",
        help="run meep on N MPI processes (needs meep built with MPI, which replaces Debian's "
        "python3-meep and has no MPB; default 1: serial meep)",
    )
    add_json_option(parser, "the result")
    parser.add_argument(
        "--plot", type=Path, help="where to write the plot (ring: D_int, grating: spectrum)"
    )
    add_offline_option(parser)
    parser.set_defaults(handler=simulate)


def _parse_scan(text: str) -> tuple[str, list[float]]:
    """``FIELD=START:STOP:N`` -> (field, N evenly spaced values from START to STOP)."""
    field, _, spec = text.partition("=")
    parts = spec.split(":")
    try:
        if len(parts) != 3:
            raise ValueError("expected START:STOP:N")
        start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError as err:
        raise ValueError(f"--scan {text!r}: must look like FIELD=START:STOP:N ({err})") from err
    if not (count >= 3 and math.isfinite(start) and math.isfinite(stop) and stop > start):
        raise ValueError(f"--scan {text!r}: need STOP > START (finite) and N >= 3")
    return field, [start + (stop - start) * i / (count - 1) for i in range(count)]


def _resolution(args: argparse.Namespace, settings: Any, field: str = "resolution") -> Any:
    if args.resolution is None:
        return settings
    return dataclasses.replace(settings, **{field: args.resolution})


def _simulate(
    args: argparse.Namespace,
    overrides: dict[str, str],
    simulator: Callable[..., Any],
    design: Any,
    settings: Any,
) -> Any:
    """Run ``simulator`` on ``design`` with the ``--design`` overrides applied, ``settings``
    with ``--resolution`` applied, and ``--fresh``.
    """
    return simulator(
        replace_fields(design, overrides, where="--design"),
        settings=_resolution(args, settings),
        fresh=args.fresh,
    )


def _modes(args: argparse.Namespace, overrides: dict[str, str]) -> ModeResult:
    """Fundamental mode of the Si3N4 strip or InP ridge (``platform``) at ``wavelength_um``."""
    from qkdchip.components.designs import RidgeWaveguide, StripWaveguide
    from qkdchip.simulations.modes.geometry import ridge_cross_section, strip_cross_section
    from qkdchip.simulations.modes.solver import ModeSettings, solve_mode

    platform = overrides.pop("platform", "si3n4")
    wavelength = convert_value(
        "--design wavelength_um", overrides.pop("wavelength_um", "1.55"), float
    )
    if platform == "si3n4":
        xs = strip_cross_section(replace_fields(StripWaveguide(), overrides, where="--design"))
    elif platform == "inp":
        xs = ridge_cross_section(replace_fields(RidgeWaveguide(), overrides, where="--design"))
    else:
        raise ValueError(f"--design platform={platform!r}: allowed si3n4, inp")
    return solve_mode(
        xs,
        wavelength_um=wavelength,
        settings=_resolution(args, ModeSettings()),
        fresh=args.fresh,
    )


def _ring(args: argparse.Namespace, overrides: dict[str, str]) -> RingResult:
    """Resonances and dispersion of the reference ring."""
    from qkdchip.simulations.devices import defaults
    from qkdchip.simulations.ring.resonances import simulate_ring

    return _simulate(
        args,
        overrides,
        simulate_ring,
        defaults.reference_ring_design(),
        defaults.REFERENCE_RING_SETTINGS,
    )


def _coupler(args: argparse.Namespace, overrides: dict[str, str]) -> CouplerResult:
    """Bus-ring coupling of the reference ring, supermodes from ``--solver``."""
    from qkdchip.simulations.devices import defaults
    from qkdchip.simulations.ring.coupling import CouplerSettings, simulate_coupler

    settings = CouplerSettings(solver=args.solver or "mpb")
    return _simulate(args, overrides, simulate_coupler, defaults.reference_ring_design(), settings)


def _grating(args: argparse.Namespace, overrides: dict[str, str]) -> GratingResult:
    """Reflection spectrum of the DBR grating."""
    from qkdchip.components.designs import DbrGratingDesign
    from qkdchip.simulations.fdtd.grating import GratingSettings, simulate_grating

    return _simulate(args, overrides, simulate_grating, DbrGratingDesign(), GratingSettings())


def _modulator(args: argparse.Namespace, overrides: dict[str, str]) -> ModulatorResult:
    """Overlap and Vπ of the phase modulator."""
    from qkdchip.components.designs import PhaseModulatorDesign
    from qkdchip.simulations.devices import defaults
    from qkdchip.simulations.modes.modulator import simulate_modulator

    return _simulate(
        args,
        overrides,
        simulate_modulator,
        PhaseModulatorDesign(),
        defaults.MODULATOR_MODE_SETTINGS,
    )


def _mmi_inputs(args: argparse.Namespace, overrides: dict[str, str]) -> tuple[Any, Any]:
    """The MMI design of ``ports`` (1x2 or 2x2) with overrides, and its solver settings."""
    from qkdchip.components.designs import MmiDesign
    from qkdchip.simulations.devices import defaults
    from qkdchip.simulations.fdtd.mmi import MmiSettings

    ports = overrides.pop("ports", "1x2")
    base = {"1x2": MmiDesign, "2x2": defaults.mmi_2x2_design}.get(ports)
    if base is None:
        raise ValueError(f"--design ports={ports!r}: allowed 1x2, 2x2")
    settings = _resolution(args, MmiSettings() if ports == "1x2" else defaults.MMI_2X2_SETTINGS)
    return replace_fields(base(), overrides, where="--design"), settings


def _mmi(args: argparse.Namespace, overrides: dict[str, str]) -> MmiResult:
    """Output powers and split of the MMI."""
    from qkdchip.simulations.fdtd.mmi import simulate_mmi

    design, settings = _mmi_inputs(args, overrides)
    return simulate_mmi(design, settings=settings, fresh=args.fresh)


def _mmi_scan(args: argparse.Namespace, overrides: dict[str, str]) -> MmiScan:
    """Split and loss of the MMI over the ``--scan`` values."""
    from qkdchip.simulations.fdtd.mmi import scan_mmi

    design, settings = _mmi_inputs(args, overrides)
    field, values = _parse_scan(args.scan)
    from rich.progress import Progress

    with Progress(console=Console(stderr=True, quiet=args.quiet), transient=True) as bar:
        task = bar.add_task(f"MMI {field} scan", total=len(values))

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return scan_mmi(
            design,
            field=field,
            values=values,
            settings=settings,
            fresh=args.fresh,
            progress=advance,
        )


def _modes_rows(r: ModeResult) -> list[tuple[str, str]]:
    """Summary of a mode result."""
    return [
        ("cross-section", r.cross_section),
        ("n_eff", f"{r.n_eff:.5f}"),
        ("n_group", f"{r.n_group:.5f}"),
        ("beta2", f"{r.beta2_s2_per_m * 1e27:.1f} ps²/km"),
        ("D", f"{r.dispersion_ps_per_nm_km:.1f} ps/(nm·km)"),
        ("mode area", f"{r.mode_area_um2:.3f} µm²"),
        ("confinement", f"{r.confinement:.3f}"),
        ("TE fraction", f"{r.te_fraction:.3f}"),
    ]


def _ring_rows(r: RingResult) -> list[tuple[str, str]]:
    """Summary of a ring result."""
    return [
        ("radius", f"{r.radius_um:.1f} µm"),
        ("pump", f"m={r.m_pump}, {r.pump_wavelength_nm:.3f} nm"),
        ("FSR", f"{r.fsr_hz / 1e9:.4f} GHz"),
        ("D2/2π", f"{r.d2_hz / 1e3:.2f} kHz ({'normal' if r.d2_hz < 0 else 'anomalous'})"),
        ("D3/2π", f"{r.d3_hz:.2f} Hz"),
        ("n_group", f"{r.n_group:.5f}"),
        ("radiation Q (lower bound)", f"≥ {r.q_radiation:.3g}"),
        ("D_int span", f"mu {r.mu[0]}..{r.mu[-1]}"),
    ]


def _coupler_rows(r: CouplerResult) -> list[tuple[str, str]]:
    """Summary of a coupler result."""
    return [
        ("gap", f"{r.gap_um:g} µm, wrap {r.wrap_angle_deg:g}°"),
        ("supermodes", r.settings["solver"]),
        ("kappa", f"{r.kappa_per_m:.4g} 1/m"),
        ("power coupling", f"{r.power_coupling:.4g}"),
        ("Q_c", f"{r.q_coupling:.4g}"),
    ]


def _grating_rows(r: GratingResult) -> list[tuple[str, str]]:
    """Summary of a grating result."""
    return [
        ("n_eff tooth/groove", f"{r.n_eff_tooth:.5f} / {r.n_eff_groove:.5f}"),
        ("Bragg wavelength", f"{r.bragg_wavelength_nm:.2f} nm"),
        ("kappa", f"{r.kappa_per_cm:.1f} /cm"),
        ("stop band", f"{r.stop_band_nm:.3f} nm"),
        ("peak R (meep)", f"{r.peak_reflectance:.4f}"),
        ("tanh²(κL)", f"{r.cmt_peak_reflectance:.4f}"),
    ]


def _mmi_rows(r: MmiResult) -> list[tuple[str, str]]:
    """Summary of an MMI result."""
    return [
        ("outputs", ", ".join(f"{p:.4f}" for p in r.output_power)),
        ("split ratio", f"{r.split_ratio:.4f}"),
        ("excess loss", f"{r.excess_loss_db:.3f} dB"),
        ("imbalance", f"{r.imbalance_db:.3f} dB"),
    ]


def _mmi_scan_rows(scan: MmiScan) -> list[tuple[str, str]]:
    """One row per scanned value, then the best value."""
    rows = [
        (f"{scan.field} = {v:g}", f"split {s:.4f}, excess loss {loss:.3f} dB")
        for v, s, loss in zip(scan.values, scan.split_ratio, scan.excess_loss_db, strict=True)
    ]
    rows.append((f"best {scan.field}", f"{scan.best_value:g} (vertex {scan.vertex_value:.2f})"))
    return rows


def _modulator_rows(r: ModulatorResult) -> list[tuple[str, str]]:
    """Summary of a phase-modulator result."""
    return [
        ("overlap Γ", f"{r.overlap:.3f}"),
        ("Vπ·L (Pockels, simulated)", f"{r.vpi_l_pockels_v_mm:.2f} V·mm"),
        (
            "Vπ·L (band-edge calibrated)",
            f"{r.vpi_l_v_mm:.2f} V·mm (x{r.model['band_edge_enhancement']:g})",
        ),
        ("Vπ", f"{r.vpi_v:.2f} V at {r.design['length_um']:g} µm"),
    ]


def _plot_ring(ax: Axes, result: RingResult) -> None:
    """D_int/2π (MHz) against the mode number: spline and meep samples."""
    ax.plot(result.mu, [v / 1e6 for v in result.d_int_hz], label="spline")
    sampled = [
        (f - result.pump_frequency_hz - result.d1_hz * u) / 1e6
        for u, f in zip(result.sampled_mu, result.sampled_frequency_hz, strict=True)
    ]
    ax.plot(result.sampled_mu, sampled, "o", label="meep")
    ax.set_xlabel("mode number μ")
    ax.set_ylabel("D_int/2π (MHz)")


def _plot_grating(ax: Axes, result: GratingResult) -> None:
    """Reflected and transmitted power against wavelength (nm), with the CMT peak."""
    ax.plot(result.wavelength_nm, result.reflectance, label="reflection (meep)")
    ax.plot(result.wavelength_nm, result.transmittance, label="transmission (meep)")
    ax.axhline(result.cmt_peak_reflectance, ls="--", c="k", label="tanh²(κL)")
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("power")


class _Device(NamedTuple):
    """How one device is simulated, summarised as table rows and (optionally) plotted."""

    run: Callable[[argparse.Namespace, dict[str, str]], Any]
    rows: Callable[[Any], list[tuple[str, str]]]
    plot: Callable[[Axes, Any], None] | None = None


_DEVICE_TABLE: dict[str, _Device] = {
    "modes": _Device(_modes, _modes_rows),
    "ring": _Device(_ring, _ring_rows, _plot_ring),
    "coupler": _Device(_coupler, _coupler_rows),
    "grating": _Device(_grating, _grating_rows, _plot_grating),
    "mmi": _Device(_mmi, _mmi_rows),
    "modulator": _Device(_modulator, _modulator_rows),
}
_MMI_SCAN = _Device(_mmi_scan, _mmi_scan_rows)


def _run(args: argparse.Namespace) -> tuple[Any, list[tuple[str, str]]]:
    """Simulate ``args.device``; return the result and the summary rows."""
    overrides = parse_assignments(args.design, option="--design")
    if args.solver is not None and args.device != "coupler":
        raise ValueError(f"--solver {args.solver} applies to the coupler only, not {args.device}")
    if args.scan is not None and args.device != "mmi":
        raise ValueError(f"--scan applies to the mmi only, not {args.device}")
    device = _MMI_SCAN if args.scan is not None else _DEVICE_TABLE[args.device]
    result = device.run(args, overrides)
    return result, device.rows(result)


def _plot(args: argparse.Namespace, result: Any) -> Path | None:
    """Write the device's plot (ring: D_int, grating: spectrum); None for the other devices."""
    plotter = _DEVICE_TABLE[args.device].plot
    if plotter is None:
        return None
    from matplotlib.figure import Figure

    path = args.plot or PLOT_DIR / f"simulate_{args.device}.png"
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    plotter(ax, result)
    ax.legend()
    return atomic_write_figure(path, fig, dpi=120)


def simulate(args: argparse.Namespace) -> int:
    """Run the device simulation and print a summary (or JSON)."""
    from qkdchip.simulations.meep_jobs.mpi import check_mpi_processes, meep_mpi, require_mpi

    if args.resolution is not None and not args.resolution > 0:
        raise ValueError(f"--resolution={args.resolution!r} must be > 0")
    if check_mpi_processes(args.mpi, name="--mpi") > 1:
        require_mpi(args.mpi, name="--mpi")
    with meep_mpi(args.mpi):
        result, rows = _run(args)
    plot = _plot(args, result)
    if args.json:
        data = result.to_dict()
        print(json.dumps(data, allow_nan=False))
        return 0
    table = Table(title=f"qkdchip simulate {args.device}")
    table.add_column("quantity")
    table.add_column("value")
    for name, value in rows:
        table.add_row(name, value)
    if plot is not None:
        table.add_row("plot", str(plot))
    Console().print(table)
    return 0 if all(math.isfinite(float(v)) for v in _numbers(result)) else 1


def _numbers(result: Any) -> list[float]:
    return [v for v in result.to_dict().values() if isinstance(v, float)]
