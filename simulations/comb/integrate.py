"""Time integration of the normalised LLE, batched over parameter points.

Three integrators share one interface (:func:`integrate`):

* ``"strang"``: symmetric split step with an exact Kerr phase step and an exact linear-plus-drive
  step in the mode domain (second order in dt, one FFT pair per step).
* ``"split4"``: Yoshida's fourth-order composition of three such Strang substeps.
* ``"rk4ip"``: fourth-order Runge-Kutta in the interaction picture of the linear
  (loss + dispersion + detuning) operator, with the embedded third-order FSAL estimate of
  Balac & Mahe (Comput. Phys. Commun. 184, 1211 (2013)) choosing the step for a tolerance.

Every field carries a batch axis: shape (B, N), one row per detuning / power / seed. The steps
run in compiled kernels (:mod:`qkdchip.simulations.comb.kernels`, numba, imported on the first
run); schedules, noise draws and sampling stay here.

Vacuum noise. Every mode exchanges vacuum fluctuations with its loss channel; with them the
LLE is a Langevin equation, d psi_mu = (... - l_mu psi_mu ...) dtau + sqrt(2 l_mu) sigma dW_mu,
dW_mu complex Wiener increments with E|dW_mu|^2 = dtau and sigma = ``noise_rms`` (half a photon
per mode). Its linear part alone relaxes to E|psi_mu|^2 = sigma^2, the floor the initial
field is seeded with. Over an interval Delta the linear part maps psi_mu to
e^{L_mu Delta} psi_mu plus the noise integral int_0^Delta e^{L_mu (Delta - s)} sqrt(2 l_mu) sigma
dW(s), a complex Gaussian of variance 2 l_mu sigma^2 int_0^Delta e^{-2 l_mu u} du
= sigma^2 (1 - e^{-2 l_mu Delta}) (2 l_mu sigma^2 Delta for short intervals). Both integrators
add such a kick, for the time Delta since the previous one, to every mode between steps (outside
the adaptive error estimate), about every :data:`NOISE_KICK_INTERVAL` and at every sample time.
It is exact in distribution for the linear dynamics at the kick times and leaves out only the
Kerr response to the noise injected within one interval (relative O(gain Delta)). Without the
kicks the seeded floor decays as e^{-2 tau}, and a sweep that starts far from the
modulation-instability threshold reaches it with no noise left to amplify.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qkdchip.simulations.comb.model import LLEModel, ThermalShift
from qkdchip.simulations.comb.schedules import PiecewiseLinear, as_schedule

__all__ = ["MAX_KERR_PHASE", "NOISE_KICK_INTERVAL", "Trajectory", "integrate", "seeded_noise"]

MAX_KERR_PHASE = 1.0
"""Largest Kerr phase |psi|^2 dt per split step (rad) the solver accepts; beyond it the split
step no longer resolves the nonlinear dynamics and the run stops with a ValueError."""
NOISE_KICK_INTERVAL = 0.1
"""Time (2/kappa) between two vacuum-noise kicks (module notes): the split-step methods kick at
most this far apart (every step if dt is longer), the adaptive one after the first step that
ends at least this long after the previous kick. Between two kicks 0.1 apart the floor decays by
e^{-0.2}, 18 %."""


def _fft_pair(batch: int, single_precision: bool = False):
    # numpy's pocketfft has the lower call overhead for one row, scipy's for many rows (and
    # scipy keeps complex64 in complex64).
    if batch == 1 and not single_precision:
        return (
            lambda x: np.fft.fft(x, norm="forward"),
            lambda x: np.fft.ifft(x, norm="forward"),
        )
    import scipy.fft

    # the forward transform may overwrite its (temporary) input; the inverse keeps its input
    return (
        lambda x: scipy.fft.fft(x, norm="forward", overwrite_x=True),
        lambda x: scipy.fft.ifft(x, norm="forward"),
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
        noise_rms: rms per mode of the vacuum noise re-injected along the run (0: none).
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
    noise_rms: float = 0.0

    @property
    def batch(self) -> int:
        """Number of batch members B."""
        return int(self.field.shape[0])

    def power_balance_error(self) -> np.ndarray:
        """Relative residual of the steady-state balance <|psi|^2> = Re(f psi_0), per member.

        Exact for any stationary state of the LLE with uniform loss (the Kerr term conserves the
        photon number); use it on runs that have settled.
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
    precision: str = "double",
    reinject_noise: bool = True,
) -> Trajectory:
    """Integrate the normalised LLE for a batch of parameter points.

    Args:
        model: dispersion, loss and extra effects.
        detuning: zeta0 schedule (or constant, or one constant per member).
        pump: f schedule (or constant, or one constant per member); f >= 0.
        duration: integration time in units of 2/kappa (> 0).
        psi0: initial field psi(phi), (N,) or (B, N); default: zero field plus noise.
        method: "strang" (second order, fixed step dt), "split4" (fourth-order composition of
            three Strang substeps, fixed step dt) or "rk4ip" (adaptive, first step dt).
        dt: time step (strang) or initial step (rk4ip), > 0.
        rtol: local relative error tolerance of rk4ip (0 < rtol < 1).
        n_samples: number of equally spaced samples recorded (>= 2).
        noise_rms: rms amplitude per mode of the vacuum noise (>= 0): seeded into psi0 and,
            with reinject_noise, re-injected along the run (half a photon per mode is the
            resonator's ``noise_rms``).
        rng: generator for the noise; required when noise_rms > 0. The same seed gives the
            same run.
        batch: number of members when nothing else fixes it.
        precision: "double", or "single" (complex64 fields; rk4ip only) for large batches
            whose tolerance is far above single-precision round-off (rtol >= 1e-5).
        reinject_noise: keep the vacuum-noise floor noise_rms^2 per mode along the run with
            Langevin kicks (module notes); False seeds psi0 only, and the floor decays.

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
    if method not in ("strang", "split4", "rk4ip"):
        raise ValueError(f"method={method!r} must be 'strang', 'split4' or 'rk4ip'")
    if not 0 < rtol < 1:
        raise ValueError(f"rtol={rtol!r} must be in (0, 1)")
    if precision not in ("double", "single"):
        raise ValueError(f"precision={precision!r} must be 'double' or 'single'")
    if precision == "single" and (method != "rk4ip" or rtol < 1e-5):
        raise ValueError(
            f"precision='single' needs method='rk4ip' and rtol >= 1e-5 (got {method!r}, {rtol})"
        )
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples={n_samples!r} must be an integer >= 2")
    field0 = _initial_field(model.n_modes, psi0, det, pmp, batch, noise_rms, rng)
    noise = None
    if reinject_noise and noise_rms > 0:
        noise = _VacuumNoise(rng, noise_rms, -model.linear_operator().real, field0.shape)
    if method in _SUBSTEPS:
        _check_split_step_limits(model, det, pmp, field0, dt, method)
        run = _split_step(model, det, pmp, duration, field0, dt, int(n_samples), method, noise)
    else:
        if precision == "single":
            field0 = field0.astype(np.complex64)
        one = field0.shape[0] == 1 and precision == "double"
        rk4ip = _rk4ip if one else _rk4ip_batch
        run = rk4ip(model, det, pmp, duration, field0, dt, rtol, int(n_samples), noise)
    return run if noise is None else dataclasses.replace(run, noise_rms=float(noise_rms))


def _initial_field(
    n: int,
    psi0: np.ndarray | None,
    det: PiecewiseLinear,
    pmp: PiecewiseLinear,
    batch: int | None,
    noise_rms: float,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Initial field psi(phi), (B, N): psi0 (or zero) plus seeded noise, with B fixed by psi0,
    the detuning and pump schedules and ``batch``; arguments as for :func:`integrate`."""
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
    return field0


