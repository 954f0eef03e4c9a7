"""The transmitter chip's optical response, solved from its own layout netlist.

:func:`transmitter_response` takes the drawn InP transmitter
(:func:`~qkdchip.circuits.transmitter.transmitter_chip`), its ``get_netlist()`` and the InP cell
models, and reads off the circuit at one wavelength:

- the insertion loss of the signal path (``in_signal`` facet to ``out`` facet, through the
  signal laser's passive cavity, the three IMs at their transmission maximum, the 2:1 combiner,
  the PMs at 0 V and the VOAs at 0 dB), the loss from the facet to the signal laser's rear
  (where the comb line is injected) and from the laser's front to the output facet;
- each IM's extinction ratio and Vπ from a sweep of its upper-arm drive;
- each PM's output phase against its voltage, its Vπ and its deviation from a linear response;
- each VOA's attenuation range, and that of the VOAs in series.

The labels (``IM I``, ``PM ref``, ...) come from walking the netlist from the chip's optical
ports lane by lane and matching the sections met, in order, to
:data:`~qkdchip.circuits.inventory.TRANSMITTER_SECTIONS`.

The numbers come from the circuit; the device records only set the models' parameters
(:mod:`~qkdchip.simulations.circuit_models.parameters`): the modulators' Vπ·L, the MMI's
simulated split, the ridge's indices, the grating's κ, with the assumed ridge and SSC
losses. The netlist is solved once per call with the driven sections and the signal laser cut
out (their ports become ports of the solved rest); every operating point then joins the rest to
those sections' S-parameters, a whole sweep in one batched solve.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from qkdchip.circuits.inventory import TRANSMITTER_SECTIONS, sections_in_lane
from qkdchip.components.designs import VoaDesign
from qkdchip.records import InfAsNone, Record
from qkdchip.simulations.circuit_models.cells import inp_models
from qkdchip.simulations.circuit_models.sdict import SDict, ports
from qkdchip.simulations.circuit_models.solver import Model, call_model, circuit
from qkdchip.validation import check_range

if TYPE_CHECKING:
    import gdsfactory as gf

SIGNAL_INPUT = "in_signal"
"""The chip's port where comb line 1 enters (east facet, signal lane)."""
REFERENCE_INPUT = "in_reference"
"""The chip's port where comb line 2 enters (west facet, reference lane)."""
OUTPUT = "out"
"""The chip's output facet."""
OPERATING_BAND_UM: tuple[float, float] = (1.53, 1.57)
"""Wavelengths in µm the response is solved at: the band of the simulated MMI spectrum."""
MAX_DRIVE_V = 100.0
"""Largest reverse bias in V the phase-shifter model takes."""
SECTION_COMPONENTS: dict[str, str] = {
    "dbr_laser": "dbr_laser",
    "intensity_modulator": "mzm",
    "phase_modulator": "phase_modulator",
    "voa": "voa",
}
"""The cell drawn for each active-section kind of the inventory."""
DRIVES: dict[str, str] = {
    "intensity_modulator": "voltage_upper_v",
    "phase_modulator": "voltage_v",
    "voa": "attenuation_db",
}
"""The model parameter that drives each kind (an IM is driven on its upper, RF arm)."""
SIGNAL_LASER = "DBR sig"
"""Label of the signal laser (its lane's laser in the inventory)."""


@dataclass(frozen=True)
class IntensityModulatorResponse(Record):
    """An IM's transmission over its drive, as the chip's output sees it.

    Attributes:
        label: the section's label (``"IM I"``).
        instance: its instance in the netlist.
        voltage_v: upper-arm drive of the sweep in V (lower arm at 0 V).
        transmission: chip transmission over the sweep relative to its maximum.
        peak_voltage_v: drive of the transmission maximum in V (the lowest where several).
        null_voltage_v: drive of the transmission minimum in V.
        vpi_v: drive from a transmission maximum to the next minimum in V (the mean step
            between the turning points inside the sweep).
        extinction_db: maximum over minimum transmission in dB (infinite for a perfect null).
    """

    label: str
    instance: str
    voltage_v: tuple[float, ...]
    transmission: tuple[float, ...]
    peak_voltage_v: float
    null_voltage_v: float
    vpi_v: float
    extinction_db: Annotated[float, InfAsNone()]


