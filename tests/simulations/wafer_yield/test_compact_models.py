"""Compact device models against the sensitivity tables and analytic limits."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qkdchip import platforms
from qkdchip.components.designs import DbrLaserDesign
from qkdchip.pdk.process_statistics import INP_PROCESS_STATISTICS, SI3N4_PROCESS_STATISTICS
from qkdchip.simulations.wafer_yield import devices_inp, devices_si3n4
from qkdchip.simulations.wafer_yield.sensitivity_table import load_sensitivity_table
from qkdchip.simulations.wafer_yield.specs import load_chip_spec

INP = load_sensitivity_table(platforms.INP)
SIN = load_sensitivity_table(platforms.SI3N4)
NOM = {p.name: p.nominal for p in INP_PROCESS_STATISTICS.parameters}
NOM_SIN = {p.name: p.nominal for p in SI3N4_PROCESS_STATISTICS.parameters}
OP = load_chip_spec(platforms.INP).operating
OP_SIN = load_chip_spec(platforms.SI3N4).operating
C = 299_792_458.0


def _values(nom: dict[str, float], **changes: float) -> dict[str, np.ndarray]:
    vals = {k: np.array([v]) for k, v in {**nom, **changes}.items()}
    vals["mmi_split_error"] = np.array([[changes.get("e1", 0.0), changes.get("e2", 0.0)]])
    return vals


@pytest.mark.parametrize(
    ("param", "sens", "step"),
    [
        ("ridge_width_nm", "dneff_dwidth_per_nm", 10.0),
        ("q_thickness_nm", "dneff_dcore_thickness_per_nm", 5.0),
        ("q_bandgap_wavelength_nm", "dneff_dbandgap_wavelength_per_nm", 5.0),
    ],
)
def test_bragg_shift_matches_table(param: str, sens: str, step: float) -> None:
    base = devices_inp.bragg_wavelength_nm(_values(NOM), NOM, INP)[0]
    moved = devices_inp.bragg_wavelength_nm(_values(NOM, **{param: NOM[param] + step}), NOM, INP)[0]
    # d lambda_B = lambda d n_eff / n_g; MPB with fixed indices gives 0.018 nm/nm (width) and
    # 0.081 nm/nm (core) with the waveguide-only n_g 3.38; the table uses n_g 3.65.
    expected = INP.d("wavelength_nm") * INP.s(sens) * step / INP.d("group_index")
    assert moved - base == pytest.approx(expected, rel=1e-9)


def test_bragg_period_slope_is_2neff2_over_ng() -> None:
    dl = 0.1
    moved = devices_inp.bragg_wavelength_nm(
        _values(NOM, grating_period_nm=NOM["grating_period_nm"] + dl), NOM, INP
    )[0]
    # lambda_B = 2 n_eff Lambda at design, so d lambda / d Lambda = 2 n_eff^2 / n_g (6.2).
    neff, ng = INP.d("neff"), INP.d("group_index")
    lam_design = 2 * neff * NOM["grating_period_nm"]
    slope = (moved - INP.d("wavelength_nm")) / dl
    assert slope == pytest.approx(2 * neff**2 / ng * INP.d("wavelength_nm") / lam_design, rel=1e-9)


def test_dbr_laser_nominal_physics() -> None:
    m = devices_inp.dbr_laser(_values(NOM), NOM, INP, OP)
    kappa = INP.d("grating_kappa_per_cm") * 100
    lr, lf = INP.d("rear_grating_length_um") * 1e-6, INP.d("front_grating_length_um") * 1e-6
    l_cav = (
        INP.d("gain_length_um") * 1e-6
        + INP.d("phase_length_um") * 1e-6
        + (math.tanh(kappa * lr) + math.tanh(kappa * lf)) / (2 * kappa)
    )
    assert m["mode_spacing_ghz"][0] == pytest.approx(C / (2 * INP.d("group_index") * l_cav) / 1e9)
    assert m["lasing_detuning_ghz"][0] == pytest.approx(0.0, abs=1e-6)
    assert m["mode_hop_margin_ghz"][0] == pytest.approx(m["mode_spacing_ghz"][0] / 2)
    alpha = INP.d("linewidth_enhancement_factor")
    ratio = m["locking_range_red_ghz"][0] / m["locking_range_blue_ghz"][0]
    assert ratio == pytest.approx(math.sqrt(1 + alpha**2))
    r = math.tanh(kappa * lr) ** 2 * math.tanh(kappa * lf) ** 2
    mirror_per_cm = math.log(1 / r) / (2 * INP.d("gain_length_um") * 1e-4)
    gth = NOM["active_internal_loss_per_cm"] + mirror_per_cm
    g0 = INP.d("modal_gain_coefficient_per_cm")
    i_tr = INP.d("transparency_current_ma_per_mm") * INP.d("gain_length_um") * 1e-3
    expected_ith = i_tr * math.exp(gth / g0)
    assert m["threshold_ma"][0] == pytest.approx(expected_ith)
    # A common index change moves Bragg peak and cavity modes together: no mode-hop change.
    w = devices_inp.dbr_laser(_values(NOM, ridge_width_nm=NOM["ridge_width_nm"] + 20), NOM, INP, OP)
    assert w["mode_hop_margin_ghz"][0] == pytest.approx(m["mode_hop_margin_ghz"][0])
    assert w["lasing_detuning_ghz"][0] < -5.0  # wider ridge -> higher n_eff -> red shift


def test_lock_margin_window() -> None:
    m = devices_inp.dbr_laser(_values(NOM), NOM, INP, OP)
    half_phase = m["mode_spacing_ghz"][0] / 2 - OP["mode_hop_margin_min_ghz"]
    expected = min(
        OP["tuning_red_ghz"] + half_phase + m["locking_range_red_ghz"][0],
        OP["tuning_blue_ghz"] + half_phase + m["locking_range_blue_ghz"][0],
    )
    assert m["lock_margin_ghz"][0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("k1", "k2", "loss_db", "er_db"),
    [
        (0.52, 0.5, 0.0, 33.98),  # splitter imbalance only, ideal combiner (6.4: 34 dB)
        (0.55, 0.5, 0.0, 26.0),  # 6.4: 26 dB
        (0.55, 0.55, 0.0, 20.0),  # identical MMIs, poor port: -20 log10|2k - 1|
        (0.5, 0.5, 0.5, 30.8),  # arm loss imbalance 0.5 dB (6.4: 30.8 dB)
        (0.5, 0.5, 1.0, 24.8),
    ],
)
def test_extinction_ratio_analytic(k1: float, k2: float, loss_db: float, er_db: float) -> None:
    er = devices_inp.mz_extinction_ratio_db(
        k1=np.array(k1), k2=np.array(k2), arm_loss_db=np.array(loss_db)
    )
    assert float(er) == pytest.approx(er_db, abs=0.1)


def test_extinction_ratio_capped_and_modulators_nominal() -> None:
    half = np.array(0.5)
    er = devices_inp.mz_extinction_ratio_db(k1=half, k2=half, arm_loss_db=np.array(0.0))
    assert float(er) == devices_inp.ER_CAP_DB
    pm = devices_inp.phase_modulator(_values(NOM), NOM, INP, OP)
    length_cm = INP.d("phase_modulator_length_mm") / 10
    assert pm["vpi_v"][0] == pytest.approx(INP.d("vpi_l_v_cm") / length_cm)
    thicker = _values(NOM, q_thickness_nm=NOM["q_thickness_nm"] + 50)
    thick = devices_inp.phase_modulator(thicker, NOM, INP, OP)
    # Vπ ∝ d_eff/Γ: a thicker intrinsic region weakens the field, the core holds more light
    w_dep = INP.d("depletion_width_nm")
    d_ratio = (NOM["q_thickness_nm"] + 50 + w_dep) / (NOM["q_thickness_nm"] + w_dep)
    gamma_ratio = 1 + INP.s("dconfinement_rel_dcore_thickness_per_nm") * 50
    assert thick["vpi_v"][0] / pm["vpi_v"][0] == pytest.approx(d_ratio / gamma_ratio, rel=1e-9)
    voa = devices_inp.voa(_values(NOM), NOM, INP, OP)
    assert voa["attenuation_range_db"][0] == pytest.approx(INP.d("voa_range_db"))


def test_comb_ring_matches_table() -> None:
    base = devices_si3n4.comb_ring(_values(NOM_SIN), NOM_SIN, SIN, OP_SIN)
    dw = 10.0
    moved = devices_si3n4.comb_ring(
        _values(NOM_SIN, width_nm=NOM_SIN["width_nm"] + dw), NOM_SIN, SIN, OP_SIN
    )
    lam = SIN.d("wavelength_nm")
    f0 = C / (lam * 1e-9) / 1e9
    expected = -f0 * SIN.s("dlambda_dwidth_nm_per_nm") * dw / lam  # 0.042 nm/nm (MPB, 6.1)
    shift = moved["resonance_shift_ghz"][0] - base["resonance_shift_ghz"][0]
    assert shift == pytest.approx(expected)
    assert base["fsr_ghz"][0] == pytest.approx(SIN.d("fsr_ghz"))
    # The heater red-shifts: a resonance shifted down by 0.42 nm needs (shift mod FSR) of tuning.
    assert moved["heater_needed_ghz"][0] == pytest.approx(np.mod(expected, moved["fsr_ghz"][0]))
    assert 0.0 <= moved["heater_needed_ghz"][0] < moved["fsr_ghz"][0]


def test_sensitivity_table_can_be_replaced(tmp_path) -> None:
    data = INP.to_dict()
    data["sensitivities"]["dmmi_split_dwidth_per_nm"]["value"] = 2 * INP.s(
        "dmmi_split_dwidth_per_nm"
    )
    path = tmp_path / "inp_simulated.json"
    path.write_text(json.dumps(data))
    table = load_sensitivity_table(platforms.INP, path)
    assert table.s("dmmi_split_dwidth_per_nm") == 2 * INP.s("dmmi_split_dwidth_per_nm")
    assert table.sources["dmmi_split_dwidth_per_nm"] == INP.sources["dmmi_split_dwidth_per_nm"]
    with pytest.raises(ValueError, match="platform"):
        load_sensitivity_table(platforms.SI3N4, path)
    data["design"]["wavelength_nm"] = 1550.0
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="design.wavelength_nm"):
        load_sensitivity_table(platforms.INP, path)


def test_a_table_cannot_hold_what_the_drawn_laser_sets(tmp_path) -> None:
    """The laser's lengths, κ and indices have one home: the drawn laser and its simulation."""
    assert INP.d("rear_grating_length_um") == DbrLaserDesign().rear_grating_um
    assert "simulated grating grating_" in INP.sources["grating_kappa_per_cm"]
    data = INP.to_dict()
    assert "grating_kappa_per_cm" not in data["design"]
    data["design"]["grating_kappa_per_cm"] = {"value": 40.0, "source": "assumption"}
    path = tmp_path / "inp_old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"\['grating_kappa_per_cm'\] are set by the drawn"):
        load_sensitivity_table(platforms.INP, path)
