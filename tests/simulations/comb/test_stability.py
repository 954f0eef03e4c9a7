"""Stability of stationary solitons: the translation mode is told apart from the instability by
its eigenvector, on grids that pin the soliton and on grids that resolve it."""

from __future__ import annotations

import numpy as np
import pytest

from qkdchip.simulations.comb import (
    LLEModel,
    continue_in_detuning,
    cw_intracavity_power,
    integrate,
    mi_gain,
    newton_solve,
    stability_eigenvalues,
)

# 128 modes at d2 = 0.02 leave one or two grid points across a soliton at f^2 = 6 (existence
# limit ~7.4): the grid pins it, no eigenvalue sits near zero, and the eigenvalue nearest zero
# is the instability itself. The saddles: the lower-amplitude (middle-branch) soliton centred on
# a grid point at zeta0 = 7, whose unstable mode is even, and a soliton centred between two grid
# points at zeta0 = 6, whose unstable mode is the pinned translation (eigenvector overlap with
# d psi/d phi 0.95, but far from zero). Both were reported stable with max_growth -1.
N, D2, F = 128, 0.02, float(np.sqrt(6.0))
ZETAS = np.array([7.0, 6.0])
GROWTHS = (1.872, 2.459)


def _sech_guess(
    n_modes: int, *, zeta0: float, f: float, d2: float, phase_sign: float, offset: float
) -> np.ndarray:
    """Sech soliton on the lower CW background; phase_sign -1 picks the lower-amplitude
    (middle, saddle) branch, offset moves the centre by that many grid spacings."""
    phi = 2 * np.pi * np.arange(n_modes) / n_modes
    rho = cw_intracavity_power(zeta0, f)[0]
    background = f / (1 + 1j * (zeta0 - rho))
    phase = phase_sign * np.arccos(min(1.0, np.sqrt(8 * zeta0) / (np.pi * f)))
    centre = np.pi + 2 * np.pi * offset / n_modes
    return background + np.sqrt(2 * zeta0) * np.exp(1j * phase) / np.cosh(
        np.sqrt(zeta0 / d2) * (phi - centre)
    )


@pytest.fixture(scope="module")
def coarse() -> LLEModel:
    return LLEModel.from_coefficients(N, d2=D2)


@pytest.fixture(scope="module")
def saddles(coarse: LLEModel):
    with pytest.warns(RuntimeWarning, match="N = 128 modes under-resolve"):
        return [
            newton_solve(
                coarse,
                _sech_guess(N, zeta0=zeta0, f=F, d2=D2, phase_sign=sign, offset=offset),
                zeta0=zeta0,
                f=F,
            )
            for zeta0, sign, offset in zip(ZETAS, (-1.0, 1.0), (0.0, 0.5), strict=True)
        ]


def test_saddles_on_a_coarse_grid_are_unstable(coarse: LLEModel, saddles) -> None:
    for state, growth in zip(saddles, GROWTHS, strict=True):
        assert state.residual < 1e-10
        power = np.abs(state.field) ** 2
        assert power.max() > 10 * np.median(power)
        eig = stability_eigenvalues(
            coarse, state.field, zeta0=state.zeta0, f=F, velocity=state.velocity
        )
        # the largest eigenvalue is a real instability far from zero and from the rest of the
        # spectrum; it is also the eigenvalue nearest zero, which used to be discarded
        assert eig[0].imag == 0
        assert eig[0].real > 1.5
        assert eig[1].real < 0
        assert np.argmin(np.abs(eig)) == 0
        assert not state.stable
        assert state.max_growth == pytest.approx(eig[0].real, rel=1e-12)
        assert state.max_growth == pytest.approx(growth, abs=2e-3)
    assert saddles[0].peak_power > saddles[1].peak_power


def test_growth_rate_matches_time_integration(coarse: LLEModel, saddles) -> None:
    # a kick of 1e-9 per grid point grows along the unstable mode and the rest decays at least
    # as e^{-tau}; after tau = 2 the peak power departs from the stationary one as e^{g tau}
    rng = np.random.default_rng(3)
    kick = 1e-9 * (rng.standard_normal((2, N)) + 1j * rng.standard_normal((2, N)))
    run = integrate(
        coarse,
        detuning=ZETAS,
        pump=F,
        duration=4.0,
        psi0=np.array([state.field for state in saddles]) + kick,
        method="rk4ip",
        rtol=1e-10,
        noise_rms=0.0,
        n_samples=41,
    )
    late = run.tau >= 2.0
    for b, state in enumerate(saddles):
        departure = np.abs(run.peak[:, b] - state.peak_power)
        rate = np.polyfit(run.tau[late], np.log(departure[late]), 1)[0]
        assert rate == pytest.approx(state.max_growth, rel=0.01)
        assert departure[-1] > 1e3 * departure[0]


def test_branch_from_a_saddle_is_unstable(coarse: LLEModel, saddles) -> None:
    branch = continue_in_detuning(
        coarse, saddles[0], zeta_min=6.5, zeta_max=7.5, ds=0.02, ds_max=0.02, max_points=4
    )
    assert branch.zeta0.size == 4
    assert np.all(branch.max_growth > 1.0)
    assert not branch.stable.any()


def test_stable_soliton_on_a_fine_grid_drops_only_the_translation_mode() -> None:
    # 256 modes at d2 = 0.1 put ~12 grid points across the soliton at zeta0 = 3.5, f^2 = 5
    n, d2, f, zeta0 = 256, 0.1, float(np.sqrt(5.0)), 3.5
    model = LLEModel.from_coefficients(n, d2=d2)
    guess = _sech_guess(n, zeta0=zeta0, f=f, d2=d2, phase_sign=1.0, offset=0.0)
    state = newton_solve(model, guess, zeta0=zeta0, f=f)
    assert state.resolution_warning is None
    eig = stability_eigenvalues(model, state.field, zeta0=zeta0, f=f, velocity=state.velocity)
    # one neutral mode, the translation: the pump fixes the phase, so there is no second one
    assert np.count_nonzero(np.abs(eig) < 1e-3) == 1
    assert abs(eig[0]) < 1e-6
    # the leading mode left is the damped internal (Hopf) pair
    assert state.stable
    assert state.max_growth == pytest.approx(eig[1].real, rel=1e-9)
    assert state.max_growth < -0.1
    assert abs(eig[1].imag) > 1.0


def test_cw_state_with_modulation_instability_is_unstable() -> None:
    # a homogeneous state has no translation mode: its growth rate is the largest eigenvalue,
    # the closed-form gain of the fastest sideband pair
    n, d2, f, zeta0 = 64, 0.02, float(np.sqrt(3.0)), 1.0
    model = LLEModel.from_coefficients(n, d2=d2)
    rho = float(cw_intracavity_power(zeta0, f)[0])
    state = newton_solve(model, np.full(n, f / (1 + 1j * (zeta0 - rho))), zeta0=zeta0, f=f)
    gain = mi_gain(rho, zeta0, model.d_mu)
    assert gain.max() > 0.5
    assert not state.stable
    assert state.max_growth == pytest.approx(gain.max(), rel=1e-8)
