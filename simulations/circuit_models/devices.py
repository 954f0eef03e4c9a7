"""Generic S-parameter models: pure, keyword-only numpy functions of wavelength.

Each returns an :data:`~qkdchip.simulations.circuit_models.sdict.SDict` (reciprocal) with one
value per wavelength; ``wavelength_um`` may be a scalar or a 1-D array. Phases use the
``exp(+i n k L)`` convention. The device parameters (indices, Q, coupling, κ, Vπ·L, splits) come
from :mod:`qkdchip.simulations.circuit_models.parameters`; these functions only do the physics.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qkdchip.simulations.circuit_models.sdict import SDict, frequency_hz, reciprocal, wavelengths
from qkdchip.validation import check_range

REFERENCE_WAVELENGTH_UM = 1.55
"""Wavelength at which the models' indices are given (the simulations' design wavelength)."""


def effective_index(
    wavelength_um: NDArray[np.float64], *, n_eff: float, n_group: float, wavelength0_um: float
) -> NDArray[np.float64]:
    """First-order n_eff(λ) = n_eff - (n_g - n_eff)(λ - λ0)/λ0 around ``wavelength0_um``."""
    return n_eff - (n_group - n_eff) * (wavelength_um - wavelength0_um) / wavelength0_um


def propagation(
    wavelength_um: NDArray[np.float64],
    *,
    length_um: float,
    n_eff: float,
    n_group: float,
    loss_db_per_cm: float,
    wavelength0_um: float = REFERENCE_WAVELENGTH_UM,
) -> NDArray[np.complex128]:
    """Amplitude 10^(-loss·L/20) exp(2πi n_eff(λ) L/λ) of ``length_um`` µm of waveguide."""
    check_range("length_um", length_um, 0.0, 1e6)
    check_range("loss_db_per_cm", loss_db_per_cm, 0.0, 1e3)
    n = effective_index(wavelength_um, n_eff=n_eff, n_group=n_group, wavelength0_um=wavelength0_um)
    amplitude = 10.0 ** (-loss_db_per_cm * length_um * 1e-4 / 20.0)
    return amplitude * np.exp(2j * np.pi * n * length_um / wavelength_um)


def waveguide(
    *,
    wavelength_um: ArrayLike = REFERENCE_WAVELENGTH_UM,
    length_um: float = 10.0,
    n_eff: float = 3.2,
    n_group: float = 3.7,
    loss_db_per_cm: float = 0.0,
    wavelength0_um: float = REFERENCE_WAVELENGTH_UM,
) -> SDict:
    """Straight (or bent) waveguide of ``length_um`` µm.

    ::

        o1 ========== o2

    Args:
        wavelength_um: wavelengths in µm.
        length_um: optical path length in µm, [0, 1e6].
        n_eff, n_group: effective and group index at ``wavelength0_um``.
        loss_db_per_cm: propagation loss in dB/cm, [0, 1000].
        wavelength0_um: wavelength of the indices in µm.
    """
    wl = wavelengths(wavelength_um)
    t = propagation(
        wl,
        length_um=length_um,
        n_eff=n_eff,
        n_group=n_group,
        loss_db_per_cm=loss_db_per_cm,
        wavelength0_um=wavelength0_um,
    )
    return reciprocal({("o1", "o2"): t})


def phase_shifter(
    *,
    wavelength_um: ArrayLike = REFERENCE_WAVELENGTH_UM,
    length_um: float = 3000.0,
    optical_length_um: float = 3020.0,
    voltage_v: float = 0.0,
    vpi_l_v_mm: float = 9.26,
    n_eff: float = 3.25,
    n_group: float = 3.7,
    loss_db_per_cm: float = 0.0,
    attenuation_db: float = 0.0,
    wavelength0_um: float = REFERENCE_WAVELENGTH_UM,
) -> SDict:
    """Electro-optic phase shifter (reverse-biased p-i-n), optionally with an absorber.

    The phase grows by π V / Vπ(λ) with Vπ(λ) = (Vπ·L / L)·λ/λ0 (the linear electro-optic
    term scales with λ); ``attenuation_db`` adds a flat loss (an electro-absorption VOA)::

                 V
        o1 ====[###]==== o2

    Args:
        wavelength_um: wavelengths in µm.
        length_um: electrode length in µm, (0, 1e5].
        optical_length_um: waveguide length in µm (electrode and access), >= ``length_um``.
        voltage_v: reverse bias in V, [0, 100].
        vpi_l_v_mm: Vπ·L at ``wavelength0_um`` in V·mm, (0, 1e3].
        n_eff, n_group: indices of the ridge at ``wavelength0_um``.
        loss_db_per_cm: passive propagation loss in dB/cm.
        attenuation_db: extra loss in dB, [0, 200].
        wavelength0_um: wavelength of Vπ·L and the indices in µm.
    """
    wl = wavelengths(wavelength_um)
    check_range("length_um", length_um, 0.0, 1e5, low_open=True)
    check_range("optical_length_um", optical_length_um, length_um, 1e6)
    check_range("voltage_v", voltage_v, 0.0, 100.0)
    check_range("vpi_l_v_mm", vpi_l_v_mm, 0.0, 1e3, low_open=True)
    check_range("attenuation_db", attenuation_db, 0.0, 200.0)
    vpi_v = vpi_l_v_mm / (length_um * 1e-3) * wl / wavelength0_um
    t = propagation(
        wl,
        length_um=optical_length_um,
        n_eff=n_eff,
        n_group=n_group,
        loss_db_per_cm=loss_db_per_cm,
        wavelength0_um=wavelength0_um,
    )
    t = t * 10.0 ** (-attenuation_db / 20.0) * np.exp(1j * np.pi * voltage_v / vpi_v)
    return reciprocal({("o1", "o2"): t})


def _power_fraction(name: str, value: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(value, dtype=float)
    if not np.all((arr >= 0.0) & (arr <= 1.0)):
        raise ValueError(f"{name}={value!r} is outside the allowed range [0, 1]")
    return arr


def mmi_1x2(
    *,
    wavelength_um: ArrayLike = REFERENCE_WAVELENGTH_UM,
    power_o2: ArrayLike = 0.49,
    power_o3: ArrayLike = 0.49,
    phase_rad: ArrayLike = 0.0,
) -> SDict:
    """1x2 splitter with the given output powers (in phase); reciprocal, so also a 2x1 combiner.

    ::

                 +------+== o2
        o1 ======|      |
                 +------+== o3

    Args:
        wavelength_um: wavelengths in µm.
        power_o2, power_o3: power fractions reaching o2 and o3 from o1, each in [0, 1] with
            a sum <= 1 (per wavelength or scalar).
        phase_rad: propagation phase from o1 to either output.
    """
    wl = wavelengths(wavelength_um)
    p2, p3 = _power_fraction("power_o2", power_o2), _power_fraction("power_o3", power_o3)
    if np.any(p2 + p3 > 1.0 + 1e-12):
        raise ValueError(f"power_o2 + power_o3 = {np.max(p2 + p3)!r} exceeds 1")
    phase = np.exp(1j * np.broadcast_to(np.asarray(phase_rad, dtype=float), wl.shape))
    return reciprocal({("o1", "o2"): np.sqrt(p2) * phase, ("o1", "o3"): np.sqrt(p3) * phase})


def mmi_2x2(
    *,
    wavelength_um: ArrayLike = REFERENCE_WAVELENGTH_UM,
    power_bar: ArrayLike = 0.49,
    power_cross: ArrayLike = 0.49,
    phase_rad: ArrayLike = 0.0,
) -> SDict:
    """2x2 coupler: bar (o1-o4, o2-o3) and cross (o1-o3, o2-o4) paths, cross ahead by π/2.

    ::

        o2 ===+------+=== o3
              | 2x2  |
        o1 ===+------+=== o4

    Args:
        wavelength_um: wavelengths in µm.
        power_bar, power_cross: power fractions of the bar and the cross path, each in [0, 1]
            with a sum <= 1.
        phase_rad: propagation phase of the bar path.
    """
    wl = wavelengths(wavelength_um)
    bar, cross = (
        _power_fraction("power_bar", power_bar),
        _power_fraction("power_cross", power_cross),
    )
    if np.any(bar + cross > 1.0 + 1e-12):
        raise ValueError(f"power_bar + power_cross = {np.max(bar + cross)!r} exceeds 1")
    phase = np.exp(1j * np.broadcast_to(np.asarray(phase_rad, dtype=float), wl.shape))
    t_bar, t_cross = np.sqrt(bar) * phase, 1j * np.sqrt(cross) * phase
    return reciprocal(
        {("o1", "o4"): t_bar, ("o2", "o3"): t_bar, ("o1", "o3"): t_cross, ("o2", "o4"): t_cross}
    )


def _mode_number(
    f_hz: NDArray[np.float64], *, resonance_hz: float, fsr_hz: float, d2_hz: float, d3_hz: float
) -> NDArray[np.float64]:
    """Continuous μ with f = f0 + D1 μ + D2 μ²/2 + D3 μ³/6 (Newton from the linear guess)."""
    mu = (f_hz - resonance_hz) / fsr_hz
    for _ in range(6):
        f = resonance_hz + fsr_hz * mu + d2_hz * mu**2 / 2 + d3_hz * mu**3 / 6
        slope = fsr_hz + d2_hz * mu + d3_hz * mu**2 / 2
        mu = mu - (f - f_hz) / slope
    return mu


def ring_add_drop(
    *,
    wavelength_um: ArrayLike = REFERENCE_WAVELENGTH_UM,
    resonance_hz: float = 193.4e12,
    fsr_hz: float = 30e9,
    d2_hz: float = 0.0,
    d3_hz: float = 0.0,
    q_intrinsic: float = 2e7,
    power_coupling: float = 4e-3,
    power_coupling_drop: float = 0.0,
) -> SDict:
    """Ring resonator with a through bus and an optional drop bus.

    Its resonances are f_μ = f0 + D1 μ + D2 μ²/2 + D3 μ³/6 (integrated dispersion of a
    simulated ring), the round-trip power loss 2π f/(Q_i · FSR), and the buses take power
    fractions K (through) and K_d (drop) per round trip::

           o3 (drop) ===.====== o4 (add)
                      (ring)
           o1 (in)  ===.====== o2 (through)

    Without a drop bus (``power_coupling_drop=0``) only o1 and o2 are returned.

    Args:
        wavelength_um: wavelengths in µm.
        resonance_hz: frequency of the μ = 0 resonance in Hz.
        fsr_hz: D1/2π in Hz, > 0.
        d2_hz, d3_hz: D2/2π and D3/2π in Hz.
        q_intrinsic: intrinsic Q, > 0.
        power_coupling: through-bus power coupling K per round trip, [0, 1).
        power_coupling_drop: drop-bus power coupling, [0, 1).
    """
    wl = wavelengths(wavelength_um)
    check_range("fsr_hz", fsr_hz, 0.0, math.inf, low_open=True)
    check_range("q_intrinsic", q_intrinsic, 0.0, math.inf, low_open=True)
    check_range("power_coupling", power_coupling, 0.0, 1.0, high_open=True)
    check_range("power_coupling_drop", power_coupling_drop, 0.0, 1.0, high_open=True)
    f = frequency_hz(wl)
    mu = _mode_number(f, resonance_hz=resonance_hz, fsr_hz=fsr_hz, d2_hz=d2_hz, d3_hz=d3_hz)
    round_trip = np.exp(2j * np.pi * mu)
    a = np.exp(-np.pi * f / (q_intrinsic * fsr_hz))
    t1, t2 = math.sqrt(1 - power_coupling), math.sqrt(1 - power_coupling_drop)
    denominator = 1 - t1 * t2 * a * round_trip
    out = {("o1", "o2"): (t1 - t2 * a * round_trip) / denominator}
    if power_coupling_drop > 0:
        drop = (
            -math.sqrt(power_coupling * power_coupling_drop)
            * np.sqrt(a)
            * np.exp(1j * np.pi * mu)
            / denominator
        )
        out[("o1", "o3")] = drop
        out[("o4", "o2")] = drop
        out[("o4", "o3")] = (t2 - t1 * a * round_trip) / denominator
    return reciprocal(out)


def uniform_grating(
    *,
    wavelength_um: ArrayLike = REFERENCE_WAVELENGTH_UM,
    length_um: float = 300.0,
    kappa_per_m: float = 5600.0,
    bragg_wavelength_um: float = 1.5532,
    n_group: float = 3.7,
    period_nm: float = 239.0,
) -> SDict:
    """Uniform lossless first-order Bragg grating (coupled-mode theory).

    With δ = 2π n_g (1/λ - 1/λ_B) and s² = κ² - δ²: r = -iκ sinh(sL)/(s cosh(sL) - iδ sinh(sL)),
    t = s e^{iπL/Λ}/(s cosh(sL) - iδ sinh(sL)); the reflection from o2 makes the matrix unitary.
    Peak reflectance tanh²(κL) (Coldren, Corzine and Mashanovitch, sec. 3.3)::

        o1 ==|||||||||||== o2

    Args:
        wavelength_um: wavelengths in µm.
        length_um: grating length in µm, (0, 1e4].
        kappa_per_m: coupling coefficient κ in 1/m, (0, 1e6].
        bragg_wavelength_um: Bragg wavelength in µm.
        n_group: group index of the grating waveguide.
        period_nm: grating period Λ in nm (the carrier phase πL/Λ).
    """
    wl = wavelengths(wavelength_um)
    check_range("length_um", length_um, 0.0, 1e4, low_open=True)
    check_range("kappa_per_m", kappa_per_m, 0.0, 1e6, low_open=True)
    check_range("period_nm", period_nm, 50.0, 1000.0)
    kappa = kappa_per_m * 1e-6
    delta = 2 * np.pi * n_group * (1 / wl - 1 / bragg_wavelength_um)
    s = np.sqrt(kappa**2 - delta**2 + 0j)
    sinh, cosh = np.sinh(s * length_um), np.cosh(s * length_um)
    denominator = s * cosh - 1j * delta * sinh
    r1 = -1j * kappa * sinh / denominator
    t = s / denominator * np.exp(1j * np.pi * length_um / (period_nm * 1e-3))
    r2 = -np.conj(r1) * t / np.conj(t)
    return {("o1", "o1"): r1, ("o2", "o2"): r2, ("o1", "o2"): t, ("o2", "o1"): t}


def attenuator(
    *, wavelength_um: ArrayLike = REFERENCE_WAVELENGTH_UM, loss_db: float = 0.0
) -> SDict:
    """Flat loss of ``loss_db`` dB (no phase), e.g. a facet coupler::

        o1 ==[loss]== o2

    Args:
        wavelength_um: wavelengths in µm.
        loss_db: insertion loss in dB, [0, 200].
    """
    wl = wavelengths(wavelength_um)
    check_range("loss_db", loss_db, 0.0, 200.0)
    return reciprocal({("o1", "o2"): np.full(wl.shape, 10.0 ** (-loss_db / 20.0), dtype=complex)})
