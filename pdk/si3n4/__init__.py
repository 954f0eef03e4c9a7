"""Si3N4 microcomb platform: layers, layer stack, cross-sections, design rules and its PDK.

Importing this package activates nothing; entry points call ``get_pdk().activate()``.
"""

from __future__ import annotations

from functools import lru_cache

import gdsfactory as gf
from gdsfactory.get_factories import get_cells

from qkdchip.pdk.si3n4 import cross_sections
from qkdchip.pdk.si3n4.cross_sections import layer_cross_sections
from qkdchip.pdk.si3n4.design_rules import design_rules
from qkdchip.pdk.si3n4.layer_stack import DEFAULT_THICKNESS_NM, FilmStack, film_stack, layer_stack
from qkdchip.pdk.si3n4.layers import LAYER, LAYER_VIEWS
from qkdchip.pdk.wires import PdkConstants, RouteStyle, routing_strategies

PDK_NAME = "qkdchip_si3n4"

CROSS_SECTIONS: tuple[str, ...] = ("xs_sin_thin", "xs_sin_thick", "xs_heater", "xs_routing")
"""Names of the platform's own cross-sections (registered in its PDK)."""

ROUTED_LAYERS: dict[str, str] = {"": "WG", "_electrical": "ROUTING"}
"""Routing-strategy suffix -> the layer it routes on."""

__all__ = [
    "CROSS_SECTIONS",
    "DEFAULT_THICKNESS_NM",
    "LAYER",
    "LAYER_VIEWS",
    "PDK_NAME",
    "ROUTED_LAYERS",
    "FilmStack",
    "design_rules",
    "film_stack",
    "get_pdk",
    "layer_stack",
    "route_styles",
]


def route_styles(thickness_nm: float = DEFAULT_THICKNESS_NM) -> dict[str, RouteStyle]:
    """How each routed layer is routed on a ``thickness_nm`` film: its cross-section, the
    film's minimum bend radius (None for metal: wire corners) and the minimum space between
    the routes of a bundle."""
    rules = design_rules(thickness_nm)
    names = layer_cross_sections(thickness_nm)
    styles = {}
    for suffix, layer in ROUTED_LAYERS.items():
        rule = rules.layer(layer)
        styles[suffix] = RouteStyle(names[layer], rule.min_bend_radius_um, rule.min_space_um)
    return styles


@lru_cache(maxsize=4)
def get_pdk(thickness_nm: float = DEFAULT_THICKNESS_NM) -> gf.Pdk:
    """The Si3N4 gdsfactory PDK for a film of ``thickness_nm`` nm (built once, not activated).

    Registers every device cell of ``qkdchip.components.si3n4``, the whole chips and wafers
    (``qkdchip.circuits.wafers.SI3N4_CHIP_CELLS``), the ``straight`` and ``bend_circular``
    cells the routers draw with, the chip-level waveguide cells
    (``qkdchip.circuits.waveguides``), the cross-sections of
    ``qkdchip.pdk.si3n4.cross_sections``, the routing strategies of :func:`route_styles` for
    the film, its layer stack and the circuit models (``qkdchip.simulations.circuit_models``).
    gdsfactory's generic PDK is the base so generic sub-cells (text, wire corners) resolve.
    """
    from qkdchip.circuits import waveguides as chip_waveguides
    from qkdchip.circuits.wafers import SI3N4_CHIP_CELLS
    from qkdchip.components import si3n4 as cells
    from qkdchip.components.waveguides import bend_circular, straight
    from qkdchip.simulations.circuit_models import si3n4_models

    return gf.Pdk(
        name=PDK_NAME if thickness_nm == DEFAULT_THICKNESS_NM else f"{PDK_NAME}_{thickness_nm:g}nm",
        layers=LAYER,
        layer_views=LAYER_VIEWS,
        layer_stack=layer_stack(thickness_nm),
        cross_sections={name: getattr(cross_sections, name) for name in CROSS_SECTIONS},
        cells={
            **get_cells(cells),
            "straight": straight,
            "bend_circular": bend_circular,
            **get_cells(chip_waveguides),
            **SI3N4_CHIP_CELLS,
        },
        base_pdks=[gf.gpdk.get_generic_pdk()],
        routing_strategies=routing_strategies(route_styles(thickness_nm)),
        constants=PdkConstants(layer_cross_sections=layer_cross_sections(thickness_nm)),
        models=si3n4_models(),
    )
