"""Named finite-key SNS-AOPP bounds: naming, security budget, structure and monotonicity."""

from __future__ import annotations

import json
import math
from itertools import pairwise

import numpy as np
import pytest

from qkdchip.simulations.qkd import (
    BOUNDS,
    SecurityParameters,
    SnsParameters,
    SnsSystem,
    key_rate,
    optimise_key_rate,
    single_photon_yield_lower,
)
from qkdchip.simulations.qkd.optimise import (
    _MU_MIN,
    MIN_DECOY_RATIO,
    _channel_arrays,
    _Space,
)
from qkdchip.simulations.qkd.protocols import evaluate

TYPICAL = dict(detector_efficiency=0.3, dark_count_per_pulse=1e-10, misalignment=0.03)
PARAMS = SnsParameters(p_z=0.9, eps=0.28, mu_z=0.5, mu_1=0.05, mu_2=0.4, p_0=0.3, p_1=0.6)


def _rate(bound: str, **system: float) -> float:
    settings = {**TYPICAL, "distance_km": 300.0, "n_pulses": 1e12, **system}
    link = SnsSystem.symmetric(**settings)  # type: ignore[arg-type]
    return key_rate(link, PARAMS, bound=bound).key_rate_per_pulse


@pytest.mark.parametrize("bound", BOUNDS)
@pytest.mark.parametrize(
    ("protocol", "n_pulses"), [("sns-aopp", 1e12), ("sns", 1e12), ("sns-aopp", None)]
)
def test_every_result_names_its_bound_and_reference(
    bound: str, protocol: str, n_pulses: float | None
) -> None:
    link = SnsSystem.symmetric(distance_km=300.0, n_pulses=n_pulses, **TYPICAL)
    result = key_rate(link, PARAMS, protocol=protocol, bound=bound, phase_slices=16)
    out = json.loads(json.dumps(result.to_dict()))
    assert out["bound"] == bound
    assert "16 discrete phases" in out["bound_reference"]
    expected = {
        ("sns-aopp", True, "worst-split"): "New J. Phys. 22, 053048 (2020)",
        ("sns-aopp", True, "qkdchip-estimate"): "qkdchip estimate",
        ("sns", True): "Phys. Rev. Applied 12, 024061 (2019)",
        ("sns-aopp", False): "PRA 101, 042330 (2020)",
    }
    finite = n_pulses is not None
    key = (protocol, finite, bound) if protocol == "sns-aopp" and finite else (protocol, finite)
    assert expected[key] in out["bound_reference"]
    assert (out["eps_sec"] is None) == (n_pulses is None)


def test_default_is_the_named_estimate_unchanged() -> None:
    link = SnsSystem.symmetric(distance_km=350.0, n_pulses=1e12, **TYPICAL)
    default = optimise_key_rate(link)
    named = optimise_key_rate(link, bound="qkdchip-estimate")
    assert default.key_rate_per_pulse == named.key_rate_per_pulse
    assert default.bound == "qkdchip-estimate"


def test_security_budget_composes_every_estimate() -> None:
    # eps_sec = 2 eps_hat + eps_PA + (number of estimates) xi: AOPP has 7 decoy estimates
    # (vacuum low/high, X1 errors, each party's mu_1 and strong counts) and 5 untagged ones.
    security = SecurityParameters(eps_cor=1e-10, eps_pa=2e-10, eps_hat=3e-10, xi=1e-11)
    link = SnsSystem.symmetric(distance_km=300.0, n_pulses=1e12, **TYPICAL)
    result = key_rate(link, PARAMS, bound="worst-split", security=security)
    assert result.eps_cor == 1e-10
    assert result.eps_sec == pytest.approx(2 * 3e-10 + 2e-10 + 12 * 1e-11, rel=1e-12)
    plain = key_rate(link, PARAMS, protocol="sns", security=security)
    assert plain.eps_sec == pytest.approx(2 * 3e-10 + 2e-10 + 7 * 1e-11, rel=1e-12)


def test_survivor_phase_error_is_the_worst_split() -> None:
    # Equal untagged groups: the worst split of the untagged phase flips puts them all in
    # one group, so the survivors flip at ~2 e_1 (Chernoff margin on ~1e7 pairs: < 1 %),
    # against 2 e_1 (1 - e_1) for the estimate's independent flips.
    link = SnsSystem.symmetric(distance_km=300.0, n_pulses=1e13, **TYPICAL)
    jiang = key_rate(link, PARAMS, bound="worst-split")
    estimate = key_rate(link, PARAMS, bound="qkdchip-estimate")
    e1 = jiang.phase_error_upper
    assert jiang.phase_error_aopp == pytest.approx(2.0 * e1, rel=0.01)
    assert estimate.phase_error_aopp == pytest.approx(2.0 * e1 * (1.0 - e1), rel=0.01)
    assert 0.0 < jiang.key_rate_per_pulse < estimate.key_rate_per_pulse


