"""Read input files and folders into :class:`RawDocument` records, one at a time.

Contract of :func:`iter_inputs`:

* Each path is a file, a folder or ``-`` (standard input). Folders are walked
  recursively, entries sorted by name at each level (files and sub-folders
  interleaved, as ``sorted(Path.rglob("*"))`` would list them); only files with a
  known suffix are read, others are skipped (counted in ``skipped`` when it is given). Symlinked folders are followed
  once (cycles are cut). A file named explicitly is always read: an unknown suffix
  is sniffed (looks like HTML -> HTML, else plain text).
* ``.txt``/``.text`` -> ``RawDocument(text=...)``; ``.html``/``.htm``/``.xhtml`` ->
  ``RawDocument(html=...)``. The id is the file name without its extension
  (``examples/000_abc.txt`` -> ``000_abc``); ``source`` is the path as given, joined
  with the names found under a folder.
* ``.jsonl``/``.ndjson``/``.json``: one JSON object a line with ``id`` and either ``text``
  or ``html`` (a record with both is rejected: which one holds the document is not said); ``url`` is taken when it is a string; every other field goes into
  ``metadata`` (a nested ``metadata`` object is merged in). ``source`` is
  ``path:lineno``. Integer ids become strings; string ids are kept exactly. A ``.json``
  file no larger than ``max_bytes`` that holds one JSON array (or one object, even
  pretty-printed) is read whole; its items get ``source`` ``path[index]``.
* ``<name>.<suffix>.gz`` is decompressed on the fly (``a.jsonl.gz``, ``a.txt.gz``).
* ``.warc``/``.warc.gz`` (web archives, as ``readouts crawl`` writes them): one document per
  ``200`` HTML or text response, id the page URL, source ``path@offset`` of the record
  (``readouts.crawl.archive.iter_warc``).
* Encodings: BOM (UTF-8, UTF-16, UTF-32) first, then a charset the transport declared
  (HTTP, for WARC records), then for HTML a ``<meta charset>``
  declaration, then strict UTF-8, then detection (Windows-1252 when it reads
  cleanly, else ``charset_normalizer``). A non-UTF-8 encoding is recorded in
  ``metadata["encoding"]``.
* Streaming in constant memory: one document is held at a time, JSONL is read line
  by line with a bounded read, and no file or line over ``max_bytes`` is read whole.

Bad input never raises: each problem is yielded as an :class:`IngestError` in the
place of the document, and the stream goes on with the next line or file. Reasons:
``no such file or directory``, ``cannot read: <why>``, ``empty document``,
``binary or undecodable file``, ``document too large: 12.0 MB > 10.0 MB limit``;
JSONL line problems are prefixed with ``line N:`` (``line 7: not valid JSON: ...``,
``line 3: missing "id"``, ``line 4: both "text" and "html": give one of them``). File names
and ids that UTF-8 cannot store (undecodable bytes in a file name) are given with ``\xff``
escapes (:func:`printable`). Only programming errors (such as ``max_bytes < 1``) raise.
"""
from __future__ import annotations

import codecs
import dataclasses
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import charset_normalizer

from readouts.records import IngestError, RawDocument

try:  # a stable helper of charset_normalizer, used to judge a Windows-1252 reading
    from charset_normalizer.md import mess_ratio as _mess_ratio
except ImportError:  # pragma: no cover - older or rearranged charset_normalizer
    _mess_ratio = None

# --- rules -----------------------------------------------------------------------

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
WARC_SUFFIXES = frozenset({".warc"})  # read by readouts.crawl.archive; gzip is per record
WHOLE_JSON_SUFFIXES = frozenset({".json"})  # may hold one array/object instead of lines
GZIP_SUFFIX = ".gz"

STDIN_PATH = "-"
STDIN_SOURCE = "<stdin>"
STDIN_ID = "stdin"

