"""Refractive-index models against published values and limits."""

from __future__ import annotations

import numpy as np
import pytest

from qkdchip.pdk.materials import (
    INDEX_MODELS_VERSION,
    MATERIALS,
    n_ingaasp_broberg1984,
    n_inp_pettit1965,
    quaternary_composition,
    refractive_index,
)


@pytest.mark.parametrize(
    ("material", "expected", "tol"),
    [
        # Malitson (1965) tabulates 1.44402 at 1.55 µm for fused silica.
        ("SiO2", 1.44402, 2e-5),
        # Luke et al. (2015) Fig. 1: n ≈ 1.996 at 1.55 µm.
        ("Si3N4", 1.996, 1e-3),
        # InP at 1.55 µm: 3.165-3.17 across Pettit 1965 and Broberg 1984.
        ("InP", 3.167, 5e-3),
        # HHI wheel MATERIALS_INDEX uses Q(1.06) = 3.258 at 1.55 µm.
        ("Q(1.06)", 3.258, 5e-3),
        # Buus/Amann/Blumenthal Fig. A.1: Q1.25 about 3.36 at 1.55 µm.
        ("Q(1.25)", 3.36, 1e-2),
    ],
)
def test_index_at_1550(material: str, expected: float, tol: float) -> None:
    assert refractive_index(material, 1.55) == pytest.approx(expected, abs=tol)


def test_quaternary_reduces_to_inp() -> None:
    # y -> 0 is InP; the MSEO model at λg ≈ 0.92 µm must agree with Pettit's InP fit within
    # the ~0.3 % spread of the two fits.
    n_q = n_ingaasp_broberg1984(1.55, bandgap_wavelength_um=0.92)
    assert n_q == pytest.approx(n_inp_pettit1965(1.55), rel=3e-3)


def test_quaternary_index_rises_with_bandgap_wavelength() -> None:
    values = [refractive_index(f"Q({lg})", 1.55) for lg in (1.0, 1.1, 1.2, 1.3, 1.4)]
    assert np.all(np.diff(values) > 0)


def test_normal_dispersion_in_transparent_region() -> None:
    wl = np.linspace(1.3, 1.7, 21)
    for name in ("Si3N4", "SiO2", "InP", "Q(1.25)"):
        assert np.all(np.diff(refractive_index(name, wl)) < 0), name


def test_composition_lattice_matched_ingaas_end() -> None:
    comp = quaternary_composition(1.65)
    assert comp.y_as == pytest.approx(1.0, abs=0.01)
    assert comp.x_ga == pytest.approx(0.47, abs=0.01)


def test_array_input_returns_array() -> None:
    out = refractive_index("Si3N4", np.array([1.5, 1.6]))
    assert isinstance(out, np.ndarray)
    assert out.shape == (2,)


@pytest.mark.parametrize(
    ("material", "wavelength_um"),
    [("Si3N4", 0.1), ("SiO2", 10.0), ("InP", 0.5), ("Q(1.25)", 1.2), ("Q(1.25)", float("nan"))],
)
def test_out_of_range_wavelength_raises(material: str, wavelength_um: float) -> None:
    with pytest.raises(ValueError, match="wavelength_um"):
        refractive_index(material, wavelength_um)


def test_unknown_material_raises() -> None:
    with pytest.raises(ValueError, match="material"):
        refractive_index("unobtainium", 1.55)
    with pytest.raises(ValueError, match="bandgap_wavelength_um"):
        refractive_index("Q(2.5)", 1.55)


def test_registry_names() -> None:
    assert {"Si3N4", "SiO2", "InP", "Q(1.25)"} <= set(MATERIALS)


# The models' values at INDEX_MODELS_VERSION 1 (12 digits). Device results are keyed by that
# version, not by these numbers: a model whose values change must raise the version (and
# recompute the shipped device results) before this table is updated.
PINNED_INDICES = {
    ("Si3N4", 1.31): 2.00312993508,
    ("Si3N4", 1.55): 1.99627973171,
    ("SiO2", 1.31): 1.44680431755,
    ("SiO2", 1.55): 1.4440236217,
    ("InP", 1.31): 3.20200584699,
    ("InP", 1.55): 3.1649287644,
    ("Q(1.06)", 1.31): 3.31164243408,
    ("Q(1.06)", 1.55): 3.25848386014,
    ("Q(1.25)", 1.31): 3.4466595696,
    ("Q(1.25)", 1.55): 3.3635602317,
    ("Q(1.30)", 1.55): 3.38881661629,
    ("air", 1.55): 1.0,
}


def test_index_models_have_the_values_of_their_version() -> None:
    assert INDEX_MODELS_VERSION == 1
    assert {m for m, _ in PINNED_INDICES} == set(MATERIALS)
    for (material, wavelength_um), expected in PINNED_INDICES.items():
        # 1e-11: 12 pinned digits; a last-bit difference between math libraries is ~1e-16.
        assert refractive_index(material, wavelength_um) == pytest.approx(expected, rel=1e-11)
