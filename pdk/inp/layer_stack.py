"""gdsfactory LayerStack of the InP platform, built from its epitaxy
(:class:`qkdchip.pdk.stacks.EpiStack`)."""

from __future__ import annotations

from gdsfactory.technology import LayerLevel, LayerStack, LogicalLayer

from qkdchip.pdk.inp.layers import LAYER
from qkdchip.pdk.stacks import EPI_STACK, EpiStack

__all__ = ["EPI_STACK", "EpiStack", "layer_stack"]


def layer_stack(epi: EpiStack = EPI_STACK) -> LayerStack:
    """gdsfactory LayerStack of the InP platform (ridges extruded from the etch floor)."""
    top = epi.top_um
    deep_floor = top - epi.deep_etch_um
    shallow_floor = top - epi.shallow_etch_um
    return LayerStack(
        layers={
            "substrate": LayerLevel(
                layer=LogicalLayer(layer=LAYER.FLOORPLAN),
                thickness=10.0,
                zmin=deep_floor - 10.0,
                material=epi.cladding_material,
                mesh_order=9,
            ),
            "deep_ridge_lower": LayerLevel(
                layer=LogicalLayer(layer=LAYER.WG_DEEP),
                thickness=-deep_floor,
                zmin=deep_floor,
                material=epi.cladding_material,
                mesh_order=3,
            ),
            "deep_ridge_core": LayerLevel(
                layer=LogicalLayer(layer=LAYER.WG_DEEP),
                thickness=epi.core_thickness_um,
                zmin=0.0,
                material=epi.core_material,
                mesh_order=2,
            ),
            "deep_ridge_upper": LayerLevel(
                layer=LogicalLayer(layer=LAYER.WG_DEEP),
                thickness=epi.upper_cladding_um,
                zmin=epi.core_thickness_um,
                material=epi.cladding_material,
                mesh_order=3,
            ),
            "shallow_ridge": LayerLevel(
                layer=LogicalLayer(layer=LAYER.WG_SHALLOW),
                thickness=top - shallow_floor,
                zmin=shallow_floor,
                material=epi.cladding_material,
                mesh_order=3,
            ),
            "metal_p": LayerLevel(
                layer=LogicalLayer(layer=LAYER.METAL_P),
                thickness=0.5,
                zmin=top,
                material="Au",
                mesh_order=1,
            ),
            "pad": LayerLevel(
                layer=LogicalLayer(layer=LAYER.PAD),
                thickness=2.0,
                zmin=top + 0.5,
                material="Au",
                mesh_order=1,
            ),
        }
    )
