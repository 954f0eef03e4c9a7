"""Key rates of SNS TF-QKD: asymptotic and finite-key, with and without AOPP.

Everything here is vectorised: channel quantities and source parameters broadcast together,
so one call evaluates many candidate parameter sets at many distances.

Key-rate formulas implemented (bits per time window, i.e. per pulse of each user).

Provenance. No equation below was checked against a paper's full text (only the papers'
titles, authors and abstracts were available). Each formula is (a) re-derived where that is
possible (the decoy bounds, the forward model,
the Chernoff inversions; derivations in the docstrings and checked by the tests), and (b)
compared with third-party transcriptions that quote equation numbers; the source of each is
named. ``tests/simulations/qkd/test_published.py`` reproduces the published claims that
could be read (abstract numbers).

* SNS asymptotic -- Wang, Yu, Hu, PRA 98, 062323 (2018), arXiv:1805.09222, Eq. (4):
  ``R = 2 eps (1-eps) mu_z e^{-mu_z} s_1 [1 - H(e_1^ph)] - f S_Z H(E_Z)`` per Z window.
  Equation number and form agree in two independent third-party transcriptions (a Chinese
  reading note on GitHub, "TF-QKD 族三变体精读", and the ``snstfqkd`` package's
  ``security/key_rate.py``); not read from the paper. Here multiplied by the window-matching
  factor ``p_z^2`` (``p_z = 1`` in the asymptotic optimisation) and used with the one-sided
  decoy bounds of :mod:`.decoy`. The abstract's reach-versus-misalignment claims are
  reproduced (test_published.py).
* SNS finite-key -- key length of Jiang, Yu, Hu, Wang, PRApplied 12, 024061 (2019),
  arXiv:1904.00192, recalled, not checked against the source (equation number unknown):
  ``N_f = n_1 [1 - H(e_1^ph)] - f n_t H(E_Z) - log2(2/eps_cor) - 2 log2(1/(sqrt2 eps_PA eps_hat))``
  with expected-value bounds from a pluggable concentration inequality applied to the decoy
  counts (decoy windows only, no pooling of Z-window vacua), ``n_1 = phi^L(<n_1>^L)`` and
  ``e_1^ph = phi^U(<n_1>^L e_1^U) / n_1`` (phase errors counted on a fixed set of
  ``n_1`` untagged bits, so an upper bound on their expected number is ``<n_1>^L e_1^U``).
* AOPP asymptotic -- Xu, Yu, Jiang, Hu, Wang, PRA 101, 042330 (2020), arXiv:1904.06331, as
  implemented in the published notebook of Bertaina et al. (arXiv:2310.08621; third-party
  code, equation numbers not given there): ``n_g = min(n_0, n_1)``, survived bits
  ``n'_t = n_g[(N_c0/N_0)(N_c1/N_1) + (N_d/N_0)(N_v/N_1)]``, ``E'_Z = n_g (N_d/N_0)(N_v/N_1)/n'_t``,
  untagged survivors ``n'_1 = n_g (n_01/N_0)(n_10/N_1)`` and ``e'_1 = 2 e_1 (1 - e_1)``
  (a surviving bit's phase flip is the parity of its pair's two flips). The abstract's
  claims of arXiv:1904.06331 are reproduced under an assumed detector (test_published.py).
* AOPP finite-key, two named bounds (``bound=``; :data:`BOUNDS`):

  - ``"qkdchip-estimate"`` (the default, the engine's original construction): separate
    one-sided bounds for Alice's and Bob's untagged bits, Chernoff ``phi^L`` on each untagged
    count and on the survived untagged pairs, ``phi^U`` on the survived phase errors
    ``n'_1 2e_1(1-e_1)``, and the doubled constant overhead
    ``2 log2(2/eps_cor) + 4 log2(1/(sqrt2 eps_PA eps_hat))`` for AOPP (recalled, not checked
    against Jiang et al., New J. Phys. 22, 053048 (2020)).
    It is an engineering estimate without a security proof: it treats the two phase flips of
    a pair as independent and equally likely in both untagged groups, as the asymptotic
    formula does.
  - ``"worst-split"``: a finite-key SNS-AOPP analysis along the lines of Jiang, Hu, Xu, Yu,
    Wang, New J. Phys. 22, 053048 (2020), arXiv:1908.05670, with Chernoff bounds on every
    estimate. Only the abstracts of that paper and of Xu et al. 2020 were available (their
    claims are reproduced in tests/simulations/qkd/test_published.py), so it is not that
    paper's bound but a reconstruction named after its own key step: decoy and
    untagged-bit bounds as in Jiang et al. 2019; survived untagged pairs
    ``n'_1 = phi^L(n_g n_01 n_10 / (n_0 n_1))`` (Bob's random pairing samples without
    replacement, for which the Chernoff tails hold, Hoeffding, JASA 58, 13 (1963), Sec. 6);
    and, in place of the zigzag step, a bound on the survivors' phase flips derived here
    that needs no assumption on how the phase flips split between the two untagged groups.
    A survived untagged pair joins one bit of each group (01 and 10) and its kept bit flips
    iff exactly one member flips, so with flip fractions ``a``, ``b`` in the groups the
    expected flips are ``n'_1 (a + b - 2ab) <= n'_1 (a + b) <= n'_1 M / min(n_01, n_10)``
    for ``M`` flips in all untagged bits (attained when all flips sit in the smaller group);
    ``phi^U`` of that expected count bounds the observed flips. For equal groups this is
    ``2 e_1`` instead of the asymptotic ``2 e_1 (1 - e_1)``. Constant overhead as above.

Asymmetric sources (Bob's own ``eps_b``, ``mu_z_b``, ``mu_1_b``, ``mu_2_b`` for unequal arms):
every formula above is used in its two-sided form (Z-window rates with ``eps_a``/``eps_b``,
untagged bits ``N p_z^2 [eps_a(1-eps_b) mu_z e^{-mu_z} s_1A + eps_b(1-eps_a) mu_zb e^{-mu_zb}
s_1B]``, one-sided decoy bounds per party without pooling, and the X1 phase-error bound with
total intensity ``mu_1 + mu_1_b`` and the intensity-weighted single-photon yield, see
:func:`.decoy.phase_error_upper`). The X1 condition that ties ``mu_1_b`` to the other settings
is documented in :class:`.system.SnsParameters` (derived, not read from Hu et al. 2019).

Source flaws (``flaws``, default none): fluctuating intensities and a leaky "not sending"
state change the decoy bounds (:mod:`.source_flaws`), light leaked back to the server raises
the phase-flip bound (:mod:`.side_channel`, Lucamarini et al., PRX 5, 031030 (2015)).

The 3-intensity variant (vacuum, mu_1, mu_z) replaces ``S_20`` by the one-sided signal-window
yield ``S_z0``, known after error correction because the corrected Z bits reveal who sent. The
abstract of Hu, Jiang, Yu, Wang, "Universal approach to SNS TF-QKD" (arXiv:2204.12890)
describes exactly this "decoy-state analysis after bit-flip error correction" with 3 or 4
intensities; the window count ``N_z0 = N p_z^2 eps (1-eps)`` used here is this module's
reading, not taken from that paper.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from qkdchip.options import PROTOCOLS
from qkdchip.simulations.qkd.bounds import binary_entropy
from qkdchip.simulations.qkd.channel import WindowYields, window_yields
from qkdchip.simulations.qkd.decoy import phase_error_upper, single_photon_yield_lower
from qkdchip.simulations.qkd.discrete_phase import (
    check_phase_slices,
    class_angle,
    class_probability,
    yield_lower,
)
from qkdchip.simulations.qkd.side_channel import coin_imbalance, trojan_phase_error
from qkdchip.simulations.qkd.source_flaws import (
    SourceFlaws,
    describe,
    flawed_phase_error_upper,
    flawed_single_photon_lower,
    leaky_window_yields,
    single_photon_probability_lower,
)
from qkdchip.simulations.qkd.statistics import CHERNOFF, ConcentrationInequality
from qkdchip.validation import check_choice

Array = NDArray[np.float64]

BOUNDS: tuple[str, ...] = ("qkdchip-estimate", "worst-split")
"""Finite-key SNS-AOPP analyses (module docstring); plain SNS and asymptotic rates have one
analysis each, whichever bound is named."""

_REFERENCES = {
    ("sns", False): "Wang, Yu, Hu, PRA 98, 062323 (2018), Eq. (4) (asymptotic SNS)",
    ("sns", True): (
        "Jiang, Yu, Hu, Wang, Phys. Rev. Applied 12, 024061 (2019), arXiv:1904.00192 (finite-key "
        "SNS), with the Chernoff bounds of Zhang, Zhao, Razavi, Ma, PRA 95, 012333 (2017); key "
        "length recalled, not checked against the paper"
    ),
    ("sns-aopp", False): (
        "Xu, Yu, Jiang, Hu, Wang, PRA 101, 042330 (2020) (asymptotic SNS-AOPP survivors)"
    ),
    ("sns-aopp", True, "qkdchip-estimate"): (
        "qkdchip estimate: Xu et al. PRA 101, 042330 (2020) survivors with Chernoff bounds and "
        "independent phase flips per pair (no security proof)"
    ),
    ("sns-aopp", True, "worst-split"): (
        "after Jiang, Hu, Xu, Yu, Wang, New J. Phys. 22, 053048 (2020) (finite-key SNS-AOPP, "
        "Chernoff bounds), reconstructed from the abstract; the survivors' phase flips bounded "
        "for the worst split between the two untagged groups (derived in qkdchip, in place "
        "of the paper's zigzag step)"
    ),
}
_DISCRETE_REFERENCE = (
    "; {m} discrete phases: class decomposition and fidelity bounds of Cao, Zhang, Lo, Ma, "
    "New J. Phys. 17, 053014 (2015), applied to the SNS decoy bounds in qkdchip"
)


def check_bound(bound: str) -> None:
    """``bound`` must be one of :data:`BOUNDS`."""
    check_choice("bound", bound, BOUNDS)


def bound_reference(
    *,
    protocol: str,
    finite: bool,
    bound: str,
    phase_slices: int | None = None,
    flaws: SourceFlaws | None = None,
) -> str:
    """The reference of the formulas that produce a rate with these choices (and ``flaws``,
    the source flaws of :mod:`.source_flaws`, if any)."""
    key: tuple[str, ...] = (protocol, finite)  # type: ignore[assignment]
    if protocol == "sns-aopp" and finite:
        key = (protocol, finite, bound)  # type: ignore[assignment]
    text = _REFERENCES[key]  # type: ignore[index]
    if phase_slices is not None:
        text += _DISCRETE_REFERENCE.format(m=phase_slices)
    if flaws is not None:
        text += describe(flaws)
    return text


def estimate_count(*, protocol: str, separate_decoys: bool, flawed_decoys: bool = False) -> int:
    """Number of concentration-inequality estimates of a finite-key rate.

    Decoy windows: vacuum lower and upper, X1 errors upper, and the ``mu_1`` (lower) and
    strong (upper) one-sided counts, pooled (2) or per party (4); with flawed sources
    (``flawed_decoys``, always per party) also each party's ``mu_1`` count from above (2).
    Then plain SNS bounds the untagged bits and their phase flips (2); AOPP bounds each
    party's untagged bits, all untagged phase flips, the survived untagged pairs and their
    phase flips (5), under either bound.
    """
    decoys = 3 + (4 if separate_decoys or flawed_decoys else 2) + (2 if flawed_decoys else 0)
    return decoys + (5 if protocol == "sns-aopp" else 2)


@dataclass(frozen=True)
class SecurityParameters:
    """Failure probabilities of the finite-key analysis.

    Attributes:
        eps_cor: correctness failure probability.
        eps_pa: privacy-amplification failure probability.
        eps_hat: smoothing parameter.
        xi: failure probability of each concentration-inequality estimate.
    """

    eps_cor: float = 1e-10
    eps_pa: float = 1e-10
    eps_hat: float = 1e-10
    xi: float = 1e-10

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not (0.0 < value < 1.0):
                raise ValueError(f"{name}={value!r} must lie in (0, 1)")

    def overhead_bits(self, *, aopp: bool) -> float:
        """Constant finite-key overhead (bits) subtracted from the key length.

        ``log2(2/eps_cor) + 2 log2(1/(sqrt2 eps_PA eps_hat))`` (166.1 bits at 1e-10 each), the
        last terms of the key length of Jiang et al., Phys. Rev. Applied 12, 024061 (2019)
        (recalled, not checked against the source); doubled for AOPP (recalled, not verified).
        """
        base = math.log2(2.0 / self.eps_cor) + 2.0 * math.log2(
            1.0 / (math.sqrt(2.0) * self.eps_pa * self.eps_hat)
        )
        return 2.0 * base if aopp else base

    def epsilon_sec(self, *, n_estimates: int) -> float:
        """Secrecy failure probability: ``2 eps_hat + eps_PA + n_estimates xi``.

        The smoothing and privacy-amplification terms of the leftover-hash argument plus a
        union bound over every concentration-inequality estimate, each failing with at most
        ``xi``; the SNS finite-key papers compose their budget the same way (Jiang et al.
        2019 as recalled: ``2 eps_hat + 4 eps_bar + eps_PA + eps_n1``). The total failure
        probability of the protocol is ``eps_cor + epsilon_sec``.
        """
        if n_estimates < 0:
            raise ValueError(f"n_estimates={n_estimates!r} must be >= 0")
        return 2.0 * self.eps_hat + self.eps_pa + n_estimates * self.xi


class ChannelArrays(NamedTuple):
    """Channel description as arrays (broadcastable)."""

    eta_a: Array
    eta_b: Array
    p_dark: Array
    misalignment: Array
    phase_slice_rad: Array
    ec_efficiency: Array


class ParameterArrays(NamedTuple):
    """Source parameters as arrays (broadcastable); ``mu_2`` None for 3 intensities.

    The ``*_b`` fields are Bob's settings for an asymmetric source (None: same as Alice's);
    ``mu_1_b`` must satisfy the X1 condition of :class:`~.system.SnsParameters`.
    """

    p_z: Array
    eps: Array
    mu_z: Array
    mu_1: Array
    mu_2: Array | None
    p_0: Array
    p_1: Array
    eps_b: Array | None = None
    mu_z_b: Array | None = None
    mu_1_b: Array | None = None
    mu_2_b: Array | None = None

    @property
    def asymmetric(self) -> bool:
        """True when any of Bob's settings is given."""
        return any(v is not None for v in (self.eps_b, self.mu_z_b, self.mu_1_b, self.mu_2_b))

    def bob(self, name: str) -> Array | None:
        """Bob's value of ``eps``, ``mu_z``, ``mu_1`` or ``mu_2``."""
        value = getattr(self, f"{name}_b")
        return getattr(self, name) if value is None else value


