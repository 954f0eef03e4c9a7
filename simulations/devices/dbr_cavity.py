"""The cavity of a drawn DBR laser, from its design record and its simulated grating.

One home for what the yield model and the network need of a client laser: the two gratings'
peak reflectances ``R = tanh²(κL)`` and penetration depths ``L_eff = tanh(κL)/(2κ)`` (uniform
lossless grating, coupled-mode theory; Coldren, Corzine and Mashanovitch, *Diode Lasers and
Photonic Integrated Circuits*, 2nd ed., sec. 3.3), the effective cavity length
``L_gain + L_phase + L_eff,rear + L_eff,front`` and the reflectance of the mirror the comb
light is injected through. κ and the group index come from the grating simulation
(:func:`qkdchip.simulations.fdtd.grating.simulate_grating`), the lengths from
:class:`~qkdchip.components.designs.DbrLaserDesign`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qkdchip.components.designs import DbrLaserDesign
from qkdchip.records import Record
from qkdchip.simulations.fdtd.grating import cmt_peak_reflectance


@dataclass(frozen=True)
class DbrCavity(Record):
    """Optical cavity of a DBR laser.

    Attributes:
        kappa_per_m: grating coupling coefficient in 1/m (simulated).
        group_index: group index of the laser waveguide (simulated, material dispersion in).
        rear_reflectance: peak power reflectance of the rear grating.
        front_reflectance: peak power reflectance of the front (output) grating.
        rear_penetration_um: penetration depth of the rear grating in µm.
        front_penetration_um: penetration depth of the front grating in µm.
        cavity_length_m: gain + phase + both penetration depths, m.
        injection_mirror: ``"rear"`` or ``"front"``: the grating the comb light enters by.
        injection_reflectance: peak power reflectance of that grating.
    """

    kappa_per_m: float
    group_index: float
    rear_reflectance: float
    front_reflectance: float
    rear_penetration_um: float
    front_penetration_um: float
    cavity_length_m: float
    injection_mirror: str
    injection_reflectance: float


def grating_penetration_um(*, kappa_per_m: float, length_um: float) -> float:
    """Penetration (effective mirror) depth tanh(κL)/(2κ) of a uniform grating in µm."""
    return math.tanh(kappa_per_m * length_um * 1e-6) / (2.0 * kappa_per_m) * 1e6


def dbr_cavity(*, laser: DbrLaserDesign, kappa_per_m: float, group_index: float) -> DbrCavity:
    """The cavity of ``laser`` with grating coupling ``kappa_per_m`` (1/m, > 0).

    Args:
        laser: the drawn laser (section lengths, injection mirror).
        kappa_per_m: grating coupling coefficient in 1/m, (0, 1e6].
        group_index: group index of the laser waveguide, [1, 5].
    """
    if not (math.isfinite(kappa_per_m) and 0.0 < kappa_per_m <= 1e6):
        raise ValueError(f"kappa_per_m={kappa_per_m!r} must be in (0, 1e6] 1/m")
    if not (math.isfinite(group_index) and 1.0 <= group_index <= 5.0):
        raise ValueError(f"group_index={group_index!r} must be in [1, 5]")
    rear_r = cmt_peak_reflectance(kappa_per_m=kappa_per_m, length_um=laser.rear_grating_um)
    front_r = cmt_peak_reflectance(kappa_per_m=kappa_per_m, length_um=laser.front_grating_um)
    rear_l = grating_penetration_um(kappa_per_m=kappa_per_m, length_um=laser.rear_grating_um)
    front_l = grating_penetration_um(kappa_per_m=kappa_per_m, length_um=laser.front_grating_um)
    return DbrCavity(
        kappa_per_m=kappa_per_m,
        group_index=group_index,
        rear_reflectance=rear_r,
        front_reflectance=front_r,
        rear_penetration_um=rear_l,
        front_penetration_um=front_l,
        cavity_length_m=(laser.gain_um + laser.phase_um + rear_l + front_l) * 1e-6,
        injection_mirror=laser.injection_mirror,
        injection_reflectance=rear_r if laser.injection_mirror == "rear" else front_r,
    )