@dataclass(frozen=True)
class PhaseModulatorResponse(Record):
    """A PM's output phase over its drive, over 0 .. 2 Vπ.

    Attributes:
        label: the section's label (``"PM I"``).
        instance: its instance in the netlist.
        voltage_v: reverse bias in V.
        phase_rad: output phase relative to 0 V in rad (unwrapped).
        vpi_v: the bias that turns the output phase by π, in V.
        linearity_rad: largest deviation of ``phase_rad`` from π V/Vπ in rad.
    """

    label: str
    instance: str
    voltage_v: tuple[float, ...]
    phase_rad: tuple[float, ...]
    vpi_v: float
    linearity_rad: float


@dataclass(frozen=True)
class VoaResponse(Record):
    """A VOA's range, as the chip's output sees it.

    Attributes:
        label: the section's label (``"VOA I"``).
        instance: its instance in the netlist.
        max_setting_db: the largest attenuation its model takes (its design's full bias), dB.
        attenuation_range_db: chip transmission at 0 dB over that at ``max_setting_db``, dB.
    """

    label: str
    instance: str
    max_setting_db: float
    attenuation_range_db: float


@dataclass(frozen=True)
class TransmitterResponse(Record):
    """The transmitter chip's circuit response at one wavelength.

    Losses are at the operating point: every IM at its transmission maximum, PMs at 0 V, VOAs
    at 0 dB, the lasers' passive cavities (gain at transparency).

    Attributes:
        wavelength_um: the wavelength in µm.
        insertion_loss_db: ``in_signal`` facet to ``out`` facet, dB.
        injection_loss_db: ``in_signal`` facet to the signal laser's rear port, dB.
        laser_to_output_loss_db: the signal laser's front port to the ``out`` facet, dB.
        reference_insertion_loss_db: ``in_reference`` facet to ``out`` facet, dB.
        voa_attenuation_range_db: range of the VOAs in series (all from 0 dB to full), dB.
        im_extinction_db: the smallest of the IMs' extinction ratios, dB (infinite for a
            perfect null).
        intensity_modulators: the IMs, in inventory order.
        phase_modulators: the PMs, in inventory order.
        voas: the VOAs, in inventory order.
        signal_path: the instances from ``in_signal`` to ``out``.
        sections: section label -> instance.
    """

    derived: ClassVar[tuple[str, ...]] = ("im_vpi_v", "pm_vpi_v", "pm_linearity_rad")

    wavelength_um: float
    insertion_loss_db: float
    injection_loss_db: float
    laser_to_output_loss_db: float
    reference_insertion_loss_db: float
    voa_attenuation_range_db: float
    im_extinction_db: Annotated[float, InfAsNone()]
    intensity_modulators: tuple[IntensityModulatorResponse, ...]
    phase_modulators: tuple[PhaseModulatorResponse, ...]
    voas: tuple[VoaResponse, ...]
    signal_path: tuple[str, ...]
    sections: dict[str, str]

    def headlines(self) -> dict[str, float | None]:
        """The headline numbers, in the units their names say (an infinite extinction: None)."""
        extinction = self.im_extinction_db
        return {
            "insertion_loss_db": self.insertion_loss_db,
            "injection_loss_db": self.injection_loss_db,
            "laser_to_output_loss_db": self.laser_to_output_loss_db,
            "im_extinction_db": extinction if math.isfinite(extinction) else None,
            "im_vpi_v": self.im_vpi_v,
            "pm_vpi_v": self.pm_vpi_v,
            "voa_attenuation_range_db": self.voa_attenuation_range_db,
        }

    def __post_init__(self) -> None:
        for name in ("intensity_modulators", "phase_modulators"):
            if not getattr(self, name):
                raise ValueError(f"{name}=() is empty; a transmitter has at least one")
        weakest = min(m.extinction_db for m in self.intensity_modulators)
        if self.im_extinction_db != weakest:
            raise ValueError(
                f"im_extinction_db={self.im_extinction_db!r} must be the smallest of the IMs' "
                f"extinction ratios, {weakest!r}"
            )

    @property
    def im_vpi_v(self) -> float:
        """The largest Vπ of the chip's IMs, V."""
        return max(m.vpi_v for m in self.intensity_modulators)

    @property
    def pm_vpi_v(self) -> float:
        """The largest Vπ of the chip's PMs, V."""
        return max(m.vpi_v for m in self.phase_modulators)

    @property
    def pm_linearity_rad(self) -> float:
        """The largest deviation from a linear phase of the chip's PMs, rad."""
        return max(m.linearity_rad for m in self.phase_modulators)


