"""Source flaws of the SNS transmitters and decoy bounds that stay valid under them.

Two flaws of the intensity modulators (:class:`SourceFlaws`):

* **Intensity fluctuation** ``delta``: every intensity ``mu_k`` (signal and decoys) lies, pulse
  by pulse, anywhere in ``[mu_k (1 - delta), mu_k (1 + delta)]`` (drive noise, extinction
  spread), with any distribution and any correlation the adversary likes. A phase-randomised
  source whose intensity varies is still diagonal in photon number, with coefficients
  ``a_n = E[e^{-x} x^n / n!]`` only known to lie between the smallest and largest Poisson
  term over the interval. This is the worst-case decoy method for sources of diagonal states
  whose parameters are known only within ranges, Wang, Peng, Zhang, Yang, Pan, "General theory
  of decoy-state quantum cryptography with source errors", PRA 77, 042311 (2008),
  arXiv:0802.3177 (only the abstract was read: "unconditionally secure even there are state
  errors of sources, if the range of a few parameters in the states are known", "any source of
  diagonal states"); Jiang, Yu, Hu, Wang, "Robust twin-field quantum key distribution through
  sending-or-not-sending", Natl Sci. Rev. 10, nwac186 (2023), arXiv:2112.13723 treat SNS with
  source errors by virtual attenuation and a tagged model (abstract read, method not). The
  bounds below are derived here along the worst-case route, not copied.
* **Finite extinction** ``ER`` (dB): "not sending" (and the vacuum decoy, the same modulator
  state) emits a weak coherent state of intensity ``v = mu_max 10^{-ER/10}``, ``mu_max`` the
  strongest setting (taken as the modulator's full transmission). Its photons announce "not
  sending" to the adversary, so they are treated as adversary-known: an untagged bit needs
  one photon from the sender **and no photon from the non-sender**. The decoy data (the other
  party always in the same leaky state) bound the sender's one-photon yield ``Y1 = sum_m
  P_m(v) s_{1m}`` averaged over the non-sender's photons; the adversary may give all the
  non-sender's photon events yield 1, so the rate of untagged emissions that click is at least
  ``Y1 - (1 - e^{-v})``. The conclusion is conservative: a 2-D decoy analysis (varying the
  other party's intensity) could separate ``s_{10}`` more tightly.

Single-photon bound (derived here). Sources ``k = 1`` (weak, ``x in [L1, U1]``) and ``k = 2``
(strong, ``x in [L2, U2]``) give ``S_k = sum_n a^k_n Y_n`` with common yields ``Y_n`` in [0, 1]
(the sources differ only in photon statistics). With ``K = max_{n>=2} max a^1_n / min a^2_n``,
``sum_{n>=2} a^1_n Y_n <= K sum_{n>=2} a^2_n Y_n``, hence

    Y_1 >= [S_1 - K S_2 - (a^1_0 - K a^2_0)^+ Y_0^U] / (max a^1_1 - K min a^2_1)   (numerator > 0)

with ``a^1_0 <= e^{-L1}``, ``a^2_0 >= e^{-U2}`` and ``Y_0 <= S_00 e^{v^U}`` from the vacuum
decoy (the non-sending state of intensity at most ``v^U = v (1 + delta)``). ``K`` is finite
only for ``U1 < L2`` (the ratio is then ``e^{L2 - U1} (U1/L2)^n`` for large ``n``); otherwise no
bound exists and -1 (no key) is returned. For ``delta = 0`` and ``v = 0`` this is exactly the
one-sided bound (1) of :mod:`.decoy` (the engine keeps its own code for that case).

Phase error (derived here; the idea of bounding yields linearly on the single-photon qubit,
not through fidelities that the channel loss would amplify, is that of the loss-tolerant
protocol of Tamaki, Curty, Kato, Lo, Azuma, PRA 90, 052314 (2014), recalled, not read). In an
X1 window the total intensity ``t = x_A + x_B`` lies in ``[t_L, t_U]`` and the single photon
is ``sqrt(q)|10> + e^{i phi} sqrt(1-q)|01>`` with Alice's share ``q = x_A / t`` only known
within an interval; the untagged bits need the state with Alice's share ``p`` of the untagged
emissions, ``w_A = eps_A (1 - eps_B) E[x_zA e^{-x_zA}] P_0^B`` against ``w_B``, also only
known within an interval. On the single-photon subspace each detector's click is a 2x2
operator (``E^R``, ``E^L``) whose sum has the one-photon yields ``Y_A``, ``Y_B`` on its
diagonal. Averaged over the two matched slices (0 and pi, whose error detectors swap) the
error yield of a share-``r`` state is ``r Y_A / 2 + (1-r) Y_B / 2 + sqrt(r(1-r)) Re(E^R_12 -
E^L_12)`` with ``|Re(E^R_12 - E^L_12)| <= sqrt(Y_A Y_B)``. Two shares therefore differ by at
most ``|p - q| |Y_A - Y_B| / 2 + |sqrt(p(1-p)) - sqrt(q(1-q))| max(Y_A, Y_B)``: linear in the
yields, so the loss does not amplify it, and the first term only sees the difference of the
two parties' one-photon yields, known from below (the decoy bounds) and from above (``Y <= S_1
e^{v^U} / min(x e^{-x})`` over the ``mu_1`` interval). With the X1 single-photon error yield
``T_1 <= (T_X1 - e^{-t_U} s_00^L / 2) / min(t e^{-t})`` the phase error is at most ``(T_1 +
largest difference) / min(Y_A^L, Y_B^L)``, the shares taken over their intervals. The
pure-vacuum yield under leaky vacua is at least ``1 - (1 - S_00) e^{2 v^U}`` (clipped at 0).

Discrete phases with these flaws: a source randomised over ``M`` phases is within trace
distance ``D(x) <= sqrt(2 M P(N >= M; x))`` of the continuously randomised one (each class
``|lambda_j>`` against the Fock mixture of its block: ``D_j <= sqrt(2 t_j)`` with ``t_j`` the
block's weight beyond ``|j>``; Cauchy-Schwarz over the ``M`` blocks; derived here), and
``P(N >= M; x)`` grows with ``x``. Every observed yield is shifted by ``D`` at the top of its
intensity interval, the continuous analysis above runs on the shifted yields, and the untagged
class state's yields follow from the Fock ones with the class angle at ``mu_z (1 + delta)``
(as in :mod:`.decoy`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammainc, gammaln

from qkdchip.records import Record
from qkdchip.simulations.qkd.channel import WindowYields
from qkdchip.simulations.qkd.discrete_phase import class_angle, yield_upper
from qkdchip.simulations.qkd.side_channel import MAX_LEAKED_PHOTONS
from qkdchip.validation import check_range

Array = NDArray[np.float64]

MAX_INTENSITY_FLUCTUATION = 0.5
"""Largest relative intensity fluctuation accepted."""
MAX_EXTINCTION_RATIO_DB = 200.0
"""Largest extinction ratio accepted (dB); leave ``extinction_ratio_db`` None for a perfect
vacuum."""
_MAX_PHOTONS = 40
"""Photon numbers over which the ratio ``K`` of the single-photon bound is maximised; beyond
the strong interval's top (<= 3) the ratio decreases, so the maximum is among them."""
_BESSEL_TERMS = 20
"""Series terms of ``I_0(c) - 1`` (for ``c <= 4`` the first one left out is below 1e-22)."""


