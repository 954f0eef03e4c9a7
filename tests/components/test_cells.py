"""Every registered cell of both PDKs: GDS regression, settings/ports snapshot, DRC, grid,
netlist round trip.

Reference data live next to this file (``reference_gds/``, ``snapshots/``). A missing reference
fails; set ``QKDCHIP_REGEN_GDS=1`` to (re)write references after an intended change.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import gdsfactory as gf
import pytest

from qkdchip.components.registry import build_cell, rules_for
from qkdchip.pdk.drc import run_drc
from qkdchip.platforms import SI3N4
from tests.components.cell_cases import CASES
from tests.gds_compare import REGEN, geometry_differences, layer_regions, read_top

HERE = Path(__file__).parent
REFERENCE_GDS = HERE / "reference_gds"
SNAPSHOTS = HERE / "snapshots"


def _build(cell: str, params: dict[str, Any]) -> gf.Component:
    return build_cell(cell, **params)


CASE_IDS = [case[0] for case in CASES]


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request: pytest.FixtureRequest) -> tuple[str, str, dict[str, Any], gf.Component]:
    case_id, cell, params = request.param
    return case_id, cell, params, _build(cell, params)


def test_gds_matches_reference(case: tuple, tmp_path: Path) -> None:
    case_id, _, _, component = case
    reference = REFERENCE_GDS / f"{case_id}.gds"
    written = component.write_gds(gdspath=tmp_path / f"{case_id}.gds", with_metadata=False)
    if REGEN:
        reference.parent.mkdir(exist_ok=True)
        reference.write_bytes(Path(written).read_bytes())
    if not reference.exists():
        pytest.fail(f"missing reference {reference}; run with QKDCHIP_REGEN_GDS=1 to create it")
    assert geometry_differences(Path(written), reference) == [], case_id


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def _snapshot(component: gf.Component) -> dict[str, Any]:
    ports = [
        {
            "name": p.name,
            "center_um": list(p.center),
            "width_um": p.width,
            "orientation_deg": p.orientation,
            "layer": [p.layer_info.layer, p.layer_info.datatype],
            "port_type": p.port_type,
            "cross_section": p.info["cross_section"],
        }
        for p in component.ports
    ]
    data = {
        "name": component.name,
        "settings": component.settings.model_dump(),
        "info": component.info.model_dump(),
        "ports": ports,
    }
    return _round(json.loads(json.dumps(data, default=str)))


def test_settings_and_ports_snapshot(case: tuple) -> None:
    case_id, _, _, component = case
    path = SNAPSHOTS / f"{case_id}.json"
    data = _snapshot(component)
    if REGEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    if not path.exists():
        pytest.fail(f"missing snapshot {path}; run with QKDCHIP_REGEN_GDS=1 to create it")
    assert data == json.loads(path.read_text())


def test_drc_clean(case: tuple) -> None:
    _, cell, params, component = case
    report = run_drc(component, rules_for(cell, params))
    assert report.clean, report.format()


def test_ports_on_grid_with_even_widths(case: tuple) -> None:
    _, _, _, component = case
    assert len(component.ports) >= 2
    for port in component.ports:
        width_nm = port.width * 1e3
        assert math.isclose(width_nm, round(width_nm), abs_tol=1e-6), port.name
        assert round(width_nm) % 2 == 0, f"{port.name}: odd width {width_nm} nm"
        for coordinate in port.center:
            assert math.isclose(coordinate * 1e3, round(coordinate * 1e3), abs_tol=1e-6)
        assert port.name[0] in "oe"
        assert (port.name[0] == "e") == (port.port_type == "electrical"), port.name


def test_netlist_round_trip(case: tuple) -> None:
    _, _, _, component = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        netlist = component.get_netlist()
        rebuilt = gf.read.from_yaml(component.write_netlist(netlist)).get_netlist()
    for key in ("instances", "ports", "nets"):
        assert json.loads(json.dumps(rebuilt[key], default=str)) == json.loads(
            json.dumps(netlist[key], default=str)
        ), key
    assert set(rebuilt["placements"]) == set(netlist["placements"])


def test_rings_are_circular_and_pulley_gap_is_uniform() -> None:
    from qkdchip.components.si3n4 import ring_pulley

    SI3N4.activate()
    c = ring_pulley(
        radius_um=200.0,
        width_um=1.6,
        gap_um=0.6,
        thickness_nm=800.0,
        wrap_angle_deg=40.0,
        bus_width_um=1.2,
    )
    yc = c.info["ring_center_y_um"]
    layout = c.kdb_cell.layout()
    region = layer_regions(layout, c.kdb_cell)[(1, 0)]
    radii = []
    for poly in region.each():
        for p in poly.each_point_hull():
            radii.append(math.hypot(p.x * 1e-3, p.y * 1e-3 - yc))
    radii_arr = sorted(radii)
    # ring edges at 199.2 and 200.8 µm, pulley bus inner edge at 201.4 µm (1 nm grid).
    assert any(abs(r - 200.8) < 1.5e-3 for r in radii_arr)
    assert any(abs(r - 201.4) < 1.5e-3 for r in radii_arr)
    assert c.info["coupling_length_um"] == pytest.approx(math.radians(40.0) * 202.0)


def test_xor_regression_detects_a_geometry_change() -> None:
    a = layer_regions(*read_top(REFERENCE_GDS / "ring_pulley.gds"))
    b = layer_regions(*read_top(REFERENCE_GDS / "ring_point_coupled.gds"))
    assert not (a[(1, 0)] ^ b[(1, 0)]).is_empty()
