"""Physical resonator description and its mapping to the normalised LLE.

Conventions (Herr et al., Nat. Photon. 8, 145 (2014); Kippenberg et al., Science 361, eaan8083
(2018)): D_int(mu) = omega_mu - omega_0 - D1 mu with D2 > 0
anomalous; detuning delta omega = omega_0 - omega_p (> 0: red-detuned); kappa = kappa_0 +
kappa_ex; g = hbar omega0^2 c n2 / (n0^2 V_eff) with V_eff = A_eff L and L = c / (n_g FSR).
Frequencies ``*_hz`` are ordinary frequencies (the angular value divided by 2 pi).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from qkdchip.constants import C_M_PER_S
from qkdchip.simulations.comb.model import AuxPump, LLEModel, ThermalShift, mode_numbers

__all__ = [
    "C_M_PER_S",
    "HBAR_J_S",
    "DIntProfile",
    "DIntSource",
    "NormalisedResonator",
    "Resonator",
    "SecondPump",
    "dbm",
]

HBAR_J_S = 1.054571817e-34


@runtime_checkable
class DIntSource(Protocol):
    """Anything with integer mode numbers ``mu`` and ``d_int_hz`` = D_int/2 pi in Hz."""

    mu: Any
    d_int_hz: Any


@dataclass(frozen=True, eq=False)
class DIntProfile:
    """Integrated dispersion samples D_int(mu)/2 pi (Hz) at integer mode numbers.

    Attributes:
        mu: integer mode numbers (need not be contiguous; must include 0 or bracket it).
        d_int_hz: D_int/2 pi at those modes (Hz).
    """

    mu: np.ndarray
    d_int_hz: np.ndarray

    def __post_init__(self) -> None:
        mu = np.asarray(self.mu)
        d = np.asarray(self.d_int_hz, dtype=float)
        if mu.ndim != 1 or mu.shape != d.shape or mu.size < 3:
            raise ValueError(
                f"mu (shape {mu.shape}) and d_int_hz (shape {d.shape}) must be 1-D, equal "
                "length, >= 3 samples"
            )
        if not np.all(np.isfinite(d)) or not np.all(np.isfinite(mu)):
            raise ValueError("mu and d_int_hz must be finite")
        if np.any(np.abs(mu - np.round(mu)) > 1e-9):
            raise ValueError("mu must be integers")
        order = np.argsort(mu)
        mu = np.round(mu[order]).astype(int)
        if np.any(np.diff(mu) == 0):
            raise ValueError("mu must not repeat")
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "d_int_hz", d[order])

    @classmethod
    def from_coefficients(
        cls, mu: np.ndarray, *, d2_hz: float, d3_hz: float = 0.0, d4_hz: float = 0.0
    ) -> DIntProfile:
        """D_int/2pi = D2 mu^2/2 + D3 mu^3/6 + D4 mu^4/24 (coefficients D_k/2pi in Hz)."""
        m = np.asarray(mu, dtype=float)
        return cls(m, d2_hz * m**2 / 2 + d3_hz * m**3 / 6 + d4_hz * m**4 / 24)

    def at(self, mu: np.ndarray) -> np.ndarray:
        """D_int/2pi at the requested modes (Hz), relative to mu = 0.

        Inside the sampled range the samples are interpolated linearly (exact at sampled
        modes); outside, a least-squares polynomial (degree <= 4) through the samples is used.
        """
        mu = np.asarray(mu, dtype=float)
        deg = min(4, self.mu.size - 1)
        coef = np.polynomial.polynomial.polyfit(self.mu, self.d_int_hz, deg)
        inside = (mu >= self.mu[0]) & (mu <= self.mu[-1])
        out = np.interp(mu, self.mu, self.d_int_hz)
        out[~inside] = np.polynomial.polynomial.polyval(mu[~inside], coef)
        if self.mu[0] <= 0 <= self.mu[-1]:
            zero = float(np.interp(0.0, self.mu, self.d_int_hz))
        else:
            zero = float(np.polynomial.polynomial.polyval(0.0, coef))
        return out - zero


def dbm(power_w: np.ndarray | float) -> np.ndarray:
    """Power in dBm; zero power maps to -inf is avoided by a 1e-30 W floor (-270 dBm)."""
    return 10.0 * np.log10(np.maximum(np.asarray(power_w, dtype=float), 1e-30) / 1e-3)


def _positive(name: str, value: float) -> float:
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r} must be finite and > 0")
    return float(value)


@dataclass(frozen=True)
class SecondPump:
    """A second CW pump, defined by its own frequency offset from the main pump.

    Attributes:
        power_w: on-chip power (W, >= 0).
        offset_hz: nu_p2 - nu_p1 (Hz); the pumped mode is round(offset_hz / FSR).
    """

    power_w: float
    offset_hz: float

    def __post_init__(self) -> None:
        if not np.isfinite(self.power_w) or self.power_w < 0:
            raise ValueError(f"power_w={self.power_w!r} must be finite and >= 0")
        if not np.isfinite(self.offset_hz):
            raise ValueError(f"offset_hz={self.offset_hz!r} must be finite")


@dataclass(frozen=True, eq=False)
class Resonator:
    """A ring resonator and its mode family, in SI units (frequencies in Hz).

    Attributes:
        fsr_hz: free spectral range D1/2pi at the pumped mode (Hz).
        wavelength_nm: vacuum wavelength of the pumped (mu = 0) resonance (nm).
        q_intrinsic: intrinsic Q (scalar, or one value per simulated mode, ascending mu).
        q_coupling: coupling (external) Q (scalar or per mode).
        n2_m2_per_w: Kerr index (m^2/W).
        effective_area_um2: effective mode area (um^2).
        n_eff: effective (phase) index n0.
        n_group: group index n_g.
        d_int: D_int/2pi source: None (use the coefficients), an array over the simulated modes
            (Hz, ascending mu, length N), or any object with ``mu`` and ``d_int_hz``.
        d2_hz: D2/2pi (Hz) when d_int is None (> 0 anomalous, < 0 normal).
        d3_hz: D3/2pi (Hz) when d_int is None.
        mode_shifts_hz: {mu: shift} added to D_int/2pi (Hz): avoided-mode-crossing trigger.
        thermal_shift_hz_per_w: optional thermal red shift of the resonances per watt of
            circulating power (Hz/W, >= 0; 0 disables).
        thermal_time_s: thermal response time (s).
    """

    fsr_hz: float
    wavelength_nm: float
    q_intrinsic: float | np.ndarray
    q_coupling: float | np.ndarray
    n2_m2_per_w: float = 2.4e-19
    effective_area_um2: float = 1.0
    n_eff: float = 1.9
    n_group: float = 2.1
    d_int: Any = None
    d2_hz: float = 0.0
    d3_hz: float = 0.0
    mode_shifts_hz: Mapping[int, float] = field(default_factory=dict)
    thermal_shift_hz_per_w: float = 0.0
    thermal_time_s: float = 1e-6

    def __post_init__(self) -> None:
        for name in (
            "fsr_hz",
            "wavelength_nm",
            "n2_m2_per_w",
            "effective_area_um2",
            "n_eff",
            "n_group",
            "thermal_time_s",
        ):
            _positive(name, getattr(self, name))
        for name in ("q_intrinsic", "q_coupling"):
            q = np.asarray(getattr(self, name), dtype=float)
            if q.ndim > 1 or not np.all(np.isfinite(q)) or np.any(q <= 0):
                raise ValueError(f"{name}={getattr(self, name)!r} must be finite and > 0")
        for name in ("d2_hz", "d3_hz"):
            if not np.isfinite(getattr(self, name)):
                raise ValueError(f"{name}={getattr(self, name)!r} must be finite")
        if not np.isfinite(self.thermal_shift_hz_per_w) or self.thermal_shift_hz_per_w < 0:
            raise ValueError(
                f"thermal_shift_hz_per_w={self.thermal_shift_hz_per_w!r} must be finite and >= 0"
            )
        if self.d_int is not None and not isinstance(self.d_int, DIntSource):
            arr = np.asarray(self.d_int, dtype=float)
            if arr.ndim != 1 or not np.all(np.isfinite(arr)):
                raise ValueError("d_int must be a finite 1-D array or have mu and d_int_hz")

    # ---- derived quantities -------------------------------------------------------------
    @property
    def omega0(self) -> float:
        """Angular frequency of the pumped resonance (rad/s)."""
        return 2.0 * math.pi * C_M_PER_S / (self.wavelength_nm * 1e-9)

    @property
    def ring_length_m(self) -> float:
        """Round-trip length L = c / (n_g FSR) (m)."""
        return C_M_PER_S / (self.n_group * self.fsr_hz)

    @property
    def kerr_shift_per_photon(self) -> float:
        """g = hbar omega0^2 c n2 / (n0^2 V_eff) (rad/s per photon)."""
        volume = self.effective_area_um2 * 1e-12 * self.ring_length_m
        return HBAR_J_S * self.omega0**2 * C_M_PER_S * self.n2_m2_per_w / (self.n_eff**2 * volume)

    def _per_mode(self, name: str, n_modes: int) -> np.ndarray:
        q = np.asarray(getattr(self, name), dtype=float)
        if q.ndim == 0:
            return np.full(n_modes, float(q))
        if q.size != n_modes:
            raise ValueError(
                f"{name} has {q.size} per-mode values but the simulation has {n_modes} modes"
            )
        return q

    def d_int_hz(self, n_modes: int, *, include_shifts: bool = True) -> np.ndarray:
        """D_int/2pi (Hz) over mu = -N/2 ... N/2-1, with or without the mode shifts."""
        mu = mode_numbers(n_modes)
        if self.d_int is None:
            d = self.d2_hz * mu**2 / 2.0 + self.d3_hz * mu**3 / 6.0
        elif isinstance(self.d_int, DIntSource):
            d = DIntProfile(np.asarray(self.d_int.mu), np.asarray(self.d_int.d_int_hz)).at(mu)
        else:
            d = np.asarray(self.d_int, dtype=float)
            if d.size != n_modes:
                raise ValueError(
                    f"d_int has {d.size} values but the simulation has {n_modes} modes; pass "
                    "one value per mode (ascending mu) or an object with mu and d_int_hz"
                )
            d = d - d[n_modes // 2]
        d = np.array(d, dtype=float)
        for m, shift in (self.mode_shifts_hz if include_shifts else {}).items():
            index = int(m) + n_modes // 2
            if not 0 <= index < n_modes:
                raise ValueError(f"mode shift at mu={m} is outside the {n_modes} simulated modes")
            if not np.isfinite(shift):
                raise ValueError(f"mode shift at mu={m} must be finite, got {shift!r}")
            d[index] += shift
        return d

    def normalise(
        self,
        n_modes: int,
        *,
        pump_power_w: float,
        second_pump: SecondPump | None = None,
    ) -> NormalisedResonator:
        """The normalised model and the scales to go back to physical units.

        Args:
            n_modes: number of simulated modes N (even).
            pump_power_w: on-chip pump power (W, >= 0).
            second_pump: optional second pump.
        """
        if not np.isfinite(pump_power_w) or pump_power_w < 0:
            raise ValueError(f"pump_power_w={pump_power_w!r} must be finite and >= 0")
        mu = mode_numbers(n_modes)
        d_int_hz = self.d_int_hz(n_modes)
        omega_mu = self.omega0 + 2 * math.pi * (self.fsr_hz * mu + d_int_hz)
        kappa0_mu = omega_mu / self._per_mode("q_intrinsic", n_modes)
        kappa_ex_mu = omega_mu / self._per_mode("q_coupling", n_modes)
        kappa_mu = kappa0_mu + kappa_ex_mu
        centre = n_modes // 2
        kappa = float(kappa_mu[centre])
        kappa_ex = float(kappa_ex_mu[centre])
        g = self.kerr_shift_per_photon
        f = math.sqrt(8 * g * kappa_ex * pump_power_w / (kappa**3 * HBAR_J_S * self.omega0))
        d_mu = 4 * math.pi * d_int_hz / kappa
        aux: tuple[AuxPump, ...] = ()
        if second_pump is not None:
            m2 = round(second_pump.offset_hz / self.fsr_hz)
            if not -centre <= m2 < centre:
                raise ValueError(
                    f"second pump at {second_pump.offset_hz} Hz (mode {m2}) is outside the "
                    f"{n_modes} simulated modes"
                )
            k_ex2 = float(kappa_ex_mu[centre + m2])
            w2 = float(omega_mu[centre + m2])
            f2 = math.sqrt(8 * g * k_ex2 * second_pump.power_w / (kappa**3 * HBAR_J_S * w2))
            sigma = 4 * math.pi * (second_pump.offset_hz - m2 * self.fsr_hz) / kappa
            aux = (AuxPump(mu=m2, amplitude=f2, offset=sigma),)
        thermal = None
        if self.thermal_shift_hz_per_w > 0:
            photons_to_w = HBAR_J_S * self.omega0 * self.fsr_hz * kappa / (2 * g)
            coefficient = 4 * math.pi * self.thermal_shift_hz_per_w * photons_to_w / kappa
            thermal = ThermalShift(coefficient, self.thermal_time_s * kappa / 2)
        loss = kappa_mu / kappa
        model = LLEModel(
            d_mu,
            loss_mu=None if np.allclose(loss, 1.0, rtol=0, atol=1e-15) else loss,
            aux_pumps=aux,
            thermal=thermal,
        )
        return NormalisedResonator(
            model=model,
            f=f,
            kappa=kappa,
            kappa_ex=kappa_ex,
            kappa_ex_mu=kappa_ex_mu,
            omega_mu=omega_mu,
            g=g,
            pump_power_w=float(pump_power_w),
            resonator=self,
        )


@dataclass(frozen=True, eq=False)
class NormalisedResonator:
    """A resonator mapped to the normalised LLE, with the scales to go back.

    Attributes:
        model: normalised model.
        f: normalised pump amplitude for the given power.
        kappa: total loss rate of the pumped mode (rad/s).
        kappa_ex: coupling rate of the pumped mode (rad/s).
        kappa_ex_mu: coupling rate of every mode (rad/s), ascending mu.
        omega_mu: cold-cavity resonance angular frequencies (rad/s), ascending mu.
        g: Kerr frequency shift per photon (rad/s).
        pump_power_w: on-chip pump power (W).
        resonator: the physical resonator.
    """

    model: LLEModel
    f: float
    kappa: float
    kappa_ex: float
    kappa_ex_mu: np.ndarray
    omega_mu: np.ndarray
    g: float
    pump_power_w: float
    resonator: Resonator

    @property
    def eta(self) -> float:
        """Coupling efficiency kappa_ex / kappa of the pumped mode."""
        return self.kappa_ex / self.kappa

    @property
    def d2(self) -> float:
        """Normalised D2/kappa from the D_int curvature at mu = 0, without mode shifts."""
        d = 4 * math.pi * self.resonator.d_int_hz(self.model.n_modes, include_shifts=False)
        c = d.size // 2
        return float((d[c + 1] + d[c - 1] - 2 * d[c]) / (2.0 * self.kappa))

    @property
    def threshold_power_w(self) -> float:
        """Parametric threshold P_th = kappa^3 hbar omega0 / (8 g kappa_ex) (W)."""
        return self.kappa**3 * HBAR_J_S * self.resonator.omega0 / (8 * self.g * self.kappa_ex)

    @property
    def noise_rms(self) -> float:
        """Normalised rms amplitude per mode of half a photon: sqrt(g / kappa)."""
        return math.sqrt(self.g / self.kappa)

    def zeta_from_detuning_hz(self, detuning_hz: np.ndarray | float) -> np.ndarray:
        """zeta0 = 2 delta omega / kappa for delta omega / 2pi in Hz (omega_0 - omega_p)."""
        return 4 * math.pi * np.asarray(detuning_hz, dtype=float) / self.kappa

    def detuning_hz_from_zeta(self, zeta: np.ndarray | float) -> np.ndarray:
        """delta omega / 2pi (Hz) for a normalised detuning."""
        return np.asarray(zeta, dtype=float) * self.kappa / (4 * math.pi)

    def tau_from_seconds(self, seconds: float) -> float:
        """Normalised time kappa t / 2."""
        return seconds * self.kappa / 2

    def photon_amplitudes(self, spectrum_psi: np.ndarray) -> np.ndarray:
        """Photon-number amplitudes |a_mu|^2 = (kappa / 2g) |psi_mu|^2 (ascending mu)."""
        return np.asarray(spectrum_psi, float) * self.kappa / (2 * self.g)

    def bus_line_power_w(self, psi_mu: np.ndarray, f: float | None = None) -> np.ndarray:
        """Bus-waveguide output power of every line (W), ascending mu.

        Comb lines: hbar omega_mu kappa_ex,mu |a_mu|^2. The pump line is the through power
        P_in |1 - 2 eta psi_0 / f|^2 (interference of the transmitted pump and the out-coupled
        intracavity field).

        Args:
            psi_mu: complex line amplitudes psi_mu, ascending mu (N,).
            f: pump amplitude the state was computed with (default: this object's f).
        """
        f = self.f if f is None else f
        psi_mu = np.asarray(psi_mu, dtype=complex)
        photons = self.photon_amplitudes(np.abs(psi_mu) ** 2)
        power = HBAR_J_S * self.omega_mu * self.kappa_ex_mu * photons
        c = psi_mu.size // 2
        power_in = self.pump_power_w * (f / self.f) ** 2 if self.f > 0 else 0.0
        power[c] = power_in * self.pump_transmission(psi_mu[c], f) if f > 0 else 0.0
        return power

    def pump_transmission(self, psi_0: complex, f: float | None = None) -> float:
        """Through-port power transmission at the pump |1 - 2 eta psi_0 / f|^2."""
        f = self.f if f is None else f
        if f <= 0:
            raise ValueError("the pump transmission needs a pump amplitude f > 0")
        return float(abs(1.0 - 2.0 * self.eta * psi_0 / f) ** 2)

    def intracavity_power_w(self, energy: np.ndarray | float) -> np.ndarray:
        """Total circulating power hbar omega0 FSR (kappa/2g) <|psi|^2> (W)."""
        return (
            HBAR_J_S
            * self.resonator.omega0
            * self.resonator.fsr_hz
            * self.photon_amplitudes(np.asarray(energy, dtype=float))
        )

    def intracavity_line_power_w(self, spectrum_psi: np.ndarray) -> np.ndarray:
        """Circulating power of every line, hbar omega_mu FSR |a_mu|^2 (W), ascending mu."""
        return (
            HBAR_J_S * self.omega_mu * self.resonator.fsr_hz * self.photon_amplitudes(spectrum_psi)
        )
