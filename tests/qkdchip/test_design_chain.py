"""A changed device design propagates: mask, device results, yield and network follow."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from qkdchip.flow import STAGES, run_flow
from qkdchip.flow_context import FlowContext
from qkdchip.report import build_summary
from tests.conftest import requires_meep
from tests.qkdchip.flow_cases import small_scenario, small_stages


def _run(
    tmp_path: Path, overrides: dict[str, Any], *, network: bool = True
) -> tuple[FlowContext, dict[str, Any]]:
    sc = small_scenario()
    sc = replace(sc, design=sc.design.with_overrides(overrides))
    name = "_".join(f"{k}={v}" for k, v in overrides.items()) or "default"
    ctx = FlowContext(scenario=sc, out_dir=tmp_path / name, gds_dir=tmp_path / "gds")
    stages = [s for s in small_stages() if network or s.name != "network"]
    outcomes = run_flow(ctx, stages=tuple(stages))
    assert [o.status for o in outcomes] == ["done"] * len(stages), outcomes
    return ctx, build_summary(ctx, outcomes)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[FlowContext, dict[str, Any]]:
    return _run(tmp_path_factory.mktemp("default"), {})


def test_a_shorter_rear_grating_reflects_less_locks_wider_and_changes_the_key(
    default_run: tuple[FlowContext, dict[str, Any]], tmp_path: Path
) -> None:
    base_ctx, base = default_run
    ctx, summary = _run(tmp_path, {"laser.rear_grating_um": 150.0})
    # the yield model's design point and the network's laser follow the drawn laser
    assert ctx.keys["yield"] != base_ctx.keys["yield"]
    assert ctx.keys["network"] != base_ctx.keys["network"]
    for new, old in zip(summary["per_channel"], base["per_channel"], strict=True):
        assert new["key_rate_per_pulse"] != old["key_rate_per_pulse"]
        # weaker injection mirror: larger coupling rate, wider locking, smaller phase jitter
        assert new["misalignment"] < old["misalignment"]
    assert summary["provenance"]["design"]["source"].endswith("laser.rear_grating_um=150.0")


def test_a_weak_front_grating_raises_the_threshold_and_lowers_the_chip_yield(
    default_run: tuple[FlowContext, dict[str, Any]], tmp_path: Path
) -> None:
    _, base = default_run
    _, summary = _run(tmp_path, {"laser.front_grating_um": 40.0}, network=False)
    assert summary["chip_yield"] < base["chip_yield"] - 0.1


def test_a_shorter_phase_modulator_raises_vpi_and_lowers_the_yield(
    default_run: tuple[FlowContext, dict[str, Any]], tmp_path: Path
) -> None:
    base_ctx, base = default_run
    ctx, summary = _run(tmp_path, {"phase_modulator.length_um": 2600.0})
    old, new = base["devices"]["modulator"], summary["devices"]["modulator"]
    assert new["vpi_l_v_mm"] == old["vpi_l_v_mm"]  # same cross-section, same MPB result
    assert new["vpi_v"] == pytest.approx(old["vpi_v"] * 3000.0 / 2600.0, rel=1e-12)
    # nearer the 3.5 V drive: more PMs fail on the process spread
    assert summary["modulator_yield"] < base["modulator_yield"] - 0.02
    assert summary["chip_yield"] < base["chip_yield"]
    assert ctx.keys["network"] != base_ctx.keys["network"]  # the chips come from this yield


def test_a_phase_modulator_no_drive_can_run_gives_zero_key_with_the_reason(
    tmp_path: Path,
) -> None:
    """At 2 mm the nominal Vπ (4.6 V) is above the 3.5 V drive: no chip passes, and the network
    deploys failing chips, whose pairs get no key (an answer, not a crash)."""
    _, summary = _run(tmp_path, {"phase_modulator.length_um": 2000.0})
    assert summary["devices"]["modulator"]["vpi_v"] > 3.5
    assert summary["chip_yield"] == 0.0
    assert summary["max_distance_km_all_above_plob"] is None
    for pair in summary["per_channel"]:
        assert pair["key_rate_per_pulse"] == 0.0
        assert pair["status"].endswith("failed its device tests")


def test_the_mask_draws_the_changed_laser(tmp_path: Path) -> None:
    import klayout.db as kdb

    from qkdchip.circuits.masks import write_all_masks
    from qkdchip.components.chip_designs import ChipDesigns

    designs = ChipDesigns().with_overrides({"laser.rear_grating_um": 150.0})
    manifest = write_all_masks(tmp_path, designs=designs)
    assert manifest.ok
    for name in ("transmitter_chip.gds", "inp_wafer.gds"):
        layout = kdb.Layout()
        layout.read(str(tmp_path / name))
        chip = next(c for c in layout.each_cell() if c.name.startswith("transmitter_chip"))
        lasers = {layout.cell(i).name for i in chip.each_child_cell()}
        lasers = {n for n in lasers if n.startswith("dbr_laser")}
        assert len(lasers) == 2  # signal and reference periods
        assert all(n.startswith("dbr_laser_RGU150_") for n in lasers), lasers


@requires_meep
@pytest.mark.slow
def test_a_wider_ring_gap_raises_q_c_and_changes_the_comb(tmp_path: Path) -> None:
    """Only the coupler is re-simulated (MPB, ~20 s); the ring result's key has no gap in it."""
    real = {s.name: s for s in STAGES}
    runs = {}
    for gap in (None, 2.6):
        sc = small_scenario()
        if gap is not None:
            sc = replace(sc, design=sc.design.with_overrides({"ring.gap_um": gap}))
        ctx = FlowContext(scenario=sc, out_dir=tmp_path / str(gap), gds_dir=tmp_path / "gds")
        outcomes = run_flow(ctx, stages=(real["devices"], real["comb"]))
        assert [o.status for o in outcomes] == ["done", "done"], outcomes
        runs[gap] = ctx
    base, wide = runs[None], runs[2.6]
    assert wide.keys["devices"]["ring"] == base.keys["devices"]["ring"]
    assert wide.keys["devices"]["coupler"] != base.keys["devices"]["coupler"]
    q_c = {g: c.outputs["devices"].headlines["coupler"]["q_coupling"] for g, c in runs.items()}
    assert q_c[2.6] > 1.5 * q_c[None]  # κ decays as exp(-1.1/µm x gap)
    usable = {
        g: c.outputs["comb"].usable_lines(c.scenario.comb.min_line_power_dbm)
        for g, c in runs.items()
    }
    assert usable[2.6] != usable[None]
