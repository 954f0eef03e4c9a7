"""Read a scenario from TOML, checking every key and value with errors that name the field.

``load_scenario("weiming")`` reads a scenario shipped with the package; any other argument is a
path to a ``.toml`` file. Unknown sections or keys, wrong types and out-of-range values raise
``ValueError`` with the file, the ``[section] key`` and what is allowed.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.scenarios.schema import (
    CombSection,
    NetworkSection,
    PairOverride,
    Scenario,
    TransmitterSection,
    YieldSection,
)
from qkdchip.simulations.network.injection_locking import LaserOperation
from qkdchip.simulations.network.model import FibrePlant, PhaseTracking, Protocol, Server
from qkdchip.simulations.network.visibility import Interference
from qkdchip.simulations.network.wdm import WdmGrid
from qkdchip.values import convert_value

SCENARIO_DIR = Path(__file__).resolve().parent
"""Folder of the scenarios shipped with the package (``<name>.toml``)."""

_SECTIONS: dict[str, type] = {
    "network": NetworkSection,
    "fibre": FibrePlant,
    "server": Server,
    "protocol": Protocol,
    "phase": PhaseTracking,
    "interference": Interference,
    "comb": CombSection,
    "wdm": WdmGrid,
    "transmitter": TransmitterSection,
    "yield": YieldSection,
    "design": ChipDesigns,
}
_NESTED: dict[str, type] = {
    "LaserOperation": LaserOperation,
    "PairOverride": PairOverride,
    **{f.type: f.default_factory for f in dataclasses.fields(ChipDesigns)},  # type: ignore[misc]
}
_TOP_LEVEL = ("name", "description", "seed")
_NONE_WORDS = ("none", "asymptotic")
_SCALARS: dict[str, type] = {"float": float, "int": int, "bool": bool, "str": str}


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def _convert(where: str, annotation: str, value: Any) -> Any:
    ann = annotation.replace(" ", "")
    if ann.endswith("|None"):
        if isinstance(value, str) and value.lower() in _NONE_WORDS:
            return None
        return _convert(where, ann[: -len("|None")], value)
    if ann in _SCALARS:
        return convert_value(where, value, _SCALARS[ann])
    if ann.startswith("tuple[") and ann.endswith(",...]"):
        inner = ann[len("tuple[") : -len(",...]")]
        if not isinstance(value, list):
            raise ValueError(f"{where} must be a list, got {value!r}")
        return tuple(_convert(f"{where}[{i}]", inner, v) for i, v in enumerate(value))
    if ann in _NESTED:
        return _build(_NESTED[ann], value, where)
    raise TypeError(f"{where}: unsupported field type {annotation!r}")


def _build(cls: type, table: Any, where: str) -> Any:
    if not isinstance(table, dict):
        raise ValueError(f"{where} must be a table, got {table!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    names = {("pair" if n == "pairs" and cls is NetworkSection else n): n for n in fields}
    kwargs = {}
    derived: dict[str, str] = getattr(cls, "DERIVED", {})
    for key, value in table.items():
        if key in derived:
            raise ValueError(f"{where}: {key!r} is not an input; it follows from {derived[key]}")
        if key not in names:
            allowed = ", ".join(sorted(names))
            raise ValueError(f"{where}: unknown key {key!r} (allowed: {allowed})")
        name = names[key]
        kwargs[name] = _convert(f"{where} {key}", str(fields[name].type), value)
    try:
        return cls(**kwargs)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


REFERENCE_SCENARIO = "weiming"
"""The shipped scenario every table of every scenario defaults to (one home for defaults)."""


def _over_reference(own: Any, reference: Any) -> Any:
    """``own`` with the keys it leaves out taken from ``reference``, table by table.

    Arrays of tables (``[[network.pair]]``) are overrides of one network, not defaults: they
    are never inherited.
    """
    if not isinstance(own, dict) or not isinstance(reference, dict):
        return own
    out = dict(own)
    for key, value in reference.items():
        if key in out:
            out[key] = _over_reference(out[key], value)
        elif not (isinstance(value, list) and value and isinstance(value[0], dict)):
            out[key] = value
    return out


def reference_tables() -> dict[str, Any]:
    """The tables of :data:`REFERENCE_SCENARIO` (parsed TOML)."""
    text = (SCENARIO_DIR / f"{REFERENCE_SCENARIO}.toml").read_text(encoding="utf-8")
    return {k: v for k, v in tomllib.loads(text).items() if k in _SECTIONS}


def scenario_from_dict(data: dict[str, Any], *, source: str = "scenario") -> Scenario:
    """Build a validated :class:`Scenario` from parsed TOML.

    Every table defaults, key by key, to :data:`REFERENCE_SCENARIO`'s (arrays of tables such as
    ``[[network.pair]]`` excepted).

    Args:
        data: the parsed TOML document.
        source: how errors refer to the document (file name).

    Raises:
        ValueError: naming the section and key of the first problem found.
    """
    if not isinstance(data, dict):
        raise ValueError(f"{source}: the scenario must be a table")
    unknown = [k for k in data if k not in _TOP_LEVEL and k not in _SECTIONS]
    if unknown:
        allowed = ", ".join([*_TOP_LEVEL, *(f"[{s}]" for s in _SECTIONS)])
        raise ValueError(f"{source}: unknown key or section {unknown[0]!r} (allowed: {allowed})")
    if "name" not in data:
        raise ValueError(f"{source}: missing top-level key 'name'")
    kwargs: dict[str, Any] = {
        "name": _convert(f"{source}: name", "str", data["name"]),
        "description": _convert(f"{source}: description", "str", data.get("description", "")),
        "seed": _convert(f"{source}: seed", "int", data.get("seed", 0)),
    }
    reference = reference_tables()
    for section, cls in _SECTIONS.items():
        if section in data or section in reference:
            table = _over_reference(data.get(section, {}), reference.get(section, {}))
            attr = "yield_" if section == "yield" else section
            kwargs[attr] = _build(cls, table, f"{source}: [{section}]")
    try:
        return Scenario(**kwargs)
    except ValueError as err:
        raise ValueError(f"{source}: {err}") from None


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """The file of a shipped scenario name, or the given path; clear error when neither exists."""
    text = str(name_or_path)
    candidate = Path(text)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise FileNotFoundError(f"scenario file {text!r} does not exist")
        return candidate
    shipped = SCENARIO_DIR / f"{text}.toml"
    if shipped.is_file():
        return shipped
    raise ValueError(
        f"unknown scenario {text!r}: not a file and not one of {', '.join(list_scenarios())}"
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load and validate a scenario by shipped name (``weiming``) or TOML file path."""
    path = resolve_scenario_path(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path.name}: not valid TOML: {err}") from None
    return scenario_from_dict(data, source=path.name)
