"""Atomic file output: write to a temporary file in the target folder, then rename.

A crash halfway leaves either the old file or none, never a truncated GDS, cache or report.
"""

from __future__ import annotations

import json
import os
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
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
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


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, data: Any, *, indent: int | None = 2) -> Path:
    """Write ``data`` as strict JSON (no NaN or infinity) to ``path`` atomically."""
    return atomic_write_text(path, json.dumps(data, indent=indent, allow_nan=False) + "\n")


def atomic_write_figure(path: str | Path, figure: Any, **savefig: Any) -> Path:
    """Write a matplotlib ``figure`` to ``path`` atomically and close it (also on failure).

    Args:
        path: output file (its suffix picks the format unless ``savefig`` sets ``format``).
        figure: the ``matplotlib.figure.Figure``.
        **savefig: keyword arguments of ``Figure.savefig`` (dpi, format, metadata, ...).
    """
    import matplotlib.pyplot as plt

    try:
        return atomic_write(path, lambda tmp: figure.savefig(tmp, **savefig))
    finally:
        plt.close(figure)
