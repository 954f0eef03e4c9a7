"""Interference visibility of the two clients' pulses at the server, from what sets it.

The server's beam splitter interferes Alice's and Bob's weak coherent pulses. Apart from their
phase (the phase-error budget's job), four things keep the fringe below full visibility; each is
a factor, and the phase-independent X-basis error floor is ``e0 = (1 - V) / 2`` with
``V = V_pol V_time V_int``:

* polarisation: a residual orthogonal fraction ``eps = 10^(-PER/10)`` of one pulse (after the
  server's polarisation feedback) leaves a field overlap ``V_pol = sqrt(1 - eps)``;
* temporal mode: Gaussian pulses of intensity rms width ``sigma = FWHM / (2 sqrt(2 ln 2))``
  offset by ``dt`` overlap as ``exp(-dt^2 / (8 sigma^2))``; a Gaussian arrival-time jitter of
  rms ``sigma_j`` averages that to ``V_time = (1 + sigma_j^2 / (4 sigma^2))^(-1/2)``;
* intensity: pulses of intensity ratio ``r`` interfere with ``2 sqrt(r) / (1 + r)``; with a beam
  splitter of power transmission ``t`` the two output ports see
  ``2 sqrt(r t (1-t)) / (t + r (1 - t))`` and its mirror image, averaged here. The arms' loss
  asymmetry is balanced by the clients' VOAs (the key-rate engine sets each party's intensity);
  what remains is the VOA's setting tolerance.

A locked slave laser has no static frequency offset from its comb line (its residual frequency
noise is phase noise, counted in the phase-error budget), so no frequency term appears.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qkdchip.records import Record
from qkdchip.validation import check_range

_SIGMA_PER_FWHM = 1.0 / (2.0 * math.sqrt(2.0 * math.log(2.0)))


def polarisation_visibility(*, extinction_db: float) -> float:
    """Field overlap of two pulses whose polarisations differ by an orthogonal fraction.

    Args:
        extinction_db: residual polarisation extinction, dB (the orthogonal power fraction is
            ``10^(-extinction_db/10)``), >= 0.

    Returns:
        ``sqrt(1 - 10^(-extinction_db/10))`` in [0, 1).
    """
    check_range("polarisation_extinction_db", extinction_db, 0.0, 200.0)
    return math.sqrt(-math.expm1(-extinction_db * math.log(10.0) / 10.0))


def temporal_visibility(*, jitter_rms_s: float, pulse_fwhm_s: float) -> float:
    """Mean overlap of two Gaussian pulses with a Gaussian arrival-time difference.

    Args:
        jitter_rms_s: rms arrival-time difference of the two pulses, s (>= 0).
        pulse_fwhm_s: intensity full width at half maximum of each pulse, s (> 0).

    Returns:
        ``(1 + sigma_j^2 / (4 sigma^2))^(-1/2)`` in (0, 1].
    """
    check_range("timing_jitter_rms_s", jitter_rms_s, 0.0, 1e-6)
    check_range("pulse_fwhm_s", pulse_fwhm_s, 0.0, 1e-6, low_open=True)
    sigma = pulse_fwhm_s * _SIGMA_PER_FWHM
    return 1.0 / math.sqrt(1.0 + jitter_rms_s**2 / (4.0 * sigma**2))


def intensity_visibility(*, imbalance_db: float, splitter_transmission: float = 0.5) -> float:
    """Fringe visibility of two pulses of unequal intensity on an unbalanced beam splitter.

    Args:
        imbalance_db: intensity ratio of the two pulses at the splitter, dB (sign irrelevant).
        splitter_transmission: power transmission t of the beam splitter, (0, 1).

    Returns:
        The visibility averaged over the two output ports, in (0, 1].
    """
    check_range("intensity_imbalance_db", imbalance_db, -60.0, 60.0)
    check_range(
        "splitter_transmission", splitter_transmission, 0.0, 1.0, low_open=True, high_open=True
    )
    r = 10.0 ** (-abs(imbalance_db) / 10.0)
    t = splitter_transmission
    port = 2.0 * math.sqrt(r * t * (1.0 - t))
    return 0.5 * (port / (t + r * (1.0 - t)) + port / ((1.0 - t) + r * t))


@dataclass(frozen=True)
class Interference(Record):
    """What sets the fringe visibility at the server (the ``[interference]`` scenario table).

    Attributes:
        polarisation_extinction_db: residual polarisation extinction between the two pulses
            after the server's polarisation feedback, dB.
        timing_jitter_ps: rms arrival-time difference of the two pulses (clock distribution and
            path-length tracking), ps.
        pulse_fwhm_ps: intensity FWHM of the carved pulses, ps.
        intensity_imbalance_db: residual intensity imbalance of the two arms after the VOAs
            balance them (setting tolerance and loss drift), dB.
        splitter_transmission: power transmission of the server's beam splitter.
    """

    polarisation_extinction_db: float = 20.0
    timing_jitter_ps: float = 15.0
    pulse_fwhm_ps: float = 200.0
    intensity_imbalance_db: float = 0.3
    splitter_transmission: float = 0.5

    def __post_init__(self) -> None:
        check_range("polarisation_extinction_db", self.polarisation_extinction_db, 0.0, 200.0)
        check_range("timing_jitter_ps", self.timing_jitter_ps, 0.0, 1e6)
        check_range("pulse_fwhm_ps", self.pulse_fwhm_ps, 0.0, 1e6, low_open=True)
        check_range("intensity_imbalance_db", self.intensity_imbalance_db, -60.0, 60.0)
        check_range(
            "splitter_transmission",
            self.splitter_transmission,
            0.0,
            1.0,
            low_open=True,
            high_open=True,
        )

    def factors(self) -> dict[str, float]:
        """Visibility factor of each mechanism: polarisation, temporal_mode, intensity."""
        return {
            "polarisation": polarisation_visibility(extinction_db=self.polarisation_extinction_db),
            "temporal_mode": temporal_visibility(
                jitter_rms_s=self.timing_jitter_ps * 1e-12,
                pulse_fwhm_s=self.pulse_fwhm_ps * 1e-12,
            ),
            "intensity": intensity_visibility(
                imbalance_db=self.intensity_imbalance_db,
                splitter_transmission=self.splitter_transmission,
            ),
        }

    @property
    def visibility(self) -> float:
        """Product of the factors, (0, 1]."""
        return math.prod(self.factors().values())
