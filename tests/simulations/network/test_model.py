from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from qkdchip.simulations.network.model import (
    ClientChip,
    NetworkModel,
    PairLinks,
    Protocol,
    drift_rate_scale,
    evaluate_network,
    noise_per_gate,
    pair_phase_budget,
    pair_system,
    reference_count_rate_hz,
)
from qkdchip.simulations.network.wdm import ChannelAssignment
from qkdchip.simulations.network.yield_aware import (
    KeyRateTable,
    key_rate_table,
    yield_aware_network,
)
from qkdchip.simulations.qkd import optimise_many


def _channel(k: int) -> ChannelAssignment:
    f = 193.1e12 + k * 100e9
    return ChannelAssignment(k, f, 3 * k, f + 1e9, -15.0, 1.0)


CHANNELS = (_channel(1), _channel(2), _channel(3))
ASYMPTOTIC = NetworkModel(protocol=Protocol(name="sns", n_pulses=None))


def _engine(*, systems: Any, protocol: str, flaws: Any = None) -> list[dict[str, Any]]:
    return [r.to_dict() for r in optimise_many(systems, protocol=protocol, flaws=flaws, seed=1)]


def _links(distance_km: float, n: int = 3) -> list[PairLinks]:
    return [PairLinks(distance_km / 2, distance_km / 2, 0.05, 0.05) for _ in range(n)]


def _clients(n: int = 6) -> list[ClientChip]:
    return [ClientChip(name=f"c{i}") for i in range(n)]


def test_network_key_rates_capability_and_time_sharing() -> None:
    result = evaluate_network(
        model=ASYMPTOTIC,
        channels=CHANNELS,
        clients=_clients(),
        links_by_distance={100.0: _links(100.0), 400.0: _links(400.0)},
        key_rate=_engine,
    )
    far = result.at(400.0).pairs
    near = result.at(100.0).pairs
    # SNS beats PLOB at 400 km but not at 100 km, so the capability is 3 pairs x 400 km.
    assert result.at(400.0).all_beat_plob
    assert not result.at(100.0).all_beat_plob
    assert result.networking_capability_km == pytest.approx(1200.0)
    for p in far:
        assert p.status == "ok"
        assert p.lock_alice.locked
        assert p.lock_alice.linewidth_hz == ASYMPTOTIC.comb_linewidth_hz
        # Sequential: the pair has the detectors a third of the time.
        assert p.key_rate_bps_time_shared == pytest.approx(p.key_rate_bps / 3)
        assert p.qber_x >= p.phase.misalignment
    assert near[0].key_rate_per_pulse > far[0].key_rate_per_pulse
    assert result.at(400.0).total_key_rate_bps == pytest.approx(
        math.fsum(p.key_rate_bps for p in far) / 3
    )


def test_a_laser_that_cannot_lock_gives_no_key_and_says_why() -> None:
    clients = _clients()
    clients[3] = replace(clients[3], frequency_error_hz=100e9)  # far beyond 15 GHz tuning
    clients[4] = replace(clients[4], working=False)

    keyed = {"calls": 0}

    def counting(**kwargs: Any) -> list[dict[str, Any]]:
        keyed["calls"] += 1
        return _engine(**kwargs)

    result = evaluate_network(
        model=ASYMPTOTIC,
        channels=CHANNELS,
        clients=clients,
        links_by_distance={400.0: _links(400.0)},
        key_rate=counting,
    )
    pairs = result.at(400.0).pairs
    assert pairs[1].status == "Bob's laser (c3) does not injection-lock"
    assert pairs[1].key_rate_per_pulse == 0.0
    assert pairs[2].status == "Alice's chip c4 failed its device tests"
    assert keyed["calls"] == 1
    assert result.networking_capability_km == 0.0


