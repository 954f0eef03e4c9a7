"""One conversion of user values: TOML values and command-line text alike."""

from __future__ import annotations

from typing import Any

import pytest

from qkdchip.components.designs import RingDesign
from qkdchip.values import convert_value, replace_fields


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("2.5", float, 2.5),
        (3, float, 3.0),
        ("1e3", int, 1000),
        (4.0, int, 4),
        (10**30, int, 10**30),  # kept exact, not through a float
        (" True ", bool, True),
        ("false", bool, False),
        (False, bool, False),
        ("rear", str, "rear"),
    ],
)
def test_values_convert_to_the_field_type(value: Any, kind: type, expected: Any) -> None:
    result = convert_value("x", value, kind)
    assert result == expected
    assert type(result) is kind


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        (True, float, "x=True must be a number"),  # a bool is never a number
        ("abc", float, "x='abc' must be a number"),
        ("nan", float, "x='nan' must be finite"),
        (float("inf"), int, "x=inf must be finite"),
        ("1e400", float, "x='1e400' must be finite"),
        ("2.5", int, "x='2.5' must be an integer"),
        ("yes", bool, "x='yes' must be true or false"),
        (1, bool, "x=1 must be true or false"),
        (2.0, str, "x=2.0 must be a string"),
        ([1.0], float, r"x=\[1.0\] must be a number"),
    ],
)
def test_bad_values_name_themselves(value: Any, kind: type, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        convert_value("x", value, kind)


def test_replace_fields_converts_validates_and_names_the_record() -> None:
    ring = replace_fields(RingDesign(), {"radius_um": "900", "gap_um": 2.4}, where="--design")
    assert ring == RingDesign(radius_um=900.0, gap_um=2.4)
    with pytest.raises(ValueError, match=r"^--design: RingDesign has no field 'colour' \(allowed"):
        replace_fields(RingDesign(), {"colour": "red"}, where="--design")
    with pytest.raises(ValueError, match=r"^--design radius_um='big' must be a number$"):
        replace_fields(RingDesign(), {"radius_um": "big"}, where="--design")
    with pytest.raises(ValueError, match=r"^--design: radius_um=-3.0 is outside"):
        replace_fields(RingDesign(), {"radius_um": "-3"}, where="--design")
