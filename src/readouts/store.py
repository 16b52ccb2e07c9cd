"""The embedded store: one SQLite file, the single source of truth.

* WAL journal, foreign keys on, a busy timeout so a reader and a writer can share the file.
* The schema is an ordered list of migrations (``MIGRATIONS``); ``PRAGMA user_version`` says how
  many have been applied. Opening an older database applies the missing ones in one transaction.
* Documents are keyed by the content hash of their clean text, so re-ingesting the same text is a
  no-op ("already present"); engagements are keyed by ``<document key>-<ordinal>``.
* ``add_batch`` writes a batch of results in ONE transaction: an interrupted ingest leaves only
  whole batches behind and a re-run resumes without duplicates.
* ``documents_fts`` is an FTS5 index over (title, text), external content kept in sync by triggers.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from readouts.read.filters import Filters as QueryFilter
from readouts.read.filters import alias_key as _alias_key
from readouts.read.filters import engagement_conditions, first_day, fts_query, is_valid_date
from readouts.read.filters import words_of as _words
from readouts.records import IngestError, Readout, content_hash

if TYPE_CHECKING:  # the pipeline imports the extraction stages; the store needs none of them
    from readouts.pipeline import Result

__all__ = [
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
]

APPLICATION_ID = 0x52454144  # "READ": marks a SQLite file as a readouts store

# Ordered migrations: (name, script). Never edit a released one; append a new one.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "001_core",
        """
        CREATE TABLE documents (
            seq          INTEGER PRIMARY KEY,      -- stable rowid for the FTS index
            id           TEXT NOT NULL UNIQUE,     -- content hash of the clean text
            doc_id       TEXT NOT NULL,            -- the user's id
            source       TEXT,
            url          TEXT,
            title        TEXT,
            published    TEXT,
            text         TEXT NOT NULL,
            is_readout   INTEGER NOT NULL CHECK (is_readout IN (0, 1)),
            reason       TEXT,
            readout_json TEXT NOT NULL,
            ingested_at  TEXT NOT NULL
        );
        CREATE INDEX documents_doc_id ON documents (doc_id);

        CREATE TABLE engagements (
            id               TEXT PRIMARY KEY,     -- document key + '-' + ordinal
            document_id      TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            ordinal          INTEGER NOT NULL,
            date             TEXT,                 -- as extracted: YYYY, YYYY-MM or YYYY-MM-DD
            date_start       TEXT,                 -- first day of that period, for range filters
            date_precision   TEXT,
            mode             TEXT NOT NULL,
            location_city    TEXT,
            location_country TEXT,
            occasion         TEXT,
            json             TEXT NOT NULL,        -- the full Engagement.as_dict()
            UNIQUE (document_id, ordinal)
        );
        CREATE INDEX engagements_date ON engagements (date_start);
        CREATE INDEX engagements_mode ON engagements (mode, date_start);

        CREATE TABLE participants (
            engagement_id TEXT NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
            ordinal       INTEGER NOT NULL,
            name          TEXT,
            name_fold     TEXT,                    -- casefolded name, for actor search
            country       TEXT,
            title         TEXT,
            side          TEXT,
            PRIMARY KEY (engagement_id, ordinal)
        );
        CREATE INDEX participants_country ON participants (country COLLATE NOCASE, engagement_id);
        CREATE INDEX participants_name ON participants (name_fold);

        CREATE TABLE rejections (
            id      INTEGER PRIMARY KEY,
            source  TEXT NOT NULL,
            doc_id  TEXT,
            reason  TEXT NOT NULL,
            at      TEXT NOT NULL
        );
        CREATE UNIQUE INDEX rejections_unique ON rejections (source, ifnull(doc_id, ''), reason);
        """,
    ),
    (
        "002_fulltext",
        """
        CREATE VIRTUAL TABLE documents_fts USING fts5 (
            title, text,
            content = 'documents', content_rowid = 'seq',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
            INSERT INTO documents_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
        END;
        INSERT INTO documents_fts (documents_fts) VALUES ('rebuild');
        """,
    ),
    (
        "003_links",
        """
        ALTER TABLE documents ADD COLUMN duplicate_group TEXT;
        ALTER TABLE documents ADD COLUMN is_canonical INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX documents_duplicate_group ON documents (duplicate_group);

        ALTER TABLE engagements ADD COLUMN lat REAL;
        ALTER TABLE engagements ADD COLUMN lon REAL;
        ALTER TABLE engagements ADD COLUMN occasion_series TEXT;
        ALTER TABLE engagements ADD COLUMN occasion_edition TEXT;
        ALTER TABLE engagements ADD COLUMN link_key TEXT;
        ALTER TABLE engagements ADD COLUMN event_id TEXT;
        CREATE INDEX engagements_link_key ON engagements (link_key);
        CREATE INDEX engagements_event ON engagements (event_id);
        CREATE INDEX engagements_occasion ON engagements (occasion_series COLLATE NOCASE);

        ALTER TABLE participants ADD COLUMN actor_id TEXT;
        CREATE INDEX participants_actor ON participants (actor_id);

        CREATE TABLE actors (
            id           TEXT PRIMARY KEY,
            kind         TEXT NOT NULL,
            name         TEXT NOT NULL,
            country      TEXT,
            aliases_json TEXT NOT NULL,
            posts_json   TEXT NOT NULL,
            documents    INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE actor_aliases (
            actor_id  TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
            alias     TEXT NOT NULL,
            alias_key TEXT NOT NULL,
            PRIMARY KEY (actor_id, alias)
        );
        CREATE INDEX actor_aliases_key ON actor_aliases (alias_key);

        CREATE TABLE dedup_state (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            max_seq INTEGER NOT NULL,
            state   BLOB NOT NULL
        );
        """,
    ),
    (
        "004_sources_config",
        """
        -- every source of a stored text: identical republications keep their id, URL, metadata
        CREATE TABLE document_sources (
            document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            doc_id        TEXT NOT NULL,
            source        TEXT NOT NULL DEFAULT '',
            url           TEXT,
            metadata_json TEXT NOT NULL DEFAULT '{}',
            first_seen    TEXT NOT NULL,
            PRIMARY KEY (document_id, doc_id, source)
        );
        CREATE INDEX document_sources_doc_id ON document_sources (doc_id);
        INSERT INTO document_sources (document_id, doc_id, source, url, first_seen)
            SELECT id, doc_id, ifnull(source, ''), url, ingested_at FROM documents;

        CREATE TABLE config (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        -- the full-text index again, declared the way sqlite-utils and Datasette detect it
        DROP TRIGGER documents_fts_insert;
        DROP TRIGGER documents_fts_delete;
        DROP TRIGGER documents_fts_update;
        DROP TABLE documents_fts;
        CREATE VIRTUAL TABLE documents_fts USING fts5 (
            title, text,
            content="documents", content_rowid="seq",
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
            INSERT INTO documents_fts (rowid, title, text) VALUES (new.seq, new.title, new.text);
        END;
        INSERT INTO documents_fts (documents_fts) VALUES ('rebuild');
        """,
    ),
    (
        "005_crawl",  # readouts.crawl: the frontier and fetch state, so a killed crawl resumes
        """
        CREATE TABLE crawl_runs (
            id          INTEGER PRIMARY KEY,
            sources     TEXT NOT NULL,            -- the SOURCE arguments, JSON
            started_at  TEXT NOT NULL,
            finished_at TEXT                      -- NULL: unfinished, the next crawl resumes it
        );
        CREATE TABLE crawl_urls (
            url           TEXT PRIMARY KEY,
            host          TEXT NOT NULL,          -- scheme://host[:port], the politeness key
            kind          TEXT NOT NULL,          -- start, sitemap(index), feed, list, page, robots
            profile       TEXT,
            state         TEXT NOT NULL,          -- queued, fetched, done, retry, failed, skipped
            run           INTEGER NOT NULL,       -- the crawl run that last queued it
            priority      INTEGER NOT NULL,       -- lower first: sitemaps and feeds, lists, pages
            lastmod       TEXT,                   -- from a sitemap or feed
            discovered_at TEXT NOT NULL,
            fetched_at    TEXT,
            status        INTEGER,                -- last HTTP status
            etag          TEXT,
            last_modified TEXT,
            warc_file     TEXT,                   -- where the last response is archived
            warc_offset   INTEGER,
            reason        TEXT                    -- why it failed or was skipped
        );
        CREATE INDEX crawl_urls_next ON crawl_urls (state, priority, host);
        """,
    ),
    (
        "006_event_links",
        """
        ALTER TABLE engagements ADD COLUMN link_day TEXT;
        ALTER TABLE engagements ADD COLUMN link_reason TEXT;
        ALTER TABLE documents ADD COLUMN side TEXT;
        ALTER TABLE documents ADD COLUMN side_basis TEXT;
        CREATE INDEX documents_side ON documents (side, published);
        CREATE INDEX engagements_block ON engagements (link_key, link_day);
        UPDATE engagements SET event_id = NULL, link_key = NULL;
        CREATE TABLE dedup_docs (
            seq         INTEGER PRIMARY KEY,          -- order added
            doc         TEXT NOT NULL UNIQUE,         -- documents.id
            grp         TEXT NOT NULL,                -- the group (a member's key; not the canonical)
            shingles    BLOB NOT NULL,                -- sorted 64-bit shingle hashes
            quality     TEXT NOT NULL,                -- JSON: readouts.dedup.readout_signature
            engagements TEXT NOT NULL                 -- JSON: the engagements that decide copies
        );
        CREATE INDEX dedup_docs_grp ON dedup_docs (grp);
        CREATE TABLE dedup_bands (
            band INTEGER NOT NULL,                    -- LSH band key
            doc  TEXT NOT NULL
        );
        CREATE INDEX dedup_bands_band ON dedup_bands (band);
        DELETE FROM dedup_state;
        UPDATE documents SET duplicate_group = NULL, is_canonical = 1;
        """,
    ),
    (
        "007_read_indexes",  # readouts.read: covering indexes, so rows, counts and events never read texts
        """
        CREATE INDEX documents_read ON documents (id, is_canonical, seq, duplicate_group);
        CREATE INDEX engagements_read ON engagements (document_id, date_start, event_id, ordinal, mode, id);
        """,
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
# The migration that added event links, publisher sides and the stored near-duplicate index:
# code that needs them asks for it by name, so its position in MIGRATIONS may change.
EVENT_LINKS_MIGRATION = "006_event_links"


def _migration_number(name: str) -> int:
    """How many migrations must be applied for ``name`` to be: its position, from 1."""
    return [n for n, _ in MIGRATIONS].index(name) + 1



class StoreError(Exception):
    """A domain error of the store: a message a user can act on."""


class UnknownEngagement(StoreError, KeyError):
    """No engagement with that id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownDocument(StoreError, KeyError):
    """No document with that key."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def coded_fields(engagement_json: str) -> dict[str, Any]:
    """The event codes (plover, plover_mode, cameo, goldstein), visitor and host of an
    engagement's stored JSON (``engagements.json``), as the rows of queries and exports carry them."""
    engagement = json.loads(engagement_json)
    codes = engagement.get("codes") or {}
    return {"plover": codes.get("plover"), "plover_mode": codes.get("plover_mode"), "cameo": codes.get("cameo"),
            "goldstein": codes.get("goldstein"), "visitor": engagement.get("visitor"), "host": engagement.get("host")}


def document_key(result: Result) -> str:
    """The key of a result's document: its content hash."""
    return result.clean.content_hash or content_hash(result.clean.text)


def _place_columns(city: str | None, country: str | None, occasion: str | None,
                   when: str | None) -> tuple[Any, Any, Any, Any]:
    """(lat, lon, occasion series, occasion edition) of an engagement."""
    from readouts.places import normalise_occasion, resolve_location

    lat = lon = series = edition = None
    if city:
        place = resolve_location(city, country)
        lat, lon = place.lat, place.lon
    if occasion and occasion.strip():
        occ = normalise_occasion(occasion, when)
        series, edition = occ.series, occ.edition
    return lat, lon, series, edition


@dataclass(frozen=True, slots=True)
class BatchCounts:
    """What one or more ``add_batch`` calls did."""

    new: int = 0  # documents inserted
    present: int = 0  # documents already in the store (same content hash)
    readouts: int = 0  # new documents that are readouts
    engagements: int = 0  # engagements inserted
    sources: int = 0  # new sources (id, file or URL) of a text already stored
    replaced: int = 0  # stored documents removed because a new text came under their id
    notes: tuple[str, ...] = ()  # what a user should know (an id given to two different texts)

    def __add__(self, other: BatchCounts) -> BatchCounts:
        return BatchCounts(
            self.new + other.new,
            self.present + other.present,
            self.readouts + other.readouts,
            self.engagements + other.engagements,
            self.sources + other.sources,
            self.replaced + other.replaced,
            self.notes + other.notes,
        )


def _statements(script: str) -> Iterator[str]:
    """Split a SQL script into complete statements (triggers included)."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n\t;"):
                yield buffer.strip()
            buffer = ""
    if buffer.strip(" \n\t;"):
        raise ValueError(f"incomplete SQL statement: {buffer.strip()[:60]}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (interrupts included)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Store:
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
        self._conn.create_function("readouts_words", 1, _words, deterministic=True)
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
        if self.schema_version >= target:
            return
        with self._transaction():
            current = self.schema_version  # another process may have migrated meanwhile
            for number in range(current, target):
                name, script = MIGRATIONS[number]
                try:
                    for statement in _statements(script):
                        self._conn.execute(statement)
                except sqlite3.Error as exc:
                    raise StoreError(f"migration {name} failed: {exc}") from exc
            if current < target:
                self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self._conn.execute(f"PRAGMA user_version = {int(target)}")

    # -- writing -----------------------------------------------------------------------------

    def add_batch(self, results: Sequence[Result], *, replace: bool = False) -> BatchCounts:
        """Insert a batch of results in one transaction; documents already present are skipped.

        Every source of a text is kept (``document_sources``): an identical republication under
        another id or URL is "already present" and adds its source. A text that comes under an
        id already given to another text is stored beside it with a note, unless ``replace``:
        then the other text's source under that id is removed, and the text itself when it has
        no other source left. Any error rolls the whole batch back: the store is left as it was.
        """
        counts = BatchCounts()
        now = _now()
        try:
            with self._transaction():
                new_keys: list[tuple[str, str, Readout]] = []
                removed = 0
                for result in results:
                    key = document_key(result)
                    others = self._other_texts_of(result.raw.id, key)
                    if others and replace:
                        removed += self._remove_sources(result.raw.id, others)
                        counts += BatchCounts(replaced=len(others))
                    elif others:
                        counts += BatchCounts(notes=(
                            f"{result.raw.id}: this id was already given to another text "
                            f"({result.raw.source}); both texts are kept (--replace replaces the "
                            "stored one)",
                        ))
                    added = self._add_one(result, now)
                    if added.new:
                        new_keys.append((key, result.clean.text, result.readout))
                        self._set_side(result)
                    counts += added
                if removed:
                    self._regroup_all()
                else:
                    self._group_copies(new_keys)
        except BaseException as exc:
            # the index object may hold state of documents that were rolled back: reopen it
            self._dedup = None
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"cannot store batch: {exc}") from exc
            raise
        return counts

    def _other_texts_of(self, doc_id: str, key: str) -> list[str]:
        """Keys of stored documents other than ``key`` that have a source with this user id."""
        return [k for (k,) in self._conn.execute(
            "SELECT DISTINCT document_id FROM document_sources WHERE doc_id = ? AND document_id != ?",
            (doc_id, key),
        )]

    def _add_source(self, key: str, result: Result, now: str) -> bool:
        raw = result.raw
        cursor = self._conn.execute(
            """INSERT INTO document_sources (document_id, doc_id, source, url, metadata_json, first_seen)
               VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
            (key, raw.id, raw.source or "", raw.url or result.clean.url,
             json.dumps(raw.metadata or {}, ensure_ascii=False, default=str), now),
        )
        return cursor.rowcount > 0

    def _remove_sources(self, doc_id: str, keys: Iterable[str]) -> int:
        """Remove the sources with user id ``doc_id`` of these documents, and the documents
        left without a source. Returns how many documents were removed."""
        removed = 0
        for key in keys:
            self._conn.execute(
                "DELETE FROM document_sources WHERE document_id = ? AND doc_id = ?", (key, doc_id)
            )
            left = self._conn.execute(
                "SELECT doc_id, source, url, metadata_json FROM document_sources WHERE document_id = ?"
                " ORDER BY first_seen, rowid",
                (key,),
            ).fetchone()
            if left is None:
                removed += self._delete_document(key)
            else:  # the text stays under its other source, whose publisher side it now has
                self._conn.execute(
                    "UPDATE documents SET doc_id = ?, source = ?, url = ? WHERE id = ?", (*left[:3], key)
                )
                self._reset_side(key, left[2], json.loads(left[3] or "{}"))
        return removed

    def _reset_side(self, key: str, url: str | None, metadata: dict[str, Any]) -> None:
        from readouts.sides import document_side

        text = self._conn.execute("SELECT text FROM documents WHERE id = ?", (key,)).fetchone()[0]
        declared = metadata.get("side")
        side, basis = document_side(url, text, declared if isinstance(declared, str) else None)
        self._conn.execute("UPDATE documents SET side = ?, side_basis = ? WHERE id = ?", (side, basis, key))

    def _delete_document(self, key: str) -> int:
        # the engagements of the removed document's events lose their event and are linked
        # afresh by the next refresh_links / link_events (the removed report may have been
        # what joined them)
        self._conn.execute(
            """UPDATE engagements SET event_id = NULL, link_reason = NULL WHERE event_id IN
               (SELECT event_id FROM engagements WHERE document_id = ? AND event_id IS NOT NULL)
               AND document_id != ?""",
            (key, key),
        )
        return self._conn.execute("DELETE FROM documents WHERE id = ?", (key,)).rowcount

    def _regroup_all(self) -> None:
        """Group every stored document into copies afresh (after documents were removed)."""
        self._conn.execute("DELETE FROM dedup_state")
        self._conn.execute("DELETE FROM dedup_bands")
        self._conn.execute("DELETE FROM dedup_docs")
        self._conn.execute("UPDATE documents SET duplicate_group = NULL, is_canonical = 1")
        self._dedup = None
        self._dedup_index()

    def delete(self, ids: Iterable[str]) -> tuple[int, list[str]]:
        """Remove documents by the user's id (every text stored under it) or by document key.

        A text that has other sources stays under them. Returns (documents removed, ids not
        found). Run ``refresh_links`` afterwards to relink the engagements that remain.
        """
        removed, unknown = 0, []
        try:
            with self._transaction():
                for doc_id in dict.fromkeys(ids):
                    keys = [k for (k,) in self._conn.execute(
                        "SELECT DISTINCT document_id FROM document_sources WHERE doc_id = ?", (doc_id,)
                    )]
                    if keys:
                        removed += self._remove_sources(doc_id, keys)
                    elif self.has_document(doc_id):
                        removed += self._delete_document(doc_id)
                    else:
                        unknown.append(doc_id)
                if removed:
                    self._regroup_all()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot delete: {exc}") from exc
        return removed, unknown

    def get_config(self, key: str) -> str | None:
        """A setting kept in the store (``config`` table); None when unset."""
        row = self._conn.execute("SELECT value FROM config WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_config(self, key: str, value: str | None) -> None:
        """Keep a setting in the store (None removes it)."""
        with self._transaction():
            if value is None:
                self._conn.execute("DELETE FROM config WHERE key = ?", (key,))
            else:
                self._conn.execute(
                    "INSERT INTO config (key, value) VALUES (?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value)
                )

    def _add_one(self, result: Result, now: str) -> BatchCounts:
        clean, readout = result.clean, result.readout
        key = document_key(result)
        cursor = self._conn.execute(
            """INSERT INTO documents (id, doc_id, source, url, title, published, text,
                                      is_readout, reason, readout_json, ingested_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (id) DO NOTHING""",
            (
                key,
                clean.id,
                clean.source,
                clean.url or readout.url or result.raw.url,
                clean.title or readout.title,
                clean.published or readout.published,
                clean.text,
                int(bool(readout.is_readout)),
                readout.reason,
                json.dumps(readout.as_dict(), ensure_ascii=False),
                now,
            ),
        )
        new_source = self._add_source(key, result, now)
        if cursor.rowcount == 0:
            return BatchCounts(present=1, sources=int(new_source))
        for ordinal, engagement in enumerate(readout.engagements):
            engagement_id = f"{key}-{ordinal}"
            self._conn.execute(
                """INSERT INTO engagements (id, document_id, ordinal, date, date_start,
                       date_precision, mode, location_city, location_country, occasion, json,
                       lat, lon, occasion_series, occasion_edition)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    engagement_id,
                    key,
                    ordinal,
                    engagement.date,
                    first_day(engagement.date),
                    engagement.date_precision,
                    engagement.mode,
                    engagement.location.city,
                    engagement.location.country,
                    engagement.occasion,
                    json.dumps(engagement.as_dict(), ensure_ascii=False),
                    *_place_columns(engagement.location.city, engagement.location.country,
                                    engagement.occasion, engagement.date),
                ),
            )
            self._conn.executemany(
                """INSERT INTO participants (engagement_id, ordinal, name, name_fold, country,
                                             title, side)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [
                    (engagement_id, i, p.name, p.name.casefold() if p.name else None,
                     p.country, p.title, p.side)
                    for i, p in enumerate(engagement.participants)
                ],
            )
        return BatchCounts(
            new=1, readouts=int(bool(readout.is_readout)), engagements=len(readout.engagements)
        )

    def add_rejections(self, errors: Iterable[IngestError]) -> int:
        """Record rejected inputs (one transaction). A rejection seen again only updates its time."""
        now = _now()
        rows = [(e.source, e.id, e.reason, now) for e in errors]
        if not rows:
            return 0
        try:
            with self._transaction():
                self._conn.executemany(
                    """INSERT INTO rejections (source, doc_id, reason, at) VALUES (?, ?, ?, ?)
                       ON CONFLICT (source, ifnull(doc_id, ''), reason) DO UPDATE SET at = excluded.at""",
                    rows,
                )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot store rejections: {exc}") from exc
        return len(rows)

    def _transaction(self) -> Any:
        return transaction(self._conn)


    # -- near-duplicates ---------------------------------------------------------------------

    def _dedup_index(self) -> Any:
        """The DuplicateIndex of every stored document, kept in the store's own tables
        (``readouts.dedup.SQLiteState``); documents stored before it (an older store) are
        added first, in ``seq`` order. Call inside a transaction."""
        if self._dedup is not None:
            return self._dedup
        from readouts.dedup import DuplicateIndex, SQLiteState

        self._dedup = DuplicateIndex(state=SQLiteState(self._conn))
        row = self._conn.execute("SELECT max_seq FROM dedup_state WHERE id = 1").fetchone()
        missing = [
            (key, text, Readout.from_dict(json.loads(data))) for key, text, data in self._conn.execute(
                "SELECT id, text, readout_json FROM documents WHERE seq > ? ORDER BY seq", (row[0] if row else 0,)
            ).fetchall()
        ]
        self._group_copies(missing)
        return self._dedup

    def _group_copies(self, new: Sequence[tuple[str, str, Any]]) -> None:
        """Add new documents (key, clean text, readout) to the index; update duplicate_group and
        is_canonical of every document whose group changed (the canonical may move to a new,
        better copy: ``readouts.dedup``)."""
        if not new:
            return
        from readouts.dedup import readout_signature  # loaded only when there is a new text

        index = self._dedup_index()
        changed: dict[str, None] = {}
        for key, text, readout in new:
            if key in index:
                continue
            refs, quality = readout_signature(readout)
            index.add(key, text, engagements=refs, quality=quality)
            changed.update(dict.fromkeys(index.members(key)))
        rows = []
        for key in changed:
            root = index.canonical(key)
            rows.append((root, int(root == key), key))
        self._conn.executemany(
            "UPDATE documents SET duplicate_group = ?, is_canonical = ? WHERE id = ?", rows
        )
        self._conn.execute(
            "INSERT OR REPLACE INTO dedup_state (id, max_seq, state) VALUES"
            " (1, (SELECT ifnull(max(seq), 0) FROM documents), x'')"
        )

    def save_dedup_state(self) -> None:
        """Make sure every stored document is in the near-duplicate index (one transaction).

        The index is written together with the documents it covers (``add_batch``), so only
        documents stored by an older version are left to add here. Callers of the former API,
        which saved a pickled index at this point, keep working unchanged.
        """
        with self._transaction():
            self._dedup_index()

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

    def _ensure_groups(self) -> None:
        """Assign groups to documents stored before migration 004 (a no-op afterwards)."""
        if self._conn.execute(
            "SELECT 1 FROM documents WHERE duplicate_group IS NULL LIMIT 1"
        ).fetchone() is None:
            return
        with self._transaction():
            self._dedup_index()

    # -- actors and cross-source links ---------------------------------------------------------

    def readouts(self) -> Iterator[Readout]:
        """Every stored readout, in insertion order."""
        for (data,) in self._conn.execute("SELECT readout_json FROM documents ORDER BY seq"):
            yield Readout.from_dict(json.loads(data))

    def build_registry(self, overrides: Any = None) -> Any:
        """A ``readouts.actors.ActorRegistry`` of every stored readout."""
        from readouts.actors import ActorRegistry

        registry = ActorRegistry(overrides)
        registry.add_readouts(self.readouts())
        return registry

    def refresh_links(self, overrides: Any = None) -> dict[str, int]:
        """Resolve actors, store them, and relink engagements across sources.

        Run after ingesting (``readouts ingest`` does): participants get their ``actor_id``,
        the ``actors`` tables are rewritten, and new engagements (and those whose event lost a
        report: ``delete``, ``add_batch(replace=True)``) are linked to the events of their block
        (``link_events``).
        Returns {"actors", "events", "linked"} counts and the registry's "warnings" (override
        entries naming actors that are not in the registry).
        """
        from readouts.actors import code_actor_id

        self._ensure_groups()
        registry = self.build_registry(overrides)
        with self._transaction():
            actors = registry.actors()
            self._conn.execute("DELETE FROM actor_aliases")
            self._conn.execute("DELETE FROM actors")
            self._conn.executemany(
                "INSERT INTO actors (id, kind, name, country, aliases_json, posts_json, documents)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(a.id, a.kind, a.name, a.country, json.dumps(list(a.aliases), ensure_ascii=False),
                  json.dumps([p.as_dict() for p in a.posts], ensure_ascii=False), a.documents)
                 for a in actors],
            )
            self._conn.executemany(
                "INSERT OR IGNORE INTO actor_aliases (actor_id, alias, alias_key) VALUES (?, ?, ?)",
                [(a.id, n, _alias_key(n)) for a in actors for n in dict.fromkeys((a.name, *a.aliases))],
            )
            # participants -> actor ids
            rows = self._conn.execute(
                """SELECT e.id, e.date, d.published, p.ordinal, p.name, p.country, p.title, p.actor_id
                   FROM engagements e JOIN documents d ON d.id = e.document_id
                   JOIN participants p ON p.engagement_id = e.id"""
            )
            actor_updates = []
            for eid, when, published, ordinal, name, country, title, old in rows.fetchall():
                actor = None
                if name and name.strip():
                    actor = registry.resolve(name, country, title, when or published)
                elif country:
                    actor = code_actor_id(country)
                if actor != old:
                    actor_updates.append((actor, eid, ordinal))
            self._conn.executemany(
                "UPDATE participants SET actor_id = ? WHERE engagement_id = ? AND ordinal = ?",
                actor_updates,
            )
            self._link_new_engagements()
        one = lambda sql: self._conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "actors": one("SELECT count(*) FROM actors"),
            "events": one("SELECT count(DISTINCT event_id) FROM engagements"),
            "linked": self.cross_source_events(count_only=True),
            "warnings": list(registry.warnings),
        }

    # The candidates of a timed engagement: its block, time spans starting from a month
    # before its own (a month date starts on the 1st) to a few days after it.
    _LINK_BEFORE_DAYS = 35
    _LINK_AFTER_DAYS = 7

    def link_events(self) -> int:
        """Link the engagements that have no event yet; returns how many joined an event.

        Incremental: each new engagement is compared with the engagements of its block
        (``engagements.link_key``: mode class and states) whose time span is near its own
        (``link_day``, indexed), so the cost does not grow with the store. Why each link
        was made is kept in ``engagements.link_reason`` (JSON, ``readouts.links.LinkReason``).
        """
        with self._transaction():
            return self._link_new_engagements()

    def _link_ref(self, eid: str) -> Any:
        from readouts.links import EngagementRef, PartRef

        row = self._conn.execute(
            """SELECT e.document_id, e.mode, e.date, d.published, e.location_city
               FROM engagements e JOIN documents d ON d.id = e.document_id WHERE e.id = ?""",
            (eid,),
        ).fetchone()
        parts = tuple(  # a participant without a country takes its resolved actor's
            PartRef(n, c, a) for n, c, a in self._conn.execute(
                """SELECT p.name, coalesce(p.country, a.country), p.actor_id FROM participants p
                   LEFT JOIN actors a ON a.id = p.actor_id WHERE p.engagement_id = ? ORDER BY p.ordinal""",
                (eid,),
            )
        )
        return EngagementRef(eid, row[0], row[1], row[2], parts, row[3], row[4])

    def _link_candidates(self, ref: Any, block: str) -> list[tuple[Any, str]]:
        from datetime import timedelta

        span = ref.span
        if span is None:  # a timeless engagement is compared with its whole block
            rows = self._conn.execute(
                "SELECT id, event_id FROM engagements WHERE link_key = ? AND event_id IS NOT NULL AND id != ?",
                (block, ref.id),
            ).fetchall()
        else:
            lo = (span.first - timedelta(days=self._LINK_BEFORE_DAYS)).isoformat()
            hi = (span.last + timedelta(days=self._LINK_AFTER_DAYS)).isoformat()
            rows = self._conn.execute(
                """SELECT id, event_id FROM engagements WHERE link_key = ? AND link_day BETWEEN ? AND ?
                   AND event_id IS NOT NULL AND id != ?""",
                (block, lo, hi, ref.id),
            ).fetchall()
        return [(self._link_ref(eid), event) for eid, event in rows]

    def _link_new_engagements(self) -> int:
        from readouts.links import block_key, choose_event, link_order

        new = [self._link_ref(eid) for (eid,) in self._conn.execute(
            "SELECT id FROM engagements WHERE event_id IS NULL"
        ).fetchall()]
        joined = 0
        touched: set[str] = set()
        for ref in sorted(new, key=link_order):
            block = block_key(ref.mode, ref.countries)
            span = ref.span
            chosen = choose_event(ref, self._link_candidates(ref, block)) if block else None
            event, reason = chosen if chosen else ("ev:" + ref.id, None)
            joined += chosen is not None
            if block:
                touched.add(block)
            self._conn.execute(
                "UPDATE engagements SET link_key = ?, link_day = ?, event_id = ?, link_reason = ? WHERE id = ?",
                (block, span.first.isoformat() if span else None, event,
                 json.dumps(reason.as_dict(), ensure_ascii=False) if reason else None, ref.id),
            )
        # a timeless engagement stored before the first timed report of its event joins it now
        for block in sorted(touched):
            for (eid,) in self._conn.execute(
                """SELECT e.id FROM engagements e WHERE e.link_key = ? AND e.link_day IS NULL
                   AND e.event_id = 'ev:' || e.id
                   AND NOT EXISTS (SELECT 1 FROM engagements o WHERE o.event_id = e.event_id AND o.id != e.id)""",
                (block,),
            ).fetchall():
                ref = self._link_ref(eid)
                chosen = choose_event(ref, self._link_candidates(ref, block))
                if chosen:
                    joined += 1
                    self._conn.execute(
                        "UPDATE engagements SET event_id = ?, link_reason = ? WHERE id = ?",
                        (chosen[0], json.dumps(chosen[1].as_dict(), ensure_ascii=False), eid),
                    )
        return joined

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

    def _set_side(self, result: Result) -> None:
        from readouts.sides import document_side

        declared = result.raw.metadata.get("side") if result.raw.metadata else None
        side, basis = document_side(result.clean.url or result.raw.url, result.clean.text,
                                    declared if isinstance(declared, str) else None)
        self._conn.execute("UPDATE documents SET side = ?, side_basis = ? WHERE id = ?",
                           (side, basis, document_key(result)))

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

