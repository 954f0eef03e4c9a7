"""PyCORe's detuning sweep, with and without vacuum-noise re-injection.

PyCORe (EPFL's LLE package, tests/test.py): Si3N4 ring, n0 = 1.9, n2 = 2.4e-19 m^2/W,
FSR 181.7 GHz, 1.5 x 0.85 um core, kappa_0 = kappa_ex = 2 pi 50 MHz, D2 / 2 pi = 4.1 MHz,
100 mW pump, detuning -1 -> 2 GHz in 2000 points over a slow time of 1 us. Normalised: f^2 = 22,
d_mu = 2 D_int / kappa = 0.041 mu^2, N = 512, zeta0 -20 -> 40 over kappa t / 2 = 100 pi, and half a
photon per mode is sqrt(g0 / kappa) = 6.6e-5 with PyCORe's g0 = hbar omega0^2 c n2 / (n0^2 V_eff).

For each run: the detuning where the comb first appears (sideband share of the intracavity power
above 1e-3 once the pump has filled the cavity), where the soliton step ends (last sample whose
intracavity power exceeds twice the lower CW state's; PyCORe's own integration ends it at
zeta0 = 27.8 once every interval is integrated in full, see bench_comb.py), the
soliton count at the end of the step (power above the CW background over a single soliton's,
from Newton's method, two units of zeta0 before the end) and the run time.

Run: .venv/bin/python benchmarks/bench_mi_sweep.py [--method rk4ip|strang] [--rtol 1e-5]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from qkdchip.simulations.comb import (
    LLEModel,
    Trajectory,
    cw_intracavity_power,
    integrate,
    linear_sweep,
    newton_solve,
)

HBAR = 1.054571817e-34
C = 299792458.0
N, D2 = 512, 0.041
ZETA_START, ZETA_STOP = -20.0, 40.0
DURATION = 100.0 * math.pi
SAMPLES = 2000
COMB_FRACTION = 1e-3


def pycore_normalisation() -> tuple[float, float]:
    """(f, half-photon rms per mode) of PyCORe's test ring and pump."""
    n0, n2, fsr, w0 = 1.9, 2.4e-19, 181.7e9, 2 * math.pi * 192e12
    kappa_ex = 2 * math.pi * 50e6
    kappa = 2 * kappa_ex
    volume = 1.5e-6 * 0.85e-6 * C / (n0 * fsr)
    g0 = HBAR * w0**2 * C * n2 / (n0**2 * volume)
    f2 = 8 * g0 * kappa_ex * 0.1 / (kappa**3 * HBAR * w0)
    return math.sqrt(f2), math.sqrt(g0 / kappa)


def soliton_energy(model: LLEModel, zeta: float, f: float) -> float:
    """Mean power of one soliton above the lower CW background at (zeta, f), from Newton's
    method started on the sech ansatz."""
    phi = 2 * np.pi * np.arange(N) / N
    rho = cw_intracavity_power(zeta, f)[0]
    phase = np.arccos(min(1.0, np.sqrt(8 * zeta) / (np.pi * f)))
    start = f / (1 + 1j * (zeta - rho)) + np.sqrt(2 * zeta) * np.exp(1j * phase) / np.cosh(
        np.sqrt(zeta / D2) * (phi - np.pi)
    )
    state = newton_solve(model, start, zeta0=zeta, f=f, stability=False)
    return float(np.mean(np.abs(state.field) ** 2)) - rho


def summarise(run: Trajectory, model: LLEModel, f: float) -> str:
    """Comb onset, soliton-step end and soliton count of a sweep, as one line."""
    zeta = run.detuning[:, 0]
    energy = run.energy[:, 0]
    side = 1.0 - np.abs(run.pump_mode[:, 0]) ** 2 / energy
    comb = (run.tau > 10.0) & (side > COMB_FRACTION)
    if not comb.any():
        return "no comb anywhere in the sweep"
    onset = int(np.argmax(comb))
    lower = np.array([cw_intracavity_power(z, f)[0] for z in zeta])
    above = np.nonzero(energy > 2.0 * lower)[0]
    end = int(above[above >= onset].max())
    at = int(np.argmin(np.abs(zeta - (zeta[end] - 2.0))))
    count = (energy[at] - lower[at]) / soliton_energy(model, float(zeta[at]), f)
    return (
        f"comb appears at zeta0 = {zeta[onset]:.2f}, soliton step ends at zeta0 = "
        f"{zeta[end]:.2f}, {count:.2f} solitons at zeta0 = {zeta[at]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="rk4ip", choices=("rk4ip", "strang"))
    parser.add_argument("--rtol", type=float, default=1e-5, help="rk4ip tolerance")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    f, sigma = pycore_normalisation()
    model = LLEModel.from_coefficients(N, d2=D2)
    # strang: the split-step dispersion limit pi / max|d_mu| is 1.17e-3
    dt = 1e-3
    print(
        f"PyCORe sweep: f^2 = {f * f:.2f}, d2 = {D2}, N = {N}, zeta0 {ZETA_START:g} -> "
        f"{ZETA_STOP:g} over {DURATION:.1f}, {SAMPLES} samples, noise_rms = {sigma:.2e}, "
        f"{args.method}" + (f" rtol {args.rtol:g}" if args.method == "rk4ip" else f" dt {dt:g}")
    )
    for reinject in (True, False):
        start = time.perf_counter()
        run = integrate(
            model,
            detuning=linear_sweep(ZETA_START, ZETA_STOP, duration=DURATION),
            pump=f,
            duration=DURATION,
            method=args.method,
            dt=dt,
            rtol=args.rtol,
            n_samples=SAMPLES,
            noise_rms=sigma,
            rng=np.random.default_rng(args.seed),
            reinject_noise=reinject,
        )
        seconds = time.perf_counter() - start
        print(
            f"reinject_noise={reinject}: {summarise(run, model, f)}; {seconds:.1f} s, "
            f"{run.steps} steps"
        )


if __name__ == "__main__":
    main()
