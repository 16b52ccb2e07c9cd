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
    "document_key",
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
)
SCHEMA_VERSION = len(MIGRATIONS)

_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


class StoreError(Exception):
    """A domain error of the store: a message a user can act on."""


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


def _first_day(value: str | None) -> str | None:
    """A (partial) ISO date as the first day of its period: 2019-07 -> 2019-07-01."""
    if not value:
        return None
    parts = value.split("-")
    while len(parts) < 3:
        parts.append("01")
    return "-".join(parts[:3])


def document_key(result: Result) -> str:
    """The key of a result's document: its content hash."""
    return result.clean.content_hash or content_hash(result.clean.text)


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
    ``limit=None`` returns every match.
    """

    countries: tuple[str, ...] = ()
    actor: str | None = None
    since: str | None = None
    until: str | None = None
    mode: str | None = None
    text: str | None = None
    limit: int | None = 100
    offset: int = 0

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


class Store:
    """A readouts database. Use as a context manager, or call ``close()``.

    ``Store(path)`` opens the file (creating it unless ``create=False``) and migrates it to
    ``SCHEMA_VERSION``. ``upto`` stops the migrations early (for tests of upgrades).
    """

    def __init__(self, path: str | Path, *, create: bool = True, upto: int | None = None) -> None:
        self.path = Path(path)
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
        try:
            with self._transaction():
                for result in results:
                    counts += self._add_one(result, now)
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
            self._conn.execute(
                """INSERT INTO engagements (id, document_id, ordinal, date, date_start,
                       date_precision, mode, location_city, location_country, occasion, json)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    engagement_id,
                    key,
                    ordinal,
                    engagement.date,
                    _first_day(engagement.date),
                    engagement.date_precision,
                    engagement.mode,
                    engagement.location.city,
                    engagement.location.country,
                    engagement.occasion,
                    json.dumps(engagement.as_dict(), ensure_ascii=False),
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
                   p.name, p.country, p.title, p.ordinal
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
                    "location_city": first[6],
                    "location_country": first[7],
                    "occasion": first[8],
                    "title": first[9],
                    "url": first[10],
                }
        except sqlite3.OperationalError as exc:
            if filters.text is not None and "locked" not in str(exc):
                raise StoreError(f"bad full-text query: {filters.text!r}: {exc}") from exc
            raise StoreError(f"query failed: {exc}") from exc

    @staticmethod
    def _where(filters: QueryFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = ["1"]
        params: list[Any] = []
        for country in dict.fromkeys(filters.countries):  # dedupe, keep order
            clauses.append(
                "EXISTS (SELECT 1 FROM participants p WHERE p.engagement_id = e.id"
                " AND p.country = ? COLLATE NOCASE)"
            )
            params.append(country)
        if filters.actor:
            clauses.append(
                "EXISTS (SELECT 1 FROM participants p WHERE p.engagement_id = e.id"
                " AND instr(p.name_fold, ?) > 0)"
            )
            params.append(filters.actor.casefold())
        if filters.since:
            clauses.append("e.date_start >= ?")
            params.append(_first_day(filters.since))
        if filters.until:
            # '~' sorts after '-' and digits: every date within the period is <= until + '~'.
            clauses.append("e.date_start <= ?")
            params.append(filters.until + "~")
        if filters.mode:
            clauses.append("e.mode = ?")
            params.append(filters.mode)
        if filters.text is not None:
            clauses.append("d.seq IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
            params.append(filters.text)
        return " AND ".join(clauses), params

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

