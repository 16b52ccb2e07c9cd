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
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readouts.records import MODES, IngestError, Readout, content_hash

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
    "document_key",
    "dyad_events",
    "engagement_conditions",
    "event_reports",
    "first_day",
    "is_valid_date",
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
        "004_event_links",
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
)
SCHEMA_VERSION = len(MIGRATIONS)
# The migration that added event links, publisher sides and the stored near-duplicate index:
# code that needs them asks for it by name, so its position in MIGRATIONS may change.
EVENT_LINKS_MIGRATION = "004_event_links"


def _migration_number(name: str) -> int:
    """How many migrations must be applied for ``name`` to be: its position, from 1."""
    return [n for n, _ in MIGRATIONS].index(name) + 1

_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


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


def is_valid_date(value: str) -> bool:
    """True for YYYY, YYYY-MM or YYYY-MM-DD (a day that exists)."""
    if not _DATE.fullmatch(value):
        return False
    try:
        return len(value) < 10 or bool(date.fromisoformat(value))
    except ValueError:  # 2021-02-30
        return False


def first_day(value: str | None) -> str | None:
    """A (partial) ISO date as the first day of its period: 2019-07 -> 2019-07-01."""
    if not value:
        return None
    parts = value.split("-")
    while len(parts) < 3:
        parts.append("01")
    return "-".join(parts[:3])


def engagement_conditions(countries: Iterable[str] = (), since: str | None = None, until: str | None = None,
                          mode: str | None = None, text: str | None = None) -> tuple[list[str], list[Any]]:
    """SQL conditions on engagements ``e`` (joined to their documents ``d``), with their
    parameters: the filters the store's queries and the web UI share.

    Every listed country is among the participants; ``since`` / ``until`` bound the first day
    of the engagement's date (``until`` covers its whole period); ``text`` is an FTS5 query.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for country in dict.fromkeys(countries):  # dedupe, keep order
        clauses.append(
            "EXISTS (SELECT 1 FROM participants p WHERE p.engagement_id = e.id"
            " AND p.country = ? COLLATE NOCASE)"
        )
        params.append(country)
    if since:
        clauses.append("e.date_start >= ?")
        params.append(first_day(since))
    if until:
        # '~' sorts after '-' and digits: every date within the period is <= until + '~'.
        clauses.append("e.date_start <= ?")
        params.append(until + "~")
    if mode:
        clauses.append("e.mode = ?")
        params.append(mode)
    if text is not None:
        clauses.append("d.seq IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
        params.append(text)
    return clauses, params


def document_key(result: Result) -> str:
    """The key of a result's document: its content hash."""
    return result.clean.content_hash or content_hash(result.clean.text)


def _place_columns(city: str | None, country: str | None, occasion: str | None,
                   when: str | None) -> tuple[Any, Any, Any, Any]:
    """(lat, lon, occasion series, occasion edition); all None while ``readouts.places`` is absent."""
    try:
        from readouts.places import normalise_occasion, resolve_location
    except ImportError:  # part A's module not installed: leave the columns empty
        return None, None, None, None
    lat = lon = series = edition = None
    if city:
        place = resolve_location(city, country)
        lat, lon = place.lat, place.lon
    if occasion and occasion.strip():
        occ = normalise_occasion(occasion, when)
        series, edition = occ.series, occ.edition
    return lat, lon, series, edition


def _alias_key(name: str) -> str:
    """Transliteration-folded form of a name, for alias search ("Sergei" == "Sergey")."""
    try:
        from readouts.actors import name_key
    except ImportError:
        return " ".join(name.casefold().split())
    return " ".join(name_key(name))


@dataclass(frozen=True, slots=True)
class BatchCounts:
    """What one or more ``add_batch`` calls did."""

    new: int = 0  # documents inserted
    present: int = 0  # documents already in the store (same content hash)
    readouts: int = 0  # new documents that are readouts
    engagements: int = 0  # engagements inserted

    def __add__(self, other: BatchCounts) -> BatchCounts:
        return BatchCounts(
            self.new + other.new,
            self.present + other.present,
            self.readouts + other.readouts,
            self.engagements + other.engagements,
        )


