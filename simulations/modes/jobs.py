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


def _clipped_blocks(mp: Any, rects: list[dict[str, Any]], cell: dict[str, float]) -> list[Any]:
    """meep Blocks of the rectangles clipped to the cell (MPB repeats geometry periodically)."""
    cx = 0.5 * (cell["x_min"] + cell["x_max"])
    cy = 0.5 * (cell["y_min"] + cell["y_max"])
    blocks = []
    for r in rects:
        x0, x1 = max(r["x_min"], cell["x_min"]), min(r["x_max"], cell["x_max"])
        y0, y1 = max(r["y_min"], cell["y_min"]), min(r["y_max"], cell["y_max"])
        if x1 <= x0 or y1 <= y0:
            blocks.append(None)
            continue
        blocks.append(
            mp.Block(
                center=mp.Vector3(0.5 * (x0 + x1) - cx, 0.5 * (y0 + y1) - cy, 0),
                size=mp.Vector3(x1 - x0, y1 - y0, mp.inf),
                material=mp.Medium(index=r["index"]),
            )
        )
    return blocks


def waveguide_modes(
    *,
    rects: list[dict[str, Any]],
    background_index: float,
    cell: dict[str, float],
    wavelength_um: float,
    resolution: int,
    bands: int = 1,
    tolerance: float = 1e-8,
    n_eff_guess: float | None = None,
) -> dict[str, Any]:
    """Guided modes of a cross-section at one wavelength with fixed (non-dispersive) indices.

    The cross-section is in the x-y plane (µm) and the modes propagate along z. For band 1
    (highest effective index) MPB's ``find_k`` solves for k_z at ω = 1/λ; higher bands are
    solved at that k and linearised, k_b = k_1 + (ω - ω_b)/v_b (exact to second order in the
    band splitting, so meant for nearly degenerate bands such as coupler supermodes). The
    group index is the Hellmann-Feynman group velocity at fixed ε (waveguide dispersion only;
    the caller adds material dispersion with the energy fractions returned here).

    Args:
        rects: rectangles ``{"x_min", "x_max", "y_min", "y_max", "index"}`` in µm; later ones
            take precedence; they are clipped to the cell.
        background_index: index of everything outside the rectangles.
        cell: ``{"x_min", "x_max", "y_min", "y_max"}`` of the periodic MPB cell in µm.
        wavelength_um: vacuum wavelength in µm.
        resolution: grid points per µm.
        bands: number of bands to solve (1 = fundamental only).
        tolerance: relative tolerance of ``find_k``; the eigensolver runs 10x tighter so that
            the root finder never chases eigensolver noise.
        n_eff_guess: starting point of ``find_k`` (default: just below the highest index). It
            changes only the number of Newton steps, not the root.

    Returns:
        ``{"bands": [...]}``, one entry per band with ``n_eff``, ``n_group_fixed_index``,
        ``energy_fraction`` (electric energy ∫ε|E|² in each rectangle, in order),
        ``kerr_fraction`` (∫|E|⁴ in each rectangle), ``te_fraction`` (∫|Ex|²/∫|E|²) and
        ``mode_area_um2`` ((∫|E|²)²/∫|E|⁴).
    """
    import meep as mp
    import numpy as np
    from meep import mpb

    sx = cell["x_max"] - cell["x_min"]
    sy = cell["y_max"] - cell["y_min"]
    blocks = _clipped_blocks(mp, rects, cell)
    geometry = [b for b in blocks if b is not None]
    n_max = max([background_index, *(r["index"] for r in rects)])
    n_min = min([background_index, *(r["index"] for r in rects)])
    solver = mpb.ModeSolver(
        geometry_lattice=mp.Lattice(size=mp.Vector3(sx, sy, 0)),
        geometry=geometry,
        default_material=mp.Medium(index=background_index),
        resolution=resolution,
        num_bands=1,
        tolerance=tolerance / 10,
    )
    frequency = 1.0 / wavelength_um
    nx = ny = None
    masks: list[Any] = []
    results = []
    guess = n_max * 0.999 if n_eff_guess is None else min(max(n_eff_guess, n_min), n_max)
    k_1 = solver.find_k(
        mp.NO_PARITY,
        frequency,
        1,
        1,
        mp.Vector3(0, 0, 1),
        tolerance,
        frequency * guess,
        frequency * n_min,
        frequency * n_max,
    )[0]
    if bands > 1:
        # Higher bands at the fundamental's k, then k_b = k_1 + (ω - ω_b)/v_b: Newton's
        # find_k does not converge for nearly degenerate bands (coupler supermodes), and the
        # linearisation error is second order in the tiny splitting.
        solver.num_bands = bands
        solver.k_points = [mp.Vector3(0, 0, k_1)]
        solver.run()
    band_frequencies = list(solver.freqs) if bands > 1 else [frequency]
    group_velocities = solver.compute_group_velocity_component(mp.Vector3(0, 0, 1))
    for band in range(1, bands + 1):
        v_g = group_velocities[band - 1]
        k_z = k_1 + (frequency - band_frequencies[band - 1]) / v_g if band > 1 else k_1
        solver.get_dfield(band)
        solver.compute_field_energy()
        energy = [
            float(solver.compute_energy_in_objects([b])) if b is not None else 0.0 for b in blocks
        ]
        e = np.asarray(solver.get_efield(band, bloch_phase=False))[:, :, 0, :]
        if nx is None:
            nx, ny = e.shape[0], e.shape[1]
            xs = -sx / 2 + (np.arange(nx) + 0.5) * sx / nx
            ys = -sy / 2 + (np.arange(ny) + 0.5) * sy / ny
            gx, gy = np.meshgrid(xs, ys, indexing="ij")
            cx = 0.5 * (cell["x_min"] + cell["x_max"])
            cy = 0.5 * (cell["y_min"] + cell["y_max"])
            masks = [
                (gx + cx >= r["x_min"])
                & (gx + cx < r["x_max"])
                & (gy + cy >= r["y_min"])
                & (gy + cy < r["y_max"])
                for r in rects
            ]
        intensity = np.sum(np.abs(e) ** 2, axis=-1)
        pixel = (sx / nx) * (sy / ny)
        total2 = float(np.sum(intensity))
        total4 = float(np.sum(intensity**2))
        results.append(
            {
                "n_eff": float(k_z / frequency),
                "n_group_fixed_index": float(1.0 / v_g),
                "energy_fraction": energy,
                "kerr_fraction": [float(np.sum(intensity[m] ** 2)) / total4 for m in masks],
                "te_fraction": float(np.sum(np.abs(e[..., 0]) ** 2)) / total2,
                "mode_area_um2": total2**2 / total4 * pixel,
            }
        )
    return {"bands": results, "grid": [int(nx or 0), int(ny or 0)]}


def waveguide_mode_sweep(*, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`waveguide_modes` for several wavelengths (or structures) in one process.

    Each solve starts ``find_k`` from the previous fundamental n_eff, linearly extrapolated
    over the last two cases (consecutive wavelengths of one cross-section differ by ~1e-3),
    which saves about a third of the Newton steps; a case may set its own ``n_eff_guess``.

    Args:
        cases: keyword-argument dicts of :func:`waveguide_modes`.

    Returns:
        ``{"cases": [result, ...]}`` in the order of ``cases``.
    """
    results: list[dict[str, Any]] = []
    previous: list[float] = []
    for case in cases:
        if previous and "n_eff_guess" not in case:
            guess = 2 * previous[-1] - previous[-2] if len(previous) > 1 else previous[-1]
            case = {**case, "n_eff_guess": guess}
        result = waveguide_modes(**case)
        results.append(result)
        previous.append(result["bands"][0]["n_eff"])
    return {"cases": results}
