"""Waveguide modes with material dispersion: effective and group index, β2, mode area.

MPB solves each wavelength with the materials' indices *at that wavelength* (fixed-ε
eigenproblems). The group index then adds material dispersion to MPB's fixed-ε group velocity by
first-order perturbation theory: at fixed k, ∂ω/∂n_i = -ω f_i / n_i with f_i the fraction of the
electric energy ∫ε|E|² in material i, hence

    n_g = n_g,wg · (1 - Σ_i f_i (λ/n_i) dn_i/dλ),

which reduces to n - λ dn/dλ in a uniform medium. β2 = -(λ²/2πc²) dn_g/dλ comes from a
polynomial fit of n_g over a few wavelengths around the centre (same grid at every wavelength,
so the discretisation error is smooth in λ and drops out of the derivative).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qkdchip.cache import cache_key, cached
from qkdchip.constants import C_M_PER_S
from qkdchip.pdk.materials import INDEX_MODELS_VERSION
from qkdchip.records import Record
from qkdchip.simulations.meep_jobs import run_job
from qkdchip.simulations.modes.geometry import CrossSection

SOLVER_VERSION = 1
SWEEP_JOB = "qkdchip.simulations.modes.jobs:waveguide_mode_sweep"
MPB_THREADS = min(4, os.cpu_count() or 1)
"""OpenMP threads of an MPB sweep (its FFTs and eigensolver scale to a few threads: 1.25x on
two cores for the 100 nm strip)."""


@dataclass(frozen=True)
class ModeSettings(Record):
    """Numerical settings of an MPB mode solve.

    Attributes:
        resolution: grid points per µm, [8, 256].
        pad_um: cladding between the guiding window and the periodic cell edge in µm, [0.5, 10].
            The default 3.5 µm converges the weakly guided 100 nm film (MPB at 32 px/µm:
            β2 = 813, 764, 687, 694 ps²/km for 2, 2.5, 3.5, 5 µm; n_g to 1e-3 at 3.5 µm);
            strongly guided strips and InP ridges are converged with 1.5 µm.
        span_nm: full wavelength span of the dispersion fit in nm, [2, 400].
        points: wavelengths in the fit, [3, 9] (odd, centre included).
        bands: bands solved (1: fundamental; 2: also the next mode, e.g. a coupler's odd
            supermode), [1, 4].
    """

    resolution: int = 32
    pad_um: float = 3.5
    span_nm: float = 60.0
    points: int = 5
    bands: int = 1

    def __post_init__(self) -> None:
        if not 8 <= self.resolution <= 256:
            raise ValueError(f"resolution={self.resolution!r} is outside [8, 256] px/µm")
        if not 0.5 <= self.pad_um <= 10:
            raise ValueError(f"pad_um={self.pad_um!r} is outside [0.5, 10] µm")
        if not 2 <= self.span_nm <= 400:
            raise ValueError(f"span_nm={self.span_nm!r} is outside [2, 400] nm")
        if self.points not in (3, 5, 7, 9):
            raise ValueError(f"points={self.points!r} must be one of 3, 5, 7, 9")
        if not 1 <= self.bands <= 4:
            raise ValueError(f"bands={self.bands!r} is outside [1, 4]")


@dataclass(frozen=True)
class ModeResult(Record):
    """Fundamental (or requested band's) guided mode of a cross-section.

    Attributes:
        cross_section: name of the cross-section.
        band: band number (1 = highest effective index).
        wavelength_um: centre wavelength in µm.
        n_eff: effective index at the centre wavelength.
        n_group: group index including material dispersion.
        beta2_s2_per_m: group-velocity dispersion β2 in s²/m (> 0: normal).
        beta3_s3_per_m: third-order dispersion β3 in s³/m.
        dispersion_ps_per_nm_km: D = -2πc β2/λ² in ps/(nm·km) (> 0: anomalous).
        mode_area_um2: (∫|E|²)²/∫|E|⁴ in µm².
        confinement: fraction of the electric energy in the core material.
        energy_fractions: electric-energy fraction per material.
        kerr_fractions: fraction of ∫|E|⁴ per material (n2_eff = Σ n2_i · kerr_fraction_i).
        te_fraction: ∫|Ex|²/∫|E|² (1: TE, 0: TM).
        wavelengths_um: wavelengths of the dispersion fit.
        n_eff_per_wavelength: n_eff at each of them.
        n_group_per_wavelength: n_g at each of them.
        settings: the :class:`ModeSettings` used.
    """

    cross_section: str
    band: int
    wavelength_um: float
    n_eff: float
    n_group: float
    beta2_s2_per_m: float
    beta3_s3_per_m: float
    dispersion_ps_per_nm_km: float
    mode_area_um2: float
    confinement: float
    energy_fractions: dict[str, float]
    kerr_fractions: dict[str, float]
    te_fraction: float
    wavelengths_um: tuple[float, ...]
    n_eff_per_wavelength: tuple[float, ...]
    n_group_per_wavelength: tuple[float, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    def n_eff_at(self, wavelength_um: float) -> float:
        """n_eff interpolated (cubic in λ) within the fitted span."""
        wl = np.asarray(self.wavelengths_um)
        if not wl[0] - 1e-12 <= wavelength_um <= wl[-1] + 1e-12:
            raise ValueError(
                f"wavelength_um={wavelength_um!r} is outside the solved span [{wl[0]}, {wl[-1]}]"
            )
        deg = min(3, len(wl) - 1)
        coef = np.polyfit(wl - self.wavelength_um, self.n_eff_per_wavelength, deg)
        return float(np.polyval(coef, wavelength_um - self.wavelength_um))


def mpb_cell(cross_section: CrossSection, pad_um: float) -> dict[str, float]:
    """The periodic MPB cell around the cross-section's window (µm)."""
    x0, x1, y0, y1 = cross_section.window_um
    if cross_section.laterally_uniform:
        return {"x_min": x0, "x_max": x1, "y_min": y0 - pad_um, "y_max": y1 + pad_um}
    return {"x_min": x0 - pad_um, "x_max": x1 + pad_um, "y_min": y0 - pad_um, "y_max": y1 + pad_um}


def job_case(
    cross_section: CrossSection, wavelength_um: float, settings: ModeSettings
) -> dict[str, Any]:
    """Keyword arguments of the MPB job for one wavelength: each rectangle's material and its
    index from the PDK models (:func:`case_inputs` keeps the materials only)."""
    indices = cross_section.indices(wavelength_um)
    cell = mpb_cell(cross_section, settings.pad_um)
    return {
        "rects": [
            {
                "x_min": r.x_min_um,
                "x_max": r.x_max_um,
                "y_min": r.y_min_um,
                "y_max": r.y_max_um,
                "material": r.material,
                "index": indices[r.material],
            }
            for r in cross_section.rects
        ],
        "background_index": indices[cross_section.background],
        "cell": cell,
        "wavelength_um": wavelength_um,
        "resolution": settings.resolution,
        "bands": settings.bands,
    }


def case_inputs(cross_section: CrossSection, case: dict[str, Any]) -> dict[str, Any]:
    """A job case of ``cross_section`` as a cache key holds it: the materials by name, not the
    indices computed from them (a key names
    :data:`~qkdchip.pdk.materials.INDEX_MODELS_VERSION` instead)."""
    rects = [{k: v for k, v in r.items() if k != "index"} for r in case["rects"]]
    rest = {k: v for k, v in case.items() if k != "background_index"}
    return {**rest, "rects": rects, "background": cross_section.background}


def fit_wavelengths(wavelength_um: float, settings: ModeSettings) -> np.ndarray:
    half = settings.span_nm * 1e-3 / 2
    return wavelength_um + np.linspace(-half, half, settings.points)


def material_fractions(cross_section: CrossSection, per_rect: list[float]) -> dict[str, float]:
    """Sum per-rectangle fractions by material; the background gets the remainder."""
    out = dict.fromkeys(cross_section.materials, 0.0)
    for rect, value in zip(cross_section.rects, per_rect, strict=True):
        out[rect.material] += value
    out[cross_section.background] += max(0.0, 1.0 - sum(per_rect))
    return out


def group_index_with_material(
    *,
    n_group_fixed_index: float,
    energy_fractions: dict[str, float],
    indices: dict[str, float],
    slopes_per_um: dict[str, float],
    wavelength_um: float,
) -> float:
    """n_g = n_g,wg · (1 - Σ f_i (λ/n_i) dn_i/dλ) (see the module docstring)."""
    correction = sum(
        f * wavelength_um / indices[m] * slopes_per_um[m] for m, f in energy_fractions.items()
    )
    return n_group_fixed_index * (1.0 - correction)


def dispersion_from_group_index(
    wavelengths_um: np.ndarray, n_group: np.ndarray, wavelength_um: float
) -> tuple[float, float]:
    """(β2 in s²/m, β3 in s³/m) at ``wavelength_um`` from n_g sampled over λ."""
    x = (np.asarray(wavelengths_um) - wavelength_um) * 1e-6
    deg = min(3, len(x) - 1)
    coef = np.polyfit(x / 1e-6, n_group, deg)
    d1 = np.polyval(np.polyder(coef, 1), 0.0) / 1e-6
    d2 = np.polyval(np.polyder(coef, 2), 0.0) / 1e-12 if deg >= 2 else 0.0
    lam = wavelength_um * 1e-6
    beta2 = -(lam**2) / (2 * math.pi * C_M_PER_S**2) * d1
    # β3 = dβ2/dω = -(λ²/2πc) dβ2/dλ, with dβ2/dλ = -(2λ d1 + λ² d2)/(2πc²).
    dbeta2_dlam = -(2 * lam * d1 + lam**2 * d2) / (2 * math.pi * C_M_PER_S**2)
    beta3 = -(lam**2) / (2 * math.pi * C_M_PER_S) * dbeta2_dlam
    return float(beta2), float(beta3)


def _result_from_cases(
    cross_section: CrossSection,
    wavelength_um: float,
    wavelengths: np.ndarray,
    cases: list[dict[str, Any]],
    settings: ModeSettings,
    band: int,
) -> ModeResult:
    centre = len(wavelengths) // 2
    n_eff, n_group = [], []
    for wl, case in zip(wavelengths, cases, strict=True):
        mode = case["bands"][band - 1]
        fractions = material_fractions(cross_section, mode["energy_fraction"])
        n_eff.append(mode["n_eff"])
        n_group.append(
            group_index_with_material(
                n_group_fixed_index=mode["n_group_fixed_index"],
                energy_fractions=fractions,
                indices=cross_section.indices(float(wl)),
                slopes_per_um=cross_section.index_slopes_per_um(float(wl)),
                wavelength_um=float(wl),
            )
        )
    beta2, beta3 = dispersion_from_group_index(wavelengths, np.array(n_group), wavelength_um)
    mode = cases[centre]["bands"][band - 1]
    energy = material_fractions(cross_section, mode["energy_fraction"])
    kerr = material_fractions(cross_section, mode["kerr_fraction"])
    lam = wavelength_um * 1e-6
    return ModeResult(
        cross_section=cross_section.name,
        band=band,
        wavelength_um=wavelength_um,
        n_eff=n_eff[centre],
        n_group=n_group[centre],
        beta2_s2_per_m=beta2,
        beta3_s3_per_m=beta3,
        dispersion_ps_per_nm_km=-2 * math.pi * C_M_PER_S / lam**2 * beta2 * 1e6,
        mode_area_um2=mode["mode_area_um2"],
        confinement=energy[cross_section.core_material],
        energy_fractions=energy,
        kerr_fractions=kerr,
        te_fraction=mode["te_fraction"],
        wavelengths_um=tuple(float(w) for w in wavelengths),
        n_eff_per_wavelength=tuple(n_eff),
        n_group_per_wavelength=tuple(n_group),
        settings=settings.to_dict(),
    )


def _modes_payload(
    cross_section: CrossSection, wavelengths: np.ndarray, settings: ModeSettings
) -> dict[str, Any]:
    return {
        "version": SOLVER_VERSION,
        "index_models": INDEX_MODELS_VERSION,
        "cross_section": cross_section.to_dict(),
        "cases": [
            case_inputs(cross_section, job_case(cross_section, float(wl), settings))
            for wl in wavelengths
        ],
    }


def modes_key(
    cross_section: CrossSection, *, wavelength_um: float = 1.55, settings: ModeSettings
) -> str:
    """Cache key of :func:`solve_modes` for these inputs, without solving anything."""
    wavelengths = fit_wavelengths(wavelength_um, settings)
    return cache_key("modes", _modes_payload(cross_section, wavelengths, settings))


def solve_modes(
    cross_section: CrossSection,
    *,
    wavelength_um: float = 1.55,
    settings: ModeSettings | None = None,
    fresh: bool = False,
    timeout_s: float = 600.0,
) -> list[ModeResult]:
    """Solve the guided modes of ``cross_section`` around ``wavelength_um`` (cached).

    Args:
        cross_section: the waveguide cross-section (from the PDK stack and a design).
        wavelength_um: centre wavelength in µm, [0.4, 5].
        settings: numerical settings (default :class:`ModeSettings`).
        fresh: recompute even when a cached result exists.
        timeout_s: wall-clock limit of the MPB subprocess in s.

    Returns:
        One :class:`ModeResult` per band (``settings.bands``).
    """
    if not 0.4 <= wavelength_um <= 5.0:
        raise ValueError(f"wavelength_um={wavelength_um!r} is outside [0.4, 5] µm")
    settings = settings or ModeSettings()
    wavelengths = fit_wavelengths(wavelength_um, settings)
    payload = _modes_payload(cross_section, wavelengths, settings)

    def compute() -> dict[str, Any]:
        cases = [job_case(cross_section, float(wl), settings) for wl in wavelengths]
        return run_job(SWEEP_JOB, {"cases": cases}, timeout_s=timeout_s, threads=MPB_THREADS)

    raw, _ = cached("modes", payload, compute, fresh=fresh)
    return [
        _result_from_cases(cross_section, wavelength_um, wavelengths, raw["cases"], settings, b)
        for b in range(1, settings.bands + 1)
    ]


def solve_mode(
    cross_section: CrossSection,
    *,
    wavelength_um: float = 1.55,
    settings: ModeSettings | None = None,
    fresh: bool = False,
) -> ModeResult:
    """The fundamental mode only (see :func:`solve_modes`)."""
    settings = settings or ModeSettings()
    if settings.bands != 1:
        raise ValueError(f"settings.bands={settings.bands!r} must be 1 for solve_mode")
    return solve_modes(cross_section, wavelength_um=wavelength_um, settings=settings, fresh=fresh)[
        0
    ]
