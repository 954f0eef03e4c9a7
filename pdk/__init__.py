"""Process design kits: the Si3N4 comb platform and the InP transmitter platform.

* :mod:`qkdchip.pdk.materials`: refractive-index models by material name.
* :mod:`qkdchip.pdk.si3n4`, :mod:`qkdchip.pdk.inp`: layer map (``LAYER``), layer views and
  ``.lyp`` export, layer stack, cross-sections, ``design_rules()`` and ``get_pdk()`` (cached,
  never activated at import).
* :mod:`qkdchip.pdk.rules`: the frozen design-rule objects both platforms use.
* :mod:`qkdchip.pdk.drc`: ``run_drc(component, rules) -> DrcReport`` with ``klayout.db``.
* :mod:`qkdchip.pdk.wires`: the metal-line cross-section both platforms' routing uses.
* :mod:`qkdchip.pdk.process_statistics`: each platform's process statistics (its
  ``Platform.process``): nominal, sigma and correlation of each process parameter (what the
  wafer-yield Monte Carlo samples).
"""
