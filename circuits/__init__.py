"""Whole chips, wafers and mask files.

Modules (each chip or wafer cell needs its platform's PDK active):

- :mod:`~qkdchip.circuits.transmitter`: ``transmitter_chip()``, the InP QKD transmitter.
- :mod:`~qkdchip.circuits.inventory`: ``TRANSMITTER_SECTIONS``, the transmitter's active
  sections (no gdsfactory): the cell draws them and the wafer-yield model counts them.
- :mod:`~qkdchip.circuits.comb_chip`: ``comb_chip()``, the Si3N4 microcomb chip.
- :mod:`~qkdchip.circuits.monitor_dies`: the process-monitor (test-structure) dies,
  ``inp_test_die()``, ``si3n4_test_die()``.
- :mod:`~qkdchip.circuits.wafers`: ``inp_wafer()``, ``si3n4_wafer()`` (3-inch).
- :mod:`~qkdchip.circuits.wafer_geometry`: wafer outline, exclusion, optimal die grid, test-die
  and mark plan, each platform's ``WaferLayout`` (numpy only; the yield model uses it too);
  :mod:`~qkdchip.circuits.wafer`: drawing a wafer from a plan.
- :mod:`~qkdchip.circuits.checks`, :mod:`~qkdchip.circuits.drc`,
  :mod:`~qkdchip.circuits.verify`: geometric checks, hierarchical wafer DRC, both in one call.
- :mod:`~qkdchip.circuits.masks`: ``write_all_masks(out_dir) -> Manifest``.
- :mod:`~qkdchip.circuits.manifest`: ``MaskEntry``, a mask's manifest entry, and ``sha256_of``
  (no gdsfactory: the main flow reads its cached masks output with them).
"""