class _VacuumNoise:
    """Vacuum-noise kicks on mode amplitudes (module notes), drawn from the caller's generator.

    Args:
        rng: the generator.
        rms: sigma, rms amplitude per mode of the noise floor.
        loss: l_mu in FFT order (N,), per 2/kappa.
        shape: (B, N) of the fields.
    """

    def __init__(
        self, rng: np.random.Generator, rms: float, loss: np.ndarray, shape: tuple[int, int]
    ) -> None:
        self.rng = rng
        self.rms = rms
        self.loss = loss
        self.buffer = np.empty((shape[0], 2 * shape[1]))

    def scale(self, interval: float) -> np.ndarray:
        """rms of the real and imaginary parts of one kick after interval (2/kappa), per mode
        (N,): sqrt(sigma^2 (1 - e^{-2 l_mu interval}) / 2)."""
        return self.rms * np.sqrt(-0.5 * np.expm1(-2.0 * self.loss * interval))

    def kick(self, a: np.ndarray, scale: np.ndarray) -> None:
        """Add one kick of the given per-mode scale (N,) to the mode amplitudes a, (B, N) or
        (N,) for one member, in place."""
        self.rng.standard_normal(out=self.buffer)
        z = self.buffer.view(complex)
        z *= scale
        a += z.reshape(a.shape)


