"""meep FDTD jobs; these functions run inside the meep subprocess only."""

from __future__ import annotations

import math
from typing import Any


def grating_resolution(period_um: float, resolution: float) -> float:
    """The resolution nearest above ``resolution`` with a whole number of pixels per period.

    meep rounds the cell to whole pixels; a one-period Bloch cell of 14.5 pixels would become
    15 and no longer match the Bloch wave vector π/Λ, so the upper band edge disappears.
    """
    return math.ceil(period_um * resolution) / period_um


def _decayed_after(mp: Any, t_min: float, component: Any, point: Any, decay_by: float) -> Any:
    """Stop condition: fields at ``point`` decayed by ``decay_by``, but not before ``t_min``.

    meep's ``stop_when_fields_decayed`` alone stops at once when the pulse has not reached
    the point yet (a zero field counts as decayed), which truncates long devices.
    """
    decayed = mp.stop_when_fields_decayed(50, component, point, decay_by)
    return lambda sim: bool(decayed(sim)) and sim.meep_time() > t_min


def bragg_band_edges(
    *,
    n_tooth: float,
    n_groove: float,
    period_um: float,
    duty_cycle: float,
    resolution: int,
    frequency: float,
    frequency_width: float,
    run_after_source: float = 400.0,
) -> dict[str, Any]:
    """Band-edge frequencies of a 1-D grating unit cell at the Bragg condition (k = π/Λ).

    Args:
        n_tooth: effective index of the tooth section.
        n_groove: effective index of the groove section.
        period_um: grating period Λ in µm.
        duty_cycle: tooth fraction of the period.
        resolution: pixels per µm (raised to a whole number of pixels per period).
        frequency: centre of the search window in c/µm.
        frequency_width: width of the search window in c/µm.
        run_after_source: Harminv window in µm/c.

    Returns:
        ``{"modes": [{"frequency", "q", "amplitude", "error"}, ...]}``.
    """
    import meep as mp

    tooth = duty_cycle * period_um
    sim = mp.Simulation(
        cell_size=mp.Vector3(0, 0, period_um),
        dimensions=1,
        resolution=grating_resolution(period_um, resolution),
        default_material=mp.Medium(index=n_groove),
        geometry=[
            mp.Block(
                center=mp.Vector3(0, 0, -period_um / 2 + tooth / 2),
                size=mp.Vector3(mp.inf, mp.inf, tooth),
                material=mp.Medium(index=n_tooth),
            )
        ],
        k_point=mp.Vector3(0, 0, 0.5 / period_um),
        sources=[
            mp.Source(
                mp.GaussianSource(frequency, fwidth=frequency_width),
                component=mp.Ex,
                center=mp.Vector3(0, 0, 0.123 * period_um),
            )
        ],
    )
    # Band-edge standing waves have nodes at the section centres (±Λ/4) or at the section
    # boundaries (0, ±Λ/2); source and probe sit between them to excite and see both.
    harminv = mp.Harminv(mp.Ex, mp.Vector3(0, 0, -0.375 * period_um), frequency, frequency_width)
    sim.run(mp.after_sources(harminv), until_after_sources=run_after_source)
    return {
        "modes": [
            {
                "frequency": float(m.freq),
                "q": float(m.Q),
                "amplitude": float(abs(m.amp)),
                "error": float(abs(m.err)),
            }
            for m in harminv.modes
        ]
    }


def grating_reflection(
    *,
    n_tooth: float,
    n_groove: float,
    period_um: float,
    duty_cycle: float,
    periods: int,
    resolution: int,
    frequency: float,
    frequency_width: float,
    frequencies: int,
    pad_um: float,
    pml_um: float,
    decay_by: float = 1e-7,
) -> dict[str, Any]:
    """Reflection and transmission spectra of a finite 1-D grating (access medium: n_tooth).

    A normalisation run without the grating records the incident flux and fields; the grating
    run subtracts them at the reflection plane (``load_minus_flux_data``).

    Returns:
        ``{"frequency": [...], "reflection": [...], "transmission": [...]}``.
    """
    import meep as mp

    resolution = grating_resolution(period_um, resolution)
    length = periods * period_um
    # Pads and PML rounded up to whole periods keep every grating boundary on the same
    # sub-pixel offset as in the unit-cell run.
    pad_um = math.ceil(pad_um / period_um) * period_um
    pml_um = math.ceil(pml_um / period_um) * period_um
    sz = length + 2 * pad_um + 2 * pml_um
    z0 = -length / 2
    tooth = duty_cycle * period_um
    src_z = -sz / 2 + pml_um + 0.25 * pad_um
    refl_z = -sz / 2 + pml_um + 0.5 * pad_um
    tran_z = sz / 2 - pml_um - 0.5 * pad_um
    geometry = [
        mp.Block(
            center=mp.Vector3(0, 0, z0 + i * period_um + tooth + (period_um - tooth) / 2),
            size=mp.Vector3(mp.inf, mp.inf, period_um - tooth),
            material=mp.Medium(index=n_groove),
        )
        for i in range(periods)
    ]

    def make(geom: list[Any]) -> Any:
        return mp.Simulation(
            cell_size=mp.Vector3(0, 0, sz),
            dimensions=1,
            resolution=resolution,
            default_material=mp.Medium(index=n_tooth),
            geometry=geom,
            boundary_layers=[mp.PML(pml_um)],
            sources=[
                mp.Source(
                    # Twice the recorded band, so every recorded frequency is well excited.
                    mp.GaussianSource(frequency, fwidth=2 * frequency_width),
                    component=mp.Ex,
                    center=mp.Vector3(0, 0, src_z),
                )
            ],
        )

    # Two passes through the whole cell after the source, before decay is tested.
    t_min = 10.0 / (2 * frequency_width) + 2 * max(n_tooth, n_groove) * sz

    def add_monitors(sim: Any) -> tuple[Any, Any]:
        """Reflection and transmission flux planes over the recorded band."""
        return tuple(
            sim.add_flux(
                frequency,
                frequency_width,
                frequencies,
                mp.FluxRegion(center=mp.Vector3(0, 0, z)),
            )
            for z in (refl_z, tran_z)
        )

    sim = make([])
    refl, tran = add_monitors(sim)
    sim.run(
        until_after_sources=_decayed_after(mp, t_min, mp.Ex, mp.Vector3(0, 0, tran_z), decay_by)
    )
    incident = mp.get_fluxes(tran)
    refl_data = sim.get_flux_data(refl)
    sim.reset_meep()

    sim = make(geometry)
    refl, tran = add_monitors(sim)
    sim.load_minus_flux_data(refl, refl_data)
    sim.run(
        until_after_sources=_decayed_after(mp, t_min, mp.Ex, mp.Vector3(0, 0, refl_z), decay_by)
    )
    reflected = mp.get_fluxes(refl)
    transmitted = mp.get_fluxes(tran)
    freqs = mp.get_flux_freqs(refl)
    return {
        "frequency": [float(f) for f in freqs],
        "reflection": [float(-r / i) for r, i in zip(reflected, incident, strict=True)],
        "transmission": [float(t / i) for t, i in zip(transmitted, incident, strict=True)],
    }


