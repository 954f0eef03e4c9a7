"""Key-rate engine: structure checks, bounds, published claims, validation."""

from __future__ import annotations

import json
import math
from itertools import pairwise

import numpy as np
import pytest

from qkdchip.simulations.qkd import (
    CHERNOFF,
    SnsParameters,
    SnsSystem,
    click_probability_from_rate,
    key_rate,
    max_distance_km,
    optimise_key_rate,
    optimise_many,
    sweep_distances,
)

TYPICAL = dict(detector_efficiency=0.3, dark_count_per_pulse=1e-10, misalignment=0.03)


def test_square_root_scaling_at_long_distance() -> None:
    # Without noise every term of the key rate is linear in the arm transmittance
    # sqrt(eta_total) up to O(mu eta) corrections (~1e-6 here), so the optimised rate has
    # log-log slope 0.5 against eta_total; 0.01 leaves room for optimiser noise (~1e-3
    # relative in the rate over a factor 100 in eta gives <3e-4 in the slope).
    base = SnsSystem.symmetric(distance_km=300, dark_count_per_pulse=0.0, misalignment=0.03)
    a, b = sweep_distances(base, [300.0, 400.0], protocol="sns")
    slope = math.log(b.key_rate_per_pulse / a.key_rate_per_pulse) / math.log(
        b.channel_transmittance / a.channel_transmittance
    )
    assert slope == pytest.approx(0.5, abs=0.01)


def test_finite_key_below_asymptotic_and_rising_with_pulses() -> None:
    rates = []
    for n in (1e10, 1e11, 1e12, 1e13, None):
        system = SnsSystem.symmetric(distance_km=300, n_pulses=n, **TYPICAL)
        rates.append(optimise_key_rate(system, protocol="sns-aopp").key_rate_per_pulse)
    assert all(r2 > r1 for r1, r2 in pairwise(rates)), rates
    assert rates[0] > 0.0


def test_finite_key_below_asymptotic_at_the_same_parameters() -> None:
    params = SnsParameters(p_z=0.9, eps=0.25, mu_z=0.45, mu_1=0.05, mu_2=0.3, p_0=0.3, p_1=0.5)
    asym = key_rate(SnsSystem.symmetric(distance_km=200, **TYPICAL), params)
    fin = key_rate(SnsSystem.symmetric(distance_km=200, n_pulses=1e12, **TYPICAL), params)
    assert 0.0 < fin.key_rate_per_pulse < asym.key_rate_per_pulse


@pytest.mark.parametrize("n_pulses", [None, 1e12])
def test_aopp_at_least_plain_sns(n_pulses: float | None) -> None:
    system = SnsSystem.symmetric(distance_km=100, n_pulses=n_pulses, **TYPICAL)
    distances = [0.0, 150.0, 300.0, 450.0]
    sns = sweep_distances(system, distances, protocol="sns")
    aopp = sweep_distances(system, distances, protocol="sns-aopp")
    for s, a in zip(sns, aopp, strict=True):
        assert a.key_rate_per_pulse >= s.key_rate_per_pulse
    assert aopp[-1].qber_z_aopp < sns[-1].qber_z


def test_rate_falls_monotonically_and_beats_plob_beyond_a_few_hundred_km() -> None:
    system = SnsSystem.symmetric(distance_km=100, n_pulses=1e12, **TYPICAL)
    distances = np.linspace(0.0, 600.0, 25)
    res = sweep_distances(system, distances, protocol="sns-aopp")
    rates = [r.key_rate_per_pulse for r in res]
    assert all(r2 <= r1 for r1, r2 in pairwise(rates))
    assert rates[0] > 0.0
    assert rates[-1] == 0.0
    by_km = {round(r.distance_km): r for r in res}
    assert by_km[100].ratio_to_plob < 1.0
    assert by_km[400].ratio_to_plob > 1.0
    assert by_km[400].ratio_to_plob_conditional > by_km[400].ratio_to_plob


def test_asymptotic_sns_beats_plob_at_300_km() -> None:
    res = optimise_key_rate(SnsSystem.symmetric(distance_km=300, **TYPICAL), protocol="sns")
    assert res.ratio_to_plob > 1.0
    # asymptotic optimum of plain SNS: eps ~ 0.04, mu_z ~ 0.45 (computed here, not from a paper)
    assert 0.02 < res.parameters.eps < 0.06
    assert 0.3 < res.parameters.mu_z < 0.6


