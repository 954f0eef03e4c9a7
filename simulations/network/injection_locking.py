"""Injection locking of a client DBR laser (slave) to one server comb line (master).

Conventions: the detuning is ``nu_master - nu_slave`` of the free-running slave, in Hz. The
weak-injection locking range (Mogensen, Olesen, Jacobsen, Electron. Lett. 21, 696 (1985);
Petermann, "Laser diode modulation and noise", ch. 7) is asymmetric with the
linewidth-enhancement factor alpha::

    -kappa_c sqrt(1 + alpha^2) sqrt(rho) <= 2 pi (nu_m - nu_s) <= kappa_c sqrt(rho),
    rho = P_inj / P_slave,

with the coupling rate through the slave's output mirror
``kappa_c = (v_g / 2 L) (1 - R) / sqrt(R)``. Inside the range the slave's optical phase follows
the master's within the locking bandwidth ``f_L = kappa_c sqrt(P_inj / P_slave) / (2 pi)``.

Phase noise of the locked slave (first-order locking response ``H(f) = 1 / (1 + i f / f_L)``,
one-sided phase PSDs in rad²/Hz, Lorentzian lasers ``S(f) = dnu / (pi f²)``)::

    S_slave(f) = |H|² S_master(f) + |1 - H|² S_free(f)

Below ``f_L`` the slave follows the master (its long-time phase diffusion is the master's);
above it the slave keeps its own noise, a bounded jitter of variance ``dnu_free / (2 f_L)`` rad²
(the integral of ``|1 - H|² S_free``). Its optical line is the master's Lorentzian carrying a
fraction ``exp(-(dnu_free - dnu_master) / (2 f_L))`` of the power on a pedestal about ``2 f_L``
wide: :func:`locked_linewidth_hz` gives its full width at half maximum, the master's while
``f_L`` greatly exceeds ``dnu_free``. :func:`pair_phase_noise` gives the variance of the phase
difference of two clients locked to the same comb line, as their light meets at the server.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from qkdchip.constants import C_M_PER_S
from qkdchip.records import Record
from qkdchip.validation import check_range


@dataclass(frozen=True)
class SlaveLaser(Record):
    """A client DBR laser as an injection-locking slave.

    Attributes:
        output_power_dbm: free-running output power inside the chip, dBm.
        cavity_length_m: effective cavity length (gain + phase + DBR penetration), m.
        group_index: group index of the laser waveguide.
        mirror_reflectivity: power reflectivity of the mirror the master light enters by, (0, 1).
        alpha_factor: linewidth-enhancement (Henry) factor, >= 0.
        free_running_linewidth_hz: Lorentzian (intrinsic) linewidth when free running, Hz.
        tuning_range_hz: half-width of the continuous tuning (phase section and current) around
            the free-running frequency, Hz.
    """

    output_power_dbm: float = 5.0
    cavity_length_m: float = 1.0e-3
    group_index: float = 3.7
    mirror_reflectivity: float = 0.3
    alpha_factor: float = 4.0
    free_running_linewidth_hz: float = 2.0e6
    tuning_range_hz: float = 15.0e9

    def __post_init__(self) -> None:
        check_range("output_power_dbm", self.output_power_dbm)
        check_range("cavity_length_m", self.cavity_length_m, 0.0, low_open=True)
        check_range("group_index", self.group_index, 1.0)
        check_range(
            "mirror_reflectivity", self.mirror_reflectivity, 0.0, 1.0, low_open=True, high_open=True
        )
        check_range("alpha_factor", self.alpha_factor, 0.0)
        check_range("free_running_linewidth_hz", self.free_running_linewidth_hz, 0.0, low_open=True)
        check_range("tuning_range_hz", self.tuning_range_hz, 0.0)

    @property
    def coupling_rate_per_s(self) -> float:
        """Injection coupling rate kappa_c, rad/s."""
        return coupling_rate_per_s(
            group_index=self.group_index,
            cavity_length_m=self.cavity_length_m,
            mirror_reflectivity=self.mirror_reflectivity,
        )


@dataclass(frozen=True)
class LaserOperation(Record):
    """How a client's DBR laser is run: what its drawn cavity does not fix.

    The cavity (length, group index, the reflectance of the grating the comb light enters by)
    comes from the drawn laser and its simulated grating
    (:func:`qkdchip.simulations.devices.dbr_cavity.dbr_cavity`); :meth:`slave` joins the two.

    Attributes:
        output_power_dbm: free-running output power inside the chip, dBm.
        alpha_factor: linewidth-enhancement (Henry) factor, >= 0.
        free_running_linewidth_hz: Lorentzian (intrinsic) linewidth when free running, Hz.
        tuning_range_hz: half-width of the continuous tuning around the free-running
            frequency, Hz.
    """

    DERIVED: ClassVar[dict[str, str]] = {
        name: "the drawn DBR laser and its simulated grating (set the laser in [design])"
        for name in ("cavity_length_m", "group_index", "mirror_reflectivity")
    }

    output_power_dbm: float = 5.0
    alpha_factor: float = 4.0
    free_running_linewidth_hz: float = 2.0e6
    tuning_range_hz: float = 15.0e9

    def __post_init__(self) -> None:
        self.slave(cavity_length_m=1e-3, group_index=3.7, mirror_reflectivity=0.5)  # validates

    def slave(
        self, *, cavity_length_m: float, group_index: float, mirror_reflectivity: float
    ) -> SlaveLaser:
        """The laser as an injection-locking slave, with its cavity."""
        return SlaveLaser(
            output_power_dbm=self.output_power_dbm,
            cavity_length_m=cavity_length_m,
            group_index=group_index,
            mirror_reflectivity=mirror_reflectivity,
            alpha_factor=self.alpha_factor,
            free_running_linewidth_hz=self.free_running_linewidth_hz,
            tuning_range_hz=self.tuning_range_hz,
        )


def coupling_rate_per_s(
    *, group_index: float, cavity_length_m: float, mirror_reflectivity: float
) -> float:
    """Coupling rate of injected light through the slave's mirror, ``(v_g/2L)(1-R)/sqrt(R)``.

    Args:
        group_index: group index of the slave cavity.
        cavity_length_m: effective cavity length, m.
        mirror_reflectivity: power reflectivity of the injection mirror, (0, 1).

    Returns:
        kappa_c in rad/s.
    """
    check_range("group_index", group_index, 0.0, low_open=True)
    check_range("cavity_length_m", cavity_length_m, 0.0, low_open=True)
    check_range("mirror_reflectivity", mirror_reflectivity, 0.0, 1.0, low_open=True, high_open=True)
    v_g = C_M_PER_S / group_index
    return (
        v_g / (2.0 * cavity_length_m) * (1.0 - mirror_reflectivity) / math.sqrt(mirror_reflectivity)
    )


def locking_range_hz(
    *, coupling_rate_per_s: float, injection_ratio: float, alpha_factor: float
) -> tuple[float, float]:
    """Stationary locking range in detuning ``nu_master - nu_slave``.

    Args:
        coupling_rate_per_s: kappa_c, rad/s.
        injection_ratio: P_injected / P_slave (linear, > 0).
        alpha_factor: linewidth-enhancement factor, >= 0.

    Returns:
        (lowest, highest) detuning in Hz that locks; lowest = -highest * sqrt(1 + alpha²).
    """
    check_range("coupling_rate_per_s", coupling_rate_per_s, 0.0, low_open=True)
    check_range("injection_ratio", injection_ratio, 0.0, low_open=True)
    check_range("alpha_factor", alpha_factor, 0.0)
    high = coupling_rate_per_s * math.sqrt(injection_ratio) / (2.0 * math.pi)
    return -high * math.sqrt(1.0 + alpha_factor**2), high


def injected_power_dbm(
    *,
    line_power_dbm: float,
    fibre_length_km: float,
    fibre_loss_db_per_km: float,
    filter_loss_db: float,
    coupling_loss_db: float = 0.0,
) -> float:
    """Comb-line power that reaches the slave laser after distribution and filtering.

    Args:
        line_power_dbm: power of the comb line at the server output, dBm.
        fibre_length_km: downstream (server to client) fibre length, km.
        fibre_loss_db_per_km: fibre attenuation, dB/km.
        filter_loss_db: insertion loss of the line-selecting filters (demultiplexer), dB.
        coupling_loss_db: fibre-to-chip coupling and on-chip routing loss, dB.

    Returns:
        Injected power in dBm.
    """
    if not math.isfinite(line_power_dbm):
        raise ValueError(f"line_power_dbm must be finite, got {line_power_dbm!r}")
    check_range("fibre_length_km", fibre_length_km, 0.0)
    check_range("fibre_loss_db_per_km", fibre_loss_db_per_km, 0.0)
    check_range("filter_loss_db", filter_loss_db, 0.0)
    check_range("coupling_loss_db", coupling_loss_db, 0.0)
    return (
        line_power_dbm - fibre_length_km * fibre_loss_db_per_km - filter_loss_db - coupling_loss_db
    )


@dataclass(frozen=True)
class LockResult(Record):
    """Outcome of injection-locking one slave to one master line.

    Attributes:
        locked: whether a detuning inside the locking range is reachable with the slave tuning.
        injected_power_dbm: master power arriving in the slave cavity, dBm.
        injection_ratio_db: 10 log10(P_inj / P_slave), dB.
        range_low_hz: most negative detuning (nu_m - nu_s) that locks, Hz.
        range_high_hz: most positive detuning that locks, Hz.
        free_running_detuning_hz: nu_master - nu_slave before tuning, Hz.
        tuning_applied_hz: slave frequency shift used to lock (0 when already inside), Hz.
        locking_bandwidth_hz: phase-following bandwidth f_L, Hz.
        linewidth_hz: Lorentzian linewidth of the output, Hz: the long-time phase diffusion
            ``2 pi dnu |tau|``, the master's when locked, the free-running one when not.
        line_fwhm_hz: full width at half maximum of the output line, Hz (when locked,
            :func:`locked_linewidth_hz`: the master's unless ``f_L`` is small against the
            free-running linewidth; when unlocked, the free-running linewidth).
        residual_phase_variance_rad2: slave phase jitter not followed (0 when unlocked; the
            unlocked laser is described by its linewidth instead), rad².
    """

    locked: bool
    injected_power_dbm: float
    injection_ratio_db: float
    range_low_hz: float
    range_high_hz: float
    free_running_detuning_hz: float
    tuning_applied_hz: float
    locking_bandwidth_hz: float
    linewidth_hz: float
    line_fwhm_hz: float
    residual_phase_variance_rad2: float


def injection_lock(
    *,
    slave: SlaveLaser,
    master_linewidth_hz: float,
    injected_power_dbm: float,
    free_running_detuning_hz: float,
) -> LockResult:
    """Decide whether the slave locks and what its output noise then is.

    The slave is tuned (within ``slave.tuning_range_hz``) towards the centre of the locking range;
    it locks when the reachable detuning interval ``[d - T, d + T]`` overlaps the range.

    Args:
        slave: the slave laser.
        master_linewidth_hz: Lorentzian linewidth of the master comb line, Hz (> 0).
        injected_power_dbm: master power in the slave cavity, dBm.
        free_running_detuning_hz: nu_master - nu_slave before any tuning, Hz.

    Returns:
        The :class:`LockResult`.
    """
    check_range("master_linewidth_hz", master_linewidth_hz, 0.0, low_open=True)
    check_range("injected_power_dbm", injected_power_dbm)
    if not math.isfinite(free_running_detuning_hz):
        raise ValueError(
            f"free_running_detuning_hz must be finite, got {free_running_detuning_hz!r}"
        )
    ratio_db = injected_power_dbm - slave.output_power_dbm
    ratio = 10.0 ** (ratio_db / 10.0)
    low, high = locking_range_hz(
        coupling_rate_per_s=slave.coupling_rate_per_s,
        injection_ratio=ratio,
        alpha_factor=slave.alpha_factor,
    )
    # Tuning the slave up by s changes the detuning to d - s; aim at the range centre.
    centre = 0.5 * (low + high)
    wanted = free_running_detuning_hz - centre
    tuning = max(-slave.tuning_range_hz, min(slave.tuning_range_hz, wanted))
    final_detuning = free_running_detuning_hz - tuning
    locked = low <= final_detuning <= high
    f_lock = high
    if locked:
        linewidth = master_linewidth_hz
        fwhm = locked_linewidth_hz(
            master_linewidth_hz=master_linewidth_hz,
            free_running_linewidth_hz=slave.free_running_linewidth_hz,
            locking_bandwidth_hz=f_lock,
        )
        residual = slave.free_running_linewidth_hz / (2.0 * f_lock)
    else:
        linewidth = fwhm = slave.free_running_linewidth_hz
        residual = 0.0
    return LockResult(
        locked=locked,
        injected_power_dbm=injected_power_dbm,
        injection_ratio_db=ratio_db,
        range_low_hz=low,
        range_high_hz=high,
        free_running_detuning_hz=free_running_detuning_hz,
        tuning_applied_hz=tuning if locked else 0.0,
        locking_bandwidth_hz=f_lock,
        linewidth_hz=linewidth,
        line_fwhm_hz=fwhm,
        residual_phase_variance_rad2=residual,
    )


def _check_lock_noise_inputs(
    master_linewidth_hz: float, free_running_linewidth_hz: float, locking_bandwidth_hz: float
) -> None:
    check_range("master_linewidth_hz", master_linewidth_hz, 0.0, low_open=True)
    check_range("free_running_linewidth_hz", free_running_linewidth_hz, 0.0, low_open=True)
    check_range("locking_bandwidth_hz", locking_bandwidth_hz, 0.0, low_open=True)


def locked_phase_noise_psd(
    *,
    fourier_frequency_hz: float | np.ndarray,
    master_linewidth_hz: float,
    free_running_linewidth_hz: float,
    locking_bandwidth_hz: float,
) -> float | np.ndarray:
    """One-sided phase-noise PSD of the injection-locked slave, rad²/Hz.

    ``|H|² S_master + |1 - H|² S_free = (dnu_m f_L² + dnu_free f²) / (pi f² (f² + f_L²))`` for a
    Lorentzian master and free-running slave (``S = dnu / (pi f²)``) and the first-order locking
    response ``H = 1 / (1 + i f / f_L)`` (Petermann, "Laser diode modulation and noise", ch. 7).

    Args:
        fourier_frequency_hz: Fourier frequency f, Hz (> 0; a number or an array).
        master_linewidth_hz: Lorentzian linewidth of the master comb line, Hz (> 0).
        free_running_linewidth_hz: Lorentzian linewidth of the free-running slave, Hz (> 0).
        locking_bandwidth_hz: locking bandwidth f_L, Hz (> 0).

    Returns:
        S_slave(f) in rad²/Hz, shaped like ``fourier_frequency_hz``.
    """
    _check_lock_noise_inputs(master_linewidth_hz, free_running_linewidth_hz, locking_bandwidth_hz)
    f = np.asarray(fourier_frequency_hz, dtype=float)
    if not (np.all(np.isfinite(f)) and np.all(f > 0.0)):
        raise ValueError(
            f"fourier_frequency_hz={fourier_frequency_hz!r} is outside the allowed range (0, inf)"
        )
    f2 = f * f
    fl2 = locking_bandwidth_hz**2
    psd = (master_linewidth_hz * fl2 + free_running_linewidth_hz * f2) / (math.pi * f2 * (f2 + fl2))
    return float(psd) if psd.ndim == 0 else psd


_MAX_NEGATIVE_EXPONENT = 8.0
"""Largest (dnu_master - dnu_free) / (2 f_L) for which the alternating line expansion keeps
its precision: its terms reach exp(2 x 8) ~ 1e7 times the result, leaving ~1e-9 of it."""


@functools.lru_cache(maxsize=1024)
def locked_linewidth_hz(
    *, master_linewidth_hz: float, free_running_linewidth_hz: float, locking_bandwidth_hz: float
) -> float:
    """Full width at half maximum of the injection-locked slave's optical line, Hz.

    Remembered for the last 1,024 inputs (a sweep's points lock the same clients again).

    The phase structure function of :func:`locked_phase_noise_psd` is
    ``D(tau) = 2 pi dnu_m |tau| + A (1 - exp(-2 pi f_L |tau|))``, ``A = (dnu_free - dnu_m) / f_L``,
    so the field autocorrelation ``exp(-D / 2)`` expands into exponentials and the line into
    Lorentzians of FWHM ``dnu_m + 2 n f_L`` with Poisson weights ``exp(-A/2) (A/2)^n / n!``. The
    n = 0 term is the master's line (the carrier); the others form a pedestal about ``2 f_L``
    wide. The FWHM is the master's while the carrier's peak dominates (``f_L`` well above
    ``dnu_free``) and approaches the free-running linewidth when ``f_L << dnu_free``.

    Args:
        master_linewidth_hz: Lorentzian linewidth of the master comb line, Hz (> 0).
        free_running_linewidth_hz: Lorentzian linewidth of the free-running slave, Hz (> 0).
        locking_bandwidth_hz: locking bandwidth f_L, Hz (> 0).

    Raises:
        ValueError: when the master is broader than the free-running slave by more than
            16 f_L (a slave that cannot follow its master).

    Returns:
        The FWHM in Hz.
    """
    _check_lock_noise_inputs(master_linewidth_hz, free_running_linewidth_hz, locking_bandwidth_hz)
    m = 0.5 * (free_running_linewidth_hz - master_linewidth_hz) / locking_bandwidth_hz
    if m < -_MAX_NEGATIVE_EXPONENT:
        raise ValueError(
            f"master_linewidth_hz={master_linewidth_hz!r} exceeds free_running_linewidth_hz="
            f"{free_running_linewidth_hz!r} by more than {2 * _MAX_NEGATIVE_EXPONENT:g} x "
            f"locking_bandwidth_hz={locking_bandwidth_hz!r}"
        )
    n, weight = _line_weights(m)
    half_width = 0.5 * (master_linewidth_hz + 2.0 * n * locking_bandwidth_hz)

    def spectrum(nu: float) -> float:
        return float(np.sum(weight * half_width / (half_width**2 + nu * nu)))

    target = 0.5 * spectrum(0.0)
    high = float(half_width.max())
    while spectrum(high) > target:
        high *= 2.0
    xtol = 1e-12 * float(half_width.min())
    from scipy.optimize import brentq

    return 2.0 * brentq(lambda nu: spectrum(nu) - target, 0.0, high, xtol=xtol, rtol=1e-12)


_MAX_LINES = 2000
"""Most Lorentzians :func:`locked_linewidth_hz` sums one by one. Beyond (``m`` above ~7,000: a
locking bandwidth far below the free-running linewidth) consecutive orders are merged into
this many groups, each one Lorentzian of the group's Poisson weight at its mean order: the
widths in a group differ by less than 1.5e-4 of the line's, which moves the line by less than
1e-8 of it, and the sum costs the same for any ``m``."""


def _line_weights(m: float) -> tuple[np.ndarray, np.ndarray]:
    """Orders ``n`` and weights of the Lorentzians of the locked line (:func:`locked_linewidth_hz`):
    ``exp(-m) m^n / n!`` for ``m > 0`` (with alternating signs for ``m < 0``), over
    ``12 sqrt(|m|) + 20`` orders either side of ``|m|``; merged groups beyond
    :data:`_MAX_LINES` orders (their mean order and total weight)."""
    from scipy.special import gammaln

    spread = 12.0 * math.sqrt(abs(m)) + 20.0
    first = max(0, math.floor(m - spread)) if m > 0.0 else 0
    last = math.ceil(abs(m) + spread)
    if m > 0.0 and last - first + 1 > _MAX_LINES:
        edges = np.unique(np.round(np.linspace(first, last + 1, _MAX_LINES + 1)))
        low, high = edges[:-1], edges[1:]
        # group [a, b): P(a <= n < b) and E[n; a <= n < b] = m P(a - 1 <= n < b - 1)
        weight = _poisson_mass(low, high, m)
        shifted = _poisson_mass(low - 1.0, high - 1.0, m)
        keep = (weight > 0.0) & (shifted > 0.0)
        mean = np.clip(m * shifted[keep] / weight[keep], low[keep], high[keep] - 1.0)
        return mean, weight[keep]
    n = np.arange(first, last + 1, dtype=float)
    if m == 0.0:
        return n, (n == 0.0).astype(float)
    weight = np.exp(n * math.log(abs(m)) - m - gammaln(n + 1.0))
    if m < 0.0:
        weight *= np.where(n % 2.0 == 0.0, 1.0, -1.0)
    return n, weight


def _poisson_mass(low: np.ndarray, high: np.ndarray, m: float) -> np.ndarray:
    """``P(low <= n < high)`` for ``n`` Poisson of mean ``m``: from the lower tail below ``m``
    and the upper tail above it, so that neither cancels to rounding."""
    from scipy.special import pdtr, pdtrc

    def below(k: np.ndarray) -> np.ndarray:  # P(n <= k)
        return np.where(k < 0.0, 0.0, pdtr(np.maximum(k, 0.0), m))

    def above(k: np.ndarray) -> np.ndarray:  # P(n > k)
        return np.where(k < 0.0, 1.0, pdtrc(np.maximum(k, 0.0), m))

    lower = below(high - 1.0) - below(low - 1.0)
    upper = above(low - 1.0) - above(high - 1.0)
    return np.where(low > m, upper, lower)


@dataclass(frozen=True)
class PairPhaseNoise(Record):
    """Variance of the phase difference of two locked clients' light at the server, rad².

    Attributes:
        master_rad2: the common comb line's noise that survives the arrival-time mismatch and the
            two locking responses.
        residual_a_rad2: client a's own noise above its locking bandwidth, ``dnu_free / (2 f_L)``.
        residual_b_rad2: the same for client b.
    """

    master_rad2: float
    residual_a_rad2: float
    residual_b_rad2: float

    @property
    def total_rad2(self) -> float:
        """Sum of the three independent parts, rad²."""
        return math.fsum((self.master_rad2, self.residual_a_rad2, self.residual_b_rad2))


def pair_phase_noise(
    *,
    master_linewidth_hz: float,
    delay_s: float,
    locking_bandwidth_a_hz: float,
    locking_bandwidth_b_hz: float,
    free_running_linewidth_a_hz: float,
    free_running_linewidth_b_hz: float,
) -> PairPhaseNoise:
    """Phase-difference variance of two slaves locked to one comb line, meeting at the server.

    Client x's phase at the server is ``(H_x * phi_m)(t - T_x) + ((1 - H_x) * psi_x)(t - T_x)``
    (``T_x``: comb-to-server delay through client x, ``psi_x`` its free-running phase), so the
    master enters the difference through ``K(f) = H_a exp(-2 pi i f tau) - H_b``,
    ``tau = T_a - T_b``: ``|K|² = |H_a|² + |H_b|² - 2 Re(H_a H_b* exp(-2 pi i f tau))``, which is
    ``|H|² 4 sin²(pi f tau)`` when ``f_L_a = f_L_b``; each slave's ``|1 - H_x|² S_free_x`` adds
    independently. In the time domain each locking response is an exponential density of rate
    ``l_x = 2 pi f_L_x`` acting on a Wiener phase of diffusion ``2 pi dnu_m``, so
    ``integral S_master |K|² df = 2 pi dnu_m (E|tau + X_a - X_b| - 1/(2 l_a) - 1/(2 l_b))`` with
    ``X_x ~ Exp(l_x)``::

        master = 2 pi dnu_m [ |tau| - 2 l1 (1 - exp(-l2 |tau|)) / (l2 (l1 + l2))
                              + (l1 - l2)² / (2 l1 l2 (l1 + l2)) ]

    where l1 belongs to the client whose light arrives later and l2 to the other. Limits: infinite
    bandwidths give ``2 pi dnu_m |tau|``; equal bandwidths give
    ``2 pi dnu_m (|tau| - (1 - exp(-l |tau|)) / l)``, zero at ``tau = 0``.

    Args:
        master_linewidth_hz: Lorentzian linewidth of the shared comb line, Hz (> 0).
        delay_s: arrival-time mismatch T_a - T_b of the two paths from the comb, s.
        locking_bandwidth_a_hz: client a's locking bandwidth f_L, Hz (> 0).
        locking_bandwidth_b_hz: client b's locking bandwidth, Hz (> 0).
        free_running_linewidth_a_hz: client a's free-running Lorentzian linewidth, Hz (> 0).
        free_running_linewidth_b_hz: client b's free-running Lorentzian linewidth, Hz (> 0).

    Returns:
        The :class:`PairPhaseNoise`.
    """
    _check_lock_noise_inputs(
        master_linewidth_hz, free_running_linewidth_a_hz, locking_bandwidth_a_hz
    )
    check_range("free_running_linewidth_b_hz", free_running_linewidth_b_hz, 0.0, low_open=True)
    check_range("locking_bandwidth_b_hz", locking_bandwidth_b_hz, 0.0, low_open=True)
    check_range("delay_s", delay_s)
    rate_a = 2.0 * math.pi * locking_bandwidth_a_hz
    rate_b = 2.0 * math.pi * locking_bandwidth_b_hz
    late, early = (rate_a, rate_b) if delay_s >= 0.0 else (rate_b, rate_a)
    t = abs(delay_s)
    bracket = (
        t
        + 2.0 * late * math.expm1(-early * t) / (early * (late + early))
        + (late - early) ** 2 / (2.0 * late * early * (late + early))
    )
    return PairPhaseNoise(
        master_rad2=2.0 * math.pi * master_linewidth_hz * max(bracket, 0.0),
        residual_a_rad2=free_running_linewidth_a_hz / (2.0 * locking_bandwidth_a_hz),
        residual_b_rad2=free_running_linewidth_b_hz / (2.0 * locking_bandwidth_b_hz),
    )
