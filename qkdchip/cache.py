"""One on-disk cache for device-simulation results and main-flow stage outputs.

A result is stored under ``<kind>_<16 hex digits>.json``, the digits being the SHA-256 of its
key payload in one canonical form: sorted keys, tuples as lists and every float rounded to
:data:`KEY_DIGITS` significant digits. A key payload holds *inputs only* (design, layer stack,
solver settings, the keys of upstream results, a schema or code version), never a computed
float: the last bits of a computed number change with the CPU's BLAS and libm kernels, a key
must not.

Each file records its kind, key payload and a SHA-256 of its result; a file whose record does
not verify is reported, set aside and recomputed. Lookup order: the user cache (per user, see
:func:`user_cache_dir`), then the results shipped with the package. Writes are atomic.

``offline()`` makes every miss raise :class:`ResultMissingError` (which device, which inputs
changed, how long recomputing would take) instead of computing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from qkdchip.atomic import atomic_write_text, remove_orphans

SHIPPED_DIR = Path(__file__).with_name("data") / "devices"
"""Results of the default devices, shipped with the package."""

CACHE_ENV = "QKDCHIP_CACHE_DIR"
"""Environment variable naming the user cache folder of device results."""

KEY_DIGITS = 12
"""Significant digits a float keeps in a key payload (input floats such as 0.1 + 0.2 then key
the same as 0.3; a double has 15-17)."""

RECORD_SCHEMA = 2
"""Layout of a cache file (``schema``, ``kind``, ``key``, ``result``, ``sha256``)."""

TYPICAL_SECONDS: dict[str, float] = {
    "modes": 15.0,
    "ring": 150.0,
    "coupler_supermodes": 40.0,
    "coupler_supermodes_meep": 300.0,
    "grating": 180.0,
    "mmi": 45.0,
}
"""Typical time of one computation of each device kind on two cores, in s (for messages)."""

log = logging.getLogger(__name__)

_offline: ContextVar[bool] = ContextVar("qkdchip_cache_offline", default=False)
_recorded: ContextVar[list[str] | None] = ContextVar("qkdchip_cache_recorded", default=None)


class ResultMissingError(RuntimeError):
    """A result is not cached and computing it is not allowed (offline) or not possible."""


class CorruptRecordError(ValueError):
    """A cache file that does not hold a valid record for its name."""


def user_cache_dir() -> Path:
    """Folder of the per-user device cache.

    ``$QKDCHIP_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/qkdchip/devices`` (default
    ``~/.cache/qkdchip/devices``), the same whatever the working directory.
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "qkdchip" / "devices"


def canonical_payload(payload: Any, *, path: str = "payload") -> Any:
    """``payload`` in canonical JSON types: floats to :data:`KEY_DIGITS` digits, tuples as lists.

    Raises:
        ValueError: a NaN or infinite float, or a value that is not a JSON type (the message
            names where it is).
    """
    if isinstance(payload, bool) or payload is None or isinstance(payload, int | str):
        return payload
    if isinstance(payload, float):
        if not math.isfinite(payload):
            raise ValueError(f"{path}={payload!r} must be finite in a cache key")
        rounded = float(f"{payload:.{KEY_DIGITS}g}")
        return 0.0 if rounded == 0 else rounded
    if isinstance(payload, dict):
        return {str(k): canonical_payload(v, path=f"{path}.{k}") for k, v in payload.items()}
    if isinstance(payload, list | tuple):
        return [canonical_payload(v, path=f"{path}[{i}]") for i, v in enumerate(payload)]
    if hasattr(payload, "item") and callable(payload.item):  # numpy scalar
        return canonical_payload(payload.item(), path=path)
    raise ValueError(f"{path} has type {type(payload).__name__}, not a JSON type")


def source_hash(modules: Sequence[str]) -> str:
    """SHA-256 (16 hex digits) of the source files of the given modules or packages.

    A key that names the code behind a result follows every change of that code. The files
    are read again only when one of them changes (its path, size or modification time).
    """
    stamps: list[tuple[str, int, int]] = []
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ValueError(f"module {name!r} is not importable; cannot hash its source")
        root = Path(spec.origin).parent if spec.submodule_search_locations else None
        for path in sorted(root.rglob("*.py")) if root else [Path(spec.origin)]:
            stat = path.stat()
            stamps.append((str(path), stat.st_size, stat.st_mtime_ns))
    return _files_hash(tuple(stamps))


@functools.lru_cache(maxsize=64)
def _files_hash(stamps: tuple[tuple[str, int, int], ...]) -> str:
    """SHA-256 (16 hex digits) of the files named in ``stamps``, in order."""
    digest = hashlib.sha256()
    for path, _, _ in stamps:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def _canonical_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def cache_key(kind: str, payload: dict[str, Any]) -> str:
    """File stem ``<kind>_<16 hex digits>`` of a result (SHA-256 of the canonical payload)."""
    if not kind.isidentifier():
        raise ValueError(f"kind={kind!r} must be an identifier")
    text = _canonical_text({"kind": kind, **canonical_payload(payload)})
    return f"{kind}_{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _checksum(result: Any) -> str:
    return hashlib.sha256(_canonical_text(result).encode()).hexdigest()


