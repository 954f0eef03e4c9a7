from __future__ import annotations

import pytest

from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.components.designs import DbrLaserDesign, RingDesign
from qkdchip.platforms import INP


def test_overrides_convert_validate_and_round_trip() -> None:
    designs = ChipDesigns().with_overrides({"laser.rear_grating_um": "200", "ring.gap_um": 2.4})
    assert designs.laser == DbrLaserDesign(rear_grating_um=200.0)
    assert designs.ring == RingDesign(gap_um=2.4)
    assert designs.overrides() == {"laser.rear_grating_um": 200.0, "ring.gap_um": 2.4}
    assert ChipDesigns().overrides() == {}
    assert ChipDesigns().with_overrides(designs.overrides()) == designs


def test_cell_settings_follow_the_records() -> None:
    designs = ChipDesigns().with_overrides(
        {
            "laser.front_grating_um": 120,
            "phase_modulator.length_um": 600,
            "mmi.length_um": 40,
            "ring.radius_um": 900,
        }
    )
    tx = designs.transmitter_cell_settings()
    assert (tx["dbr_front_um"], tx["pm_length_um"]) == (120.0, 600.0)
    assert tx["combiner_length_um"] == 40.0
    assert tx["ridge_width_um"] == 2.0
    assert tx["reference_period_nm"] == tx["signal_period_nm"] + 1.0
    assert designs.comb_cell_settings()["comb_radius_um"] == 900.0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lasr.gain_um": 1}, r"unknown device 'lasr' \(allowed: \['intensity_modulator'"),
        ({"laser.gain": 1}, r"DbrLaserDesign has no field 'gain' \(allowed: \["),
        ({"laser.gain_um": "long"}, r"design laser gain_um='long' must be a number"),
        ({"laser.gain_um": 10}, r"design laser: gain_um=10.0 is outside the allowed range"),
        ({"laser.injection_mirror": "side"}, r"injection_mirror='side' is not allowed"),
        ({"mmi.n_inputs": 2}, r"mmi.n_inputs=2: the transmitter's combiner is a 1x2 MMI"),
        (
            {"phase_modulator.ridge_width_um": 2.5},
            r"one deep ridge, but laser.ridge_width_um=2.0, .*phase_modulator.ridge_width_um=2.5",
        ),
    ],
)
def test_bad_overrides_name_the_device_field_and_range(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ChipDesigns().with_overrides(overrides)


def test_the_transmitter_draws_the_designed_combiner() -> None:
    from qkdchip.circuits.transmitter import transmitter_chip

    INP.activate()
    designs = ChipDesigns().with_overrides({"mmi.length_um": 45.0})
    chip = transmitter_chip(**designs.transmitter_cell_settings())
    combiners = {i.cell.name for i in chip.insts if i.cell.name.startswith("mmi1x2")}
    assert len(combiners) == 1
    assert combiners.pop().startswith("mmi1x2_WU6_LU45_")


def test_a_ridge_change_on_every_inp_device_is_drawn() -> None:
    from qkdchip.circuits.transmitter import transmitter_chip
    from qkdchip.components.chip_designs import INP_DEVICES

    INP.activate()
    designs = ChipDesigns().with_overrides({f"{d}.ridge_width_um": 2.2 for d in INP_DEVICES})
    chip = transmitter_chip(**designs.transmitter_cell_settings())
    ridges = {
        i.cell.name.split("_")[0]: i.cell.settings.model_dump().get("ridge_width_um")
        for i in chip.insts
    }
    for cell in ("ssc", "dbr", "mzm", "phase", "voa", "mmi1x2"):
        assert ridges[cell] == 2.2, (cell, ridges)
