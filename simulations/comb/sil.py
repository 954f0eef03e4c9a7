"""Self-injection locking (SIL) of the comb's pump laser to the microresonator.

The server's InP DFB laser faces the Si3N4 ring through an air gap. Rayleigh backscattering
couples the ring's forward (pumped) mode to its backward mode at the rate gamma; the backward
mode leaks back into the laser, whose frequency it pulls. In the normalised units of the
Lugiato-Lefever model (:mod:`qkdchip.simulations.comb.model`: tau = kappa t / 2, fields in the
frame of the laser, zeta0 = 2 (omega_0 - omega_laser) / kappa)::

    d psi/d tau  = -(l_mu + i zeta0) psi - i d_mu psi + i |psi|^2 psi + (f + i beta b) delta_mu0
    d b/d tau    = -(1 + i zeta0) b + i beta psi_0 + 2 i P b
    zeta0(tau)   = xi + K Im(e^{i phi} b / f) + sqrt(2 D) w(tau)

with beta = 2 gamma / kappa the normalised backscattering, b the backward mode (its cross-phase
shift 2P from the forward power P), xi = 2 (omega_0 - omega_free) / kappa the free-running
laser's detuning, K the normalised feedback strength and phi the feedback phase (the air gap's
round trip plus the laser's arctan(alpha)). The laser's amplitude follows its gain faster than
anything here (class-A limit), so only its frequency is dynamic; D is its free-running phase
diffusion (white frequency noise, Lorentzian linewidth). This is the coupled laser-LLE model
of Kondratiev et al., Opt. Express 25, 28167 (2017), and Voloshin et al., Nat. Commun. 12, 235
(2021), in the adiabatic laser limit; Lihachev et al., Nat. Commun. 13, 1771 (2022) use it for
dark pulses (platicons) in normal dispersion.

Without Kerr the stationary locked states solve the tuning curve
``xi = zeta - K Im(e^{i phi} i beta / ((1 + i zeta)^2 + beta^2))``; a state is stable where
``S = d xi / d zeta > 0`` and the laser's frequency noise is divided by ``S`` there, so its
linewidth by ``S^2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qkdchip.validation import check_range

MAX_FEEDBACK = 1e5
"""Largest normalised feedback strength K accepted."""


@dataclass(frozen=True)
class SelfInjection:
    """How the pump laser and the ring are coupled.

    Attributes:
        feedback: normalised feedback strength K, [0, 1e5]: the pull on the laser's normalised
            frequency per unit backward field relative to the drive.
        backscatter: normalised backscattering beta = 2 gamma / kappa, [0, 100].
        phase_rad: feedback phase phi (air gap round trip plus arctan(alpha)), rad.
    """

    feedback: float
    backscatter: float
    phase_rad: float = -math.pi / 2

    def __post_init__(self) -> None:
        check_range("feedback", self.feedback, 0.0, MAX_FEEDBACK)
        check_range("backscatter", self.backscatter, 0.0, 100.0)
        check_range("phase_rad", self.phase_rad, -4 * math.pi, 4 * math.pi)

    def _response(self, zeta: np.ndarray) -> np.ndarray:
        """i beta e^{i phi} / D(zeta), D = (1 + i zeta)^2 + beta^2: the backward field per unit
        drive, rotated by the feedback phase."""
        d = (1.0 + 1j * zeta) ** 2 + self.backscatter**2
        return 1j * self.backscatter * np.exp(1j * self.phase_rad) / d

    def tuning_curve(self, zeta: np.ndarray | float) -> np.ndarray:
        """Free-running detuning xi that locks the laser at normalised detuning ``zeta``."""
        z = np.asarray(zeta, dtype=float)
        return z - self.feedback * np.imag(self._response(z))

    def stabilisation(self, zeta: np.ndarray | float) -> np.ndarray:
        """S = d xi / d zeta at the locked detuning ``zeta``: > 0 stable, the factor by which
        the laser's frequency noise is divided (its Lorentzian linewidth by S^2)."""
        z = np.asarray(zeta, dtype=float)
        d = (1.0 + 1j * z) ** 2 + self.backscatter**2
        derivative = -self._response(z) * 2j * (1.0 + 1j * z) / d
        return 1.0 - self.feedback * np.imag(derivative)

    def locked_states(self, xi: float) -> np.ndarray:
        """The stable locked detunings zeta for a free-running detuning ``xi`` (ascending).

        The tuning curve times |D|^2 is the quintic
        (zeta - xi)(A^2 + 4 zeta^2) - K beta (A cos phi + 2 zeta sin phi) = 0, A = 1 + beta^2
        - zeta^2; its real roots with S > 0 are the stable states.
        """
        beta, k = self.backscatter, self.feedback
        c, s = math.cos(self.phase_rad), math.sin(self.phase_rad)
        a = np.polynomial.Polynomial([1.0 + beta**2, 0.0, -1.0])
        zeta = np.polynomial.Polynomial([0.0, 1.0])
        quintic = (zeta - xi) * (a**2 + 4 * zeta**2) - k * beta * (a * c + 2 * zeta * s)
        roots = quintic.roots()
        real = np.sort(roots.real[np.abs(roots.imag) < 1e-9 * (1.0 + np.abs(roots.real))])
        return real[self.stabilisation(real) > 0]

    def locking_range(self, *, resolution: float = 1e-3) -> tuple[float, float]:
        """The free-running detunings (xi_low, xi_high) over which the laser stays on the
        locked branch through the ring's resonance (the branch of largest S within |zeta| <= 1),
        between the folds of the tuning curve where it unlocks.

        Args:
            resolution: step of the zeta grid the branch's ends are found on.

        Raises:
            ValueError: the feedback is too weak to fold the tuning curve (no locking range).
        """
        check_range("resolution", resolution, 1e-6, 0.1)
        half_width = 10.0 + 5.0 * (self.feedback * max(self.backscatter, 1e-12)) ** (1 / 3)
        zeta = np.arange(-half_width, half_width + resolution, resolution)
        s = self.stabilisation(zeta)
        core = np.flatnonzero(np.abs(zeta) <= 1.0)
        centre = core[np.argmax(s[core])]
        unstable = np.flatnonzero(s <= 0)
        left = unstable[unstable < centre]
        right = unstable[unstable > centre]
        if not (left.size and right.size):
            raise ValueError(
                f"feedback={self.feedback!r} with backscatter={self.backscatter!r} does not fold "
                "the tuning curve: the laser is pulled but never locked"
            )
        xi = self.tuning_curve(zeta[[left[-1] + 1, right[0] - 1]])
        return float(xi[0]), float(xi[1])

    def optimum_stabilisation(self) -> float:
        """S at resonance (zeta = 0) for phi = -pi/2: 1 + 2 K beta / (1 + beta^2)^2, the
        largest narrowing at zeta = 0 over the phase (greatest at beta = 1/sqrt(3))."""
        return 1.0 + 2.0 * self.feedback * self.backscatter / (1.0 + self.backscatter**2) ** 2


