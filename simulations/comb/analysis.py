"""Comb state classification, figures of merit and the grid-resolution check of a (normalised)
trajectory or state.

Noise and stationarity. Vacuum noise of rms sigma per mode, re-injected along a run, keeps
every line psi_mu = a_mu + n_mu away from the noise-free state a_mu by a complex Gaussian n_mu
of variance sigma^2. The intracavity power E = sum |psi_mu|^2 then fluctuates by
2 Re sum a_mu* n_mu, of rms sigma sqrt(2 E); the power of line mu differs between two samples
with independent noise by 2 Re(a_mu* (n - n')) + |n|^2 - |n'|^2, whose mean magnitude is about
2 sqrt(2/pi) sigma |a_mu| + sigma^2. A stable soliton of N = 512 lines with sigma = 6.6e-5
(half a photon in PyCORe's ring) thus changes its spectrum by ~1e-3 between samples: the
stationarity thresholds grow by :data:`_NOISE_ALLOWANCE` times these expectations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qkdchip.records import Record
from qkdchip.simulations.comb.integrate import Trajectory

__all__ = [
    "STATES",
    "StateInfo",
    "classify_field",
    "classify_trajectory",
    "conversion_efficiency",
    "resolution_problem",
    "stationarity_thresholds",
]

STATES: tuple[str, ...] = (
    "CW",
    "modulation instability",
    "chaotic",
    "soliton",
    "solitons",
    "dark pulse",
    "breather",
)
"""Names of the comb states the classifier reports."""

# Sideband power fraction below which a state counts as CW: seeded noise of rms 1e-4 per mode
# over 512 modes holds ~5e-6 of a unit intracavity power, any real comb holds > 1e-2.
_CW_SIDEBAND_FRACTION = 1e-3
# Relative rms fluctuation of the intracavity power (and relative L1 change of the spectrum
# between the last two samples) below which a noise-free state counts as stationary.
_STATIONARY_TOL = 1e-3
# With vacuum noise of rms sigma per mode re-injected, a stationary state's measures carry the
# noise's interference with its lines: an rms fluctuation sigma sqrt(2 / E) of its power E and
# an L1 spectral change of about (2 sqrt(2/pi) sigma sum_mu |psi_mu| + N sigma^2) / E between two
# samples (module notes). The thresholds add this many times those expectations (the field's
# response near resonance roughly doubles them).
_NOISE_ALLOWANCE = 10.0
# Normalised autocorrelation a non-stationary energy trace must reach at a non-zero lag to count
# as periodic (a breather) rather than chaotic.
_PERIODIC_CORRELATION = 0.9
# A state is under-resolved when its narrowest pulse spans fewer grid points than this at half
# maximum, or when a line in the outermost fraction of the window (both edges) holds more than
# this share of the strongest line's power.
_MIN_POINTS_PER_FWHM = 8
_EDGE_FRACTION = 0.05
_MAX_EDGE_POWER = 1e-8
# Edge lines below this multiple of the vacuum-noise power per mode count as noise: the chance
# that an exponentially distributed noise line exceeds it is e^-30.
_NOISE_MARGIN = 30.0


@dataclass(frozen=True)
class StateInfo(Record):
    """Classification of one comb state.

    Attributes:
        state: one of :data:`STATES`.
        pulses: number of bright or dark pulses (0 for CW, chaos and Turing patterns).
        stationary: whether the intracavity power and spectrum have settled.
        sideband_fraction: share of the intracavity power outside the pumped mode.
        fluctuation: relative rms fluctuation of the intracavity power over the analysed window.
    """

    state: str
    pulses: int
    stationary: bool
    sideband_fraction: float
    fluctuation: float


def _count_regions(mask: np.ndarray) -> int:
    """Number of contiguous True runs on a periodic grid."""
    if mask.all():
        return 1
    if not mask.any():
        return 0
    rising = np.logical_and(mask, ~np.roll(mask, 1))
    return int(rising.sum())


def _shortest_run(mask: np.ndarray) -> int:
    """Length of the shortest contiguous True run on a periodic grid (0 when none is True)."""
    if mask.all():
        return int(mask.size)
    if not mask.any():
        return 0
    start = int(np.argmin(mask))
    rolled = np.roll(mask, -start)
    edges = np.diff(np.concatenate([[0], rolled.astype(int), [0]]))
    return int(np.min(np.nonzero(edges < 0)[0] - np.nonzero(edges > 0)[0]))


def resolution_problem(
    field: np.ndarray, *, normal_dispersion: bool | None = None, noise_floor: float = 0.0
) -> str | None:
    """Why the N-point grid under-resolves a state psi(phi), or None when it resolves it.

    The narrowest pulse (bright, or dark in normal dispersion; decided as in
    :func:`classify_field`) must span at least 8 grid points above (below) its half-power
    level, and no line among the outermost 5 % of modes may hold more than 1e-8 of the
    strongest line's power. CW states have no pulse and pass the first check.

    Args:
        field: psi(phi), (N,).
        normal_dispersion: sign of the dispersion near the pump, if known.
        noise_floor: vacuum-noise power per mode |psi_mu|^2 left in the field (the integrator's
            noise_rms squared); edge lines below 30 times it are noise, not an unresolved tail.

    Returns:
        A message naming N, what is under-resolved and what to increase; None when resolved.
    """
    field = np.asarray(field, dtype=complex)
    n = field.size
    spec = np.abs(np.fft.fft(field, norm="forward")) ** 2
    peak_line = float(spec.max())
    if peak_line <= 0:
        return None
    side = float(spec.sum() - spec[0]) / float(spec.sum())
    if side >= _CW_SIDEBAND_FRACTION:
        power = np.abs(field) ** 2
        med = float(np.median(power))
        hi, lo = float(power.max()), float(power.min())
        bright = (hi - med) >= (med - lo) if normal_dispersion is None else not normal_dispersion
        pulse = power > med + 0.5 * (hi - med) if bright else power < lo + 0.5 * (hi - lo)
        points = _shortest_run(pulse)
        if 0 < points < _MIN_POINTS_PER_FWHM:
            kind = "bright" if bright else "dark"
            return (
                f"N = {n} modes under-resolve the state: its narrowest {kind} pulse is "
                f"{points} grid point(s) wide at half maximum (fewer than "
                f"{_MIN_POINTS_PER_FWHM}); increase the number of modes N"
            )
    mu = np.fft.fftfreq(n, 1.0 / n)
    edge = np.abs(mu) >= (1.0 - _EDGE_FRACTION) * n / 2
    tail = float(spec[edge].max())
    if tail > _MAX_EDGE_POWER * peak_line and tail > _NOISE_MARGIN * noise_floor:
        return (
            f"N = {n} modes under-resolve the state: a line in the outermost "
            f"{_EDGE_FRACTION:.0%} of the window holds {tail / peak_line:.1e} of the strongest "
            f"line's power (more than {_MAX_EDGE_POWER:.0e}); increase the number of modes N"
        )
    return None


def stationarity_thresholds(field: np.ndarray, *, noise_rms: float = 0.0) -> tuple[float, float]:
    """Largest relative power fluctuation and spectral change of a stationary state psi(phi)
    (N,) carrying re-injected vacuum noise of rms noise_rms (>= 0) per mode (module notes).

    Returns:
        (fluctuation threshold, spectral-change threshold), both 1e-3 without noise.
    """
    if not np.isfinite(noise_rms) or noise_rms < 0:
        raise ValueError(f"noise_rms={noise_rms!r} must be finite and >= 0")
    if noise_rms == 0:
        return _STATIONARY_TOL, _STATIONARY_TOL
    spec = np.abs(np.fft.fft(np.asarray(field, dtype=complex), norm="forward")) ** 2
    energy = float(spec.sum())
    if energy <= 0:
        return _STATIONARY_TOL, _STATIONARY_TOL
    fluct = noise_rms * math.sqrt(2.0 / energy)
    change = (
        2.0 * math.sqrt(2.0 / math.pi) * noise_rms * float(np.sqrt(spec).sum())
        + spec.size * noise_rms**2
    ) / energy
    return (
        _STATIONARY_TOL + _NOISE_ALLOWANCE * fluct,
        _STATIONARY_TOL + _NOISE_ALLOWANCE * change,
    )


def classify_field(
    field: np.ndarray,
    *,
    fluctuation: float = 0.0,
    periodic: bool = False,
    spectral_change: float = 0.0,
    normal_dispersion: bool | None = None,
    noise_rms: float = 0.0,
) -> StateInfo:
    """Classify a field psi(phi) given measures of its time dependence.

    Stationary localised states are dark pulses in normal dispersion (bright solitons cannot
    exist there) and bright solitons in anomalous dispersion; without that information the
    intensity profile decides (a bright pulse rises further above the median than it dips).

    Args:
        field: psi(phi), (N,).
        fluctuation: relative rms fluctuation of <|psi|^2> over the analysis window.
        periodic: whether a non-stationary trace is periodic.
        spectral_change: relative L1 change of |psi_mu|^2 over the window.
        normal_dispersion: sign of the resonator's dispersion near the pump, if known.
        noise_rms: rms per mode of the vacuum noise re-injected along the run (0: none); it
            raises the stationarity thresholds (:func:`stationarity_thresholds`), and lines
            below 30 noise_rms^2 do not count towards a Turing pattern's line spacing.
    """
    field = np.asarray(field, dtype=complex)
    spec = np.abs(np.fft.fft(field, norm="forward")) ** 2
    total = float(spec.sum())
    side = float(total - spec[0]) / total if total > 0 else 0.0
    fluct_tol, change_tol = stationarity_thresholds(field, noise_rms=noise_rms)
    stationary = fluctuation < fluct_tol and spectral_change < change_tol
    if side < _CW_SIDEBAND_FRACTION and stationary:
        return StateInfo("CW", 0, True, side, fluctuation)
    power = np.abs(field) ** 2
    med = float(np.median(power))
    hi, lo = float(power.max()), float(power.min())
    bright = (hi - med) >= (med - lo) if normal_dispersion is None else not normal_dispersion
    if not stationary:
        if periodic and bright:
            pulses = _count_regions(power > med + 0.5 * (hi - med))
            return StateInfo("breather", pulses, False, side, fluctuation)
        return StateInfo("chaotic", 0, False, side, fluctuation)
    n = spec.size
    mu = np.fft.fftfreq(n, 1.0 / n).astype(int)
    # lines of the pattern: within 60 dB of the strongest side line and clear of the noise
    level = max(1e-6 * spec[mu != 0].max(), _NOISE_MARGIN * noise_rms**2)
    strong = (spec > level) & (mu != 0)
    spacing = int(np.gcd.reduce(np.abs(mu[strong]))) if strong.any() else 1
    if spacing >= 2:
        return StateInfo("modulation instability", 0, True, side, fluctuation)
    if bright:
        pulses = _count_regions(power > med + 0.5 * (hi - med))
        return StateInfo("soliton" if pulses == 1 else "solitons", pulses, True, side, fluctuation)
    pulses = max(1, _count_regions(power < lo + 0.5 * (hi - lo)))
    return StateInfo("dark pulse", pulses, True, side, fluctuation)


def _periodic(trace: np.ndarray) -> bool:
    x = trace - trace.mean()
    denom = float(x @ x)
    if denom <= 0 or x.size < 8:
        return False
    corr = np.correlate(x, x, mode="full")[x.size - 1 :] / denom
    # skip the central lobe: first lag where the correlation turns negative
    negative = np.nonzero(corr < 0)[0]
    if negative.size == 0:
        return False
    return bool(corr[negative[0] :].max() >= _PERIODIC_CORRELATION)


def classify_trajectory(
    trajectory: Trajectory, *, window: float = 0.25, normal_dispersion: bool | None = None
) -> list[StateInfo]:
    """Classify the final state of every batch member, with stationarity thresholds for the
    vacuum noise the run re-injected (``trajectory.noise_rms``).

    Args:
        trajectory: a run whose schedules are constant over the final window.
        window: fraction of the samples at the end used for the time statistics (0 < w <= 1).
        normal_dispersion: sign of the dispersion near the pump, if known (see
            :func:`classify_field`).
    """
    if not 0 < window <= 1:
        raise ValueError(f"window={window!r} must be in (0, 1]")
    count = max(4, math.ceil(window * trajectory.tau.size))
    tail = trajectory.energy[-count:]
    out = []
    for b in range(trajectory.batch):
        trace = tail[:, b]
        mean = float(trace.mean())
        fluct = float(trace.std() / mean) if mean > 0 else 0.0
        last, prev = trajectory.spectrum[b], trajectory.previous_spectrum[b]
        change = float(np.abs(last - prev).sum() / max(last.sum(), 1e-300))
        out.append(
            classify_field(
                trajectory.field[b],
                fluctuation=fluct,
                periodic=_periodic(trace),
                spectral_change=change,
                normal_dispersion=normal_dispersion,
                noise_rms=trajectory.noise_rms,
            )
        )
    return out


def conversion_efficiency(spectrum: np.ndarray, *, f: float, eta: float) -> float:
    """Pump-to-comb conversion efficiency (4 eta^2 / f^2) sum_{mu != 0} |psi_mu|^2.

    Args:
        spectrum: |psi_mu|^2 in ascending mu order (N,), mu = 0 at index N/2.
        f: pump amplitude (> 0).
        eta: coupling efficiency kappa_ex/kappa in (0, 1].
    """
    if not f > 0:
        raise ValueError(f"f={f!r} must be > 0")
    if not 0 < eta <= 1:
        raise ValueError(f"eta={eta!r} must be in (0, 1]")
    spectrum = np.asarray(spectrum, dtype=float)
    side = float(spectrum.sum() - spectrum[spectrum.size // 2])
    return 4.0 * eta**2 * side / f**2
