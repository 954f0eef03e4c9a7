"""The dies the yield Monte Carlo samples: the product dies of the platform's GDS wafer mask.

Sites come from :class:`qkdchip.circuits.wafer_geometry.WaferLayout` (numpy only, no layout
library), the same plan the wafer mask cells draw: same optimised grid, same die positions, the
test-structure dies left out. Lengths here are in mm (the yield model's unit), origin at the wafer
centre, primary flat at -y.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qkdchip.circuits.wafer_geometry import WaferLayout

_UM_PER_MM = 1000.0


@dataclass(frozen=True)
class ProductDies:
    """Centres of the product dies of one wafer layout.

    Attributes:
        x_mm, y_mm: die centres (mm), in the mask's site order (rows from the top, then columns).
        labels: mask die labels (``R03C12``, 1-based row and column).
        die_width_mm, die_height_mm: die size (x, y).
        street_mm: street between dies.
        wafer_radius_mm: wafer radius.
    """

    x_mm: NDArray[np.float64]
    y_mm: NDArray[np.float64]
    labels: tuple[str, ...]
    die_width_mm: float
    die_height_mm: float
    street_mm: float
    wafer_radius_mm: float

    @property
    def n_dies(self) -> int:
        """Number of dies."""
        return int(self.x_mm.size)

    @property
    def r_mm(self) -> NDArray[np.float64]:
        """Distance of each die centre from the wafer centre."""
        return np.hypot(self.x_mm, self.y_mm)


def product_dies(layout: WaferLayout) -> ProductDies:
    """The product dies of ``layout``'s wafer mask (test-die sites excluded).

    Raises:
        ValueError: if no product die fits on the wafer.
    """
    sites = layout.plan().product_sites
    if not sites:
        raise ValueError(
            f"no {layout.die_width_um} x {layout.die_height_um} µm product die fits on a "
            f"{layout.wafer.diameter_um} µm wafer with {layout.wafer.edge_exclusion_um} µm edge "
            f"exclusion and {layout.n_test_dies} test dies"
        )
    corners = np.array([(s.x_um, s.y_um) for s in sites])
    return ProductDies(
        x_mm=(corners[:, 0] + layout.die_width_um / 2.0) / _UM_PER_MM,
        y_mm=(corners[:, 1] + layout.die_height_um / 2.0) / _UM_PER_MM,
        labels=tuple(s.label for s in sites),
        die_width_mm=layout.die_width_um / _UM_PER_MM,
        die_height_mm=layout.die_height_um / _UM_PER_MM,
        street_mm=layout.street_um / _UM_PER_MM,
        wafer_radius_mm=layout.wafer.radius_um / _UM_PER_MM,
    )
