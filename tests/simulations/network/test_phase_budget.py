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


def test_zero_phase_noise_gives_the_visibility_floor() -> None:
    budget = phase_error_budget(
        visibility_factors={"polarisation": 0.99, "temporal_mode": 0.98},
        contributions_rad2={"reference_tracking": 0.0},
    )
    assert budget.total_variance_rad2 == 0.0
    assert budget.floor == pytest.approx(0.5 * (1 - 0.99 * 0.98))
    assert budget.misalignment == pytest.approx(budget.floor)


def test_gaussian_average_of_sin_squared() -> None:
    # <sin²(x/2)> for x ~ N(0, s²) = (1 - exp(-s²/2))/2; small s: s²/4.
    assert misalignment_from_variance(variance_rad2=1e-4, floor=0.0) == pytest.approx(
        2.5e-5, rel=1e-4
    )
    # Fully random phase (huge variance) tends to 1/2 whatever the floor.
    assert misalignment_from_variance(variance_rad2=1e3, floor=0.1) == pytest.approx(0.5)


def test_misalignment_grows_with_each_variance_and_adds_them() -> None:
    values = [
        phase_error_budget(
            visibility_factors={"v": 0.97}, contributions_rad2={"a": var, "b": 0.01}
        ).misalignment
        for var in (0.0, 0.01, 0.1, 1.0, 10.0)
    ]
    assert all(b > a for a, b in itertools.pairwise(values))
    assert values[-1] <= 0.5
    budget = phase_error_budget(visibility_factors={}, contributions_rad2={"a": 0.02, "b": 0.03})
    assert budget.total_variance_rad2 == pytest.approx(0.05)
    assert budget.floor == 0.0


def test_differential_drift_over_a_centred_window() -> None:
    # 0.033 rad/ms over a 10 ms window: 0.33 rad, variance 0.33²/12.
    assert drift_tracking_variance(drift_rad_per_s=33.0, update_interval_s=1e-2) == (
        pytest.approx(0.33**2 / 12)
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


def test_bad_inputs_name_the_value() -> None:
    with pytest.raises(ValueError, match="floor"):
        misalignment_from_variance(variance_rad2=0.1, floor=0.7)
    with pytest.raises(ValueError, match="visibility factor polarisation"):
        phase_error_budget(visibility_factors={"polarisation": 1.5}, contributions_rad2={})
    with pytest.raises(ValueError, match="phase variance reference_tracking"):
        phase_error_budget(visibility_factors={}, contributions_rad2={"reference_tracking": -1})
