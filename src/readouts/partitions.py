"""Extraction results as Parquet partitions: written by ``readouts extract --format parquet``,
read back by ``readouts ingest`` and ``readouts extract`` without extracting again, and
queryable as they are by DuckDB, Spark or pandas.

A partition folder holds ``part-000000.parquet``, ``part-000001.parquet``, ... (the order of
the inputs: file names sort in run order). Each file has one row per input document,
rejections included, in the columns of :data:`COLUMNS` (docs/PARTITIONS.md). Nothing is
lost: ``raw``, ``clean`` and ``record`` hold the whole input document, the whole clean
document and the exact JSON line ``readouts extract`` writes, so :func:`read` gives back
the same :class:`~readouts.pipeline.Result` objects the extraction made. The other columns
are copies of a few fields for queries. The schema's metadata carries
``readouts = {"format": "readouts-partitions", "version": 1, ...}``: that is how a folder
of partitions is told from any other Parquet files.

Writing is atomic per file (``.part-NNNNNN.parquet.tmp`` renamed when complete), so an
interrupted run leaves whole partitions only.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from readouts import __version__
from readouts.records import CleanDocument, IngestError, RawDocument, Readout

if TYPE_CHECKING:
    import pyarrow as pa

    from readouts.pipeline import Result

FORMAT = "readouts-partitions"
VERSION = 1
METADATA_KEY = b"readouts"
SUFFIX = ".parquet"
EXTRACTED, REJECTED = "extracted", "rejected"
DEFAULT_ROWS = 5000  # documents per partition file
READ_BATCH = 256  # rows decoded at a time when reading: memory stays bounded
ROW_GROUP = 500  # rows written at a time (one Parquet row group): memory stays bounded

# (name, pyarrow type name, nullable, meaning) - docs/PARTITIONS.md shows this table
COLUMNS: tuple[tuple[str, str, bool, str], ...] = (
    ("seq", "int64", False, "position of the document among the run's inputs, from 0"),
    ("status", "string", False, "'extracted', or 'rejected' (bad input: see error)"),
    ("id", "string", True, "the document's id (file name without extension, JSONL id); null for some rejections"),
    ("source", "string", False, "where it was read: path, path:line for JSONL, path@offset for WARC"),
    ("error", "string", True, "why it was rejected ('line 7: not valid JSON: ...'); null when extracted"),
    ("is_readout", "bool", True, "whether the text reports engagements of officials"),
    ("engagements", "int32", True, "number of engagements found"),
    ("title", "string", True, "title of the clean document"),
    ("published", "string", True, "publication date the text carries (YYYY[-MM[-DD]])"),
    ("url", "string", True, "the document's URL, when known"),
    ("language", "string", True, "language of the text (en, zh, ru, ...)"),
    ("content_hash", "string", True, "content hash of the clean text (the store's document key)"),
    ("record", "string", True, "the JSON line `readouts extract` writes for this document (docs/FORMAT.md)"),
    ("clean", "string", True, "the clean document (CleanDocument.as_dict) as JSON: clean text, dates, dropped lines"),
    ("raw", "string", True, "the input document as read (RawDocument.as_dict) as JSON: text or html, url, metadata"),
)


class PartitionError(Exception):
    """A partition folder that cannot be written as asked (not empty, not writable)."""


def schema() -> pa.Schema:
    import pyarrow as pa

    types = {"int64": pa.int64(), "int32": pa.int32(), "string": pa.string(), "bool": pa.bool_()}
    meta = json.dumps({"format": FORMAT, "version": VERSION, "readouts": __version__})
    return pa.schema([pa.field(name, types[kind], nullable=nullable) for name, kind, nullable, _ in COLUMNS],
                     metadata={METADATA_KEY: meta.encode()})


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)  # default=str as the store does


def row(item: Result | IngestError, seq: int) -> dict[str, Any]:
    """The partition row of one result or rejection."""
    if isinstance(item, IngestError):
        return {"seq": seq, "status": REJECTED, "id": item.id, "source": item.source, "error": item.reason}
    readout, doc = item.readout, item.clean
    return {
        "seq": seq, "status": EXTRACTED, "id": item.raw.id, "source": item.raw.source, "error": None,
        "is_readout": readout.is_readout, "engagements": len(readout.engagements), "title": doc.title,
        "published": doc.published, "url": doc.url or item.raw.url, "language": doc.language,
        "content_hash": doc.content_hash, "record": readout.as_json(), "clean": _dumps(doc.as_dict()),
        "raw": _dumps(item.raw.as_dict()),
    }


def table(items: Sequence[Result | IngestError], start: int) -> pa.Table:
    """A table of consecutive items, the first at position ``start``."""
    import pyarrow as pa

    return pa.Table.from_pylist([row(item, start + i) for i, item in enumerate(items)], schema=schema())


def result_of(values: dict[str, Any]) -> Result | IngestError:
    """The result (or rejection) a row holds: the inverse of :func:`row`."""
    from readouts.pipeline import Result

    if values["status"] == REJECTED:
        return IngestError(values["source"], values["error"] or "rejected", values["id"])
    record = json.loads(values["record"])
    readout = Readout.from_dict({"id": record["id"], "is_readout": record["is_readout"], **record["details"]})
    return Result(RawDocument.from_dict(json.loads(values["raw"])),
                  CleanDocument.from_dict(json.loads(values["clean"])), readout)


class Writer:
    """Write results to a partition folder, ``rows`` documents per file, in the order given.

    The folder is created; it must be empty (or hold nothing but other files than
    partitions: a second run into the same folder would mix two runs). Rows go to the open
    file in row groups of at most ``row_group`` documents, so no more than that many are
    held in memory whatever the partition size.
    """

    def __init__(self, folder: str | os.PathLike[str], rows: int = DEFAULT_ROWS, row_group: int = ROW_GROUP) -> None:
        if rows < 1 or row_group < 1:
            raise ValueError(f"rows and row_group must be positive, got {rows} and {row_group}")
        self.folder, self.rows, self.row_group = os.fspath(folder), rows, row_group
        try:
            os.makedirs(self.folder, exist_ok=True)
            existing = [n for n in os.listdir(self.folder) if n.endswith(SUFFIX) or n.endswith(SUFFIX + ".tmp")]
        except OSError as exc:
            raise PartitionError(f"cannot write {self.folder}: {exc.strerror or exc}") from exc
        if existing:
            raise PartitionError(f"{self.folder} already holds Parquet files ({sorted(existing)[0]}, ...); "
                                 "give a new or empty folder")
        self._buffer: list[Result | IngestError] = []
        self._seq = 0  # position of the first buffered item
        self._file: Any = None  # the open pyarrow.parquet.ParquetWriter
        self._in_file = 0  # rows written to the open file
        self.files: list[str] = []

    def add(self, item: Result | IngestError) -> None:
        self._buffer.append(item)
        if len(self._buffer) >= self.row_group or self._in_file + len(self._buffer) >= self.rows:
            self._write()
        if self._in_file >= self.rows:
            self._finish()

    def close(self) -> None:
        """Write what is left (an empty run writes one empty partition, so the folder is one)."""
        if self._buffer or (self._file is None and not self.files):
            self._write()
        if self._file is not None:
            self._finish()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()

    def _paths(self) -> tuple[str, str]:
        name = f"part-{len(self.files):06d}{SUFFIX}"
        return os.path.join(self.folder, name), os.path.join(self.folder, f".{name}.tmp")

    def _write(self) -> None:
        import pyarrow.parquet as pq

        path, tmp = self._paths()
        try:
            if self._file is None:
                self._file = pq.ParquetWriter(tmp, schema(), compression="zstd")
            self._file.write_table(table(self._buffer, self._seq))
        except OSError as exc:
            raise PartitionError(f"cannot write {path}: {exc.strerror or exc}") from exc
        self._in_file += len(self._buffer)
        self._seq += len(self._buffer)
        self._buffer.clear()

    def _finish(self) -> None:
        path, tmp = self._paths()
        try:
            self._file.close()
            os.replace(tmp, path)
        except OSError as exc:
            raise PartitionError(f"cannot write {path}: {exc.strerror or exc}") from exc
        self._file, self._in_file = None, 0
        self.files.append(path)


# --- reading -------------------------------------------------------------------------------


def _is_partition_file(path: str) -> bool:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception:  # noqa: BLE001 - not Parquet, unreadable: not a partition
        return False
    return METADATA_KEY in meta


def is_partitions(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a partition file or a folder holding partition files (directly)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return any(_is_partition_file(p) for p in _parquet_files(path))
    return path.endswith(SUFFIX) and os.path.isfile(path) and _is_partition_file(path)


def _parquet_files(folder: str) -> list[str]:
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(SUFFIX) and not n.startswith((".", "_")))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names]


def count(paths: Iterable[str]) -> int:
    """How many documents (rejections included) these partition files and folders hold."""
    import pyarrow.parquet as pq

    total = 0
    for path in paths:
        for name in _parquet_files(path) if os.path.isdir(path) else [path]:
            try:
                total += pq.ParquetFile(name).metadata.num_rows
            except Exception:  # noqa: BLE001 - read() reports it; one rejection
                total += 1
    return total


def read(paths: Iterable[str | os.PathLike[str]], skipped: Counter[str] | None = None
         ) -> Iterator[Result | IngestError]:
    """The results and rejections held in partition files and folders, in order.

    A folder's files are read in name order. Other files in the folder are counted in
    ``skipped`` by suffix. A file that is not a readouts partition or cannot be read is one
    :class:`IngestError` (``cannot read: ...``), and reading goes on with the next file.
    """
    for path in (os.fspath(p) for p in paths):
        if not os.path.isdir(path):
            yield from _read_file(path)
            continue
        if skipped is not None:
            for name in sorted(os.listdir(path)):
                full = os.path.join(path, name)
                if not name.endswith(SUFFIX) and not name.startswith(".") and os.path.isfile(full):
                    skipped[os.path.splitext(name)[1] or "(no suffix)"] += 1
        for name in _parquet_files(path):
            yield from _read_file(name)


def _read_file(path: str) -> Iterator[Result | IngestError]:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        meta = json.loads((handle.schema_arrow.metadata or {}).get(METADATA_KEY, b"null"))
    except FileNotFoundError:
        yield IngestError(path, "no such file or directory")
        return
    except Exception as exc:  # noqa: BLE001 - a damaged file rejects this file only
        yield IngestError(path, f"cannot read: not a Parquet file ({exc})")
        return
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        yield IngestError(path, "cannot read: a Parquet file, but not readouts partitions")
        return
    if meta.get("version") != VERSION:
        yield IngestError(path, f"cannot read: partition format version {meta.get('version')}; "
                                f"this readouts reads version {VERSION}")
        return
    names = [name for name, *_ in COLUMNS]
    try:
        for batch in handle.iter_batches(batch_size=READ_BATCH, columns=names):
            for values in batch.to_pylist():
                try:
                    yield result_of(values)
                except (ValueError, KeyError, TypeError) as exc:
                    yield IngestError(f"{path}[{values.get('seq')}]", f"cannot read: damaged row ({exc})",
                                      values.get("id"))
    except Exception as exc:  # noqa: BLE001 - truncated or corrupt data pages
        yield IngestError(path, f"cannot read: {exc}")


def split(paths: Sequence[str]) -> list[tuple[bool, list[str]]]:
    """The inputs in runs of ``(holds_partitions, paths)``, in order."""
    runs: list[tuple[bool, list[str]]] = []
    for path in paths:
        kind = path != "-" and is_partitions(path)
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(path)
        else:
            runs.append((kind, [path]))
    return runs
