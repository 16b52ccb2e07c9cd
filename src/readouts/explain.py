"""Why a document gave the engagements it gave: ``readouts explain``.

For one document: each sentence with the people (mentions) and engagement predicates
(triggers) found in it, every candidate engagement and what became of it (kept, merged
into another, dropped) with the rule that decided, and why the document is or is not a
readout. The decisions are the ones extraction itself records (``extract_traced``), so
the explanation cannot drift from what ``readouts extract`` does.
"""
from __future__ import annotations

from typing import Any

from readouts.extract import extract_traced
from readouts.records import CleanDocument, Engagement


def explain(doc: CleanDocument) -> dict[str, Any]:
    """A JSON-ready explanation of one clean document."""
    readout, ann, trace = extract_traced(doc)
    sentences: list[dict[str, Any]] = []
    for sent in ann.sentences if ann is not None else ():
        mentions = []
        for mi in sent.mentions:
            m = ann.mentions[mi]
            ent = ann.entities[m.entity] if m.entity is not None else None
            mentions.append({
                "text": ann.text[m.start:m.end],
                "start": m.start,
                "end": m.end,
                "rule": m.rule,
                "name": (ent.name if ent else None) or m.name,
                "title": (ent.title if ent else None) or m.title,
                "country": (ent.country if ent else None) or m.country,
                "person": m.entity,
            })
        notes = [n for n in trace if n.get("sentence") == sent.index]
        if mentions or notes:
            sentences.append({
                "index": sent.index,
                "text": sent.text,
                "headline": sent.headline,
                "caption": sent.caption,
                "mentions": mentions,
                "predicates": notes,
            })
    return {
        "id": doc.id,
        "language": doc.language,
        "is_readout": readout.is_readout,
        "reason": readout.reason,
        "title": doc.title,
        "dateline": doc.dateline,
        "published": doc.published,
        "sentences": sentences,
        "decisions": [n for n in trace if "sentence" not in n],
        "engagements": [_engagement(e) for e in readout.engagements],
        "planned": [p.as_dict() for p in readout.planned],
    }


def _engagement(e: Engagement) -> dict[str, Any]:
    return {
        "mode": e.mode,
        "date": e.date,
        "date_from": e.date_span.rule if e.date_span else None,
        "participants": [{"name": p.name, "title": p.title, "country": p.country, "country_rule": p.country_rule,
                          "rule": p.span.rule if p.span else None} for p in e.participants],
        "location": {"city": e.location.city, "country": e.location.country,
                     "rule": e.location.span.rule if e.location.span else None},
        "occasion": e.occasion,
        "trigger": e.trigger.rule if e.trigger else None,
        "codes": e.codes.as_dict() if e.codes else None,
    }


def as_text(x: dict[str, Any]) -> str:
    """The explanation for a person reading a terminal."""
    out = [f"== {x['id']}: {'a readout' if x['is_readout'] else 'not a readout'} ({x['reason']})"]
    if x.get("title"):
        out.append(f"   title: {x['title']}")
    if x.get("dateline") or x.get("published"):
        out.append(f"   dateline: {x.get('dateline') or '-'}   published: {x.get('published') or '-'}")
    for s in x["sentences"]:
        tag = " [headline]" if s["headline"] else " [caption]" if s["caption"] else ""
        out.append(f"\n  [{s['index']}]{tag} {_short(s['text'])}")
        for m in s["mentions"]:
            who = ", ".join(str(v) for v in (m["name"], m["title"], m["country"]) if v)
            out.append(f"      mention  {m['text']!r} -> {who or '?'}  ({m['rule']})")
        for n in s["predicates"]:
            extra = ""
            if n["step"] == "candidate":
                extra = f" #{n['id']} {n['mode']}: {' + '.join(n['participants'])}; date {n['date']}; place {n['place']}"
            out.append(f"      {n['step']:<9}{n['trigger']} {n['text']!r}: {n['rule']}{extra}")
    if x["decisions"]:
        out.append("\n  decisions:")
        for n in x["decisions"]:
            ids = " ".join(f"{k} {n[k]}" for k in ("id", "into") if k in n)
            out.append(f"      {n['step']:<9}{ids + ': ' if ids else ''}{n['rule']}")
    out.append(f"\n  engagements: {len(x['engagements'])}")
    for e in x["engagements"]:
        people = "; ".join(", ".join(str(v) for v in (p["name"], p["title"], p["country"]) if v) for p in e["participants"])
        place = ", ".join(v for v in (e["location"]["city"], e["location"]["country"]) if v)
        out.append(f"      {e['mode']} {e['date'] or 'undated'} [{people}]"
                   f"{' at ' + place if place else ''}{' during ' + e['occasion'] if e['occasion'] else ''}"
                   f"  (trigger {e['trigger']}, date {e['date_from']}, place {e['location']['rule']})")
    return "\n".join(out) + "\n"


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


__all__ = ["explain", "as_text"]
