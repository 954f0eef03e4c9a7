"""The comb of a self-injection-locked pump: the Lugiato-Lefever equation coupled to the ring's
backward mode and the laser (:mod:`qkdchip.simulations.comb.sil`).

The laser's free-running frequency is swept (its current tuned) from blue of the resonance and
then held; the feedback locks it, and the detuning the comb sees is the laser's, set by the
tuning curve of the forward, backward and Kerr-shifted fields. The integrator is a fixed-step
RK4 in the interaction picture of the linear (loss and dispersion) operator, with the backward
mode and the laser frequency advanced in the same stages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qkdchip.simulations.comb.analysis import StateInfo, classify_field
from qkdchip.simulations.comb.resonator import NormalisedResonator, Resonator
from qkdchip.simulations.comb.sil import SelfInjection
from qkdchip.simulations.comb.solve import CombResult, comb_result, sample_states
from qkdchip.validation import check_range


@dataclass(frozen=True)
class SilState:
    """The coupled fields at one instant (normalised).

    Attributes:
        spectrum: forward line amplitudes psi_mu in FFT order (frame of the laser).
        backward: the backward pump mode's amplitude.
    """

    spectrum: np.ndarray
    backward: complex


@dataclass(frozen=True)
class SilRun:
    """A swept-and-held run of the self-injection-locked comb.

    Attributes:
        norm: the normalised resonator.
        sil: the coupling.
        final: the fields at the end.
        tau: normalised sample times.
        xi: the free-running detuning at each sample.
        zeta: the locked laser's detuning zeta0 at each sample.
        energy: the forward intracavity energy <|psi|^2> at each sample.
        pump_mode: the forward pump mode's amplitude psi_0 at each sample.
        info: the final state's classification.
        dtau: the normalised step it was integrated with.
    """

    norm: NormalisedResonator
    sil: SelfInjection
    final: SilState
    tau: np.ndarray
    xi: np.ndarray
    zeta: np.ndarray
    energy: np.ndarray
    pump_mode: np.ndarray
    info: StateInfo
    dtau: float


def _laser_detuning(sil: SelfInjection, xi: float, backward: complex, f: float) -> float:
    """zeta0 = xi + K Im(e^{i phi} b / f): the laser pulled by the returned field."""
    return xi + sil.feedback * float(np.imag(np.exp(1j * sil.phase_rad) * backward)) / f


def integrate_sil(
    norm: NormalisedResonator,
    *,
    sil: SelfInjection,
    xi: np.ndarray,
    dtau: float,
    start: SilState,
    every: int,
) -> tuple[SilState, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Advance the coupled fields over the free-running detuning schedule ``xi`` (one value
    per step of ``dtau``).

    Returns:
        The final state and, every ``every`` steps and at the last: the locked detuning
        zeta0, the forward energy, the pump mode's amplitude and the step's index.
    """
    from qkdchip.simulations.comb import kernels

    spectrum = np.array(start.spectrum, dtype=complex)
    records = len(xi) // every + 2
    zetas, energies = np.empty(records), np.empty(records)
    pumps, steps = np.empty(records, complex), np.empty(records, dtype=np.int64)
    backward, count = kernels.sil_advance(
        spectrum, complex(start.backward), np.asarray(xi, dtype=float), dtau,
        norm.model.linear_operator(), norm.f, sil.feedback, sil.phase_rad, sil.backscatter,
        every, zetas, energies, pumps, steps, *kernels.fft_plan(spectrum.size),
    )  # fmt: skip
    final = SilState(spectrum, complex(backward))
    return final, zetas[:count], energies[:count], pumps[:count], steps[:count]


