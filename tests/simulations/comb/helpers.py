"""Shared builders for the comb tests."""

from __future__ import annotations

import numpy as np

from qkdchip.simulations.comb import cw_intracavity_power


def soliton_ansatz(n_modes: int, *, zeta0: float, f: float, d2: float) -> np.ndarray:
    """Lower CW background plus the sech soliton ansatz (Herr et al., Nat. Photon. 8, 145, 2014)."""
    phi = 2 * np.pi * np.arange(n_modes) / n_modes
    rho = cw_intracavity_power(zeta0, f)[0]
    background = f / (1 + 1j * (zeta0 - rho))
    phase = np.arccos(min(1.0, np.sqrt(8 * zeta0) / (np.pi * f)))
    return background + np.sqrt(2 * zeta0) * np.exp(1j * phase) / np.cosh(
        np.sqrt(zeta0 / d2) * (phi - np.pi)
    )
