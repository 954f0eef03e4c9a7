"""Physical converter, reference comb, WDM mapping, bad input and the command line."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from qkdchip import cache
from qkdchip.cli import main
from qkdchip.components.designs import RingDesign
from qkdchip.pdk.materials import KERR_N2_M2_PER_W
from qkdchip.pdk.si3n4.layer_stack import film_stack
from qkdchip.simulations.comb import (
    REFERENCE_Q_INTRINSIC,
    DIntProfile,
    Resonator,
    dbm,
    integrate,
    map_to_wdm,
    reference_comb,
    reference_coupler_result,
    reference_resonator,
    reference_ring_result,
    solve_comb,
)
from qkdchip.simulations.comb.resonator import HBAR_J_S
from qkdchip.simulations.comb.schedules import PiecewiseLinear
from qkdchip.simulations.devices.defaults import REFERENCE_RING_SETTINGS, reference_ring_design
from qkdchip.simulations.ring.coupling import CouplerSettings, simulate_coupler
from qkdchip.simulations.ring.resonances import _payload


def set_a() -> Resonator:
    # parameter set A (PyCORe's tests/test.py values; V_eff uses n0, so n_g = n0)
    return Resonator(
        fsr_hz=181.7e9,
        wavelength_nm=299_792_458.0 / 192e12 * 1e9,
        q_intrinsic=192e12 / 50e6,
        q_coupling=192e12 / 50e6,
        n2_m2_per_w=2.4e-19,
        effective_area_um2=1.5 * 0.85,
        n_eff=1.9,
        n_group=1.9,
        d2_hz=4.1e6,
    )


def test_set_a_normalisation_matches_the_notes() -> None:
    norm = set_a().normalise(128, pump_power_w=0.1)
    assert norm.kappa / (2 * math.pi) == pytest.approx(100e6, rel=1e-9)
    assert norm.eta == pytest.approx(0.5)
    assert norm.threshold_power_w == pytest.approx(4.54e-3, rel=0.01)
    assert norm.f**2 == pytest.approx(22.0, rel=0.01)
    assert norm.d2 == pytest.approx(0.041, rel=1e-9)
    # P_th = kappa^3 hbar omega0 / (8 g kappa_ex) and f^2 = P / P_th
    assert norm.f**2 == pytest.approx(0.1 / norm.threshold_power_w, rel=1e-12)


def test_physical_equals_normalised_and_balances_power() -> None:
    ring = reference_resonator()
    result = reference_comb(resonator=ring, n_modes=256, seed=0)
    norm = ring.normalise(256, pump_power_w=0.1)
    # the reference recipe (zeta0 -2 -> 3.5 over 200, hold 100), through the same conversions
    start, stop = norm.zeta_from_detuning_hz(norm.detuning_hz_from_zeta([-2.0, 3.5]))
    t_sweep = norm.tau_from_seconds(2 * 200.0 / norm.kappa)
    t_end = t_sweep + norm.tau_from_seconds(2 * 100.0 / norm.kappa)
    sweep = PiecewiseLinear(np.array([0.0, t_sweep, t_end]), np.array([start, stop, stop]))
    dt = min(0.01, 0.05 / max(norm.f**2, 7.0), 2.0 / float(np.max(np.abs(norm.model.d_mu))))
    run = integrate(
        norm.model,
        detuning=sweep,
        pump=norm.f,
        duration=t_end,
        dt=dt,
        noise_rms=norm.noise_rms,
        rng=np.random.default_rng(0),
        n_samples=400,
    )
    psi_mu = np.fft.fftshift(np.fft.fft(run.field[0], norm="forward"))
    expected = dbm(norm.bus_line_power_w(psi_mu))
    np.testing.assert_allclose(result.power_dbm, expected, rtol=0, atol=1e-6)
    # input = output + intrinsic loss (the Kerr term conserves photons), exact in steady state
    photons = norm.photon_amplitudes(np.abs(psi_mu) ** 2)
    lost = float(np.sum(HBAR_J_S * norm.omega_mu * (norm.kappa - norm.kappa_ex) * photons))
    out = float(np.sum(10 ** (result.power_dbm / 10) * 1e-3))
    assert out + lost == pytest.approx(0.1, rel=2e-3)


def test_reference_comb_is_a_dark_pulse_with_ten_lines() -> None:
    result = reference_comb()
    assert result.state == "dark pulse"
    usable = result.usable_lines(-30.0)
    assert len(usable) >= 10
    assert all(np.isfinite(line.power_dbm) for line in result.lines)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["state"] == "dark pulse"
    line = usable[0]
    fsr = reference_ring_result().fsr_hz
    assert fsr == pytest.approx(30.03e9, rel=0.01)  # the paper's FSR, from the simulated ring
    assert line.frequency_hz == pytest.approx(result.pump_frequency_hz + line.mu * fsr)
    channels = [ln.frequency_hz + 1e9 for ln in usable[:3]]
    mapped = map_to_wdm(result, channels)
    assert [m["line"]["mu"] for m in mapped] == [ln.mu for ln in usable[:3]]


def test_d_int_hooks() -> None:
    mu = np.arange(-40, 41)
    d2_hz = reference_ring_result().d2_hz
    profile = DIntProfile.from_coefficients(mu, d2_hz=d2_hz, d3_hz=1e3)
    duck = SimpleNamespace(mu=mu.tolist(), d_int_hz=profile.d_int_hz.tolist())
    analytic = reference_resonator(d_int=None, d3_hz=1e3, mode_shifts_hz={})
    for source in (profile, duck):
        ring = reference_resonator(d_int=source, mode_shifts_hz={})
        # inside the sampled range exact; outside extrapolated by the fitted cubic (exact here)
        np.testing.assert_allclose(ring.d_int_hz(128), analytic.d_int_hz(128), atol=1e-3)
    array_ring = reference_resonator(d_int=analytic.d_int_hz(64), mode_shifts_hz={})
    np.testing.assert_allclose(array_ring.d_int_hz(64), analytic.d_int_hz(64))
    with pytest.raises(ValueError, match="64 values but the simulation has 128"):
        array_ring.d_int_hz(128)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"q_intrinsic": -1e6}, "q_intrinsic"),
        ({"q_coupling": 0.0}, "q_coupling"),
        ({"fsr_hz": float("nan")}, "fsr_hz"),
    ],
)
def test_bad_resonator_raises(overrides: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        reference_resonator(**overrides)


def test_bad_solve_input_raises() -> None:
    ring = reference_resonator()
    kwargs = {
        "pump_power_w": 0.1,
        "detuning_start_hz": -30e6,
        "detuning_stop_hz": 50e6,
        "sweep_time_s": 1e-6,
        "n_modes": 64,
    }
    with pytest.raises(ValueError, match="pump_power_w"):
        solve_comb(ring, **(kwargs | {"pump_power_w": -0.1}))
    with pytest.raises(ValueError, match="stability limit"):
        solve_comb(ring, **(kwargs | {"dt": 1.0}))
    with pytest.raises(ValueError, match="n_modes"):
        solve_comb(ring, **(kwargs | {"n_modes": 63}))


def test_cli_prints_dark_pulse_lines(tmp_path, capsys) -> None:
    code = main(["comb", "--json", "--out", str(tmp_path)])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == "dark pulse"
    assert len(data["usable_lines"]) >= 10
    assert all(np.isfinite(line["power_dbm"]) for line in data["usable_lines"])
    for name in ("comb_lines.json", "comb_spectrum.png", "comb_sweep.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_cli_rejects_bad_design(tmp_path, capsys) -> None:
    assert main(["comb", "--design", "q_intrinsic=-3", "--out", str(tmp_path)]) == 2
    assert "q_intrinsic" in capsys.readouterr().err


def test_cli_reads_a_ring_simulation_result(tmp_path, capsys) -> None:
    # the shape written by the ring solver: a cached record with mu, d_int_hz, fsr_hz, ...
    mu = np.arange(-60, 61)
    record = {
        "key": "test",
        "result": {
            "fsr_hz": 30.0e9,
            "n_group": 1.594,
            "pump_wavelength_nm": 1550.0,
            "d2_hz": -764e3,
            "radius_um": 999.4,
            "mu": mu.tolist(),
            "d_int_hz": (-764e3 * mu**2 / 2).tolist(),
        },
    }
    ring_file = tmp_path / "ring.json"
    ring_file.write_text(json.dumps(record))
    assert (
        main(["comb", "--ring", str(ring_file), "--modes", "128", "--json", "--out", str(tmp_path)])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["fsr_hz"] == 30.0e9
    # same D2 parabola; kappa differs only through the 1550.0 vs 1550.08 nm pump wavelength
    assert data["d2"] == pytest.approx(
        reference_resonator(d_int=None, d2_hz=-764e3).normalise(128, pump_power_w=0.1).d2,
        rel=1e-3,
    )


def test_reference_resonator_is_the_shipped_simulated_ring(shipped_only: Path) -> None:
    design = reference_ring_design()
    payload = _payload(design, film_stack(design.thickness_nm), REFERENCE_RING_SETTINGS)
    hit = cache.lookup("ring", payload)
    assert hit is not None
    assert hit[1].parent == cache.SHIPPED_DIR
    shipped, mode = hit[0], hit[0]["mode"]
    ring = reference_resonator()
    # every simulated number is the shipped one, bit for bit (no re-typed copies)
    assert ring.fsr_hz == shipped["fsr_hz"]
    assert ring.n_group == shipped["n_group"]
    assert ring.wavelength_nm == shipped["pump_wavelength_nm"]
    assert ring.d2_hz == shipped["d2_hz"]
    assert ring.effective_area_um2 == mode["mode_area_um2"]
    assert ring.n_eff == mode["n_eff"]
    n2 = sum(KERR_N2_M2_PER_W[m] * f for m, f in mode["kerr_fractions"].items() if f > 0)
    assert ring.n2_m2_per_w == pytest.approx(n2, rel=1e-12)
    n = 256
    mu = np.arange(-n // 2, n // 2)
    shipped_d_int = dict(zip(shipped["mu"], shipped["d_int_hz"], strict=True))
    expected = np.array([shipped_d_int[int(u)] for u in mu])
    np.testing.assert_allclose(ring.d_int_hz(n, include_shifts=False), expected, rtol=0, atol=1e-3)
    assert "meep" not in sys.modules


def test_reference_q_coupling_is_the_shipped_coupler_of_the_drawn_ring(
    shipped_only: Path, tmp_path
) -> None:
    drawn = RingDesign()
    coupler = simulate_coupler(drawn, settings=CouplerSettings())  # MPB blocked: shipped only
    assert coupler.design == drawn.to_dict()
    assert reference_coupler_result() == coupler
    ring = reference_resonator()
    assert ring.q_coupling == coupler.q_coupling  # the simulated value, not a typed copy
    # the gap was chosen for Q_c about 1e7, over-coupled against Q_i = 2e7 (eta about 2/3); the
    # 1 nm gap grid alone allows 0.25 % (2 x 1.22/µm x 1 nm), 10 % flags a drifted design
    assert ring.q_coupling == pytest.approx(1e7, rel=0.1)
    assert ring.q_coupling < REFERENCE_Q_INTRINSIC
    assert not (tmp_path / "cache").exists()  # nothing computed, nothing written
    assert "meep" not in sys.modules