class RateDetails(NamedTuple):
    """Key rate and the quantities behind it (arrays of the broadcast shape).

    ``qber_z``/``qber_x`` are the observed Z-window and X1-window error rates (before AOPP);
    ``s1_lower`` the single-photon yield bound (mean of both parties'); ``e1_upper`` the
    phase-flip bound of the untagged bits; ``qber_z_aopp``/``e1_aopp`` the survivors' bit- and
    phase-flip rates (equal to ``qber_z``/``e1_upper`` without AOPP); ``secret_fraction`` the
    key bits per Z-window effective event (raw key bit), of the sign of the key rate and
    ``-inf`` without Z-window events.
    """

    key_rate: Array
    qber_z: Array
    qber_x: Array
    s1_lower: Array
    e1_upper: Array
    qber_z_aopp: Array
    e1_aopp: Array
    secret_fraction: Array


def _safe_div(num: Array, den: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0.0, num / np.where(den > 0.0, den, 1.0), 0.0)


def _strong_decoys(params: ParameterArrays) -> tuple[Array, Array]:
    """Alice's and Bob's strong intensity (mu_2, or mu_z for 3 intensities)."""
    if params.mu_2 is None:
        return params.mu_z, params.bob("mu_z")
    return params.mu_2, params.bob("mu_2")


