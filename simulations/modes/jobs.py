"""MPB jobs; these functions run inside the meep subprocess, never in the toolkit's process."""

from __future__ import annotations

from typing import Any


def strip_effective_index(
    *,
    width_um: float,
    thickness_um: float,
    n_core: float,
    n_clad: float,
    wavelength_um: float,
    resolution: int = 32,
    margin_um: float = 2.0,
) -> dict[str, Any]:
    """Effective index of the fundamental mode of a rectangular strip waveguide (MPB).

    The cross-section lies in the x-y plane (x: width, y: thickness) and the mode propagates
    along z. MPB's ``find_k`` returns the propagation constant at the optical frequency 1/λ.

    Args:
        width_um: core width in µm.
        thickness_um: core thickness in µm.
        n_core: core refractive index.
        n_clad: cladding refractive index (uniform around the core).
        wavelength_um: vacuum wavelength in µm.
        resolution: grid points per µm.
        margin_um: cladding between the core and the periodic cell boundary, in µm.

    Returns:
        ``{"n_eff": ..., "n_group": ...}`` of the fundamental (first) band.
    """
    import meep as mp
    from meep import mpb

    cell = mp.Vector3(width_um + 2 * margin_um, thickness_um + 2 * margin_um, 0)
    solver = mpb.ModeSolver(
        geometry_lattice=mp.Lattice(size=cell),
        geometry=[
            mp.Block(
                size=mp.Vector3(width_um, thickness_um, mp.inf),
                material=mp.Medium(index=n_core),
            )
        ],
        default_material=mp.Medium(index=n_clad),
        resolution=resolution,
        num_bands=1,
    )
    frequency = 1.0 / wavelength_um
    k_z = solver.find_k(
        mp.NO_PARITY,
        frequency,
        1,
        1,
        mp.Vector3(0, 0, 1),
        1e-6,
        frequency * n_core,
        frequency * n_clad,
        frequency * n_core,
    )[0]
    group_velocity = solver.compute_group_velocity_component(mp.Vector3(0, 0, 1))[0]
    return {"n_eff": k_z / frequency, "n_group": 1.0 / group_velocity}