@dataclass(frozen=True)
class SourceFlaws(Record):
    """Flaws of both parties' sources (the same bound for each party: for two chips with
    different extinction ratios or leaks, give the smaller ratio and the larger leak).

    Attributes:
        intensity_fluctuation: relative bound ``delta`` on every intensity's deviation from its
            nominal value, pulse by pulse, in [0, 0.5].
        extinction_ratio_db: intensity-modulator extinction ratio (dB), None for a perfect
            "not sending" vacuum.
        leaked_photons: mean photon number per window and party returned to the server
            through the injection port (:func:`.side_channel.injection_leak`), in [0, 0.5].
    """

    intensity_fluctuation: float = 0.0
    extinction_ratio_db: float | None = None
    leaked_photons: float = 0.0

    def __post_init__(self) -> None:
        check_range(
            "intensity_fluctuation", self.intensity_fluctuation, 0.0, MAX_INTENSITY_FLUCTUATION
        )
        if self.extinction_ratio_db is not None:
            check_range(
                "extinction_ratio_db",
                self.extinction_ratio_db,
                0.0,
                MAX_EXTINCTION_RATIO_DB,
                low_open=True,
            )
        check_range("leaked_photons", self.leaked_photons, 0.0, MAX_LEAKED_PHOTONS)

    @property
    def is_ideal(self) -> bool:
        """True when no flaw is set (the engine then runs its ideal-source analysis)."""
        return (
            self.intensity_fluctuation == 0.0
            and self.extinction_ratio_db is None
            and self.leaked_photons == 0.0
        )

    @property
    def affects_decoys(self) -> bool:
        """True when the decoy bounds change (fluctuation or finite extinction)."""
        return self.intensity_fluctuation > 0.0 or self.extinction_ratio_db is not None

    def leak_intensity(self, strongest: ArrayLike) -> Array:
        """Nominal intensity ``v = mu_max 10^{-ER/10}`` of the "not sending" state (0 if ideal).

        Args:
            strongest: the strongest intensity setting ``mu_max`` (mean photon number).
        """
        mu = np.asarray(strongest, dtype=float)
        if self.extinction_ratio_db is None:
            return np.zeros_like(mu)
        return mu * 10.0 ** (-self.extinction_ratio_db / 10.0)


