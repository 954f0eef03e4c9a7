"""The ``qkdchip`` command line.

Each sub-command lives in its own module of this package and exposes
``register(subparsers) -> None``, which adds its parser and sets ``handler`` (a function taking
the parsed namespace and returning an exit code). :data:`COMMAND_MODULES` lists them in the
order ``qkdchip --help`` shows. A command with an ``offline`` option runs inside
:func:`qkdchip.cache.offline` when it is given (see :func:`add_offline_option`).

Global options: ``-v`` (progress messages; ``-vv`` details such as cache hits), ``-q`` (no
progress bars or stage lines, only results and errors), ``--log FILE`` (every message, with
times, appended to FILE).

Exit codes: 0 done; 2 an input outside its allowed range (one line naming it); 1 a result that
cannot be had, a file-system error or an internal error (one line; an internal error's traceback
goes to :func:`error_log_path`); 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qkdchip import __version__
from qkdchip.cache import offline

COMMAND_MODULES: tuple[str, ...] = (
    "doctor",
    "run",
    "mask",
    "simulate",
    "comb",
    "yield_cmd",
    "keyrate",
    "network",
    "phase",
    "sweep",
    "completion",
    "sensitivity",
    "optimise",
)


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line plus the help hint."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def parse_assignments(items: Sequence[str], *, option: str) -> dict[str, str]:
    """``["key=value", ...]`` of a repeatable ``option`` as a dictionary of stripped strings.

    Raises:
        ValueError: an item without ``=`` or with an empty key, naming the option and item.
    """
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{option} {item!r} must look like key=value")
        out[key.strip()] = value.strip()
    return out


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """``--workers``, ``--scheduler`` and ``--mpi``: where a sweep's points run (dask) and on
    how many MPI processes each meep job of a point runs; read them with
    :func:`engine_options`."""
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N", help="local worker processes"
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="address of a running dask scheduler (tcp://HOST:8786) instead of a local cluster",
    )
    parser.add_argument(
        "--mpi",
        type=int,
        default=1,
        metavar="N",
        help="run each meep job of a point on N MPI processes (needs meep built with MPI on "
        "the workers; default 1: serial meep)",
    )


def engine_options(args: argparse.Namespace) -> dict[str, Any]:
    """The validated ``workers``, ``scheduler`` and ``mpi_processes`` of
    :func:`add_engine_options` (an MPI run on the local cluster needs this machine's meep to
    be an MPI build).

    Raises:
        ValueError: both ``--workers`` and ``--scheduler``, or a bad or unusable ``--mpi``.
    """
    from qkdchip.simulations.meep_jobs.mpi import check_mpi_processes, require_mpi

    if args.workers is not None and args.scheduler is not None:
        raise ValueError("--workers applies to the local cluster; give --workers or --scheduler")
    if check_mpi_processes(args.mpi, name="--mpi") > 1 and args.scheduler is None:
        require_mpi(args.mpi, name="--mpi")  # the local workers run this machine's meep
    return {"workers": args.workers, "scheduler": args.scheduler, "mpi_processes": args.mpi}


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    """``--scenario`` (a shipped name or a .toml path) and ``--out`` (its results and cache)."""
    parser.add_argument(
        "--scenario",
        default="weiming",
        metavar="NAME|FILE",
        help="shipped scenario name or path to a scenario .toml (default: weiming)",
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="results and cache folder (default: results/<scenario>)",
    )


def add_json_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--json``: print ``what`` as JSON instead of tables."""
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def add_offline_option(parser: argparse.ArgumentParser) -> None:
    """``--offline``: a device result that is not cached is an error, never computed."""
    parser.add_argument(
        "--offline",
        action="store_true",
        help="never run meep/MPB: a device result that is not cached stops with which device, "
        "which inputs changed and how long computing it would take",
    )


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered sub-command."""
    parser = _Parser(
        prog="qkdchip",
        description="Design, simulate and evaluate integrated-photonics TF-QKD networks.",
    )
    parser.add_argument("--version", action="version", version=f"qkdchip {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more messages (-vv: details)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress output, only results and errors"
    )
    parser.add_argument("--log", metavar="FILE", help="append every message, with times, to FILE")
    subparsers = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", parser_class=_Parser
    )
    for name in COMMAND_MODULES:
        importlib.import_module(f"qkdchip.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``qkdchip`` script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    configure_logging(verbose=args.verbose, quiet=args.quiet, log_file=args.log)
    try:
        with offline(getattr(args, "offline", False)):
            return int(args.handler(args))
    except ValueError as err:  # an input outside its allowed range: a usage error
        print(f"qkdchip {args.command}: error: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:  # a result that cannot be had (offline, a failed stage)
        print(f"qkdchip {args.command}: error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # a path that is a file, a folder, missing, read-only, full disk
        where = f"{err.filename}: " if err.filename else ""
        print(f"qkdchip {args.command}: error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"qkdchip {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug: one line here, the traceback in the log
        log = write_traceback_log(err)
        print(
            f"qkdchip {args.command}: internal error: {type(err).__name__}: {err} "
            f"(traceback in {log}; please report it)",
            file=sys.stderr,
        )
        return 1


def configure_logging(*, verbose: int, quiet: bool, log_file: str | None) -> None:
    """Route the ``qkdchip`` loggers: warnings to stderr (``verbose`` 1: progress, 2: details;
    ``quiet``: errors only) and, with ``log_file``, every record with its time to that file."""
    import logging

    logger = logging.getLogger("qkdchip")
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    console = logging.StreamHandler(sys.stderr)
    levels = {0: logging.WARNING, 1: logging.INFO}
    console.setLevel(logging.ERROR if quiet else levels.get(verbose, logging.DEBUG))
    console.setFormatter(logging.Formatter("qkdchip: %(message)s"))
    logger.addHandler(console)
    if log_file is not None:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def error_log_path() -> Path:
    """Where internal errors' tracebacks go: ``$XDG_STATE_HOME/qkdchip/errors.log`` (default
    ``~/.local/state/qkdchip/errors.log``)."""
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "qkdchip" / "errors.log"


def write_traceback_log(err: BaseException) -> Path | str:
    """Append ``err``'s traceback, with the time and command line, to :func:`error_log_path`;
    returns the path, or ``"stderr"`` when the log cannot be written (then it goes there)."""
    text = "".join(traceback.format_exception(err))
    entry = f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} {' '.join(sys.argv)}\n{text}"
    path = error_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(entry)
    except OSError:
        sys.stderr.write(entry)
        return "stderr"
    return path


if __name__ == "__main__":
    sys.exit(main())
