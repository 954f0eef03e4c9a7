"""Parametric gdsfactory cells, one sub-package per platform.

* :mod:`qkdchip.components.designs`: validated design objects shared with the simulations
  (no gdsfactory import).
* :mod:`qkdchip.components.si3n4`, :mod:`qkdchip.components.inp`: the cells.
* :mod:`qkdchip.components.waveguides`: ``straight`` and ``bend_circular`` of any cross-section,
  what both PDKs' routers draw with.
* :mod:`qkdchip.components.ports`: ports that name their cross-section.
* :mod:`qkdchip.components.registry`: every cell by name, its platform, PDK and rules.
* :mod:`qkdchip.components.geometry`: exact arcs and paths extruded into single polygons.
"""