def read_record(path: Path, kind: str, payload: dict[str, Any]) -> Any:
    """The result stored in ``path`` for (kind, payload), verified.

    Raises:
        CorruptRecordError: unreadable, not a record, another key, or a wrong checksum.
    """
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptRecordError(f"{path}: not a readable JSON record ({exc})") from exc
    if not isinstance(record, dict) or record.get("schema") != RECORD_SCHEMA:
        raise CorruptRecordError(f"{path}: not a cache record of schema {RECORD_SCHEMA}")
    if record.get("kind") != kind or record.get("key") != canonical_payload(payload):
        raise CorruptRecordError(f"{path}: holds another key than its name says")
    if record.get("sha256") != _checksum(record.get("result")):
        raise CorruptRecordError(f"{path}: result does not match its checksum")
    return record["result"]


def write_record(folder: Path, kind: str, payload: dict[str, Any], result: Any) -> Path:
    """Store ``result`` for (kind, payload) in ``folder`` atomically; returns the file (and
    deletes the temporary files that killed writers left in ``folder``)."""
    remove_orphans(folder)
    record = {
        "schema": RECORD_SCHEMA,
        "kind": kind,
        "key": canonical_payload(payload),
        "result": result,
        "sha256": _checksum(result),
    }
    text = json.dumps(record, indent=1, sort_keys=True, allow_nan=False) + "\n"
    return atomic_write_text(folder / f"{cache_key(kind, payload)}.json", text)


def lookup(
    kind: str, payload: dict[str, Any], folders: tuple[Path, ...] | None = None
) -> tuple[Any, Path] | None:
    """The cached result for (kind, payload) and the file it came from, or None.

    A file that does not verify is reported (logged), set aside when it is in the user cache,
    and treated as missing.
    """
    name = f"{cache_key(kind, payload)}.json"
    for folder in folders or (user_cache_dir(), SHIPPED_DIR):
        path = folder / name
        if not path.is_file():
            continue
        try:
            return read_record(path, kind, payload), path
        except CorruptRecordError as exc:
            log.warning("discarding a bad cache entry: %s", exc)
            if folder != SHIPPED_DIR:
                path.unlink(missing_ok=True)
    return None


def _differences(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in sorted(set(old) | set(new)):
            sub = f"{path}.{k}" if path else k
            if k not in old or k not in new:
                out.append(sub)
            else:
                out.extend(_differences(old[k], new[k], sub))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            d
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for d in _differences(a, b, f"{path}[{i}]")
        ]
    if old != new:
        shown = json.dumps(old)[:40], json.dumps(new)[:40]
        return [f"{path or 'payload'} {shown[0]} -> {shown[1]}"]
    return []


def explain_miss(kind: str, payload: dict[str, Any]) -> str:
    """Why (kind, payload) has no cached result: the inputs that differ from the nearest one."""
    new = canonical_payload(payload)
    best: list[str] | None = None
    for folder in (user_cache_dir(), SHIPPED_DIR):
        for path in sorted(folder.glob(f"{kind}_*.json")):
            if path.stem.rsplit("_", 1)[0] != kind:
                continue
            try:
                old = json.loads(path.read_text(encoding="utf-8")).get("key")
            except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
                continue
            diff = _differences(old, new)
            if best is None or len(diff) < len(best):
                best = diff
    if best is None:
        return f"no {kind} result is cached"
    return "inputs changed: " + "; ".join(best[:4]) + (" ..." if len(best) > 4 else "")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


@contextlib.contextmanager
def offline(enabled: bool = True) -> Iterator[None]:
    """Within the block, a cache miss raises :class:`ResultMissingError` instead of computing."""
    token = _offline.set(enabled)
    try:
        yield
    finally:
        _offline.reset(token)


@contextlib.contextmanager
def recording() -> Iterator[list[str]]:
    """Collect the key of every result served or computed within the block, in order."""
    keys: list[str] = []
    token = _recorded.set(keys)
    try:
        yield keys
    finally:
        _recorded.reset(token)


def _record(kind: str, payload: dict[str, Any]) -> None:
    keys = _recorded.get()
    if keys is not None:
        keys.append(cache_key(kind, payload))


def cached(
    kind: str,
    payload: dict[str, Any],
    compute: Callable[[], Any],
    *,
    fresh: bool = False,
    folder: Path | None = None,
) -> tuple[Any, bool]:
    """Return the cached result for (kind, payload), or compute, store and return it.

    Args:
        kind: result family (``"modes"``, ``"ring"``, a flow stage, ...), the file-name prefix.
        payload: the inputs the result depends on (JSON types, no computed floats).
        compute: produces the result (JSON types) when no cached copy is used.
        fresh: ignore cached copies and recompute.
        folder: the only folder to read and write (default: the user cache, then the shipped
            results; writes go to the user cache).

    Returns:
        (result, whether it came from the cache).

    Raises:
        ResultMissingError: a miss inside :func:`offline`.
    """
    folders = (folder,) if folder is not None else None
    if not fresh:
        hit = lookup(kind, payload, folders)
        if hit is not None:
            _record(kind, payload)
            return hit[0], True
    expected = TYPICAL_SECONDS.get(kind)
    if expected is not None:
        why = "recomputing as asked (fresh)" if fresh else explain_miss(kind, payload)
        message = (
            f"{kind} result {cache_key(kind, payload)} is not cached ({why}); "
            f"computing it takes about {_duration(expected)} with meep/MPB"
        )
        if _offline.get():
            raise ResultMissingError(message + "; not computed (offline)")
        log.warning(message)
    start = time.monotonic()
    result = compute()
    write_record(folder or user_cache_dir(), kind, payload, result)
    _record(kind, payload)
    if expected is not None:
        log.warning("%s computed in %s", kind, _duration(time.monotonic() - start))
    return result, False
