"""A tiny job that proves meep and MPB import and run (used by ``qkdchip doctor``)."""

from __future__ import annotations

from typing import Any


def meep_and_mpb() -> dict[str, Any]:
    """meep's version and one MPB band of a coarse slab, solved in well under a second."""
    import meep as mp
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
    return {"meep_version": mp.__version__, "mpb_frequency": float(solver.all_freqs[0][0])}
