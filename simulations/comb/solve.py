"""Physical-units comb solve: resonator + pump + detuning sweep -> comb lines in dBm.

:func:`solve_comb` runs the normalised LLE for a :class:`~.resonator.Resonator`, classifies
the final state and converts every line back to the bus waveguide (dBm), with its mode number,
frequency and wavelength. :func:`reference_comb` does this for the reference dark-pulse chip.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from qkdchip.records import Record
from qkdchip.simulations.comb.analysis import StateInfo, classify_trajectory, resolution_problem
from qkdchip.simulations.comb.integrate import Trajectory, integrate
from qkdchip.simulations.comb.resonator import (
    C_M_PER_S,
    NormalisedResonator,
    Resonator,
    SecondPump,
    dbm,
)
from qkdchip.simulations.comb.schedules import PiecewiseLinear

__all__ = [
    "CombLine",
    "CombResult",
    "map_to_wdm",
    "solve_comb",
    "sweep_states",
]

# A sample of a sweep counts as CW below this sideband share of the intracavity power, and as a
# settled comb when the second difference of its intracavity power between samples is below
# this fraction of the power.
_SWEEP_CW_FRACTION = 1e-3
_SWEEP_STEADY_CHANGE = 1e-3


@dataclass(frozen=True)
class CombLine(Record):
    """One line of the comb at the bus-waveguide output.

    Attributes:
        mu: mode number relative to the pump.
        frequency_hz: optical frequency (Hz).
        wavelength_nm: vacuum wavelength (nm).
        power_dbm: bus-waveguide output power (dBm); for mu = 0 the transmitted pump.
        intracavity_power_dbm: circulating power of the line inside the ring (dBm).
    """

    mu: int
    frequency_hz: float
    wavelength_nm: float
    power_dbm: float
    intracavity_power_dbm: float


@dataclass(frozen=True, eq=False)
class CombResult:
    """A comb in physical units.

    Attributes:
        state: final state (see :data:`~.analysis.STATES`).
        pulses: number of pulses in the final state.
        lines: every simulated line, ascending mu.
        pump_power_w: on-chip pump power (W).
        pump_frequency_hz: pump frequency at the end of the sweep (Hz).
        fsr_hz: line spacing (Hz).
        detuning_hz: final detuning (omega_0 - omega_p)/2pi (Hz).
        zeta0: final normalised detuning.
        f_squared: normalised pump power f^2 = P / P_th.
        threshold_power_w: parametric threshold (W).
        d2: normalised second-order dispersion D2/kappa.
        pump_transmission: through-port power transmission at the pump.
        conversion_efficiency: power in all non-pump lines at the bus / pump power.
        sweep_detuning_hz: detuning at the sweep samples (Hz).
        sweep_intracavity_power_w: circulating power at the samples (W).
        sweep_state: "CW", "comb" or "unstable comb" at every sample.
        resolution_warning: why the mode grid under-resolves the final state (see
            :func:`~.analysis.resolution_problem`), None when it resolves it.
    """

    state: str
    pulses: int
    lines: tuple[CombLine, ...]
    pump_power_w: float
    pump_frequency_hz: float
    fsr_hz: float
    detuning_hz: float
    zeta0: float
    f_squared: float
    threshold_power_w: float
    d2: float
    pump_transmission: float
    conversion_efficiency: float
    sweep_detuning_hz: np.ndarray
    sweep_intracavity_power_w: np.ndarray
    sweep_state: tuple[str, ...]
    resolution_warning: str | None = None

    @property
    def power_dbm(self) -> np.ndarray:
        """Bus output power of every line (dBm), ascending mu."""
        return np.array([line.power_dbm for line in self.lines])

    @property
    def mu(self) -> np.ndarray:
        """Mode numbers, ascending."""
        return np.array([line.mu for line in self.lines])

    def usable_lines(
        self, min_power_dbm: float = -30.0, *, include_pump: bool = False
    ) -> tuple[CombLine, ...]:
        """Lines at or above a bus-power threshold.

        Args:
            min_power_dbm: threshold (dBm).
            include_pump: also return the transmitted pump line (mu = 0).
        """
        return tuple(
            line
            for line in self.lines
            if line.power_dbm >= min_power_dbm and (include_pump or line.mu != 0)
        )

    def to_dict(self, min_power_dbm: float | None = -60.0) -> dict:
        """JSON-ready dictionary; lines below ``min_power_dbm`` are left out (None: keep all)."""
        lines = [
            line.to_dict()
            for line in self.lines
            if min_power_dbm is None or line.power_dbm >= min_power_dbm or line.mu == 0
        ]
        return {
            "state": self.state,
            "pulses": self.pulses,
            "pump_power_w": self.pump_power_w,
            "pump_frequency_hz": self.pump_frequency_hz,
            "fsr_hz": self.fsr_hz,
            "detuning_hz": self.detuning_hz,
            "zeta0": self.zeta0,
            "f_squared": self.f_squared,
            "threshold_power_w": self.threshold_power_w,
            "d2": self.d2,
            "pump_transmission": self.pump_transmission,
            "conversion_efficiency": self.conversion_efficiency,
            "usable_lines_30dbm": len(self.usable_lines(-30.0)),
            "lines": lines,
        }


def sweep_states(trajectory: Trajectory, member: int = 0) -> tuple[str, ...]:
    """Coarse state label of every sample of a sweep: "CW", "comb" or "unstable comb".

    Args:
        trajectory: the run.
        member: batch member.
    """
    return sample_states(trajectory.energy[:, member], trajectory.pump_mode[:, member])


def sample_states(energy: np.ndarray, pump_mode: np.ndarray) -> tuple[str, ...]:
    """Coarse state label of every sample of a run, "CW", "comb" or "unstable comb", from the
    forward energy <|psi|^2> and the pump mode's amplitude psi_0 at the samples."""
    energy = np.asarray(energy, dtype=float)
    side = (energy - np.abs(pump_mode) ** 2) / np.maximum(energy, 1e-300)
    # second difference: an adiabatically tracked state changes smoothly along the sweep,
    # an unstable comb jumps from sample to sample
    padded = np.concatenate([energy[:1], energy, energy[-1:]])
    curvature = np.abs(padded[2:] - 2 * padded[1:-1] + padded[:-2])
    change = curvature / np.maximum(energy, 1e-300)
    labels = []
    for s, c in zip(side, change, strict=True):
        if s < _SWEEP_CW_FRACTION:
            labels.append("CW")
        elif c < _SWEEP_STEADY_CHANGE:
            labels.append("comb")
        else:
            labels.append("unstable comb")
    return tuple(labels)


