"""The registry of the chips' simulated devices (:data:`DEVICES`): how each is simulated from
the design records, with the settings of its shipped result, and what it reports.

:func:`simulate_default` simulates one device (by its ``qkdchip simulate`` name); the default
designs are served from the shipped cache without meep. Regenerate the
shipped results with
``QKDCHIP_CACHE_DIR=qkdchip/data/devices qkdchip simulate <device> --fresh``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from qkdchip.cache import recording, user_cache_dir
from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.components.designs import (
    REFERENCE_FSR_HZ,
    DbrGratingDesign,
    MmiDesign,
    RingDesign,
    StripWaveguide,
    ring_radius_for_fsr,
)
from qkdchip.pdk.stacks import EPI_STACK
from qkdchip.platforms import platform
from qkdchip.simulations.fdtd.grating import GratingResult
from qkdchip.simulations.fdtd.mmi import (
    MmiResult,
    MmiScan,
    MmiSettings,
    effective_indices,
    scan_mmi,
    self_imaging_length_um,
)
from qkdchip.simulations.modes.geometry import strip_cross_section
from qkdchip.simulations.modes.modulator import ModulatorResult
from qkdchip.simulations.modes.solver import ModeResult, ModeSettings, solve_mode
from qkdchip.simulations.ring.coupling import CouplerResult
from qkdchip.simulations.ring.resonances import RingResult, RingSettings
from qkdchip.simulations.wafer_yield.specs import DeviceSpec, load_chip_spec

REFERENCE_RING_SETTINGS = RingSettings(
    resolution=30,
    pad_um=2.5,
    run_after_source=100.0,
    source_bandwidth=0.15,
    mu_step=128,
    courant=0.65,
)
"""Settings of the shipped reference-ring result.

Resolution convergence of the reference ring (FSR in GHz, D2/2π in kHz), second order in the
grid spacing, at Courant 0.5 and 0.65 (the time step's numerical dispersion differs, the limit
does not):

=============  =====================  =====================
px/µm          Courant 0.5            Courant 0.65
=============  =====================  =====================
20             29.9243, -782.2        29.9507, -774.5
30             29.9506, -763.5        29.9623, -760.1
40             29.9601, -757.6        29.9667, -755.7
extrapolated   29.9723, -750.0        29.9723, -750.0
=============  =====================  =====================

