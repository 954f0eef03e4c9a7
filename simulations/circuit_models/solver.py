"""A circuit's S-parameters from a gdsfactory netlist and per-component models.

Each instance's model gives its S-dictionary; the nets connect instance ports; the netlist's
ports are the circuit's ports. With ``b = S a`` for all instance ports, connected ports feeding
each other (``a_I = C b_I``) and the external ports driven (``a_E``), the circuit is::

    S_circuit = S_EE + S_EI (1 - C S_II)^-1 C S_IE

solved per wavelength (numpy, batched). An instance port neither connected nor external is
terminated (nothing enters it; what leaves it is lost). Electrical ports take no part: a model
returns only its optical ports (an electrical-only cell, a pad, returns ``{}``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qkdchip.simulations.circuit_models.sdict import SDict, wavelengths

Model = Callable[..., SDict]
"""``model(*, wavelength_um, **settings) -> SDict``."""

WAVELENGTH_CHUNK = 256
"""Wavelengths solved at once (bounds the memory of the stacked S-matrices)."""


def _assemble(
    sdicts: Mapping[str, SDict], index: Mapping[tuple[str, str], int], rows: slice, n_wl: int
) -> np.ndarray:
    """The stacked S-matrices ``S[wavelength, out, in]`` of all instance ports, for ``rows``."""
    n = len(index)
    count = len(range(n_wl)[rows])
    s = np.zeros((count, n, n), dtype=complex)
    for name, sdict in sdicts.items():
        for (a, b), value in sdict.items():
            s[:, index[(name, b)], index[(name, a)]] = np.broadcast_to(value, (n_wl,))[rows]
    return s


def _split(ref: str) -> tuple[str, str]:
    instance, _, port = ref.partition(",")
    if not port:
        raise ValueError(f"port reference {ref!r} must read 'instance,port'")
    return instance, port


def call_model(model: Model, wavelength_um: Any, settings: Mapping[str, Any]) -> SDict:
    """``model`` at ``wavelength_um`` with the entries of ``settings`` it takes as parameters."""
    parameters = inspect.signature(model).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        kwargs = dict(settings)
    else:
        kwargs = {k: v for k, v in settings.items() if k in parameters}
    return model(wavelength_um=wavelength_um, **kwargs)


def _check_overrides(
    model: Model, overrides: Mapping[str, Any], where: str, models_of: str
) -> None:
    names = set(inspect.signature(model).parameters) - {"wavelength_um"}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(
            f"{where}: {unknown} are not parameters of the {models_of} model; allowed: "
            f"{sorted(names)}"
        )


def circuit(
    netlist: Mapping[str, Any],
    models: Mapping[str, Model],
    *,
    wavelength_um: ArrayLike,
    component_settings: Mapping[str, Mapping[str, Any]] | None = None,
    instance_settings: Mapping[str, Mapping[str, Any]] | None = None,
) -> SDict:
    """S-parameters between the optical ports of ``netlist``.

    Args:
        netlist: ``{"instances": {name: {"component", "settings", "info"}}, "nets":
            [{"p1": "inst,port", "p2": ...}], "ports": {name: "inst,port"}}`` as
            ``Component.get_netlist()`` returns it.
        models: component name -> model. A model gets the instance's ``info`` and
            ``settings`` (settings win) restricted to its parameters.
        wavelength_um: wavelengths in µm (scalar or 1-D).
        component_settings: component name -> operating parameters for every instance of it
            (e.g. ``{"voa": {"attenuation_db": 10.0}}``).
        instance_settings: instance name -> operating parameters (win over the above).

    Returns:
        ``{(port_in, port_out): amplitude}`` over the circuit's optical ports.

    Raises:
        ValueError: an instance without a model, an operating parameter its model does not
            take, a port connected twice, or an external port that is also connected.
    """
    wl = wavelengths(wavelength_um)
    component_settings = component_settings or {}
    instance_settings = instance_settings or {}
    instances: Mapping[str, Mapping[str, Any]] = netlist["instances"]
    for name in instance_settings:
        if name not in instances:
            raise ValueError(f"instance_settings names {name!r}, not an instance of the netlist")
    sdicts: dict[str, SDict] = {}
    for name, inst in instances.items():
        component = inst["component"]
        if component not in models:
            raise ValueError(
                f"instance {name!r}: no model for component {component!r}; allowed: "
                f"{sorted(models)}"
            )
        model = models[component]
        overrides = {**component_settings.get(component, {}), **instance_settings.get(name, {})}
        _check_overrides(model, overrides, f"instance {name!r}", component)
        settings = {**inst.get("info", {}), **inst.get("settings", {}), **overrides}
        sdicts[name] = call_model(model, wl, settings)
    index: dict[tuple[str, str], int] = {}
    for name, sdict in sdicts.items():
        for port in sorted({p for pair in sdict for p in pair}):
            index[(name, port)] = len(index)
    partner: dict[int, int] = {}
    for net in netlist.get("nets", []):
        p1, p2 = _split(net["p1"]), _split(net["p2"])
        if p1 not in index or p2 not in index:
            continue
        i, j = index[p1], index[p2]
        for k in (i, j):
            if k in partner:
                raise ValueError(f"port {net['p1']}/{net['p2']}: a port is connected twice")
        partner[i], partner[j] = j, i
    external: list[tuple[str, int]] = []
    for port_name, ref in sorted(netlist.get("ports", {}).items()):
        key = _split(ref)
        if key not in index:
            continue
        if index[key] in partner:
            raise ValueError(f"port {port_name!r} ({ref}) is external and connected")
        external.append((port_name, index[key]))
    inner = sorted(partner)
    e = [k for _, k in external]
    position = {k: m for m, k in enumerate(inner)}
    swap = np.array([position[partner[k]] for k in inner], dtype=int)
    s_ee = np.empty((wl.size, len(e), len(e)), dtype=complex)
    for chunk in range(0, wl.size, WAVELENGTH_CHUNK):
        rows = slice(chunk, min(chunk + WAVELENGTH_CHUNK, wl.size))
        s = _assemble(sdicts, index, rows, wl.size)
        s_ee[rows] = s[:, e][:, :, e]
        if inner:
            # C permutes the connected ports onto their partners: (C X)[m] = X[swap[m]]
            c_s_ii = s[:, inner][:, :, inner][:, swap, :]
            c_s_ie = s[:, inner][:, :, e][:, swap, :]
            lhs = np.eye(len(inner)) - c_s_ii
            s_ee[rows] += s[:, e][:, :, inner] @ np.linalg.solve(lhs, c_s_ie)
    names = [p for p, _ in external]
    return {(a, b): s_ee[:, j, i] for i, a in enumerate(names) for j, b in enumerate(names)}
