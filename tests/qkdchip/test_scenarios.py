from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from qkdchip.scenarios import list_scenarios, load_scenario, scenario_from_dict
from qkdchip.scenarios.loader import SCENARIO_DIR


def _weiming() -> dict[str, Any]:
    return tomllib.loads((SCENARIO_DIR / "weiming.toml").read_text(encoding="utf-8"))


def test_default_scenario_is_the_reference_network() -> None:
    assert "weiming" in list_scenarios()
    s = load_scenario("weiming")
    assert s.network.clients == 20
    assert s.network.channels == 10
    assert s.network.pair_distances_km == (204.0, 370.0)
    links = s.network.links(370.0)
    assert len(links) == 10
    assert all(link.alice_upstream_km == 185.0 for link in links)
    assert links[4].alice_downstream_km == 60.0  # pair {A5, B5}
    assert links[0].alice_downstream_km == pytest.approx(0.05)
    assert s.phase.sampling_rate_hz == 10e3
    assert s.protocol.n_pulses == 1e12


def test_load_from_a_file_path(tmp_path: Path) -> None:
    data = (SCENARIO_DIR / "weiming.toml").read_text(encoding="utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(data.replace('name = "weiming"', 'name = "mine"'), encoding="utf-8")
    assert load_scenario(path).name == "mine"


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        ("fibre", "loss_db_per_km", -0.2, r"\[fibre\].*loss_db_per_km"),
        ("fibre", "loss_db_per_km", "low", r"\[fibre\] loss_db_per_km='low' must be a number"),
        ("server", "detector_efficiency", 1.5, r"\[server\].*detector_efficiency"),
        ("server", "detector_eff", 0.5, r"\[server\]: unknown key 'detector_eff'"),
        ("network", "clients", 21, r"\[network\].*clients \(21\) must be 2 x channels"),
        ("network", "operation", "parallel", r"\[network\].*operation"),
        ("protocol", "name", "bb84", r"\[protocol\].*protocol.name"),
        ("phase", "reference_duty", 1.0, r"\[phase\].*reference_duty"),
        ("interference", "pulse_fwhm_ps", 0.0, r"\[interference\].*pulse_fwhm"),
        ("protocol", "bound", "best-guess", r"\[protocol\].*protocol.bound"),
        ("wdm", "passband_half_width_ghz", 30.0, r"\[wdm\].*passband_half_width_ghz"),
        ("yield", "wafers", 0, r"\[yield\].*wafers"),
        ("network", "channels", 2.5, r"\[network\] channels=2.5 must be an integer"),
    ],
)
def test_bad_values_name_the_field(section: str, key: str, value: Any, expected: str) -> None:
    data = _weiming()
    data[section][key] = value
    with pytest.raises(ValueError, match=expected):
        scenario_from_dict(data, source="bad.toml")


def test_nested_laser_errors_name_the_field() -> None:
    data = _weiming()
    data["transmitter"]["laser"]["alpha_factor"] = -1.0
    with pytest.raises(ValueError, match=r"\[transmitter\] laser.*alpha_factor"):
        scenario_from_dict(data, source="bad.toml")


@pytest.mark.parametrize("key", ["mirror_reflectivity", "cavity_length_m", "group_index"])
def test_the_laser_cavity_is_not_a_scenario_input(key: str) -> None:
    """The cavity follows from the drawn laser and its simulated grating: one home."""
    data = _weiming()
    data["transmitter"]["laser"][key] = 0.3
    with pytest.raises(ValueError, match=rf"laser: '{key}' is not an input.*drawn DBR laser"):
        scenario_from_dict(data, source="bad.toml")


def test_unknown_section_and_missing_name() -> None:
    data = _weiming()
    data["detectors"] = {}
    with pytest.raises(ValueError, match="unknown key or section 'detectors'"):
        scenario_from_dict(data)
    data = _weiming()
    del data["name"]
    with pytest.raises(ValueError, match="missing top-level key 'name'"):
        scenario_from_dict(data)


def test_pair_override_must_exist() -> None:
    data = _weiming()
    data["network"]["pair"][0]["pair"] = 11
    with pytest.raises(ValueError, match="pair 11 does not exist"):
        scenario_from_dict(data)


def test_asymptotic_protocol_and_unknown_scenario() -> None:
    data = _weiming()
    data["protocol"]["n_pulses"] = "asymptotic"
    assert scenario_from_dict(data).protocol.n_pulses is None
    with pytest.raises(ValueError, match="unknown scenario 'nowhere'"):
        load_scenario("nowhere")
    with pytest.raises(FileNotFoundError):
        load_scenario("missing/file.toml")


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("name = \n", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.toml: not valid TOML"):
        load_scenario(path)


def test_comb_pump_power_is_optional_and_checked() -> None:
    data = _weiming()
    assert scenario_from_dict(data).comb.pump_power_w is None
    data["comb"]["pump_power_w"] = -0.1
    with pytest.raises(ValueError, match=r"\[comb\].*pump_power_w"):
        scenario_from_dict(data)


def test_only_a_swept_pump_takes_a_line_linewidth() -> None:
    """A self-injection-locked pump's lines get their linewidth from the lock; an ideal swept
    laser has none, so the scenario must give it."""
    data = _weiming()
    assert scenario_from_dict(data).comb.pump == "sil"
    data["comb"]["line_linewidth_hz"] = 40.0
    with pytest.raises(ValueError, match="applies to pump = 'swept' only"):
        scenario_from_dict(data)
    data["comb"]["pump"] = "swept"
    assert scenario_from_dict(data).comb.line_linewidth_hz == 40.0
    del data["comb"]["line_linewidth_hz"]
    with pytest.raises(ValueError, match="needed with pump = 'swept'"):
        scenario_from_dict(data)
    data["comb"]["pump"] = "ideal"
    with pytest.raises(ValueError, match="pump='ideal'"):
        scenario_from_dict(data)


def test_every_table_defaults_to_the_reference_scenario() -> None:
    """Defaults have one home: a scenario of a name only is weiming.toml but for its name,
    description, seed and the per-pair overrides of the reference network."""
    from dataclasses import replace

    reference = load_scenario("weiming")
    bare = scenario_from_dict({"name": "bare"})
    expected = replace(
        reference,
        name="bare",
        description="",
        seed=0,
        network=replace(reference.network, pairs=()),
    )
    assert bare == expected
    partial = scenario_from_dict({"name": "p", "phase": {"reference_duty": 0.3}})
    assert partial.phase == replace(reference.phase, reference_duty=0.3)
    assert partial.wdm == reference.wdm


def test_chip_losses_come_from_the_circuit_unless_the_scenario_sets_them() -> None:
    from types import SimpleNamespace

    from qkdchip.scenarios.schema import TransmitterSection

    circuit = SimpleNamespace(im_extinction_db=float("inf"), injection_loss_db=1.5)
    drawn = TransmitterSection()
    assert drawn.needs_circuit
    assert drawn.chip_losses(circuit) == {"extinction_ratio_db": 100.0, "coupling_loss_db": 1.5}
    with pytest.raises(ValueError, match="circuit response is needed"):
        drawn.chip_losses(None)
    given = TransmitterSection(extinction_ratio_db=25.0, coupling_loss_db=3.0)
    assert not given.needs_circuit
    assert given.chip_losses(None) == {"extinction_ratio_db": 25.0, "coupling_loss_db": 3.0}
    half = TransmitterSection(coupling_loss_db=3.0)
    assert half.chip_losses(circuit) == {"extinction_ratio_db": 100.0, "coupling_loss_db": 3.0}
