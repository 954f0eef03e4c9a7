"""``qkdchip keyrate`` with the transmitters' flaws: named in the JSON, less key, bad input."""

from __future__ import annotations

import json

import pytest

from qkdchip.cli import main

LINK = [
    "keyrate",
    "--protocol",
    "sns-aopp",
    "--finite",
    "1e12",
    "--bound",
    "worst-split",
    "--distance-km",
    "370",
    "--loss-db-per-km",
    "0.16",
    "--detector-efficiency",
    "0.42",
    "--dark-count-per-pulse",
    "5e-9",
    "--misalignment",
    "0.02",
    "--json",
]
FLAWS = [
    "--intensity-fluctuation",
    "0.01",
    "--extinction-ratio-db",
    "60",
    "--injection-isolation-db",
    "150",
]


def test_flaws_are_named_in_the_json_and_cost_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(LINK) == 0
    ideal = json.loads(capsys.readouterr().out)
    assert main([*LINK, *FLAWS]) == 0
    flawed = json.loads(capsys.readouterr().out)
    assert ideal["source_flaws"]["extinction_ratio_db"] is None
    assert ideal["source_flaws"]["injection_leak"] is None
    flaws = flawed["source_flaws"]
    assert flaws["intensity_fluctuation"] == 0.01
    assert flaws["extinction_ratio_db"] == 60.0
    assert flaws["injection_isolation_db"] == 150.0
    assert flaws["injection_leak"]["isolation_db"] == 150.0
    assert flaws["leaked_photons"] == flaws["injection_leak"]["leaked_photons"] > 0.0
    (before,), (after,) = ideal["results"], flawed["results"]
    assert 0.0 < after["key_rate_per_pulse"] < before["key_rate_per_pulse"]
    assert "source flaws" in after["bound_reference"]


@pytest.mark.parametrize(
    "bad",
    [
        ["--intensity-fluctuation", "0.7"],
        ["--extinction-ratio-db", "-3"],
        ["--injection-isolation-db", "10"],
        ["--extinction-ratio-db", "60", "--scan-phase-slices"],
    ],
)
def test_bad_flaw_options_are_one_line_errors(
    bad: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keyrate", "--distance-km", "100", *bad]) == 2
    assert capsys.readouterr().err.startswith("qkdchip keyrate: error:")
