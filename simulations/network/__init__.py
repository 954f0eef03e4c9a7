"""TF-QKD network model: injection locking, phase-error budget, WDM plan, per-pair key rates.

Public API::

    from qkdchip.simulations.network import (
        SlaveLaser, injection_lock, locking_range_hz, injected_power_dbm,   # injection locking
        phase_error_budget, misalignment_from_variance,                     # X-basis error
        WdmGrid, assign_channels, raman_noise_power_w,                      # channel plan, noise
        NetworkModel, ClientChip, PairLinks, evaluate_network,              # the network
        key_rate_table, yield_aware_network,                                # random chip sets
    )
"""

from qkdchip.simulations.network.injection_locking import (
    LockResult,
    SlaveLaser,
    coupling_rate_per_s,
    injected_power_dbm,
    injection_lock,
    locking_range_hz,
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
    evaluate_pair,
    noise_per_gate,
)
from qkdchip.simulations.network.phase_budget import (
    PhaseErrorBudget,
    misalignment_from_variance,
    phase_error_budget,
)
from qkdchip.simulations.network.wdm import (
    ChannelAssignment,
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
    "ChannelAssignment",
    "ClientChip",
    "FibrePlant",
    "KeyRateTable",
    "LockResult",
    "NetworkModel",
    "NetworkResult",
    "PairLinks",
    "PairResult",
    "PhaseErrorBudget",
    "PhaseTracking",
    "Protocol",
    "Server",
    "SlaveLaser",
    "WdmGrid",
    "YieldAwareResult",
    "assign_channels",
    "coupling_rate_per_s",
    "evaluate_network",
    "evaluate_pair",
    "injected_power_dbm",
    "injection_lock",
    "key_rate_table",
    "locking_range_hz",
    "misalignment_from_variance",
    "noise_per_gate",
    "phase_error_budget",
    "photons_per_gate",
    "raman_noise_power_w",
    "usable_channels",
    "yield_aware_network",
]
