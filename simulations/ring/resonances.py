"""Ring resonances from meep in cylindrical coordinates, with material dispersion per mode.

For each sampled azimuthal order m = m0 + μ one non-dispersive cylindrical run (indices at the
mode's own wavelength, from the PDK models) gives the resonance frequency and radiation Q. The
simulated r-z window only surrounds the waveguide (the cell is shifted off the axis), so the cost
per order does not depend on the radius. Material dispersion is made self-consistent by
iterating the index at the resonance found: first-order perturbation theory with the MPB
energy fractions f_i gives f* = f_run · (1 - Σ_i f_i (n_i(f*) - n_i(f_run)) / n_i(f_run)),
solved by fixed-point iteration (the map contracts by about (λ/n) |dn/dλ| ~ 1e-2 per step).
The initial guess comes from the MPB mode (n_eff, n_g, β2), so the correction is tiny and
reported as ``dispersion_correction_max_rel``.

Harminv output is filtered (small amplitude, large error and low-|Q| artefacts are dropped) and
the mode family is followed by continuity: at every m the candidate nearest to the MPB-based
prediction, shifted by the offset measured at the pump, is taken, and it must lie within
``family_tolerance`` of it (neighbouring transverse families differ by percent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from qkdchip.cache import cached
from qkdchip.components.designs import RingDesign
from qkdchip.constants import C_M_PER_S
from qkdchip.pdk.materials import INDEX_MODELS_VERSION
from qkdchip.pdk.stacks import FilmStack, film_stack
from qkdchip.records import Record
from qkdchip.simulations.meep_jobs import run_job
from qkdchip.simulations.modes.geometry import CrossSection, strip_cross_section
from qkdchip.simulations.modes.solver import ModeResult, ModeSettings, solve_mode
from qkdchip.simulations.ring.dispersion import fit_dispersion, integrated_dispersion
from qkdchip.validation import check_ranges

HZ_PER_MEEP = C_M_PER_S / 1e-6
"""One meep frequency unit (c/µm) in Hz."""
SOLVER_VERSION = 2
SWEEP_JOB = "qkdchip.simulations.ring.jobs:cylindrical_resonance_sweep"
MIN_RELATIVE_AMPLITUDE = 1e-2
"""Harminv candidates weaker than this fraction of the strongest one are noise or leakage."""
MAX_HARMINV_ERROR = 1e-4
"""Harminv's own relative error estimate; genuine ring modes give < 1e-8."""
MIN_ABS_Q = 1e3
"""Spurious fits have |Q| of order 10-1e3; a guided ring mode has a much larger |Q|."""
DETECTABLE_DECAY = 1e-3
"""Amplitude decay over the Harminv window below which radiation loss is not resolved."""


@dataclass(frozen=True)
class RingSettings(Record):
    """Numerical settings of the cylindrical ring simulation.

    Attributes:
        resolution: meep pixels per µm, [8, 100].
        pad_um: cladding between the waveguide window and the PML in µm, [0.5, 10].
        pml_um: PML thickness in µm, [0.5, 5].
        run_after_source: Harminv window after the source in meep time units (µm/c), [20, 5000].
        source_bandwidth: Gaussian source width relative to the frequency, [0.01, 0.5].
        pump_wavelength_nm: pump wavelength in nm, [1000, 2000]; m0 is the order nearest to it.
        mu_max: the sampled and reported modes are μ in [-mu_max, mu_max], [2, 2000].
        mu_step: spacing of the sampled orders, [1, mu_max]; mu_max must be a multiple.
        family_tolerance: largest relative deviation of a resonance from its prediction,
            [1e-5, 0.05].
        courant: meep Courant number, [0.1, 0.5].
        mode_resolution: MPB resolution of the mode solve that seeds the search, [8, 256].
    """

    resolution: int = 20
    pad_um: float = 2.0
    pml_um: float = 1.0
    run_after_source: float = 150.0
    source_bandwidth: float = 0.1
    pump_wavelength_nm: float = 1550.0
    mu_max: int = 256
    mu_step: int = 64
    family_tolerance: float = 3e-3
    courant: float = 0.5
    mode_resolution: int = 32

    def __post_init__(self) -> None:
        checks = (
            ("resolution", 8, 100),
            ("pad_um", 0.5, 10),
            ("pml_um", 0.5, 5),
            ("run_after_source", 20, 5000),
            ("source_bandwidth", 0.01, 0.5),
            ("pump_wavelength_nm", 1000, 2000),
            ("mu_max", 2, 2000),
            ("mu_step", 1, self.mu_max),
            ("family_tolerance", 1e-5, 0.05),
            ("courant", 0.1, 0.7),
            ("mode_resolution", 8, 256),
        )
        check_ranges(self, checks)
        if self.mu_max % self.mu_step:
            raise ValueError(
                f"mu_max={self.mu_max!r} must be a multiple of mu_step={self.mu_step!r}"
            )

    @property
    def sampled_mu(self) -> tuple[int, ...]:
        return tuple(range(-self.mu_max, self.mu_max + 1, self.mu_step))


