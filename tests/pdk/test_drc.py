"""DRC finds deliberately narrowed gaps and widths, enclosure errors, tight bends, narrow
waveguides, off-grid vertices and acute corners, and works hierarchically."""

from __future__ import annotations

import math
from pathlib import Path

import gdsfactory as gf
import klayout.db as kdb
import pytest

from qkdchip.components.si3n4 import edge_coupler, ring_point_coupled, ring_pulley
from qkdchip.pdk import inp, si3n4
from qkdchip.pdk.drc import (
    BEND_RADIUS_TOLERANCE,
    DrcReport,
    bend_radius_markers,
    rule_checks,
    run_drc,
    run_drc_gds,
)
from qkdchip.platforms import INP, SI3N4
from tests.pdk.broken_layouts import (
    THICK_FILM_NM,
    TILE_UM,
    bend,
    inp_layout,
    si3n4_layout,
    si3n4_thick_layout,
)


def _thick_ring(gap_um: float) -> gf.Component:
    # The 800 nm film allows 0.3 µm gaps, so the cell accepts what the 100 nm rules forbid; its
    # radius meets both films' bend rule.
    return ring_point_coupled(
        radius_um=400.0, width_um=1.6, gap_um=gap_um, thickness_nm=800.0, bus_width_um=1.2
    )


def test_narrowed_ring_gap_is_reported_at_the_coupler() -> None:
    thin_rules = si3n4.design_rules(100.0)
    assert run_drc(_thick_ring(0.6), thin_rules).clean
    report = run_drc(_thick_ring(0.4), thin_rules)
    assert set(report.counts) == {"WG.space"}
    bus_top = 0.6  # bus centre at y = 0, bus width 1.2 µm
    for v in report.violations:
        assert v.layer == "WG"
        assert 0.398 <= v.value < 0.5  # 0.4 µm at closest approach; 1 nm sampling
        assert v.limit == 0.5
        assert abs(v.y_um - (bus_top + 0.2)) < 0.3  # marker sits in the gap
        assert abs(v.x_um) < 30.0  # gap < 0.5 µm only within ~6 µm of closest approach
    assert min(v.value for v in report.violations) == pytest.approx(0.4, abs=0.002)


def test_narrowed_width_is_reported() -> None:
    INP.activate()
    c = gf.Component()
    c.add_polygon([(0, -1.0), (100, -1.0), (100, 1.0), (0, 1.0)], layer=inp.LAYER.WG_DEEP)
    c.add_polygon([(100, -0.3), (130, -0.3), (130, 0.3), (100, 0.3)], layer=inp.LAYER.WG_DEEP)
    report = run_drc(c, inp.design_rules())
    # 0.6 µm is below the 0.8 µm feature minimum and the 1.0 µm deep-waveguide minimum
    assert set(report.counts) == {"WG_DEEP.width", "WG_DEEP.waveguide_width"}
    assert report.counts["WG_DEEP.width"] >= 1
    assert all(100 <= v.x_um <= 130 for v in report.violations)
    assert all(v.value == pytest.approx(0.6) for v in report.violations)


def test_pad_enclosure_and_coverage() -> None:
    INP.activate()
    c = gf.Component()
    c.add_polygon([(0, 0), (100, 0), (100, 100), (0, 100)], layer=inp.LAYER.METAL_P)
    c.add_polygon([(1, 5), (95, 5), (95, 95), (1, 95)], layer=inp.LAYER.PAD)  # 1 µm at left
    c.add_polygon([(300, 0), (360, 0), (360, 60), (300, 60)], layer=inp.LAYER.PAD)  # no metal
    report = run_drc(c, inp.design_rules())
    assert report.counts["PAD.enclosure.METAL_P+METAL_N"] >= 1
    assert report.by_rule("PAD.enclosure.METAL_P+METAL_N")[0].x_um == pytest.approx(0.5)
    assert report.counts["PAD.not_inside.METAL_P+METAL_N"] == 1
    # the same opening on n-metal (a GSG ground pad) is legal
    c.add_polygon([(290, -10), (370, -10), (370, 70), (290, 70)], layer=inp.LAYER.METAL_N)
    report = run_drc(c, inp.design_rules())
    assert "PAD.not_inside.METAL_P+METAL_N" not in report.counts


def test_p_and_n_metal_separation_and_overlap() -> None:
    INP.activate()
    c = gf.Component()
    c.add_polygon([(0, 0), (50, 0), (50, 50), (0, 50)], layer=inp.LAYER.METAL_P)
    c.add_polygon([(53, 0), (100, 0), (100, 50), (53, 50)], layer=inp.LAYER.METAL_N)  # 3 µm
    c.add_polygon([(0, 100), (50, 100), (50, 150), (0, 150)], layer=inp.LAYER.METAL_P)
    c.add_polygon([(40, 140), (90, 140), (90, 190), (40, 190)], layer=inp.LAYER.METAL_N)
    report = run_drc(c, inp.design_rules())
    gap = report.by_rule("METAL_P.separation.METAL_N")
    assert len(gap) == 1
    assert gap[0].value == pytest.approx(3.0)
    assert (gap[0].x_um, gap[0].y_um) == pytest.approx((51.5, 25.0))
    overlap = report.by_rule("METAL_P.overlap.METAL_N")
    assert [(v.x_um, v.y_um) for v in overlap] == [(45.0, 145.0)]
    assert set(report.counts) == {"METAL_P.separation.METAL_N", "METAL_P.overlap.METAL_N"}


