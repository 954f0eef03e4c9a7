"""Compiled kernels: the FFT against numpy's, and the same bits whatever CPU the kernels are
compiled for (the host's against NUMBA_CPU_NAME=generic)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qkdchip.simulations.comb import (
    AuxPump,
    LLEModel,
    ThermalShift,
    Trajectory,
    integrate,
    kernels,
    linear_sweep,
)

ROOT = Path(__file__).resolve().parents[3]


def short_runs() -> list[Trajectory]:
    """Short runs through every branch of the compiled RK4IP (one member) and split-step (two
    members) loops: a sweep, a second pump, the thermal shift and re-injected noise."""
    model = LLEModel.from_coefficients(
        64,
        d2=0.03,
        aux_pumps=(AuxPump(mu=3, amplitude=0.3, offset=0.2),),
        thermal=ThermalShift(coefficient=0.1, response_time=2.0),
    )
    return [
        integrate(
            model,
            detuning=linear_sweep(np.array(start), np.array(start) + 3.0, duration=4.0),
            pump=2.0,
            duration=4.0,
            method=method,
            dt=0.01,
            rtol=1e-6,
            n_samples=5,
            noise_rms=1e-4,
            rng=np.random.default_rng(7),
        )
        for method, start in (("rk4ip", [0.0]), ("strang", [0.0, 1.0]))
    ]


def short_runs_json() -> str:
    """:func:`short_runs`' final fields as JSON."""
    fields = [run.field.ravel() for run in short_runs()]
    return json.dumps([{"re": f.real.tolist(), "im": f.imag.tolist()} for f in fields])


@pytest.mark.parametrize("n", [1, 2, 8, 30, 64, 96, 512, 7])
def test_fft_matches_numpy(n: int) -> None:
    radices, forward, inverse = kernels.fft_plan(n)
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    got = x.copy()
    kernels._transform(got, np.empty(n, complex), radices, forward, -1.0)
    np.testing.assert_allclose(got, np.fft.fft(x), rtol=0, atol=1e-13 * n)
    got = x.copy()
    kernels._transform(got, np.empty(n, complex), radices, inverse, 1.0)
    np.testing.assert_allclose(got, np.fft.ifft(x) * n, rtol=0, atol=1e-13 * n)


def test_fft_plan_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError, match="n=0"):
        kernels.fft_plan(0)


def test_generic_cpu_build_gives_the_same_bits() -> None:
    runs = short_runs()
    # the second pump lifts its line far above the noise floor: the runs used every drive
    for run in runs:
        assert run.spectrum[0][64 // 2 + 3] > 1e-3
    here = json.loads(short_runs_json())
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tests.simulations.comb.test_kernels import short_runs_json\n"
            "print(short_runs_json())",
        ],
        capture_output=True,
        text=True,
        env=os.environ | {"NUMBA_CPU_NAME": "generic", "NUMBA_CPU_FEATURES": ""},
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    there = json.loads(child.stdout.strip().splitlines()[-1])
    for ours, theirs in zip(here, there, strict=True):
        for part in ("re", "im"):
            np.testing.assert_allclose(theirs[part], ours[part], rtol=1e-12, atol=0)