class _ZWindows(NamedTuple):
    """Per-window rates of the Z windows (each array of the broadcast shape).

    Errors: ``r_v`` (neither sends), ``r_d`` (both send); correct: ``r_c1`` (only Alice
    sends), ``r_c0`` (only Bob sends). ``gain`` is ``S_Z``, ``qber`` is ``E_Z``;
    ``single_a``/``single_b`` the probability of an untagged state from Alice/Bob.
    """

    r_v: Array
    r_d: Array
    r_c0: Array
    r_c1: Array
    gain: Array
    qber: Array
    single_a: Array
    single_b: Array


class _Survivors(NamedTuple):
    """AOPP pairing of the Z windows, per window (arrays of the broadcast shape).

    Bob's bit 0 = Bob sends (group ``g0`` = ``N_0/N``), bit 1 = he does not (``g1``);
    ``g = min(g0, g1)`` pairs, ``t_surv`` surviving bits with error rate ``qber``;
    ``u01``/``u10`` the untagged rates of groups 0/1.
    """

    g: Array
    g0: Array
    g1: Array
    t_surv: Array
    qber: Array
    u01: Array
    u10: Array


def evaluate(
    channel: ChannelArrays,
    params: ParameterArrays,
    *,
    protocol: str,
    n_pulses: float | None,
    security: SecurityParameters,
    concentration: ConcentrationInequality = CHERNOFF,
    bound: str = "qkdchip-estimate",
    phase_slices: int | None = None,
    flaws: SourceFlaws | None = None,
) -> RateDetails:
    """Key rate per window of SNS (``protocol='sns'``) or SNS-AOPP (``'sns-aopp'``).

    ``bound`` picks the finite-key SNS-AOPP analysis (:data:`BOUNDS`); ``phase_slices`` the
    number of discrete phases of the sources (None: continuous randomisation); ``flaws`` the
    sources' flaws (:mod:`.source_flaws`, :mod:`.side_channel`; None or ideal: the analysis
    above unchanged).

    Implements (see the module docstring for the provenance of each): Wang-Yu-Hu 2018
    Eq. (4) (asymptotic SNS; equation number from two transcriptions, not the full text),
    the Jiang et al. 2019 finite-key length (recalled, not verified), the Xu et al. 2020
    AOPP survivor formulas (from third-party code) and this module's own finite-key AOPP
    estimate. Reproduced published claims: tests/simulations/qkd/test_published.py.

    Asymptotic when ``n_pulses`` is None (``p_z`` is then used as given; the optimiser sets
    it to 1). Negative key lengths are returned as they are, so an optimiser can rank them;
    the public functions clip at zero.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol={protocol!r} must be one of {PROTOCOLS}")
    check_bound(bound)
    check_phase_slices(phase_slices)
    y = window_yields(
        eta_a=channel.eta_a,
        eta_b=channel.eta_b,
        p_dark=channel.p_dark,
        misalignment=channel.misalignment,
        phase_slice_rad=channel.phase_slice_rad,
        mu_z=params.mu_z,
        mu_1=params.mu_1,
        mu_2=params.mu_2,
        mu_z_b=params.mu_z_b,
        mu_1_b=params.mu_1_b,
        mu_2_b=params.mu_2_b,
    )
    source = _source_terms(flaws, params)
    if flaws is not None and flaws.extinction_ratio_db is not None:
        y = leaky_window_yields(
            y,
            eta_a=channel.eta_a,
            eta_b=channel.eta_b,
            p_dark=channel.p_dark,
            mu_z=params.mu_z,
            mu_1=params.mu_1,
            mu_2=params.mu_2,
            mu_z_b=params.bob("mu_z"),
            mu_1_b=params.bob("mu_1"),
            mu_2_b=None if params.mu_2 is None else params.bob("mu_2"),
            leak_intensity=source.leak,
        )
    aopp = protocol == "sns-aopp"
    # The bounds first: they ask for the widest discrete-phase class table of the signal
    # intensity, which the Z windows then reuse (discrete_phase.class_table keeps it).
    s1_a, s1_b, e1 = _untagged_bounds(
        y,
        params,
        x1_fraction=np.asarray(channel.phase_slice_rad) / math.pi,
        n_pulses=n_pulses,
        xi=security.xi,
        concentration=concentration,
        aopp=aopp,
        phase_slices=phase_slices,
        source=source,
    )
    z = _z_windows(y, params, phase_slices=phase_slices, source=source)
    e_x = _safe_div(y.x1_error, y.x1_gain)
    s1 = (s1_a + s1_b) / 2.0
    pz2 = params.p_z**2
    f = channel.ec_efficiency
    if aopp:
        surv = _aopp_survivors(z, s1_a, s1_b)
        rate, e1_untagged, e1_aopp = _aopp_key_rate(
            surv,
            e1,
            pz2,
            f,
            n_pulses=n_pulses,
            security=security,
            concentration=concentration,
            bound=bound,
        )
        fraction = _secret_fraction(rate, pz2 * z.gain)
        return RateDetails(rate, z.qber, e_x, s1, e1_untagged, surv.qber, e1_aopp, fraction)
    untagged = z.single_a * s1_a + z.single_b * s1_b
    rate, e1_used = _sns_key_rate(
        z, untagged, e1, pz2, f, n_pulses=n_pulses, security=security, concentration=concentration
    )
    fraction = _secret_fraction(rate, pz2 * z.gain)
    return RateDetails(rate, z.qber, e_x, s1, e1_used, z.qber, e1_used, fraction)


def _secret_fraction(rate: Array, raw_rate: Array) -> Array:
    """Key bits per raw key bit (``rate / raw_rate``); ``-inf`` where there is no raw key."""
    has_raw = raw_rate > 0.0
    return np.where(has_raw, rate / np.where(has_raw, raw_rate, 1.0), -np.inf)


class _Source(NamedTuple):
    """Flaw terms of one evaluation (:class:`.source_flaws.SourceFlaws`): the relative
    intensity bound ``delta``, the nominal "not sending" intensity ``leak``, whether the decoy
    bounds change (``decoys``) and the coin imbalance of the leak to the server."""

    delta: float
    leak: Array
    decoys: bool
    imbalance: float


def _source_terms(flaws: SourceFlaws | None, params: ParameterArrays) -> _Source | None:
    """The flaw terms, or None for ideal sources (the ideal analysis then runs unchanged).

    The "not sending" state leaks ``10^{-ER/10}`` of the strongest setting of either party.
    """
    if flaws is None or flaws.is_ideal:
        return None
    strongest = np.maximum(params.mu_z, params.bob("mu_z"))
    if params.mu_2 is not None:
        strongest = np.maximum(strongest, np.maximum(params.mu_2, params.bob("mu_2")))
    return _Source(
        delta=flaws.intensity_fluctuation,
        leak=flaws.leak_intensity(strongest),
        decoys=flaws.affects_decoys,
        imbalance=coin_imbalance(leaked_photons=flaws.leaked_photons),
    )


def _z_windows(
    y: WindowYields,
    params: ParameterArrays,
    *,
    phase_slices: int | None,
    source: _Source | None = None,
) -> _ZWindows:
    """Z-window error and correct rates, ``S_Z``, ``E_Z`` and the untagged-state probabilities.

    A sender's untagged state is its single-photon class, of probability ``mu_z e^{-mu_z}``
    (continuous phases) or ``P_1(mu_z)`` (discrete phases, :mod:`.discrete_phase`); with
    fluctuating intensities the smallest ``x e^{-x}`` over the interval (a lower bound on both).
    """
    eps_a, eps_b = params.eps, params.bob("eps")
    r_v = (1.0 - eps_a) * (1.0 - eps_b) * y.s00
    r_d = eps_a * eps_b * y.szz
    r_c1 = eps_a * (1.0 - eps_b) * y.sz0
    r_c0 = eps_b * (1.0 - eps_a) * y.s0z
    s_z = r_v + r_d + r_c0 + r_c1
    e_z = _safe_div(r_v + r_d, s_z)
    if source is not None and source.delta > 0.0:
        p1_a = single_photon_probability_lower(params.mu_z, source.delta)
        p1_b = single_photon_probability_lower(params.bob("mu_z"), source.delta)
    else:
        p1_a = class_probability(1, params.mu_z, phase_slices)
        p1_b = p1_a if params.mu_z_b is None else class_probability(1, params.mu_z_b, phase_slices)
    single_a = eps_a * (1.0 - eps_b) * p1_a
    single_b = eps_b * (1.0 - eps_a) * p1_b
    return _ZWindows(r_v, r_d, r_c0, r_c1, s_z, e_z, single_a, single_b)


def _untagged_bounds(
    y: WindowYields,
    params: ParameterArrays,
    *,
    x1_fraction: Array,
    n_pulses: float | None,
    xi: float,
    concentration: ConcentrationInequality,
    aopp: bool,
    phase_slices: int | None,
    source: _Source | None = None,
) -> tuple[Array, Array, Array]:
    """Decoy-state lower bounds on Alice's and Bob's untagged-state yields and the upper
    bound on the untagged bits' phase-flip rate (asymptotic when ``n_pulses`` is None).

    With discrete phases the decoy bound is on the Fock single-photon yield, and the
    untagged state ``|lambda_1^{mu_z}>`` lies within ``delta_1(mu_z)`` of it
    (:mod:`.decoy`); negative (no-key) values pass unchanged so they still rank candidates.
    With flawed sources (``source``) the bounds of :mod:`.source_flaws` replace those of
    :mod:`.decoy`, and a leak to the server raises the phase-flip bound
    (:func:`.side_channel.trojan_phase_error`).
    """
    flawed = source if source is not None and source.decoys else None
    if n_pulses is None:
        s1_a, s1_b, s00_lo, t_x1_up, weak_up = _asymptotic_decoys(
            y, params, aopp=aopp, phase_slices=phase_slices, source=flawed
        )
    else:
        s1_a, s1_b, s00_lo, t_x1_up, weak_up = _finite_decoys(
            y,
            params,
            n_pulses=n_pulses,
            x1_fraction=x1_fraction,
            xi=xi,
            concentration=concentration,
            aopp=aopp,
            phase_slices=phase_slices,
            source=flawed,
        )
    if phase_slices is not None:
        top = 1.0 if flawed is None else 1.0 + flawed.delta
        delta_a = class_angle(1, params.mu_z * top, phase_slices)
        delta_b = (
            delta_a if params.mu_z_b is None else class_angle(1, params.mu_z_b * top, phase_slices)
        )
        s1_a = np.where(s1_a > 0.0, yield_lower(s1_a, delta_a), s1_a)
        s1_b = np.where(s1_b > 0.0, yield_lower(s1_b, delta_b), s1_b)
    mu_1_b = params.bob("mu_1")
    if flawed is None:
        # X1 single-photon yield: intensity-weighted mean of the one-sided yields (= s1 if equal).
        s1_x = _safe_div(params.mu_1 * s1_a + mu_1_b * s1_b, params.mu_1 + mu_1_b)
        e1 = phase_error_upper(
            mu_1=params.mu_1,
            mu_1_b=mu_1_b,
            t_x1=t_x1_up,
            s_00=s00_lo,
            s1_lower=s1_x,
            phase_slices=phase_slices,
            mu_z=params.mu_z,
            mu_z_b=params.mu_z_b,
        )
    else:
        e1 = flawed_phase_error_upper(
            mu_1=params.mu_1,
            mu_1_b=mu_1_b,
            t_x1=t_x1_up,
            s_00=s00_lo,
            yields_lower=(s1_a, s1_b),
            weak_yields_upper=weak_up,
            eps=params.eps,
            eps_b=params.bob("eps"),
            mu_z=params.mu_z,
            mu_z_b=params.bob("mu_z"),
            intensity_fluctuation=flawed.delta,
            leak_intensity=flawed.leak,
            phase_slices=phase_slices,
        )
    if source is not None and source.imbalance > 0.0:
        e1 = trojan_phase_error(
            phase_error=e1,
            coin_imbalance=source.imbalance,
            single_photon_yield=np.minimum(s1_a, s1_b),
        )
    return s1_a, s1_b, e1


def _sns_key_rate(
    z: _ZWindows,
    untagged: Array,
    e1: Array,
    pz2: Array,
    f: Array,
    *,
    n_pulses: float | None,
    security: SecurityParameters,
    concentration: ConcentrationInequality,
) -> tuple[Array, Array]:
    """SNS key rate (bits per window) and the phase-flip rate it used, from the untagged
    rate per Z window, the window-matching factor ``pz2 = p_z^2`` and the EC efficiency ``f``.
    """
    if n_pulses is None:
        rate = pz2 * (untagged * (1.0 - binary_entropy(e1)) - f * z.gain * binary_entropy(z.qber))
        return rate, e1
    n = n_pulses
    n1_exp = np.maximum(n * pz2 * untagged, 0.0)
    n1 = concentration.observed_lower(n1_exp, security.xi)
    e1_used = np.clip(
        _safe_div(concentration.observed_upper(n1_exp * e1, security.xi), n1), 0.0, 0.5
    )
    e1_used = np.where(n1 > 0.0, e1_used, 0.5)
    length = (
        n1 * (1.0 - binary_entropy(e1_used))
        - f * n * pz2 * z.gain * binary_entropy(z.qber)
        - security.overhead_bits(aopp=False)
    )
    return length / n, e1_used


def _aopp_survivors(z: _ZWindows, s1_a: Array, s1_b: Array) -> _Survivors:
    """Group sizes, surviving bits and their bit-flip rate after Bob's AOPP pairing."""
    g0 = z.r_d + z.r_c0
    g1 = z.r_v + z.r_c1
    g = np.minimum(g0, g1)
    w_right = _safe_div(z.r_c0, g0) * _safe_div(z.r_c1, g1)
    w_wrong = _safe_div(z.r_d, g0) * _safe_div(z.r_v, g1)
    t_surv = g * (w_right + w_wrong)
    e_z_aopp = _safe_div(g * w_wrong, t_surv)
    u01 = z.single_b * np.maximum(s1_b, 0.0)  # Bob sends one photon: untagged in group 0
    u10 = z.single_a * np.maximum(s1_a, 0.0)  # Alice sends one photon: untagged in group 1
    return _Survivors(g, g0, g1, t_surv, e_z_aopp, u01, u10)