def feedback_for_linewidth(
    *, free_linewidth_hz: float, locked_linewidth_hz: float, backscatter: float
) -> float:
    """The feedback strength K whose optimum narrowing (:meth:`SelfInjection.
    optimum_stabilisation`) turns ``free_linewidth_hz`` into ``locked_linewidth_hz`` (Hz)."""
    check_range("free_linewidth_hz", free_linewidth_hz, 0.0, 1e10, low_open=True)
    check_range("locked_linewidth_hz", locked_linewidth_hz, 0.0, free_linewidth_hz, low_open=True)
    check_range("backscatter", backscatter, 0.0, 100.0, low_open=True)
    s = math.sqrt(free_linewidth_hz / locked_linewidth_hz)
    return (s - 1.0) * (1.0 + backscatter**2) ** 2 / (2.0 * backscatter)


@dataclass(frozen=True)
class PumpTrajectory:
    """Single-mode (pump mode only) self-injection-locking runs, one column per realisation.

    Attributes:
        tau: normalised times of the samples.
        zeta: the laser's instantaneous normalised detuning zeta0, (samples, realisations).
        phase: the laser's accumulated phase (integral of zeta0 d tau), rad, same shape.
        forward: the forward mode's field (frame of the laser), same shape.
        backward: the backward mode's field, same shape.
    """

    tau: np.ndarray
    zeta: np.ndarray
    phase: np.ndarray
    forward: np.ndarray
    backward: np.ndarray


