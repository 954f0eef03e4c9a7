"""Vacuum-noise re-injection: the floor it holds, the modulation instability it seeds in a sweep
from far blue of resonance, and its reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from qkdchip.simulations.comb import (
    LLEModel,
    classify_field,
    classify_trajectory,
    cw_intracavity_power,
    integrate,
    linear_sweep,
    mi_gain,
)
from tests.simulations.comb.helpers import soliton_ansatz

SIGMA = 1e-4
# PyCORe's sweep (tests/test.py): f^2 = 22, zeta0 -20 -> 40 over kappa t / 2 = 100 pi
F2 = 22.0
RATE = 60.0 / (100.0 * np.pi)
ZETA_START, ZETA_STOP = -20.0, 0.5
# a sample counts as a comb once this share of the intracavity power is outside the pump mode
COMB_FRACTION = 1e-3


@pytest.mark.parametrize("method", ["strang", "rk4ip"])
def test_floor_is_noise_rms_squared_in_every_mode_whatever_its_loss(method: str) -> None:
    # no pump: every mode is an Ornstein-Uhlenbeck process that relaxes to E|psi_mu|^2 =
    # sigma^2 at its own loss rate l_mu; the kicks must hold that floor for slow and fast modes
    n, b = 32, 32
    loss = np.linspace(0.5, 2.0, n)
    model = LLEModel(0.02 * np.arange(-n // 2, n // 2) ** 2.0, loss_mu=loss)
    runs = {
        flag: integrate(
            model,
            detuning=np.zeros(b),
            pump=0.0,
            duration=50.0,
            method=method,
            dt=0.01,
            noise_rms=SIGMA,
            rng=np.random.default_rng(1),
            n_samples=51,
            reinject_noise=flag,
        )
        for flag in (True, False)
    }
    on = runs[True]
    assert on.energy[10:].mean() / (n * SIGMA**2) == pytest.approx(1.0, abs=0.05)
    # final spectra of the low-loss and the high-loss half of the modes (512 exponentially
    # distributed powers each, 4 % scatter); a kick sized for l = 1 everywhere would leave
    # floors near 1.4 and 0.7 sigma^2
    for half in (on.spectrum[:, : n // 2], on.spectrum[:, n // 2 :]):
        assert half.mean() / SIGMA**2 == pytest.approx(1.0, abs=0.2)
    # without the kicks the seed decays as e^{-2 l_mu tau}, e^{-50} for the slowest mode
    assert runs[False].energy[-1].max() < 1e-20 * n * SIGMA**2


def _accumulated_gain(model: LLEModel, f: float, zeta: np.ndarray) -> np.ndarray:
    """G(zeta) = int max_mu lambda_mu dtau along the sweep on the quasi-static CW state."""
    n = model.n_modes
    d = model.d_mu
    mu = np.arange(1, n // 2)
    dbar = 0.5 * (d[n // 2 + mu] + d[n // 2 - mu])
    gain = np.array([mi_gain(cw_intracavity_power(z, f)[-1], z, dbar).max() for z in zeta])
    return np.cumsum(np.clip(gain, 0.0, None)) * (zeta[1] - zeta[0]) / RATE


@pytest.mark.parametrize("method", ["rk4ip", "strang"])
def test_far_blue_sweep_shows_mi_where_the_gain_turns_positive_only_with_reinjection(
    method: str,
) -> None:
    n, d2, f = 64, 0.02, float(np.sqrt(F2))
    model = LLEModel.from_coefficients(n, d2=d2)
    duration = (ZETA_STOP - ZETA_START) / RATE
    runs = {
        flag: integrate(
            model,
            detuning=linear_sweep(ZETA_START, ZETA_STOP, duration=duration),
            pump=f,
            duration=duration,
            method=method,
            dt=0.01,
            rtol=1e-5,
            n_samples=int(round((ZETA_STOP - ZETA_START) / 0.05)) + 1,
            noise_rms=SIGMA,
            rng=np.random.default_rng(4),
            reinject_noise=flag,
        )
        for flag in (True, False)
    }
    zeta = np.linspace(-6.0, ZETA_STOP, 6501)
    growth = _accumulated_gain(model, f, zeta)
    threshold = zeta[np.argmax(growth > 0)]
    # Sideband power grows from the floor sigma^2 per mode as e^{2G}; the comb shows when it
    # reaches COMB_FRACTION of the intracavity power rho, at 2 G* = ln(COMB_FRACTION rho /
    # sigma^2) (G* ~ 6). The prefactors (how many modes share the gain, the noise's projection
    # on the growing pair, the CW state's lag behind the sweep) are factors of 10-100 in the
    # seed, well inside e^{G*/2} (~20) to e^{G*} (~400): the onset lies between G*/2 and 2 G*.
    rho = cw_intracavity_power(-1.0, f)[-1]
    target = 0.5 * np.log(COMB_FRACTION * rho / SIGMA**2)
    early, late = zeta[np.argmax(growth >= 0.5 * target)], zeta[np.argmax(growth >= 2 * target)]
    assert threshold == pytest.approx(1.0 - np.sqrt(F2 - 1.0), abs=0.2)
    assert threshold < early < late < ZETA_STOP - 0.5

    onsets = {}
    for flag, run in runs.items():
        energy = run.energy[:, 0]
        side = 1.0 - np.abs(run.pump_mode[:, 0]) ** 2 / energy
        filled = run.tau > 10.0  # the empty cavity holds only noise until the pump fills it
        comb = filled & (side > COMB_FRACTION)
        onsets[flag] = run.detuning[np.argmax(comb), 0] if comb.any() else None
        if flag:
            # the state is a comb many orders of magnitude above the noise floor
            side_power = energy[-1] * side[-1]
            assert side[-1] > 0.1
            assert side_power > 1e4 * n * SIGMA**2
    assert onsets[True] is not None
    assert early <= onsets[True] <= late
    # seeded only, the noise has decayed by e^{-2 (threshold - start) / RATE} ~ 1e-75 before
    # the gain turns positive: no comb anywhere in the sweep
    assert onsets[False] is None


@pytest.mark.parametrize("method", ["strang", "split4", "rk4ip"])
def test_reinjected_noise_is_reproducible_from_the_seed(method: str) -> None:
    model = LLEModel.from_coefficients(32, d2=0.05)

    def run(seed: int) -> np.ndarray:
        return integrate(
            model,
            detuning=np.array([1.0, 2.0]),
            pump=1.5,
            duration=10.0,
            method=method,
            dt=0.01,
            noise_rms=1e-3,
            rng=np.random.default_rng(seed),
            n_samples=5,
        ).field

    np.testing.assert_array_equal(run(7), run(7))
    assert np.max(np.abs(run(7) - run(8))) > 1e-4


def test_stable_soliton_with_reinjected_noise_reads_stationary() -> None:
    # one stable soliton of PyCORe's ring (N = 512, f^2 = 22, zeta0 = 15) with half a photon of
    # vacuum noise per mode (6.6e-5): the noise's interference with the lines changes the
    # spectrum by more than the noise-free threshold 1e-3 between samples
    n, d2, f, sigma = 512, 0.041, np.sqrt(F2), 6.6e-5
    run = integrate(
        LLEModel.from_coefficients(n, d2=d2),
        detuning=15.0,
        pump=f,
        duration=12.0,
        psi0=soliton_ansatz(n, zeta0=15.0, f=f, d2=d2),
        method="rk4ip",
        rtol=1e-5,
        n_samples=25,
        noise_rms=sigma,
        rng=np.random.default_rng(0),
    )
    assert run.noise_rms == sigma
    info = classify_trajectory(run, normal_dispersion=False)[0]
    assert (info.state, info.pulses, info.stationary) == ("soliton", 1, True)
    last, prev = run.spectrum[0], run.previous_spectrum[0]
    change = float(np.abs(last - prev).sum() / last.sum())
    assert change > 1e-3
    blind = classify_field(
        run.field[0], fluctuation=info.fluctuation, spectral_change=change, normal_dispersion=False
    )
    assert blind.state == "chaotic"
