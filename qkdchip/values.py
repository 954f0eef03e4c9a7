"""One conversion of user-given values to the type of the field they set.

Values come from scenario TOML files (already typed) and from ``KEY=VALUE`` command-line text
(``run --design``, ``simulate --design``, ``mask --param``, ``comb --design``). Both pass through
:func:`convert_value`, and :func:`replace_fields` applies a set of them to a frozen design record,
so every entry point accepts the same spellings and words its errors the same way: the name, the
value, what it must be.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, TypeVar

Record = TypeVar("Record")

_TRUE_FALSE = {"true": True, "false": False}


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{where}={value!r} must be a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ValueError(f"{where}={value!r} must be a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{where}={value!r} must be finite")
    return number


def convert_value(where: str, value: Any, kind: type) -> Any:
    """``value`` as ``kind`` (``bool``, ``int``, ``float`` or ``str``).

    Text converts (``"2.5"``, ``"1e3"``, ``"true"``); numbers must be finite, integers whole;
    a bool is never a number.

    Args:
        where: how the error names the value (``"design laser gain_um"``, ``"--param size_um"``).
        value: a TOML value or command-line text.
        kind: the field's type.

    Raises:
        ValueError: ``value`` cannot be a ``kind``; the message names ``where`` and the value.
    """
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE_FALSE:
            return _TRUE_FALSE[value.strip().lower()]
        raise ValueError(f"{where}={value!r} must be true or false")
    if kind is float:
        return _number(where, value)
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        number = _number(where, value)
        if not number.is_integer():
            raise ValueError(f"{where}={value!r} must be an integer")
        return int(number)
    if kind is str:
        if isinstance(value, str):
            return value
        raise ValueError(f"{where}={value!r} must be a string")
    raise TypeError(f"{where}: no conversion to {kind.__name__}")


def replace_fields(record: Record, changes: Mapping[str, Any], *, where: str) -> Record:
    """A copy of the frozen dataclass ``record`` with ``changes`` converted to its fields' types.

    Args:
        record: a design record (its validation runs on the copy).
        changes: field name -> value (TOML value or text).
        where: how errors name the record (``"design laser"``, ``"--design"``).

    Raises:
        ValueError: an unknown field, a value of the wrong type, or one the record refuses.
    """
    fields = {f.name for f in dataclasses.fields(record)}  # type: ignore[arg-type]
    converted = {}
    for name, value in changes.items():
        if name not in fields:
            raise ValueError(
                f"{where}: {type(record).__name__} has no field {name!r} "
                f"(allowed: {sorted(fields)})"
            )
        converted[name] = convert_value(f"{where} {name}", value, type(getattr(record, name)))
    try:
        return dataclasses.replace(record, **converted)  # type: ignore[type-var]
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None
