"""Physical constants shared by the toolkit (SI, from scipy.constants, CODATA)."""

from __future__ import annotations

from scipy import constants

C_M_PER_S: float = constants.c
"""Speed of light in vacuum, m/s."""
