"""Read-only queries for the web UI, over the tables documented in docs/SCHEMA.md.

The database is opened with ``file:...?mode=ro``: the web UI never writes. Every function
takes an open connection (``connect``) and returns plain dicts and lists, ready for JSON.
``connect`` refuses a database whose schema is older than this readouts (``readouts ingest``
upgrades it), so every table and column of docs/SCHEMA.md is there.
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readouts.compare import only_here
from readouts.records import MODES
from readouts.store import SCHEMA_VERSION, coded_fields, engagement_conditions, open_readonly


LEVELS = ("head of state/government", "foreign minister", "other")
_HEAD = re.compile(
    r"\b(president|prime minister|premier|chancellor|king|queen|emir|amir|sultan|monarch|"
    r"head of state|head of government|crown prince|taoiseach|grand duke|prince)\b",
    re.I,
)
_VICE = re.compile(r"\b(vice|deputy)\b", re.I)
_FOREIGN = re.compile(
    r"\b(foreign minister|minister (of|for) foreign affairs|foreign secretary|secretary of state|"
    r"minister of external affairs|external affairs minister|minister for external affairs|"
    r"foreign affairs minister|minister of foreign affairs|secretary for foreign( and [a-z]+)? affairs)\b",
    re.I,
)


class NotFound(LookupError):
    """No row with that id."""


def level_of_title(title: str | None) -> str:
    """Head of state/government, foreign minister or other, from a post title."""
    if not title:
        return "other"
    if _FOREIGN.search(title) and not _VICE.search(title):
        return "foreign minister"
    if _HEAD.search(title) and not _VICE.search(title):
        return "head of state/government"
    return "other"


def engagement_level(participants: list[dict[str, Any]]) -> str:
    """The highest level among the participants."""
    levels = {level_of_title(p.get("title")) for p in participants}
    for level in LEVELS:
        if level in levels:
            return level
    return "other"


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the database read-only (the file must exist; a read-only copy will do)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no database at {path} (run 'readouts ingest' first)")
    conn = open_readonly(p)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version < SCHEMA_VERSION:
        conn.close()
        raise OldSchema(f"{path} has schema version {version}, older than this readouts ({SCHEMA_VERSION}): "
                        "run 'readouts ingest' (any input) on it once to upgrade it")
    return conn


class OldSchema(RuntimeError):
    """A database written by an older readouts."""


# --------------------------------------------------------------------------- engagements


@dataclass(frozen=True)
class Filters:
    """The search filters; validated by the web layer before they get here."""

    countries: tuple[str, ...] = ()
    actor: str | None = None
    mode: str | None = None
    since: str | None = None
    until: str | None = None
    occasion: str | None = None
    text: str | None = None
    ids: tuple[str, ...] | None = None  # only these engagements
    include_copies: bool = False  # republished copies (documents.is_canonical = 0) too

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = engagement_conditions(self.countries, self.since, self.until, self.mode, self.text or None)
        if self.actor:
            clauses.append(
                "EXISTS (SELECT 1 FROM participants p WHERE p.engagement_id = e.id"
                " AND instr(p.name_fold, ?) > 0)"
            )
            params.append(self.actor.casefold())
        if self.occasion:
            clauses.append("e.occasion = ?")
            params.append(self.occasion)
        if not self.include_copies:
            clauses.append("d.is_canonical = 1")
        if self.ids is not None:
            clauses.append("e.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(self.ids)))
        return " AND ".join(clauses) or "1", params

    def as_dict(self) -> dict[str, Any]:
        return {"country": list(self.countries), "actor": self.actor, "mode": self.mode, "since": self.since,
                "until": self.until, "occasion": self.occasion, "q": self.text}

    def params(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs (for links)."""
        out: list[tuple[str, str]] = [("country", c) for c in self.countries]
        for name in ("actor", "mode", "since", "until", "occasion"):
            value = getattr(self, name)
            if value:
                out.append((name, value))
        if self.text:
            out.append(("q", self.text))
        if self.include_copies:
            out.append(("all_copies", "true"))
        return out


