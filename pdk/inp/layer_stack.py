"""Vertical stack of the InP platform: Q(λg) core between InP claddings, two etch depths.

Numbers are indicative of generic InP integration (Smit et al., Semicond. Sci. Technol. 29,
083001 (2014)) and are assumptions unless a foundry manual replaces them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gdsfactory.technology import LayerLevel, LayerStack, LogicalLayer

from qkdchip.pdk.inp.layers import LAYER


@dataclass(frozen=True)
class EpiStack:
    """Layer numbers of the InP epitaxy that simulations need (lengths in µm, z=0 at core bottom).

    Attributes:
        core_bandgap_um: band-gap wavelength of the InGaAsP core (Q1.25; assumption).
        core_thickness_um: core thickness (assumption: 0.5 µm).
        upper_cladding_um: p-InP upper cladding (assumption: 1.5 µm).
        contact_thickness_um: p++ InGaAs contact layer (assumption: 0.2 µm).
        shallow_etch_um: shallow etch depth from the top of the stack; it stops 0.1 µm into the
            core (assumption).
        deep_etch_um: deep etch depth from the top of the stack, 1 µm below the core
            (assumption).
        core_material: material name of the core.
        cladding_material: material name of the claddings and substrate.
    """

    core_bandgap_um: float = 1.25
    core_thickness_um: float = 0.5
    upper_cladding_um: float = 1.5
    contact_thickness_um: float = 0.2
    shallow_etch_um: float = 1.8
    deep_etch_um: float = 3.2
    core_material: str = "Q(1.25)"
    cladding_material: str = "InP"

    def __post_init__(self) -> None:
        for name in (
            "core_thickness_um",
            "upper_cladding_um",
            "contact_thickness_um",
            "shallow_etch_um",
            "deep_etch_um",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name}={getattr(self, name)!r} must be > 0 µm")
        top = self.core_thickness_um + self.upper_cladding_um + self.contact_thickness_um
        if not self.shallow_etch_um < top:
            raise ValueError(
                f"shallow_etch_um={self.shallow_etch_um!r} must stop inside the stack (< {top})"
            )
        if not self.deep_etch_um > top:
            raise ValueError(
                f"deep_etch_um={self.deep_etch_um!r} must go through the core (> {top} µm)"
            )

    @property
    def top_um(self) -> float:
        return self.core_thickness_um + self.upper_cladding_um + self.contact_thickness_um

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


EPI_STACK = EpiStack()


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
