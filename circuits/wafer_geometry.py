"""Wafer geometry without layout: outline with flat, edge exclusion and the die grid.

Coordinates are in µm with the wafer centre at the origin and the primary flat at the bottom
(parallel to x, at ``y = -flat_distance_um``). A die site is the rectangle
``[x0, x0 + die_width] x [y0, y0 + die_height]`` with lower-left corners on the grid
``x0 = offset_x + i * pitch_x``, ``y0 = offset_y + j * pitch_y`` (``pitch = die size + street``).
A site is usable when all of it lies inside the *usable region*: the disc of radius
``radius - edge_exclusion`` intersected with the half plane
``y >= -(flat_distance - edge_exclusion)`` (the same exclusion applied along the flat).

The grid offset is chosen to maximise the number of usable sites: for a fixed ``offset_y`` each
row allows an x-interval ``[-a, a]``, and the number of dies that fit in it is a sum of indicator
functions of closed intervals in ``offset_x``; such a sum reaches its maximum at the left end of
one of the intervals, so trying those candidates (``offset_x = -a_row mod pitch_x`` for every row)
is exact in x. ``offset_y`` is scanned on a fine grid (``y_step_um``). Among the optimal offsets the
middle of the widest plateau is kept, so every die keeps a margin against rounding.

:func:`plan_wafer` reserves test-die sites and alignment-mark positions on a grid;
:class:`WaferLayout` bundles a platform's wafer, die size, street and reserved sites
(:data:`INP_WAFER_LAYOUT`, :data:`SI3N4_WAFER_LAYOUT`; each platform of :mod:`qkdchip.platforms`
holds its own). The wafer mask cells
(:mod:`qkdchip.circuits.wafers`) and the wafer-yield Monte Carlo
(:mod:`qkdchip.simulations.wafer_yield`) both place their dies from it. This module needs only
numpy, so the yield package stays free of the layout libraries.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Annotated, ClassVar

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from qkdchip.records import Record

# SEMI M1 3-inch (76.2 mm) wafers: primary flat 22.22 +/- 3.17 mm (0.875 +/- 0.125 in).
SEMI_3INCH_DIAMETER_UM = 76_200.0
SEMI_3INCH_PRIMARY_FLAT_UM = 22_220.0

_DBU_UM = 0.001  # layout grid (1 nm)
_INSIDE_UM = 0.002  # candidate offsets are moved this far inside, so snapping keeps dies inside


@dataclass(frozen=True)
class WaferSpec(Record):
    """A round wafer with one primary flat and an edge exclusion.

    Args:
        diameter_um: wafer diameter (µm), default 3 inch.
        flat_length_um: primary flat chord length (µm), default SEMI 3-inch 22.22 mm.
        edge_exclusion_um: width of the unusable band along the rim and along the flat (µm).
    """

    diameter_um: float = SEMI_3INCH_DIAMETER_UM
    flat_length_um: float = SEMI_3INCH_PRIMARY_FLAT_UM
    edge_exclusion_um: float = 3_000.0

    def __post_init__(self) -> None:
        if not 10_000.0 <= self.diameter_um <= 450_000.0:
            raise ValueError(
                f"diameter_um={self.diameter_um} outside the allowed range [10000, 450000] µm"
            )
        if not 0.0 <= self.flat_length_um < self.diameter_um:
            raise ValueError(
                f"flat_length_um={self.flat_length_um} outside [0, diameter_um="
                f"{self.diameter_um}) µm"
            )
        if not 0.0 <= self.edge_exclusion_um < self.flat_distance_um:
            raise ValueError(
                f"edge_exclusion_um={self.edge_exclusion_um} outside [0, "
                f"{self.flat_distance_um:.1f}) µm (the centre-to-flat distance)"
            )

    @property
    def radius_um(self) -> float:
        """Wafer radius (µm)."""
        return self.diameter_um / 2.0

    @property
    def flat_distance_um(self) -> float:
        """Distance from the wafer centre to the flat (µm)."""
        return math.sqrt(self.radius_um**2 - (self.flat_length_um / 2.0) ** 2)

    @property
    def usable_radius_um(self) -> float:
        """Radius of the usable disc (µm)."""
        return self.radius_um - self.edge_exclusion_um

    @property
    def usable_ymin_um(self) -> float:
        """Lowest usable y: the flat moved inwards by the edge exclusion (µm)."""
        return -(self.flat_distance_um - self.edge_exclusion_um)

    def rects_inside(
        self,
        xmin: NDArray[np.float64],
        ymin: NDArray[np.float64],
        xmax: NDArray[np.float64],
        ymax: NDArray[np.float64],
    ) -> NDArray[np.bool_]:
        """Whether each rectangle lies entirely in the usable region (vectorised, µm)."""
        r2 = self.usable_radius_um**2
        xmin, ymin, xmax, ymax = (np.asarray(v, dtype=float) for v in (xmin, ymin, xmax, ymax))
        far_x2 = np.maximum(xmin**2, xmax**2)
        far_y2 = np.maximum(ymin**2, ymax**2)
        return (far_x2 + far_y2 <= r2) & (ymin >= self.usable_ymin_um)

    def outline_points(self, *, n_points: int = 720) -> NDArray[np.float64]:
        """Wafer outline (circle with the flat) as a closed polygon, counter-clockwise (µm)."""
        return _outline(self.radius_um, self.flat_distance_um, n_points)

    def usable_outline_points(self, *, n_points: int = 720) -> NDArray[np.float64]:
        """Outline of the usable region (disc minus exclusion, cut at the flat) (µm)."""
        return _outline(self.usable_radius_um, -self.usable_ymin_um, n_points)


def _outline(radius: float, flat_distance: float, n_points: int) -> NDArray[np.float64]:
    half_angle = math.acos(min(1.0, flat_distance / radius))
    start = -math.pi / 2 + half_angle
    stop = 3 * math.pi / 2 - half_angle
    # include the axis directions so the outline's bounding box is exact
    axes = [a for a in (0.0, math.pi / 2, math.pi) if start < a < stop]
    angles = np.unique(np.concatenate([np.linspace(start, stop, n_points), axes]))
    return np.column_stack([radius * np.cos(angles), radius * np.sin(angles)])


@dataclass(frozen=True)
class DieSite:
    """One die site: grid row (0 = top), column (0 = left) and lower-left corner (µm)."""

    row: int
    column: int
    x_um: float
    y_um: float

    @property
    def label(self) -> str:
        """Human-readable site label, e.g. ``R03C12`` (1-based)."""
        return f"R{self.row + 1:02d}C{self.column + 1:02d}"


@dataclass(frozen=True)
class DieGrid(Record):
    """A regular die grid on a wafer and the sites that lie in the usable region.

    Its JSON form is a summary: the site count instead of the sites.

    Args:
        wafer: the wafer.
        die_width_um: die width (µm).
        die_height_um: die height (µm).
        pitch_x_um: grid pitch in x (die width plus street) (µm).
        pitch_y_um: grid pitch in y (die height plus street) (µm).
        offset_x_um: x of the lower-left corner of the die with index (0, 0) (µm).
        offset_y_um: y of the lower-left corner of the die with index (0, 0) (µm).
        sites: the usable sites, sorted by row then column.
    """

    derived: ClassVar[tuple[str, ...]] = ("count",)

    wafer: WaferSpec
    die_width_um: float
    die_height_um: float
    pitch_x_um: float
    pitch_y_um: float
    offset_x_um: float
    offset_y_um: float
    sites: Annotated[tuple[DieSite, ...], Field(exclude=True)]

    @property
    def count(self) -> int:
        """Number of usable sites."""
        return len(self.sites)


def _check_die(die_width_um: float, die_height_um: float, street_um: float) -> None:
    for name, value in (("die_width_um", die_width_um), ("die_height_um", die_height_um)):
        if not 100.0 <= value <= 50_000.0:
            raise ValueError(f"{name}={value} outside the allowed range [100, 50000] µm")
    if not 0.0 <= street_um <= 5_000.0:
        raise ValueError(f"street_um={street_um} outside the allowed range [0, 5000] µm")


def _row_half_widths(
    wafer: WaferSpec, y0: NDArray[np.float64], die_height_um: float
) -> NDArray[np.float64]:
    """Half-width a of the x-interval [-a, a] that a row [y0, y0+h] allows; -1 when none."""
    y1 = y0 + die_height_um
    far2 = np.maximum(y0**2, y1**2)
    r2 = wafer.usable_radius_um**2
    ok = (far2 <= r2) & (y0 >= wafer.usable_ymin_um)
    return np.where(ok, np.sqrt(np.clip(r2 - far2, 0.0, None)), -1.0)


def _row_counts(
    half: NDArray[np.float64], offset_x: NDArray[np.float64], width: float, pitch: float
) -> NDArray[np.float64]:
    """Dies per row for offsets ``offset_x`` (broadcast against ``half``)."""
    first = np.ceil((-half - offset_x) / pitch - 1e-12)
    last = np.floor((half - width - offset_x) / pitch + 1e-12)
    return np.where(half >= width / 2.0, np.clip(last - first + 1.0, 0.0, None), 0.0)


def count_sites(
    wafer: WaferSpec,
    *,
    die_width_um: float,
    die_height_um: float,
    pitch_x_um: float,
    pitch_y_um: float,
    offset_x_um: NDArray[np.float64] | float,
    offset_y_um: NDArray[np.float64] | float,
) -> NDArray[np.int64]:
    """Number of usable die sites for each (offset_x, offset_y) pair (vectorised).

    This is the brute-force reference: it tests every site's rectangle with
    :meth:`WaferSpec.rects_inside`, independently of the row formula used by the optimiser.
    """
    ox = np.atleast_1d(np.asarray(offset_x_um, dtype=float))
    oy = np.atleast_1d(np.asarray(offset_y_um, dtype=float))
    ox, oy = np.broadcast_arrays(ox, oy)
    r = wafer.radius_um
    i = np.arange(math.floor(-r / pitch_x_um) - 1, math.ceil(r / pitch_x_um) + 2)
    j = np.arange(math.floor(-r / pitch_y_um) - 1, math.ceil(r / pitch_y_um) + 2)
    x0 = ox[:, None, None] + i[None, None, :] * pitch_x_um
    y0 = oy[:, None, None] + j[None, :, None] * pitch_y_um
    x0, y0 = np.broadcast_arrays(x0, y0)
    inside = wafer.rects_inside(x0, y0, x0 + die_width_um, y0 + die_height_um)
    return inside.sum(axis=(1, 2)).astype(np.int64)


def _best_offset_x(
    wafer: WaferSpec,
    oy: NDArray[np.float64],
    j: NDArray[np.int64],
    die_width_um: float,
    die_height_um: float,
    pitch_x_um: float,
    pitch_y_um: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Exact best x offset and count for every y offset in ``oy``."""
    half = _row_half_widths(wafer, oy[:, None] + j[None, :] * pitch_y_um, die_height_um)
    candidates = np.mod(-half + _INSIDE_UM, pitch_x_um)  # (n_oy, n_rows): left interval ends
    counts = _row_counts(half[:, None, :], candidates[:, :, None], die_width_um, pitch_x_um).sum(
        axis=2
    )  # (n_oy, n_candidates)
    best = np.argmax(counts, axis=1)
    rows = np.arange(len(oy))
    return candidates[rows, best], counts[rows, best]


