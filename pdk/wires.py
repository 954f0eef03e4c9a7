"""Wiring shared by both platforms: the metal-line cross-section, the cross-section a port on a
layer carries, and the routing strategies each PDK registers.

A PDK built by ``qkdchip.pdk.<platform>.get_pdk()`` registers, by name, ``route_single`` and
``route_bundle`` (its waveguide cross-section, circular bends at the layer's minimum bend
radius, neighbouring routes of a bundle the layer's minimum space apart), the same with a
suffix for its other optical cross-sections (``route_bundle_shallow`` on InP), and
``route_single_electrical`` / ``route_bundle_electrical`` on its routing metal. After
``get_pdk().activate()``::

    route = gf.get_active_pdk().routing_strategies["route_single"]
    route(c, ref1.ports["o2"], ref2.ports["o1"])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import gdsfactory as gf
from gdsfactory.typings import LayerSpec
from kfactory.layout import Constants


def metal_cross_section(width: float, layer: LayerSpec) -> gf.CrossSection:
    """A metal line ``width`` µm wide on ``layer`` with electrical ports and no bend radius.

    ``radius=None`` makes gdsfactory's routers draw wire corners instead of arcs.
    """
    return gf.cross_section.cross_section(
        width=width,
        layer=layer,
        radius=None,
        radius_min=None,
        port_names=gf.cross_section.port_names_electrical,
        port_types=gf.cross_section.port_types_electrical,
    )


class PdkConstants(Constants):
    """The constants a qkdchip PDK holds (``gf.get_constant(name)``).

    Attributes:
        layer_cross_sections: drawn layer name -> the cross-section its ports carry.
    """

    layer_cross_sections: dict[str, str]


def layer_cross_section(layer: str) -> str:
    """Name of the cross-section that ports on ``layer`` carry in the active PDK."""
    mapping: dict[str, str] = gf.get_constant("layer_cross_sections")
    if layer not in mapping:
        raise ValueError(f"layer={layer!r} has no port cross-section; allowed: {sorted(mapping)}")
    return mapping[layer]


@dataclass(frozen=True)
class RouteStyle:
    """How one cross-section is routed.

    Attributes:
        cross_section: registered cross-section name.
        radius_um: bend radius in µm (circular bends); None for metal (wire corners).
        separation_um: edge-to-edge space between neighbouring routes of a bundle in µm.
    """

    cross_section: str
    radius_um: float | None
    separation_um: float

    def __post_init__(self) -> None:
        if self.radius_um is not None and not self.radius_um > 0:
            raise ValueError(f"radius_um={self.radius_um!r} must be > 0 µm or None")
        if not self.separation_um > 0:
            raise ValueError(f"separation_um={self.separation_um!r} must be > 0 µm")


def routing_strategies(styles: Mapping[str, RouteStyle]) -> dict[str, Callable[..., Any]]:
    """``route_single<suffix>`` and ``route_bundle<suffix>`` for each ``suffix -> style``.

    Optical styles route with the PDK's ``bend_circular`` and ``straight`` cells (a port on
    another layer gets the PDK's layer transition) and raise on a routing error instead of
    drawing an error marker; metal styles (``radius_um=None``) use gdsfactory's electrical
    routers (wire corners; a wire meets a wider pad without a taper).
    """
    out: dict[str, Callable[..., Any]] = {}
    for suffix, style in styles.items():
        if style.radius_um is None:
            out[f"route_single{suffix}"] = partial(
                gf.routing.route_single_electrical, cross_section=style.cross_section
            )
            out[f"route_bundle{suffix}"] = partial(
                gf.routing.route_bundle_electrical,
                cross_section=style.cross_section,
                separation=style.separation_um,
                straight="straight",
                auto_taper=False,
                raise_on_error=True,
            )
            continue
        common = {
            "cross_section": style.cross_section,
            "radius": style.radius_um,
            "bend": "bend_circular",
            "straight": "straight",
        }
        out[f"route_single{suffix}"] = partial(gf.routing.route_single, on_error="error", **common)
        out[f"route_bundle{suffix}"] = partial(
            gf.routing.route_bundle, separation=style.separation_um, raise_on_error=True, **common
        )
    return out
