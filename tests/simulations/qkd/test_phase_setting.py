"""The phases a DAC-driven phase modulator sets, their errors and the key they cost."""

from __future__ import annotations

import math

import pytest

from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.simulations.qkd import (
    SnsSystem,
    misalignment_with_phase_errors,
    phase_setting,
    phase_setting_study,
    reference_vpi_v,
)
from qkdchip.simulations.qkd.phase_setting import largest_phase_count

REFERENCE = SnsSystem.symmetric(
    distance_km=370.0,
    loss_db_per_km=0.16,
    detector_efficiency=0.42,
    dark_count_per_pulse=5e-9,
    misalignment=0.02,
    n_pulses=1e12,
)


def test_reference_vpi_is_the_shipped_modulator_result() -> None:
    from qkdchip.simulations.devices.defaults import simulate_default

    vpi = reference_vpi_v()
    modulator = simulate_default("modulator")
    length_mm = ChipDesigns().phase_modulator.length_um * 1e-3
    assert vpi == pytest.approx(modulator.vpi_l_v_mm / length_mm, rel=1e-12)
    assert 2.0 < vpi < 4.0  # assumed: 2-4 V at mm lengths


def test_largest_count_from_span_and_codes() -> None:
    # A full 2 Vpi swing: one phase per code step, 2^8 - 1 steps over 2 pi.
    assert largest_phase_count(vpi_v=3.0, dac_bits=8, range_v=6.0) == 255
    # 1.5 Vpi covers 3 pi / 2: M (2 pi - 3 pi / 2) <= 2 pi, so 4 phases 0, pi/2, pi, 3 pi/2.
    assert largest_phase_count(vpi_v=3.0, dac_bits=8, range_v=4.5) == 4
    assert largest_phase_count(vpi_v=3.0, dac_bits=2, range_v=6.0) == 3
    with pytest.raises(ValueError, match="range_v"):
        phase_setting(vpi_v=3.0, dac_bits=8, range_v=2.0)
    with pytest.raises(ValueError, match="phases"):
        phase_setting(vpi_v=3.0, dac_bits=8, range_v=4.5, phases=5)


def test_errors_are_within_half_a_step_and_vanish_on_an_exact_grid() -> None:
    setting = phase_setting(vpi_v=3.0856, dac_bits=6, range_v=6.5)
    assert setting.phases == setting.largest_phases
    assert 0.0 < setting.max_phase_error_rad <= setting.phase_step_rad / 2 + 1e-12
    assert setting.visibility_factor < 1.0
    # 8 phases on a driver whose code step is a sixteenth of 2 Vpi: every target is a code.
    exact = phase_setting(vpi_v=3.0, dac_bits=4, range_v=6.0 * 15 / 16, phases=8)
    assert exact.max_phase_error_rad == pytest.approx(0.0, abs=1e-12)
    assert exact.visibility_factor == pytest.approx(1.0, abs=1e-12)
    noisy = phase_setting(
        vpi_v=3.0, dac_bits=4, range_v=6.0 * 15 / 16, phases=8, drive_noise_v_rms=0.03
    )
    sigma = math.pi * 0.03 / 3.0
    assert noisy.visibility_factor == pytest.approx(math.exp(-(sigma**2)), rel=1e-12)
    assert misalignment_with_phase_errors(
        misalignment=0.02, visibility_factor=1.0
    ) == pytest.approx(0.02, rel=1e-12)
    assert misalignment_with_phase_errors(
        misalignment=0.0, visibility_factor=noisy.visibility_factor
    ) == pytest.approx((1 - math.exp(-(sigma**2))) / 2)


def test_reference_modulator_keeps_the_key_and_a_coarse_dac_does_not() -> None:
    """8-bit DAC over 6.5 V (assumed driver) on the shipped modulator: 242 phases, no loss;
    a 3-bit DAC sets 6 phases with errors up to 0.44 rad."""
    vpi = reference_vpi_v()
    fine = phase_setting_study(
        REFERENCE,
        setting=phase_setting(vpi_v=vpi, dac_bits=8, range_v=6.5),
        protocol="sns-aopp",
        bound="worst-split",
    )
    coarse = phase_setting_study(
        REFERENCE,
        setting=phase_setting(vpi_v=vpi, dac_bits=3, range_v=6.5),
        protocol="sns-aopp",
        bound="worst-split",
    )
    assert fine.setting.largest_phases == 242
    assert abs(fine.relative_loss) < 0.01
    assert coarse.setting.largest_phases < fine.setting.largest_phases
    assert coarse.misalignment_with_errors > fine.misalignment_with_errors > 0.02
    assert coarse.relative_loss > max(fine.relative_loss, 0.0) + 0.01
