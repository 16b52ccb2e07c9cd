"""One engagement as each source reported it: statements and issues side by side, and what
only one source says. Used by ``readouts compare`` and the web UI's compare page.

Texts are compared folded (``readouts.evaluate.fold``: case, accents and punctuation aside),
so "the Western Balkans." in one readout and "western Balkans" in another are the same issue.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from readouts.evaluate import fold

__all__ = ["compare_sources", "issue_texts", "only_here", "statement_lines"]


def statement_lines(readout: Mapping[str, Any]) -> list[str]:
    """``speaker: what was said`` per statement of a readout (``Readout.as_dict()``)."""
    out = []
    for st in readout.get("statements") or ():
        speaker = st.get("speaker") or st.get("speaker_country") or "?"
        text = " ".join(((st.get("span") or {}).get("text") or "").split())
        out.append(f"{speaker}: {text}")
    return out


def issue_texts(readout: Mapping[str, Any]) -> list[str]:
    """The issues of a readout and of its statements, once each, in order."""
    issues = [i.get("text") for i in readout.get("issues") or () if i.get("text")]
    for st in readout.get("statements") or ():
        issues.extend(st.get("issues") or ())
    return list(dict.fromkeys(" ".join(i.split()) for i in issues))


def only_here(texts_per_source: Sequence[Sequence[str]]) -> list[list[str]]:
    """Per source, the texts no other source gives (compared folded); nothing with one source."""
    if len(texts_per_source) < 2:
        return [[] for _ in texts_per_source]
    folded = [{fold(t) for t in texts} for texts in texts_per_source]
    out = []
    for n, texts in enumerate(texts_per_source):
        others = set().union(*(f for m, f in enumerate(folded) if m != n))
        out.append([t for t in texts if fold(t) not in others])
    return out


def compare_sources(sources: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``Store.event_sources`` output -> per source: ids, title, date, mode, statement lines,
    issues, and ``only_here`` ({issues, statements} no other source reports)."""
    per_source = [{
        "document_id": src["document_id"],
        "document_key": src["document_key"],
        "engagement_id": src["engagement_id"],
        "title": src["title"],
        "date": src["engagement"].get("date"),
        "mode": src["engagement"].get("mode"),
        "statements": statement_lines(src["readout"]),
        "issues": issue_texts(src["readout"]),
    } for src in sources]
    issues = only_here([s["issues"] for s in per_source])
    statements = only_here([s["statements"] for s in per_source])
    for item, own_issues, own_statements in zip(per_source, issues, statements):
        item["only_here"] = {"issues": own_issues, "statements": own_statements}
    return per_source
