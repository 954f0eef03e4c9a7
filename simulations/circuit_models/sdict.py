"""S-parameter dictionaries (sax's ``SDict`` convention, in numpy).

An :data:`SDict` maps ``(port_in, port_out)`` to the complex amplitude arriving at ``port_out``
per unit amplitude entering ``port_in``, one value per wavelength. A port pair that is absent
does not couple.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qkdchip.constants import C_M_PER_S

SDict = dict[tuple[str, str], NDArray[np.complex128]]
"""``(port_in, port_out) -> complex amplitude per wavelength``."""

WAVELENGTH_RANGE_UM: tuple[float, float] = (1.0, 2.0)
"""Wavelengths the models accept in µm (their simulated inputs lie around 1.55 µm)."""


def wavelengths(wavelength_um: ArrayLike) -> NDArray[np.float64]:
    """``wavelength_um`` as a 1-D float array, every value finite and in
    :data:`WAVELENGTH_RANGE_UM`."""
    wl = np.atleast_1d(np.asarray(wavelength_um, dtype=float))
    low, high = WAVELENGTH_RANGE_UM
    if wl.ndim != 1 or wl.size == 0:
        raise ValueError(f"wavelength_um must be a scalar or a 1-D array, got shape {wl.shape}")
    if not (np.all(np.isfinite(wl)) and np.all((wl >= low) & (wl <= high))):
        bad = wl[~(np.isfinite(wl) & (wl >= low) & (wl <= high))][0]
        raise ValueError(f"wavelength_um={bad!r} is outside the allowed range [{low}, {high}]")
    return wl


def frequency_hz(wavelength_um: NDArray[np.float64]) -> NDArray[np.float64]:
    """Vacuum frequency in Hz of each wavelength in µm."""
    return C_M_PER_S / (wavelength_um * 1e-6)


def reciprocal(pairs: Mapping[tuple[str, str], NDArray[np.complex128]]) -> SDict:
    """``pairs`` with each ``(a, b)`` entry also given as ``(b, a)``."""
    out: SDict = {}
    for (a, b), value in pairs.items():
        out[(a, b)] = value
        out[(b, a)] = value
    return out


def ports(sdict: SDict) -> list[str]:
    """Sorted names of the ports an S-dictionary mentions."""
    return sorted({p for pair in sdict for p in pair})


def matrix(sdict: SDict, names: Iterable[str] | None = None) -> NDArray[np.complex128]:
    """The S-matrix ``S[..., out, in]`` of ``sdict`` over ``names`` (default: its ports)."""
    order = ports(sdict) if names is None else list(names)
    index = {name: k for k, name in enumerate(order)}
    n_wl = max((np.size(v) for v in sdict.values()), default=1)
    out = np.zeros((n_wl, len(order), len(order)), dtype=complex)
    for (a, b), value in sdict.items():
        out[:, index[b], index[a]] = value
    return out
