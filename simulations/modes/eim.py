"""Effective-index method for a rectangular core in a uniform cladding (independent estimate).

Symmetric three-layer slab, fundamental even mode (Marcuse, *Theory of Dielectric Optical
Waveguides*, ch. 1): with κ = k0 sqrt(n1² - n²) and γ = k0 sqrt(n² - n2²),
TE: tan(κ d/2) = γ/κ; TM: tan(κ d/2) = (n1/n2)² γ/κ. A TE-like strip mode (E along the width)
is a TE slab mode of the thickness, then a TM slab mode of the width with the first slab's index
as core index.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq


def slab_index(
    *, thickness_um: float, n_core: float, n_clad: float, wavelength_um: float, polarization: str
) -> float:
    """Effective index of the fundamental mode of a symmetric slab.

    Args:
        thickness_um: slab thickness in µm (> 0).
        n_core: core index (> n_clad).
        n_clad: cladding index (> 0).
        wavelength_um: vacuum wavelength in µm (> 0).
        polarization: ``"TE"`` (E parallel to the interfaces) or ``"TM"``.
    """
    if polarization not in ("TE", "TM"):
        raise ValueError(f"polarization={polarization!r} must be 'TE' or 'TM'")
    if not (thickness_um > 0 and wavelength_um > 0 and 0 < n_clad < n_core):
        raise ValueError(
            f"need thickness_um > 0, wavelength_um > 0 and 0 < n_clad < n_core; got "
            f"{thickness_um!r}, {wavelength_um!r}, {n_clad!r}, {n_core!r}"
        )
    k0 = 2 * math.pi / wavelength_um
    ratio = (n_core / n_clad) ** 2 if polarization == "TM" else 1.0

    def residual(n: float) -> float:
        kappa = k0 * math.sqrt(n_core**2 - n**2)
        gamma = k0 * math.sqrt(n**2 - n_clad**2)
        # tan(κd/2)·κ - ratio·γ written without the tangent's poles (first branch only).
        half = kappa * thickness_um / 2
        return math.sin(half) * kappa - ratio * gamma * math.cos(half)

    # The fundamental mode lies where κd/2 is in (0, π/2).
    n_low = math.sqrt(max(n_core**2 - (math.pi / (k0 * thickness_um)) ** 2, n_clad**2))
    eps = 1e-12
    return brentq(residual, n_low + eps, n_core - eps, xtol=1e-14)


def strip_index_eim(
    *, width_um: float, thickness_um: float, n_core: float, n_clad: float, wavelength_um: float
) -> float:
    """Effective index of the TE-like fundamental mode of a buried rectangular strip (EIM)."""
    n_slab = slab_index(
        thickness_um=thickness_um,
        n_core=n_core,
        n_clad=n_clad,
        wavelength_um=wavelength_um,
        polarization="TE",
    )
    return slab_index(
        thickness_um=width_um,
        n_core=n_slab,
        n_clad=n_clad,
        wavelength_um=wavelength_um,
        polarization="TM",
    )