def _aopp_key_rate(
    surv: _Survivors,
    e1: Array,
    pz2: Array,
    f: Array,
    *,
    n_pulses: float | None,
    security: SecurityParameters,
    concentration: ConcentrationInequality,
    bound: str,
) -> tuple[Array, Array, Array]:
    """AOPP key rate (bits per window), the untagged and the survivors' phase-flip rates,
    with the window-matching factor ``pz2 = p_z^2``, the EC efficiency ``f`` and the named
    finite-key ``bound`` (module docstring).
    """
    if n_pulses is None:
        n1_surv = surv.g * _safe_div(surv.u01, surv.g0) * _safe_div(surv.u10, surv.g1)
        e1_aopp = 2.0 * e1 * (1.0 - e1)
        rate = pz2 * (
            n1_surv * (1.0 - binary_entropy(e1_aopp)) - f * surv.t_surv * binary_entropy(surv.qber)
        )
        return rate, e1, e1_aopp
    n = n_pulses
    xi = security.xi
    scale = n * pz2
    n01, n10 = _stacked(concentration.observed_lower, xi, scale * surv.u01, scale * surv.u10)
    n1_all = n01 + n10
    flips_all = concentration.observed_upper((scale * (surv.u01 + surv.u10)) * e1, xi)
    e1_obs = np.clip(_safe_div(flips_all, n1_all), 0.0, 0.5)
    e1_obs = np.where(n1_all > 0.0, e1_obs, 0.5)
    surv_exp = scale * surv.g * _safe_div(n01, scale * surv.g0) * _safe_div(n10, scale * surv.g1)
    n1_surv = concentration.observed_lower(surv_exp, xi)
    if bound == "worst-split":
        # Worst split of the untagged flips between the two groups (module docstring).
        per_bit = np.minimum(_safe_div(flips_all, np.minimum(n01, n10)), 1.0)
        per_bit = np.where(np.minimum(n01, n10) > 0.0, per_bit, 1.0)
        flips = n1_surv * per_bit
    else:
        flips = n1_surv * 2.0 * e1_obs * (1.0 - e1_obs)
    e1_aopp = np.clip(_safe_div(concentration.observed_upper(flips, xi), n1_surv), 0.0, 0.5)
    e1_aopp = np.where(n1_surv > 0.0, e1_aopp, 0.5)
    length = (
        n1_surv * (1.0 - binary_entropy(e1_aopp))
        - f * scale * surv.t_surv * binary_entropy(surv.qber)
        - security.overhead_bits(aopp=True)
    )
    return length / n, e1_obs, e1_aopp


