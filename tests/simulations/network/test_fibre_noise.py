from __future__ import annotations

import math
from dataclasses import replace

import pytest

from qkdchip.simulations.network.fibre_noise import (
    BOLTZMANN_J_PER_K,
    BackboneFibre,
    ChannelNoise,
    LitLine,
    RamanSpectrum,
    channel_noise_per_gate,
    mean_power_w,
    raman_coefficient_per_km_nm,
    raman_gain_efficiency_per_w_km,
    raman_noise_from_line_w,
    rayleigh_backscatter_power_w,
    thermal_occupation,
)
from qkdchip.simulations.network.wdm import DemuxFilter, WdmGrid

H = 6.626_070_15e-34
NU0 = 193.441e12  # lambda_0 = 1549.78 nm
SPACING = 30.03e9
SPECTRUM = RamanSpectrum()
DEMUX = DemuxFilter(
    grid=WdmGrid(spacing_ghz=30.03, passband_half_width_ghz=5.0, stopband_edge_ghz=12.0),
    isolation_db=60.0,
)


def _rho(offset_hz: float) -> float:
    return raman_coefficient_per_km_nm(
        pump_frequency_hz=NU0, signal_frequency_hz=NU0 - offset_hz, spectrum=SPECTRUM
    )


def test_thermal_occupation_classical_limit() -> None:
    kt_over_h = BOLTZMANN_J_PER_K * 300.0 / H
    # n_th -> kT/(h d) - 1/2 for h d << k T.
    n = thermal_occupation(offset_hz=1e9, temperature_k=300.0)
    assert n == pytest.approx(kt_over_h / 1e9 - 0.5, rel=1e-6)
    with pytest.raises(ValueError, match="offset_hz"):
        thermal_occupation(offset_hz=0.0, temperature_k=300.0)


@pytest.mark.parametrize("offset", [0.1e12, 1e12, 5e12, 13e12])
def test_anti_stokes_over_stokes_is_the_boltzmann_factor(offset: float) -> None:
    stokes = _rho(offset)
    anti = _rho(-offset)
    # Per nm at the signal: photon energy x (Hz per nm) carry nu_s^3, the rest is n/(n + 1).
    nu_s, nu_as = NU0 - offset, NU0 + offset
    boltzmann = math.exp(-H * offset / (BOLTZMANN_J_PER_K * SPECTRUM.temperature_k))
    assert anti / stokes == pytest.approx(boltzmann * (nu_as / nu_s) ** 3, rel=1e-12)
    # Colder fibre: fewer phonons, a weaker anti-Stokes side.
    cold = replace(SPECTRUM, temperature_k=77.0)
    anti_cold = raman_coefficient_per_km_nm(
        pump_frequency_hz=NU0, signal_frequency_hz=nu_as, spectrum=cold
    )
    assert anti_cold < anti


def test_spontaneous_density_tends_to_a_constant_at_small_offsets() -> None:
    # The gain grows linearly with the offset ...
    c3 = raman_gain_efficiency_per_w_km(offset_hz=3e9, spectrum=SPECTRUM)
    c30 = raman_gain_efficiency_per_w_km(offset_hz=30e9, spectrum=SPECTRUM)
    assert c30 / c3 == pytest.approx(10.0, rel=1e-4)
    # ... while n_th ~ kT/(h d): the density approaches 2 (C_R/d) k T nu_s (nu_s^2/c) per nm.
    slope = raman_gain_efficiency_per_w_km(offset_hz=1e6, spectrum=SPECTRUM) / 1e6
    limit = 2 * slope * BOLTZMANN_J_PER_K * SPECTRUM.temperature_k * NU0**3 / 299_792_458.0 * 1e-9
    assert _rho(0.0) == pytest.approx(limit, rel=1e-6)
    for offset in (1e9, -1e9, 30e9, -30e9):
        assert _rho(offset) == pytest.approx(limit, rel=2e-3)
    # Across a comb-locked channel plan (+-5 lines) it changes by a few per cent at most.
    assert _rho(5 * SPACING) / _rho(-5 * SPACING) == pytest.approx(1.0, abs=0.03)


