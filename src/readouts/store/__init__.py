"""The embedded store: one SQLite file, the single source of truth.

A package of one module per part:

* ``schema``: the ordered migrations (``PRAGMA user_version`` says how many have been applied),
  what the stored columns mean, the store's errors;
* ``write``: the write path (``add_batch``, ``delete``): whole batches in one transaction, keyed
  by content hash, so an interrupted ingest resumes without duplicates;
* enrichment, each incremental (its cost depends on the batch, not on the store): ``places``
  (coordinates and occasion series at write time), ``copies`` (near-duplicate groups),
  ``actors`` (the actor registry in tables, participants resolved), ``links`` (events across
  sources);
* this module: opening a file (WAL journal, foreign keys on, a busy timeout so a reader and a
  writer can share it; one writer at a time) and the read-only queries.

``documents_fts`` is an FTS5 index over (title, text), external content kept in sync by triggers.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from readouts.read.filters import Filters as QueryFilter
from readouts.read.filters import engagement_conditions, first_day, fts_query, is_valid_date, words_of
from readouts.records import Readout
from readouts.store.actors import ActorEnrichment
from readouts.store.copies import CopyGroups
from readouts.store.links import EventLinks
from readouts.store.schema import (
    APPLICATION_ID,
    EVENT_LINKS_MIGRATION,
    MIGRATIONS,
    SCHEMA_VERSION,
    StoreError,
    UnknownDocument,
    UnknownEngagement,
    _migration_number,
    _now,
    _statements,
    migrate,
    transaction,
)
from readouts.store.write import BatchCounts, WritePath, document_key

__all__ = [
    "EVENT_LINKS_MIGRATION",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "BatchCounts",
    "QueryFilter",
    "Store",
    "StoreError",
    "UnknownDocument",
    "UnknownEngagement",
    "coded_fields",
    "document_key",
    "dyad_events",
    "engagement_conditions",
    "event_reports",
    "first_day",
    "fts_query",
    "is_valid_date",
    "open_readonly",
    "side_has_report",
    "transaction",
]
_ = (_migration_number, _now, _statements)  # re-exported for callers of the former module


def coded_fields(engagement_json: str) -> dict[str, Any]:
    """The event codes (plover, plover_mode, cameo, goldstein), visitor and host of an
    engagement's stored JSON (``engagements.json``), as the rows of queries and exports carry them."""
    engagement = json.loads(engagement_json)
    codes = engagement.get("codes") or {}
    return {"plover": codes.get("plover"), "plover_mode": codes.get("plover_mode"), "cameo": codes.get("cameo"),
            "goldstein": codes.get("goldstein"), "visitor": engagement.get("visitor"), "host": engagement.get("host")}




