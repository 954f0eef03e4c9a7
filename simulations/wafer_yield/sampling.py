"""Standard-normal point sets: plain Monte Carlo or scrambled Sobol (powers of two).

Sobol points cover at most :data:`MAX_SOBOL_DIMS` leading dimensions; further dimensions are
padded with plain Monte Carlo normals (Owen's "padding": QMC on the important low-index
dimensions, MC on the rest). Callers order dimensions by importance.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from qkdchip.options import SAMPLERS

MAX_SOBOL_DIMS = 1024
_U_FLOOR = 1e-15


def is_power_of_two(n: int) -> bool:
    """True for 1, 2, 4, 8, ..."""
    return n >= 1 and (n & (n - 1)) == 0


def validate_sampler(sampler: str, n_points: int) -> None:
    """ValueError unless ``sampler`` is known and ``n_points`` suits it (Sobol: power of two)."""
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler = {sampler!r} must be one of {SAMPLERS}")
    if n_points < 1:
        raise ValueError(f"number of points = {n_points!r} must be >= 1")
    if sampler == "sobol" and not is_power_of_two(n_points):
        raise ValueError(
            f"number of points = {n_points} must be a power of two for the Sobol sampler "
            "(balance properties of random_base2)"
        )


def standard_normals(
    n_points: int, n_dims: int, rng: np.random.Generator, sampler: str
) -> NDArray[np.float64]:
    """An (n_points, n_dims) array of standard normals.

    Args:
        n_points: rows (a power of two for ``"sobol"``).
        n_dims: columns (>= 0).
        rng: caller-seeded generator; it seeds the Sobol scrambling and the MC part.
        sampler: ``"mc"`` or ``"sobol"``.
    """
    validate_sampler(sampler, n_points)
    if n_dims < 0:
        raise ValueError(f"n_dims = {n_dims!r} must be >= 0")
    if sampler == "mc" or n_dims == 0:
        return rng.standard_normal((n_points, n_dims))
    from scipy.special import ndtri
    from scipy.stats import qmc

    d_qmc = min(n_dims, MAX_SOBOL_DIMS)
    engine = qmc.Sobol(d=d_qmc, scramble=True, rng=np.random.default_rng(rng.integers(2**63)))
    u = engine.random_base2(int(n_points).bit_length() - 1)
    z = ndtri(np.clip(u, _U_FLOOR, 1.0 - _U_FLOOR))
    if n_dims > d_qmc:
        z = np.hstack([z, rng.standard_normal((n_points, n_dims - d_qmc))])
    return z
