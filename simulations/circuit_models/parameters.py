"""The numbers of the circuit models: from the shipped device results and the design records.

Each device's simulated result is read through :mod:`qkdchip.simulations.devices.defaults`
(shipped for the default designs, simulated or read from the user cache for others):

- InP deep ridge: n_eff of the simulated phase-modulator cross-section (MPB) and n_g of the
  simulated grating's ridge mode; the DBR gratings' κ, Bragg wavelength and n_g (MPB + meep);
  Vπ·L of the simulated, calibrated phase modulator; the MMIs' simulated output spectra and the
  2x2 MMI's simulated length scan.
- Si3N4 strip: n_eff and n_g of the simulated mode (MPB); the comb ring's resonances and
  integrated dispersion (meep); the bus coupler's power coupling and κ(gap) (MPB + CMT); the
  ring's intrinsic Q is the paper's (the comb model's), which also sets the strip's loss.

What no simulation gives is a named assumption below.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.components.designs import MmiDesign, RingDesign
from qkdchip.constants import C_M_PER_S
from qkdchip.records import Record
from qkdchip.validation import check_choice

INP_DEEP_LOSS_DB_PER_CM = 2.0
"""Assumption: deep-etched InP ridge loss; generic InP passive waveguides lose of order
1-3 dB/cm (Smit et al., Semicond. Sci. Technol. 29, 083001 (2014))."""
INP_SHALLOW_LOSS_DB_PER_CM = 1.0
"""Assumption: shallow-etched ridges scatter less at their sidewalls than deep ones; the low
end of the same 1-3 dB/cm range."""
INP_SSC_COUPLING_LOSS_DB = 1.5
"""Assumption: lensed fibre to the angled InP spot-size converter, per facet (1-2 dB typical
of generic-InP SSCs)."""
SI3N4_EDGE_COUPLING_LOSS_DB = 1.0
"""Assumption: fibre to the Si3N4 inverse-taper edge coupler, per facet."""
ETCH_TRANSITION_LOSS_DB = 0.1
"""Assumption: loss of one adiabatic deep-to-shallow etch transition."""

SIMULATED_CROSS_SECTIONS: tuple[str, ...] = ("xs_inp_deep", "xs_inp_shallow", "xs_sin_thin")
"""Cross-sections the waveguide model has numbers for."""


@dataclass(frozen=True)
class WaveguideParameters(Record):
    """Indices and loss of a waveguide cross-section.

    Attributes:
        cross_section: the cross-section's name.
        n_eff: effective index at ``wavelength0_um``.
        n_group: group index there.
        wavelength0_um: wavelength of the indices in µm.
        loss_db_per_cm: propagation loss in dB/cm.
        source: where the numbers come from.
    """

    cross_section: str
    n_eff: float
    n_group: float
    wavelength0_um: float
    loss_db_per_cm: float
    source: str


def _simulated(name: str, designs: ChipDesigns | None = None) -> Any:
    from qkdchip.simulations.devices.defaults import simulate_default

    return simulate_default(name, designs=designs)


@lru_cache(maxsize=8)
def waveguide_parameters(cross_section: str) -> WaveguideParameters:
    """Indices and loss of ``cross_section`` (one of :data:`SIMULATED_CROSS_SECTIONS`)."""
    check_choice("cross_section", cross_section, SIMULATED_CROSS_SECTIONS)
    if cross_section == "xs_sin_thin":
        from qkdchip.simulations.comb.reference import REFERENCE_Q_INTRINSIC

        mode = _simulated("modes")
        alpha_per_m = (
            2 * math.pi * mode.n_group / (mode.wavelength_um * 1e-6 * REFERENCE_Q_INTRINSIC)
        )
        return WaveguideParameters(
            cross_section=cross_section,
            n_eff=mode.n_eff,
            n_group=mode.n_group,
            wavelength0_um=mode.wavelength_um,
            loss_db_per_cm=10 * math.log10(math.e) * alpha_per_m * 1e-2,
            source=(
                f"simulated mode {mode.cross_section} (MPB); loss 2π n_g/(λ Q_i) with the "
                f"paper's intrinsic Q {REFERENCE_Q_INTRINSIC:g}"
            ),
        )
    modulator = _simulated("modulator")
    grating = _simulated("grating")
    deep = cross_section == "xs_inp_deep"
    return WaveguideParameters(
        cross_section=cross_section,
        n_eff=modulator.n_eff,
        n_group=grating.n_group,
        wavelength0_um=modulator.wavelength_um,
        loss_db_per_cm=INP_DEEP_LOSS_DB_PER_CM if deep else INP_SHALLOW_LOSS_DB_PER_CM,
        source=(
            "simulated deep ridge: n_eff of the phase-modulator mode, n_g of the grating's "
            "ridge mode (MPB)"
            + ("" if deep else "; assumption: the shallow ridge's indices are the deep one's")
            + "; loss: assumption"
        ),
    )


@dataclass(frozen=True)
class RingParameters(Record):
    """Resonances, loss and bus coupling of a ring.

    Attributes:
        resonance_hz: frequency of the μ = 0 resonance (the one nearest 1550 nm) in Hz.
        fsr_hz: D1/2π in Hz.
        d2_hz: D2/2π in Hz.
        d3_hz: D3/2π in Hz.
        q_intrinsic: intrinsic Q.
        power_coupling: bus power coupling K per round trip.
        source: where the numbers come from.
    """

    resonance_hz: float
    fsr_hz: float
    d2_hz: float
    d3_hz: float
    q_intrinsic: float
    power_coupling: float
    source: str


def _check_reference_film(design: RingDesign) -> None:
    reference = RingDesign()
    if design.thickness_nm != reference.thickness_nm:
        raise ValueError(
            f"thickness_nm={design.thickness_nm!r}: ring models need the intrinsic Q of the "
            f"film, known only for the reference {reference.thickness_nm:g} nm film "
            f"(allowed: {reference.thickness_nm})"
        )


def _resonances(design: RingDesign) -> tuple[float, float, float, float, str]:
    """(f0, D1, D2, D3)/2π in Hz and their source: the simulated ring of the same geometry,
    else the simulated strip mode around a ring of ``design.radius_um``."""
    from qkdchip.simulations.devices.defaults import reference_ring_design

    reference = reference_ring_design()
    same = (design.radius_um, design.width_um, design.thickness_nm) == (
        reference.radius_um,
        reference.width_um,
        reference.thickness_nm,
    )
    designs = dataclasses.replace(ChipDesigns(), ring=design)
    if same:
        ring = _simulated("ring", designs)
        source = f"simulated ring resonances (meep), R = {ring.radius_um} µm"
        return ring.pump_frequency_hz, ring.fsr_hz, ring.d2_hz, ring.d3_hz, source
    mode = _simulated("modes", designs)
    length_m = 2 * math.pi * design.radius_um * 1e-6
    f_ref = C_M_PER_S / (mode.wavelength_um * 1e-6)
    order = round(mode.n_eff * length_m * f_ref / C_M_PER_S)
    # n(f) = n_eff + (n_g - n_eff)(f - f_ref)/f_ref to first order: solve n(f) f L = m c
    a, b = mode.n_group - mode.n_eff, mode.n_eff - (mode.n_group - mode.n_eff)
    f0 = (-b + math.sqrt(b * b + 4 * a * order * C_M_PER_S / (length_m * f_ref))) / (2 * a / f_ref)
    fsr = C_M_PER_S / (mode.n_group * length_m)
    d2 = -(C_M_PER_S / mode.n_eff) * 2 * math.pi * fsr**2 * mode.beta2_s2_per_m
    source = f"simulated strip mode {mode.cross_section} (MPB) around R = {design.radius_um} µm"
    return f0, fsr, d2, 0.0, source


def _power_coupling(design: RingDesign) -> tuple[float, str]:
    """Bus power coupling of ``design``: the simulated coupler's, or for another gap, radius
    or wrap angle on the same strips the simulated κ(gap) through the ring's coupler model."""
    from qkdchip.simulations.ring.coupling import ring_power_coupling

    base = _simulated("coupler")
    base_design = RingDesign(**base.design)
    if design == base_design:
        return base.power_coupling, "simulated coupler (MPB supermodes + CMT)"
    strips = ("width_um", "bus_width_um", "thickness_nm")
    if any(getattr(design, k) != getattr(base_design, k) for k in strips):
        coupler = _simulated("coupler", dataclasses.replace(ChipDesigns(), ring=design))
        return coupler.power_coupling, "simulated coupler (MPB supermodes + CMT)"
    mode = _simulated("modes", dataclasses.replace(ChipDesigns(), ring=design))
    kappa = base.kappa_per_m * math.exp(-base.decay_per_um * (design.gap_um - base.gap_um))
    k = ring_power_coupling(
        kappa0_per_m=kappa,
        decay_per_um=base.decay_per_um,
        design=design,
        n_ring=mode.n_eff,
        n_bus=mode.n_eff,
        wavelength_um=mode.wavelength_um,
    )
    return k, (
        f"simulated κ(gap) = {base.kappa_per_m:.4g} /m · exp(-{base.decay_per_um:.4g}/µm · "
        f"(g - {base.gap_um} µm)) through the ring coupler model"
    )


