"""Pad slots and crossing-free fan-outs, checked on drawn geometry."""

from __future__ import annotations

import gdsfactory as gf
import klayout.db as kdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qkdchip.circuits.fanout import Contact, assign_slots, channel_levels, draw_fanout

pytestmark = pytest.mark.pdk("inp")


def test_slots_keep_order_pitch_and_gsg_room():
    contacts = [
        Contact("a", 100.0, 0.0),
        Contact("b", 130.0, 0.0, rf=True),
        Contact("c", 160.0, 0.0),
        Contact("d", 2000.0, 0.0, rf=True),
    ]
    xs = assign_slots(contacts, x_min_um=50.0, x_max_um=4550.0, pitch_um=150.0)
    assert xs == sorted(xs)
    assert all(((x - 50.0) / 150.0).is_integer() for x in xs)  # fixed-pitch slots
    # a GSG group needs one free slot on each side of its signal pad
    assert xs[1] - xs[0] >= 2 * 150.0
    assert xs[2] - xs[1] >= 2 * 150.0
    assert xs[3] == pytest.approx(2000.0, abs=75.0)


def test_slots_that_do_not_fit_raise():
    contacts = [Contact(f"n{k}", 10.0 * k, 0.0) for k in range(10)]
    with pytest.raises(ValueError, match="do not fit"):
        assign_slots(contacts, x_min_um=0.0, x_max_um=600.0, pitch_um=150.0)


def test_levels_for_right_and_left_movers():
    # two wires moving right: the left one must turn higher; two moving left: the reverse
    assert channel_levels([0.0, 10.0], [100.0, 200.0]) == [1, 0]
    assert channel_levels([100.0, 200.0], [0.0, 10.0]) == [0, 1]


@settings(max_examples=25, deadline=None)
@given(
    xs=st.lists(st.integers(0, 60), min_size=2, max_size=9, unique=True),
    rf=st.lists(st.booleans(), min_size=9, max_size=9),
)
def test_fanout_wires_never_touch(xs, rf):
    """Random contact rows: the drawn wires of different nets never touch or come closer
    than the metal space (5 µm), checked on merged klayout regions."""
    contacts = [Contact(f"n{k}", 40.0 * x, 0.0, rf=rf[k]) for k, x in enumerate(sorted(xs))]
    pads = assign_slots(contacts, x_min_um=0.0, x_max_um=6000.0, pitch_um=150.0)
    c = gf.Component()
    draw_fanout(
        c,
        contacts,
        pads,
        direction=1,
        channel0_y_um=30.0,
        channel_pitch_um=20.0,
        pad_edge_y_um=30.0 + 20.0 * len(contacts) + 20.0,
        width_um=10.0,
        layer="METAL_P",
    )
    wires = [kdb.Region(shape.polygon) for shape in c.shapes(gf.get_layer("METAL_P")).each()]
    assert len(wires) == len(contacts)
    for a in range(len(wires)):
        for b in range(a + 1, len(wires)):
            # space_check between different wires: sized region of one must not reach the other
            assert wires[a].sized(4990).interacting(wires[b]).is_empty()