def _kicks_per_interval(interval: float) -> int:
    """Number of evenly spaced noise kicks in a sample interval (2/kappa): the fewest that keep
    them at most :data:`NOISE_KICK_INTERVAL` apart."""
    return max(1, math.ceil(interval / NOISE_KICK_INTERVAL * (1.0 - 1e-12)))


def _check_split_step_limits(
    model: LLEModel,
    det: PiecewiseLinear,
    pmp: PiecewiseLinear,
    field0: np.ndarray,
    dt: float,
    method: str,
) -> None:
    """Raise ValueError when the step dt (2/kappa) of a split-step method breaks its dispersion
    or Kerr-phase stability limit for this model, sweep and initial field (B, N)."""
    substep = dt * max(abs(c) for c in _SUBSTEPS[method])
    spread = float(np.max(np.abs(model.d_mu)))
    if spread * substep > math.pi:
        # split steps turn unstable (spurious four-wave mixing) once the dispersion phase
        # per step reaches pi (Weideman & Herbst, SIAM J. Numer. Anal. 23, 485 (1986))
        raise ValueError(
            f"dt={dt} is outside the split-step stability limit for this dispersion: "
            f"max|d_mu| dt = {spread * substep:.3g} rad per step (limit pi); use "
            f"dt <= {dt * math.pi / (spread * substep):.3g}, fewer modes or method='rk4ip'"
        )
    zmax = det.extrema()[1]
    fmax = pmp.extrema()[1]
    peak_estimate = max(fmax**2, 2.0 * zmax, float(np.max(np.abs(field0) ** 2)))
    if peak_estimate * dt > MAX_KERR_PHASE:
        raise ValueError(
            f"dt={dt} is outside the split-step stability limit for this sweep: the expected "
            f"peak power {peak_estimate:.3g} gives a Kerr phase of {peak_estimate * dt:.3g} "
            f"rad per step (limit {MAX_KERR_PHASE}); "
            f"use dt <= {MAX_KERR_PHASE / peak_estimate:.3g}"
        )


class _Recorder:
    """Samples of a run: times, effective detuning, pump, energy, peak and pumped mode."""

    def __init__(
        self, n_samples: int, b: int, n: int, det: PiecewiseLinear, pmp: PiecewiseLinear
    ) -> None:
        self.det = det
        self.pmp = pmp
        self.tau = np.zeros(n_samples)
        self.detuning = np.zeros((n_samples, b))
        self.pump = np.zeros((n_samples, b))
        self.energy = np.zeros((n_samples, b))
        self.peak = np.zeros((n_samples, b))
        self.pump_mode = np.zeros((n_samples, b), complex)
        self.prev = np.zeros((b, n))
        self.last = np.zeros((b, n))

    def record(self, i: int, tau: float, theta: np.ndarray, psi: np.ndarray, a: np.ndarray) -> None:
        """Store sample i at time tau (2/kappa) of the field psi (B, N), its mode amplitudes a
        (B, N) and the thermal shift theta (B,); raises ValueError on a non-finite field."""
        power = psi.real**2 + psi.imag**2
        if not np.all(np.isfinite(power)):
            raise ValueError(
                f"the field became non-finite at tau={tau:.4g}: the run left the solver's "
                "stability limits (reduce dt or the sweep rate)"
            )
        self.tau[i] = tau
        self.detuning[i] = self.det.at(tau) - theta
        self.pump[i] = self.pmp.at(tau)
        spec = a.real**2 + a.imag**2
        self.energy[i] = spec.sum(axis=1)
        self.peak[i] = power.max(axis=1)
        self.pump_mode[i] = a[:, 0]
        self.prev, self.last = self.last, spec

    def result(
        self, psi: np.ndarray, mu: np.ndarray, method: str, steps: int, rejected: int
    ) -> Trajectory:
        """The :class:`Trajectory` of the recorded samples, ending at the field psi (B, N)."""
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


@dataclass(frozen=True, eq=False)
class _Setup:
    """What both integrators derive from the model and the initial field.

    Attributes:
        fft: forward transform psi(phi) -> psi_mu (norm "forward") for the batch; ifft: inverse.
        lin: linear operator L_mu = -l_mu - i d_mu in FFT order (N,), per 2/kappa.
        aux: auxiliary drives as (mode index in FFT order, amplitude, offset sigma, L_mu there).
        thermal: the model's thermal shift, or None.
        theta: thermal detuning shift per member (B,), updated in place.
        recorder: sample recorder, with the sample at tau = 0 taken.
    """

    fft: Callable[[np.ndarray], np.ndarray]
    ifft: Callable[[np.ndarray], np.ndarray]
    lin: np.ndarray
    aux: list[tuple[int, float, float, complex]]
    thermal: ThermalShift | None
    theta: np.ndarray
    recorder: _Recorder


