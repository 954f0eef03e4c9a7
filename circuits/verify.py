"""All checks of a chip or a wafer in one call: DRC plus the geometric checks.

- Chips: DRC with the platform rules, optical connectivity, light paths from every input
  (``info["optical_inputs"]``, default every optical chip port) to a chip port, and (when the
  chip records its nets in ``info["nets"]``) metal nets: each contact reaches exactly its own
  pad, no shorts, chip-level wires clear of active sections.
- Wafers: hierarchical DRC, every die inside the edge exclusion and off the flat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

import gdsfactory as gf
from pydantic import Field

from qkdchip.circuits.checks import (
    CheckReport,
    Net,
    light_path_report,
    metal_net_report,
    optical_port_report,
    wafer_die_report,
    wire_clearance_report,
)
from qkdchip.circuits.drc import wafer_drc
from qkdchip.circuits.wafer_geometry import WaferSpec
from qkdchip.pdk.drc import run_drc
from qkdchip.pdk.rules import DesignRules
from qkdchip.records import Record


@dataclass(frozen=True)
class Verification(Record):
    """DRC violation count and geometric check reports of one mask."""

    derived: ClassVar[dict[str, str]] = {"ok": "cell"}

    cell: str
    drc_violations: int
    drc_summary: Annotated[dict[str, object], Field(alias="drc")]
    checks: tuple[CheckReport, ...]

    @property
    def ok(self) -> bool:
        """True when DRC is clean and every check passed."""
        return self.drc_violations == 0 and all(c.ok for c in self.checks)


def recorded_nets(component: gf.Component) -> list[Net]:
    """The nets a chip recorded in ``info["nets"]`` (empty when it records none)."""
    return [Net.from_info(entry) for entry in component.info.get("nets", [])]


def verify_chip(
    component: gf.Component,
    rules: DesignRules,
    *,
    pad_layer: str = "PAD",
    keep_clear: tuple[str, ...] = (),
) -> Verification:
    """DRC, optical connectivity, metal nets and wire clearance of a chip.

    Args:
        component: the chip.
        rules: its platform's design rules.
        pad_layer: layer of the pad openings.
        keep_clear: layers the chip-level wires must not cover (e.g. InP ``ACTIVE``).
    """
    drc = run_drc(component, rules)
    inputs = component.info.get(
        "optical_inputs",
        [p.name for p in component.ports if p.port_type in ("optical", "edge_coupler")],
    )
    checks = [optical_port_report(component), light_path_report(component, inputs)]
    nets = recorded_nets(component)
    if nets:
        checks.append(metal_net_report(component, nets, pad_layer=pad_layer))
        wire_layers = sorted({pin.layer for net in nets for pin in net.pins})
        checks.extend(
            wire_clearance_report(component, wire_layer=layer, keep_clear=keep_clear)
            for layer in wire_layers
            if keep_clear
        )
    return Verification(
        cell=component.name,
        drc_violations=drc.count,
        drc_summary={"counts": dict(drc.counts), "rules": len(drc.checked_rules)},
        checks=tuple(checks),
    )


def verify_wafer(wafer: gf.Component, rules: DesignRules) -> Verification:
    """Hierarchical DRC and die placement of a wafer drawn by :mod:`qkdchip.circuits.wafers`."""
    drc = wafer_drc(wafer, rules)
    spec = WaferSpec(
        diameter_um=float(wafer.info["diameter_um"]),
        flat_length_um=float(wafer.info["flat_length_um"]),
        edge_exclusion_um=float(wafer.info["edge_exclusion_um"]),
    )
    dies = wafer_die_report(
        wafer, spec, [str(wafer.info["product_cell"]), str(wafer.info["test_cell"])]
    )
    spacing = CheckReport(name="wafer-level spacing", problems=drc.spacing_problems)
    return Verification(
        cell=wafer.name,
        drc_violations=drc.count,
        drc_summary=drc.to_dict(),
        checks=(dies, spacing),
    )
