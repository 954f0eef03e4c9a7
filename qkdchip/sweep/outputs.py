"""What a sweep reports of each point: a registry of outputs read from the typed stage outputs.

Each output reads one stage's output (:mod:`qkdchip.stage_outputs`) and names the stages it
needs, so a point runs only those. Outputs at a distance are written ``NAME@Dkm``
(``total_key_rate_bps@370km``); the point's network is then evaluated at D km. When every
network output asked for is at a distance, the point's network is evaluated at those distances
alone (:func:`network_distances`); the reach and the networking capability read the configured
``network.pair_distances_km``, which then stay and are the only ones they count, as in
``qkdchip run``. Of the network stage's optional parts a point runs only those its outputs
read (:func:`network_parts`: the reach search for the reach outputs).

``qkdchip sweep --list-outputs`` prints this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qkdchip.records import Record
from qkdchip.scenarios.schema import MAX_PAIR_DISTANCE_KM
from qkdchip.validation import check_choice, check_range

if TYPE_CHECKING:
    from qkdchip.scenarios.schema import Scenario
    from qkdchip.simulations.network.model import DistanceResult
    from qkdchip.stage_outputs import CombOutput, DevicesOutput, NetworkOutput

STAGE_NEEDS: dict[str, tuple[str, ...]] = {
    "devices": (),
    "comb": ("devices",),
    "yield": ("devices",),
    "network": ("devices", "comb", "yield"),
}
"""The main-flow stages each stage reads (``yield`` only feeds the network when the scenario's
transmitter chips come from it)."""

Value = float | int | None
"""An output's value; None where the quantity does not exist (no reach, no usable line)."""
Extract = Callable[[Mapping[str, Any], "Scenario", float | None], Value]


@dataclass(frozen=True)
class Output:
    """One output a sweep can report.

    Attributes:
        name: the name a sweep asks for.
        unit: its unit (``""``: a number without one).
        stage: the stage whose output it reads.
        provenance: ``simulated`` (a device solver's figure) or ``derived`` (computed from
            simulated results, calibrations and the scenario).
        description: what it is, one line.
        dtype: ``float`` or ``int``.
        log: whether plots show it on a logarithmic scale.
        at_distance: whether it is asked at a distance (``NAME@Dkm``).
        configured: whether it reads the network at the scenario's configured
            ``network.pair_distances_km`` (the reach and the networking capability).
        extract: (stage outputs by stage, the point's scenario, distance in km) -> value.
    """

    name: str
    unit: str
    stage: str
    provenance: str
    description: str
    dtype: type
    extract: Extract
    log: bool = False
    at_distance: bool = False
    configured: bool = False

    def info(self) -> dict[str, str]:
        """Unit, stage, provenance and description, for a results file's metadata."""
        return {
            "unit": self.unit,
            "stage": self.stage,
            "provenance": self.provenance,
            "description": self.description,
        }


@dataclass(frozen=True)
class OutputRequest(Record):
    """An output asked for, with its distance where it takes one.

    Attributes:
        name: a name of :data:`OUTPUTS`.
        distance_km: the distance (km) of an output at a distance, else None.
    """

    name: str
    distance_km: float | None = None

    def __post_init__(self) -> None:
        check_choice("output", self.name, OUTPUTS)
        takes = OUTPUTS[self.name].at_distance
        if takes and self.distance_km is None:
            raise ValueError(
                f"output {self.name!r} is given at a distance: write {self.name}@Dkm, "
                f"e.g. {self.name}@370km"
            )
        if not takes and self.distance_km is not None:
            raise ValueError(f"output {self.name!r} takes no distance (@{self.distance_km:g}km)")
        if self.distance_km is not None:
            check_range(f"{self.name} distance_km", self.distance_km, 0.0, MAX_PAIR_DISTANCE_KM)

    @classmethod
    def parse(cls, text: str) -> OutputRequest:
        """``NAME`` or ``NAME@D`` / ``NAME@Dkm`` (D in km)."""
        name, sep, where = text.strip().partition("@")
        if not sep:
            return cls(name)
        number = where.strip().removesuffix("km")
        try:
            distance = float(number)
        except ValueError:
            raise ValueError(f"output {text!r}: the distance {where!r} is not a number") from None
        return cls(name, distance)

    @property
    def output(self) -> Output:
        """The registry entry."""
        return OUTPUTS[self.name]

    @property
    def column(self) -> str:
        """The results column: ``NAME`` or ``NAME@Dkm``."""
        if self.distance_km is None:
            return self.name
        return f"{self.name}@{self.distance_km:g}km"

    def value(self, outputs: Mapping[str, Any], scenario: Scenario) -> Value:
        """This output of a point whose flow produced ``outputs`` (stage -> typed output)."""
        return self.output.extract(outputs, scenario, self.distance_km)


