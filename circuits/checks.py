"""Geometric checks of whole chips and wafers.

Everything here inspects drawn geometry and placed ports, never the objects a router returned:
gdsfactory's router does not avoid obstacles, so only the layout itself is evidence.

- :func:`optical_port_report`: every optical port of every top-level instance meets exactly one
  other port (same position within 1 nm, opposite direction, same width) or is one of the
  chip's declared I/O ports.
- :func:`trace_optical_path`, :func:`light_path_report`: the blocks the light passes from a
  chip port to the next one; every input reaches an output.
- :func:`metal_net_report`: nets are found from merged metal polygons; each intended net (device
  contacts plus pads) must lie in one polygon, no polygon may hold two nets (a short), and each
  device contact must reach exactly the pads of its own net.
- :func:`wire_clearance_report`: chip-level wires never lie over active sections.
- :func:`wafer_die_report`: every die instance lies inside the edge exclusion and off the flat.
- :func:`xor_files`: polygon count of the XOR of two GDS files, per layer (hierarchical).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import gdsfactory as gf
import klayout.db as kdb

from qkdchip.circuits.wafer_geometry import WaferSpec
from qkdchip.records import Record

_TOL_UM = 0.001
OPTICAL = frozenset({"optical", "edge_coupler"})
"""Port types that carry light."""


@dataclass(frozen=True)
class CheckReport(Record):
    """Outcome of one check: a name and the list of problems found (empty when clean)."""

    derived: ClassVar[dict[str, str]] = {"ok": "name"}

    name: str
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _port_key(x: float, y: float) -> tuple[int, int]:
    return (round(x / _TOL_UM), round(y / _TOL_UM))


def optical_port_report(component: gf.Component) -> CheckReport:
    """Check that every optical port inside ``component`` is connected, except the chip I/O.

    A port of a top-level instance is connected when exactly one other instance port sits at
    the same position with the opposite orientation and the same width. Ports that coincide
    with one of ``component``'s own optical ports are the chip's I/O.
    """
    io = {_port_key(*p.center): p.name for p in component.ports if p.port_type in OPTICAL}
    by_key: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
    for k, inst in enumerate(component.insts):
        for port in inst.ports:
            if port.port_type not in OPTICAL:
                continue
            label = f"{inst.name or k}:{port.name}"
            by_key.setdefault(_port_key(*port.center), []).append(
                (label, float(port.orientation), float(port.width))
            )
    problems: list[str] = []
    matched_io: set[str] = set()
    for key, ports in sorted(by_key.items()):
        where = f"({key[0] * _TOL_UM:.3f}, {key[1] * _TOL_UM:.3f}) µm"
        if key in io and len(ports) == 1:
            matched_io.add(io[key])
            continue
        if len(ports) == 1:
            problems.append(f"dangling optical port {ports[0][0]} at {where}")
            continue
        if len(ports) > 2:
            names = ", ".join(p[0] for p in ports)
            problems.append(f"{len(ports)} optical ports overlap at {where}: {names}")
            continue
        (n1, o1, w1), (n2, o2, w2) = ports
        if abs(((o1 - o2) % 360.0) - 180.0) > 1e-6:
            problems.append(f"ports {n1} and {n2} at {where} do not face each other")
        if abs(w1 - w2) > _TOL_UM:
            problems.append(f"ports {n1} ({w1} µm) and {n2} ({w2} µm) at {where} differ in width")
        if key in io:
            problems.append(f"chip port {io[key]} at {where} is also connected inside")
    for name in sorted(set(io.values()) - matched_io):
        problems.append(f"chip I/O port {name} is not attached to any instance port")
    return CheckReport(name="optical connectivity", problems=tuple(problems))


def trace_optical_path(component: gf.Component, start: str) -> list[str]:
    """Follow the light from chip port ``start`` through the top-level instances.

    An instance is left through its other optical port (two-port blocks) or, for a 2:1
    combiner, through the one port facing away from the input; the light then enters the
    instance port that meets it. The walk ends at another chip port.

    Returns:
        Cell names of the instances along the path, in order.

    Raises:
        ValueError: when ``start`` is no chip port, or the path branches, dead-ends or loops.
    """
    if start not in {p.name for p in component.ports}:
        raise ValueError(f"start={start!r} is not a port of {component.name}")
    insts = list(component.insts)
    at: dict[tuple[int, int], list[tuple[int, gf.Port]]] = {}
    for k, inst in enumerate(insts):
        for port in inst.ports:
            if port.port_type in OPTICAL:
                at.setdefault(_port_key(*port.center), []).append((k, port))
    io = {_port_key(*p.center) for p in component.ports if p.port_type in OPTICAL}
    key = _port_key(*component.ports[start].center)
    previous: int | None = None
    path: list[str] = []
    seen: set[int] = set()
    while True:
        here = [(k, port) for k, port in at.get(key, []) if k != previous]
        where = f"({key[0] * _TOL_UM:.3f}, {key[1] * _TOL_UM:.3f}) µm"
        if not here:
            if previous is not None and key in io:
                return path
            raise ValueError(f"optical path ends at {where} without a chip port")
        if len(here) > 1:
            raise ValueError(f"optical path branches at {where}")
        k, entry = here[0]
        if k in seen:
            raise ValueError(f"optical path loops at {insts[k].cell.name}")
        seen.add(k)
        path.append(insts[k].cell.name)
        others = [p for p in insts[k].ports if p.port_type in OPTICAL and p.name != entry.name]
        if len(others) > 1:
            others = [
                p
                for p in others
                if abs(((p.orientation - entry.orientation) % 360.0) - 180.0) < 90.0
            ]
        if len(others) != 1:
            raise ValueError(f"{insts[k].cell.name}: {len(others)} ways out from {entry.name}")
        key = _port_key(*others[0].center)
        previous = k


def light_path_report(component: gf.Component, inputs: Sequence[str]) -> CheckReport:
    """Check that light entering each chip port in ``inputs`` leaves through a chip port."""
    problems = []
    for name in inputs:
        try:
            trace_optical_path(component, name)
        except ValueError as err:
            problems.append(f"from {name}: {err}")
    return CheckReport(name="light paths", problems=tuple(problems))


@dataclass(frozen=True)
class NetPin:
    """One point that belongs to a net: a device contact or a pad (µm, layer name)."""

    label: str
    layer: str
    x_um: float
    y_um: float
    is_pad: bool = False


@dataclass(frozen=True)
class Net:
    """An intended electrical net: device contacts and the pads that drive them."""

    name: str
    pins: tuple[NetPin, ...]

    def to_info(self) -> dict[str, Any]:
        """JSON form kept in a chip's ``info["nets"]``: pins as ``[label, layer, x, y, is_pad]``."""
        return {
            "name": self.name,
            "pins": [[p.label, p.layer, p.x_um, p.y_um, p.is_pad] for p in self.pins],
        }

    @classmethod
    def from_info(cls, entry: dict[str, Any]) -> Net:
        """Inverse of :meth:`to_info`."""
        return cls(
            name=entry["name"],
            pins=tuple(
                NetPin(label, layer, float(x), float(y), bool(is_pad))
                for label, layer, x, y, is_pad in entry["pins"]
            ),
        )