def _widest_plateau_middle(values: NDArray[np.float64], target: float) -> int:
    """Index at the middle of the longest run (cyclic) of ``values == target``."""
    hit = values == target
    n = len(hit)
    if hit.all():
        return n // 2
    start = int(np.argmin(hit))  # begin scanning at a miss so runs do not wrap
    best_len, best_mid, run = 0, 0, 0
    for k in range(1, n + 1):
        idx = (start + k) % n
        if hit[idx]:
            run += 1
            if run > best_len:
                best_len, best_mid = run, (start + k - run // 2) % n
        else:
            run = 0
    return best_mid


def optimise_die_grid(
    wafer: WaferSpec,
    *,
    die_width_um: float,
    die_height_um: float,
    street_um: float,
    y_step_um: float = 0.5,
    x_step_um: float = 0.1,
) -> DieGrid:
    """The regular die grid with the most usable sites, centred in its optimal plateau.

    Args:
        wafer: wafer outline and exclusion.
        die_width_um: die width (µm).
        die_height_um: die height (µm).
        street_um: street (dicing or cleaving lane) between dies (µm).
        y_step_um: scan step of the y offset (µm); x is optimised exactly.
        x_step_um: step used to find the middle of the optimal x plateau (µm).

    Returns:
        The grid, with offsets on the 1 nm layout grid.
    """
    _check_die(die_width_um, die_height_um, street_um)
    if not 0.001 <= y_step_um <= 100.0:
        raise ValueError(f"y_step_um={y_step_um} outside the allowed range [0.001, 100] µm")
    if not 0.001 <= x_step_um <= 100.0:
        raise ValueError(f"x_step_um={x_step_um} outside the allowed range [0.001, 100] µm")
    px = die_width_um + street_um
    py = die_height_um + street_um
    r = wafer.radius_um
    j = np.arange(math.floor(-r / py) - 1, math.ceil(r / py) + 2)
    oy = np.arange(0.0, py, y_step_um)
    _, counts = _best_offset_x(wafer, oy, j, die_width_um, die_height_um, px, py)
    best_count = float(counts.max())
    oy_best = float(oy[_widest_plateau_middle(counts, best_count)])

    ox = np.arange(0.0, px, x_step_um)
    half = _row_half_widths(wafer, oy_best + j * py, die_height_um)
    x_counts = _row_counts(half[None, :], ox[:, None], die_width_um, px).sum(axis=1)
    ox_best = float(ox[_widest_plateau_middle(x_counts, float(x_counts.max()))])
    if x_counts.max() < best_count:  # plateau narrower than x_step: keep the exact candidate
        ox_exact, _ = _best_offset_x(
            wafer, np.array([oy_best]), j, die_width_um, die_height_um, px, py
        )
        ox_best = float(ox_exact[0])

    ox_best = round(ox_best / _DBU_UM) * _DBU_UM
    oy_best = round(oy_best / _DBU_UM) * _DBU_UM
    return die_grid_at(
        wafer,
        die_width_um=die_width_um,
        die_height_um=die_height_um,
        street_um=street_um,
        offset_x_um=ox_best,
        offset_y_um=oy_best,
    )


def die_grid_at(
    wafer: WaferSpec,
    *,
    die_width_um: float,
    die_height_um: float,
    street_um: float,
    offset_x_um: float,
    offset_y_um: float,
) -> DieGrid:
    """The die grid with the given offsets and its usable sites (rows from the top)."""
    _check_die(die_width_um, die_height_um, street_um)
    px = die_width_um + street_um
    py = die_height_um + street_um
    r = wafer.radius_um
    i = np.arange(math.floor(-r / px) - 1, math.ceil(r / px) + 2)
    j = np.arange(math.floor(-r / py) - 1, math.ceil(r / py) + 2)
    xx, yy = np.meshgrid(offset_x_um + i * px, offset_y_um + j * py)
    inside = wafer.rects_inside(xx, yy, xx + die_width_um, yy + die_height_um)
    jj, ii = np.nonzero(inside)
    if len(jj) == 0:
        sites: tuple[DieSite, ...] = ()
    else:
        row0 = int(jj.max())
        col0 = int(ii.min())
        sites = tuple(
            sorted(
                (
                    DieSite(
                        row=row0 - int(b),
                        column=int(a) - col0,
                        x_um=round(float(xx[b, a]), 3),
                        y_um=round(float(yy[b, a]), 3),
                    )
                    for b, a in zip(jj, ii, strict=True)
                ),
                key=lambda s: (s.row, s.column),
            )
        )
    return DieGrid(
        wafer=wafer,
        die_width_um=die_width_um,
        die_height_um=die_height_um,
        pitch_x_um=px,
        pitch_y_um=py,
        offset_x_um=offset_x_um,
        offset_y_um=offset_y_um,
        sites=sites,
    )


def nearest_sites(grid: DieGrid, targets_um: list[tuple[float, float]]) -> list[DieSite]:
    """For each target point, the distinct site whose centre is nearest (greedy, in order)."""
    if not grid.sites:
        raise ValueError("grid has no usable sites")
    if len(targets_um) > grid.count:
        raise ValueError(f"{len(targets_um)} targets but only {grid.count} sites")
    centres = np.array(
        [(s.x_um + grid.die_width_um / 2.0, s.y_um + grid.die_height_um / 2.0) for s in grid.sites]
    )
    taken: set[int] = set()
    chosen: list[DieSite] = []
    for tx, ty in targets_um:
        d2 = (centres[:, 0] - tx) ** 2 + (centres[:, 1] - ty) ** 2
        for k in np.argsort(d2, kind="stable"):
            if int(k) not in taken:
                taken.add(int(k))
                chosen.append(grid.sites[int(k)])
                break
    return chosen


def street_crossings(grid: DieGrid) -> NDArray[np.float64]:
    """Centres of street intersections whose four neighbouring sites are all usable (µm).

    Alignment marks placed there sit between dies, inside the usable region.
    """
    occupied = {(s.row, s.column): s for s in grid.sites}
    half_street_x = (grid.pitch_x_um - grid.die_width_um) / 2.0
    half_street_y = (grid.pitch_y_um - grid.die_height_um) / 2.0
    points = []
    for (row, col), site in occupied.items():
        # crossing at the site's lower-left corner: neighbours left, below, below-left
        if {(row, col - 1), (row + 1, col), (row + 1, col - 1)} <= occupied.keys():
            points.append((site.x_um - half_street_x, site.y_um - half_street_y))
    return np.array(sorted(points)) if points else np.zeros((0, 2))


@dataclass(frozen=True)
class WaferPlan:
    """Which sites of a die grid hold product dies and which hold test dies, and the marks.

    Args:
        grid: the optimised die grid.
        test_sites: sites reserved for test-structure dies.
        mark_centres_um: centres of the alignment marks (street crossings) (µm).
    """

    grid: DieGrid
    test_sites: tuple[DieSite, ...]
    mark_centres_um: tuple[tuple[float, float], ...]

    @property
    def product_sites(self) -> tuple[DieSite, ...]:
        """Sites holding product dies."""
        taken = {(s.row, s.column) for s in self.test_sites}
        return tuple(s for s in self.grid.sites if (s.row, s.column) not in taken)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            **self.grid.to_dict(),
            "product_dies": len(self.product_sites),
            "test_dies": len(self.test_sites),
            "test_sites": [s.label for s in self.test_sites],
            "alignment_marks_um": [list(p) for p in self.mark_centres_um],
        }


