"""Stationary states of the normalised LLE: Newton solves, stability, arclength continuation.

Unknowns are the real and imaginary parts of psi(phi) on the N-point grid plus the drift
velocity v of the co-moving frame (states of an asymmetric D_int drift). The residual is

    G(psi) = -(i zeta0) psi + M psi + i |psi|^2 psi + f + v d psi/d phi,

with M the spectral operator of -l_mu - i d_mu. A phase condition against the previous
iterate's derivative removes the translation symmetry so the bordered Jacobian is regular.
Homogeneous (CW) states have no translation mode and are solved without v.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from qkdchip.simulations.comb.analysis import resolution_problem
from qkdchip.simulations.comb.model import LLEModel

__all__ = [
    "Branch",
    "StationaryState",
    "continue_in_detuning",
    "newton_solve",
    "stability_eigenvalues",
]

_TRANSLATION_EIGEN_TOL = 1e-6
# An eigenvalue is taken for the translation mode only when its eigenvector's overlap with
# d psi/d phi exceeds this and its real part is this small against the loss rate 1: on a grid
# too coarse for the state the mode is pinned away from zero, or is itself the instability of a
# state centred between grid points.
_TRANSLATION_MIN_OVERLAP = 0.9
_TRANSLATION_MAX_RATE = 0.1


@dataclass(frozen=True, eq=False)
class StationaryState:
    """A stationary solution of the LLE.

    Attributes:
        field: psi(phi), (N,).
        zeta0: detuning.
        f: pump amplitude.
        velocity: drift velocity d phi / d tau of the co-moving frame.
        residual: final max-norm of the residual.
        iterations: Newton iterations used.
        max_growth: largest real part of the Jacobian's eigenvalues, excluding the
            translation mode (negative: stable); NaN when stability was not computed.
        stable: max_growth below the stability tolerance (False when not computed, as in
            :class:`Branch`).
        resolution_warning: why the grid under-resolves the state (see
            :func:`~.analysis.resolution_problem`), None when it resolves it.
    """

    field: np.ndarray
    zeta0: float
    f: float
    velocity: float
    residual: float
    iterations: int
    max_growth: float
    stable: bool
    resolution_warning: str | None = None

    @property
    def peak_power(self) -> float:
        """max |psi|^2."""
        return float(np.max(np.abs(self.field) ** 2))

    @property
    def spectrum(self) -> np.ndarray:
        """|psi_mu|^2 in ascending mu order."""
        return np.fft.fftshift(np.abs(np.fft.fft(self.field, norm="forward")) ** 2)


@dataclass(frozen=True, eq=False)
class Branch:
    """A branch traced by pseudo-arclength continuation in detuning.

    Attributes:
        zeta0: detuning of each point (K,).
        energy: mean intracavity power <|psi|^2> (K,).
        peak: peak power max |psi|^2 (K,).
        max_growth: largest eigenvalue real part (translation mode excluded) (K,); NaN where
            stability was not computed.
        stable: stability of each point (K,) (False where not computed).
        folds: detunings where the branch turns (sign change of d zeta0/ds).
        fields: psi(phi) of every point (K, N).
        velocity: drift velocity d phi / d tau of each point's co-moving frame (K,); None
            when not recorded.
        arclength: pseudo-arclength s of each point (K,), s = 0 at the start, measured in the
            Euclidean norm of (Re psi, Im psi, v, zeta0); None when not recorded.
        fold_indices: for each fold, the index of the first point past it.
    """

    zeta0: np.ndarray
    energy: np.ndarray
    peak: np.ndarray
    max_growth: np.ndarray
    stable: np.ndarray
    folds: tuple[float, ...]
    fields: np.ndarray
    velocity: np.ndarray | None = None
    arclength: np.ndarray | None = None
    fold_indices: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready summary (fields left out)."""
        return {
            "zeta0": self.zeta0.tolist(),
            "energy": self.energy.tolist(),
            "peak": self.peak.tolist(),
            "max_growth": [None if np.isnan(g) else float(g) for g in self.max_growth],
            "stable": self.stable.tolist(),
            "folds": list(self.folds),
            "fold_indices": list(self.fold_indices),
            "velocity": None if self.velocity is None else self.velocity.tolist(),
            "arclength": None if self.arclength is None else self.arclength.tolist(),
        }


