"""Time integration of the normalised LLE, batched over parameter points.

Two integrators share one interface (:func:`integrate`):

* ``"strang"``: symmetric split step with an exact Kerr phase step and an exact linear-plus-drive
  step in the mode domain (second order in dt, one FFT pair per step).
* ``"rk4ip"``: fourth-order Runge-Kutta in the interaction picture of the linear
  (loss + dispersion) operator, with the embedded third-order FSAL estimate of Balac & Mahe
  (Comput. Phys. Commun. 184, 1211 (2013)) choosing the step for a tolerance.

Every field carries a batch axis: shape (B, N), one row per detuning / power / seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft

from qkdchip.simulations.comb.model import LLEModel
from qkdchip.simulations.comb.schedules import PiecewiseLinear, as_schedule

__all__ = ["MAX_KERR_PHASE", "Trajectory", "integrate", "seeded_noise"]

MAX_KERR_PHASE = 1.0
"""Largest Kerr phase |psi|^2 dt per split step (rad) the solver accepts; beyond it the split
step no longer resolves the nonlinear dynamics and the run stops with a ValueError."""


def _fft_pair(batch: int):
    # numpy's pocketfft has the lower call overhead for one row, scipy's for many rows.
    if batch == 1:
        return (
            lambda x: np.fft.fft(x, norm="forward"),
            lambda x: np.fft.ifft(x, norm="forward"),
        )
    return (
        lambda x: scipy.fft.fft(x, norm="forward", overwrite_x=True),
        lambda x: scipy.fft.ifft(x, norm="forward", overwrite_x=True),
    )


@dataclass(frozen=True, eq=False)
class Trajectory:
    """Sampled result of a batched LLE run (normalised units).

    Attributes:
        tau: sample times (S,).
        detuning: effective detuning zeta0 (minus any thermal shift) at the samples (S, B).
        pump: pump amplitude f at the samples (S, B).
        energy: mean intracavity power <|psi|^2> = sum |psi_mu|^2 (S, B).
        peak: peak intracavity power max |psi|^2 (S, B).
        pump_mode: complex amplitude psi_0 of the pumped mode (S, B).
        field: final field psi(phi), (B, N).
        spectrum: final |psi_mu|^2 in ascending mu order, (B, N).
        previous_spectrum: |psi_mu|^2 one sample before the end, (B, N).
        mu: mode numbers (N,), ascending.
        method: integrator name.
        steps: accepted steps.
        rejected: rejected steps (adaptive integrator only).
    """

    tau: np.ndarray
    detuning: np.ndarray
    pump: np.ndarray
    energy: np.ndarray
    peak: np.ndarray
    pump_mode: np.ndarray
    field: np.ndarray
    spectrum: np.ndarray
    previous_spectrum: np.ndarray
    mu: np.ndarray
    method: str
    steps: int
    rejected: int

    @property
    def batch(self) -> int:
        """Number of batch members B."""
        return int(self.field.shape[0])

    def power_balance_error(self) -> np.ndarray:
        """Relative residual of the steady-state balance <|psi|^2> = Re(f psi_0), per member.

        Exact for any stationary state of the LLE with uniform loss (section 2.7 of the
        reference notes); use it on runs that have settled.
        """
        e = self.energy[-1]
        return np.abs(e - self.pump[-1] * self.pump_mode[-1].real) / np.maximum(e, 1e-300)


def seeded_noise(
    rng: np.random.Generator, shape: tuple[int, int], rms_per_mode: float
) -> np.ndarray:
    """Complex Gaussian field with the given rms amplitude in every mode (phi domain).

    Args:
        rng: caller-seeded generator.
        shape: (B, N).
        rms_per_mode: rms of |psi_mu| per mode (half a photon per mode is sqrt(g/kappa) in
            normalised units, see :mod:`qkdchip.simulations.comb.resonator`).
    """
    if not np.isfinite(rms_per_mode) or rms_per_mode < 0:
        raise ValueError(f"rms_per_mode={rms_per_mode!r} must be finite and >= 0")
    modes = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * (
        rms_per_mode / math.sqrt(2.0)
    )
    return np.fft.ifft(modes, axis=-1, norm="forward")


def _batch_size(*sizes: int) -> int:
    b = 1
    for s in sizes:
        if s != 1:
            if b not in (1, s):
                raise ValueError(f"inconsistent batch sizes {sizes}")
            b = s
    return b


def integrate(
    model: LLEModel,
    *,
    detuning: PiecewiseLinear | float | np.ndarray,
    pump: PiecewiseLinear | float | np.ndarray,
    duration: float,
    psi0: np.ndarray | None = None,
    method: str = "strang",
    dt: float = 1e-3,
    rtol: float = 1e-6,
    n_samples: int = 200,
    noise_rms: float = 1e-4,
    rng: np.random.Generator | None = None,
    batch: int | None = None,
) -> Trajectory:
    """Integrate the normalised LLE for a batch of parameter points.

    Args:
        model: dispersion, loss and extra effects.
        detuning: zeta0 schedule (or constant, or one constant per member).
        pump: f schedule (or constant, or one constant per member); f >= 0.
        duration: integration time in units of 2/kappa (> 0).
        psi0: initial field psi(phi), (N,) or (B, N); default: zero field plus noise.
        method: "strang" (fixed step dt) or "rk4ip" (adaptive, first step dt).
        dt: time step (strang) or initial step (rk4ip), > 0.
        rtol: local relative error tolerance of rk4ip (0 < rtol < 1).
        n_samples: number of equally spaced samples recorded (>= 2).
        noise_rms: rms amplitude per mode of the seeded noise added to psi0 (>= 0).
        rng: generator for the noise; required when noise_rms > 0.
        batch: number of members when nothing else fixes it.

    Returns:
        The sampled :class:`Trajectory`.

    Raises:
        ValueError: on bad arguments, or when the run leaves the integrator's stability limits
            (Kerr phase per step above :data:`MAX_KERR_PHASE`, or a non-finite field).
    """
    det = as_schedule(detuning, "detuning")
    pmp = as_schedule(pump, "pump")
    if pmp.extrema()[0] < 0:
        raise ValueError(f"pump amplitude must be >= 0, schedule reaches {pmp.extrema()[0]}")
    if not np.isfinite(duration) or duration <= 0:
        raise ValueError(f"duration={duration!r} must be finite and > 0")
    if not np.isfinite(dt) or dt <= 0 or dt > duration:
        raise ValueError(f"dt={dt!r} must be > 0 and <= duration={duration}")
    if method not in ("strang", "rk4ip"):
        raise ValueError(f"method={method!r} must be 'strang' or 'rk4ip'")
    if not 0 < rtol < 1:
        raise ValueError(f"rtol={rtol!r} must be in (0, 1)")
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples={n_samples!r} must be an integer >= 2")
    n = model.n_modes
    p0 = None if psi0 is None else np.atleast_2d(np.asarray(psi0, dtype=complex))
    if p0 is not None and (p0.ndim != 2 or p0.shape[1] != n):
        raise ValueError(f"psi0 has shape {np.shape(psi0)}, need ({n},) or (B, {n})")
    b = _batch_size(det.batch, pmp.batch, 1 if p0 is None else p0.shape[0], batch or 1)
    field0 = np.zeros((b, n), complex) if p0 is None else np.broadcast_to(p0, (b, n)).copy()
    if noise_rms > 0:
        if rng is None:
            raise ValueError("rng (a seeded numpy Generator) is required when noise_rms > 0")
        field0 += seeded_noise(rng, (b, n), noise_rms)
    elif noise_rms < 0 or not np.isfinite(noise_rms):
        raise ValueError(f"noise_rms={noise_rms!r} must be finite and >= 0")
    if not np.all(np.isfinite(field0)):
        raise ValueError("psi0 must be finite")
    if method == "strang":
        zmin, zmax = det.extrema()
        fmax = pmp.extrema()[1]
        peak_estimate = max(fmax**2, 2.0 * zmax, float(np.max(np.abs(field0) ** 2)))
        if peak_estimate * dt > MAX_KERR_PHASE:
            raise ValueError(
                f"dt={dt} is outside the split-step stability limit for this sweep: the expected "
                f"peak power {peak_estimate:.3g} gives a Kerr phase of {peak_estimate * dt:.3g} "
                f"rad per step (limit {MAX_KERR_PHASE}); "
                f"use dt <= {MAX_KERR_PHASE / peak_estimate:.3g}"
            )
        return _strang(model, det, pmp, duration, field0, dt, int(n_samples))
    return _rk4ip(model, det, pmp, duration, field0, dt, rtol, int(n_samples))


class _Recorder:
    def __init__(self, n_samples: int, b: int, n: int) -> None:
        self.tau = np.zeros(n_samples)
        self.detuning = np.zeros((n_samples, b))
        self.pump = np.zeros((n_samples, b))
        self.energy = np.zeros((n_samples, b))
        self.peak = np.zeros((n_samples, b))
        self.pump_mode = np.zeros((n_samples, b), complex)
        self.prev = np.zeros((b, n))
        self.last = np.zeros((b, n))

    def record(self, i: int, tau: float, zeta, f, psi: np.ndarray, a: np.ndarray) -> None:
        power = psi.real**2 + psi.imag**2
        if not np.all(np.isfinite(power)):
            raise ValueError(
                f"the field became non-finite at tau={tau:.4g}: the run left the solver's "
                "stability limits (reduce dt or the sweep rate)"
            )
        self.tau[i] = tau
        self.detuning[i] = zeta
        self.pump[i] = f
        spec = a.real**2 + a.imag**2
        self.energy[i] = spec.sum(axis=1)
        self.peak[i] = power.max(axis=1)
        self.pump_mode[i] = a[:, 0]
        self.prev, self.last = self.last, spec

    def result(self, psi, mu, method, steps, rejected) -> Trajectory:
        shift = np.fft.fftshift
        return Trajectory(
            tau=self.tau,
            detuning=self.detuning,
            pump=self.pump,
            energy=self.energy,
            peak=self.peak,
            pump_mode=self.pump_mode,
            field=psi,
            spectrum=shift(self.last, axes=-1),
            previous_spectrum=shift(self.prev, axes=-1),
            mu=mu,
            method=method,
            steps=steps,
            rejected=rejected,
        )


def _strang(
    model: LLEModel,
    det: PiecewiseLinear,
    pmp: PiecewiseLinear,
    duration: float,
    psi: np.ndarray,
    dt: float,
    n_samples: int,
) -> Trajectory:
    b, n = psi.shape
    fft, ifft = _fft_pair(b)
    per_sample = max(1, math.ceil(duration / dt / (n_samples - 1)))
    dt = duration / (per_sample * (n_samples - 1))
    lin = model.linear_operator()
    e_disp = np.exp(lin * dt)
    l0 = lin[0]
    aux = [
        (int(p.mu) % n, p.amplitude, p.offset, lin[int(p.mu) % n], e_disp[int(p.mu) % n])
        for p in model.aux_pumps
    ]
    thermal = model.thermal
    theta = np.zeros((b, 1))
    relax = 0.0 if thermal is None else -math.expm1(-dt / thermal.response_time)
    rec = _Recorder(n_samples, b, n)
    a = fft(psi.copy())
    z_now = det(np.array([0.0]))[0] - theta[:, 0]
    rec.record(0, 0.0, z_now, pmp(np.array([0.0]))[0], psi, a)
    power = np.empty((b, n))
    tmp = np.empty((b, n))
    phase = np.empty((b, n), complex)
    halfdt = 0.5 * dt

    def make_kerr(power, tmp, cos, sin, phase):
        def kerr(x: np.ndarray, h: float) -> None:
            # exact Kerr step: x *= exp(i h |x|^2), with cos/sin into preallocated buffers
            np.multiply(x.real, x.real, out=power)
            np.multiply(x.imag, x.imag, out=tmp)
            np.add(power, tmp, out=power)
            np.multiply(power, h, out=power)
            np.cos(power, out=cos)
            np.sin(power, out=sin)
            phase.real = cos
            phase.imag = sin
            np.multiply(x, phase, out=x)

        return kerr

    kerr = make_kerr(power, tmp, np.empty((b, n)), np.empty((b, n)), phase)
    kerr1 = make_kerr(power[0], tmp[0], np.empty(n), np.empty(n), phase[0])
    fft1, ifft1 = _fft_pair(1)

    steps = 0
    for s in range(1, n_samples):
        t0 = (s - 1) * per_sample * dt
        mids = t0 + (np.arange(per_sample) + 0.5) * dt
        zeta = det(mids)  # (m, B)
        f = pmp(mids)
        kerr(psi, halfdt)
        if float(power.max()) > 0.5 * MAX_KERR_PHASE:
            raise ValueError(
                f"the Kerr phase per step reached {2 * float(power.max()):.3g} rad at "
                f"tau={t0:.4g} (limit {MAX_KERR_PHASE}): the sweep left the split-step "
                "stability limits; reduce dt"
            )
        if thermal is None and not aux:
            # detuning and drive do not depend on the field: precompute them for the chunk
            rot = np.exp(-1j * dt * zeta)
            drive = f * (e_disp[0] * rot - 1.0) / (l0 - 1j * zeta)
            if b == 1:
                psi = psi[0]
                row = np.empty(n, complex)
                pairs = zip(rot[:, 0].tolist(), drive[:, 0].tolist(), strict=True)
                for k, (r, d) in enumerate(pairs):
                    a = fft1(psi)
                    np.multiply(e_disp, r, out=row)
                    a *= row
                    a[0] += d
                    psi = ifft1(a)
                    kerr1(psi, dt if k < per_sample - 1 else halfdt)
                psi = psi[None, :]
            else:
                for k in range(per_sample):
                    a = fft(psi)
                    a *= e_disp
                    a *= rot[k][:, None]
                    a[:, 0] += drive[k]
                    psi = ifft(a)
                    kerr(psi, dt if k < per_sample - 1 else halfdt)
        else:
            for k in range(per_sample):
                zk = zeta[k] - theta[:, 0]
                rot_k = np.exp(-1j * dt * zk)
                a = fft(psi)
                a *= e_disp
                a *= rot_k[:, None]
                a[:, 0] += f[k] * (e_disp[0] * rot_k - 1.0) / (l0 - 1j * zk)
                tk = t0 + k * dt
                for j, amp, sigma, lj, ej in aux:
                    a[:, j] += (
                        amp
                        * np.exp(-1j * sigma * tk)
                        * (ej * rot_k - np.exp(-1j * sigma * dt))
                        / (lj - 1j * zk + 1j * sigma)
                    )
                if thermal is not None:
                    energy = (a.real**2 + a.imag**2).sum(axis=1, keepdims=True)
                    theta += relax * (thermal.coefficient * energy - theta)
                psi = ifft(a)
                kerr(psi, dt if k < per_sample - 1 else halfdt)
        steps += per_sample
        a = fft(psi.copy())
        rec.record(
            s,
            s * per_sample * dt,
            det(np.array([s * per_sample * dt]))[0] - theta[:, 0],
            pmp(np.array([s * per_sample * dt]))[0],
            psi,
            a,
        )
    return rec.result(psi, model.mu, "strang", steps, 0)


def _rk4ip(
    model: LLEModel,
    det: PiecewiseLinear,
    pmp: PiecewiseLinear,
    duration: float,
    psi: np.ndarray,
    h: float,
    rtol: float,
    n_samples: int,
) -> Trajectory:
    b, n = psi.shape
    fft, ifft = _fft_pair(b)
    lin = model.linear_operator()
    aux = [(int(p.mu) % n, p.amplitude, p.offset) for p in model.aux_pumps]
    thermal = model.thermal
    theta = np.zeros((b, 1))
    rec = _Recorder(n_samples, b, n)
    a = fft(psi.copy())
    rec.record(0, 0.0, det(np.array([0.0]))[0], pmp(np.array([0.0]))[0], psi, a)
    sample_times = np.linspace(0.0, duration, n_samples)
    # absolute floor of the error norm: far below any physical line, above round-off
    atol = 1e-12

    def rhs(x: np.ndarray, tau: float, zeta: np.ndarray, f: np.ndarray) -> np.ndarray:
        field = ifft(x.copy()) if b > 1 else ifft(x)
        field *= field.real**2 + field.imag**2
        out = fft(field)
        out *= 1j
        out -= (1j * zeta) * x
        out[:, 0] += f
        for j, amp, sigma in aux:
            out[:, j] += amp * np.exp(-1j * sigma * tau)
        return out

    def coefficients(tau: float) -> tuple[np.ndarray, np.ndarray]:
        return (det.at(tau)[:, None] - theta), pmp.at(tau)

    tau = 0.0
    k_fsal = rhs(a, tau, *coefficients(tau))
    steps = rejected = 0
    cached_h = None
    half = None
    h_max = duration / 4.0
    for s in range(1, n_samples):
        t_end = sample_times[s]
        while tau < t_end - 1e-14 * max(1.0, duration):
            step = min(h, t_end - tau)
            if step != cached_h:
                half = np.exp(lin * (0.5 * step))
                cached_h = step
            a_i = half * a
            k1 = half * k_fsal
            c_mid = coefficients(tau + 0.5 * step)
            c_end = coefficients(tau + step)
            k2 = rhs(a_i + (0.5 * step) * k1, tau + 0.5 * step, *c_mid)
            k3 = rhs(a_i + (0.5 * step) * k2, tau + 0.5 * step, *c_mid)
            k4 = rhs(half * (a_i + step * k3), tau + step, *c_end)
            beta = half * (a_i + (step / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3))
            a_new = beta + (step / 6.0) * k4
            k5 = rhs(a_new, tau + step, *c_end)
            diff = (step / 10.0) * (k4 - k5)
            err_num = np.sqrt((diff.real**2 + diff.imag**2).sum(axis=1))
            scale = atol + rtol * np.sqrt((a_new.real**2 + a_new.imag**2).sum(axis=1))
            err = float(np.max(err_num / scale))
            if not math.isfinite(err):
                raise ValueError(
                    f"the field became non-finite at tau={tau:.4g}: the run left the "
                    "integrator's stability limits"
                )
            factor = 0.9 * err ** (-0.25) if err > 0 else 5.0
            if err <= 1.0:
                tau += step
                a = a_new
                k_fsal = k5
                steps += 1
                if thermal is not None:
                    energy = (a.real**2 + a.imag**2).sum(axis=1, keepdims=True)
                    relax = -math.expm1(-step / thermal.response_time)
                    shift = relax * (thermal.coefficient * energy - theta)
                    theta += shift
                    k_fsal = k_fsal + 1j * shift * a
                if step == h or factor < 1.0:
                    h = min(h_max, step * min(5.0, max(0.2, factor)))
            else:
                rejected += 1
                h = step * min(1.0, max(0.2, factor))
                if h < 1e-12 * duration:
                    raise ValueError(
                        f"the adaptive step fell below {1e-12 * duration:.3g} at tau={tau:.4g}: "
                        "the run left the integrator's stability limits"
                    )
        psi = ifft(a.copy())
        rec.record(s, tau, det(np.array([tau]))[0] - theta[:, 0], pmp(np.array([tau]))[0], psi, a)
    return rec.result(psi, model.mu, "rk4ip", steps, rejected)