def test_raman_spectrum_peak_and_scale() -> None:
    peak = SPECTRUM.peak_offset_hz
    assert 12.5e12 < peak < 13.5e12
    at_peak = raman_gain_efficiency_per_w_km(offset_hz=peak, spectrum=SPECTRUM)
    assert at_peak == pytest.approx(0.4, rel=1e-12)
    for offset in (0.9 * peak, 1.1 * peak, 2e12, 25e12):
        assert raman_gain_efficiency_per_w_km(offset_hz=offset, spectrum=SPECTRUM) < at_peak
    # A few nm (0.5 THz) from the pump: the ~3e-9 /(km nm) of C-band coexistence studies.
    assert 2e-9 < _rho(0.5e12) < 4e-9


def _raman(length_km: float, co: bool) -> float:
    return raman_noise_from_line_w(
        pump_frequency_hz=NU0,
        signal_frequency_hz=NU0 + 3 * SPACING,
        launch_power_w=1e-3,
        bandwidth_nm=0.1,
        length_km=length_km,
        loss_db_per_km=0.16,
        co_propagating=co,
        spectrum=SPECTRUM,
    )


def test_raman_power_limits() -> None:
    rho = raman_coefficient_per_km_nm(
        pump_frequency_hz=NU0, signal_frequency_hz=NU0 + 3 * SPACING, spectrum=SPECTRUM
    )
    short = 0.01
    # Short fibre: forward and backward both P rho L dlambda (loss 0.0016 dB: 4e-4 apart).
    assert _raman(short, True) == pytest.approx(1e-3 * rho * short * 0.1, rel=1e-3)
    assert _raman(short, False) == pytest.approx(1e-3 * rho * short * 0.1, rel=1e-3)
    # Long fibre: backward saturates at P rho dlambda / (2 a), forward dies away.
    a = 0.16 * math.log(10) / 10
    assert _raman(1000.0, False) == pytest.approx(1e-3 * rho * 0.1 / (2 * a), rel=1e-9)
    assert _raman(185.0, False) < _raman(1000.0, False)
    assert _raman(1000.0, True) < 1e-10 * _raman(1000.0, False)


def test_rayleigh_backscatter_limits() -> None:
    kwargs = {"capture_fraction": 1.5e-3, "scattering_loss_db_per_km": 0.13}
    a_s = 0.13 * math.log(10) / 10
    a = 0.16 * math.log(10) / 10
    short = rayleigh_backscatter_power_w(
        launch_power_w=1.0, length_km=0.01, loss_db_per_km=0.16, **kwargs
    )
    assert short == pytest.approx(1.5e-3 * a_s * 0.01, rel=1e-3)
    long = rayleigh_backscatter_power_w(
        launch_power_w=1.0, length_km=1000.0, loss_db_per_km=0.16, **kwargs
    )
    assert long == pytest.approx(1.5e-3 * a_s / (2 * a), rel=1e-9)
    # A long fibre returns about -32 dB of the launched light.
    assert -35.0 < 10 * math.log10(long) < -30.0
    with pytest.raises(ValueError, match="scattering_loss_db_per_km"):
        rayleigh_backscatter_power_w(
            launch_power_w=1.0,
            length_km=1.0,
            loss_db_per_km=0.1,
            capture_fraction=1.5e-3,
            scattering_loss_db_per_km=0.13,
        )


def _noise(lines: list[LitLine], channel: float = NU0 + 2 * SPACING) -> ChannelNoise:
    return channel_noise_per_gate(
        channel_frequency_hz=channel,
        lines=lines,
        fibre=BackboneFibre(),
        demux=DEMUX,
        bandwidth_nm=0.1,
        gate_s=0.5e-9,
        receiver_efficiency=0.4,
        dark_count_rate_hz=10.0,
    )