def _start(
    model: LLEModel, det: PiecewiseLinear, pmp: PiecewiseLinear, psi: np.ndarray, n_samples: int
) -> tuple[_Setup, np.ndarray]:
    """Shared setup of a run from the initial field psi (B, N); also returns its mode
    amplitudes psi_mu (B, N)."""
    b, n = psi.shape
    fft, ifft = _fft_pair(b, psi.dtype == np.complex64)
    lin = model.linear_operator()
    aux = [(int(p.mu) % n, p.amplitude, p.offset, lin[int(p.mu) % n]) for p in model.aux_pumps]
    theta = np.zeros(b)
    recorder = _Recorder(n_samples, b, n, det, pmp)
    a = fft(psi.copy())
    recorder.record(0, 0.0, theta, psi, a)
    return _Setup(fft, ifft, lin, aux, model.thermal, theta, recorder), a


def _relax_thermal(theta: np.ndarray, energy: np.ndarray, h: float, thermal: ThermalShift) -> None:
    """Advance the thermal shift theta (B,) in place by h (2/kappa) towards
    coefficient * energy, energy being each member's mean power <|psi|^2> (B,)."""
    relax = -math.expm1(-h / thermal.response_time)
    theta += relax * (thermal.coefficient * energy - theta)


_CBRT2 = 2.0 ** (1.0 / 3.0)
_SUBSTEPS = {
    "strang": (1.0,),
    # Yoshida's fourth-order composition of three Strang steps (Phys. Lett. A 150, 262 (1990))
    "split4": (1.0 / (2.0 - _CBRT2), -_CBRT2 / (2.0 - _CBRT2), 1.0 / (2.0 - _CBRT2)),
}


@dataclass(frozen=True, eq=False)
class _SplitPlan:
    """Substep layout and exact operators of one sample interval (per_sample steps, Q substeps).

    Attributes:
        c: weight of each substep (Q,); substep q lasts c[q] dt.
        dt: step (2/kappa).
        starts: substep start times from the interval start (Q,), 2/kappa.
        mid_offsets: substep midpoint times from the interval start (Q,), 2/kappa.
        kerr_h: Kerr step after each substep (adjacent halves merged) (Q,), 2/kappa.
        sub_index: index of each substep's weight in the composition (Q,).
        max_weight: largest |weight| of the composition.
        e_sub: propagators exp(L_mu w dt), one row (N,) per composition weight w.
        kick_slot: per substep, the index of its noise kick among the interval's kicks, or -1.
        kick_scale: per-mode scale of each kick (K, N).
    """

    c: np.ndarray
    dt: float
    starts: np.ndarray
    mid_offsets: np.ndarray
    kerr_h: np.ndarray
    sub_index: np.ndarray
    max_weight: float
    e_sub: np.ndarray
    kick_slot: np.ndarray
    kick_scale: np.ndarray


def _split_plan(
    lin: np.ndarray,
    weights: np.ndarray,
    per_sample: int,
    dt: float,
    noise: _VacuumNoise | None,
) -> _SplitPlan:
    """Plan of one sample interval of per_sample steps dt (2/kappa) of the composition with
    the given substep weights, with optional noise kicks."""
    c = np.tile(weights, per_sample)
    starts = np.concatenate([[0.0], np.cumsum(c)[:-1]]) * dt
    kerr_after = 0.5 * (c + np.roll(c, -1)) * dt
    kerr_after[-1] = 0.5 * c[-1] * dt
    kicks = _split_kicks(noise, per_sample, weights.size, dt)
    slots = [q for q, k in enumerate(kicks) if k is not None]
    kick_slot = np.full(c.size, -1, dtype=np.int64)
    kick_slot[slots] = np.arange(len(slots))
    return _SplitPlan(
        c=c,
        dt=dt,
        starts=starts,
        mid_offsets=starts + 0.5 * c * dt,
        kerr_h=kerr_after,
        sub_index=np.tile(np.arange(weights.size), per_sample),
        max_weight=float(np.abs(weights).max()),
        e_sub=np.array([np.exp(lin * w * dt) for w in weights]),
        kick_slot=kick_slot,
        kick_scale=np.array([kicks[q] for q in slots]).reshape(len(slots), lin.size),
    )