def test_results_are_finite_and_within_the_information_bound() -> None:
    rng = np.random.default_rng(7)
    for _ in range(12):
        system = SnsSystem(
            fibre_a_km=float(rng.uniform(0, 400)),
            fibre_b_km=float(rng.uniform(0, 400)),
            detector_efficiency=float(rng.uniform(0.05, 1.0)),
            dark_count_per_pulse=float(10 ** rng.uniform(-11, -5)),
            misalignment=float(rng.uniform(0, 0.4)),
            n_pulses=[None, 1e11, 1e13][int(rng.integers(3))],
        )
        protocol = ["sns", "sns-aopp"][int(rng.integers(2))]
        res = optimise_key_rate(
            system,
            protocol=protocol,
            n_intensities=int(rng.integers(3, 5)),
            asymmetric_source=bool(rng.integers(2)),
        )
        values = [v for v in res.to_dict().values() if isinstance(v, float)]
        assert all(math.isfinite(v) or v == math.inf for v in values)
        assert 0.0 <= res.key_rate_per_pulse <= res.single_repeater_bound


def test_three_and_four_intensities_and_asymmetric_arms() -> None:
    system = SnsSystem(fibre_a_km=120.0, fibre_b_km=180.0, n_pulses=1e12, **TYPICAL)
    three = optimise_key_rate(system, protocol="sns-aopp", n_intensities=3)
    four = optimise_key_rate(system, protocol="sns-aopp", n_intensities=4)
    assert three.parameters.mu_2 is None
    assert four.parameters.mu_2 is not None
    assert three.key_rate_per_pulse > 0.0
    assert four.key_rate_per_pulse > 0.0
    assert three.parameters.mu_1 < three.parameters.mu_z
    assert (three.distance_a_km, three.distance_b_km) == (120.0, 180.0)
    # The weaker arm limits the rate: the symmetric link of the same length does better.
    symmetric = SnsSystem.symmetric(distance_km=300.0, n_pulses=1e12, **TYPICAL)
    sym = optimise_key_rate(symmetric, protocol="sns-aopp", n_intensities=4)
    assert sym.key_rate_per_pulse > four.key_rate_per_pulse


def test_max_distance_shrinks_with_misalignment() -> None:
    def reach(e_d: float) -> float:
        system = SnsSystem.symmetric(
            distance_km=100, misalignment=e_d, detector_efficiency=0.3, dark_count_per_pulse=1e-10
        )
        return max_distance_km(system, protocol="sns", tolerance_km=5.0)

    assert 300.0 < reach(0.3) < reach(0.05)


def test_result_dictionary_is_json_ready() -> None:
    res = optimise_key_rate(SnsSystem.symmetric(distance_km=200, n_pulses=1e12))
    d = json.loads(json.dumps(res.to_dict()))
    for key in (
        "distance_km",
        "key_rate_per_pulse",
        "key_rate_bps",
        "plob",
        "ratio_to_plob",
        "qber_z",
        "qber_x",
        "parameters",
    ):
        assert key in d
    assert d["key_rate_bps"] == pytest.approx(d["key_rate_per_pulse"] * 1e9)
    assert set(d["parameters"]) >= {"p_z", "eps", "mu_z", "mu_1", "mu_2", "p_0", "p_1", "p_2"}
    at_zero = optimise_key_rate(SnsSystem.symmetric(distance_km=0.0)).to_dict()
    assert at_zero["plob"] is None  # infinite for a lossless channel; strict JSON below
    json.dumps(at_zero, allow_nan=False)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(p_z=1.2), "p_z"),
        (dict(eps=-0.1), "eps"),
        (dict(mu_1=-0.05), "mu_1"),
        (dict(mu_z=-0.4), "mu_z"),
        (dict(mu_1=0.3, mu_2=0.2), "mu_1"),
        (dict(p_0=0.7, p_1=0.6), "p_0"),
    ],
)
def test_bad_source_parameters(kwargs: dict[str, float], name: str) -> None:
    base = dict(p_z=0.9, eps=0.2, mu_z=0.4, mu_1=0.05, mu_2=0.2, p_0=0.3, p_1=0.4)
    base.update(kwargs)
    with pytest.raises(ValueError, match=name):
        SnsParameters(**base)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(loss_a_db_per_km=-0.2), "loss_a_db_per_km"),
        (dict(fibre_b_km=-1.0), "fibre_b_km"),
        (dict(extra_loss_a_db=-3.0), "extra_loss_a_db"),
        (dict(detector_efficiency=1.5), "detector_efficiency"),
        (dict(detector_efficiency=0.0), "detector_efficiency"),
        (dict(dark_count_per_pulse=-1e-9), "dark_count_per_pulse"),
        (dict(misalignment=0.6), "misalignment"),
        (dict(ec_efficiency=0.9), "ec_efficiency"),
        (dict(n_pulses=10.0), "n_pulses"),
    ],
)
def test_bad_system(kwargs: dict[str, float], name: str) -> None:
    base: dict[str, float] = dict(fibre_a_km=50.0, fibre_b_km=50.0)
    base.update(kwargs)
    with pytest.raises(ValueError, match=name):
        SnsSystem(**base)  # type: ignore[arg-type]


