"""Fetching one URL politely: conditional GET, retries with back-off, a timeout and a size cap.

:meth:`Fetcher.get` never raises for network trouble: it returns a :class:`Response` (any
HTTP status, 304 included) or a :class:`FetchFailure` with a reason a user can read
(``timed out after 10 s``, ``connection refused``, ``document too large: ...``).
429 and 5xx answers and timeouts are retried up to ``retries`` times, waiting
``Retry-After`` when the server gives one (up to ``max_backoff``) and else
``backoff * 2**attempt``; every attempt waits for the host's turn in the :class:`HostPacer`.
Redirects are not followed here: the crawler queues the target, so robots.txt is checked
for it too.
"""
from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

from readouts import __version__
from readouts.crawl.polite import HostPacer, host_of
from readouts.ingest import too_large

__all__ = ["USER_AGENT", "USER_AGENT_TOKEN", "FetchFailure", "Fetcher", "Response"]

USER_AGENT_TOKEN = "readouts"  # the name robots.txt rules are matched against
USER_AGENT = f"{USER_AGENT_TOKEN}/{__version__} (crawler for official diplomatic readouts; polite, obeys robots.txt)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Response:
    """One HTTP answer as received (the body capped by ``max_bytes``)."""

    url: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    http_version: str
    fetched_at: str  # UTC ISO timestamp
    attempts: int = 1

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    def content(self, max_bytes: int = 50_000_000) -> bytes:
        """The body with its ``Content-Encoding`` (gzip, deflate) undone; ``body`` is as sent."""
        encoding = (self.header("Content-Encoding") or "identity").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            wbits = 47 if encoding != "deflate" else 15  # 47: gzip or zlib header, auto-detected
            try:
                decoder = zlib.decompressobj(wbits)
                return decoder.decompress(self.body, max_bytes)
            except zlib.error:
                return b""
        return self.body


@dataclass(frozen=True, slots=True)
class FetchFailure:
    """No usable answer: the reason, and whether trying again later may help."""

    url: str
    reason: str
    transient: bool
    attempts: int = 1
    status: int | None = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class _TooLarge(Exception):
    def __init__(self, size: int | None) -> None:
        self.size = size


class Fetcher:
    """GET with politeness, retries, a timeout and a size cap. Use as a context manager."""

    def __init__(self, pacer: HostPacer, *, user_agent: str = USER_AGENT, timeout: float = 30.0,
                 max_bytes: int = 10_000_000, retries: int = 2, backoff: float = 2.0,
                 max_backoff: float = 120.0) -> None:
        self.pacer = pacer
        self.timeout, self.max_bytes = timeout, max_bytes
        self.retries, self.backoff, self.max_backoff = retries, backoff, max_backoff
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False,
        )
        self.requests = 0  # HTTP requests sent (attempts included)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response | FetchFailure:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = host_of(url)
        attempt = 0
        while True:
            attempt += 1
            self.pacer.wait(host)
            try:
                result = self._once(url, headers, attempt)
            finally:
                self.pacer.done(host)
            wait = self._retry_wait(result, attempt)
            if wait is None:
                return result
            if wait > self.max_backoff:
                return FetchFailure(url, f"rate limited: asked to wait {wait:.0f} s", True, attempt,
                                    getattr(result, "status", None))
            self.pacer.hold(host, wait)

    def _retry_wait(self, result: Response | FetchFailure, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None to stop here."""
        if attempt > self.retries:
            return None
        if isinstance(result, FetchFailure):
            return self.backoff * 2 ** (attempt - 1) if result.transient else None
        if result.status not in RETRY_STATUSES:
            return None
        asked = retry_after(result.header("Retry-After"))
        return asked if asked is not None else self.backoff * 2 ** (attempt - 1)

    def _once(self, url: str, headers: dict[str, str], attempt: int) -> Response | FetchFailure:
        self.requests += 1
        started = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers) as resp:
                body = self._read_capped(resp, started)
                return Response(
                    url=url, status=resp.status_code, reason=resp.reason_phrase,
                    headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw),
                    body=body, http_version=resp.http_version, fetched_at=_now(), attempts=attempt,
                )
        except _TooLarge as exc:
            return FetchFailure(url, too_large(exc.size, self.max_bytes), False, attempt)
        except httpx.TimeoutException:
            return FetchFailure(url, f"timed out after {self.timeout:g} s", True, attempt)
        except httpx.ConnectError as exc:
            return FetchFailure(url, _connect_reason(exc), True, attempt)
        except httpx.HTTPError as exc:
            return FetchFailure(url, f"HTTP error: {exc or type(exc).__name__}", True, attempt)
        except (httpx.InvalidURL, ValueError) as exc:  # a link no request can be made of
            return FetchFailure(url, f"invalid URL: {exc}", False, attempt)

    def _read_capped(self, resp: httpx.Response, started: float) -> bytes:
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise _TooLarge(int(length))
        chunks, size = [], 0
        for chunk in resp.iter_raw():  # as sent: the archive keeps the exact bytes
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge(None)
            if time.monotonic() - started > 2 * self.timeout:  # a trickle counts as a timeout
                raise httpx.ReadTimeout("too slow")
            chunks.append(chunk)
        return b"".join(chunks)


def _connect_reason(exc: httpx.ConnectError) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name" in text and ("resolution" in text or "known" in text or "service" in text):
        return "host name not found"
    return f"cannot connect: {exc}"