def _result(
    norm: NormalisedResonator, trajectory: Trajectory, member: int, window: float
) -> CombResult:
    normal = norm.d2 < 0
    info = classify_trajectory(trajectory, window=window, normal_dispersion=normal)[member]
    return comb_result(
        norm,
        spectrum=np.fft.fft(trajectory.field[member], norm="forward"),
        f=float(trajectory.pump[-1, member]),
        zeta=float(trajectory.detuning[-1, member]),
        info=info,
        sweep_zeta=trajectory.detuning[:, member],
        sweep_energy=trajectory.energy[:, member],
        sweep_state=sweep_states(trajectory, member),
    )


def comb_result(
    norm: NormalisedResonator,
    *,
    spectrum: np.ndarray,
    f: float,
    zeta: float,
    info: StateInfo,
    sweep_zeta: np.ndarray,
    sweep_energy: np.ndarray,
    sweep_state: tuple[str, ...],
) -> CombResult:
    """A final normalised state in physical units; warns (RuntimeWarning) when the mode grid
    under-resolves it.

    Args:
        norm: the normalised resonator.
        spectrum: final line amplitudes psi_mu in FFT order.
        f: the drive the state was reached with.
        zeta: the final normalised detuning.
        info: the final state's classification.
        sweep_zeta: detuning at the run's samples.
        sweep_energy: forward energy at the run's samples.
        sweep_state: "CW", "comb" or "unstable comb" at every sample.
    """
    res = norm.resonator
    problem = resolution_problem(
        np.fft.ifft(spectrum, norm="forward"),
        normal_dispersion=norm.d2 < 0,
        noise_floor=norm.noise_rms**2,
    )
    if problem is not None:
        warnings.warn(problem, RuntimeWarning, stacklevel=2)
    psi_mu = np.fft.fftshift(np.asarray(spectrum, dtype=complex))
    detuning_hz = float(norm.detuning_hz_from_zeta(zeta))
    bus = norm.bus_line_power_w(psi_mu, f)
    cavity = norm.intracavity_line_power_w(np.abs(psi_mu) ** 2)
    mu = norm.model.mu
    pump_hz = norm.omega_mu[mu.size // 2] / (2 * math.pi) - detuning_hz
    freqs = pump_hz + mu * res.fsr_hz
    power_in = norm.pump_power_w * (f / norm.f) ** 2 if norm.f > 0 else 0.0
    comb_power = float(bus.sum() - bus[mu.size // 2])
    lines = tuple(
        CombLine(
            mu=int(m),
            frequency_hz=float(fr),
            wavelength_nm=float(C_M_PER_S / fr * 1e9),
            power_dbm=float(p),
            intracavity_power_dbm=float(c),
        )
        for m, fr, p, c in zip(mu, freqs, dbm(bus), dbm(cavity), strict=True)
    )
    return CombResult(
        state=info.state,
        pulses=info.pulses,
        lines=lines,
        pump_power_w=power_in,
        pump_frequency_hz=float(pump_hz),
        fsr_hz=res.fsr_hz,
        detuning_hz=detuning_hz,
        zeta0=zeta,
        f_squared=f**2,
        threshold_power_w=norm.threshold_power_w,
        d2=norm.d2,
        pump_transmission=norm.pump_transmission(psi_mu[mu.size // 2], f) if f > 0 else 1.0,
        conversion_efficiency=comb_power / power_in if power_in > 0 else 0.0,
        sweep_detuning_hz=np.asarray(norm.detuning_hz_from_zeta(sweep_zeta)),
        sweep_intracavity_power_w=np.asarray(norm.intracavity_power_w(sweep_energy)),
        sweep_state=sweep_state,
        resolution_warning=problem,
    )


MAX_PUMP_POWER_W = 10.0
"""Highest on-chip pump power (W): above it a Si3N4 waveguide is damaged."""
MAX_SWEEP_TIME_S = 1e-3
"""Longest sweep or hold (s): 10^4-10^5 photon lifetimes, far past any transient."""


def solve_comb(
    resonator: Resonator,
    *,
    pump_power_w: float,
    detuning_start_hz: float,
    detuning_stop_hz: float,
    sweep_time_s: float,
    hold_time_s: float = 0.0,
    n_modes: int = 256,
    seed: int = 0,
    method: str = "strang",
    dt: float | None = None,
    rtol: float = 1e-6,
    second_pump: SecondPump | None = None,
    n_samples: int = 400,
) -> CombResult:
    """Sweep the pump detuning linearly, then hold it, and return the final comb.

    Args:
        resonator: the ring.
        pump_power_w: on-chip pump power (W, > 0).
        detuning_start_hz: initial (omega_0 - omega_p)/2pi (Hz); negative is blue of resonance.
        detuning_stop_hz: final detuning (Hz).
        sweep_time_s: ramp duration (s, > 0).
        hold_time_s: time held at the final detuning before the state is read (s, >= 0).
        n_modes: simulated modes (even).
        seed: seed of the half-photon-per-mode quantum noise.
        method: "strang" or "rk4ip".
        dt: normalised step (strang) or first step (rk4ip); default: a Kerr phase of 0.05 rad
            per step at the expected peak power and a dispersion phase below 2 rad on every
            mode, at most 0.01.
        rtol: rk4ip tolerance.
        second_pump: optional second pump.
        n_samples: samples recorded along the sweep.
    """
    if not (np.isfinite(pump_power_w) and 0 < pump_power_w <= MAX_PUMP_POWER_W):
        raise ValueError(f"pump_power_w={pump_power_w!r} must lie in (0, {MAX_PUMP_POWER_W:g}] W")
    half_fsr = resonator.fsr_hz / 2
    for name, value in (
        ("detuning_start_hz", detuning_start_hz),
        ("detuning_stop_hz", detuning_stop_hz),
    ):
        if not (np.isfinite(value) and abs(value) <= half_fsr):
            raise ValueError(
                f"{name}={value!r} must lie in [-{half_fsr:g}, {half_fsr:g}] Hz (half the FSR: "
                "beyond it the pump is nearer the next resonance)"
            )
    if not (np.isfinite(sweep_time_s) and 0 < sweep_time_s <= MAX_SWEEP_TIME_S):
        raise ValueError(f"sweep_time_s={sweep_time_s!r} must lie in (0, {MAX_SWEEP_TIME_S:g}] s")
    if not (np.isfinite(hold_time_s) and 0 <= hold_time_s <= MAX_SWEEP_TIME_S):
        raise ValueError(f"hold_time_s={hold_time_s!r} must lie in [0, {MAX_SWEEP_TIME_S:g}] s")
    norm = resonator.normalise(n_modes, pump_power_w=pump_power_w, second_pump=second_pump)
    z0, z1 = norm.zeta_from_detuning_hz([detuning_start_hz, detuning_stop_hz])
    t_sweep = norm.tau_from_seconds(sweep_time_s)
    t_hold = norm.tau_from_seconds(hold_time_s)
    times = np.array([0.0, t_sweep] + ([t_sweep + t_hold] if t_hold > 0 else []))
    values = np.array([z0, z1] + ([z1] if t_hold > 0 else []))
    schedule = PiecewiseLinear(times, values)
    if dt is None:
        peak = max(norm.f**2, 2.0 * max(z0, z1), 1.0)
        dt = min(0.01, 0.05 / peak, 2.0 / max(float(np.max(np.abs(norm.model.d_mu))), 1e-12))
    trajectory = integrate(
        norm.model,
        detuning=schedule,
        pump=norm.f,
        duration=float(times[-1]),
        method=method,
        dt=dt,
        rtol=rtol,
        n_samples=n_samples,
        noise_rms=norm.noise_rms,
        rng=np.random.default_rng(seed),
    )
    window = t_hold / times[-1] if t_hold > 0 else 0.05
    return _result(norm, trajectory, 0, max(0.02, 0.5 * window))


def map_to_wdm(
    result: CombResult,
    channel_frequencies_hz: np.ndarray,
    *,
    min_power_dbm: float = -30.0,
    max_offset_hz: float | None = None,
) -> list[dict]:
    """Assign to every WDM channel the strongest usable comb line within max_offset_hz.

    Args:
        result: the comb.
        channel_frequencies_hz: channel centre frequencies (Hz).
        min_power_dbm: lines below this bus power are not usable.
        max_offset_hz: largest line-to-channel offset (default: half the FSR).

    Returns:
        One dict per channel: channel index, channel_frequency_hz, and the assigned line's
        fields (mu, frequency_hz, wavelength_nm, power_dbm, offset_hz) or line None.
    """
    channels = np.atleast_1d(np.asarray(channel_frequencies_hz, dtype=float))
    if not np.all(np.isfinite(channels)) or np.any(channels <= 0):
        raise ValueError("channel_frequencies_hz must be finite and > 0")
    limit = 0.5 * result.fsr_hz if max_offset_hz is None else float(max_offset_hz)
    if not limit > 0:
        raise ValueError(f"max_offset_hz={max_offset_hz!r} must be > 0")
    usable = result.usable_lines(min_power_dbm)
    out = []
    for i, nu in enumerate(channels):
        near = [ln for ln in usable if abs(ln.frequency_hz - nu) <= limit]
        best = max(near, key=lambda ln: ln.power_dbm) if near else None
        entry: dict = {"channel": i, "channel_frequency_hz": float(nu), "line": None}
        if best is not None:
            entry["line"] = best.to_dict() | {"offset_hz": best.frequency_hz - float(nu)}
        out.append(entry)
    return out
