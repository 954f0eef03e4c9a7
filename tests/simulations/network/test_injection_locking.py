from __future__ import annotations

import math

import pytest

from qkdchip.simulations.network.injection_locking import (
    SlaveLaser,
    coupling_rate_per_s,
    injected_power_dbm,
    injection_lock,
    locking_range_hz,
)


def test_coupling_rate_matches_formula() -> None:
    # (c / (2 n_g L)) (1 - R)/sqrt(R) with n_g = 3.7, L = 1 mm, R = 0.3, by hand: 5.178e10 rad/s.
    kappa = coupling_rate_per_s(group_index=3.7, cavity_length_m=1e-3, mirror_reflectivity=0.3)
    assert kappa == pytest.approx(299792458 / 7.4e-3 * 0.7 / math.sqrt(0.3), rel=1e-12)


def test_locking_range_limits_and_scaling() -> None:
    low, high = locking_range_hz(
        coupling_rate_per_s=2 * math.pi * 1e10, injection_ratio=1e-4, alpha_factor=0.0
    )
    # kappa sqrt(rho) / 2 pi = 1e10 * 1e-2 = 100 MHz, symmetric for alpha = 0.
    assert high == pytest.approx(1e8)
    assert low == pytest.approx(-1e8)
    # Range grows as sqrt(P_inj): 100x the power gives 10x the range.
    _, high_100 = locking_range_hz(
        coupling_rate_per_s=2 * math.pi * 1e10, injection_ratio=1e-2, alpha_factor=0.0
    )
    assert high_100 == pytest.approx(10 * high)


@pytest.mark.parametrize("alpha", [1.0, 3.0, 5.0])
def test_locking_range_asymmetry_with_alpha(alpha: float) -> None:
    low, high = locking_range_hz(coupling_rate_per_s=1e11, injection_ratio=1e-3, alpha_factor=alpha)
    assert -low / high == pytest.approx(math.sqrt(1 + alpha**2))
    _, high0 = locking_range_hz(coupling_rate_per_s=1e11, injection_ratio=1e-3, alpha_factor=0)
    assert high == pytest.approx(high0)  # the blue edge does not depend on alpha


def test_injected_power_subtracts_losses() -> None:
    p = injected_power_dbm(
        line_power_dbm=-10.0,
        fibre_length_km=60.0,
        fibre_loss_db_per_km=0.2,
        filter_loss_db=3.0,
        coupling_loss_db=2.0,
    )
    assert p == pytest.approx(-10 - 12 - 3 - 2)


def _lock(detuning_hz: float, tuning_hz: float = 0.0) -> object:
    slave = SlaveLaser(tuning_range_hz=tuning_hz, alpha_factor=4.0)
    return injection_lock(
        slave=slave,
        master_linewidth_hz=60.0,
        injected_power_dbm=-35.0,
        free_running_detuning_hz=detuning_hz,
    )


def test_lock_decision_at_the_range_edges() -> None:
    ref = _lock(0.0)
    assert ref.locked
    inside_red = _lock(0.99 * ref.range_low_hz)
    outside_red = _lock(1.01 * ref.range_low_hz)
    inside_blue = _lock(0.99 * ref.range_high_hz)
    outside_blue = _lock(1.01 * ref.range_high_hz)
    assert inside_red.locked
    assert inside_blue.locked
    assert not outside_red.locked
    assert not outside_blue.locked
    # The red side reaches sqrt(1 + 4²) ~ 4.1x further than the blue side.
    assert -ref.range_low_hz > 4 * ref.range_high_hz


def test_tuning_brings_a_far_laser_into_lock() -> None:
    far = 5e9
    assert not _lock(far).locked
    tuned = _lock(far, tuning_hz=6e9)
    assert tuned.locked
    assert tuned.range_low_hz <= far - tuned.tuning_applied_hz <= tuned.range_high_hz
    assert not _lock(far, tuning_hz=4e9).locked


def test_linewidth_transfer() -> None:
    locked = _lock(0.0)
    # The locked slave inherits the master's 60 Hz, not its 2 MHz free-running linewidth.
    assert locked.linewidth_hz == pytest.approx(60.0)
    # The unfollowed jitter is dnu_free / (2 f_L): small when f_L >> dnu_free.
    assert locked.residual_phase_variance_rad2 == pytest.approx(
        2e6 / (2 * locked.locking_bandwidth_hz)
    )
    assert locked.residual_phase_variance_rad2 < 0.05
    free = _lock(1e10)
    assert not free.locked
    assert free.linewidth_hz == pytest.approx(2e6)


def test_weaker_injection_leaves_more_residual_jitter() -> None:
    slave = SlaveLaser()
    strong = injection_lock(
        slave=slave,
        master_linewidth_hz=40.0,
        injected_power_dbm=-20.0,
        free_running_detuning_hz=0.0,
    )
    weak = injection_lock(
        slave=slave,
        master_linewidth_hz=40.0,
        injected_power_dbm=-40.0,
        free_running_detuning_hz=0.0,
    )
    assert weak.residual_phase_variance_rad2 == pytest.approx(
        10 * strong.residual_phase_variance_rad2
    )


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"mirror_reflectivity": 1.2}, "mirror_reflectivity"),
        ({"cavity_length_m": -1e-3}, "cavity_length_m"),
        ({"alpha_factor": -1.0}, "alpha_factor"),
        ({"free_running_linewidth_hz": 0.0}, "free_running_linewidth_hz"),
    ],
)
def test_bad_slave_parameters_name_the_field(kwargs: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        SlaveLaser(**kwargs)


def test_bad_injection_ratio() -> None:
    with pytest.raises(ValueError, match="injection_ratio"):
        locking_range_hz(coupling_rate_per_s=1e10, injection_ratio=0.0, alpha_factor=3.0)