FLAW_REFERENCES = (
    "decoy bounds for fluctuating intensities after Wang et al., PRA 77, 042311 (2008), and "
    "the tagged leak, derived in qkdchip; injection leak: Lucamarini et al., PRX 5, 031030 "
    "(2015), Eqs. (24)-(27)"
)
"""Sources of the flaw treatments (:func:`describe` names them per flaw)."""


def describe(flaws: SourceFlaws) -> str:
    """One line naming the flaws and the source of each treatment (for a result's reference)."""
    parts = []
    if flaws.intensity_fluctuation > 0.0:
        parts.append(
            f"intensity fluctuation +-{flaws.intensity_fluctuation:g} (worst-case decoy bounds "
            "for diagonal sources after Wang et al., PRA 77, 042311 (2008), derived in qkdchip)"
        )
    if flaws.extinction_ratio_db is not None:
        parts.append(
            f"extinction ratio {flaws.extinction_ratio_db:g} dB (the non-sender's leaked "
            "photons tagged, derived in qkdchip)"
        )
    if flaws.leaked_photons > 0.0:
        parts.append(
            f"{flaws.leaked_photons:.3g} photons per window leaked to the server (coin "
            "imbalance and phase error of Lucamarini et al., PRX 5, 031030 (2015), Eqs. "
            "(24)-(27))"
        )
    return "; source flaws: " + ", ".join(parts) if parts else ""


def discrete_phase_distance(intensity: ArrayLike, phase_slices: int) -> Array:
    """Trace-distance bound ``sqrt(2 M P(N >= M; x))`` between an ``M``-phase and a continuously
    randomised coherent state of intensity up to ``x`` (module docstring; derived here)."""
    x = np.asarray(intensity, dtype=float)
    return np.sqrt(2.0 * phase_slices * gammainc(phase_slices, x))


def _log_poisson(n: Array, x: Array) -> Array:
    with np.errstate(divide="ignore"):
        return -x + n * np.log(x) - gammaln(n + 1.0)


