"""Exact waveguide geometry: centre-line paths of straights and circular arcs, extruded once.

gdsfactory's generic bends are Euler or Bezier curves and its ring cells add straight sections;
microcomb rings and pulley buses must be truly circular. These helpers build one polygon per
waveguide from analytic arcs (offset along the exact normal), so no 1 nm seams appear between
sub-shapes. Arcs are sampled so that the chord error (sagitta) stays below
:data:`SAGITTA_TOL_UM`. Pure numpy; no gdsfactory import.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SAGITTA_TOL_UM = 5e-4
"""Largest distance between a sampled chord and the true arc in µm (half the 1 nm grid)."""
MAX_POINTS_PER_POLYGON = 4000
"""Annuli are split into sectors of at most this many vertices (GDS limit is 8190)."""


def rectangle(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    """Corners of the axis-aligned rectangle between (x0, y0) and (x1, y1), in µm."""
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def arc_step_rad(radius_um: float) -> float:
    """Largest angular step (rad) whose chord deviates < SAGITTA_TOL_UM from a circle of radius."""
    return min(math.radians(5.0), math.sqrt(8 * SAGITTA_TOL_UM / radius_um))


def _angles(theta0: float, theta1: float, radius_um: float) -> np.ndarray:
    n = max(2, math.ceil(abs(theta1 - theta0) / arc_step_rad(radius_um)) + 1)
    return np.linspace(theta0, theta1, n)


def annulus_sectors(
    center: tuple[float, float],
    radius_um: float,
    width_um: float,
    theta0_rad: float,
    theta1_rad: float,
) -> list[np.ndarray]:
    """Polygons (N×2 arrays in µm) of an annular sector, split to respect the vertex limit.

    Args:
        center: circle centre (x, y) in µm.
        radius_um: centre-line radius in µm.
        width_um: radial width in µm.
        theta0_rad: start angle in rad (counter-clockwise from +x).
        theta1_rad: end angle in rad (> theta0_rad).
    """
    r_out = radius_um + width_um / 2
    r_in = radius_um - width_um / 2
    angles = _angles(theta0_rad, theta1_rad, r_out)
    n_pieces = max(1, math.ceil(2 * len(angles) / MAX_POINTS_PER_POLYGON))
    cx, cy = center
    polygons = []
    for k in range(n_pieces):
        lo = k * (len(angles) - 1) // n_pieces
        hi = (k + 1) * (len(angles) - 1) // n_pieces
        a = angles[lo : hi + 1]
        outer = np.column_stack([cx + r_out * np.cos(a), cy + r_out * np.sin(a)])
        inner = np.column_stack([cx + r_in * np.cos(a[::-1]), cy + r_in * np.sin(a[::-1])])
        polygons.append(np.vstack([outer, inner]))
    return polygons


@dataclass(frozen=True)
class Straight:
    """Straight segment of ``length_um`` µm; width tapers linearly to ``end_width_um`` if set."""

    length_um: float
    end_width_um: float | None = None


@dataclass(frozen=True)
class Arc:
    """Circular arc of ``radius_um`` µm turning ``angle_deg`` (positive = counter-clockwise)."""

    radius_um: float
    angle_deg: float


@dataclass(frozen=True)
class PathEnd:
    """Where an extruded path ends: position (µm), heading (deg) and width (µm)."""

    x_um: float
    y_um: float
    heading_deg: float
    width_um: float


def extrude(
    start: tuple[float, float],
    heading_deg: float,
    width_um: float,
    segments: list[Straight | Arc],
) -> tuple[np.ndarray, PathEnd]:
    """One polygon for a waveguide made of straights and circular arcs.

    Args:
        start: start point (x, y) of the centre line in µm.
        heading_deg: start direction in degrees (0 = +x).
        width_um: start width in µm.
        segments: the path, in order.

    Returns:
        The polygon (N×2 array, µm) and the end of the path.
    """
    x, y = start
    th = math.radians(heading_deg)
    w = width_um
    pts: list[tuple[float, float, float, float]] = [(x, y, th, w)]  # centre, heading, width
    for seg in segments:
        if isinstance(seg, Straight):
            if seg.length_um <= 0:
                raise ValueError(f"straight length_um={seg.length_um!r} must be > 0")
            w_end = w if seg.end_width_um is None else seg.end_width_um
            x += seg.length_um * math.cos(th)
            y += seg.length_um * math.sin(th)
            w = w_end
            pts.append((x, y, th, w))
        else:
            if seg.radius_um <= w / 2:
                raise ValueError(f"arc radius_um={seg.radius_um!r} must exceed half the width")
            sign = 1.0 if seg.angle_deg > 0 else -1.0
            cx = x - sign * seg.radius_um * math.sin(th)
            cy = y + sign * seg.radius_um * math.cos(th)
            phi0 = th - sign * math.pi / 2
            dphi = math.radians(seg.angle_deg)
            for phi in _angles(phi0, phi0 + dphi, seg.radius_um + w / 2)[1:]:
                x = cx + seg.radius_um * math.cos(phi)
                y = cy + seg.radius_um * math.sin(phi)
                pts.append((x, y, phi + sign * math.pi / 2, w))
            th = phi0 + dphi + sign * math.pi / 2
    arr = np.array(pts)
    nx, ny = -np.sin(arr[:, 2]), np.cos(arr[:, 2])
    half = arr[:, 3] / 2
    left = np.column_stack([arr[:, 0] + half * nx, arr[:, 1] + half * ny])
    right = np.column_stack([arr[:, 0] - half * nx, arr[:, 1] - half * ny])
    polygon = np.vstack([left, right[::-1]])
    end = PathEnd(x_um=x, y_um=y, heading_deg=math.degrees(th) % 360.0, width_um=w)
    return polygon, end


def s_bend_radius_um(*, dx_um: float, dy_um: float) -> float:
    """Radius of the two equal, tangent arcs of an S-bend spanning (dx, dy) µm."""
    if dx_um <= 0 or dy_um == 0:
        raise ValueError(f"S-bend needs dx_um > 0 and dy_um != 0, got {dx_um!r}, {dy_um!r}")
    return (dx_um**2 + dy_um**2) / (4 * abs(dy_um))


def s_bend_segments(*, dx_um: float, dy_um: float) -> list[Straight | Arc]:
    """Two circular arcs that move the path by (dx, dy) µm and restore its heading."""
    r = s_bend_radius_um(dx_um=dx_um, dy_um=dy_um)
    angle = math.degrees(math.asin(dx_um / (2 * r)))
    sign = 1.0 if dy_um > 0 else -1.0
    return [Arc(radius_um=r, angle_deg=sign * angle), Arc(radius_um=r, angle_deg=-sign * angle)]


def s_bend_min_dx_um(*, dy_um: float, min_radius_um: float) -> float:
    """Smallest length (µm, rounded up to 1 µm) of an S-bend of offset dy with radius >= min."""
    dy = abs(dy_um)
    if dy >= 2 * min_radius_um:
        raise ValueError(f"dy_um={dy_um!r} needs more than two quarter arcs of {min_radius_um} µm")
    dx = math.sqrt(4 * min_radius_um * dy - dy**2)
    return float(math.ceil(dx))