class _System:
    """Residual and Jacobian pieces for one model and pump."""

    def __init__(self, model: LLEModel, f: float) -> None:
        if model.aux_pumps or model.thermal is not None:
            raise ValueError("stationary states need a single pump and no thermal shift")
        n = model.n_modes
        self.n = n
        self.f = f
        eye = np.eye(n)
        lin = model.linear_operator()
        self.m_op = np.fft.ifft(lin[:, None] * np.fft.fft(eye, axis=0), axis=0)
        mu = model.mu_fft
        self.ik = 1j * mu
        self.d_op = np.fft.ifft(self.ik[:, None] * np.fft.fft(eye, axis=0), axis=0)

    def deriv(self, psi: np.ndarray) -> np.ndarray:
        return np.fft.ifft(self.ik * np.fft.fft(psi))

    def residual(self, psi: np.ndarray, zeta: float, v: float) -> np.ndarray:
        g = -1j * zeta * psi + self.m_op @ psi + 1j * np.abs(psi) ** 2 * psi + self.f
        if v != 0.0:
            g = g + v * self.deriv(psi)
        return g

    def jacobian(self, psi: np.ndarray, zeta: float, v: float) -> np.ndarray:
        """Real 2N x 2N Jacobian of [Re G, Im G] w.r.t. [Re psi, Im psi]."""
        a_op = self.m_op + np.diag(-1j * zeta + 2j * np.abs(psi) ** 2)
        if v != 0.0:
            a_op = a_op + v * self.d_op
        b_diag = 1j * psi**2
        plus = a_op.copy()
        plus[np.diag_indices(self.n)] += b_diag
        minus = a_op.copy()
        minus[np.diag_indices(self.n)] -= b_diag
        return np.block([[plus.real, -minus.imag], [plus.imag, minus.real]])


def _eigvals(jac: np.ndarray) -> np.ndarray:
    """Eigenvalues of a dense real matrix.

    numpy's LAPACK dgeev rather than scipy's: on a busy two-core machine the multithreaded
    OpenBLAS bundled with scipy took 1.3 s for a 256 x 256 Jacobian against 0.025 s here.
    """
    return np.linalg.eigvals(jac)


def _real(z: np.ndarray) -> np.ndarray:
    return np.concatenate([z.real, z.imag])


def _cplx(x: np.ndarray, n: int) -> np.ndarray:
    return x[:n] + 1j * x[n : 2 * n]


def _is_homogeneous(psi: np.ndarray) -> bool:
    return float(np.ptp(np.abs(psi) ** 2)) <= 1e-8 * max(1.0, float(np.max(np.abs(psi) ** 2)))


def stability_eigenvalues(
    model: LLEModel, field: np.ndarray, *, zeta0: float, f: float, velocity: float = 0.0
) -> np.ndarray:
    """Eigenvalues of the real Jacobian at a state, sorted by decreasing real part.

    Args:
        model: the normalised model.
        field: psi(phi), (N,).
        zeta0: detuning.
        f: pump amplitude.
        velocity: drift velocity of the co-moving frame.
    """
    system = _System(model, f)
    eig = _eigvals(system.jacobian(np.asarray(field, complex), zeta0, velocity))
    return eig[np.argsort(-eig.real)]


def _overlap(jac: np.ndarray, eigenvalue: complex, slope: np.ndarray) -> float:
    """Overlap |<v, slope>| / (|v| |slope|) of the eigenvector v of jac at eigenvalue with slope.

    v comes from two steps of inverse iteration from a fixed start vector, with the shift moved
    off the eigenvalue by 1e-10 of the matrix scale so that the solve stays regular.
    """
    size = jac.shape[0]
    shift = (eigenvalue.real if eigenvalue.imag == 0 else eigenvalue) + 1e-10 * np.abs(jac).max()
    shifted = jac - shift * np.eye(size)
    vec = np.cos(np.arange(size) * np.sqrt(2.0))
    for _ in range(2):
        vec = np.linalg.solve(shifted, vec)
        vec /= np.linalg.norm(vec)
    return float(np.abs(np.vdot(vec, slope)) / np.linalg.norm(slope))


def _max_growth(jac: np.ndarray, eig: np.ndarray, slope: np.ndarray | None) -> float:
    """Largest real part of the eigenvalues eig of the real Jacobian jac, leaving out the
    translation mode.

    The translation mode is the eigenvalue whose eigenvector is most nearly parallel to the
    state's azimuthal derivative slope = [Re, Im] d psi/d phi, dropped only when that overlap
    exceeds 0.9 and its real part is below 0.1 in magnitude. The pump breaks the phase-rotation
    symmetry, so there is no second neutral mode; homogeneous states (slope None) have none.
    """
    if slope is None:
        return float(eig.real.max())
    candidates = np.nonzero(np.abs(eig.real) < _TRANSLATION_MAX_RATE)[0]
    if candidates.size == 0:
        return float(eig.real.max())
    overlaps = [_overlap(jac, eig[k], slope) for k in candidates]
    best = int(np.argmax(overlaps))
    if overlaps[best] <= _TRANSLATION_MIN_OVERLAP:
        return float(eig.real.max())
    return float(np.delete(eig, candidates[best]).real.max())


