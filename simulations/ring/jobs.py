"""meep jobs for rings; these functions run inside the meep subprocess only."""

from __future__ import annotations

from typing import Any


def cylindrical_resonances(
    *,
    rects: list[dict[str, Any]],
    background_index: float,
    m: float,
    frequency: float,
    frequency_width: float,
    resolution: int,
    r_min_um: float,
    r_max_um: float,
    z_min_um: float,
    z_max_um: float,
    pml_um: float,
    source_r_um: float,
    source_z_um: float,
    probe_r_um: float,
    probe_z_um: float,
    run_after_source: float,
    courant: float = 0.5,
) -> dict[str, Any]:
    """Resonances of azimuthal order ``m`` of an axisymmetric structure (meep, cylindrical).

    Only the annulus r_min..r_max is simulated (``geometry_center`` shifts the cell off the
    axis; in meep 1.25 a cylindrical cell spans r = geometry_center.x .. geometry_center.x + sr),
    so the cost is independent of the radius. PML on every side of the r-z window.

    Args:
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

    sr = r_max_um - r_min_um
    sz = z_max_um - z_min_um
    z_c = 0.5 * (z_min_um + z_max_um)
    geometry = [
        mp.Block(
            center=mp.Vector3(0.5 * (r["r_min"] + r["r_max"]), 0, 0.5 * (r["z_min"] + r["z_max"])),
            size=mp.Vector3(r["r_max"] - r["r_min"], mp.inf, r["z_max"] - r["z_min"]),
            material=mp.Medium(index=r["index"]),
        )
        for r in rects
    ]
    sim = mp.Simulation(
        cell_size=mp.Vector3(sr, 0, sz),
        geometry_center=mp.Vector3(r_min_um, 0, z_c),
        geometry=geometry,
        default_material=mp.Medium(index=background_index),
        boundary_layers=[mp.PML(pml_um)],
        resolution=resolution,
        dimensions=mp.CYLINDRICAL,
        m=m,
        Courant=courant,
        sources=[
            mp.Source(
                mp.GaussianSource(frequency, fwidth=frequency_width),
                component=mp.Er,
                center=mp.Vector3(source_r_um, 0, source_z_um),
            )
        ],
    )
    harminv = mp.Harminv(mp.Er, mp.Vector3(probe_r_um, 0, probe_z_um), frequency, frequency_width)
    sim.run(mp.after_sources(harminv), until_after_sources=run_after_source)
    modes = [
        {
            "frequency": float(mode.freq),
            "q": float(mode.Q),
            "amplitude": float(abs(mode.amp)),
            "error": float(abs(mode.err)),
        }
        for mode in harminv.modes
    ]
    return {"modes": modes, "meep_time": float(sim.meep_time())}


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

    import meep as mp

    r_min = 0.0 if from_axis else case["r_min_um"]
    sr = case["r_max_um"] - r_min
    sz = case["z_max_um"] - case["z_min_um"]
    geometry = [
        mp.Block(
            center=mp.Vector3(0.5 * (r["r_min"] + r["r_max"]), 0, 0.5 * (r["z_min"] + r["z_max"])),
            size=mp.Vector3(r["r_max"] - r["r_min"], mp.inf, r["z_max"] - r["z_min"]),
            material=mp.Medium(index=r["index"]),
        )
        for r in case["rects"]
    ]
    sim = mp.Simulation(
        cell_size=mp.Vector3(sr, 0, sz),
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
    start = time.perf_counter()
    sim.init_sim()
    init_s = time.perf_counter() - start
    start = time.perf_counter()
    sim.run(until=time_units)
    elapsed = time.perf_counter() - start
    pixels = round(sr * case["resolution"]) * round(sz * case["resolution"])
    return {"seconds_per_time_unit": elapsed / time_units, "pixels": pixels, "init_s": init_s}
