"""Refractive-index models of the materials of both platforms.

Every model is a pure function of the vacuum wavelength in µm (the name of each function says
so) that accepts a float or a numpy array and returns the real refractive index. The models are
valid in the transparent region of each material only; asking outside the stated range raises
``ValueError`` instead of extrapolating.

Sources:
    * Si3N4 (LPCVD, stoichiometric): K. Luke, Y. Okawachi, M. R. E. Lamont, A. L. Gaeta and
      M. Lipson, "Broadband mid-infrared frequency comb generation in a Si3N4 microresonator",
      Opt. Lett. 40, 4823 (2015), two-term Sellmeier fitted from 0.31 to 5.5 µm.
    * SiO2 (fused silica): I. H. Malitson, "Interspecimen comparison of the refractive index of
      fused silica", J. Opt. Soc. Am. 55, 1205 (1965), three-term Sellmeier, 0.21 to 6.7 µm.
    * InP: G. D. Pettit and W. J. Turner, "Refractive index of InP", J. Appl. Phys. 36, 2081
      (1965), Sellmeier fit from 0.95 to 10 µm.
    * In(1-x)Ga(x)As(y)P(1-y) lattice matched to InP, labelled by its band-gap wavelength Q(λg):
      modified single-effective-oscillator model (Afromowitz 1974) with the composition
      dependence of the oscillator energies fitted by B. Broberg and S. Lindgren, "Refractive
      index of In1-xGaxAsyP1-y layers and InP in the transparent wavelength region", J. Appl.
      Phys. 55, 3376 (1984), as written out in J. Buus, M.-C. Amann and D. J. Blumenthal,
      *Tunable Laser Diodes and Related Optical Sources*, 2nd ed., Appendix A (Wiley, 2005).
      The band gap versus arsenic fraction is R. E. Nahory et al., Appl. Phys. Lett. 33, 659
      (1978): Eg(y) = 1.35 - 0.72 y + 0.12 y² eV with x = 0.1894 y / (0.4184 - 0.013 y).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from qkdchip.records import Record

ArrayLike = float | npt.NDArray[np.float64]

HC_EV_UM = 1.239841984
"""Planck constant times speed of light in eV·µm (photon energy E[eV] = HC_EV_UM / λ[µm])."""


def _as_wavelength_um(
    wavelength_um: ArrayLike, low_um: float, high_um: float, name: str
) -> np.ndarray:
    wl = np.asarray(wavelength_um, dtype=float)
    if not np.all(np.isfinite(wl)) or np.any(wl < low_um) or np.any(wl > high_um):
        raise ValueError(
            f"wavelength_um={wavelength_um!r} is outside the validity range of the {name} model "
            f"[{low_um}, {high_um}] µm"
        )
    return wl


def _result(value: np.ndarray, like: ArrayLike) -> ArrayLike:
    return float(value) if np.ndim(like) == 0 else value


def _sellmeier(wl_um: np.ndarray, b: tuple[float, ...], c_um: tuple[float, ...]) -> np.ndarray:
    wl2 = wl_um**2
    n2 = 1.0 + sum(bi * wl2 / (wl2 - ci**2) for bi, ci in zip(b, c_um, strict=True))
    return np.sqrt(n2)


def n_si3n4_luke2015(wavelength_um: ArrayLike) -> ArrayLike:
    """Refractive index of LPCVD Si3N4 (Luke et al. 2015 Sellmeier), valid 0.31-5.5 µm.

    Args:
        wavelength_um: vacuum wavelength in µm (float or array).

    Returns:
        The refractive index (about 1.996 at 1.55 µm).
    """
    wl = _as_wavelength_um(wavelength_um, 0.31, 5.5, "Si3N4 (Luke 2015)")
    return _result(_sellmeier(wl, (3.0249, 40314.0), (0.1353406, 1239.842)), wavelength_um)


def n_sio2_malitson1965(wavelength_um: ArrayLike) -> ArrayLike:
    """Refractive index of fused silica (Malitson 1965 Sellmeier), valid 0.21-6.7 µm.

    Args:
        wavelength_um: vacuum wavelength in µm (float or array).

    Returns:
        The refractive index (1.4440 at 1.55 µm).
    """
    wl = _as_wavelength_um(wavelength_um, 0.21, 6.7, "SiO2 (Malitson 1965)")
    return _result(
        _sellmeier(wl, (0.6961663, 0.4079426, 0.8974794), (0.0684043, 0.1162414, 9.896161)),
        wavelength_um,
    )


def n_inp_pettit1965(wavelength_um: ArrayLike) -> ArrayLike:
    """Refractive index of InP (Pettit and Turner 1965), valid 0.95-10 µm.

    The fit is n² = 7.255 + 2.316 λ²/(λ² - 0.6263²) + 2.765 λ²/(λ² - 32.935²), λ in µm.

    Args:
        wavelength_um: vacuum wavelength in µm (float or array).

    Returns:
        The refractive index (about 3.165 at 1.55 µm).
    """
    wl = _as_wavelength_um(wavelength_um, 0.95, 10.0, "InP (Pettit 1965)")
    wl2 = wl**2
    n2 = 7.255 + 2.316 * wl2 / (wl2 - 0.6263**2) + 2.765 * wl2 / (wl2 - 32.935**2)
    return _result(np.sqrt(n2), wavelength_um)


@dataclass(frozen=True)
class QuaternaryComposition(Record):
    """Composition of In(1-x)Ga(x)As(y)P(1-y) lattice matched to InP.

    Attributes:
        bandgap_wavelength_um: band-gap wavelength λg in µm (the Q-number, e.g. 1.25 for Q1.25).
        x_ga: gallium fraction x.
        y_as: arsenic fraction y.
        bandgap_ev: band-gap energy in eV.
    """

    bandgap_wavelength_um: float
    x_ga: float
    y_as: float
    bandgap_ev: float


Q_BANDGAP_RANGE_UM: tuple[float, float] = (0.92, 1.65)
"""Band-gap wavelengths covered by the lattice-matched quaternary (InP at 0.918 µm to InGaAs)."""


def quaternary_composition(bandgap_wavelength_um: float) -> QuaternaryComposition:
    """Composition of lattice-matched Q(λg) from its band-gap wavelength (Nahory et al. 1978).

    Args:
        bandgap_wavelength_um: band-gap wavelength in µm, within :data:`Q_BANDGAP_RANGE_UM`.

    Returns:
        The composition (x, y) and band gap.
    """
    low, high = Q_BANDGAP_RANGE_UM
    if not np.isfinite(bandgap_wavelength_um) or not low <= bandgap_wavelength_um <= high:
        raise ValueError(
            f"bandgap_wavelength_um={bandgap_wavelength_um!r} is outside the lattice-matched "
            f"InGaAsP range [{low}, {high}] µm"
        )
    eg = HC_EV_UM / bandgap_wavelength_um
    # 0.12 y² - 0.72 y + (1.35 - Eg) = 0, smaller root (y in [0, 1]).
    disc = 0.72**2 - 4 * 0.12 * (1.35 - eg)
    y = (0.72 - np.sqrt(max(disc, 0.0))) / (2 * 0.12)
    y = float(min(max(y, 0.0), 1.0))
    x = 0.1894 * y / (0.4184 - 0.013 * y)
    return QuaternaryComposition(
        bandgap_wavelength_um=float(bandgap_wavelength_um), x_ga=x, y_as=y, bandgap_ev=eg
    )


def n_ingaasp_broberg1984(wavelength_um: ArrayLike, *, bandgap_wavelength_um: float) -> ArrayLike:
    """Refractive index of lattice-matched InGaAsP Q(λg) (Broberg and Lindgren 1984).

    Modified single-effective-oscillator model
    n² = 1 + Ed/E0 + Ed E²/E0³ + Ed E⁴/(2 E0³ (E0² - Eg²)) · ln((2E0² - Eg² - E²)/(Eg² - E²))
    with E0 = 0.595 x²(1-y) + 1.626 xy - 1.891 y + 0.524 x + 3.391 eV and
    Ed = (12.36 x - 12.71) y + 7.54 x + 28.91 eV. Valid in the transparent region only, so the
    wavelength must exceed λg by at least 50 nm (the model diverges at the band edge).

    Args:
        wavelength_um: vacuum wavelength in µm (float or array), > λg + 0.05 µm and <= 2.0 µm.
        bandgap_wavelength_um: band-gap wavelength λg in µm (Q-number).

    Returns:
        The refractive index (InP limit ≈ 3.17, Q1.25 ≈ 3.36 at 1.55 µm).
    """
    comp = quaternary_composition(bandgap_wavelength_um)
    wl = _as_wavelength_um(
        wavelength_um, bandgap_wavelength_um + 0.05, 2.0, f"InGaAsP Q({bandgap_wavelength_um})"
    )
    x, y, eg = comp.x_ga, comp.y_as, comp.bandgap_ev
    e0 = 0.595 * x**2 * (1 - y) + 1.626 * x * y - 1.891 * y + 0.524 * x + 3.391
    ed = (12.36 * x - 12.71) * y + 7.54 * x + 28.91
    e = HC_EV_UM / wl
    eta = ed / (2 * e0**3 * (e0**2 - eg**2))
    n2 = (
        1
        + ed / e0
        + ed * e**2 / e0**3
        + eta * e**4 * np.log((2 * e0**2 - eg**2 - e**2) / (eg**2 - e**2))
    )
    return _result(np.sqrt(n2), wavelength_um)


IndexModel = Callable[[ArrayLike], ArrayLike]

INDEX_MODELS_VERSION = 1
"""Version of the index models below; raise it whenever a model's values change. The cache keys
of device results name the materials and this version, never the indices computed from them
(the last bits of a logarithm or a power differ between CPUs and math libraries)."""

MATERIALS: dict[str, IndexModel] = {
    "Si3N4": n_si3n4_luke2015,
    "SiO2": n_sio2_malitson1965,
    "InP": n_inp_pettit1965,
    "Q(1.06)": partial(n_ingaasp_broberg1984, bandgap_wavelength_um=1.06),
    "Q(1.25)": partial(n_ingaasp_broberg1984, bandgap_wavelength_um=1.25),
    "Q(1.30)": partial(n_ingaasp_broberg1984, bandgap_wavelength_um=1.30),
    "air": lambda wavelength_um: _result(
        np.ones_like(np.asarray(wavelength_um, dtype=float)), wavelength_um
    ),
}
"""Index models by material name, as used in the layer stacks of both platforms."""


def refractive_index(material: str, wavelength_um: ArrayLike) -> ArrayLike:
    """Refractive index of a named material at a vacuum wavelength in µm.

    Names are the keys of :data:`MATERIALS`; any lattice-matched quaternary can be asked for as
    ``"Q(<λg in µm>)"``, e.g. ``"Q(1.15)"``.

    Args:
        material: material name.
        wavelength_um: vacuum wavelength in µm (float or array).

    Returns:
        The refractive index.
    """
    if isinstance(wavelength_um, float | int) and not isinstance(wavelength_um, bool):
        return _scalar_index(material, float(wavelength_um))
    return _index(material, wavelength_um)


@functools.lru_cache(maxsize=4096)
def _scalar_index(material: str, wavelength_um: float) -> float:
    """:func:`refractive_index` at one wavelength, remembered (mode solves ask for the same
    few wavelengths many times)."""
    return float(_index(material, wavelength_um))


def _index(material: str, wavelength_um: ArrayLike) -> ArrayLike:
    model = MATERIALS.get(material)
    if model is not None:
        return model(wavelength_um)
    if material.startswith("Q(") and material.endswith(")"):
        try:
            lam_g = float(material[2:-1])
        except ValueError:
            lam_g = float("nan")
        if np.isfinite(lam_g):
            return n_ingaasp_broberg1984(wavelength_um, bandgap_wavelength_um=lam_g)
    raise ValueError(
        f"material={material!r} is unknown; allowed: {sorted(MATERIALS)} or 'Q(<λg µm>)'"
    )


KERR_N2_M2_PER_W: dict[str, float] = {
    "Si3N4": 2.4e-19,
    "SiO2": 2.6e-20,
}
"""Kerr (intensity-dependent) index n2 in m²/W near 1550 nm, by material name.

