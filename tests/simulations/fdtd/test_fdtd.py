from __future__ import annotations

import pytest

from qkdchip.components.designs import MmiDesign
from qkdchip.simulations.devices.defaults import (
    MMI_2X2_SETTINGS,
    mmi_2x2_design,
    mmi_2x2_estimate,
    mmi_2x2_scan,
)
from qkdchip.simulations.fdtd.grating import (
    GratingSettings,
    cmt_peak_reflectance,
    kappa_from_band_edges,
    simulate_grating,
)
from qkdchip.simulations.fdtd.mmi import (
    MmiSettings,
    parabola_vertex,
    scan_mmi,
    simulate_mmi,
)
from qkdchip.simulations.meep_jobs import runner
from tests.conftest import requires_meep


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QKDCHIP_CACHE_DIR", str(tmp_path))


@requires_meep
@pytest.mark.slow
def test_grating_kappa_reproduces_the_simulated_peak_reflection() -> None:
    """κ from the unit-cell band gap must predict the finite grating's peak via tanh²(κL).

    300 periods give κL ≈ 0.4 (R ≈ 0.15), where tanh² is steep, so the check is sharp. The
    tolerance (0.01 absolute) covers the finite frequency sampling of the spectrum
    (201 points over six stop bands) and the first-order κ(Δf) relation.
    """
    result = simulate_grating(
        settings=GratingSettings(
            resolution=40, mode_resolution=12, reflection_periods=300, frequencies=201
        )
    )
    assert 0.05 < result.peak_reflectance < 0.9
    assert result.peak_reflectance == pytest.approx(result.cmt_peak_reflectance, abs=0.01)
    assert result.energy_balance_error < 5e-3  # lossless 1-D model: R + T = 1
    assert max(result.reflectance) == pytest.approx(result.peak_reflectance, abs=5e-3)
    assert result.n_eff_tooth > result.n_eff_groove
    assert result.stop_band_nm > 0


def test_cmt_helpers() -> None:
    assert cmt_peak_reflectance(kappa_per_m=1e4, length_um=100.0) == pytest.approx(
        0.5800, abs=1e-4
    )  # κL = 1 -> 0.58 (uniform grating, R = tanh^2(κL))
    # Δf/f_B = 2κΛ/π reproduces κ.
    period = 0.24
    kappa = 0.01
    f_b = 0.64
    df = 2 * kappa * period * f_b / 3.141592653589793
    assert kappa_from_band_edges(
        f_low=f_b - df / 2, f_high=f_b + df / 2, period_um=period
    ) == pytest.approx(kappa)
    with pytest.raises(ValueError, match="band edges"):
        kappa_from_band_edges(f_low=0.7, f_high=0.6, period_um=period)


@requires_meep
@pytest.mark.slow
def test_mmi_1x2_conserves_power_and_splits_evenly() -> None:
    result = simulate_mmi(
        MmiDesign(), settings=MmiSettings(resolution=10, frequencies=1, bandwidth_nm=0.0)
    )
    assert sum(result.output_power) <= 1.0 + 1e-3
    assert result.total_flux <= 1.0 + 1e-3
    assert result.excess_loss_db >= -5e-3
    assert result.split_ratio == pytest.approx(0.5, abs=0.01)  # mirror symmetry


@requires_meep
@pytest.mark.slow
def test_mmi_2x2_conserves_power() -> None:
    """The 2x2 at 12 px/µm: whatever the coarse grid does to its imaging, no power is made."""
    result = simulate_mmi(
        mmi_2x2_design(), settings=MmiSettings(resolution=12, frequencies=1, bandwidth_nm=0.0)
    )
    assert sum(result.output_power) <= 1.0 + 1e-3
    assert result.excess_loss_db > 0
    assert result.total_flux <= 1.0 + 1e-3


def test_shipped_mmi_2x2_splits_50_50_at_its_scanned_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The 2x2 at 40 px/µm (shipped scan, no meep): 3 dB within 0.03, excess loss < 0.6 dB.

    The scan's best length lies inside it, below the paraxial estimate 3Lπ/2, and every
    length conserves power.
    """
    monkeypatch.setattr(runner, "meep_python", lambda: None)
    scan = mmi_2x2_scan()
    design = mmi_2x2_design()
    assert scan.field == "length_um"
    assert design.length_um == scan.best_value
    assert scan.values[0] < scan.vertex_value < scan.values[-1]
    assert scan.best_value < mmi_2x2_estimate().length_um
    assert max(scan.transmission) <= 1.0 + 1e-3
    result = simulate_mmi(design, settings=MMI_2X2_SETTINGS)
    assert result.split_ratio == pytest.approx(0.5, abs=0.03)
    assert 0 < result.excess_loss_db < 0.6


@requires_meep
@pytest.mark.slow
def test_mmi_width_scan_keeps_the_symmetric_split() -> None:
    """1x2 at 10 px/µm over ±0.4 µm of width: mirror symmetry holds the split at 50:50."""
    scan = scan_mmi(
        MmiDesign(),
        field="width_um",
        values=[5.6, 6.0, 6.4],
        settings=MmiSettings(resolution=10, frequencies=1, bandwidth_nm=0.0),
    )
    assert scan.split_ratio == pytest.approx([0.5, 0.5, 0.5], abs=0.01)
    assert max(scan.transmission) <= 1.0 + 1e-3
    assert min(scan.excess_loss_db) >= -5e-3


def test_parabola_vertex_and_scan_input() -> None:
    x = [60.0, 62.0, 63.0, 66.0]
    assert parabola_vertex(x, [-((v - 63.4) ** 2) for v in x]) == pytest.approx(63.4)
    assert parabola_vertex(x, [1.0, 2.0, 3.0, 4.0]) == 66.0  # maximum at the end
    with pytest.raises(ValueError, match="at least 3"):
        parabola_vertex([1.0, 2.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="values"):
        scan_mmi(MmiDesign(), field="width_um", values=[10.0, 9.0, 11.0])
    with pytest.raises(ValueError, match="field"):
        scan_mmi(MmiDesign(), field="port_offset_um", values=[1.0, 2.0, 3.0])
