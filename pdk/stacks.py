"""Vertical stacks of both platforms as plain numbers (no gdsfactory): what simulations need.

* Si3N4: :class:`FilmStack`, with the film thickness as a parameter. Default: the 100 nm
  ultralow-loss, normal-dispersion film of the reference comb chip (Nature (2026) network paper:
  "fabricated on 100-nm-thick Si3N4 waveguides"). An 800 nm anomalous-dispersion film
  (Ligentec AN800-like) is the other supported case; any thickness in
  :data:`THICKNESS_RANGE_NM` builds.
* InP: :class:`EpiStack`, a Q(λg) core between InP claddings with two etch depths. Numbers are
  indicative of generic InP integration (Smit et al., Semicond. Sci. Technol. 29, 083001
  (2014)) and are assumptions unless a foundry manual replaces them.

The gdsfactory ``LayerStack`` of each platform (``qkdchip.pdk.<platform>.layer_stack``) is built
from these, so device simulations and the yield model read them without loading gdsfactory.
"""

from __future__ import annotations

from dataclasses import dataclass

from qkdchip.records import Record

INP_RIDGE_WIDTH_UM = 2.0
"""Assumption: the InP platform's ridge width, 2.0 µm (HHI ~2 µm core, Nazca demofab 1.5-3 µm).
Every InP device record and cell draws it by default, and the process statistics sample around
it."""

DEFAULT_THICKNESS_NM = 100.0
THICKNESS_RANGE_NM: tuple[float, float] = (40.0, 1500.0)
"""Films from the 40 nm ULL nitride (Puckett et al. 2021) to thick Damascene films (~1.35 µm)."""


@dataclass(frozen=True)
class FilmStack(Record):
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


def film_stack(thickness_nm: float = DEFAULT_THICKNESS_NM) -> FilmStack:
    """The Si3N4 stack for a film of ``thickness_nm`` nanometres."""
    low, high = THICKNESS_RANGE_NM
    if not low <= thickness_nm <= high:
        raise ValueError(f"thickness_nm={thickness_nm!r} is outside [{low}, {high}] nm")
    return FilmStack(core_thickness_um=thickness_nm * 1e-3)


@dataclass(frozen=True)
class EpiStack(Record):
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


EPI_STACK = EpiStack()
