"""Design rules of the InP platform.

Indicative generic-integration numbers (no foundry manual is public for the reference chip);
each rule says where it comes from.
"""

from __future__ import annotations

from functools import lru_cache

from qkdchip.pdk.inp.layers import LAYER
from qkdchip.pdk.rules import DesignRules, EnclosureRule, LayerRule, SeparationRule

_NAMES = (
    "WG_DEEP",
    "WG_SHALLOW",
    "ACTIVE",
    "PIN",
    "GRATING",
    "ISOLATION",
    "METAL_P",
    "METAL_N",
    "PAD",
)


def _gds(name: str) -> tuple[int, int]:
    layer = getattr(LAYER, name)
    return (int(layer.layer), int(layer.datatype))


def _rule(
    name: str,
    width: float,
    space: float,
    radius: float | None,
    source: str,
    waveguide: float | None = None,
) -> LayerRule:
    return LayerRule(
        layer=name,
        gds=_gds(name),
        min_width_um=width,
        min_space_um=space,
        min_bend_radius_um=radius,
        source=source,
        min_waveguide_width_um=waveguide,
    )


@lru_cache(maxsize=1)
def design_rules() -> DesignRules:
    """The InP platform's frozen design rules."""
    return DesignRules(
        platform="inp",
        layers=(
            _rule(
                "WG_DEEP",
                0.8,
                0.8,
                100.0,
                "assumption: Nazca demofab deep waveguide 1.5 µm with R 75 µm, HHI E1700 "
                "2.3 µm with R >= 250 µm (hhi PDK code); 100 µm radius, 0.8 µm litho width/space; "
                "waveguides >= 1.0 µm: MPB (24 px/µm) of the deep ridge on EPI_STACK at 1550 nm "
                "gives n_eff 3.159/3.178/3.192 at 0.8/0.9/1.0 µm against 3.165 for InP, so below "
                "~0.85 µm the mode sinks under the substrate index and leaks through the 1 µm of "
                "InP the deep etch leaves under the core; only taper tips (SSC) may be narrower",
                waveguide=1.0,
            ),
            _rule(
                "WG_SHALLOW",
                1.0,
                1.0,
                500.0,
                "assumption: Nazca demofab shallow 3.0 µm / R 200 µm, HHI E200 2.0 µm and E600 "
                "2.1 µm with R >= 450 µm (hhi PDK code); waveguides >= 1.5 µm: the shallow etch "
                "confines laterally only against the etched slab (TE index 3.201: 0.4 µm core "
                "under air); MPB (24 px/µm) on EPI_STACK at 1550 nm gives n_eff 3.227/3.245/3.253 "
                "at 1.0/1.5/2.0 µm, so 1.5 µm keeps 84 % of the 2.0 µm ridge's lateral index "
                "margin on which the 500 µm bend radius rests; only taper tips may be narrower",
                waveguide=1.5,
            ),
            _rule("ACTIVE", 5.0, 5.0, None, "assumption: butt-joint regrowth window >= 5 µm"),
            _rule("PIN", 5.0, 5.0, None, "assumption: doping window >= 5 µm"),
            _rule(
                "GRATING",
                0.08,
                0.08,
                None,
                "assumption: e-beam written first-order teeth (~120 nm at 239 nm period)",
            ),
            _rule("ISOLATION", 10.0, 5.0, None, "assumption: Nazca isolation 20 µm; min 10 µm"),
            _rule("METAL_P", 2.0, 5.0, None, "assumption: lift-off p-metal, 5 µm space"),
            _rule("METAL_N", 2.0, 5.0, None, "assumption: lift-off n-metal, 5 µm space"),
            _rule(
                "PAD",
                50.0,
                20.0,
                None,
                "assumption: HHI DC pads 66 µm at 150 µm pitch; >= 50 µm for probing/bonding",
            ),
        ),
        enclosures=(
            EnclosureRule(
                inner="PAD",
                outer=("METAL_P", "METAL_N"),
                min_enclosure_um=2.0,
                source="assumption: pad plating/opening 2 µm inside the contact metal (p or n)",
            ),
        ),
        separations=(
            SeparationRule(
                layer_a="METAL_P",
                layer_b="METAL_N",
                min_space_um=5.0,
                source="assumption: p- and n-metal lift-off, same 5 µm space as within a layer; "
                "touching would short the p-i-n junctions",
            ),
        ),
        gds_layers=tuple((name, _gds(name)) for name in _NAMES),
    )
