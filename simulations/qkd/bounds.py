"""Repeaterless key-rate bounds (PLOB, TGW) and the binary entropy.

All bounds are in bits per channel use (per pulse) and are evaluated stably down to
transmittances of 1e-300: ``-log2(1 - eta)`` is computed as ``-log1p(-eta) / ln 2`` because the
naive form rounds ``1 - eta`` and is wrong by tens of percent below ``eta ~ 1e-15``.

Naming: the *absolute* variants take the channel transmittance only (fibre and extra losses
between Alice and Bob); the *conditional* variants also multiply in the detector efficiency,
i.e. they are the bound a repeaterless link with the same detectors would face.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

_LN2 = math.log(2.0)


def _transmittance(eta: ArrayLike, name: str = "eta") -> NDArray[np.float64]:
    arr = np.asarray(eta, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr < 0.0) or np.any(arr > 1.0):
        raise ValueError(f"{name}={eta!r} must lie in [0, 1]")
    return arr


def plob_bound(eta: ArrayLike) -> NDArray[np.float64]:
    """PLOB secret-key capacity of a pure-loss channel, ``-log2(1 - eta)`` bits per use.

    Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017) (arXiv:1510.08863).
    Verified against the arXiv abstract (v3): "the secret-key agreement capacity of the lossy
    channel is equal to -log2(1-eta), providing a scaling of about 1.44 eta bits per channel
    use for high loss" (the equation number in the body was not read). Evaluated with
    ``log1p``.

    Args:
        eta: transmittance(s) in [0, 1]; ``eta = 1`` gives ``inf``.

    Returns:
        The bound in bits per channel use, same shape as ``eta``.
    """
    arr = _transmittance(eta)
    with np.errstate(divide="ignore"):
        return -np.log1p(-arr) / _LN2


def tgw_bound(eta: ArrayLike) -> NDArray[np.float64]:
    """Takeoka-Guha-Wilde bound ``log2((1 + eta) / (1 - eta))`` bits per use (~2.89 eta).

    Takeoka, Guha, Wilde, "Fundamental rate-loss tradeoff for optical quantum key
    distribution", Nat. Commun. 5, 5235 (2014), arXiv:1504.06390 (title and authors checked).
    The abstract states the bound only in words ("solely a function of the channel loss");
    the formula is recalled, not checked against the source.
    Evaluated as ``(log1p(eta) - log1p(-eta)) / ln 2``, exact to rounding for small ``eta``.
    """
    arr = _transmittance(eta)
    with np.errstate(divide="ignore"):
        return (np.log1p(arr) - np.log1p(-arr)) / _LN2


def plob_absolute(channel_transmittance: ArrayLike) -> NDArray[np.float64]:
    """PLOB bound on the Alice-Bob channel transmittance alone (no detector efficiency)."""
    return plob_bound(channel_transmittance)


def plob_conditional(
    channel_transmittance: ArrayLike, detector_efficiency: float
) -> NDArray[np.float64]:
    """PLOB bound on ``channel_transmittance * detector_efficiency`` (same-detector bound)."""
    return plob_bound(np.asarray(channel_transmittance, dtype=float) * detector_efficiency)


def tgw_absolute(channel_transmittance: ArrayLike) -> NDArray[np.float64]:
    """TGW bound on the Alice-Bob channel transmittance alone."""
    return tgw_bound(channel_transmittance)


def tgw_conditional(
    channel_transmittance: ArrayLike, detector_efficiency: float
) -> NDArray[np.float64]:
    """TGW bound on ``channel_transmittance * detector_efficiency``."""
    return tgw_bound(np.asarray(channel_transmittance, dtype=float) * detector_efficiency)


def single_repeater_bound(eta_arm_a: ArrayLike, eta_arm_b: ArrayLike) -> NDArray[np.float64]:
    """Capacity bound of a link with one middle node: PLOB of the weaker arm.

    For a chain of channels the end-to-end capacity cannot exceed the capacity of its worst
    link (Pirandola, Commun. Phys. 2, 51 (2019), recalled). A TF-QKD rate can beat the
    repeaterless PLOB bound of the whole link, but never this one; the engine uses it as the
    information bound every result is checked against.
    """
    a = _transmittance(eta_arm_a, "eta_arm_a")
    b = _transmittance(eta_arm_b, "eta_arm_b")
    return plob_bound(np.minimum(a, b))


def binary_entropy(p: ArrayLike) -> NDArray[np.float64]:
    """Binary entropy ``H(p)`` in bits; arguments are clipped to [0, 1] (``H(0) = H(1) = 0``)."""
    x = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(x * np.log2(x) + (1.0 - x) * np.log2(1.0 - x))
    return np.where((x <= 0.0) | (x >= 1.0), 0.0, h)