def simulate_pump_mode(
    *,
    sil: SelfInjection,
    xi: np.ndarray,
    f: float,
    dtau: float,
    kerr: bool = False,
    phase_diffusion: float = 0.0,
    realisations: int = 1,
    rng: np.random.Generator | None = None,
    every: int = 1,
) -> PumpTrajectory:
    """Integrate the laser and the ring's forward and backward pump modes (stochastic Heun,
    Stratonovich: the same noise in both stages).

    Args:
        sil: the coupling.
        xi: the free-running laser's normalised detuning at each step (its length sets the
            number of steps); a ramp sweeps the laser's current.
        f: normalised drive (the LLE's f), > 0.
        dtau: normalised time step, (0, 0.1].
        kerr: include the Kerr shifts (self-phase of the forward, cross-phase of the backward
            mode).
        phase_diffusion: the free-running laser's normalised phase diffusion D
            (:func:`phase_diffusion_for_linewidth`).
        realisations: independent noise realisations run side by side, [1, 100000].
        rng: random generator (needed when phase_diffusion > 0).
        every: keep every ``every``-th step.
    """
    check_range("f", f, 0.0, 1e3, low_open=True)
    check_range("dtau", dtau, 0.0, 0.1, low_open=True)
    check_range("phase_diffusion", phase_diffusion, 0.0, 1e3)
    check_range("realisations", realisations, 1, 100000)
    check_range("every", every, 1, 10**9)
    xi = np.asarray(xi, dtype=float)
    if phase_diffusion > 0 and rng is None:
        raise ValueError("a random generator rng is needed when phase_diffusion > 0")
    beta, k = sil.backscatter, sil.feedback
    rotate = np.exp(1j * sil.phase_rad)
    nl = 1.0 if kerr else 0.0
    kick = math.sqrt(2.0 * phase_diffusion * dtau)

    def rates(a: np.ndarray, b: np.ndarray, zeta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = np.abs(a) ** 2
        da = -(1.0 + 1j * zeta) * a + 1j * nl * p * a + 1j * beta * b + f
        db = -(1.0 + 1j * zeta) * b + 1j * beta * a + 2j * nl * p * b
        return da, db

    kept = range(0, xi.size, every)
    shape = (len(kept), realisations)
    out_zeta, out_phase = np.empty(shape), np.empty(shape)
    out_a, out_b = np.empty(shape, dtype=complex), np.empty(shape, dtype=complex)
    a = np.zeros(realisations, dtype=complex)
    b = np.zeros(realisations, dtype=complex)
    theta = np.zeros(realisations)
    for i, x in enumerate(xi):
        jitter = rng.standard_normal(realisations) * (kick / dtau) if kick else 0.0
        zeta = x + k * np.imag(rotate * b) / f + jitter
        da1, db1 = rates(a, b, zeta)
        a1, b1 = a + dtau * da1, b + dtau * db1
        zeta1 = x + k * np.imag(rotate * b1) / f + jitter
        da2, db2 = rates(a1, b1, zeta1)
        a = a + 0.5 * dtau * (da1 + da2)
        b = b + 0.5 * dtau * (db1 + db2)
        step_zeta = 0.5 * (zeta + zeta1)
        theta = theta + step_zeta * dtau
        if i % every == 0:
            j = i // every
            out_zeta[j], out_phase[j], out_a[j], out_b[j] = step_zeta, theta, a, b
    tau = np.asarray(kept, dtype=float) * dtau
    return PumpTrajectory(tau, out_zeta, out_phase, out_a, out_b)


def phase_diffusion_for_linewidth(*, linewidth_hz: float, kappa: float) -> float:
    """Normalised phase diffusion D of a laser with Lorentzian FWHM ``linewidth_hz`` (Hz) for
    a ring of loss rate ``kappa`` (rad/s).

    The phase variance of a Lorentzian line of FWHM dnu grows as 2 (pi dnu) t; with
    tau = kappa t / 2 it grows as 2 D tau, so D = 2 pi dnu / kappa.
    """
    check_range("linewidth_hz", linewidth_hz, 0.0, 1e10)
    check_range("kappa", kappa, 0.0, 1e15, low_open=True)
    return 2.0 * math.pi * linewidth_hz / kappa
