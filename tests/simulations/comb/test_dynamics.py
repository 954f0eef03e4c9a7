"""Sweeps: soliton steps, normal dispersion with and without a mode-crossing trigger, adaptive
integrator, thermal shift and second pump."""

from __future__ import annotations

import numpy as np
import pytest

from qkdchip.simulations.comb import (
    AuxPump,
    LLEModel,
    PiecewiseLinear,
    ThermalShift,
    classify_trajectory,
    cw_intracavity_power,
    integrate,
    newton_solve,
    stability_eigenvalues,
)
from tests.simulations.comb.helpers import soliton_ansatz


def test_soliton_steps_are_quantised() -> None:
    n, d2, f = 128, 0.02, np.sqrt(6.0)
    model = LLEModel.from_coefficients(n, d2=d2)
    seeds = 4
    sweep = PiecewiseLinear(np.array([0.0, 120.0, 160.0]), np.array([-2.0, 5.5, 5.5]))
    rng = np.random.default_rng(11)
    psi0 = np.zeros((seeds, n), complex)
    run = integrate(
        model,
        detuning=sweep,
        pump=f,
        duration=160.0,
        dt=0.01,
        psi0=psi0,
        noise_rms=1e-3,
        rng=rng,
    )
    states = classify_trajectory(run, window=0.2, normal_dispersion=False)
    single = newton_solve(
        model, soliton_ansatz(n, zeta0=5.5, f=f, d2=d2), zeta0=5.5, f=f, stability=False
    )
    background = cw_intracavity_power(5.5, f)[0]
    step = float(np.mean(np.abs(single.field) ** 2)) - background
    counts = []
    for b, info in enumerate(states):
        assert info.state in ("soliton", "solitons")
        # each soliton adds the same energy above the CW background (Herr et al. 2014 steps)
        level = (run.energy[-1, b] - background) / step
        assert level == pytest.approx(info.pulses, abs=0.1)
        counts.append(info.pulses)
    assert max(counts) >= 1


def _normal_model(shift: float) -> LLEModel:
    # reference-chip numbers in normalised form: d2 = D2/kappa = -0.0264 (f^2 = 9.3 below)
    return LLEModel.from_coefficients(256, d2=-0.0264, mode_shifts={1: shift} if shift else None)


@pytest.mark.parametrize(("shift", "expected"), [(0.0, "CW"), (3.0, "dark pulse")])
def test_normal_dispersion_needs_a_mode_crossing(shift: float, expected: str) -> None:
    sweep = PiecewiseLinear(np.array([0.0, 200.0, 300.0]), np.array([-2.0, 3.5, 3.5]))
    run = integrate(
        _normal_model(shift),
        detuning=sweep,
        pump=np.sqrt(9.3),
        duration=300.0,
        dt=0.005,
        noise_rms=1e-4,
        rng=np.random.default_rng(0),
    )
    info = classify_trajectory(run, window=0.2, normal_dispersion=True)[0]
    assert info.state == expected
    if expected == "dark pulse":
        assert info.stationary
        assert np.count_nonzero(run.spectrum[0] > 1e-4 * run.spectrum[0].max()) >= 10


def test_dark_pulse_newton_matches_time_domain() -> None:
    model = _normal_model(3.0)
    sweep = PiecewiseLinear(np.array([0.0, 200.0, 300.0]), np.array([-2.0, 3.5, 3.5]))
    f = np.sqrt(9.3)
    run = integrate(
        model,
        detuning=sweep,
        pump=f,
        duration=300.0,
        dt=0.005,
        noise_rms=1e-4,
        rng=np.random.default_rng(0),
    )
    state = newton_solve(model, run.field[0], zeta0=3.5, f=f)
    assert state.stable
    # Strang at dt = 0.005 leaves an O(dt^2) ~ 1e-3 relative offset of the fixed point
    np.testing.assert_allclose(
        run.spectrum[0], state.spectrum, rtol=0, atol=4e-3 * state.spectrum.max()
    )


def test_rk4ip_and_strang_agree() -> None:
    n, d2, f = 64, 0.05, np.sqrt(6.0)
    model = LLEModel.from_coefficients(n, d2=d2)
    start = soliton_ansatz(n, zeta0=5.0, f=f, d2=d2)
    runs = [
        integrate(
            model,
            detuning=5.0,
            pump=f,
            duration=10.0,
            psi0=start,
            method=m,
            dt=dt,
            rtol=1e-8,
            noise_rms=0.0,
        )
        for m, dt in (("strang", 0.001), ("rk4ip", 0.01))
    ]
    assert runs[1].steps < runs[0].steps
    # Strang at dt = 1e-3 is accurate to ~1e-5 on lines of ~1e-2
    np.testing.assert_allclose(runs[0].spectrum, runs[1].spectrum, rtol=0, atol=3e-5)


