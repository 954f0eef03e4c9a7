"""The scenario-file reference, written from the schema itself.

:func:`scenario_reference_markdown` describes every table and key a scenario file may hold:
the key's TOML type, the value a scenario gets when it leaves the key out, and its meaning,
taken from the ``Attributes:`` section of the dataclass that validates it. The tables are the
loader's own (:mod:`qkdchip.scenarios.loader`), the defaults those of a scenario that sets
nothing (every table falls back, key by key, to the reference scenario), so the page cannot
list a key the loader refuses or miss one it accepts. A field without an ``Attributes:`` entry
is an error, not a blank cell.

:func:`complete_scenario_toml` writes a scenario file that sets every key to its default; it
loads back into the same :class:`~qkdchip.scenarios.schema.Scenario` as a file that sets none.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from dataclasses import dataclass
from typing import Any

from qkdchip.scenarios.loader import (
    _NESTED,
    _NONE_WORDS,
    _SECTIONS,
    _TOP_LEVEL,
    REFERENCE_SCENARIO,
    scenario_from_dict,
)
from qkdchip.scenarios.schema import NetworkSection, Scenario

ARRAY_KEYS: dict[tuple[type, str], str] = {(NetworkSection, "pairs"): "pair"}
"""Fields read from an array of tables under another key (``[[network.pair]]``)."""

_SCALAR_TYPES = {"float": "number", "int": "integer", "bool": "boolean", "str": "string"}
_ROLE = re.compile(r":(?:[a-z]+:)?[a-z]+:`(~?)\.*([^`]+)`")
_ENTRY = re.compile(r"^([A-Za-z_][\w, ]*):\s*(.*)$")

INTRODUCTION = f"""\
# Scenario file

A scenario is one TOML file: `qkdchip run --scenario FILE` (and `network`, `phase`, `sweep`)
reads it. Only `name` is required. Every table is optional and falls back, key by key, to the
shipped reference scenario `{REFERENCE_SCENARIO}`; the *default* column below is the value a
file gets when it leaves the key out. Arrays of tables (`[[network.pair]]`) belong to one
network and are never inherited.

A key typed "or none" also takes one of the words {", ".join(f'`"{w}"`' for w in _NONE_WORDS)}
(TOML has no null): `n_pulses = "asymptotic"` asks for the asymptotic key rate. A wrong key,
type or value stops the run with an error naming the file, `[section] key`, the value and the
allowed range; the ranges are in the descriptions and in the API reference of each record.
"""


@dataclass(frozen=True)
class KeyDoc:
    """One key of a table.

    Attributes:
        key: the key as the file spells it.
        type: its TOML type, in words.
        default: the value a scenario gets without it, as TOML (None: the key is required).
        description: its meaning, units and allowed values (Markdown).
    """

    key: str
    type: str
    default: str | None
    description: str


@dataclass(frozen=True)
class TableDoc:
    """One table of a scenario file.

    Attributes:
        path: dotted path (``network``, ``transmitter.laser``; empty for the top level).
        array: whether it is an array of tables (``[[network.pair]]``).
        summary: what the table describes (Markdown), from its record's docstring.
        keys: its keys, in the record's field order.
        derived: keys refused because they follow from something else -> from what.
    """

    path: str
    array: bool
    summary: str
    keys: tuple[KeyDoc, ...]
    derived: dict[str, str]

    @property
    def header(self) -> str:
        """The table's header line in a file: ``[network]``, ``[[network.pair]]``."""
        return f"[[{self.path}]]" if self.array else f"[{self.path}]"


def inline_markdown(text: str) -> str:
    """Docstring text (reStructuredText inline markup) as Markdown: double-backtick literals
    and cross-reference roles (``:class:``, ``:func:``, ...) become code spans, a role's target
    shortened to its last name when it starts with ``~``."""

    def role(match: re.Match[str]) -> str:
        target = match.group(2)
        return f"`{target.rsplit('.', 1)[-1] if match.group(1) else target}`"

    return _ROLE.sub(role, text).replace("``", "`")


