"""Design objects: defaults match the reference chips, validation names the bad parameter."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from qkdchip.components import designs as d


def test_default_ring_is_reference_comb() -> None:
    ring = d.RingDesign()
    # R rounded to 0.1 µm (5e-5) and n_g 1.5899 to 1.59 (7e-5): FSR within 2e-4 of 30.03 GHz
    assert ring.fsr_hz() == pytest.approx(d.REFERENCE_FSR_HZ, rel=2e-4)
    assert 800.0 < ring.radius_um < 1100.0  # "about 1 mm" (inferred, n_g 1.6-1.93)
    assert ring.thickness_nm == 100.0
    # ring outer diameter 2R + w, then gap and bus on each side: ~2.0 mm for the 0.99 mm ring
    outer = 2 * ring.radius_um + ring.width_um
    assert ring.bounding_side_um == pytest.approx(
        outer + 2 * (ring.gap_um + ring.bus_width_um), rel=1e-12
    )


def test_ring_radius_fsr_inverse() -> None:
    r = d.ring_radius_for_fsr(fsr_hz=100e9, n_group=2.0)
    assert d.ring_fsr_hz(radius_um=r, n_group=2.0) == pytest.approx(100e9, rel=1e-12)
    # FSR = c / (n_g 2πR): R ≈ 230 µm -> ~100 GHz at n_g ≈ 2.05
    assert d.ring_radius_for_fsr(fsr_hz=100e9, n_group=2.05) == pytest.approx(232.7, abs=0.5)


def test_mmi_self_imaging_estimate() -> None:
    mmi = d.MmiDesign()
    assert mmi.self_imaging_length_um == pytest.approx(mmi.length_um, rel=0.02)


def test_voa_attenuation() -> None:
    assert d.VoaDesign(length_um=500.0).max_attenuation_db == pytest.approx(20.0)


ALL_DESIGNS = [
    d.StripWaveguide,
    d.RidgeWaveguide,
    d.RingDesign,
    d.EdgeCouplerDesign,
    d.DbrGratingDesign,
    d.DbrLaserDesign,
    d.MmiDesign,
    d.PhaseModulatorDesign,
    d.MzmDesign,
    d.VoaDesign,
    d.SpotSizeConverterDesign,
]


@pytest.mark.parametrize("cls", ALL_DESIGNS)
def test_defaults_valid_frozen_and_json(cls: type) -> None:
    obj = cls()
    json.dumps(obj.to_dict())
    field = dataclasses.fields(obj)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, field, 1.0)


@pytest.mark.parametrize(
    ("cls", "field", "value"),
    [
        (d.RingDesign, "gap_um", 0.0),
        (d.RingDesign, "radius_um", -5.0),
        (d.RingDesign, "wrap_angle_deg", 200.0),
        (d.RingDesign, "thickness_nm", float("nan")),
        (d.StripWaveguide, "width_um", 50.0),
        (d.RidgeWaveguide, "etch", "medium"),
        (d.DbrGratingDesign, "period_nm", 1000.0),
        (d.DbrLaserDesign, "gain_um", 1.0),
        (d.DbrLaserDesign, "period_nm", 100.0),
        (d.MmiDesign, "n_inputs", 3),
        (d.MmiDesign, "port_offset_um", 2.9),
        (d.PhaseModulatorDesign, "length_um", 1e5),
        (d.MzmDesign, "arm_separation_um", 1.0),
        (d.VoaDesign, "length_um", 0.0),
        (d.SpotSizeConverterDesign, "facet_angle_deg", 45.0),
        (d.EdgeCouplerDesign, "tip_width_um", 0.01),
    ],
)
def test_bad_value_names_parameter(cls: type, field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        cls(**{field: value})


def test_designs_module_does_not_import_gdsfactory() -> None:
    code = "import sys, qkdchip.components.designs; print('gdsfactory' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_default_ring_is_the_simulated_reference_ring(shipped_only: Path) -> None:
    from qkdchip.simulations.devices.defaults import (
        REFERENCE_RING_SETTINGS,
        reference_ring_design,
    )
    from qkdchip.simulations.modes.geometry import strip_cross_section
    from qkdchip.simulations.modes.solver import ModeSettings, solve_mode
    from qkdchip.simulations.ring.resonances import simulate_ring

    # the ring the mask draws is the ring the shipped meep result simulated
    assert d.RingDesign() == reference_ring_design()
    ring = simulate_ring(d.RingDesign(), settings=REFERENCE_RING_SETTINGS)
    assert ring.radius_um == d.DEFAULT_RING_RADIUS_UM
    # the n_g used for drawn rings' FSR estimates is the MPB value to three digits
    mode = solve_mode(
        strip_cross_section(d.StripWaveguide()),
        settings=ModeSettings(
            resolution=REFERENCE_RING_SETTINGS.mode_resolution,
            pad_um=REFERENCE_RING_SETTINGS.pad_um,
        ),
    )
    assert pytest.approx(mode.n_group, abs=5e-4) == d.DEFAULT_N_GROUP_THIN_SIN


def test_default_dbr_with_its_simulated_grating(shipped_only: Path) -> None:
    """The default period puts the simulated Bragg peak in band, and the drawn laser's mirrors,
    with the simulated κ, are a strong rear and a weak front grating.

    The peak must lie red of the comb band's centre (1550 nm) by less than the few nm that
    current tuning of the grating shifts it blue.
    """
    from qkdchip.simulations.devices.dbr_cavity import dbr_cavity
    from qkdchip.simulations.devices.defaults import simulate_default

    grating = simulate_default("grating")
    assert grating.design["period_nm"] == d.DBR_PERIOD_NM
    assert 1550.0 < grating.bragg_wavelength_nm < 1556.0
    laser = d.DbrLaserDesign()
    assert laser.rear_grating() == d.DbrGratingDesign(length_um=300.0)
    cavity = dbr_cavity(laser=laser, kappa_per_m=grating.kappa_per_m, group_index=grating.n_group)
    assert cavity.rear_reflectance > 0.8
    assert 0.05 < cavity.front_reflectance < 0.5


def test_shipped_meep_coupler_agrees_with_mpb(shipped_only: Path) -> None:
    """Reference coupler at 32 px/µm: κ at the design gap from meep and from MPB within 3 %.

    Q_c also depends on κ's decay with the gap, fitted over three gaps, and agrees within 10 %.
    """
    from qkdchip.simulations.devices.defaults import reference_ring_design
    from qkdchip.simulations.ring.coupling import CouplerSettings, simulate_coupler

    ring = reference_ring_design()
    mpb = simulate_coupler(ring, settings=CouplerSettings())
    meep = simulate_coupler(ring, settings=CouplerSettings(solver="meep"))
    assert meep.sampled_kappa_per_m[0] == pytest.approx(mpb.sampled_kappa_per_m[0], rel=0.03)
    assert meep.q_coupling == pytest.approx(mpb.q_coupling, rel=0.10)


def test_whole_numbers_from_a_netlist_give_the_same_record_and_cache_key() -> None:
    """gdsfactory writes 100.0 as 100 in a netlist's settings: the record (and every cache key
    made from it) must not change."""
    from qkdchip.cache import cache_key

    from_netlist = d.RingDesign(thickness_nm=100)
    assert from_netlist == d.RingDesign()
    assert type(from_netlist.thickness_nm) is float
    default_key = cache_key("ring", d.RingDesign().to_dict())
    assert cache_key("ring", from_netlist.to_dict()) == default_key
