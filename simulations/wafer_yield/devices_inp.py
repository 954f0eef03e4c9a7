"""Compact models of the InP transmitter devices (vectorised over any array shape).

Each model takes the process-parameter values ``v`` (name -> array, full values) and their
nominals ``nom`` (name -> float, the process statistics' design targets), the sensitivity table
and the operating conditions, and returns metric arrays. Physics (grating and cavity after
Coldren, Corzine and Mashanovitch, section 3.3; locking range after Mogensen, Olesen and
Jacobsen 1985; the rest textbook forms):

* Effective index: ``dn = sum_k (dn/dx_k) dx_k`` with the table's MPB derivatives.
* Bragg wavelength: ``lambda_B = lambda_0 (1 + dn/n_g + (n_eff/n_g) dLambda/Lambda)``.
* Grating: ``R = tanh^2(kappa L)``, ``L_eff = tanh(kappa L)/(2 kappa)``, kappa proportional to
  the shallow etch depth; cavity ``L_cav = L_gain + L_phase + L_eff,rear + L_eff,front``,
  longitudinal-mode spacing ``c / (2 n_g L_cav)``.
* Free-running lasing mode: the cavity mode nearest the Bragg peak. A common effective-index
  change moves modes and Bragg peak together (both shift by ``lambda dn / n_g``); the grating
  period and the cavity's optical length (via ``L_eff``) move them apart. The mode-hop margin
  is the distance of that mode from the half-way point to its neighbour.
* Threshold: ``I_th = I_tr exp((alpha_i + ln(1/(R_r R_f)) / (2 L_gain)) / g0)`` (logarithmic gain),
  the transparency current ``I_tr`` proportional to the gain length.
* Injection locking (Adler, weak injection): ``kappa_c = v_g/(2 L_cav) (1-R)/sqrt(R)`` with
  ``R`` the grating the comb light enters by (the drawn laser's injection mirror),
  range ``[-kappa_c sqrt(1+alpha^2) sqrt(rho), +kappa_c sqrt(rho)] / 2 pi`` in master-minus-slave
  frequency. The comb line must lie within coarse tuning (``tuning_red/blue_ghz``) plus the
  mode-hop-free phase-section range plus the locking range of the Bragg frequency.
* Phase modulator: ``V_pi = (V_pi L)_0 / L * (d_eff/d_eff0) * (Gamma_0/Gamma) *
  ((lambda - lambda_g)/(lambda - lambda_g0))^p`` with ``d_eff = t_core + w_dep / sqrt(N/N_0)``.
* Mach-Zehnder extinction: output fields ``a1 = sqrt(k1 k2) t1``, ``a2 = sqrt((1-k1)(1-k2)) t2``;
  ``ER = 20 log10((a1 + a2)/|a1 - a2|)`` capped at :data:`ER_CAP_DB` (measurement floor).
* VOA: ``A = A_0 (Gamma/Gamma_0) exp((lambda_g - lambda_g0)/scale)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from qkdchip.constants import C_M_PER_S
from qkdchip.simulations.wafer_yield.sensitivity_table import SensitivityTable

ER_CAP_DB = 60.0

Arrays = Mapping[str, NDArray[np.float64]]
Floats = Mapping[str, float]


def delta_neff(v: Arrays, nom: Floats, table: SensitivityTable) -> NDArray[np.float64]:
    """Effective-index change of the passive waveguide from width, core, composition, etch."""
    return table.linear(
        v,
        nom,
        {
            "dneff_dwidth_per_nm": "ridge_width_nm",
            "dneff_dcore_thickness_per_nm": "q_thickness_nm",
            "dneff_dbandgap_wavelength_per_nm": "q_bandgap_wavelength_nm",
            "dneff_ddeep_etch_per_nm": "deep_etch_depth_nm",
        },
    )


def bragg_wavelength_nm(v: Arrays, nom: Floats, table: SensitivityTable) -> NDArray[np.float64]:
    """Bragg wavelength (nm) of the DBR gratings."""
    lam0 = table.d("wavelength_nm")
    ng, neff = table.d("group_index"), table.d("neff")
    period_rel = (v["grating_period_nm"] - nom["grating_period_nm"]) / nom["grating_period_nm"]
    return lam0 * (1.0 + delta_neff(v, nom, table) / ng + (neff / ng) * period_rel)


def confinement_rel(v: Arrays, nom: Floats, table: SensitivityTable) -> NDArray[np.float64]:
    """Optical confinement in the core relative to the design (1 at nominal)."""
    return 1.0 + table.linear(
        v,
        nom,
        {
            "dconfinement_rel_dcore_thickness_per_nm": "q_thickness_nm",
            "dconfinement_rel_dwidth_per_nm": "ridge_width_nm",
        },
    )


def dbr_laser(
    v: Arrays, nom: Floats, table: SensitivityTable, op: Floats
) -> dict[str, NDArray[np.float64]]:
    """DBR laser metrics.

    Returns:
        ``bragg_wavelength_nm``, ``lasing_detuning_ghz`` (free-running lasing frequency minus the
        target comb line), ``mode_hop_margin_ghz``, ``mode_spacing_ghz``, ``threshold_ma``,
        ``locking_range_red_ghz``, ``locking_range_blue_ghz`` and ``lock_margin_ghz`` (distance
        of the comb line inside the reachable window; negative: cannot lock).
    """
    lam0 = table.d("wavelength_nm")
    ng, neff = table.d("group_index"), table.d("neff")
    lam_b = bragg_wavelength_nm(v, nom, table)
    f0 = C_M_PER_S / (lam0 * 1e-9)
    f_b = C_M_PER_S / (lam_b * 1e-9)

    kappa0 = table.d("grating_kappa_per_cm") * 100.0  # 1/m
    etch = v["grating_etch_depth_nm"] - nom["grating_etch_depth_nm"]
    kappa = kappa0 * np.maximum(1.0 + table.s("dkappa_rel_detch_per_nm") * etch, 1e-3)
    l_rear = table.d("rear_grating_length_um") * 1e-6
    l_front = table.d("front_grating_length_um") * 1e-6
    l_gain = table.d("gain_length_um") * 1e-6
    l_phase = table.d("phase_length_um") * 1e-6
    t_rear, t_front = np.tanh(kappa * l_rear), np.tanh(kappa * l_front)
    r_rear, r_front = t_rear**2, t_front**2
    l_eff = (t_rear + t_front) / (2.0 * kappa)
    l_eff_nom = (np.tanh(kappa0 * l_rear) + np.tanh(kappa0 * l_front)) / (2.0 * kappa0)
    l_cav = l_gain + l_phase + l_eff
    mode_spacing = C_M_PER_S / (2.0 * ng * l_cav)

    # Offset of the nearest cavity mode from the Bragg peak, in units of the mode spacing.
    period_rel = (v["grating_period_nm"] - nom["grating_period_nm"]) / nom["grating_period_nm"]
    length_rel = (l_eff - l_eff_nom) / l_cav
    x = f0 * (neff / ng) * (period_rel - length_rel) / mode_spacing
    delta = x - np.round(x)
    f_free = f_b + delta * mode_spacing
    margin = (0.5 - np.abs(delta)) * mode_spacing

    alpha_m_per_cm = np.log(1.0 / (r_rear * r_front)) / (2.0 * l_gain * 100.0)
    g0 = table.d("modal_gain_coefficient_per_cm")
    transparency_ma = table.d("transparency_current_ma_per_mm") * table.d("gain_length_um") * 1e-3
    threshold = transparency_ma * np.exp((v["active_internal_loss_per_cm"] + alpha_m_per_cm) / g0)

    v_g = C_M_PER_S / ng
    r_inj = np.tanh(kappa * table.d("injection_grating_length_um") * 1e-6) ** 2
    kappa_c = v_g / (2.0 * l_cav) * (1.0 - r_inj) / np.sqrt(r_inj)
    rho = 10.0 ** (op["injection_ratio_db"] / 10.0)
    lock_blue = kappa_c / (2.0 * np.pi) * np.sqrt(rho)
    lock_red = lock_blue * np.sqrt(1.0 + table.d("linewidth_enhancement_factor") ** 2)

    target = f0 + op["target_offset_ghz"] * 1e9
    half_phase = np.maximum(0.5 * mode_spacing - op["mode_hop_margin_min_ghz"] * 1e9, 0.0)
    lower = f_b - op["tuning_red_ghz"] * 1e9 - half_phase - lock_red
    upper = f_b + op["tuning_blue_ghz"] * 1e9 + half_phase + lock_blue
    lock_margin = np.minimum(target - lower, upper - target)
    return {
        "bragg_wavelength_nm": lam_b,
        "lasing_detuning_ghz": (f_free - target) * 1e-9,
        "mode_hop_margin_ghz": margin * 1e-9,
        "mode_spacing_ghz": mode_spacing * 1e-9,
        "threshold_ma": threshold,
        "locking_range_red_ghz": lock_red * 1e-9,
        "locking_range_blue_ghz": lock_blue * 1e-9,
        "lock_margin_ghz": lock_margin * 1e-9,
    }


def vpi_v(
    v: Arrays, nom: Floats, table: SensitivityTable, op: Floats, *, length_mm: float
) -> NDArray[np.float64]:
    """Half-wave voltage (V) of a p-i-n phase shifter of ``length_mm``."""
    w_dep = table.d("depletion_width_nm")
    d_eff = v["q_thickness_nm"] + w_dep / np.sqrt(np.maximum(v["p_doping_rel"], 1e-3))
    d_eff0 = nom["q_thickness_nm"] + w_dep / np.sqrt(nom["p_doping_rel"])
    lam = op["drive_wavelength_nm"]
    detune = np.maximum(lam - v["q_bandgap_wavelength_nm"], 1.0)
    detune0 = lam - nom["q_bandgap_wavelength_nm"]
    band = (detune / detune0) ** table.s("vpi_bandgap_exponent")
    vpi_l = table.d("vpi_l_v_cm") * (d_eff / d_eff0) * band / confinement_rel(v, nom, table)
    return vpi_l / (length_mm * 0.1)


def phase_modulator(
    v: Arrays, nom: Floats, table: SensitivityTable, op: Floats
) -> dict[str, NDArray[np.float64]]:
    """Phase modulator: ``vpi_v``."""
    return {"vpi_v": vpi_v(v, nom, table, op, length_mm=table.d("phase_modulator_length_mm"))}


def mz_extinction_ratio_db(
    *, k1: NDArray[np.float64], k2: NDArray[np.float64], arm_loss_db: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Extinction ratio (dB) of a Mach-Zehnder with splitter/combiner power fractions k1, k2.

    Args:
        k1: power fraction the splitter sends into arm 1 (0..1).
        k2: power fraction the combiner takes from arm 1 into the output (0..1).
        arm_loss_db: extra loss of arm 2 over arm 1 (dB).
    """
    t2 = 10.0 ** (-arm_loss_db / 20.0)
    a1 = np.sqrt(k1 * k2)
    a2 = np.sqrt((1.0 - k1) * (1.0 - k2)) * t2
    floor = (a1 + a2) * 10.0 ** (-ER_CAP_DB / 20.0)
    return 20.0 * np.log10((a1 + a2) / np.maximum(np.abs(a1 - a2), floor))