At 30 px/µm and Courant 0.65 (stable: the off-axis window keeps m/r small) the FSR is within
0.04 % and D2 within 1.4 % of the extrapolated values, at ~27 s per azimuthal order.
"""

MODULATOR_MODE_SETTINGS = ModeSettings(resolution=32, pad_um=1.5)
"""MPB settings of the shipped phase-modulator result (``qkdchip simulate modulator``)."""

MMI_2X2_BASE = MmiDesign(
    n_inputs=2,
    width_um=4.0,
    length_um=66.0,
    port_offset_um=1.0,
    access_width_um=1.2,
    taper_length_um=0.0,
    ridge_width_um=1.2,
)
"""General-interference 2x2 MMI, W = 4 µm, ports at ±W/4; its length is set by
:func:`mmi_2x2_design` (66 µm is the nominal n = 3.2 self-imaging value)."""

MMI_2X2_SETTINGS = MmiSettings(resolution=40, frequencies=1, bandwidth_nm=0.0)
"""Settings of the shipped 2x2 length scan. The grid's numerical dispersion in the n = 3.2 core
shortens the best length at coarse grids (about 60 µm at 16 px/µm, 62 µm or more at 24 px/µm,
64.9 µm at 40 px/µm); extrapolated as the grid spacing squared, 40 px/µm (13 pixels per
wavelength in the core) is within ~1.5 % of the limit. At the scanned optimum (65 µm) the
excess loss is 0.15 dB and the split 0.510; at the 3Lπ/2 estimate (68 µm) it is >2 dB at every
resolution tried (16-40 px/µm)."""

MMI_2X2_SCAN_FRACTIONS = (0.91, 0.925, 0.94, 0.955, 0.97)
"""Scanned lengths relative to the self-imaging estimate 3Lπ/2, rounded to whole µm (the
optimum of the 40 px/µm scan lies 4.4 % below the paraxial estimate)."""


def mmi_2x2_estimate(*, fresh: bool = False) -> MmiDesign:
    """The 2x2 MMI at its self-imaging estimate 3Lπ/2 (MPB slab index, effective width)."""
    settings = MmiSettings()
    n_slab, n_field = effective_indices(MMI_2X2_BASE, EPI_STACK, settings, fresh)
    length = self_imaging_length_um(
        width_um=MMI_2X2_BASE.width_um,
        n_slab=n_slab,
        n_field=n_field,
        wavelength_um=settings.wavelength_nm * 1e-3,
        ports="2x2",
    )
    return replace(MMI_2X2_BASE, length_um=round(length, 1))


def mmi_2x2_scan(*, fresh: bool = False) -> MmiScan:
    """meep length scan of the 2x2 MMI around :func:`mmi_2x2_estimate` (shipped)."""
    estimate = mmi_2x2_estimate(fresh=fresh)
    lengths = sorted({float(round(estimate.length_um * f)) for f in MMI_2X2_SCAN_FRACTIONS})
    return scan_mmi(
        estimate, field="length_um", values=lengths, settings=MMI_2X2_SETTINGS, fresh=fresh
    )


def mmi_2x2_design(*, fresh: bool = False) -> MmiDesign:
    """The 2x2 MMI at the scanned length of highest transmission (whole µm)."""
    return replace(MMI_2X2_BASE, length_um=mmi_2x2_scan(fresh=fresh).best_value)


def reference_ring_design(*, fresh: bool = False) -> RingDesign:
    """The reference comb ring: the 100 nm film strip, radius for a 30.03 GHz FSR.

    The radius follows from the MPB group index of the ring waveguide (material dispersion
    included), R = c/(2π n_g FSR), rounded to 0.1 µm.
    """
    waveguide = StripWaveguide()
    mode = solve_mode(
        strip_cross_section(waveguide),
        settings=ModeSettings(
            resolution=REFERENCE_RING_SETTINGS.mode_resolution,
            pad_um=REFERENCE_RING_SETTINGS.pad_um,
        ),
        fresh=fresh,
    )
    radius = ring_radius_for_fsr(fsr_hz=REFERENCE_FSR_HZ, n_group=mode.n_group)
    return RingDesign(
        radius_um=round(radius, 1),
        width_um=waveguide.width_um,
        thickness_nm=waveguide.thickness_nm,
    )


def _modes(designs: ChipDesigns, fresh: bool) -> Any:
    ring = designs.ring
    strip = strip_cross_section(StripWaveguide(ring.width_um, ring.thickness_nm))
    return solve_mode(strip, settings=ModeSettings(), fresh=fresh)


def _ring(designs: ChipDesigns, fresh: bool) -> Any:
    from qkdchip.simulations.ring.resonances import simulate_ring

    return simulate_ring(designs.ring, settings=REFERENCE_RING_SETTINGS, fresh=fresh)


def _coupler(designs: ChipDesigns, fresh: bool) -> Any:
    from qkdchip.simulations.ring.coupling import CouplerSettings, simulate_coupler

    return simulate_coupler(designs.ring, settings=CouplerSettings(), fresh=fresh)


def _grating(designs: ChipDesigns, fresh: bool) -> Any:
    from qkdchip.simulations.fdtd.grating import GratingSettings, simulate_grating

    grating = DbrGratingDesign(period_nm=designs.laser.period_nm)
    return simulate_grating(grating, settings=GratingSettings(), fresh=fresh)


def _mmi(designs: ChipDesigns, fresh: bool) -> Any:
    from qkdchip.simulations.fdtd.mmi import simulate_mmi

    return simulate_mmi(designs.mmi, settings=MmiSettings(), fresh=fresh)


def _modulator(designs: ChipDesigns, fresh: bool) -> Any:
    from qkdchip.simulations.modes.modulator import simulate_modulator

    return simulate_modulator(
        designs.phase_modulator, settings=MODULATOR_MODE_SETTINGS, fresh=fresh
    )


@dataclass(frozen=True)
class Device:
    """One simulated device of the chips: what it is, how it is simulated, what it reports and
    which yield specifications it sets.

    Attributes:
        name: the ``qkdchip simulate`` name.
        solver: how it is simulated (one line, for reports and provenance).
        simulate: ``simulate(designs, fresh) -> result`` with the shipped results' settings.
        result_type: the class of its result.
        headlines: ``headlines(result) -> {name_with_unit: value}``.
        yield_devices: the ``platform.kind`` devices of the yield specs (``specs.toml``) whose
            design point this result sets (:mod:`qkdchip.simulations.wafer_yield.design_point`).
    """

    name: str
    solver: str
    simulate: Callable[[ChipDesigns, bool], Any]
    result_type: type
    headlines: Callable[[Any], dict[str, float]]
    yield_devices: tuple[str, ...] = ()

    def yield_specs(self) -> dict[str, DeviceSpec]:
        """The yield specification of each of :attr:`yield_devices`, by ``platform.kind``."""
        out = {}
        for key in self.yield_devices:
            name, kind = key.split(".")
            out[key] = load_chip_spec(platform(name)).device(kind)
        return out


DEVICES: dict[str, Device] = {
    d.name: d
    for d in (
        Device(
            "modes",
            "MPB mode solve of the comb ring's strip",
            _modes,
            ModeResult,
            lambda r: {
                "n_eff": r.n_eff,
                "n_group": r.n_group,
                "beta2_ps2_per_km": r.beta2_s2_per_m * 1e27,
                "mode_area_um2": r.mode_area_um2,
            },
        ),
        Device(
            "ring",
            "meep cylindrical FDTD of the comb ring (resonances, D_int)",
            _ring,
            RingResult,
            lambda r: {
                "radius_um": r.radius_um,
                "fsr_ghz": r.fsr_hz * 1e-9,
                "d2_khz": r.d2_hz * 1e-3,
                "d3_hz": r.d3_hz,
                "n_group": r.n_group,
                "pump_wavelength_nm": r.pump_wavelength_nm,
            },
            ("si3n4.comb_ring",),
        ),
        Device(
            "coupler",
            "MPB supermodes + coupled-mode theory of the ring's bus coupler",
            _coupler,
            CouplerResult,
            lambda r: {
                "gap_um": r.gap_um,
                "power_coupling": r.power_coupling,
                "q_coupling": r.q_coupling,
            },
            ("si3n4.comb_ring",),
        ),
        Device(
            "grating",
            "MPB tooth/groove modes + 1-D meep band edges of the DBR grating",
            _grating,
            GratingResult,
            lambda r: {
                "kappa_per_cm": r.kappa_per_cm,
                "bragg_wavelength_nm": r.bragg_wavelength_nm,
                "peak_reflectance": r.peak_reflectance,
            },
            ("inp.dbr_laser",),
        ),
        Device(
            "mmi",
            "2-D effective-index meep FDTD of the 1x2 MMI",
            _mmi,
            MmiResult,
            lambda r: {"split_ratio": r.split_ratio, "excess_loss_db": r.excess_loss_db},
        ),
        Device(
            "modulator",
            "MPB mode of the PM cross-section, Pockels Vπ·L with the band-edge (QCSE) "
            "calibration",
            _modulator,
            ModulatorResult,
            lambda r: {
                "vpi_l_pockels_v_mm": r.vpi_l_pockels_v_mm,
                "band_edge_enhancement": r.model["band_edge_enhancement"],
                "vpi_l_v_mm": r.vpi_l_v_mm,
                "vpi_v": r.vpi_v,
                "length_um": r.design["length_um"],
                "overlap": r.overlap,
            },
            ("inp.phase_modulator", "inp.intensity_modulator"),
        ),
    )
}
"""The simulated devices, in the order :func:`default_results` runs them (the 2x2 MMI of
:func:`mmi_2x2_design` ships as its length scan)."""

DEFAULT_RESULTS: tuple[str, ...] = tuple(DEVICES)
"""Names of the devices with a shipped result for the default designs."""


def simulate_default(name: str, *, designs: ChipDesigns | None = None, fresh: bool = False) -> Any:
    """The result of one device of ``designs``, with the settings of the shipped results.

    The default designs are served from the shipped cache without meep; a changed design is
    simulated (or read from the user cache).

    Args:
        name: one of :data:`DEFAULT_RESULTS`.
        designs: the chips' devices (default :class:`ChipDesigns`).
        fresh: recompute instead of reading the cache (needs meep/MPB).

    Returns:
        The device's result object (``ModeResult``, ``RingResult``, ``CouplerResult``,
        ``GratingResult``, ``MmiResult`` or ``ModulatorResult``).
    """
    if name not in DEVICES:
        raise ValueError(f"name={name!r} is not a default device; allowed: {list(DEVICES)}")
    return DEVICES[name].simulate(designs or ChipDesigns(), fresh)


def default_results(*, designs: ChipDesigns | None = None, fresh: bool = False) -> dict[str, Any]:
    """Every device's result by name (the default designs from the shipped cache)."""
    return default_results_with_keys(designs=designs, fresh=fresh)[0]


def default_results_with_keys(
    *, designs: ChipDesigns | None = None, fresh: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Every device's result, and the cache keys of the results behind each.

    The results of one design are looked up once per process and user cache folder (a sweep
    of scenario values reloads nothing); ``fresh`` recomputes them.

    Returns:
        (device -> result, device -> keys of every cached result it used, its own last).
    """
    designs = designs or ChipDesigns()
    if fresh:
        return _results_with_keys(designs, fresh=True)
    results, keys = _looked_up_results(designs, str(user_cache_dir()))
    return dict(results), {name: list(used) for name, used in keys.items()}


@functools.lru_cache(maxsize=8)
def _looked_up_results(
    designs: ChipDesigns, user_cache: str
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """:func:`_results_with_keys` from the caches, remembered per design and ``user_cache``
    (the folder the lookups read, part of the key only)."""
    return _results_with_keys(designs, fresh=False)


def _results_with_keys(
    designs: ChipDesigns, *, fresh: bool
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    results: dict[str, Any] = {}
    keys: dict[str, list[str]] = {}
    for name in DEFAULT_RESULTS:
        with recording() as used:
            results[name] = simulate_default(name, designs=designs, fresh=fresh)
        keys[name] = used
    return results, keys