def _point_box(x: float, y: float) -> kdb.Box:
    ix, iy = round(x / _TOL_UM), round(y / _TOL_UM)
    return kdb.Box(ix - 1, iy - 1, ix + 1, iy + 1)


def metal_net_report(
    component: gf.Component, nets: Sequence[Net], *, pad_layer: str | None = None
) -> CheckReport:
    """Check metal connectivity and isolation geometrically.

    Each net must sit in one merged metal polygon (on its pins' layer); a polygon that holds
    pins of two nets is a short (metal of different nets touching). When ``pad_layer`` is given,
    each net's polygon must also contain exactly as many pad openings as the net has pads, so a
    device contact reaches exactly its own pad(s).

    Args:
        component: the chip.
        nets: the intended nets.
        pad_layer: layer of the pad openings (e.g. ``"PAD"``), or None to skip that count.
    """
    problems: list[str] = []
    layers = sorted({pin.layer for net in nets for pin in net.pins})
    merged: dict[str, list[kdb.Polygon]] = {}
    for name in layers:
        region = kdb.Region(component.begin_shapes_rec(gf.get_layer(name))).merged()
        merged[name] = list(region.each())
    pads = (
        kdb.Region(component.begin_shapes_rec(gf.get_layer(pad_layer))).merged()
        if pad_layer
        else None
    )

    owner: dict[tuple[str, int], str] = {}
    for net in nets:
        polygons: set[tuple[str, int]] = set()
        for pin in net.pins:
            box = _point_box(pin.x_um, pin.y_um)
            hits = [k for k, poly in enumerate(merged[pin.layer]) if poly.touches(box)]
            if not hits:
                problems.append(
                    f"net {net.name}: pin {pin.label} at ({pin.x_um:.3f}, {pin.y_um:.3f}) µm "
                    f"touches no {pin.layer} metal"
                )
            polygons.update((pin.layer, k) for k in hits)
        if len(polygons) > 1:
            problems.append(f"net {net.name} is split over {len(polygons)} metal polygons (open)")
        for poly_key in polygons:
            other = owner.get(poly_key)
            if other is not None and other != net.name:
                problems.append(f"nets {other} and {net.name} share metal (short)")
            owner[poly_key] = net.name
            if pads is not None:
                n_pads = sum(1 for pin in net.pins if pin.is_pad)
                poly = kdb.Region(merged[poly_key[0]][poly_key[1]])
                found = pads.interacting(poly).count()
                if found != n_pads:
                    problems.append(
                        f"net {net.name}: its metal holds {found} pad openings, expected {n_pads}"
                    )
    return CheckReport(name="metal nets", problems=tuple(problems))