def mmi_2d(
    *,
    polygons: list[list[list[float]]],
    n_core: float,
    n_clad: float,
    cell_x_um: float,
    cell_y_um: float,
    resolution: int,
    pml_um: float,
    frequency: float,
    frequency_width: float,
    frequencies: int,
    source: dict[str, float],
    monitors: list[dict[str, float]],
    decay_by: float = 1e-5,
) -> dict[str, Any]:
    """2-D (effective-index) multiport: guided-mode power into each output port.

    The chip plane is x-y with propagation along +x; the in-plane E field (TE-like, meep's
    EVEN_Z parity: Ex, Ey, Hz) is launched as the fundamental mode of the input port.

    Args:
        polygons: core polygons, each a list of [x, y] vertices in µm (cell centred at 0).
        n_core: effective index of the etched-ridge regions.
        n_clad: effective index of the field regions.
        cell_x_um: cell size in x including PML in µm.
        cell_y_um: cell size in y including PML in µm.
        resolution: pixels per µm.
        pml_um: PML thickness in µm.
        frequency: source centre frequency in c/µm.
        frequency_width: source frequency width in c/µm.
        frequencies: number of frequencies recorded.
        source: ``{"x", "y", "width"}`` of the input-port mode source.
        monitors: ``{"x", "y", "width"}`` of every mode monitor; the first one is the input
            port's monitor (just after the source), the others the outputs.
        decay_by: field decay at which the run stops.

    Returns:
        ``{"frequency": [...], "input": [...], "outputs": [[...], ...], "output_flux": [...]}``:
        forward mode power at the input monitor, forward mode power in each output, and the
        total Poynting flux through the output plane (all at each frequency).
    """
    import meep as mp

    core = mp.Medium(index=n_core)
    geometry = [
        mp.Prism([mp.Vector3(x, y) for x, y in poly], height=mp.inf, material=core)
        for poly in polygons
    ]
    sim = mp.Simulation(
        cell_size=mp.Vector3(cell_x_um, cell_y_um),
        resolution=resolution,
        default_material=mp.Medium(index=n_clad),
        geometry=geometry,
        boundary_layers=[mp.PML(pml_um)],
        sources=[
            mp.EigenModeSource(
                mp.GaussianSource(frequency, fwidth=frequency_width),
                center=mp.Vector3(source["x"], source["y"]),
                size=mp.Vector3(0, source["width"]),
                eig_band=1,
                eig_parity=mp.EVEN_Z,
                eig_match_freq=True,
            )
        ],
    )
    mode_monitors = [
        sim.add_mode_monitor(
            frequency,
            frequency_width,
            frequencies,
            mp.ModeRegion(center=mp.Vector3(m["x"], m["y"]), size=mp.Vector3(0, m["width"])),
        )
        for m in monitors
    ]
    out_x = monitors[-1]["x"]
    plane = sim.add_flux(
        frequency,
        frequency_width,
        frequencies,
        mp.FluxRegion(center=mp.Vector3(out_x, 0), size=mp.Vector3(0, cell_y_um - 2 * pml_um)),
    )
    t_min = 2 * n_core * cell_x_um
    sim.run(
        until_after_sources=_decayed_after(
            mp, t_min, mp.Ey, mp.Vector3(out_x, monitors[-1]["y"]), decay_by
        )
    )
    powers = []
    for mon in mode_monitors:
        coeffs = sim.get_eigenmode_coefficients(mon, [1], eig_parity=mp.EVEN_Z).alpha
        powers.append([float(abs(c) ** 2) for c in coeffs[0, :, 0]])
    return {
        "frequency": [float(f) for f in mp.get_flux_freqs(plane)],
        "input": powers[0],
        "outputs": powers[1:],
        "output_flux": [float(f) for f in mp.get_fluxes(plane)],
    }