def test_hierarchical_chip_is_flattened_for_checks() -> None:
    thin_rules = si3n4.design_rules(100.0)
    parent = gf.Component()
    ref = parent << _thick_ring(0.4)
    ref.move((1000.0, 500.0))
    report = run_drc(parent, thin_rules)
    assert report.counts.get("WG.space", 0) > 0
    assert all(v.x_um > 900 and v.y_um > 400 for v in report.violations)


def test_space_between_separate_cells_is_checked() -> None:
    rules = si3n4.design_rules(800.0)
    parent = gf.Component()
    a = parent << ring_pulley(
        radius_um=100.0, width_um=1.6, gap_um=0.6, thickness_nm=800.0, bus_width_um=1.2
    )
    b = parent << ring_pulley(
        radius_um=100.0, width_um=1.6, gap_um=0.6, thickness_nm=800.0, bus_width_um=1.2
    )
    b.move((0.0, a.dbbox().top - b.dbbox().bottom + 0.1))  # 0.1 µm between the two cells
    assert run_drc(parent, rules).counts.get("WG.space", 0) > 0


def test_report_serialises_and_gds_entry_point(tmp_path: Path) -> None:
    c = _thick_ring(0.4)
    path = c.write_gds(gdspath=tmp_path / "ring.gds")
    from_file = run_drc_gds(path, si3n4.design_rules(100.0))
    in_memory = run_drc(c, si3n4.design_rules(100.0))
    assert isinstance(from_file, DrcReport)
    assert from_file.counts == in_memory.counts
    data = from_file.to_dict()
    assert data["count"] == from_file.count > 0
    assert "WG.space" in from_file.format()
    with pytest.raises(FileNotFoundError):
        run_drc_gds(tmp_path / "missing.gds", si3n4.design_rules())


@pytest.mark.parametrize(
    ("make", "rules"),
    [
        (inp_layout, inp.design_rules()),
        (si3n4_layout, si3n4.design_rules()),
        (si3n4_thick_layout, si3n4.design_rules(THICK_FILM_NM)),
    ],
    ids=["inp", "si3n4", "si3n4_thick"],
)
def test_each_broken_case_breaks_exactly_its_rules(make, rules) -> None:
    layout, cases = make()
    report = run_drc(layout.top_cell(), rules)
    for name, (x, expected) in cases.items():
        found = {v.rule for v in report.violations if x - 100 <= v.x_um < x + TILE_UM - 100}
        assert found == expected, name


def test_gdsfactory_generic_cells_fail_on_thin_si3n4() -> None:
    SI3N4.activate()
    rules = si3n4.design_rules(100.0)
    xs = gf.cross_section.strip(width=0.5, layer=si3n4.LAYER.WG)
    straight = run_drc(gf.components.straight(length=10, cross_section=xs), rules)
    assert straight.counts == {"WG.waveguide_width": 1}
    assert straight.violations[0].value == pytest.approx(0.5)
    bent = run_drc(gf.components.bend_circular(radius=10, cross_section=xs), rules)
    assert bent.counts["WG.bend_radius"] == 1
    (radius,) = bent.by_rule("WG.bend_radius")
    assert radius.value == pytest.approx(9.75, abs=0.05)  # the inner edge, 10 - 0.5/2 µm
    assert radius.limit == 300.0
    # gdsfactory's Euler bend is tighter than its nominal radius (53 % of it at p=1)
    euler = run_drc(gf.components.bend_euler(radius=400, cross_section=xs), rules)
    assert euler.by_rule("WG.bend_radius")[0].value < 300.0


def test_gdsfactory_generic_bend_fails_on_inp() -> None:
    INP.activate()
    xs = gf.cross_section.strip(width=2.0, layer=inp.LAYER.WG_DEEP)
    report = run_drc(gf.components.bend_circular(radius=10, cross_section=xs), inp.design_rules())
    assert report.counts == {"WG_DEEP.bend_radius": 1}


def _bend_layout(radius_um: float, width_um: float, gds: tuple[int, int]) -> kdb.Layout:
    layout = kdb.Layout()
    layout.dbu = 0.0001
    cell = layout.create_cell("BEND")
    cell.shapes(layout.layer(*gds)).insert(bend(0, 0, radius_um, width_um))
    return layout


@pytest.mark.parametrize(("thickness_nm", "width_um"), [(100.0, 2.8), (800.0, 1.6), (800.0, 2.0)])
def test_bend_at_the_minimum_radius_passes_and_a_tighter_one_fails(
    thickness_nm: float, width_um: float
) -> None:
    rules = si3n4.design_rules(thickness_nm)
    minimum = rules.layer("WG").min_bend_radius_um
    assert minimum is not None
    at_minimum = _bend_layout(minimum, width_um, rules.gds("WG"))
    assert run_drc(at_minimum.top_cell(), rules).clean
    tight = minimum * (1 - 2 * BEND_RADIUS_TOLERANCE)
    tighter = _bend_layout(tight, width_um, rules.gds("WG"))
    report = run_drc(tighter.top_cell(), rules)
    assert report.counts == {"WG.bend_radius": 1}
    assert report.violations[0].value == pytest.approx(tight - width_um / 2, rel=5e-3)


