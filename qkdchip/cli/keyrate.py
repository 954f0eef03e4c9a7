"""``qkdchip keyrate``: optimised SNS TF-QKD key rates versus distance, with PLOB and TGW.

Finite-key SNS-AOPP rates are computed under a named analysis (``--bound``), and the sources
may randomise their phase over a finite number of values (``--phase-slices``), and the
transmitters' flaws enter the bounds: intensity fluctuations (``--intensity-fluctuation``), the
intensity modulators' extinction ratio (``--extinction-ratio-db``) and the light the chips
return to the server through the injection port (``--injection-isolation-db``)::

    qkdchip keyrate --protocol sns-aopp --finite 1e12 --bound worst-split --phase-slices 16 --json
    qkdchip keyrate --finite 1e12 --bound worst-split --distance-km 370 \
        --intensity-fluctuation 0.01 --extinction-ratio-db 60 --injection-isolation-db 150
"""

from __future__ import annotations

import argparse
import json
import math
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from qkdchip.cli import add_json_option
from qkdchip.options import PROTOCOLS

if TYPE_CHECKING:
    from qkdchip.simulations.qkd import SnsSystem
    from qkdchip.simulations.qkd.side_channel import InjectionLeak
    from qkdchip.simulations.qkd.source_flaws import SourceFlaws


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "keyrate",
        help="optimised SNS / SNS-AOPP TF-QKD key rates versus distance",
        description=__doc__,
    )
    parser.add_argument("--protocol", choices=PROTOCOLS, default="sns-aopp")
    parser.add_argument(
        "--finite",
        type=float,
        default=None,
        metavar="N",
        help="total number of pulses N (finite-key analysis); asymptotic if omitted",
    )
    parser.add_argument(
        "--distance-km",
        type=float,
        nargs="+",
        default=[100.0, 200.0, 300.0, 400.0, 500.0],
        metavar="D",
        help="total Alice-Bob fibre lengths (km)",
    )
    parser.add_argument(
        "--arm-a-fraction",
        type=float,
        default=0.5,
        help="fraction of each length on Alice's arm (default 0.5: symmetric)",
    )
    parser.add_argument(
        "--asymmetric-source",
        action="store_true",
        help="let Bob use his own sending probability and intensities (unequal arms)",
    )
    parser.add_argument("--loss-db-per-km", type=float, default=0.2)
    parser.add_argument("--extra-loss-db", type=float, default=0.0, help="per arm (dB)")
    parser.add_argument("--detector-efficiency", type=float, default=0.3)
    parser.add_argument(
        "--dark-count-per-pulse",
        type=float,
        default=1e-10,
        help="noise click probability per detector per window",
    )
    parser.add_argument(
        "--dark-count-rate-hz",
        type=float,
        default=None,
        help="noise rate per detector (Hz); with --gate-s replaces --dark-count-per-pulse",
    )
    parser.add_argument("--gate-s", type=float, default=None, help="detection gate (s)")
    parser.add_argument("--misalignment", type=float, default=0.03, help="X-window e_d")
    parser.add_argument("--ec-efficiency", type=float, default=1.1)
    parser.add_argument("--repetition-rate-hz", type=float, default=1e9)
    parser.add_argument("--intensities", type=int, choices=(3, 4), default=4)
    parser.add_argument(
        "--bound",
        default="qkdchip-estimate",
        help="finite-key SNS-AOPP analysis: qkdchip-estimate (the engine's estimate, default) "
        "or worst-split (Jiang et al., New J. Phys. 22, 053048 (2020)); named in the output",
    )
    parser.add_argument(
        "--phase-slices",
        type=int,
        default=None,
        metavar="M",
        help="the sources randomise their phase over M discrete values (default: continuous)",
    )
    parser.add_argument(
        "--intensity-fluctuation",
        type=float,
        default=0.0,
        metavar="DELTA",
        help="relative bound on every intensity's deviation, pulse by pulse (default 0)",
    )
    parser.add_argument(
        "--extinction-ratio-db",
        type=float,
        default=None,
        metavar="ER",
        help="intensity-modulator extinction ratio (dB): 'not sending' leaks 10^(-ER/10) of "
        "the strongest setting (default: a perfect vacuum)",
    )
    parser.add_argument(
        "--injection-isolation-db",
        type=float,
        default=None,
        metavar="DB",
        help="isolation of the path from the modulators back to the injection port (dB); the "
        "returned light enters the phase error (Lucamarini et al. 2015; default: no leak)",
    )
    parser.add_argument(
        "--injection-power-dbm",
        type=float,
        default=5.0,
        help="light in the modulators for --injection-isolation-db (dBm, default 5)",
    )
    parser.add_argument(
        "--chip-reflection-db",
        type=float,
        default=30.0,
        help="chip back-reflection toward the injection path for --injection-isolation-db "
        "(dB below the forward light, default 30)",
    )
    parser.add_argument(
        "--scan-phase-slices",
        action="store_true",
        help="also report the key rate versus the number of discrete phases at the first "
        "distance, and the smallest number within 1 %% of continuous randomisation",
    )
    parser.add_argument(
        "--max-distance", action="store_true", help="also find the maximum distance (slower)"
    )
    add_json_option(parser, "the key rates")
    parser.add_argument(
        "--plot", metavar="FILE", default=None, help="write a rate-vs-distance plot"
    )
    parser.set_defaults(handler=keyrate)


