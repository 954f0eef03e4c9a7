"""Si3N4 microcomb cells (rings, pulley rings, edge couplers, heaters)."""
