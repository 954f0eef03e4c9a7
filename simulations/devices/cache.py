"""On-disk cache of device-simulation results, keyed by a hash of design, stack and settings.

Lookup order: the user cache (``$QKDCHIP_CACHE_DIR``, default ``./.qkdchip_cache/devices``),
then the results shipped with the package (``qkdchip/simulations/devices/data``). Writes go to
the user cache, atomically (temporary file, then ``os.replace``). Every file records its key
payload, so a result can always be traced back to what produced it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qkdchip.atomic import atomic_write_json

SHIPPED_DIR = Path(__file__).with_name("data")
CACHE_ENV = "QKDCHIP_CACHE_DIR"


def user_cache_dir() -> Path:
    """Folder of the user cache (``$QKDCHIP_CACHE_DIR`` or ``./.qkdchip_cache/devices``)."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.cwd() / ".qkdchip_cache" / "devices"


def _canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)


def cache_key(kind: str, payload: dict[str, Any]) -> str:
    """File stem ``<kind>_<16 hex digits>`` of a result (SHA-256 of the canonical JSON)."""
    if not kind.isidentifier():
        raise ValueError(f"kind={kind!r} must be an identifier")
    digest = hashlib.sha256(_canonical({"kind": kind, **payload}).encode()).hexdigest()
    return f"{kind}_{digest[:16]}"


def lookup(kind: str, payload: dict[str, Any]) -> tuple[dict[str, Any], Path] | None:
    """The cached result for ``payload`` and the file it came from, or None."""
    name = cache_key(kind, payload) + ".json"
    for folder in (user_cache_dir(), SHIPPED_DIR):
        path = folder / name
        if path.exists():
            record = json.loads(path.read_text())
            if record.get("key") == json.loads(_canonical(payload)):
                return record["result"], path
    return None


def cached(
    kind: str,
    payload: dict[str, Any],
    compute: Callable[[], dict[str, Any]],
    *,
    fresh: bool = False,
    target_dir: Path | None = None,
) -> tuple[dict[str, Any], bool]:
    """Return the cached result for ``payload`` or compute and store it.

    Args:
        kind: result family (``"modes"``, ``"ring"``, ...), the file-name prefix.
        payload: everything the result depends on (JSON types).
        compute: produces the result dict when no cached copy is used.
        fresh: ignore cached copies and recompute.
        target_dir: folder to write to (default: the user cache).

    Returns:
        (result, from_cache).
    """
    if not fresh:
        hit = lookup(kind, payload)
        if hit is not None:
            return hit[0], True
    result = compute()
    folder = target_dir or user_cache_dir()
    record = {"key": json.loads(_canonical(payload)), "result": result}
    atomic_write_json(folder / (cache_key(kind, payload) + ".json"), record, indent=1)
    return result, False
