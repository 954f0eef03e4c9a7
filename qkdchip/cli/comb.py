"""``qkdchip comb``: simulate a Kerr microcomb (LLE) and report its lines in dBm.

Without options it simulates the reference dark-pulse comb of
``qkdchip.simulations.comb.reference``: the simulated reference ring (its FSR, D_int and
bus-coupling Q from the shipped device results; normal-dispersion 100-nm Si3N4, mode-crossing
trigger) pumped with the reference on-chip power. ``--ring FILE`` reads a JSON file with Resonator
fields, or a ring-simulation result (``mu``, ``d_int_hz``, ``fsr_hz``, ... as written by the
ring solver) whose D_int, FSR, group index and wavelength replace the reference ones;
``--design key=value`` overrides single fields. ``--pump sil`` replaces the ideal swept pump
by the DFB laser self-injection locked to the ring (switched on at a fixed current; see
``qkdchip.simulations.comb.sil``) and reports each line's linewidth. Writes a spectrum plot, a
sweep plot and a JSON of the lines to --out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from qkdchip.atomic import atomic_write_json
from qkdchip.cli import add_json_option, add_offline_option, parse_assignments
from qkdchip.options import REFERENCE_PUMP_POWER_W
from qkdchip.validation import check_range
from qkdchip.values import convert_value

if TYPE_CHECKING:
    from qkdchip.simulations.comb.resonator import Resonator
    from qkdchip.simulations.comb.sil_comb import SilComb

_FLOAT_FIELDS = (
    "fsr_hz",
    "wavelength_nm",
    "q_intrinsic",
    "q_coupling",
    "n2_m2_per_w",
    "effective_area_um2",
    "n_eff",
    "n_group",
    "d2_hz",
    "d3_hz",
    "thermal_shift_hz_per_w",
    "thermal_time_s",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "comb", help="simulate the Kerr microcomb (LLE) and list its lines", description=__doc__
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--ring", type=Path, metavar="FILE", help="JSON ring description")
    source.add_argument(
        "--design",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help=f"override reference ring fields ({', '.join(_FLOAT_FIELDS)}; amx=MU:SHIFT_HZ)",
    )
    parser.add_argument(
        "--pump-mw",
        type=float,
        default=None,
        help=f"on-chip pump power (mW; default {REFERENCE_PUMP_POWER_W * 1e3:g})",
    )
    parser.add_argument(
        "--sweep",
        default=None,
        metavar="START:STOP",
        help="detuning sweep (omega0 - omega_p)/2pi in MHz (default: the reference sweep)",
    )
    parser.add_argument(
        "--sweep-us", type=float, default=None, help="sweep time with --sweep (us; default 2)"
    )
    parser.add_argument(
        "--hold-us", type=float, default=None, help="hold time with --sweep (us; default 1)"
    )
    parser.add_argument(
        "--pump",
        choices=("swept", "sil"),
        default="swept",
        help="swept: an ideal laser swept into the resonance; sil: the self-injection-locked "
        "DFB, switched on at a fixed current (default swept)",
    )
    parser.add_argument(
        "--feedback-phase",
        type=float,
        default=None,
        metavar="RAD",
        help="with --pump sil: feedback phase of the air gap (rad; default -pi/2)",
    )
    parser.add_argument("--modes", type=int, default=256, help="simulated modes (even)")
    parser.add_argument("--seed", type=int, default=0, help="quantum-noise seed")
    parser.add_argument(
        "--min-power-dbm", type=float, default=-30.0, help="usable-line threshold (dBm)"
    )
    add_json_option(parser, "the lines")
    parser.add_argument(
        "--out", type=Path, default=Path("results/comb"), help="output folder for plots and JSON"
    )
    add_offline_option(parser)
    parser.set_defaults(handler=comb)


def _parse_design(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:  # amx may repeat, so items are read one by one
        ((key, value),) = parse_assignments([item], option="--design").items()
        if key == "amx":
            mu, sep, shift = value.partition(":")
            if not sep:
                raise ValueError(f"--design amx={value!r} must be MU:SHIFT_HZ")
            mu_index = convert_value("--design amx MU", mu, int)
            shifts = out.setdefault("mode_shifts_hz", {})
            shifts[mu_index] = convert_value("--design amx SHIFT_HZ", shift, float)
        elif key in _FLOAT_FIELDS:
            out[key] = convert_value(f"--design {key}", value, float)
        else:
            raise ValueError(
                f"--design key {key!r} unknown; allowed: {', '.join(_FLOAT_FIELDS)}, amx"
            )
    return out


def _read_ring(path: Path) -> dict[str, Any]:
    from qkdchip.simulations.comb import DIntProfile

    data = json.loads(path.read_text())
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        data = data["result"]  # a cached device-simulation record {"key": ..., "result": ...}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    out: dict[str, Any] = {k: float(data[k]) for k in _FLOAT_FIELDS if k in data}
    if "mu" in data and "d_int_hz" in data:
        # a ring-simulation result: its D_int replaces the D2/D3 parabola
        out["d_int"] = DIntProfile(data["mu"], data["d_int_hz"])
        if "pump_wavelength_nm" in data and "wavelength_nm" not in data:
            out["wavelength_nm"] = float(data["pump_wavelength_nm"])
        out.pop("d2_hz", None)
        out.pop("d3_hz", None)
    elif set(data) - set(_FLOAT_FIELDS) - {"mode_shifts_hz"}:
        unknown = sorted(set(data) - set(_FLOAT_FIELDS) - {"mode_shifts_hz"})
        raise ValueError(f"{path}: unknown keys {unknown}")
    if "mode_shifts_hz" in data:
        out["mode_shifts_hz"] = {int(k): float(v) for k, v in data["mode_shifts_hz"].items()}
    return out


def _sil_comb(ring: Resonator, power_w: float, args: argparse.Namespace) -> SilComb:
    """The comb of the self-injection-locked reference DFB on ``ring``."""
    import math

    from qkdchip.simulations.comb.reference import reference_sil_comb

    phase = -math.pi / 2 if args.feedback_phase is None else args.feedback_phase
    check_range("--feedback-phase", phase, -4 * math.pi, 4 * math.pi)
    return reference_sil_comb(
        resonator=ring, pump_power_w=power_w, phase_rad=phase, n_modes=args.modes, seed=args.seed
    )


def _missed_comb_hint(ring: Any, power_w: float, n_modes: int) -> str:
    """Where the detuning must end for a comb: the CW bistable range of this ring and pump
    (three homogeneous states), in MHz, or that the pump is below threshold."""
    import numpy as np

    from qkdchip.simulations.comb.model import cw_intracavity_power

    normalised = ring.normalise(n_modes, pump_power_w=power_w)
    f = float(normalised.f)
    zetas = np.linspace(0.0, max(4.0, 1.5 * f**2), 4001)
    bistable = zetas[[len(cw_intracavity_power(z, f)) == 3 for z in zetas]]
    if f <= 1.0 or bistable.size == 0:
        return (
            f"the pump ({power_w * 1e3:.3g} mW, f^2 = {f**2:.2f}) is below the comb threshold "
            "(f^2 > 1): raise --pump-mw"
        )
    low, high = normalised.detuning_hz_from_zeta(np.array([bistable[0], bistable[-1]])) / 1e6
    return (
        f"the sweep ended in a CW state; combs form where the detuning ends inside the "
        f"bistable range, {low:.1f} to {high:.1f} MHz for this ring and pump"
    )


def comb(args: argparse.Namespace) -> int:
    """Run the comb simulation, print the lines and write the plots and JSON."""
    from qkdchip.simulations.comb import reference_comb, reference_resonator, solve_comb
    from qkdchip.simulations.comb.plot import plot_spectrum, plot_sweep
    from qkdchip.simulations.comb.solve import MAX_PUMP_POWER_W

    max_mw = MAX_PUMP_POWER_W * 1e3
    if args.pump_mw is not None and not 0 < args.pump_mw <= max_mw:
        raise ValueError(f"--pump-mw={args.pump_mw} must lie in (0, {max_mw:g}] mW")
    power_w = REFERENCE_PUMP_POWER_W if args.pump_mw is None else args.pump_mw * 1e-3
    if args.sweep is None and (args.sweep_us is not None or args.hold_us is not None):
        raise ValueError("--sweep-us and --hold-us need --sweep START:STOP")
    if args.sweep is not None:
        start, _, stop = args.sweep.partition(":")
        try:
            start_mhz, stop_mhz = float(start), float(stop)
        except ValueError:
            raise ValueError(f"--sweep={args.sweep!r} must be START:STOP in MHz") from None
    if args.pump == "sil" and args.sweep is not None:
        raise ValueError("--sweep applies to --pump swept only: a locked laser sets its detuning")
    if args.feedback_phase is not None and args.pump != "sil":
        raise ValueError("--feedback-phase applies to --pump sil only")
    overrides = _read_ring(args.ring) if args.ring else _parse_design(args.design)
    if args.pump == "sil":
        overrides.setdefault("mode_shifts_hz", {})  # the lock is the trigger
    ring = reference_resonator(**overrides)
    linewidths: dict[int, float] = {}
    sil: dict[str, float] = {}
    if args.pump == "sil":
        locked = _sil_comb(ring, power_w, args)
        result = locked.comb
        linewidths = {
            line.mu: lw for line, lw in zip(result.lines, locked.line_linewidth_hz, strict=True)
        }
        sil = {
            "stabilisation": locked.stabilisation,
            "pump_linewidth_hz": locked.pump_linewidth_hz,
            "repetition_pull": locked.repetition_pull,
            "feedback_phase_rad": locked.run.sil.phase_rad,
        }
    elif args.sweep is None:
        result = reference_comb(
            resonator=ring, pump_power_w=power_w, n_modes=args.modes, seed=args.seed
        )
    else:
        result = solve_comb(
            ring,
            pump_power_w=power_w,
            detuning_start_hz=start_mhz * 1e6,
            detuning_stop_hz=stop_mhz * 1e6,
            sweep_time_s=(2.0 if args.sweep_us is None else args.sweep_us) * 1e-6,
            hold_time_s=(1.0 if args.hold_us is None else args.hold_us) * 1e-6,
            n_modes=args.modes,
            seed=args.seed,
        )
    payload = result.to_dict()
    payload["usable_lines"] = [
        {**line.to_dict(), **({"linewidth_hz": linewidths[line.mu]} if linewidths else {})}
        for line in result.usable_lines(args.min_power_dbm)
    ]
    payload["min_power_dbm"] = args.min_power_dbm
    if sil:
        payload["self_injection_locking"] = sil
    out = args.out
    atomic_write_json(out / "comb_lines.json", payload)
    plot_spectrum(result, out / "comb_spectrum.png", min_power_dbm=args.min_power_dbm)
    plot_sweep(result, out / "comb_sweep.png")
    if args.json:
        print(json.dumps(payload, indent=2, allow_nan=False))
        return 0
    console = Console()
    table = Table(title=f"comb lines >= {args.min_power_dbm:g} dBm ({result.state})")
    for column in ("mu", "wavelength (nm)", "frequency (THz)", "bus power (dBm)"):
        table.add_column(column, justify="right")
    for line in result.usable_lines(args.min_power_dbm):
        table.add_row(
            str(line.mu),
            f"{line.wavelength_nm:.3f}",
            f"{line.frequency_hz / 1e12:.5f}",
            f"{line.power_dbm:.2f}",
        )
    console.print(table)
    if sil:
        console.print(
            f"self-injection locked: frequency noise / {sil['stabilisation']:.1f}, pump "
            f"linewidth {sil['pump_linewidth_hz']:.3g} Hz"
        )
    if args.sweep is not None and result.state == "CW":
        console.print(f"[yellow]hint:[/] {_missed_comb_hint(ring, power_w, args.modes)}")
    console.print(
        f"state {result.state}, pump {result.pump_power_w * 1e3:.1f} mW "
        f"(f^2 = {result.f_squared:.2f}), conversion efficiency "
        f"{100 * result.conversion_efficiency:.1f} %, pump transmission "
        f"{result.pump_transmission:.3f}; files in {out}"
    )
    return 0
