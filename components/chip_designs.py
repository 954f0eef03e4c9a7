"""The device design records of both chips, and ``DEVICE.FIELD=VALUE`` overrides of them.

:class:`ChipDesigns` is the one home of every drawn device's dimensions: the masks draw it
(:meth:`ChipDesigns.transmitter_cell_settings`, :meth:`ChipDesigns.comb_cell_settings`), the
device simulations take it, the yield model samples around its lasers and the network uses
them. A scenario's ``[design.<device>]`` tables and ``qkdchip run --design DEVICE.FIELD=VALUE``
change it; every record validates itself, so a bad value names its field and range.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qkdchip.components.designs import (
    DbrLaserDesign,
    MmiDesign,
    MzmDesign,
    PhaseModulatorDesign,
    RingDesign,
    SpotSizeConverterDesign,
    VoaDesign,
)
from qkdchip.records import Record
from qkdchip.values import replace_fields

INP_DEVICES: tuple[str, ...] = (
    "laser",
    "intensity_modulator",
    "phase_modulator",
    "voa",
    "mmi",
    "ssc",
)
"""The transmitter's devices: they share its one deep ridge (``ridge_width_um``)."""


@dataclass(frozen=True)
class ChipDesigns(Record):
    """The drawn devices of the InP transmitter and the Si3N4 comb chip.

    Attributes:
        laser: both DBR lasers of the transmitter (the reference laser's period is 1 nm
            longer, on another comb line).
        intensity_modulator: IM I, II and III.
        phase_modulator: PM ref, PM I and PM II.
        voa: VOA I and II.
        mmi: the 2:1 MMI that combines the signal and reference lanes (the simulated MMI).
        ssc: the transmitter's three angled spot-size converters.
        ring: the comb ring with its bus coupler.
    """

    laser: DbrLaserDesign = field(default_factory=DbrLaserDesign)
    intensity_modulator: MzmDesign = field(default_factory=MzmDesign)
    phase_modulator: PhaseModulatorDesign = field(default_factory=PhaseModulatorDesign)
    voa: VoaDesign = field(default_factory=VoaDesign)
    mmi: MmiDesign = field(default_factory=MmiDesign)
    ssc: SpotSizeConverterDesign = field(default_factory=SpotSizeConverterDesign)
    ring: RingDesign = field(default_factory=RingDesign)

    def __post_init__(self) -> None:
        ridges = {name: getattr(self, name).ridge_width_um for name in INP_DEVICES}
        if len(set(ridges.values())) > 1:
            widths = ", ".join(f"{name}.ridge_width_um={w!r}" for name, w in ridges.items())
            raise ValueError(
                f"design: the transmitter draws one deep ridge, but {widths}; give every InP "
                "device the same ridge_width_um"
            )
        if self.mmi.n_inputs != 1:
            raise ValueError(
                f"design mmi.n_inputs={self.mmi.n_inputs!r}: the transmitter's combiner is a "
                "1x2 MMI (allowed: 1)"
            )

    def with_overrides(self, overrides: Mapping[str, Any]) -> ChipDesigns:
        """A copy with ``{"DEVICE.FIELD": value}`` applied (strings are converted).

        Raises:
            ValueError: an unknown device or field, a value of the wrong type, or one outside
                its record's range (the message names it).
        """
        changed: dict[str, dict[str, Any]] = {}
        devices = {f.name for f in dataclasses.fields(self)}
        for key, value in overrides.items():
            device, _, name = key.partition(".")
            if device not in devices:
                raise ValueError(
                    f"design {key!r}: unknown device {device!r} (allowed: {sorted(devices)})"
                )
            changed.setdefault(device, {})[name] = value
        records = {
            device: replace_fields(getattr(self, device), values, where=f"design {device}")
            for device, values in changed.items()
        }
        return dataclasses.replace(self, **records)

    def overrides(self) -> dict[str, Any]:
        """``{"DEVICE.FIELD": value}`` of every field that differs from the defaults."""
        base = ChipDesigns()
        out = {}
        for device in (f.name for f in dataclasses.fields(self)):
            mine, default = getattr(self, device).to_dict(), getattr(base, device).to_dict()
            out.update({f"{device}.{k}": v for k, v in mine.items() if default[k] != v})
        return out

    def transmitter_cell_settings(self) -> dict[str, float]:
        """Keyword arguments of ``qkdchip.circuits.transmitter.transmitter_chip`` for these."""
        laser, im = self.laser, self.intensity_modulator
        return {
            "ridge_width_um": laser.ridge_width_um,
            "dbr_rear_um": laser.rear_grating_um,
            "dbr_gain_um": laser.gain_um,
            "dbr_phase_um": laser.phase_um,
            "dbr_front_um": laser.front_grating_um,
            "dbr_isolation_um": laser.isolation_um,
            "signal_period_nm": laser.period_nm,
            "reference_period_nm": laser.period_nm + 1.0,
            "im_arm_length_um": im.arm_length_um,
            "im_arm_separation_um": im.arm_separation_um,
            "pm_length_um": self.phase_modulator.length_um,
            "voa_length_um": self.voa.length_um,
            "combiner_width_um": self.mmi.width_um,
            "combiner_length_um": self.mmi.length_um,
            "combiner_port_offset_um": self.mmi.port_offset_um,
            "combiner_access_width_um": self.mmi.access_width_um,
            "combiner_taper_um": self.mmi.taper_length_um,
            "facet_angle_deg": self.ssc.facet_angle_deg,
            "ssc_taper_um": self.ssc.taper_length_um,
            "ssc_tip_um": self.ssc.tip_width_um,
        }

    def comb_cell_settings(self) -> dict[str, float]:
        """Keyword arguments of ``qkdchip.circuits.comb_chip.comb_chip`` for these."""
        ring = self.ring
        return {
            "thickness_nm": ring.thickness_nm,
            "comb_radius_um": ring.radius_um,
            "ring_width_um": ring.width_um,
            "comb_gap_um": ring.gap_um,
        }