def _split_kicks(
    noise: _VacuumNoise | None, per_sample: int, n_sub: int, dt: float
) -> list[np.ndarray | None]:
    """Kick scale after each of the per_sample * n_sub substeps of a sample interval, or None:
    kicks end evenly spaced groups of whole steps dt (2/kappa), the last one the interval."""
    kicks: list[np.ndarray | None] = [None] * (per_sample * n_sub)
    if noise is None:
        return kicks
    m = min(per_sample, _kicks_per_interval(per_sample * dt))
    ends = [round(j * per_sample / m) for j in range(m + 1)]
    scales: dict[int, np.ndarray] = {}
    for k0, k1 in itertools.pairwise(ends):
        scale = scales.get(k1 - k0)
        if scale is None:
            scale = scales[k1 - k0] = noise.scale((k1 - k0) * dt)
        kicks[k1 * n_sub - 1] = scale
    return kicks


def _split_step(
    model: LLEModel,
    det: PiecewiseLinear,
    pmp: PiecewiseLinear,
    duration: float,
    psi: np.ndarray,
    dt: float,
    n_samples: int,
    method: str,
    noise: _VacuumNoise | None,
) -> Trajectory:
    """Fixed-step split-step run ("strang" or "split4") of the batch psi (B, N) over duration
    (2/kappa) with steps of about dt and optional noise kicks, recording n_samples samples."""
    # Every step is a sequence of Strang substeps of sizes c_j dt: Kerr(c_j dt/2) Lin(c_j dt)
    # Kerr(c_j dt/2), with adjacent Kerr halves merged. The linear step is exact for the
    # substep's midpoint detuning and pump (e^{L h} a + f (e^{L h} - 1)/L on the pumped mode);
    # each sample interval runs compiled (:func:`kernels.split_interval`), with the interval's
    # noise kicks drawn beforehand in the order they are applied.
    from qkdchip.simulations.comb import kernels

    b, n = psi.shape
    per_sample = max(1, math.ceil(duration / dt / (n_samples - 1)))
    dt = duration / (per_sample * (n_samples - 1))
    setup, _ = _start(model, det, pmp, psi, n_samples)
    plan = _split_plan(setup.lin, np.array(_SUBSTEPS[method]), per_sample, dt, noise)
    fft_plan = kernels.fft_plan(n)
    aux_idx = np.array([m for m, _, _, _ in setup.aux], dtype=np.int64)
    aux_amp = np.array([amp for _, amp, _, _ in setup.aux], dtype=float)
    aux_sig = np.array([sigma for _, _, sigma, _ in setup.aux], dtype=float)
    thermal = np.zeros(2)
    if setup.thermal is not None:
        thermal[:] = setup.thermal.coefficient, setup.thermal.response_time
    kick_noise = np.zeros((plan.kick_scale.shape[0], b, 2 * n))
    psi = np.ascontiguousarray(psi, dtype=complex)
    for s in range(1, n_samples):
        t0 = (s - 1) * per_sample * dt
        mids = t0 + plan.mid_offsets
        if noise is not None:
            noise.rng.standard_normal(out=kick_noise)
        zeta, f = _members(det(mids), b), _members(pmp(mids), b)
        peak = kernels.split_interval(
            psi, dt, plan.c, plan.sub_index, plan.e_sub, plan.kerr_h, plan.starts, t0, zeta, f,
            setup.lin, aux_idx, aux_amp, aux_sig, setup.theta, thermal, plan.kick_slot,
            plan.kick_scale, kick_noise, *fft_plan,
        )  # fmt: skip
        _check_kerr_phase(peak * plan.max_weight * dt, t0)
        t_s = s * per_sample * dt
        setup.recorder.record(s, t_s, setup.theta, psi, setup.fft(psi.copy()))
    return setup.recorder.result(psi, model.mu, method, per_sample * (n_samples - 1), 0)


def _members(values: np.ndarray, b: int) -> np.ndarray:
    """Schedule values (K, 1) or (K, B) as a new contiguous (K, B) array."""
    return np.broadcast_to(values, (values.shape[0], b)).copy()


def _check_kerr_phase(phase: float, t0: float) -> None:
    """Raise ValueError when the Kerr phase of the largest substep (rad), from the peak power
    at the start of the interval starting at t0 (2/kappa), exceeds :data:`MAX_KERR_PHASE`."""
    if phase > MAX_KERR_PHASE:
        raise ValueError(
            f"the Kerr phase per step reached {phase:.3g} rad at tau={t0:.4g} (limit "
            f"{MAX_KERR_PHASE}): the sweep left the split-step stability limits; reduce dt"
        )