class BadQuery(ValueError):
    """A full-text query SQLite could not parse."""


_BASE = "FROM engagements e JOIN documents d ON d.id = e.document_id"


def _run(conn: sqlite3.Connection, sql: str, params: list[Any], f: Filters | None = None) -> list[tuple]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if f is not None and f.text is not None and "locked" not in str(exc):
            raise BadQuery(f"bad full-text query {f.text!r}: {exc}") from exc
        raise


def count_engagements(conn: sqlite3.Connection, f: Filters) -> int:
    where, params = f.where()
    return _run(conn, f"SELECT count(*) {_BASE} WHERE {where}", params, f)[0][0]


def engagements(
    conn: sqlite3.Connection, f: Filters, limit: int | None = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Engagements matching ``f``, ordered by date (undated last), with participants."""
    where, params = f.where()
    rows = _run(
        conn,
        f"""SELECT e.id, d.doc_id, e.document_id, e.date, e.date_precision, e.mode,
                   e.location_city, e.location_country, e.occasion, d.title, d.url,
                   e.date_start, e.lat, e.lon, e.occasion_series, e.occasion_edition, e.event_id,
                   d.is_canonical, e.json
            {_BASE} WHERE {where}
            ORDER BY e.date_start IS NULL, e.date_start, e.id LIMIT ? OFFSET ?""",
        [*params, -1 if limit is None else limit, offset],
        f,
    )
    out = [
        {
            "id": r[0], "document_id": r[1], "document_key": r[2], "date": r[3],
            "date_precision": r[4], "date_start": r[11], "mode": r[5], **coded_fields(r[18]),
            "location_city": r[6], "location_country": r[7], "lat": r[12], "lon": r[13],
            "occasion": r[8], "occasion_series": r[14], "occasion_edition": r[15], "title": r[9], "url": r[10],
            "canonical": bool(r[17]), "event_id": r[16], "participants": [],
        }
        for r in rows
    ]
    by_id = {e["id"]: e for e in out}
    ids = list(by_id)
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        marks = ",".join("?" * len(part))
        for eid, name, country, title, side, actor_id in conn.execute(
            f"SELECT engagement_id, name, country, title, side, actor_id FROM participants"
            f" WHERE engagement_id IN ({marks}) ORDER BY engagement_id, ordinal",
            part,
        ):
            by_id[eid]["participants"].append(
                {"name": name, "country": country, "title": title, "side": side, "actor_id": actor_id}
            )
    for e in out:
        e["level"] = engagement_level(e["participants"])
        e["actor_ids"] = [p["actor_id"] for p in e["participants"]]
    return out


def facets(conn: sqlite3.Connection, f: Filters, top: int = 30) -> dict[str, list[dict[str, Any]]]:
    """Counts of engagements per facet value within the filtered set."""
    where, params = f.where()
    sub = f"SELECT e.id {_BASE} WHERE {where}"

    def pairs(sql: str) -> list[dict[str, Any]]:
        return [{"value": v, "count": n} for v, n in _run(conn, sql, params, f) if v is not None]

    return {
        "country": pairs(
            f"SELECT p.country, count(DISTINCT p.engagement_id) FROM participants p"
            f" WHERE p.engagement_id IN ({sub}) GROUP BY p.country ORDER BY 2 DESC, 1 LIMIT {top}"
        ),
        "mode": pairs(
            f"SELECT e.mode, count(*) {_BASE} WHERE {where} GROUP BY e.mode ORDER BY 2 DESC, 1"
        ),
        "actor": pairs(
            f"SELECT p.name, count(DISTINCT p.engagement_id) FROM participants p"
            f" WHERE p.engagement_id IN ({sub}) AND p.name IS NOT NULL"
            f" GROUP BY p.name ORDER BY 2 DESC, 1 LIMIT {top}"
        ),
        "occasion": pairs(
            f"SELECT e.occasion, count(*) {_BASE} WHERE {where} AND e.occasion IS NOT NULL"
            f" GROUP BY e.occasion ORDER BY 2 DESC, 1 LIMIT {top}"
        ),
        "year": pairs(
            f"SELECT substr(e.date_start, 1, 4), count(*) {_BASE} WHERE {where}"
            f" AND e.date_start IS NOT NULL GROUP BY 1 ORDER BY 1"
        ),
    }


# --------------------------------------------------------------------------- documents

FIELD_ORDER = (
    "participant", "trigger", "date", "location", "occasion", "issue", "mention", "planned",
    "statement", "published", "dateline",
)


def _span(field_name: str, span: dict[str, Any] | None, label: str, **extra: Any) -> dict[str, Any] | None:
    if not span or span.get("start") is None or span.get("end") is None:
        return None
    return {
        "field": field_name, "label": label, "start": int(span["start"]), "end": int(span["end"]),
        "text": span.get("text"), "rule": span.get("rule"), **extra,
    }


def _with_latin(name: str | None) -> str | None:
    """'王毅' -> '王毅 (Wang Yi)': a Chinese or Russian name with the English one the actor pages use."""
    if not name or name.isascii():
        return name
    from readouts.lang.translit import latin

    english = latin(name)
    return name if english == name else f"{name} ({english})"


def readout_spans(readout: dict[str, Any]) -> list[dict[str, Any]]:
    """Every extracted value with its span, as flat dicts (field, label, start, end, rule)."""
    spans: list[dict[str, Any] | None] = []
    for i, e in enumerate(readout.get("engagements") or ()):
        tag = f"engagement {i + 1}"
        for p in e.get("participants") or ():
            who = ", ".join(x for x in (_with_latin(p.get("name")), p.get("title"), p.get("country")) if x)
            spans.append(_span("participant", p.get("span"), f"{tag}: participant ({p.get('side')}): {who}",
                               country_rule=p.get("country_rule")))
        spans.append(_span("trigger", e.get("trigger"), f"{tag}: trigger, mode {e.get('mode')}"))
        spans.append(_span("date", e.get("date_span"), f"{tag}: date {e.get('date')}"))
        loc = e.get("location") or {}
        where = ", ".join(x for x in (loc.get("city"), loc.get("country")) if x)
        spans.append(_span("location", loc.get("span"), f"{tag}: location {where}"))
        spans.append(_span("occasion", e.get("occasion_span"), f"{tag}: occasion {e.get('occasion')}"))
    for s in readout.get("statements") or ():
        who = s.get("speaker") or s.get("speaker_country") or "?"
        issues = "; ".join(s.get("issues") or ())
        spans.append(_span("statement", s.get("span"),
                           f"statement by {who} ({s.get('verb')}, {s.get('stance')})"
                           + (f", issues: {issues}" if issues else "")))
    for issue in readout.get("issues") or ():
        spans.append(_span("issue", issue.get("span"), f"issue: {issue.get('text')}"))
    for m in readout.get("mentions") or ():
        spans.append(_span("mention", m.get("span"), f"third party ({m.get('kind')}): {m.get('name')}"))
    for p in readout.get("planned") or ():
        spans.append(_span("planned", p.get("span"), f"planned {p.get('kind')}"))
    return [s for s in spans if s is not None]


def highlight_segments(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cut ``text`` at every span boundary. Each segment lists the spans covering it.

    Segments carry raw text: the template escapes each one (never raw HTML).
    """
    n = len(text)
    valid = [(i, s) for i, s in enumerate(spans) if 0 <= s["start"] < s["end"] <= n]
    cuts = sorted({0, n, *(s["start"] for _, s in valid), *(s["end"] for _, s in valid)})
    segments = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [i for i, s in valid if s["start"] <= a and b <= s["end"]]
        # innermost (shortest) span first: it names the colour and the title
        covering.sort(key=lambda i: (spans[i]["end"] - spans[i]["start"], FIELD_ORDER.index(spans[i]["field"])))
        segments.append({"text": text[a:b], "spans": covering})
    return segments


def resolve_document(conn: sqlite3.Connection, ident: str) -> str:
    """A document key from a key or a user's document id."""
    row = conn.execute("SELECT id FROM documents WHERE id = ?", (ident,)).fetchone()
    if row is None:  # a user's id: of any source of the text (an identical republication too)
        row = conn.execute(
            "SELECT s.document_id FROM document_sources s JOIN documents d ON d.id = s.document_id"
            " WHERE s.doc_id = ? ORDER BY d.seq LIMIT 1", (ident,)).fetchone()
    if row is None:
        raise NotFound(f"no document {ident!r}")
    return row[0]


def document(conn: sqlite3.Connection, ident: str) -> dict[str, Any]:
    key = resolve_document(conn, ident)
    row = conn.execute(
        "SELECT id, doc_id, source, url, title, published, text, is_readout, reason, readout_json"
        " FROM documents WHERE id = ?",
        (key,),
    ).fetchone()
    readout = json.loads(row[9])
    engagement_ids = [r[0] for r in conn.execute(
        "SELECT id FROM engagements WHERE document_id = ? ORDER BY ordinal", (key,))]
    return {
        "key": row[0], "document_id": row[1], "source": row[2], "url": row[3], "title": row[4],
        "published": row[5], "text": row[6], "is_readout": bool(row[7]), "reason": row[8],
        "readout": readout, "spans": readout_spans(readout), "engagement_ids": engagement_ids,
        "duplicates": duplicates(conn, key), "sources": sources(conn, key),
    }


def sources(conn: sqlite3.Connection, key: str) -> list[dict[str, Any]]:
    """Every source of a stored text: the ids, files and URLs it came under, first seen first."""
    rows = conn.execute(
        "SELECT doc_id, source, url, first_seen FROM document_sources WHERE document_id = ?"
        " ORDER BY first_seen, rowid", (key,)).fetchall()
    return [{"document_id": r[0], "source": r[1], "url": r[2], "first_seen": r[3]} for r in rows]


def duplicates(conn: sqlite3.Connection, key: str) -> list[dict[str, Any]]:
    """Other members of the document's near-duplicate group."""
    rows = conn.execute(
        """SELECT o.id, o.doc_id, o.title, o.url, o.is_canonical FROM documents d
           JOIN documents o ON o.duplicate_group = d.duplicate_group
           WHERE d.id = ? AND o.id != d.id ORDER BY o.seq""",
        (key,),
    ).fetchall()
    return [{"key": r[0], "document_id": r[1], "title": r[2], "url": r[3], "canonical": bool(r[4])} for r in rows]


# --------------------------------------------------------------------------- dyad


def dyad(conn: sqlite3.Connection, a: str, b: str, f: Filters) -> dict[str, Any]:
    from dataclasses import replace

    f = replace(f, countries=(a, b))
    rows = engagements(conn, f, limit=None)
    by_mode: dict[str, Counter[str]] = defaultdict(Counter)
    by_level: dict[str, Counter[str]] = defaultdict(Counter)
    months: set[str] = set()
    for e in rows:
        if not e["date"]:
            continue
        month = e["date"][:7] if len(e["date"]) >= 7 else e["date"][:4] + "-01"
        months.add(month)
        by_mode[e["mode"]][month] += 1
        by_level[e["level"]][month] += 1
    axis = _month_axis(months)
    keys = {e["document_key"] for e in rows}
    issues: dict[str, Counter[str]] = {a: Counter(), b: Counter()}
    for key in keys:
        readout = json.loads(conn.execute("SELECT readout_json FROM documents WHERE id = ?", (key,)).fetchone()[0])
        for side, raised in statement_issues(readout):
            if side in issues:
                issues[side].update(dict.fromkeys(raised, 1))
    return {
        "a": a, "b": b, "count": len(rows), "months": axis,
        "by_mode": {m: [by_mode[m][x] for x in axis] for m in MODES if m in by_mode},
        "by_level": {lv: [by_level[lv][x] for x in axis] for lv in LEVELS if lv in by_level},
        "issues": {side: [{"issue": i, "count": n} for i, n in c.most_common(15)] for side, c in issues.items()},
        "engagements": rows,
        "sides": dyad_sides(conn, a, b, f),
    }


def statement_issues(readout: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(speaker's country, issues) per statement.

    The speaker's country falls back to the country of the participant of that name; a statement
    without issues of its own takes the document's issues whose span lies inside it.
    """
    countries = {p.get("name"): p.get("country") for e in readout.get("engagements") or ()
                 for p in e.get("participants") or () if p.get("name") and p.get("country")}
    doc_issues = [(i.get("text"), i.get("span") or {}) for i in readout.get("issues") or ()]
    out = []
    for s in readout.get("statements") or ():
        side = (s.get("speaker_country") or countries.get(s.get("speaker")) or "").upper()
        raised = list(s.get("issues") or ())
        span = s.get("span") or {}
        if not raised and span.get("start") is not None:
            raised = [t for t, sp in doc_issues if t and sp.get("start") is not None
                      and span["start"] <= sp["start"] and sp.get("end", 0) <= span["end"]]
        if side:
            out.append((side, raised))
    return out


def _month_axis(months: set[str]) -> list[str]:
    if not months:
        return []
    lo, hi = min(months), max(months)
    y, m = int(lo[:4]), int(lo[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= hi and len(out) < 1200:
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out


# --------------------------------------------------------------------------- network


def network(conn: sqlite3.Connection, f: Filters, by: str = "state") -> dict[str, Any]:
    """Nodes (states or actors) and weighted edges (engagements shared)."""
    rows = engagements(conn, f, limit=None)
    weights: Counter[tuple[str, str]] = Counter()
    degree: Counter[str] = Counter()
    for e in rows:
        if by == "actor":
            names = sorted({p["name"] for p in e["participants"] if p["name"]})
        else:
            names = sorted({p["country"] for p in e["participants"] if p["country"]})
        for n in names:
            degree[n] += 1
        for i, x in enumerate(names):
            for y in names[i + 1:]:
                weights[(x, y)] += 1
    nodes = [{"id": n, "engagements": d} for n, d in sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))]
    edges = [{"source": x, "target": y, "weight": w} for (x, y), w in sorted(weights.items())]
    return {"by": by, "nodes": nodes, "edges": edges, "engagements": len(rows)}


# --------------------------------------------------------------------------- actors


def actor(conn: sqlite3.Connection, ident: str) -> dict[str, Any]:
    """An actor by id (the actors table, 003) or else by participant name (case-insensitive)."""
    row = conn.execute(
        "SELECT id, kind, name, country, aliases_json, posts_json FROM actors WHERE id = ?", (ident,)
    ).fetchone()
    if row is None:  # a name: the actor it resolved to most often
        row = conn.execute(
            """SELECT a.id, a.kind, a.name, a.country, a.aliases_json, a.posts_json
               FROM participants p JOIN actors a ON a.id = p.actor_id WHERE p.name_fold = ?
               GROUP BY a.id ORDER BY count(*) DESC LIMIT 1""",
            (ident.casefold(),),
        ).fetchone()
    if row is not None:
        return _actor_from_table(conn, row)
    fold = ident.casefold()
    rows = conn.execute(
        """SELECT p.engagement_id, p.name, p.country, p.title, e.date, e.mode
           FROM participants p JOIN engagements e ON e.id = p.engagement_id
           WHERE p.name_fold = ? ORDER BY e.date_start IS NULL, e.date_start""",
        (fold,),
    ).fetchall()
    if not rows:
        raise NotFound(f"no actor {ident!r}")
    return _actor_summary(conn, ident, rows, "name_fold", fold, source="participant names")


def _actor_from_table(conn: sqlite3.Connection, row: tuple) -> dict[str, Any]:
    actor_id, kind, name, country, aliases_json, posts_json = row
    rows = conn.execute(
        """SELECT p.engagement_id, p.name, p.country, p.title, e.date, e.mode
           FROM participants p JOIN engagements e ON e.id = p.engagement_id
           WHERE p.actor_id = ? ORDER BY e.date_start IS NULL, e.date_start""",
        (actor_id,),
    ).fetchall()
    out = _actor_summary(conn, actor_id, rows, "actor_id", actor_id, source="actors table")
    out.update(name=name or out.get("name"), kind=kind)
    try:
        out["aliases"] = sorted(set(json.loads(aliases_json or "[]")) | set(out["aliases"]))
    except (TypeError, ValueError):
        pass
    try:
        posts = json.loads(posts_json or "[]")
        out["posts"] = [{"title": p.get("title"), "country": country, "first": p.get("first_seen"),
                         "last": p.get("last_seen")} for p in posts if isinstance(p, dict)] or out["posts"]
    except (TypeError, ValueError):
        pass
    if country and country not in out["countries"]:
        out["countries"].append(country)
    return out


def _actor_summary(conn: sqlite3.Connection, ident: str, rows: list[tuple], column: str, value: str,
                   source: str) -> dict[str, Any]:
    fold = value
    aliases = sorted({r[1] for r in rows if r[1]})
    posts: dict[tuple[str | None, str | None], list[str | None]] = {}
    for _, _, country, title, when, _ in rows:
        span = posts.setdefault((title, country), [when, when])
        if when and (span[0] is None or when < span[0]):
            span[0] = when
        if when and (span[1] is None or when > span[1]):
            span[1] = when
    ids = [r[0] for r in rows]
    marks = ",".join("?" * len(ids))
    counterparts: Counter[tuple[str, str | None]] = Counter()
    for name, country in conn.execute(
        f"SELECT name, country FROM participants WHERE engagement_id IN ({marks}) AND"
        f" ({column} IS NULL OR {column} != ?)",
        [*ids, fold],
    ):
        counterparts[(name or "?", country)] += 1
    per_year: Counter[str] = Counter(r[4][:4] for r in rows if r[4])
    return {
        "id": ident, "name": rows[0][1] if rows else ident, "source": source, "kind": None, "aliases": aliases,
        "countries": sorted({r[2] for r in rows if r[2]}),
        "posts": [{"title": t, "country": c, "first": s[0], "last": s[1]} for (t, c), s in posts.items()],
        "engagement_ids": ids,
        "per_year": [{"year": y, "count": n} for y, n in sorted(per_year.items())],
        "counterparts": [{"name": n, "country": c, "count": k} for (n, c), k in counterparts.most_common(30)],
    }


# --------------------------------------------------------------------------- compare


def engagement(conn: sqlite3.Connection, engagement_id: str) -> dict[str, Any]:
    row = conn.execute("SELECT document_id, json FROM engagements WHERE id = ?", (engagement_id,)).fetchone()
    if row is None:
        raise NotFound(f"no engagement {engagement_id!r}")
    return {"id": engagement_id, "document_key": row[0], "engagement": json.loads(row[1])}


def linked_engagements(conn: sqlite3.Connection, engagement_id: str) -> list[str]:
    """Engagements of other documents that report the same event (``engagements.event_id``, 003).

    Republished copies (``documents.is_canonical = 0``) are left out: they say what their original says.
    """
    rows = conn.execute(
        """SELECT o.id FROM engagements e JOIN engagements o ON o.event_id = e.event_id
           JOIN documents d ON d.id = o.document_id
           WHERE e.id = ? AND e.event_id IS NOT NULL AND o.document_id != e.document_id
                 AND d.is_canonical = 1
           ORDER BY d.seq, o.ordinal""",
        (engagement_id,),
    ).fetchall()
    return [r[0] for r in rows]


def compare(conn: sqlite3.Connection, engagement_id: str) -> dict[str, Any]:
    """One engagement as each linked source reported it, and what only one source mentioned."""
    ids = [engagement_id, *[i for i in linked_engagements(conn, engagement_id) if i != engagement_id]]
    sources = []
    for eid in ids:
        try:
            e = engagement(conn, eid)
        except NotFound:
            continue
        doc = conn.execute(
            "SELECT doc_id, title, url, readout_json FROM documents WHERE id = ?", (e["document_key"],)
        ).fetchone()
        readout = json.loads(doc[3])
        sources.append({
            "engagement_id": eid, "document_key": e["document_key"], "document_id": doc[0],
            "title": doc[1], "url": doc[2], "engagement": e["engagement"],
            "statements": [
                {"speaker": s.get("speaker"), "speaker_country": s.get("speaker_country"),
                 "verb": s.get("verb"), "stance": s.get("stance"), "issues": list(s.get("issues") or ()),
                 "text": (s.get("span") or {}).get("text")}
                for s in readout.get("statements") or ()
            ],
            "issues": sorted({i.get("text") for i in readout.get("issues") or () if i.get("text")}
                             | {x for s in readout.get("statements") or () for x in s.get("issues") or ()}),
        })
    for s, own in zip(sources, only_here([s["issues"] for s in sources])):
        s["only_here"] = own
    out: dict[str, Any] = {"id": engagement_id, "sources": sources, "linked": len(sources) > 1}
    if sources:
        out.update(side_comparison(conn, engagement_id))
    return out


def side_comparison(conn: sqlite3.Connection, engagement_id: str) -> dict[str, Any]:
    """Per side (publisher's government, or the press): issues, tone, initiative, commitments,
    what only that side mentioned, and each report's side and link reason (``readouts.sides``)."""
    from readouts.links import LinkReason
    from readouts.sides import compare_event
    from readouts.store import event_reports

    row = conn.execute("SELECT event_id FROM engagements WHERE id = ?", (engagement_id,)).fetchone()
    event = row[0] if row else None
    result = compare_event(event_reports(conn, event, engagement_id))
    reports = {}
    for src in result.sources:
        reason = src.get("link_reason")
        reports[src["engagement_id"]] = {
            "side": src["side"], "side_basis": src["side_basis"],
            "link": LinkReason.from_dict(reason).describe() if reason else None,
            "tones": src["tones"], "initiative": src["initiative"], "commitments": src["commitments"],
        }
    return {"event_id": result.event_id, "sides": result.sides, "only": result.only, "reports": reports}


def dyad_sides(conn: sqlite3.Connection, a: str, b: str, f: Filters) -> dict[str, Any]:
    """The issues each side raised in the dyad's events both reported, the one-sided ones per
    month, and the readout gaps (``readouts.sides``)."""
    from functools import partial

    from readouts.sides import dyad_issues, one_sided_by_month, readout_gaps
    from readouts.store import dyad_events, side_has_report

    events = dyad_events(conn, (a, b), f.since, f.until)
    counts, both = dyad_issues(events, a, b)
    return {
        "issues": [c.as_dict() for c in counts], "both": both,
        "by_month": one_sided_by_month(events, a, b),
        "gaps": [g.as_dict() for g in readout_gaps(events, a, b, partial(side_has_report, conn))],
    }


# --------------------------------------------------------------------------- map


def places(conn: sqlite3.Connection, f: Filters) -> list[dict[str, Any]]:
    """Engagements with coordinates, grouped by place: lat, lon, city, country and a count per mode."""
    where, params = f.where()
    grouped: dict[tuple[float, float], dict[str, Any]] = {}
    for lat, lon, city, country, mode, n in _run(
        conn,
        f"""SELECT round(e.lat, 2), round(e.lon, 2), e.location_city, e.location_country, e.mode, count(*)
            {_BASE} WHERE {where} AND e.lat IS NOT NULL AND e.lon IS NOT NULL
            GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5""",
        params, f,
    ):
        place = grouped.setdefault((lat, lon), {"lat": lat, "lon": lon, "city": city, "country": country,
                                                "modes": {}})
        place["modes"][mode] = place["modes"].get(mode, 0) + n
    return list(grouped.values())
