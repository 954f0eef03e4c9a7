"""Layer map and layer views of the Si3N4 microcomb platform.

GDS numbers are this project's own choice (no foundry layer table is public for the reference
chip); WG/HEATER follow the Cornerstone SiN convention of gdsfactory's cspdk (WG core, heater on
39/0) so that foundry mapping stays a renumbering.
"""

from __future__ import annotations

from gdsfactory.technology import LayerMap, LayerView, LayerViews
from gdsfactory.typings import Layer


class LAYER(LayerMap):
    """Si3N4 platform layers (pass the class itself; never instantiate it)."""

    WG: Layer = (1, 0)
    """Si3N4 waveguide core (full etch of the film)."""
    HEATER: Layer = (39, 0)
    """Resistive heater metal (Pt or TiN) on top of the upper cladding."""
    ROUTING: Layer = (45, 0)
    """Low-resistance routing metal (Au) contacting the heater and forming the pads."""
    PAD: Layer = (46, 0)
    """Opening in the passivation over a pad (inside ROUTING)."""
    FLOORPLAN: Layer = (99, 0)
    """Die outline."""
    TEXT: Layer = (66, 0)
    """Labels (not fabricated)."""


class Si3n4LayerViews(LayerViews):
    """KLayout display properties (export with ``LAYER_VIEWS.to_lyp(path)``)."""

    WG: LayerView = LayerView(layer=(1, 0), color="orange", hatch_pattern="solid")
    HEATER: LayerView = LayerView(layer=(39, 0), color="red", hatch_pattern="dotted")
    ROUTING: LayerView = LayerView(layer=(45, 0), color="gold", hatch_pattern="left-hatched")
    PAD: LayerView = LayerView(layer=(46, 0), color="yellow", hatch_pattern="hollow")
    FLOORPLAN: LayerView = LayerView(layer=(99, 0), color="gray", hatch_pattern="hollow")
    TEXT: LayerView = LayerView(layer=(66, 0), color="blue", hatch_pattern="hollow")


LAYER_VIEWS = Si3n4LayerViews()


def write_lyp(path: str) -> str:
    """Write the KLayout layer-properties file of the platform to ``path``; returns the path."""
    return str(LAYER_VIEWS.to_lyp(path))
