"""Enrichment: the actor registry (``readouts.actors``), resolved participants."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from readouts.records import Readout


def _alias_key(name: str) -> str:
    """Transliteration-folded form of a name, for alias search ("Sergei" == "Sergey")."""
    from readouts.actors import name_key

    return " ".join(name_key(name))


class ActorEnrichment:
    """The actor methods of ``readouts.store.Store`` (a mixin)."""

    _conn: sqlite3.Connection

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
