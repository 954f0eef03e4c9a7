"""Source flaws counted in the network's own key rates ([protocol] source_flaws)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from qkdchip.simulations.network.injection_locking import SlaveLaser
from qkdchip.simulations.network.model import (
    ClientChip,
    NetworkModel,
    PairLinks,
    Protocol,
    evaluate_network,
    pair_source_flaws,
)
from qkdchip.simulations.network.wdm import ChannelAssignment
from qkdchip.simulations.qkd import optimise_many
from qkdchip.simulations.qkd.side_channel import injection_leak

CHANNELS = (ChannelAssignment(1, 193.2e12, 3, 193.201e12, -15.0, 1.0),)
DISTANCE_KM = 300.0
LINKS = {DISTANCE_KM: [PairLinks(DISTANCE_KM / 2, DISTANCE_KM / 2, 0.05, 0.05)]}


def _engine(*, systems: Any, protocol: str, flaws: Any = None) -> list[dict[str, Any]]:
    return [r.to_dict() for r in optimise_many(systems, protocol=protocol, flaws=flaws, seed=1)]


def _chips(extinction_a_db: float, extinction_b_db: float) -> list[ClientChip]:
    bright = replace(SlaveLaser(), output_power_dbm=8.0)
    return [
        ClientChip(name="A1", extinction_ratio_db=extinction_a_db),
        ClientChip(name="B1", extinction_ratio_db=extinction_b_db, laser=bright),
    ]


def _rate(protocol: Protocol, chips: list[ClientChip]) -> float:
    model = NetworkModel(protocol=protocol)
    result = evaluate_network(
        model=model, channels=CHANNELS, clients=chips, links_by_distance=LINKS, key_rate=_engine
    )
    return result.at(DISTANCE_KM).pairs[0].key_rate_per_pulse


def test_no_flaws_unless_counted() -> None:
    assert pair_source_flaws(protocol=Protocol(), chips=tuple(_chips(20.0, 30.0))) is None


def test_counted_flaws_take_the_worse_chip_and_the_brighter_laser() -> None:
    protocol = Protocol(source_flaws=True, intensity_fluctuation=0.02, injection_isolation_db=80.0)
    a, b = _chips(30.0, 22.0)
    flaws = pair_source_flaws(protocol=protocol, chips=(a, b))
    assert flaws is not None
    assert flaws.extinction_ratio_db == 22.0
    assert flaws.intensity_fluctuation == 0.02
    leak = injection_leak(
        isolation_db=80.0, power_at_modulators_dbm=8.0, repetition_rate_hz=1e9
    ).leaked_photons
    assert flaws.leaked_photons == pytest.approx(leak, rel=1e-12)
    no_isolation = replace(protocol, injection_isolation_db=None)
    assert pair_source_flaws(protocol=no_isolation, chips=(a, b)).leaked_photons == 0.0


def test_each_flaw_costs_key_and_a_near_perfect_source_costs_almost_none() -> None:
    base = Protocol(name="sns-aopp", n_pulses=None)
    ideal = _rate(base, _chips(25.0, 25.0))
    assert ideal > 0.0
    extinction = _rate(replace(base, source_flaws=True), _chips(25.0, 25.0))
    assert extinction < ideal
    worse = _rate(replace(base, source_flaws=True), _chips(25.0, 20.0))
    assert worse < extinction
    fluctuating = _rate(
        replace(base, source_flaws=True, intensity_fluctuation=0.05), _chips(25.0, 25.0)
    )
    assert fluctuating < extinction
    near_perfect = _rate(replace(base, source_flaws=True), _chips(90.0, 90.0))
    assert near_perfect == pytest.approx(ideal, rel=0.02)


@pytest.mark.parametrize(
    ("field", "value"), [("intensity_fluctuation", 0.6), ("injection_isolation_db", -1.0)]
)
def test_bad_flaw_settings_name_the_parameter(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"protocol.{field}"):
        Protocol(**{field: value})