def _log_poisson_max(n: Array, lo: Array, hi: Array) -> Array:
    """``log max_{x in [lo, hi]} e^{-x} x^n / n!`` (the term peaks at ``x = n``)."""
    return _log_poisson(n, np.clip(n, lo, hi))


def _log_poisson_min(n: Array, lo: Array, hi: Array) -> Array:
    """``log min_{x in [lo, hi]} e^{-x} x^n / n!`` (unimodal: at an end)."""
    return np.minimum(_log_poisson(n, lo), _log_poisson(n, hi))


def single_photon_probability_lower(mu: ArrayLike, intensity_fluctuation: float) -> Array:
    """``min x e^{-x}`` over ``[mu (1 - delta), mu (1 + delta)]``: the smallest probability of a
    one-photon emission (also a lower bound on the discrete-phase class probability ``P_1``)."""
    m = np.asarray(mu, dtype=float)
    lo, hi = m * (1.0 - intensity_fluctuation), m * (1.0 + intensity_fluctuation)
    return np.minimum(lo * np.exp(-lo), hi * np.exp(-hi))


def flawed_single_photon_lower(
    *,
    mu_1: ArrayLike,
    mu_2: ArrayLike,
    s_mu1: ArrayLike,
    s_mu2: ArrayLike,
    s_00: ArrayLike,
    intensity_fluctuation: float,
    leak_intensity: ArrayLike,
    phase_slices: int | None = None,
) -> Array:
    """Lower bound on the rate of untagged one-photon emissions that click, per emission.

    The single-photon bound of the module docstring minus ``1 - e^{-v^U}`` (the non-sender's
    leaked photons, tagged). May be negative (no key); -1 where the intensity intervals of
    ``mu_1`` and ``mu_2`` overlap.

    Args:
        mu_1: nominal weak intensity.
        mu_2: nominal strong intensity (``mu_2``, or ``mu_z`` with 3 intensities).
        s_mu1: yield (lower bound in finite size) of the one-sided ``mu_1`` source.
        s_mu2: yield (upper bound in finite size) of the one-sided strong source.
        s_00: yield (upper bound in finite size) of the vacuum-decoy source.
        intensity_fluctuation: relative bound ``delta``.
        leak_intensity: nominal intensity ``v`` of the "not sending" state.
        phase_slices: number of discrete phases, or None for continuous randomisation.
    """
    d = intensity_fluctuation
    m1 = np.asarray(mu_1, dtype=float)
    m2 = np.asarray(mu_2, dtype=float)
    lo1, hi1 = m1 * (1.0 - d), m1 * (1.0 + d)
    lo2, hi2 = m2 * (1.0 - d), m2 * (1.0 + d)
    v = np.asarray(leak_intensity, dtype=float) * (1.0 + d)
    s1 = np.asarray(s_mu1, dtype=float)
    s2 = np.asarray(s_mu2, dtype=float)
    s0 = np.asarray(s_00, dtype=float)
    if phase_slices is not None:
        dv = discrete_phase_distance(v, phase_slices)
        s1 = s1 - discrete_phase_distance(hi1, phase_slices) - dv
        s2 = s2 + discrete_phase_distance(hi2, phase_slices) + dv
        s0 = s0 + 2.0 * dv
    n = np.arange(2, _MAX_PHOTONS + 1, dtype=float).reshape((-1,) + (1,) * np.ndim(lo1 + lo2))
    log_k = np.max(_log_poisson_max(n, lo1, hi1) - _log_poisson_min(n, lo2, hi2), axis=0)
    k = np.exp(log_k)
    vacuum_coef = np.maximum(np.exp(-lo1) - k * np.exp(-hi2), 0.0)
    numerator = s1 - k * s2 - vacuum_coef * s0 * np.exp(v)
    one = np.ones_like(lo1)
    a_1 = np.exp(_log_poisson_max(one, lo1, hi1))
    b_1 = np.exp(_log_poisson_min(one, lo2, hi2))
    denominator = a_1 - k * b_1
    valid = (hi1 < lo2) & (denominator > 0.0)
    y1 = np.where(valid, numerator / np.where(valid, denominator, 1.0), -1.0)
    return y1 + np.expm1(-v)


