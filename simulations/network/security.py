"""What the source flaws of the deployed chips cost a pair, and the specifications that keep
the key within a tolerance (see :mod:`qkdchip.simulations.qkd.source_flaws` for the models)."""

from __future__ import annotations

from dataclasses import dataclass

from qkdchip.records import Record
from qkdchip.simulations.network.model import ClientChip, NetworkModel, PairLink
from qkdchip.simulations.qkd.flaw_studies import (
    FlawRequirement,
    required_extinction_ratio_db,
    required_injection_isolation_db,
)


@dataclass(frozen=True)
class SecurityMargins(Record):
    """A pair's key with its chips' modulator extinction counted, and the specifications.

    Attributes:
        pair: pair number (1-based).
        distance_km: Alice-Bob distance, km.
        extinction_ratio_db: the pair's weaker intensity-modulator extinction ratio, dB.
        key_rate_per_pulse: the key rate with ideal sources (as the network reports it unless
            ``protocol.source_flaws`` counts them).
        key_rate_with_extinction: the key rate with that extinction counted (the non-sender's
            leaked photons tagged), bit per pulse.
        ratio_to_plob_with_extinction: the same over PLOB.
        extinction: the extinction ratio that keeps the key within the tolerance.
        isolation: the injection-path isolation that does.
    """

    pair: int
    distance_km: float
    extinction_ratio_db: float
    key_rate_per_pulse: float
    key_rate_with_extinction: float
    ratio_to_plob_with_extinction: float
    extinction: FlawRequirement
    isolation: FlawRequirement


def security_margins(
    *,
    model: NetworkModel,
    pair: int,
    link: PairLink,
    chips: tuple[ClientChip, ClientChip],
    tolerance: float = 0.01,
    seed: int = 0,
) -> SecurityMargins:
    """Cost of the chips' extinction and the extinction and isolation that keep the key within
    ``tolerance`` (relative) for one pair's link.

    Args:
        model: the shared network description (protocol, bound, phase slices).
        pair: pair number (1-based).
        link: the pair's link (:func:`~.model.pair_link`).
        chips: (Alice's, Bob's) chip.
        tolerance: the relative key loss the specifications allow, (0, 1).
        seed: seed of the optimiser.
    """
    from qkdchip.simulations.qkd import SourceFlaws, optimise_key_rate

    protocol = model.protocol
    options = {
        "protocol": protocol.name,
        "bound": protocol.bound,
        "phase_slices": protocol.phase_slices,
        "seed": seed,
    }
    extinction_db = min(c.extinction_ratio_db for c in chips)
    ideal = optimise_key_rate(link.system, **options)
    flawed = optimise_key_rate(
        link.system, **options, flaws=SourceFlaws(extinction_ratio_db=extinction_db)
    )
    return SecurityMargins(
        pair=pair,
        distance_km=link.links.distance_km,
        extinction_ratio_db=extinction_db,
        key_rate_per_pulse=ideal.key_rate_per_pulse,
        key_rate_with_extinction=flawed.key_rate_per_pulse,
        ratio_to_plob_with_extinction=flawed.ratio_to_plob,
        extinction=required_extinction_ratio_db(link.system, tolerance=tolerance, **options),
        isolation=required_injection_isolation_db(
            link.system,
            tolerance=tolerance,
            power_at_modulators_dbm=max(c.laser.output_power_dbm for c in chips),
            **options,
        ),
    )
