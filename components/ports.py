"""Ports that name their cross-section (``port.info["cross_section"]``): every qkdchip port."""

from __future__ import annotations

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec


def cross_section_name(cross_section: CrossSectionSpec) -> str:
    """The name of ``cross_section`` (a registered name stays that name)."""
    return gf.get_cross_section(cross_section).name


def add_port(
    c: gf.Component,
    name: str,
    *,
    center: tuple[float, float],
    width: float,
    orientation: float,
    cross_section: CrossSectionSpec,
    port_type: str | None = None,
) -> None:
    """Add port ``name`` of ``width`` µm on the layer of ``cross_section``, naming it.

    Args:
        c: the component.
        name: port name (``o1``, ``e2``, ...).
        center: port centre (x, y) in µm.
        width: port width in µm (may differ from the cross-section's, e.g. a taper tip).
        orientation: direction out of the component in degrees.
        cross_section: its cross-section; the port takes its layer and name.
        port_type: None: the cross-section's (optical or electrical); else e.g. ``edge_coupler``.
    """
    xs = gf.get_cross_section(cross_section)
    c.add_port(
        name,
        center=center,
        width=width,
        orientation=orientation,
        layer=xs.layer,
        port_type=port_type or xs.sections[0].port_types[0],
        cross_section=xs,
    )
