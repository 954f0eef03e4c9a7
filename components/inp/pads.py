"""InP bond pads: a DC pad and a ground-signal-ground (GSG) RF pad row."""

from __future__ import annotations

import gdsfactory as gf

from qkdchip.components.checks import check_even_nm, check_min_value
from qkdchip.components.inp.common import rect
from qkdchip.components.ports import add_port
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.inp.layers import LAYER

PAD_OPENING_MARGIN_UM = 5.0
"""Pad plating/opening drawn this far inside the pad metal (rule: >= 2 µm)."""


def _check_pad(size_um: float) -> None:
    check_even_nm("size_um", size_um)
    check_min_value(
        "size_um", size_um - 2 * PAD_OPENING_MARGIN_UM, design_rules().layer("PAD").min_width_um
    )


def _draw_pad(
    c: gf.Component, xc: float, yc: float, size_um: float, metal: tuple[int, int] = LAYER.METAL_P
) -> None:
    h = size_um / 2
    m = PAD_OPENING_MARGIN_UM
    rect(c, xc - h, yc - h, xc + h, yc + h, metal)
    rect(c, xc - h + m, yc - h + m, xc + h - m, yc + h - m, LAYER.PAD)


@gf.cell
def pad_dc(size_um: float = 100.0) -> gf.Component:
    """Square DC bond pad: p-metal with a plated opening, centred at the origin.

    HHI uses 66-98 µm DC pads at 150 µm pitch (hhi PDK code); 100 µm suits wire bonding::

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
        add_port(
            c,
            name,
            center=center,
            width=size_um,
            orientation=orientation,
            cross_section="xs_inp_metal",
        )
    c.info["size_um"] = size_um
    return c


@gf.cell
def pad_gsg(size_um: float = 80.0, pitch_um: float = 150.0) -> gf.Component:
    """Ground-signal-ground RF pad row for a GSG probe or bonding, centred on the signal pad.

    The signal pad is p-metal (wired to a modulator's p electrode). The ground pads are
    top-side n-contacts (``METAL_N``, drawn where the n-InP below the core is exposed, as the
    layer map defines it): they contact the n-side that every p-i-n section shares, so the
    probe's ground reaches the driven modulator's n-side through the n-InP::

        [ G ]   [ S ]   [ G ]      G: METAL_N + PAD, S: METAL_P + PAD
         e1      e2      e3        ports on the south edges (270°)
        |<-pitch->|

    Args:
        size_um: pad side in µm (even nm; opening >= PAD min width).
        pitch_um: centre-to-centre pitch in µm (gap >= the p-to-n metal separation rule).

    Returns:
        Component with electrical ports e1 (ground, METAL_N), e2 (signal, METAL_P), e3 (ground,
        METAL_N).
    """
    _check_pad(size_um)
    p_to_n = design_rules().separation("METAL_P", "METAL_N").min_space_um
    check_min_value("pitch_um", pitch_um - size_um, p_to_n)
    c = gf.Component()
    for k, name in enumerate(("e1", "e2", "e3")):
        xc = (k - 1) * pitch_um
        metal = LAYER.METAL_P if name == "e2" else LAYER.METAL_N
        _draw_pad(c, xc, 0.0, size_um, metal)
        add_port(
            c,
            name,
            center=(xc, -size_um / 2),
            width=size_um,
            orientation=270,
            cross_section="xs_inp_metal" if name == "e2" else "xs_inp_metal_n",
        )
    c.info["size_um"] = size_um
    c.info["pitch_um"] = pitch_um
    c.info["signal_port"] = "e2"
    return c
