"""``qkdchip comb`` rejects malformed --design items with a message naming the item."""

from __future__ import annotations

import pytest

from qkdchip.cli import main


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("fsr_hz=abc", "--design fsr_hz='abc' must be a number"),
        ("amx=one:45e6", "amx='one:45e6' must be MU:SHIFT_HZ"),
        ("amx=1", "amx='1' must be MU:SHIFT_HZ"),
        ("radius=5", "--design key 'radius' unknown"),
        ("fsr_hz", "must be KEY=VALUE"),
    ],
)
def test_bad_design_item_is_one_line_error(
    item: str, message: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["comb", "--design", item, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--pump-mw", "0"], "--pump-mw=0.0 must be > 0"),
        (["--sweep", "100"], "--sweep='100' must be START:STOP in MHz"),
        (["--sweep", "a:b"], "--sweep='a:b' must be START:STOP in MHz"),
    ],
)
def test_bad_pump_or_sweep_is_one_line_error(
    option: list[str], message: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["comb", *option, "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert not any(tmp_path.iterdir())
