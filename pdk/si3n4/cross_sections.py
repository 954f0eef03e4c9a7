"""Cross-sections of the Si3N4 platform.

Every optical cross-section sets ``radius``/``radius_min`` explicitly (gdsfactory's defaults of
10/7 µm are silicon-scale). Metal cross-sections have ``radius=None`` so routers use wire corners.
Every port of a Si3N4 cell names one of these (``port.info["cross_section"]``):
:func:`layer_cross_sections` gives the one of each drawn layer for a film.
"""

from __future__ import annotations

import gdsfactory as gf

from qkdchip.pdk.si3n4.design_rules import THIN_FILM_MAX_NM, design_rules
from qkdchip.pdk.si3n4.layers import LAYER
from qkdchip.pdk.wires import metal_cross_section

THIN_STRIP_WIDTH_UM = 2.8
"""Assumption: 2.8 µm wide core on the 100 nm film, as in ultralow-loss thin-nitride rings
(Jin et al., Nat. Photon. 15, 346 (2021); Bauters et al., Opt. Express 19, 3163 (2011))."""
THICK_STRIP_WIDTH_UM = 1.6
"""Assumption: 1.6 µm wide core on 800 nm film, inside the 1.5-2.2 µm width range assumed to give
anomalous GVD in the C band (ring widths of thick-film Ligentec AN800 designs)."""


def _min_radius(thickness_nm: float) -> float:
    radius = design_rules(thickness_nm).layer("WG").min_bend_radius_um
    if radius is None:
        raise ValueError("layer WG has no bend-radius rule")
    return radius


@gf.xsection
def xs_sin_thin(
    width: float = THIN_STRIP_WIDTH_UM,
    radius: float = 1000.0,
    radius_min: float = _min_radius(100.0),
) -> gf.CrossSection:
    """Strip waveguide on the thin (100 nm) film; radius in µm (min 300 µm, design rule)."""
    return gf.cross_section.cross_section(
        width=width, layer=LAYER.WG, radius=radius, radius_min=radius_min
    )


@gf.xsection
def xs_sin_thick(
    width: float = THICK_STRIP_WIDTH_UM,
    radius: float = 100.0,
    radius_min: float = _min_radius(800.0),
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


def strip_cross_section(thickness_nm: float) -> str:
    """Name of the strip cross-section of a ``thickness_nm`` film: thin up to 400 nm, else thick."""
    return "xs_sin_thin" if thickness_nm <= THIN_FILM_MAX_NM else "xs_sin_thick"


def layer_cross_sections(thickness_nm: float) -> dict[str, str]:
    """Layer name -> the cross-section its ports carry, on a ``thickness_nm`` film."""
    return {"WG": strip_cross_section(thickness_nm), "HEATER": "xs_heater", "ROUTING": "xs_routing"}
