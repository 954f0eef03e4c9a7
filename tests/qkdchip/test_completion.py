"""``qkdchip completion``: scripts that name every command, parse and complete in bash."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys

import pytest

from qkdchip.cli import build_parser, main
from qkdchip.cli.completion import SHELLS, completion_script

BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="needs bash")


def _commands() -> list[str]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(sub.choices)


def _complete_in_bash(script: str, *words: str) -> list[str]:
    """What bash offers for the last of ``words`` (the words after ``qkdchip``)."""
    quoted = " ".join(f"'{w}'" for w in words)
    driver = (
        f"{script}\n"
        f"COMP_WORDS=(qkdchip {quoted}); COMP_CWORD={len(words)}\n"
        "_shtab_qkdchip\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    assert BASH is not None
    proc = subprocess.run([BASH], input=driver, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_bash_script_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    commands = _commands()
    assert "completion" in commands
    assert "yield" in commands
    for name in commands:
        assert re.search(rf"\b{name}\b", script), name
    assert re.search(r"^complete .*-F _shtab_qkdchip qkdchip$", script, re.MULTILINE)


@needs_bash
def test_bash_script_has_no_syntax_error() -> None:
    assert BASH is not None
    proc = subprocess.run(
        [BASH, "-n"], input=completion_script("bash"), capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0
    assert proc.stderr == ""


@needs_bash
def test_bash_completes_commands_and_choices() -> None:
    script = completion_script("bash")
    assert set(_complete_in_bash(script, "")) == set(_commands())
    assert _complete_in_bash(script, "yi") == ["yield"]
    assert _complete_in_bash(script, "yield", "--platform", "") == ["inp", "si3n4"]
    assert _complete_in_bash(script, "completion", "") == list(SHELLS)


@pytest.mark.parametrize("shell", ["zsh", "tcsh"])
def test_zsh_and_tcsh_scripts_name_every_command(shell: str) -> None:
    script = completion_script(shell)
    for name in _commands():
        assert re.search(rf"\b{name}\b", script), name
    if shell == "zsh":
        assert script.startswith("#compdef qkdchip")
    else:
        assert re.search(r"^complete qkdchip ", script, re.MULTILINE)


def test_unknown_shell_is_a_one_line_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qkdchip", "completion", "fish"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("qkdchip completion: error: argument shell: invalid choice: 'fish'")
    assert "bash" in lines[0]


def test_completion_script_names_the_bad_shell() -> None:
    with pytest.raises(ValueError, match=r"shell = 'fish' must be one of \['bash', 'zsh'"):
        completion_script("fish")
