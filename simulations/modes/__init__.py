"""Waveguide mode solvers (MPB, run in a subprocess): modes with material dispersion, the
effective-index method, and the electro-optic phase modulator built on the MPB mode.

* :mod:`~qkdchip.simulations.modes.geometry`: cross-sections (``strip_cross_section``,
  ``ridge_cross_section``).
* :mod:`~qkdchip.simulations.modes.solver`: ``solve_mode``, ``solve_modes`` -> ``ModeResult``.
* :mod:`~qkdchip.simulations.modes.eim`: the effective-index method.
* :mod:`~qkdchip.simulations.modes.modulator`: ``simulate_modulator`` (Vπ·L).
* :mod:`~qkdchip.simulations.modes.ridge_sensitivities`: MPB sensitivities of the InP ridge.
* :mod:`~qkdchip.simulations.modes.jobs`: the MPB kernels the child process runs (imports no
  gdsfactory: this package's ``__init__`` imports nothing).
"""
