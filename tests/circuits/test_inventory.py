"""The transmitter's inventory of active sections (no gdsfactory)."""

from __future__ import annotations

import pytest

from qkdchip.circuits.inventory import (
    TRANSMITTER_SECTIONS,
    ActiveSection,
    kind_counts,
    sections_in_lane,
    sections_of_kind,
)


def test_reference_chip_inventory() -> None:
    assert kind_counts() == {
        "dbr_laser": 2,
        "intensity_modulator": 3,
        "phase_modulator": 3,
        "voa": 2,
    }
    assert [s.label for s in sections_in_lane("output")] == ["PM I", "PM II", "VOA I", "VOA II"]
    assert [s.label for s in sections_of_kind("phase_modulator")] == ["PM ref", "PM I", "PM II"]
    assert len({s.key for s in TRANSMITTER_SECTIONS}) == len(TRANSMITTER_SECTIONS)


def test_bad_entries_rejected() -> None:
    with pytest.raises(ValueError, match="kind"):
        ActiveSection("x", "X", "laser", "signal", "")
    with pytest.raises(ValueError, match="lane"):
        ActiveSection("x", "X", "voa", "north", "")
    with pytest.raises(ValueError, match="lane"):
        sections_in_lane("north")
    with pytest.raises(ValueError, match="kind"):
        sections_of_kind("ring")


def test_serialises() -> None:
    first = TRANSMITTER_SECTIONS[0].to_dict()
    assert first == {
        "key": "dbr_sig",
        "label": "DBR sig",
        "kind": "dbr_laser",
        "lane": "signal",
        "role": "signal laser, locked to comb line 1",
    }
