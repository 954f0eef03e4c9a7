"""Forward model against independent photon-number sums, and decoy bounds against the truth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import poisson

from qkdchip.simulations.qkd import (
    one_sided_yield,
    phase_error_upper,
    single_photon_yield_lower,
    window_yields,
)


def _one_click(i0: np.ndarray, i1: np.ndarray, pd: float) -> np.ndarray:
    q0 = (1 - pd) * np.exp(-i0)
    q1 = (1 - pd) * np.exp(-i1)
    return (1 - q0) * q1 + q0 * (1 - q1)


def _yields(**overrides: float):  # type: ignore[no-untyped-def]
    kw = dict(
        eta_a=3e-4,
        eta_b=3e-4,
        p_dark=1e-9,
        misalignment=0.03,
        phase_slice_rad=math.pi / 8,
        mu_z=0.4,
        mu_1=0.01,
        mu_2=0.2,
    )
    kw.update(overrides)
    return window_yields(**kw)


@pytest.mark.parametrize(("mu", "eta", "pd"), [(0.4, 0.3, 1e-6), (0.05, 1e-5, 1e-9), (2.0, 0.9, 0)])
def test_one_sided_yield_equals_photon_number_sum(mu: float, eta: float, pd: float) -> None:
    # n photons: D1 gets none with (1-eta/2)^n, both none with (1-eta)^n.
    n = np.arange(0, 80)
    s_n = 2 * (1 - pd) * ((1 - eta / 2) ** n - (1 - eta) ** n) + 2 * pd * (1 - pd) * (1 - eta) ** n
    expected = float(np.sum(poisson.pmf(n, mu) * s_n))
    assert float(one_sided_yield(mu, eta, pd)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("eta_a", "eta_b"), [(1e-3, 1e-3), (1e-2, 1e-4), (0.5, 0.2)])
def test_both_send_yield_equals_phase_average(eta_a: float, eta_b: float) -> None:
    mu, pd = 0.5, 1e-7
    y = _yields(eta_a=eta_a, eta_b=eta_b, p_dark=pd, mu_z=mu)
    d = np.linspace(0, 2 * np.pi, 4096, endpoint=False)  # periodic: rectangle rule is exact
    mean = mu * (eta_a + eta_b) / 2
    amp = mu * math.sqrt(eta_a * eta_b) * np.cos(d)
    avg = np.mean(_one_click(mean + amp, mean - amp, pd))
    assert float(y.szz) == pytest.approx(avg, rel=1e-9)


def test_x1_error_reduces_to_misalignment_plus_phase_slice() -> None:
    # Weak light, no noise: E_X = e_d + (1 - 2 e_d) (1/2 - sin(D/2)/D) for a uniform mismatch of
    # full width D. With e_d = 0 and D = 4 pi / M this is the phase-slice error
    # E_M = 1/2 - sin(2pi/M)/(4pi/M) of Lucamarini et al., Nature 557, 400 (2018), recalled, not
    # checked against the source; M = 16 gives 0.01275.
    y = _yields(p_dark=0.0, misalignment=0.0, phase_slice_rad=4 * math.pi / 16, mu_1=1e-4)
    assert float(y.x1_error / y.x1_gain) == pytest.approx(0.01275, abs=5e-6)
    e_d, width = 0.1, math.pi / 8
    y = _yields(p_dark=0.0, misalignment=e_d, phase_slice_rad=width, mu_1=1e-4)
    expected = e_d + (1 - 2 * e_d) * (0.5 - math.sin(width / 2) / width)
    assert float(y.x1_error / y.x1_gain) == pytest.approx(expected, rel=1e-4)


def test_z_error_does_not_depend_on_misalignment() -> None:
    a = _yields(misalignment=0.0)
    b = _yields(misalignment=0.45)
    for field in ("s00", "s10", "sz0", "szz"):
        assert float(getattr(a, field)) == float(getattr(b, field))
    assert float(b.x1_error) > float(a.x1_error)


@pytest.mark.parametrize(("eta", "pd"), [(3e-2, 1e-10), (3e-4, 1e-10), (3e-6, 1e-10), (1e-3, 1e-7)])
def test_decoy_bound_recovers_true_single_photon_yield(eta: float, pd: float) -> None:
    y = _yields(eta_a=eta, eta_b=eta, p_dark=pd, mu_1=0.01, mu_2=0.05)
    s1 = single_photon_yield_lower(
        mu_1=0.01, mu_2=0.05, s_mu1=(y.s10 + y.s01) / 2, s_mu2=(y.s20 + y.s02) / 2, s_00=y.s00
    )
    true = float(y.s1_a)
    # A lower bound: never above the truth; with mu_2 = 0.05 the dropped multi-photon terms
    # cost ~ (mu_1 + mu_2)/3 * eta/2 relative ~ 1 %, so 2 % is the tolerance.
    assert float(s1) <= true * (1 + 1e-9)
    assert float(s1) == pytest.approx(true, rel=0.02)


def test_phase_error_bound_covers_single_photon_error() -> None:
    e_d, width, eta = 0.05, math.pi / 8, 1e-3
    y = _yields(
        eta_a=eta,
        eta_b=eta,
        p_dark=1e-9,
        misalignment=e_d,
        phase_slice_rad=width,
        mu_1=0.01,
        mu_2=0.05,
    )
    s1 = single_photon_yield_lower(
        mu_1=0.01, mu_2=0.05, s_mu1=(y.s10 + y.s01) / 2, s_mu2=(y.s20 + y.s02) / 2, s_00=y.s00
    )
    e1 = float(phase_error_upper(mu_1=0.01, t_x1=y.x1_error, s_00=y.s00, s1_lower=s1))
    # One photon from either party: error = e_d + (1-2e_d)(1/2 - sin(D/2)/D).
    true = e_d + (1 - 2 * e_d) * (0.5 - math.sin(width / 2) / width)
    assert e1 >= true
    assert e1 == pytest.approx(true, rel=0.05)
    assert float(phase_error_upper(mu_1=0.01, t_x1=1e-3, s_00=0.0, s1_lower=-1.0)) == 0.5


def test_unequal_intensities_balance_x1_interference_and_bound_holds() -> None:
    # Arm B 20 dB lossier; Bob sends 100x the X1 intensity: equal light at Charlie, so the
    # X1 error is back to the misalignment-plus-slice value, and the weighted-yield phase
    # error bound covers it.
    e_d, width = 0.05, math.pi / 8
    eta_a, eta_b = 1e-2, 1e-4
    mu_1, mu_1_b = 1e-3, 0.1
    y = window_yields(
        eta_a=eta_a,
        eta_b=eta_b,
        p_dark=1e-10,
        misalignment=e_d,
        phase_slice_rad=width,
        mu_z=0.4,
        mu_1=mu_1,
        mu_2=0.01,
        mu_z_b=0.4,
        mu_1_b=mu_1_b,
        mu_2_b=0.3,
    )
    true = e_d + (1 - 2 * e_d) * (0.5 - math.sin(width / 2) / width)
    assert float(y.x1_error / y.x1_gain) == pytest.approx(true, rel=0.02)
    s1_a = single_photon_yield_lower(mu_1=mu_1, mu_2=0.01, s_mu1=y.s10, s_mu2=y.s20, s_00=y.s00)
    s1_b = single_photon_yield_lower(mu_1=mu_1_b, mu_2=0.3, s_mu1=y.s01, s_mu2=y.s02, s_00=y.s00)
    s1_x = (mu_1 * s1_a + mu_1_b * s1_b) / (mu_1 + mu_1_b)
    e1 = float(
        phase_error_upper(mu_1=mu_1, mu_1_b=mu_1_b, t_x1=y.x1_error, s_00=y.s00, s1_lower=s1_x)
    )
    assert true <= e1 < true * 1.25
