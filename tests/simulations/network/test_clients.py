from __future__ import annotations

import pytest

from qkdchip.simulations.network.clients import chip_pool, client_name, pool_clients
from qkdchip.simulations.network.injection_locking import LaserOperation


def test_clients_pair_up_as_a_i_b_i() -> None:
    assert [client_name(k) for k in range(5)] == ["A1", "B1", "A2", "B2", "A3"]
    with pytest.raises(ValueError, match="index=-1"):
        client_name(-1)


def test_pool_dies_become_client_chips() -> None:
    pool = chip_pool(seed=3, n_wafers=1)
    laser = LaserOperation().slave(cavity_length_m=8e-4, group_index=3.7, mirror_reflectivity=0.87)
    chips = pool_clients(pool, laser=laser, coupling_loss_db=3.0)
    assert len(chips) == len(pool.wafer) == 111  # every product die of the wafer
    assert tuple(c.working for c in chips) == pool.working
    first = chips[0]
    assert first.laser.tuning_range_hz == pytest.approx(pool.tuning_range_ghz[0] * 1e9)
    assert first.frequency_error_hz == pytest.approx(pool.frequency_error_ghz[0] * 1e9)
    assert first.laser.mirror_reflectivity == 0.87