def _asymptotic_decoys(
    y: WindowYields,
    params: ParameterArrays,
    *,
    aopp: bool,
    phase_slices: int | None,
    source: _Source | None = None,
) -> tuple[Array, Array, Array, Array, tuple[Array, Array] | None]:
    """Asymptotic decoy bounds, as :func:`_finite_decoys` (flawed sources: always per party)."""
    strong_a, strong_b = _strong_decoys(params)
    if aopp or params.asymmetric or source is not None:
        s1_a, s1_b = _per_party_decoys(
            params,
            strong_a,
            strong_b,
            (y.s10, y.s01),
            (y.s20, y.s02),
            y.s00,
            phase_slices,
            source,
        )
    else:
        s1_a = single_photon_yield_lower(
            mu_1=params.mu_1,
            mu_2=strong_a,
            s_mu1=(y.s10 + y.s01) / 2.0,
            s_mu2=(y.s20 + y.s02) / 2.0,
            s_00=y.s00,
            phase_slices=phase_slices,
        )
        s1_b = s1_a
    return s1_a, s1_b, y.s00, y.x1_error, None if source is None else (y.s10, y.s01)


def _finite_decoys(
    y: WindowYields,
    params: ParameterArrays,
    *,
    n_pulses: float,
    x1_fraction: Array,
    xi: float,
    concentration: ConcentrationInequality,
    aopp: bool,
    phase_slices: int | None,
    source: _Source | None = None,
) -> tuple[Array, Array, Array, Array, tuple[Array, Array] | None]:
    """Expected-value bounds from decoy-window counts (observed = expected in simulation):
    both parties' single-photon bounds, the vacuum lower bound, the X1 error upper bound and
    (flawed sources only, else None) upper bounds on both one-sided ``mu_1`` yields. Flawed
    sources always use per-party bounds.

    Window counts: ``N_00 = N (1-p_z)^2 p_0^2``, ``N_k0 = N (1-p_z)^2 p_0 p_k`` and
    ``N_X1 = N (1-p_z)^2 p_1^2 D_s/pi`` (phase-matched fraction of the mu_1-mu_1 windows).
    """
    n = n_pulses
    px2 = (1.0 - params.p_z) ** 2
    p_2 = np.maximum(1.0 - params.p_0 - params.p_1, 0.0)
    n00 = n * px2 * params.p_0**2
    n10 = n * px2 * params.p_0 * params.p_1
    eps_a, eps_b = params.eps, params.bob("eps")
    if params.mu_2 is None:
        n20 = n * params.p_z**2 * eps_a * (1.0 - eps_b)  # Alice sends, Bob not (Z windows)
        n02 = n * params.p_z**2 * eps_b * (1.0 - eps_a)
    else:
        n20 = n02 = n * px2 * params.p_0 * p_2
    n_x1 = n * px2 * params.p_1**2 * x1_fraction
    strong_a, strong_b = _strong_decoys(params)
    separate = aopp or params.asymmetric or source is not None
    # One call per bound type on stacked counts (fewer small numpy calls in the hot loop).
    if separate:
        lows = _stacked(concentration.expected_lower, xi, n00 * y.s00, n10 * y.s10, n10 * y.s01)
        counts = [n00 * y.s00, n_x1 * y.x1_error, n20 * y.s20, n02 * y.s02]
        if source is not None:
            counts += [n10 * y.s10, n10 * y.s01]
        ups = _stacked(concentration.expected_upper, xi, *counts)
    else:
        lows = _stacked(concentration.expected_lower, xi, n00 * y.s00, n10 * (y.s10 + y.s01))
        ups = _stacked(
            concentration.expected_upper, xi, n00 * y.s00, n_x1 * y.x1_error, n20 * (y.s20 + y.s02)
        )
    s00_lo = _safe_div(lows[0], n00)
    s00_up = _safe_div(ups[0], n00)
    t_x1_up = _big_if_empty(ups[1], n_x1)
    if separate:
        s1_a, s1_b = _per_party_decoys(
            params,
            strong_a,
            strong_b,
            (_safe_div(lows[1], n10), _safe_div(lows[2], n10)),
            (_big_if_empty(ups[2], n20), _big_if_empty(ups[3], n02)),
            s00_up,
            phase_slices,
            source,
        )
    else:
        s1_a = single_photon_yield_lower(
            mu_1=params.mu_1,
            mu_2=strong_a,
            s_mu1=_safe_div(lows[1], 2.0 * n10),
            s_mu2=_big_if_empty(ups[2], 2.0 * n20),
            s_00=s00_up,
            phase_slices=phase_slices,
        )
        s1_b = s1_a
    weak_up = None
    if source is not None:
        weak_up = (_big_if_empty(ups[4], n10), _big_if_empty(ups[5], n10))
    return s1_a, s1_b, s00_lo, t_x1_up, weak_up


