from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from qkdchip.components.designs import DbrLaserDesign
from qkdchip.simulations.devices.dbr_cavity import (
    dbr_cavity,
    grating_penetration_um,
)
from qkdchip.simulations.fdtd.grating import cmt_peak_reflectance
from qkdchip.simulations.network.injection_locking import LaserOperation, locking_range_hz

KAPPA = 5600.0  # 1/m, the simulated grating's 56 /cm


def test_grating_limits() -> None:
    # weak grating: R -> (κL)², penetration -> L/2; strong grating: R -> 1, depth -> 1/(2κ)
    assert cmt_peak_reflectance(kappa_per_m=KAPPA, length_um=1.0) == pytest.approx(
        (KAPPA * 1e-6) ** 2, rel=1e-4
    )
    assert grating_penetration_um(kappa_per_m=KAPPA, length_um=1.0) == pytest.approx(0.5, rel=1e-4)
    assert cmt_peak_reflectance(kappa_per_m=KAPPA, length_um=5000.0) == pytest.approx(1.0, abs=1e-9)
    assert grating_penetration_um(kappa_per_m=KAPPA, length_um=5000.0) == pytest.approx(
        1e6 / (2 * KAPPA), rel=1e-9
    )


def test_cavity_of_the_drawn_laser() -> None:
    laser = DbrLaserDesign()
    cavity = dbr_cavity(laser=laser, kappa_per_m=KAPPA, group_index=3.7)
    assert cavity.rear_reflectance == pytest.approx(math.tanh(KAPPA * 300e-6) ** 2)
    assert cavity.injection_mirror == "rear"
    assert cavity.injection_reflectance == cavity.rear_reflectance
    assert cavity.cavity_length_m == pytest.approx(
        (laser.gain_um + laser.phase_um + cavity.rear_penetration_um + cavity.front_penetration_um)
        * 1e-6
    )
    front = dbr_cavity(
        laser=replace(laser, injection_mirror="front"), kappa_per_m=KAPPA, group_index=3.7
    )
    assert front.injection_reflectance == cavity.front_reflectance


def _locking_width_hz(rear_grating_um: float) -> float:
    laser = DbrLaserDesign(rear_grating_um=rear_grating_um)
    cavity = dbr_cavity(laser=laser, kappa_per_m=KAPPA, group_index=3.7)
    slave = LaserOperation().slave(
        cavity_length_m=cavity.cavity_length_m,
        group_index=cavity.group_index,
        mirror_reflectivity=cavity.injection_reflectance,
    )
    low, high = locking_range_hz(
        coupling_rate_per_s=slave.coupling_rate_per_s, injection_ratio=1e-3, alpha_factor=4.0
    )
    return high - low


def test_a_shorter_injection_grating_reflects_less_and_locks_wider() -> None:
    """Adler: κ_c = (v_g/2L)(1-R)/√R grows as the mirror the light enters by weakens."""
    assert cmt_peak_reflectance(kappa_per_m=KAPPA, length_um=200.0) < cmt_peak_reflectance(
        kappa_per_m=KAPPA, length_um=300.0
    )
    assert _locking_width_hz(200.0) > 1.5 * _locking_width_hz(300.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kappa_per_m": 0.0, "group_index": 3.7}, "kappa_per_m=0.0"),
        ({"kappa_per_m": math.nan, "group_index": 3.7}, "kappa_per_m=nan"),
        ({"kappa_per_m": KAPPA, "group_index": 0.5}, r"group_index=0.5 must be in \[1, 5\]"),
    ],
)
def test_bad_inputs_are_named(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dbr_cavity(laser=DbrLaserDesign(), **kwargs)


def test_injection_mirror_must_be_a_grating() -> None:
    with pytest.raises(ValueError, match="injection_mirror='side'"):
        DbrLaserDesign(injection_mirror="side")


def test_the_network_laser_is_the_drawn_one(shipped_only: Path) -> None:
    """The flow's slave laser: the drawn lengths with the shipped simulated grating's κ, n_g."""
    from qkdchip.simulations.devices.defaults import simulate_default
    from qkdchip.simulations.network.clients import drawn_laser_cavity

    grating = simulate_default("grating")
    cavity = drawn_laser_cavity(grating)
    assert cavity.kappa_per_m == grating.kappa_per_m
    assert cavity.group_index == grating.n_group
    assert 0.8 < cavity.injection_reflectance < 0.9  # tanh²(56/cm x 300 µm) = 0.87
