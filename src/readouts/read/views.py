"""What a page or a command shows of one thing, over ``readouts.read.rows``: a document with
its highlighted spans, a dyad, the network, an actor, and the comparison of one event's
reports, and the places of the map. Counts are rows of ``rows.engagements`` under the same ``Filters``: events unless
``events=False`` asks for reports, so a chart, a network weight, an actor page and the search
they link to count the same things.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

from readouts.read.filters import Filters, where
from readouts.read.rows import _BASE, _FIRST_REPORT, EVENT, LEVELS, _run, engagements, people
from readouts.records import MODES

__all__ = ["NotFound", "actor", "compare", "document", "dyad", "highlight_segments", "network", "places",
           "readout_spans", "resolve_actor", "statement_issues"]


class NotFound(LookupError):
    """No row with that id."""

    def __str__(self) -> str:  # KeyError-like classes would repr() the message
        return str(self.args[0]) if self.args else ""


def _undated(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if not r["date"]]


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
    """A document: clean text, readout, highlighted spans, engagements, copies and sources."""
    key = resolve_document(conn, ident)
    row = conn.execute(
        "SELECT id, doc_id, source, url, title, published, text, is_readout, reason, readout_json"
        " FROM documents WHERE id = ?",
        (key,),
    ).fetchone()
    readout = json.loads(row[9])
    engagement_ids = [r[0] for r in conn.execute(
        "SELECT id FROM engagements WHERE document_id = ? ORDER BY ordinal", (key,))]
    sources = [{"document_id": r[0], "source": r[1], "url": r[2], "first_seen": r[3]} for r in conn.execute(
        "SELECT doc_id, source, url, first_seen FROM document_sources WHERE document_id = ?"
        " ORDER BY first_seen, rowid", (key,))]
    duplicates = [{"key": r[0], "document_id": r[1], "title": r[2], "url": r[3], "canonical": bool(r[4])}
                  for r in conn.execute(
        """SELECT o.id, o.doc_id, o.title, o.url, o.is_canonical FROM documents d
           JOIN documents o ON o.duplicate_group = d.duplicate_group
           WHERE d.id = ? AND o.id != d.id ORDER BY o.seq""", (key,))]
    return {
        "key": row[0], "document_id": row[1], "source": row[2], "url": row[3], "title": row[4],
        "published": row[5], "text": row[6], "is_readout": bool(row[7]), "reason": row[8],
        "readout": readout, "spans": readout_spans(readout), "engagement_ids": engagement_ids,
        "duplicates": duplicates, "sources": sources,
    }


# --------------------------------------------------------------------------- dyad


def statement_issues(readout: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(speaker's country, issues) per statement, issues as the sides report labels them
    (``sides.issue_label``: "Taiwan question" and "cross-Strait issues" are both "Taiwan").

    The speaker's country falls back to the country of the participant of that name; a statement
    without issues of its own takes the document's issues whose span lies inside it.
    """
    from readouts.sides import issue_label

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
            out.append((side, list(dict.fromkeys(issue_label(t) for t in raised if t and t.strip()))))
    return out


def month_axis(months: set[str]) -> list[str]:
    """Every month from the first to the last (YYYY-MM), at most 100 years."""
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


