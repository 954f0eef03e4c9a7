"""CW bistability, parametric threshold, schedules and batching of the normalised core."""

from __future__ import annotations

import numpy as np
import pytest

from qkdchip.simulations.comb import (
    LLEModel,
    PiecewiseLinear,
    classify_trajectory,
    cw_intracavity_power,
    integrate,
    linear_sweep,
    mi_gain,
)


@pytest.mark.parametrize("zeta0", [-2.0, 0.5, 1.7, 2.0, 4.0])
@pytest.mark.parametrize("f2", [0.5, 3.0, 10.0])
def test_cw_roots_satisfy_the_bistability_curve(zeta0: float, f2: float) -> None:
    roots = cw_intracavity_power(zeta0, np.sqrt(f2))
    assert roots.size in (1, 3)
    # every root satisfies f^2 = rho [1 + (zeta0 - rho)^2] to round-off
    np.testing.assert_allclose(roots * (1 + (zeta0 - roots) ** 2), f2, rtol=1e-9)


def test_bistability_only_above_sqrt3() -> None:
    f_values = np.sqrt(np.linspace(0.1, 30, 300))
    below = [cw_intracavity_power(np.sqrt(3) - 0.01, f).size for f in f_values]
    above = [cw_intracavity_power(3.0, f).size for f in f_values]
    assert max(below) == 1
    assert max(above) == 3


def test_time_domain_cw_state_matches_the_lower_root() -> None:
    # zeta0 = 3, f^2 = 3 is bistable; starting from an empty cavity the field settles on the
    # lower branch; with no noise the state stays homogeneous
    model = LLEModel.from_coefficients(8, d2=0.02)
    f = np.sqrt(3.0)
    run = integrate(
        model, detuning=3.0, pump=f, duration=40.0, method="rk4ip", rtol=1e-10, noise_rms=0.0
    )
    roots = cw_intracavity_power(3.0, f)
    assert roots.size == 3
    assert run.energy[-1, 0] == pytest.approx(roots[0], rel=1e-8)
    assert classify_trajectory(run)[0].state == "CW"


def test_parametric_threshold_and_first_sidebands() -> None:
    d2 = 0.04  # first sidebands expected at mu = 1/sqrt(d2) = 5
    mu = np.arange(1, 20)
    gain = mi_gain(1.0, 1.0, d2 * mu**2)
    assert mu[np.argmax(gain)] == 5
    # at the threshold (rho = 1, zeta0 = 1) the best sideband pair is exactly marginal
    assert gain.max() == pytest.approx(0.0, abs=1e-12)
    model = LLEModel.from_coefficients(64, d2=d2)
    f_values = np.sqrt(np.array([0.9, 1.1]))
    run = integrate(
        model,
        detuning=1.0,
        pump=f_values,
        duration=250.0,
        dt=0.02,
        noise_rms=1e-4,
        rng=np.random.default_rng(3),
    )
    states = classify_trajectory(run)
    assert states[0].state == "CW"
    assert states[1].state == "modulation instability"
    spectrum = run.spectrum[1]
    side = np.where(run.mu > 0, spectrum, 0.0)
    strongest = run.mu[np.argmax(side)]
    # the pattern selects the fastest-growing pair of the actual CW state (rho slightly above 1
    # shifts it from 1/sqrt(d2) = 5 by less than one mode)
    rho = cw_intracavity_power(1.0, f_values[1])[-1]
    assert strongest == mu[np.argmax(mi_gain(rho, 1.0, d2 * mu**2))]
    assert abs(strongest - 1 / np.sqrt(d2)) <= 1


def test_schedule_interpolates_and_holds() -> None:
    sweep = linear_sweep(-2.0, 4.0, duration=6.0, t_start=1.0)
    values = sweep(np.array([0.0, 1.0, 4.0, 7.0, 9.0]))[:, 0]
    np.testing.assert_allclose(values, [-2.0, -2.0, 1.0, 4.0, 4.0])
    assert sweep.at(4.0)[0] == pytest.approx(1.0)


def test_batched_run_equals_single_runs() -> None:
    model = LLEModel.from_coefficients(32, d2=0.05)
    zetas = np.array([0.5, 2.0, 3.0])
    schedule = PiecewiseLinear(np.array([0.0, 5.0]), np.stack([zetas - 1, zetas]))
    psi0 = 0.1 * np.exp(1j * np.linspace(0, 6, 32))
    batch = integrate(
        model, detuning=schedule, pump=1.5, duration=5.0, dt=0.01, psi0=psi0, noise_rms=0.0
    )
    for i, z in enumerate(zetas):
        single = integrate(
            model,
            detuning=linear_sweep(z - 1, z, duration=5.0),
            pump=1.5,
            duration=5.0,
            dt=0.01,
            psi0=psi0,
            noise_rms=0.0,
        )
        np.testing.assert_allclose(batch.field[i], single.field[0], rtol=0, atol=1e-11)


def test_seeded_noise_is_reproducible() -> None:
    model = LLEModel.from_coefficients(32, d2=0.05)
    runs = [
        integrate(
            model,
            detuning=1.0,
            pump=1.2,
            duration=2.0,
            dt=0.01,
            noise_rms=1e-3,
            rng=np.random.default_rng(7),
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].field, runs[1].field)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dt": 0.5}, "stability limit"),
        ({"pump": -1.0}, "pump"),
        ({"duration": -1.0}, "duration"),
        ({"method": "euler"}, "method"),
        ({"dt": 0.02, "pump": 1.0, "d2": -5.0}, "dispersion"),
    ],
)
def test_bad_integration_input_raises(kwargs: dict, match: str) -> None:
    kwargs = dict(kwargs)
    model = LLEModel.from_coefficients(16, d2=kwargs.pop("d2", 0.05))
    args = {"detuning": 2.0, "pump": 3.0, "duration": 5.0, "dt": 0.01, "noise_rms": 0.0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        integrate(model, **args)


def test_model_validation() -> None:
    with pytest.raises(ValueError, match="even"):
        LLEModel(np.zeros(7))
    with pytest.raises(ValueError, match="loss_mu"):
        LLEModel(np.zeros(8), loss_mu=np.ones(6))
    with pytest.raises(ValueError, match="finite"):
        LLEModel(np.array([0, 1, np.nan, 0, 0, 0, 0, 0.0]))
