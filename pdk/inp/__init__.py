"""InP generic-integration transmitter platform: layers, stack, cross-sections, rules, PDK.

Importing this package activates nothing; entry points call ``get_pdk().activate()``.
"""

from __future__ import annotations

from functools import lru_cache

import gdsfactory as gf
from gdsfactory.get_factories import get_cells

from qkdchip.pdk.inp import cross_sections
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.inp.layer_stack import EPI_STACK, EpiStack, layer_stack
from qkdchip.pdk.inp.layers import LAYER, LAYER_VIEWS

PDK_NAME = "qkdchip_inp"

CROSS_SECTIONS: tuple[str, ...] = ("xs_inp_deep", "xs_inp_shallow", "xs_inp_metal")
"""Names of the platform's own cross-sections (registered in its PDK)."""

__all__ = [
    "CROSS_SECTIONS",
    "EPI_STACK",
    "LAYER",
    "LAYER_VIEWS",
    "PDK_NAME",
    "EpiStack",
    "design_rules",
    "get_pdk",
    "layer_stack",
]


@lru_cache(maxsize=1)
def get_pdk() -> gf.Pdk:
    """The InP gdsfactory PDK (built once, not activated).

    Registers every cell of ``qkdchip.components.inp`` and the cross-sections of
    ``qkdchip.pdk.inp.cross_sections``, on top of gdsfactory's generic PDK.
    """
    from qkdchip.components import inp as cells

    return gf.Pdk(
        name=PDK_NAME,
        layers=LAYER,
        layer_views=LAYER_VIEWS,
        layer_stack=layer_stack(),
        cross_sections={name: getattr(cross_sections, name) for name in CROSS_SECTIONS},
        cells=get_cells(cells),
        base_pdks=[gf.gpdk.get_generic_pdk()],
    )
