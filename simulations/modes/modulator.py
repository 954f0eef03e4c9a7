"""InP electro-optic phase modulator: Vπ·L from the MPB mode and the Pockels effect.

A reverse-biased p-i-n ridge puts the field E = V/d_i across the intrinsic region (the
undoped Q core, thickness d_i). For TE light along a <110> direction of a (001) wafer the linear
electro-optic (Pockels) index change is Δn = ½ n³ r41 E (sign set by the orientation; the
modulator is oriented so that it adds). First-order perturbation theory gives the modal change
Δn_eff = Γ Δn with Γ = f_i n_g,wg / n_i, where f_i is the fraction of the electric energy in the
intrinsic region and n_g,wg the fixed-index group index (in a uniform medium Γ = 1). Hence

    Vπ·L = λ d_i / (n_i³ r41 Γ).

The Pockels term alone underestimates an MQW modulator operated near its band edge, where the
quantum-confined Stark effect adds a comparable index change. Its size follows from the quantum
wells' band structure, which no mode solver gives, so one named calibration carries it:
:data:`BAND_EDGE_ENHANCEMENT` multiplies the linear efficiency, and the reported Vπ·L is
``vpi_l_pockels_v_mm / band_edge_enhancement``. A quadratic electro-optic term Δn₂ = ½ n³ s E²
(s in m²/V², e.g. from the Franz-Keldysh effect) can be added; Vπ then depends on the length and
solves π = (2π L/λ) Γ ½ n³ (F r41 V/d + s V²/d²) with F the enhancement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from qkdchip.components.designs import PhaseModulatorDesign, RidgeWaveguide
from qkdchip.pdk.stacks import EPI_STACK, EpiStack
from qkdchip.records import Record
from qkdchip.simulations.modes.geometry import ridge_cross_section, ridge_epi
from qkdchip.simulations.modes.solver import ModeSettings, solve_modes

R41_INP_PM_PER_V = 1.4
"""Linear electro-optic coefficient r41 of InP/InGaAsP in pm/V (Adachi, *Physical Properties
of III-V Semiconductor Compounds*, Wiley 1992: InP r41 ≈ 1.4 pm/V at 1.5 µm)."""


BAND_EDGE_ENHANCEMENT = 2.0
"""Calibration: phase efficiency of an InGaAsP/InP MQW p-i-n modulator near its band edge over its
Pockels-only value. The Pockels-only Vπ·L of such a junction is about 2.1 V·cm (r41 = 1.4 pm/V,
d_i = 0.5 µm, Γ = 0.8); MQW phase modulators reach 0.6-1.2 V·cm, e.g. 17.4 °/V/mm = 1.0 V·cm for
an InGaAs/InGaAlAs quantum-well modulator
(https://scilit.com/publications/6e780de829c94449dd5c506965b62903). The ratio at 1.0-1.05 V·cm is
2.0-2.1; 2.0 is taken. The simulated 18.5 V·mm of the drawn cross-section then gives 9.3 V·mm."""


@dataclass(frozen=True)
class ElectroOpticModel(Record):
    """Electro-optic material data of the intrinsic region.

    Attributes:
        r41_pm_per_v: Pockels coefficient in pm/V, (0, 10].
        band_edge_enhancement: factor on the linear efficiency from the quantum-confined Stark
            effect near the band edge, [1, 10] (1: Pockels only; default the calibration
            :data:`BAND_EDGE_ENHANCEMENT`).
        quadratic_m2_per_v2: quadratic electro-optic coefficient s in m²/V², [0, 1e-16]
            (0: none).
    """

    r41_pm_per_v: float = R41_INP_PM_PER_V
    band_edge_enhancement: float = BAND_EDGE_ENHANCEMENT
    quadratic_m2_per_v2: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.r41_pm_per_v <= 10:
            raise ValueError(f"r41_pm_per_v={self.r41_pm_per_v!r} is outside (0, 10] pm/V")
        if not 1 <= self.band_edge_enhancement <= 10:
            raise ValueError(
                f"band_edge_enhancement={self.band_edge_enhancement!r} is outside [1, 10]"
            )
        if not 0 <= self.quadratic_m2_per_v2 <= 1e-16:
            raise ValueError(
                f"quadratic_m2_per_v2={self.quadratic_m2_per_v2!r} is outside [0, 1e-16] m²/V²"
            )


@dataclass(frozen=True)
class ModulatorResult(Record):
    """Phase-modulator efficiency.

    Attributes:
        design: the :class:`PhaseModulatorDesign` as a dict.
        model: the :class:`ElectroOpticModel` as a dict.
        wavelength_um: wavelength in µm.
        n_eff: effective index of the ridge mode.
        intrinsic_thickness_um: d_i in µm (the core).
        intrinsic_index: index of the intrinsic region.
        energy_fraction: electric-energy fraction in the intrinsic region.
        overlap: Γ = f_i n_g,wg / n_i.
        vpi_l_pockels_v_mm: Vπ·L in V·mm from the simulated Pockels term alone.
        vpi_l_v_mm: Vπ·L in V·mm of the linear term with the band-edge enhancement: the
            modulator's efficiency that the yield model and the report use.
        vpi_v: Vπ in V at the design's length (all terms).
        settings: the mode-solver settings used.
    """

    design: dict[str, Any]
    model: dict[str, Any]
    wavelength_um: float
    n_eff: float
    intrinsic_thickness_um: float
    intrinsic_index: float
    energy_fraction: float
    overlap: float
    vpi_l_pockels_v_mm: float
    vpi_l_v_mm: float
    vpi_v: float
    settings: dict[str, Any] = field(default_factory=dict)


def pockels_vpi_l_v_m(
    *,
    wavelength_um: float,
    intrinsic_thickness_um: float,
    index: float,
    r41_pm_per_v: float,
    overlap: float,
) -> float:
    """Vπ·L = λ d_i / (n³ r41 Γ) in V·m."""
    for name, value in (
        ("wavelength_um", wavelength_um),
        ("intrinsic_thickness_um", intrinsic_thickness_um),
        ("index", index),
        ("r41_pm_per_v", r41_pm_per_v),
        ("overlap", overlap),
    ):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name}={value!r} must be > 0")
    return (
        (wavelength_um * 1e-6)
        * (intrinsic_thickness_um * 1e-6)
        / (index**3 * r41_pm_per_v * 1e-12 * overlap)
    )


def vpi_volts(
    *,
    length_um: float,
    wavelength_um: float,
    intrinsic_thickness_um: float,
    index: float,
    overlap: float,
    model: ElectroOpticModel,
) -> float:
    """Vπ in V for a modulated length ``length_um`` with linear and quadratic terms."""
    d = intrinsic_thickness_um * 1e-6
    # π = (2π L/λ) Γ ½ n³ (r V/d + s V²/d²)  ->  a V² + b V - c = 0
    pref = math.pi * length_um * 1e-6 / (wavelength_um * 1e-6) * overlap * index**3
    a = pref * model.quadratic_m2_per_v2 / d**2
    b = pref * model.band_edge_enhancement * model.r41_pm_per_v * 1e-12 / d
    if a == 0:
        return math.pi / b
    return (-b + math.sqrt(b * b + 4 * a * math.pi)) / (2 * a)


def simulate_modulator(
    design: PhaseModulatorDesign | None = None,
    *,
    epi: EpiStack = EPI_STACK,
    model: ElectroOpticModel | None = None,
    wavelength_um: float = 1.55,
    settings: ModeSettings | None = None,
    fresh: bool = False,
) -> ModulatorResult:
    """Vπ·L and Vπ of a phase modulator on the PDK's deep ridge (MPB mode, band-edge calibration).

    Args:
        design: the modulator (length, ridge width); default :class:`PhaseModulatorDesign`.
        epi: InP epitaxy; the intrinsic region is its core.
        model: electro-optic coefficients.
        wavelength_um: wavelength in µm.
        settings: MPB settings.
        fresh: recompute even if cached.
    """
    design = design or PhaseModulatorDesign()
    model = model or ElectroOpticModel()
    settings = settings or ModeSettings(resolution=32, pad_um=1.5)
    ridge = RidgeWaveguide(width_um=design.ridge_width_um, etch="deep")
    xs = ridge_cross_section(ridge, epi)
    mode = solve_modes(xs, wavelength_um=wavelength_um, settings=settings, fresh=fresh)[0]
    stack = ridge_epi(ridge, epi)
    n_i = xs.indices(wavelength_um)[stack.core_material]
    fraction = mode.energy_fractions[stack.core_material]
    centre = len(mode.wavelengths_um) // 2
    # Fixed-index group index at the centre, recovered from the material-corrected one.
    slopes = xs.index_slopes_per_um(wavelength_um)
    indices = xs.indices(wavelength_um)
    material = sum(
        f * wavelength_um / indices[m] * slopes[m] for m, f in mode.energy_fractions.items()
    )
    n_g_wg = mode.n_group_per_wavelength[centre] / (1.0 - material)
    overlap = fraction * n_g_wg / n_i
    d_i = stack.core_thickness_um
    vpi_l = pockels_vpi_l_v_m(
        wavelength_um=wavelength_um,
        intrinsic_thickness_um=d_i,
        index=n_i,
        r41_pm_per_v=model.r41_pm_per_v,
        overlap=overlap,
    )
    return ModulatorResult(
        design=design.to_dict(),
        model=model.to_dict(),
        wavelength_um=wavelength_um,
        n_eff=mode.n_eff,
        intrinsic_thickness_um=d_i,
        intrinsic_index=n_i,
        energy_fraction=fraction,
        overlap=overlap,
        vpi_l_pockels_v_mm=vpi_l * 1e3,
        vpi_l_v_mm=vpi_l * 1e3 / model.band_edge_enhancement,
        vpi_v=vpi_volts(
            length_um=design.length_um,
            wavelength_um=wavelength_um,
            intrinsic_thickness_um=d_i,
            index=n_i,
            overlap=overlap,
            model=model,
        ),
        settings=settings.to_dict(),
    )
