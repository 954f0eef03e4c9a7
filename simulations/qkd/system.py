"""The link (channel + detectors) and the source settings of an SNS TF-QKD system.

:class:`SnsSystem` describes everything the users cannot tune per run: fibre length and loss
of each arm (Alice-Charlie = arm A, Bob-Charlie = arm B), extra losses, detectors at Charlie,
the X-window error floor, error-correction efficiency, pulse count and repetition rate.
:class:`SnsParameters` holds the knobs the optimiser tunes: basis, sending and decoy
probabilities and the intensities.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from qkdchip.records import Record
from qkdchip.validation import check_range

_DEFAULT_PHASE_SLICE_RAD = math.pi / 8


MAX_ARM_KM = 20_000.0
"""Longest fibre arm (km): half the Earth's circumference."""
MAX_LOSS_DB_PER_KM = 10.0
"""Highest fibre attenuation (dB/km): above any telecom fibre at any band."""
MAX_EXTRA_LOSS_DB = 200.0
"""Highest extra loss per arm (dB): far beyond any detectable signal."""
MAX_PULSES = 1e20
"""Largest finite pulse count: 3,000 years at 1 GHz."""


def click_probability_from_rate(*, rate_hz: float, gate_s: float) -> float:
    """Probability of at least one noise click in a gate, ``1 - exp(-rate * gate)``.

    Args:
        rate_hz: dark-count plus noise rate of one detector (Hz).
        gate_s: detection gate (time window) length (s).
    """
    check_range("rate_hz", rate_hz, 0.0)
    check_range("gate_s", gate_s, 0.0)
    return -math.expm1(-rate_hz * gate_s)


