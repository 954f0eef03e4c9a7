"""First-order sensitivities of an InP ridge's effective index and core confinement to its
width, core thickness, core band gap and deep-etch depth: MPB central differences of the drawn
ridge (what the yield model's InP compact models take).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qkdchip.components.designs import RidgeWaveguide
from qkdchip.pdk.stacks import EPI_STACK, EpiStack
from qkdchip.records import Record
from qkdchip.simulations.modes.geometry import ridge_cross_section
from qkdchip.simulations.modes.solver import ModeResult, ModeSettings, solve_mode

WIDTH_STEP_NM = 50.0
"""Half-step of the ridge-width difference (process sigma about 30 nm)."""
CORE_STEP_NM = 10.0
"""Half-step of the core-thickness difference."""
BANDGAP_STEP_NM = 20.0
"""Half-step of the band-gap wavelength (the core material is named to 10 nm, Q(1.25))."""
ETCH_STEP_NM = 100.0
"""Half-step of the deep-etch depth."""


@dataclass(frozen=True)
class RidgeSensitivities(Record):
    """Derivatives of a ridge's n_eff and core confinement (names as in the yield table).

    Attributes:
        dneff_dwidth_per_nm: per nm of ridge width.
        dneff_dcore_thickness_per_nm: per nm of core thickness.
        dneff_dbandgap_wavelength_per_nm: per nm of core band-gap wavelength.
        dneff_ddeep_etch_per_nm: per nm of deep-etch depth.
        dconfinement_rel_dcore_thickness_per_nm: relative confinement change per nm of core.
        dconfinement_rel_dwidth_per_nm: relative confinement change per nm of width.
    """

    dneff_dwidth_per_nm: float
    dneff_dcore_thickness_per_nm: float
    dneff_dbandgap_wavelength_per_nm: float
    dneff_ddeep_etch_per_nm: float
    dconfinement_rel_dcore_thickness_per_nm: float
    dconfinement_rel_dwidth_per_nm: float


def ridge_sensitivities(
    ridge: RidgeWaveguide,
    *,
    epi: EpiStack = EPI_STACK,
    settings: ModeSettings,
    fresh: bool = False,
) -> RidgeSensitivities:
    """Sensitivities of ``ridge`` on ``epi`` from nine MPB solves (cached).

    Args:
        ridge: the drawn ridge (width, etch, core).
        epi: the platform's epitaxy.
        settings: MPB settings.
        fresh: recompute even when cached.
    """

    def mode(ridge_: RidgeWaveguide, epi_: EpiStack = epi) -> ModeResult:
        return solve_mode(ridge_cross_section(ridge_, epi_), settings=settings, fresh=fresh)

    def pair(field: str, step_um: float) -> tuple[ModeResult, ModeResult]:
        value = getattr(ridge, field)
        plus = mode(replace(ridge, **{field: value + step_um}))
        minus = mode(replace(ridge, **{field: value - step_um}))
        return plus, minus

    centre = mode(ridge)
    wide, narrow = pair("width_um", WIDTH_STEP_NM * 1e-3)
    thick, thin = pair("core_thickness_um", CORE_STEP_NM * 1e-3)
    red, blue = pair("core_bandgap_um", BANDGAP_STEP_NM * 1e-3)
    etch = ETCH_STEP_NM * 1e-3
    deep = mode(ridge, replace(epi, deep_etch_um=epi.deep_etch_um + etch))
    shallow = mode(ridge, replace(epi, deep_etch_um=epi.deep_etch_um - etch))

    def dn(plus: ModeResult, minus: ModeResult, step_nm: float) -> float:
        return (plus.n_eff - minus.n_eff) / (2 * step_nm)

    def dconf(plus: ModeResult, minus: ModeResult, step_nm: float) -> float:
        return (plus.confinement - minus.confinement) / (2 * step_nm) / centre.confinement

    return RidgeSensitivities(
        dneff_dwidth_per_nm=dn(wide, narrow, WIDTH_STEP_NM),
        dneff_dcore_thickness_per_nm=dn(thick, thin, CORE_STEP_NM),
        dneff_dbandgap_wavelength_per_nm=dn(red, blue, BANDGAP_STEP_NM),
        dneff_ddeep_etch_per_nm=dn(deep, shallow, ETCH_STEP_NM),
        dconfinement_rel_dcore_thickness_per_nm=dconf(thick, thin, CORE_STEP_NM),
        dconfinement_rel_dwidth_per_nm=dconf(wide, narrow, WIDTH_STEP_NM),
    )
