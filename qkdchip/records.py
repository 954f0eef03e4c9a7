"""One JSON round trip for frozen result dataclasses, built from their field types.

A :class:`Record` serialises every field its dataclass declares (tuples as lists, nested
records as objects) and validates the same types on the way back, so a new field cannot be
left out of either direction. pydantic, which gdsfactory already brings, does the work.

What a record's JSON view adds or changes is declared, never written out field by field:

- ``derived``: properties written besides the fields (from_dict ignores them);
- ``Annotated[T, Field(alias="key")]``: the field under another key, both ways;
- ``Annotated[T, Field(exclude=True)]``: a field left out (it then needs a default to read back);
- ``Annotated[float, InfAsNone(...)]``: an infinite value written as None.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Self, get_type_hints

from pydantic import GetCoreSchemaHandler, TypeAdapter
from pydantic_core import CoreSchema, core_schema


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)


class Record:
    """Mixin for frozen dataclasses of JSON-friendly fields (numbers, strings, tuples, dicts,
    None and other such dataclasses)."""

    derived: ClassVar[tuple[str, ...] | Mapping[str, str]] = ()
    """Properties that :meth:`to_dict` writes besides the fields, wherever the record appears
    (alone or inside another record): a tuple puts them after the fields, in its order; a
    mapping puts each right after the field it names. :meth:`from_dict` ignores them."""

    def to_dict(self) -> dict[str, Any]:
        """Every written field as JSON types, with the derived values in their places."""
        return _adapter(type(self)).dump_python(self, mode="json", by_alias=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """The record from :meth:`to_dict`'s output; a missing or mistyped field raises
        ``pydantic.ValidationError`` (a ``ValueError``) naming it."""
        return _adapter(cls).validate_python(data)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        if cls.derived:
            dataclass_schema = handler.resolve_ref_schema(schema)
            fields = dataclass_schema["schema"]["fields"]
            dataclass_schema["serialization"] = _serialization(cls, fields, handler)
        return schema


def _serialization(cls: type[Record], fields: list[Any], handler: GetCoreSchemaHandler) -> Any:
    """The serializer of ``cls``: its written fields and derived values in order, each value
    serialised by the schema of its own type."""
    written = {
        f["name"]: core_schema.typed_dict_field(
            f["schema"], serialization_alias=f.get("serialization_alias")
        )
        for f in fields
        if not f.get("serialization_exclude")
    }
    after = cls.derived if isinstance(cls.derived, Mapping) else dict.fromkeys(cls.derived, "")
    derived = {}
    for name, anchor in after.items():
        prop = getattr(cls, name, None)
        if not isinstance(prop, property) or name in written:
            raise TypeError(f"{cls.__name__}.derived: {name!r} is not a property of the record")
        if anchor and anchor not in written:
            raise TypeError(f"{cls.__name__}.derived: {name!r} follows {anchor!r}, not a field")
        returns = get_type_hints(prop.fget)["return"]
        derived[name] = core_schema.typed_dict_field(handler.generate_schema(returns))
    order: list[str] = []
    for field in written:
        order += [field, *(name for name, anchor in after.items() if anchor == field)]
    order += [name for name, anchor in after.items() if not anchor]
    keys = {name: written[name] if name in written else derived[name] for name in order}
    return core_schema.plain_serializer_function_ser_schema(
        lambda record: {name: getattr(record, name) for name in order},
        return_schema=core_schema.typed_dict_schema(keys),
    )


@dataclass(frozen=True)
class InfAsNone:
    """Field metadata, ``Annotated[float, InfAsNone(-math.inf)]``: :meth:`Record.to_dict`
    writes an infinite (or NaN) value as None, which strict JSON allows, and
    :meth:`Record.from_dict` reads None back as ``infinity``."""

    infinity: float = math.inf

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(
            lambda value: self.infinity if value is None else value,
            handler(source),
            serialization=core_schema.plain_serializer_function_ser_schema(
                finite_or_none,
                return_schema=core_schema.nullable_schema(core_schema.float_schema()),
            ),
        )


def finite_or_none(value: float | None) -> float | None:
    """``value``, or None where it is infinite or missing (strict JSON has no infinity)."""
    return None if value is None or not math.isfinite(value) else float(value)
