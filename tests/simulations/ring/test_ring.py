from __future__ import annotations

import math

import pytest

from qkdchip.components.designs import RingDesign
from qkdchip.simulations.ring.coupling import (
    CouplerSettings,
    kappa_from_supermodes,
    q_coupling,
    simulate_coupler,
)
from qkdchip.simulations.ring.resonances import RingSettings, simulate_ring
from tests.conftest import requires_meep

C = 299_792_458.0


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QKDCHIP_CACHE_DIR", str(tmp_path))


@requires_meep
@pytest.mark.slow
def test_small_thick_ring_fsr_matches_mpb_group_index_and_is_anomalous() -> None:
    """R = 40 µm, 1.6 x 0.8 µm Si3N4 at 10 px/µm (core 16 x 8 pixels).

    meep and MPB run the same grid spacing, and at R = 40 µm the bend changes n_g by < 0.1 %
    for this strongly confined strip (R = 60 µm gave 0.05 %), so FSR = c/(n_g 2πR) must hold
    to the 0.5 % asked for. The strip's β2 < 0 (MPB), so D2 > 0.
    """
    design = RingDesign(radius_um=40.0, width_um=1.6, thickness_nm=800.0, bus_width_um=1.6)
    settings = RingSettings(
        resolution=10,
        pad_um=1.5,
        pml_um=1.0,
        run_after_source=60.0,
        source_bandwidth=0.15,
        mu_max=10,
        mu_step=5,
        mode_resolution=10,
    )
    ring = simulate_ring(design, settings=settings)
    fsr_mpb = C / (ring.mode["n_group"] * 2 * math.pi * 40e-6)
    assert ring.fsr_hz == pytest.approx(fsr_mpb, rel=5e-3)
    assert ring.d2_hz > 0
    assert len(ring.mu) == 21
    assert ring.d_int_hz[ring.mu.index(0)] == pytest.approx(0.0, abs=1.0)
    assert ring.dispersion_correction_max_rel < 1e-3


@requires_meep
@pytest.mark.slow
def test_thin_film_ring_is_normal() -> None:
    """100 nm film (2 pixels at 20 px/µm, whole-pixel aligned): D2 < 0.

    μ = ±200 makes D_int ~ D2 μ²/2 ~ 17 GHz, far above the Harminv noise of the short run.
    """
    design = RingDesign(radius_um=993.0)
    settings = RingSettings(
        resolution=20,
        pad_um=1.5,
        pml_um=1.0,
        run_after_source=40.0,
        source_bandwidth=0.15,
        mu_max=200,
        mu_step=200,
        mode_resolution=20,
    )
    ring = simulate_ring(design, settings=settings)
    assert ring.d2_hz < 0
    assert ring.normal_dispersion
    # D_int(0) is zero by definition; allow floating-point rounding of the fit (micro-hertz).
    assert max(ring.d_int_hz) < 1.0


def test_coupling_formulas() -> None:
    # Identical strips: κ = π Δn / λ.
    kappa = kappa_from_supermodes(
        n_even=1.4760, n_odd=1.4750, n_ring=1.4755, n_bus=1.4755, wavelength_um=1.55
    )
    assert kappa == pytest.approx(math.pi * 1e-3 / 1.55e-6)
    # Q_c of a 1 mm ring with K = 1e-3: ω n_g L / (c K) to first order.
    q = q_coupling(power_coupling=1e-3, n_group=1.6, radius_um=1000.0, wavelength_um=1.55)
    expected = 2 * math.pi * C / 1.55e-6 * 1.6 * 2 * math.pi * 1e-3 / C / 1e-3
    assert q == pytest.approx(expected, rel=1e-3)
    with pytest.raises(ValueError, match="power_coupling"):
        q_coupling(power_coupling=0.0, n_group=1.6, radius_um=1000.0, wavelength_um=1.55)


@requires_meep
@pytest.mark.slow
def test_coupling_falls_with_gap_and_grows_with_wrap() -> None:
    settings = CouplerSettings(resolution=12, pad_um=2.0)
    near = simulate_coupler(RingDesign(gap_um=2.0), settings=settings)
    far = simulate_coupler(RingDesign(gap_um=2.8), settings=settings)
    wrapped = simulate_coupler(RingDesign(gap_um=2.0, wrap_angle_deg=10.0), settings=settings)
    assert near.power_coupling > far.power_coupling > 0
    assert near.q_coupling < far.q_coupling
    assert wrapped.power_coupling > near.power_coupling
    assert near.decay_per_um > 0


def test_ring_settings_validation() -> None:
    with pytest.raises(ValueError, match="mu_max"):
        RingSettings(mu_max=10, mu_step=3)
    with pytest.raises(ValueError, match="resolution"):
        RingSettings(resolution=2)
    with pytest.raises(ValueError, match="whole number of pixels"):
        simulate_ring(RingDesign(radius_um=100.0), settings=RingSettings(resolution=25))