def open_readonly(path: str | Path) -> sqlite3.Connection:
    """A connection that never writes, also to a database in a read-only folder or file.

    ``mode=ro`` needs the WAL index (``-shm``) to exist or be creatable; where it cannot be
    (a read-only copy), the file is opened ``immutable``: nobody may be writing it then.
    """
    resolved = Path(path).resolve()
    base = "file:" + quote(str(resolved))
    last: sqlite3.Error | None = None
    for mode in ("?mode=ro", "?mode=ro&immutable=1"):
        conn = sqlite3.connect(base + mode, uri=True, isolation_level=None, timeout=30.0,
                               check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:  # cannot open the WAL index read-only
            conn.close()
            last = exc
            continue
        conn.execute("PRAGMA query_only = ON")
        return conn
    raise StoreError(f"cannot open {path} read-only: {last}")


def _writer_lock(path: Path, on_wait: Callable[[str], None] | None) -> int | None:
    """Hold an exclusive lock on the database file for the life of one writer (an ingest, a
    delete), so two writers run one after the other and never interleave their batches.

    ``flock`` locks are separate from the POSIX locks SQLite takes; the descriptor is closed
    only after the SQLite connection (see ``Store._unlock``). None where there is no flock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: SQLite's own locking only
        return None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if on_wait is not None:
            on_wait(f"waiting for another writer to finish with {path}")
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:  # a file system without flock: SQLite's own locking only
        pass
    return fd


def event_reports(conn: sqlite3.Connection, event: str | None,
                  engagement_id: str | None = None) -> list[dict[str, Any]]:
    """The reports of an event (and of ``engagement_id``), one per group of copies, canonical
    first: what ``Store.event_sources`` returns. Works on a read-only connection (the web UI)."""
    members = conn.execute(
        """SELECT e.id, e.json, d.id, d.doc_id, d.title, d.duplicate_group, d.readout_json, d.url,
                  d.published, d.text, e.link_reason, d.side, d.side_basis
           FROM engagements e JOIN documents d ON d.id = e.document_id
           WHERE e.id = ? OR (? IS NOT NULL AND e.event_id = ?)
           ORDER BY d.is_canonical DESC, d.seq""",
        (engagement_id, event, event),
    ).fetchall()
    seen_groups: set[str] = set()
    out = []
    for eid, ejson, key, doc_id, title, grp, rjson, url, published, text, reason, side, basis in members:
        if (grp or key) in seen_groups:
            continue  # a copy of a source already shown
        seen_groups.add(grp or key)
        if basis is None:  # stored before sides were recorded
            from readouts.sides import document_side

            side, basis = document_side(url, text)
        out.append({
            "engagement_id": eid, "event_id": event, "document_key": key, "document_id": doc_id,
            "title": title, "url": url, "published": published, "text": text, "side": side,
            "side_basis": basis, "engagement": json.loads(ejson),
            "link_reason": json.loads(reason) if reason else None, "readout": json.loads(rjson),
        })
    return out


def dyad_events(conn: sqlite3.Connection, countries: Sequence[str], since: str | None = None,
                until: str | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
    """(event id, ``event_reports``) of every event with an engagement of all ``countries`` in
    the period, by date. Works on a read-only connection (the web UI)."""
    clauses, params = engagement_conditions(countries, since, until)
    rows = conn.execute(
        f"""SELECT e.event_id, min(ifnull(e.date_start, '9999')) FROM engagements e
            JOIN documents d ON d.id = e.document_id
            WHERE e.event_id IS NOT NULL AND {' AND '.join(clauses) or '1'}
            GROUP BY e.event_id ORDER BY 2, 1""",
        params,
    ).fetchall()
    return [(event, event_reports(conn, event)) for event, _ in rows]


def side_has_report(conn: sqlite3.Connection, side: str, first: str | None = None,
                    last: str | None = None) -> bool:
    """Whether the store holds a report published by ``side`` (between the two days, if
    given). Works on a read-only connection (the web UI)."""
    if first is None or last is None:
        return conn.execute("SELECT 1 FROM documents WHERE side = ? LIMIT 1", (side,)).fetchone() is not None
    return conn.execute(
        "SELECT 1 FROM documents WHERE side = ? AND published BETWEEN ? AND ? LIMIT 1", (side, first, last + "~")
    ).fetchone() is not None



class Store(WritePath, CopyGroups, ActorEnrichment, EventLinks):
    """A readouts database. Use as a context manager, or call ``close()``.

    ``Store(path)`` opens the file (creating it unless ``create=False``) and migrates it to
    ``SCHEMA_VERSION``. ``readonly=True`` never writes (a file that is not writable must have
    the current schema). ``lock=True`` makes this the only writer of the file until ``close``
    (another waits; ``on_wait`` is told so).
    """

    def __init__(self, path: str | Path, *, create: bool = True,
                 readonly: bool = False, lock: bool = False,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._dedup: Any = None  # readouts.dedup.DuplicateIndex over the store's tables, on first write
        self._lock_fd: int | None = None
        if (not create or readonly) and str(path) != ":memory:" and not self.path.is_file():
            raise StoreError(f"no database at {path} (run 'readouts ingest' first)")
        if lock and not readonly and str(path) != ":memory:":
            self._lock_fd = _writer_lock(self.path, on_wait)
        try:
            if readonly:
                self._conn = open_readonly(self.path)
            else:
                self._conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
        except (sqlite3.Error, OSError) as exc:
            self._unlock()
            raise StoreError(f"cannot open {path}: {exc}") from exc
        self._conn.create_function("readouts_words", 1, words_of, deterministic=True)
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._check_header()
            if readonly:
                self._check_readonly_schema()
            else:
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._migrate(SCHEMA_VERSION)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            self._unlock()
            raise StoreError(f"cannot open {path}: {exc}") from exc
        except StoreError:
            self._conn.close()
            self._unlock()
            raise

    def _check_readonly_schema(self) -> None:
        version = self.schema_version
        if version < SCHEMA_VERSION and os.access(self.path, os.W_OK) and os.access(
                self.path.resolve().parent, os.W_OK):
            Store(self.path, create=False).close()  # a writable file is upgraded first
            version = self.schema_version
        if version < SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, older than this readouts ({SCHEMA_VERSION}), "
                "and cannot be upgraded read-only; run any 'readouts ingest' on a writable copy"
            )

    def _unlock(self) -> None:
        """Release the writer lock, after the connection is closed (closing another
        descriptor of the file first would drop SQLite's own POSIX locks)."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._conn.close()
        finally:
            self._unlock()

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def _check_header(self) -> None:
        version = self.schema_version  # raises DatabaseError on a file that is not SQLite
        app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id not in (0, APPLICATION_ID) or (version and app_id != APPLICATION_ID):
            raise StoreError(f"{self.path} is a SQLite database but not a readouts database")
        if not version and not app_id:
            tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise StoreError(f"{self.path} is a SQLite database but not a readouts database")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this readouts knows "
                f"({SCHEMA_VERSION}); upgrade readouts"
            )

    def _migrate(self, target: int) -> None:
        migrate(self._conn, target)

    def _transaction(self) -> Any:
        return transaction(self._conn)

    def duplicate_groups(self, *, singletons: bool = False) -> list[dict[str, Any]]:
        """Groups of copies: near-duplicate texts and identical republications (one text stored
        under several ids or URLs).

        ``[{canonical, canonical_key, documents: [{key, id, title, url, identical}]}]``, one entry
        per source, canonical document first; ``identical`` marks a further source of a text
        listed just before.
        """
        if not self.readonly:
            self._ensure_groups()
        groups = self._conn.execute(
            """SELECT d.duplicate_group FROM documents d JOIN document_sources s ON s.document_id = d.id
               GROUP BY d.duplicate_group """ + ("" if singletons else "HAVING count(*) > 1 ")
            + "ORDER BY min(d.seq)"
        ).fetchall()
        out = []
        for (group,) in groups:
            members = self._conn.execute(
                """SELECT d.id, s.doc_id, d.title, s.url FROM documents d
                   JOIN document_sources s ON s.document_id = d.id
                   WHERE d.duplicate_group = ?
                   ORDER BY d.is_canonical DESC, d.seq, s.first_seen, s.rowid""",
                (group,),
            ).fetchall()
            documents = []
            for i, (k, d, t, u) in enumerate(members):
                documents.append({"key": k, "id": d, "title": t, "url": u,
                                  "identical": i > 0 and members[i - 1][0] == k})
            out.append({"canonical": members[0][1], "canonical_key": group, "documents": documents})
        return out

    def cross_source_events(self, count_only: bool = False) -> Any:
        """Events reported by documents of two or more duplicate groups (different sources)."""
        rows = self._conn.execute(
            """SELECT e.event_id FROM engagements e JOIN documents d ON d.id = e.document_id
               WHERE e.event_id IS NOT NULL
               GROUP BY e.event_id HAVING count(DISTINCT d.duplicate_group) > 1
               ORDER BY e.event_id"""
        ).fetchall()
        if count_only:
            return len(rows)
        out = []
        for (event,) in rows:
            members = self._conn.execute(
                """SELECT e.id, d.doc_id, d.is_canonical FROM engagements e
                   JOIN documents d ON d.id = e.document_id WHERE e.event_id = ? ORDER BY d.seq""",
                (event,),
            ).fetchall()
            out.append({"event_id": event,
                        "engagements": [{"id": m[0], "document_id": m[1], "canonical": bool(m[2])}
                                        for m in members]})
        return out

    def engagement_documents(self, engagement_id: str) -> list[str]:
        """User ids of every document reporting an engagement: its own, its copies, linked sources."""
        from readouts.read.rows import rows_for

        found = rows_for(self._conn, [engagement_id])
        if not found:
            raise UnknownEngagement(f"no engagement with id {engagement_id!r}")
        return found[0]["documents"]

    def event_sources(self, engagement_id: str) -> list[dict[str, Any]]:
        """Per source document of an engagement's event (canonical documents, then copies when
        no canonical one reports it): document key and id, title, url, publication date, clean
        text, publisher side (``readouts.sides.document_side``) and how it was told, the
        engagement, why it was linked (``link_reason``) and the readout.
        ``engagement_id`` is an engagement's id or an event id (``ev:...``)."""
        row = self._conn.execute(
            "SELECT event_id FROM engagements WHERE id = ? OR event_id = ? LIMIT 1",
            (engagement_id, engagement_id),
        ).fetchone()
        if row is None:
            raise UnknownEngagement(f"no engagement or event with id {engagement_id!r}")
        return self._event_reports(row[0], engagement_id)

    def _event_reports(self, event: str | None, engagement_id: str | None = None) -> list[dict[str, Any]]:
        return event_reports(self._conn, event, engagement_id)

    def dyad_events(self, countries: Sequence[str], since: str | None = None,
                    until: str | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
        """(event id, reports as ``event_sources`` gives them) for every event with an
        engagement of all ``countries`` in the period, ordered by date."""
        return dyad_events(self._conn, countries, since, until)

    def side_has_report(self, side: str, first: str | None = None, last: str | None = None) -> bool:
        """Whether the store holds a report published by ``side`` (between the two days, if given)."""
        return side_has_report(self._conn, side, first, last)

    # -- reading -----------------------------------------------------------------------------

    def get_readout(self, doc_key: str) -> Readout:
        """The readout stored for a document key (content hash)."""
        row = self._conn.execute(
            "SELECT readout_json FROM documents WHERE id = ?", (doc_key,)
        ).fetchone()
        if row is None:
            raise UnknownDocument(f"no document with key {doc_key!r}")
        return Readout.from_dict(json.loads(row[0]))

    def has_document(self, doc_key: str) -> bool:
        return self._conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_key,)).fetchone() is not None

    @property
    def connection(self) -> sqlite3.Connection:
        """The store's connection, for the read side (``readouts.read``): read with it only."""
        return self._conn

    def query(self, filters: QueryFilter = QueryFilter()) -> list[dict[str, Any]]:
        """Engagements matching ``filters``, ordered by date (undated last), as flat dicts:
        the rows of ``readouts.read.rows`` (one per report, or per event with ``events=True``),
        with their ``reports``, ``sources`` and ``documents``."""
        return list(self.iter_engagement_rows(filters))

    def iter_engagement_rows(
        self, filters: QueryFilter = QueryFilter(limit=None)
    ) -> Iterator[dict[str, Any]]:
        """Stream the rows of ``query`` (by default every engagement) in constant memory."""
        from readouts.read.rows import BadQuery, iter_engagements

        try:
            yield from iter_engagements(self._conn, filters)
        except BadQuery as exc:
            raise StoreError(str(exc)) from exc
        except sqlite3.OperationalError as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def count(self, filters: QueryFilter = QueryFilter()) -> int:
        """How many rows ``query`` gives for ``filters`` (limit and offset aside)."""
        from readouts.read.rows import BadQuery
        from readouts.read.rows import count as count_rows

        try:
            return count_rows(self._conn, filters)
        except BadQuery as exc:
            raise StoreError(str(exc)) from exc
        except sqlite3.OperationalError as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def counts(self) -> dict[str, int]:
        """How many documents, readouts, engagements, participants and rejections are stored."""
        one = lambda sql: self._conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT count(*) FROM documents"),
            "readouts": one("SELECT count(*) FROM documents WHERE is_readout"),
            "engagements": one("SELECT count(*) FROM engagements"),
            "participants": one("SELECT count(*) FROM participants"),
            "rejections": one("SELECT count(*) FROM rejections"),
        }

    def rejection_reasons(self) -> dict[str, int]:
        """Stored rejections counted by reason, most frequent first."""
        rows = self._conn.execute(
            "SELECT reason, count(*) FROM rejections GROUP BY reason ORDER BY count(*) DESC, reason"
        )
        return dict(rows.fetchall())