@lru_cache(maxsize=64)
def ring_parameters(design: RingDesign) -> RingParameters:
    """Resonances, Q and coupling of the ring ``design`` on the reference film."""
    from qkdchip.simulations.comb.reference import REFERENCE_Q_INTRINSIC

    _check_reference_film(design)
    f0, fsr, d2, d3, resonances = _resonances(design)
    k, coupling = _power_coupling(design)
    return RingParameters(
        resonance_hz=f0,
        fsr_hz=fsr,
        d2_hz=d2,
        d3_hz=d3,
        q_intrinsic=REFERENCE_Q_INTRINSIC,
        power_coupling=k,
        source=f"{resonances}; {coupling}; intrinsic Q {REFERENCE_Q_INTRINSIC:g} (paper)",
    )


@lru_cache(maxsize=16)
def mmi_spectrum(
    design: MmiDesign,
) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """(wavelengths in µm ascending, power to o2, power to o3) of the simulated 1x2 MMI."""
    if design.n_inputs != 1:
        raise ValueError(f"n_inputs={design.n_inputs!r}: the 1x2 spectrum needs 1 (allowed: 1)")
    from qkdchip.simulations.fdtd.mmi import MmiSettings, simulate_mmi

    result = (
        _simulated("mmi")
        if design == ChipDesigns().mmi
        else simulate_mmi(design, settings=MmiSettings())
    )
    order = sorted(range(len(result.wavelength_nm)), key=lambda k: result.wavelength_nm[k])
    upper, lower = result.output_power_spectrum
    return (
        tuple(result.wavelength_nm[k] * 1e-3 for k in order),
        tuple(upper[k] for k in order),
        tuple(lower[k] for k in order),
    )


