"""Exact geometry helpers: circles are circles, paths end where analytic geometry says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qkdchip.components.geometry import (
    MAX_POINTS_PER_POLYGON,
    SAGITTA_TOL_UM,
    Arc,
    Straight,
    annulus_sectors,
    extrude,
    s_bend_min_dx_um,
    s_bend_radius_um,
    s_bend_segments,
)


@pytest.mark.parametrize("radius_um", [20.0, 993.037, 4000.0])
def test_annulus_vertices_on_circles(radius_um: float) -> None:
    width = 2.8
    polygons = annulus_sectors((5.0, -3.0), radius_um, width, 0.0, 2 * math.pi)
    for poly in polygons:
        assert len(poly) <= MAX_POINTS_PER_POLYGON + 2
        r = np.hypot(poly[:, 0] - 5.0, poly[:, 1] + 3.0)
        on_outer = np.isclose(r, radius_um + width / 2, atol=1e-9)
        on_inner = np.isclose(r, radius_um - width / 2, atol=1e-9)
        assert np.all(on_outer | on_inner)
        # chord midpoints stay within the sagitta tolerance of the outer circle
        outer = poly[on_outer]
        mid = (outer[1:] + outer[:-1]) / 2
        r_mid = np.hypot(mid[:, 0] - 5.0, mid[:, 1] + 3.0)
        assert np.all(radius_um + width / 2 - r_mid <= SAGITTA_TOL_UM + 1e-12)


def test_quarter_arc_ends_analytically() -> None:
    _, end = extrude((0.0, 0.0), 0.0, 1.0, [Arc(100.0, 90.0)])
    assert end.x_um == pytest.approx(100.0)
    assert end.y_um == pytest.approx(100.0)
    assert end.heading_deg == pytest.approx(90.0)
    _, end = extrude((0.0, 0.0), 0.0, 1.0, [Arc(100.0, -90.0)])
    assert (end.x_um, end.y_um) == pytest.approx((100.0, -100.0))
    assert end.heading_deg == pytest.approx(270.0)


def test_taper_and_width() -> None:
    poly, end = extrude((0.0, 0.0), 0.0, 0.3, [Straight(100.0, end_width_um=2.8)])
    assert end.width_um == pytest.approx(2.8)
    assert poly[:, 1].max() == pytest.approx(1.4)
    assert poly[:, 1].min() == pytest.approx(-1.4)


@pytest.mark.parametrize(("dx", "dy"), [(103.0, 28.5), (200.0, -10.0)])
def test_s_bend_reaches_offset_with_heading_restored(dx: float, dy: float) -> None:
    _, end = extrude((0.0, 0.0), 0.0, 2.0, s_bend_segments(dx_um=dx, dy_um=dy))
    assert (end.x_um, end.y_um) == pytest.approx((dx, dy), abs=1e-9)
    assert math.cos(math.radians(end.heading_deg)) == pytest.approx(1.0)


def test_s_bend_min_length_meets_radius() -> None:
    dx = s_bend_min_dx_um(dy_um=28.5, min_radius_um=100.0)
    assert s_bend_radius_um(dx_um=dx, dy_um=28.5) >= 100.0
    assert s_bend_radius_um(dx_um=dx - 1.0, dy_um=28.5) < 100.0
    with pytest.raises(ValueError, match="dy_um"):
        s_bend_min_dx_um(dy_um=300.0, min_radius_um=100.0)


def test_bad_segments_raise() -> None:
    with pytest.raises(ValueError, match="length_um"):
        extrude((0.0, 0.0), 0.0, 1.0, [Straight(0.0)])
    with pytest.raises(ValueError, match="radius_um"):
        extrude((0.0, 0.0), 0.0, 4.0, [Arc(1.0, 90.0)])
