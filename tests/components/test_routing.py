"""PDK wiring: ports name registered cross-sections, routing strategies route two ports on
each platform DRC-clean at the minimum bend radius, and the deep-to-shallow transition."""

from __future__ import annotations

import warnings
from typing import Any

import gdsfactory as gf
import klayout.db as kdb
import pytest

from qkdchip.circuits.waveguides import straight_link
from qkdchip.components.registry import build_cell, device_cell_names, rules_for
from qkdchip.components.waveguides import straight
from qkdchip.pdk import inp, si3n4
from qkdchip.pdk.drc import run_drc
from qkdchip.platforms import INP, SI3N4, platform_of_cell


def _strategy(name: str) -> Any:
    return gf.get_active_pdk().routing_strategies[name]


def _bend_radii(c: gf.Component) -> set[float]:
    return {float(i.cell.info["radius"]) for i in c.insts if i.cell.name.startswith("bend_circ")}


@pytest.mark.parametrize("cell", device_cell_names())
def test_every_port_names_a_registered_cross_section_of_its_layer(cell: str) -> None:
    component = build_cell(cell)
    pdk = gf.get_active_pdk()
    for port in component.ports:
        name = port.info["cross_section"]
        assert name in pdk.cross_sections, (cell, port.name, name)
        assert gf.get_layer(gf.get_cross_section(name).layer) == port.layer, (cell, port.name)


@pytest.mark.parametrize("chip", ["transmitter_chip", "comb_chip"])
def test_chip_ports_name_registered_cross_sections(chip: str) -> None:
    component = build_cell(chip)
    names = {p.name: p.info["cross_section"] for p in component.ports}
    pdk = gf.get_active_pdk()
    assert set(names.values()) <= set(pdk.cross_sections)
    optical = {p.info["cross_section"] for p in component.ports if p.port_type != "electrical"}
    assert optical == ({"xs_inp_deep"} if chip == "transmitter_chip" else {"xs_sin_thin"})


def test_each_pdk_registers_its_strategies_with_its_rules() -> None:
    for pdk, rules, expected in (
        (inp.get_pdk(), inp.design_rules(), {"": "WG_DEEP", "_shallow": "WG_SHALLOW"}),
        (si3n4.get_pdk(800.0), si3n4.design_rules(800.0), {"": "WG"}),
    ):
        strategies = pdk.routing_strategies
        for suffix, layer in expected.items():
            for kind in ("route_single", "route_bundle"):
                keywords = strategies[f"{kind}{suffix}"].keywords
                assert keywords["radius"] == rules.layer(layer).min_bend_radius_um
                assert keywords["bend"] == "bend_circular"
        assert "route_bundle_electrical" in strategies
    assert si3n4.get_pdk(800.0).routing_strategies["route_single"].keywords["cross_section"] == (
        "xs_sin_thick"
    )


def _links(c: gf.Component, xs: str, width: float, places: list[tuple[float, float]]) -> list:
    refs = []
    for x, y in places:
        ref = c << straight_link(length=20.0, width=width, cross_section=xs)
        ref.move((x, y))
        refs.append(ref)
    return refs


@pytest.mark.pdk("inp")
def test_inp_route_single_and_bundle_are_drc_clean_at_the_minimum_radius() -> None:
    INP.activate()
    rules = inp.design_rules()
    c = gf.Component()
    a, b, d, e = _links(c, "xs_inp_deep", 2.0, [(0, 0), (0, 40), (700, 600), (700, 660)])
    _strategy("route_bundle")(c, [a.ports["o2"], b.ports["o2"]], [d.ports["o1"], e.ports["o1"]])
    f, g = _links(c, "xs_inp_deep", 2.0, [(0, 1000), (900, 1500)])
    _strategy("route_single")(c, f.ports["o2"], g.ports["o1"])
    assert _bend_radii(c) == {rules.layer("WG_DEEP").min_bend_radius_um}
    report = run_drc(c, rules)
    assert report.clean, report.format()


@pytest.mark.pdk("inp")
def test_inp_bundle_too_tight_for_the_space_rule_is_caught() -> None:
    """The DRC above can fail: routes of a bundle closer than the space rule are caught."""
    INP.activate()
    c = gf.Component()
    a, b, d, e = _links(c, "xs_inp_deep", 2.0, [(0, 0), (0, 40), (700, 600), (700, 660)])
    tight = inp.design_rules().layer("WG_DEEP").min_space_um / 2
    _strategy("route_bundle")(
        c, [a.ports["o2"], b.ports["o2"]], [d.ports["o1"], e.ports["o1"]], separation=tight
    )
    assert "WG_DEEP.space" in run_drc(c, inp.design_rules()).counts


@pytest.mark.pdk("inp")
def test_inp_shallow_route_from_deep_ports_gets_two_etch_transitions() -> None:
    INP.activate()
    c = gf.Component()
    a, b = _links(c, "xs_inp_deep", 2.0, [(0, 0), (2000, 1500)])
    _strategy("route_single_shallow")(c, a.ports["o2"], b.ports["o1"])
    names = [i.cell.name for i in c.insts]
    assert sum(n.startswith("taper_deep_to_shallow") for n in names) == 2
    assert _bend_radii(c) == {inp.design_rules().layer("WG_SHALLOW").min_bend_radius_um}
    report = run_drc(c, inp.design_rules())
    assert report.clean, report.format()