def _readouts(conn: sqlite3.Connection, keys: set[str]) -> dict[str, dict[str, Any]]:
    return {k: json.loads(r) for k, r in conn.execute(
        "SELECT id, readout_json FROM documents WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(keys)),))}


def dyad(conn: sqlite3.Connection, a: str, b: str, f: Filters) -> dict[str, Any]:
    """A pair of states under the filters: rows (events unless ``f.events`` is off) per month by
    mode and by level, the undated ones (not charted), issues per side, and the sides report."""
    f = replace(f, countries=(a, b), limit=None, offset=0)
    rows = engagements(conn, f)
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
    axis = month_axis(months)
    issues: dict[str, Counter[str]] = {a: Counter(), b: Counter()}
    readouts = _readouts(conn, {e["document_key"] for e in rows})
    for e in rows:  # each row's own report: an event counts once per side and issue
        for side, raised in statement_issues(readouts.get(e["document_key"]) or {}):
            if side in issues:
                issues[side].update(dict.fromkeys(raised, 1))
    undated = _undated(rows)
    return {
        "a": a, "b": b, "filters": f.as_dict(), "since": f.since, "until": f.until,
        "unit": "events" if f.events else "reports", "count": len(rows), "months": axis,
        "by_mode": {m: [by_mode[m][x] for x in axis] for m in MODES if m in by_mode},
        "by_level": {lv: [by_level[lv][x] for x in axis] for lv in LEVELS if lv in by_level},
        "undated": len(undated), "undated_ids": [e["id"] for e in undated],
        "issues": {side: [{"issue": i, "count": n} for i, n in c.most_common(15)] for side, c in issues.items()},
        "engagements": rows,
        "sides": dyad_sides(conn, a, b, f),
    }


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


# --------------------------------------------------------------------------- network


def _actor_labels(conn: sqlite3.Connection, ids: set[str]) -> dict[str, tuple[str, str]]:
    return {i: (n, k) for i, n, k in conn.execute(
        "SELECT id, name, kind FROM actors WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(ids)),))}


def network(conn: sqlite3.Connection, f: Filters, by: str = "state") -> dict[str, Any]:
    """Nodes (states and organisations, or actors by registry id) and weighted edges: the rows
    (events unless ``f.events`` is off) they share."""
    from readouts.actors import code_actor_id

    rows = engagements(conn, replace(f, limit=None, offset=0))
    weights: Counter[tuple[str, str]] = Counter()
    degree: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for e in rows:
        if by == "actor":
            keys = set()
            for p in people(e):
                if p["name"]:
                    key = p["actor_id"] or p["name"]
                    keys.add(key)
                    labels.setdefault(key, p["name"])
            names = sorted(keys)
        else:
            names = sorted({p["country"] for p in e["participants"] if p["country"]})
        for n in names:
            degree[n] += 1
        for i, x in enumerate(names):
            for y in names[i + 1:]:
                weights[(x, y)] += 1
    kinds: dict[str, str] = {}
    if by == "actor":
        for key, (name, kind) in _actor_labels(conn, set(degree)).items():
            labels[key], kinds[key] = name, kind
    else:
        for code in degree:
            labels[code] = code
            kinds[code] = "state" if code_actor_id(code).startswith("s:") else "organisation"
    nodes = [{"id": n, "label": labels.get(n, n), "kind": kinds.get(n, "person" if by == "actor" else None),
              "engagements": d} for n, d in sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))]
    edges = [{"source": x, "target": y, "weight": w} for (x, y), w in sorted(weights.items())]
    return {"by": by, "unit": "events" if f.events else "reports", "filters": f.as_dict(),
            "nodes": nodes, "edges": edges, "engagements": len(rows)}


# --------------------------------------------------------------------------- map


def places(conn: sqlite3.Connection, f: Filters) -> list[dict[str, Any]]:
    """The rows of ``f`` that have coordinates (events unless ``f.events`` is off: the report that
    stands for the event, as in ``rows.engagements``), grouped by place (coordinates rounded to
    0.01 degree): lat, lon, city, country and a count per mode."""
    w, params = where(conn, f)
    if f.events:
        rows_sql = f"""SELECT e.lat AS lat, e.lon AS lon, e.location_city AS city, e.location_country AS country,
                              e.mode AS mode, min({_FIRST_REPORT}) {_BASE} WHERE {w} GROUP BY {EVENT}"""
    else:
        rows_sql = f"""SELECT e.lat AS lat, e.lon AS lon, e.location_city AS city, e.location_country AS country,
                              e.mode AS mode {_BASE} WHERE {w}"""
    grouped: dict[tuple[float, float], dict[str, Any]] = {}
    for lat, lon, city, country, mode, n in _run(
        conn,
        f"""SELECT round(lat, 2), round(lon, 2), city, country, mode, count(*) FROM ({rows_sql})
            WHERE lat IS NOT NULL AND lon IS NOT NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5""",
        params,
    ):
        place = grouped.setdefault((lat, lon), {"lat": lat, "lon": lon, "city": city, "country": country,
                                                "modes": {}})
        place["modes"][mode] = place["modes"].get(mode, 0) + n
    return list(grouped.values())


# --------------------------------------------------------------------------- actors


def resolve_actor(conn: sqlite3.Connection, ident: str) -> tuple | None:
    """(id, kind, name, country, aliases_json, posts_json) of the registry's actor with this id,
    or else the one a participant of that name, or an alias, resolved to most often."""
    cols = "a.id, a.kind, a.name, a.country, a.aliases_json, a.posts_json"
    row = conn.execute(f"SELECT {cols} FROM actors a WHERE a.id = ?", (ident,)).fetchone()
    if row is None:
        row = conn.execute(
            f"""SELECT {cols} FROM participants p JOIN actors a ON a.id = p.actor_id WHERE p.name_fold = ?
                GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 1""", (ident.casefold(),)).fetchone()
    if row is None:
        from readouts.read.filters import alias_key

        row = conn.execute(
            f"""SELECT {cols} FROM actor_aliases x JOIN actors a ON a.id = x.actor_id WHERE x.alias_key = ?
                ORDER BY a.documents DESC, a.id LIMIT 1""", (alias_key(ident),)).fetchone()
    return row


def actor(conn: sqlite3.Connection, ident: str, f: Filters | None = None) -> dict[str, Any]:
    """An actor of the registry (by id, or a name it goes by; a participant's name when the
    store has no registry yet): aliases, posts, and the rows search gives for ``actor=<id>``
    under ``f`` (events by default), per year, their counterparts (by registry id) and the
    undated ones."""
    f = f or Filters(events=True)
    row = resolve_actor(conn, ident)
    if row is not None:
        actor_id, kind, name, country, aliases_json, posts_json = row
        source = "actors table"
    else:
        if not conn.execute("SELECT 1 FROM participants WHERE name_fold = ? LIMIT 1", (ident.casefold(),)).fetchone():
            raise NotFound(f"no actor {ident!r}")
        actor_id, kind, name, country, aliases_json, posts_json = ident, None, ident, None, "[]", "[]"
        source = "participant names"
    rows = engagements(conn, replace(f, actor=actor_id, limit=None, offset=0))
    fold = ident.casefold()

    def is_me(p: dict[str, Any]) -> bool:
        return p["actor_id"] == actor_id if source == "actors table" else (p["name"] or "").casefold() == fold

    mine = [p for e in rows for p in people(e) if is_me(p)]
    aliases = sorted({p["name"] for p in mine if p["name"]})
    try:
        aliases = sorted(set(json.loads(aliases_json or "[]")) | set(aliases))
    except (TypeError, ValueError):
        pass
    posts: list[dict[str, Any]] = []
    try:
        posts = [{"title": p.get("title"), "country": country, "first": p.get("first_seen"),
                  "last": p.get("last_seen")} for p in json.loads(posts_json or "[]") if isinstance(p, dict)]
    except (TypeError, ValueError):
        pass
    if not posts:
        seen: dict[tuple[str | None, str | None], list[str | None]] = {}
        for e in rows:
            for p in people(e):
                if is_me(p):
                    span = seen.setdefault((p["title"], p["country"]), [e["date"], e["date"]])
                    if e["date"] and (span[0] is None or e["date"] < span[0]):
                        span[0] = e["date"]
                    if e["date"] and (span[1] is None or e["date"] > span[1]):
                        span[1] = e["date"]
        posts = [{"title": t, "country": c, "first": s[0], "last": s[1]} for (t, c), s in seen.items()]
    counterparts: Counter[str] = Counter()
    names: dict[str, tuple[str, str | None]] = {}
    for e in rows:
        others = {}
        for p in people(e):
            if is_me(p) or not (p["name"] or p["country"]):
                continue
            key = p["actor_id"] or p["name"] or p["country"]
            others[key] = (p["name"] or p["country"] or "?", p["country"])
        for key, label in others.items():
            counterparts[key] += 1
            names.setdefault(key, label)
    registry = _actor_labels(conn, set(counterparts))
    years = Counter(e["date"][:4] for e in rows if e["date"])
    per_year = []
    if years:
        lo, hi = int(min(years)), int(max(years))
        per_year = [{"year": str(y), "count": years.get(str(y), 0)} for y in range(lo, hi + 1)]
    undated = _undated(rows)
    countries = sorted({p["country"] for p in mine if p["country"]} | ({country} if country else set()))
    return {
        "id": actor_id, "name": name, "kind": kind, "source": source, "aliases": aliases, "countries": countries,
        "posts": posts, "unit": "events" if f.events else "reports", "count": len(rows),
        "engagement_ids": [e["id"] for e in rows], "per_year": per_year,
        "undated": len(undated), "undated_ids": [e["id"] for e in undated],
        "counterparts": [{"id": key, "name": registry.get(key, names[key])[0], "country": names[key][1], "count": n}
                         for key, n in sorted(counterparts.items(), key=lambda kv: (-kv[1], kv[0]))[:30]],
        "engagements": rows,
    }


# --------------------------------------------------------------------------- compare


def compare(conn: sqlite3.Connection, ident: str) -> dict[str, Any]:
    """One event as each of its reports tells it (``readouts.sides.compare_event``): per report
    its engagement, statements, issues (one vocabulary with the sides report), tone, initiative,
    commitments, why it was linked, and what only it (or only its side) mentions.
    ``ident`` is an engagement's id or an event id (``ev:...``)."""
    from readouts.links import LinkReason
    from readouts.sides import compare_event
    from readouts.store import event_reports

    row = conn.execute("SELECT event_id FROM engagements WHERE id = ? OR event_id = ? LIMIT 1",
                       (ident, ident)).fetchone()
    if row is None:
        raise NotFound(f"no engagement or event {ident!r}")
    reports = event_reports(conn, row[0], ident)
    result = compare_event(reports)
    out = {"engagement_id": ident, **result.as_dict(), "linked": len(result.sources) > 1}
    by_id = {r["engagement_id"]: r for r in reports}
    for src in out["sources"]:
        rep = by_id.get(src["engagement_id"]) or {}
        src["engagement"] = rep.get("engagement") or {}
        src["published"] = rep.get("published")
        reason = src.get("link_reason")
        src["link"] = LinkReason.from_dict(reason).describe() if reason else None
        src["said"] = [{"speaker": s.get("speaker") or s.get("speaker_country"), "verb": s.get("verb"),
                        "text": (s.get("span") or {}).get("text")}
                       for s in (rep.get("readout") or {}).get("statements") or ()]
    return out
