"""The InP transmitter chip: size, DRC, connectivity, pads at the edges, shorts detected."""

from __future__ import annotations

import json
import warnings
from collections import Counter

import gdsfactory as gf
import klayout.db as kdb
import pytest

from qkdchip.circuits.checks import (
    Net,
    NetPin,
    metal_net_report,
    optical_port_report,
    trace_optical_path,
    wire_clearance_report,
)
from qkdchip.circuits.transmitter import transmitter_chip
from qkdchip.circuits.verify import recorded_nets, verify_chip
from qkdchip.pdk.inp import design_rules
from qkdchip.platforms import INP
from qkdchip.simulations.wafer_yield.specs import load_chip_spec

pytestmark = pytest.mark.pdk("inp")


@pytest.fixture(scope="module")
def chip():
    INP.activate()
    return transmitter_chip()


def test_reference_size_and_io(chip):
    box = chip.dbbox()
    assert (box.left, box.bottom, box.right, box.top) == (0.0, 0.0, 12500.0, 2000.0)
    optical = {p.name: p for p in chip.ports if p.port_type == "edge_coupler"}
    assert set(optical) == {"in_signal", "in_reference", "out"}
    # facets: the angled SSC tips sit on the die edge (within the 61 nm tip overhang)
    assert optical["out"].center[0] == pytest.approx(12500.0, abs=0.1)
    assert optical["in_signal"].center[0] == pytest.approx(12500.0, abs=0.1)
    assert optical["in_reference"].center[0] == pytest.approx(0.0, abs=0.1)
    assert optical["out"].orientation == pytest.approx(7.0)


def test_block_diagram_content(chip):
    blocks = chip.info["block_centres_um"]
    for name in ("DBR sig", "DBR ref", "IM I", "IM II", "IM III", "PM I", "PM II", "PM ref"):
        assert name in blocks
    assert blocks["PM I"][0] < blocks["PM II"][0] < blocks["VOA I"][0] < blocks["VOA II"][0]
    # signal lane order west <- east: SSC in, DBR sig, IM III, IM I, IM II
    xs = [blocks[n][0] for n in ("IM II", "IM I", "IM III", "DBR sig", "SSC in")]
    assert xs == sorted(xs)
    periods = chip.info["grating_periods_nm"]
    assert periods["signal"] != periods["reference"]  # dual-wavelength reference


def test_drc_and_geometric_checks_pass(chip):
    result = verify_chip(chip, design_rules(), keep_clear=("ACTIVE", "PIN", "GRATING"))
    assert result.drc_violations == 0
    assert result.ok, result.to_dict()
    assert [c.name for c in result.checks] == [
        "optical connectivity",
        "light paths",
        "metal nets",
        "wires clear of active sections",
    ]


def test_wire_over_active_section_is_detected(chip):
    blocks = chip.info["block_centres_um"]
    x, y = blocks["VOA I"]
    bad = gf.Component()
    bad << chip
    bad.add_polygon(
        [(x - 5, y - 50), (x + 5, y - 50), (x + 5, y + 50), (x - 5, y + 50)], layer="METAL_P"
    )
    report = wire_clearance_report(bad, wire_layer="METAL_P", keep_clear=("ACTIVE",))
    assert len(report.problems) == 1


def test_every_contact_has_its_own_pad(chip):
    nets = recorded_nets(chip)
    # 2 lasers x 4 sections, 3 MZMs x 2 arms, 3 PMs, 2 VOAs
    assert len(nets) == 8 + 6 + 3 + 2
    assert len({n.name for n in nets}) == len(nets)
    pads = [p for n in nets for p in n.pins if p.is_pad]
    assert len(pads) == len(nets)
    # every pad is in the 200 µm band along the north or south edge
    for pad in pads:
        assert pad.y_um > 1800.0 or pad.y_um < 200.0
    rf = [p for p in chip.ports if p.port_type == "electrical" and p.name.endswith("_rf")]
    assert len(rf) == 6  # three MZM signal arms and three phase modulators on GSG pads


def test_pad_openings_count(chip):
    openings = kdb.Region(chip.begin_shapes_rec(gf.get_layer("PAD"))).merged()
    # 13 DC pads + 6 GSG groups of three
    assert openings.count() == 13 + 6 * 3


def test_gsg_ground_pads_are_n_contacts(chip):
    """Each GSG group's two ground pads are n-metal (the shared n-side), apart from p-metal."""
    openings = kdb.Region(chip.begin_shapes_rec(gf.get_layer("PAD"))).merged()
    n_metal = kdb.Region(chip.begin_shapes_rec(gf.get_layer("METAL_N"))).merged()
    p_metal = kdb.Region(chip.begin_shapes_rec(gf.get_layer("METAL_P"))).merged()
    assert n_metal.count() == 6 * 2
    assert openings.interacting(n_metal).count() == 6 * 2
    assert openings.interacting(p_metal).count() == 13 + 6
    assert (n_metal & p_metal).is_empty()
    space = design_rules().separation("METAL_P", "METAL_N").min_space_um
    gap = round(space / chip.kcl.dbu) - 2  # the DRC's 2 nm snapping tolerance
    assert p_metal.separation_check(n_metal, gap).is_empty()