def _per_party_decoys(
    params: ParameterArrays,
    strong_a: Array,
    strong_b: Array,
    weak_yields: tuple[Array, Array],
    strong_yields: tuple[Array, Array],
    s_00: Array,
    phase_slices: int | None,
    source: _Source | None = None,
) -> tuple[Array, Array]:
    """Alice's and Bob's single-photon bounds from their one-sided ``(Alice, Bob)`` yields;
    one stacked call when both use the same intensities."""
    if params.mu_1_b is None and strong_b is strong_a:
        both = _single_photon_bound(
            source,
            mu_1=params.mu_1,
            mu_2=strong_a,
            s_mu1=np.stack(np.broadcast_arrays(*weak_yields)),
            s_mu2=np.stack(np.broadcast_arrays(*strong_yields)),
            s_00=s_00,
            phase_slices=phase_slices,
        )
        return both[0], both[1]
    s1_a = _single_photon_bound(
        source,
        mu_1=params.mu_1,
        mu_2=strong_a,
        s_mu1=weak_yields[0],
        s_mu2=strong_yields[0],
        s_00=s_00,
        phase_slices=phase_slices,
    )
    s1_b = _single_photon_bound(
        source,
        mu_1=params.bob("mu_1"),
        mu_2=strong_b,
        s_mu1=weak_yields[1],
        s_mu2=strong_yields[1],
        s_00=s_00,
        phase_slices=phase_slices,
    )
    return s1_a, s1_b


