"""Atomic file output: write to a temporary file in the target folder, then rename.

A crash halfway leaves either the old file or none, never a truncated GDS, cache or report. A
process killed outright (SIGKILL) leaves its temporary file behind; the name carries the
writer's host and process id, and :func:`remove_orphans` deletes those written on this host
whose writer is gone (a folder shared by several machines, as a sweep's cluster may share one,
keeps the other hosts' files).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary path next to ``path``, then rename it to ``path``.

    ``write`` receives a path whose suffix matches ``path`` (writers such as gdsfactory and
    matplotlib pick the format from it). The file gets the usual umask-based permissions.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{path.stem}.{TEMP_TAG}{HOST}.{os.getpid()}-", suffix=path.suffix, dir=path.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


TEMP_TAG = "qkdtmp-"
"""Marks a temporary file of :func:`atomic_write`; the writer's host and process id follow."""
HOST = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname()) or "host"
"""This machine's name as temporary file names carry it (letters, digits and ``_``)."""
ORPHAN_TEMP_FILE = re.compile(rf"^\..*\.{TEMP_TAG}(?P<host>\w+)\.(?P<pid>\d+)-")
"""Name of a temporary file of :func:`atomic_write`: the writer's host and process id."""


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_orphans(folder: str | Path, pattern: re.Pattern[str] = ORPHAN_TEMP_FILE) -> list[Path]:
    """Delete the entries of ``folder`` whose name matches ``pattern`` (group ``pid``: the id
    of the process that made them; group ``host``, if the pattern has one: its machine) and
    whose process, on this machine, no longer runs; returns what was deleted.

    A folder that does not exist holds nothing to delete.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for entry in folder.iterdir():
        match = pattern.match(entry.name)
        if match is None or match.groupdict().get("host", HOST) != HOST:
            continue
        if _process_alive(int(match.group("pid"))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; a file that already holds ``data`` is left as it
    is (a run with nothing new to write works in a read-only folder)."""
    path = Path(path)
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return path
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(
    path: str | Path, data: Any, *, indent: int | None = 2, sort_keys: bool = False
) -> Path:
    """Write ``data`` as strict JSON (no NaN or infinity) to ``path`` atomically."""
    text = json.dumps(data, indent=indent, sort_keys=sort_keys, allow_nan=False)
    return atomic_write_text(path, text + "\n")


def atomic_write_figure(path: str | Path, figure: Any, **savefig: Any) -> Path:
    """Write a matplotlib ``figure`` to ``path`` atomically.

    Args:
        path: output file (its suffix picks the format unless ``savefig`` sets ``format``).
        figure: the ``matplotlib.figure.Figure`` (made without pyplot, so nothing holds it
            once the caller drops it).
        **savefig: keyword arguments of ``Figure.savefig`` (dpi, format, metadata, ...).
    """
    return atomic_write(path, lambda tmp: figure.savefig(tmp, **savefig))