def parse_outputs(texts: Iterable[str]) -> tuple[OutputRequest, ...]:
    """The requests of ``texts`` (each may hold several, comma-separated), in order, once each."""
    seen: dict[str, OutputRequest] = {}
    for text in texts:
        for part in text.split(","):
            if part.strip():
                request = OutputRequest.parse(part)
                seen.setdefault(request.column, request)
    return tuple(seen.values())


def needed_stages(requests: Iterable[OutputRequest], scenario: Scenario) -> set[str]:
    """The flow stages the requests read, with every stage those need."""
    todo = [r.output.stage for r in requests]
    needed: set[str] = set()
    while todo:
        stage = todo.pop()
        if stage in needed:
            continue
        needed.add(stage)
        for upstream in STAGE_NEEDS[stage]:
            chips_elsewhere = scenario.transmitter.source != "yield"
            if not (stage == "network" and upstream == "yield" and chips_elsewhere):
                todo.append(upstream)
    return needed


def extra_distances(requests: Iterable[OutputRequest], scenario: Scenario) -> tuple[float, ...]:
    """Distances (km) the requests need that the scenario does not evaluate, ascending."""
    have = set(scenario.network.pair_distances_km)
    return tuple(sorted({r.distance_km for r in requests if r.distance_km is not None} - have))


def network_distances(requests: Iterable[OutputRequest], scenario: Scenario) -> tuple[float, ...]:
    """The pair distances (km) a point's network is evaluated at.

    The distances asked for (ascending) when no request reads the configured ones; else the
    scenario's ``network.pair_distances_km`` followed by the other distances asked for.
    """
    requests = tuple(requests)
    asked = tuple(sorted({r.distance_km for r in requests if r.distance_km is not None}))
    if asked and not any(r.output.configured for r in requests):
        return asked
    return scenario.network.pair_distances_km + extra_distances(requests, scenario)


REACH_OUTPUTS = frozenset(
    {"max_distance_km_all_above_plob", "networking_capability_at_max_distance_km"}
)
"""Outputs that read the network stage's reach search."""


def network_parts(requests: Iterable[OutputRequest]) -> frozenset[str]:
    """The network stage's optional parts (:data:`~qkdchip.flow_context.NETWORK_PARTS`) the
    requests read: the reach for the reach outputs, nothing else (no output reads the security
    margins, the limiting mechanism, the distance sweep or the untested chip sets)."""
    reads_reach = any(r.output.name in REACH_OUTPUTS for r in requests)
    return frozenset({"reach"}) if reads_reach else frozenset()


# ------------------------------------------------------------------------------- extractors
def _devices(outputs: Mapping[str, Any]) -> DevicesOutput:
    return outputs["devices"]


def _device(device: str, headline: str) -> Extract:
    def extract(outputs: Mapping[str, Any], scenario: Scenario, distance: float | None) -> Value:
        return float(_devices(outputs).headlines[device][headline])

    return extract


def _usable_powers_dbm(comb: CombOutput, scenario: Scenario) -> list[float]:
    threshold = scenario.comb.min_line_power_dbm
    return [ln.power_dbm for ln in comb.lines if ln.mu != 0 and ln.power_dbm >= threshold]


def _comb_lines(outputs: Mapping[str, Any], scenario: Scenario, distance: float | None) -> Value:
    comb: CombOutput = outputs["comb"]
    return comb.usable_lines(scenario.comb.min_line_power_dbm)


def _comb_power(pick: Callable[[list[float]], float]) -> Extract:
    def extract(outputs: Mapping[str, Any], scenario: Scenario, distance: float | None) -> Value:
        powers = _usable_powers_dbm(outputs["comb"], scenario)
        return float(pick(powers)) if powers else None

    return extract


def _yield(field: str) -> Extract:
    def extract(outputs: Mapping[str, Any], scenario: Scenario, distance: float | None) -> Value:
        value = getattr(outputs["yield"], field)
        return None if value is None else float(value)

    return extract


def _at(outputs: Mapping[str, Any], distance: float | None) -> DistanceResult:
    network: NetworkOutput = outputs["network"]
    if distance is None:
        raise ValueError("an output at a distance was read without one")
    return network.evaluation.at(distance)


def _total_key_rate(
    outputs: Mapping[str, Any], scenario: Scenario, distance: float | None
) -> Value:
    return float(_at(outputs, distance).total_key_rate_bps)


def _worst_key_rate(
    outputs: Mapping[str, Any], scenario: Scenario, distance: float | None
) -> Value:
    return float(min(p.key_rate_per_pulse for p in _at(outputs, distance).pairs))


def _qber_x(outputs: Mapping[str, Any], scenario: Scenario, distance: float | None) -> Value:
    return float(max(p.qber_x for p in _at(outputs, distance).pairs))


def _qber_z(outputs: Mapping[str, Any], scenario: Scenario, distance: float | None) -> Value:
    keyed = [p.qber_z for p in _at(outputs, distance).pairs if p.key_rate_per_pulse > 0.0]
    return float(max(keyed)) if keyed else None