@dataclass(frozen=True)
class _Hop:
    """An instance on a walk through the netlist, entered at ``port_in``, left at ``port_out``
    (empty where the walk stops: at a branch)."""

    instance: str
    port_in: str
    port_out: str


def _split(ref: str) -> tuple[str, str]:
    instance, _, port = ref.partition(",")
    return instance, port


def _peers(netlist: Mapping[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    peers: dict[tuple[str, str], tuple[str, str]] = {}
    for net in netlist.get("nets", []):
        a, b = _split(net["p1"]), _split(net["p2"])
        peers[a], peers[b] = b, a
    return peers


def _walk(
    start: str,
    netlist: Mapping[str, Any],
    peers: Mapping[tuple[str, str], tuple[str, str]],
    optical: Mapping[str, list[str]],
) -> list[_Hop]:
    """The two-port instances from the chip port ``start`` on, up to and including the first
    instance with more than two optical ports (or to the last one)."""
    if start not in netlist.get("ports", {}):
        raise ValueError(f"the netlist has no port {start!r}; a transmitter chip has it")
    instance, port = _split(netlist["ports"][start])
    hops: list[_Hop] = []
    while True:
        if any(h.instance == instance for h in hops):
            raise ValueError(f"the path from {start!r} returns to instance {instance!r}")
        others = [p for p in optical[instance] if p != port]
        if len(others) != 1:
            hops.append(_Hop(instance, port, ""))
            return hops
        hops.append(_Hop(instance, port, others[0]))
        nxt = peers.get((instance, others[0]))
        if nxt is None:
            return hops
        instance, port = nxt


def _match_lane(lane: str, hops: Sequence[_Hop], components: Mapping[str, str]) -> dict[str, _Hop]:
    """Section label -> hop: the lane's active instances, in light order, against the
    inventory's sections of ``lane``."""
    expected = sections_in_lane(lane)
    active = set(SECTION_COMPONENTS.values())
    found = [h for h in hops if components[h.instance] in active]
    drawn = [components[h.instance] for h in found]
    listed = [SECTION_COMPONENTS[s.kind] for s in expected]
    if drawn != listed:
        raise ValueError(
            f"the netlist's {lane} lane draws {drawn}, the inventory lists {listed} "
            f"({[s.label for s in expected]})"
        )
    return {s.label: h for s, h in zip(expected, found, strict=True)}


@dataclass(frozen=True)
class _Layout:
    """Where the sections are: the signal path, each section's hop and its input port."""

    signal_path: tuple[_Hop, ...]
    sections: dict[str, _Hop]
    inputs: dict[str, str]


def _layout(
    netlist: Mapping[str, Any], optical: Mapping[str, list[str]], components: Mapping[str, str]
) -> _Layout:
    peers = _peers(netlist)
    signal = _walk(SIGNAL_INPUT, netlist, peers, optical)
    reference = _walk(REFERENCE_INPUT, netlist, peers, optical)
    output = [
        _Hop(h.instance, h.port_out, h.port_in)
        for h in reversed(_walk(OUTPUT, netlist, peers, optical))
    ]
    combiners = {signal[-1].instance, reference[-1].instance, output[0].instance}
    if len(combiners) != 1 or signal[-1].port_out or len(optical[signal[-1].instance]) != 3:
        raise ValueError(
            f"the paths from {SIGNAL_INPUT!r}, {REFERENCE_INPUT!r} and {OUTPUT!r} must meet at "
            f"one 2:1 combiner; they end at {sorted(combiners)}"
        )
    combiner = _Hop(signal[-1].instance, signal[-1].port_in, output[0].port_out)
    lanes = {"signal": signal[:-1], "reference": reference[:-1], "output": output[1:]}
    sections: dict[str, _Hop] = {}
    inputs: dict[str, str] = {}
    for lane, hops in lanes.items():
        matched = _match_lane(lane, hops, components)
        sections.update(matched)
        source = REFERENCE_INPUT if lane == "reference" else SIGNAL_INPUT
        inputs.update(dict.fromkeys(matched, source))
    return _Layout((*signal[:-1], combiner, *output[1:]), sections, inputs)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class _Chip:
    """The chip's netlist solved once with its driven sections and the signal laser cut out
    (the rest); :meth:`frame` joins the rest to those sections at an operating point, and
    :meth:`sweep` joins a frame without one section to that section over its drives."""

    def __init__(
        self,
        netlist: Mapping[str, Any],
        models: Mapping[str, Model],
        wavelength_um: float,
    ) -> None:
        self.wavelength_um = wavelength_um
        self.netlist = netlist
        instances: Mapping[str, Mapping[str, Any]] = netlist["instances"]
        self.models: dict[str, Model] = {}
        self.settings: dict[str, dict[str, Any]] = {}
        self.components: dict[str, str] = {}
        sdicts: dict[str, SDict] = {}
        for name, inst in instances.items():
            component = inst["component"]
            if component not in models:
                raise ValueError(
                    f"instance {name!r}: no model for component {component!r}; allowed: "
                    f"{sorted(models)}"
                )
            self.components[name] = component
            self.models[name] = models[component]
            self.settings[name] = {**inst.get("info", {}), **inst.get("settings", {})}
            sdicts[name] = call_model(self.models[name], wavelength_um, self.settings[name])
        optical = {name: ports(s) for name, s in sdicts.items()}
        self.layout = _layout(netlist, optical, self.components)
        self.kinds = {s.label: s.kind for s in TRANSMITTER_SECTIONS}
        self.cut = {
            label: hop.instance
            for label, hop in self.layout.sections.items()
            if self.kinds[label] in DRIVES or label == SIGNAL_LASER
        }
        self._sections: dict[tuple[str, str, str, float], SDict] = {}
        self._frames: dict[tuple[tuple[tuple[str, float], ...], frozenset[str]], SDict] = {}
        self.rest = self._solve_rest(sdicts, set(self.cut.values()))

    def _solve_rest(self, sdicts: Mapping[str, SDict], cut: set[str]) -> SDict:
        """The netlist without the ``cut`` instances; each net that joined one becomes a port
        ``instance.port`` named after the cut instance's port."""
        kept = {name: {"component": name} for name in sdicts if name not in cut}
        nets, external = [], {}
        for net in self.netlist.get("nets", []):
            a, b = _split(net["p1"]), _split(net["p2"])
            if a[0] in cut and b[0] not in cut:
                external[f"{a[0]}.{a[1]}"] = net["p2"]
            elif b[0] in cut and a[0] not in cut:
                external[f"{b[0]}.{b[1]}"] = net["p1"]
            elif a[0] not in cut:
                nets.append(net)
        for name, ref in self.netlist.get("ports", {}).items():
            if _split(ref)[0] not in cut:
                external[name] = ref
        frozen = {name: _constant(sdicts[name]) for name in kept}
        rest_netlist = {"instances": kept, "nets": nets, "ports": external}
        return circuit(rest_netlist, frozen, wavelength_um=self.wavelength_um)

    def _joining(self, present: set[str]) -> dict[str, Any]:
        """The netlist of the rest and the ``present`` cut instances; the rest's ports at the
        absent ones stay ports (``instance.port``)."""
        instances: dict[str, Any] = {"rest": {"component": "rest"}}
        instances.update({name: {"component": name} for name in sorted(present)})
        nets: list[dict[str, str]] = []
        joined_ports: dict[str, str] = {}
        rest_ports = sorted({p for pair in self.rest for p in pair})
        for port in rest_ports:
            name, dot, pin = port.partition(".")
            if dot and name in present:
                nets.append({"p1": f"rest,{port}", "p2": f"{name},{pin}"})
            else:
                joined_ports[port] = f"rest,{port}"
        for net in self.netlist.get("nets", []):
            if _split(net["p1"])[0] in present and _split(net["p2"])[0] in present:
                nets.append(dict(net))
        for name, ref in self.netlist.get("ports", {}).items():
            if _split(ref)[0] in present:
                joined_ports[name] = ref
        return {"instances": instances, "nets": nets, "ports": joined_ports}

    def section(self, label: str, value: float) -> SDict:
        """S-parameters of section ``label`` driven at ``value`` (cached per call)."""
        instance = self.cut[label]
        drive = DRIVES.get(self.kinds[label], "")
        key = (self.components[instance], _key(self.settings[instance]), drive, value)
        if key not in self._sections:
            settings = {**self.settings[instance], **({drive: value} if drive else {})}
            self._sections[key] = call_model(self.models[instance], self.wavelength_um, settings)
        return self._sections[key]

    def frame(
        self, operating: Mapping[str, float], detached: frozenset[str] = frozenset()
    ) -> SDict:
        """The chip's S-parameters with each section at ``operating`` (label -> drive; 0 where
        absent), the sections ``detached`` (labels) left out: the ports facing them are
        ports ``instance.port`` (cached per call)."""
        key = (tuple(sorted(operating.items())), detached)
        if key not in self._frames:
            present = {i for label, i in self.cut.items() if label not in detached}
            models: dict[str, Model] = {"rest": _constant(self.rest)}
            for label, instance in self.cut.items():
                if instance in present:
                    models[instance] = _constant(self.section(label, operating.get(label, 0.0)))
            netlist = self._joining(present)
            self._frames[key] = circuit(netlist, models, wavelength_um=self.wavelength_um)
        return self._frames[key]

    def sweep(self, operating: Mapping[str, float], label: str, values: Sequence[float]) -> SDict:
        """The chip's S-parameters with section ``label`` at each of ``values`` and the others
        at ``operating``."""
        others = {k: v for k, v in operating.items() if k != label}
        frame = self.frame(others, frozenset({label}))
        instance = self.cut[label]
        stack = [self.section(label, v) for v in values]
        joined = {k: np.concatenate([s[k] for s in stack]) for k in stack[0]}
        frame_ports = sorted({p for pair in frame for p in pair})
        facing = [p for p in frame_ports if p.partition(".")[0] == instance]
        netlist = {
            "instances": {"frame": {"component": "frame"}, instance: {"component": instance}},
            "nets": [
                {"p1": f"frame,{p}", "p2": f"{instance},{p.partition('.')[2]}"} for p in facing
            ],
            "ports": {p: f"frame,{p}" for p in frame_ports if p not in facing},
        }
        models = {"frame": _constant(frame), instance: _constant(joined)}
        # the sweep's points ride on the solver's batch axis, all at the one wavelength
        return circuit(netlist, models, wavelength_um=np.full(len(values), self.wavelength_um))


def _constant(sdict: SDict) -> Model:
    def model(*, wavelength_um: Any) -> SDict:
        return sdict

    return model


def _power(s: SDict, a: str, b: str) -> NDArray[np.float64]:
    return np.abs(s[(a, b)]) ** 2


def _loss_db(power: float) -> float:
    """``power`` (a transmission) as a loss in dB (infinite for none)."""
    return -10.0 * math.log10(power) if power > 0 else math.inf


def _turning_points(
    f: Callable[[float], float], v: NDArray[np.float64], t: NDArray[np.float64]
) -> list[tuple[float, float, bool]]:
    """(drive, value, is_maximum) of each turning point of ``t`` inside the sweep ``v``, each
    refined on ``f`` (Brent, bounded by the neighbouring samples)."""
    from scipy.optimize import minimize_scalar  # computing only: reading a record needs none

    points: list[tuple[float, float, bool]] = []
    for k in range(1, len(v) - 1):
        is_max = t[k] > t[k - 1] and t[k] >= t[k + 1]
        is_min = t[k] < t[k - 1] and t[k] <= t[k + 1]
        if not (is_max or is_min):
            continue
        sign = -1.0 if is_max else 1.0
        best = minimize_scalar(
            lambda x, sign=sign: sign * f(x),
            bounds=(float(v[k - 1]), float(v[k + 1])),
            method="bounded",
            options={"xatol": 1e-12},
        )
        x = float(best.x)
        points.append((x, f(x), is_max))
    return points


def _intensity_modulator(
    chip: _Chip, label: str, voltage_v: NDArray[np.float64]
) -> IntensityModulatorResponse:
    source = chip.layout.inputs[label]
    t = _power(chip.sweep({}, label, voltage_v), source, OUTPUT)

    def f(x: float) -> float:
        return float(_power(chip.sweep({}, label, [x]), source, OUTPUT)[0])

    turning = _turning_points(f, voltage_v, t)
    if len(turning) < 2:
        raise ValueError(
            f"the drive {voltage_v[0]:g} .. {voltage_v[-1]:g} V takes {label} through "
            f"{len(turning)} turning point(s) of its transmission; its Vπ needs a maximum and a "
            f"minimum inside the sweep: widen im_voltage_range_v"
        )
    candidates = [(float(voltage_v[0]), float(t[0])), (float(voltage_v[-1]), float(t[-1]))]
    candidates += [(x, y) for x, y, _ in turning]
    top = max(y for _, y in candidates)
    peak_v = min(x for x, y in candidates if y >= top * (1 - 1e-9))
    null_v, bottom = min(candidates, key=lambda c: (c[1], c[0]))
    steps = np.diff(sorted(x for x, _, _ in turning))
    return IntensityModulatorResponse(
        label=label,
        instance=chip.cut[label],
        voltage_v=tuple(float(x) for x in voltage_v),
        transmission=tuple(float(y) for y in t / top),
        peak_voltage_v=peak_v,
        null_voltage_v=null_v,
        vpi_v=float(np.mean(steps)),
        extinction_db=_loss_db(bottom / top),
    )


def _phase_modulator(
    chip: _Chip, label: str, operating: Mapping[str, float], max_voltage_v: float, points: int
) -> PhaseModulatorResponse:
    source = chip.layout.inputs[label]

    def amplitude(v: Sequence[float]) -> NDArray[np.complex128]:
        return chip.sweep(operating, label, v)[(source, OUTPUT)]

    v = np.linspace(0.0, max_voltage_v, points)
    s = amplitude(v)
    phase = np.unwrap(np.angle(s * np.conj(s[0])))
    reached = np.nonzero(phase >= math.pi)[0]
    if reached.size == 0:
        raise ValueError(
            f"pm_max_voltage_v={max_voltage_v!r} turns the phase of {label} by only "
            f"{phase.max():.3g} rad; its Vπ needs π: raise pm_max_voltage_v (at most "
            f"{MAX_DRIVE_V / 2:g} V, the model's {MAX_DRIVE_V:g} V over 0 .. 2 Vπ)"
        )
    k = int(reached[0])
    below, at_below = float(v[k - 1]), float(phase[k - 1])
    s_below = s[k - 1]

    def excess(x: float) -> float:
        return at_below + float(np.angle(amplitude([x])[0] * np.conj(s_below))) - math.pi

    from scipy.optimize import brentq

    vpi = float(brentq(excess, below, float(v[k]), xtol=1e-14, rtol=1e-15))
    if 2 * vpi > MAX_DRIVE_V:
        raise ValueError(
            f"{label}: 2 Vπ = {2 * vpi:.4g} V exceeds the model's bias range [0, {MAX_DRIVE_V:g}] V"
        )
    grid = np.linspace(0.0, 2 * vpi, points)
    s2 = amplitude(grid)
    response = np.unwrap(np.angle(s2 * np.conj(s2[0])))
    response -= response[0]
    return PhaseModulatorResponse(
        label=label,
        instance=chip.cut[label],
        voltage_v=tuple(float(x) for x in grid),
        phase_rad=tuple(float(p) for p in response),
        vpi_v=vpi,
        linearity_rad=float(np.max(np.abs(response - math.pi * grid / vpi))),
    )


def _voa_range(chip: _Chip, labels: Sequence[str], operating: Mapping[str, float]) -> float:
    """Chip transmission with the VOAs ``labels`` at 0 dB over that at their full setting, dB."""
    full = {**operating, **{label: _voa_max_db(chip, label) for label in labels}}
    clear = _power(chip.frame(operating), SIGNAL_INPUT, OUTPUT)[0]
    dimmed = _power(chip.frame(full), SIGNAL_INPUT, OUTPUT)[0]
    return _loss_db(float(dimmed / clear))


def _voa_max_db(chip: _Chip, label: str) -> float:
    return VoaDesign.from_settings(chip.settings[chip.cut[label]]).max_attenuation_db


def _labels(kind: str, chip: _Chip) -> list[str]:
    return [s.label for s in TRANSMITTER_SECTIONS if s.kind == kind and s.label in chip.cut]


def transmitter_netlist(
    component: gf.Component | None = None, *, settings: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``component.get_netlist()``; None: the transmitter chip drawn with the InP PDK (the
    active PDK is restored after) from its cell ``settings`` (None: the default chip)."""
    if component is not None and settings is not None:
        raise ValueError("give component or settings, not both")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if component is not None:
            return dict(component.get_netlist())
        from qkdchip.circuits.transmitter import transmitter_chip
        from qkdchip.platforms import INP

        with INP.activated():
            return dict(transmitter_chip(**(settings or {})).get_netlist())


def _check_voltage_range(name: str, value: tuple[float, float]) -> None:
    low, high = value
    check_range(f"{name}[0]", low, 0.0, MAX_DRIVE_V)
    check_range(f"{name}[1]", high, low, MAX_DRIVE_V, low_open=True)


def transmitter_response(
    *,
    component: gf.Component | None = None,
    netlist: Mapping[str, Any] | None = None,
    models: Mapping[str, Model] | None = None,
    wavelength_um: float = 1.55,
    im_voltage_range_v: tuple[float, float] = (0.0, 10.0),
    pm_max_voltage_v: float = 10.0,
    points: int = 201,
) -> TransmitterResponse:
    """The transmitter chip's losses and modulator responses, solved from its netlist.

    Args:
        component: the drawn chip (``transmitter_chip(**settings)``); None: the default chip.
        netlist: its ``get_netlist()`` instead of ``component`` (one of the two at most).
        models: cell name -> model; None: :func:`~qkdchip.simulations.circuit_models.cells.
            inp_models`.
        wavelength_um: wavelength in µm, in :data:`OPERATING_BAND_UM`.
        im_voltage_range_v: (low, high) upper-arm drive of the IM sweeps in V, 0 <= low <
            high <= 100; it must take each IM through a maximum and a minimum.
        pm_max_voltage_v: the PM sweep that finds Vπ runs 0 .. this, V, (0, 100].
        points: samples per sweep, [21, 4001].

    Returns:
        The response; its IMs' Vπ, extinction and peak drive, and its PMs' Vπ and linearity,
        come from sweeps of the circuit (turning points and the π crossing refined on it).

    Raises:
        ValueError: a parameter out of its range, a sweep that misses what it looks for, a
            netlist whose lanes do not hold the inventory's sections, or a cell without a model.
    """
    check_range("wavelength_um", wavelength_um, *OPERATING_BAND_UM)
    _check_voltage_range("im_voltage_range_v", im_voltage_range_v)
    check_range("pm_max_voltage_v", pm_max_voltage_v, 0.0, MAX_DRIVE_V, low_open=True)
    check_range("points", points, 21, 4001)
    if int(points) != points:
        raise ValueError(f"points={points!r} must be an integer in [21, 4001]")
    points = int(points)
    if component is not None and netlist is not None:
        raise ValueError("give component or netlist, not both")
    if netlist is None:
        netlist = transmitter_netlist(component)
    chip = _Chip(netlist, models or inp_models(), wavelength_um)

    drive = np.linspace(*im_voltage_range_v, points)
    ims = tuple(
        _intensity_modulator(chip, label, drive) for label in _labels("intensity_modulator", chip)
    )
    operating = {m.label: m.peak_voltage_v for m in ims}
    pms = tuple(
        _phase_modulator(chip, label, operating, pm_max_voltage_v, points)
        for label in _labels("phase_modulator", chip)
    )
    voa_labels = _labels("voa", chip)
    voas = tuple(
        VoaResponse(
            label=label,
            instance=chip.cut[label],
            max_setting_db=_voa_max_db(chip, label),
            attenuation_range_db=_voa_range(chip, [label], operating),
        )
        for label in voa_labels
    )
    at_peak = chip.frame(operating)
    laser = chip.layout.sections[SIGNAL_LASER]
    detached = chip.frame(operating, frozenset({SIGNAL_LASER}))
    laser_in, laser_out = (f"{laser.instance}.{p}" for p in (laser.port_in, laser.port_out))
    return TransmitterResponse(
        wavelength_um=float(wavelength_um),
        insertion_loss_db=_loss_db(float(_power(at_peak, SIGNAL_INPUT, OUTPUT)[0])),
        injection_loss_db=_loss_db(float(_power(detached, SIGNAL_INPUT, laser_in)[0])),
        laser_to_output_loss_db=_loss_db(float(_power(detached, laser_out, OUTPUT)[0])),
        reference_insertion_loss_db=_loss_db(float(_power(at_peak, REFERENCE_INPUT, OUTPUT)[0])),
        voa_attenuation_range_db=_voa_range(chip, voa_labels, operating),
        im_extinction_db=min(m.extinction_db for m in ims),
        intensity_modulators=ims,
        phase_modulators=pms,
        voas=voas,
        signal_path=tuple(h.instance for h in chip.layout.signal_path),
        sections={label: hop.instance for label, hop in chip.layout.sections.items()},
    )