def test_bad_protocol_choice() -> None:
    system = SnsSystem.symmetric(distance_km=100)
    with pytest.raises(ValueError, match="protocol"):
        optimise_key_rate(system, protocol="bb84")
    with pytest.raises(ValueError, match="n_intensities"):
        optimise_key_rate(system, n_intensities=5)


class _StricterChernoff:
    """A user-supplied inequality: Chernoff at a 1e6 times smaller failure probability."""

    def expected_lower(self, observed, failure):  # type: ignore[no-untyped-def]
        return CHERNOFF.expected_lower(observed, failure * 1e-6)

    def expected_upper(self, observed, failure):  # type: ignore[no-untyped-def]
        return CHERNOFF.expected_upper(observed, failure * 1e-6)

    def observed_lower(self, expected, failure):  # type: ignore[no-untyped-def]
        return CHERNOFF.observed_lower(expected, failure * 1e-6)

    def observed_upper(self, expected, failure):  # type: ignore[no-untyped-def]
        return CHERNOFF.observed_upper(expected, failure * 1e-6)


def test_concentration_inequality_is_pluggable() -> None:
    system = SnsSystem.symmetric(distance_km=300, n_pulses=1e11, **TYPICAL)
    params = optimise_key_rate(system).parameters
    default = key_rate(system, params)
    stricter = key_rate(system, params, concentration=_StricterChernoff())
    assert 0.0 < stricter.key_rate_per_pulse < default.key_rate_per_pulse


def test_noise_probability_from_rate_and_gate() -> None:
    assert click_probability_from_rate(rate_hz=100.0, gate_s=1e-9) == pytest.approx(1e-7)
    assert click_probability_from_rate(rate_hz=1e9, gate_s=1e-9) == pytest.approx(1 - math.exp(-1))
    with pytest.raises(ValueError, match="rate_hz"):
        click_probability_from_rate(rate_hz=-1.0, gate_s=1e-9)


def test_optimise_many_matches_single_optimisations() -> None:
    systems = [
        SnsSystem(fibre_a_km=100.0, fibre_b_km=100.0, n_pulses=1e12, **TYPICAL),
        SnsSystem(fibre_a_km=150.0, fibre_b_km=200.0, n_pulses=1e12, **TYPICAL),
    ]
    for asymmetric in (False, True):
        many = optimise_many(systems, protocol="sns", asymmetric_source=asymmetric)
        # Each system's search draws from its own generator: a link's optimum does not depend
        # on the links optimised beside it (the same parameters to the last bit; the rates
        # from one vectorised evaluation may round differently from a lone one).
        for system, res in zip(systems, many, strict=True):
            single = optimise_key_rate(system, protocol="sns", asymmetric_source=asymmetric)
            assert res.parameters == single.parameters
            numbers = {k: v for k, v in single.to_dict().items() if isinstance(v, float)}
            assert res.to_dict() == single.to_dict() | {
                k: pytest.approx(v, rel=1e-12) for k, v in numbers.items()
            }
    with pytest.raises(ValueError, match="n_pulses"):
        optimise_many([systems[0], SnsSystem(fibre_a_km=1.0, fibre_b_km=1.0)])


