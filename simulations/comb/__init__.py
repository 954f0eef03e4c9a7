"""Lugiato-Lefever microcomb solver: normalised core, physical converter, time stepping,
stationary states with continuation, state classification and the reference dark-pulse comb.

Typical use::

    from qkdchip.simulations.comb import reference_comb
    comb = reference_comb()
    for line in comb.usable_lines(-30.0):
        print(line.mu, line.wavelength_nm, line.power_dbm)
"""

from qkdchip.simulations.comb.analysis import (
    STATES,
    StateInfo,
    classify_field,
    classify_trajectory,
    conversion_efficiency,
)
from qkdchip.simulations.comb.integrate import MAX_KERR_PHASE, Trajectory, integrate, seeded_noise
from qkdchip.simulations.comb.model import (
    AuxPump,
    LLEModel,
    ThermalShift,
    cw_intracavity_power,
    mi_gain,
    mode_numbers,
)
from qkdchip.simulations.comb.reference import (
    REFERENCE_AMX_MU,
    REFERENCE_AMX_SHIFT_HZ,
    REFERENCE_PUMP_POWER_W,
    REFERENCE_Q_INTRINSIC,
    reference_comb,
    reference_coupler_result,
    reference_resonator,
    reference_ring_result,
)
from qkdchip.simulations.comb.resonator import (
    DIntProfile,
    NormalisedResonator,
    Resonator,
    SecondPump,
    dbm,
)
from qkdchip.simulations.comb.schedules import PiecewiseLinear, as_schedule, linear_sweep
from qkdchip.simulations.comb.solve import CombLine, CombResult, map_to_wdm, solve_comb
from qkdchip.simulations.comb.stationary import (
    Branch,
    StationaryState,
    continue_in_detuning,
    newton_solve,
    stability_eigenvalues,
)

__all__ = [
    "MAX_KERR_PHASE",
    "REFERENCE_AMX_MU",
    "REFERENCE_AMX_SHIFT_HZ",
    "REFERENCE_PUMP_POWER_W",
    "REFERENCE_Q_INTRINSIC",
    "STATES",
    "AuxPump",
    "Branch",
    "CombLine",
    "CombResult",
    "DIntProfile",
    "LLEModel",
    "NormalisedResonator",
    "PiecewiseLinear",
    "Resonator",
    "SecondPump",
    "StateInfo",
    "StationaryState",
    "ThermalShift",
    "Trajectory",
    "as_schedule",
    "classify_field",
    "classify_trajectory",
    "continue_in_detuning",
    "conversion_efficiency",
    "cw_intracavity_power",
    "dbm",
    "integrate",
    "linear_sweep",
    "map_to_wdm",
    "mi_gain",
    "mode_numbers",
    "newton_solve",
    "reference_comb",
    "reference_coupler_result",
    "reference_resonator",
    "reference_ring_result",
    "seeded_noise",
    "solve_comb",
    "stability_eigenvalues",
]
