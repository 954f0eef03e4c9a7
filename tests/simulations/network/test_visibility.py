from __future__ import annotations

import math

import pytest

from qkdchip.simulations.network.visibility import (
    Interference,
    intensity_visibility,
    polarisation_visibility,
    temporal_visibility,
)


def test_perfect_interference_has_full_visibility() -> None:
    assert polarisation_visibility(extinction_db=200.0) == pytest.approx(1.0)
    assert temporal_visibility(jitter_rms_s=0.0, pulse_fwhm_s=1e-10) == 1.0
    assert intensity_visibility(imbalance_db=0.0) == pytest.approx(1.0)
    ideal = Interference(
        polarisation_extinction_db=200.0, timing_jitter_ps=0.0, intensity_imbalance_db=0.0
    )
    assert ideal.visibility == pytest.approx(1.0)


def test_polarisation_overlap() -> None:
    # 10 dB: a tenth of the power orthogonal, field overlap sqrt(0.9)
    assert polarisation_visibility(extinction_db=10.0) == pytest.approx(math.sqrt(0.9))
    # orthogonal polarisations (0 dB extinction) do not interfere
    assert polarisation_visibility(extinction_db=0.0) == 0.0


def test_temporal_overlap_against_direct_integration() -> None:
    import numpy as np

    fwhm, jitter = 100e-12, 40e-12
    sigma = fwhm / (2 * math.sqrt(2 * math.log(2)))
    t = np.linspace(-1e-9, 1e-9, 20001)
    field = np.exp(-(t**2) / (4 * sigma**2))
    offsets = np.linspace(-6 * jitter, 6 * jitter, 601)
    weights = np.exp(-(offsets**2) / (2 * jitter**2))
    overlaps = [
        np.sum(field * np.exp(-((t - d) ** 2) / (4 * sigma**2))) / np.sum(field**2) for d in offsets
    ]
    expected = float(np.sum(weights * overlaps) / np.sum(weights))
    assert temporal_visibility(jitter_rms_s=jitter, pulse_fwhm_s=fwhm) == pytest.approx(
        expected, rel=1e-6
    )


def test_intensity_imbalance() -> None:
    # 3 dB: ratio 1/2 gives 2 sqrt(0.5) / 1.5
    r = 10 ** (-0.3)
    assert intensity_visibility(imbalance_db=3.0) == pytest.approx(2 * math.sqrt(r) / (1 + r))
    assert intensity_visibility(imbalance_db=-3.0) == intensity_visibility(imbalance_db=3.0)
    # an unbalanced splitter lowers the visibility of balanced pulses: 2 sqrt(t (1 - t))
    assert intensity_visibility(imbalance_db=0.0, splitter_transmission=0.6) == pytest.approx(
        2 * math.sqrt(0.24)
    )


def test_visibility_is_the_product_and_falls_with_each_mechanism() -> None:
    base = Interference()
    assert base.visibility == pytest.approx(math.prod(base.factors().values()))
    worse = [
        Interference(polarisation_extinction_db=15.0),
        Interference(timing_jitter_ps=40.0),
        Interference(intensity_imbalance_db=1.0),
        Interference(splitter_transmission=0.55),
    ]
    assert all(w.visibility < base.visibility for w in worse)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("polarisation_extinction_db", -1.0),
        ("pulse_fwhm_ps", 0.0),
        ("timing_jitter_ps", -5.0),
        ("splitter_transmission", 1.0),
    ],
)
def test_bad_inputs_name_the_parameter(field: str, value: float) -> None:
    stem = field.removesuffix("_ps").removesuffix("_db")
    with pytest.raises(ValueError, match=stem.split("_")[0]):
        Interference(**{field: value})
