"""Ring resonators: meep cylindrical resonances, dispersion (D1, D2, D3, D_int), Q, coupling.

* :mod:`~qkdchip.simulations.ring.resonances`: ``simulate_ring`` -> ``RingResult``.
* :mod:`~qkdchip.simulations.ring.coupling`: ``simulate_coupler`` -> ``CouplerResult``.
* :mod:`~qkdchip.simulations.ring.dispersion`: D1, D2, D3 and D_int from resonances.
* :mod:`~qkdchip.simulations.ring.sensitivities`: MPB sensitivities of the ring's strip.
* :mod:`~qkdchip.simulations.ring.jobs`: the meep kernels the child process runs (imports no
  gdsfactory: this package's ``__init__`` imports nothing).
"""
