"""Design rules of the Si3N4 platform (thin normal-dispersion and thick anomalous films).

No foundry manual is public for the reference chip; the numbers are indicative and each says
where it comes from. Bend radii depend on the film: a 100 nm film confines weakly, so its bends
must be large (the reference 30 GHz ring is ~1 mm in radius).
"""

from __future__ import annotations

from functools import lru_cache

from qkdchip.pdk.rules import DesignRules, EnclosureRule, LayerRule
from qkdchip.pdk.si3n4.layer_stack import DEFAULT_THICKNESS_NM, THICKNESS_RANGE_NM
from qkdchip.pdk.si3n4.layers import LAYER

THIN_FILM_MAX_NM = 400.0
"""Films up to this thickness use the thin-film (weak-confinement) bend rule."""
RULE_SET_FILMS_NM: tuple[tuple[str, float], ...] = (
    ("thin", DEFAULT_THICKNESS_NM),
    ("thick", 800.0),
)
"""One film of each distinct rule set (thin: up to ``THIN_FILM_MAX_NM``; thick: above), by name;
the KLayout technology ships a DRC deck for each."""


def _gds(name: str) -> tuple[int, int]:
    layer = getattr(LAYER, name)
    return (int(layer.layer), int(layer.datatype))


@lru_cache(maxsize=8)
def design_rules(thickness_nm: float = DEFAULT_THICKNESS_NM) -> DesignRules:
    """Design rules for a Si3N4 film of ``thickness_nm`` nm.

    Args:
        thickness_nm: film thickness in nm, within ``THICKNESS_RANGE_NM``.

    Returns:
        The platform's frozen rules.
    """
    low, high = THICKNESS_RANGE_NM
    if not low <= thickness_nm <= high:
        raise ValueError(f"thickness_nm={thickness_nm!r} is outside [{low}, {high}] nm")
    if thickness_nm <= THIN_FILM_MAX_NM:
        wg = LayerRule(
            layer="WG",
            gds=_gds("WG"),
            min_width_um=0.3,
            min_space_um=0.5,
            min_bend_radius_um=300.0,
            source=(
                "assumption: 0.3 µm width/0.5 µm space are DUV-stepper limits; 300 µm bend "
                "radius keeps radiation loss of a 100 nm x 2.8 µm core below the 1-2 dB/m "
                "material loss (Bauters et al., Opt. Express 19, 24090 (2011) use mm-scale bends); "
                "a 100 nm core narrower than 1 µm guides too weakly for a waveguide (the "
                "reference cores are 2.8 µm wide), so only taper tips may be narrower"
            ),
            min_waveguide_width_um=1.0,
        )
    else:
        wg = LayerRule(
            layer="WG",
            gds=_gds("WG"),
            min_width_um=0.3,
            min_space_um=0.3,
            min_bend_radius_um=50.0,
            source=(
                "assumption from thick-film kits: 0.236 µm coupler gap in cspdk SiN300, 0.7 µm "
                "gap and ~50 µm rings in public Ligentec AN800 user code (IPKISS); waveguides "
                ">= 0.6 µm: MPB (32 px/µm) of an 800 nm x w core in SiO2 at 1550 nm puts "
                "0.66/0.73/0.90 of the TE0 energy in the core at 0.5/0.6/1.0 µm (n_eff "
                "1.603/1.655/1.774 against 1.444), so narrower cores push the mode onto the "
                "sidewalls and into the oxide; only taper tips may be narrower (widths near the "
                "film thickness make TE0 and TM0 degenerate: both 1.729 at 0.8 µm)"
            ),
            min_waveguide_width_um=0.6,
        )
    return DesignRules(
        platform="si3n4",
        layers=(
            wg,
            LayerRule(
                layer="HEATER",
                gds=_gds("HEATER"),
                min_width_um=2.0,
                min_space_um=5.0,
                min_bend_radius_um=None,
                source="assumption: cspdk SiN heater is 2.5 µm wide; 5 µm space for lift-off",
            ),
            LayerRule(
                layer="ROUTING",
                gds=_gds("ROUTING"),
                min_width_um=5.0,
                min_space_um=5.0,
                min_bend_radius_um=None,
                source="assumption: cspdk SiN metal routing is 10 µm wide; 5 µm lift-off space",
            ),
            LayerRule(
                layer="PAD",
                gds=_gds("PAD"),
                min_width_um=50.0,
                min_space_um=20.0,
                min_bend_radius_um=None,
                source="assumption: wire-bond pads >= 50 µm (cspdk pads are 100 µm)",
            ),
        ),
        enclosures=(
            EnclosureRule(
                inner="PAD",
                outer="ROUTING",
                min_enclosure_um=2.0,
                source="assumption: passivation opening 2 µm inside the pad metal",
            ),
        ),
        gds_layers=tuple((name, _gds(name)) for name in ("WG", "HEATER", "ROUTING", "PAD")),
    )