def test_asymmetric_source_rescues_unequal_arms() -> None:
    # 100 km + 200 km: a 20 dB imbalance ruins X1 interference with equal intensities
    # (visibility 2 sqrt(0.01)/1.01 -> E_X ~ 0.4); Bob's own settings restore it.
    system = SnsSystem(fibre_a_km=100.0, fibre_b_km=200.0, n_pulses=1e12, **TYPICAL)
    sym = optimise_key_rate(system, protocol="sns-aopp")
    asym = optimise_key_rate(system, protocol="sns-aopp", asymmetric_source=True)
    assert sym.qber_x > 0.3
    assert asym.qber_x < 0.06
    assert asym.key_rate_per_pulse > 10 * max(sym.key_rate_per_pulse, 1e-12)
    assert asym.parameters.is_asymmetric
    # Plain SNS treats Alice and Bob alike (AOPP does not: Bob pairs his bits), so the mirror
    # image of the link has the same optimum, up to the optimiser's few-percent tolerance in
    # this 10-parameter search.
    plain = optimise_key_rate(system, protocol="sns", asymmetric_source=True)
    mirrored = optimise_key_rate(
        SnsSystem(fibre_a_km=200.0, fibre_b_km=100.0, n_pulses=1e12, **TYPICAL),
        protocol="sns",
        asymmetric_source=True,
    )
    assert mirrored.key_rate_per_pulse == pytest.approx(plain.key_rate_per_pulse, rel=0.05)


def test_asymmetric_source_never_worse_on_a_symmetric_link() -> None:
    system = SnsSystem.symmetric(distance_km=300.0, n_pulses=1e12, **TYPICAL)
    sym = optimise_key_rate(system, protocol="sns")
    asym = optimise_key_rate(system, protocol="sns", asymmetric_source=True)
    assert asym.key_rate_per_pulse >= sym.key_rate_per_pulse


def test_asymmetric_parameters_fix_bobs_weak_decoy() -> None:
    p = SnsParameters(
        p_z=0.9, eps=0.1, mu_z=0.4, mu_1=0.01, mu_2=0.3, p_0=0.3, p_1=0.4, eps_b=0.3, mu_z_b=0.6
    )
    alice = 0.1 * 0.7 * 0.4 * math.exp(-0.4)
    bob = 0.3 * 0.9 * 0.6 * math.exp(-0.6)
    assert p.mu_1_b == pytest.approx(0.01 * bob / alice)
    assert p.to_dict()["mu_1_b"] == pytest.approx(p.mu_1_b)
    with pytest.raises(ValueError, match="mu_1_b"):
        SnsParameters(p_z=0.9, eps=0.01, mu_z=0.4, mu_1=0.05, mu_2=0.3, p_0=0.3, p_1=0.4, eps_b=0.4)
    with pytest.raises(ValueError, match="mu_2_b"):
        SnsParameters(
            p_z=0.9, eps=0.1, mu_z=0.4, mu_1=0.01, mu_2=None, p_0=0.5, p_1=0.5, mu_2_b=0.2
        )


def test_search_finds_key_near_the_longest_distance_for_every_seed() -> None:
    # 490 km is ~20 km short of this link's last key (the reference network's pair settings):
    # the region with key is narrow. Candidates without key are ranked by their secret
    # fraction, not their (negative) key length, which would draw the search to the corner
    # where nothing is sent; the search then finds key from every seed, and the seeds agree.
    system = SnsSystem(
        fibre_a_km=245.0,
        fibre_b_km=245.0,
        loss_a_db_per_km=0.19,
        loss_b_db_per_km=0.19,
        detector_efficiency=0.42,
        dark_count_per_pulse=1.1e-8,
        misalignment=0.02,
        n_pulses=1e12,
        phase_slice_rad=0.3927,
    )
    rates = [
        optimise_key_rate(
            system, protocol="sns-aopp", bound="worst-split", phase_slices=16, seed=seed
        ).key_rate_per_pulse
        for seed in range(5)
    ]
    assert min(rates) > 0.9 * max(rates) > 0.0


def test_asymmetric_search_finds_key_near_the_edge_of_an_unequal_link_for_every_seed() -> None:
    # 183.75 + 306.25 km, ~30 km short of the last key: the near party's weak decoy is ~1/80
    # of the far party's. With Bob's decoy derived from Alice's (pressed against a 1e-3 floor)
    # and one search pass, four seeds in six found no key here and the others differed by up
    # to 2x; a second pass from each best and, where there is still no key, a start from the
    # optimum of the link 10 % shorter make every seed agree.
    system = SnsSystem(
        fibre_a_km=183.75,
        fibre_b_km=306.25,
        loss_a_db_per_km=0.16,
        loss_b_db_per_km=0.16,
        detector_efficiency=0.6,
        dark_count_per_pulse=1e-8,
        misalignment=0.03,
        n_pulses=1e12,
    )
    rates = [
        optimise_key_rate(
            system, asymmetric_source=True, bound="worst-split", seed=seed
        ).key_rate_per_pulse
        for seed in range(6)
    ]
    assert min(rates) > 0.8 * max(rates) > 0.0
