"""Wafers: maximal die count, dies inside the exclusion, hierarchy, marks, labels, DRC."""

from __future__ import annotations

import pytest

from qkdchip.circuits.checks import wafer_die_report
from qkdchip.circuits.verify import verify_chip, verify_wafer
from qkdchip.circuits.wafer_geometry import WaferSpec, optimise_die_grid
from qkdchip.circuits.wafers import inp_wafer
from qkdchip.pdk.inp import design_rules
from qkdchip.platforms import INP

pytestmark = pytest.mark.pdk("inp")


@pytest.fixture(scope="module")
def wafer():
    INP.activate()
    return inp_wafer()


def test_die_count_is_the_grid_maximum(wafer):
    info = wafer.info["wafer"]
    best = optimise_die_grid(
        WaferSpec(), die_width_um=12500.0, die_height_um=2000.0, street_um=100.0
    )
    assert info["count"] == best.count == 116
    assert info["product_dies"] + info["test_dies"] == info["count"]
    assert info["test_dies"] == 5
    assert len(info["alignment_marks_um"]) == 4


def test_hierarchy_one_reference_per_die(wafer):
    product = wafer.info["product_cell"]
    test = wafer.info["test_cell"]
    names = [inst.cell.name for inst in wafer.insts]
    assert names.count(product) == wafer.info["wafer"]["product_dies"]
    assert names.count(test) == 5
    # each label is drawn from shared glyph cells: 6 characters per die
    assert sum(n.startswith("label_glyph") for n in names) == 6 * 116


def test_dies_inside_exclusion_and_off_flat(wafer):
    report = wafer_die_report(
        wafer, WaferSpec(), [wafer.info["product_cell"], wafer.info["test_cell"]]
    )
    assert report.ok, report.problems
    # with a wider exclusion the same placement is no longer legal
    tight = wafer_die_report(
        wafer, WaferSpec(edge_exclusion_um=6000.0), [wafer.info["product_cell"]]
    )
    assert not tight.ok


def test_wafer_drc_clean(wafer):
    result = verify_wafer(wafer, design_rules())
    assert result.drc_violations == 0
    assert result.ok, result.to_dict()


def test_inp_test_die_checks():
    from qkdchip.circuits.monitor_dies import inp_test_die

    INP.activate()
    die = inp_test_die()
    result = verify_chip(die, design_rules(), keep_clear=("ACTIVE", "PIN", "GRATING"))
    assert result.ok, result.to_dict()
    lengths = die.info["cutback_lengths_um"]
    assert lengths["cut0"] < lengths["cut2"] < lengths["cut4"]
