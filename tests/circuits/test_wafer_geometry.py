"""Tests of the wafer outline, edge exclusion and die-grid optimisation (no layout)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qkdchip.circuits.wafer_geometry import (
    SEMI_3INCH_PRIMARY_FLAT_UM,
    WaferSpec,
    count_sites,
    die_grid_at,
    nearest_sites,
    optimise_die_grid,
    street_crossings,
)

INP_DIE = {"die_width_um": 4600.0, "die_height_um": 2000.0, "street_um": 100.0}


@pytest.fixture(scope="module")
def inp_grid():
    return optimise_die_grid(WaferSpec(), **INP_DIE)


def test_semi_flat_geometry():
    spec = WaferSpec()
    # SEMI M1: 3-inch primary flat 22.22 mm; the chord sits sqrt(R^2 - (L/2)^2) from the centre
    assert spec.flat_length_um == SEMI_3INCH_PRIMARY_FLAT_UM == 22_220.0
    assert spec.flat_distance_um == pytest.approx(math.sqrt(38_100.0**2 - 11_110.0**2))
    outline = spec.outline_points()
    r = np.hypot(outline[:, 0], outline[:, 1])
    assert r == pytest.approx(38_100.0)
    # the outline's two ends are the ends of the flat
    assert outline[0, 1] == pytest.approx(-spec.flat_distance_um)
    assert outline[-1, 1] == pytest.approx(-spec.flat_distance_um)
    assert abs(outline[0, 0] - outline[-1, 0]) == pytest.approx(22_220.0)


@pytest.mark.parametrize(
    ("field", "value"),
    [("diameter_um", 1.0), ("flat_length_um", 80_000.0), ("edge_exclusion_um", -1.0)],
)
def test_bad_wafer_spec(field, value):
    with pytest.raises(ValueError, match=field):
        WaferSpec(**{field: value})


def test_bad_die_size():
    with pytest.raises(ValueError, match="die_width_um"):
        optimise_die_grid(WaferSpec(), die_width_um=10.0, die_height_um=2000.0, street_um=100.0)


def test_rects_inside_edges():
    spec = WaferSpec(edge_exclusion_um=3000.0)
    ru = spec.usable_radius_um
    # a tiny square touching the usable circle on the +x axis is inside, 1 nm further is not
    edge = math.sqrt(ru**2 - 5.0**2)  # x where the corners (x, +-5) meet the circle
    assert spec.rects_inside(edge - 10.0, -5.0, edge - 1e-6, 5.0)
    assert not spec.rects_inside(edge - 10.0, -5.0, edge + 0.001, 5.0)
    # near the flat: the exclusion also applies along the flat
    y_flat = -spec.flat_distance_um
    assert not spec.rects_inside(-5.0, y_flat + 100.0, 5.0, y_flat + 200.0)
    assert spec.rects_inside(-5.0, y_flat + 3000.0, 5.0, y_flat + 3100.0)


def test_grid_sites_are_inside_and_counted(inp_grid):
    sites = inp_grid.sites
    x0 = np.array([s.x_um for s in sites])
    y0 = np.array([s.y_um for s in sites])
    assert inp_grid.wafer.rects_inside(x0, y0, x0 + 4600.0, y0 + 2000.0).all()
    assert (y0 > -inp_grid.wafer.flat_distance_um).all()
    brute = count_sites(
        inp_grid.wafer,
        die_width_um=4600.0,
        die_height_um=2000.0,
        pitch_x_um=inp_grid.pitch_x_um,
        pitch_y_um=inp_grid.pitch_y_um,
        offset_x_um=inp_grid.offset_x_um,
        offset_y_um=inp_grid.offset_y_um,
    )
    assert int(brute[0]) == inp_grid.count
    labels = [s.label for s in sites]
    assert len(set(labels)) == len(labels)
    assert min(s.row for s in sites) == 0
    assert min(s.column for s in sites) == 0


@pytest.mark.parametrize(
    "die",
    [INP_DIE, {"die_width_um": 6000.0, "die_height_um": 4000.0, "street_um": 200.0}],
)
def test_grid_count_is_maximal_over_offsets(die):
    """No offset of the same grid places more dies (dense scan plus random offsets)."""
    spec = WaferSpec()
    grid = optimise_die_grid(spec, **die)
    px, py = grid.pitch_x_um, grid.pitch_y_um
    gx, gy = np.meshgrid(np.linspace(0.0, px, 97, endpoint=False), np.linspace(0, py, 89))
    rng = np.random.default_rng(20260527)
    ox = np.concatenate([gx.ravel(), rng.uniform(0.0, px, 6000)])
    oy = np.concatenate([gy.ravel(), rng.uniform(0.0, py, 6000)])
    counts = count_sites(
        spec,
        die_width_um=die["die_width_um"],
        die_height_um=die["die_height_um"],
        pitch_x_um=px,
        pitch_y_um=py,
        offset_x_um=ox,
        offset_y_um=oy,
    )
    assert counts.max() <= grid.count
    # the scan is not trivially below the optimum: it gets close to it
    assert counts.max() >= grid.count - 3


def test_grid_beats_centred_grids():
    spec = WaferSpec()
    grid = optimise_die_grid(spec, **INP_DIE)
    px, py = grid.pitch_x_um, grid.pitch_y_um
    for ox, oy in [(0.0, 0.0), (-2300.0 % px, -1000.0 % py), (50.0, 50.0)]:
        other = die_grid_at(spec, offset_x_um=ox, offset_y_um=oy, **INP_DIE)
        assert other.count <= grid.count


def test_larger_exclusion_never_adds_dies():
    counts = [
        optimise_die_grid(WaferSpec(edge_exclusion_um=e), **INP_DIE).count
        for e in (1000.0, 3000.0, 6000.0)
    ]
    assert counts[0] >= counts[1] >= counts[2]
    # area bound: dies cannot cover more than the usable area
    spec = WaferSpec(edge_exclusion_um=1000.0)
    assert counts[0] * 4600.0 * 2000.0 < math.pi * spec.usable_radius_um**2


def test_nearest_sites_and_crossings(inp_grid):
    picked = nearest_sites(inp_grid, [(0.0, 0.0), (0.0, 0.0)])
    assert picked[0] != picked[1]
    crossings = street_crossings(inp_grid)
    assert len(crossings) > 4
    half_street = 50.0
    # each crossing is surrounded by four sites whose corners are half a street away
    corners = {(round(s.x_um, 3), round(s.y_um, 3)) for s in inp_grid.sites}
    for x, y in crossings[:20]:
        assert (round(x + half_street, 3), round(y + half_street, 3)) in corners
