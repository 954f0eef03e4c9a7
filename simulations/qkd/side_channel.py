"""Light leaking from a client chip back to the untrusted server: a Trojan-horse-style bound.

In the injection-locked network the comb line that seeds each client laser comes from the
server, which the security analysis must treat as the adversary. The injection port is
therefore an open optical path into the transmitter, and the server can

(a) imprint: modulate the light it injects. Phase imprinted through the lock moves the
    client's global phase, which the adversary already controls on the channel (SNS keeps its
    random phases private and tolerates any common phase); power imprinted through the lock
    moves the client's intensities, which is an intensity error and must lie within the
    ``intensity_fluctuation`` of :class:`.source_flaws.SourceFlaws` (assumption A4 below);
(b) read: collect client light that travels back up the injection path after the modulators
    have encoded it (the chip's back-reflections, returned through the modulators and the
    laser to the injection port). This module bounds (b).

Named assumptions of the bound:

A1. Every photon that returns to the injection port carries the full setting of its pulse
    (sending or not, intensity class, random phase) as a coherent state of mean photon number
    at most ``mu_L`` per time window (Lucamarini et al. model the Trojan light as such a
    coherent state, their Eq. (5)).
A2. ``mu_L = (photons per window in the modulators) x 10^(-(reflection_db + isolation_db)/10)``:
    the light in the modulators (the client laser plus any injected light that reaches them),
    the chip's back-reflection toward the injection path, and the isolation of the on-chip
    path from the modulators back to the injection port.
A3. The decoy estimation itself is not affected by the leak (Lucamarini et al., Assumption 3
    of their Appendix A); the leak enters only the phase-error estimate.
A4. The server cannot move the client's intensities by more than the relative bound the
    chip's own monitor guarantees (``intensity_fluctuation``).

The bound (Lucamarini, Choi, Ward, Dynes, Yuan, Shields, "Practical security bounds against
the Trojan-horse attack in quantum key distribution", Phys. Rev. X 5, 031030 (2015),
arXiv:1506.01989; full text read): the leak makes the states of the key windows and of the
test windows differ; with a quantum coin the difference is the coin imbalance

    Delta = (1 - Re <Psi_key|Psi_test>) / 2                                   (Eq. (24))

which the adversary concentrates on detected events, ``Delta' = Delta / Y`` (Eq. (26), ``Y``
the smaller single-photon yield), and the phase error of the key bits becomes

    e' = e + 4 Delta'(1 - Delta')(1 - 2e) + 4(1 - 2 Delta') sqrt(Delta'(1 - Delta') e (1 - e))
                                                                              (Eq. (27)).

For their BB84 states Eq. (25) gives ``Re <Psi_X|Psi_Y> = exp(-mu_out) cos(mu_out)``. For SNS
the overlap is bounded here (derived, not from the paper): the untagged key state and the X1
test state share their single-photon part, and each of the two parties' leak modes holds a
coherent state of mean photon number at most ``mu_L`` in both. For two such coherent states
``|<a|b>| = exp(-|a - b|^2 / 2) >= exp(-2 mu_L)`` and ``|arg <a|b>| = |Im(a* b)| <= mu_L``, so
over two modes ``Re <Psi_key|Psi_test> >= exp(-4 mu_L) cos(2 mu_L)`` (for ``mu_L <= pi/4``),
whatever the leaked amplitudes and phases. ``Delta'`` is the fraction of the untagged bits the
adversary may hold tagged; it is reported as the leaked fraction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qkdchip.constants import C_M_PER_S, PLANCK_J_S
from qkdchip.records import Record
from qkdchip.validation import check_range

Array = NDArray[np.float64]

MAX_LEAKED_PHOTONS = 0.5
"""Largest leaked mean photon number accepted (the overlap bound needs ``2 mu_L <= pi/2``;
far below it the key is already zero)."""

INJECTION_ASSUMPTIONS: tuple[str, ...] = (
    "A1: returned photons carry the full pulse setting as a coherent state (Lucamarini et al. "
    "2015, Eq. (5))",
    "A2: leaked photons = photons per window in the modulators x back-reflection x isolation "
    "of the path from the modulators to the injection port",
    "A3: the decoy estimation is not affected by the leak (Lucamarini et al. 2015, "
    "Assumption 3)",
    "A4: the server cannot move the client's intensities beyond the monitored "
    "intensity_fluctuation",
)


def leaked_photons_per_pulse(
    *,
    power_at_modulators_dbm: float,
    reflection_db: float,
    isolation_db: float,
    repetition_rate_hz: float,
    wavelength_nm: float = 1550.0,
) -> float:
    """Mean photon number per time window returned to the injection port (assumption A2).

    ``mu_L = P / (h c / lambda) / f_rep * 10^(-(reflection_db + isolation_db) / 10)``.

    Args:
        power_at_modulators_dbm: optical power in the modulators, dBm.
        reflection_db: back-reflection of the chip toward the injection path, dB below the
            forward light (positive: 30 means a -30 dB reflection).
        isolation_db: attenuation of the on-chip path from the modulators back to the
            injection port, dB (positive).
        repetition_rate_hz: time windows per second, Hz.
        wavelength_nm: optical wavelength, nm.

    Raises:
        ValueError: for a value outside its range (named in the message).
    """
    check_range("power_at_modulators_dbm", power_at_modulators_dbm, -100.0, 40.0)
    check_range("reflection_db", reflection_db, 0.0, 400.0)
    check_range("isolation_db", isolation_db, 0.0, 400.0)
    check_range("repetition_rate_hz", repetition_rate_hz, 0.0, 1e13, low_open=True)
    check_range("wavelength_nm", wavelength_nm, 100.0, 10_000.0)
    photon_j = PLANCK_J_S * C_M_PER_S / (wavelength_nm * 1e-9)
    power_w = 1e-3 * 10.0 ** (power_at_modulators_dbm / 10.0)
    return power_w / photon_j / repetition_rate_hz * 10.0 ** (-(reflection_db + isolation_db) / 10)


def coin_imbalance(*, leaked_photons: float) -> float:
    """Quantum-coin imbalance of the SNS untagged states under the leak.

    ``Delta = (1 - Re <Psi_key|Psi_test>) / 2`` (Lucamarini et al. 2015 Eq. (24)) with the
    worst-case overlap ``exp(-4 mu_L) cos(2 mu_L)`` of the module docstring (derived here),
    evaluated as ``(-expm1(-4 mu_L) cos(2 mu_L) + 2 sin^2(mu_L)) / 2`` so that it stays exact for
    tiny leaks.

    Raises:
        ValueError: unless ``0 <= leaked_photons <= MAX_LEAKED_PHOTONS``.
    """
    check_range("leaked_photons", leaked_photons, 0.0, MAX_LEAKED_PHOTONS)
    mu = leaked_photons
    return 0.5 * (-math.expm1(-4.0 * mu) * math.cos(2.0 * mu) + 2.0 * math.sin(mu) ** 2)


def trojan_phase_error(
    *, phase_error: ArrayLike, coin_imbalance: float, single_photon_yield: ArrayLike
) -> Array:
    """Phase error of the key bits under the leak, Lucamarini et al. 2015 Eqs. (26)-(27).

    ``Delta' = min(Delta / Y, 1/2)``; where ``Y <= 0`` nothing is known and 0.5 is returned.

    Args:
        phase_error: phase error estimated from the test windows, clipped to [0, 0.5].
        coin_imbalance: ``Delta`` per emitted untagged state (:func:`coin_imbalance`).
        single_photon_yield: lower bound on the single-photon yield ``Y``.

    Returns:
        The phase error bound ``e'``, in [0, 0.5].
    """
    check_range("coin_imbalance", coin_imbalance, 0.0, 1.0)
    e = np.clip(np.asarray(phase_error, dtype=float), 0.0, 0.5)
    y = np.asarray(single_photon_yield, dtype=float)
    d = np.minimum(coin_imbalance / np.where(y > 0.0, y, 1.0), 0.5)
    grown = (
        e
        + 4.0 * d * (1.0 - d) * (1.0 - 2.0 * e)
        + 4.0 * (1.0 - 2.0 * d) * np.sqrt(d * (1.0 - d) * e * (1.0 - e))
    )
    return np.where(y > 0.0, np.clip(grown, 0.0, 0.5), 0.5)


def leaked_fraction(*, coin_imbalance: float, single_photon_yield: float) -> float:
    """``Delta' = min(Delta / Y, 1/2)``: the fraction of untagged bits the adversary may hold
    tagged (Lucamarini et al. 2015 Eq. (26)); 0.5 where ``Y <= 0``."""
    if single_photon_yield <= 0.0:
        return 0.5
    return min(coin_imbalance / single_photon_yield, 0.5)


@dataclass(frozen=True)
class InjectionLeak(Record):
    """Client light returned to the server through the injection port (assumptions A1-A4).

    Attributes:
        power_at_modulators_dbm: optical power in the modulators, dBm.
        reflection_db: chip back-reflection toward the injection path, dB (positive).
        isolation_db: isolation of the path from the modulators to the injection port, dB.
        repetition_rate_hz: time windows per second, Hz.
        wavelength_nm: optical wavelength, nm.
        leaked_photons: mean photon number returned per window and party.
        coin_imbalance: ``Delta`` per untagged state for two parties' leaks (Eq. (24)).
        assumptions: the named assumptions of the bound.
    """

    power_at_modulators_dbm: float
    reflection_db: float
    isolation_db: float
    repetition_rate_hz: float
    wavelength_nm: float
    leaked_photons: float
    coin_imbalance: float
    assumptions: tuple[str, ...] = INJECTION_ASSUMPTIONS


def injection_leak(
    *,
    isolation_db: float,
    power_at_modulators_dbm: float = 5.0,
    reflection_db: float = 30.0,
    repetition_rate_hz: float = 1e9,
    wavelength_nm: float = 1550.0,
) -> InjectionLeak:
    """The leak of one client chip and its coin imbalance.

    Defaults (assumptions, not measured): 5 dBm in the modulators (the free-running output of
    the network model's client laser, ``SlaveLaser.output_power_dbm``), a -30 dB chip
    back-reflection and a 1 GHz clock.

    Raises:
        ValueError: for a value outside its range, or a leak above ``MAX_LEAKED_PHOTONS``
            (the isolation is then far too low for any key).
    """
    mu = leaked_photons_per_pulse(
        power_at_modulators_dbm=power_at_modulators_dbm,
        reflection_db=reflection_db,
        isolation_db=isolation_db,
        repetition_rate_hz=repetition_rate_hz,
        wavelength_nm=wavelength_nm,
    )
    if mu > MAX_LEAKED_PHOTONS:
        raise ValueError(
            f"isolation_db={isolation_db!r} leaves {mu:.3g} photons per window at the "
            f"injection port, above {MAX_LEAKED_PHOTONS}; raise the isolation"
        )
    return InjectionLeak(
        power_at_modulators_dbm=power_at_modulators_dbm,
        reflection_db=reflection_db,
        isolation_db=isolation_db,
        repetition_rate_hz=repetition_rate_hz,
        wavelength_nm=wavelength_nm,
        leaked_photons=mu,
        coin_imbalance=coin_imbalance(leaked_photons=mu),
    )
