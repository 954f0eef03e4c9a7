"""Each cell family rejects bad parameters with a ValueError naming the parameter."""

from __future__ import annotations

from typing import Any

import pytest

from qkdchip.components.registry import cell_factory
from qkdchip.platforms import platform_of_cell

BAD_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    # Si3N4 rings: rule minima of the film, generic ranges, even-nm ports.
    ("ring_point_coupled", {"gap_um": 0.2}, "gap_um"),
    ("ring_point_coupled", {"radius_um": 100.0}, "radius_um"),  # < 300 µm thin-film bend rule
    ("ring_point_coupled", {"bus_width_um": 2.801}, "bus_width_um"),
    ("ring_point_coupled", {"width_um": 0.2}, "width_um"),
    ("ring_point_coupled", {"width_um": 0.8}, "WG waveguide width"),  # thin film: 1.0 µm
    # thick film: 0.6 µm waveguide width (ring and bus are waveguides, not taper tips)
    (
        "ring_point_coupled",
        {"thickness_nm": 800.0, "radius_um": 100.0, "width_um": 0.5},
        "width_um",
    ),
    ("ring_point_coupled", {"bus_extension_um": 0.0}, "bus_extension_um"),
    ("ring_pulley", {"wrap_angle_deg": 150.0}, "wrap_angle_deg"),
    ("ring_pulley", {"wrap_angle_deg": 0.0}, "wrap_angle_deg"),
    ("ring_pulley", {"bend_radius_um": 50.0}, "bend_radius_um"),
    ("ring_pulley", {"thickness_nm": 5000.0}, "thickness_nm"),
    ("ring_from_fsr", {"fsr_ghz": 0.0}, "fsr_ghz"),
    ("ring_from_fsr", {"n_group": 0.5}, "n_group"),
    ("ring_heater", {"heater_width_um": 1.0}, "heater_width_um"),
    ("ring_heater", {"lead_gap_um": 1.0}, "lead_gap_um"),
    ("ring_heater", {"pad_pitch_um": 101.0}, "pad_pitch_um"),
    # Si3N4 edge couplers.
    ("edge_coupler", {"tip_width_um": 0.1}, "tip_width_um"),
    ("edge_coupler", {"taper_length_um": 1.0}, "taper_length_um"),
    ("bus_edge_coupled", {"length_um": 300.0}, "length_um"),
    # InP DBR laser.
    ("dbr_laser", {"gain_um": 10.0}, "gain_um"),
    ("dbr_laser", {"period_nm": 100.0}, "period_nm"),
    ("dbr_laser", {"isolation_um": 5.0}, "isolation_um"),
    ("dbr_laser", {"ridge_width_um": 2.001}, "ridge_width_um"),
    # InP modulators and VOA.
    ("phase_modulator", {"length_um": 10.0}, "length_um"),
    ("phase_modulator", {"electrode_width_um": 0.5}, "electrode_width_um"),
    ("mzm", {"arm_separation_um": 12.0}, "arm_separation_um"),
    ("mzm", {"ridge_width_um": 0.6}, "ridge_width_um"),  # below the 0.8 µm deep-etch width
    ("mzm", {"ridge_width_um": 0.9}, "WG_DEEP waveguide width"),  # a waveguide: >= 1.0 µm
    ("voa", {"max_absorption_db_per_mm": -1.0}, "max_absorption_db_per_mm"),
    # InP MMIs.
    ("mmi1x2", {"port_offset_um": 0.5}, "port_offset_um"),
    ("mmi2x2", {"port_offset_um": 1.2}, "port_offset_um"),  # 0.4 µm gap < 0.8 µm rule
    ("mmi1x2", {"taper_length_um": 0.0, "access_width_um": 1.6}, "taper_length_um"),
    # InP SSC and pads.
    ("ssc_angled", {"facet_angle_deg": 20.0}, "facet_angle_deg"),
    ("ssc_angled", {"tip_width_um": 0.5}, "tip_width_um"),
    ("pad_dc", {"size_um": 40.0}, "size_um"),
    ("pad_gsg", {"pitch_um": 82.0}, "pitch_um"),
    # InP etch transition and cross-sections that are not a ridge.
    ("taper_deep_to_shallow", {"width2": 0.6}, "width2"),
    ("taper_deep_to_shallow", {"width2": 1.2}, "WG_SHALLOW waveguide width"),  # >= 1.5 µm
    ("taper_deep_to_shallow", {"length_um": 5.0}, "length_um"),
    ("dbr_laser", {"cross_section": "xs_inp_metal"}, "cross_section"),
    ("edge_coupler", {"cross_section": "xs_heater"}, "cross_section"),
    # Whole chips and wafers.
    ("transmitter_chip", {"channel_pitch_um": 12.0}, "channel_pitch_um"),
    ("comb_chip", {"chip_height_um": 5000.0}, "chip_height_um"),
    ("inp_test_die", {"cutback_loops": (11,)}, "n_loops"),
    ("si3n4_test_die", {"cutback_loops": (11,)}, "n_loops"),
    ("inp_wafer", {"n_test_dies": 9}, "n_test_dies"),
    ("si3n4_wafer", {"n_marks": 9}, "n_marks"),
]


@pytest.mark.parametrize(
    ("cell", "params", "name"), BAD_INPUTS, ids=[f"{c}-{n}" for c, _, n in BAD_INPUTS]
)
def test_bad_input_raises_naming_parameter(cell: str, params: dict[str, Any], name: str) -> None:
    platform_of_cell(cell).activate()
    with pytest.raises(ValueError, match=name):
        cell_factory(cell)(**params)


def test_every_cell_has_a_bad_input_case() -> None:
    from qkdchip.components.registry import cell_names

    assert {c for c, _, _ in BAD_INPUTS} == set(cell_names())
