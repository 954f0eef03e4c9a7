"""Every input gets an answer: generated values through the CLI and the scenario loader.

A valid input gives exit 0 and finite numbers; an invalid one exit 2 and one line naming the
parameter; never a traceback, another exit code or NaN/Infinity in the output. The commands run
in-process; the slow ones (the comb's LLE, the yield Monte Carlo, a mask cell) are driven with
values that stop at validation, whose valid runs other tests cover.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qkdchip.cli import main
from qkdchip.scenarios import scenario_from_dict
from qkdchip.scenarios.loader import SCENARIO_DIR

NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["", " ", "abc", "1e300", "-1e300", "1e-300", "nan", "-inf", "0x10", "1,5"]),
)
"""Command-line values: any float or integer as text, and text that is no number."""

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse's own usage errors
            code = int(stop.code or 0)
    return code, out.getvalue(), err.getvalue()


def _reject_constant(name: str) -> float:
    raise AssertionError(f"{name} in the output")


def _check_answer(code: int, out: str, err: str, names: tuple[str, ...]) -> None:
    assert "Traceback" not in out + err
    assert code in (0, 2), (code, err)
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert "error" in lines[0], lines[0]
        assert any(n in lines[0] for n in names), lines[0]
    else:
        json.loads(out, parse_constant=_reject_constant)


KEYRATE_OPTIONS = {
    "--distance-km": ("--distance-km",),
    "--loss-db-per-km": ("loss_a_db_per_km", "--loss-db-per-km"),
    "--extra-loss-db": ("extra_loss_a_db", "--extra-loss-db"),
    "--detector-efficiency": ("detector_efficiency", "--detector-efficiency"),
    "--dark-count-per-pulse": ("dark_count_per_pulse", "--dark-count-per-pulse"),
    "--misalignment": ("misalignment", "--misalignment"),
    "--ec-efficiency": ("ec_efficiency", "--ec-efficiency"),
    "--repetition-rate-hz": ("repetition_rate_hz", "--repetition-rate-hz"),
    "--finite": ("n_pulses", "--finite"),
    "--arm-a-fraction": ("--arm-a-fraction",),
}


@pytest.mark.parametrize("option", sorted(KEYRATE_OPTIONS))
@FAST
@given(value=NUMBER_TEXT)
def test_keyrate_answers_every_value(option: str, value: str) -> None:
    argv = ["keyrate", "--protocol", "sns", "--distance-km", "300", "--json", option, value]
    code, out, err = _run(argv)
    _check_answer(code, out, err, KEYRATE_OPTIONS[option])
    if code == 0:
        for row in json.loads(out)["results"]:
            assert math.isfinite(row["key_rate_per_pulse"])
            assert row["key_rate_per_pulse"] >= 0.0


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _finite_in(low: float, high: float, *, integer: bool = False) -> Callable[[float], bool]:
    def valid(number: float) -> bool:
        whole = number.is_integer() if integer else True
        return math.isfinite(number) and low <= number <= high and whole

    return valid


REFUSALS: dict[str, tuple[list[str], str, Callable[[float], bool]]] = {
    "comb": (["comb", "--pump-mw"], "--pump-mw", lambda x: 0.0 < x <= 1e4),
    "yield": (["yield", "--wafers"], "--wafers", _finite_in(1, 65536, integer=True)),
    "mask": (["mask", "--cell", "pad_dc", "--param", "size_um="], "size_um", _finite_in(20, 1.5e5)),
}
"""Slow commands: the argv up to the value, the name the error must give, the valid values."""


@pytest.mark.parametrize("command", sorted(REFUSALS))
@FAST
@given(value=NUMBER_TEXT)
def test_slow_commands_refuse_every_bad_value_before_running(command: str, value: str) -> None:
    argv, name, valid = REFUSALS[command]
    number = _number(value)
    assume(number is None or not valid(number))
    joined = argv[-1].endswith("=")  # KEY=VALUE in one argument
    argv = [*argv[:-1], argv[-1] + value] if joined else [*argv, value]
    with tempfile.TemporaryDirectory() as out_dir:
        code, out, err = _run([*argv, "--out", out_dir])
        assert not any(Path(out_dir).iterdir())
    _check_answer(code, out, err, (name,))
    assert code == 2


@FAST
@given(value=NUMBER_TEXT)
def test_simulate_answers_every_grating_period_offline(value: str) -> None:
    """A shipped period is served, a new one is reported missing (exit 1, ``--offline``), a bad
    one refused."""
    code, out, err = _run(
        ["simulate", "grating", "--design", f"period_nm={value}", "--offline", "--json"]
    )
    assert "Traceback" not in out + err
    if code == 1:
        assert len(err.strip().splitlines()) == 1
        assert "offline" in err
    else:
        _check_answer(code, out, err, ("period_nm",))


@FAST
@given(value=NUMBER_TEXT)
def test_run_and_network_refuse_every_bad_value_before_running(value: str) -> None:
    number = _number(value)
    assume(number is None or not (math.isfinite(number) and 50.0 <= number <= 5000.0))
    with tempfile.TemporaryDirectory() as out_dir:
        argv = ["run", "--design", f"phase_modulator.length_um={value}", "--out", out_dir]
        code, out, err = _run([*argv, "--gds-out", out_dir])
        assert not any(Path(out_dir).iterdir())
    _check_answer(code, out, err, ("length_um",))
    assert code == 2
    assume(number is None or not (math.isfinite(number) and 0.0 <= number <= 5000.0))
    code, out, err = _run(["network", "--distance-km", value])
    _check_answer(code, out, err, ("--distance-km",))
    assert code == 2


def _leaves(table: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths to every value of a TOML table (the first element of an array of tables)."""
    out = []
    for key, value in table.items():
        if isinstance(value, dict):
            out += _leaves(value, (*prefix, key))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out += [
                (*prefix, key, "0", *rest[len(prefix) + 1 :])
                for rest in _leaves(value[0], (*prefix, key))
            ]
        else:
            out.append((*prefix, key))
    return out


REFERENCE = tomllib.loads((SCENARIO_DIR / "weiming.toml").read_text(encoding="utf-8"))
LEAVES = _leaves(REFERENCE)

TOML_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.text(max_size=8),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
    st.just({}),
)
"""Anything a TOML file can hold where a value is expected."""


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node: Any = data
    for key in path[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[path[-1]] = value


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(LEAVES), value=TOML_VALUES)
def test_the_scenario_loader_answers_every_value(path: tuple[str, ...], value: Any) -> None:
    data = copy.deepcopy(REFERENCE)
    _set(data, path, value)
    try:
        scenario_from_dict(data, source="generated.toml")
    except ValueError as err:
        message = str(err)
        assert "\n" not in message
        assert path[-1] in message, message
