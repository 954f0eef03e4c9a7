"""Vertical stack of the Si3N4 platform, with the film thickness as a parameter.

Default: the 100 nm ultralow-loss, normal-dispersion film of the reference comb chip (paper
fact 1.3, "fabricated on 100-nm-thick Si3N4 waveguides"). An 800 nm anomalous-dispersion film
(Ligentec AN800-like) is the other supported case; any thickness in
:data:`THICKNESS_RANGE_NM` builds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gdsfactory.technology import LayerLevel, LayerStack, LogicalLayer

from qkdchip.pdk.si3n4.layers import LAYER

DEFAULT_THICKNESS_NM = 100.0
THICKNESS_RANGE_NM: tuple[float, float] = (40.0, 1500.0)
"""Films from the 40 nm ULL nitride (Puckett et al. 2021) to thick Damascene films (~1.35 µm)."""


@dataclass(frozen=True)
class FilmStack:
    """Numbers of the Si3N4 stack that simulations need (all lengths in µm).

    Attributes:
        core_thickness_um: Si3N4 film thickness.
        box_thickness_um: thermal-oxide lower cladding (assumption: 15 µm, as in the ultralow-loss
            thin-nitride process of Bauters et al., Opt. Express 19, 3163 (2011)).
        upper_cladding_um: deposited SiO2 upper cladding above the core top (assumption: 3 µm).
        heater_thickness_um: heater metal thickness (assumption: 0.2 µm Pt).
        routing_thickness_um: routing metal thickness (assumption: 0.5 µm Au).
        core_material: material name of the core (key of ``qkdchip.pdk.materials.MATERIALS``).
        cladding_material: material name of both claddings.
    """

    core_thickness_um: float
    box_thickness_um: float = 15.0
    upper_cladding_um: float = 3.0
    heater_thickness_um: float = 0.2
    routing_thickness_um: float = 0.5
    core_material: str = "Si3N4"
    cladding_material: str = "SiO2"

    def __post_init__(self) -> None:
        low, high = THICKNESS_RANGE_NM
        if not low <= self.core_thickness_um * 1e3 <= high:
            raise ValueError(
                f"core_thickness_um={self.core_thickness_um!r} is outside "
                f"[{low / 1e3}, {high / 1e3}] µm"
            )
        for name in (
            "box_thickness_um",
            "upper_cladding_um",
            "heater_thickness_um",
            "routing_thickness_um",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name}={getattr(self, name)!r} must be > 0 µm")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def film_stack(thickness_nm: float = DEFAULT_THICKNESS_NM) -> FilmStack:
    """The Si3N4 stack for a film of ``thickness_nm`` nanometres."""
    low, high = THICKNESS_RANGE_NM
    if not low <= thickness_nm <= high:
        raise ValueError(f"thickness_nm={thickness_nm!r} is outside [{low}, {high}] nm")
    return FilmStack(core_thickness_um=thickness_nm * 1e-3)


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
