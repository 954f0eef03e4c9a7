"""Pad rows at a chip edge and crossing-free metal fan-outs to them.

Pads sit on a fixed-pitch slot grid along one edge. A DC net takes one slot; an RF net takes a
ground-signal-ground group of three slots with the signal in the middle. Pads are assigned to
the device contacts in the same left-to-right order, which makes a planar (crossing-free)
Manhattan fan-out possible: each wire rises from its contact to its own horizontal channel,
runs to its pad's x and rises to the pad. Wires that move right take channels that get lower
from left to right; wires that move left take channels that get higher from left to right.
For two wires a < b this puts the horizontal of one above the other's vertical wherever they
could meet, so no two wires cross (the geometric check of the finished chip confirms it).
"""

from __future__ import annotations

from dataclasses import dataclass

import gdsfactory as gf
import klayout.db as kdb


@dataclass(frozen=True)
class Contact:
    """A device contact to wire to a pad.

    Args:
        net: net name (also names the pad port).
        x_um: contact point x (µm), the end of the device's lead.
        y_um: contact point y (µm), the end of the device's lead.
        rf: True for a fast (GSG) net, False for DC.
    """

    net: str
    x_um: float
    y_um: float
    rf: bool = False


def assign_slots(
    contacts: list[Contact], *, x_min_um: float, x_max_um: float, pitch_um: float
) -> list[float]:
    """Pad centre x for each contact (sorted by x): fixed-pitch slots, order kept, GSG room.

    Each contact is given the slot nearest to it, then pushed right (forward pass) and left
    (backward pass) just enough to keep the slots in order with room for the ground pads.

    Raises:
        ValueError: when the pads do not fit between ``x_min_um`` and ``x_max_um``.
    """
    if [c.x_um for c in contacts] != sorted(c.x_um for c in contacts):
        raise ValueError("contacts must be sorted by x_um")
    n_slots = int((x_max_um - x_min_um) // pitch_um) + 1
    halves = [1 if c.rf else 0 for c in contacts]
    slots = [round((c.x_um - x_min_um) / pitch_um) for c in contacts]
    for k in range(len(slots)):
        low = halves[k] if k == 0 else slots[k - 1] + halves[k - 1] + 1 + halves[k]
        slots[k] = max(slots[k], low)
    for k in reversed(range(len(slots))):
        high = (
            n_slots - 1 - halves[k]
            if k == len(slots) - 1
            else slots[k + 1] - halves[k + 1] - 1 - halves[k]
        )
        slots[k] = min(slots[k], high)
    if slots and slots[0] - halves[0] < 0:
        need = sum(1 + 2 * h for h in halves)
        raise ValueError(
            f"{len(contacts)} pads ({need} slots at {pitch_um} µm) do not fit between "
            f"x = {x_min_um} and {x_max_um} µm"
        )
    return [x_min_um + s * pitch_um for s in slots]


def channel_levels(xs: list[float], targets: list[float]) -> list[int]:
    """Channel index (0 = nearest the devices) of each wire, for a crossing-free fan-out."""
    n = len(xs)
    levels = [0] * n
    right = [k for k in range(n) if targets[k] > xs[k]]
    left = [k for k in range(n) if targets[k] < xs[k]]
    for rank, k in enumerate(reversed(right)):
        levels[k] = rank
    for rank, k in enumerate(left):
        levels[k] = rank
    return levels


def wire_polygon(points: list[tuple[float, float]], width_um: float) -> kdb.DPolygon:
    """Rectilinear wire through ``points`` with square ends extended by half the width."""
    path = kdb.DPath([kdb.DPoint(x, y) for x, y in points], width_um, width_um / 2, width_um / 2)
    return path.polygon()


def draw_fanout(
    c: gf.Component,
    contacts: list[Contact],
    pad_x_um: list[float],
    *,
    direction: int,
    channel0_y_um: float,
    channel_pitch_um: float,
    pad_edge_y_um: float,
    width_um: float,
    layer: str,
) -> None:
    """Draw the wires from ``contacts`` to pads whose facing edge is at ``pad_edge_y_um``.

    Args:
        c: component to draw into.
        contacts: contacts sorted by x.
        pad_x_um: pad centre x for each contact (from :func:`assign_slots`).
        direction: +1 when the pads are above the contacts (north edge), -1 below.
        channel0_y_um: y of the channel nearest the devices.
        channel_pitch_um: distance between channels (wire width plus metal space).
        pad_edge_y_um: y of the pads' edge facing the devices.
        width_um: wire width.
        layer: metal layer name.
    """
    xs = [k.x_um for k in contacts]
    levels = channel_levels(xs, pad_x_um)
    top_level = max(levels, default=0)
    last = channel0_y_um + direction * top_level * channel_pitch_um
    if direction * (pad_edge_y_um - last) < width_um:
        raise ValueError(
            f"{top_level + 1} wiring channels from y = {channel0_y_um} µm do not fit before the "
            f"pads at y = {pad_edge_y_um} µm"
        )
    for contact, x_pad, level in zip(contacts, pad_x_um, levels, strict=True):
        y_ch = channel0_y_um + direction * level * channel_pitch_um
        if abs(x_pad - contact.x_um) < 1e-6:
            points = [(contact.x_um, contact.y_um), (x_pad, pad_edge_y_um)]
        else:
            points = [
                (contact.x_um, contact.y_um),
                (contact.x_um, y_ch),
                (x_pad, y_ch),
                (x_pad, pad_edge_y_um),
            ]
        c.add_polygon(wire_polygon(points, width_um), layer=layer)
