"""The Si3N4 comb chip: the simulated 30.03 GHz comb ring, heater pads, test structures."""

from __future__ import annotations

import json
import warnings

import gdsfactory as gf
import pytest

from qkdchip.circuits.comb_chip import comb_chip
from qkdchip.circuits.verify import verify_chip
from qkdchip.components.designs import RingDesign
from qkdchip.pdk.si3n4 import design_rules
from qkdchip.platforms import SI3N4

pytestmark = pytest.mark.pdk("si3n4")


@pytest.fixture(scope="module")
def chip():
    SI3N4.activate()
    return comb_chip()


def test_comb_ring_and_io(chip):
    box = chip.dbbox()
    assert (box.left, box.bottom, box.right, box.top) == (0.0, 0.0, 6000.0, 7000.0)
    # the simulated reference ring (RingDesign() == reference_ring_design(), see test_designs)
    assert chip.info["comb_radius_um"] == RingDesign().radius_um
    assert chip.info["comb_ring"] == RingDesign().to_dict()
    # estimate at n_g 1.59 (MPB 1.5899 to three digits): within 2e-4 of 30.03 GHz
    assert chip.info["comb_fsr_ghz_estimate"] == pytest.approx(30.03, rel=2e-4)
    names = {p.name for p in chip.ports}
    assert {"comb_w", "comb_e", "heater_e1", "heater_e2"} <= names
    for p in chip.ports:
        if p.port_type == "edge_coupler":
            assert p.center[0] in (0.0, 6000.0)  # every structure ends on a facet


def test_heater_pads_at_north_edge(chip):
    for name in ("heater_e1", "heater_e2"):
        assert chip.ports[name].center[1] == pytest.approx(7000.0 - 50.0)


def test_test_structures(chip):
    assert list(chip.info["gap_sweep_um"].values()) == [2.0, 2.5, 3.0, 3.5]
    lengths = chip.info["cutback_lengths_um"]
    assert lengths["cut0"] == pytest.approx(6000.0)
    # each loop adds 2 pi R + 2 (h - 2R) - 4R with R = 300, h = 700
    extra = 2 * 3.141592653589793 * 300 + 2 * 100 - 4 * 300
    assert lengths["cut1"] - lengths["cut0"] == pytest.approx(extra, abs=1e-3)
    assert lengths["cut2"] - lengths["cut0"] == pytest.approx(2 * extra, abs=1e-3)


def test_drc_and_connectivity(chip):
    result = verify_chip(chip, design_rules())
    assert result.ok, result.to_dict()


def test_too_small_chip_raises():
    SI3N4.activate()
    with pytest.raises(ValueError, match="chip_height_um"):
        comb_chip(chip_height_um=5000.0)


def test_si3n4_test_die_checks():
    from qkdchip.circuits.monitor_dies import si3n4_test_die

    SI3N4.activate()
    die = si3n4_test_die()
    assert verify_chip(die, design_rules()).ok
    assert len(die.info["gap_sweep_um"]) == 6


def test_waveguides_are_the_film_strip_and_the_netlist_rebuilds(chip):
    optical = {p.info["cross_section"] for p in chip.ports if p.port_type != "electrical"}
    assert optical == {"xs_sin_thin"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        netlist = chip.get_netlist()
        rebuilt = gf.read.from_yaml(chip.write_netlist(netlist)).get_netlist()
    assert json.loads(json.dumps(rebuilt["instances"], default=str)) == json.loads(
        json.dumps(netlist["instances"], default=str)
    )
