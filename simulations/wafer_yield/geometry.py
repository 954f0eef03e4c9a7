"""Wafer outline and die grid (pure functions, lengths in mm, origin at the wafer centre)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class WaferGeometry:
    """A round wafer with one primary flat at the bottom (-y) and an edge exclusion.

    Attributes:
        diameter_mm: wafer diameter (3 inch = 76.2 mm).
        flat_length_mm: chord length of the primary flat (SEMI 3-inch: 22.22 mm).
        edge_exclusion_mm: unusable rim, measured inward from the edge and from the flat.
    """

    diameter_mm: float = 76.2
    flat_length_mm: float = 22.22
    edge_exclusion_mm: float = 3.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.diameter_mm) and self.diameter_mm > 0.0):
            raise ValueError(f"diameter_mm = {self.diameter_mm!r} must be > 0")
        if not (0.0 <= self.flat_length_mm < self.diameter_mm):
            raise ValueError(
                f"flat_length_mm = {self.flat_length_mm!r} must be in [0, {self.diameter_mm})"
            )
        if not (0.0 <= self.edge_exclusion_mm < self.diameter_mm / 2):
            raise ValueError(
                f"edge_exclusion_mm = {self.edge_exclusion_mm!r} must be in "
                f"[0, {self.diameter_mm / 2})"
            )

    @property
    def radius_mm(self) -> float:
        """Wafer radius."""
        return self.diameter_mm / 2.0

    @property
    def flat_y_mm(self) -> float:
        """y of the flat (negative): the chord of length ``flat_length_mm``."""
        half = self.flat_length_mm / 2.0
        return -math.sqrt(self.radius_mm**2 - half**2)

    def usable(self, x_mm: NDArray[np.float64], y_mm: NDArray[np.float64]) -> NDArray[np.bool_]:
        """True where a point lies inside the edge exclusion (away from the rim and the flat)."""
        r_ok = np.hypot(x_mm, y_mm) <= self.radius_mm - self.edge_exclusion_mm
        flat_ok = y_mm >= self.flat_y_mm + self.edge_exclusion_mm
        return r_ok & flat_ok

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class DieGrid:
    """Centres of the complete dies on a wafer.

    Attributes:
        x_mm, y_mm: die centres (mm), row-major from bottom-left.
        die_width_mm, die_height_mm: die size (x, y).
        street_mm: saw street between dies.
    """

    x_mm: NDArray[np.float64]
    y_mm: NDArray[np.float64]
    die_width_mm: float
    die_height_mm: float
    street_mm: float

    @property
    def n_dies(self) -> int:
        """Number of dies."""
        return int(self.x_mm.size)

    @property
    def r_mm(self) -> NDArray[np.float64]:
        """Distance of each die centre from the wafer centre."""
        return np.hypot(self.x_mm, self.y_mm)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "n_dies": self.n_dies,
            "die_width_mm": self.die_width_mm,
            "die_height_mm": self.die_height_mm,
            "street_mm": self.street_mm,
            "x_mm": self.x_mm.tolist(),
            "y_mm": self.y_mm.tolist(),
        }


def die_grid(
    wafer: WaferGeometry,
    *,
    die_width_mm: float = 4.6,
    die_height_mm: float = 2.0,
    street_mm: float = 0.1,
) -> DieGrid:
    """Centres of every die whose four corners lie inside the wafer's usable area.

    The grid is centred on the wafer (a die corner at the origin) with pitch
    ``die_size + street`` in each direction.

    Args:
        wafer: wafer outline and exclusions.
        die_width_mm: die size along x (mm, > 0).
        die_height_mm: die size along y (mm, > 0).
        street_mm: saw street between neighbouring dies (mm, >= 0).

    Returns:
        The die grid; raises ValueError if no die fits.
    """
    for name, value in (("die_width_mm", die_width_mm), ("die_height_mm", die_height_mm)):
        if not (math.isfinite(value) and value > 0.0):
            raise ValueError(f"{name} = {value!r} must be > 0")
    if not (math.isfinite(street_mm) and street_mm >= 0.0):
        raise ValueError(f"street_mm = {street_mm!r} must be >= 0")
    px, py = die_width_mm + street_mm, die_height_mm + street_mm
    nx = int(math.ceil(wafer.radius_mm / px)) + 1
    ny = int(math.ceil(wafer.radius_mm / py)) + 1
    cx = (np.arange(-nx, nx) + 0.5) * px
    cy = (np.arange(-ny, ny) + 0.5) * py
    xx, yy = np.meshgrid(cx, cy)
    xx, yy = xx.ravel(), yy.ravel()
    ok = np.ones(xx.shape, dtype=bool)
    for sx in (-0.5, 0.5):
        for sy in (-0.5, 0.5):
            ok &= wafer.usable(xx + sx * die_width_mm, yy + sy * die_height_mm)
    if not ok.any():
        raise ValueError(
            f"no {die_width_mm} x {die_height_mm} mm die fits on a {wafer.diameter_mm} mm wafer "
            f"with {wafer.edge_exclusion_mm} mm edge exclusion"
        )
    return DieGrid(
        x_mm=xx[ok].copy(),
        y_mm=yy[ok].copy(),
        die_width_mm=die_width_mm,
        die_height_mm=die_height_mm,
        street_mm=street_mm,
    )
