"""Si3N4 microcomb cells: rings (point-coupled, pulley, from FSR), edge couplers, heater.

Every public ``@gf.cell`` here is registered in ``qkdchip.pdk.si3n4.get_pdk()``.
"""

from qkdchip.components.si3n4.edge_couplers import bus_edge_coupled, edge_coupler
from qkdchip.components.si3n4.heater import ring_heater
from qkdchip.components.si3n4.rings import ring_from_fsr, ring_point_coupled, ring_pulley

__all__ = [
    "bus_edge_coupled",
    "edge_coupler",
    "ring_from_fsr",
    "ring_heater",
    "ring_point_coupled",
    "ring_pulley",
]