def plan_wafer(grid: DieGrid, *, n_test_dies: int = 5, n_marks: int = 4) -> WaferPlan:
    """Reserve test-die sites and pick alignment-mark positions.

    Test dies go to the sites nearest the wafer centre and to the four points at half the usable
    radius on the axes (centre first), so process monitors sample centre and mid-radius.
    Alignment marks go to the street crossings nearest the points at 70 % of the usable radius
    on the x axis (left, right) and then the y axis (top, bottom).

    Args:
        grid: the die grid.
        n_test_dies: number of test-structure dies, 0 to 5.
        n_marks: number of alignment marks, 0 to 4.
    """
    if not 0 <= n_test_dies <= 5:
        raise ValueError(f"n_test_dies={n_test_dies} outside the allowed range [0, 5]")
    if not 0 <= n_marks <= 4:
        raise ValueError(f"n_marks={n_marks} outside the allowed range [0, 4]")
    half = grid.wafer.usable_radius_um / 2.0
    test_targets = [(0.0, 0.0), (-half, 0.0), (half, 0.0), (0.0, half), (0.0, -half)]
    test_sites = tuple(nearest_sites(grid, test_targets[:n_test_dies])) if n_test_dies else ()

    crossings = street_crossings(grid)
    r = 0.7 * grid.wafer.usable_radius_um
    mark_targets = [(-r, 0.0), (r, 0.0), (0.0, r), (0.0, -r)][:n_marks]
    marks: list[tuple[float, float]] = []
    if n_marks and len(crossings) < n_marks:
        raise ValueError(
            f"n_marks={n_marks} but the grid has only {len(crossings)} street crossings"
        )
    for tx, ty in mark_targets:
        d2 = (crossings[:, 0] - tx) ** 2 + (crossings[:, 1] - ty) ** 2
        for k in np.argsort(d2, kind="stable"):
            point = (round(float(crossings[k, 0]), 3), round(float(crossings[k, 1]), 3))
            if point not in marks:
                marks.append(point)
                break
    return WaferPlan(grid=grid, test_sites=test_sites, mark_centres_um=tuple(marks))


