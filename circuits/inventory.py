"""Active sections of the InP transmitter chip: the one list the mask and the yield model share.

The transmitter cell (:func:`qkdchip.circuits.transmitter.transmitter_chip`) draws one device
per entry of :data:`TRANSMITTER_SECTIONS`, in lane order, and the wafer-yield model
(:func:`qkdchip.simulations.wafer_yield.specs.load_chip_spec`) takes its device counts from the
same entries, so the yield counts exactly what the mask draws. Within a device kind the yield
model's device index follows the order of this list (``dbr_laser`` 0 is the signal laser).

This module imports no gdsfactory.

Reference chip (Fig. 3 caption of the Nature (2026) network paper): the pulse sequence drives IM III
(pulse carving), IM I/II (decoy and signal intensities), PM I (phase encoding) and a PM for
the reference pulses; "PM I" implies a PM II, and 3 IMs + 3 PMs = 6 modulators per chip
matches the 117 of 120 modulators tested on 20 chips (a figure reported in news coverage of the
paper, postquantum.com; the six-per-chip split is inferred, not stated).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from qkdchip.records import Record
from qkdchip.validation import check_choice

KINDS: tuple[str, ...] = ("dbr_laser", "intensity_modulator", "phase_modulator", "voa")
"""Device kinds of the InP platform (the yield model's compact-model names)."""

LANES: tuple[str, ...] = ("signal", "reference", "output")
"""Optical lanes of the chip: the signal laser's lane (east to west), the reference laser's
lane (west to east, up to the 2:1 combiner) and the common output lane after the combiner."""


@dataclass(frozen=True)
class ActiveSection(Record):
    """One electrically driven device of the transmitter.

    Attributes:
        key: short identifier, used for the cell's net names (``im1_rf``, ``dbr_sig_gain``).
        label: block name on the chip's block diagram and in reports (``"IM I"``).
        kind: device kind, one of :data:`KINDS`.
        lane: optical lane, one of :data:`LANES`.
        role: what the device does in the protocol.
    """

    key: str
    label: str
    kind: str
    lane: str
    role: str

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, KINDS)
        check_choice("lane", self.lane, LANES)


TRANSMITTER_SECTIONS: tuple[ActiveSection, ...] = (
    ActiveSection(
        "dbr_sig", "DBR sig", "dbr_laser", "signal", "signal laser, locked to comb line 1"
    ),
    ActiveSection("im3", "IM III", "intensity_modulator", "signal", "pulse carving"),
    ActiveSection("im1", "IM I", "intensity_modulator", "signal", "decoy and signal intensities"),
    ActiveSection("im2", "IM II", "intensity_modulator", "signal", "decoy and signal intensities"),
    ActiveSection(
        "dbr_ref", "DBR ref", "dbr_laser", "reference", "reference laser, locked to comb line 2"
    ),
    ActiveSection("pm_ref", "PM ref", "phase_modulator", "reference", "reference-pulse phase"),
    ActiveSection("pm1", "PM I", "phase_modulator", "output", "phase encoding"),
    ActiveSection("pm2", "PM II", "phase_modulator", "output", "phase randomisation"),
    ActiveSection("voa1", "VOA I", "voa", "output", "attenuation to single-photon level"),
    ActiveSection("voa2", "VOA II", "voa", "output", "attenuation to single-photon level"),
)
"""Every active section of the reference transmitter, in light-path order within each lane
(signal lane from the input facet westwards, then reference lane, then output lane)."""

PULSE_SEQUENCE: tuple[str, ...] = ("IM III", "IM I", "IM II", "PM I", "PM ref")
"""Labels of the sections the reference pulse sequence drives (paper Fig. 3: IM III, IM I/II,
PM I, the PM for the reference pulse). PM II adds the random phase in series with PM I."""


def _check_unique(sections: tuple[ActiveSection, ...]) -> None:
    for field in ("key", "label"):
        values = [getattr(s, field) for s in sections]
        repeated = sorted(v for v, n in Counter(values).items() if n > 1)
        if repeated:
            raise ValueError(f"section {field}s must be unique; repeated: {repeated}")


_check_unique(TRANSMITTER_SECTIONS)


def sections_in_lane(
    lane: str, sections: tuple[ActiveSection, ...] = TRANSMITTER_SECTIONS
) -> tuple[ActiveSection, ...]:
    """The sections of ``lane``, in light-path order."""
    check_choice("lane", lane, LANES)
    return tuple(s for s in sections if s.lane == lane)


def sections_of_kind(
    kind: str, sections: tuple[ActiveSection, ...] = TRANSMITTER_SECTIONS
) -> tuple[ActiveSection, ...]:
    """The sections of device ``kind``, in the yield model's device-index order."""
    check_choice("kind", kind, KINDS)
    return tuple(s for s in sections if s.kind == kind)


def kind_counts(sections: tuple[ActiveSection, ...] = TRANSMITTER_SECTIONS) -> dict[str, int]:
    """Device kind -> number of sections of that kind (kinds with none left out)."""
    counts = Counter(s.kind for s in sections)
    return {kind: counts[kind] for kind in KINDS if counts[kind]}


def sequence_count(kind: str, sections: tuple[ActiveSection, ...] = TRANSMITTER_SECTIONS) -> int:
    """Number of sections of ``kind`` that the pulse sequence (:data:`PULSE_SEQUENCE`) drives."""
    return sum(1 for s in sections_of_kind(kind, sections) if s.label in PULSE_SEQUENCE)
