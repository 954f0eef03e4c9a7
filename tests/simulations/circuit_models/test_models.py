"""Circuit models reproduce their simulated devices, conserve energy, are reciprocal, and the
chips' netlists solve end to end."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from qkdchip.components.designs import RingDesign
from qkdchip.simulations.circuit_models import (
    cells,
    circuit,
    devices,
    inp_models,
    matrix,
    si3n4_models,
)
from qkdchip.simulations.circuit_models.parameters import (
    INP_SSC_COUPLING_LOSS_DB,
    SI3N4_EDGE_COUPLING_LOSS_DB,
    ring_parameters,
    waveguide_parameters,
)
from qkdchip.simulations.devices.defaults import simulate_default

WL = np.linspace(1.53, 1.57, 41)
C = 299_792_458.0

OPERATING = {
    "phase_modulator": {"voltage_v": 1.3},
    "mzm": {"voltage_upper_v": 1.1, "voltage_lower_v": 0.4},
    "voa": {"attenuation_db": 5.0},
    "dbr_laser": {"gain_section_loss_db": 0.5, "phase_section_rad": 0.7},
}


def _db(x: np.ndarray) -> np.ndarray:
    return 10 * np.log10(np.abs(x) ** 2)


def _dip(model, f_guess: float, span_hz: float, step_hz: float) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Frequency (Hz) and power of the through-port minimum within ±span of f_guess."""
    f = f_guess + np.arange(-span_hz, span_hz + step_hz, step_hz)
    t = np.abs(model(wavelength_um=C / f * 1e6)[("o1", "o2")]) ** 2
    k = int(np.argmin(t))
    return float(f[k]), float(t[k])


def test_ring_resonance_spacing_is_the_simulated_fsr() -> None:
    ring = simulate_default("ring")
    p = ring_parameters(RingDesign())
    f0, _ = _dip(cells.ring_point_coupled, ring.pump_frequency_hz, 5e6, 2e4)
    f1, _ = _dip(cells.ring_point_coupled, ring.pump_frequency_hz + ring.fsr_hz, 5e6, 2e4)
    assert f0 == pytest.approx(ring.pump_frequency_hz, abs=3e4)
    expected = ring.fsr_hz + ring.d2_hz / 2 + ring.d3_hz / 6  # D_int between μ = 0 and 1
    assert f1 - f0 == pytest.approx(expected, abs=5e4)
    assert f1 - f0 == pytest.approx(ring.fsr_hz, rel=1e-4)
    # 128 modes away the normal dispersion has pulled the resonance in by D2 μ²/2
    mu = 128
    f_mu, _ = _dip(cells.ring_point_coupled, ring.sampled_frequency_hz[3], 2e8, 1e5)
    assert f_mu - (p.resonance_hz + mu * p.fsr_hz) == pytest.approx(
        p.d2_hz * mu**2 / 2 + p.d3_hz * mu**3 / 6, abs=2e5
    )


def test_ring_linewidth_is_set_by_the_simulated_coupling_q() -> None:
    ring, coupler = simulate_default("ring"), simulate_default("coupler")
    q_i = ring_parameters(RingDesign()).q_intrinsic
    f0 = ring.pump_frequency_hz
    f = f0 + np.linspace(-60e6, 60e6, 6001)
    t = np.abs(cells.ring_point_coupled(wavelength_um=C / f * 1e6)[("o1", "o2")]) ** 2
    half = (1 + t.min()) / 2
    inside = f[t < half]
    fwhm = inside.max() - inside.min()
    assert fwhm == pytest.approx(f0 * (1 / q_i + 1 / coupler.q_coupling), rel=0.02)
    # over-coupled (Q_c < Q_i): the dip depth follows ((Q_i - Q_c)/(Q_i + Q_c))²
    depth = ((q_i - coupler.q_coupling) / (q_i + coupler.q_coupling)) ** 2
    assert t.min() == pytest.approx(depth, abs=2e-3)


