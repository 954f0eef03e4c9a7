"""Cross-sections of the Si3N4 platform.

Every optical cross-section sets ``radius``/``radius_min`` explicitly (gdsfactory's defaults of
10/7 µm are silicon-scale). Metal cross-sections have ``radius=None`` so routers use wire corners.
"""

from __future__ import annotations

import gdsfactory as gf

from qkdchip.pdk.si3n4.layers import LAYER
from qkdchip.pdk.wires import metal_cross_section

THIN_STRIP_WIDTH_UM = 2.8
"""Assumption: 2.8 µm wide core on the 100 nm film, as in ultralow-loss thin-nitride rings
(Jin et al., Nat. Photon. 15, 346 (2021); Bauters et al., Opt. Express 19, 3163 (2011))."""
THICK_STRIP_WIDTH_UM = 1.6
"""Assumption: 1.6 µm wide core on 800 nm film, in the 1.5-2.2 µm anomalous-GVD range (notes §4)."""


@gf.xsection
def xs_sin_thin(
    width: float = THIN_STRIP_WIDTH_UM, radius: float = 1000.0, radius_min: float = 300.0
) -> gf.CrossSection:
    """Strip waveguide on the thin (100 nm) film; radius in µm (min 300 µm, design rule)."""
    return gf.cross_section.cross_section(
        width=width, layer=LAYER.WG, radius=radius, radius_min=radius_min
    )


@gf.xsection
def xs_sin_thick(
    width: float = THICK_STRIP_WIDTH_UM, radius: float = 100.0, radius_min: float = 50.0
) -> gf.CrossSection:
    """Strip waveguide on the thick (800 nm) film; radius in µm (min 50 µm, design rule)."""
    return gf.cross_section.cross_section(
        width=width, layer=LAYER.WG, radius=radius, radius_min=radius_min
    )


@gf.xsection
def xs_heater(width: float = 4.0) -> gf.CrossSection:
    """Heater metal line, ``width`` in µm (no bends: wire corners only)."""
    return metal_cross_section(width, LAYER.HEATER)


@gf.xsection
def xs_routing(width: float = 10.0) -> gf.CrossSection:
    """Routing metal line, ``width`` in µm (no bends: wire corners only)."""
    return metal_cross_section(width, LAYER.ROUTING)
