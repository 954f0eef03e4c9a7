from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qkdchip.flow import STAGES, run_flow
from qkdchip.flow_context import FlowContext
from qkdchip.report import write_report
from qkdchip.stage_outputs import NetworkOutput
from tests.qkdchip.flow_cases import TINY_SCENARIO, small_scenario, small_stages


def test_small_scenario_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sc = small_scenario()
    ctx = FlowContext(scenario=sc, out_dir=tmp_path / "out", gds_dir=tmp_path / "gds")
    outcomes = run_flow(ctx, stages=small_stages())
    status = {o.name: o.status for o in outcomes}
    assert status == {
        "devices": "done",
        "comb": "done",
        "yield": "done",
        "network": "done",
    }
    written = write_report(ctx, outcomes)
    summary = json.loads(written["summary"].read_text(encoding="utf-8"))
    for key in (
        "channels",
        "clients",
        "pair_distance_km",
        "per_channel",
        "networking_capability_km",
        "modulator_yield",
        "chip_yield",
        "comb_lines_usable",
    ):
        assert key in summary
    assert summary["clients"] == 4
    assert summary["channels"] == 2
    rows = summary["per_channel"]
    assert len(rows) == 2
    for row in rows:
        for key in ("key_rate_per_pulse", "key_rate_bps", "ratio_to_plob", "qber_x", "qber_z"):
            assert np.isfinite(row[key])
        assert 0.0 < row["qber_x"] < 0.1
    # The capability follows from the pairs that beat PLOB, never from a typed-in number.
    expected = 2 * 380.0 if all(r["beats_plob"] for r in rows) else 0.0
    assert summary["networking_capability_km"] == expected
    # ... and the reach is searched, not the configured distance echoed back.
    reach = summary["max_distance_km_all_above_plob"]
    assert reach is not None
    assert reach > 380.0
    assert summary["networking_capability_at_max_distance_km"] == 2 * reach
    assert 0.9 < summary["modulator_yield"] <= 1.0
    assert [st["name"] for st in summary["stages"]] == ["devices", "comb", "yield", "network"]
    page = written["report.html"].read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert "<img" in page
    assert 'src="plots/' not in page  # self-contained
    assert (tmp_path / "out" / "report.md").is_file()
    assert not [p for p in (tmp_path / "out").rglob(".*") if p.is_file()]  # no temp files left

    # A rerun with the same inputs reuses every cached stage output.
    ctx2 = FlowContext(scenario=sc, out_dir=tmp_path / "out", gds_dir=tmp_path / "gds")
    again = {o.name: o.status for o in run_flow(ctx2, stages=small_stages())}
    assert again["network"] == "cached"
    assert again["yield"] == "cached"
    assert ctx2.outputs["network"] == ctx.outputs["network"]
    # ... and its report reuses the figures drawn from the same inputs: nothing is drawn again.
    plots = {p.name: p.read_bytes() for p in (tmp_path / "out" / "plots").glob("*.png")}
    import qkdchip.report as report

    def no_drawing(*args: object) -> bytes:
        raise AssertionError("a figure was drawn again from unchanged inputs")

    for name in ("plot_comb", "plot_wafer_maps", "plot_network_key_rates", "plot_channels"):
        monkeypatch.setattr(report, name, no_drawing)
    monkeypatch.setattr(report, "plot_yield_aware", no_drawing)
    write_report(ctx2, outcomes)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out" / "plots").glob("*.png")} == plots


def test_stage_needing_missing_output_is_skipped(tmp_path: Path) -> None:
    sc = small_scenario()
    ctx = FlowContext(scenario=sc, out_dir=tmp_path, gds_dir=tmp_path / "gds")
    network = {s.name: s for s in STAGES}["network"]
    (outcome,) = run_flow(ctx, stages=(network,))
    assert outcome.status == "skipped"
    assert "needs the 'devices' stage" in outcome.message
    write_report(ctx, [outcome])
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["per_channel"] is None
    assert summary["networking_capability_km"] is None


