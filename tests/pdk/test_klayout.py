"""KLayout technology: the shipped files are the generated ones and KLayout reads them; the DRC
deck, run by the KLayout application, finds exactly what the Python DRC finds."""

from __future__ import annotations

import shutil
from pathlib import Path

import gdsfactory as gf
import klayout.db as kdb
import klayout.lay as lay
import klayout.rdb as rdb
import pytest

from qkdchip.pdk import klayout as tech_files
from qkdchip.pdk.drc import DrcReport, rule_checks, run_drc_gds
from qkdchip.pdk.rules import DesignRules
from qkdchip.platforms import INP, SI3N4, platform
from tests.pdk.broken_layouts import THICK_FILM_NM, inp_layout, si3n4_layout, si3n4_thick_layout

needs_klayout = pytest.mark.skipif(
    shutil.which("klayout") is None,
    reason="needs the KLayout application (Debian: apt-get install klayout)",
)


@pytest.mark.parametrize("name", tech_files.PLATFORMS)
def test_shipped_files_are_what_the_rule_table_generates(name: str) -> None:
    tech = tech_files.technology(name)
    folder = tech.shipped_folder
    shipped = {
        path.relative_to(folder).as_posix(): path.read_text("utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    assert shipped == tech.files()


@pytest.mark.parametrize("name", tech_files.PLATFORMS)
def test_klayout_reads_the_technology_and_its_layers(name: str) -> None:
    tech = tech_files.technology(name)
    lyt = tech.shipped_folder / f"{tech.name}.lyt"
    loaded = kdb.Technology.create_technology(f"test_{tech.name}")
    try:
        loaded.load(str(lyt))
        assert loaded.name == tech.name
        assert loaded.dbu == pytest.approx(0.001)
        lyp = Path(loaded.eff_layer_properties_file())
        assert lyp.resolve() == (tech.shipped_folder / f"{tech.name}.lyp").resolve()
    finally:
        kdb.Technology.remove_technology(f"test_{tech.name}")
    view = lay.LayoutView()
    view.load_layer_props(str(lyp))
    sources = {layer.name: layer.source for layer in view.each_layer()}
    layer_map = platform(name).get_pdk().layers
    for layer in layer_map:
        assert sources[layer.name] == f"{layer.layer}/{layer.datatype}@1"


def test_every_rule_is_in_its_deck() -> None:
    tech = tech_files.technology("si3n4")
    for stem, rules in tech.decks:
        deck = tech.files()[f"drc/{stem}.drc"]
        for check in rule_checks(rules):
            assert f'.output("{check.rule}", "{check.description}")' in deck
        for layer, (number, datatype) in rules.gds_layers:
            assert f"l_{layer.lower()} = input({number}, {datatype})" in deck
    thin, thick = (rules for _, rules in tech.decks)
    assert thin.layer("WG").min_bend_radius_um == 300.0
    assert thick.layer("WG").min_bend_radius_um == 50.0


def test_read_report_gives_rule_and_marker_centre(tmp_path: Path) -> None:
    db = rdb.ReportDatabase("test")
    category = db.create_category("WG.width")
    cell = db.create_cell("TOP")
    pair = kdb.DEdgePair(kdb.DEdge(0, 0, 10, 0), kdb.DEdge(10, 0.2, 0, 0.2))
    db.create_item(cell, category).add_value(pair)
    db.create_item(cell, category).add_value(kdb.DPolygon(kdb.DBox(1, 1, 3, 5)))
    db.save(str(tmp_path / "r.lyrdb"))
    assert tech_files.read_report(tmp_path / "r.lyrdb") == (
        tech_files.DeckMarker("WG.width", 5.0, 0.1),
        tech_files.DeckMarker("WG.width", 2.0, 3.0),
    )


def test_running_the_deck_needs_the_application(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="pip package"):
        tech_files.run_deck(
            tmp_path / "d.drc", tmp_path / "x.gds", tmp_path / "r.lyrdb", executable="no-klayout"
        )


def _markers(report: DrcReport) -> list[tuple[str, float, float]]:
    return sorted((v.rule, round(v.x_um, 3), round(v.y_um, 3)) for v in report.violations)


def _deck_markers(deck: tuple[tech_files.DeckMarker, ...]) -> list[tuple[str, float, float]]:
    return sorted((m.rule, round(m.x_um, 3), round(m.y_um, 3)) for m in deck)


def _compare(gds: Path, rules: DesignRules, tmp_path: Path) -> DrcReport:
    deck = tmp_path / f"{gds.stem}.drc"
    deck.write_text(tech_files.drc_deck(rules, name=gds.stem), "utf-8")
    found = tech_files.run_deck(deck, gds, tmp_path / f"{gds.stem}.lyrdb")
    python = run_drc_gds(gds, rules)
    assert _deck_markers(found) == _markers(python)
    return python


_EVERY_KIND = {
    "width",
    "waveguide_width",
    "space",
    "enclosure",
    "not_inside",
    "bend_radius",
    "off_grid",
    "acute_angle",
}


@needs_klayout
@pytest.mark.parametrize(
    ("make", "rules", "kinds"),
    [
        (inp_layout, INP.design_rules(), _EVERY_KIND),
        (si3n4_layout, SI3N4.design_rules(), _EVERY_KIND),
        (
            si3n4_thick_layout,
            SI3N4.design_rules(THICK_FILM_NM),
            {"width", "waveguide_width", "bend_radius"},
        ),
    ],
    ids=["inp", "si3n4", "si3n4_thick"],
)
def test_deck_and_python_find_the_same_violations(make, rules, kinds, tmp_path: Path) -> None:
    layout, cases = make()
    gds = tmp_path / "broken.gds"
    layout.write(str(gds))
    report = _compare(gds, rules, tmp_path)
    assert {rule.split(".")[1] for rule in report.counts} >= kinds


@needs_klayout
def test_deck_flags_narrow_waveguides_but_not_taper_tips(tmp_path: Path) -> None:
    layout, cases = inp_layout()
    gds = tmp_path / "broken_inp.gds"
    layout.write(str(gds))
    deck = tmp_path / "inp.drc"
    deck.write_text(tech_files.drc_deck(INP.design_rules(), name="inp"), "utf-8")
    found = tech_files.run_deck(deck, gds, tmp_path / "inp.lyrdb")

    def rules_in(case: str) -> set[str]:
        x, _ = cases[case]
        return {m.rule for m in found if x - 100 <= m.x_um < x + 900}

    assert rules_in("waveguide_width") == {"WG_DEEP.waveguide_width"}
    assert rules_in("shallow_waveguide_width") == {"WG_SHALLOW.waveguide_width"}
    for control in ("control_waveguide_at_minimum", "control_taper", "control_shallow_taper"):
        assert rules_in(control) == set(), control


@needs_klayout
def test_deck_flags_gdsfactory_generic_cells_on_thin_si3n4(tmp_path: Path) -> None:
    SI3N4.activate()
    xs = gf.cross_section.strip(width=0.5, layer=(1, 0))
    c = gf.Component()
    c << gf.components.straight(length=10, cross_section=xs)
    (c << gf.components.bend_circular(radius=10, cross_section=xs)).move((0, 100))
    gds = Path(c.write_gds(tmp_path / "generic.gds", with_metadata=False))
    report = _compare(gds, SI3N4.design_rules(), tmp_path)
    assert set(report.counts) == {"WG.waveguide_width", "WG.bend_radius"}
