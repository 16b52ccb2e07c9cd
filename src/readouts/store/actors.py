"""Enrichment: the actor registry (``readouts.actors``) kept in the store's tables, and every
participant resolved to its actor (``participants.actor_id``).

The registry is incremental: ``refresh_links`` reads only the documents stored since the last
refresh (``actor_state.max_seq``), adds their sightings, re-clusters only the blocks their new
sightings touch (``readouts.actors.sighting_blocks``: the family names and states they can be
confused with), rewrites only the actors whose sightings changed and re-resolves only the
participants of those blocks, so its cost depends on the batch, not on the store. The result
is the one a full rebuild (``rebuild_actors``, ``readouts.actors.ActorRegistry`` over every
stored readout) gives; tests compare the two on invented stores.

Tables (migration ``007_actor_registry``):

* ``actor_names``: one row per distinct sighting signature (kind, surface form, state, post,
  and the month where the clustering depends on the date: ``readouts.actors.date_matters``) with
  its automatic cluster, its sightings' count and first and last day;
* ``actor_name_blocks``: the blocks of each signature; ``actor_sightings``: every sighting
  (signature, day, document); ``actor_clusters``: each automatic cluster's own fields and its
  documents' count (``actor_docs``);
* ``actors`` / ``actor_aliases``: the final actors, as queries read them;
* ``actor_state``: up to which document the registry is built, under which overrides.

Overrides (merges, splits, renames, aliases) act on the whole registry: with overrides, or when
the documents' set shrank (``delete``, ``--replace``), a refresh is a full rebuild.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from readouts.records import Readout
from readouts.read.filters import alias_key as _alias_key

_CHUNK = 500  # SQL parameters per IN (...) list


def overrides_fingerprint(overrides: Any) -> str:
    """'' without overrides (or with an empty file), else a digest of what they say."""
    if overrides is None or not (overrides.merges or overrides.splits or overrides.renames or overrides.aliases):
        return ""
    body = repr((overrides.merges, overrides.splits, overrides.renames, overrides.aliases))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _month(when: str | None) -> str:
    return (when or "")[:7]


def _signature(s: Any) -> tuple[str, str, str, str, str]:
    """A sighting's row in ``actor_names``: its month only where its clustering may depend on
    it (``readouts.actors.date_matters``), so a person's rows do not grow with the months."""
    from readouts.actors import date_matters

    return (s.kind, s.surface, s.country or "", s.title or "", _month(s.when) if date_matters(s) else "")


class _FullRebuild(Exception):
    """The incremental update cannot be exact here (two clusters wanting one id)."""


