"""Fixtures shared by the sweep tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from qkdchip import cache

if TYPE_CHECKING:
    from distributed import Client


@pytest.fixture(scope="module")
def client(_session_device_cache: Path) -> Iterator[Client]:
    """A 2-process local cluster whose workers use the tests' device cache."""
    from distributed import Client, LocalCluster

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(cache.CACHE_ENV, str(_session_device_cache))
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
    with cluster, Client(cluster) as c:
        yield c
