"""Forward model: expected click rates of every SNS window type.

Model (a project choice shared by the SNS simulation literature; the formulas are derived
here, not copied): phase-randomised coherent states; arm transmittances ``eta_a``, ``eta_b``
include Charlie's detector efficiency; each of Charlie's two threshold detectors has an
independent noise click probability ``p_d`` per window; an *effective event* is exactly one
click. Intensities ``I0``, ``I1`` reaching the two detectors give

    P(one click) = (1 - (1-p_d) e^{-I0}) (1-p_d) e^{-I1} + (1-p_d) e^{-I0} (1 - (1-p_d) e^{-I1}).

With Alice sending ``|sqrt(mu_a) e^{i t_a}>`` and Bob ``|sqrt(mu_b) e^{i t_b}>`` the detector
intensities are ``(mu_a eta_a + mu_b eta_b)/2 +- V sqrt(mu_a eta_a mu_b eta_b) cos(d)`` with
``d`` the phase difference and ``V = 1 - 2 e_d`` the interference visibility (misalignment
``e_d``). For ``eta_a = eta_b`` this is the ``2 mu eta[(1-e_d)cos^2(d/2) + e_d sin^2(d/2)]``
form recalled for the SNS papers (recalled, not checked against the source).

Checks: the tests compare every yield with an independent photon-number or phase average,
and together with the asymptotic SNS rate the model reproduces the secure distances stated in
the abstract of Wang, Yu, Hu, PRA 98, 062323 (2018) (tests/simulations/qkd/test_published.py).

All functions broadcast over numpy arrays (distances x candidate parameter sets).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)

Array = NDArray[np.float64]


class WindowYields(NamedTuple):
    """Expected effective-event rates (yields) per window of each source.

    Names: ``sjk`` = Alice sends intensity j, Bob k (0 = vacuum, 1 = mu_1, 2 = mu_2,
    z = mu_z). ``szz`` has independent random phases (both send in a signal window);
    ``x1_gain``/``x1_error`` are the effective-event and error rates of phase-matched X1
    windows (both mu_1, phase difference within +-D_s/2 of the reference).
    ``s1_a``/``s1_b`` are the model's true single-photon yields (one photon from Alice/Bob,
    vacuum from the other) that the decoy method must bound.
    """

    s00: Array
    s10: Array
    s01: Array
    s20: Array
    s02: Array
    sz0: Array
    s0z: Array
    szz: Array
    x1_gain: Array
    x1_error: Array
    s1_a: Array
    s1_b: Array


def _no_click(intensity: Array, log_no_dark: Array) -> Array:
    """``(1 - p_d) e^{-I}``: probability that a detector stays silent."""
    return np.exp(log_no_dark - intensity)


def _click(intensity: Array, log_no_dark: Array) -> Array:
    """``1 - (1 - p_d) e^{-I}``, accurate when both ``p_d`` and ``I`` are tiny."""
    return -np.expm1(log_no_dark - intensity)


def one_sided_yield(intensity: ArrayLike, eta: ArrayLike, p_dark: ArrayLike) -> Array:
    """Effective-event rate when one party sends ``intensity`` and the other vacuum.

    Random phase: each detector sees ``intensity * eta / 2``; result ``2 a (1 - a)`` with
    ``a`` the no-click probability of one detector.
    """
    log_nd = np.log1p(-np.asarray(p_dark, dtype=float))
    half = np.asarray(intensity, dtype=float) * np.asarray(eta, dtype=float) / 2.0
    return 2.0 * _no_click(half, log_nd) * _click(half, log_nd)


def window_yields(
    *,
    eta_a: ArrayLike,
    eta_b: ArrayLike,
    p_dark: ArrayLike,
    misalignment: ArrayLike,
    phase_slice_rad: ArrayLike,
    mu_z: ArrayLike,
    mu_1: ArrayLike,
    mu_2: ArrayLike | None,
    mu_z_b: ArrayLike | None = None,
    mu_1_b: ArrayLike | None = None,
    mu_2_b: ArrayLike | None = None,
) -> WindowYields:
    """Expected yields of all SNS sources for the given channel and intensities.

    Args:
        eta_a: arm-A transmittance including detector efficiency.
        eta_b: arm-B transmittance including detector efficiency.
        p_dark: noise click probability per detector per window.
        misalignment: X-window error floor e_d (visibility ``1 - 2 e_d``).
        phase_slice_rad: full width D_s of the X1 phase acceptance (rad).
        mu_z: signal intensity (Alice's; Bob's too unless ``mu_z_b`` is given).
        mu_1: weak decoy intensity (likewise).
        mu_2: strong decoy intensity, or None (then ``s20``/``s02`` are the signal-window
            one-sided yields ``sz0``/``s0z``).
        mu_z_b: Bob's signal intensity, None for ``mu_z``.
        mu_1_b: Bob's weak decoy intensity, None for ``mu_1``.
        mu_2_b: Bob's strong decoy intensity, None for ``mu_2``.

    Returns:
        The :class:`WindowYields`, broadcast to the common shape of the inputs.
    """
    from scipy.special import i0e

    eta_a = np.asarray(eta_a, dtype=float)
    eta_b = np.asarray(eta_b, dtype=float)
    p_d = np.asarray(p_dark, dtype=float)
    log_nd = np.log1p(-p_d)
    mu_z = np.asarray(mu_z, dtype=float)
    mu_1 = np.asarray(mu_1, dtype=float)
    mu_z_b = mu_z if mu_z_b is None else np.asarray(mu_z_b, dtype=float)
    mu_1_b = mu_1 if mu_1_b is None else np.asarray(mu_1_b, dtype=float)
    vis = 1.0 - 2.0 * np.asarray(misalignment, dtype=float)

    s00 = 2.0 * p_d * (1.0 - p_d) + 0.0 * (eta_a + eta_b + mu_z)
    s10 = one_sided_yield(mu_1, eta_a, p_d)
    s01 = one_sided_yield(mu_1_b, eta_b, p_d)
    sz0 = one_sided_yield(mu_z, eta_a, p_d)
    s0z = one_sided_yield(mu_z_b, eta_b, p_d)
    if mu_2 is None:
        s20, s02 = sz0, s0z
    else:
        mu_2 = np.asarray(mu_2, dtype=float)
        mu_2_b = mu_2 if mu_2_b is None else np.asarray(mu_2_b, dtype=float)
        s20 = one_sided_yield(mu_2, eta_a, p_d)
        s02 = one_sided_yield(mu_2_b, eta_b, p_d)

    # Both send (mu_z, mu_z_b) with independent phases: average of P(one click) over a uniform
    # phase difference. Sum of intensities M = mu_z eta_a + mu_z_b eta_b;
    # <e^{-I0}> = e^{-M/2} I_0(c) with c = sqrt(mu_z eta_a mu_z_b eta_b).
    total = mu_z * eta_a + mu_z_b * eta_b
    coupling = np.sqrt(mu_z * eta_a * mu_z_b * eta_b)
    avg_no_light = i0e(coupling) * np.exp(coupling - total / 2.0)
    szz = 2.0 * np.exp(log_nd) * avg_no_light - 2.0 * np.exp(2.0 * log_nd - total)

    # X1 windows: Alice mu_1, Bob mu_1_b, |d| <= D_s/2, Gauss-Legendre average over d
    # (the nodes along a new leading axis, summed in order).
    half_width = np.asarray(phase_slice_rad, dtype=float) / 2.0
    ndim = np.broadcast(eta_a, eta_b, p_d, mu_1, vis, half_width).ndim
    nodes = _GL_NODES.reshape(-1, *([1] * ndim))
    half_weights = 0.5 * _GL_WEIGHTS.reshape(-1, *([1] * ndim))
    mean_x = (mu_1 * eta_a + mu_1_b * eta_b) / 2.0
    amp_x = vis * np.sqrt(mu_1 * eta_a * mu_1_b * eta_b)
    swing = amp_x * np.cos(half_width * (nodes + 1.0) / 2.0)
    i_c = mean_x + swing
    i_w = mean_x - swing
    wrong = _click(i_w, log_nd) * _no_click(i_c, log_nd)
    right = _click(i_c, log_nd) * _no_click(i_w, log_nd)
    gain = (half_weights * (wrong + right)).sum(axis=0)
    error = (half_weights * wrong).sum(axis=0)

    s1_a = eta_a * np.exp(log_nd) + (1.0 - eta_a) * 2.0 * p_d * (1.0 - p_d)
    s1_b = eta_b * np.exp(log_nd) + (1.0 - eta_b) * 2.0 * p_d * (1.0 - p_d)
    shape = np.broadcast(s10, s01, szz, gain).shape
    out = [s00, s10, s01, s20, s02, sz0, s0z, szz, gain, error, s1_a, s1_b]
    return WindowYields(*(np.broadcast_to(x, shape) for x in out))