def test_mmi_split_and_excess_loss_are_the_simulated_ones() -> None:
    mmi = simulate_default("mmi")
    s = cells.mmi1x2(wavelength_um=1.55)
    upper, lower = (float(abs(s[("o1", port)][0]) ** 2) for port in ("o2", "o3"))
    assert upper / (upper + lower) == pytest.approx(mmi.split_ratio, rel=1e-9)
    assert -10 * math.log10(upper + lower) == pytest.approx(mmi.excess_loss_db, rel=1e-9)
    edge = cells.mmi1x2(wavelength_um=1.57)
    assert abs(edge[("o1", "o2")][0]) ** 2 < upper  # the simulated spectrum falls off


def test_phase_modulator_vpi_is_the_simulated_one() -> None:
    modulator = simulate_default("modulator")
    phase = [
        np.angle(cells.phase_modulator(wavelength_um=1.55, voltage_v=v)[("o1", "o2")][0])
        for v in (0.0, modulator.vpi_v)
    ]
    assert (phase[1] - phase[0]) % (2 * math.pi) == pytest.approx(math.pi, abs=1e-9)
    on = cells.mzm(wavelength_um=1.55)[("o1", "o2")]
    off = cells.mzm(wavelength_um=1.55, voltage_upper_v=modulator.vpi_v)[("o1", "o2")]
    assert _db(on)[0] - _db(off)[0] > 30.0  # extinction of the balanced MZM


def test_voa_attenuation_and_its_range() -> None:
    clear = cells.voa(wavelength_um=WL)[("o1", "o2")]
    dimmed = cells.voa(wavelength_um=WL, attenuation_db=12.5)[("o1", "o2")]
    assert _db(clear) - _db(dimmed) == pytest.approx(np.full(WL.shape, 12.5))
    with pytest.raises(ValueError, match="attenuation_db"):
        cells.voa(attenuation_db=30.0)  # the 600 µm VOA reaches 24 dB


def test_grating_reflection_is_the_simulated_one() -> None:
    grating = simulate_default("grating")
    g = devices.uniform_grating(
        wavelength_um=grating.bragg_wavelength_nm * 1e-3,
        length_um=grating.length_um,
        kappa_per_m=grating.kappa_per_m,
        bragg_wavelength_um=grating.bragg_wavelength_nm * 1e-3,
        n_group=grating.n_group,
        period_nm=grating.design["period_nm"],
    )
    reflectance = float(abs(g[("o1", "o1")][0]) ** 2)
    assert reflectance == pytest.approx(grating.cmt_peak_reflectance, rel=1e-9)
    assert reflectance == pytest.approx(grating.peak_reflectance, abs=5e-3)  # meep


def test_laser_cavity_reflects_at_its_bragg_wavelength_only() -> None:
    bragg_um = simulate_default("grating").bragg_wavelength_nm * 1e-3
    near = cells.dbr_laser(wavelength_um=bragg_um)
    far = cells.dbr_laser(wavelength_um=bragg_um - 0.01)
    assert abs(far[("o1", "o2")][0]) ** 2 > 0.98  # outside the stop band: transparent
    assert abs(near[("o1", "o1")][0]) ** 2 > 0.3  # the rear grating reflects
    reference = cells.dbr_laser(wavelength_um=bragg_um, period_nm=240.0)
    assert abs(reference[("o1", "o2")][0]) ** 2 > 0.98  # its Bragg line is 6.5 nm red


def _all_models() -> list[tuple[str, object, dict]]:
    models = {**inp_models(), **si3n4_models()}
    return [(name, model, OPERATING.get(name, {})) for name, model in models.items()]


@pytest.mark.parametrize(
    ("name", "model", "operating"), _all_models(), ids=[n for n, _, _ in _all_models()]
)
def test_models_conserve_energy_and_are_reciprocal(name: str, model, operating: dict) -> None:  # type: ignore[no-untyped-def]
    s = model(wavelength_um=WL, **operating)
    if name.startswith("pad_"):
        assert s == {}
        return
    m = matrix(s)
    assert np.all(np.sum(np.abs(m) ** 2, axis=1) <= 1 + 1e-9), name
    assert np.allclose(m, np.swapaxes(m, 1, 2), atol=1e-12), name


