"""Allowed values and defaults of solver options, importable without numpy or scipy.

The command line and the scenario schema check against these; the solvers that own them import
them from here (:mod:`qkdchip.simulations.qkd.protocols`,
:mod:`qkdchip.simulations.wafer_yield.sampling`, :mod:`qkdchip.simulations.wafer_yield.engine`,
:mod:`qkdchip.simulations.comb.reference`).
"""

from __future__ import annotations

PROTOCOLS: tuple[str, ...] = ("sns", "sns-aopp")
"""SNS TF-QKD key-rate protocols: plain SNS and SNS with active odd-parity pairing."""
SAMPLERS: tuple[str, ...] = ("mc", "sobol")
"""Point sets of the wafer-yield Monte Carlo: plain Monte Carlo or scrambled Sobol."""
MAX_WAFERS: int = 65_536
"""Most wafers one wafer-yield run simulates (2^16, a Sobol size): a yield's binomial error is
then below 0.05 % and the wafer-level normals stay under a gigabyte."""
REFERENCE_PUMP_POWER_W = 0.1
"""Assumed on-chip pump power of the reference dark-pulse comb (W)."""

OPERATIONS: tuple[str, ...] = ("sequential", "sequential-parallel", "simultaneous")
"""``sequential``: pairs take turns, only the measuring pair's light is on;
``sequential-parallel``: pairs take turns on one detector set while every channel is lit (the
paper's operation); ``simultaneous``: every pair measures at once on its own detectors."""