def test_longer_downstream_fibre_weakens_injection_and_raises_error() -> None:
    short = PairLinks(185.0, 185.0, 0.05, 0.05)
    long = PairLinks(185.0, 185.0, 60.0, 60.0)
    res = (
        evaluate_network(
            model=ASYMPTOTIC,
            channels=CHANNELS[:1],
            clients=_clients(2),
            links_by_distance={370.0: [short]},
            key_rate=_engine,
        )
        .at(370.0)
        .pairs[0]
    )
    res_long = (
        evaluate_network(
            model=ASYMPTOTIC,
            channels=CHANNELS[:1],
            clients=_clients(2),
            links_by_distance={370.0: [long]},
            key_rate=_engine,
        )
        .at(370.0)
        .pairs[0]
    )
    # (60 - 0.05) km at 0.16 dB/km = 9.592 dB less injected power.
    assert res.lock_alice.injected_power_dbm - res_long.lock_alice.injected_power_dbm == (
        pytest.approx(9.592)
    )
    assert res_long.phase.misalignment > res.phase.misalignment


def _noise(model: NetworkModel, channels=CHANNELS, distance_km: float = 370.0):
    link = _links(distance_km, 1)[0]
    lit = model.lit_channels(channels[0], channels)
    return noise_per_gate(model=model, channel=channels[0], links=link, lit_channels=lit)


def test_lit_channels_add_crosstalk_and_raman_noise() -> None:
    seq = _noise(ASYMPTOTIC)
    parallel = _noise(replace(ASYMPTOTIC, operation="sequential-parallel"))
    simultaneous = _noise(replace(ASYMPTOTIC, operation="simultaneous"))
    # sequential: only the measuring pair's light is on (its references are off during its
    # quantum periods), so the dark counts are all
    assert seq == {
        "raman_forward": 0.0,
        "raman_backward": 0.0,
        "rayleigh": 0.0,
        "crosstalk": 0.0,
        "dark": pytest.approx(10.0 * 0.5e-9),
    }
    assert parallel == simultaneous
    assert parallel["crosstalk"] > 0.0
    assert parallel["raman_forward"] > 0.0
    # the time-shared pairs keep the detectors 1/N of the time in parallel operation too
    assert replace(ASYMPTOTIC, operation="sequential-parallel").pairs_share_detectors
    assert not replace(ASYMPTOTIC, operation="simultaneous").pairs_share_detectors


def test_parallel_noise_grows_with_channel_count_and_launch_power() -> None:
    model = replace(ASYMPTOTIC, operation="sequential-parallel")
    few = _noise(model, CHANNELS[:2])
    many = _noise(model, CHANNELS)
    assert many["crosstalk"] > few["crosstalk"]
    assert many["raman_forward"] > few["raman_forward"]
    bright = replace(model, phase=replace(model.phase, reference_photons_per_pulse=200.0))
    assert _noise(bright)["raman_forward"] > many["raman_forward"]
    louder = replace(model, signal_photons_per_pulse=2.0)
    assert _noise(louder)["crosstalk"] > many["crosstalk"]


def test_seed_light_in_the_backbone_swamps_the_channel() -> None:
    model = replace(ASYMPTOTIC, operation="sequential-parallel")
    shared = _noise(replace(model, seed_in_backbone=True))
    # the pair's own seed line backscatters into its own channel: far above the dark counts
    assert shared["rayleigh"] > 1e3 * shared["dark"]
    assert shared["raman_backward"] > 0.0


def test_classical_channel_adds_raman_noise() -> None:
    quiet = _noise(ASYMPTOTIC, distance_km=100.0)
    loud = _noise(replace(ASYMPTOTIC, classical_power_dbm=0.0), distance_km=100.0)
    assert quiet["raman_forward"] == 0.0
    assert loud["raman_forward"] > quiet["dark"]


def test_reference_count_rate_falls_with_distance_and_saturates() -> None:
    near = reference_count_rate_hz(model=ASYMPTOTIC, links=_links(2.0, 1)[0])
    far = reference_count_rate_hz(model=ASYMPTOTIC, links=_links(800.0, 1)[0])
    assert far < near
    assert near == pytest.approx(2 * ASYMPTOTIC.server.max_count_rate_hz)