def _root_product(r: Array) -> Array:
    return np.sqrt(np.clip(r, 0.0, 1.0) * (1.0 - np.clip(r, 0.0, 1.0)))


def weight_mismatch(
    *,
    eps: ArrayLike,
    eps_b: ArrayLike,
    mu_z: ArrayLike,
    mu_z_b: ArrayLike,
    mu_1: ArrayLike,
    mu_1_b: ArrayLike,
    intensity_fluctuation: float,
    leak_intensity: ArrayLike,
) -> tuple[Array, Array]:
    """``(max |p - q|, max |sqrt(p(1-p)) - sqrt(q(1-q))|)`` over the intervals (module
    docstring): ``p`` Alice's share of the untagged emissions, ``q`` her share of the X1
    single photon. Both 0 for exact intensities on the X1 condition and a perfect vacuum."""
    d = intensity_fluctuation
    v = np.asarray(leak_intensity, dtype=float) * (1.0 + d)
    ea, eb = np.asarray(eps, dtype=float), np.asarray(eps_b, dtype=float)
    za, zb = np.asarray(mu_z, dtype=float), np.asarray(mu_z_b, dtype=float)
    one = np.ones(np.broadcast(za, zb).shape)
    pa_lo = single_photon_probability_lower(za, d)
    pb_lo = single_photon_probability_lower(zb, d)
    pa_hi = np.exp(_log_poisson_max(one, za * (1.0 - d), za * (1.0 + d)))
    pb_hi = np.exp(_log_poisson_max(one, zb * (1.0 - d), zb * (1.0 + d)))
    vac = np.exp(-v)
    wa_lo, wa_hi = ea * (1.0 - eb) * pa_lo * vac, ea * (1.0 - eb) * pa_hi
    wb_lo, wb_hi = eb * (1.0 - ea) * pb_lo * vac, eb * (1.0 - ea) * pb_hi
    p_lo, p_hi = wa_lo / (wa_lo + wb_hi), wa_hi / (wa_hi + wb_lo)
    a, b = np.asarray(mu_1, dtype=float), np.asarray(mu_1_b, dtype=float)
    q_lo = a * (1.0 - d) / (a * (1.0 - d) + b * (1.0 + d))
    q_hi = a * (1.0 + d) / (a * (1.0 + d) + b * (1.0 - d))
    shares = np.maximum(np.maximum(p_hi - q_lo, q_hi - p_lo), 0.0)

    def top(lo: Array, hi: Array) -> Array:
        return _root_product(np.clip(0.5, lo, hi))

    def bottom(lo: Array, hi: Array) -> Array:
        return np.minimum(_root_product(lo), _root_product(hi))

    roots = np.maximum(
        np.maximum(top(p_lo, p_hi) - bottom(q_lo, q_hi), top(q_lo, q_hi) - bottom(p_lo, p_hi)),
        0.0,
    )
    return shares, roots


def flawed_single_photon_upper(
    *,
    mu_1: ArrayLike,
    s_mu1: ArrayLike,
    intensity_fluctuation: float,
    leak_intensity: ArrayLike,
    phase_slices: int | None = None,
) -> Array:
    """Upper bound on the one-photon yield (non-sender exactly vacuum) from the one-sided
    ``mu_1`` yield: ``S_1 e^{v^U} / min x e^{-x}`` over the ``mu_1`` interval (all other
    photon-number terms are >= 0; the non-sender emits vacuum with probability >=
    ``e^{-v^U}``); with discrete phases ``S_1`` is first raised by the trace-distance bounds.

    Args:
        mu_1: nominal weak intensity.
        s_mu1: yield (upper bound in finite size) of the one-sided ``mu_1`` source.
        intensity_fluctuation: relative bound ``delta``.
        leak_intensity: nominal intensity ``v`` of the "not sending" state.
        phase_slices: number of discrete phases, or None for continuous randomisation.
    """
    d = intensity_fluctuation
    v = np.asarray(leak_intensity, dtype=float) * (1.0 + d)
    m1 = np.asarray(mu_1, dtype=float)
    s1 = np.asarray(s_mu1, dtype=float)
    if phase_slices is not None:
        s1 = s1 + discrete_phase_distance(m1 * (1.0 + d), phase_slices)
        s1 = s1 + discrete_phase_distance(v, phase_slices)
    return s1 * np.exp(v) / single_photon_probability_lower(m1, d)


