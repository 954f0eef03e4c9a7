from __future__ import annotations

from dataclasses import replace

import pytest

from qkdchip.simulations.network.model import (
    ClientChip,
    NetworkModel,
    PairLinks,
    Protocol,
    lock_client,
    pair_link,
)
from qkdchip.simulations.network.security import security_margins
from qkdchip.simulations.network.wdm import ChannelAssignment


def test_extinction_costs_key_and_the_requirement_keeps_it_within_tolerance() -> None:
    model = NetworkModel(protocol=Protocol(name="sns", n_pulses=None))
    channel = ChannelAssignment(0, 193.1e12, 0, 193.1e12, -10.0, 0.0)
    links = PairLinks(150.0, 150.0, 0.05, 0.05)
    chips = (ClientChip(name="a", extinction_ratio_db=30.0), ClientChip(name="b"))
    locks = tuple(
        lock_client(model=model, chip=c, channel=channel, downstream_km=0.05) for c in chips
    )
    link = pair_link(
        model=model, channel=channel, links=links, chips=chips, locks=locks, channels=(channel,)
    )
    margins = security_margins(model=model, pair=1, link=link, chips=chips, tolerance=0.05)
    # the weaker chip's extinction counts, and finite extinction costs key
    assert margins.extinction_ratio_db == 25.0
    assert margins.key_rate_with_extinction < margins.key_rate_per_pulse
    # each specification keeps the key within the tolerance, and the chips fall short of it
    for requirement in (margins.extinction, margins.isolation):
        assert requirement.relative_loss <= 0.05
    assert margins.extinction.required_db > margins.extinction_ratio_db
    # a better chip loses less
    better = replace(chips[1], extinction_ratio_db=40.0)
    improved = security_margins(
        model=model, pair=1, link=link, chips=(replace(chips[0], extinction_ratio_db=40.0), better)
    )
    assert improved.key_rate_with_extinction > margins.key_rate_with_extinction
    assert improved.distance_km == pytest.approx(300.0)