@pytest.mark.parametrize("distance", ["-3", "nan", "inf"])
def test_network_command_rejects_bad_distance(
    distance: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from qkdchip.cli import main

    assert main(["network", "--distance-km", distance]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--distance-km" in err


def test_run_command_rejects_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    from qkdchip.cli import main

    assert main(["run", "--scenario", "atlantis"]) == 2
    assert "unknown scenario 'atlantis'" in capsys.readouterr().err


def test_yield_cache_key_covers_every_module_the_yield_stage_imports() -> None:
    """A change to any module the yield model or the chip pool imports invalidates the cache."""
    from qkdchip.flow_stages import YIELD_SOURCES

    code = (
        "import sys, qkdchip.simulations.wafer_yield, qkdchip.simulations.wafer_yield.clients; "
        "print(' '.join(m for m in sys.modules if m.startswith('qkdchip')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    # namespace packages whose __init__ only documents its modules; atomic writes the outputs;
    # records serialises them; cache reads results (the grating the yield model takes is keyed
    # by its own cache key)
    no_numbers = {
        "qkdchip",
        "qkdchip.circuits",
        "qkdchip.components",
        "qkdchip.simulations",
        "qkdchip.atomic",
        "qkdchip.cache",
        "qkdchip.records",
    }
    uncovered = [
        m
        for m in out
        if m not in no_numbers and not any(m == s or m.startswith(s + ".") for s in YIELD_SOURCES)
    ]
    assert uncovered == []
    assert {"qkdchip.circuits.wafer_geometry", "qkdchip.circuits.inventory"} <= set(out)


def test_devices_stage_feeds_the_comb_from_the_shipped_cache(
    tmp_path: Path, shipped_only: Path
) -> None:
    from qkdchip.simulations.devices.defaults import simulate_default

    real = {s.name: s for s in STAGES}
    ctx = FlowContext(scenario=small_scenario(), out_dir=tmp_path, gds_dir=tmp_path / "gds")
    outcomes = run_flow(ctx, stages=(real["devices"], real["comb"]))
    assert [o.status for o in outcomes] == ["done", "done"], outcomes
    ring = simulate_default("ring")
    heads = ctx.outputs["devices"].headlines
    assert heads["ring"]["fsr_ghz"] == ring.fsr_hz * 1e-9
    assert heads["ring"]["d2_khz"] < 0  # normal dispersion of the 100 nm film
    assert 0.45 < heads["mmi"]["split_ratio"] < 0.55
    assert heads["modulator"]["vpi_l_v_mm"] > 0
    assert heads["grating"]["kappa_per_cm"] > 0
    assert "GHz" in outcomes[0].message
    assert "V·mm" in outcomes[0].message
    comb = ctx.outputs["comb"]
    assert comb.state == "dark pulse"
    assert comb.fsr_hz == ring.fsr_hz  # the comb runs on the simulated ring
    assert comb.usable_lines(ctx.scenario.comb.min_line_power_dbm) >= 10
    # the self-injection-locked pump: every line Hz level, from the 1 MHz free-running DFB
    assert comb.line_linewidth_hz is not None
    assert all(1.0 < width < 100.0 for width in comb.line_linewidth_hz)
    write_report(ctx, outcomes)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["devices"] == json.loads(json.dumps(heads))
    assert "meep" not in sys.modules


RUN_WITHOUT_MEEP = """
import sys
sys.modules["meep"] = sys.modules["mpb"] = None  # import meep fails, find_spec finds nothing
from qkdchip.cli import main
sys.exit(main(["run", "--out", sys.argv[1], "--gds-out", sys.argv[2]]))
"""


@pytest.mark.slow
def test_default_flow_without_meep_gives_the_full_summary(
    tmp_path: Path, shipped_only: Path
) -> None:
    """The reference scenario end to end with meep unimportable and an empty user cache."""
    out, gds = tmp_path / "out", tmp_path / "gds"
    proc = subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_MEEP, str(out), str(gds)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [s["status"] for s in summary["stages"]] == ["done"] * 5
    rows = summary["per_channel"]
    assert len(rows) == summary["channels"] == 10
    assert all(r["key_rate_bps"] > 0 and r["beats_plob"] for r in rows)
    reach = summary["max_distance_km_all_above_plob"]
    assert 370.0 < reach < 1000.0
    assert summary["networking_capability_at_max_distance_km"] == 10 * reach
    assert not list(shipped_only.iterdir())  # every device result came from the package
    provenance = summary["provenance"]
    for headline in (
        "comb_lines_usable",
        "modulator_yield",
        "chip_yield",
        "per_channel",
        "networking_capability_km",
        "max_distance_km_all_above_plob",
    ):
        assert provenance[headline]["kind"] in ("simulated", "derived"), headline
    assert provenance["devices.grating"]["keys"][-1].startswith("grating_")
    yield_keys = provenance["chip_yield"]["keys"]
    assert provenance["devices.grating"]["keys"][-1] in yield_keys
    assert provenance["devices.modulator"]["keys"][-1] in yield_keys
    assumed = provenance["modulator_yield"]["assumptions"]
    assert any("band-edge calibration" in a for a in assumed)
    assert any(a.startswith("voa_range_db") and "40 dB/mm" in a for a in assumed)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Provenance: from layout to headline" in report
    # the run itself: version, commit of the source, command line and seed
    from qkdchip import __version__

    for fact in (f"qkdchip version: `{__version__}`", "source commit:", "command line:"):
        assert fact in report
    from qkdchip.scenarios import load_scenario

    assert f"scenario seed: `{load_scenario('weiming').seed}`" in report
    assert "qkdchip version" not in (out / "summary.json").read_text(encoding="utf-8")


def test_network_command_runs_a_scenario(
    tmp_path: Path, shipped_only: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """qkdchip network runs the stages it needs (devices included) and prints every pair."""
    from qkdchip.cli import main

    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_SCENARIO, encoding="utf-8")
    argv = ["network", "--scenario", str(scenario), "--out", str(tmp_path / "out"), "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["evaluation"]["by_distance"][0]["pairs"]) == 2
    assert result["reach"]["distance_km"] > 380.0
    typed = NetworkOutput.from_dict(result)  # the printed JSON is the stage's typed output
    pairs = typed.evaluation.by_distance[0].pairs
    assert all(p.beats_plob and p.locked for p in pairs)


def test_a_zero_distance_pair_is_reported_not_crashed(tmp_path: Path) -> None:
    """At 0 km the PLOB bound is infinite: the report shows the key without a PLOB line."""
    sc = small_scenario()
    sc = replace(sc, network=replace(sc.network, pair_distances_km=(0.0,)))
    ctx = FlowContext(scenario=sc, out_dir=tmp_path / "out", gds_dir=tmp_path / "gds")
    outcomes = run_flow(ctx, stages=small_stages())
    written = write_report(ctx, outcomes)
    summary = json.loads(written["summary"].read_text(encoding="utf-8"))
    rows = summary["per_channel"]
    assert all(r["key_rate_per_pulse"] > 0 and r["plob"] is None for r in rows)
    assert summary["networking_capability_km"] == 0.0
    assert summary["max_distance_km_all_above_plob"] is None


@pytest.mark.slow
def test_a_truncated_mask_is_rewritten_and_stray_temp_files_are_ignored(tmp_path: Path) -> None:
    from qkdchip.flow_stages import changed_mask_files

    masks = next(s for s in STAGES if s.name == "masks")
    sc = small_scenario()

    def run() -> tuple[FlowContext, str]:
        ctx = FlowContext(scenario=sc, out_dir=tmp_path / "out", gds_dir=tmp_path / "gds")
        (outcome,) = run_flow(ctx, stages=(masks,))
        return ctx, outcome.status

    ctx, status = run()
    assert status == "done"
    written = ctx.outputs["masks"]
    assert changed_mask_files(tmp_path / "gds", written) == []
    chip = tmp_path / "gds" / "transmitter_chip.gds"
    chip.write_bytes(chip.read_bytes()[:1000])  # a crash or a disk error cut the file
    (tmp_path / "gds" / ".transmitter_chip.x1y2.gds").write_bytes(b"")  # a killed run's temp
    assert changed_mask_files(tmp_path / "gds", written) == ["transmitter_chip.gds"]
    ctx, status = run()
    assert status == "done"  # not "cached": the truncated file was noticed and rewritten
    assert changed_mask_files(tmp_path / "gds", ctx.outputs["masks"]) == []
    assert not any(Path(f).name.startswith(".") for f in ctx.files["masks"])


def test_a_link_beyond_any_key_is_zero_key_not_nan(tmp_path: Path) -> None:
    """10 dB/km over 5,000 km: the transmittance and PLOB underflow to 0; every number written
    is finite and the key is zero (it used to fail writing NaN into the stage cache)."""
    sc = small_scenario()
    sc = replace(
        sc,
        network=replace(sc.network, pair_distances_km=(5000.0,)),
        fibre=replace(sc.fibre, loss_db_per_km=10.0),
    )
    ctx = FlowContext(scenario=sc, out_dir=tmp_path / "out", gds_dir=tmp_path / "gds")
    outcomes = run_flow(ctx, stages=small_stages())
    assert outcomes[-1].status == "done", outcomes[-1]
    written = write_report(ctx, outcomes)
    text = written["summary"].read_text(encoding="utf-8")
    assert "NaN" not in text
    assert "Infinity" not in text
    summary = json.loads(text)
    assert all(r["key_rate_per_pulse"] == 0.0 for r in summary["per_channel"])
    assert summary["yield_aware"][0]["ratio_to_plob_quantiles"]["q50"] == 0.0


def test_counted_source_flaws_lower_every_pair_and_the_summary_says_so(tmp_path: Path) -> None:
    """``[protocol] source_flaws``: each pair's own key rate counts its chips' extinction."""
    from qkdchip.flow_stages import _network_setup
    from qkdchip.simulations.network.model import evaluate_network

    sc = small_scenario()
    sc = replace(sc, protocol=replace(sc.protocol, source_flaws=True))
    ctx = FlowContext(scenario=sc, out_dir=tmp_path / "out", gds_dir=tmp_path / "gds")
    written = write_report(ctx, run_flow(ctx, stages=small_stages()))
    summary = json.loads(written["summary"].read_text(encoding="utf-8"))
    assert "source flaws counted" in summary["key_rate_analysis"]
    flawed = [r["key_rate_per_pulse"] for r in summary["per_channel"]]
    setup = _network_setup(ctx)
    ideal_model = replace(setup.model, protocol=replace(sc.protocol, source_flaws=False))
    ideal = evaluate_network(
        model=ideal_model,
        channels=setup.channels,
        clients=setup.clients.deployed,
        links_by_distance=setup.links_by_distance,
        key_rate=setup.key_rate,
    )
    ideal_rates = [p.key_rate_per_pulse for p in ideal.by_distance[-1].pairs]
    assert all(0.0 <= f < i for f, i in zip(flawed, ideal_rates, strict=True))
    assert "ideal sources" in ideal_model.protocol.analysis()
