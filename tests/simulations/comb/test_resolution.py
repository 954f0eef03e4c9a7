"""The resolution guard: too few grid points across a pulse, or a spectrum that has not decayed
at the window edge, is reported and warned about; resolved states pass silently."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from qkdchip.simulations.comb import (
    REFERENCE_PUMP_POWER_W,
    LLEModel,
    classify_field,
    newton_solve,
    reference_comb,
    reference_resonator,
)
from qkdchip.simulations.comb.analysis import resolution_problem
from qkdchip.simulations.comb.solve import comb_result
from tests.simulations.comb.helpers import soliton_ansatz


def _phi(n: int) -> np.ndarray:
    return 2 * np.pi * np.arange(n) / n


def _bright(n: int, width: float) -> np.ndarray:
    """Sech pulse of the given width (rad) on a unit background."""
    return 1.0 + 3.0 / np.cosh((_phi(n) - np.pi) / width)


def _dark(n: int, width: float) -> np.ndarray:
    """Sech dip of the given width (rad) in a background of amplitude 2."""
    return 2.0 - 1.5 / np.cosh((_phi(n) - np.pi) / width)


def test_pulse_width_in_grid_points() -> None:
    # sech^2 power: FWHM 1.76 w, so w = 0.02 rad is ~1 point and w = 0.3 rad ~11 points at
    # N = 128 (spacing 0.049 rad); the spectrum of the wide pulse falls as e^{-pi w mu}
    narrow = resolution_problem(_bright(128, 0.02))
    assert narrow is not None
    assert "N = 128" in narrow
    assert "bright pulse is 1 grid point(s) wide" in narrow
    assert "increase the number of modes N" in narrow
    assert resolution_problem(_bright(128, 0.3)) is None
    # dark pulses: the dip below half depth; the dispersion sign picks dark over bright
    dark = resolution_problem(_dark(128, 0.02), normal_dispersion=True)
    assert dark is not None
    assert "dark pulse" in dark
    assert resolution_problem(_dark(128, 0.3), normal_dispersion=True) is None


def test_spectrum_must_decay_at_the_window_edge() -> None:
    wide = _bright(128, 0.3)
    # a line at mu = 62 holding 1e-6 of the pump line's power: the pulse is wide, the window
    # is too short
    tail = wide + 1e-3 * np.abs(wide.mean()) * np.exp(1j * 62 * _phi(128))
    problem = resolution_problem(tail)
    assert problem is not None
    assert "outermost 5%" in problem
    assert resolution_problem(wide + 1e-7 * np.exp(1j * 62 * _phi(128))) is None
    # a CW state with a vacuum-noise floor of 1e-6 per mode is resolved once the floor is known
    rng = np.random.default_rng(0)
    sigma = 1e-3
    noise = np.fft.ifft(
        sigma * (rng.standard_normal(128) + 1j * rng.standard_normal(128)) / np.sqrt(2),
        norm="forward",
    )
    cw = 1.0 + noise
    assert resolution_problem(cw) is not None
    assert resolution_problem(cw, noise_floor=sigma**2) is None


def test_newton_solve_warns_on_a_coarse_grid_only() -> None:
    f, zeta0 = float(np.sqrt(5.0)), 3.5
    with pytest.warns(RuntimeWarning, match=r"N = 128 modes under-resolve") as record:
        coarse = newton_solve(
            LLEModel.from_coefficients(128, d2=0.02),
            soliton_ansatz(128, zeta0=zeta0, f=f, d2=0.02),
            zeta0=zeta0,
            f=f,
        )
    assert coarse.resolution_warning == str(record[0].message)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fine = newton_solve(
            LLEModel.from_coefficients(256, d2=0.1),
            soliton_ansatz(256, zeta0=zeta0, f=f, d2=0.1),
            zeta0=zeta0,
            f=f,
        )
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert fine.resolution_warning is None


def test_comb_result_warns_on_an_under_resolved_final_state() -> None:
    # the reference ring has normal dispersion, so its final states are dark pulses
    norm = reference_resonator().normalise(64, pump_power_w=REFERENCE_PUMP_POWER_W)
    results, messages = {}, {}
    for width in (0.02, 0.5):
        field = _dark(64, width)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results[width] = comb_result(
                norm,
                spectrum=np.fft.fft(field, norm="forward"),
                f=norm.f,
                zeta=3.0,
                info=classify_field(field, normal_dispersion=True),
                sweep_zeta=np.array([3.0]),
                sweep_energy=np.array([np.mean(np.abs(field) ** 2)]),
                sweep_state=("comb",),
            )
        messages[width] = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    narrow = results[0.02].resolution_warning
    assert narrow is not None
    assert "N = 64 modes under-resolve the state" in narrow
    assert messages[0.02] == [narrow]
    assert results[0.5].resolution_warning is None
    assert messages[0.5] == []
    # the warning is not part of the JSON summary
    assert "resolution_warning" not in results[0.02].to_dict()


def test_reference_comb_is_resolved() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        comb = reference_comb()
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert comb.state == "dark pulse"
    assert comb.resolution_warning is None
