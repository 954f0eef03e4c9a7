from __future__ import annotations

import pytest

from qkdchip.simulations.network.reach import longest_distance_km


def test_finds_the_end_of_the_qualifying_interval_on_the_grid() -> None:
    seen: list[float] = []

    def qualifies(d: float) -> bool:
        seen.append(d)
        return 200.0 <= d <= 612.4

    reach = longest_distance_km(qualifies, start_km=370.0)
    assert reach.distance_km == 612.0
    assert reach.first_failing_km == 613.0
    assert reach.evaluations == len(seen) <= 14
    assert max(d for d in seen if d <= 612.4) == 612.0  # verified, not interpolated


def test_stops_at_max_km_when_everything_qualifies() -> None:
    reach = longest_distance_km(lambda d: True, start_km=100.0, max_km=900.0)
    assert (reach.distance_km, reach.first_failing_km) == (900.0, None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start_km": 0.0}, "start_km=0.0 must be finite and > 0"),
        ({"start_km": 100.0, "max_km": 50.0}, "max_km=50.0 must be finite and > start_km"),
        ({"start_km": 100.0, "resolution_km": float("nan")}, "resolution_km=nan"),
        ({"start_km": 1000.0}, "start_km=1000.0 does not qualify"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        longest_distance_km(lambda d: d < 500.0, **kwargs)
