"""The sweep's results file: one Parquet row per point, written atomically.

Columns: ``point_key``, one column per parameter (named by its path, typed as its scenario key),
one per output (``fsr_ghz``, ``total_key_rate_bps@370km``; null where a point failed or the
quantity does not exist), then ``status``, ``error``, ``requested`` (the outputs the point was
evaluated for), ``stages`` and ``cache_keys`` (JSON: each stage's status and the cache key of
its output), ``scenario_key``, ``seconds`` and ``qkdchip_version``. The file's schema metadata
``qkdchip.sweep`` (JSON) holds the sweep's specification, each output's unit, stage and
provenance, the scenario and the qkdchip version. pyarrow is imported when a file is read or
written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qkdchip.atomic import atomic_write
from qkdchip.sweep.points import PointResult

if TYPE_CHECKING:
    import pyarrow as pa

META_KEY = b"qkdchip.sweep"
"""Schema-metadata key of a results file's description (JSON)."""
FORMAT = "qkdchip-sweep/1"
"""Format name and version, in that description."""

_ARROW_TYPES = {float: "float64", int: "int64", bool: "bool_", str: "string"}


def arrow_type(kind: type) -> pa.DataType:
    """The Arrow type of a parameter or output of Python type ``kind``."""
    import pyarrow as pa

    return getattr(pa, _ARROW_TYPES[kind])()


def _fixed_fields() -> tuple[tuple[str, pa.DataType], ...]:
    import pyarrow as pa

    return (
        ("status", pa.string()),
        ("error", pa.string()),
        ("requested", pa.list_(pa.string())),
        ("stages", pa.string()),
        ("cache_keys", pa.string()),
        ("scenario_key", pa.string()),
        ("seconds", pa.float64()),
        ("qkdchip_version", pa.string()),
    )


@dataclass(frozen=True)
class StoredSweep:
    """A results file as read back.

    Attributes:
        rows: point key -> the row (column -> value, nulls as None).
        schema: the file's Arrow schema.
        meta: its ``qkdchip.sweep`` description.
    """

    rows: dict[str, dict[str, Any]]
    schema: pa.Schema
    meta: dict[str, Any]

    def result(self, point_key: str, paths: Sequence[str]) -> PointResult:
        """The stored point ``point_key`` as a :class:`PointResult` with parameters ``paths``."""
        row = self.rows[point_key]
        requested = tuple(row["requested"] or ())
        return PointResult(
            point_key=point_key,
            inputs={p: row[p] for p in paths},
            outputs={c: row.get(c) for c in requested},
            requested=requested,
            status=row["status"],
            error=row["error"],
            stages=json.loads(row["stages"] or "{}"),
            cache_keys=json.loads(row["cache_keys"] or "{}"),
            seconds=row["seconds"] or 0.0,
            qkdchip_version=row["qkdchip_version"] or "",
        )


def read_results(path: str | Path) -> pa.Table:
    """The results file at ``path`` as an Arrow table (``.to_pandas()`` gives a DataFrame).

    Raises:
        ValueError: the file is Parquet but not a qkdchip sweep's results.
    """
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    if META_KEY not in (table.schema.metadata or {}):
        raise ValueError(
            f"{path}: not a qkdchip sweep results file (no {META_KEY.decode()} metadata)"
        )
    return table


def read_meta(table: pa.Table) -> dict[str, Any]:
    """The ``qkdchip.sweep`` description of a results table."""
    return json.loads(table.schema.metadata[META_KEY])


def load(path: str | Path) -> StoredSweep | None:
    """The results file at ``path``, or None when there is none."""
    if not Path(path).exists():
        return None
    table = read_results(path)
    rows = {row["point_key"]: row for row in table.to_pylist()}
    return StoredSweep(rows=rows, schema=table.schema, meta=read_meta(table))


def row(result: PointResult, scenario_key: str) -> dict[str, Any]:
    """The results-file row of a point."""
    return {
        "point_key": result.point_key,
        **result.inputs,
        **result.outputs,
        "status": result.status,
        "error": result.error,
        "requested": list(result.requested),
        "stages": json.dumps(result.stages, sort_keys=True),
        "cache_keys": json.dumps(result.cache_keys, sort_keys=True),
        "scenario_key": scenario_key,
        "seconds": result.seconds,
        "qkdchip_version": result.qkdchip_version,
    }


def write(
    path: str | Path,
    rows: Sequence[Mapping[str, Any]],
    *,
    inputs: Mapping[str, type],
    outputs: Mapping[str, type],
    meta: Mapping[str, Any],
    previous: StoredSweep | None = None,
) -> Path:
    """Write ``rows`` to ``path`` atomically.

    Args:
        path: the Parquet file.
        rows: the rows, in order (from :func:`row`, or read back).
        inputs: parameter column -> Python type.
        outputs: output column -> Python type.
        meta: the ``qkdchip.sweep`` description (``inputs`` and ``outputs`` lists are added).
        previous: the file read before; its columns that this sweep has not are kept.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    old_meta = previous.meta if previous is not None else {}
    old_fields = {f.name: f.type for f in previous.schema} if previous is not None else {}
    input_fields = {c: arrow_type(k) for c, k in inputs.items()}
    for column in old_meta.get("inputs", []):
        input_fields.setdefault(column, old_fields[column])
    output_fields = {c: arrow_type(k) for c, k in outputs.items()}
    for column in old_meta.get("outputs", {}):
        output_fields.setdefault(column, old_fields[column])
    fields = [
        ("point_key", pa.string()),
        *input_fields.items(),
        *output_fields.items(),
        *_fixed_fields(),
    ]
    output_info = {**old_meta.get("outputs", {}), **meta.get("outputs", {})}
    description = {
        **meta,
        "format": FORMAT,
        "inputs": list(input_fields),
        "outputs": {c: output_info.get(c, {}) for c in output_fields},
    }
    schema = pa.schema(fields, metadata={META_KEY: json.dumps(description, sort_keys=True)})
    table = pa.Table.from_pylist(list(rows), schema=schema)
    return atomic_write(path, lambda tmp: pq.write_table(table, tmp))
