from __future__ import annotations

import math

import pytest

from qkdchip.simulations.network.qber import qber_decomposition
from qkdchip.simulations.qkd import SnsSystem, optimise_key_rate

VISIBILITY = {"polarisation": 0.995, "temporal_mode": 0.996}
PHASE = {"reference_tracking": 0.04, "laser_phase_noise": 0.01}


def _decompose(distance_km: float, noise: dict[str, float]):
    floor = 0.5 * (1 - math.prod(VISIBILITY.values()))
    var = math.fsum(PHASE.values())
    e_d = floor + (1 - 2 * floor) * 0.5 * -math.expm1(-var / 2)
    system = SnsSystem.symmetric(
        distance_km=distance_km,
        loss_a_db_per_km=0.16,
        loss_b_db_per_km=0.16,
        detector_efficiency=0.42,
        dark_count_per_pulse=-math.expm1(-sum(noise.values())),
        misalignment=e_d,
    )
    result = optimise_key_rate(system, protocol="sns-aopp", seed=1)
    parts = qber_decomposition(
        system=system,
        parameters=result.parameters.to_dict(),
        visibility_factors=VISIBILITY,
        phase_variances_rad2=PHASE,
        noise_per_gate=noise,
    )
    return result, parts


def test_parts_add_up_to_the_engine_error_rates() -> None:
    result, parts = _decompose(370.0, {"dark": 5e-9, "crosstalk": 1e-8})
    assert parts.qber_x == pytest.approx(result.qber_x, rel=1e-9)
    assert parts.qber_z == pytest.approx(result.qber_z, rel=1e-9)
    assert math.fsum(parts.x.values()) == pytest.approx(parts.qber_x, rel=1e-12)
    assert math.fsum(parts.z.values()) == pytest.approx(parts.qber_z, rel=1e-12)
    assert all(v >= 0 for v in (*parts.x.values(), *parts.z.values()))
    # the noise sources share in proportion to their counts
    assert parts.x["crosstalk"] == pytest.approx(2 * parts.x["dark"], rel=1e-12)
    # both-sending windows dominate the SNS Z error before AOPP
    assert parts.z["both_sending"] > 0.5 * parts.qber_z


def test_noise_share_grows_with_distance() -> None:
    noise = {"dark": 1e-8}
    _, short = _decompose(200.0, noise)
    _, long = _decompose(500.0, noise)
    assert long.x["dark"] > short.x["dark"]
    assert long.z["dark"] > short.z["dark"]
    # the misalignment mechanisms keep their ratio (first-order shares)
    ratio = PHASE["reference_tracking"] / PHASE["laser_phase_noise"]
    assert short.x["reference_tracking"] / short.x["laser_phase_noise"] == pytest.approx(ratio)