@dataclass(frozen=True)
class WaferLayout(Record):
    """What a platform's wafer mask places: wafer, product-die size, street, test dies, marks.

    The wafer mask cells and the wafer-yield Monte Carlo both take their die sites from here, so
    the yield model samples exactly the product dies of the GDS wafer.

    Args:
        die_width_um: product die (chip) width (µm).
        die_height_um: product die (chip) height (µm).
        street_um: street between dies (µm).
        wafer: wafer outline and exclusion.
        n_test_dies: sites reserved for test-structure dies, 0 to 5.
        n_marks: alignment marks, 0 to 4.
    """

    die_width_um: float
    die_height_um: float
    street_um: float
    wafer: WaferSpec = field(default_factory=WaferSpec)
    n_test_dies: int = 5
    n_marks: int = 4

    def __post_init__(self) -> None:
        _check_die(self.die_width_um, self.die_height_um, self.street_um)
        if not 0 <= self.n_test_dies <= 5:
            raise ValueError(f"n_test_dies={self.n_test_dies} outside the allowed range [0, 5]")
        if not 0 <= self.n_marks <= 4:
            raise ValueError(f"n_marks={self.n_marks} outside the allowed range [0, 4]")

    def plan(self) -> WaferPlan:
        """The optimal die grid with its test-die sites and alignment marks (cached)."""
        return _plan(self)


@functools.lru_cache(maxsize=16)
def _plan(layout: WaferLayout) -> WaferPlan:
    grid = optimise_die_grid(
        layout.wafer,
        die_width_um=layout.die_width_um,
        die_height_um=layout.die_height_um,
        street_um=layout.street_um,
    )
    return plan_wafer(grid, n_test_dies=layout.n_test_dies, n_marks=layout.n_marks)


INP_WAFER_LAYOUT = WaferLayout(die_width_um=12500.0, die_height_um=2000.0, street_um=100.0)
"""InP transmitter wafer: 12.5 x 2.0 mm chips, 100 µm cleave street. The reported chip is 4.6 x
2.0 mm (a secondary source); its six modulators in two lanes hold 0.5 mm each, a Vπ near 19 V
with the calibrated Vπ·L. The drawn chip gives each modulator the 3 mm that a 3.5 V drive needs
and each VOA the 600 µm that 20 dB needs; its lanes set the die length."""
SI3N4_WAFER_LAYOUT = WaferLayout(die_width_um=6000.0, die_height_um=7000.0, street_um=200.0)
"""Si3N4 comb wafer: 6.0 x 7.0 mm comb chip (1 mm ring, test rings, cut-back), 200 µm street."""
