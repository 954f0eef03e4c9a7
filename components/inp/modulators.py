"""InP electro-optic phase modulator, Mach-Zehnder intensity modulator and VOA."""

from __future__ import annotations

import math

import gdsfactory as gf
from gdsfactory.typings import CrossSectionSpec

from qkdchip.components.designs import MmiDesign, MzmDesign, PhaseModulatorDesign, VoaDesign
from qkdchip.components.geometry import (
    Arc,
    Straight,
    extrude,
    s_bend_min_dx_um,
    s_bend_segments,
)
from qkdchip.components.inp.common import (
    check_ridge,
    electroded_section,
    ridge_layer,
    ridge_min_radius_um,
)
from qkdchip.components.inp.mmi import mmi1x2
from qkdchip.components.ports import add_port
from qkdchip.pdk.inp.design_rules import design_rules
from qkdchip.pdk.inp.layers import LAYER

ACCESS_UM = 10.0
"""Passive ridge before and after each electroded section in µm."""

_PM = PhaseModulatorDesign()
_IM = MzmDesign()
_MMI = MmiDesign()
_VOA = VoaDesign()


def _straight_ridge(
    c: gf.Component, length_um: float, width_um: float, cross_section: CrossSectionSpec
) -> None:
    poly, _ = extrude((0.0, 0.0), 0.0, width_um, [Straight(length_um)])
    c.add_polygon(poly, layer=ridge_layer(cross_section))
    for name, x, orientation in (("o1", 0.0, 180), ("o2", length_um, 0)):
        add_port(
            c,
            name,
            center=(x, 0.0),
            width=width_um,
            orientation=orientation,
            cross_section=cross_section,
        )


def _electroded_straight(
    length_um: float,
    ridge_width_um: float,
    electrode_width_um: float,
    region_layer: object,
    cross_section: CrossSectionSpec,
) -> gf.Component:
    """Ridge with one electroded section on ``region_layer`` between two access lengths."""
    check_ridge("ridge_width_um", ridge_width_um, ridge_layer(cross_section))
    c = gf.Component()
    _straight_ridge(c, length_um + 2 * ACCESS_UM, ridge_width_um, cross_section)
    electroded_section(
        c,
        x0=ACCESS_UM,
        length_um=length_um,
        y=0.0,
        ridge_width_um=ridge_width_um,
        region_layer=region_layer,
        electrode_width_um=electrode_width_um,
        port_name="e1",
    )
    return c


@gf.cell
def phase_modulator(
    length_um: float = _PM.length_um,
    ridge_width_um: float = _PM.ridge_width_um,
    electrode_width_um: float = _PM.electrode_width_um,
    cross_section: CrossSectionSpec = "xs_inp_deep",
) -> gf.Component:
    """Electro-optic phase modulator: reverse-biased p-i-n section on a deep ridge.

    The n-side is the n-InP that all p-i-n sections share, contacted from the top by the n-metal
    ground pads of a GSG row (:func:`~qkdchip.components.inp.pads.pad_gsg`); e1 is the p electrode::

                         e1 (90°)
                         |
        o1 ====[##### PIN + p-metal #####]==== o2
            10 µm        length_um        10 µm

    Args:
        length_um: electrode length in µm, [50, 5000].
        ridge_width_um: ridge width in µm (even nm).
        electrode_width_um: p-metal width in µm.
        cross_section: the ridge's cross-section (its layer; ports name it).

    Returns:
        Component with o1, o2 and e1 (Vπ: ``qkdchip simulate modulator``).
    """
    design = PhaseModulatorDesign.from_settings(locals())
    c = _electroded_straight(
        length_um, ridge_width_um, electrode_width_um, LAYER.PIN, cross_section
    )
    c.info["design"] = design.to_dict()
    c.info["optical_length_um"] = length_um + 2 * ACCESS_UM
    return c


@gf.cell
def voa(
    length_um: float = _VOA.length_um,
    max_absorption_db_per_mm: float = _VOA.max_absorption_db_per_mm,
    ridge_width_um: float = _VOA.ridge_width_um,
    electrode_width_um: float = _VOA.electrode_width_um,
    cross_section: CrossSectionSpec = "xs_inp_deep",
) -> gf.Component:
    """Variable optical attenuator: reverse-biased absorbing (active-material) section.

    ::

                         e1 (90°)
                         |
        o1 ====[#### ACTIVE + p-metal ####]==== o2

    Args:
        length_um: absorber length in µm, [20, 2000].
        max_absorption_db_per_mm: absorption at full reverse bias in dB/mm (assumption 40).
        ridge_width_um: ridge width in µm (even nm).
        electrode_width_um: p-metal width in µm.
        cross_section: the ridge's cross-section (its layer; ports name it).

    Returns:
        Component with o1, o2, e1; ``info["max_attenuation_db"]``.
    """
    design = VoaDesign.from_settings(locals())
    c = _electroded_straight(
        length_um, ridge_width_um, electrode_width_um, LAYER.ACTIVE, cross_section
    )
    c.info["design"] = design.to_dict()
    c.info["max_attenuation_db"] = design.max_attenuation_db
    c.info["optical_length_um"] = length_um + 2 * ACCESS_UM
    return c


