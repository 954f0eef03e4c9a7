"""The scenario a sweep starts from, and a sweep point's scenario: the base plus overrides.

A parameter is named by its place in the scenario file: ``<section>.<key>``
(``fibre.loss_db_per_km``, ``transmitter.laser.alpha_factor``), ``design.<record>.<field>``
(``design.ring.gap_um``) or ``seed``. Overrides are written into the parsed TOML and the
scenario is rebuilt by the same loader as ``qkdchip run``'s, so a point is validated exactly
like a scenario file.
"""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from qkdchip.cache import cache_key
from qkdchip.scenarios.loader import resolve_scenario_path, scenario_from_dict
from qkdchip.scenarios.schema import Scenario
from qkdchip.values import convert_value

Scalar = bool | int | float | str
"""A value one sweep parameter takes."""

KINDS: dict[str, type] = {"float": float, "int": int, "bool": bool, "str": str}
"""Field annotations a sweep parameter may have, and the Python type of each."""

_NOT_SWEPT = ("name", "description")
"""Top-level scenario keys that are labels, not inputs."""


def _file_name(attribute: str) -> str:
    """The scenario-file name of a dataclass attribute (``yield_`` is ``[yield]``, ``pairs`` is
    ``[[network.pair]]``)."""
    return {"yield_": "yield", "pairs": "pair"}.get(attribute, attribute)


def set_path(data: dict[str, Any], path: str, value: Scalar) -> None:
    """Set ``path`` (dot-separated table names, then the key) in parsed TOML ``data``."""
    *tables, key = path.split(".")
    table = data
    for name in tables:
        table = table.setdefault(name, {})
    table[key] = value


@dataclass(frozen=True)
class BaseScenario:
    """A scenario file as parsed TOML, with what a sweep needs of it.

    Attributes:
        source: the file name, as errors name it.
        data: the parsed TOML document.
        scenario: the validated scenario of ``data``.
    """

    source: str
    data: dict[str, Any]
    scenario: Scenario

    @classmethod
    def load(cls, name_or_path: str | Path) -> BaseScenario:
        """A shipped scenario by name (``weiming``) or a ``.toml`` file."""
        path = resolve_scenario_path(name_or_path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"{path.name}: not valid TOML: {err}") from None
        return cls(source=path.name, data=data, scenario=scenario_from_dict(data, source=path.name))

    def kind(self, path: str) -> type:
        """The type of parameter ``path`` (``float``, ``int``, ``bool`` or ``str``).

        Raises:
            ValueError: ``path`` names no scalar key of the scenario (the message lists the
                keys allowed where it goes wrong).
        """
        node: Any = self.scenario
        parts = path.split(".")
        annotation = ""
        for depth, part in enumerate(parts):
            where = ".".join(parts[:depth]) or "the scenario"
            if not dataclasses.is_dataclass(node):
                raise ValueError(f"parameter {path!r}: {where} is a value, not a table")
            fields = {
                _file_name(f.name): f
                for f in dataclasses.fields(node)
                if depth > 0 or f.name not in _NOT_SWEPT
            }
            if part not in fields:
                raise ValueError(
                    f"parameter {path!r}: unknown key {part!r} in {where} "
                    f"(allowed: {', '.join(sorted(fields))})"
                )
            field = fields[part]
            node, annotation = getattr(node, field.name), str(field.type)
        if dataclasses.is_dataclass(node):
            keys = ", ".join(sorted(_file_name(f.name) for f in dataclasses.fields(node)))
            raise ValueError(f"parameter {path!r} is a table; name one of its keys ({keys})")
        plain = annotation.replace(" ", "").removesuffix("|None")
        if plain not in KINDS:
            raise ValueError(
                f"parameter {path!r} is a {plain}; a sweep sets single numbers, true/false and "
                "words only"
            )
        return KINDS[plain]

    def convert(self, path: str, value: Any) -> Scalar:
        """``value`` (a number, or command-line text) as parameter ``path``'s type."""
        return convert_value(f"parameter {path}", value, self.kind(path))

    def with_overrides(self, overrides: Mapping[str, Scalar]) -> Scenario:
        """The validated scenario with ``overrides`` (parameter path -> value) applied.

        Raises:
            ValueError: a value the scenario refuses, naming the file, section, key and range.
        """
        data = copy.deepcopy(self.data)
        for path, value in overrides.items():
            set_path(data, path, value)
        return scenario_from_dict(data, source=f"{self.source} (sweep point)")

    @cached_property
    def key(self) -> str:
        """Cache key of the validated base scenario (inputs only)."""
        return cache_key("sweep_scenario", {"scenario": dataclasses.asdict(self.scenario)})

    def point_key(self, overrides: Mapping[str, Scalar]) -> str:
        """Key of a sweep point: the base scenario's key and the overrides, never a computed
        float."""
        return cache_key("sweep_point", {"scenario": self.key, "overrides": dict(overrides)})
