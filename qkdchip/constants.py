"""Physical constants shared by the toolkit: SI, exact by definition (the values of
``scipy.constants``, written out so that importing them needs no scipy)."""

from __future__ import annotations

C_M_PER_S: float = 299_792_458.0
"""Speed of light in vacuum, m/s."""
PLANCK_J_S: float = 6.626_070_15e-34
"""Planck constant, J s."""
