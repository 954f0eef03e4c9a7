"""Key rate versus the number of discrete phases the sources randomise over.

The transmitters of an integrated TF-QKD chip set the random phase with a phase modulator
driven by a DAC, so the phase takes ``M`` values ``2 pi k / M`` rather than a continuum. The
security analysis for that case (:mod:`.discrete_phase`, :mod:`.decoy`) costs key through the
gap between the photon-number-like classes ``|lambda_j^mu>`` and Fock states, which shrinks
like ``mu^{M/2} / sqrt(M!)``. :func:`phase_slice_study` optimises the key rate for each ``M``
and finds the smallest ``M`` whose rate is within a tolerance of continuous randomisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qkdchip.records import Record
from qkdchip.simulations.qkd.optimise import key_rate, optimise_key_rate
from qkdchip.simulations.qkd.protocols import SecurityParameters
from qkdchip.simulations.qkd.system import SnsSystem
from qkdchip.validation import check_range

DEFAULT_SLICES: tuple[int, ...] = (2, 3, 4, 6, 8, 10, 12, 16, 24, 32)
"""Numbers of discrete phases scanned by default."""


@dataclass(frozen=True)
class PhaseSliceStudy(Record):
    """Optimised key rate for each number of discrete phases ``M``, against continuous phases.

    Attributes:
        distance_km: total Alice-Bob fibre length (km).
        protocol: ``"sns"`` or ``"sns-aopp"``.
        bound: the finite-key SNS-AOPP analysis used (``BOUNDS``).
        bound_reference: the source of the formulas (continuous-phase case).
        n_pulses: pulse count N, or None (asymptotic).
        slices: the numbers of discrete phases ``M``, increasing.
        key_rates: optimised key rate per pulse for each ``M`` (bits per pulse).
        continuous_key_rate: optimised key rate with a continuous random phase (bits per pulse).
        relative_loss: ``1 - key_rate / continuous_key_rate`` for each ``M``.
        tolerance: the relative key loss accepted.
        smallest_within_tolerance: smallest scanned ``M`` from which on every scanned ``M``
            loses less than ``tolerance``; None if even the largest does not.
    """

    distance_km: float
    protocol: str
    bound: str
    bound_reference: str
    n_pulses: float | None
    slices: tuple[int, ...]
    key_rates: tuple[float, ...]
    continuous_key_rate: float
    relative_loss: tuple[float, ...]
    tolerance: float
    smallest_within_tolerance: int | None


def phase_slice_study(
    system: SnsSystem,
    *,
    slices: Sequence[int] = DEFAULT_SLICES,
    tolerance: float = 0.01,
    protocol: str = "sns-aopp",
    n_intensities: int = 4,
    bound: str = "qkdchip-estimate",
    security: SecurityParameters | None = None,
    seed: int = 0,
) -> PhaseSliceStudy:
    """Key rate of ``system`` for each number of discrete phases in ``slices``.

    Each ``M`` is optimised from the continuous-phase optimum, and that optimum's parameters
    evaluated at ``M`` are kept if they do better, so optimiser noise does not masquerade as
    a discrete-phase effect.

    Args:
        system: the link (its distance is the study's).
        slices: numbers of discrete phases (each in [2, 10^6]), any order, no repeats.
        tolerance: relative key loss accepted versus continuous randomisation, in (0, 1).
        protocol: as in :func:`.optimise.optimise_key_rate`.
        n_intensities: as in :func:`.optimise.optimise_key_rate`.
        bound: as in :func:`.optimise.optimise_key_rate`.
        security: as in :func:`.optimise.optimise_key_rate`.
        seed: as in :func:`.optimise.optimise_key_rate`.

    Returns:
        The :class:`PhaseSliceStudy`.

    Raises:
        ValueError: for an empty or repeated ``slices``, a bad ``M`` or ``tolerance``, or a
            link without key under continuous randomisation.
    """
    check_range("tolerance", tolerance, 0.0, 1.0, low_open=True, high_open=True)
    ordered = sorted(int(m) for m in slices)
    if not ordered or len(set(ordered)) != len(ordered):
        raise ValueError(f"slices={slices!r} must be a non-empty list of distinct integers")
    choice = dict(
        protocol=protocol,
        n_intensities=n_intensities,
        bound=bound,
        security=security,
        seed=seed,
    )
    continuous = optimise_key_rate(system, **choice)  # type: ignore[arg-type]
    reference = continuous.key_rate_per_pulse
    if reference <= 0.0:
        raise ValueError(
            f"the link at {system.distance_km:g} km gives no key with continuous phases; "
            "choose a shorter distance"
        )
    rates = []
    for m in ordered:
        fresh = optimise_key_rate(
            system,
            initial=continuous.parameters,
            phase_slices=m,
            **choice,  # type: ignore[arg-type]
        )
        kept = key_rate(
            system,
            continuous.parameters,
            protocol=protocol,
            security=security,
            bound=bound,
            phase_slices=m,
        )
        rates.append(max(fresh.key_rate_per_pulse, kept.key_rate_per_pulse))
    losses = [1.0 - r / reference for r in rates]
    smallest = None
    for k in range(len(ordered) - 1, -1, -1):
        if losses[k] >= tolerance:
            break
        smallest = ordered[k]
    return PhaseSliceStudy(
        distance_km=system.distance_km,
        protocol=protocol,
        bound=bound,
        bound_reference=continuous.bound_reference,
        n_pulses=system.n_pulses,
        slices=tuple(ordered),
        key_rates=tuple(rates),
        continuous_key_rate=reference,
        relative_loss=tuple(losses),
        tolerance=tolerance,
        smallest_within_tolerance=smallest,
    )
