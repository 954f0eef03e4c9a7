"""Compact model of the Si3N4 comb ring (vectorised over any array shape).

* Resonance shift: ``d lambda = (d lambda/dW) dW + (d lambda/dH) dH + (d lambda/dn) dn``
  (MPB sensitivities of the drawn strip, :mod:`qkdchip.simulations.ring.sensitivities`), i.e.
  ``df = -f d lambda / lambda``.
* Heater reach: the heater only red-shifts resonances, so the resonance that can be pulled onto
  the pump is the nearest one above it; it needs ``(df - pump_offset) mod FSR`` of tuning.
  ``heater_margin_ghz = reach * efficiency - needed`` (>= 0 passes).
* FSR: ``FSR = FSR_0 n_g0 / n_g`` with ``n_g = n_g0 + dn_g``.
* D2: linear in width and thickness deviations around the design value.
* Coupling: ``kappa_ex/kappa_0 = K_0 exp(-d gap / decay)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from qkdchip.constants import C_M_PER_S
from qkdchip.simulations.wafer_yield.sensitivity_table import SensitivityTable

Arrays = Mapping[str, NDArray[np.float64]]
Floats = Mapping[str, float]


def resonance_shift_nm(v: Arrays, nom: Floats, table: SensitivityTable) -> NDArray[np.float64]:
    """Resonance wavelength shift (nm) from width, film thickness and core index."""
    return table.linear(
        v,
        nom,
        {
            "dlambda_dwidth_nm_per_nm": "width_nm",
            "dlambda_dthickness_nm_per_nm": "film_thickness_nm",
            "dlambda_dcore_index_nm": "core_index_delta",
        },
    )


def comb_ring(
    v: Arrays, nom: Floats, table: SensitivityTable, op: Floats
) -> dict[str, NDArray[np.float64]]:
    """Comb-ring metrics.

    Returns:
        ``resonance_shift_ghz``, ``heater_needed_ghz``, ``heater_margin_ghz``, ``fsr_ghz``,
        ``fsr_error_ghz`` (from the drawn ring's), ``d2_over_2pi_khz`` and ``coupling_ratio``.
    """
    lam0 = table.d("wavelength_nm")
    f0_ghz = C_M_PER_S / (lam0 * 1e-9) * 1e-9
    dw = v["width_nm"] - nom["width_nm"]
    dh = v["film_thickness_nm"] - nom["film_thickness_nm"]
    shift_ghz = -f0_ghz * resonance_shift_nm(v, nom, table) / lam0

    ng0 = table.d("group_index")
    ng = ng0 + table.s("dng_dwidth_per_nm") * dw + table.s("dng_dthickness_per_nm") * dh
    fsr = table.d("fsr_ghz") * ng0 / ng
    needed = np.mod(shift_ghz - op["pump_offset_ghz"], fsr)
    reach = table.d("heater_reach_ghz") * v["heater_efficiency_rel"]
    d2 = (
        table.d("d2_over_2pi_khz")
        + table.s("dd2_dwidth_khz_per_nm") * dw
        + table.s("dd2_dthickness_khz_per_nm") * dh
    )
    gap = v["ring_coupling_gap_nm"] - nom["ring_coupling_gap_nm"]
    coupling = table.d("coupling_ratio") * np.exp(-gap / table.s("coupling_gap_decay_nm"))
    return {
        "resonance_shift_ghz": shift_ghz,
        "heater_needed_ghz": needed,
        "heater_margin_ghz": reach - needed,
        "fsr_ghz": fsr,
        "fsr_error_ghz": fsr - table.d("fsr_ghz"),
        "d2_over_2pi_khz": d2,
        "coupling_ratio": coupling,
    }
