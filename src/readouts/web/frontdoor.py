"""What every response of the web UI passes through: security headers, HEAD, gzip, a cache.

``FrontDoor`` is plain ASGI middleware (the outermost layer the app adds):

* every response gets the security headers (``SECURITY_HEADERS``), error pages too, and a crash
  that escaped every handler becomes a 500 page with them (never a bare one);
* ``HEAD`` is answered as ``GET`` without the body, on every page and API path;
* bodies of 1 KB and more are gzipped for clients that accept it;
* successful ``GET`` responses are kept in a per-process LRU cache keyed on the path, the query
  and the store's data version (``data_version``: the size and modification time of the database
  file and its write-ahead log), so nothing is served stale after an ingest and nothing that did
  not change between ingests is computed twice; with ``shared_dir`` (``serve --workers N``) they
  are also written there, so that every worker serves what one of them computed.

``StaticFiles`` serves ``static/`` from memory, gzipped once, with an ETag and, under the hashed
URL that ``url`` gives, ``Cache-Control: immutable``.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import mimetypes
import os
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
GZIP_MIN = 1024
log = logging.getLogger("readouts.web")


def data_version(db_path: Path) -> tuple[int, ...] | None:
    """Changes whenever the store does: (size, mtime) of the database and its WAL; None if missing."""
    out: list[int] = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(f"{db_path}{suffix}")
        except FileNotFoundError:
            if not suffix:
                return None
            out.extend((0, 0))
        except OSError:
            return None
        else:
            out.extend((st.st_size, st.st_mtime_ns))
    return tuple(out)


class Memo:
    """Results of read functions kept until the store changes (keyed on ``data_version``), shared
    by the pages, the API and the CSV downloads that need the same figures. A thread-safe LRU;
    concurrent requests for the same missing result wait for the one computing it."""

    def __init__(self, db_path: Path, max_entries: int = 512) -> None:
        self.db_path, self.max_entries = Path(db_path), max_entries
        self.data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.pending: dict[tuple[Any, ...], threading.Lock] = {}
        self.lock = threading.Lock()

    def __call__(self, fn: Callable[..., Any], conn: Any, *args: Any) -> Any:
        version = data_version(self.db_path)
        if version is None:
            return fn(conn, *args)
        key = (fn.__module__, fn.__qualname__, args, version)
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
            busy = self.pending.get(key)
            if busy is None:
                busy = self.pending[key] = threading.Lock()
                busy.acquire()
                mine = True
            else:
                mine = False
        if not mine:
            with busy:  # wait for the request computing it
                pass
            with self.lock:
                if key in self.data:
                    return self.data[key]
            return fn(conn, *args)  # it failed there: try here (and raise here)
        try:
            value = fn(conn, *args)
            with self.lock:
                self.data[key] = value
                while len(self.data) > self.max_entries:
                    self.data.popitem(last=False)
            return value
        finally:
            with self.lock:
                self.pending.pop(key, None)
            busy.release()


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gz: bytes
    media_type: str
    digest: str  # first 16 hex digits of the SHA-256 of the body


class StaticFiles:
    """The files of one folder, read once, gzipped once."""

    def __init__(self, folder: Path) -> None:
        self.files: dict[str, StaticFile] = {}
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            body = path.read_bytes()
            media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media.startswith("text/") or media.endswith(("javascript", "json", "svg+xml")):
                media += "; charset=utf-8"
            self.files[path.name] = StaticFile(body, gzip.compress(body, 9, mtime=0), media,
                                               hashlib.sha256(body).hexdigest()[:16])

    def url(self, name: str) -> str:
        """The hashed URL of a static file (cacheable for ever: a new file gets a new URL)."""
        return f"/static/{name}?v={self.files[name].digest}"

    def headers(self, name: str, version: str | None, if_none_match: str | None,
                accepts_gzip: bool) -> tuple[int, dict[str, str], bytes] | None:
        f = self.files.get(name)
        if f is None:
            return None
        etag = f'"{f.digest}"'
        headers = {"ETag": etag, "Vary": "Accept-Encoding",
                   "Cache-Control": "public, max-age=31536000, immutable" if version == f.digest
                   else "public, max-age=0, must-revalidate"}
        if if_none_match and etag in [t.strip().removeprefix("W/") for t in if_none_match.split(",")]:
            return 304, headers, b""
        headers["Content-Type"] = f.media_type
        if accepts_gzip and len(f.gz) < len(f.body):
            headers["Content-Encoding"] = "gzip"
            return 200, headers, f.gz
        return 200, headers, f.body


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return ""


def accepts_gzip(scope: Scope) -> bool:
    return "gzip" in _header(scope, b"accept-encoding").lower()


@dataclass
class Cached:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class SharedCache:
    """Responses as files in a private folder, shared by the worker processes of one server."""

    def __init__(self, folder: Path, max_files: int, max_bytes: int = 512 << 20) -> None:
        self.folder, self.max_files, self.max_bytes = folder, max_files, max_bytes
        self.writes = 0
        self.full = False

    def _path(self, key: tuple[Any, ...]) -> Path:
        return self.folder / hashlib.sha256(repr(key).encode()).hexdigest()

    def get(self, key: tuple[Any, ...]) -> Cached | None:
        try:
            raw = self._path(key).read_bytes()
        except OSError:
            return None
        head, sep, body = raw.partition(b"\n")
        if not sep:
            return None
        try:
            meta = json.loads(head)
            return Cached(int(meta["status"]), [(k.encode("latin-1"), v.encode("latin-1")) for k, v in meta["headers"]],
                          body)
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, key: tuple[Any, ...], entry: Cached) -> None:
        self.writes += 1
        if (self.writes - 1) % min(200, max(1, self.max_files // 10)) == 0:  # count now and then: full takes no more
            try:
                sizes = [e.stat().st_size for e in os.scandir(self.folder)]
                self.full = len(sizes) >= self.max_files or sum(sizes) >= self.max_bytes
            except OSError:
                self.full = True
        if self.full:
            return
        meta = json.dumps({"status": entry.status,
                           "headers": [(k.decode("latin-1"), v.decode("latin-1")) for k, v in entry.headers]})
        path = self._path(key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            tmp.write_bytes(meta.encode() + b"\n" + entry.body)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)


class FrontDoor:
    """ASGI middleware: security headers, HEAD, gzip and a response cache (see the module doc)."""

    def __init__(self, app: ASGIApp, db_path: Path, max_entries: int = 512, max_bytes: int = 64 << 20,
                 error_page: Callable[[int, str], bytes] | None = None, shared_dir: Path | None = None,
                 max_files: int = 5_000) -> None:
        self.app = app
        self.shared = SharedCache(Path(shared_dir), max_files) if shared_dir else None
        self.db_path = Path(db_path)
        self.cache: OrderedDict[tuple[Any, ...], Cached] = OrderedDict()
        self.max_entries, self.max_bytes, self.size = max_entries, max_bytes, 0
        self.hits = self.misses = 0
        self.error_page = error_page or (lambda status, message: f"Error {status}: {message}".encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        gz = accepts_gzip(scope)
        key = None
        if scope["method"] == "GET" and not scope["path"].startswith("/static/"):
            version = data_version(self.db_path)
            if version is not None:
                key = (scope["path"], scope.get("query_string", b""), gz, version)
                hit = self.cache.get(key)
                if hit is None and self.shared is not None:
                    hit = self.shared.get(key)
                    if hit is not None:
                        self._store(key, hit)
                if hit is not None:
                    self.cache.move_to_end(key)
                    self.hits += 1
                    await self._send(send, hit.status, hit.headers, hit.body, head)
                    return
                self.misses += 1
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, keep)
        except Exception:  # noqa: BLE001 - the last resort: a page with headers, the traceback in the log
            log.exception("error serving %s", scope.get("path"))
            if start:
                raise
            body = self.error_page(500, "internal error (see the server log)")
            await self._send(send, 500, [(b"content-type", b"text/html; charset=utf-8")], body, head)
            return
        status = start.get("status", 500)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        body = b"".join(chunks)
        names = {k.lower() for k, _ in headers}
        if gz and len(body) >= GZIP_MIN and b"content-encoding" not in names:
            body = gzip.compress(body, 5, mtime=0)
            headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
        if key is not None and status == 200 and len(body) <= self.max_bytes // 16:
            self._store(key, Cached(status, headers, body))
            if self.shared is not None:
                self.shared.put(key, self.cache[key])
        await self._send(send, status, headers, body, head)

    def _store(self, key: tuple[Any, ...], entry: Cached) -> None:
        self.cache[key] = entry
        self.size += len(entry.body)
        while self.cache and (len(self.cache) > self.max_entries or self.size > self.max_bytes):
            _, old = self.cache.popitem(last=False)
            self.size -= len(old.body)

    @staticmethod
    async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes, head: bool) -> None:
        names = {k.lower() for k, _ in headers}
        out = [*headers, *(h for h in SECURITY_HEADERS if h[0] not in names),
               (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": b"" if head else body})
