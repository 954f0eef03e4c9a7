"""Allowed values and defaults of solver options, importable without numpy or scipy.

The command line builds its help from these; the solvers that own them re-export them
(:mod:`qkdchip.simulations.qkd.protocols`, :mod:`qkdchip.simulations.wafer_yield.sampling`,
:mod:`qkdchip.simulations.comb.reference`).
"""

from __future__ import annotations

PROTOCOLS: tuple[str, ...] = ("sns", "sns-aopp")
"""SNS TF-QKD key-rate protocols: plain SNS and SNS with active odd-parity pairing."""
SAMPLERS: tuple[str, ...] = ("mc", "sobol")
"""Point sets of the wafer-yield Monte Carlo: plain Monte Carlo or scrambled Sobol."""
REFERENCE_PUMP_POWER_W = 0.1
"""Assumed on-chip pump power of the reference dark-pulse comb (W)."""