def _single_photon_bound(
    source: _Source | None,
    *,
    mu_1: Array,
    mu_2: Array,
    s_mu1: Array,
    s_mu2: Array,
    s_00: Array,
    phase_slices: int | None,
) -> Array:
    """:func:`.decoy.single_photon_yield_lower`, or its flawed-source form
    (:func:`.source_flaws.flawed_single_photon_lower`) when ``source`` is given."""
    if source is None:
        return single_photon_yield_lower(
            mu_1=mu_1, mu_2=mu_2, s_mu1=s_mu1, s_mu2=s_mu2, s_00=s_00, phase_slices=phase_slices
        )
    return flawed_single_photon_lower(
        mu_1=mu_1,
        mu_2=mu_2,
        s_mu1=s_mu1,
        s_mu2=s_mu2,
        s_00=s_00,
        intensity_fluctuation=source.delta,
        leak_intensity=source.leak,
        phase_slices=phase_slices,
    )


def _stacked(bound, xi: float, *counts: Array) -> Array:  # type: ignore[no-untyped-def]
    """Apply one bound to several broadcastable count arrays in a single call."""
    arrays = np.broadcast_arrays(*counts)
    return bound(np.stack(arrays), xi)


def _big_if_empty(upper_count: Array, n_windows: Array) -> Array:
    """Rate upper bound ``upper_count / n_windows``; 1 (no information) where no windows."""
    return np.where(n_windows > 0.0, _safe_div(upper_count, n_windows), 1.0)