def _system(args: argparse.Namespace) -> SnsSystem:
    from qkdchip.simulations.qkd import SnsSystem, click_probability_from_rate
    from qkdchip.simulations.qkd.system import MAX_ARM_KM

    for d in args.distance_km:
        if not (math.isfinite(d) and 0.0 <= d <= 2 * MAX_ARM_KM):
            raise ValueError(f"--distance-km {d!r} must lie in [0, {2 * MAX_ARM_KM:g}] km")
    dark = args.dark_count_per_pulse
    if (args.dark_count_rate_hz is None) != (args.gate_s is None):
        raise ValueError("--dark-count-rate-hz and --gate-s must be given together")
    if args.dark_count_rate_hz is not None:
        dark = click_probability_from_rate(rate_hz=args.dark_count_rate_hz, gate_s=args.gate_s)
    if not 0.0 <= args.arm_a_fraction <= 1.0:
        raise ValueError(f"--arm-a-fraction {args.arm_a_fraction!r} must lie in [0, 1]")
    first = args.distance_km[0]
    return SnsSystem(
        fibre_a_km=first * args.arm_a_fraction,
        fibre_b_km=first * (1.0 - args.arm_a_fraction),
        loss_a_db_per_km=args.loss_db_per_km,
        loss_b_db_per_km=args.loss_db_per_km,
        extra_loss_a_db=args.extra_loss_db,
        extra_loss_b_db=args.extra_loss_db,
        detector_efficiency=args.detector_efficiency,
        dark_count_per_pulse=dark,
        misalignment=args.misalignment,
        ec_efficiency=args.ec_efficiency,
        repetition_rate_hz=args.repetition_rate_hz,
        n_pulses=args.finite,
    )


def _flaws(args: argparse.Namespace) -> tuple[SourceFlaws, InjectionLeak | None]:
    """The transmitters' flaws from the options, and the injection leak if one is set."""
    from qkdchip.simulations.qkd.side_channel import injection_leak
    from qkdchip.simulations.qkd.source_flaws import SourceFlaws

    leak = None
    if args.injection_isolation_db is not None:
        leak = injection_leak(
            isolation_db=args.injection_isolation_db,
            power_at_modulators_dbm=args.injection_power_dbm,
            reflection_db=args.chip_reflection_db,
            repetition_rate_hz=args.repetition_rate_hz,
        )
    flaws = SourceFlaws(
        intensity_fluctuation=args.intensity_fluctuation,
        extinction_ratio_db=args.extinction_ratio_db,
        leaked_photons=0.0 if leak is None else leak.leaked_photons,
    )
    if args.scan_phase_slices and not flaws.is_ideal:
        raise ValueError(
            "--scan-phase-slices studies ideal sources; run it without --intensity-fluctuation, "
            "--extinction-ratio-db and --injection-isolation-db"
        )
    return flaws, leak


