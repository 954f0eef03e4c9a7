"""Self-injection locking: the tuning curve against its analytic limits and against the
time-domain laser-ring model, linewidth narrowing, and the turnkey dark-pulse comb."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qkdchip.simulations.comb.sil import (
    SelfInjection,
    feedback_for_linewidth,
    phase_diffusion_for_linewidth,
    simulate_pump_mode,
)
from qkdchip.simulations.comb.sil_comb import drift_velocity, run_sil_comb, sil_comb

SIL = SelfInjection(feedback=20.0, backscatter=0.3, phase_rad=-math.pi / 2)


def test_stabilisation_is_the_slope_of_the_tuning_curve() -> None:
    zeta = np.linspace(-3.0, 3.0, 61)
    h = 1e-6
    slope = (SIL.tuning_curve(zeta + h) - SIL.tuning_curve(zeta - h)) / (2 * h)
    np.testing.assert_allclose(SIL.stabilisation(zeta), slope, rtol=1e-6, atol=1e-6)
    # at resonance, for phi = -pi/2: S = 1 + 2 K beta / (1 + beta^2)^2 (exact)
    assert SIL.stabilisation(0.0) == pytest.approx(1 + 2 * 20 * 0.3 / 1.09**2, rel=1e-12)
    assert SIL.optimum_stabilisation() == pytest.approx(float(SIL.stabilisation(0.0)), rel=1e-12)


def test_narrowing_at_resonance_is_greatest_at_beta_one_over_root_three() -> None:
    betas = np.linspace(0.05, 2.0, 400)
    s = [SelfInjection(feedback=50.0, backscatter=b).optimum_stabilisation() for b in betas]
    assert betas[int(np.argmax(s))] == pytest.approx(1 / math.sqrt(3), abs=0.01)
    # and over the phase, -pi/2 is the best at resonance
    phases = np.linspace(-math.pi, math.pi, 721)
    at_zero = [SelfInjection(50.0, 0.3, p).stabilisation(0.0) for p in phases]
    assert phases[int(np.argmax(at_zero))] == pytest.approx(-math.pi / 2, abs=0.01)


def test_without_feedback_the_laser_is_free_and_never_locks() -> None:
    free = SelfInjection(feedback=0.0, backscatter=0.3)
    zeta = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(free.tuning_curve(zeta), zeta)
    np.testing.assert_allclose(free.stabilisation(zeta), 1.0)
    with pytest.raises(ValueError, match="does not fold"):
        free.locking_range()


@pytest.mark.parametrize("xi", [0.5, -2.0, 5.0])
def test_the_time_domain_model_settles_on_a_locked_state_of_the_tuning_curve(xi: float) -> None:
    run = simulate_pump_mode(sil=SIL, xi=np.full(20000, xi), f=1.0, dtau=0.004, every=1000)
    final = float(run.zeta[-1, 0])
    states = SIL.locked_states(xi)
    assert np.min(np.abs(states - final)) < 1e-6
    assert SIL.tuning_curve(final) == pytest.approx(xi, abs=1e-6)


@pytest.mark.parametrize("direction", [1.0, -1.0])
def test_a_slow_sweep_unlocks_at_the_fold_of_the_tuning_curve(direction: float) -> None:
    """Swept outwards from inside the locking range, the laser leaves the resonance where the
    tuning curve folds; a finite sweep rate delays the jump slightly past the fold (4 %)."""
    low, high = SIL.locking_range()
    edge = high if direction > 0 else low
    xi = direction * np.linspace(3.0, 6.0, 40000)
    run = simulate_pump_mode(sil=SIL, xi=xi, f=1.0, dtau=0.02, every=4)
    jump = int(np.argmax(np.abs(np.diff(run.zeta[:, 0])) > 0.3))
    assert jump > 0
    assert abs(xi[4 * jump]) == pytest.approx(abs(edge), rel=0.04)
    assert abs(xi[4 * jump]) >= abs(edge) - 0.01


def test_the_locked_linewidth_is_the_free_one_over_s_squared() -> None:
    """Phase diffusion of many noisy laser realisations, free and locked at resonance: the
    ratio is S^2 = 123 (statistical error of the variance with 600 realisations: 6 %)."""
    rng = np.random.default_rng(4)
    diffusion = 1e-3
    rates = {}
    for name, sil in (("free", SelfInjection(0.0, 0.3)), ("locked", SIL)):
        run = simulate_pump_mode(
            sil=sil,
            xi=np.zeros(12000),
            f=1.0,
            dtau=0.02,
            phase_diffusion=diffusion,
            realisations=600,
            rng=rng,
            every=100,
        )
        start = int(np.searchsorted(run.tau, 40.0))
        spread = run.phase[-1] - run.phase[start]
        rates[name] = float(np.var(spread) / (2 * (run.tau[-1] - run.tau[start])))
    assert rates["free"] == pytest.approx(diffusion, rel=0.2)
    narrowing = rates["free"] / rates["locked"]
    assert narrowing == pytest.approx(float(SIL.stabilisation(0.0)) ** 2, rel=0.25)


def test_feedback_for_a_linewidth_and_phase_diffusion_round_trip() -> None:
    k = feedback_for_linewidth(free_linewidth_hz=1e6, locked_linewidth_hz=40.0, backscatter=0.3)
    s = SelfInjection(feedback=k, backscatter=0.3).optimum_stabilisation()
    assert 1e6 / s**2 == pytest.approx(40.0, rel=1e-12)
    # a 1 MHz laser on a ring of kappa/2pi = 20 MHz diffuses 2 pi 1e6 / (2 pi 20e6) per tau
    assert phase_diffusion_for_linewidth(
        linewidth_hz=1e6, kappa=2 * math.pi * 20e6
    ) == pytest.approx(2 * math.pi * 1e6 / (2 * math.pi * 20e6))


def test_drift_velocity_recovers_a_shifted_pulse() -> None:
    n, v, dtau = 128, 0.07, 2.0
    phi = 2 * np.pi * np.arange(n) / n
    before = 1.0 - 0.8 / np.cosh(5 * (phi - np.pi))
    after = 1.0 - 0.8 / np.cosh(5 * (phi - np.pi - v * dtau))
    measured = drift_velocity(
        np.fft.fft(before, norm="forward"), np.fft.fft(after, norm="forward") * 1j, dtau
    )
    assert measured == pytest.approx(v, rel=1e-5)


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("feedback", -1.0, "feedback=-1.0"),
        ("backscatter", 1e3, "backscatter=1000.0"),
        ("phase_rad", float("nan"), "phase_rad=nan"),
    ],
)
def test_bad_coupling_is_refused(name: str, value: float, match: str) -> None:
    kwargs = {"feedback": 10.0, "backscatter": 0.3, name: value}
    with pytest.raises(ValueError, match=match):
        SelfInjection(**kwargs)


@pytest.fixture(scope="module")
def resonator():  # type: ignore[no-untyped-def]
    from qkdchip.simulations.comb.reference import reference_resonator

    return reference_resonator(mode_shifts_hz={})  # no mode crossing: SIL alone starts it


def test_switched_on_at_a_fixed_current_the_locked_laser_starts_a_dark_pulse(resonator) -> None:  # type: ignore[no-untyped-def]
    """Turnkey: the laser is switched on at a fixed free-running detuning, without a sweep and
    without a mode crossing; the feedback pins the detuning in the bistable range and a dark
    pulse forms. The feedback calibrated to narrow 1 MHz to 40 Hz at resonance (S = 158) narrows
    the comb's pump at least that much."""
    k = feedback_for_linewidth(free_linewidth_hz=1e6, locked_linewidth_hz=40.0, backscatter=0.3)
    run = run_sil_comb(
        resonator,
        sil=SelfInjection(feedback=k, backscatter=0.3, phase_rad=-math.pi / 2),
        pump_power_w=0.1,
        xi_start=0.0,
        xi_stop=0.0,
        sweep_tau=0.0,
        hold_tau=250.0,
        n_modes=128,
    )
    result = sil_comb(run, free_linewidth_hz=1e6)
    assert result.comb.state == "dark pulse"
    assert result.locked
    assert 3.0 < result.comb.zeta0 < 8.0  # in the bistable range of f^2 = 9
    assert result.stabilisation > 100.0
    assert result.pump_linewidth_hz == pytest.approx(1e6 / result.stabilisation**2)
    assert len(result.comb.usable_lines(-40.0)) >= 10
    centre = len(result.line_linewidth_hz) // 2
    assert result.line_linewidth_hz[centre] == result.pump_linewidth_hz


def test_the_feedback_phase_decides_whether_the_comb_starts(resonator) -> None:  # type: ignore[no-untyped-def]
    """At the opposite phase (+pi/2) the feedback pushes the laser away: no comb."""
    k = feedback_for_linewidth(free_linewidth_hz=1e6, locked_linewidth_hz=40.0, backscatter=0.3)
    run = run_sil_comb(
        resonator,
        sil=SelfInjection(feedback=k, backscatter=0.3, phase_rad=math.pi / 2),
        pump_power_w=0.1,
        xi_start=0.0,
        xi_stop=0.0,
        sweep_tau=0.0,
        hold_tau=150.0,
        n_modes=128,
    )
    assert run.info.state == "CW"
