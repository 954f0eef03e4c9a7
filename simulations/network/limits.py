"""Which mechanism limits a pair: the one whose removal raises its key rate the most."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qkdchip.records import Record
from qkdchip.simulations.network.model import KeyRateFunction, NetworkModel, PairLink, pair_system
from qkdchip.simulations.network.phase_budget import phase_error_budget

if TYPE_CHECKING:
    from qkdchip.simulations.qkd import SnsSystem


@dataclass(frozen=True)
class LimitingMechanism(Record):
    """The mechanism that costs a pair the most key at one distance.

    Attributes:
        distance_km: Alice-Bob distance, km.
        mechanism: name of the visibility factor, phase-error variance or noise source.
        ratio_to_plob: the pair's key rate over PLOB as it is.
        ratio_without: the same with that mechanism removed (its visibility factor 1, its
            variance or noise 0).
        ratios_without: ``ratio_without`` for every mechanism, by name.
    """

    distance_km: float
    mechanism: str
    ratio_to_plob: float
    ratio_without: float
    ratios_without: dict[str, float]


def limiting_mechanism(
    *, model: NetworkModel, link: PairLink, key_rate: KeyRateFunction
) -> LimitingMechanism:
    """Remove each mechanism of a pair's link in turn and find the one that gains the most.

    Args:
        model: the shared network description.
        link: the pair's link (:func:`~.model.pair_link`).
        key_rate: the key-rate function (:data:`~.model.KeyRateFunction`); every variant of
            the link is evaluated in one call.

    Returns:
        The :class:`LimitingMechanism`.
    """
    budget, noise = link.budget, link.noise

    def system(
        factors: dict[str, float], variances: dict[str, float], counts: dict[str, float]
    ) -> SnsSystem:
        e_d = phase_error_budget(visibility_factors=factors, contributions_rad2=variances)
        return pair_system(
            model=model, links=link.links, noise=counts, misalignment=e_d.misalignment
        )

    factors, variances = budget.visibility_factors, budget.contributions_rad2
    variants = {"": system(factors, variances, noise)}
    for name in factors:
        variants[name] = system({**factors, name: 1.0}, variances, noise)
    for name in variances:
        variants[name] = system(factors, {**variances, name: 0.0}, noise)
    for name, counts in noise.items():
        if counts > 0.0:
            variants[name] = system(factors, variances, {**noise, name: 0.0})
    keys = key_rate(systems=list(variants.values()), protocol=model.protocol.name, flaws=link.flaws)
    ratios = {name: float(key["ratio_to_plob"]) for name, key in zip(variants, keys, strict=True)}
    without = {name: value for name, value in ratios.items() if name}
    best = max(without, key=without.__getitem__)
    return LimitingMechanism(
        distance_km=link.system.distance_km,
        mechanism=best,
        ratio_to_plob=ratios[""],
        ratio_without=without[best],
        ratios_without=without,
    )
