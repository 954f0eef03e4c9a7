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

    # Transmitter flaws: fluctuating intensities, a leaky "not sending" state, light returned
    # to the server through the injection port; and the specifications that keep 99 % of the key:
    leak = injection_leak(isolation_db=140.0)
    flaws = SourceFlaws(intensity_fluctuation=0.01, extinction_ratio_db=60.0,
                        leaked_photons=leak.leaked_photons)
    optimise_key_rate(system, bound="worst-split", flaws=flaws)
    required_extinction_ratio_db(system, bound="worst-split").required_db
    required_injection_isolation_db(system, bound="worst-split").required_db
    phase_setting_study(system, setting=phase_setting(vpi_v=reference_vpi_v(), dac_bits=8,
                                                      range_v=6.5))

Modules: :mod:`.system` (link and source settings), :mod:`.channel` (forward model of the
expected counts), :mod:`.decoy` (decoy-state bounds), :mod:`.discrete_phase` (discrete phase
randomisation), :mod:`.source_flaws` (intensity fluctuations and finite extinction in the decoy
bounds), :mod:`.side_channel` (light returned to the server: Trojan-horse-style bound),
:mod:`.phase_setting` (phases a DAC-driven phase modulator sets), :mod:`.flaw_studies` (key
rate versus the flaws and the specifications within a tolerance), :mod:`.counts` (key length
from an experiment's observed counts), :mod:`.statistics` (concentration inequalities),
:mod:`.protocols` (key-rate formulas and the named finite-key bounds), :mod:`.optimise`
(parameter optimisation), :mod:`.phase_study` (key rate versus the number of discrete phases),
:mod:`.bounds` (PLOB/TGW), :mod:`.plot` (key rate versus distance).
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
from qkdchip.simulations.qkd.flaw_studies import (
    FlawRequirement,
    FlawSweep,
    InjectionSideChannel,
    PhaseSettingStudy,
    extinction_ratio_study,
    injection_side_channel,
    intensity_fluctuation_study,
    phase_setting_study,
    required_extinction_ratio_db,
    required_injection_isolation_db,
)
from qkdchip.simulations.qkd.optimise import (
    key_rate,
    max_distance_km,
    optimise_key_rate,
    optimise_many,
    sweep_distances,
)
from qkdchip.simulations.qkd.phase_setting import (
    PhaseSetting,
    misalignment_with_phase_errors,
    phase_setting,
    reference_vpi_v,
)
from qkdchip.simulations.qkd.phase_study import PhaseSliceStudy, phase_slice_study
from qkdchip.simulations.qkd.protocols import (
    BOUNDS,
    PROTOCOLS,
    SecurityParameters,
    bound_reference,
)
from qkdchip.simulations.qkd.result import KeyRateResult
from qkdchip.simulations.qkd.side_channel import (
    InjectionLeak,
    coin_imbalance,
    injection_leak,
    leaked_photons_per_pulse,
    trojan_phase_error,
)
from qkdchip.simulations.qkd.source_flaws import SourceFlaws
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
    "FlawRequirement",
    "FlawSweep",
    "InjectionLeak",
    "InjectionSideChannel",
    "KeyRateResult",
    "PhaseSetting",
    "PhaseSettingStudy",
    "PhaseSliceStudy",
    "SecurityParameters",
    "SnsCounts",
    "SnsCountsKey",
    "SnsParameters",
    "SnsSystem",
    "SourceFlaws",
    "WindowYields",
    "binary_entropy",
    "bound_reference",
    "click_probability_from_rate",
    "coin_imbalance",
    "extinction_ratio_study",
    "injection_leak",
    "injection_side_channel",
    "intensity_fluctuation_study",
    "key_rate",
    "leaked_photons_per_pulse",
    "max_distance_km",
    "misalignment_with_phase_errors",
    "one_sided_yield",
    "optimise_key_rate",
    "optimise_many",
    "phase_error_upper",
    "phase_setting",
    "phase_setting_study",
    "phase_slice_study",
    "plob_absolute",
    "plob_bound",
    "plob_conditional",
    "reference_vpi_v",
    "required_extinction_ratio_db",
    "required_injection_isolation_db",
    "single_photon_yield_lower",
    "single_repeater_bound",
    "sns_key_from_counts",
    "sweep_distances",
    "tgw_absolute",
    "tgw_bound",
    "tgw_conditional",
    "trojan_phase_error",
    "window_yields",
]
