"""One JSON round trip for frozen result dataclasses, built from their field types.

A :class:`Record` serialises every field its dataclass declares (tuples as lists, nested
records as objects) and validates the same types on the way back, so a new field cannot be
left out of either direction. pydantic, which gdsfactory already brings, does the work.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any, Self

from pydantic import TypeAdapter


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)


class Record:
    """Mixin for frozen dataclasses of JSON-friendly fields (numbers, strings, tuples, dicts,
    None and other such dataclasses)."""

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON types."""
        return _adapter(type(self)).dump_python(self, mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """The record from :meth:`to_dict`'s output; a missing or mistyped field raises
        ``pydantic.ValidationError`` (a ``ValueError``) naming it."""
        return _adapter(cls).validate_python(data)


def finite_or_none(value: float | None) -> float | None:
    """``value``, or None where it is infinite or missing (strict JSON has no infinity)."""
    return None if value is None or not math.isfinite(value) else float(value)
