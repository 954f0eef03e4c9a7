"""Layer map and layer views of the InP generic-integration transmitter platform.

Layer names follow generic InP integration (Smit et al., Semicond. Sci. Technol. 29, 083001
(2014)): deep and shallow ridge etches, active (gain/absorber) regions, modulator p-i-n regions,
gratings, electrical isolation, p and n metal and pad plating. GDS numbers are this project's
own choice.
"""

from __future__ import annotations

from gdsfactory.technology import LayerMap, LayerView, LayerViews
from gdsfactory.typings import Layer


class LAYER(LayerMap):
    """InP platform layers (pass the class itself; never instantiate it)."""

    WG_DEEP: Layer = (1, 0)
    """Ridge core, deep-etched through the Q core (compact bends, MMIs, modulators)."""
    WG_SHALLOW: Layer = (2, 0)
    """Ridge core, shallow-etched into the top of the Q core (low loss, large radius)."""
    ACTIVE: Layer = (10, 0)
    """Active (MQW) material: gain sections and electro-absorption attenuators."""
    PIN: Layer = (11, 0)
    """Electro-optic phase-modulator region (p-i-n doping over passive Q core)."""
    GRATING: Layer = (12, 0)
    """DBR grating teeth (first-order, e-beam written)."""
    ISOLATION: Layer = (13, 0)
    """Electrical isolation between contacts (p-contact layer removed / implanted)."""
    METAL_P: Layer = (20, 0)
    """p-side contact metal on the ridge and its leads."""
    METAL_N: Layer = (21, 0)
    """n-side contact metal (top-side n-contacts)."""
    PAD: Layer = (22, 0)
    """Thick pad plating / passivation opening over a pad (inside METAL_P or METAL_N)."""
    FLOORPLAN: Layer = (99, 0)
    """Die outline."""
    TEXT: Layer = (66, 0)
    """Labels (not fabricated)."""


class InpLayerViews(LayerViews):
    """KLayout display properties (export with ``LAYER_VIEWS.to_lyp(path)``)."""

    WG_DEEP: LayerView = LayerView(layer=(1, 0), color="blue", hatch_pattern="solid")
    WG_SHALLOW: LayerView = LayerView(layer=(2, 0), color="cyan", hatch_pattern="solid")
    ACTIVE: LayerView = LayerView(layer=(10, 0), color="red", hatch_pattern="dotted")
    PIN: LayerView = LayerView(layer=(11, 0), color="magenta", hatch_pattern="dotted")
    GRATING: LayerView = LayerView(layer=(12, 0), color="green", hatch_pattern="solid")
    ISOLATION: LayerView = LayerView(layer=(13, 0), color="gray", hatch_pattern="cross-hatched")
    METAL_P: LayerView = LayerView(layer=(20, 0), color="gold", hatch_pattern="left-hatched")
    METAL_N: LayerView = LayerView(layer=(21, 0), color="orange", hatch_pattern="right-hatched")
    PAD: LayerView = LayerView(layer=(22, 0), color="yellow", hatch_pattern="hollow")
    FLOORPLAN: LayerView = LayerView(layer=(99, 0), color="gray", hatch_pattern="hollow")
    TEXT: LayerView = LayerView(layer=(66, 0), color="black", hatch_pattern="hollow")


LAYER_VIEWS = InpLayerViews()


def write_lyp(path: str) -> str:
    """Write the KLayout layer-properties file of the platform to ``path``; returns the path."""
    return str(LAYER_VIEWS.to_lyp(path))