def _parallel_lines(n_pairs: int, scale: float = 1.0) -> list[LitLine]:
    """Every client's references at lambda_0 and the other pairs' quantum pulses (185 km)."""
    reference = mean_power_w(
        photons_per_pulse=20.0, repetition_rate_hz=1e9, duty=0.2, frequency_hz=NU0
    )
    lines = [LitLine("reference", NU0, scale * reference, 185.0) for _ in range(2 * n_pairs)]
    for k in range(1, n_pairs + 1):
        if k == 2:
            continue  # the measuring pair's own pulses are the signal
        f = NU0 + k * SPACING
        quantum = mean_power_w(
            photons_per_pulse=0.5, repetition_rate_hz=1e9, duty=1.0, frequency_hz=f
        )
        lines += [LitLine("quantum", f, scale * quantum, 185.0)] * 2
    return lines


def test_only_dark_counts_without_light() -> None:
    noise = _noise([])
    assert noise.dark == pytest.approx(10.0 * 0.5e-9)
    assert noise.total == noise.dark
    assert set(noise.to_dict()) == {
        "raman_forward",
        "raman_backward",
        "rayleigh",
        "crosstalk",
        "dark",
    }


def test_noise_grows_with_channel_count_and_power() -> None:
    totals = [_noise(_parallel_lines(n)).total for n in (2, 4, 10)]
    assert totals[0] < totals[1] < totals[2]
    base = _noise(_parallel_lines(10))
    doubled = _noise(_parallel_lines(10, scale=2.0))
    for source in ("raman_forward", "crosstalk"):
        assert getattr(doubled, source) == pytest.approx(2 * getattr(base, source), rel=1e-12)
        assert getattr(base, source) > 0.0
    assert doubled.dark == base.dark
    # Twice the same lines is twice the light-borne noise.
    twice = _noise(_parallel_lines(10) * 2)
    assert twice.total - twice.dark == pytest.approx(2 * (base.total - base.dark), rel=1e-12)


def test_sources_follow_the_fibre_assignment() -> None:
    hnu = H * (NU0 + 2 * SPACING)
    # A client's reference at lambda_0 (two lines from the channel): the floor, half per detector.
    ref = _noise([LitLine("reference", NU0, 1e-9, 185.0)])
    arriving = 1e-9 * 10 ** (-0.16 * 185.0 / 10)
    assert ref.crosstalk == pytest.approx(0.5 * 0.4 * arriving * 1e-6 * 0.5e-9 / (H * NU0))
    assert ref.rayleigh == 0.0
    assert ref.raman_backward == 0.0
    # A seed sent down the same fibre on the channel's own line: its backscatter passes in full.
    seed = _noise([LitLine("seed", NU0 + 2 * SPACING, 1e-3, 185.0, direction="downstream")])
    back = rayleigh_backscatter_power_w(
        launch_power_w=1e-3,
        length_km=185.0,
        loss_db_per_km=0.16,
        capture_fraction=1.5e-3,
        scattering_loss_db_per_km=0.13,
    )
    assert seed.rayleigh == pytest.approx(0.5 * 0.4 * back * 0.5e-9 / hnu, rel=1e-12)
    assert seed.crosstalk == 0.0
    assert seed.raman_forward == 0.0
    assert seed.raman_backward > 0.0
    # The neighbouring seed line is stopped by the filter floor; its Raman light is not.
    neighbour = _noise([LitLine("seed", NU0 + 3 * SPACING, 1e-3, 185.0, direction="downstream")])
    photon_ratio = (NU0 + 2 * SPACING) / (NU0 + 3 * SPACING)
    assert neighbour.rayleigh == pytest.approx(seed.rayleigh * 1e-6 * photon_ratio, rel=1e-9)
    assert neighbour.raman_backward == pytest.approx(seed.raman_backward, rel=0.01)
    with pytest.raises(ValueError, match="direction"):
        LitLine("seed", NU0, 1e-3, 10.0, direction="sideways")
