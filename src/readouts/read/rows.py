"""Engagement rows: what ``readouts query``, ``readouts export``, the web's search, its CSV and
JSON exports and its JSON API return, with counts and facets over the same filters.

A row is one engagement as a flat dict: id, document_id (the user's id), document_key,
date, date_precision, date_start, mode, the event codes (plover, plover_mode, cameo,
goldstein), visitor, host, participants ([{name, country, title}]), actor_ids (the registry's
id of each participant, in order), level, location_city, location_country, lat, lon, occasion, occasion_series,
occasion_edition, title, url, canonical, event_id, and what the event's reports are:

* ``reports``: the engagement ids of every report of its event (canonical copies first);
* ``sources``: every document that reports the event (copies and linked reports, and each
  text's republications under other ids), each with its ``document_id``, ``document_key``,
  ``outlet`` (the publisher's web host, or the outlet its record names), ``published``,
  ``url``, ``title`` and ``canonical``;
* ``documents``: the user ids of those sources, the row's own first.

With ``Filters(events=True)`` there is one row per event (its first canonical, dated report
stands for it, the others are in ``reports``), and counts and facets count events. Sources
are loaded per batch of rows, a few queries per batch, never one per row.
"""
from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any
from urllib.parse import urlsplit

from readouts.read.filters import Filters, where

__all__ = ["BATCH", "LEVELS", "BadQuery", "count", "csv_safe", "engagements", "event_key", "facets",
           "iter_engagements", "level_of", "people", "rows_for", "write_csv"]

BATCH = 500
LEVELS = ("head of state/government", "foreign minister", "other")
_LEVEL_OF_POST = {"head_of_state": LEVELS[0], "head_of_government": LEVELS[0], "foreign_minister": LEVELS[1]}
EVENT = "coalesce(e.event_id, 'ev:' || e.id)"  # an engagement without a link is an event of its own
_BASE = "FROM engagements e JOIN documents d ON d.id = e.document_id"


class BadQuery(ValueError):
    """A query the store cannot run as given (a message a user can act on)."""


def event_key(row: Mapping[str, Any]) -> str:
    """The event a row stands for: its ``event_id``, or ``ev:<id>`` when it is not linked."""
    return row.get("event_id") or f"ev:{row['id']}"