def keyrate(args: argparse.Namespace) -> int:
    """Print optimised key rates per distance (table or JSON), optionally plot them."""
    from qkdchip.simulations.qkd import max_distance_km, phase_slice_study, sweep_distances

    system = _system(args)
    flaws, leak = _flaws(args)
    choice = dict(
        protocol=args.protocol,
        n_intensities=args.intensities,
        asymmetric_source=args.asymmetric_source,
        bound=args.bound,
        phase_slices=args.phase_slices,
        flaws=None if flaws.is_ideal else flaws,
    )
    results = sweep_distances(system, args.distance_km, **choice)
    max_km = None
    if args.max_distance:
        max_km = max_distance_km(system, **choice)
    study = None
    if args.scan_phase_slices:
        study = phase_slice_study(
            system, protocol=args.protocol, n_intensities=args.intensities, bound=args.bound
        )
    if args.plot:
        import numpy as np

        from qkdchip.simulations.qkd.plot import plot_key_rate_vs_distance

        top = max(max(args.distance_km), max_km or 0.0, 1.0)
        curve = sweep_distances(system, np.linspace(0.0, top * 1.1, 50), **choice)
        finite = "asymptotic" if args.finite is None else f"N = {args.finite:.0e}"
        plot_key_rate_vs_distance(
            {f"{args.protocol} ({args.intensities} intensities, {finite})": curve},
            args.plot,
            title="SNS TF-QKD key rate",
        )
    if args.json:
        payload: dict[str, object] = {
            "system": system.to_dict(),
            "protocol": args.protocol,
            "bound": args.bound,
            "bound_reference": results[0].bound_reference,
            "phase_slices": args.phase_slices,
            "source_flaws": {
                **flaws.to_dict(),
                "injection_isolation_db": args.injection_isolation_db,
                "injection_leak": None if leak is None else leak.to_dict(),
            },
            "results": [r.to_dict() for r in results],
        }
        if max_km is not None:
            payload["max_distance_km"] = max_km
        if study is not None:
            payload["phase_slice_study"] = study.to_dict()
        print(json.dumps(payload, indent=2))
        return 0
    phases = "continuous phase" if args.phase_slices is None else f"{args.phase_slices} phases"
    table = Table(
        title=f"{args.protocol} key rate ({args.intensities} intensities, {phases}, "
        f"bound {args.bound})"
    )
    for col in ("km", "bit/pulse", "bit/s", "PLOB", "ratio", "QBER Z", "QBER X", "eps", "mu_z"):
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(
            f"{r.distance_km:g}",
            f"{r.key_rate_per_pulse:.3e}",
            f"{r.key_rate_bps:.3e}",
            f"{r.plob:.3e}",
            f"{r.ratio_to_plob:.3g}",
            f"{r.qber_z:.4f}",
            f"{r.qber_x:.4f}",
            f"{r.parameters.eps:.3f}",
            f"{r.parameters.mu_z:.3f}",
        )
    console = Console(width=max(Console().width, 110))
    console.print(table)
    console.print(f"formulas: {results[0].bound_reference}")
    if leak is not None:
        console.print(
            f"injection leak: {leak.leaked_photons:.3g} photons per window "
            f"(isolation {leak.isolation_db:g} dB, coin imbalance {leak.coin_imbalance:.3g})"
        )
    if max_km is not None:
        console.print(f"maximum distance: {max_km:.1f} km")
    if study is not None:
        steps = ", ".join(
            f"M={m}: {loss:+.2%}" for m, loss in zip(study.slices, study.relative_loss, strict=True)
        )
        console.print(f"key lost versus continuous phases at {study.distance_km:g} km: {steps}")
        console.print(f"smallest M within {study.tolerance:.0%}: {study.smallest_within_tolerance}")
    if args.plot:
        console.print(f"plot written to {args.plot}")
    return 0
