"""JSON round trip for frozen result dataclasses whose array-like fields are tuples."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar, Self


class TupleFieldsRecord:
    """Mixin for frozen dataclasses: tuple fields named in ``_TUPLES`` travel as JSON lists."""

    _TUPLES: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)  # type: ignore[call-overload]
        for name in self._TUPLES:
            data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        data = dict(data)
        for name in cls._TUPLES:
            data[name] = tuple(data[name])
        return cls(**data)
