"""The yield models sample around the drawn, simulated devices, and their specs hold for them."""

from __future__ import annotations

import numpy as np
import pytest

from qkdchip.platforms import SI3N4, platform
from qkdchip.simulations.devices.defaults import simulate_default
from qkdchip.simulations.wafer_yield.engine import YieldModel
from qkdchip.simulations.wafer_yield.specs import load_chip_spec


@pytest.mark.parametrize("name", ["inp", "si3n4"])
def test_every_spec_holds_for_the_nominal_drawn_devices(name: str) -> None:
    model = YieldModel.build(platform(name))
    nominal = model.nominal_metrics()
    for device in model.spec.devices:
        for spec in device.specs:
            value = nominal[device.kind][spec.metric]
            assert spec.passes(np.array([value]))[0], (device.kind, spec.metric, value)


def test_the_comb_ring_model_is_the_simulated_ring() -> None:
    table = YieldModel.build(SI3N4).table
    ring, coupler = simulate_default("ring"), simulate_default("coupler")
    assert table.d("fsr_ghz") == ring.fsr_hz * 1e-9
    assert table.d("d2_over_2pi_khz") == ring.d2_hz * 1e-3
    assert table.s("coupling_gap_decay_nm") == pytest.approx(500.0 / coupler.decay_per_um)
    # a 100 nm film: the thickness moves the resonance a hundred times more than the width
    assert table.s("dlambda_dthickness_nm_per_nm") > 50 * table.s("dlambda_dwidth_nm_per_nm") > 0
    assert "MPB central differences" in table.sources["dng_dthickness_per_nm"]


@pytest.mark.slow
@pytest.mark.parametrize("d2_hz", [-150e3, -3000e3])
def test_the_d2_window_edges_still_give_a_dark_pulse_with_ten_lines(d2_hz: float) -> None:
    """The comb-ring D2 spec is the comb solver's dark-pulse window for the reference recipe."""
    from qkdchip.simulations.comb.reference import reference_comb, reference_resonator

    window = load_chip_spec(SI3N4).device("comb_ring")
    d2_spec = next(s for s in window.specs if s.metric == "d2_over_2pi_khz")
    assert d2_spec.minimum <= d2_hz * 1e-3 <= d2_spec.maximum
    comb = reference_comb(resonator=reference_resonator(d_int=None, d2_hz=d2_hz), seed=1)
    lines = comb.to_dict()["lines"]
    usable = [ln for ln in lines if ln["mu"] != 0 and ln["power_dbm"] >= -40.0]
    assert comb.state == "dark pulse"
    assert len(usable) >= 10
