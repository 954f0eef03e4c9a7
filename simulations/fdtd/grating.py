"""DBR grating: coupling coefficient κ and stop band from meep, checked against coupled-mode theory.

The grating of a DBR section is a deep ridge whose upper cladding is etched by
``etch_depth_um`` in the grooves (a surface grating). MPB gives the effective indices of the
tooth and groove cross-sections on the PDK epitaxy; a 1-D effective-index meep model then gives

* the two band-edge frequencies of one period at k = π/Λ (Bloch-periodic cell, Harminv). In
  coupled-mode theory the stop band is Δf = c κ / (π n_g), so κ = π n_g Δf / c with n_g of the
  1-D model (the mean index, taken from the gap centre f_B = c/(2 n Λ));
* the reflection spectrum of the finite grating (N periods), whose peak is compared with the CMT
  value tanh²(κL).

The stop band of the real waveguide is reported with the MPB group index (material and
waveguide dispersion): Δλ = λ_B² κ / (π n_g).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qkdchip.cache import cached
from qkdchip.components.designs import DbrGratingDesign, RidgeWaveguide
from qkdchip.pdk.stacks import EPI_STACK, EpiStack
from qkdchip.records import Record
from qkdchip.simulations.meep_jobs import run_job
from qkdchip.simulations.modes.geometry import ridge_cross_section
from qkdchip.simulations.modes.solver import ModeSettings, modes_key, solve_mode
from qkdchip.validation import check_ranges

SOLVER_VERSION = 1
BAND_JOB = "qkdchip.simulations.fdtd.jobs:bragg_band_edges"
REFLECTION_JOB = "qkdchip.simulations.fdtd.jobs:grating_reflection"


@dataclass(frozen=True)
class GratingCorrugation(Record):
    """Physical corrugation of a surface grating (not part of :class:`DbrGratingDesign`).

    Attributes:
        etch_depth_um: depth removed from the top of the upper cladding in the grooves, in µm
            (assumption: 1.2 µm of the 1.5 µm p-InP, leaving 0.3 µm above the core).
        ridge: the ridge waveguide the grating is etched into.
    """

    etch_depth_um: float = 1.2
    ridge: RidgeWaveguide = field(default_factory=RidgeWaveguide)

    def __post_init__(self) -> None:
        if not 0.0 < self.etch_depth_um < self.ridge.upper_cladding_um:
            raise ValueError(
                f"etch_depth_um={self.etch_depth_um!r} is outside "
                f"(0, {self.ridge.upper_cladding_um}) µm"
            )


@dataclass(frozen=True)
class GratingSettings(Record):
    """Numerical settings of the grating simulation.

    Attributes:
        resolution: meep pixels per µm of the 1-D model, [20, 400].
        mode_resolution: MPB pixels per µm of the cross-sections, [8, 128].
        reflection_periods: periods of the finite grating simulated for the spectrum
            (0: the design's own length), [0, 20000].
        frequencies: points of the reflection spectrum, [11, 2001].
        pad_um: access medium on each side of the finite grating in µm, [0.5, 20].
        pml_um: PML thickness of the 1-D reflection run in µm, [0.5, 20].
    """

    resolution: int = 60
    mode_resolution: int = 24
    reflection_periods: int = 0
    frequencies: int = 301
    pad_um: float = 2.0
    pml_um: float = 2.0

    def __post_init__(self) -> None:
        check_ranges(
            self,
            (
                ("resolution", 20, 400),
                ("mode_resolution", 8, 128),
                ("reflection_periods", 0, 20000),
                ("frequencies", 11, 2001),
                ("pad_um", 0.5, 20),
                ("pml_um", 0.5, 20),
            ),
        )


@dataclass(frozen=True)
class GratingResult(Record):
    """κ, stop band and reflection of a DBR grating.

    Attributes:
        design: the :class:`DbrGratingDesign` as a dict.
        corrugation: the :class:`GratingCorrugation` as a dict.
        n_eff_tooth: effective index of the unetched section at the Bragg wavelength.
        n_eff_groove: effective index of the etched section.
        n_group: group index of the ridge mode (MPB, material dispersion included).
        bragg_wavelength_nm: centre of the stop band in nm.
        kappa_per_m: coupling coefficient κ in 1/m (from the band gap).
        stop_band_nm: band-gap width λ_B² κ/(π n_g) in nm with the real group index.
        periods: periods of the simulated finite grating.
        length_um: its length in µm.
        peak_reflectance: simulated peak reflection, 1 - min(T): the 1-D model is lossless and
            the transmission needs no incident-field subtraction, so it is the more accurate
            of the two spectra (the measured R agrees within ``energy_balance_error``).
        cmt_peak_reflectance: tanh²(κL) for the same length.
        wavelength_nm: wavelengths of the spectrum in nm (ascending).
        reflectance: simulated reflection at each.
        transmittance: simulated transmission at each.
        energy_balance_error: max |R + T - 1| over the spectrum.
        settings: the :class:`GratingSettings` used.
    """

    design: dict[str, Any]
    corrugation: dict[str, Any]
    n_eff_tooth: float
    n_eff_groove: float
    n_group: float
    bragg_wavelength_nm: float
    kappa_per_m: float
    stop_band_nm: float
    periods: int
    length_um: float
    peak_reflectance: float
    cmt_peak_reflectance: float
    wavelength_nm: tuple[float, ...]
    reflectance: tuple[float, ...]
    transmittance: tuple[float, ...]
    energy_balance_error: float
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def kappa_per_cm(self) -> float:
        return self.kappa_per_m * 1e-2


def cmt_peak_reflectance(*, kappa_per_m: float, length_um: float) -> float:
    """Peak reflectance tanh²(κL) of a uniform lossless grating (coupled-mode theory)."""
    if not (kappa_per_m > 0 and length_um > 0):
        raise ValueError(f"kappa_per_m={kappa_per_m!r} and length_um={length_um!r} must be > 0")
    return math.tanh(kappa_per_m * length_um * 1e-6) ** 2


def kappa_from_band_edges(*, f_low: float, f_high: float, period_um: float) -> float:
    """κ in 1/µm from the band-edge frequencies (c/µm) of the 1-D model.

    κ = π n Δf (c = 1) with the model's group index n = 1/(2 Λ f_B) (first order in the index
    contrast), f_B = (f_low + f_high)/2, hence κ = π Δf / (2 Λ f_B).
    """
    if not 0 < f_low < f_high:
        raise ValueError(f"band edges f_low={f_low!r}, f_high={f_high!r} must be 0 < low < high")
    if not period_um > 0:
        raise ValueError(f"period_um={period_um!r} must be > 0")
    return math.pi * (f_high - f_low) / (period_um * (f_low + f_high))


def simulate_grating(
    design: DbrGratingDesign | None = None,
    *,
    corrugation: GratingCorrugation | None = None,
    epi: EpiStack = EPI_STACK,
    settings: GratingSettings | None = None,
    fresh: bool = False,
) -> GratingResult:
    """κ, stop band and reflection spectrum of a DBR grating (cached).

    Args:
        design: the grating (period, length, duty cycle); default :class:`DbrGratingDesign`.
        corrugation: the etched geometry (default :class:`GratingCorrugation`).
        epi: the InP epitaxy of the PDK.
        settings: numerical settings.
        fresh: recompute even if cached.
    """
    design = design or DbrGratingDesign()
    corrugation = corrugation or GratingCorrugation()
    settings = settings or GratingSettings()
    mode_settings = ModeSettings(resolution=settings.mode_resolution, pad_um=1.5)
    tooth_xs = ridge_cross_section(corrugation.ridge, epi)
    groove_xs = ridge_cross_section(corrugation.ridge, epi, top_etch_um=corrugation.etch_depth_um)
    tooth = solve_mode(tooth_xs, settings=mode_settings, fresh=fresh)
    groove = solve_mode(groove_xs, settings=mode_settings, fresh=fresh)
    period_um = design.period_nm * 1e-3
    duty = design.duty_cycle
    # Bragg wavelength of the mean index, then the indices there (within the solved span).
    lam = 2 * period_um * (duty * tooth.n_eff + (1 - duty) * groove.n_eff)
    lam = min(max(lam, tooth.wavelengths_um[0]), tooth.wavelengths_um[-1])
    n_t, n_g_ = tooth.n_eff_at(lam), groove.n_eff_at(lam)
    periods = settings.reflection_periods or design.n_periods
    f0 = 1.0 / (2 * period_um * (duty * n_t + (1 - duty) * n_g_))
    common = {"n_tooth": n_t, "n_groove": n_g_, "period_um": period_um, "duty_cycle": duty}
    band_params = {
        **common,
        "resolution": settings.resolution,
        "frequency": f0,
        "frequency_width": 0.2 * f0,
    }
    # Inputs only: the indices and f0 above are computed, so the key names the mode solves.
    payload = {
        "version": SOLVER_VERSION,
        "period_nm": design.period_nm,
        "duty_cycle": duty,
        "periods": periods,
        "settings": settings.to_dict(),
        "tooth_modes": modes_key(tooth_xs, settings=mode_settings),
        "groove_modes": modes_key(groove_xs, settings=mode_settings),
    }

    def compute() -> dict[str, Any]:
        band = run_job(BAND_JOB, band_params, timeout_s=600)
        # The two band-edge modes are the clean Harminv modes nearest the Bragg frequency.
        modes = sorted(
            (m for m in band["modes"] if m["error"] < 1e-4), key=lambda m: abs(m["frequency"] - f0)
        )[:2]
        if len(modes) < 2:
            raise RuntimeError(f"band edges not found: Harminv gave {band['modes']!r}")
        f_low, f_high = sorted(m["frequency"] for m in modes)
        kappa_um = kappa_from_band_edges(f_low=f_low, f_high=f_high, period_um=period_um)
        # Six stop-band widths, plus room for the sinc-like lobes of a short grating.
        span = 6 * (f_high - f_low) + 4 / (2 * n_t * periods * period_um)
        refl = run_job(
            REFLECTION_JOB,
            {
                **common,
                "periods": periods,
                "resolution": settings.resolution,
                "frequency": 0.5 * (f_low + f_high),
                "frequency_width": span,
                "frequencies": settings.frequencies,
                "pad_um": settings.pad_um,
                "pml_um": settings.pml_um,
            },
            timeout_s=1800,
        )
        return {"f_low": f_low, "f_high": f_high, "kappa_per_um": kappa_um, "spectrum": refl}

    raw, _ = cached("grating", payload, compute, fresh=fresh)
    f_b = 0.5 * (raw["f_low"] + raw["f_high"])
    kappa = raw["kappa_per_um"] * 1e6
    lam_b_nm = 1e3 / f_b
    spectrum = raw["spectrum"]
    order = np.argsort(1.0 / np.array(spectrum["frequency"]))
    wl_nm = 1e3 / np.array(spectrum["frequency"])[order]
    length_um = periods * period_um
    return GratingResult(
        design=design.to_dict(),
        corrugation=corrugation.to_dict(),
        n_eff_tooth=n_t,
        n_eff_groove=n_g_,
        n_group=tooth.n_group,
        bragg_wavelength_nm=lam_b_nm,
        kappa_per_m=kappa,
        stop_band_nm=(lam_b_nm * 1e-9) ** 2 * kappa / (math.pi * tooth.n_group) * 1e9,
        periods=periods,
        length_um=length_um,
        peak_reflectance=float(1.0 - min(spectrum["transmission"])),
        cmt_peak_reflectance=cmt_peak_reflectance(kappa_per_m=kappa, length_um=length_um),
        wavelength_nm=tuple(float(w) for w in wl_nm),
        reflectance=tuple(float(v) for v in np.array(spectrum["reflection"])[order]),
        transmittance=tuple(float(v) for v in np.array(spectrum["transmission"])[order]),
        energy_balance_error=float(
            np.max(np.abs(np.array(spectrum["reflection"]) + spectrum["transmission"] - 1.0))
        ),
        settings=settings.to_dict(),
    )
