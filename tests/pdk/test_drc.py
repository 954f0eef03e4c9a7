"""DRC finds deliberately narrowed gaps and widths, enclosure errors, and works hierarchically."""

from __future__ import annotations

from pathlib import Path

import gdsfactory as gf
import pytest

from qkdchip.components.si3n4 import ring_point_coupled, ring_pulley
from qkdchip.pdk import inp, si3n4
from qkdchip.pdk.drc import DrcReport, run_drc, run_drc_gds
from qkdchip.platforms import INP


def _thick_ring(gap_um: float) -> gf.Component:
    # The 800 nm film allows 0.3 µm gaps, so the cell accepts what the 100 nm rules forbid.
    return ring_point_coupled(
        radius_um=200.0, width_um=1.6, gap_um=gap_um, thickness_nm=800.0, bus_width_um=1.2
    )


def test_narrowed_ring_gap_is_reported_at_the_coupler() -> None:
    thin_rules = si3n4.design_rules(100.0)
    assert run_drc(_thick_ring(0.6), thin_rules).clean
    report = run_drc(_thick_ring(0.4), thin_rules)
    assert set(report.counts) == {"WG.space"}
    bus_top = 0.6  # bus centre at y = 0, bus width 1.2 µm
    for v in report.violations:
        assert v.layer == "WG"
        assert 0.398 <= v.value_um < 0.5  # 0.4 µm at closest approach; 1 nm sampling
        assert v.limit_um == 0.5
        assert abs(v.y_um - (bus_top + 0.2)) < 0.3  # marker sits in the gap
        assert abs(v.x_um) < 30.0  # gap < 0.5 µm only within ~6 µm of closest approach
    assert min(v.value_um for v in report.violations) == pytest.approx(0.4, abs=0.002)


def test_narrowed_width_is_reported() -> None:
    INP.activate()
    c = gf.Component()
    c.add_polygon([(0, -1.0), (100, -1.0), (100, 1.0), (0, 1.0)], layer=inp.LAYER.WG_DEEP)
    c.add_polygon([(100, -0.3), (130, -0.3), (130, 0.3), (100, 0.3)], layer=inp.LAYER.WG_DEEP)
    report = run_drc(c, inp.design_rules())
    assert report.counts == {"WG_DEEP.width": report.count}
    assert report.count >= 1
    assert all(100 <= v.x_um <= 130 for v in report.violations)
    assert report.violations[0].value_um == pytest.approx(0.6)


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
    assert gap[0].value_um == pytest.approx(3.0)
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
