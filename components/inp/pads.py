"""InP bond pads: a DC pad and a ground-signal-ground (GSG) RF pad row."""

from __future__ import annotations

import gdsfactory as gf

from qkdchip.components.checks import check_even_nm, check_min_value
from qkdchip.components.inp.common import rect
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.inp.layers import LAYER

PAD_OPENING_MARGIN_UM = 5.0
"""Pad plating/opening drawn this far inside the pad metal (rule: >= 2 µm)."""


def _check_pad(size_um: float) -> None:
    check_even_nm("size_um", size_um)
    check_min_value(
        "size_um", size_um - 2 * PAD_OPENING_MARGIN_UM, design_rules().layer("PAD").min_width_um
    )


def _draw_pad(c: gf.Component, xc: float, yc: float, size_um: float) -> None:
    h = size_um / 2
    m = PAD_OPENING_MARGIN_UM
    rect(c, xc - h, yc - h, xc + h, yc + h, LAYER.METAL_P)
    rect(c, xc - h + m, yc - h + m, xc + h - m, yc + h - m, LAYER.PAD)


@gf.cell
def pad_dc(size_um: float = 100.0) -> gf.Component:
    """Square DC bond pad: p-metal with a plated opening, centred at the origin.

    HHI uses 66-98 µm DC pads at 150 µm pitch (notes §3.3); 100 µm suits wire bonding::

              e2 (90°)
           +---------+
        e1 | [ PAD ] | e3        e1 W (180°), e3 E (0°), e4 S (270°)
           +---------+
              e4

    Args:
        size_um: pad side in µm (even nm; opening = side - 10 µm >= PAD min width).

    Returns:
        Component with electrical ports e1..e4 on the pad edges (width = side).
    """
    _check_pad(size_um)
    c = gf.Component()
    _draw_pad(c, 0.0, 0.0, size_um)
    h = size_um / 2
    for name, center, orientation in (
        ("e1", (-h, 0.0), 180),
        ("e2", (0.0, h), 90),
        ("e3", (h, 0.0), 0),
        ("e4", (0.0, -h), 270),
    ):
        c.add_port(
            name,
            center=center,
            width=size_um,
            orientation=orientation,
            layer=LAYER.METAL_P,
            port_type="electrical",
        )
    c.info["size_um"] = size_um
    return c


@gf.cell
def pad_gsg(size_um: float = 80.0, pitch_um: float = 150.0) -> gf.Component:
    """Ground-signal-ground RF pad row for a GSG probe or bonding, centred on the signal pad.

    ::

        [ G ]   [ S ]   [ G ]
         e1      e2      e3        ports on the south edges (270°)
        |<-pitch->|

    Args:
        size_um: pad side in µm (even nm; opening >= PAD min width).
        pitch_um: centre-to-centre pitch in µm (gap >= PAD metal space rule).

    Returns:
        Component with electrical ports e1 (ground), e2 (signal), e3 (ground).
    """
    _check_pad(size_um)
    check_min_value("pitch_um", pitch_um - size_um, design_rules().layer("METAL_P").min_space_um)
    c = gf.Component()
    for k, name in enumerate(("e1", "e2", "e3")):
        xc = (k - 1) * pitch_um
        _draw_pad(c, xc, 0.0, size_um)
        c.add_port(
            name,
            center=(xc, -size_um / 2),
            width=size_um,
            orientation=270,
            layer=LAYER.METAL_P,
            port_type="electrical",
        )
    c.info["size_um"] = size_um
    c.info["pitch_um"] = pitch_um
    c.info["signal_port"] = "e2"
    return c
