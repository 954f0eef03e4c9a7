"""Dark-pulse stationary states: Newton refinement of an integrated dark pulse and arclength
continuation of its branch through the folds of collapsed snaking (Parra-Rivas et al.,
arXiv 2010.03375; Godey et al., arXiv 1308.2539)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qkdchip.simulations.comb import (
    LLEModel,
    PiecewiseLinear,
    classify_field,
    continue_in_detuning,
    integrate,
    newton_solve,
    stability_eigenvalues,
)

# d2 = -0.1 makes the switching fronts about sqrt(|d2|) ~ 0.3 rad wide, so 128 modes resolve
# the dark pulse (its spectrum falls to 1e-17 of the peak at the grid edge) while every dense
# eigenvalue solve stays 256 x 256. At 64 modes the edge lines are still 1e-8 of the peak and
# aliasing of the Kerr term breaks the continuous translation symmetry of the discrete system
# (the translation eigenvalue moves to -1e-4 and the drifting pulse no longer moves rigidly),
# so the Newton state and the long-time limit differ by 1e-5. A single-mode shift of 3
# linewidths at mu = 1 (Xue et al. 2015) triggers the dark pulse; it also breaks the mirror
# symmetry, so the pulse drifts and the solver carries the drift velocity.
N, D2, SHIFT, F2, ZETA = 128, -0.1, 3.0, 9.3, 3.5
F = float(np.sqrt(F2))


@pytest.fixture(scope="module")
def model() -> LLEModel:
    return LLEModel.from_coefficients(N, d2=D2, mode_shifts={1: SHIFT})


@pytest.fixture(scope="module")
def run(model: LLEModel):
    sweep = PiecewiseLinear(np.array([0.0, 100.0, 150.0]), np.array([-2.0, ZETA, ZETA]))
    return integrate(
        model,
        detuning=sweep,
        pump=F,
        duration=150.0,
        dt=0.005,
        noise_rms=1e-4,
        rng=np.random.default_rng(0),
    )


@pytest.fixture(scope="module")
def dark(model: LLEModel, run):
    return newton_solve(model, run.field[0], zeta0=ZETA, f=F)


@pytest.fixture(scope="module")
def branch(model: LLEModel, dark):
    # the first turn of the collapsed snake (stable -> unstable -> stable) and the next fold
    return continue_in_detuning(
        model,
        dark,
        zeta_min=1.0,
        zeta_max=10.0,
        direction=1.0,
        ds=0.05,
        ds_max=0.5,
        max_points=200,
        max_folds=3,
        stability="folds",
    )


def _lle_residual(model: LLEModel, psi: np.ndarray, *, zeta0: float, v: float) -> np.ndarray:
    """The normalised LLE right-hand side in a frame drifting at v, written out directly."""
    mu = np.fft.ifftshift(model.mu)
    d_mu = np.fft.ifftshift(model.d_mu)
    spec = np.fft.fft(psi)
    dispersion = np.fft.ifft(d_mu * spec)
    slope = np.fft.ifft(1j * mu * spec)
    return -(1 + 1j * zeta0) * psi - 1j * dispersion + 1j * np.abs(psi) ** 2 * psi + F + v * slope


def test_newton_refines_the_integrated_dark_pulse(model: LLEModel, run, dark) -> None:
    assert classify_field(run.field[0], normal_dispersion=True).state == "dark pulse"
    assert dark.residual < 1e-10
    assert np.max(np.abs(_lle_residual(model, dark.field, zeta0=ZETA, v=dark.velocity))) < 1e-10
    assert dark.stable
    assert classify_field(dark.field, normal_dispersion=True).state == "dark pulse"
    # exact steady-state power balance <|psi|^2> = Re(f psi_0) (section 2.7; the drift term
    # integrates to zero); only rounding remains at a Newton residual of 1e-10
    psi0 = np.fft.fft(dark.field, norm="forward")[0]
    assert np.mean(np.abs(dark.field) ** 2) == pytest.approx(F * psi0.real, abs=1e-9)


def test_newton_state_is_the_long_time_limit(model: LLEModel, run, dark) -> None:
    # continue the time-domain run at fixed detuning with the adaptive integrator: the slowest
    # decay rate is |max_growth| ~ 0.7, so after 60 time units the transient is e^-40 of its
    # start and only the integrator's error remains (rtol 1e-9 per step, ~1e-8 accumulated)
    settle = integrate(
        model,
        detuning=ZETA,
        pump=F,
        duration=60.0,
        psi0=run.field[0],
        method="rk4ip",
        dt=0.01,
        rtol=1e-9,
        noise_rms=0.0,
    )
    assert dark.max_growth < -0.1
    np.testing.assert_allclose(
        settle.spectrum[0], dark.spectrum, rtol=0, atol=1e-7 * dark.spectrum.max()
    )
    # the pulse drifts rigidly at the Newton velocity: psi(phi, tau) = Psi(phi - v tau), so the
    # mu = 1 line turns by -v dt
    dt = 1.0
    later = integrate(
        model,
        detuning=ZETA,
        pump=F,
        duration=dt,
        psi0=settle.field[0],
        method="rk4ip",
        dt=0.01,
        rtol=1e-9,
        noise_rms=0.0,
    )
    turn = np.angle(np.fft.fft(later.field[0])[1] / np.fft.fft(settle.field[0])[1])
    assert abs(dark.velocity) > 0.1
    assert turn == pytest.approx(-dark.velocity * dt, abs=1e-6)


def test_branch_turns_at_folds_with_monotone_arclength(branch) -> None:
    assert len(branch.folds) == 3
    k1, k2, k3 = branch.fold_indices
    assert 1 < k1 < k2 - 1 < k3 - 2
    steps = np.diff(branch.zeta0)
    # leaving out the step that crosses each fold, zeta0 rises, falls, then rises again
    assert np.all(steps[: k1 - 1] > 0)
    assert np.all(steps[k1 : k2 - 1] < 0)
    assert np.all(steps[k2 : k3 - 1] > 0)
    # each fold is the detuning extremum of its stretch of branch (to within one step)
    assert branch.folds[0] == pytest.approx(branch.zeta0[:k2].max(), abs=1e-2)
    assert branch.folds[1] == pytest.approx(branch.zeta0[k1:k3].min(), abs=1e-2)
    assert branch.folds[1] < branch.folds[0] < branch.folds[2]
    # the pseudo-arclength grows at every step and is the projection of the chord on the
    # tangent, so it never exceeds the chord and stays close to it for steps short against the
    # branch's curvature radius
    y = np.column_stack([branch.fields.real, branch.fields.imag, branch.velocity, branch.zeta0])
    chords = np.linalg.norm(np.diff(y, axis=0), axis=1)
    ds = np.diff(branch.arclength)
    assert np.all(ds > 0)
    assert np.all(ds <= chords * (1 + 1e-9))
    assert np.all(ds >= 0.8 * chords)


def test_stability_changes_sign_at_the_folds(model: LLEModel, branch) -> None:
    k1, k2, _ = branch.fold_indices
    g = branch.max_growth
    # saddle-node: one real eigenvalue crosses zero like sqrt(|zeta0 - fold|); the points that
    # bracket a fold lie about one step (~1e-2 in zeta0) from it, so the crossing eigenvalue is
    # ~1e-2 there, far above the ~1e-12 rounding of a 128 x 128 eigenvalue solve
    assert g[k1 - 1] < 0 < g[k1]
    assert g[k2 - 1] > 0 > g[k2]
    assert not branch.stable[k1]
    assert branch.stable[k2]
    # eigenvalues were computed only at the fold brackets and the end
    assert np.isnan(g[1 : k1 - 1]).all()
    assert np.isnan(g[k1 + 1 : k2 - 1]).all()
    assert np.isfinite(g[-1])
    # the unstable pair past the first fold sits next to the origin (it left through zero at
    # the fold, a saddle-node), not at a finite frequency as at a Hopf point
    eig = stability_eigenvalues(
        model,
        branch.fields[k1],
        zeta0=float(branch.zeta0[k1]),
        f=F,
        velocity=float(branch.velocity[k1]),
    )
    leading = eig[np.abs(eig) > 1e-8][0]
    assert leading.real == pytest.approx(g[k1], rel=1e-6)
    assert abs(leading) < 0.05


def test_every_branch_point_is_a_stationary_dark_pulse(model: LLEModel, branch) -> None:
    # the corrector stops at a max-norm residual of 1e-9; evaluating the residual again here
    # adds only rounding (|psi|^3 ~ 30 times 1e-16)
    for psi, zeta0, v in zip(branch.fields, branch.zeta0, branch.velocity, strict=True):
        assert np.max(np.abs(_lle_residual(model, psi, zeta0=zeta0, v=v))) < 2e-9
        power = np.abs(psi) ** 2
        assert power.max() - power.min() > 1.0
        assert classify_field(psi, normal_dispersion=True).state == "dark pulse"


def test_branch_summary_is_json(branch) -> None:
    summary = json.loads(json.dumps(branch.to_dict()))
    assert summary["fold_indices"] == list(branch.fold_indices)
    assert len(summary["velocity"]) == len(summary["arclength"]) == len(branch.zeta0)
    # points without eigenvalues are null, never NaN
    assert summary["max_growth"][1] is None
    assert summary["max_growth"][branch.fold_indices[0]] == pytest.approx(
        branch.max_growth[branch.fold_indices[0]]
    )


def test_unknown_stability_mode_is_rejected(model: LLEModel, dark) -> None:
    with pytest.raises(ValueError, match="stability"):
        continue_in_detuning(model, dark, zeta_min=1.0, zeta_max=10.0, stability="sometimes")