@dataclass(frozen=True)
class RingResult(Record):
    """Resonances and dispersion of a ring's fundamental mode family.

    Attributes:
        design: the :class:`RingDesign` as a dict.
        stack: the Si3N4 film stack as a dict.
        radius_um: ring radius in µm.
        simulated_radius_um: the grid-aligned radius meep ran (:func:`grid_aligned_radius_um`);
            the frequencies are taken back to ``radius_um`` to first order.
        m_pump: azimuthal order of the pump mode (μ = 0).
        pump_frequency_hz: resonance frequency of the pump mode in Hz.
        pump_wavelength_nm: its vacuum wavelength in nm.
        fsr_hz: free spectral range D1/2π in Hz (local fit at the pump).
        d1_hz: D1/2π in Hz (same as ``fsr_hz``).
        d2_hz: D2/2π in Hz (> 0 anomalous, < 0 normal).
        d3_hz: D3/2π in Hz.
        n_group: group index c/(2πR·FSR).
        mu: every mode number from -mu_max to mu_max.
        d_int_hz: D_int(μ)/2π in Hz at each ``mu`` (spline between the sampled orders).
        sampled_mu: the simulated mode numbers.
        sampled_frequency_hz: their resonance frequencies in Hz (dispersion-corrected).
        sampled_q: Harminv Q of each sampled mode (negative: no decay resolved).
        q_radiation: Harminv Q of the pump mode in the simulated window. It counts bend
            radiation *and* the evanescent tail absorbed by the PML, so it is a lower bound on
            the radiation Q that grows with ``pad_um`` (reference ring at 30 px/µm:
            1.1e5 with 2.5 µm pad, 2.4e5 with 4 µm; the frequency changed by 1e-6). When no
            decay is resolved it is the bound π f T / 1e-3 of the Harminv window.
        q_radiation_resolved: whether a decay was resolved by the run.
        fit_residual_hz: rms residual of the polynomial fit in Hz.
        dispersion_correction_max_rel: largest relative frequency change of the
            material-dispersion iteration.
        rejected_candidates: Harminv candidates dropped as spurious or other families.
        mode: the MPB straight-waveguide mode at the pump wavelength (dict).
        settings: the :class:`RingSettings` used.
    """

    design: dict[str, Any]
    stack: dict[str, Any]
    radius_um: float
    simulated_radius_um: float
    m_pump: int
    pump_frequency_hz: float
    pump_wavelength_nm: float
    fsr_hz: float
    d1_hz: float
    d2_hz: float
    d3_hz: float
    n_group: float
    mu: tuple[int, ...]
    d_int_hz: tuple[float, ...]
    sampled_mu: tuple[int, ...]
    sampled_frequency_hz: tuple[float, ...]
    sampled_q: tuple[float, ...]
    q_radiation: float
    q_radiation_resolved: bool
    fit_residual_hz: float
    dispersion_correction_max_rel: float
    rejected_candidates: int
    mode: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def normal_dispersion(self) -> bool:
        return self.d2_hz < 0


def ring_cross_section(design: RingDesign, stack: FilmStack | None = None) -> CrossSection:
    """Cross-section of the ring waveguide on the PDK stack of the design's film."""
    return strip_cross_section(design.waveguide(), stack or film_stack(design.thickness_nm))


def _shift_between_samples_um(position_um: float, resolution: int) -> float:
    """Shift (µm, within ±a/4) that moves ``position_um`` to an odd multiple of a/4."""
    quarter = 0.25 / resolution
    return (2 * math.floor(position_um / (2 * quarter)) + 1) * quarter - position_um


def grid_aligned_radius_um(*, radius_um: float, core_r_min_um: float, resolution: int) -> float:
    """The radius nearest ``radius_um`` that puts the core's inner edge between meep samples.

    meep 1.25 snaps a cylindrical cell's origin to the global half-pixel lattice, so every field
    component is sampled at absolute multiples of a/2 (a = 1/resolution), whatever the cell
    position. An edge at an odd multiple of a/4 lies a quarter pixel from the nearest sample of
    every component; with a whole-pixel width the outer edge does too, and each component then
    sees exactly the drawn width.

    Args:
        radius_um: design radius in µm.
        core_r_min_um: inner core edge relative to the radius in µm (negative).
        resolution: pixels per µm.
    """
    return radius_um + _shift_between_samples_um(radius_um + core_r_min_um, resolution)