@dataclass(frozen=True)
class SnsSystem(Record):
    """A two-arm SNS TF-QKD link with detectors at the middle node (Charlie).

    Attributes:
        fibre_a_km: fibre length Alice-Charlie (km).
        fibre_b_km: fibre length Bob-Charlie (km).
        loss_a_db_per_km: fibre attenuation of arm A (dB/km).
        loss_b_db_per_km: fibre attenuation of arm B (dB/km).
        extra_loss_a_db: other losses of arm A (connectors, filters, Charlie's optics) (dB).
        extra_loss_b_db: other losses of arm B (dB).
        detector_efficiency: efficiency of each of Charlie's two detectors, in (0, 1].
        dark_count_per_pulse: noise click probability per detector per time window (dark counts
            plus Raman and other noise); use :func:`click_probability_from_rate` for a rate.
        misalignment: X-window error floor e_d from imperfect interference (phase noise,
            polarisation, ...); enters as fringe visibility ``1 - 2 e_d``. In [0, 0.5].
        ec_efficiency: error-correction inefficiency f >= 1.
        repetition_rate_hz: time windows per second (Hz).
        n_pulses: total number of time windows N, or None for the asymptotic limit.
        phase_slice_rad: full width D_s of the phase-difference acceptance of X1 windows
            (rad); the fraction of matched X1 windows is D_s / pi.
    """

    fibre_a_km: float
    fibre_b_km: float
    loss_a_db_per_km: float = 0.2
    loss_b_db_per_km: float = 0.2
    extra_loss_a_db: float = 0.0
    extra_loss_b_db: float = 0.0
    detector_efficiency: float = 0.3
    dark_count_per_pulse: float = 1e-10
    misalignment: float = 0.03
    ec_efficiency: float = 1.1
    repetition_rate_hz: float = 1e9
    n_pulses: float | None = None
    phase_slice_rad: float = _DEFAULT_PHASE_SLICE_RAD

    def __post_init__(self) -> None:
        for name in ("fibre_a_km", "fibre_b_km"):
            check_range(name, getattr(self, name), 0.0, MAX_ARM_KM)
        for name in ("loss_a_db_per_km", "loss_b_db_per_km"):
            check_range(name, getattr(self, name), 0.0, MAX_LOSS_DB_PER_KM)
        for name in ("extra_loss_a_db", "extra_loss_b_db"):
            check_range(name, getattr(self, name), 0.0, MAX_EXTRA_LOSS_DB)
        check_range("detector_efficiency", self.detector_efficiency, 0.0, 1.0, low_open=True)
        check_range("dark_count_per_pulse", self.dark_count_per_pulse, 0.0, 0.5)
        check_range("misalignment", self.misalignment, 0.0, 0.5)
        check_range("ec_efficiency", self.ec_efficiency, 1.0)
        check_range("repetition_rate_hz", self.repetition_rate_hz, 0.0, low_open=True)
        if self.n_pulses is not None:
            check_range("n_pulses", self.n_pulses, 1e3, MAX_PULSES)
        check_range("phase_slice_rad", self.phase_slice_rad, 0.0, math.pi, low_open=True)

    @classmethod
    def symmetric(cls, *, distance_km: float, **kwargs: Any) -> SnsSystem:
        """A link of total fibre length ``distance_km`` split equally between the arms.

        ``loss_db_per_km`` and ``extra_loss_db`` (if given) set both arms.
        """
        check_range("distance_km", distance_km, 0.0, 2 * MAX_ARM_KM)
        loss = kwargs.pop("loss_db_per_km", None)
        extra = kwargs.pop("extra_loss_db", None)
        if loss is not None:
            kwargs.setdefault("loss_a_db_per_km", loss)
            kwargs.setdefault("loss_b_db_per_km", loss)
        if extra is not None:
            kwargs.setdefault("extra_loss_a_db", extra)
            kwargs.setdefault("extra_loss_b_db", extra)
        return cls(fibre_a_km=distance_km / 2.0, fibre_b_km=distance_km / 2.0, **kwargs)

    @property
    def distance_km(self) -> float:
        """Total Alice-Bob fibre length (km)."""
        return self.fibre_a_km + self.fibre_b_km

    @property
    def is_finite(self) -> bool:
        """True when a finite pulse count N is set."""
        return self.n_pulses is not None

    def with_distance(self, distance_km: float) -> SnsSystem:
        """The same system at another total length, keeping the arms' length ratio.

        A system with two zero-length arms is split equally.
        """
        check_range("distance_km", distance_km, 0.0, 2 * MAX_ARM_KM)
        total = self.distance_km
        frac_a = 0.5 if total == 0.0 else self.fibre_a_km / total
        return replace(
            self, fibre_a_km=distance_km * frac_a, fibre_b_km=distance_km * (1.0 - frac_a)
        )

    def arm_loss_db(self) -> tuple[float, float]:
        """Channel loss of arm A and arm B (dB), detectors excluded."""
        return (
            self.fibre_a_km * self.loss_a_db_per_km + self.extra_loss_a_db,
            self.fibre_b_km * self.loss_b_db_per_km + self.extra_loss_b_db,
        )

    def channel_transmittances(self) -> tuple[float, float]:
        """Channel transmittance of arm A and arm B, detectors excluded."""
        loss_a, loss_b = self.arm_loss_db()
        return 10.0 ** (-loss_a / 10.0), 10.0 ** (-loss_b / 10.0)

    def total_channel_transmittance(self) -> float:
        """Alice-Bob channel transmittance (product of the two arms), detectors excluded."""
        loss_a, loss_b = self.arm_loss_db()
        return 10.0 ** (-(loss_a + loss_b) / 10.0)

    def detected_transmittances(self) -> tuple[float, float]:
        """Arm transmittances including Charlie's detector efficiency."""
        eta_a, eta_b = self.channel_transmittances()
        return eta_a * self.detector_efficiency, eta_b * self.detector_efficiency