def test_more_drift_or_fewer_reference_photons_raise_the_misalignment() -> None:
    links = _links(370.0, 1)[0]
    chips = (ClientChip(name="a"), ClientChip(name="b"))
    channel = CHANNELS[0]

    def e_d(model: NetworkModel) -> float:
        from qkdchip.simulations.network.model import lock_client

        locks = tuple(
            lock_client(model=model, chip=c, channel=channel, downstream_km=0.05) for c in chips
        )
        return pair_phase_budget(model=model, links=links, chips=chips, locks=locks).misalignment

    base = e_d(ASYMPTOTIC)
    ph = ASYMPTOTIC.phase
    assert e_d(replace(ASYMPTOTIC, phase=replace(ph, reference_drift_rad_per_ms=6.0))) > base
    assert e_d(replace(ASYMPTOTIC, phase=replace(ph, reference_photons_per_pulse=2.0))) > base
    assert e_d(replace(ASYMPTOTIC, phase=replace(ph, sampling_rate_hz=2e3))) > base


def test_drift_rates_scale_with_the_fibre_length_to_the_set_power() -> None:
    ph = ASYMPTOTIC.phase
    double = PairLinks(370.0, 370.0, 0.0, 0.0)  # twice the 370 km of the measured rates
    at_reference = PairLinks(185.0, 185.0, 0.0, 0.0)
    for exponent, factor in ((0.5, math.sqrt(2.0)), (1.0, 2.0), (0.0, 1.0)):
        model = replace(ASYMPTOTIC, phase=replace(ph, drift_length_exponent=exponent))
        assert drift_rate_scale(model=model, links=double) == pytest.approx(factor, rel=1e-12)
        assert drift_rate_scale(model=model, links=at_reference) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="phase.drift_length_exponent"):
        replace(ph, drift_length_exponent=3.0)


def test_yield_aware_draws_are_seeded_and_count_unlocked_pairs() -> None:
    table = KeyRateTable(370.0, (0.0, 0.05, 0.5), (4e-6, 3e-6, 0.0), 1.7e-6)
    pool = _clients(12)
    pool[0] = replace(pool[0], frequency_error_hz=1e11)
    groups = np.array([0] * 6 + [1] * 6)
    kwargs = {
        "model": ASYMPTOTIC,
        "channels": CHANNELS,
        "links": _links(370.0),
        "pool": pool,
        "table": table,
        "draws": 40,
        "groups": groups,
    }
    a = yield_aware_network(**kwargs, rng=np.random.default_rng(5))
    b = yield_aware_network(**kwargs, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.key_rate_per_pulse, b.key_rate_per_pulse)
    # A draw from wafer 0 contains the unlockable chip, one from wafer 1 does not.
    from_wafer_0 = ~np.all(a.locked, axis=1)
    assert 0 < np.sum(from_wafer_0) < 40
    assert a.probability_all_beat_plob == pytest.approx(1.0 - np.mean(from_wafer_0))
    assert np.all(a.key_rate_per_pulse[~a.locked] == 0.0)


def test_key_rate_table_runs_the_pair_link_at_each_misalignment() -> None:
    links = _links(200.0)[0]
    seen: list[Any] = []

    def fake(*, systems: Any, protocol: str, flaws: Any = None) -> list[dict[str, Any]]:
        seen.extend(systems)
        return [
            {"key_rate_per_pulse": 1e-6 * (0.5 - s.misalignment), "plob": 2e-6} for s in systems
        ]

    kwargs = {"model": ASYMPTOTIC, "channel": CHANNELS[0], "links": links, "channels": CHANNELS}
    table = key_rate_table(**kwargs, misalignment_grid=[0.1, 0.0, 0.3], key_rate=fake)
    assert table.misalignment == (0.0, 0.1, 0.3)
    assert table.key_rate_per_pulse == pytest.approx((5e-7, 4e-7, 2e-7))
    assert table.plob == 2e-6
    noise = noise_per_gate(
        model=ASYMPTOTIC, channel=CHANNELS[0], links=links, lit_channels=CHANNELS[:1]
    )
    expected = pair_system(model=ASYMPTOTIC, links=links, noise=noise, misalignment=0.1)
    assert seen[1] == expected
    assert expected.dark_count_per_pulse == pytest.approx(-math.expm1(-sum(noise.values())))
    with pytest.raises(ValueError, match="misalignment_grid"):
        key_rate_table(**kwargs, misalignment_grid=[0.0, 0.7], key_rate=fake)
