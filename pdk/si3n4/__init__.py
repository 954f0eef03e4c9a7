"""Si3N4 microcomb platform: layers, layer stack, cross-sections, design rules and its PDK.

Importing this package activates nothing; entry points call ``get_pdk().activate()``.
"""

from __future__ import annotations

from functools import lru_cache

import gdsfactory as gf
from gdsfactory.get_factories import get_cells

from qkdchip.pdk.si3n4 import cross_sections
from qkdchip.pdk.si3n4.design_rules import design_rules
from qkdchip.pdk.si3n4.layer_stack import DEFAULT_THICKNESS_NM, FilmStack, film_stack, layer_stack
from qkdchip.pdk.si3n4.layers import LAYER, LAYER_VIEWS

PDK_NAME = "qkdchip_si3n4"

CROSS_SECTIONS: tuple[str, ...] = ("xs_sin_thin", "xs_sin_thick", "xs_heater", "xs_routing")
"""Names of the platform's own cross-sections (registered in its PDK)."""

__all__ = [
    "CROSS_SECTIONS",
    "DEFAULT_THICKNESS_NM",
    "LAYER",
    "LAYER_VIEWS",
    "PDK_NAME",
    "FilmStack",
    "design_rules",
    "film_stack",
    "get_pdk",
    "layer_stack",
]


@lru_cache(maxsize=4)
def get_pdk(thickness_nm: float = DEFAULT_THICKNESS_NM) -> gf.Pdk:
    """The Si3N4 gdsfactory PDK for a film of ``thickness_nm`` nm (built once, not activated).

    Registers every cell of ``qkdchip.components.si3n4``, the cross-sections of
    ``qkdchip.pdk.si3n4.cross_sections`` and the layer stack of that film thickness. gdsfactory's
    generic PDK is the base so generic sub-cells (straight, bend, taper) resolve.
    """
    from qkdchip.components import si3n4 as cells

    return gf.Pdk(
        name=PDK_NAME if thickness_nm == DEFAULT_THICKNESS_NM else f"{PDK_NAME}_{thickness_nm:g}nm",
        layers=LAYER,
        layer_views=LAYER_VIEWS,
        layer_stack=layer_stack(thickness_nm),
        cross_sections={name: getattr(cross_sections, name) for name in CROSS_SECTIONS},
        cells=get_cells(cells),
        base_pdks=[gf.gpdk.get_generic_pdk()],
    )