def _polyline_layout(points: list[tuple[float, float]], width_um: float) -> kdb.Layout:
    layout = kdb.Layout()
    cell = layout.create_cell("KINK")
    path = kdb.DPath([kdb.DPoint(x, y) for x, y in points], width_um)
    cell.shapes(layout.layer(1, 0)).insert(path.polygon().to_itype(layout.dbu))
    return layout


@pytest.mark.parametrize(("kink_deg", "reported"), [(3.0, False), (12.0, True)])
def test_a_kink_counts_as_a_bend_of_about_window_over_angle(
    kink_deg: float, reported: bool
) -> None:
    angle = math.radians(kink_deg)
    layout = _polyline_layout([(0, 0), (500, 0), (1000, 500 * math.tan(angle))], 2.0)
    report = run_drc(layout.top_cell(), inp.design_rules())
    assert ("WG_DEEP.bend_radius" in report.counts) is reported


def test_taper_tips_may_be_narrower_than_a_waveguide() -> None:
    SI3N4.activate()
    thin = si3n4.design_rules(100.0)
    assert run_drc(edge_coupler(tip_width_um=0.3, taper_length_um=200.0), thin).clean
    layout = kdb.Layout()
    cell = layout.create_cell("NARROW")
    cell.shapes(layout.layer(1, 0)).insert(kdb.DBox(0, -0.3, 50, 0.3).to_itype(layout.dbu))
    assert run_drc(cell, thin).counts == {"WG.waveguide_width": 1}
    thick = si3n4.design_rules(800.0)
    assert run_drc(cell, thick).clean  # 0.6 µm: the thick film's minimum
    coupler = edge_coupler(
        tip_width_um=0.3, taper_length_um=100.0, waveguide_width_um=1.6, thickness_nm=800.0
    )
    assert run_drc(coupler, thick).clean


@pytest.mark.parametrize(
    ("layer", "thickness_nm", "width_um", "minimum_um"),
    [("WG_DEEP", None, 0.9, 1.0), ("WG_SHALLOW", None, 1.2, 1.5), ("WG", 800.0, 0.5, 0.6)],
    ids=["inp_deep", "inp_shallow", "si3n4_thick"],
)
def test_too_narrow_straight_waveguide_carries_width_and_minimum(
    layer: str, thickness_nm: float | None, width_um: float, minimum_um: float
) -> None:
    rules = inp.design_rules() if thickness_nm is None else si3n4.design_rules(thickness_nm)
    layout = kdb.Layout()
    cell = layout.create_cell("NARROW")
    box = kdb.DBox(0, -width_um / 2, 200, width_um / 2)
    cell.shapes(layout.layer(*rules.gds(layer))).insert(box.to_itype(layout.dbu))
    report = run_drc(cell, rules)
    assert report.counts == {f"{layer}.waveguide_width": 1}
    (narrow,) = report.violations
    assert (narrow.value, narrow.limit) == (pytest.approx(width_um), minimum_um)
    assert (narrow.x_um, narrow.y_um) == pytest.approx((100.0, 0.0))


def test_off_grid_vertex_and_acute_corner_carry_their_values() -> None:
    layout, cases = inp_layout()
    report = run_drc(layout.top_cell(), inp.design_rules())
    (off,) = report.by_rule("WG_DEEP.off_grid")
    assert (off.value, off.limit) == (pytest.approx(0.0005), 0.001)
    assert off.x_um == pytest.approx(cases["off_grid"][0] + 100.0005)
    (corner,) = report.by_rule("METAL_P.acute_angle")
    assert (corner.value, corner.limit, corner.unit) == (pytest.approx(30.0, abs=0.01), 80.0, "deg")


def test_bend_markers_merge_one_bend_into_one_marker() -> None:
    layout = _bend_layout(20.0, 2.0, inp.design_rules().gds("WG_DEEP"))
    region = kdb.Region(layout.top_cell().begin_shapes_rec(layout.find_layer(1, 0)))
    markers = bend_radius_markers(region, 100.0, layout.dbu)
    assert len(markers) == 1
    assert markers[0][1] == pytest.approx(19.0, rel=1e-3)


def test_rule_checks_name_every_rule_once() -> None:
    rules = inp.design_rules()
    names = [check.rule for check in rule_checks(rules)]
    assert len(names) == len(set(names))
    assert "WG_DEEP.bend_radius" in names
    assert "PAD.bend_radius" not in names  # no radius rule on metal
    assert {"WG_DEEP.waveguide_width", "WG_SHALLOW.waveguide_width"} <= set(names)
    assert "METAL_P.waveguide_width" not in names  # metal has no waveguide rule
    assert run_drc(gf.Component(), rules).checked_rules == tuple(names)