class ActorEnrichment:
    """The actor methods of ``readouts.store.Store`` (a mixin)."""

    _conn: sqlite3.Connection

    def readouts(self) -> Iterator[Readout]:
        """Every stored readout, in insertion order."""
        for (data,) in self._conn.execute("SELECT readout_json FROM documents ORDER BY seq"):
            yield Readout.from_dict(json.loads(data))

    def build_registry(self, overrides: Any = None) -> Any:
        """A ``readouts.actors.ActorRegistry`` of every stored readout (built in memory)."""
        from readouts.actors import ActorRegistry

        registry = ActorRegistry(overrides)
        registry.add_readouts(self.readouts())
        return registry

    def stored_actors(self, overrides: Any = None) -> list[Any] | None:
        """The actors kept in the store, when they are those of every stored readout under
        ``overrides`` (else None: ``build_registry`` then gives them)."""
        from readouts.actors import Actor, Post

        state = self._conn.execute("SELECT max_seq, overrides FROM actor_state WHERE id = 1").fetchone()
        last = self._conn.execute("SELECT ifnull(max(seq), 0) FROM documents").fetchone()[0]
        if state is None or state[0] != last or state[1] != overrides_fingerprint(overrides):
            return None
        return [
            Actor(i, kind, name, tuple(json.loads(aliases)), country,
                  tuple(Post(p["title"], p["first_seen"], p["last_seen"]) for p in json.loads(posts)), docs)
            for i, kind, name, country, aliases, posts, docs in self._conn.execute(
                "SELECT id, kind, name, country, aliases_json, posts_json, documents FROM actors ORDER BY id")
        ]

    def refresh_links(self, overrides: Any = None) -> dict[str, Any]:
        """Resolve actors, store them, and link new engagements across sources.

        Run after ingesting (``readouts ingest`` does). Incremental: the documents stored since
        the last refresh add their sightings to the actor registry, the actors and participants
        of the blocks they touch are updated, and new engagements (and those whose event lost a
        report: ``delete``, ``add_batch(replace=True)``) are linked to the events of their block
        (``link_events``). With ``overrides``, after a removal, or on a store whose registry was
        never built, the registry is rebuilt from every readout (``rebuild_actors``).
        Returns {"actors": actors written, "linked": engagements that joined an event,
        "rebuilt": whether the registry was rebuilt, "warnings": override entries naming
        actors that are not in the registry}.
        """
        self._ensure_groups()  # type: ignore[attr-defined]
        fingerprint = overrides_fingerprint(overrides)
        state = self._conn.execute("SELECT max_seq, overrides FROM actor_state WHERE id = 1").fetchone()
        warnings: list[str] = []
        rebuilt = fingerprint != "" or state is None or state[1] != fingerprint
        with self._transaction():  # type: ignore[attr-defined]
            written = 0
            if not rebuilt:
                try:
                    written = self._update_actors(state[0])
                except _FullRebuild:
                    rebuilt = True
            if rebuilt:
                written, warnings = self._rebuild_actors(overrides)
            linked = self._link_new_engagements()  # type: ignore[attr-defined]
        return {"actors": written, "linked": linked, "rebuilt": rebuilt, "warnings": warnings}

    def rebuild_actors(self, overrides: Any = None) -> list[str]:
        """Rebuild the actor registry from every stored readout (one transaction); returns the
        warnings of the overrides."""
        with self._transaction():  # type: ignore[attr-defined]
            return self._rebuild_actors(overrides)[1]

    # -- the full rebuild --------------------------------------------------------------------

    def _rebuild_actors(self, overrides: Any) -> tuple[int, list[str]]:
        from readouts.actors import participant_sighting, sighting_blocks

        registry = self.build_registry(overrides)
        build = registry._build()  # noqa: SLF001 - the store keeps the automatic clusters too
        for table in ("actor_names", "actor_name_blocks", "actor_sightings", "actor_clusters", "actor_docs",
                      "actor_aliases", "actors", "actor_state"):
            self._conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        names: dict[tuple[str, str, str, str, str], int] = {}
        for i, s in enumerate(build.sightings):
            sig = _signature(s)
            nid = names.get(sig)
            if nid is None:
                nid = names[sig] = len(names) + 1
                self._conn.execute(
                    "INSERT INTO actor_names (id, kind, surface, country, title, month, cluster)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", (nid, *sig, build.auto_of.get(i)))
                self._conn.executemany("INSERT INTO actor_name_blocks (block, name) VALUES (?, ?)",
                                       [(b, nid) for b in sighting_blocks(s)])
            self._conn.execute("INSERT OR IGNORE INTO actor_sightings (name, day, doc) VALUES (?, ?, ?)",
                               (nid, s.when or "", s.doc))
        self._conn.executemany(
            "INSERT INTO actor_clusters (id, kind, name, country, official) VALUES (?, ?, ?, ?, ?)",
            [(c.id, c.kind, c.name, c.country, c.official) for c in build.clusters.values()])
        self._conn.execute(
            """UPDATE actor_names SET (n, first_day, last_day) = (SELECT count(*), min(nullif(day, '')),
               max(nullif(day, '')) FROM actor_sightings WHERE name = actor_names.id)""")
        self._count_documents(None)
        actors = registry.actors()
        self._write_actors(actors)
        # participants: their signature and their actor
        rows = self._participant_rows("1", by_document=True)
        updates = []
        for eid, ordinal, name, country, title, when, published, old_actor, old_name in rows:
            s = participant_sighting(_participant(name, country, title), when or published, "")
            nid = names.get(_signature(s)) if s else None
            actor = _resolve(registry.resolve, name, country, title, when or published)
            if (actor, nid) != (old_actor, old_name):
                updates.append((actor, nid, eid, ordinal))
        self._conn.executemany(
            "UPDATE participants SET actor_id = ?, actor_name = ? WHERE engagement_id = ? AND ordinal = ?", updates)
        self._conn.execute(
            "INSERT INTO actor_state (id, max_seq, overrides) VALUES (1, (SELECT ifnull(max(seq), 0) FROM documents), ?)",
            (overrides_fingerprint(overrides),))
        return len(actors), list(registry.warnings)

    # -- the incremental update --------------------------------------------------------------

    def _update_actors(self, since: int) -> int:
        from readouts.actors import participant_sighting, readout_sightings, sighting_blocks

        last = self._conn.execute("SELECT ifnull(max(seq), 0) FROM documents").fetchone()[0]
        if last == since:
            return 0
        ids: dict[tuple[str, str, str, str, str], int] = {}
        new_names: list[int] = []
        touched: set[int] = set()
        seen: list[tuple[int, str]] = []  # new sightings: (signature, document)

        def name_id(s: Any) -> int:
            sig = _signature(s)
            nid = ids.get(sig)
            if nid is None:
                row = self._conn.execute(
                    "SELECT id FROM actor_names WHERE kind = ? AND surface = ? AND country = ? AND title = ?"
                    " AND month = ?", sig).fetchone()
                if row is None:
                    nid = self._conn.execute(
                        "INSERT INTO actor_names (kind, surface, country, title, month) VALUES (?, ?, ?, ?, ?)",
                        sig).lastrowid
                    self._conn.executemany("INSERT INTO actor_name_blocks (block, name) VALUES (?, ?)",
                                           [(b, nid) for b in sighting_blocks(s)])
                    new_names.append(nid)
                else:
                    nid = row[0]
                ids[sig] = nid
            return nid

        for (data,) in self._conn.execute(
                "SELECT readout_json FROM documents WHERE seq > ? ORDER BY seq", (since,)).fetchall():
            for s in readout_sightings(Readout.from_dict(json.loads(data))):
                nid = name_id(s)
                if self._conn.execute("INSERT OR IGNORE INTO actor_sightings (name, day, doc) VALUES (?, ?, ?)",
                                      (nid, s.when or "", s.doc)).rowcount:
                    touched.add(nid)
                    seen.append((nid, s.doc))
                    day = s.when or None
                    self._conn.execute(
                        """UPDATE actor_names SET n = n + 1,
                               first_day = CASE WHEN ? IS NOT NULL AND (first_day IS NULL OR ? < first_day)
                                           THEN ? ELSE first_day END,
                               last_day = CASE WHEN ? IS NOT NULL AND (last_day IS NULL OR ? > last_day)
                                          THEN ? ELSE last_day END
                           WHERE id = ?""", (day, day, day, day, day, day, nid))
        changed: set[str] = set()
        closure: list[int] = []
        if new_names:
            changed, closure = self._recluster(new_names)
        if changed:
            self._count_documents(sorted(changed))
        cluster_of: dict[int, str | None] = {}
        for nid, doc in seen:  # the documents of clusters that kept their signatures
            if nid not in cluster_of:
                cluster_of[nid] = self._conn.execute("SELECT cluster FROM actor_names WHERE id = ?", (nid,)).fetchone()[0]
            cid = cluster_of[nid]
            if cid is not None and cid not in changed and self._conn.execute(
                    "INSERT OR IGNORE INTO actor_docs (cluster, doc) VALUES (?, ?)", (cid, doc)).rowcount:
                self._conn.execute("UPDATE actor_clusters SET docs = docs + 1 WHERE id = ?", (cid,))
        clusters = changed | {c for chunk in _chunks(sorted(touched)) for (c,) in self._conn.execute(
            f"SELECT DISTINCT cluster FROM actor_names WHERE cluster IS NOT NULL AND id IN ({','.join('?' * len(chunk))})",
            chunk)}
        written = self._write_cluster_actors(sorted(clusters))
        # participants: those of the new documents, and those of the re-clustered blocks
        rows = self._participant_rows("d.seq > ?", (since,), by_document=True)
        for chunk in _chunks(closure):
            rows += self._participant_rows(
                f"d.seq <= ? AND p.actor_name IN ({','.join('?' * len(chunk))})", (since, *chunk))
        new_codes = [c for c in changed if not c.startswith("p:")]
        if new_codes:
            rows += self._participants_named_as(new_codes, since)
        self._resolve_participants(rows, name_id, participant_sighting)
        self._conn.execute("UPDATE actor_state SET max_seq = ? WHERE id = 1", (last,))
        return written

    def _closure(self, blocks: set[str]) -> dict[int, tuple[str, str, str, str, str, str | None]]:
        """Every signature of the blocks, closed under their own blocks."""
        names: dict[int, tuple[str, str, str, str, str, str | None]] = {}
        frontier = sorted(blocks)
        while frontier:
            found: list[int] = []
            for chunk in _chunks(frontier):
                for row in self._conn.execute(
                        f"""SELECT n.id, n.kind, n.surface, n.country, n.title, n.month, n.cluster
                            FROM actor_name_blocks b JOIN actor_names n ON n.id = b.name
                            WHERE b.block IN ({','.join('?' * len(chunk))})""", chunk):
                    if row[0] not in names:
                        names[row[0]] = row[1:]
                        found.append(row[0])
            more: set[str] = set()
            for chunk in _chunks(found):
                more.update(b for (b,) in self._conn.execute(
                    f"SELECT block FROM actor_name_blocks WHERE name IN ({','.join('?' * len(chunk))})", chunk))
            frontier = sorted(more - blocks)
            blocks |= more
        return names

    def _build_of(self, names: dict[int, tuple[str, str, str, str, str, str | None]]) -> tuple[Any, list[int]]:
        from readouts.actors import Overrides, _Build, _Sighting

        order = sorted(names)
        sightings = [_Sighting(k, surface, country or None, title or None, month or None, "")
                     for k, surface, country, title, month, _ in (names[i] for i in order)]
        return _Build(sightings, Overrides(), records=False), order

    def _recluster(self, new_names: list[int]) -> tuple[set[str], list[int]]:
        """Cluster the blocks of new signatures again; returns the clusters that changed
        (gained or lost a signature, appeared or went) and the signatures looked at."""
        blocks: set[str] = set()
        for chunk in _chunks(new_names):
            blocks.update(b for (b,) in self._conn.execute(
                f"SELECT block FROM actor_name_blocks WHERE name IN ({','.join('?' * len(chunk))})", chunk))
        names = self._closure(blocks)
        build, order = self._build_of(names)
        if build.suffixed:
            raise _FullRebuild
        old_ids = {names[i][5] for i in order} - {None}
        new_of = {nid: build.auto_of.get(k) for k, nid in enumerate(order)}
        new_ids = set(new_of.values()) - {None}
        inside = set(order)
        for cid in sorted(new_ids - old_ids):  # a new cluster must not take an id held outside
            if self._conn.execute("SELECT 1 FROM actors WHERE id = ?", (cid,)).fetchone() or any(
                    nid not in inside for (nid,) in self._conn.execute(
                        "SELECT id FROM actor_names WHERE cluster = ?", (cid,))):
                raise _FullRebuild
        changed: set[str] = set()
        updates = []
        for nid in order:
            old, new = names[nid][5], new_of[nid]
            if old != new:
                updates.append((new, nid))
                changed.update(x for x in (old, new) if x)
        self._conn.executemany("UPDATE actor_names SET cluster = ? WHERE id = ?", updates)
        for cid in sorted(changed | (new_ids - old_ids)):
            c = build.clusters.get(cid)
            if c is None:
                self._conn.execute("DELETE FROM actor_clusters WHERE id = ?", (cid,))
            else:
                self._conn.execute(
                    "INSERT OR REPLACE INTO actor_clusters (id, kind, name, country, official) VALUES (?, ?, ?, ?, ?)",
                    (c.id, c.kind, c.name, c.country, c.official))
        return changed | (new_ids - old_ids), order

    def _count_documents(self, clusters: list[str] | None) -> None:
        """Recount the documents of these automatic clusters (None: of all) from their sightings."""
        if clusters is None:
            self._conn.execute("DELETE FROM actor_docs")
            self._conn.execute(
                """INSERT INTO actor_docs (cluster, doc) SELECT DISTINCT n.cluster, s.doc
                   FROM actor_names n JOIN actor_sightings s ON s.name = n.id WHERE n.cluster IS NOT NULL""")
            self._conn.execute(
                "UPDATE actor_clusters SET docs = (SELECT count(*) FROM actor_docs WHERE cluster = actor_clusters.id)")
            return
        for cid in clusters:
            self._conn.execute("DELETE FROM actor_docs WHERE cluster = ?", (cid,))
            self._conn.execute(
                """INSERT INTO actor_docs (cluster, doc) SELECT DISTINCT n.cluster, s.doc
                   FROM actor_names n JOIN actor_sightings s ON s.name = n.id WHERE n.cluster = ?""", (cid,))
            self._conn.execute("UPDATE actor_clusters SET docs = (SELECT count(*) FROM actor_docs WHERE cluster = ?)"
                               " WHERE id = ?", (cid, cid))

    def _write_cluster_actors(self, clusters: list[str]) -> int:
        """Write the actors of these automatic clusters from the tallies of their sightings."""
        from readouts.actors import Tally, _Cluster, _Sighting, actor_record, name_key, _order_free, sighting_order

        actors = []
        for cid in clusters:
            meta = self._conn.execute(
                "SELECT kind, name, country, official, docs FROM actor_clusters WHERE id = ?", (cid,)).fetchone()
            if meta is None:  # the cluster went
                self._conn.execute("DELETE FROM actor_aliases WHERE actor_id = ?", (cid,))
                self._conn.execute("DELETE FROM actors WHERE id = ?", (cid,))
                continue
            kind, name, country, official, docs = meta
            # the tally from the cluster's signatures (their counts and first and last days): its
            # cost is the number of signatures (name forms, posts, months), not of sightings
            rows = self._conn.execute(
                """SELECT kind, surface, country, title, month, n, first_day, last_day FROM actor_names
                   WHERE cluster = ? AND n > 0""", (cid,)).fetchall()
            rows.sort(key=lambda r: sighting_order(_Sighting(r[0], r[1], r[2] or None, r[3] or None, r[4] or None, "")))
            t = Tally()
            for _, surface, c_country, title, _, n, first, last in rows:
                t.add(surface, c_country or None, title or None, n, first, last)
            t.docs = docs
            key = _order_free(name_key(name), country) if kind == "person" else ()
            actors.append(actor_record(_Cluster(cid, kind, name, country, key, official), t))
        for chunk in _chunks([a.id for a in actors]):
            marks = ",".join("?" * len(chunk))
            self._conn.execute(f"DELETE FROM actor_aliases WHERE actor_id IN ({marks})", chunk)
            self._conn.execute(f"DELETE FROM actors WHERE id IN ({marks})", chunk)
        self._write_actors(actors)
        return len(actors)

    def _write_actors(self, actors: Sequence[Any]) -> None:
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

    def _participant_rows(self, where: str, params: Sequence[Any] = (), *, by_document: bool = False) -> list[tuple[Any, ...]]:
        """(engagement id, ordinal, name, country, title, engagement date, published, actor id,
        signature) of the participants ``where`` selects: driven by ``documents.seq`` when
        ``by_document``, else by the participants' own index (``actor_name``)."""
        joins = ("documents d CROSS JOIN engagements e ON e.document_id = d.id"
                 " CROSS JOIN participants p ON p.engagement_id = e.id") if by_document else (
                 "participants p CROSS JOIN engagements e ON e.id = p.engagement_id"
                 " CROSS JOIN documents d ON d.id = e.document_id")
        return self._conn.execute(
            f"""SELECT p.engagement_id, p.ordinal, p.name, p.country, p.title, e.date, d.published,
                       p.actor_id, p.actor_name FROM {joins} WHERE {where}""", params).fetchall()

    def _participants_named_as(self, codes: list[str], since: int) -> list[tuple[Any, ...]]:
        """Stored participants whose name may be one of these states' or organisations' names
        (they resolve to it only once it exists)."""
        from readouts.actors import _known, _Sighting, display_form, sighting_blocks

        k = _known()
        blocks: set[str] = set()
        for cid in codes:
            code = cid.split(":", 1)[1]
            names = [n for n, i in k.names.items() if i == cid]
            names += k.state_aliases.get(code, []) + k.org_aliases.get(code, []) + [code]
            for n in names:
                blocks.update(sighting_blocks(_Sighting("person", display_form(n), None, None, None, "")))
        if not blocks:
            return []
        nids = sorted(self._closure(blocks))
        rows: list[tuple[Any, ...]] = []
        for chunk in _chunks(nids):
            rows += self._participant_rows(
                f"d.seq <= ? AND p.actor_name IN ({','.join('?' * len(chunk))})", (since, *chunk))
        return rows

    def _resolve_participants(self, rows: list[tuple[Any, ...]], name_id: Any, participant_sighting: Any) -> None:
        """Give these participants their signature and actor, resolved as a full build would."""
        from readouts import gazetteer
        from readouts.actors import resolve_in, sighting_blocks

        if not rows:
            return
        sightings = {}
        blocks: set[str] = set()
        for row in rows:
            s = participant_sighting(_participant(row[2], row[3], row[4]), row[5] or row[6], "")
            sightings[(row[0], row[1])] = s
            if s is not None:
                blocks.update(sighting_blocks(s))
        build, _ = self._build_of(self._closure(blocks))
        code_names: dict[str, str] = {}
        existing: set[str] = set()
        for i, kind, name, aliases in self._conn.execute(
                "SELECT id, kind, name, aliases_json FROM actors WHERE kind != 'person' ORDER BY id"):
            existing.add(i)
            for n in (name, *json.loads(aliases)):
                code_names.setdefault(gazetteer.fold(n), i)
        cache: dict[tuple[Any, ...], str | None] = {}

        def resolve(name: str, country: str | None, title: str | None, when: str | None) -> str | None:
            key = (name, country, title, _month(when))
            if key not in cache:
                cache[key] = resolve_in(build, name, country, title, when, existing.__contains__, code_names)
            return cache[key]

        updates = []
        seen = set()
        for eid, ordinal, name, country, title, when, published, old_actor, old_name in rows:
            if (eid, ordinal) in seen:
                continue
            seen.add((eid, ordinal))
            s = sightings[(eid, ordinal)]
            nid = name_id(s) if s is not None else None
            actor = _resolve(resolve, name, country, title, when or published)
            if (actor, nid) != (old_actor, old_name):
                updates.append((actor, nid, eid, ordinal))
        self._conn.executemany(
            "UPDATE participants SET actor_id = ?, actor_name = ? WHERE engagement_id = ? AND ordinal = ?", updates)


def _participant(name: str | None, country: str | None, title: str | None) -> Any:
    from readouts.records import Participant

    return Participant(name=name, country=country, title=title)


def _resolve(resolve: Any, name: str | None, country: str | None, title: str | None, when: str | None) -> str | None:
    """A stored participant's actor: its person, else its state or organisation."""
    from readouts.actors import code_actor_id

    if name and name.strip():
        return resolve(name, country, title, when)
    if country:
        return code_actor_id(country)
    return None