def wire_clearance_report(
    component: gf.Component, *, wire_layer: str, keep_clear: Sequence[str]
) -> CheckReport:
    """Check that the chip-level wires (top-cell shapes on ``wire_layer``) avoid active areas.

    Wires may cross passive waveguides but never lie over a gain, modulator or grating
    section (``keep_clear`` layers, taken through the whole hierarchy).
    """
    layout = component.kcl.layout
    index = layout.find_layer(*gf.get_layer_tuple(wire_layer))
    wires = kdb.Region(component.kdb_cell.shapes(index)) if index is not None else kdb.Region()
    problems: list[str] = []
    dbu = layout.dbu
    for name in keep_clear:
        area = kdb.Region(component.begin_shapes_rec(gf.get_layer(name))).merged()
        for poly in (wires & area).each():
            centre = poly.bbox().center()
            problems.append(f"wire over {name} at ({centre.x * dbu:.3f}, {centre.y * dbu:.3f}) µm")
    return CheckReport(name="wires clear of active sections", problems=tuple(problems))


def wafer_die_report(
    wafer_component: gf.Component, spec: WaferSpec, die_names: Iterable[str]
) -> CheckReport:
    """Check that every die instance lies inside the edge exclusion and off the flat.

    Args:
        wafer_component: the wafer top cell.
        spec: the wafer it was drawn for.
        die_names: cell names that count as dies.
    """
    names = set(die_names)
    problems: list[str] = []
    n = 0
    for inst in wafer_component.insts:
        if inst.cell.name not in names:
            continue
        n += 1
        box = inst.dbbox()
        inside = bool(spec.rects_inside(box.left, box.bottom, box.right, box.top))
        if not inside:
            problems.append(
                f"die {inst.cell.name} at ({box.left:.3f}, {box.bottom:.3f}) µm leaves the "
                "usable region"
            )
        if box.bottom <= -spec.flat_distance_um:
            problems.append(f"die at ({box.left:.3f}, {box.bottom:.3f}) µm overlaps the flat")
    if n == 0:
        problems.append("no die instances found")
    return CheckReport(name="dies inside edge exclusion", problems=tuple(problems))


def xor_files(path_a: Path, path_b: Path) -> dict[str, int]:
    """Polygons in the XOR of two GDS files, per layer ``"L/D"`` (hierarchical, deep mode).

    Raises:
        ValueError: when the files have different top-cell names.
    """
    layouts = []
    for path in (path_a, path_b):
        layout = kdb.Layout()
        layout.read(str(path))
        layouts.append(layout)
    tops = [layout.top_cell() for layout in layouts]
    if tops[0].name != tops[1].name:
        raise ValueError(f"top cells differ: {tops[0].name!r} vs {tops[1].name!r}")
    infos = {(i.layer, i.datatype) for layout in layouts for i in layout.layer_infos()}
    dss = kdb.DeepShapeStore()
    result: dict[str, int] = {}
    for layer, datatype in sorted(infos):
        regions = []
        for layout, top in zip(layouts, tops, strict=True):
            index = layout.find_layer(layer, datatype)
            if index is None:
                regions.append(kdb.Region())
            else:
                regions.append(kdb.Region(top.begin_shapes_rec(index), dss))
        result[f"{layer}/{datatype}"] = (regions[0] ^ regions[1]).count()
    return result
