"""The archive: every fetched response as a WARC record (warcio), and WARC files read back.

:class:`WarcArchive` appends gzipped records to ``<folder>/readouts-<UTC time>-<pid>.warc.gz``,
one file per crawl process, flushed to disk before the crawler records the fetch, so the
frontier only ever points at records that exist. Each response record carries the HTTP
status line and headers as received and the body exactly as sent, plus
``WARC-Readouts-Role`` (page, list, sitemap, feed, robots): what the crawler took it for.

:func:`iter_warc` is the reader ``readouts ingest`` uses for ``.warc`` / ``.warc.gz`` files:
one document per ``200`` response that is HTML or plain text (records a crawl took for list
pages, sitemaps, feeds or robots.txt are left out). The id is the page URL and the source is
``file@offset``, the position of the record, so any figure leads back to the page as fetched.
"""
from __future__ import annotations

import io
import os
import re
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from readouts.crawl.fetch import Response
from readouts.ingest import HTML, TEXT, make_document, too_large
from readouts.records import IngestError, RawDocument

__all__ = ["ROLE_HEADER", "WarcArchive", "content_charset", "iter_warc", "page_format", "read_record", "record_source"]

ROLE_HEADER = "WARC-Readouts-Role"
PAGE_ROLE = "page"
_DROPPED_HEADERS = frozenset({"transfer-encoding"})  # the body is stored de-chunked


def record_source(path: str | os.PathLike[str], offset: int) -> str:
    """``file@offset``: where a record is (the ``source`` of its document)."""
    return f"{os.fspath(path)}@{offset}"


def _warc_date(iso: str) -> str:
    return iso.replace("+00:00", "Z")


class WarcArchive:
    """Append-only WARC writer; one ``.warc.gz`` file per process, opened on first write."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).resolve()  # the frontier keeps record paths across processes
        self._file: BinaryIO | None = None
        self.path: Path | None = None
        self.records = 0

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _open(self) -> tuple[BinaryIO, WARCWriter]:
        if self._file is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            self.path = self.folder / f"readouts-{stamp}-{os.getpid()}.warc.gz"
            self._file = open(self.path, "ab")  # noqa: SIM115 - closed by close()
            writer = WARCWriter(self._file, gzip=True)
            writer.write_record(writer.create_warcinfo_record(
                self.path.name, {"software": "readouts crawl", "format": "WARC File Format 1.1"}))
        return self._file, WARCWriter(self._file, gzip=True)

    def write(self, response: Response, role: str) -> tuple[str, int]:
        """Append one response; ``(file, offset)`` of its record, on disk when this returns."""
        f, writer = self._open()
        headers = [(k, v) for k, v in response.headers if k.lower() not in _DROPPED_HEADERS]
        http = StatusAndHeaders(f"{response.status} {response.reason}".strip(), headers,
                                protocol=response.http_version or "HTTP/1.1")
        record = writer.create_warc_record(
            response.url, "response", payload=io.BytesIO(response.body), http_headers=http,
            warc_headers_dict={"WARC-Date": _warc_date(response.fetched_at), ROLE_HEADER: role},
        )
        offset = f.tell()
        writer.write_record(record)
        f.flush()
        os.fsync(f.fileno())
        self.records += 1
        assert self.path is not None
        return str(self.path), offset


def read_record(path: str | os.PathLike[str], offset: int, max_bytes: int) -> tuple[int, str | None, bytes]:
    """``(status, content type, body)`` of the response record at ``offset`` (body decoded).

    Raises ``OSError`` or ``ValueError`` when the record is missing or unreadable.
    """
    with open(path, "rb") as f:
        f.seek(offset)
        try:
            record = next(iter(ArchiveIterator(f)))
        except (StopIteration, ArchiveLoadFailed) as exc:
            raise ValueError(f"no WARC record at {record_source(path, offset)}") from exc
        status = int(record.http_headers.get_statuscode()) if record.http_headers else 0
        ctype = record.http_headers.get_header("Content-Type") if record.http_headers else None
        return status, ctype, record.content_stream().read(max_bytes + 1)


NOT_A_PAGE = ""


def page_format(content_type: str | None) -> str | None:
    """HTML or TEXT for a page's ``Content-Type``; None when it does not tell (sniff the bytes);
    ``NOT_A_PAGE`` for any other type (images, PDF, XML)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if not ctype or ctype == "application/octet-stream":
        return None
    if ctype in ("text/html", "application/xhtml+xml"):
        return HTML
    if ctype == "text/plain":
        return TEXT
    return NOT_A_PAGE


def content_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` header, if any."""
    match = re.search(r";\s*charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _looks_like_warc(stream: BinaryIO) -> bool:
    """True when the file starts with a WARC record (plain or gzipped); the position is kept."""
    start = stream.tell()
    head = stream.read(512)
    stream.seek(start)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(47).decompress(head, 64)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def iter_warc(stream: BinaryIO, path: str, max_bytes: int) -> Iterator[RawDocument | IngestError]:
    """The pages of one WARC file (see the module docstring); problems are yielded, not raised."""
    try:
        if not _looks_like_warc(stream):
            yield IngestError(path, "cannot read: not a readable WARC file (no WARC record at the start)")
            return
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            role = record.rec_headers.get_header(ROLE_HEADER)
            if role not in (None, PAGE_ROLE):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            if record.http_headers.get_statuscode() != "200":
                continue
            ctype = record.http_headers.get_header("Content-Type")
            fmt = page_format(ctype)
            if fmt == NOT_A_PAGE or url.rstrip("/").endswith("/robots.txt"):
                continue
            data = record.content_stream().read(max_bytes + 1)
            source = record_source(path, records.get_record_offset())  # after the read: it reads to the end
            if len(data) > max_bytes:
                yield IngestError(source, too_large(None, max_bytes), url)
                continue
            if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than the record declares
                yield IngestError(source, "cannot read: WARC record cut short", url)
                continue
            doc = make_document(data, source, url, fmt, content_charset(ctype))
            if isinstance(doc, RawDocument):
                date = record.rec_headers.get_header("WARC-Date")
                doc = doc.replace(url=url, metadata={**doc.metadata, "fetched_at": date})
            yield doc
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        yield IngestError(path, f"cannot read: not a readable WARC file ({exc})")
