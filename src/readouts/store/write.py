"""The write path: documents, their sources, engagements and participants, in whole batches.

* Documents are keyed by the content hash of their clean text, so re-ingesting the same text is a
  no-op ("already present"); engagements are keyed by ``<document key>-<ordinal>``.
* ``add_batch`` writes a batch of results in ONE transaction: an interrupted ingest leaves only
  whole batches behind and a re-run resumes without duplicates. The batch's enrichment that
  depends only on it (places, publisher side, copy groups, actor sightings) is written in the
  same transaction; ``refresh_links`` then resolves actors and links events for what changed.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from readouts.records import IngestError, Readout, content_hash
from readouts.store.places import place_columns
from readouts.read.filters import first_day
from readouts.store.schema import StoreError, _now, transaction

if TYPE_CHECKING:
    from readouts.pipeline import Result


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



class WritePath:
    """The writing methods of ``readouts.store.Store`` (a mixin: it uses the store's connection)."""

    _conn: sqlite3.Connection
    _dedup: Any

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
        self._conn.execute("DELETE FROM actor_state")  # the registry loses sightings: rebuilt next refresh
        return self._conn.execute("DELETE FROM documents WHERE id = ?", (key,)).rowcount

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
                    *place_columns(engagement.location.city, engagement.location.country,
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

    def _set_side(self, result: Result) -> None:
        from readouts.sides import document_side

        declared = result.raw.metadata.get("side") if result.raw.metadata else None
        side, basis = document_side(result.clean.url or result.raw.url, result.clean.text,
                                    declared if isinstance(declared, str) else None)
        self._conn.execute("UPDATE documents SET side = ?, side_basis = ? WHERE id = ?",
                           (side, basis, document_key(result)))