@dataclass(frozen=True, eq=False)
class _Picture:
    """RK4IP operators of a batch in the interaction picture of the linear operator (mode
    domain).

    Attributes:
        rhs: stage function M(a, tau, f) = N / i: Kerr term and drives.
        f_at: pump amplitude f at tau, (B,).
        propagator: propagator(step, t0, t1, out) writes exp(L step - i int_t0^t1 (zeta -
            theta)) into out and returns it.
        norm: L2 norm of each member's mode amplitudes, (B,).
    """

    rhs: Callable[[np.ndarray, float, np.ndarray], np.ndarray]
    f_at: Callable[[float], np.ndarray]
    propagator: Callable[[float, float, float, np.ndarray], np.ndarray]
    norm: Callable[[np.ndarray], np.ndarray]


def _interaction_picture(
    setup: _Setup,
    det: PiecewiseLinear,
    pmp: PiecewiseLinear,
    shape: tuple[int, int],
    cdtype: np.dtype,
) -> _Picture:
    """The RK4IP operators for mode-domain batches of the given shape (B, N) and complex dtype;
    the detuning is exact for piecewise-linear schedules."""
    b, n = shape
    rdtype = np.float32 if cdtype == np.complex64 else np.float64
    fft, ifft, lin, aux, theta = setup.fft, setup.ifft, setup.lin, setup.aux, setup.theta
    p_buf = np.empty(shape, rdtype)
    exp_cache: dict[float, np.ndarray] = {}

    def rhs(x: np.ndarray, tau: float, f: np.ndarray) -> np.ndarray:
        # M(x) = FFT(|psi|^2 psi) - i f e_0 (- i aux drives), so that N = i M
        field = ifft(x)
        np.abs(field, out=p_buf)
        np.multiply(p_buf, p_buf, out=p_buf)
        np.multiply(field, p_buf, out=field)
        out = fft(field)
        out[..., 0] -= 1j * f
        for j, amp, sigma, _ in aux:
            out[..., j] -= 1j * amp * np.exp(-1j * sigma * tau)
        return out

    def phase_between(t0: float, t1: float) -> np.ndarray:
        ph = det.antiderivative(t1) - det.antiderivative(t0) - theta * (t1 - t0)
        return np.exp(-1j * ph)[:, None]

    def propagator(step: float, t0: float, t1: float, out: np.ndarray) -> np.ndarray:
        base = exp_cache.get(step)
        if base is None:
            base = np.exp(lin * step).astype(cdtype)
            if len(exp_cache) > 64:
                exp_cache.clear()
            exp_cache[step] = base
        return np.multiply(base, phase_between(t0, t1), out=out)

    def norm(x: np.ndarray) -> np.ndarray:
        flat = x.view(rdtype).reshape(b, 2 * n)
        return np.sqrt(np.einsum("ij,ij->i", flat, flat).astype(float))

    return _Picture(rhs, pmp.at, propagator, norm)


_Trial = Callable[[np.ndarray, np.ndarray, np.ndarray, float, float], tuple[np.ndarray, float]]


def _rk4ip_trial(
    picture: _Picture, shape: tuple[int, int], cdtype: np.dtype, rtol: float
) -> _Trial:
    """trial(a, a_new, k_fsal, tau, step) writes one RK4IP step of a from tau into a_new and
    returns its last stage (the next FSAL stage) and the largest error ratio of the embedded
    third-order estimate to the tolerance (accept at <= 1)."""
    rhs, f_at, propagator, norm = picture.rhs, picture.f_at, picture.propagator, picture.norm
    # absolute floor of the error norm: far below any physical line, above round-off
    atol = 1e-12
    e1, e2, a_i, tmp, acc, k1 = (np.empty(shape, cdtype) for _ in range(6))

    def trial(
        a: np.ndarray, a_new: np.ndarray, k_fsal: np.ndarray, tau: float, step: float
    ) -> tuple[np.ndarray, float]:
        nonlocal tmp, acc  # the in-place operators below rebind them (to the same buffers)
        mid, end = tau + 0.5 * step, tau + step
        propagator(0.5 * step, tau, mid, e1)
        propagator(0.5 * step, mid, end, e2)
        f_mid, f_end = f_at(mid), f_at(end)
        ih = 1j * step
        np.multiply(e1, a, out=a_i)
        np.multiply(e1, k_fsal, out=k1)
        np.multiply(k1, 0.5 * ih, out=tmp)
        tmp += a_i
        k2 = rhs(tmp, mid, f_mid)
        np.multiply(k2, 0.5 * ih, out=tmp)
        tmp += a_i
        k3 = rhs(tmp, mid, f_mid)
        np.multiply(k3, ih, out=tmp)
        tmp += a_i
        tmp *= e2
        k4 = rhs(tmp, end, f_end)
        np.add(k2, k3, out=acc)
        acc *= 2.0
        acc += k1
        acc *= ih / 6.0
        acc += a_i
        acc *= e2
        np.multiply(k4, ih / 6.0, out=a_new)
        a_new += acc
        k5 = rhs(a_new, end, f_end)
        np.subtract(k4, k5, out=tmp)
        ratio = norm(tmp) * (step / 10.0) / (atol + rtol * norm(a_new))
        return k5, float(ratio.max())

    return trial


