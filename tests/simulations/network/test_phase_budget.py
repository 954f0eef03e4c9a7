from __future__ import annotations

import itertools
import math

import pytest

from qkdchip.simulations.network.phase_budget import (
    drift_tracking_variance,
    estimation_variance,
    extinction_variance,
    laser_phase_variance,
    misalignment_from_variance,
    phase_error_budget,
)

QUIET = {
    "visibility": 0.97,
    "linewidth_hz": 0.0,
    "path_mismatch_s": 0.0,
    "lock_residual_rad2": 0.0,
    "reference_drift_rad_per_s": 0.0,
    "sampling_rate_hz": 1e4,
    "reference_counts_per_window": math.inf,
    "differential_drift_rad_per_s": 0.0,
    "differential_window_s": 0.01,
    "extinction_ratio_db": (1e9, 1e9),
}


def test_zero_noise_gives_the_floor() -> None:
    budget = phase_error_budget(**QUIET)
    assert budget.total_variance_rad2 == pytest.approx(0.0, abs=1e-12)
    assert budget.misalignment == pytest.approx(0.015)


def test_gaussian_average_of_sin_squared() -> None:
    # <sin²(x/2)> for x ~ N(0, s²) = (1 - exp(-s²/2))/2; small s: s²/4.
    assert misalignment_from_variance(variance_rad2=1e-4, floor=0.0) == pytest.approx(
        2.5e-5, rel=1e-4
    )
    # Fully random phase (huge variance) tends to 1/2 whatever the floor.
    assert misalignment_from_variance(variance_rad2=1e3, floor=0.1) == pytest.approx(0.5)


def test_misalignment_monotone_in_drift() -> None:
    values = []
    for drift in [0.0, 100.0, 1e3, 2.871e3, 1e4, 1e5]:
        params = {**QUIET, "reference_drift_rad_per_s": drift}
        values.append(phase_error_budget(**params).misalignment)
    assert all(b > a for a, b in itertools.pairwise(values))
    assert values[-1] <= 0.5


def test_reference_drift_over_a_sampling_window() -> None:
    # 2.871 rad/ms sampled at 10 kHz: 0.2871 rad per window, variance 0.2871²/12.
    assert drift_tracking_variance(drift_rad_per_s=2871.0, update_interval_s=1e-4) == (
        pytest.approx(0.2871**2 / 12)
    )


def test_other_contributions() -> None:
    assert laser_phase_variance(linewidth_hz=60.0, delay_s=-1e-6) == pytest.approx(
        2 * math.pi * 60e-6
    )
    assert estimation_variance(counts_per_window=200.0, visibility=1.0) == pytest.approx(0.01)
    assert estimation_variance(counts_per_window=0.0, visibility=0.9) == pytest.approx(
        math.pi**2 / 3
    )
    assert extinction_variance(extinction_ratio_db=20.0) == pytest.approx(0.005)
    more_leak = {**QUIET, "extinction_ratio_db": (15.0, 15.0)}
    assert phase_error_budget(**more_leak).misalignment > phase_error_budget(**QUIET).misalignment


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="floor"):
        misalignment_from_variance(variance_rad2=0.1, floor=0.7)
    with pytest.raises(ValueError, match="sampling_rate_hz"):
        phase_error_budget(**{**QUIET, "sampling_rate_hz": 0.0})
    with pytest.raises(ValueError, match="visibility"):
        phase_error_budget(**{**QUIET, "visibility": 1.5})
