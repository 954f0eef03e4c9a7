"""meep FDTD device simulations: DBR gratings (1-D effective index) and InP MMIs (2-D EIM).

* :mod:`~qkdchip.simulations.fdtd.grating`: ``simulate_grating`` -> ``GratingResult``.
* :mod:`~qkdchip.simulations.fdtd.mmi`: ``simulate_mmi`` -> ``MmiResult``.
* :mod:`~qkdchip.simulations.fdtd.jobs`: the meep kernels the child process runs (imports no
  gdsfactory: this package's ``__init__`` imports nothing).
"""