def _growth(system: _System, psi: np.ndarray, zeta: float, v: float) -> float:
    """Largest growth rate (translation mode excluded) of the state psi at detuning zeta in the
    frame drifting at v."""
    jac = system.jacobian(psi, zeta, v)
    slope = None if _is_homogeneous(psi) else _real(system.deriv(psi))
    return _max_growth(jac, _eigvals(jac), slope)


def _growth_at(system: _System, y: np.ndarray, n: int) -> float:
    """Largest growth rate at a continuation vector [Re psi, Im psi, v, zeta0]."""
    return _growth(system, _cplx(y, n), y[-1], y[2 * n])


def _newton_update(
    system: _System,
    psi: np.ndarray,
    zeta0: float,
    v: float,
    g: np.ndarray,
    homogeneous: bool,
) -> tuple[np.ndarray, float]:
    """One Newton update of the field psi (N,) and drift velocity v from the residual g (N,);
    off homogeneous states the phase condition borders the Jacobian to fix the translation."""
    n = system.n
    jac = system.jacobian(psi, zeta0, v)
    if homogeneous:
        step = np.linalg.solve(jac, -_real(g))
        return psi + _cplx(step, n), v
    w = _real(system.deriv(psi))
    big = np.zeros((2 * n + 1, 2 * n + 1))
    big[: 2 * n, : 2 * n] = jac
    big[: 2 * n, 2 * n] = w
    big[2 * n, : 2 * n] = w
    rhs = np.concatenate([-_real(g), [0.0]])
    step = np.linalg.solve(big, rhs)
    return psi + _cplx(step, n), v + float(step[2 * n])


def newton_solve(
    model: LLEModel,
    guess: np.ndarray,
    *,
    zeta0: float,
    f: float,
    tol: float = 1e-10,
    max_iter: int = 40,
    stability: bool = True,
) -> StationaryState:
    """Newton iteration for a stationary state near ``guess``.

    Args:
        model: normalised model (single pump, no thermal shift).
        guess: initial psi(phi), (N,) (for example the end of a time-domain run).
        zeta0: detuning.
        f: pump amplitude (>= 0).
        tol: convergence threshold on the max-norm of the residual.
        max_iter: iteration limit.
        stability: compute the Jacobian eigenvalues.

    Warns (RuntimeWarning) when the grid under-resolves the converged state (see
    :func:`~.analysis.resolution_problem`).

    Raises:
        ValueError: bad input, or no convergence within max_iter.
    """
    if not np.isfinite(f) or f < 0:
        raise ValueError(f"f={f!r} must be finite and >= 0")
    if not np.isfinite(zeta0):
        raise ValueError(f"zeta0={zeta0!r} must be finite")
    psi = np.array(guess, dtype=complex)
    if psi.shape != (model.n_modes,):
        raise ValueError(f"guess has shape {psi.shape}, need ({model.n_modes},)")
    system = _System(model, f)
    homogeneous = _is_homogeneous(psi)
    v = 0.0
    res = np.inf
    it = 0
    while it < max_iter:
        g = system.residual(psi, zeta0, v)
        res = float(np.max(np.abs(g)))
        if res <= tol:
            break
        it += 1
        psi, v = _newton_update(system, psi, zeta0, v, g, homogeneous)
        if not np.all(np.isfinite(psi)):
            break
    if it == max_iter:
        g = system.residual(psi, zeta0, v)
        res = float(np.max(np.abs(g)))
    if not (res <= tol and np.all(np.isfinite(psi))):
        raise ValueError(
            f"Newton did not converge at zeta0={zeta0}, f={f} (residual {res:.3g} after {it} "
            "iterations); start from a closer guess"
        )
    growth = _growth(system, psi, zeta0, v) if stability else np.nan
    problem = resolution_problem(psi)
    if problem is not None:
        warnings.warn(problem, RuntimeWarning, stacklevel=2)
    return StationaryState(
        field=psi,
        zeta0=float(zeta0),
        f=float(f),
        velocity=float(v),
        residual=res,
        iterations=it,
        max_growth=float(growth),
        stable=bool(growth < _TRANSLATION_EIGEN_TOL),
        resolution_warning=problem,
    )