def radius_corrected_frequency(
    *,
    frequency: np.ndarray,
    radius_um: float,
    simulated_radius_um: float,
    n_eff: float,
    n_group: float,
) -> np.ndarray:
    """Resonance of order m at ``radius_um`` from the one simulated at ``simulated_radius_um``.

    From m = 2πR n_eff(f) f / c at fixed m: δf/f = -(n_eff/n_g) δR/R, first order in
    δR/R (below 1e-5 here, so the neglected terms are < 1e-10 of f).
    """
    delta = (radius_um - simulated_radius_um) / simulated_radius_um
    return frequency * (1.0 - n_eff / n_group * delta)


def _check_window(xs: CrossSection, radius_um: float, settings: RingSettings) -> None:
    """Reject a resolution that does not make the core whole pixels, or a too small radius."""
    resolution = settings.resolution
    core = xs.core
    for name, size in (
        ("width", core.x_max_um - core.x_min_um),
        ("thickness", core.y_max_um - core.y_min_um),
    ):
        pixels = size * resolution
        if abs(pixels - round(pixels)) > 1e-6 or round(pixels) < 1:
            raise ValueError(
                f"resolution={resolution!r} makes the core {name} {size:g} µm "
                f"{pixels:g} pixels; choose a resolution that makes it a whole number of pixels "
                "(no subpixel averaging in meep's cylindrical runs)"
            )
    margin = settings.pad_um + settings.pml_um
    if radius_um + xs.window_um[0] - margin <= 1.0 / resolution:
        raise ValueError(
            f"radius_um={radius_um!r} is too small for an off-axis window with pad and PML "
            f"({margin} µm)"
        )


def ring_job_case(
    xs: CrossSection,
    design: RingDesign,
    settings: RingSettings,
    m: int,
    frequency: float,
) -> dict[str, Any]:
    """Keyword arguments of the cylindrical meep job for order ``m`` near ``frequency`` (c/µm).

    meep 1.25 applies no subpixel averaging to this cylindrical geometry (identical ε grids
    with and without ``eps_averaging``), so a 100 nm film drawn on a sample plane is staircased
    to one pixel more for one field component and the resonances jump by percents between
    resolutions. The core must therefore be a whole number of pixels wide and thick, the layer
    stack is shifted in z (the structure is z-invariant) and the ring is simulated at
    :func:`grid_aligned_radius_um` so that every core edge lies a quarter pixel from the
    samples: each component then sees exactly the drawn width and thickness.
    :func:`radius_corrected_frequency` takes the result back to the design radius.

    The indices are the PDK models' values at the wavelength 1/``frequency``.
    """
    _check_window(xs, design.radius_um, settings)
    core = xs.core
    dz = _shift_between_samples_um(core.y_min_um, settings.resolution)
    radius = grid_aligned_radius_um(
        radius_um=design.radius_um, core_r_min_um=core.x_min_um, resolution=settings.resolution
    )
    margin = settings.pad_um + settings.pml_um
    x0, x1, y0, y1 = xs.window_um
    r_min, r_max = radius + x0 - margin, radius + x1 + margin
    z_min, z_max = y0 + dz - margin, y1 + dz + margin
    indices = xs.indices(1.0 / frequency)
    rects = []
    for rect in xs.rects:
        r0 = max(radius + rect.x_min_um, r_min)
        r1 = min(radius + rect.x_max_um, r_max)
        z0, z1 = max(rect.y_min_um + dz, z_min), min(rect.y_max_um + dz, z_max)
        if r1 > r0 and z1 > z0:
            rects.append(
                {
                    "r_min": r0,
                    "r_max": r1,
                    "z_min": z0,
                    "z_max": z1,
                    "index": indices[rect.material],
                }
            )
    r_c = radius + 0.5 * (core.x_min_um + core.x_max_um)
    z_c = 0.5 * (core.y_min_um + core.y_max_um) + dz
    width = core.x_max_um - core.x_min_um
    thickness = core.y_max_um - core.y_min_um
    return {
        "rects": rects,
        "background_index": indices[xs.background],
        "m": m,
        "frequency": frequency,
        "frequency_width": settings.source_bandwidth * frequency,
        "resolution": settings.resolution,
        "r_min_um": r_min,
        "r_max_um": r_max,
        "z_min_um": z_min,
        "z_max_um": z_max,
        "pml_um": settings.pml_um,
        "source_r_um": r_c,
        "source_z_um": z_c,
        "probe_r_um": r_c + 0.13 * width,
        "probe_z_um": z_c + 0.1 * thickness,
        "run_after_source": settings.run_after_source,
        "courant": settings.courant,
    }