def mmi_for_ridge(ridge_width_um: float) -> MmiDesign:
    """The 1x2 MMI of an MZM on ``ridge_width_um`` ridges (µm).

    Outputs sit at ±W/4 of a body of width W (symmetric interference), far enough apart for
    the deep-etch space rule, and the body length is the 3Lπ/8 self-imaging estimate rounded to
    1 µm. A 2 µm ridge gives the default 6 µm x 37 µm :class:`MmiDesign`.
    """
    space = design_rules().layer("WG_DEEP").min_space_um
    offset = max(1.5, math.ceil((ridge_width_um + space) * 500) / 1000)
    width = 4 * offset
    estimate = MmiDesign(
        width_um=width,
        length_um=37.0,
        port_offset_um=offset,
        access_width_um=ridge_width_um,
        ridge_width_um=ridge_width_um,
    ).self_imaging_length_um
    return MmiDesign(
        width_um=width,
        length_um=float(round(estimate)),
        port_offset_um=offset,
        access_width_um=ridge_width_um,
        ridge_width_um=ridge_width_um,
    )


@gf.cell
def mzm(
    arm_length_um: float = _IM.arm_length_um,
    arm_separation_um: float = _IM.arm_separation_um,
    ridge_width_um: float = _IM.ridge_width_um,
    electrode_width_um: float = _IM.electrode_width_um,
    mmi_width_um: float | None = None,
    mmi_length_um: float | None = None,
    mmi_port_offset_um: float | None = None,
    mmi_access_width_um: float | None = None,
    mmi_taper_um: float = _MMI.taper_length_um,
    cross_section: CrossSectionSpec = "xs_inp_deep",
) -> gf.Component:
    """Mach-Zehnder intensity modulator: MMI 1x2 splitter, two p-i-n arms, MMI 2x1 combiner.

    Arms leave the MMIs through circular S-bends at the deep-etch minimum radius::

                        e1 (90°)
                  .====[## PIN arm ##]====.
        o1 ==<MMI                          MMI>== o2
                  '====[## PIN arm ##]===='
                        e2 (270°)

    Args:
        arm_length_um: electrode length of each arm in µm, [50, 5000].
        arm_separation_um: centre-to-centre arm distance in µm, [20, 500].
        ridge_width_um: ridge width in µm (even nm).
        electrode_width_um: p-metal width in µm.
        mmi_width_um: body width of the splitter and combiner, 1x2 MMIs, in µm (the
            transmitter passes its chip's MMI). None: :func:`mmi_for_ridge`, which for the
            default 2 µm ridge is the default :class:`~qkdchip.components.designs.MmiDesign`.
        mmi_length_um: body length of the MMIs in µm. None: :func:`mmi_for_ridge`.
        mmi_port_offset_um: output port distance from the MMIs' axis in µm.
            None: :func:`mmi_for_ridge`.
        mmi_access_width_um: access waveguide width at the MMIs' body in µm.
            None: the ridge width.
        mmi_taper_um: access taper length of the MMIs in µm.
        cross_section: the ridge's cross-section (arms and MMIs; ports name it). The S-bends
            take its layer's minimum bend radius.

    Returns:
        Component with o1 (input), o2 (output), e1 (upper arm), e2 (lower arm).
    """
    design = MzmDesign.from_settings(locals())
    layer = ridge_layer(cross_section)
    check_ridge("ridge_width_um", ridge_width_um, layer)
    min_radius = ridge_min_radius_um(layer)
    c = gf.Component()
    scaled = mmi_for_ridge(ridge_width_um)
    mmi = {
        "width_um": scaled.width_um if mmi_width_um is None else mmi_width_um,
        "length_um": scaled.length_um if mmi_length_um is None else mmi_length_um,
        "port_offset_um": scaled.port_offset_um
        if mmi_port_offset_um is None
        else mmi_port_offset_um,
        "access_width_um": ridge_width_um if mmi_access_width_um is None else mmi_access_width_um,
        "taper_length_um": mmi_taper_um,
        "ridge_width_um": ridge_width_um,
        "cross_section": cross_section,
    }
    splitter = c << mmi1x2(**mmi)
    x_split = splitter.ports["o2"].center[0]
    off = splitter.ports["o2"].center[1]
    dy = arm_separation_um / 2 - off
    dx = s_bend_min_dx_um(dy_um=dy, min_radius_um=min_radius)
    straight = arm_length_um + 2 * ACCESS_UM
    x_comb_in = x_split + 2 * dx + straight
    for sign, port in ((1.0, "e1"), (-1.0, "e2")):
        segments = [
            *s_bend_segments(dx_um=dx, dy_um=sign * dy),
            Straight(straight),
            *s_bend_segments(dx_um=dx, dy_um=-sign * dy),
        ]
        poly, _ = extrude((x_split, sign * off), 0.0, ridge_width_um, segments)
        c.add_polygon(poly, layer=layer)
        electroded_section(
            c,
            x0=x_split + dx + ACCESS_UM,
            length_um=arm_length_um,
            y=sign * arm_separation_um / 2,
            ridge_width_um=ridge_width_um,
            region_layer=LAYER.PIN,
            electrode_width_um=electrode_width_um,
            port_name=port,
            lead_up=sign > 0,
        )
    combiner = c << mmi1x2(**mmi)
    combiner.rotate(180)
    combiner.move((x_comb_in - combiner.ports["o2"].center[0], 0.0))
    c.add_port("o1", port=splitter.ports["o1"])
    c.add_port("o2", port=combiner.ports["o1"])
    c.info["design"] = design.to_dict()
    c.info["s_bend_length_um"] = dx
    arcs = s_bend_segments(dx_um=dx, dy_um=dy)
    c.info["arm_optical_length_um"] = straight + 2 * sum(
        a.radius_um * math.radians(abs(a.angle_deg)) for a in arcs if isinstance(a, Arc)
    )
    c.info["mmi"] = {k: v for k, v in mmi.items() if k != "cross_section"}
    return c
