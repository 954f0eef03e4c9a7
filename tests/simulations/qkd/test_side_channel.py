"""Light returned to the server through the injection port: the Trojan-horse-style bound.

The phase-error formula is checked against the published threshold of Lucamarini et al.,
PRX 5, 031030 (2015) (full text read: arXiv:1506.01989v2, Sec. II.B), the SNS coin imbalance
against its derivation, and the isolation the reference link needs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from qkdchip.constants import C_M_PER_S, PLANCK_J_S
from qkdchip.simulations.qkd import (
    SnsSystem,
    binary_entropy,
    coin_imbalance,
    injection_leak,
    injection_side_channel,
    leaked_photons_per_pulse,
    required_injection_isolation_db,
    trojan_phase_error,
)

REFERENCE = SnsSystem.symmetric(
    distance_km=370.0,
    loss_db_per_km=0.16,
    detector_efficiency=0.42,
    dark_count_per_pulse=5e-9,
    misalignment=0.02,
    n_pulses=1e12,
)
AOPP = dict(protocol="sns-aopp", bound="worst-split")


def test_lucamarini_largest_leak_with_key_is_0_015() -> None:
    """Lucamarini et al. 2015, Sec. II.B and Fig. 3: single-photon efficient BB84, 12.5 %
    detection efficiency, 1 % optical error, 1e-5 dark counts per gate, error correction 20 %
    above Shannon; "The largest value of mu_out showing a positive key rate is 0.015".
    Their Eq. (25) gives the coin imbalance of their BB84 states; Eqs. (26)-(27) are ours."""
    eta, dark, optical, f_ec = 0.125, 1e-5, 0.01, 1.2
    yield_1 = eta + dark
    error = (optical * eta + dark / 2) / yield_1

    def rate(mu_out: float) -> float:
        imbalance = 0.5 * (1 - math.exp(-mu_out) * math.cos(mu_out))  # their Eq. (25)
        phase = float(
            trojan_phase_error(
                phase_error=error, coin_imbalance=imbalance, single_photon_yield=yield_1
            )
        )
        return yield_1 * (1 - binary_entropy(phase) - f_ec * binary_entropy(error))

    assert round(brentq(rate, 1e-4, 0.1), 3) == 0.015


def test_phase_error_grows_with_the_imbalance_and_stays_bounded() -> None:
    assert (
        trojan_phase_error(phase_error=0.03, coin_imbalance=0.0, single_photon_yield=1e-3) == 0.03
    )
    grown = [
        float(trojan_phase_error(phase_error=0.03, coin_imbalance=d, single_photon_yield=1e-3))
        for d in (1e-9, 1e-7, 1e-5, 1e-3)
    ]
    assert 0.03 < grown[0] < grown[1] < grown[2] < grown[3] == 0.5
    assert trojan_phase_error(phase_error=0.03, coin_imbalance=1e-9, single_photon_yield=0.0) == 0.5


def test_coin_imbalance_bounds_every_pair_of_leaked_coherent_states() -> None:
    """Derivation in side_channel: two parties' leak modes, each a coherent state of mean photon
    number <= mu in both the key and the test state, overlap at least e^{-4 mu} cos(2 mu)."""
    rng = np.random.default_rng(11)
    for mu in (1e-6, 1e-3, 0.1):
        imbalance = coin_imbalance(leaked_photons=mu)
        assert imbalance == pytest.approx(0.5 * (1 - math.exp(-4 * mu) * math.cos(2 * mu)))
        amps = np.sqrt(mu * rng.uniform(size=(4000, 4))) * np.exp(
            2j * np.pi * rng.uniform(size=(4000, 4))
        )
        a1, a2, b1, b2 = amps.T

        def overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.exp(-(abs(a) ** 2) / 2 - abs(b) ** 2 / 2 + np.conj(a) * b)

        real = (overlap(a1, b1) * overlap(a2, b2)).real
        assert np.all(0.5 * (1 - real) <= imbalance * (1 + 1e-12))
    assert coin_imbalance(leaked_photons=1e-15) == pytest.approx(2e-15, rel=1e-9)


def test_leaked_photons_from_power_reflection_and_isolation() -> None:
    photons = 1e-3 * 10**0.5 / (PLANCK_J_S * C_M_PER_S / 1550e-9) / 1e9
    assert leaked_photons_per_pulse(
        power_at_modulators_dbm=5.0, reflection_db=0.0, isolation_db=0.0, repetition_rate_hz=1e9
    ) == pytest.approx(photons, rel=1e-12)
    leak = injection_leak(isolation_db=100.0)
    assert leak.leaked_photons == pytest.approx(photons * 1e-13, rel=1e-12)
    assert leak.coin_imbalance == coin_imbalance(leaked_photons=leak.leaked_photons)
    assert len(leak.assumptions) == 4
    with pytest.raises(ValueError, match="isolation_db"):
        injection_leak(isolation_db=10.0)
    with pytest.raises(ValueError, match="reflection_db"):
        injection_leak(isolation_db=100.0, reflection_db=-3.0)


def test_less_isolation_less_key_and_the_isolation_for_one_percent() -> None:
    rates = [
        injection_side_channel(REFERENCE, leak=injection_leak(isolation_db=iso), **AOPP)
        for iso in (150.0, 130.0)
    ]
    assert rates[0].ideal_key_rate > rates[0].key_rate > rates[1].key_rate > 0.0
    assert rates[1].phase_error > rates[0].phase_error > rates[0].ideal_phase_error
    assert rates[1].leaked_fraction == pytest.approx(rates[0].leaked_fraction * 100, rel=1e-2)
    need = required_injection_isolation_db(REFERENCE, **AOPP)
    assert need.relative_loss <= 0.01
    assert 130.0 < need.required_db < 150.0
    assert need.leaked_photons == pytest.approx(
        injection_leak(isolation_db=need.required_db).leaked_photons
    )