def _extended_jacobian(system: _System, y: np.ndarray, ref_w: np.ndarray) -> np.ndarray:
    """(2N + 1) x (2N + 2) Jacobian of [Re G, Im G, phase condition] with respect to the
    continuation vector y = [Re psi, Im psi, v, zeta0]; ref_w is the phase condition's row."""
    n = system.n
    psi, v, zeta = _cplx(y, n), y[2 * n], y[2 * n + 1]
    jac = np.zeros((2 * n + 1, 2 * n + 2))
    jac[: 2 * n, : 2 * n] = system.jacobian(psi, zeta, v)
    jac[: 2 * n, 2 * n] = _real(system.deriv(psi))
    jac[: 2 * n, 2 * n + 1] = _real(-1j * psi)
    jac[2 * n, : 2 * n] = ref_w
    return jac


def _extended_residual(
    system: _System, y: np.ndarray, ref: np.ndarray, ref_w: np.ndarray
) -> np.ndarray:
    """[Re G, Im G] at the continuation vector y, with the phase condition ref_w . (y - ref)
    against the reference point ref, (2N + 1,)."""
    n = system.n
    psi, v, zeta = _cplx(y, n), y[2 * n], y[2 * n + 1]
    g = _real(system.residual(psi, zeta, v))
    return np.concatenate([g, [ref_w @ (y[: 2 * n] - ref[: 2 * n])]])


def _unit_tangent(jac: np.ndarray, border: np.ndarray) -> np.ndarray:
    """Unit tangent t of the branch: jac t = 0 with the normalisation border . t = 1."""
    rhs = np.concatenate([np.zeros(jac.shape[0]), [1.0]])
    tangent = np.linalg.solve(np.vstack([jac, border]), rhs)
    tangent /= np.linalg.norm(tangent)
    return tangent


def _correct(
    system: _System,
    predicted: np.ndarray,
    y: np.ndarray,
    ref_w: np.ndarray,
    tangent: np.ndarray,
    tol: float,
) -> tuple[np.ndarray | None, int]:
    """Newton corrector from the predicted point, on the plane through it normal to the
    tangent; returns the converged point (None after eight iterations or a non-finite iterate)
    and the number of iterations."""
    z = predicted.copy()
    iterations = 0
    while iterations <= 8:
        r = np.concatenate([_extended_residual(system, z, y, ref_w), [tangent @ (z - predicted)]])
        if np.max(np.abs(r)) <= tol:
            return z, iterations
        if iterations == 8:
            break
        big = np.vstack([_extended_jacobian(system, z, ref_w), tangent])
        z = z + np.linalg.solve(big, -r)
        iterations += 1
        if not np.all(np.isfinite(z)):
            break
    return None, iterations


def _adapted_ds(ds: float, iterations: int, ds_max: float) -> float:
    """Next arclength step after a corrector that took the given Newton iterations: x1.5 (up to
    ds_max) after at most three, unchanged after four or five, x0.7 after more."""
    if iterations <= 3:
        return min(ds_max, ds * 1.5)
    if iterations > 5:
        return ds * 0.7
    return ds


@dataclass(eq=False)
class _Trace:
    """A branch as it is traced: continuation vectors [Re psi, Im psi, v, zeta0], growth rates
    (NaN where not computed), pseudo-arclength and folds."""

    points: list[np.ndarray]
    growth: list[float]
    arclength: list[float]
    folds: list[float]
    fold_indices: list[int]

    def add(
        self,
        z: np.ndarray,
        y: np.ndarray,
        tangent: np.ndarray,
        new_tangent: np.ndarray,
        growth: float,
    ) -> None:
        """Append the point z reached from the last point y along the unit tangent; a fold lies
        between them when d zeta0/ds changes sign from tangent to new_tangent."""
        if np.sign(new_tangent[-1]) != np.sign(tangent[-1]) and tangent[-1] != 0:
            self.folds.append(float(z[-1]))
            self.fold_indices.append(len(self.points))
        # pseudo-arclength increment: the step's projection on the previous unit tangent
        self.arclength.append(self.arclength[-1] + float(tangent @ (z - y)))
        self.points.append(z.copy())
        self.growth.append(growth)

    def fill_fold_growth(self, system: _System) -> None:
        """Compute the growth rates at the two points bracketing each fold and at the last
        point (and at the start when it has none)."""
        wanted = {len(self.points) - 1}
        for k in self.fold_indices:
            wanted.update((k - 1, k))
        for k in sorted(wanted):
            if k > 0 or not np.isfinite(self.growth[0]):
                self.growth[k] = _growth_at(system, self.points[k], system.n)

    def branch(self, n: int) -> Branch:
        """The traced :class:`Branch` of an N-mode system."""
        ys = np.array(self.points)
        fields = ys[:, :n] + 1j * ys[:, n : 2 * n]
        power = np.abs(fields) ** 2
        growth = np.array(self.growth)
        return Branch(
            zeta0=ys[:, -1],
            energy=power.mean(axis=1),
            peak=power.max(axis=1),
            max_growth=growth,
            stable=growth < _TRANSLATION_EIGEN_TOL,
            folds=tuple(self.folds),
            fields=fields,
            velocity=ys[:, 2 * n].copy(),
            arclength=np.array(self.arclength),
            fold_indices=tuple(self.fold_indices),
        )


