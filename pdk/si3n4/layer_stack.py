"""gdsfactory LayerStack of the Si3N4 platform, built from its film stack
(:class:`qkdchip.pdk.stacks.FilmStack`)."""

from __future__ import annotations

from gdsfactory.technology import LayerLevel, LayerStack, LogicalLayer

from qkdchip.pdk.si3n4.layers import LAYER
from qkdchip.pdk.stacks import DEFAULT_THICKNESS_NM, THICKNESS_RANGE_NM, FilmStack, film_stack

__all__ = ["DEFAULT_THICKNESS_NM", "THICKNESS_RANGE_NM", "FilmStack", "film_stack", "layer_stack"]


def layer_stack(thickness_nm: float = DEFAULT_THICKNESS_NM) -> LayerStack:
    """gdsfactory LayerStack of the platform for a film of ``thickness_nm`` nm (z=0 at BOX top)."""
    fs = film_stack(thickness_nm)
    t = fs.core_thickness_um
    clad_top = t + fs.upper_cladding_um
    return LayerStack(
        layers={
            "box": LayerLevel(
                layer=LogicalLayer(layer=LAYER.FLOORPLAN),
                thickness=fs.box_thickness_um,
                zmin=-fs.box_thickness_um,
                material=fs.cladding_material,
                mesh_order=9,
            ),
            "core": LayerLevel(
                layer=LogicalLayer(layer=LAYER.WG),
                thickness=t,
                zmin=0.0,
                material=fs.core_material,
                mesh_order=2,
            ),
            "clad": LayerLevel(
                layer=LogicalLayer(layer=LAYER.FLOORPLAN),
                thickness=clad_top,
                zmin=0.0,
                material=fs.cladding_material,
                mesh_order=10,
            ),
            "heater": LayerLevel(
                layer=LogicalLayer(layer=LAYER.HEATER),
                thickness=fs.heater_thickness_um,
                zmin=clad_top,
                material="Pt",
                mesh_order=1,
            ),
            "routing": LayerLevel(
                layer=LogicalLayer(layer=LAYER.ROUTING),
                thickness=fs.routing_thickness_um,
                zmin=clad_top + fs.heater_thickness_um,
                material="Au",
                mesh_order=1,
            ),
        }
    )