def _on_step_grid(h: float) -> float:
    """Largest step of the geometric grid 2^(k/4) not above h (2/kappa); the grid lets the
    propagators be cached (the compiled loop's ``kernels.on_step_grid`` is the same)."""
    return 2.0 ** (math.floor(4 * math.log2(h)) / 4)


def _step_after_accept(err: float, step: float, h: float, h_max: float) -> float:
    """Next step (2/kappa) after accepting a trial of size step with error ratio err <= 1,
    h being the step proposed before it."""
    factor = 0.9 * err ** (-0.25) if err > 0 else 5.0
    if step == h or factor < 1.0:
        return _on_step_grid(min(h_max, step * min(5.0, max(0.2, factor))))
    return h


def _rk4ip_batch(
    model: LLEModel,
    det: PiecewiseLinear,
    pmp: PiecewiseLinear,
    duration: float,
    psi: np.ndarray,
    h: float,
    rtol: float,
    n_samples: int,
    noise: _VacuumNoise | None,
) -> Trajectory:
    """Adaptive RK4IP run of the batch psi (B, N) over duration (2/kappa) from a first step h,
    for the local relative tolerance rtol, with optional noise kicks, recording n_samples
    samples: numpy stages on scipy's row-vectorised transforms, which keep a member's share of
    a large batch cheaper than a one-member compiled run (:func:`_rk4ip`)."""
    # The interaction picture holds loss, dispersion and the (scalar, hence commuting) detuning:
    # its propagator over [t0, t1] is exp(L (t1 - t0) - i int_t0^t1 (zeta - theta)), exact for
    # piecewise-linear schedules. The stages only see the Kerr term and the drives; they are
    # stored divided by i (M = N / i), and the factor i goes into the stage weights. A noise
    # kick follows the first step ending at least `spacing` after the previous kick, and the
    # last step of every sample interval; it renews the first stage (FSAL) of the next step.
    setup, a = _start(model, det, pmp, psi, n_samples)
    picture = _interaction_picture(setup, det, pmp, a.shape, psi.dtype)
    trial = _rk4ip_trial(picture, a.shape, psi.dtype, rtol)
    a_new = np.empty(a.shape, psi.dtype)
    thermal, theta, norm = setup.thermal, setup.theta, picture.norm
    sample_times = np.linspace(0.0, duration, n_samples)
    interval = duration / (n_samples - 1)
    spacing = interval / _kicks_per_interval(interval)
    tol = 1e-14 * max(1.0, duration)
    tau = last_kick = 0.0
    k_fsal = picture.rhs(a, tau, picture.f_at(tau))
    steps = rejected = 0
    h_max = duration / 4.0
    h = _on_step_grid(h)
    for s in range(1, n_samples):
        t_end = sample_times[s]
        kick_at = math.inf if noise is None else min(last_kick + spacing, t_end - tol)
        while tau < t_end - tol:
            step = min(h, t_end - tau)
            k5, err = trial(a, a_new, k_fsal, tau, step)
            if not math.isfinite(err):
                raise ValueError(
                    f"the field became non-finite at tau={tau:.4g}: the run left the "
                    "integrator's stability limits"
                )
            if err <= 1.0:
                tau += step
                a, a_new = a_new, a
                k_fsal = k5
                steps += 1
                if thermal is not None:
                    _relax_thermal(theta, norm(a) ** 2, step, thermal)
                h = _step_after_accept(err, step, h, h_max)
                if tau >= kick_at:
                    noise.kick(a, noise.scale(tau - last_kick))
                    k_fsal = picture.rhs(a, tau, picture.f_at(tau))
                    last_kick = tau
                    kick_at = min(tau + spacing, t_end - tol)
            else:
                rejected += 1
                h = _on_step_grid(step * min(1.0, max(0.2, 0.9 * err ** (-0.25))))
                if h < 1e-12 * duration:
                    raise ValueError(
                        f"the adaptive step fell below {1e-12 * duration:.3g} at tau={tau:.4g}: "
                        "the run left the integrator's stability limits"
                    )
        full = a.astype(complex)
        psi = np.fft.ifft(full, norm="forward")
        setup.recorder.record(s, tau, theta, psi, full)
    return setup.recorder.result(psi, model.mu, "rk4ip", steps, rejected)


