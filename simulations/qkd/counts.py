"""Finite-key length of a plain SNS run from its observed counts (experiment analysis).

Experiments tabulate, per source, how many windows were sent and how many effective events
were seen. :func:`sns_key_from_counts` turns such a table into the final key length with the
same formulas the simulation uses for plain SNS with symmetric sources (see
:mod:`.protocols`): expected-value bounds on the decoy counts by a concentration inequality,
the one-sided single-photon bound (1) and the X1 phase-error bound (2) of :mod:`.decoy`, the
untagged-bit count ``<n_1>^L = 2 N_Z eps (1-eps) mu_z e^{-mu_z} s_1^L`` and the key length

    N_f = n_1 [1 - H(e_1^ph)] - f n_t H(E_Z) - log2(2/eps_cor) - 2 log2(1/(sqrt2 eps_PA eps_hat))

with ``n_1 = phi^L(<n_1>^L)`` and ``e_1^ph = phi^U(<n_1>^L e_1^U) / n_1``. The provenance of
each formula (and what was and was not verified) is recorded in :mod:`.protocols` and
:mod:`.decoy`. Fed the forward model's expected counts, this function reproduces the
engine's finite-key plain-SNS rate (tests/simulations/qkd/test_counts.py).

Three intensities (vacuum, mu_1, mu_z): pass ``mu_2 = mu_z`` and, as the strong one-sided
source, the Z windows in which exactly one party sent, which are known after error
correction.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from qkdchip.records import Record
from qkdchip.simulations.qkd.bounds import binary_entropy
from qkdchip.simulations.qkd.decoy import phase_error_upper, single_photon_yield_lower
from qkdchip.simulations.qkd.protocols import SecurityParameters
from qkdchip.simulations.qkd.statistics import CHERNOFF, ConcentrationInequality


@dataclass(frozen=True)
class SnsCounts(Record):
    """Observed numbers of a plain SNS run with symmetric sources.

    Windows are counted in time windows (pulse pairs); "one-sided" sources pool Alice's and
    Bob's (``"mu 0"`` and ``"0 mu"``) windows.

    Attributes:
        mu_z: signal intensity.
        mu_1: weak decoy intensity, ``0 < mu_1 < mu_2``.
        mu_2: strong decoy intensity (``mu_z`` for the 3-intensity protocol).
        eps: sending probability in signal windows.
        z_windows: windows in which both chose a signal window (``N p_z^2``).
        windows_00: vacuum-vacuum decoy windows.
        windows_10: one-sided ``mu_1`` windows (both directions together).
        windows_20: one-sided ``mu_2`` windows (both directions together).
        windows_x1: phase-matched X1 windows (both ``mu_1``).
        events_00: effective events of the vacuum windows.
        events_10: effective events of the one-sided ``mu_1`` windows.
        events_20: effective events of the one-sided ``mu_2`` windows.
        errors_x1: erroneous effective events of the X1 windows.
        events_z: effective events of the signal windows (raw key bits ``n_t``).
        errors_z: bit errors among them (after error correction).
    """

    mu_z: float
    mu_1: float
    mu_2: float
    eps: float
    z_windows: float
    windows_00: float
    windows_10: float
    windows_20: float
    windows_x1: float
    events_00: float
    events_10: float
    events_20: float
    errors_x1: float
    events_z: float
    errors_z: float

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0.0):
                raise ValueError(f"{name}={value!r} must be finite and >= 0")
        if not (0.0 < self.mu_1 < self.mu_2):
            raise ValueError(
                f"mu_1={self.mu_1!r} must lie in (0, mu_2={self.mu_2!r}) (decoy order)"
            )
        if not (0.0 < self.eps < 1.0):
            raise ValueError(f"eps={self.eps!r} must lie in (0, 1)")
        for name in ("z_windows", "windows_00", "windows_10", "windows_20", "windows_x1"):
            if getattr(self, name) <= 0.0:
                raise ValueError(f"{name}={getattr(self, name)!r} must be > 0")
        pairs = (
            ("events_00", "windows_00"),
            ("events_10", "windows_10"),
            ("events_20", "windows_20"),
            ("errors_x1", "windows_x1"),
            ("events_z", "z_windows"),
            ("errors_z", "events_z"),
        )
        for part, whole in pairs:
            if getattr(self, part) > getattr(self, whole):
                raise ValueError(
                    f"{part}={getattr(self, part)!r} must not exceed "
                    f"{whole}={getattr(self, whole)!r}"
                )


@dataclass(frozen=True)
class SnsCountsKey(Record):
    """Key length of a run and the bounds behind it.

    Attributes:
        key_length_bits: final key length ``N_f`` (may be negative: no key).
        single_photon_yield_lower: ``s_1^L`` from the decoy windows.
        phase_error_expected_upper: ``e_1^U``, bound on the expected phase-flip rate.
        untagged_bits_lower: ``n_1``, lower bound on the observed untagged bits.
        phase_error_upper: ``e_1^ph`` used in the key length (observed-value bound).
        qber_z: ``errors_z / events_z``.
    """

    key_length_bits: float
    single_photon_yield_lower: float
    phase_error_expected_upper: float
    untagged_bits_lower: float
    phase_error_upper: float
    qber_z: float


def sns_key_from_counts(
    counts: SnsCounts,
    *,
    ec_efficiency: float = 1.1,
    security: SecurityParameters | None = None,
    concentration: ConcentrationInequality = CHERNOFF,
) -> SnsCountsKey:
    """Final key length of a plain SNS run from its observed counts.

    Args:
        counts: the run's observed numbers.
        ec_efficiency: error-correction inefficiency f >= 1.
        security: failure probabilities (default 1e-10 each).
        concentration: concentration inequality for the decoy and untagged-bit bounds.

    Returns:
        The :class:`SnsCountsKey` (key length in bits and the bounds behind it).
    """
    if not (math.isfinite(ec_efficiency) and ec_efficiency >= 1.0):
        raise ValueError(f"ec_efficiency={ec_efficiency!r} must be finite and >= 1")
    security = security or SecurityParameters()
    xi = security.xi
    c = counts
    low = concentration.expected_lower(np.array([c.events_00, c.events_10]), xi)
    up = concentration.expected_upper(np.array([c.events_00, c.errors_x1, c.events_20]), xi)
    s00_lower = low[0] / c.windows_00
    s1 = single_photon_yield_lower(
        mu_1=c.mu_1,
        mu_2=c.mu_2,
        s_mu1=low[1] / c.windows_10,
        s_mu2=up[2] / c.windows_20,
        s_00=up[0] / c.windows_00,
    )
    e1 = phase_error_upper(mu_1=c.mu_1, t_x1=up[1] / c.windows_x1, s_00=s00_lower, s1_lower=s1)
    single = 2.0 * c.eps * (1.0 - c.eps) * c.mu_z * math.exp(-c.mu_z)
    n1_expected = max(float(c.z_windows * single * s1), 0.0)
    n1 = float(concentration.observed_lower(n1_expected, xi))
    if n1 > 0.0:
        flips = float(concentration.observed_upper(n1_expected * float(e1), xi))
        e1_obs = min(flips / n1, 0.5)
    else:
        e1_obs = 0.5
    qber_z = c.errors_z / c.events_z if c.events_z > 0.0 else 0.0
    length = (
        n1 * (1.0 - float(binary_entropy(e1_obs)))
        - ec_efficiency * c.events_z * float(binary_entropy(qber_z))
        - security.overhead_bits(aopp=False)
    )
    return SnsCountsKey(
        key_length_bits=length,
        single_photon_yield_lower=float(s1),
        phase_error_expected_upper=float(e1),
        untagged_bits_lower=n1,
        phase_error_upper=e1_obs,
        qber_z=qber_z,
    )
