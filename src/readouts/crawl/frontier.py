"""The frontier and fetch state, kept in the store (tables ``crawl_runs``, ``crawl_urls``).

One row per URL the crawl has met. States, and how a URL moves between them::

    queued --fetch, archive--> fetched --process--> done
       |                                   (a kill here: the next run re-processes the
       +--> skipped (robots.txt, --since)   archived response; it does not fetch again)
       +--> retry   (timeout, 429/5xx): queued again by the next run
       +--> failed  (404, too large, not a page): left alone

A *run* is one crawl of some sources. A run that did not finish (killed, ``--max-pages``)
is resumed by the next crawl of the same sources: its queued URLs come first and URLs it
already handled are not asked for again. A new run queues the start URLs once more
(they are re-validated with a conditional GET); pages already done are fetched again only
when a sitemap or feed says they changed after they were fetched.

Every change is one short transaction, so the table is always a consistent picture of the
crawl, whenever the process dies.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from readouts.crawl.polite import host_of
from readouts.store import transaction

__all__ = ["KIND_PRIORITY", "Frontier", "UrlState"]

# Sitemaps and feeds first, then list pages (pagination), then readout pages.
KIND_PRIORITY = {"robots": 0, "start": 1, "sitemap": 1, "sitemapindex": 1, "feed": 1, "list": 2, "page": 3}
QUEUED, FETCHED, DONE, RETRY, FAILED, SKIPPED = "queued", "fetched", "done", "retry", "failed", "skipped"
SINCE_REASON = "dated before --since"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class UrlState:
    """One row of ``crawl_urls``."""

    url: str
    host: str
    kind: str
    profile: str | None
    state: str
    run: int
    lastmod: str | None
    fetched_at: str | None
    status: int | None
    etag: str | None
    last_modified: str | None
    warc_file: str | None
    warc_offset: int | None
    reason: str | None


_COLUMNS = ", ".join(UrlState.__slots__)  # type: ignore[attr-defined]


class Frontier:
    """The crawl state of one store file (its own connection; the store migrated it)."""

    def __init__(self, db_path: str | Path) -> None:
        self._conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30.0)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self.run = 0
        self.resumed = False
        self.sources: list[str] = []
        self._in = "0"

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Frontier:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _transaction(self) -> Any:
        return transaction(self._conn)

    # -- runs ----------------------------------------------------------------------------------

    def start_run(self, sources: Iterable[str], since: str | None = None) -> int:
        """Resume the unfinished run of these sources, or begin a new one; its id.

        The crawl only works on URLs queued for these sources (each row names its source).
        Pages an earlier crawl skipped as dated before its ``--since`` are queued again when
        ``since`` (a first day, YYYY-MM-DD, or None) no longer excludes them.
        """
        self.sources = sorted(set(sources))
        self._in = f"profile IN ({', '.join('?' * len(self.sources))})"
        key = json.dumps(self.sources, ensure_ascii=False)
        with self._transaction():
            row = self._conn.execute(
                "SELECT id FROM crawl_runs WHERE sources = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
                (key,),
            ).fetchone()
            if row is not None:
                self.run, self.resumed = row[0], True
            else:
                cur = self._conn.execute(
                    "INSERT INTO crawl_runs (sources, started_at) VALUES (?, ?)", (key, _now())
                )
                self.run, self.resumed = int(cur.lastrowid or 0), False
                # transient failures of earlier runs get another chance
                self._conn.execute(f"UPDATE crawl_urls SET state = ?, run = ? WHERE state = ? AND {self._in}",
                                   (QUEUED, self.run, RETRY, *self.sources))
            self._conn.execute(
                f"""UPDATE crawl_urls SET state = ?, run = ?, reason = NULL
                    WHERE state = ? AND reason = ? AND {self._in}
                    AND (? IS NULL OR lastmod >= substr(?, 1, length(lastmod)))""",
                (QUEUED, self.run, SKIPPED, SINCE_REASON, *self.sources, since, since),
            )
        return self.run

    def finish_run(self) -> None:
        with self._transaction():
            self._conn.execute("UPDATE crawl_runs SET finished_at = ? WHERE id = ?", (_now(), self.run))

    # -- queueing ------------------------------------------------------------------------------

    def add(self, url: str, kind: str, profile: str | None, lastmod: str | None = None,
            revisit: bool = False) -> bool:
        """Queue a URL for this run; True when it was queued (new, or due again).

        A URL already handled in this run is never queued twice. A known URL from an earlier
        run is queued again when ``revisit`` (start URLs, pagination of a changed list), when
        ``lastmod`` is later than its last fetch (a changed page), or when it was skipped.
        """
        with self._transaction():
            return self._add(url, kind, profile, lastmod, revisit)

    def add_many(self, items: Iterable[tuple[str, str, str | None, str | None, bool]]) -> int:
        """Several :meth:`add` calls in one transaction; how many were queued."""
        with self._transaction():
            return sum(self._add(*item) for item in items)

    def _add(self, url: str, kind: str, profile: str | None, lastmod: str | None, revisit: bool) -> bool:
        row = self._conn.execute("SELECT state, run, fetched_at FROM crawl_urls WHERE url = ?", (url,)).fetchone()
        if row is None:
            self._conn.execute(
                """INSERT INTO crawl_urls (url, host, kind, profile, state, run, priority, lastmod, discovered_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (url, host_of(url), kind, profile, QUEUED, self.run, KIND_PRIORITY.get(kind, 3), lastmod, _now()),
            )
            return True
        state, run, fetched_at = row
        if run == self.run or state in (QUEUED, FETCHED):
            return False
        changed = lastmod is not None and (fetched_at is None or lastmod > fetched_at[: len(lastmod)])
        # skipped before (robots.txt, --since): asked again, robots.txt and --since decide anew
        if not (revisit or changed or state == SKIPPED) or state == FAILED and not revisit:
            return False
        self._conn.execute(
            "UPDATE crawl_urls SET state = ?, run = ?, lastmod = coalesce(?, lastmod) WHERE url = ?",
            (QUEUED, self.run, lastmod, url),
        )
        return True

    def skip_many(self, items: Iterable[tuple[str, str, str | None, str | None]], reason: str) -> None:
        """Mark URLs (url, kind, profile, lastmod) skipped in this run, unless already fetched."""
        with self._transaction():
            for url, kind, profile, lastmod in items:
                self._conn.execute(
                    """INSERT INTO crawl_urls (url, host, kind, profile, state, run, priority, lastmod,
                                              discovered_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (url) DO UPDATE SET run = excluded.run WHERE state = ?""",
                    (url, host_of(url), kind, profile, SKIPPED, self.run, KIND_PRIORITY.get(kind, 3), lastmod,
                     _now(), reason, SKIPPED),
                )

    def next(self, ready_at: Callable[[str], float] = lambda host: 0.0) -> UrlState | None:
        """The next URL to work on: an archived but unprocessed response first, then the
        queue by priority and, among equals, the oldest URL of the host ready first."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM crawl_urls WHERE state = ? AND {self._in} ORDER BY rowid LIMIT 1",
            (FETCHED, *self.sources),
        ).fetchone()
        if row is None:
            top = self._conn.execute(
                f"SELECT min(priority) FROM crawl_urls WHERE state = ? AND {self._in}", (QUEUED, *self.sources)
            ).fetchone()[0]
            if top is None:
                return None
            firsts = dict(self._conn.execute(  # the oldest queued URL of each host
                f"SELECT host, min(rowid) FROM crawl_urls WHERE state = ? AND priority = ? AND {self._in} GROUP BY host",
                (QUEUED, top, *self.sources),
            ).fetchall())
            _, rowid = min(firsts.items(), key=lambda host_row: (ready_at(host_row[0]), host_row[1]))
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM crawl_urls WHERE rowid = ?", (rowid,)).fetchone()
        return UrlState(*row)

    def get(self, url: str) -> UrlState | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM crawl_urls WHERE url = ?", (url,)).fetchone()
        return None if row is None else UrlState(*row)

    # -- outcomes ------------------------------------------------------------------------------

    def fetched(self, url: str, status: int, etag: str | None, last_modified: str | None,
                warc_file: str, warc_offset: int, fetched_at: str, kind: str | None = None) -> None:
        """The response is archived: record where (the next step processes it)."""
        with self._transaction():
            self._conn.execute(
                """UPDATE crawl_urls SET state = ?, status = ?, etag = coalesce(?, etag),
                   last_modified = coalesce(?, last_modified), warc_file = ?, warc_offset = ?,
                   fetched_at = ?, kind = coalesce(?, kind), reason = NULL WHERE url = ?""",
                (FETCHED, status, etag, last_modified, warc_file, warc_offset, fetched_at, kind, url),
            )

    def finish(self, url: str, state: str, reason: str | None = None, status: int | None = None,
               discovered: Iterable[tuple[str, str, str | None, str | None, bool]] = ()) -> int:
        """Close a URL (done, skipped, failed, retry) and queue what it led to, in one transaction."""
        with self._transaction():
            self._conn.execute(
                "UPDATE crawl_urls SET state = ?, reason = ?, status = coalesce(?, status), run = ? WHERE url = ?",
                (state, reason, status, self.run, url),
            )
            return sum(self._add(*item) for item in discovered)

    def remember(self, url: str, kind: str, status: int, etag: str | None, last_modified: str | None,
                 warc_file: str, warc_offset: int, fetched_at: str) -> None:
        """Record a fetch outside the queue (robots.txt), so the next crawl can ask conditionally."""
        with self._transaction():
            self._conn.execute(
                """INSERT INTO crawl_urls (url, host, kind, profile, state, run, priority, discovered_at,
                                          fetched_at, status, etag, last_modified, warc_file, warc_offset)
                   VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (url) DO UPDATE SET fetched_at = excluded.fetched_at, status = excluded.status,
                       etag = excluded.etag, last_modified = excluded.last_modified,
                       warc_file = excluded.warc_file, warc_offset = excluded.warc_offset, run = excluded.run""",
                (url, host_of(url), kind, DONE, self.run, KIND_PRIORITY.get(kind, 0), fetched_at, fetched_at,
                 status, etag, last_modified, warc_file, warc_offset),
            )

    def counts(self) -> dict[str, int]:
        """URLs by state (all runs)."""
        return dict(self._conn.execute("SELECT state, count(*) FROM crawl_urls GROUP BY state").fetchall())