Sources: Si3N4, K. Ikeda, R. E. Saperstein, N. Alic and Y. Fainman, "Thermal and Kerr nonlinear
properties of plasma-deposited silicon nitride/silicon dioxide waveguides", Opt. Express 16,
12987 (2008) (2.4e-15 cm²/W, the value the Si3N4 microcomb literature uses); fused silica,
G. P. Agrawal, *Nonlinear Fiber Optics*, 5th ed., section 2.3 (Academic Press, 2013).
"""


def effective_kerr_n2(kerr_fractions: dict[str, float]) -> float:
    """Effective n2 in m²/W of a mode: Σ n2_i · f_i over the materials it fills.

    Args:
        kerr_fractions: fraction of ∫|E|⁴ in each material (the mode solver's
            ``kerr_fractions``); materials without light (fraction 0) may lack an n2.

    Returns:
        The Kerr-weighted n2 in m²/W.
    """
    total = 0.0
    for material, fraction in kerr_fractions.items():
        if not (np.isfinite(fraction) and 0.0 <= fraction <= 1.0 + 1e-9):
            raise ValueError(f"kerr_fractions[{material!r}]={fraction!r} is outside [0, 1]")
        if fraction == 0.0:
            continue
        if material not in KERR_N2_M2_PER_W:
            raise ValueError(
                f"material={material!r} carries light but has no n2; "
                f"known: {sorted(KERR_N2_M2_PER_W)}"
            )
        total += KERR_N2_M2_PER_W[material] * fraction
    if total <= 0.0:
        raise ValueError(f"kerr_fractions={kerr_fractions!r} put no light in a Kerr material")
    return total
