"""Enrichment: groups of near-duplicate copies (``readouts.dedup``), kept in the store's tables.

Adding a document reads only its LSH bands' rows and its candidates' rows
(``readouts.dedup.SQLiteState``), so grouping a batch costs the same in any store size.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from readouts.records import Readout


class CopyGroups:
    """The near-duplicate methods of ``readouts.store.Store`` (a mixin)."""

    _conn: sqlite3.Connection
    _dedup: Any

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

    def _ensure_groups(self) -> None:
        """Assign groups to documents stored before migration 004 (a no-op afterwards)."""
        if self._conn.execute(
            "SELECT 1 FROM documents WHERE duplicate_group IS NULL LIMIT 1"
        ).fetchone() is None:
            return
        with self._transaction():
            self._dedup_index()

    def _regroup_all(self) -> None:
        """Group every stored document into copies afresh (after documents were removed)."""
        self._conn.execute("DELETE FROM dedup_state")
        self._conn.execute("DELETE FROM dedup_bands")
        self._conn.execute("DELETE FROM dedup_docs")
        self._conn.execute("UPDATE documents SET duplicate_group = NULL, is_canonical = 1")
        self._dedup = None
        self._dedup_index()