@lru_cache(maxsize=1)
def mmi_2x2_powers() -> tuple[float, float]:
    """(bar, cross) power of the simulated 2x2 MMI at its best scanned length (1550 nm)."""
    from qkdchip.simulations.devices.defaults import mmi_2x2_scan

    scan = mmi_2x2_scan()
    k = scan.values.index(scan.best_value)
    total, split = scan.transmission[k], scan.split_ratio[k]
    return total * split, total * (1 - split)


@lru_cache(maxsize=4)
def vpi_l_v_mm(ridge_width_um: float, electrode_width_um: float) -> float:
    """Simulated, band-edge calibrated Vπ·L in V·mm of a phase modulator's cross-section."""
    design = ChipDesigns().phase_modulator
    changed = dataclasses.replace(
        design, ridge_width_um=ridge_width_um, electrode_width_um=electrode_width_um
    )
    if changed == design:
        return float(_simulated("modulator").vpi_l_v_mm)
    from qkdchip.simulations.devices.defaults import MODULATOR_MODE_SETTINGS
    from qkdchip.simulations.modes.modulator import simulate_modulator

    return float(simulate_modulator(changed, settings=MODULATOR_MODE_SETTINGS).vpi_l_v_mm)


@lru_cache(maxsize=1)
def electro_absorption_loss_db() -> float:
    """Electro-absorption loss (dB) of a phase-modulator arm driven at its Vπ: the yield
    model's ``ea_bias_loss_db`` (the same assumption, one number for the IM's extinction in
    both models; :mod:`qkdchip.simulations.wafer_yield.devices_inp`)."""
    from qkdchip.platforms import INP
    from qkdchip.simulations.wafer_yield.sensitivity_table import load_sensitivity_table

    return float(load_sensitivity_table(INP).d("ea_bias_loss_db"))


@dataclass(frozen=True)
class GratingParameters(Record):
    """A DBR grating's coupled-mode parameters.

    Attributes:
        kappa_per_m: coupling coefficient κ in 1/m (simulated).
        bragg_wavelength_um: Bragg wavelength in µm (simulated at the simulated period, scaled
            with the period for another one: λ_B = 2 n Λ at a fixed mean index n).
        n_group: group index (simulated).
        period_nm: the grating period in nm.
    """

    kappa_per_m: float
    bragg_wavelength_um: float
    n_group: float
    period_nm: float


@lru_cache(maxsize=8)
def grating_parameters(period_nm: float) -> GratingParameters:
    """κ, Bragg wavelength and n_g of the transmitter's DBR grating of period ``period_nm``."""
    grating = _simulated("grating")
    simulated_period = grating.design["period_nm"]
    return GratingParameters(
        kappa_per_m=grating.kappa_per_m,
        bragg_wavelength_um=grating.bragg_wavelength_nm * 1e-3 * period_nm / simulated_period,
        n_group=grating.n_group,
        period_nm=period_nm,
    )
