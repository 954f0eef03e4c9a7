"""Waveguide cross-sections built from the design objects and the PDK layer stacks.

A :class:`CrossSection` is a set of non-overlapping material rectangles in the plane normal to
propagation (x lateral, y vertical, µm) on a background material, plus the *window* that the
simulation cell must contain (the guiding region). The same object feeds the MPB mode solver
(x-y plane) and the cylindrical ring solver (r = R + x, z = y). Indices are looked up per
wavelength from :mod:`qkdchip.pdk.materials`, so material dispersion is never re-typed.

Modelling choices that the stacks leave open:
    * InP passive waveguides are drawn without the p++ InGaAs contact layer (it is removed away
      from electrodes in generic InP integration) and with air above and beside the ridge.
    * The Si3N4 stack has air above its upper cladding; the BOX is semi-infinite below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from pydantic import Field

from qkdchip.components.designs import RidgeWaveguide, StripWaveguide
from qkdchip.pdk.materials import refractive_index
from qkdchip.pdk.stacks import EPI_STACK, EpiStack, FilmStack, film_stack
from qkdchip.records import Record

FAR_UM = 1.0e3
"""Extent in µm used for layers that are semi-infinite on the scale of the mode."""
AMBIENT = "air"


@dataclass(frozen=True)
class Rect(Record):
    """Axis-aligned material rectangle of a cross-section (µm)."""

    material: str
    x_min_um: float
    x_max_um: float
    y_min_um: float
    y_max_um: float

    def __post_init__(self) -> None:
        if not (self.x_max_um > self.x_min_um and self.y_max_um > self.y_min_um):
            raise ValueError(f"Rect {self!r} must have positive width and height")

    def overlaps(self, other: Rect) -> bool:
        return min(self.x_max_um, other.x_max_um) > max(self.x_min_um, other.x_min_um) and min(
            self.y_max_um, other.y_max_um
        ) > max(self.y_min_um, other.y_min_um)


@dataclass(frozen=True)
class CrossSection(Record):
    """Waveguide cross-section: material rectangles on a background, and the guiding window.

    Attributes:
        name: label used in reports and cache keys.
        rects: non-overlapping rectangles (µm).
        background: material everywhere else.
        window_um: (x_min, x_max, y_min, y_max) in µm that the simulation cell must contain.
        core_material: material whose confinement factor is reported as *the* confinement.
        core_rect: index into ``rects`` of the guiding core (sources are placed in it).
        laterally_uniform: the structure does not vary along x (a slab); the cell is then one
            thin periodic column.
    """

    name: str
    rects: tuple[Rect, ...]
    background: str
    window_um: tuple[float, float, float, float]
    core_material: str
    core_rect: int = 0
    laterally_uniform: bool = False
    description: Annotated[dict[str, Any], Field(exclude=True)] = field(
        default_factory=dict, compare=False
    )

    def __post_init__(self) -> None:
        if not self.rects:
            raise ValueError("rects must not be empty")
        if not 0 <= self.core_rect < len(self.rects):
            raise ValueError(f"core_rect={self.core_rect!r} is outside [0, {len(self.rects) - 1}]")
        for i, a in enumerate(self.rects):
            for b in self.rects[i + 1 :]:
                if a.overlaps(b):
                    raise ValueError(f"rects {a!r} and {b!r} overlap")
        x0, x1, y0, y1 = self.window_um
        if not (x1 > x0 and y1 > y0):
            raise ValueError(f"window_um={self.window_um!r} must have positive size")

    @property
    def materials(self) -> tuple[str, ...]:
        names = [self.background, *(r.material for r in self.rects)]
        return tuple(dict.fromkeys(names))

    def indices(self, wavelength_um: float) -> dict[str, float]:
        """Refractive index of every material of the cross-section at ``wavelength_um``."""
        return {m: float(refractive_index(m, wavelength_um)) for m in self.materials}

    def index_slopes_per_um(self, wavelength_um: float, step_um: float = 1e-3) -> dict[str, float]:
        """dn/dλ of every material in 1/µm (central difference over ±``step_um``)."""
        hi = self.indices(wavelength_um + step_um)
        lo = self.indices(wavelength_um - step_um)
        return {m: (hi[m] - lo[m]) / (2 * step_um) for m in self.materials}

    @property
    def core(self) -> Rect:
        return self.rects[self.core_rect]


def strip_cross_section(waveguide: StripWaveguide, stack: FilmStack | None = None) -> CrossSection:
    """Si3N4 strip buried in SiO2 (core bottom at y = 0, centred at x = 0).

    Args:
        waveguide: the strip design (width, film thickness).
        stack: the film stack; by default the PDK's stack for the design's film thickness. Its
            core thickness must equal the design's.
    """
    stack = stack or film_stack(waveguide.thickness_nm)
    if not math.isclose(stack.core_thickness_um * 1e3, waveguide.thickness_nm, abs_tol=1e-6):
        raise ValueError(
            f"thickness_nm={waveguide.thickness_nm!r} of the design does not match the stack's "
            f"core_thickness_um={stack.core_thickness_um!r}"
        )
    w, t = waveguide.width_um, stack.core_thickness_um
    clad_top = t + stack.upper_cladding_um
    rects = (
        Rect(stack.core_material, -w / 2, w / 2, 0.0, t),
        Rect(AMBIENT, -FAR_UM, FAR_UM, clad_top, clad_top + FAR_UM),
    )
    return CrossSection(
        name=f"si3n4_strip_w{w:g}_t{t * 1e3:g}nm",
        rects=rects,
        background=stack.cladding_material,
        window_um=(-w / 2, w / 2, 0.0, t),
        core_material=stack.core_material,
        description={"waveguide": waveguide.to_dict(), "stack": stack.to_dict()},
    )


def ridge_epi(waveguide: RidgeWaveguide, epi: EpiStack = EPI_STACK) -> EpiStack:
    """The epitaxy with the core and upper cladding the ridge design asks for."""
    return replace(
        epi,
        core_bandgap_um=waveguide.core_bandgap_um,
        core_thickness_um=waveguide.core_thickness_um,
        upper_cladding_um=waveguide.upper_cladding_um,
        core_material=f"Q({waveguide.core_bandgap_um:.2f})",
    )


def ridge_cross_section(
    waveguide: RidgeWaveguide,
    epi: EpiStack = EPI_STACK,
    *,
    top_etch_um: float = 0.0,
) -> CrossSection:
    """InP ridge with a Q(λg) core (core bottom at y = 0, centred at x = 0).

    Args:
        waveguide: ridge design (width, etch type, core).
        epi: epitaxy; its etch depths are used (measured from the top of the stack).
        top_etch_um: extra depth in µm removed from the top of the upper cladding over the
            ridge width (the grooves of a surface grating), in [0, upper cladding).
    """
    epi = ridge_epi(waveguide, epi)
    t_core, t_up = epi.core_thickness_um, epi.upper_cladding_um
    if not 0.0 <= top_etch_um < t_up:
        raise ValueError(f"top_etch_um={top_etch_um!r} is outside [0, {t_up})")
    w = waveguide.width_um
    top = t_core + t_up - top_etch_um
    clad, core = epi.cladding_material, epi.core_material
    if waveguide.etch == "deep":
        floor = epi.top_um - epi.deep_etch_um
        rects = (
            Rect(core, -w / 2, w / 2, 0.0, t_core),
            Rect(clad, -w / 2, w / 2, t_core, top),
            Rect(clad, -w / 2, w / 2, floor, 0.0),
            Rect(clad, -FAR_UM, FAR_UM, floor - FAR_UM, floor),
        )
        window = (-w / 2, w / 2, floor, top)
    else:
        floor = epi.top_um - epi.shallow_etch_um
        if not 0.0 < floor < t_core:
            raise ValueError(f"shallow etch floor {floor!r} µm must lie inside the core")
        rects = (
            Rect(core, -w / 2, w / 2, floor, t_core),
            Rect(core, -FAR_UM, FAR_UM, 0.0, floor),
            Rect(clad, -w / 2, w / 2, t_core, top),
            Rect(clad, -FAR_UM, FAR_UM, -FAR_UM, 0.0),
        )
        window = (-w / 2 - 1.0, w / 2 + 1.0, 0.0, top)
    return CrossSection(
        name=f"inp_{waveguide.etch}_ridge_w{w:g}_etch{top_etch_um:g}",
        rects=rects,
        background=AMBIENT,
        window_um=window,
        core_material=core,
        description={"waveguide": waveguide.to_dict(), "epi": epi.to_dict()},
    )


def ridge_slab_cross_section(waveguide: RidgeWaveguide, epi: EpiStack = EPI_STACK) -> CrossSection:
    """The laterally unbounded vertical stack of a ridge (for the effective-index method)."""
    epi = ridge_epi(waveguide, epi)
    t_core, t_up = epi.core_thickness_um, epi.upper_cladding_um
    rects = (
        Rect(epi.core_material, -FAR_UM, FAR_UM, 0.0, t_core),
        Rect(epi.cladding_material, -FAR_UM, FAR_UM, t_core, t_core + t_up),
        Rect(epi.cladding_material, -FAR_UM, FAR_UM, -FAR_UM, 0.0),
    )
    return CrossSection(
        name=f"inp_slab_core{t_core:g}_up{t_up:g}",
        rects=rects,
        background=AMBIENT,
        window_um=(-0.05, 0.05, 0.0, t_core + t_up),
        core_material=epi.core_material,
        laterally_uniform=True,
        description={"epi": epi.to_dict()},
    )
