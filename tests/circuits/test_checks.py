from __future__ import annotations

import json

from qkdchip.circuits.checks import Net, NetPin


def test_net_info_round_trip_through_json() -> None:
    net = Net(
        "mod_sig",
        (NetPin("contact", "METAL_P", 12.5, -3.25), NetPin("pad", "METAL_P", 400.0, 1950.0, True)),
    )
    info = json.loads(json.dumps(net.to_info()))
    assert info["pins"][1] == ["pad", "METAL_P", 400.0, 1950.0, True]
    assert Net.from_info(info) == net