def flawed_phase_error_upper(
    *,
    mu_1: ArrayLike,
    mu_1_b: ArrayLike,
    t_x1: ArrayLike,
    s_00: ArrayLike,
    yields_lower: tuple[ArrayLike, ArrayLike],
    weak_yields_upper: tuple[ArrayLike, ArrayLike],
    eps: ArrayLike,
    eps_b: ArrayLike,
    mu_z: ArrayLike,
    mu_z_b: ArrayLike,
    intensity_fluctuation: float,
    leak_intensity: ArrayLike,
    phase_slices: int | None = None,
) -> Array:
    """Upper bound on the untagged bits' phase-flip rate under the flaws, in [0, 0.5].

    Args:
        mu_1: Alice's nominal X1 intensity.
        mu_1_b: Bob's nominal X1 intensity.
        t_x1: error rate of X1 windows (upper bound in finite size).
        s_00: vacuum-decoy yield (lower bound in finite size).
        yields_lower: lower bounds on Alice's and Bob's untagged one-photon yields
            (0.5 returned where the smaller is <= 0).
        weak_yields_upper: upper bounds on Alice's and Bob's one-sided ``mu_1`` yields.
        eps: Alice's sending probability.
        eps_b: Bob's sending probability.
        mu_z: Alice's nominal signal intensity.
        mu_z_b: Bob's nominal signal intensity.
        intensity_fluctuation: relative bound ``delta``.
        leak_intensity: nominal intensity ``v`` of the "not sending" state.
        phase_slices: number of discrete phases, or None for continuous randomisation.
    """
    d = intensity_fluctuation
    v = np.asarray(leak_intensity, dtype=float) * (1.0 + d)
    a, b = np.asarray(mu_1, dtype=float), np.asarray(mu_1_b, dtype=float)
    t_lo, t_hi = (a + b) * (1.0 - d), (a + b) * (1.0 + d)
    p0 = np.exp(-t_hi)
    p1 = np.minimum(t_lo * np.exp(-t_lo), t_hi * np.exp(-t_hi))
    s0 = np.asarray(s_00, dtype=float)
    vacuum = np.maximum(-np.expm1(np.log1p(-np.clip(s0, 0.0, 1.0)) + 2.0 * v), 0.0)
    t = np.asarray(t_x1, dtype=float)
    if phase_slices is not None:
        t = t + discrete_phase_distance(t_hi, phase_slices)
    upper = [
        flawed_single_photon_upper(
            mu_1=mu,
            s_mu1=s,
            intensity_fluctuation=d,
            leak_intensity=leak_intensity,
            phase_slices=phase_slices,
        )
        for mu, s in zip((a, b), weak_yields_upper, strict=True)
    ]
    lower = [np.asarray(y, dtype=float) for y in yields_lower]
    shares, roots = weight_mismatch(
        eps=eps,
        eps_b=eps_b,
        mu_z=mu_z,
        mu_z_b=mu_z_b,
        mu_1=mu_1,
        mu_1_b=mu_1_b,
        intensity_fluctuation=d,
        leak_intensity=leak_intensity,
    )
    spread = np.maximum(np.maximum(upper[0] - lower[1], upper[1] - lower[0]), 0.0)
    mismatch = 0.5 * shares * spread + roots * np.maximum(upper[0], upper[1])
    class_one = (t - p0 * vacuum / 2.0) / p1
    error_yield = np.where(class_one > 0.0, class_one + mismatch, class_one)
    if phase_slices is not None:
        top = np.maximum(np.asarray(mu_z, dtype=float), np.asarray(mu_z_b, dtype=float))
        delta_z = class_angle(1, top * (1.0 + d), phase_slices)
        error_yield = np.where(class_one > 0.0, yield_upper(error_yield, delta_z), error_yield)
    s1 = np.minimum(lower[0], lower[1])
    e1 = np.where(s1 > 0.0, error_yield / np.where(s1 > 0.0, s1, 1.0), 0.5)
    return np.clip(e1, 0.0, 0.5)