def run_sil_comb(
    resonator: Resonator,
    *,
    sil: SelfInjection,
    pump_power_w: float,
    xi_start: float,
    xi_stop: float,
    sweep_tau: float,
    hold_tau: float,
    n_modes: int = 256,
    dtau: float = 0.01,
    seed: int = 0,
    n_samples: int = 400,
) -> SilRun:
    """Sweep the free-running laser from ``xi_start`` to ``xi_stop`` (normalised detunings
    2 (omega_0 - omega_free) / kappa) over ``sweep_tau``, hold it for ``hold_tau`` and return
    the run. The forward modes start from half a photon of vacuum noise each.

    Args:
        resonator: the ring.
        sil: laser-ring coupling.
        pump_power_w: on-chip pump power, (0, 10] W.
        xi_start: free-running detuning at the start, |xi| <= 100.
        xi_stop: free-running detuning at the end of the sweep, |xi| <= 100.
        sweep_tau: normalised sweep duration, [0, 1e5].
        hold_tau: normalised hold duration, [0, 1e5].
        n_modes: simulated modes (even).
        dtau: normalised step, (0, 0.05].
        seed: seed of the vacuum noise.
        n_samples: about how many samples to record.
    """
    check_range("pump_power_w", pump_power_w, 0.0, 10.0, low_open=True)
    for name, value in (("xi_start", xi_start), ("xi_stop", xi_stop)):
        check_range(name, value, -100.0, 100.0)
    check_range("sweep_tau", sweep_tau, 0.0, 1e5)
    check_range("hold_tau", hold_tau, 0.0, 1e5)
    check_range("dtau", dtau, 0.0, 0.05, low_open=True)
    norm = resonator.normalise(n_modes, pump_power_w=pump_power_w)
    n_sweep = int(round(sweep_tau / dtau))
    n_hold = int(round(hold_tau / dtau))
    xi = np.concatenate([np.linspace(xi_start, xi_stop, n_sweep), np.full(n_hold, xi_stop)])
    if xi.size == 0:
        raise ValueError("sweep_tau + hold_tau must be at least one step")
    rng = np.random.default_rng(seed)
    noise = norm.noise_rms / math.sqrt(2.0)
    start = SilState(
        noise * (rng.standard_normal(n_modes) + 1j * rng.standard_normal(n_modes)), 0.0j
    )
    every = max(1, xi.size // max(1, n_samples))
    final, zeta, energy, pump, steps = integrate_sil(
        norm, sil=sil, xi=xi, dtau=dtau, start=start, every=every
    )
    tail = energy[-max(2, energy.size // 5) :]
    fluctuation = float(np.std(tail) / max(float(np.mean(tail)), 1e-300))
    field = np.fft.ifft(final.spectrum, norm="forward")
    info = classify_field(field, fluctuation=fluctuation, normal_dispersion=norm.d2 < 0)
    return SilRun(norm, sil, final, steps * dtau, xi[steps], zeta, energy, pump, info, dtau)


def drift_velocity(before: np.ndarray, after: np.ndarray, dtau: float) -> float:
    """Angular drift velocity v (rad per normalised time) of a comb state between two spectra
    (FFT order) ``dtau`` apart: psi_mu(tau + dtau) = psi_mu(tau) e^{i (Phi - mu v dtau)}.

    The phase difference of the lines within 60 dB of the strongest side line is fitted
    linearly in mu (unwrapped outwards from the pump).
    """
    check_range("dtau", dtau, 0.0, 1e3, low_open=True)
    n = before.size
    mu = np.fft.fftfreq(n, 1.0 / n).astype(int)
    power = np.abs(before) ** 2
    strong = power >= 1e-6 * power[mu != 0].max()
    order = np.argsort(mu)
    keep = order[strong[order]]
    keep = keep[np.abs(mu[keep]) <= 30]
    phase = np.unwrap(np.angle(after[keep] * np.conj(before[keep])))
    slope = np.polyfit(mu[keep].astype(float), phase, 1)[0]
    return float(-slope / dtau)


@dataclass(frozen=True)
class SilComb:
    """The comb of a self-injection-locked pump, with the noise the lock leaves on its lines.

    Attributes:
        comb: the comb in physical units.
        run: the swept-and-held run it comes from.
        stabilisation: S_eff = d xi / d zeta0 of the locked state (comb and Kerr included):
            the factor by which the laser's frequency noise is divided.
        pump_linewidth_hz: the locked pump's Lorentzian linewidth (free-running / S_eff^2).
        repetition_pull: d omega_rep / d omega_pump of the comb (its lines' fixed point is at
            mu = -1 / repetition_pull).
        line_linewidth_hz: every line's Lorentzian linewidth, ascending mu:
            pump_linewidth_hz (1 + mu repetition_pull)^2.
    """

    comb: CombResult
    run: SilRun
    stabilisation: float
    pump_linewidth_hz: float
    repetition_pull: float
    line_linewidth_hz: tuple[float, ...]

    @property
    def locked(self) -> bool:
        """Whether the laser sits on a stable locked state that narrows it (S_eff > 1)."""
        return self.stabilisation > 1.0


_RESPONSE_STEP = 0.05
"""Free-running detuning step (normalised) of the locked state's response."""
_RESPONSE_TAU = 60.0
"""Normalised time the response step is held before it is read."""
_DRIFT_TAU = 2.0
"""Normalised time between the two spectra a drift velocity is measured over."""


def sil_comb(run: SilRun, *, free_linewidth_hz: float) -> SilComb:
    """The comb of a self-injection-locked run (:func:`run_sil_comb`) and its lines'
    linewidths.

    The free-running detuning is stepped by 0.05 from the run's last and held: the locked
    detuning's change gives S_eff, the pulse's drift velocity change the repetition rate's
    pull. Pump frequency noise reaches line mu multiplied by (1 + mu d omega_rep / d omega_p);
    other noise of the repetition rate (thermal, technical) is not modelled.

    Args:
        run: the swept-and-held run.
        free_linewidth_hz: the free-running laser's Lorentzian linewidth, (0, 1e10] Hz.
    """
    check_range("free_linewidth_hz", free_linewidth_hz, 0.0, 1e10, low_open=True)
    sil, dtau, xi_stop = run.sil, run.dtau, float(run.xi[-1])
    responses = []
    for step in (0.0, _RESPONSE_STEP):
        xi = np.full(int(round(_RESPONSE_TAU / dtau)), xi_stop + step)
        held, _, _, _, _ = integrate_sil(
            run.norm, sil=sil, xi=xi, dtau=dtau, start=run.final, every=xi.size
        )
        zeta = _laser_detuning(sil, xi_stop + step, held.backward, run.norm.f)
        drift = np.full(int(round(_DRIFT_TAU / dtau)), xi_stop + step)
        moved, _, _, _, _ = integrate_sil(
            run.norm, sil=sil, xi=drift, dtau=dtau, start=held, every=drift.size
        )
        velocity = drift_velocity(held.spectrum, moved.spectrum, _DRIFT_TAU)
        responses.append((zeta, velocity))
    (zeta0, v0), (zeta1, v1) = responses
    stabilisation = _RESPONSE_STEP / (zeta1 - zeta0)
    pull = -(v1 - v0) / (zeta1 - zeta0)
    pump_linewidth = free_linewidth_hz / stabilisation**2
    mu = run.norm.model.mu
    comb = comb_result(
        run.norm,
        spectrum=run.final.spectrum,
        f=run.norm.f,
        zeta=zeta0,
        info=run.info,
        sweep_zeta=run.zeta,
        sweep_energy=run.energy,
        sweep_state=sample_states(run.energy, run.pump_mode),
    )
    return SilComb(
        comb=comb,
        run=run,
        stabilisation=float(stabilisation),
        pump_linewidth_hz=float(pump_linewidth),
        repetition_pull=float(pull),
        line_linewidth_hz=tuple(float(pump_linewidth * (1.0 + m * pull) ** 2) for m in mu),
    )
