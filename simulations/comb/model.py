"""The normalised Lugiato-Lefever model and its closed-form homogeneous solutions.

Normalisation (Herr/Kippenberg sign convention, fields ~ e^{-i omega t}):

    d psi/d tau = -(l_mu + i zeta0) psi - i IFFT[d_mu FFT psi] + i |psi|^2 psi + f

with tau = kappa t / 2, zeta0 = 2 (omega_0 - omega_p) / kappa (positive: red-detuned),
d_mu = 2 D_int(mu) / kappa, l_mu = kappa_mu / kappa (1 for uniform loss) and
f^2 = 8 g kappa_ex P_in / (kappa^3 hbar omega_0). The field on the azimuth grid
phi_n = 2 pi n / N is psi(phi) = sum_mu psi_mu e^{i mu phi}; the line amplitudes psi_mu are
numpy's ``fft(psi, norm="forward")`` in FFT order (mu = 0, 1, ..., -1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "AuxPump",
    "LLEModel",
    "ThermalShift",
    "cw_intracavity_power",
    "mi_gain",
    "mode_numbers",
]


def mode_numbers(n_modes: int) -> np.ndarray:
    """Relative mode numbers mu in ascending order, -N/2 ... N/2-1 (integers).

    Args:
        n_modes: number of simulated modes N (even, >= 4).
    """
    if int(n_modes) != n_modes or n_modes < 4 or n_modes % 2:
        raise ValueError(f"n_modes={n_modes!r} must be an even integer >= 4")
    return np.arange(-(n_modes // 2), n_modes // 2)


@dataclass(frozen=True)
class AuxPump:
    """A second CW pump, normalised.

    Attributes:
        mu: mode number nearest to the second pump (relative to the main pump's mode).
        amplitude: normalised drive f2 (same scale as f), >= 0.
        offset: normalised frequency offset sigma = 2 (omega_p2 - omega_p - mu D1) / kappa of
            the second pump from the grid line mu of the main pump's frame.
    """

    mu: int
    amplitude: float
    offset: float = 0.0

    def __post_init__(self) -> None:
        if not np.isfinite(self.amplitude) or self.amplitude < 0:
            raise ValueError(f"amplitude={self.amplitude!r} must be finite and >= 0")
        if not np.isfinite(self.offset):
            raise ValueError(f"offset={self.offset!r} must be finite")


@dataclass(frozen=True)
class ThermalShift:
    """First-order thermal resonance shift, normalised.

    The resonance red-shifts by theta (in units of kappa/2) with
    d theta / d tau = (coefficient * <|psi|^2> - theta) / response_time, and the effective
    detuning is zeta0 - theta.

    Attributes:
        coefficient: steady-state shift per unit of mean intracavity power <|psi|^2> (>= 0).
        response_time: thermal response time in units of 2/kappa (> 0).
    """

    coefficient: float
    response_time: float

    def __post_init__(self) -> None:
        if not np.isfinite(self.coefficient) or self.coefficient < 0:
            raise ValueError(f"coefficient={self.coefficient!r} must be finite and >= 0")
        if not np.isfinite(self.response_time) or self.response_time <= 0:
            raise ValueError(f"response_time={self.response_time!r} must be finite and > 0")


@dataclass(frozen=True, eq=False)
class LLEModel:
    """Normalised resonator: dispersion, per-mode loss and optional extra effects.

    Attributes:
        d_mu: normalised integrated dispersion 2 D_int(mu)/kappa for mu = -N/2 ... N/2-1
            (ascending order, length N even). d_mu[mu=0] is the pumped mode's detuning offset
            and is normally 0.
        loss_mu: per-mode loss kappa_mu / kappa in the same order (None: 1 for every mode).
        aux_pumps: additional pumps.
        thermal: optional thermal shift.
    """

    d_mu: np.ndarray
    loss_mu: np.ndarray | None = None
    aux_pumps: tuple[AuxPump, ...] = ()
    thermal: ThermalShift | None = None
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        d = np.asarray(self.d_mu, dtype=float)
        if d.ndim != 1:
            raise ValueError(f"d_mu must be one-dimensional, got shape {d.shape}")
        mode_numbers(d.size)
        if not np.all(np.isfinite(d)):
            raise ValueError("d_mu must be finite")
        object.__setattr__(self, "d_mu", d)
        if self.loss_mu is not None:
            loss = np.asarray(self.loss_mu, dtype=float)
            if loss.shape != d.shape:
                raise ValueError(
                    f"loss_mu has {loss.size} entries but d_mu has {d.size}; they must match"
                )
            if not np.all(np.isfinite(loss)) or np.any(loss <= 0):
                raise ValueError("loss_mu must be finite and > 0 for every mode")
            object.__setattr__(self, "loss_mu", loss)
        half = d.size // 2
        for pump in self.aux_pumps:
            if not -half <= pump.mu < half:
                raise ValueError(f"aux pump mu={pump.mu} is outside the simulated modes")

    @classmethod
    def from_coefficients(
        cls,
        n_modes: int,
        *,
        d2: float,
        d3: float = 0.0,
        mode_shifts: dict[int, float] | None = None,
        aux_pumps: tuple[AuxPump, ...] = (),
        thermal: ThermalShift | None = None,
    ) -> LLEModel:
        """Model with d_mu = d2 mu^2 + d3 mu^3 / 3 plus single-mode shifts.

        With d_mu = 2 D_int / kappa and D_int = D2 mu^2/2 + D3 mu^3/6 this is d2 = D2/kappa and
        d3 = D3/kappa (so d3 mu^3/3 = 2 (D3 mu^3/6)/kappa).

        Args:
            n_modes: number of modes N (even).
            d2: normalised second-order dispersion D2/kappa (> 0 anomalous, < 0 normal).
            d3: normalised third-order dispersion D3/kappa.
            mode_shifts: {mu: shift} added to d_mu (avoided-mode-crossing trigger).
            aux_pumps: extra pumps.
            thermal: optional thermal shift.
        """
        mu = mode_numbers(n_modes).astype(float)
        d = d2 * mu**2 + d3 * mu**3 / 3.0
        for m, shift in (mode_shifts or {}).items():
            index = int(m) + n_modes // 2
            if not 0 <= index < n_modes:
                raise ValueError(f"mode shift at mu={m} is outside the simulated modes")
            d[index] += shift
        return cls(d, aux_pumps=aux_pumps, thermal=thermal)

    @property
    def n_modes(self) -> int:
        """Number of simulated modes N."""
        return int(self.d_mu.size)

    @property
    def mu(self) -> np.ndarray:
        """Mode numbers in ascending order."""
        return mode_numbers(self.n_modes)

    @property
    def mu_fft(self) -> np.ndarray:
        """Mode numbers in FFT order (0, 1, ..., -1)."""
        return np.fft.ifftshift(self.mu)

    def linear_operator(self) -> np.ndarray:
        """L_mu = -l_mu - i d_mu in FFT order (the detuning is added separately)."""
        cached = self._cache.get("linear")
        if cached is None:
            loss = np.ones(self.n_modes) if self.loss_mu is None else self.loss_mu
            cached = np.fft.ifftshift(-loss - 1j * self.d_mu)
            self._cache["linear"] = cached
        return cached


def cw_intracavity_power(zeta0: float, f: float) -> np.ndarray:
    """Homogeneous (CW) steady states: real roots rho = |psi|^2 of f^2 = rho[1 + (zeta0-rho)^2].

    Args:
        zeta0: normalised detuning.
        f: normalised pump amplitude (>= 0).

    Returns:
        Ascending array of one or three non-negative roots (three only in the bistable range,
        which needs zeta0 > sqrt(3)).
    """
    if not np.isfinite(zeta0):
        raise ValueError(f"zeta0={zeta0!r} must be finite")
    if not np.isfinite(f) or f < 0:
        raise ValueError(f"f={f!r} must be finite and >= 0")
    roots = np.roots([1.0, -2.0 * zeta0, 1.0 + zeta0**2, -(f**2)])
    real = np.sort(roots[np.abs(roots.imag) <= 1e-9 * max(1.0, np.abs(roots).max())].real)
    return real[real >= 0.0]


def mi_gain(rho: float, zeta0: float, dbar: np.ndarray | float) -> np.ndarray:
    """Growth rate of the sideband pair +-mu on the CW state rho (normalised time).

    lambda_mu = -1 + Re sqrt(rho^2 - (zeta0 - 2 rho + dbar_mu)^2), with
    dbar_mu = (d_mu + d_-mu)/2.

    Args:
        rho: CW intracavity power |psi|^2.
        zeta0: detuning.
        dbar: symmetric part of d_mu at the sideband pair(s).
    """
    dbar = np.asarray(dbar, dtype=float)
    arg = rho**2 - (zeta0 - 2.0 * rho + dbar) ** 2
    return -1.0 + np.sqrt(np.clip(arg, 0.0, None))
