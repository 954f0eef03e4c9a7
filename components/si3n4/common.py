"""The waveguide cross-section of a Si3N4 cell: the one given, or its film's strip."""

from __future__ import annotations

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.pdk.si3n4.cross_sections import strip_cross_section
from qkdchip.validation import check_choice


def film_cross_section(
    cross_section: CrossSectionSpec | None, thickness_nm: float
) -> CrossSectionSpec:
    """``cross_section``, or for None the strip of a ``thickness_nm`` film (``xs_sin_thin`` up to
    400 nm, else ``xs_sin_thick``); it must draw on the WG layer."""
    spec = strip_cross_section(thickness_nm) if cross_section is None else cross_section
    layer = gf.get_layer_name(gf.get_cross_section(spec).layer)
    check_choice("cross_section layer", layer, ("WG",))
    return spec