def _docstring_parts(cls: type) -> tuple[str, dict[str, str]]:
    """The docstring of ``cls`` before its ``Attributes:`` section, and that section's entries
    (name -> description, continuation lines joined)."""
    lines = (inspect.getdoc(cls) or "").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Attributes:")
    except StopIteration:
        raise ValueError(f"{cls.__name__} has no 'Attributes:' section in its docstring") from None
    summary = " ".join(" ".join(lines[:start]).split())
    entries: dict[str, list[str]] = {}
    current: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith(" "):
            break  # the next section
        entry_line = line.startswith("    ") and not line.startswith("     ")
        match = _ENTRY.match(line[4:]) if entry_line else None
        if match:
            current = [match.group(2)]
            for name in match.group(1).split(","):
                entries[name.strip()] = current
        elif line.strip():
            current.append(line.strip())
    return summary, {name: " ".join(words) for name, words in entries.items()}


def toml_type(annotation: str) -> str:
    """The TOML type of a field annotation, in words (``float | None``: "number or none")."""
    ann = annotation.replace(" ", "")
    if ann.endswith("|None"):
        return f"{toml_type(ann[: -len('|None')])} or none"
    if ann.startswith("tuple[") and ann.endswith(",...]"):
        inner = toml_type(ann[len("tuple[") : -len(",...]")])
        return f"array of {inner}s"
    if ann in _SCALAR_TYPES:
        return _SCALAR_TYPES[ann]
    raise TypeError(f"no TOML type for the annotation {annotation!r}")


def toml_value(value: Any, annotation: str) -> str:
    """``value`` of a field with ``annotation`` written as TOML (None as ``"none"``)."""
    ann = annotation.replace(" ", "")
    if value is None:
        return json.dumps(_NONE_WORDS[0])
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        inner = ann[len("tuple[") : -len(",...]")]
        return "[" + ", ".join(toml_value(v, inner) for v in value) + "]"
    if isinstance(value, int) and not ann.startswith("float"):
        return str(value)
    return _float_text(float(value))


def _float_text(value: float) -> str:
    """The shortest TOML float that reads back as ``value`` (``0.16``, ``1e9``, ``5e-10``)."""
    if value != 0.0 and not 1e-3 <= abs(value) < 1e5:
        for digits in range(17):
            mantissa, exponent = f"{value:.{digits}e}".split("e")
            text = f"{mantissa}e{int(exponent)}"
            if float(text) == value:
                return text
    text = repr(value)
    return text if any(c in text for c in ".en") else f"{text}.0"


def _nested(annotation: str) -> type | None:
    """The record an annotation names (a nested table), or None for a scalar or list."""
    return _NESTED.get(annotation.replace(" ", ""))


def _array_of(annotation: str) -> type | None:
    """The record of an array-of-tables annotation (``tuple[PairOverride, ...]``), or None."""
    ann = annotation.replace(" ", "")
    if ann.startswith("tuple[") and ann.endswith(",...]"):
        return _NESTED.get(ann[len("tuple[") : -len(",...]")])
    return None


def _field_default(item: dataclasses.Field[Any]) -> Any:
    if item.default is not dataclasses.MISSING:
        return item.default
    if item.default_factory is not dataclasses.MISSING:
        return item.default_factory()
    return dataclasses.MISSING


