"""Tiny jobs that prove meep and MPB import and run, and say which meep build is installed
(used by ``qkdchip doctor`` and before a job on several MPI processes)."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any


def meep_and_mpb() -> dict[str, Any]:
    """meep's version, the interpreter and numpy it runs under, and one MPB band of a coarse
    slab, solved in well under a second."""
    import meep as mp
    import numpy as np
    from meep import mpb

    solver = mpb.ModeSolver(
        geometry_lattice=mp.Lattice(size=mp.Vector3(4, 0, 0)),
        geometry=[mp.Block(size=mp.Vector3(1, mp.inf, mp.inf), material=mp.Medium(index=2.0))],
        default_material=mp.Medium(index=1.45),
        resolution=16,
        num_bands=1,
        k_points=[mp.Vector3(0, 0, 1)],
    )
    solver.run()
    return {
        "meep_version": mp.__version__,
        "python": sys.executable,
        "numpy_version": np.__version__,
        "mpb_frequency": float(solver.all_freqs[0][0]),
    }


def build() -> dict[str, Any]:
    """meep's version, whether it is an MPI build and whether it has MPB (``meep.mpb``).

    An MPI build imports mpi4py when meep is imported; without it the import aborts.
    """
    import meep as mp

    return {
        "version": mp.__version__,
        "with_mpi": bool(mp.with_mpi()),
        "has_mpb": importlib.util.find_spec("meep.mpb") is not None,
    }