def test_worst_split_rises_with_pulses_towards_the_asymptote() -> None:
    # Same source parameters throughout; asymptotically p_z is used as given.
    rates = [_rate("worst-split", n_pulses=n) for n in (1e10, 1e11, 1e12, 1e13)]
    assert all(b > a for a, b in pairwise(rates)), rates
    link = SnsSystem.symmetric(distance_km=300.0, **TYPICAL)
    limit = key_rate(link, PARAMS).key_rate_per_pulse
    assert rates[-1] < limit


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("distance_km", (200.0, 300.0, 400.0)),
        ("dark_count_per_pulse", (1e-10, 1e-8, 1e-7)),
        ("misalignment", (0.01, 0.05, 0.1)),
    ],
)
def test_worst_split_falls_with_loss_and_noise(name: str, values: tuple[float, ...]) -> None:
    rates = [_rate("worst-split", **{name: v}) for v in values]
    assert all(b < a for a, b in pairwise(rates)), rates


def test_unknown_bound_is_rejected_by_name() -> None:
    link = SnsSystem.symmetric(distance_km=300.0, n_pulses=1e12, **TYPICAL)
    with pytest.raises(ValueError, match="bound='zigzag'"):
        optimise_key_rate(link, bound="zigzag")


@pytest.mark.parametrize("n_intensities", [3, 4])
def test_every_asymmetric_coordinate_decodes_to_valid_decoys(n_intensities: int) -> None:
    """The larger weak decoy is the free coordinate and the smaller follows from the X1
    condition, so no coordinate gives a candidate outside the search box (the search used to
    derive Bob's from Alice's and discard the candidates where it left the box)."""
    space = _Space(n_intensities=n_intensities, finite=True, asymmetric=True)
    theta = np.random.default_rng(2).normal(scale=3.0, size=(2000, space.dim))
    p = space.decode(theta)
    alice = p.eps * (1 - p.eps_b) * p.mu_z * np.exp(-p.mu_z)
    bob = p.eps_b * (1 - p.eps) * p.mu_z_b * np.exp(-p.mu_z_b)
    np.testing.assert_allclose(p.mu_1_b / p.mu_1, bob / alice, rtol=1e-12)
    strong_a = p.mu_z if p.mu_2 is None else p.mu_2
    strong_b = p.mu_z_b if p.mu_2_b is None else p.mu_2_b
    assert np.all(np.maximum(p.mu_1, p.mu_1_b) >= _MU_MIN)
    assert np.all(strong_a >= MIN_DECOY_RATIO * p.mu_1 * (1 - 1e-12))
    assert np.all(strong_b >= MIN_DECOY_RATIO * p.mu_1_b * (1 - 1e-12))
    assert np.min(p.mu_1) < _MU_MIN  # the near party's decoy may go below the floor
    for row in theta[:50]:
        space.to_parameters(row)  # valid SnsParameters: Bob's decoy below his strong one


def test_an_asymmetric_start_below_the_decoy_floor_is_kept() -> None:
    space = _Space(n_intensities=4, finite=True, asymmetric=True)
    start = SnsParameters(
        p_z=0.7, eps=0.01, mu_z=0.2, mu_1=3e-4, mu_2=0.1, p_0=0.3, p_1=0.5, eps_b=0.3, mu_z_b=0.6
    )
    back = space.to_parameters(space.encode(start))
    assert back.mu_1 == pytest.approx(3e-4, rel=1e-9)
    assert back.mu_1_b == pytest.approx(start.mu_1_b, rel=1e-9)


def test_decoded_decoys_keep_a_minimum_ratio_where_the_logistic_saturates() -> None:
    # Coordinates of +-60 saturate tanh to exactly +-1, which used to give mu_1 == mu_2 and
    # a hidden division by zero in the decoy bound.
    for n_intensities in (3, 4):
        space = _Space(n_intensities=n_intensities, finite=True)
        rng = np.random.default_rng(1)
        theta = rng.choice([-60.0, 60.0], size=(256, space.dim))
        params = space.decode(theta)
        strong = params.mu_z if params.mu_2 is None else params.mu_2
        assert np.all(strong >= MIN_DECOY_RATIO * params.mu_1 * (1 - 1e-12))
        channel = _channel_arrays([SnsSystem.symmetric(distance_km=300.0, **TYPICAL)])
        with np.errstate(divide="raise", invalid="raise", over="raise"):
            rate = evaluate(
                channel,
                params,
                protocol="sns-aopp",
                n_pulses=1e12,
                security=SecurityParameters(),
                bound="worst-split",
            ).key_rate
        assert np.all(np.isfinite(rate))


def test_decoy_bound_refuses_equal_intensities() -> None:
    with pytest.raises(ValueError, match="mu_1=0.1"):
        single_photon_yield_lower(mu_1=0.1, mu_2=0.1, s_mu1=1e-4, s_mu2=1e-4, s_00=1e-10)
    assert math.isfinite(
        float(single_photon_yield_lower(mu_1=0.1, mu_2=0.2, s_mu1=1e-4, s_mu2=2e-4, s_00=0.0))
    )
