"""meep jobs for rings; these functions run inside the meep subprocess only."""

from __future__ import annotations

from typing import Any


def _simulation(case: dict[str, Any], *, r_min_um: float | None = None) -> Any:
    """The cylindrical meep simulation of a :func:`cylindrical_resonances` case.

    ``r_min_um`` replaces the case's inner window edge (0 simulates from the axis).
    """
    import meep as mp

    r_min = case["r_min_um"] if r_min_um is None else r_min_um
    geometry = [
        mp.Block(
            center=mp.Vector3(0.5 * (r["r_min"] + r["r_max"]), 0, 0.5 * (r["z_min"] + r["z_max"])),
            size=mp.Vector3(r["r_max"] - r["r_min"], mp.inf, r["z_max"] - r["z_min"]),
            material=mp.Medium(index=r["index"]),
        )
        for r in case["rects"]
    ]
    return mp.Simulation(
        cell_size=mp.Vector3(case["r_max_um"] - r_min, 0, case["z_max_um"] - case["z_min_um"]),
        geometry_center=mp.Vector3(r_min, 0, 0.5 * (case["z_min_um"] + case["z_max_um"])),
        geometry=geometry,
        default_material=mp.Medium(index=case["background_index"]),
        boundary_layers=[mp.PML(case["pml_um"])],
        resolution=case["resolution"],
        dimensions=mp.CYLINDRICAL,
        m=case["m"],
        Courant=case["courant"],
        sources=[
            mp.Source(
                mp.GaussianSource(case["frequency"], fwidth=case["frequency_width"]),
                component=mp.Er,
                center=mp.Vector3(case["source_r_um"], 0, case["source_z_um"]),
            )
        ],
    )


def _modes(harminv: Any) -> list[dict[str, float]]:
    """Harminv's modes as JSON dicts."""
    return [
        {
            "frequency": float(mode.freq),
            "q": float(mode.Q),
            "amplitude": float(abs(mode.amp)),
            "error": float(abs(mode.err)),
        }
        for mode in harminv.modes
    ]


def cylindrical_resonances(**case: Any) -> dict[str, Any]:
    """Resonances of azimuthal order ``m`` of an axisymmetric structure (meep, cylindrical).

    Only the annulus r_min..r_max is simulated (``geometry_center`` shifts the cell off the
    axis; in meep 1.25 a cylindrical cell spans r = geometry_center.x .. geometry_center.x + sr,
    with its origin snapped to the half-pixel lattice), so the cost is independent of the
    radius. PML on every side of the r-z window.

    Keyword Args:
        rects: rectangles ``{"r_min", "r_max", "z_min", "z_max", "index"}`` in µm.
        background_index: index outside the rectangles.
        m: azimuthal order (fields ∝ exp(i m φ)).
        frequency: centre frequency of the Gaussian source in units of c/µm.
        frequency_width: source and Harminv bandwidth in c/µm.
        resolution: pixels per µm.
        r_min_um, r_max_um, z_min_um, z_max_um: the simulated window (PML included), µm.
        pml_um: PML thickness in µm.
        source_r_um, source_z_um: position of the E_r point source.
        probe_r_um, probe_z_um: position of the Harminv probe.
        run_after_source: time (µm/c) Harminv records after the source has died.
        courant: Courant number.

    Returns:
        ``{"modes": [{"frequency", "q", "amplitude", "error"}, ...], "meep_time": t}``.
    """
    import meep as mp

    sim = _simulation(case)
    probe = mp.Vector3(case["probe_r_um"], 0, case["probe_z_um"])
    harminv = mp.Harminv(mp.Er, probe, case["frequency"], case["frequency_width"])
    sim.run(mp.after_sources(harminv), until_after_sources=case["run_after_source"])
    return {"modes": _modes(harminv), "meep_time": float(sim.meep_time())}