def continue_in_detuning(
    model: LLEModel,
    start: StationaryState,
    *,
    zeta_min: float,
    zeta_max: float,
    direction: float = 1.0,
    ds: float = 0.05,
    ds_max: float = 0.5,
    max_points: int = 400,
    tol: float = 1e-9,
    max_folds: int | None = None,
    stability: bool | str = True,
) -> Branch:
    """Pseudo-arclength continuation of a stationary state in zeta0, through folds.

    Args:
        model: normalised model.
        start: a converged state (from :func:`newton_solve`).
        zeta_min: stop when the branch leaves [zeta_min, zeta_max].
        zeta_max: see zeta_min.
        direction: initial sign of d zeta0/ds (+1 or -1).
        ds: initial arclength step.
        ds_max: largest arclength step.
        max_points: point limit.
        tol: corrector tolerance (max-norm of the residual).
        max_folds: stop after passing this many folds (None: no limit).
        stability: True: Jacobian eigenvalues at every point; "folds": only at the two points
            bracketing each fold and at the last point (one dense eigenvalue solve costs
            O((2N)^3), far more than a corrector step, so this is the fast way to follow long
            branches such as the collapsed snaking of dark pulses); False: nowhere. Points
            without eigenvalues get NaN growth.

    The step adapts to the corrector: it grows by 1.5 (up to ds_max) after a corrector that
    needed at most three Newton iterations, stays after four or five, shrinks by 0.7 after
    more, and halves after a failed corrector.

    Returns:
        The traced :class:`Branch`; it ends at the window edge, at max_points, after max_folds
        folds, or where the branch collapses to a homogeneous state.
    """
    if not zeta_min < start.zeta0 < zeta_max:
        raise ValueError(
            f"start zeta0={start.zeta0} must lie inside (zeta_min={zeta_min}, zeta_max={zeta_max})"
        )
    if ds <= 0 or ds_max < ds:
        raise ValueError(f"need 0 < ds={ds} <= ds_max={ds_max}")
    if stability not in (True, False, "folds"):
        raise ValueError(f"stability={stability!r} must be True, False or 'folds'")
    system = _System(model, start.f)
    n = model.n_modes
    y = np.concatenate([_real(start.field), [start.velocity, start.zeta0]])
    ref_w = _real(system.deriv(start.field))
    seed = np.zeros(2 * n + 2)
    seed[-1] = np.sign(direction) or 1.0
    tangent = _unit_tangent(_extended_jacobian(system, y, ref_w), seed)
    trace = _Trace([y.copy()], [start.max_growth], [0.0], [], [])
    while len(trace.points) < max_points:
        z, iterations = _correct(system, y + ds * tangent, y, ref_w, tangent, tol)
        if z is None:
            ds *= 0.5
            if ds < 1e-6:
                break
            continue
        ref_w = _real(system.deriv(_cplx(z, n)))
        new_tangent = _unit_tangent(_extended_jacobian(system, z, ref_w), tangent)
        growth = _growth_at(system, z, n) if stability is True else np.nan
        trace.add(z, y, tangent, new_tangent, growth)
        tangent, y = new_tangent, z
        if not zeta_min <= y[-1] <= zeta_max or _is_homogeneous(_cplx(y, n)):
            break
        if max_folds is not None and len(trace.folds) >= max_folds:
            break
        ds = _adapted_ds(ds, iterations, ds_max)
    if stability == "folds":
        trace.fill_fold_growth(system)
    return trace.branch(n)
