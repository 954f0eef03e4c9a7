"""First-order sensitivities of a ring's resonance, group index and D2 to its strip's width,
film thickness and core index, from MPB solves of the drawn strip (central differences).

For a ring of radius R on a strip with effective index n_eff, group index n_g and GVD β2:

* a resonance at fixed mode number shifts by dλ/λ = dn_eff/n_g;
* D1 = c/(n_g R) (rad/s) and D2 = -(c/n_g) β2 D1² (from ω(μ) with β(ω_μ) R = μ);
* a core-index change δn moves n_eff by Γ n_g δn/n_core (first-order perturbation of the
  frequency at fixed β, Γ the core's electric-energy fraction), so dλ/dn_core = λ Γ/n_core.

The straight-strip D2 misses the bend's own dispersion; only its derivatives are used, the ring's
D2 itself comes from the meep ring simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qkdchip.components.designs import RingDesign, StripWaveguide
from qkdchip.constants import C_M_PER_S
from qkdchip.records import Record
from qkdchip.simulations.modes.geometry import strip_cross_section
from qkdchip.simulations.modes.solver import ModeResult, ModeSettings, solve_mode

WIDTH_STEP_NM = 50.0
"""Half-step of the width difference (the process sigma is about 25 nm)."""
THICKNESS_STEP_NM = 5.0
"""Half-step of the film-thickness difference (MPB averages sub-pixel interfaces)."""


@dataclass(frozen=True)
class RingSensitivities(Record):
    """Derivatives of a ring's resonance, n_g and D2 (names as in the yield table).

    Attributes:
        dlambda_dwidth_nm_per_nm: resonance shift per nm of strip width.
        dlambda_dthickness_nm_per_nm: resonance shift per nm of film thickness.
        dlambda_dcore_index_nm: resonance shift per unit of core refractive index, nm.
        dng_dwidth_per_nm: group-index change per nm of width.
        dng_dthickness_per_nm: group-index change per nm of film thickness.
        dd2_dwidth_khz_per_nm: D2/2π change per nm of width, kHz.
        dd2_dthickness_khz_per_nm: D2/2π change per nm of film thickness, kHz.
    """

    dlambda_dwidth_nm_per_nm: float
    dlambda_dthickness_nm_per_nm: float
    dlambda_dcore_index_nm: float
    dng_dwidth_per_nm: float
    dng_dthickness_per_nm: float
    dd2_dwidth_khz_per_nm: float
    dd2_dthickness_khz_per_nm: float


def ring_d2_hz(*, mode: ModeResult, radius_um: float) -> float:
    """D2/2π in Hz of a ring of ``radius_um`` on a strip with this mode: -(c/n_g) β2 D1²/2π."""
    d1 = C_M_PER_S / (mode.n_group * radius_um * 1e-6)
    return -(C_M_PER_S / mode.n_group) * mode.beta2_s2_per_m * d1**2 / (2 * math.pi)


def ring_sensitivities(
    ring: RingDesign, *, settings: ModeSettings | None = None, fresh: bool = False
) -> RingSensitivities:
    """Sensitivities of ``ring`` from five MPB solves of its strip (cached).

    Args:
        ring: the ring (its width, film thickness and radius).
        settings: MPB settings (default :class:`ModeSettings`).
        fresh: recompute even when cached.
    """
    settings = settings or ModeSettings()

    def mode(width_um: float, thickness_nm: float) -> ModeResult:
        strip = strip_cross_section(StripWaveguide(width_um, thickness_nm))
        return solve_mode(strip, settings=settings, fresh=fresh)

    w, h = ring.width_um, ring.thickness_nm
    dw, dh = WIDTH_STEP_NM, THICKNESS_STEP_NM
    centre = mode(w, h)
    wide, narrow = mode(w + dw * 1e-3, h), mode(w - dw * 1e-3, h)
    thick, thin = mode(w, h + dh), mode(w, h - dh)
    lam_nm = centre.wavelength_um * 1e3

    def shift(plus: ModeResult, minus: ModeResult, step: float) -> float:
        return lam_nm * (plus.n_eff - minus.n_eff) / (2 * step) / centre.n_group

    def d2_khz(m: ModeResult) -> float:
        return ring_d2_hz(mode=m, radius_um=ring.radius_um) * 1e-3

    strip = strip_cross_section(StripWaveguide(w, h))
    n_core = float(strip.indices(centre.wavelength_um)[strip.core_material])
    return RingSensitivities(
        dlambda_dwidth_nm_per_nm=shift(wide, narrow, dw),
        dlambda_dthickness_nm_per_nm=shift(thick, thin, dh),
        dlambda_dcore_index_nm=lam_nm * centre.confinement / n_core,
        dng_dwidth_per_nm=(wide.n_group - narrow.n_group) / (2 * dw),
        dng_dthickness_per_nm=(thick.n_group - thin.n_group) / (2 * dh),
        dd2_dwidth_khz_per_nm=(d2_khz(wide) - d2_khz(narrow)) / (2 * dw),
        dd2_dthickness_khz_per_nm=(d2_khz(thick) - d2_khz(thin)) / (2 * dh),
    )
