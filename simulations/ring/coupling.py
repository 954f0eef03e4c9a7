"""Ring-bus coupling from supermodes and coupled-mode theory: power coupling and Q_c.

Two parallel strips (ring and bus width) at gap g have even and odd supermodes (solved with MPB,
or with meep in the same periodic cross-section cell at a fixed propagation constant); coupled-mode
theory gives the field coupling per unit length κ(g) = sqrt((π Δn_s/λ)² - δ²), with Δn_s the
supermode index splitting and δ = π (n_ring - n_bus)/λ the phase mismatch of the isolated
strips. κ(g) decays exponentially with the gap, κ(g) = κ0 exp(-γ (g - g0)), fitted to MPB at a
few gaps. Along a point coupler the local gap is g(z) = g0 + R_o - sqrt(R_o² - z²) (ring outer
edge radius R_o, straight bus), so the coupled amplitude is θ = ∫κ(g(z)) dz. A pulley bus adds an
arc of constant gap and length R_c·φ over which the ring and bus modes accumulate the
mismatch δ_arc = k0 (n_ring R_ring - n_bus R_bus) / R_c per unit length; the power coupling over
the arc follows the standard two-mode solution. The round-trip power coupling is K = sin²θ for a
point coupler; the coupling Q is Q_c = ω T_rt / (-ln(1 - K)) with T_rt = n_g 2πR / c.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qkdchip.cache import cached
from qkdchip.components.designs import RingDesign, StripWaveguide
from qkdchip.constants import C_M_PER_S
from qkdchip.pdk.materials import INDEX_MODELS_VERSION
from qkdchip.pdk.stacks import FilmStack, film_stack
from qkdchip.records import Record
from qkdchip.simulations.meep_jobs import run_job
from qkdchip.simulations.modes.geometry import (
    AMBIENT,
    FAR_UM,
    CrossSection,
    Rect,
    strip_cross_section,
)
from qkdchip.simulations.modes.solver import (
    MPB_THREADS,
    SWEEP_JOB,
    ModeResult,
    ModeSettings,
    case_inputs,
    job_case,
    modes_key,
    solve_mode,
)
from qkdchip.validation import check_ranges

SOLVER_VERSION = 1
CMT_VERSION = 1
"""Version of the coupled-mode model that turns the supermodes into a :class:`CouplerResult`
(bump it when that model changes: the cached coupler results are keyed on it, the supermodes
are not)."""
MEEP_SWEEP_JOB = "qkdchip.simulations.ring.jobs:supermode_frequency_sweep"
KZ_STEP = 2e-3
"""Relative step between the two propagation constants of the meep supermode runs."""
SOLVERS = ("mpb", "meep")


@dataclass(frozen=True)
class CouplerSettings(Record):
    """Numerical settings of the supermode coupler model.

    Attributes:
        resolution: pixels per µm, [8, 256].
        pad_um: cladding around the two strips in µm, [0.5, 10].
        gap_step_um: spacing of the gaps sampled above the design gap in µm, [0.05, 2].
        wavelength_nm: wavelength in nm, [1000, 2000].
        solver: ``"mpb"`` (eigenmodes at the wavelength) or ``"meep"`` (time domain: each
            supermode's frequency at two propagation constants, interpolated to the
            wavelength; needs identical strips so that the source parity picks one mode).
        run_after_source: meep Harminv window in µm/c, [20, 5000].
        source_bandwidth: meep source width relative to the frequency, [0.01, 0.5].
    """

    resolution: int = 32
    pad_um: float = 2.5
    gap_step_um: float = 0.4
    wavelength_nm: float = 1550.0
    solver: str = "mpb"
    run_after_source: float = 100.0
    source_bandwidth: float = 0.1

    def __post_init__(self) -> None:
        check_ranges(
            self,
            (
                ("resolution", 8, 256),
                ("pad_um", 0.5, 10),
                ("gap_step_um", 0.05, 2),
                ("wavelength_nm", 1000, 2000),
                ("run_after_source", 20, 5000),
                ("source_bandwidth", 0.01, 0.5),
            ),
        )
        if self.solver not in SOLVERS:
            raise ValueError(f"solver={self.solver!r} is not one of {list(SOLVERS)}")


@dataclass(frozen=True)
class CouplerResult(Record):
    """Ring-bus coupling of a :class:`RingDesign`.

    Attributes:
        design: the ring design as a dict.
        gap_um: edge-to-edge gap in µm.
        wrap_angle_deg: pulley wrap angle in degrees (0: point coupler).
        kappa_per_m: field coupling per unit length at the design gap in 1/m.
        decay_per_um: γ of κ(g) = κ0 exp(-γ (g - g0)) in 1/µm.
        power_coupling: power coupled to the bus per round trip K.
        q_coupling: coupling quality factor Q_c.
        n_group: group index of the ring mode used for Q_c.
        sampled_gaps_um: gaps solved with MPB.
        sampled_kappa_per_m: κ at each of them in 1/m.
        settings: the :class:`CouplerSettings` used.
    """

    design: dict[str, Any]
    gap_um: float
    wrap_angle_deg: float
    kappa_per_m: float
    decay_per_um: float
    power_coupling: float
    q_coupling: float
    n_group: float
    sampled_gaps_um: tuple[float, ...]
    sampled_kappa_per_m: tuple[float, ...]
    settings: dict[str, Any] = field(default_factory=dict)


def coupled_strips_cross_section(
    *, ring_width_um: float, bus_width_um: float, gap_um: float, stack: FilmStack
) -> CrossSection:
    """Two Si3N4 strips side by side (ring at x < 0, bus at x > 0) on the film stack."""
    t = stack.core_thickness_um
    clad_top = t + stack.upper_cladding_um
    x_ring = -gap_um / 2 - ring_width_um
    x_bus = gap_um / 2 + bus_width_um
    rects = (
        Rect(stack.core_material, x_ring, -gap_um / 2, 0.0, t),
        Rect(stack.core_material, gap_um / 2, x_bus, 0.0, t),
        Rect(AMBIENT, -FAR_UM, FAR_UM, clad_top, clad_top + FAR_UM),
    )
    return CrossSection(
        name=f"coupled_strips_w{ring_width_um:g}_{bus_width_um:g}_g{gap_um:g}",
        rects=rects,
        background=stack.cladding_material,
        window_um=(x_ring, x_bus, 0.0, t),
        core_material=stack.core_material,
    )


def kappa_from_supermodes(
    *, n_even: float, n_odd: float, n_ring: float, n_bus: float, wavelength_um: float
) -> float:
    """Field coupling per unit length in 1/m from the supermode splitting (CMT)."""
    k0 = 2 * math.pi / (wavelength_um * 1e-6)
    split = 0.5 * k0 * abs(n_even - n_odd)
    mismatch = 0.5 * k0 * abs(n_ring - n_bus)
    return math.sqrt(max(split**2 - mismatch**2, 0.0))


def supermode_index_at(
    *, kz: tuple[float, float], frequencies: tuple[float, float], frequency: float
) -> float:
    """Effective index at ``frequency`` of a mode with ``frequencies`` at the two ``kz``.

    Linear in kz between the two runs (meep units: kz in 2π/µm, frequencies in c/µm); the
    runs straddle the wavelength closely, so the error is second order in a ~1e-3 step.
    """
    velocity = (frequencies[1] - frequencies[0]) / (kz[1] - kz[0])
    if not velocity > 0:
        raise RuntimeError(f"supermode frequencies {frequencies} do not grow with kz {kz}")
    return (kz[0] + (frequency - frequencies[0]) / velocity) / frequency


def _meep_cases(
    case: dict[str, Any], n_guess: float, settings: CouplerSettings
) -> list[dict[str, Any]]:
    """meep runs of one gap: (even, odd) at kz and at kz (1 + KZ_STEP)."""
    frequency = 1.0 / case["wavelength_um"]
    ring, bus = case["rects"][0], case["rects"][1]
    y = 0.5 * (ring["y_min"] + ring["y_max"])
    x_ring = 0.5 * (ring["x_min"] + ring["x_max"])
    x_bus = 0.5 * (bus["x_min"] + bus["x_max"])
    probe = {"x": x_ring + 0.15 * (ring["x_max"] - ring["x_min"]), "y": y}
    return [
        {
            "rects": case["rects"],
            "background_index": case["background_index"],
            "cell": case["cell"],
            "resolution": case["resolution"],
            "kz": n_guess * frequency * (1.0 + step),
            "frequency": frequency,
            "frequency_width": settings.source_bandwidth * frequency,
            "sources": [
                {"x": x_ring, "y": y, "amplitude": 1.0},
                {"x": x_bus, "y": y, "amplitude": sign},
            ],
            "probe": probe,
            "run_after_source": settings.run_after_source,
        }
        for step in (0.0, KZ_STEP)
        for sign in (1.0, -1.0)
    ]


def _strongest(modes: list[dict[str, Any]]) -> float:
    """Frequency of the strongest well-fitted Harminv mode."""
    good = [m for m in modes if m["error"] < 1e-6 and abs(m["q"]) > 1e4]
    if not good:
        raise RuntimeError(f"no guided supermode found by Harminv (modes {modes!r})")
    return max(good, key=lambda m: m["amplitude"])["frequency"]


def supermode_indices(
    cases: list[dict[str, Any]],
    *,
    sections: list[CrossSection],
    n_guess: float,
    n_guess_key: str,
    settings: CouplerSettings,
    fresh: bool = False,
) -> list[tuple[float, float]]:
    """(n_even, n_odd) of coupled strips at each case's wavelength (cached).

    Args:
        cases: MPB job cases of the coupled-strip cross-sections (two bands).
        sections: the cross-section of each case (the key names their materials).
        n_guess: effective index near the supermodes (the meep runs' propagation constant).
        n_guess_key: cache key of the mode solve that gave ``n_guess`` (the meep key names it
            instead of the computed index).
        settings: ``settings.solver`` picks MPB or meep.
        fresh: recompute even if cached.
    """
    inputs = [case_inputs(xs, case) for xs, case in zip(sections, cases, strict=True)]
    if settings.solver == "mpb":
        payload = {"version": SOLVER_VERSION, "index_models": INDEX_MODELS_VERSION, "cases": inputs}
        raw, _ = cached(
            "coupler_supermodes",
            payload,
            lambda: run_job(SWEEP_JOB, {"cases": cases}, timeout_s=1800, threads=MPB_THREADS),
            fresh=fresh,
        )
        return [(c["bands"][0]["n_eff"], c["bands"][1]["n_eff"]) for c in raw["cases"]]
    runs = [run for case in cases for run in _meep_cases(case, n_guess, settings)]
    payload = {
        "version": SOLVER_VERSION,
        "index_models": INDEX_MODELS_VERSION,
        "cases": inputs,
        "n_guess_modes": n_guess_key,
        "source_bandwidth": settings.source_bandwidth,
        "run_after_source": settings.run_after_source,
    }
    raw, _ = cached(
        "coupler_supermodes_meep",
        payload,
        lambda: run_job(MEEP_SWEEP_JOB, {"cases": runs}, timeout_s=3600),
        fresh=fresh,
    )
    frequencies = [_strongest(r["modes"]) for r in raw["cases"]]
    indices = []
    for i, case in enumerate(cases):
        even_1, odd_1, even_2, odd_2 = frequencies[4 * i : 4 * i + 4]
        kz = (runs[4 * i]["kz"], runs[4 * i + 2]["kz"])
        f = 1.0 / case["wavelength_um"]
        indices.append(
            (
                supermode_index_at(kz=kz, frequencies=(even_1, even_2), frequency=f),
                supermode_index_at(kz=kz, frequencies=(odd_1, odd_2), frequency=f),
            )
        )
    return indices


def point_coupling_phase(
    *, kappa0_per_m: float, decay_per_um: float, outer_radius_um: float
) -> float:
    """θ = ∫ κ0 exp(-γ (R_o - sqrt(R_o² - z²))) dz over the ring's half-circle, in rad."""
    from scipy.integrate import quad

    def integrand(z_um: float) -> float:
        dg = outer_radius_um - math.sqrt(outer_radius_um**2 - z_um**2)
        return math.exp(-decay_per_um * dg)

    integral_um, _ = quad(integrand, -outer_radius_um, outer_radius_um, limit=200)
    return kappa0_per_m * integral_um * 1e-6


def ring_power_coupling(
    *,
    kappa0_per_m: float,
    decay_per_um: float,
    design: RingDesign,
    n_ring: float,
    n_bus: float,
    wavelength_um: float,
) -> float:
    """Power coupled per round trip K for a point (wrap 0) or pulley coupler."""
    outer = design.radius_um + design.width_um / 2
    theta_point = point_coupling_phase(
        kappa0_per_m=kappa0_per_m, decay_per_um=decay_per_um, outer_radius_um=outer
    )
    if design.wrap_angle_deg == 0:
        return math.sin(theta_point) ** 2
    # Pulley: entry/exit transitions (half a point coupler each) around a constant-gap arc.
    r_c = 0.5 * (design.radius_um + design.bus_radius_um)
    arc_um = r_c * math.radians(design.wrap_angle_deg)
    k0 = 2 * math.pi / wavelength_um
    delta_per_um = 0.5 * k0 * (n_ring * design.radius_um - n_bus * design.bus_radius_um) / r_c
    kappa_um = kappa0_per_m * 1e-6
    s = math.sqrt(kappa_um**2 + delta_per_um**2)
    arc_amplitude = kappa_um / s * math.sin(s * arc_um)
    theta_arc = math.asin(min(1.0, abs(arc_amplitude)))
    return math.sin(theta_point + theta_arc) ** 2


def q_coupling(
    *, power_coupling: float, n_group: float, radius_um: float, wavelength_um: float
) -> float:
    """Q_c = ω T_rt / (-ln(1 - K)) with T_rt = n_g 2πR / c."""
    if not 0 < power_coupling < 1:
        raise ValueError(f"power_coupling={power_coupling!r} must be in (0, 1)")
    omega = 2 * math.pi * C_M_PER_S / (wavelength_um * 1e-6)
    t_rt = n_group * 2 * math.pi * radius_um * 1e-6 / C_M_PER_S
    return omega * t_rt / (-math.log1p(-power_coupling))


def simulate_coupler(
    design: RingDesign | None = None,
    *,
    stack: FilmStack | None = None,
    settings: CouplerSettings | None = None,
    fresh: bool = False,
) -> CouplerResult:
    """Power coupling and Q_c of a ring's bus coupler (supermodes + CMT, cached).

    Args:
        design: ring with its gap, bus width and wrap angle (default: the PDK default ring).
        stack: film stack (default: the PDK stack of the design's film).
        settings: numerical settings.
        fresh: recompute even if cached.
    """
    design = design or RingDesign()
    stack = stack or film_stack(design.thickness_nm)
    settings = settings or CouplerSettings()
    if settings.solver == "meep" and design.bus_width_um != design.width_um:
        raise ValueError(
            f"solver='meep' needs identical strips; bus_width_um={design.bus_width_um!r} "
            f"differs from width_um={design.width_um!r} (use solver='mpb')"
        )
    wl = settings.wavelength_nm * 1e-3
    gaps = [design.gap_um + i * settings.gap_step_um for i in range(3)]
    mode_settings = ModeSettings(resolution=settings.resolution, pad_um=settings.pad_um, bands=2)
    single = ModeSettings(resolution=settings.resolution, pad_um=settings.pad_um)
    sections = [
        coupled_strips_cross_section(
            ring_width_um=design.width_um, bus_width_um=design.bus_width_um, gap_um=g, stack=stack
        )
        for g in gaps
    ]
    cases = [job_case(xs, wl, mode_settings) for xs in sections]
    ring_xs = strip_cross_section(StripWaveguide(design.width_um, design.thickness_nm), stack)
    ring_mode = solve_mode(ring_xs, wavelength_um=wl, settings=single, fresh=fresh)
    bus_xs = strip_cross_section(StripWaveguide(design.bus_width_um, design.thickness_nm), stack)
    bus_mode = solve_mode(bus_xs, wavelength_um=wl, settings=single, fresh=fresh)
    # One cell for all gaps (the widest): MPB fails to re-initialise with a new grid size in
    # the same process, and a common grid keeps the discretisation identical across gaps.
    for case in cases:
        case["cell"] = cases[-1]["cell"]
    ring_key = modes_key(ring_xs, wavelength_um=wl, settings=single)
    supermodes = supermode_indices(
        cases,
        sections=sections,
        n_guess=ring_mode.n_eff,
        n_guess_key=ring_key,
        settings=settings,
        fresh=fresh,
    )
    payload = {
        "version": CMT_VERSION,
        "index_models": INDEX_MODELS_VERSION,
        "design": design.to_dict(),
        "settings": settings.to_dict(),
        "cases": [case_inputs(xs, case) for xs, case in zip(sections, cases, strict=True)],
        "modes": [ring_key, modes_key(bus_xs, wavelength_um=wl, settings=single)],
    }
    data, _ = cached(
        "coupler",
        payload,
        lambda: _coupler_result(
            design, settings, gaps=gaps, supermodes=supermodes, ring=ring_mode, bus=bus_mode
        ).to_dict(),
        fresh=fresh,
    )
    return CouplerResult.from_dict(data)


def _coupler_result(
    design: RingDesign,
    settings: CouplerSettings,
    *,
    gaps: list[float],
    supermodes: list[tuple[float, float]],
    ring: ModeResult,
    bus: ModeResult,
) -> CouplerResult:
    """Coupled-mode theory on the supermode indices at ``gaps`` (µm): κ(g), K and Q_c."""
    wl = settings.wavelength_nm * 1e-3
    kappas = [
        kappa_from_supermodes(
            n_even=n_even,
            n_odd=n_odd,
            n_ring=ring.n_eff,
            n_bus=bus.n_eff,
            wavelength_um=wl,
        )
        for n_even, n_odd in supermodes
    ]
    if min(kappas) <= 0:
        raise RuntimeError(
            f"supermode splitting below the phase mismatch at gaps {gaps} (kappa {kappas}); "
            "the strips are too dissimilar or too far apart for a CMT estimate"
        )
    slope, intercept = np.polyfit(np.array(gaps) - gaps[0], np.log(kappas), 1)
    kappa0, decay = math.exp(intercept), -slope
    if decay <= 0:
        raise RuntimeError(f"coupling does not decay with the gap (kappa {kappas} at {gaps})")
    k = ring_power_coupling(
        kappa0_per_m=kappa0,
        decay_per_um=decay,
        design=design,
        n_ring=ring.n_eff,
        n_bus=bus.n_eff,
        wavelength_um=wl,
    )
    return CouplerResult(
        design=design.to_dict(),
        gap_um=design.gap_um,
        wrap_angle_deg=design.wrap_angle_deg,
        kappa_per_m=kappa0,
        decay_per_um=decay,
        power_coupling=k,
        q_coupling=q_coupling(
            power_coupling=k,
            n_group=ring.n_group,
            radius_um=design.radius_um,
            wavelength_um=wl,
        ),
        n_group=ring.n_group,
        sampled_gaps_um=tuple(gaps),
        sampled_kappa_per_m=tuple(kappas),
        settings=settings.to_dict(),
    )
