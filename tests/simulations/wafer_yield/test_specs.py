"""Chip specs: InP device counts from the mask inventory, the comb ring's area from its design."""

from __future__ import annotations

from pathlib import Path

import pytest

from qkdchip.circuits.inventory import TRANSMITTER_SECTIONS, kind_counts, sequence_count
from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.components.designs import RingDesign
from qkdchip.platforms import INP, SI3N4
from qkdchip.simulations.wafer_yield.specs import load_chip_spec

INP_DEVICES = """
[inp]
modulator_kinds = ["phase_modulator", "intensity_modulator"]
[inp.devices.dbr_laser]
area_cm2 = 1e-4
[inp.devices.phase_modulator]
area_cm2 = 1e-4
[inp.devices.intensity_modulator]
area_cm2 = 1e-4
"""


def test_inp_counts_and_names_come_from_the_inventory() -> None:
    spec = load_chip_spec(INP)
    assert {d.kind: d.count for d in spec.devices} == kind_counts()
    assert spec.device("phase_modulator").names == ("PM ref", "PM I", "PM II")
    assert spec.device("intensity_modulator").names == ("IM III", "IM I", "IM II")
    assert spec.device("voa").names == ("VOA I", "VOA II")
    assert spec.device("dbr_laser").names[0] == "DBR sig"  # device 0 is the signal laser
    assert sum(d.count for d in spec.devices) == len(TRANSMITTER_SECTIONS)
    # the pulse sequence drives PM I and PM ref; PM II randomises the phase in series
    assert sequence_count("phase_modulator") == 2
    assert sequence_count("intensity_modulator") == 3


def test_inp_spec_file_may_not_retype_the_inventory(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    missing.write_text(INP_DEVICES)  # no VOA entry
    with pytest.raises(ValueError, match="mask draws"):
        load_chip_spec(INP, missing)
    counted = tmp_path / "counted.toml"
    counted.write_text(INP_DEVICES + "[inp.devices.voa]\ncount = 1\narea_cm2 = 1e-4\n")
    with pytest.raises(ValueError, match=r"voa\.count"):
        load_chip_spec(INP, counted)
    good = tmp_path / "good.toml"
    good.write_text(INP_DEVICES + "[inp.devices.voa]\narea_cm2 = 1e-4\n")
    assert load_chip_spec(INP, good).device("voa").count == 2


def test_comb_ring_area_follows_the_ring_design(tmp_path: Path) -> None:
    ring = RingDesign()
    side_um = 2 * (ring.radius_um + ring.width_um / 2 + ring.gap_um + ring.bus_width_um)
    assert ring.bounding_area_cm2 == pytest.approx(side_um**2 * 1e-8, rel=1e-12)
    # the 30.03 GHz ring (R = 999.4 µm) sits in a 2.01 x 2.01 mm square
    assert ring.bounding_area_cm2 == pytest.approx(0.0405, rel=0.01)
    assert load_chip_spec(SI3N4).device("comb_ring").area_cm2 == ring.bounding_area_cm2
    smaller = RingDesign(radius_um=ring.radius_um / 2)
    assert smaller.bounding_area_cm2 < ring.bounding_area_cm2 / 3
    # the spec's area is the drawn ring's: a changed design changes it
    designs = ChipDesigns().with_overrides({"ring.radius_um": ring.radius_um / 2})
    area = load_chip_spec(SI3N4, designs=designs).device("comb_ring").area_cm2
    assert area == designs.ring.bounding_area_cm2 < ring.bounding_area_cm2 / 3
    typed = tmp_path / "typed.toml"
    typed.write_text("[si3n4]\n[si3n4.devices.comb_ring]\ncount = 1\narea_cm2 = 0.025\n")
    with pytest.raises(ValueError, match="design object"):
        load_chip_spec(SI3N4, typed)
