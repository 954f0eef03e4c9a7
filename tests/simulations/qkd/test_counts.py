"""Key length from observed counts: agrees with the simulation path, validates its input."""

from __future__ import annotations

import math

import pytest

from qkdchip.simulations.qkd import (
    SnsCounts,
    SnsParameters,
    SnsSystem,
    key_rate,
    sns_key_from_counts,
    window_yields,
)

N = 1e12
SYSTEM = SnsSystem.symmetric(
    distance_km=300.0, n_pulses=N, detector_efficiency=0.3, dark_count_per_pulse=1e-10
)


def _expected_counts(p: SnsParameters) -> SnsCounts:
    """The forward model's expected counts of a run with parameters ``p`` on SYSTEM."""
    eta_a, eta_b = SYSTEM.detected_transmittances()
    y = window_yields(
        eta_a=eta_a,
        eta_b=eta_b,
        p_dark=SYSTEM.dark_count_per_pulse,
        misalignment=SYSTEM.misalignment,
        phase_slice_rad=SYSTEM.phase_slice_rad,
        mu_z=p.mu_z,
        mu_1=p.mu_1,
        mu_2=p.mu_2,
    )
    px2, pz2 = (1.0 - p.p_z) ** 2, p.p_z**2
    z_windows = N * pz2
    if p.mu_2 is None:  # strong one-sided source: Z windows where exactly one party sent
        windows_20 = 2.0 * z_windows * p.eps * (1.0 - p.eps)
    else:
        windows_20 = 2.0 * N * px2 * p.p_0 * p.p_2
    s_z = (
        (1 - p.eps) ** 2 * float(y.s00)
        + p.eps**2 * float(y.szz)
        + p.eps * (1 - p.eps) * float(y.sz0 + y.s0z)
    )
    z_errors = (1 - p.eps) ** 2 * float(y.s00) + p.eps**2 * float(y.szz)
    windows_x1 = N * px2 * p.p_1**2 * SYSTEM.phase_slice_rad / math.pi
    return SnsCounts(
        mu_z=p.mu_z,
        mu_1=p.mu_1,
        mu_2=p.mu_z if p.mu_2 is None else p.mu_2,
        eps=p.eps,
        z_windows=z_windows,
        windows_00=N * px2 * p.p_0**2,
        windows_10=2.0 * N * px2 * p.p_0 * p.p_1,
        windows_20=windows_20,
        windows_x1=windows_x1,
        events_00=N * px2 * p.p_0**2 * float(y.s00),
        events_10=N * px2 * p.p_0 * p.p_1 * float(y.s10 + y.s01),
        events_20=windows_20 / 2.0 * float(y.s20 + y.s02),
        errors_x1=windows_x1 * float(y.x1_error),
        events_z=z_windows * s_z,
        errors_z=z_windows * z_errors,
    )


@pytest.mark.parametrize("mu_2", [0.3, None])
def test_expected_counts_reproduce_the_simulated_finite_key_rate(mu_2: float | None) -> None:
    # Same formulas on the same numbers: agreement to rounding (1e-9 relative).
    p_0, p_1 = (0.3, 0.5) if mu_2 is not None else (0.4, 0.6)
    params = SnsParameters(p_z=0.8, eps=0.04, mu_z=0.45, mu_1=0.05, mu_2=mu_2, p_0=p_0, p_1=p_1)
    simulated = key_rate(SYSTEM, params, protocol="sns")
    assert simulated.key_rate_per_pulse > 0.0
    result = sns_key_from_counts(_expected_counts(params), ec_efficiency=SYSTEM.ec_efficiency)
    assert result.key_length_bits / N == pytest.approx(simulated.key_rate_per_pulse, rel=1e-9)
    assert result.single_photon_yield_lower == pytest.approx(
        simulated.single_photon_yield_lower, rel=1e-9
    )
    assert result.phase_error_upper == pytest.approx(simulated.phase_error_upper, rel=1e-9)
    assert result.qber_z == pytest.approx(simulated.qber_z, rel=1e-9)


def test_more_phase_errors_or_bit_errors_shorten_the_key() -> None:
    params = SnsParameters(p_z=0.8, eps=0.04, mu_z=0.45, mu_1=0.05, mu_2=0.3, p_0=0.3, p_1=0.5)
    base = _expected_counts(params)
    length = sns_key_from_counts(base).key_length_bits
    noisier_x = SnsCounts(**{**base.to_dict(), "errors_x1": 1.5 * base.errors_x1})
    noisier_z = SnsCounts(**{**base.to_dict(), "errors_z": 1.5 * base.errors_z})
    assert sns_key_from_counts(noisier_x).key_length_bits < length
    assert sns_key_from_counts(noisier_z).key_length_bits < length


@pytest.mark.parametrize(
    ("change", "name"),
    [
        (dict(mu_1=0.5), "mu_1"),
        (dict(eps=1.0), "eps"),
        (dict(events_00=-1.0), "events_00"),
        (dict(windows_x1=0.0), "windows_x1"),
        (dict(errors_z=2e12), "errors_z"),
    ],
)
def test_bad_counts_are_rejected(change: dict[str, float], name: str) -> None:
    params = SnsParameters(p_z=0.8, eps=0.04, mu_z=0.45, mu_1=0.05, mu_2=0.3, p_0=0.3, p_1=0.5)
    good = _expected_counts(params).to_dict()
    with pytest.raises(ValueError, match=name):
        SnsCounts(**{**good, **change})
    with pytest.raises(ValueError, match="ec_efficiency"):
        sns_key_from_counts(SnsCounts(**good), ec_efficiency=0.5)
