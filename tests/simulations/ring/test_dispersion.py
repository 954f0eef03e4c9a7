from __future__ import annotations

import numpy as np
import pytest

from qkdchip.simulations.ring.dispersion import fit_dispersion, integrated_dispersion


def test_fit_recovers_a_known_cubic_expansion() -> None:
    mu = np.arange(-256, 257, 64)
    f0, d1, d2, d3 = 193.4e12, 30.03e9, -850e3, 120.0
    f = f0 + d1 * mu + d2 * mu**2 / 2 + d3 * mu**3 / 6
    fit = fit_dispersion(mu, f)
    assert fit.d1_hz == pytest.approx(d1, rel=1e-9)
    assert fit.d2_hz == pytest.approx(d2, rel=1e-4)
    assert fit.d3_hz == pytest.approx(d3, rel=1e-2)
    assert fit.residual_rms_hz < 1e-2 * abs(d2)


def test_integrated_dispersion_is_exact_for_a_parabola() -> None:
    mu = np.array([-40, -20, 0, 20, 40])
    d1, d2 = 1e11, 2e6
    f = 2e14 + d1 * mu + d2 * mu**2 / 2
    dense = np.arange(-40, 41)
    d_int = integrated_dispersion(mu, f, d1_hz=d1, mu_dense=dense)
    np.testing.assert_allclose(d_int, d2 * dense**2 / 2, rtol=1e-6, atol=1e-3)


@pytest.mark.parametrize(
    ("mu", "f", "message"),
    [([0, 1], [1.0, 2.0], "3 distinct"), ([0, 1, 2], [1.0, np.nan, 2.0], "finite")],
)
def test_bad_input_is_rejected(mu: list, f: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_dispersion(np.array(mu), np.array(f))


def test_spline_refuses_to_extrapolate() -> None:
    with pytest.raises(ValueError, match="outside"):
        integrated_dispersion(
            np.array([-1, 0, 1]), np.array([0.0, 1.0, 2.0]), d1_hz=1.0, mu_dense=np.arange(-2, 3)
        )