@dataclass(frozen=True)
class SnsParameters:
    """Source settings of one SNS run.

    By default Alice and Bob use the same settings. For unequal arms Bob may use his own
    sending probability and intensities (``eps_b``, ``mu_z_b``, ``mu_2_b``); his weak decoy
    ``mu_1_b`` is then fixed by the condition that the single-photon part of the X1 source has
    the same Alice:Bob weights as the untagged Z bits,

        mu_1 / mu_1_b = eps (1 - eps_b) mu_z e^{-mu_z} / [eps_b (1 - eps) mu_z_b e^{-mu_z_b}],

    derived here from the SNS security argument (the X1 single-photon state must mirror the
    untagged state). It is the asymmetric-SNS condition of Hu et al., PRA 100, 062337 (2019) as
    recalled, not checked against the source; another recalled pair of conditions (equal
    untagged weights and ``mu_1/mu_1_b = eta_b/eta_a``) cannot both hold on unequal arms.

    Attributes:
        p_z: probability of a signal (Z) window.
        eps: sending probability inside a signal window.
        mu_z: signal intensity (mean photon number).
        mu_1: weak decoy intensity, ``0 < mu_1 < mu_2`` (or ``< mu_z`` for 3 intensities).
        mu_2: strong decoy intensity; None for the 3-intensity protocol, whose one-sided
            signal windows play its role.
        p_0: probability of the vacuum decoy inside a decoy (X) window.
        p_1: probability of ``mu_1`` inside a decoy window; ``p_2 = 1 - p_0 - p_1``.
        eps_b: Bob's sending probability, None for ``eps``.
        mu_z_b: Bob's signal intensity, None for ``mu_z``.
        mu_2_b: Bob's strong decoy, None for ``mu_2`` (must be None for 3 intensities).
    """

    p_z: float
    eps: float
    mu_z: float
    mu_1: float
    mu_2: float | None
    p_0: float
    p_1: float
    eps_b: float | None = None
    mu_z_b: float | None = None
    mu_2_b: float | None = None

    def __post_init__(self) -> None:
        for name in ("p_z", "eps", "p_0", "p_1"):
            check_range(name, getattr(self, name), 0.0, 1.0)
        for name in ("mu_z", "mu_1"):
            check_range(name, getattr(self, name), 0.0, low_open=True)
        if self.mu_2 is None:
            if not self.mu_1 < self.mu_z:
                raise ValueError(
                    f"mu_1={self.mu_1!r} must be below mu_z={self.mu_z!r} (3-intensity decoys)"
                )
        else:
            check_range("mu_2", self.mu_2, 0.0, low_open=True)
            if not self.mu_1 < self.mu_2:
                raise ValueError(f"mu_1={self.mu_1!r} must be below mu_2={self.mu_2!r}")
        if self.p_0 + self.p_1 > 1.0 + 1e-12:
            raise ValueError(f"p_0 + p_1 = {self.p_0 + self.p_1!r} must not exceed 1")
        if self.mu_2 is None and abs(self.p_0 + self.p_1 - 1.0) > 1e-9:
            raise ValueError(
                f"p_0 + p_1 = {self.p_0 + self.p_1!r} must equal 1 without a mu_2 decoy"
            )
        if self.eps_b is not None:
            check_range("eps_b", self.eps_b, 0.0, 1.0)
        if self.mu_z_b is not None:
            check_range("mu_z_b", self.mu_z_b, 0.0, low_open=True)
        if self.mu_2_b is not None:
            if self.mu_2 is None:
                raise ValueError(f"mu_2_b={self.mu_2_b!r} must be None for 3 intensities")
            check_range("mu_2_b", self.mu_2_b, 0.0, low_open=True)
        if self.is_asymmetric:
            strong = self.bob_strong_decoy
            if not (0.0 < self.mu_1_b < strong):
                raise ValueError(
                    f"mu_1_b={self.mu_1_b!r} (fixed by the X1 condition) must lie in "
                    f"(0, {strong!r}), Bob's strong intensity"
                )

    @property
    def is_asymmetric(self) -> bool:
        """True when Bob's settings differ from Alice's."""
        return any(v is not None for v in (self.eps_b, self.mu_z_b, self.mu_2_b))

    @property
    def bob_eps(self) -> float:
        """Bob's sending probability."""
        return self.eps if self.eps_b is None else self.eps_b

    @property
    def bob_mu_z(self) -> float:
        """Bob's signal intensity."""
        return self.mu_z if self.mu_z_b is None else self.mu_z_b

    @property
    def bob_strong_decoy(self) -> float:
        """Bob's mu_2 (4 intensities) or signal intensity (3 intensities)."""
        if self.mu_2 is None:
            return self.bob_mu_z
        return self.mu_2 if self.mu_2_b is None else self.mu_2_b

    @property
    def mu_1_b(self) -> float:
        """Bob's weak decoy, fixed by the X1 condition (equal to ``mu_1`` if symmetric)."""
        if not self.is_asymmetric:
            return self.mu_1
        alice = self.eps * (1.0 - self.bob_eps) * self.mu_z * math.exp(-self.mu_z)
        bob = self.bob_eps * (1.0 - self.eps) * self.bob_mu_z * math.exp(-self.bob_mu_z)
        if alice <= 0.0:
            return math.inf
        return self.mu_1 * bob / alice

    @property
    def p_2(self) -> float:
        """Probability of ``mu_2`` inside a decoy window (0 for 3 intensities)."""
        return 0.0 if self.mu_2 is None else max(0.0, 1.0 - self.p_0 - self.p_1)

    @property
    def n_intensities(self) -> int:
        """3 or 4 (vacuum, mu_1, [mu_2,] mu_z)."""
        return 3 if self.mu_2 is None else 4

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (``p_2`` and, if asymmetric, ``mu_1_b`` included)."""
        out = asdict(self)
        out["p_2"] = self.p_2
        if self.is_asymmetric:
            out["mu_1_b"] = self.mu_1_b
        return out
