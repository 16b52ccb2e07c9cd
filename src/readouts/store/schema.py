"""The store's schema: ordered migrations, what the stored columns mean, the errors a user sees.

The schema is an ordered list of migrations (``MIGRATIONS``); ``PRAGMA user_version`` says how
many have been applied. Opening an older database applies the missing ones in one transaction
(``migrate``).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

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
        "007_actor_registry",  # readouts.store.actors: the actor registry kept in tables, updated per batch
        """
        CREATE TABLE actor_names (                    -- one row per distinct sighting signature
            id      INTEGER PRIMARY KEY,
            kind    TEXT NOT NULL,                    -- person, state, organisation
            surface TEXT NOT NULL,                    -- display form of the name, or the code
            country TEXT NOT NULL DEFAULT '',
            title   TEXT NOT NULL DEFAULT '',
            month   TEXT NOT NULL DEFAULT '',         -- YYYY-MM (or YYYY) of the sighting's date
            cluster TEXT,                             -- its automatic cluster (actor id before overrides)
            n         INTEGER NOT NULL DEFAULT 0,     -- its sightings
            first_day TEXT,                           -- the earliest and latest of their dates
            last_day  TEXT,
            UNIQUE (kind, surface, country, title, month)
        );
        CREATE INDEX actor_names_cluster ON actor_names (cluster);
        CREATE TABLE actor_name_blocks (               -- readouts.actors.sighting_blocks
            block TEXT NOT NULL,
            name  INTEGER NOT NULL,
            PRIMARY KEY (block, name)
        ) WITHOUT ROWID;
        CREATE INDEX actor_name_blocks_name ON actor_name_blocks (name, block);
        CREATE TABLE actor_sightings (                 -- every sighting: signature, day, document
            name INTEGER NOT NULL,
            day  TEXT NOT NULL DEFAULT '',
            doc  TEXT NOT NULL,
            PRIMARY KEY (name, day, doc)
        ) WITHOUT ROWID;
        CREATE TABLE actor_clusters (                  -- an automatic cluster's own fields
            id       TEXT PRIMARY KEY,
            kind     TEXT NOT NULL,
            name     TEXT NOT NULL,
            country  TEXT,
            official TEXT,
            docs     INTEGER NOT NULL DEFAULT 0       -- distinct documents of its sightings
        );
        CREATE TABLE actor_docs (                      -- the documents of each automatic cluster
            cluster TEXT NOT NULL,
            doc     TEXT NOT NULL,
            PRIMARY KEY (cluster, doc)
        ) WITHOUT ROWID;
        CREATE TABLE actor_state (                     -- no row: the next refresh rebuilds
            id        INTEGER PRIMARY KEY CHECK (id = 1),
            max_seq   INTEGER NOT NULL,                -- documents up to this seq are in the registry
            overrides TEXT NOT NULL                    -- fingerprint of the overrides applied ('' none)
        );
        ALTER TABLE participants ADD COLUMN actor_name INTEGER;
        CREATE INDEX participants_actor_name ON participants (actor_name);
        """,
    ),
    (
        "008_query_indexes",  # what the heavy reads need in a large store
        """
        -- a document's copy-group columns without reading its row (whose text may span many pages):
        -- every query's canonical-copies filter and the groups of 'readouts duplicates'
        CREATE INDEX documents_copies ON documents (id, is_canonical, duplicate_group, seq, doc_id);
        CREATE INDEX documents_groups ON documents (duplicate_group, is_canonical, seq, id, doc_id);
        -- engagements in the order queries list them: the first page is read, not sorted
        CREATE INDEX engagements_order ON engagements (date_start IS NULL, date_start, id);
        DROP INDEX documents_duplicate_group;
        """,
    ),
    (
        "009_read_indexes",  # readouts.read: an event's rows and counts without reading engagement texts
        """
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



def migrate(conn: sqlite3.Connection, target: int = -1) -> None:
    """Apply the missing migrations up to ``target`` (default: all) in one transaction."""
    target = SCHEMA_VERSION if target < 0 else target
    if conn.execute("PRAGMA user_version").fetchone()[0] >= target:
        return
    with transaction(conn):
        current = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated meanwhile
        for number in range(current, target):
            name, script = MIGRATIONS[number]
            try:
                for statement in _statements(script):
                    conn.execute(statement)
            except sqlite3.Error as exc:
                raise StoreError(f"migration {name} failed: {exc}") from exc
        if current < target:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {int(target)}")