DEFAULT_MAX_BYTES = 10_000_000
SNIFF_BYTES = 4096  # head looked at to tell HTML from text and to find <meta charset>
SKIP_CHUNK_BYTES = 1 << 20  # the rest of an oversized JSONL line is skipped in chunks
MAX_CONTROL_RATIO = 0.10  # more control characters than this -> binary
CP1252_MAX_MESS = 0.2  # charset_normalizer mess ratio under which cp1252 is accepted
MESS_SAMPLE_CHARS = 200_000

JSON_RESERVED_FIELDS = frozenset({"id", "text", "html", "url"})
JSON_METADATA_FIELD = "metadata"

TEXT, HTML, JSONL, WARC = "text", "html", "jsonl", "warc"

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# WHATWG: these labels mean windows-1252; a UTF-16/32 label in ASCII-readable bytes is wrong.
_DECLARED_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252", "utf-16": "utf-8", "utf-16-le": "utf-8",
                     "utf-16-be": "utf-8", "utf-32": "utf-8", "utf-32-le": "utf-8", "utf-32-be": "utf-8"}
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_START = re.compile(
    r"\A\s*(?:<!doctype\s+html|<html\b|<head\b|<body\b|<meta\b|<title\b|<!--|<\?xml\b)", re.IGNORECASE
)
_HTML_TAG = re.compile(r"<(?:html|body|div|p|br|span|article|h[1-6])\b[^>]*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # tab, newlines, \v, \f are fine


# --- entry point -----------------------------------------------------------------


def iter_inputs(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES,
    skipped: Counter[str] | None = None,
) -> Iterator[RawDocument | IngestError]:
    """Yield one :class:`RawDocument` or :class:`IngestError` per input document, in order.

    ``paths`` is an iterable of paths (a single path is accepted too); see the module
    docstring for the formats, ids, sources and reasons. ``max_bytes`` bounds the size
    of one document (a file, or one JSONL line). ``skipped``, when given, counts the files
    found in folders and left unread, by suffix (``{".pdf": 3, "(no suffix)": 1}``).
    """
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be positive, got {max_bytes}")
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    for path in paths:
        for item in _iter_path(os.fsdecode(path), max_bytes, skipped):
            yield _encodable(item)


def count_inputs(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> int | None:
    """How many documents ``iter_inputs`` will yield (rejections included), for a progress bar;
    None when that cannot be known without reading the input (standard input, gzip, a .json
    file that may hold one array). JSONL files are counted by their non-blank lines.
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    total = 0
    for path in map(os.fsdecode, paths):
        if path == STDIN_PATH:
            return None
        if os.path.isdir(path):
            files = [e.path for e in _walk_entries(path)]
        else:
            files = [path]
        for name in files:
            fmt, gzipped, _ = classify(os.path.basename(name))
            if fmt != JSONL:
                total += 1
            elif gzipped or name.lower().endswith(".json"):
                return None
            else:
                total += _count_lines(name)
    return total


def _walk_entries(root: str) -> Iterator[os.DirEntry[str]]:
    """The files ``_walk`` reads under ``root``, in its order (unreadable folders left out)."""
    for entry in _tree(root):
        if not isinstance(entry, IngestError) and classify(entry.name)[0] is not None:
            yield entry


def _tree(root: str) -> Iterator[os.DirEntry[str] | IngestError]:
    """Every file under ``root`` (not folders), depth-first, sorted by name at each level, with
    an explicit stack (no recursion limit); a folder that cannot be listed as an error."""
    visited: set[tuple[int, int]] = set()
    stack: list[Iterator[os.DirEntry[str]]] = []
    entries = _list_dir(root, visited)
    if isinstance(entries, IngestError):
        yield entries
        return
    stack.append(iter(entries))
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
        elif _is_dir(entry):
            entries = _list_dir(entry.path, visited)
            if isinstance(entries, IngestError):
                yield entries
            elif entries:
                stack.append(iter(entries))
        else:
            yield entry


def _count_lines(path: str) -> int:
    """Non-blank lines of a file (1 when it cannot be read: one rejection)."""
    n = 0
    try:
        with open(path, "rb") as fh:
            for line in fh:
                n += bool(line.strip())
    except OSError:
        return 1
    return n


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def printable(name: str) -> str:
    """A file name or id as text that UTF-8 can store: bytes a file name could not decode
    (``os.fsdecode``'s surrogate escapes) become ``\\xff`` escapes, lone surrogates from JSON
    become ``\\ud800`` escapes.

    >>> printable(os.fsdecode(b"caf\\xe9.txt"))
    'caf\\\\xe9.txt'
    """
    if not _SURROGATE.search(name):
        return name
    try:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _scrub(value: Any) -> Any:
    """Text with lone surrogates replaced (U+FFFD), in nested JSON values too."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _encodable(item: RawDocument | IngestError) -> RawDocument | IngestError:
    """The item with every string storable as UTF-8 (one bad file name must not fail a batch)."""
    if isinstance(item, IngestError):
        if not any(_SURROGATE.search(x) for x in (item.source, item.reason, item.id or "")):
            return item
        return IngestError(printable(item.source), _scrub(item.reason), printable(item.id) if item.id else item.id)
    fields = (item.id, item.source, item.text or "", item.html or "", item.url or "")
    if not any(_SURROGATE.search(x) for x in fields) and not _SURROGATE.search(
            json.dumps(item.metadata, ensure_ascii=False, default=str)):
        return item
    return dataclasses.replace(item, id=printable(item.id), source=printable(item.source), text=_scrub(item.text),
                               html=_scrub(item.html), url=_scrub(item.url), metadata=_scrub(item.metadata))


def _iter_path(path: str, max_bytes: int, skipped: Counter[str] | None) -> Iterator[RawDocument | IngestError]:
    if path == STDIN_PATH:
        yield from _read_stdin(max_bytes)
        return
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: NUL in the path
        yield IngestError(path, "no such file or directory")
        return
    except OSError as exc:
        yield IngestError(path, _cannot_read(exc))
        return
    if stat.S_ISDIR(st.st_mode):
        yield from _walk(path, max_bytes, skipped)
    else:
        yield from _read_file(path, os.path.basename(path), max_bytes, explicit=True)


# --- folders and file names ------------------------------------------------------


def classify(name: str) -> tuple[str | None, bool, str]:
    """``(format, gzipped, id)`` of a file name; format is None for an unknown suffix.

    >>> classify("000_abc.txt"), classify("batch.jsonl.gz"), classify("notes.md")
    (('text', False, '000_abc'), ('jsonl', True, 'batch'), (None, False, 'notes'))
    """
    gzipped = name.lower().endswith(GZIP_SUFFIX) and len(name) > len(GZIP_SUFFIX)
    base = name[: -len(GZIP_SUFFIX)] if gzipped else name
    stem, suffix = os.path.splitext(base)
    suffix = suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return TEXT, gzipped, stem
    if suffix in HTML_SUFFIXES:
        return HTML, gzipped, stem
    if suffix in JSONL_SUFFIXES:
        return JSONL, gzipped, stem
    if suffix in WARC_SUFFIXES:
        return WARC, gzipped, stem
    return None, gzipped, stem if stem else base


def _walk(root: str, max_bytes: int, skipped: Counter[str] | None = None) -> Iterator[RawDocument | IngestError]:
    """The documents of the files under ``root`` (``_tree``'s order)."""
    for entry in _tree(root):
        if isinstance(entry, IngestError):
            yield entry
            continue
        fmt, _, _ = classify(entry.name)
        if fmt is None:
            if skipped is not None:
                skipped[os.path.splitext(entry.name)[1].lower() or "(no suffix)"] += 1
            continue
        if _is_file(entry):
            yield from _read_file(entry.path, entry.name, max_bytes, explicit=False)
        else:  # never open a FIFO or a device found in a folder: it could block forever
            why = "broken symbolic link" if entry.is_symlink() else "not a regular file"
            yield IngestError(entry.path, f"cannot read: {why}")


def _list_dir(path: str, visited: set[tuple[int, int]]) -> list[os.DirEntry[str]] | IngestError:
    """Sorted entries of a folder; ``[]`` for a folder already walked (symlink cycle)."""
    try:
        st = os.stat(path)
        key = (st.st_dev, st.st_ino)
        if key in visited:
            return []
        visited.add(key)
        with os.scandir(path) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return IngestError(path, _cannot_read(exc))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


# --- files -----------------------------------------------------------------------


def _read_file(path: str, name: str, max_bytes: int, explicit: bool) -> Iterator[RawDocument | IngestError]:
    fmt, gzipped, doc_id = classify(name)
    if fmt is None and not explicit:
        return
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, the generator may stop early
    except OSError as exc:
        yield IngestError(path, _cannot_read(exc), doc_id)
        return
    with raw:
        if fmt == WARC:  # warcio reads plain and record-gzipped files alike
            from readouts.crawl.archive import iter_warc

            yield from iter_warc(raw, path, max_bytes)
            return
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw  # type: ignore[assignment]
        size = None if gzipped else _regular_size(raw)
        if fmt == JSONL:
            base = name[: -len(GZIP_SUFFIX)] if gzipped else name
            json_whole = os.path.splitext(base)[1].lower() in WHOLE_JSON_SUFFIXES
            yield from _read_json_stream(stream, path, max_bytes, size, json_whole)
        else:
            yield _read_document(stream, path, doc_id, fmt, max_bytes, size)


def _regular_size(raw: BinaryIO) -> int | None:
    try:
        st = os.fstat(raw.fileno())
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _read_document(
    stream: BinaryIO, source: str, doc_id: str, fmt: str | None, max_bytes: int, size: int | None
) -> RawDocument | IngestError:
    """One whole text or HTML document, never reading more than ``max_bytes + 1`` bytes."""
    if size is not None and size > max_bytes:
        return IngestError(source, too_large(size, max_bytes), doc_id)
    try:
        data = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        return IngestError(source, _cannot_read(exc), doc_id)
    if len(data) > max_bytes:
        return IngestError(source, too_large(None, max_bytes), doc_id)
    return make_document(data, source, doc_id, fmt)


def make_document(data: bytes, source: str, doc_id: str, fmt: str | None = None,
                  charset: str | None = None) -> RawDocument | IngestError:
    """Decode the bytes of one text or HTML document (``fmt`` None: sniff which).

    ``charset``: what the transport declared (an HTTP ``Content-Type``), tried after a BOM.
    """
    if not data.strip():
        return IngestError(source, "empty document", doc_id)
    if fmt is None:
        fmt = HTML if looks_like_html(data) else TEXT
    decoded = decode(data, html=fmt == HTML, charset=charset)
    if decoded is None:
        return IngestError(source, "binary or undecodable file", doc_id)
    text, encoding = decoded
    if not text or text.isspace():
        return IngestError(source, "empty document", doc_id)
    metadata = {} if encoding == "utf-8" else {"encoding": encoding}
    if fmt == HTML:
        return RawDocument(id=doc_id, source=source, html=text, metadata=metadata)
    return RawDocument(id=doc_id, source=source, text=text, metadata=metadata)


def looks_like_html(data: bytes) -> bool:
    """True when the head of the bytes starts like an HTML document or is full of tags."""
    bom = _bom(data)
    start = len(bom[0]) if bom else 0
    head = data[start : start + SNIFF_BYTES].decode(bom[1] if bom else "latin-1", errors="replace")
    return bool(_HTML_START.match(head)) or len(_HTML_TAG.findall(head)) >= 2


# --- encodings -------------------------------------------------------------------


def decode(data: bytes, html: bool = False, charset: str | None = None) -> tuple[str, str] | None:
    """``(text, encoding)`` of the bytes, or None when they look binary or undecodable.

    Order: BOM, then ``charset`` (declared by the transport, e.g. HTTP), then (HTML) a
    ``<meta charset>`` declaration, then strict UTF-8, then detection. The result is
    rejected when over 10% of it is control characters.
    """
    bom = _bom(data)
    if bom is not None:
        try:
            text, encoding = data.decode(bom[1]), bom[1]  # these codecs consume the BOM
        except UnicodeDecodeError:
            return None
        encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    elif b"\x00" in data:
        return None
    else:
        found = (
            (_decode_as(data, charset) if charset else None)
            or (_decode_declared(data) if html else None) or _decode_utf8(data) or _detect(data)
        )
        if found is None:
            return None
        text, encoding = found
    if text and control_ratio(text) > MAX_CONTROL_RATIO:
        return None
    return text, encoding


def _bom(data: bytes) -> tuple[bytes, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return bom, encoding
    return None


def _decode_declared(data: bytes) -> tuple[str, str] | None:
    match = _META_CHARSET.search(data[:SNIFF_BYTES])
    if match is None:
        return None
    try:
        declared = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    for encoding in dict.fromkeys((_DECLARED_ALIASES.get(declared, declared), declared)):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _decode_as(data: bytes, label: str) -> tuple[str, str] | None:
    """The bytes in an encoding declared outside them (HTTP); None when it does not fit."""
    try:
        encoding = codecs.lookup(label).name
        encoding = _DECLARED_ALIASES.get(encoding, encoding)
        return data.decode(encoding), encoding
    except (LookupError, UnicodeDecodeError):
        return None


def _decode_utf8(data: bytes) -> tuple[str, str] | None:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return None


def _detect(data: bytes) -> tuple[str, str] | None:
    """Windows-1252 when it reads as clean text (short Western texts fool detectors), else detect."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _mess(text) <= CP1252_MAX_MESS:
        return text, "cp1252"
    try:
        best = charset_normalizer.from_bytes(data).best()
        return None if best is None else (str(best), best.encoding)
    except Exception:  # noqa: BLE001 - a detector failure on odd bytes means "undecodable"
        return None


def _mess(text: str) -> float:
    if _mess_ratio is None:  # pragma: no cover
        return 0.0
    sample = text if len(text) <= MESS_SAMPLE_CHARS else text[: MESS_SAMPLE_CHARS // 2] + text[-MESS_SAMPLE_CHARS // 2 :]
    return float(_mess_ratio(sample, 1.0))


def control_ratio(text: str) -> float:
    """Share of characters that are control characters other than tab and line breaks."""
    return sum(1 for _ in _CONTROL.finditer(text)) / len(text) if text else 0.0


# --- JSON lines ------------------------------------------------------------------


def _read_json_stream(
    stream: BinaryIO, source: str, max_bytes: int, size: int | None, whole_allowed: bool
) -> Iterator[RawDocument | IngestError]:
    """JSONL line by line; a small ``.json`` file is first tried as one JSON document."""
    if whole_allowed and (size is None or size <= max_bytes):
        try:
            data = stream.read(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as exc:
            yield IngestError(source, _cannot_read(exc))
            return
        if len(data) <= max_bytes:
            items = _parse_whole_json(data)
            if items is not None:
                yield from _json_items(items, source)
                return
            yield from _read_jsonl(io.BytesIO(data), source, max_bytes)
            return
        stream = _Chain(data, stream)  # type: ignore[assignment]
    yield from _read_jsonl(stream, source, max_bytes)


def _parse_whole_json(data: bytes) -> list[Any] | dict[str, Any] | None:
    """The array or object a whole file holds; None for anything else (JSONL, say)."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict | list) else None


def _json_items(items: list[Any] | dict[str, Any], source: str) -> Iterator[RawDocument | IngestError]:
    if isinstance(items, dict):  # one object, maybe pretty-printed: as if it were line 1
        yield record_to_document(items, f"{source}:1", "line 1: ")
        return
    for index, item in enumerate(items):
        where, prefix = f"{source}[{index}]", f"item {index}: "
        if isinstance(item, dict):
            yield record_to_document(item, where, prefix)
        else:
            yield IngestError(where, f"{prefix}not a JSON object (got {_json_type(item)})")


def _read_jsonl(stream: BinaryIO, source: str, max_bytes: int) -> Iterator[RawDocument | IngestError]:
    """One document or error per non-blank line; errors never stop the file."""
    encoding = "utf-8"
    lines: Any = stream
    bom = _bom(_peek(stream, 4))
    if bom is not None and bom[1] != "utf-8-sig":  # UTF-16/32: lines are split after decoding
        encoding = bom[1]
        lines = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline=None)
    try:
        for lineno, line, length in _iter_lines(lines, max_bytes):
            where = f"{source}:{lineno}"
            if isinstance(line, OSError | EOFError | zlib.error | UnicodeDecodeError):
                yield IngestError(where, f"line {lineno}: {_cannot_read(line)}")
                return
            if line is None:
                yield IngestError(where, f"line {lineno}: {too_large(length, max_bytes)}")
            elif line.strip():
                yield parse_line(line, where, lineno, encoding)
    finally:
        if isinstance(lines, io.TextIOWrapper):
            lines.detach()  # do not close the stream we were given (it may be stdin)


def _peek(stream: BinaryIO, n: int) -> bytes:
    peek = getattr(stream, "peek", None)
    if peek is None:
        return b""
    try:
        return bytes(peek(n)[:n])
    except (OSError, EOFError, zlib.error):
        return b""


def _iter_lines(stream: Any, max_bytes: int) -> Iterator[tuple[int, Any, int]]:
    """``(lineno, line, length)``; line is None for an oversized line, an exception on a read error.

    A line is read with ``readline(max_bytes + 2)`` (room for ``\\r\\n``), so no more
    than that is ever held; the rest of a longer line is skipped in chunks.
    """
    lineno = 0
    while True:
        lineno += 1
        try:
            line = stream.readline(max_bytes + 2)
            if not line:
                return
            length = len(line) - _eol_length(line)
            if length > max_bytes:
                if _eol_length(line) == 0:
                    length += _skip_line(stream)
                yield lineno, None, length
                continue
        except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
            yield lineno, exc, 0
            return
        yield lineno, line, length


def _eol_length(line: bytes | str) -> int:
    nl, cr = (b"\n", b"\r") if isinstance(line, bytes) else ("\n", "\r")
    if not line.endswith(nl):
        return 0
    return 2 if line[:-1].endswith(cr) else 1


def _skip_line(stream: Any) -> int:
    """Read and drop the rest of the current line; the number of units skipped."""
    skipped = 0
    while True:
        chunk = stream.readline(SKIP_CHUNK_BYTES)
        if not chunk:
            return skipped
        end = _eol_length(chunk)
        skipped += len(chunk) - end
        if end:
            return skipped


def parse_line(line: bytes | str, source: str, lineno: int, encoding: str = "utf-8") -> RawDocument | IngestError:
    """One JSONL line (bytes or text) -> a document, or an error naming the line."""
    prefix = f"line {lineno}: "
    if isinstance(line, bytes):
        if lineno == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        decoded = _decode_utf8(line) or (None if b"\x00" in line else _detect(line))
        if decoded is None:
            return IngestError(source, prefix + "binary or undecodable line")
        line, encoding = decoded
    try:
        value = json.loads(line.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        return IngestError(source, f"{prefix}not valid JSON: {exc.msg.removesuffix(' at')} (col {exc.colno})")
    except (ValueError, RecursionError) as exc:  # e.g. an int too long, nesting too deep
        return IngestError(source, f"{prefix}not valid JSON: {exc or type(exc).__name__}")
    if not isinstance(value, dict):
        return IngestError(source, f"{prefix}not a JSON object (got {_json_type(value)})")
    return record_to_document(value, source, prefix, encoding)


def record_to_document(
    record: dict[str, Any], source: str, prefix: str = "", encoding: str = "utf-8"
) -> RawDocument | IngestError:
    """A JSON object with ``id`` and ``text``/``html`` -> a document; ``prefix`` starts a reason."""
    raw_id = record.get("id")
    if raw_id is None:
        return IngestError(source, prefix + 'missing "id"')
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        return IngestError(source, prefix + f'"id" must be a string or an integer (got {_json_type(raw_id)})')
    doc_id = raw_id if isinstance(raw_id, str) else str(raw_id)
    if not doc_id.strip():
        return IngestError(source, prefix + 'empty "id"')
    bodies: dict[str, str | None] = {}
    for key in ("text", "html"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            return IngestError(source, prefix + f'"{key}" must be a string (got {_json_type(value)})', doc_id)
        bodies[key] = value
    if bodies["text"] is None and bodies["html"] is None:
        return IngestError(source, prefix + 'missing "text" or "html"', doc_id)
    text, html = (v if v and not v.isspace() else None for v in (bodies["text"], bodies["html"]))
    if text is None and html is None:
        return IngestError(source, prefix + "empty document", doc_id)
    if text is not None and html is not None:  # which one is the document? never guess silently
        return IngestError(source, prefix + 'both "text" and "html": give one of them', doc_id)
    url = record.get("url")
    metadata = _record_metadata(record, keep_url=url is not None and not isinstance(url, str))
    if encoding != "utf-8":
        metadata["encoding"] = encoding
    url = url.strip() or None if isinstance(url, str) else None
    return RawDocument(id=doc_id, source=source, text=text, html=html, url=url, metadata=metadata)


def _record_metadata(record: dict[str, Any], keep_url: bool) -> dict[str, Any]:
    nested = record.get(JSON_METADATA_FIELD)
    metadata: dict[str, Any] = dict(nested) if isinstance(nested, dict) else {}
    for key, value in record.items():
        if key in JSON_RESERVED_FIELDS and not (key == "url" and keep_url):
            continue
        if key == JSON_METADATA_FIELD and isinstance(value, dict):
            continue
        metadata[key] = value
    return metadata


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


# --- standard input --------------------------------------------------------------


def _read_stdin(max_bytes: int) -> Iterator[RawDocument | IngestError]:
    """``-``: JSONL when the input starts with ``{``, else one text or HTML document."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        yield IngestError(STDIN_SOURCE, "cannot read: no standard input")
        return
    if _peek(stream, SNIFF_BYTES).lstrip().startswith(b"{"):
        yield from _read_jsonl(stream, STDIN_SOURCE, max_bytes)
    else:
        yield _read_document(stream, STDIN_SOURCE, STDIN_ID, None, max_bytes, None)


# --- helpers ---------------------------------------------------------------------


class _Chain(io.RawIOBase):
    """Bytes already read followed by the rest of a stream, as one readable stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = io.BytesIO(head), rest

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        line = self._head.readline(size)
        if line.endswith(b"\n") or (size is not None and 0 <= size <= len(line)):
            return line
        more = -1 if size is None or size < 0 else size - len(line)
        return line + self._rest.readline(more)


def too_large(size: int | None, limit: int) -> str:
    """``document too large: 12.0 MB > 10.0 MB limit`` (size None: not known)."""
    if size is None:
        return f"document too large: more than the {_format_size(limit)} limit"
    shown, limit_shown = _format_size(size), _format_size(limit)
    if shown == limit_shown:
        shown, limit_shown = f"{size:,} bytes", f"{limit:,} bytes"
    return f"document too large: {shown} > {limit_shown} limit"


def _format_size(n: int) -> str:
    if n >= 100_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


def _cannot_read(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read: {exc.strerror}"
    if isinstance(exc, EOFError | zlib.error | gzip.BadGzipFile):
        return f"cannot read: corrupt gzip data ({exc or type(exc).__name__})"
    return f"cannot read: {exc or type(exc).__name__}"
