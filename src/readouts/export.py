"""Export the store's engagements: CSV, JSON Lines or Parquet, one row per engagement.

Rows are the dicts of ``readouts.read.rows`` (one per report, with the event's ``reports``,
``sources`` and ``documents``), the rows ``readouts query`` and the web's exports give. They
are streamed in batches, so an export runs in constant memory, and written to a temporary file
renamed into place, so a failed export never leaves a half-written file behind. CSV cells are
formula-safe (``readouts.read.rows.csv_safe``).
"""
from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from itertools import islice
from pathlib import Path
from typing import IO, Any

from readouts.read.rows import CSV_COLUMNS, csv_record, format_participants, row_countries, write_csv
from readouts.store import Store

__all__ = ["CSV_COLUMNS", "FORMATS", "ExportError", "csv_record", "export", "format_participants",
           "format_table", "row_countries", "write_csv", "write_jsonl", "write_parquet"]

FORMATS = ("csv", "jsonl", "parquet")
_PARQUET_CHUNK = 1000


class ExportError(Exception):
    """An export that cannot be done as asked (unknown format, parquet to stdout, ...)."""


def write_jsonl(rows: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(dict(row), ensure_ascii=False) + "\n")
        n += 1
    return n


_SOURCE_FIELDS = ("document_id", "document_key", "outlet", "published", "url", "title")


def _parquet_schema():  # noqa: ANN202 - pyarrow is imported lazily
    """Typed columns: date_start is a date, lat/lon/goldstein are floats, canonical a bool,
    lists are lists (``date`` stays text: it may be a year or a month)."""
    import pyarrow as pa

    text = pa.string()
    participant = pa.struct([("name", text), ("country", text), ("title", text)])
    source = pa.struct([(k, text) for k in _SOURCE_FIELDS] + [("canonical", pa.bool_())])
    types = {name: text for name in CSV_COLUMNS}
    types.update(countries=pa.list_(text), participants=pa.list_(participant), actor_ids=pa.list_(text),
                 documents=pa.list_(text), sources=pa.list_(source), date_start=pa.date32(), lat=pa.float64(),
                 lon=pa.float64(),
                 goldstein=pa.float64(), canonical=pa.bool_())
    return pa.schema([(name, types[name]) for name in CSV_COLUMNS])


def _parquet_record(row: Mapping[str, Any]) -> dict[str, Any]:
    start = row.get("date_start")
    return {**{k: row.get(k) for k in CSV_COLUMNS}, "countries": row_countries(row),
            "date_start": date.fromisoformat(start) if start else None,
            "documents": list(row.get("documents") or ()),
            "actor_ids": list(row.get("actor_ids") or ()),
            "sources": [{k: s.get(k) for k in (*_SOURCE_FIELDS, "canonical")} for s in row.get("sources") or ()],
            "participants": [{k: p.get(k) for k in ("name", "country", "title")} for p in row["participants"]]}


def write_parquet(rows: Iterable[Mapping[str, Any]], path: str | Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    n = 0
    it: Iterator[Mapping[str, Any]] = iter(rows)
    with pq.ParquetWriter(str(path), schema) as writer:
        while chunk := list(islice(it, _PARQUET_CHUNK)):
            writer.write_table(pa.Table.from_pylist([_parquet_record(row) for row in chunk], schema=schema))
            n += len(chunk)
        if n == 0:
            writer.write_table(schema.empty_table())
    return n


def export(store: Store, fmt: str, path: str | Path, *, include_copies: bool = False) -> int:
    """Write every engagement of ``store`` to ``path`` ('-' = stdout for csv/jsonl) as ``fmt``.

    Engagements of republished copies are left out unless ``include_copies``.
    Returns the number of rows written.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")
    from readouts.store import QueryFilter

    rows = store.iter_engagement_rows(QueryFilter(limit=None, include_copies=include_copies))
    if str(path) == "-":
        if fmt == "parquet":
            raise ExportError("parquet cannot be written to stdout; give a file name")
        return (write_csv if fmt == "csv" else write_jsonl)(rows, sys.stdout)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        if fmt == "parquet":
            os.close(fd)
            n = write_parquet(rows, tmp)
        else:
            with open(fd, "w", encoding="utf-8", newline="") as out:
                n = (write_csv if fmt == "csv" else write_jsonl)(rows, out)
        os.chmod(tmp, 0o666 & ~_umask())  # as any new file: mkstemp makes it private (0600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- the query command's table -------------------------------------------------------------

_TABLE_COLUMNS = (  # (header, width cap)
    ("id", 24),
    ("date", 10),
    ("mode", 10),
    ("participants", 60),
    ("location", 28),
    ("occasion", 36),
)


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def format_table(rows: Iterable[Mapping[str, Any]]) -> str:
    """A fixed-width table: engagement id, date, mode, participants, location, occasion."""
    cells = [
        (
            row.get("id") or "",
            row.get("date") or "",
            row.get("mode") or "",
            format_participants(row["participants"], titles=False),
            ", ".join(x for x in (row.get("location_city"), row.get("location_country")) if x),
            row.get("occasion") or "",
        )
        for row in rows
    ]
    widths = [
        min(cap, max([len(header)] + [len(c[i]) for c in cells]))
        for i, (header, cap) in enumerate(_TABLE_COLUMNS)
    ]
    lines = [
        "  ".join(h.upper().ljust(w) for (h, _), w in zip(_TABLE_COLUMNS, widths)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for c in cells:
        lines.append("  ".join(_cut(v, w).ljust(w) for v, w in zip(c, widths)).rstrip())
    return "\n".join(lines)