def test_thermal_shift_lowers_the_effective_detuning() -> None:
    model = LLEModel.from_coefficients(8, d2=0.02)
    hot = LLEModel(model.d_mu, thermal=ThermalShift(coefficient=0.5, response_time=2.0))
    for method in ("strang", "rk4ip"):
        run = integrate(
            hot, detuning=1.0, pump=1.0, duration=80.0, method=method, dt=0.01, noise_rms=0.0
        )
        energy = run.energy[-1, 0]
        effective = run.detuning[-1, 0]
        # steady state: theta = 0.5 <|psi|^2>, and the CW state sits at zeta0 - theta
        assert effective == pytest.approx(1.0 - 0.5 * energy, rel=1e-3)
        assert energy == pytest.approx(cw_intracavity_power(effective, 1.0)[0], rel=1e-3)


def test_second_pump_drives_its_mode_linearly() -> None:
    # weak pumps (no Kerr effect): each driven mode reaches psi = f / (1 + i (zeta0 + d_mu))
    d = np.zeros(16)
    d[8 + 3] = 0.7
    model = LLEModel(d, aux_pumps=(AuxPump(mu=3, amplitude=1e-4, offset=0.0),))
    for method in ("strang", "rk4ip"):
        run = integrate(
            model, detuning=0.5, pump=1e-4, duration=40.0, method=method, dt=0.01, noise_rms=0.0
        )
        spectrum = run.spectrum[0]
        assert spectrum[8 + 3] == pytest.approx(1e-8 / (1 + (0.5 + 0.7) ** 2), rel=1e-4)
        assert spectrum[8] == pytest.approx(1e-8 / (1 + 0.5**2), rel=1e-4)


def test_fourth_order_split_and_single_precision_agree_with_newton() -> None:
    # zeta0 = 6, f^2 = 6: a strongly damped soliton (perturbations decay as e^{-tau})
    n, d2, f = 128, 0.02, np.sqrt(6.0)
    model = LLEModel.from_coefficients(n, d2=d2)
    exact = newton_solve(
        model, soliton_ansatz(n, zeta0=6.0, f=f, d2=d2), zeta0=6.0, f=f, stability=False
    )
    errors = []
    for dt in (0.01, 0.005):
        run = integrate(
            model,
            detuning=6.0,
            pump=f,
            duration=20.0,
            psi0=exact.field,
            method="split4",
            dt=dt,
            noise_rms=0.0,
            n_samples=3,
        )
        errors.append(np.max(np.abs(run.spectrum[0] - exact.spectrum)))
    # fourth order: halving dt divides the fixed-point error by ~16 (second order: 4)
    assert errors[0] / errors[1] > 10
    batch = integrate(
        model,
        detuning=np.array([6.0, 6.0]),
        pump=f,
        duration=10.0,
        psi0=exact.field,
        method="rk4ip",
        rtol=1e-5,
        noise_rms=0.0,
        precision="single",
    )
    # complex64 round-off (~1e-7) is far below the tolerance
    np.testing.assert_allclose(
        batch.spectrum, np.vstack([exact.spectrum] * 2), rtol=0, atol=1e-5 * exact.spectrum.max()
    )
    with pytest.raises(ValueError, match="precision"):
        integrate(model, detuning=6.0, pump=f, duration=1.0, precision="single")


def test_hopf_unstable_soliton_breathes_and_mi_is_chaotic() -> None:
    n, d2, f = 128, 0.02, np.sqrt(6.0)
    model = LLEModel.from_coefficients(n, d2=d2)
    start = soliton_ansatz(n, zeta0=4.0, f=f, d2=d2)
    state = newton_solve(model, start, zeta0=4.0, f=f)
    # the soliton at zeta0 = 4, f^2 = 6 lies past its Hopf bifurcation: an oscillatory
    # instability, so the time-domain state is a breather
    assert not state.stable
    eig = stability_eigenvalues(model, state.field, zeta0=4.0, f=f, velocity=state.velocity)
    assert abs(eig[0].imag) > 0.1
    run = integrate(
        model,
        detuning=np.array([4.0, 2.0]),
        pump=f,
        duration=200.0,
        dt=0.01,
        psi0=np.vstack([start, np.full(n, f / (1 + 2j))]),
        noise_rms=1e-3,
        rng=np.random.default_rng(5),
        n_samples=400,
    )
    states = classify_trajectory(run, window=0.4, normal_dispersion=False)
    assert states[0].state == "breather"
    assert states[1].state == "chaotic"
