"""TF-QKD network model: injection locking, phase-error budget, WDM plan, per-pair key rates.

Public API::

    from qkdchip.simulations.network import (
        SlaveLaser, injection_lock, locking_range_hz, injected_power_dbm,   # injection locking
        phase_error_budget, misalignment_from_variance,                     # X-basis error
        Interference, simulate_phase_tracking, optimal_cycle,               # its mechanisms
        WdmGrid, DemuxFilter, assign_channels, channel_noise_per_gate,      # channel plan, noise
        NetworkModel, ClientChip, PairLinks, evaluate_network,              # the network
        key_rate_table, yield_aware_network,                                # random chip sets
    )
"""

from qkdchip.simulations.network.fibre_noise import (
    BackboneFibre,
    ChannelNoise,
    LitLine,
    channel_noise_per_gate,
)
from qkdchip.simulations.network.injection_locking import (
    LockResult,
    SlaveLaser,
    coupling_rate_per_s,
    injected_power_dbm,
    injection_lock,
    locked_linewidth_hz,
    locking_range_hz,
    pair_phase_noise,
)
from qkdchip.simulations.network.model import (
    ClientChip,
    FibrePlant,
    NetworkModel,
    NetworkResult,
    PairLinks,
    PairResult,
    PhaseTracking,
    Protocol,
    Server,
    evaluate_network,
    evaluate_pairs,
    noise_per_gate,
)
from qkdchip.simulations.network.phase_budget import (
    PhaseErrorBudget,
    misalignment_from_variance,
    phase_error_budget,
)
from qkdchip.simulations.network.phase_tracking import (
    CycleChoice,
    PhaseTrackingResult,
    TrackingVariance,
    optimal_cycle,
    simulate_phase_tracking,
    tracking_error_variance,
)
from qkdchip.simulations.network.qber import QberDecomposition, qber_decomposition
from qkdchip.simulations.network.visibility import Interference
from qkdchip.simulations.network.wdm import (
    ChannelAssignment,
    DemuxFilter,
    WdmGrid,
    assign_channels,
    photons_per_gate,
    raman_noise_power_w,
    usable_channels,
)
from qkdchip.simulations.network.yield_aware import (
    KeyRateTable,
    YieldAwareResult,
    key_rate_table,
    yield_aware_network,
)

__all__ = [
    "BackboneFibre",
    "ChannelAssignment",
    "ChannelNoise",
    "ClientChip",
    "CycleChoice",
    "DemuxFilter",
    "FibrePlant",
    "Interference",
    "KeyRateTable",
    "LitLine",
    "LockResult",
    "NetworkModel",
    "NetworkResult",
    "PairLinks",
    "PairResult",
    "PhaseErrorBudget",
    "PhaseTracking",
    "PhaseTrackingResult",
    "Protocol",
    "QberDecomposition",
    "Server",
    "SlaveLaser",
    "TrackingVariance",
    "WdmGrid",
    "YieldAwareResult",
    "assign_channels",
    "channel_noise_per_gate",
    "coupling_rate_per_s",
    "evaluate_network",
    "evaluate_pairs",
    "injected_power_dbm",
    "injection_lock",
    "key_rate_table",
    "locked_linewidth_hz",
    "locking_range_hz",
    "misalignment_from_variance",
    "noise_per_gate",
    "optimal_cycle",
    "pair_phase_noise",
    "phase_error_budget",
    "photons_per_gate",
    "qber_decomposition",
    "raman_noise_power_w",
    "simulate_phase_tracking",
    "tracking_error_variance",
    "usable_channels",
    "yield_aware_network",
]