def people(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A row's participants, each with its registry ``actor_id``."""
    return [{**p, "actor_id": a} for p, a in zip(row["participants"], row.get("actor_ids") or ())]


def level_of(participants: Iterable[Mapping[str, Any]]) -> str:
    """The highest level among the participants' posts (``gazetteer.post_level``, from
    ``data/posts.toml``): head of state/government, foreign minister or other."""
    from readouts.gazetteer import post_level

    found = {_LEVEL_OF_POST.get(post_level(p.get("title")) or "", LEVELS[2]) for p in participants}
    return next((lv for lv in LEVELS if lv in found), LEVELS[2])


def _run(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[tuple]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise
        raise BadQuery(f"query failed: {exc}") from exc


def count(conn: sqlite3.Connection, f: Filters) -> int:
    """How many rows ``f`` selects (events when ``f.events``), limit and offset aside."""
    w, params = where(conn, f)
    what = f"count(DISTINCT {EVENT})" if f.events else "count(*)"
    return _run(conn, f"SELECT {what} {_BASE} WHERE {w}", params)[0][0]


# The report that stands for an event: a canonical one first, then dated before undated, then the
# earliest date, then the first stored. min() of this key picks its row (SQLite's bare columns).
_FIRST_REPORT = ("(1 - d.is_canonical) || (e.date_start IS NULL) || ifnull(e.date_start, '')"
                 " || printf('%012d%06d', d.seq, e.ordinal)")


def _ids_sql(conn: sqlite3.Connection, f: Filters) -> tuple[str, list[Any]]:
    w, params = where(conn, f)
    if f.events:
        sql = f"""SELECT id FROM (
                    SELECT e.id AS id, e.date_start AS ds, min({_FIRST_REPORT}) {_BASE} WHERE {w} GROUP BY {EVENT})
                  ORDER BY ds IS NULL, ds, id LIMIT ? OFFSET ?"""
    else:
        sql = f"SELECT e.id {_BASE} WHERE {w} ORDER BY e.date_start IS NULL, e.date_start, e.id LIMIT ? OFFSET ?"
    return sql, [*params, -1 if f.limit is None else f.limit, f.offset]


def engagements(conn: sqlite3.Connection, f: Filters) -> list[dict[str, Any]]:
    """The rows ``f`` selects, ordered by date (undated last)."""
    sql, params = _ids_sql(conn, f)
    return rows_for(conn, [r[0] for r in _run(conn, sql, params)])


def iter_engagements(conn: sqlite3.Connection, f: Filters) -> Iterator[dict[str, Any]]:
    """Stream the rows of ``engagements`` in batches of ``BATCH`` (constant memory)."""
    sql, params = _ids_sql(conn, f)
    try:
        cursor = conn.execute(sql, params)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise
        raise BadQuery(f"query failed: {exc}") from exc
    while batch := cursor.fetchmany(BATCH):
        yield from rows_for(conn, [r[0] for r in batch])


def _json_list(values: Iterable[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _outlet(url: str | None, metadata: Mapping[str, Any]) -> str | None:
    for key in ("outlet", "publisher", "site_name", "sitename"):
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    if url:
        try:
            host = urlsplit(url if "//" in url else "//" + url).hostname or ""
        except ValueError:  # not a URL ("[")
            return None
        return host[4:] if host.startswith("www.") else host or None
    return None


def rows_for(conn: sqlite3.Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of these engagements, in this order, loaded in a few queries."""
    from readouts.store import coded_fields

    if not ids:
        return []
    out: dict[str, dict[str, Any]] = {}
    for (eid, doc_id, key, when, precision, mode, city, country, occasion, title, url, start, lat, lon,
         series, edition, event, canonical, ejson) in conn.execute(
        f"""SELECT e.id, d.doc_id, e.document_id, e.date, e.date_precision, e.mode, e.location_city,
                   e.location_country, e.occasion, d.title, d.url, e.date_start, e.lat, e.lon, e.occasion_series,
                   e.occasion_edition, e.event_id, d.is_canonical, e.json
            {_BASE} WHERE e.id IN (SELECT value FROM json_each(?))""", (_json_list(ids),)):
        out[eid] = {
            "id": eid, "document_id": doc_id, "document_key": key, "date": when, "date_precision": precision,
            "date_start": start, "mode": mode, **coded_fields(ejson), "participants": [], "actor_ids": [],
            "level": None, "location_city": city, "location_country": country, "lat": lat, "lon": lon,
            "occasion": occasion, "occasion_series": series, "occasion_edition": edition, "title": title,
            "url": url, "canonical": bool(canonical), "event_id": event,
            "reports": [eid], "sources": [], "documents": [doc_id],
        }
    for eid, name, country, title, actor in conn.execute(
        "SELECT engagement_id, name, country, title, actor_id FROM participants"
        " WHERE engagement_id IN (SELECT value FROM json_each(?)) ORDER BY engagement_id, ordinal",
        (_json_list(out),),
    ):
        row = out[eid]
        row["participants"].append({"name": name, "country": country, "title": title})
        row["actor_ids"].append(actor)
    for row in out.values():
        row["level"] = level_of(row["participants"])
    _add_sources(conn, list(out.values()))
    return [out[i] for i in ids if i in out]


def _add_sources(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Fill ``reports``, ``sources`` and ``documents`` of rows, for the whole batch at once."""
    events = {r["event_id"] for r in rows if r["event_id"]}
    members: dict[str, list[tuple[str, str]]] = {}  # event -> [(engagement id, document key)]
    if events:
        for eid, event, key in conn.execute(
            f"""SELECT e.id, e.event_id, e.document_id {_BASE}
                WHERE e.event_id IN (SELECT value FROM json_each(?))
                ORDER BY d.is_canonical DESC, d.seq, e.ordinal""", (_json_list(events),)):
            members.setdefault(event, []).append((eid, key))
    keys = {r["document_key"] for r in rows} | {k for m in members.values() for _, k in m}
    docs: dict[str, tuple] = {}
    groups: dict[str, list[str]] = {}
    for key, doc_id, title, url, published, canonical, seq, group in conn.execute(
        """SELECT o.id, o.doc_id, o.title, o.url, o.published, o.is_canonical, o.seq, o.duplicate_group
           FROM documents o WHERE o.id IN (SELECT value FROM json_each(?))
              OR o.duplicate_group IN (SELECT d.duplicate_group FROM documents d
                                       WHERE d.id IN (SELECT value FROM json_each(?)))
           ORDER BY o.seq""", (_json_list(keys), _json_list(keys))):
        docs[key] = (doc_id, title, url, published, canonical, seq, group)
        if group:
            groups.setdefault(group, []).append(key)
    sources: dict[str, list[dict[str, Any]]] = {}
    for key, doc_id, url, metadata_json in conn.execute(
        """SELECT document_id, doc_id, url, metadata_json FROM document_sources
           WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY first_seen, rowid""",
        (_json_list(docs),)):
        own = docs[key]
        try:
            metadata = json.loads(metadata_json or "{}")
        except ValueError:
            metadata = {}
        metadata = metadata if isinstance(metadata, dict) else {}
        where_from = url or own[2]
        published = metadata.get("published") if isinstance(metadata.get("published"), str) else None
        sources.setdefault(key, []).append({
            "document_id": doc_id, "document_key": key, "outlet": _outlet(where_from, metadata),
            "published": published or own[3], "url": where_from, "title": own[1], "canonical": bool(own[4]),
        })
    for row in rows:
        reports = members.get(row["event_id"]) or [(row["id"], row["document_key"])]
        row["reports"] = list(dict.fromkeys([row["id"], *(eid for eid, _ in reports)]))
        keys_of_event = [row["document_key"], *(k for _, k in reports)]
        for k in list(keys_of_event):  # the copies of each report's text
            group = docs.get(k, (None,) * 7)[6]
            keys_of_event.extend(groups.get(group, ()) if group else ())
        ordered = sorted(dict.fromkeys(keys_of_event), key=lambda k: (k != row["document_key"],
                                                                      docs.get(k, (0,) * 7)[5] or 0))
        row["sources"] = [s for k in ordered for s in sources.get(k) or _bare_source(k, docs.get(k))]
        row["documents"] = list(dict.fromkeys([row["document_id"], *(s["document_id"] for s in row["sources"])]))


def _bare_source(key: str, doc: tuple | None) -> list[dict[str, Any]]:
    """A document stored before its sources were recorded (004) is its own only source."""
    if doc is None:
        return []
    return [{"document_id": doc[0], "document_key": key, "outlet": _outlet(doc[2], {}), "published": doc[3],
             "url": doc[2], "title": doc[1], "canonical": bool(doc[4])}]


# --------------------------------------------------------------------------- facets


def facets(conn: sqlite3.Connection, f: Filters, top: int = 30) -> dict[str, list[dict[str, Any]]]:
    """Counts per facet value within the filtered set: rows (events when ``f.events``) per
    state, mode, actor (by registry id, labelled with the registry's name), occasion, year.
    Two scans of the matched set (engagements, their participants), counted here."""
    w, params = where(conn, f)
    unit = EVENT if f.events else "e.id"
    per: dict[str, dict[Any, set[str]]] = {k: defaultdict(set) for k in ("country", "mode", "actor", "occasion", "year")}
    for key, mode, occasion, start in _run(
            conn, f"SELECT {unit}, e.mode, e.occasion, e.date_start {_BASE} WHERE {w}", params):
        per["mode"][mode].add(key)
        if occasion is not None:
            per["occasion"][occasion].add(key)
        if start:
            per["year"][start[:4]].add(key)
    names: dict[str, str] = {}
    for key, country, name, actor in _run(
            conn, f"""SELECT {unit}, p.country, p.name, p.actor_id {_BASE}
                      JOIN participants p ON p.engagement_id = e.id WHERE {w}""", params):
        per["country"][country].add(key)
        if name and name.strip():
            value = actor or name
            per["actor"][value].add(key)
            names.setdefault(value, name)
    for actor_id, name in conn.execute(
            "SELECT id, name FROM actors WHERE id IN (SELECT value FROM json_each(?))",
            (_json_list(k for k in per["actor"] if k and ":" in k),)):
        names[actor_id] = name

    def ranked(values: dict[Any, set[str]], limit: int | None) -> list[dict[str, Any]]:
        counted = sorted(((v, len(keys)) for v, keys in values.items() if v is not None), key=lambda x: (-x[1], x[0]))
        return [{"value": v, "count": n} for v, n in counted[:limit]]

    return {
        "country": ranked(per["country"], top),
        "mode": ranked(per["mode"], None),
        "actor": [{**x, "label": names.get(x["value"], x["value"])} for x in ranked(per["actor"], top)],
        "occasion": ranked(per["occasion"], top),
        "year": sorted(ranked(per["year"], None), key=lambda x: x["value"]),
    }


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = (
    "id", "document_id", "document_key", "date", "date_precision", "date_start", "mode",
    "plover", "plover_mode", "cameo", "goldstein", "visitor", "host", "countries",
    "participants", "actor_ids", "location_city", "location_country", "lat", "lon", "occasion",
    "occasion_series", "occasion_edition", "title", "url", "canonical", "event_id", "documents",
    "sources", "level",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with =, +, -, @, tab or CR gets a
    leading apostrophe (numbers stay numbers)."""
    if isinstance(value, str) and value[:1] in _FORMULA:
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def row_countries(row: Mapping[str, Any]) -> list[str]:
    """The distinct participant countries of a row, in order of appearance."""
    return list(dict.fromkeys(p["country"] for p in row["participants"] if p.get("country")))


def format_participants(participants: Iterable[Mapping[str, Any]], titles: bool = True) -> str:
    """``name (COUNTRY, title); ...``; missing parts are left out."""
    out = []
    for p in participants:
        details = [x for x in (p.get("country"), p.get("title") if titles else None) if x]
        name = p.get("name") or "?"
        out.append(f"{name} ({', '.join(details)})" if details else name)
    return "; ".join(out)


def format_sources(sources: Iterable[Mapping[str, Any]]) -> str:
    """``outlet (published) id; ...`` of a row's sources."""
    return "; ".join(
        " ".join(x for x in (s.get("outlet") or "?", f"({s['published']})" if s.get("published") else None,
                             s.get("document_id")) if x)
        for s in sources)


def csv_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One row as a CSV record: lists joined with ';', participants and sources as text."""
    record = {key: row.get(key) for key in CSV_COLUMNS}
    record["countries"] = ";".join(row_countries(row))
    record["participants"] = format_participants(row["participants"])
    record["actor_ids"] = ";".join(a or "" for a in row.get("actor_ids") or ())
    record["documents"] = ";".join(row.get("documents") or ())
    record["sources"] = format_sources(row.get("sources") or ())
    return record


def write_csv(rows: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """Rows as formula-safe CSV (``csv_safe`` on every cell); returns how many."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: csv_safe(v) for k, v in csv_record(row).items()})
        n += 1
    return n
