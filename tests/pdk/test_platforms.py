"""Platform PDKs: no activation at import, film thickness parameter, rules with sources."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qkdchip.components.registry import cell_names
from qkdchip.pdk import inp, si3n4
from qkdchip.pdk.materials import MATERIALS
from qkdchip.platforms import INP, SI3N4


def test_import_activates_nothing() -> None:
    code = (
        "import gdsfactory as gf, qkdchip.pdk.si3n4 as s, qkdchip.pdk.inp as i\n"
        "s.get_pdk(); i.get_pdk()\n"
        "try:\n    gf.get_active_pdk()\nexcept ValueError:\n    print('inactive')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("inactive")


@pytest.mark.parametrize("thickness_nm", [100.0, 800.0])
def test_si3n4_stack_thickness(thickness_nm: float) -> None:
    stack = si3n4.layer_stack(thickness_nm)
    assert stack.layers["core"].thickness == pytest.approx(thickness_nm * 1e-3)
    assert stack.layers["core"].material in MATERIALS
    pdk = si3n4.get_pdk(thickness_nm)
    assert pdk.layer_stack.layers["core"].thickness == pytest.approx(thickness_nm * 1e-3)
    assert si3n4.get_pdk(thickness_nm) is pdk  # cached


def test_thin_and_thick_rules_differ_in_bend_radius() -> None:
    thin = si3n4.design_rules(100.0).layer("WG").min_bend_radius_um
    thick = si3n4.design_rules(800.0).layer("WG").min_bend_radius_um
    assert thin is not None
    assert thick is not None
    assert thin > thick


def test_bad_thickness_raises() -> None:
    with pytest.raises(ValueError, match="thickness_nm"):
        si3n4.layer_stack(5.0)
    with pytest.raises(ValueError, match="thickness_nm"):
        si3n4.design_rules(3000.0)


@pytest.mark.parametrize(
    "rules", [si3n4.design_rules(), si3n4.design_rules(800.0), inp.design_rules()]
)
def test_every_rule_has_a_source_and_known_layer(rules) -> None:  # type: ignore[no-untyped-def]
    for rule in rules.layers:
        assert rule.source
        assert rules.gds(rule.layer) == rule.gds
    for enc in rules.enclosures:
        assert enc.source
    for sep in rules.separations:
        assert sep.source
        assert rules.separation(sep.layer_b, sep.layer_a) is sep
    assert rules.to_dict()["platform"] == rules.platform


def test_rule_lookup_names_bad_layer() -> None:
    with pytest.raises(ValueError, match="layer"):
        inp.design_rules().layer("NOPE")
    with pytest.raises(ValueError, match="layer_a='WG'"):
        si3n4.design_rules().separation("WG", "HEATER")


def test_bad_separation_rules_raise() -> None:
    from qkdchip.pdk.rules import DesignRules, SeparationRule

    with pytest.raises(ValueError, match="min_space_um"):
        SeparationRule("METAL_P", "METAL_N", 0.0, "test")
    with pytest.raises(ValueError, match="must differ"):
        SeparationRule("METAL_P", "METAL_P", 5.0, "test")
    with pytest.raises(ValueError, match="'NOPE' not in gds_layers"):
        DesignRules(
            "inp", (), (), (("METAL_P", (20, 0)),), (SeparationRule("METAL_P", "NOPE", 5.0, "t"),)
        )


def test_pdks_register_their_cells_and_cross_sections() -> None:
    s, i = si3n4.get_pdk(), inp.get_pdk()
    for name in cell_names(SI3N4):
        assert name in s.cells
    for name in cell_names(INP):
        assert name in i.cells
    for name in si3n4.CROSS_SECTIONS:
        assert name in s.cross_sections
    for name in inp.CROSS_SECTIONS:
        assert name in i.cross_sections


def test_cross_sections_set_platform_radii() -> None:
    si3n4.get_pdk().activate()
    from qkdchip.pdk.inp.cross_sections import xs_inp_deep
    from qkdchip.pdk.si3n4.cross_sections import xs_routing, xs_sin_thin

    assert xs_sin_thin().radius_min == si3n4.design_rules().layer("WG").min_bend_radius_um
    assert xs_inp_deep().radius_min == inp.design_rules().layer("WG_DEEP").min_bend_radius_um
    assert xs_routing().radius is None


def test_inp_epi_stack_is_consistent() -> None:
    epi = inp.EPI_STACK
    assert epi.shallow_etch_um < epi.top_um < epi.deep_etch_um
    with pytest.raises(ValueError, match="deep_etch_um"):
        inp.EpiStack(deep_etch_um=1.0)


@pytest.mark.parametrize("platform", [si3n4, inp])
def test_klayout_layer_properties_list_every_layer(platform, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from xml.etree import ElementTree

    path = platform.layers.write_lyp(str(tmp_path / "layers.lyp"))
    root = ElementTree.parse(path).getroot()
    sources = {p.findtext("source") for p in root.iter("properties")}
    for layer in platform.LAYER:
        assert f"{layer.layer}/{layer.datatype}@1" in sources


@pytest.mark.parametrize("platform", [si3n4, inp])
def test_layer_properties_use_klayout_dither_names(platform, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every hatch is a KLayout built-in name: no warning on export, names survive a round trip."""
    import warnings

    from gdsfactory.technology import LayerViews

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # gdsfactory warns and falls back to 'I3' for unknown names
        path = platform.layers.write_lyp(str(tmp_path / "layers.lyp"))
    views = platform.layers.LAYER_VIEWS.layer_views
    read = LayerViews.from_lyp(path).layer_views
    assert {n: v.hatch_pattern for n, v in read.items()} == {
        n: v.hatch_pattern for n, v in views.items()
    }


def test_unknown_dither_name_is_caught(tmp_path: Path) -> None:
    """The check above can fail: an underscore name is not a KLayout pattern."""
    from gdsfactory.technology import LayerView, LayerViews

    class Bad(LayerViews):
        METAL: LayerView = LayerView(layer=(20, 0), hatch_pattern="left_hatched")

    with pytest.warns(UserWarning, match="left_hatched"):
        Bad().to_lyp(tmp_path / "bad.lyp")


def test_bad_waveguide_width_and_shape_rules_raise() -> None:
    from qkdchip.pdk.rules import LayerRule, ShapeRule

    with pytest.raises(ValueError, match=r"min_waveguide_width_um=0.2 .* must be > min_width_um"):
        LayerRule("WG", (1, 0), 0.3, 0.5, 300.0, "t", min_waveguide_width_um=0.2)
    with pytest.raises(ValueError, match="grid_um=0"):
        ShapeRule(grid_um=0.0, min_angle_deg=80.0, source="t")
    with pytest.raises(ValueError, match=r"min_angle_deg=95.0 is outside \(0, 90\]"):
        ShapeRule(grid_um=0.001, min_angle_deg=95.0, source="t")


def test_activated_restores_the_pdk_active_before_even_on_error() -> None:
    import gdsfactory as gf

    SI3N4.activate()
    before = gf.get_active_pdk()
    with INP.activated() as pdk:
        assert gf.get_active_pdk() is pdk
        assert pdk.name != before.name
    assert gf.get_active_pdk() is before
    with pytest.raises(RuntimeError, match="inside"), INP.activated():
        raise RuntimeError("inside")
    assert gf.get_active_pdk() is before