@dataclass(frozen=True, slots=True)
class QueryFilter:
    """Which engagements to return. Every given criterion must hold.

    ``countries``: every listed country is among the participants (two countries = the dyad).
    ``actor``: case-insensitive substring of a participant's name.
    ``since`` / ``until``: YYYY, YYYY-MM or YYYY-MM-DD, inclusive; a partial engagement date counts
    as the first day of its period; ``until`` covers its whole period (until=2019 includes 2019-12-31).
    ``mode``: one of ``records.MODES``. ``text``: an FTS5 query over document titles and texts.
    ``limit=None`` returns every match. ``include_copies``: also the engagements of
    non-canonical near-duplicate copies (by default each readout is counted once).
    ``occasion``: the normalised occasion series (``readouts.places.normalise_occasion``).
    ``actor`` also matches the aliases of resolved actors ("Sergei Lavrov" finds "Sergey Lavrov").
    """

    countries: tuple[str, ...] = ()
    actor: str | None = None
    since: str | None = None
    until: str | None = None
    mode: str | None = None
    text: str | None = None
    limit: int | None = 100
    offset: int = 0
    include_copies: bool = False  # engagements of republished copies too (counted twice)
    occasion: str | None = None  # occasion series ("G20 Summit"), case-insensitive

    def __post_init__(self) -> None:
        if isinstance(self.countries, str):
            raise TypeError("countries must be a tuple of country codes, not a string")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not is_valid_date(value):
                raise ValueError(f"{name}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"mode: {self.mode!r} is not one of {', '.join(MODES)}")
        if self.limit is not None and self.limit < 0:
            raise ValueError("limit must be >= 0")
        if self.offset < 0:
            raise ValueError("offset must be >= 0")


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


def event_reports(conn: sqlite3.Connection, event: str | None,
                  engagement_id: str | None = None) -> list[dict[str, Any]]:
    """The reports of an event (and of ``engagement_id``), one per group of copies, canonical
    first: what ``Store.event_sources`` returns. Works on a read-only connection (the web UI)."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(documents)")}
    v4 = "side" in columns
    extra = "e.link_reason, d.side, d.side_basis" if v4 else "NULL, NULL, NULL"
    order = "d.is_canonical DESC, d.seq" if "is_canonical" in columns else "d.seq"
    group = "d.duplicate_group" if "duplicate_group" in columns else "NULL"
    where = "e.id = ? OR (? IS NOT NULL AND e.event_id = ?)" if "event_id" in {
        r[1] for r in conn.execute("PRAGMA table_info(engagements)")} else "e.id = ? OR ? = ?"
    members = conn.execute(
        f"""SELECT e.id, e.json, d.id, d.doc_id, d.title, {group}, d.readout_json, d.url, d.published,
                   d.text, {extra}
            FROM engagements e JOIN documents d ON d.id = e.document_id
            WHERE {where} ORDER BY {order}""",
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


class Store:
    """A readouts database. Use as a context manager, or call ``close()``.

    ``Store(path)`` opens the file (creating it unless ``create=False``) and migrates it to
    ``SCHEMA_VERSION``. ``upto`` stops the migrations early (for tests of upgrades).
    """

    def __init__(self, path: str | Path, *, create: bool = True, upto: int | None = None) -> None:
        self.path = Path(path)
        self._dedup: Any = None  # readouts.dedup.DuplicateIndex over the store's tables, on first write
        if not create and str(path) != ":memory:" and not self.path.is_file():
            raise StoreError(f"no database at {path} (run 'readouts ingest' first)")
        try:
            self._conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from exc
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._check_header()
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._migrate(SCHEMA_VERSION if upto is None else upto)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"cannot open {path}: {exc}") from exc
        except StoreError:
            self._conn.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

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

    def add_batch(self, results: Sequence[Result]) -> BatchCounts:
        """Insert a batch of results in one transaction; documents already present are skipped.

        Any error rolls the whole batch back: the store is left as it was.
        """
        counts = BatchCounts()
        now = _now()
        self._v3 = self.schema_version >= 3
        self._v4 = self.schema_version >= _migration_number(EVENT_LINKS_MIGRATION)
        try:
            with self._transaction():
                new_keys: list[tuple[str, str, Readout]] = []
                for result in results:
                    added = self._add_one(result, now)
                    if added.new:
                        new_keys.append((document_key(result), result.clean.text, result.readout))
                        if self._v4:
                            self._set_side(result)
                    counts += added
                if self._v4:
                    self._group_copies(new_keys)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot store batch: {exc}") from exc
        return counts

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
        if cursor.rowcount == 0:
            return BatchCounts(present=1)
        for ordinal, engagement in enumerate(readout.engagements):
            engagement_id = f"{key}-{ordinal}"
            if not self._v3:  # an old schema (tests of upgrades): the 001 columns only
                self._conn.execute(
                    """INSERT INTO engagements (id, document_id, ordinal, date, date_start,
                           date_precision, mode, location_city, location_country, occasion, json)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (engagement_id, key, ordinal, engagement.date, first_day(engagement.date),
                     engagement.date_precision, engagement.mode, engagement.location.city,
                     engagement.location.country, engagement.occasion,
                     json.dumps(engagement.as_dict(), ensure_ascii=False)),
                )
            else:
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

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (interrupts included)."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")


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
        from readouts.dedup import readout_signature

        if not new:
            return
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
        """Groups of copies: [{canonical, documents: [{key, id, title}] (canonical first)}]."""
        self._ensure_groups()
        having = "" if singletons else "HAVING count(*) > 1"
        groups = self._conn.execute(
            f"SELECT duplicate_group FROM documents GROUP BY duplicate_group {having} "
            "ORDER BY min(seq)"
        ).fetchall()
        out = []
        for (group,) in groups:
            members = self._conn.execute(
                "SELECT id, doc_id, title FROM documents WHERE duplicate_group = ? "
                "ORDER BY is_canonical DESC, seq",
                (group,),
            ).fetchall()
            out.append({
                "canonical": members[0][1],
                "canonical_key": group,
                "documents": [{"key": k, "id": d, "title": t} for k, d, t in members],
            })
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
        """A ``readouts.actors.ActorRegistry`` of every stored readout; None without that module."""
        try:
            from readouts.actors import ActorRegistry
        except ImportError:
            return None
        registry = ActorRegistry(overrides)
        registry.add_readouts(self.readouts())
        return registry

    def refresh_links(self, overrides: Any = None) -> dict[str, int]:
        """Resolve actors, store them, and relink engagements across sources.

        Run after ingesting (``readouts ingest`` does): participants get their ``actor_id``,
        the ``actors`` tables are rewritten, and new engagements are linked to the events of
        their block (``link_events``).
        Returns {"actors", "events", "linked"} counts.
        """
        self._ensure_groups()
        registry = self.build_registry(overrides)
        with self._transaction():
            if registry is not None:
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
                if registry is not None:
                    if name and name.strip():
                        actor = registry.resolve(name, country, title, when or published)
                    elif country:
                        from readouts.actors import code_actor_id
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
        row = self._conn.execute(
            "SELECT e.event_id, d.doc_id FROM engagements e JOIN documents d ON d.id = e.document_id"
            " WHERE e.id = ?", (engagement_id,)
        ).fetchone()
        if row is None:
            raise UnknownEngagement(f"no engagement with id {engagement_id!r}")
        event, own = row
        docs = self._conn.execute(
            """SELECT d2.doc_id FROM engagements x
               JOIN documents dx ON dx.id = x.document_id
               JOIN documents d2 ON d2.duplicate_group = dx.duplicate_group OR d2.id = dx.id
               WHERE x.id = ? OR (? IS NOT NULL AND x.event_id = ?)
               GROUP BY d2.id ORDER BY min(d2.seq)""",
            (engagement_id, event, event),
        ).fetchall()
        return list(dict.fromkeys([own, *(d for (d,) in docs)]))

    def event_sources(self, engagement_id: str) -> list[dict[str, Any]]:
        """Per source document of an engagement's event (canonical documents, then copies when
        no canonical one reports it): document key and id, title, url, publication date, clean
        text, publisher side (``readouts.sides.document_side``) and how it was told, the
        engagement, why it was linked (``link_reason``) and the readout."""
        row = self._conn.execute(
            "SELECT event_id FROM engagements WHERE id = ?", (engagement_id,)
        ).fetchone()
        if row is None:
            raise UnknownEngagement(f"no engagement with id {engagement_id!r}")
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
        if self.schema_version < _migration_number(EVENT_LINKS_MIGRATION):
            return False
        params: tuple[str, ...] = (side,)
        sql = "SELECT 1 FROM documents WHERE side = ? LIMIT 1"
        if first is not None and last is not None:
            sql = "SELECT 1 FROM documents WHERE side = ? AND published BETWEEN ? AND ? LIMIT 1"
            params = (side, first, last + "~")
        return self._conn.execute(sql, params).fetchone() is not None

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

    def query(self, filters: QueryFilter = QueryFilter()) -> list[dict[str, Any]]:
        """Engagements matching ``filters``, ordered by date (undated last), as flat dicts.

        Each row: id, document_id (the user's id), document_key, date, date_precision, mode,
        participants ([{name, country, title}]), location_city, location_country, occasion,
        title, url.
        """
        return list(self.iter_engagement_rows(filters))

    def iter_engagement_rows(
        self, filters: QueryFilter = QueryFilter(limit=None)
    ) -> Iterator[dict[str, Any]]:
        """Stream the rows of ``query`` (by default every engagement) in constant memory."""
        where, params = self._where(filters)
        sql = f"""
            SELECT e.id, d.doc_id, e.document_id, e.date, e.date_precision, e.mode,
                   e.location_city, e.location_country, e.occasion, d.title, d.url,
                   p.name, p.country, p.title, p.ordinal, p.actor_id,
                   e.event_id, e.lat, e.lon, e.occasion_series, e.occasion_edition, d.is_canonical
            FROM (SELECT e.* FROM engagements e JOIN documents d ON d.id = e.document_id
                  WHERE {where}
                  ORDER BY e.date_start IS NULL, e.date_start, e.id
                  LIMIT ? OFFSET ?) e
            JOIN documents d ON d.id = e.document_id
            LEFT JOIN participants p ON p.engagement_id = e.id
            ORDER BY e.date_start IS NULL, e.date_start, e.id, p.ordinal
        """
        limit = -1 if filters.limit is None else filters.limit
        try:
            cursor = self._conn.execute(sql, (*params, limit, filters.offset))
            for _, group in groupby(cursor, key=lambda r: r[0]):
                rows = list(group)
                first = rows[0]
                yield {
                    "id": first[0],
                    "document_id": first[1],
                    "document_key": first[2],
                    "date": first[3],
                    "date_precision": first[4],
                    "mode": first[5],
                    "participants": [
                        {"name": r[11], "country": r[12], "title": r[13]}
                        for r in rows
                        if r[14] is not None
                    ],
                    "actor_ids": [r[15] for r in rows if r[14] is not None],
                    "location_city": first[6],
                    "location_country": first[7],
                    "lat": first[17],
                    "lon": first[18],
                    "occasion": first[8],
                    "occasion_series": first[19],
                    "occasion_edition": first[20],
                    "title": first[9],
                    "url": first[10],
                    "canonical": bool(first[21]),
                    "event_id": first[16],
                    "documents": self.engagement_documents(first[0]),
                }
        except sqlite3.OperationalError as exc:
            if filters.text is not None and "locked" not in str(exc):
                raise StoreError(f"bad full-text query: {filters.text!r}: {exc}") from exc
            raise StoreError(f"query failed: {exc}") from exc

    @staticmethod
    def _where(filters: QueryFilter) -> tuple[str, list[Any]]:
        clauses, params = engagement_conditions(filters.countries, filters.since, filters.until, filters.mode,
                                                filters.text)
        if not filters.include_copies:
            clauses.append("d.is_canonical = 1")
        if filters.actor:
            clauses.append(
                "EXISTS (SELECT 1 FROM participants p WHERE p.engagement_id = e.id"
                " AND (instr(p.name_fold, ?) > 0 OR p.actor_id IN"
                " (SELECT actor_id FROM actor_aliases WHERE instr(alias_key, ?) > 0)))"
            )
            params.extend([filters.actor.casefold(), _alias_key(filters.actor) or filters.actor.casefold()])
        if filters.occasion:
            series = [filters.occasion]
            try:
                from readouts.places import normalise_occasion

                series.append(normalise_occasion(filters.occasion).series)
            except ImportError:
                pass
            clauses.append(
                "(e.occasion_series = ? COLLATE NOCASE OR e.occasion_series = ? COLLATE NOCASE)"
            )
            params.extend([series[0], series[-1]])
        return " AND ".join(clauses) or "1", params

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

