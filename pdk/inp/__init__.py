"""InP generic-integration transmitter platform: layers, stack, cross-sections, rules, PDK.

Importing this package activates nothing; entry points call ``get_pdk().activate()``.
"""

from __future__ import annotations

from functools import lru_cache

import gdsfactory as gf
from gdsfactory.get_factories import get_cells

from qkdchip.pdk.inp import cross_sections
from qkdchip.pdk.inp.cross_sections import LAYER_CROSS_SECTIONS
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.inp.layer_stack import EPI_STACK, EpiStack, layer_stack
from qkdchip.pdk.inp.layers import LAYER, LAYER_VIEWS
from qkdchip.pdk.wires import PdkConstants, RouteStyle, routing_strategies

PDK_NAME = "qkdchip_inp"

CROSS_SECTIONS: tuple[str, ...] = (
    "xs_inp_deep",
    "xs_inp_shallow",
    "xs_inp_metal",
    "xs_inp_metal_n",
)
"""Names of the platform's own cross-sections (registered in its PDK)."""

ROUTED_LAYERS: dict[str, str] = {"": "WG_DEEP", "_shallow": "WG_SHALLOW", "_electrical": "METAL_P"}
"""Routing-strategy suffix -> the layer it routes on (``route_bundle_shallow``, ...)."""

__all__ = [
    "CROSS_SECTIONS",
    "EPI_STACK",
    "LAYER",
    "LAYER_VIEWS",
    "PDK_NAME",
    "ROUTED_LAYERS",
    "EpiStack",
    "design_rules",
    "get_pdk",
    "layer_stack",
    "route_styles",
]


def route_styles() -> dict[str, RouteStyle]:
    """How each routed layer is routed: its cross-section, the layer's minimum bend radius
    (None for metal: wire corners) and its minimum space between the routes of a bundle."""
    rules = design_rules()
    styles = {}
    for suffix, layer in ROUTED_LAYERS.items():
        rule = rules.layer(layer)
        styles[suffix] = RouteStyle(
            LAYER_CROSS_SECTIONS[layer], rule.min_bend_radius_um, rule.min_space_um
        )
    return styles


@lru_cache(maxsize=1)
def get_pdk() -> gf.Pdk:
    """The InP gdsfactory PDK (built once, not activated).

    Registers every device cell of ``qkdchip.components.inp``, the whole chips and wafers
    (``qkdchip.circuits.wafers.INP_CHIP_CELLS``), the ``straight`` and ``bend_circular`` cells
    the routers draw with, the chip-level waveguide cells (``qkdchip.circuits.waveguides``),
    the cross-sections of ``qkdchip.pdk.inp.cross_sections``, the
    routing strategies of :func:`route_styles` (``qkdchip.pdk.wires``), the deep-to-shallow
    etch transition as the (WG_DEEP, WG_SHALLOW) layer transition and the circuit models
    (``qkdchip.simulations.circuit_models``), on top of gdsfactory's generic PDK.
    """
    from qkdchip.circuits import waveguides as chip_waveguides
    from qkdchip.circuits.wafers import INP_CHIP_CELLS
    from qkdchip.components import inp as cells
    from qkdchip.components.waveguides import bend_circular, straight
    from qkdchip.simulations.circuit_models import inp_models

    return gf.Pdk(
        name=PDK_NAME,
        layers=LAYER,
        layer_views=LAYER_VIEWS,
        layer_stack=layer_stack(),
        cross_sections={name: getattr(cross_sections, name) for name in CROSS_SECTIONS},
        cells={
            **get_cells(cells),
            "straight": straight,
            "bend_circular": bend_circular,
            **get_cells(chip_waveguides),
            **INP_CHIP_CELLS,
        },
        base_pdks=[gf.gpdk.get_generic_pdk()],
        routing_strategies=routing_strategies(route_styles()),
        layer_transitions={(LAYER.WG_DEEP, LAYER.WG_SHALLOW): "taper_deep_to_shallow"},
        constants=PdkConstants(layer_cross_sections=dict(LAYER_CROSS_SECTIONS)),
        models=inp_models(),
    )