def _candidates(modes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not modes:
        return []
    strongest = max(m["amplitude"] for m in modes)
    return [
        m
        for m in modes
        if m["amplitude"] >= MIN_RELATIVE_AMPLITUDE * strongest
        and m["error"] <= MAX_HARMINV_ERROR
        and abs(m["q"]) >= MIN_ABS_Q
    ]


def self_consistent_frequency(
    xs: CrossSection, fractions: dict[str, float], *, frequency_indices: float, frequency_run: float
) -> float:
    """Resonance (c/µm) with the indices taken at the mode's own wavelength (see module doc).

    Args:
        xs: the cross-section (material models).
        fractions: electric-energy fraction of the mode per material.
        frequency_indices: frequency (c/µm) at which the run's indices were evaluated.
        frequency_run: resonance frequency the run found with those indices.
    """
    n_run = xs.indices(1.0 / frequency_indices)
    f = frequency_run
    for _ in range(6):
        n_new = xs.indices(1.0 / f)
        shift = sum(fr * (n_new[m] - n_run[m]) / n_run[m] for m, fr in fractions.items())
        f = frequency_run * (1.0 - shift)
    return f


def predicted_frequencies(
    mode: ModeResult, design: RingDesign, mu: np.ndarray
) -> tuple[int, np.ndarray]:
    """(m0, frequency guesses in c/µm) from the straight-waveguide MPB mode.

    m0 = round(2πR n_eff/λ_p); f(μ) = f_p + (m0 + μ - m_p) D1 + D2 (m0 + μ - m_p)²/2 with
    D1 = c/(2πR n_g) and D2 = -c β2 D1²/n_g (all in frequency units).
    """
    lam = mode.wavelength_um
    m_exact = 2 * math.pi * design.radius_um * mode.n_eff / lam
    m0 = round(m_exact)
    d1 = 1.0 / (2 * math.pi * design.radius_um * mode.n_group)  # c/µm per mode
    beta2_um = mode.beta2_s2_per_m * C_M_PER_S**2 * 1e6  # β2 in µm (c = 1 units)
    d2 = -beta2_um * (2 * math.pi * d1) ** 2 / mode.n_group / (2 * math.pi)
    dm = m0 + np.asarray(mu, dtype=float) - m_exact
    return m0, 1.0 / lam + dm * d1 + 0.5 * d2 * dm**2


RING_FIELDS: tuple[str, ...] = ("radius_um", "width_um", "thickness_nm")
"""The design fields the bus-free ring simulation depends on (its key holds only these, so a
new gap or bus re-runs the coupler, not the ring)."""


def _payload(design: RingDesign, stack: FilmStack, settings: RingSettings) -> dict[str, Any]:
    return {
        "version": SOLVER_VERSION,
        "design": {name: getattr(design, name) for name in RING_FIELDS},
        "stack": stack.to_dict(),
        "settings": settings.to_dict(),
        "index_models": INDEX_MODELS_VERSION,
    }


def _compute(
    design: RingDesign, stack: FilmStack, settings: RingSettings, timeout_s: float, fresh: bool
) -> dict[str, Any]:
    xs = ring_cross_section(design, stack)
    mode = solve_mode(
        xs,
        wavelength_um=settings.pump_wavelength_nm * 1e-3,
        settings=ModeSettings(resolution=settings.mode_resolution, pad_um=settings.pad_um),
        fresh=fresh,
    )
    mu = np.array(settings.sampled_mu)
    m0, guesses = predicted_frequencies(mode, design, mu)
    cases = [
        ring_job_case(xs, design, settings, m0 + int(u), float(f))
        for u, f in zip(mu, guesses, strict=True)
    ]
    raw = run_job(SWEEP_JOB, {"cases": cases}, timeout_s=timeout_s)["cases"]

    pump = int(np.flatnonzero(mu == 0)[0])
    candidates = [_candidates(r["modes"]) for r in raw]
    rejected = sum(len(r["modes"]) for r in raw) - sum(len(c) for c in candidates)
    if not candidates[pump]:
        raise RuntimeError(
            f"no ring resonance found at m={m0} near {guesses[pump]:.6f} c/µm; increase "
            "run_after_source or check pad_um/pml_um (Harminv gave "
            f"{raw[pump]['modes']!r})"
        )
    chosen_pump = min(candidates[pump], key=lambda c: abs(c["frequency"] - guesses[pump]))
    offset = chosen_pump["frequency"] - guesses[pump]
    chosen = []
    for u, guess, cands in zip(mu, guesses, candidates, strict=True):
        target = guess + offset
        best = min(cands, key=lambda c: abs(c["frequency"] - target), default=None)
        if best is None or abs(best["frequency"] - target) > settings.family_tolerance * target:
            raise RuntimeError(
                f"mode family lost at mu={int(u)} (m={m0 + int(u)}): no candidate within "
                f"family_tolerance={settings.family_tolerance} of {target:.8f} c/µm; "
                f"candidates {cands!r}"
            )
        rejected += len(cands) - 1
        chosen.append(best)

    fractions = mode.energy_fractions
    simulated_radius = grid_aligned_radius_um(
        radius_um=design.radius_um, core_r_min_um=xs.core.x_min_um, resolution=settings.resolution
    )
    material = np.array(
        [
            self_consistent_frequency(
                xs, fractions, frequency_indices=case["frequency"], frequency_run=c["frequency"]
            )
            for case, c in zip(cases, chosen, strict=True)
        ]
    )
    run_freq = np.array([c["frequency"] for c in chosen])
    correction = float(np.max(np.abs(material / run_freq - 1.0)))
    corrected = radius_corrected_frequency(
        frequency=material,
        radius_um=design.radius_um,
        simulated_radius_um=simulated_radius,
        n_eff=mode.n_eff,
        n_group=mode.n_group,
    )
    freq_hz = corrected * HZ_PER_MEEP
    fit = fit_dispersion(mu, freq_hz)
    mu_dense = np.arange(-settings.mu_max, settings.mu_max + 1)
    d_int = integrated_dispersion(mu, freq_hz, d1_hz=fit.d1_hz, mu_dense=mu_dense)

    q_pump = chosen[pump]["q"]
    f_pump = corrected[pump]
    q_bound = math.pi * f_pump * settings.run_after_source / DETECTABLE_DECAY
    resolved = 0 < q_pump <= q_bound * 1e3
    fsr = fit.d1_hz
    return RingResult(
        design=design.to_dict(),
        stack=stack.to_dict(),
        radius_um=design.radius_um,
        simulated_radius_um=simulated_radius,
        m_pump=m0,
        pump_frequency_hz=float(freq_hz[pump]),
        pump_wavelength_nm=float(1e3 / f_pump),
        fsr_hz=fsr,
        d1_hz=fsr,
        d2_hz=fit.d2_hz,
        d3_hz=fit.d3_hz,
        n_group=C_M_PER_S / (2 * math.pi * design.radius_um * 1e-6 * fsr),
        mu=tuple(int(u) for u in mu_dense),
        d_int_hz=tuple(float(v) for v in d_int),
        sampled_mu=tuple(int(u) for u in mu),
        sampled_frequency_hz=tuple(float(v) for v in freq_hz),
        sampled_q=tuple(float(c["q"]) for c in chosen),
        q_radiation=float(q_pump) if resolved else float(q_bound),
        q_radiation_resolved=bool(resolved),
        fit_residual_hz=fit.residual_rms_hz,
        dispersion_correction_max_rel=correction,
        rejected_candidates=int(rejected),
        mode=mode.to_dict(),
        settings=settings.to_dict(),
    ).to_dict()


def simulate_ring(
    design: RingDesign | None = None,
    *,
    stack: FilmStack | None = None,
    settings: RingSettings | None = None,
    fresh: bool = False,
    timeout_s: float = 3600.0,
) -> RingResult:
    """Resonances, FSR, D2, D3, D_int and radiation Q of a ring (cached).

    Args:
        design: the ring (default: the reference 30.03 GHz comb ring).
        stack: the film stack (default: the PDK stack of the design's film thickness).
        settings: numerical settings (default :class:`RingSettings`).
        fresh: recompute even if a cached or shipped result exists.
        timeout_s: wall-clock limit of the meep subprocess in s.
    """
    design = design or RingDesign()
    stack = stack or film_stack(design.thickness_nm)
    settings = settings or RingSettings()
    _check_window(ring_cross_section(design, stack), design.radius_um, settings)
    data, _ = cached(
        "ring",
        _payload(design, stack, settings),
        lambda: _compute(design, stack, settings, timeout_s, fresh),
        fresh=fresh,
    )
    return replace(RingResult.from_dict(data), design=design.to_dict())