def test_short_between_nets_is_detected(chip):
    """A metal bridge between two neighbouring wires must be reported as a short."""
    nets = recorded_nets(chip)
    a, b = sorted((n for n in nets if n.pins[1].y_um > 1800.0), key=lambda n: n.pins[1].x_um)[:2]
    bad = gf.Component()
    bad << chip
    (ax, ay), (bx, by) = (a.pins[1].x_um, a.pins[1].y_um), (b.pins[1].x_um, b.pins[1].y_um)
    bad.add_polygon([(ax, ay - 5), (bx, by - 5), (bx, by + 5), (ax, ay + 5)], layer="METAL_P")
    report = metal_net_report(bad, nets, pad_layer="PAD")
    assert any("short" in p for p in report.problems)


def test_open_net_is_detected(chip):
    """A pad point that its wire does not reach is reported."""
    net = recorded_nets(chip)[0]
    moved = Net(net.name, (net.pins[0], NetPin("pad", "METAL_P", 10.0, 1000.0, is_pad=True)))
    report = metal_net_report(chip, [moved], pad_layer="PAD")
    assert not report.ok


def test_dangling_port_is_detected(chip):
    """Removing the chip I/O declaration leaves the SSC facet ports dangling."""
    bare = gf.Component()
    for inst in chip.insts:
        ref = bare << inst.cell
        ref.transform(inst.dcplx_trans)
    report = optical_port_report(bare)
    assert sum("dangling" in p for p in report.problems) == 3


def test_bad_parameters_raise():
    INP.activate()
    with pytest.raises(ValueError, match="channel_pitch_um"):
        transmitter_chip(channel_pitch_um=12.0)
    with pytest.raises(ValueError, match="closer than two bends"):
        transmitter_chip(top_lane_y_um=700.0)
    with pytest.raises(ValueError, match="signal lane needs"):
        transmitter_chip(im_arm_length_um=3500.0)
    with pytest.raises(ValueError, match=r"output lanes need \d+\.\d µm but chip_width_um=12500"):
        transmitter_chip(pm_length_um=3200.0)


def _blocks(path: list[str]) -> list[str]:
    """Functional blocks along a traced path (links and routes left out)."""
    kinds = ("ssc", "dbr_laser", "mzm", "mmi1x2", "phase_modulator", "voa")
    out = []
    for name in path:
        kind = next((k for k in kinds if name.startswith(k)), None)
        if kind == "dbr_laser":
            kind += "_reference" if "PN240" in name else "_signal"
        if kind:
            out.append(kind)
    return out


def test_light_paths_follow_the_block_diagram(chip):
    signal = _blocks(trace_optical_path(chip, "in_signal"))
    assert signal == [
        "ssc", "dbr_laser_signal", "mzm", "mzm", "mzm",  # SSC in, DBR sig, IM III, IM I, IM II
        "mmi1x2", "phase_modulator", "phase_modulator",  # combiner, PM I, PM II
        "voa", "voa", "ssc",  # VOA I/II, SSC out
    ]  # fmt: skip
    reference = _blocks(trace_optical_path(chip, "in_reference"))
    assert reference == [
        "ssc", "dbr_laser_reference", "phase_modulator",  # SSC ref, DBR ref, PM ref
        "mmi1x2", "phase_modulator", "phase_modulator", "voa", "voa", "ssc",
    ]  # fmt: skip


def test_trace_reports_a_broken_path(chip):
    broken = gf.Component()
    for inst in chip.insts:
        if inst.cell.name.startswith("voa"):
            continue  # remove both attenuators: the light runs into nothing
        ref = broken << inst.cell
        ref.transform(inst.dcplx_trans)
    for port in chip.ports:
        broken.add_port(port.name, port=port)
    with pytest.raises(ValueError, match="ends at"):
        trace_optical_path(broken, "in_signal")


_CELL_KINDS = {
    "dbr_laser": "dbr_laser",
    "mzm": "intensity_modulator",
    "phase_modulator": "phase_modulator",
    "voa": "voa",
}


def test_mask_draws_what_the_yield_model_counts(chip):
    """The active cells placed on the mask and the yield model's devices are the same list."""
    drawn: Counter[str] = Counter()
    for inst in chip.insts:
        kind = next((k for p, k in _CELL_KINDS.items() if inst.cell.name.startswith(p)), None)
        if kind:
            drawn[kind] += 1
    spec = load_chip_spec(INP)
    assert dict(drawn) == {d.kind: d.count for d in spec.devices}
    assert sorted(chip.info["active_sections"]) == sorted(n for d in spec.devices for n in d.names)
    modulators = sum(spec.device(k).count for k in spec.modulator_kinds)
    assert modulators == 6  # 3 IMs + 3 PMs: 120 modulators on the 20 reference chips
    assert spec.device("voa").count == 2
    # every section has its own nets: 4 per laser, 2 per MZM, 1 per PM and VOA
    per_kind = {"dbr_laser": 4, "intensity_modulator": 2, "phase_modulator": 1, "voa": 1}
    assert len(recorded_nets(chip)) == sum(per_kind[k] * n for k, n in drawn.items())


def test_netlist_rebuilds_from_the_pdk_cells(chip):
    """Every instance of the chip is a registered cell of the InP PDK: its netlist rebuilds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        netlist = chip.get_netlist()
        rebuilt = gf.read.from_yaml(chip.write_netlist(netlist)).get_netlist()
    for key in ("instances", "nets", "ports"):
        assert json.loads(json.dumps(rebuilt[key], default=str)) == json.loads(
            json.dumps(netlist[key], default=str)
        ), key