def _tables(cls: type, path: str, values: Any, *, array: bool = False) -> list[TableDoc]:
    """The table of record ``cls`` at ``path`` and the tables nested in it, in field order.

    ``values`` is the record a scenario without this table gets (None for an array of tables,
    whose entries have only their fields' own defaults).
    """
    summary, described = _docstring_parts(cls)
    keys: list[KeyDoc] = []
    below: list[TableDoc] = []
    for item in dataclasses.fields(cls):
        annotation = str(item.type)
        nested, entry = _nested(annotation), _array_of(annotation)
        if nested is not None:
            below += _tables(nested, f"{path}.{item.name}", getattr(values, item.name))
            continue
        key = ARRAY_KEYS.get((cls, item.name), item.name)
        if entry is not None:
            below += _tables(entry, f"{path}.{key}", None, array=True)
            continue
        if item.name not in described:
            raise ValueError(f"{cls.__name__}.{item.name} has no entry in its Attributes section")
        default = _field_default(item) if values is None else getattr(values, item.name)
        keys.append(
            KeyDoc(
                key=key,
                type=toml_type(annotation),
                default=None if default is dataclasses.MISSING else toml_value(default, annotation),
                description=inline_markdown(described[item.name]),
            )
        )
    derived = {k: inline_markdown(v) for k, v in getattr(cls, "DERIVED", {}).items()}
    own = TableDoc(path, array, inline_markdown(summary), tuple(keys), derived)
    return [own, *below]


def scenario_tables() -> list[TableDoc]:
    """Every table of a scenario file, the top-level keys first (``path`` empty)."""
    default = scenario_from_dict({"name": REFERENCE_SCENARIO})
    fields = {f.name: f for f in dataclasses.fields(Scenario)}
    _, described = _docstring_parts(Scenario)
    top = tuple(
        KeyDoc(
            key=name,
            type=toml_type(str(fields[name].type)),
            default=None
            if _field_default(fields[name]) is dataclasses.MISSING
            else toml_value(_field_default(fields[name]), str(fields[name].type)),
            description=inline_markdown(described[name]),
        )
        for name in _TOP_LEVEL
    )
    tables = [TableDoc("", False, "", top, {})]
    for section, cls in _SECTIONS.items():
        attr = "yield_" if section == "yield" else section
        tables += _tables(cls, section, getattr(default, attr))
    return tables


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown_table(table: TableDoc) -> list[str]:
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for k in table.keys:
        default = "required" if k.default is None else f"`{k.default}`"
        lines.append(f"| `{k.key}` | {k.type} | {_cell(default)} | {_cell(k.description)} |")
    return lines


def scenario_reference_markdown() -> str:
    """The scenario-file reference page (Markdown): an introduction, one section per table
    with a row per key, and a complete file."""
    out = [INTRODUCTION]
    for table in scenario_tables():
        if not table.path:
            out += ["## Top-level keys", "", *_markdown_table(table), ""]
            continue
        depth = "##" if "." not in table.path else "###"
        out += [f"{depth} `{table.header}`", ""]
        if table.array:
            out += ["An array of tables: one entry per overridden item, never inherited.", ""]
        if table.summary:
            out += [table.summary, ""]
        if table.keys:
            out += [*_markdown_table(table), ""]
        for source in dict.fromkeys(table.derived.values()):
            keys = [f"`{k}`" for k, v in table.derived.items() if v == source]
            listed = ", ".join(keys[:-1]) + " and " + keys[-1] if len(keys) > 1 else keys[0]
            verb = "are not inputs: they follow" if len(keys) > 1 else "is not an input: it follows"
            out += [f"{listed} {verb} from {source}.", ""]
    out += [
        "## A complete file",
        "",
        "Every key at its default: this file and a file holding only `name` give the same "
        "scenario.",
        "",
        "```toml",
        complete_scenario_toml().rstrip("\n"),
        "```",
        "",
    ]
    return "\n".join(out)


def complete_scenario_toml(name: str = REFERENCE_SCENARIO) -> str:
    """A scenario file named ``name`` that sets every key to its default (arrays of tables,
    which have none, left out)."""
    lines: list[str] = []
    for table in scenario_tables():
        if table.array or not table.keys:
            continue
        if table.path:
            lines += ["", table.header]
        for k in table.keys:
            value = json.dumps(name) if not table.path and k.key == "name" else k.default
            lines.append(f"{k.key} = {value}")
    return "\n".join(lines).lstrip("\n") + "\n"
