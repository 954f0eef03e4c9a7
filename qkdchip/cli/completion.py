"""``qkdchip completion SHELL``: print the shell-completion script of the whole command line.

The script is generated from the argparse parser by ``shtab``, so it always lists the current
sub-commands and options. Load it for the running shell with ``eval "$(qkdchip completion
bash)"``, or write it once to ``~/.local/share/bash-completion/completions/qkdchip``.
"""

from __future__ import annotations

import argparse
import sys

SHELLS: tuple[str, ...] = ("bash", "zsh", "tcsh")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "completion",
        help="print the shell-completion script (bash, zsh or tcsh)",
        description=__doc__,
    )
    parser.add_argument("shell", choices=SHELLS, help="shell to complete for")
    parser.set_defaults(handler=completion)


def completion_script(shell: str) -> str:
    """The completion script of ``qkdchip`` for ``shell`` (one of :data:`SHELLS`).

    Raises:
        ValueError: ``shell`` not in :data:`SHELLS`.
        RuntimeError: ``shtab`` is not installed.
    """
    if shell not in SHELLS:
        raise ValueError(f"shell = {shell!r} must be one of {list(SHELLS)}")
    try:
        import shtab
    except ModuleNotFoundError as err:
        raise RuntimeError("shell completion needs shtab: pip install shtab") from err
    from qkdchip.cli import build_parser

    script = shtab.complete(build_parser(), shell=shell)
    return script if script.endswith("\n") else script + "\n"


def completion(args: argparse.Namespace) -> int:
    """Write the script for ``args.shell`` to stdout."""
    sys.stdout.write(completion_script(args.shell))
    return 0