def _pairs_above(outputs: Mapping[str, Any], scenario: Scenario, distance: float | None) -> Value:
    return sum(p.beats_plob for p in _at(outputs, distance).pairs)


def _configured_good_km(outputs: Mapping[str, Any], scenario: Scenario) -> list[float]:
    """The scenario's own pair distances (km) at which every pair beats PLOB (distances added
    for outputs at a distance do not count, as in ``qkdchip run``)."""
    evaluation = outputs["network"].evaluation
    return [d for d in scenario.network.pair_distances_km if evaluation.at(d).all_beat_plob]


def _reach(outputs: Mapping[str, Any], scenario: Scenario, distance: float | None) -> Value:
    network: NetworkOutput = outputs["network"]
    if network.reach is None or not _configured_good_km(outputs, scenario):
        return None
    return float(network.reach.distance_km)


def _capability(outputs: Mapping[str, Any], scenario: Scenario, distance: float | None) -> Value:
    good = _configured_good_km(outputs, scenario)
    return float(outputs["network"].evaluation.n_pairs * max(good)) if good else 0.0


def _capability_at_reach(
    outputs: Mapping[str, Any], scenario: Scenario, distance: float | None
) -> Value:
    if _reach(outputs, scenario, distance) is None:
        return 0.0
    return float(outputs["network"].capability_at_reach_km)


def _entries() -> tuple[Output, ...]:
    dev = "devices"
    return (
        Output("fsr_ghz", "GHz", dev, "simulated", "comb ring's free spectral range at the pump",
               float, _device("ring", "fsr_ghz")),
        Output("d2_khz", "kHz", dev, "simulated", "comb ring's dispersion D2/2π", float,
               _device("ring", "d2_khz")),
        Output("q_coupling", "", dev, "simulated", "bus coupler's coupling Q (Q_c)", float,
               _device("coupler", "q_coupling"), log=True),
        Output("vpi_v", "V", dev, "simulated", "phase modulator's Vπ at its drawn length "
               "(simulated Pockels Vπ·L with the band-edge calibration)", float,
               _device("modulator", "vpi_v")),
        Output("vpi_l_v_mm", "V·mm", dev, "simulated", "phase modulator's Vπ·L", float,
               _device("modulator", "vpi_l_v_mm")),
        Output("kappa_per_cm", "1/cm", dev, "simulated", "DBR grating's coupling coefficient κ",
               float, _device("grating", "kappa_per_cm")),
        Output("comb_lines_usable", "", "comb", "derived", "comb lines besides the pump at or "
               "above the scenario's comb.min_line_power_dbm", int, _comb_lines),
        Output("comb_line_power_min_dbm", "dBm", "comb", "derived", "weakest usable comb line "
               "(server output); none without a usable line", float, _comb_power(min)),
        Output("comb_line_power_max_dbm", "dBm", "comb", "derived", "strongest comb line "
               "besides the pump; none without a usable line", float, _comb_power(max)),
        Output("modulator_yield", "", "yield", "derived", "yield of one modulator (fraction)",
               float, _yield("modulator_yield")),
        Output("chip_yield", "", "yield", "derived", "yield of a whole transmitter chip "
               "(fraction)", float, _yield("chip_yield")),
        Output("total_key_rate_bps", "bit/s", "network", "derived", "network throughput at the "
               "distance (every pair's time-shared key rate, summed)", float, _total_key_rate,
               log=True, at_distance=True),
        Output("key_rate_per_pulse_min", "bit/pulse", "network", "derived", "worst pair's "
               "secret key per pulse at the distance", float, _worst_key_rate, log=True,
               at_distance=True),
        Output("qber_x_max", "", "network", "derived", "worst pair's X-basis QBER at the "
               "distance", float, _qber_x, at_distance=True),
        Output("qber_z_max", "", "network", "derived", "worst Z-basis QBER of the pairs with a "
               "key at the distance; none without one", float, _qber_z, at_distance=True),
        Output("pairs_above_plob", "", "network", "derived", "client pairs whose key rate beats "
               "the PLOB bound at the distance", int, _pairs_above, at_distance=True),
        Output("max_distance_km_all_above_plob", "km", "network", "derived", "longest distance "
               "at which every pair beats PLOB (searched); none when no configured distance "
               "qualifies", float, _reach, configured=True),
        Output("networking_capability_km", "km", "network", "derived", "pairs x the longest "
               "configured pair distance at which every pair beats PLOB (N·L/2)", float,
               _capability, configured=True),
        Output("networking_capability_at_max_distance_km", "km", "network", "derived",
               "pairs x the longest distance at which every pair beats PLOB", float,
               _capability_at_reach, configured=True),
    )  # fmt: skip


OUTPUTS: dict[str, Output] = {o.name: o for o in _entries()}
"""Every output a sweep can report, by name."""
