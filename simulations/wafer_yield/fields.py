"""Correlated sampling of the hierarchical process model at die sites.

The within-wafer field of each parameter is sampled exactly at the die centres: the site
correlation matrix ``R_ij = rho(|r_i - r_j| / l)`` (see
:mod:`qkdchip.pdk.process_statistics.model` for ``rho`` and the length convention) is factorised
once per (correlation length, covariance kind) as ``R + eps I = F F^T``, ``F`` its lower
Cholesky factor, which maps independent standard normals ``z`` to the field
``sigma_within * F z``. The Cholesky factor is unique, so a seed gives the same fields on every
machine; an eigendecomposition (Karhunen-Loeve modes) is not: its vectors' signs, the basis of
equal-eigenvalue modes and the count above a cut-off change with the LAPACK kernel, and with
them every sampled die. ``eps = 1e-8`` keeps the Gaussian kernel's rounding-level eigenvalues
positive and bounds the factor's condition number, so different BLAS kernels agree to about
``1e-7`` in the sampled values; it adds a white component of ``1e-4`` of the field's sigma. All
wafers then share one matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qkdchip.pdk.process_statistics import ProcessStatistics
from qkdchip.simulations.wafer_yield.geometry import ProductDies
from qkdchip.simulations.wafer_yield.sampling import standard_normals

_JITTER = 1e-8
"""Added to the correlation matrix's diagonal before the Cholesky factorisation."""


def correlation(r_mm: NDArray[np.float64], *, correlation_length_mm: float, kind: str) -> NDArray:
    """Correlation ``rho(r / l)`` of the within-wafer field at lag ``r_mm``.

    Args:
        r_mm: lag distances (mm, >= 0).
        correlation_length_mm: ``l`` (mm, > 0); the correlation is 1/e at ``r = l``.
        kind: ``"gaussian"`` (``exp(-(r/l)^2)``) or ``"exponential"`` (``exp(-r/l)``).
    """
    if not correlation_length_mm > 0.0:
        raise ValueError(f"correlation_length_mm = {correlation_length_mm!r} must be > 0")
    u = np.asarray(r_mm, dtype=float) / correlation_length_mm
    if kind == "gaussian":
        return np.exp(-(u**2))
    if kind == "exponential":
        return np.exp(-u)
    raise ValueError(f"kind = {kind!r} must be 'gaussian' or 'exponential'")


def site_factor(
    x_mm: NDArray[np.float64],
    y_mm: NDArray[np.float64],
    *,
    correlation_length_mm: float,
    kind: str,
) -> NDArray[np.float64]:
    """Lower Cholesky factor ``F`` (n_sites x n_sites) with ``F F^T`` = the site correlation
    matrix plus ``1e-8`` on its diagonal (unique: the same on every machine)."""
    dx = x_mm[:, None] - x_mm[None, :]
    dy = y_mm[:, None] - y_mm[None, :]
    corr = correlation(np.hypot(dx, dy), correlation_length_mm=correlation_length_mm, kind=kind)
    return np.linalg.cholesky(corr + _JITTER * np.eye(len(x_mm)))


@dataclass(frozen=True)
class DieLevelSampler:
    """Samples every process parameter at every die of a grid, wafer by wafer.

    The value at die ``i`` of wafer ``w`` is ``nominal + wafer offset + field + bowl + die noise``
    (device noise is added per device by the evaluation). Build with :meth:`build`.
    """

    stats: ProcessStatistics
    grid: ProductDies
    factors: tuple[NDArray[np.float64] | None, ...]
    bowl: NDArray[np.float64]

    @classmethod
    def build(cls, stats: ProcessStatistics, grid: ProductDies) -> DieLevelSampler:
        """Factorise the site correlation once per distinct (length, kind)."""
        cache: dict[tuple[float, str], NDArray[np.float64]] = {}
        factors: list[NDArray[np.float64] | None] = []
        for p in stats.parameters:
            if p.sigma_within == 0.0:
                factors.append(None)
                continue
            key = (p.correlation_length_mm, p.covariance)
            if key not in cache:
                cache[key] = site_factor(
                    grid.x_mm, grid.y_mm, correlation_length_mm=key[0], kind=key[1]
                )
            factors.append(cache[key])
        rel_r2 = (grid.r_mm / grid.wafer_radius_mm) ** 2
        bowl = np.array([p.bowl_at_edge * rel_r2 for p in stats.parameters])
        return cls(stats=stats, grid=grid, factors=tuple(factors), bowl=bowl)

    @property
    def n_structured(self) -> int:
        """Standard normals per wafer that the (quasi-)random sampler supplies."""
        return len(self.stats.parameters) + sum(f.shape[1] for f in self.factors if f is not None)

    def structured_layout(self) -> list[tuple[int, int]]:
        """(parameter index, mode index; -1 = wafer offset) for each structured dimension.

        Wafer offsets come first (the leading, best-balanced Sobol dimensions carry the largest
        variance), then the sites' factor columns interleaved across parameters.
        """
        layout = [(p, -1) for p in range(len(self.stats.parameters))]
        max_modes = max((f.shape[1] for f in self.factors if f is not None), default=0)
        for m in range(max_modes):
            for p, f in enumerate(self.factors):
                if f is not None and m < f.shape[1]:
                    layout.append((p, m))
        return layout

    def structured_normals(
        self, n_wafers: int, rng: np.random.Generator, sampler: str
    ) -> NDArray[np.float64]:
        """Wafer-level standard normals (n_wafers x n_structured), MC or scrambled Sobol."""
        return standard_normals(n_wafers, self.n_structured, rng, sampler)

    def die_values(self, z: NDArray[np.float64], rng: np.random.Generator) -> NDArray[np.float64]:
        """Parameter values at the dies for the wafers whose structured normals are ``z``.

        Args:
            z: (n_wafers, n_structured) standard normals from :meth:`structured_normals`.
            rng: generator for the die-level white noise.

        Returns:
            Array (n_params, n_wafers, n_dies).
        """
        if z.ndim != 2 or z.shape[1] != self.n_structured:
            raise ValueError(f"z has shape {z.shape}; expected (n_wafers, {self.n_structured})")
        n_wafers = z.shape[0]
        n_params = len(self.stats.parameters)
        out = np.empty((n_params, n_wafers, self.grid.n_dies))
        mode_cols: list[list[int]] = [[] for _ in range(n_params)]
        for j, (p, m) in enumerate(self.structured_layout()):
            if m >= 0:
                mode_cols[p].append(j)
        for p, param in enumerate(self.stats.parameters):
            vals = out[p]
            vals[:] = param.nominal + self.bowl[p]
            vals += (param.sigma_wafer * z[:, p])[:, None]
            factor = self.factors[p]
            if factor is not None:
                vals += param.sigma_within * (z[:, mode_cols[p]] @ factor.T)
            if param.sigma_die > 0.0:
                vals += param.sigma_die * rng.standard_normal(vals.shape)
        return out
