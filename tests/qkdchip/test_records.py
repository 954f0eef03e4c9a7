"""Record: every field, the declared derived values, aliases, exclusions and open bounds."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, make_dataclass
from typing import Annotated, ClassVar

import pytest
from pydantic import Field

from qkdchip.records import InfAsNone, Record


@dataclass(frozen=True)
class Check(Record):
    derived: ClassVar[dict[str, str]] = {"ok": "name"}

    name: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Window(Record):
    metric: str
    low: Annotated[float, Field(alias="min"), InfAsNone(-math.inf)] = -math.inf
    high: Annotated[float, Field(alias="max"), InfAsNone(math.inf)] = math.inf


@dataclass(frozen=True)
class Run(Record):
    derived: ClassVar[tuple[str, ...]] = ("n_checks", "worst")

    checks: tuple[Check, ...]
    gain: float
    scratch: Annotated[tuple[int, ...], Field(exclude=True)] = ()

    @property
    def n_checks(self) -> int:
        return len(self.checks)

    @property
    def worst(self) -> float:
        return -self.gain


def test_derived_values_follow_the_fields_or_the_field_they_name() -> None:
    run = Run(checks=(Check("a"), Check("b", ("short",))), gain=2.0, scratch=(1,))
    data = run.to_dict()
    assert list(data) == ["checks", "gain", "n_checks", "worst"]
    assert data["n_checks"] == 2
    assert data["worst"] == -2.0
    # a nested record carries its derived values too, in their place
    assert data["checks"][1] == {"name": "b", "ok": False, "problems": ["short"]}
    assert json.dumps(data)


def test_from_dict_ignores_the_derived_values() -> None:
    check = Check("b", ("short",))
    assert Check.from_dict(check.to_dict()) == check
    assert Check.from_dict({"name": "b", "ok": True, "problems": ["short"]}).ok is False


def test_an_excluded_field_is_left_out_and_read_back_as_its_default() -> None:
    run = Run(checks=(Check("a"),), gain=1.0, scratch=(1, 2))
    assert "scratch" not in run.to_dict()
    assert Run.from_dict(run.to_dict()) == Run(checks=(Check("a"),), gain=1.0)


def test_a_new_field_is_written_without_touching_to_dict() -> None:
    wider = make_dataclass("Wider", [("extra_db", float, 3.0)], bases=(Check,), frozen=True)
    record = wider(name="c")
    assert record.to_dict() == {"name": "c", "ok": True, "problems": [], "extra_db": 3.0}
    assert wider.from_dict(record.to_dict()) == record


def test_open_bounds_are_written_as_none_and_read_back_as_infinities() -> None:
    both_open = Window("threshold_ma")
    assert both_open.to_dict() == {"metric": "threshold_ma", "min": None, "max": None}
    assert Window.from_dict(both_open.to_dict()) == both_open
    closed = Window("vpi_v", low=0.0, high=3.5)
    assert closed.to_dict() == {"metric": "vpi_v", "min": 0.0, "max": 3.5}
    assert Window.from_dict(closed.to_dict()) == closed


def test_a_plain_float_field_keeps_its_infinity() -> None:
    """Only a field marked with InfAsNone writes None; the others give back what they hold."""
    assert Run(checks=(), gain=math.inf).to_dict()["gain"] == math.inf


def test_a_derived_name_must_be_a_property_after_a_field() -> None:
    @dataclass(frozen=True)
    class NotAProperty(Record):
        derived: ClassVar[tuple[str, ...]] = ("name",)
        name: str

    @dataclass(frozen=True)
    class NoSuchField(Record):
        derived: ClassVar[dict[str, str]] = {"size": "width"}
        name: str

        @property
        def size(self) -> int:
            return len(self.name)

    with pytest.raises(TypeError, match="'name' is not a property"):
        NotAProperty("x").to_dict()
    with pytest.raises(TypeError, match="'size' follows 'width', not a field"):
        NoSuchField("x").to_dict()