def two_sided_yield(
    *, mu_a: ArrayLike, mu_b: ArrayLike, eta_a: ArrayLike, eta_b: ArrayLike, p_dark: ArrayLike
) -> Array:
    """Effective-event rate when both parties send, with independent random phases.

    The both-send average of :func:`.channel.window_yields` for unequal intensities,
    ``2 (1-p_d) e^{-M/2} [I_0(c) - (1-p_d) e^{-M/2}]`` with ``M = mu_a eta_a + mu_b eta_b`` and
    ``c = sqrt(mu_a eta_a mu_b eta_b)``, written as ``(I_0(c) - 1) - expm1(log(1-p_d) - M/2)``
    inside the bracket (series for ``I_0 - 1``) so that it stays exact when both the leak and
    ``p_d`` are tiny; for ``mu_b = 0`` it is the one-sided yield.
    """
    ia = np.asarray(mu_a, dtype=float) * np.asarray(eta_a, dtype=float)
    ib = np.asarray(mu_b, dtype=float) * np.asarray(eta_b, dtype=float)
    log_nd = np.log1p(-np.asarray(p_dark, dtype=float))
    half = (ia + ib) / 2.0
    quarter_c2 = ia * ib / 4.0
    term = np.ones_like(quarter_c2)
    bessel_minus_one = np.zeros_like(quarter_c2)
    for k in range(1, _BESSEL_TERMS + 1):
        term = term * quarter_c2 / (k * k)
        bessel_minus_one = bessel_minus_one + term
    return 2.0 * np.exp(log_nd - half) * (bessel_minus_one - np.expm1(log_nd - half))


def leaky_window_yields(
    y: WindowYields,
    *,
    eta_a: ArrayLike,
    eta_b: ArrayLike,
    p_dark: ArrayLike,
    mu_z: ArrayLike,
    mu_1: ArrayLike,
    mu_2: ArrayLike | None,
    mu_z_b: ArrayLike,
    mu_1_b: ArrayLike,
    mu_2_b: ArrayLike | None,
    leak_intensity: ArrayLike,
) -> WindowYields:
    """The window yields with every "not sending" and vacuum-decoy pulse at intensity ``v``.

    Replaces the vacuum, one-sided and signal-window one-sided yields of ``y`` (the forward
    model's, :func:`.channel.window_yields`) by :func:`two_sided_yield` with the other party
    at ``v``; the both-send and X1 yields are unchanged.
    """
    v = np.asarray(leak_intensity, dtype=float)

    def q(mu_a: ArrayLike, mu_b: ArrayLike) -> Array:
        return two_sided_yield(mu_a=mu_a, mu_b=mu_b, eta_a=eta_a, eta_b=eta_b, p_dark=p_dark)

    sz0, s0z = q(mu_z, v), q(v, mu_z_b)
    if mu_2 is None:
        s20, s02 = sz0, s0z
    else:
        s20, s02 = q(mu_2, v), q(v, mu_2_b)
    shape = y.s00.shape
    fields = dict(s00=q(v, v), s10=q(mu_1, v), s01=q(v, mu_1_b), s20=s20, s02=s02, sz0=sz0, s0z=s0z)
    return y._replace(**{k: np.broadcast_to(val, shape) for k, val in fields.items()})
