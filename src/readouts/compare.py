"""Helpers for comparing the reports of one event: statement lines, issue texts, and what only
one report says. ``readouts.sides.compare_event`` uses them; ``readouts.read.views.compare``
(``readouts compare`` and the web UI's compare page) lays the reports out with it.

Texts are compared folded (``readouts.evaluate.fold``: case, accents and punctuation aside),
so "the Western Balkans." in one readout and "western Balkans" in another are the same issue.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from readouts.evaluate import fold

__all__ = ["issue_texts", "only_here", "statement_lines"]


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