def _rk4ip(
    model: LLEModel,
    det: PiecewiseLinear,
    pmp: PiecewiseLinear,
    duration: float,
    psi: np.ndarray,
    h: float,
    rtol: float,
    n_samples: int,
    noise: _VacuumNoise | None,
) -> Trajectory:
    """Adaptive RK4IP run of one member psi (1, N) over duration (2/kappa) from a first step
    h, for the local relative tolerance rtol, with optional noise kicks, recording n_samples
    samples, in the compiled loop (the numpy stages of :func:`_rk4ip_batch` are bound by
    call overhead for one member)."""
    # The scheme, step control and noise kicks of _rk4ip_batch; the steps between two kicks
    # run compiled (:func:`kernels.rk4ip_advance`), and a kick renews the first stage there.
    from qkdchip.simulations.comb import kernels

    setup, a = _start(model, det, pmp, psi, n_samples)
    b, n = a.shape
    a = np.ascontiguousarray(a, dtype=psi.dtype)
    plan = kernels.fft_plan(n)
    det_t, det_v, det_c = _member_knots(det, b)
    pump_t, pump_v, _ = _member_knots(pmp, b)
    aux_idx = np.array([m for m, _, _, _ in setup.aux], dtype=np.int64)
    aux_amp = np.array([amp for _, amp, _, _ in setup.aux], dtype=float)
    aux_sig = np.array([sigma for _, _, sigma, _ in setup.aux], dtype=float)
    thermal = np.zeros(2)
    if setup.thermal is not None:
        thermal[:] = setup.thermal.coefficient, setup.thermal.response_time
    k_fsal = np.empty_like(a)
    sample_times = np.linspace(0.0, duration, n_samples)
    interval = duration / (n_samples - 1)
    spacing = interval / _kicks_per_interval(interval)
    tol = 1e-14 * max(1.0, duration)
    # tau, t_end, kick_at, h, h_max, rtol, atol (error-norm floor: far below any physical
    # line, above round-off), duration, renew the first stage
    state = np.array(
        [0.0, 0.0, math.inf, _on_step_grid(h), duration / 4.0, rtol, 1e-12, duration, 1.0]
    )
    counts = np.zeros(2, dtype=np.int64)
    last_kick = 0.0
    for s in range(1, n_samples):
        t_end = sample_times[s]
        state[1] = t_end
        if noise is not None:
            state[2] = min(last_kick + spacing, t_end - tol)
        while True:
            status = kernels.rk4ip_advance(
                a, k_fsal, state, counts, setup.lin, det_t, det_v, det_c, pump_t, pump_v,
                aux_idx, aux_amp, aux_sig, setup.theta, thermal, *plan,
            )  # fmt: skip
            tau = float(state[0])
            if status == 1:
                raise ValueError(
                    f"the field became non-finite at tau={tau:.4g}: the run left the "
                    "integrator's stability limits"
                )
            if status == 2:
                raise ValueError(
                    f"the adaptive step fell below {1e-12 * duration:.3g} at tau={tau:.4g}: "
                    "the run left the integrator's stability limits"
                )
            if noise is not None and tau >= state[2]:
                noise.kick(a, noise.scale(tau - last_kick))
                state[8] = 1.0
                last_kick = tau
                state[2] = min(tau + spacing, t_end - tol)
            if tau >= t_end - tol:
                break
        full = a.astype(complex)
        psi = np.fft.ifft(full, norm="forward")
        setup.recorder.record(s, tau, setup.theta, psi, full)
    return setup.recorder.result(psi, model.mu, "rk4ip", int(counts[0]), int(counts[1]))


def _member_knots(schedule: PiecewiseLinear, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Knot times (K,), values (K, B) and their running integral (K, B) of a schedule, with
    one-member schedules repeated over the b members."""
    return (
        schedule.times.copy(),
        _members(schedule.values, b),
        _members(schedule.integral_at_knots, b),
    )
