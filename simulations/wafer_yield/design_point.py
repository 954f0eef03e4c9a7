"""The entries of each platform's compact-model table that the drawn devices set.

InP: the DBR lasers the transmitter draws (``ChipDesigns.laser``) and their simulated grating
(κ, group index, Bragg index) fix the laser entries of the design point, the drawn modulator
lengths and the simulated, band-edge calibrated Vπ·L the modulators', and MPB central
differences of the drawn deep ridge its index and confinement sensitivities. Si3N4: the drawn comb
ring's meep resonances (FSR, D2, pump wavelength), its simulated coupler (Q_c, gap decay) and MPB
central differences of its strip (resonance, n_g and D2 sensitivities) fix the ring's. The
sensitivity tables hold only what no drawn device or simulation gives; a table file that holds
one of these entries is refused (one home per number).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qkdchip.cache import recording
from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.components.designs import RidgeWaveguide

Entries = dict[str, tuple[float, str]]
"""Entry name -> (value, provenance)."""


@dataclass(frozen=True)
class DrawnEntries:
    """Entries of a sensitivity table that the drawn devices and their simulations set.

    Attributes:
        design: design-point entries (lengths, indices, FSR, D2, ...).
        sensitivities: first derivatives computed from the drawn geometry.
    """

    design: Entries = field(default_factory=dict)
    sensitivities: Entries = field(default_factory=dict)


def inp_design_point(designs: ChipDesigns) -> DrawnEntries:
    """Laser entries of the InP design point (the drawn laser with its simulated grating) and
    the ridge's sensitivities (MPB on the drawn ridge)."""
    from qkdchip.simulations.devices.defaults import simulate_default
    from qkdchip.simulations.fdtd.grating import GratingSettings
    from qkdchip.simulations.modes.ridge_sensitivities import ridge_sensitivities
    from qkdchip.simulations.modes.solver import ModeSettings

    laser = designs.laser
    with recording() as keys:
        grating = simulate_default("grating", designs=designs)
    simulated = f"simulated grating {keys[-1]} (MPB + meep)"
    drawn = "drawn laser (DbrLaserDesign, transmitter mask)"
    injection = (
        laser.rear_grating_um if laser.injection_mirror == "rear" else laser.front_grating_um
    )
    design = {
        "gain_length_um": (laser.gain_um, drawn),
        "phase_length_um": (laser.phase_um, drawn),
        "rear_grating_length_um": (laser.rear_grating_um, drawn),
        "front_grating_length_um": (laser.front_grating_um, drawn),
        "injection_grating_length_um": (injection, f"{drawn}: the {laser.injection_mirror} one"),
        "grating_kappa_per_cm": (grating.kappa_per_m / 100.0, simulated),
        "group_index": (grating.n_group, f"{simulated}: tooth mode, material dispersion in"),
        "neff": (
            grating.bragg_wavelength_nm / (2.0 * grating.design["period_nm"]),
            f"{simulated}: mean index at the Bragg wavelength",
        ),
    }
    with recording() as keys:
        modulator = simulate_default("modulator", designs=designs)
    calibrated = (
        f"simulated modulator {keys[-1]} (MPB, Pockels {modulator.vpi_l_pockels_v_mm:.1f} V·mm) "
        f"with the band-edge calibration x{modulator.model['band_edge_enhancement']:g} "
        "(qkdchip.simulations.modes.modulator.BAND_EDGE_ENHANCEMENT)"
    )
    drawn_tx = "drawn transmitter (ChipDesigns, transmitter mask)"
    design |= {
        "phase_modulator_length_mm": (designs.phase_modulator.length_um * 1e-3, drawn_tx),
        "intensity_modulator_arm_length_mm": (
            designs.intensity_modulator.arm_length_um * 1e-3,
            drawn_tx,
        ),
        "vpi_l_v_cm": (modulator.vpi_l_v_mm * 0.1, calibrated),
        "voa_range_db": (
            designs.voa.max_attenuation_db,
            f"assumption: absorption {designs.voa.max_absorption_db_per_mm:g} dB/mm at full "
            f"bias (VoaDesign) over the drawn {designs.voa.length_um:g} um VOA",
        ),
    }
    ridge = RidgeWaveguide(width_um=laser.ridge_width_um, etch="deep")
    mode_settings = ModeSettings(resolution=GratingSettings().mode_resolution, pad_um=1.5)
    with recording() as used:
        sens = ridge_sensitivities(ridge, settings=mode_settings)
    mpb = f"MPB central differences on the drawn deep ridge ({', '.join(sorted(set(used)))})"
    return DrawnEntries(
        design=design, sensitivities={name: (v, mpb) for name, v in sens.to_dict().items()}
    )


def si3n4_design_point(designs: ChipDesigns) -> DrawnEntries:
    """Comb-ring entries: the simulated ring and coupler, and MPB sensitivities of its strip."""
    from qkdchip.simulations.comb.reference import REFERENCE_Q_INTRINSIC
    from qkdchip.simulations.devices.defaults import simulate_default
    from qkdchip.simulations.ring.sensitivities import ring_sensitivities

    results, keys = {}, {}
    for name in ("ring", "coupler"):
        with recording() as used:
            results[name] = simulate_default(name, designs=designs)
        keys[name] = used[-1]
    ring, coupler = results["ring"], results["coupler"]
    with recording() as used:
        sens = ring_sensitivities(designs.ring)
    ring_src = f"simulated ring {keys['ring']} (meep)"
    design = {
        "wavelength_nm": (ring.pump_wavelength_nm, f"{ring_src}: pump resonance"),
        "group_index": (ring.n_group, ring_src),
        "fsr_ghz": (ring.fsr_hz * 1e-9, ring_src),
        "d2_over_2pi_khz": (ring.d2_hz * 1e-3, ring_src),
        "coupling_ratio": (
            REFERENCE_Q_INTRINSIC / coupler.q_coupling,
            f"Q_0 / Q_c: intrinsic Q {REFERENCE_Q_INTRINSIC:g} (paper), simulated coupler "
            f"{keys['coupler']} (MPB + CMT)",
        ),
    }
    mpb = f"MPB central differences on the drawn strip ({', '.join(sorted(set(used)))})"
    sensitivities = {name: (value, mpb) for name, value in sens.to_dict().items()}
    sensitivities["coupling_gap_decay_nm"] = (
        1e3 / (2.0 * coupler.decay_per_um),
        f"simulated coupler {keys['coupler']}: K ∝ κ² ∝ exp(-2 g · {coupler.decay_per_um:.3f}/µm)",
    )
    return DrawnEntries(design=design, sensitivities=sensitivities)
