"""Wafer-yield engine: reproducibility, bad input, calibration, reference experiment, outputs."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from qkdchip.pdk.process_statistics import INP_PROCESS_STATISTICS
from qkdchip.platforms import INP, SI3N4
from qkdchip.simulations.wafer_yield import (
    YieldModel,
    calibrate_defect_density,
    clopper_pearson_interval,
    draw_client_chips,
    load_chip_spec,
    run_wafer_yield,
    write_outputs,
)


@pytest.fixture(scope="module")
def inp_model() -> YieldModel:
    return YieldModel.build(INP)


@pytest.mark.parametrize("sampler", ["mc", "sobol"])
def test_same_seed_same_numbers(inp_model: YieldModel, sampler: str) -> None:
    a = run_wafer_yield(INP, n_wafers=8, seed=5, sampler=sampler, model=inp_model).to_dict()
    b = run_wafer_yield(INP, n_wafers=8, seed=5, sampler=sampler, model=inp_model).to_dict()
    c = run_wafer_yield(INP, n_wafers=8, seed=6, sampler=sampler, model=inp_model).to_dict()
    assert a == b
    assert a["chip_yield"] != c["chip_yield"]


def test_bad_input_rejected_before_sampling(inp_model: YieldModel, tmp_path) -> None:
    with pytest.raises(ValueError, match="n_wafers"):
        run_wafer_yield(INP, n_wafers=0, model=inp_model)
    with pytest.raises(ValueError, match="power of two"):
        run_wafer_yield(INP, n_wafers=10, sampler="sobol", model=inp_model)
    with pytest.raises(ValueError, match="seed"):
        run_wafer_yield(INP, n_wafers=2, seed=-1, model=inp_model)
    with pytest.raises(ValueError, match="sigma_die"):
        INP_PROCESS_STATISTICS.replace_parameter("q_thickness_nm", sigma_die=-1.0)
    with pytest.raises(ValueError, match="correlation_length_mm"):
        INP_PROCESS_STATISTICS.replace_parameter("ridge_width_nm", correlation_length_mm=0.0)
    spec = load_chip_spec(INP)
    with pytest.raises(ValueError, match="exceeds"):
        spec.with_spec("voa", "attenuation_range_db", minimum=30.0, maximum=10.0)
    bad = tmp_path / "specs.toml"
    bad.write_text(
        "[si3n4]\nmodulator_kinds = []\n"
        "[si3n4.devices.comb_ring]\ncount = 1\n"
        "[si3n4.devices.comb_ring.specs]\nfsr_ghz = {min = 30.1, max = 29.9}\n"
    )
    with pytest.raises(ValueError, match="exceeds"):
        load_chip_spec(SI3N4, bad)
    with pytest.raises(ValueError, match="unknown metrics"):
        YieldModel.build(INP, spec=spec.with_spec("voa", "no_such_metric", minimum=1.0))


def test_default_inp_is_calibrated_to_reference(inp_model: YieldModel) -> None:
    result = run_wafer_yield(INP, n_wafers=256, seed=21, model=inp_model)
    low, high = clopper_pearson_interval(117, 120)
    mod = result.modulator_yield
    assert mod is not None
    assert low <= mod.ci_low <= mod.value <= mod.ci_high <= high
    ref = result.reference
    assert ref is not None
    assert sum(ref.histogram) == 256
    assert ref.quantiles[0] <= ref.observed_working <= ref.quantiles[2]
    assert 0.0 < result.chip_yield.value < mod.value
    # Modulator failures of the default process are dominated by killer defects.
    assert result.drivers("chip", "modulator_fail", 1)[0][0] == "killer_defect"
    assert result.drivers("intensity_modulator", "extinction_ratio_db", 1)[0][0] == "ridge_width_nm"


def test_calibration_recovers_shipped_density(inp_model: YieldModel) -> None:
    cal = calibrate_defect_density(n_wafers=128, seed=3, model=inp_model)
    # The shipped 9.7 /cm^2 comes from 1024-wafer runs; the parametric part is only ~0.2 % of
    # the 2.5 % failures, so 128 wafers pin D0 to a few per cent.
    assert cal.density_per_cm2 == pytest.approx(
        INP_PROCESS_STATISTICS.defects.density_per_cm2, rel=0.05
    )
    with pytest.raises(ValueError, match="target_yield"):
        calibrate_defect_density(target_yield=1.2, model=inp_model)


def test_sobol_and_mc_agree(inp_model: YieldModel) -> None:
    mc = run_wafer_yield(INP, n_wafers=128, seed=1, model=inp_model)
    qmc = run_wafer_yield(INP, n_wafers=128, seed=1, sampler="sobol", model=inp_model)
    for kind, est in mc.device_yields.items():
        other = qmc.device_yields[kind]
        # Two independent estimates: their difference is within the sum of the half-widths.
        half = (est.ci_high - est.ci_low + other.ci_high - other.ci_low) / 2
        assert abs(est.value - other.value) <= half


def test_si3n4_runs_and_passes_through_specs() -> None:
    result = run_wafer_yield(SI3N4, n_wafers=16, seed=2)
    assert result.modulator_yield is None
    assert result.reference is None
    assert 0.9 < result.chip_yield.value <= 1.0
    tight = YieldModel.build(
        SI3N4, spec=load_chip_spec(SI3N4).with_spec("comb_ring", "fsr_ghz", maximum=29.9)
    )
    # The drawn ring's FSR (29.96 GHz, simulated) spreads by about 30 MHz: a max of 29.9 GHz
    # fails nearly every ring; a max at the drawn FSR itself fails about half.
    assert run_wafer_yield(SI3N4, n_wafers=16, seed=2, model=tight).chip_yield.value < 0.05
    half = YieldModel.build(
        SI3N4, spec=load_chip_spec(SI3N4).with_spec("comb_ring", "fsr_error_ghz", maximum=0.0)
    )
    assert 0.3 < run_wafer_yield(SI3N4, n_wafers=16, seed=2, model=half).chip_yield.value < 0.7


def test_client_chips(inp_model: YieldModel) -> None:
    a = draw_client_chips(20, np.random.default_rng(9), model=inp_model)
    b = draw_client_chips(20, np.random.default_rng(9), model=inp_model)
    assert a.laser_detuning_ghz.shape == (20, 2)
    assert a.modulator_pass.shape == (20, 6)
    np.testing.assert_array_equal(a.laser_detuning_ghz, b.laser_detuning_ghz)
    assert (a.wafer_index == 0).all()
    many = draw_client_chips(inp_model.grid.n_dies + 5, np.random.default_rng(1), model=inp_model)
    assert set(np.unique(many.wafer_index)) == {0, 1}
    # grouped by wafer, in die order
    order = many.wafer_index * inp_model.grid.n_dies + many.die_index
    assert (np.diff(order) > 0).all()
    assert json.dumps(a.to_dict())


def test_client_chips_separate_defects_from_parametric_failures(inp_model: YieldModel) -> None:
    n_dies = inp_model.grid.n_dies
    chips = draw_client_chips(2 * n_dies, np.random.default_rng(4), model=inp_model)
    # a whole number of wafers: every die of each, once
    np.testing.assert_array_equal(chips.wafer_index, np.repeat([0, 1], n_dies))
    np.testing.assert_array_equal(chips.die_index, np.tile(np.arange(n_dies), 2))
    names = chips.device_names
    assert names["phase_modulator"] == ("PM ref", "PM I", "PM II")
    passed = np.ones(chips.n_chips, dtype=bool)
    for kind, defect in chips.killer_defect.items():
        assert defect.shape == (chips.n_chips, len(names[kind]))
        passed &= (~defect & chips.parametric_pass[kind]).all(axis=-1)
    np.testing.assert_array_equal(passed, chips.chip_pass)
    assert chips.killer_defect["intensity_modulator"].any()  # D0 ~ 10 /cm^2 over ~900 chips
    # the Bragg error and the free-running detuning differ by less than half a mode spacing
    # (the lasing mode is the cavity mode nearest the Bragg peak); the reach covers that
    op = inp_model.spec.operating
    coarse = min(op["tuning_red_ghz"], op["tuning_blue_ghz"])
    half_spacing = chips.laser_tuning_reach_ghz - coarse + op["mode_hop_margin_min_ghz"]
    offset = np.abs(chips.laser_detuning_ghz - chips.laser_bragg_error_ghz)
    assert (offset <= half_spacing + 1e-6).all()
    assert offset.max() > 0.5 * half_spacing.min()  # the lasers do sit off their Bragg peaks
    with pytest.raises(ValueError, match="n_chips"):
        draw_client_chips(0, np.random.default_rng(1), model=inp_model)


def test_outputs_written(inp_model: YieldModel, tmp_path) -> None:
    result = run_wafer_yield(INP, n_wafers=4, seed=1, model=inp_model)
    paths = write_outputs(result, tmp_path, layout=inp_model.spec.layout)
    assert json.loads(paths["json"].read_text())["platform"] == "inp"
    assert "| chip |" in paths["markdown"].read_text()
    assert json.loads(paths["failure_causes"].read_text())["devices"]
    pngs = [p for k, p in paths.items() if k.startswith("map:")]
    assert len(pngs) >= 5
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert not list(tmp_path.glob(".*"))  # no temporary files left


def test_no_meep_or_gdsfactory_import() -> None:
    code = (
        "import sys, qkdchip.simulations.wafer_yield, qkdchip.cli.yield_cmd; "
        "assert 'meep' not in sys.modules and 'gdsfactory' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
