"""Sending-or-not-sending (SNS) twin-field QKD key-rate engine.

Public API::

    from qkdchip.simulations.qkd import SnsSystem, optimise_key_rate, sweep_distances

    system = SnsSystem.symmetric(distance_km=300, n_pulses=1e12)
    result = optimise_key_rate(system, protocol="sns-aopp")
    result.to_dict()["key_rate_per_pulse"]
    curve = sweep_distances(system, [100, 200, 300, 400], protocol="sns")
    unequal = SnsSystem(fibre_a_km=100, fibre_b_km=200, n_pulses=1e12)
    optimise_key_rate(unequal, asymmetric_source=True)   # Bob's own eps and intensities

    # Finite-key SNS-AOPP under a named analysis, sources with 16 discrete phases:
    optimise_key_rate(system, bound="worst-split", phase_slices=16).bound_reference
    phase_slice_study(system, slices=(4, 8, 16), bound="worst-split").smallest_within_tolerance

Modules: :mod:`.system` (link and source settings), :mod:`.channel` (forward model of the
expected counts), :mod:`.decoy` (decoy-state bounds), :mod:`.discrete_phase` (discrete phase
randomisation), :mod:`.counts` (key length from an experiment's observed counts),
:mod:`.statistics` (concentration inequalities), :mod:`.protocols` (key-rate formulas and the
named finite-key bounds), :mod:`.optimise` (parameter optimisation), :mod:`.phase_study` (key
rate versus the number of discrete phases), :mod:`.bounds` (PLOB/TGW), :mod:`.plot` (key rate
versus distance).
"""

from qkdchip.simulations.qkd.bounds import (
    binary_entropy,
    plob_absolute,
    plob_bound,
    plob_conditional,
    single_repeater_bound,
    tgw_absolute,
    tgw_bound,
    tgw_conditional,
)
from qkdchip.simulations.qkd.channel import WindowYields, one_sided_yield, window_yields
from qkdchip.simulations.qkd.counts import SnsCounts, SnsCountsKey, sns_key_from_counts
from qkdchip.simulations.qkd.decoy import phase_error_upper, single_photon_yield_lower
from qkdchip.simulations.qkd.optimise import (
    key_rate,
    max_distance_km,
    optimise_key_rate,
    optimise_many,
    sweep_distances,
)
from qkdchip.simulations.qkd.phase_study import PhaseSliceStudy, phase_slice_study
from qkdchip.simulations.qkd.protocols import (
    BOUNDS,
    PROTOCOLS,
    SecurityParameters,
    bound_reference,
)
from qkdchip.simulations.qkd.result import KeyRateResult
from qkdchip.simulations.qkd.statistics import CHERNOFF, ChernoffBound, ConcentrationInequality
from qkdchip.simulations.qkd.system import (
    SnsParameters,
    SnsSystem,
    click_probability_from_rate,
)

__all__ = [
    "BOUNDS",
    "CHERNOFF",
    "PROTOCOLS",
    "ChernoffBound",
    "ConcentrationInequality",
    "KeyRateResult",
    "PhaseSliceStudy",
    "SecurityParameters",
    "SnsCounts",
    "SnsCountsKey",
    "SnsParameters",
    "SnsSystem",
    "WindowYields",
    "binary_entropy",
    "bound_reference",
    "click_probability_from_rate",
    "key_rate",
    "max_distance_km",
    "one_sided_yield",
    "optimise_key_rate",
    "optimise_many",
    "phase_error_upper",
    "phase_slice_study",
    "plob_absolute",
    "plob_bound",
    "plob_conditional",
    "single_photon_yield_lower",
    "single_repeater_bound",
    "sns_key_from_counts",
    "sweep_distances",
    "tgw_absolute",
    "tgw_bound",
    "tgw_conditional",
    "window_yields",
]