def test_waveguides_in_series_make_one_waveguide() -> None:
    netlist = {
        "instances": {"a": {"component": "wg", "settings": {"length_um": 120.0}},
                      "b": {"component": "wg", "settings": {"length_um": 80.0}}},
        "nets": [{"p1": "a,o2", "p2": "b,o1"}],
        "ports": {"in": "a,o1", "out": "b,o2"},
    }  # fmt: skip
    models = {"wg": cells.straight_link}
    s = circuit(netlist, models, wavelength_um=WL)
    one = cells.straight_link(wavelength_um=WL, length_um=200.0)[("o1", "o2")]
    assert np.allclose(s[("in", "out")], one, rtol=1e-12)
    assert np.allclose(s[("in", "in")], 0.0)
    with pytest.raises(ValueError, match="no model for component 'wg'"):
        circuit(netlist, {}, wavelength_um=WL)
    with pytest.raises(ValueError, match=r"\['bias_v'\] are not parameters"):
        circuit(netlist, models, wavelength_um=WL, component_settings={"wg": {"bias_v": 1.0}})
    with pytest.raises(ValueError, match="wavelength_um"):
        circuit(netlist, models, wavelength_um=0.5)


@pytest.fixture(scope="module")
def transmitter():  # type: ignore[no-untyped-def]
    from qkdchip.platforms import INP

    pdk = INP.activate()
    from qkdchip.circuits.transmitter import transmitter_chip

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return transmitter_chip().get_netlist(), pdk.models


@pytest.mark.pdk("inp")
def test_transmitter_end_to_end(transmitter) -> None:  # type: ignore[no-untyped-def]
    netlist, models = transmitter
    wl = np.array([1.545, simulate_default("grating").bragg_wavelength_nm * 1e-3])
    s = circuit(netlist, models, wavelength_um=wl)
    signal = _db(s[("in_signal", "out")])
    reference = _db(s[("in_reference", "out")])
    # off the stop bands: two SSCs, the 2:1 combiner (3 dB), three MZMs, two PMs, two VOAs
    # and about 27 mm of deep ridge at 2 dB/cm
    assert -16.0 < signal[0] < -8.0
    assert signal[0] < -(2 * INP_SSC_COUPLING_LOSS_DB + 3.0)
    assert reference[0] > signal[0]  # no MZMs and no U-turn on the reference path
    assert signal[1] < signal[0] - 5.0  # the signal laser's gratings block its Bragg line
    assert reference[1] == pytest.approx(reference[0], abs=0.5)  # the reference's do not
    assert np.allclose(s[("in_signal", "out")], s[("out", "in_signal")])
    m = matrix(s)
    assert np.all(np.sum(np.abs(m) ** 2, axis=1) <= 1 + 1e-9)
    dimmed = circuit(
        netlist, models, wavelength_um=wl, component_settings={"voa": {"attenuation_db": 10.0}}
    )
    assert _db(dimmed[("in_signal", "out")]) == pytest.approx(signal - 20.0)


def test_comb_chip_end_to_end_shows_the_comb_ring() -> None:
    from qkdchip.platforms import SI3N4

    pdk = SI3N4.activate()
    from qkdchip.circuits.comb_chip import comb_chip

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        netlist = comb_chip().get_netlist()
    ring = simulate_default("ring")
    f = ring.pump_frequency_hz + np.array([-ring.fsr_hz / 2, 0.0])
    s = circuit(netlist, pdk.models, wavelength_um=C / f * 1e6)
    comb = _db(s[("comb_w", "comb_e")])
    strip = waveguide_parameters("xs_sin_thin").loss_db_per_cm * 0.6  # 6 mm facet to facet
    assert comb[0] == pytest.approx(-2 * SI3N4_EDGE_COUPLING_LOSS_DB - strip, abs=0.01)
    q_i, q_c = ring_parameters(RingDesign()).q_intrinsic, simulate_default("coupler").q_coupling
    depth_db = 20 * math.log10((q_i - q_c) / (q_i + q_c))  # the resonance dip, over-coupled
    assert comb[1] - comb[0] == pytest.approx(depth_db, abs=0.05)
