"""Process design kits: the Si3N4 comb platform and the InP transmitter platform.

* :mod:`qkdchip.pdk.materials`: refractive-index models by material name.
* :mod:`qkdchip.pdk.si3n4`, :mod:`qkdchip.pdk.inp`: layer map (``LAYER``), layer views and
  ``.lyp`` export, layer stack, cross-sections, ``design_rules()`` and ``get_pdk()`` (cached,
  never activated at import). A PDK registers the platform's cross-sections by name (every
  port names one), its device cells, whole chips and wafers, routing strategies, layer
  transitions and circuit models (``qkdchip.simulations.circuit_models``).
* :mod:`qkdchip.pdk.rules`: the frozen design-rule objects both platforms use.
* :mod:`qkdchip.pdk.drc`: ``run_drc(component, rules) -> DrcReport`` with ``klayout.db``.
* :mod:`qkdchip.pdk.wires`: the metal-line cross-section, the port cross-section of a layer
  and the routing strategies (``route_single``, ``route_bundle``, ...) both PDKs register.
* :mod:`qkdchip.pdk.process_statistics`: each platform's process statistics (its
  ``Platform.process``): nominal, sigma and correlation of each process parameter (what the
  wafer-yield Monte Carlo samples).
"""