def intensity_modulator(
    v: Arrays, nom: Floats, table: SensitivityTable, op: Floats
) -> dict[str, NDArray[np.float64]]:
    """Mach-Zehnder intensity modulator: ``vpi_v``, ``extinction_ratio_db``, split fractions.

    ``v["mmi_split_error"]`` carries two independent draws on its last axis (splitter,
    combiner). The splitter is a symmetric 1x2 MMI (only local asymmetry unbalances it); the
    combiner is a 2x2 MMI whose split also moves with the ridge width.
    """
    err = v["mmi_split_error"]
    k1 = np.clip(0.5 + err[..., 0], 1e-6, 1.0 - 1e-6)
    dw = v["ridge_width_nm"] - nom["ridge_width_nm"]
    k2 = np.clip(0.5 + table.s("dmmi_split_dwidth_per_nm") * dw + err[..., 1], 1e-6, 1.0 - 1e-6)
    ea = table.d("ea_bias_loss_db") * np.exp(
        (v["q_bandgap_wavelength_nm"] - nom["q_bandgap_wavelength_nm"])
        / table.s("ea_loss_bandgap_scale_nm")
    )
    arm_loss = v["arm_loss_mismatch_db"] + ea
    return {
        "vpi_v": vpi_v(v, nom, table, op, length_mm=table.d("intensity_modulator_arm_length_mm")),
        "extinction_ratio_db": mz_extinction_ratio_db(k1=k1, k2=k2, arm_loss_db=arm_loss),
        "splitter_fraction": k1,
        "combiner_fraction": k2,
        "arm_loss_imbalance_db": arm_loss,
    }


def voa(
    v: Arrays, nom: Floats, table: SensitivityTable, op: Floats
) -> dict[str, NDArray[np.float64]]:
    """Electro-absorption VOA: ``attenuation_range_db``."""
    band = np.exp(
        (v["q_bandgap_wavelength_nm"] - nom["q_bandgap_wavelength_nm"])
        / table.s("voa_bandgap_scale_nm")
    )
    return {"attenuation_range_db": table.d("voa_range_db") * confinement_rel(v, nom, table) * band}
