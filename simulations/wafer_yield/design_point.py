"""The design point of each platform's compact models that the drawn devices set.

The InP DBR lasers the transmitter draws (``ChipDesigns.laser``)
and their simulated grating (κ, group index, Bragg index; the shipped result of
``qkdchip simulate grating``) fix the laser entries of the yield model's design point; the
sensitivity tables hold only what no drawn device or simulation gives. A table file that holds
one of these entries is refused (one home per number).
"""

from __future__ import annotations

from qkdchip.cache import recording
from qkdchip.components.chip_designs import ChipDesigns

DesignPoint = dict[str, tuple[float, str]]
"""Entry name -> (value, provenance)."""


def inp_design_point(designs: ChipDesigns) -> DesignPoint:
    """Laser entries of the InP design point: the drawn laser with its simulated grating."""
    from qkdchip.simulations.devices.defaults import simulate_default

    laser = designs.laser
    with recording() as keys:
        grating = simulate_default("grating", designs=designs)
    simulated = f"simulated grating {keys[-1]} (MPB + meep)"
    drawn = "drawn laser (DbrLaserDesign, transmitter mask)"
    injection = (
        laser.rear_grating_um if laser.injection_mirror == "rear" else laser.front_grating_um
    )
    return {
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


def design_point(platform: str, designs: ChipDesigns | None = None) -> DesignPoint:
    """The drawn-device entries of ``platform``'s design point (none yet for ``si3n4``).

    Args:
        platform: ``"inp"`` or ``"si3n4"``.
        designs: the drawn devices (default :class:`ChipDesigns`).
    """
    if platform == "inp":
        return inp_design_point(designs or ChipDesigns())
    if platform == "si3n4":
        return {}
    raise ValueError(f"platform={platform!r} must be one of ('inp', 'si3n4')")
