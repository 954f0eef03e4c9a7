from __future__ import annotations

import itertools

import numpy as np
import pytest

from qkdchip.simulations.network.wdm import (
    DemuxFilter,
    WdmGrid,
    assign_channels,
    grid_for_comb,
    photons_per_gate,
    raman_noise_power_w,
    usable_channels,
)

C = 299_792_458.0


def _reference_comb(n: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mu = np.arange(-n, n + 1)
    freq = C / 1549.78e-9 + mu * 30.03e9
    power = -10.0 - 0.02 * mu.astype(float) ** 2
    return mu, freq, power


def test_every_chosen_channel_isolates_one_line() -> None:
    mu, freq, power = _reference_comb()
    grid = WdmGrid()
    chosen = assign_channels(
        line_mu=mu,
        line_frequency_hz=freq,
        line_power_dbm=power,
        n_channels=10,
        grid=grid,
        min_power_dbm=-40.0,
    )
    assert len(chosen) == 10
    assert len({ch.grid_index for ch in chosen}) == 10
    for ch in chosen:
        assert ch.line_mu != 0  # the pump is the phase reference, not a quantum channel
        assert abs(ch.offset_ghz) <= grid.passband_half_width_ghz
        others = np.abs(freq - ch.grid_frequency_hz)[mu != ch.line_mu]
        assert np.all(others >= grid.stopband_edge_ghz * 1e9)
        # The centre frequency is on the 100 GHz ITU grid.
        assert (ch.grid_frequency_hz - 193.1e12) / 100e9 == pytest.approx(ch.grid_index)


def test_strongest_lines_are_chosen() -> None:
    mu, freq, power = _reference_comb()
    all_usable = usable_channels(
        line_mu=mu,
        line_frequency_hz=freq,
        line_power_dbm=power,
        grid=WdmGrid(),
        min_power_dbm=-40.0,
    )
    chosen = assign_channels(
        line_mu=mu,
        line_frequency_hz=freq,
        line_power_dbm=power,
        n_channels=4,
        grid=WdmGrid(),
        min_power_dbm=-40.0,
    )
    weakest_chosen = min(ch.line_power_dbm for ch in chosen)
    rejected = [ch for ch in all_usable if ch not in chosen]
    assert all(ch.line_power_dbm <= weakest_chosen for ch in rejected)


def test_dense_comb_fails_isolation() -> None:
    # Lines every 15 GHz always put a second line inside the 20 GHz stop-band edge.
    mu = np.arange(-20, 21)
    freq = 193.1e12 + mu * 15e9 + 5e9
    power = np.zeros(mu.shape)
    found = usable_channels(
        line_mu=mu,
        line_frequency_hz=freq,
        line_power_dbm=power,
        grid=WdmGrid(),
        min_power_dbm=-40.0,
    )
    # Only a line at the very edge of the comb (no neighbour on one side) can be isolated.
    assert all(ch.line_mu in (-20, 20) for ch in found)


def test_too_few_lines_is_a_clear_error() -> None:
    mu, freq, power = _reference_comb(5)
    with pytest.raises(ValueError, match="n_channels = 10"):
        assign_channels(
            line_mu=mu,
            line_frequency_hz=freq,
            line_power_dbm=power,
            n_channels=10,
            grid=WdmGrid(),
            min_power_dbm=-40.0,
        )


def test_raman_limits() -> None:
    # Lossless fibre: co- and counter-propagating both give P rho dl L.
    co = raman_noise_power_w(
        launch_power_w=1e-3,
        raman_coefficient_per_km_nm=1e-9,
        bandwidth_nm=0.1,
        length_km=10,
        loss_db_per_km=0.0,
        co_propagating=True,
    )
    counter = raman_noise_power_w(
        launch_power_w=1e-3,
        raman_coefficient_per_km_nm=1e-9,
        bandwidth_nm=0.1,
        length_km=10,
        loss_db_per_km=0.0,
        co_propagating=False,
    )
    assert co == pytest.approx(1e-12)
    assert counter == pytest.approx(1e-12)
    # Long lossy fibre: counter-propagating saturates at P rho dl / (2 a).
    long = raman_noise_power_w(
        launch_power_w=1e-3,
        raman_coefficient_per_km_nm=1e-9,
        bandwidth_nm=0.1,
        length_km=1000,
        loss_db_per_km=0.2,
        co_propagating=False,
    )
    assert long == pytest.approx(1e-13 / (2 * 0.2 * np.log(10) / 10), rel=1e-9)


def test_photons_per_gate() -> None:
    # 1 pW at 193.4 THz for 1 ns: 1e-21 J / (h nu = 1.2816e-19 J) = 7.80e-3 photons.
    assert photons_per_gate(power_w=1e-12, frequency_hz=193.4e12, gate_s=1e-9) == pytest.approx(
        7.80e-3, rel=1e-3
    )


def test_comb_plan_gives_every_line_its_own_slot() -> None:
    mu, freq, power = _reference_comb(8)
    itu = WdmGrid(passband_half_width_ghz=5.0, stopband_edge_ghz=12.0)
    flex = grid_for_comb(
        WdmGrid(passband_half_width_ghz=5.0, stopband_edge_ghz=12.0, plan="comb"),
        line_spacing_hz=30.03e9,
        pump_frequency_hz=float(freq[mu == 0][0]),
    )
    assert grid_for_comb(itu, line_spacing_hz=30.03e9, pump_frequency_hz=193e12) is itu
    assert flex.spacing_ghz == pytest.approx(30.03)
    found = usable_channels(
        line_mu=mu, line_frequency_hz=freq, line_power_dbm=power, grid=flex, min_power_dbm=-40.0
    )
    # 17 lines, the pump excluded: 16 channels, each centred on its line.
    assert len(found) == 16
    assert all(abs(ch.offset_ghz) < 1e-3 for ch in found)
    assert (
        len(
            usable_channels(
                line_mu=mu,
                line_frequency_hz=freq,
                line_power_dbm=power,
                grid=itu,
                min_power_dbm=-40.0,
            )
        )
        < 8
    )
    with pytest.raises(ValueError, match="plan"):
        WdmGrid(plan="flex")


def test_demux_filter_shape() -> None:
    grid = WdmGrid(spacing_ghz=30.03, passband_half_width_ghz=5.0, stopband_edge_ghz=12.0)
    demux = DemuxFilter(grid=grid, isolation_db=60.0)
    # Flat top: no loss anywhere in the pass band.
    for offset in (0.0, 3e9, -5e9):
        assert demux.isolation_at_db(offset) == pytest.approx(0.0, abs=1e-12)
    # Stop band: the floor at its edge, at every other comb line and far away.
    for offset in (12e9, -30.03e9, 60.06e9, 2e12):
        assert demux.isolation_at_db(offset) == pytest.approx(60.0, rel=1e-12)
    # Mid-skirt the raised cosine is half way between full transmission and the floor.
    assert demux.transmission(8.5e9) == pytest.approx(0.5 * (1 + 1e-6), rel=1e-12)
    # The skirt falls monotonically and symmetrically.
    offsets = np.linspace(5e9, 12e9, 50)
    t = [demux.transmission(d) for d in offsets]
    assert all(a >= b for a, b in itertools.pairwise(t))
    assert demux.transmission(-7e9) == demux.transmission(7e9)
    with pytest.raises(ValueError, match="isolation_db"):
        DemuxFilter(grid=grid, isolation_db=0.0)