def cylindrical_resonance_sweep(*, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`cylindrical_resonances` for several azimuthal orders in one process."""
    return {"cases": [cylindrical_resonances(**case) for case in cases]}


def cylindrical_step_time(
    *, case: dict[str, Any], from_axis: bool, time_units: float
) -> dict[str, Any]:
    """Wall time per unit of meep time of a :func:`cylindrical_resonances` cell (benchmarks).

    Args:
        case: keyword arguments of :func:`cylindrical_resonances`.
        from_axis: simulate r = 0 .. r_max instead of the off-axis window (the naive set-up).
        time_units: meep time to step after initialisation.

    Returns:
        ``{"seconds_per_time_unit": s, "pixels": n, "init_s": t}``.
    """
    import time

    r_min = 0.0 if from_axis else case["r_min_um"]
    sim = _simulation(case, r_min_um=r_min)
    start = time.perf_counter()
    sim.init_sim()
    init_s = time.perf_counter() - start
    start = time.perf_counter()
    sim.run(until=time_units)
    elapsed = time.perf_counter() - start
    sr = case["r_max_um"] - r_min
    sz = case["z_max_um"] - case["z_min_um"]
    pixels = round(sr * case["resolution"]) * round(sz * case["resolution"])
    return {"seconds_per_time_unit": elapsed / time_units, "pixels": pixels, "init_s": init_s}


def supermode_frequencies(
    *,
    rects: list[dict[str, Any]],
    background_index: float,
    cell: dict[str, float],
    resolution: int,
    kz: float,
    frequency: float,
    frequency_width: float,
    sources: list[dict[str, float]],
    probe: dict[str, float],
    run_after_source: float,
) -> dict[str, Any]:
    """Guided-mode frequencies at a fixed propagation constant of a cross-section (meep).

    The x-y cross-section is the same periodic cell as MPB's (Bloch-periodic with k_x = k_y
    = 0) and the fields vary as exp(2πi kz z). E_x point sources with chosen signs excite one
    supermode parity only, so Harminv sees a single, lossless mode.

    Args:
        rects: rectangles ``{"x_min", "x_max", "y_min", "y_max", "index"}`` in µm.
        background_index: index outside the rectangles.
        cell: ``{"x_min", "x_max", "y_min", "y_max"}`` of the cell in µm.
        resolution: pixels per µm.
        kz: propagation constant in units of 2π/µm (n_eff · frequency).
        frequency: source centre frequency in c/µm.
        frequency_width: source and Harminv bandwidth in c/µm.
        sources: ``{"x", "y", "amplitude"}`` of each E_x source (µm).
        probe: ``{"x", "y"}`` of the Harminv probe (µm).
        run_after_source: Harminv window after the sources in µm/c.

    Returns:
        ``{"modes": [{"frequency", "q", "amplitude", "error"}, ...]}``.
    """
    import meep as mp

    from qkdchip.simulations.modes.jobs import _clipped_blocks

    cx = 0.5 * (cell["x_min"] + cell["x_max"])
    cy = 0.5 * (cell["y_min"] + cell["y_max"])
    blocks = [b for b in _clipped_blocks(mp, rects, cell) if b is not None]
    pulse = mp.GaussianSource(frequency, fwidth=frequency_width)
    sim = mp.Simulation(
        cell_size=mp.Vector3(cell["x_max"] - cell["x_min"], cell["y_max"] - cell["y_min"], 0),
        geometry=blocks,
        default_material=mp.Medium(index=background_index),
        resolution=resolution,
        k_point=mp.Vector3(0, 0, kz),
        sources=[
            mp.Source(
                pulse,
                component=mp.Ex,
                center=mp.Vector3(s["x"] - cx, s["y"] - cy),
                amplitude=s["amplitude"],
            )
            for s in sources
        ],
    )
    harminv = mp.Harminv(
        mp.Ex, mp.Vector3(probe["x"] - cx, probe["y"] - cy), frequency, frequency_width
    )
    sim.run(mp.after_sources(harminv), until_after_sources=run_after_source)
    return {"modes": _modes(harminv)}


def supermode_frequency_sweep(*, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`supermode_frequencies` for several cases in one process."""
    return {"cases": [supermode_frequencies(**case) for case in cases]}