@pytest.mark.pdk("inp")
def test_inp_electrical_routes_are_drc_clean_on_p_metal() -> None:
    INP.activate()
    from qkdchip.components.inp import pad_dc

    c = gf.Component()
    p1, p2, p3 = (c << pad_dc() for _ in range(3))
    p2.move((500, 300))
    p3.move((0, 600))
    _strategy("route_bundle_electrical")(c, [p1.ports["e3"]], [p2.ports["e1"]])
    _strategy("route_single_electrical")(c, p3.ports["e3"], p2.ports["e2"])
    metal = kdb.Region(c.begin_shapes_rec(gf.get_layer("METAL_P"))).merged()
    assert metal.count() == 1  # the three pads joined by the two wires
    report = run_drc(c, inp.design_rules())
    assert report.clean, report.format()


def test_si3n4_optical_and_electrical_routes_are_drc_clean() -> None:
    SI3N4.activate()
    rules = si3n4.design_rules()
    c = gf.Component()
    a, b = _links(c, "xs_sin_thin", 2.8, [(0, 0), (1500, 1200)])
    _strategy("route_single")(c, a.ports["o2"], b.ports["o1"])
    m1, m2 = (c << straight(length=20.0, cross_section="xs_routing") for _ in range(2))
    m1.move((0, 2000))
    m2.move((800, 2400))
    _strategy("route_bundle_electrical")(c, [m1.ports["e2"]], [m2.ports["e1"]])
    assert _bend_radii(c) == {rules.layer("WG").min_bend_radius_um}
    report = run_drc(c, rules)
    assert report.clean, report.format()


@pytest.mark.pdk("inp")
def test_a_yaml_circuit_routes_by_strategy_name_and_round_trips() -> None:
    INP.activate()
    yaml = """
name: routed_mmis
instances:
  split: {component: mmi1x2}
  pm_a: {component: phase_modulator, settings: {length_um: 200}}
  pm_b: {component: phase_modulator, settings: {length_um: 200}}
placements:
  pm_a: {x: 500, y: 300}
  pm_b: {x: 500, y: 350}
routes:
  arms:
    routing_strategy: route_bundle
    links:
      split,o2: pm_b,o1
      split,o3: pm_a,o1
"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # instance labels: no LABEL_INSTANCE layer
        c = gf.read.from_yaml(yaml)
    assert _bend_radii(c) == {inp.design_rules().layer("WG_DEEP").min_bend_radius_um}
    report = run_drc(c, inp.design_rules())
    assert report.clean, report.format()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        netlist = c.get_netlist()
        rebuilt = gf.read.from_yaml(c.write_netlist(netlist)).get_netlist()
    assert rebuilt["instances"] == netlist["instances"]


@pytest.mark.pdk("inp")
def test_etch_transition_geometry_and_registration() -> None:
    INP.activate()
    from qkdchip.components.inp import taper_deep_to_shallow

    c = taper_deep_to_shallow(width1=2.0, width2=3.0, length_um=100.0, deep_window_um=5.0)
    o1, o2 = c.ports["o1"], c.ports["o2"]
    assert (gf.get_layer_name(o1.layer), o1.width, o1.info["cross_section"]) == (
        "WG_DEEP",
        2.0,
        "xs_inp_deep",
    )
    assert (gf.get_layer_name(o2.layer), o2.width, o2.info["cross_section"]) == (
        "WG_SHALLOW",
        3.0,
        "xs_inp_shallow",
    )
    deep = kdb.Region(c.begin_shapes_rec(gf.get_layer("WG_DEEP"))).merged()
    shallow = kdb.Region(c.begin_shapes_rec(gf.get_layer("WG_SHALLOW"))).merged()
    assert deep.bbox().height() * c.kcl.dbu == pytest.approx(3.0 + 2 * 5.0)
    assert (shallow - deep).is_empty()  # the shallow ridge lies inside the deep-etch edges
    assert deep.area() * c.kcl.dbu**2 == pytest.approx(100.0 * (2.0 + 13.0) / 2, rel=1e-3)
    transitions = inp.get_pdk().layer_transitions
    assert transitions[(inp.LAYER.WG_DEEP, inp.LAYER.WG_SHALLOW)] == "taper_deep_to_shallow"
    assert run_drc(c, rules_for("taper_deep_to_shallow")).clean


@pytest.mark.parametrize("chip", ["transmitter_chip", "inp_wafer", "comb_chip", "si3n4_wafer"])
def test_chips_and_wafers_are_cells_of_their_platform_pdk(chip: str) -> None:
    platform = platform_of_cell(chip)
    assert platform is (INP if chip in ("transmitter_chip", "inp_wafer") else SI3N4)
    assert platform.get_pdk().cells[chip] is platform.cell(chip)
    assert (platform.cell(chip).__doc__ or "").strip()  # ``qkdchip mask --list`` shows it
