"""Circuit models: wavelength-dependent S-parameters of every device, and circuits of them.

sax-style, in numpy: a model is a pure keyword-only function ``model(*, wavelength_um,
**settings) -> {(port_in, port_out): complex array}``, and :func:`circuit` solves a gdsfactory
netlist (``Component.get_netlist()``) with a model per component. sax itself is not a
dependency: the newest sax that installs beside numpy 2.0 (the ceiling of numba 0.60) is 0.14.2,
whose import fails with the klujax pip pairs it with (``klujax.coo_mul_vec`` was renamed in
klujax 0.4; later sax needs numpy >= 2.2), and it brings JAX, flax, orbax and tensorstore
(27 packages, about 530 MB) for what a batched ``numpy.linalg.solve`` does here. The models
keep sax's interface: with ``klujax.coo_mul_vec = klujax.dot`` set before ``import sax``,
``sax.circuit`` on a netlist without its electrical-only instances (the pads, whose models
return no optical ports) gives the same S-matrices as :func:`circuit` to 1e-15 (the ring
filter of the examples, the transmitter chip).

* :mod:`~qkdchip.simulations.circuit_models.devices`: the physics (waveguide, phase shifter,
  MMIs, ring, Bragg grating, attenuator).
* :mod:`~qkdchip.simulations.circuit_models.parameters`: their numbers from the shipped device
  results and the design records, and the named assumptions.
* :mod:`~qkdchip.simulations.circuit_models.cells`: one model per qkdchip cell (the PDKs'
  ``models``), including composite ones (MZM, DBR laser).
* :mod:`~qkdchip.simulations.circuit_models.solver`: the netlist solver.
* :mod:`~qkdchip.simulations.circuit_models.transmitter`: the transmitter chip's losses and
  modulator responses from its layout netlist (:func:`transmitter_response`).

Example::

    netlist = transmitter_chip().get_netlist()
    s = circuit(netlist, get_pdk().models, wavelength_um=np.linspace(1.54, 1.56, 201),
                component_settings={"voa": {"attenuation_db": 10.0}})
    transmission = abs(s[("in_signal", "out")]) ** 2
"""

from qkdchip.simulations.circuit_models.cells import inp_models, si3n4_models
from qkdchip.simulations.circuit_models.sdict import SDict, matrix, ports, reciprocal
from qkdchip.simulations.circuit_models.solver import Model, circuit
from qkdchip.simulations.circuit_models.transmitter import (
    IntensityModulatorResponse,
    PhaseModulatorResponse,
    TransmitterResponse,
    VoaResponse,
    transmitter_response,
)

__all__ = [
    "IntensityModulatorResponse",
    "Model",
    "PhaseModulatorResponse",
    "SDict",
    "TransmitterResponse",
    "VoaResponse",
    "circuit",
    "inp_models",
    "matrix",
    "ports",
    "reciprocal",
    "si3n4_models",
    "transmitter_response",
]
