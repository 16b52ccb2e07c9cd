"""The multilateral event a sentence names ("on the sidelines of the G20 Summit")."""
from __future__ import annotations

import re

from readouts.annotate import Sentence
from readouts.extract.rules import search_sentence
from readouts.extract.state import Doc
from readouts.records import Span


def occasion_of(d: Doc, sent: Sentence) -> tuple[str, Span] | None:
    """The multilateral event a sentence names (cached: several engagements share a sentence)."""
    if sent.index not in d.occasions:
        d.occasions[sent.index] = _find_occasion(d, sent)
    return d.occasions[sent.index]


def _find_occasion(d: Doc, sent: Sentence) -> tuple[str, Span] | None:
    m = search_sentence(d.r.occasion_p, d.ann, sent)
    if not m:
        return None
    start = m.end()
    rest = sent.text[start:]
    stop = d.r.occasion_stop.search(rest)
    text = rest[: stop.start()] if stop else rest
    text = text.strip(" ,.;:")
    text = re.sub(r"^(?:the|this year's|this year’s)\s+", "", text, flags=re.I)
    tail = re.search(r"(?<=[A-Z][a-z])\s+the\s+[a-z]", text)  # "... Diplomatic Forum the situation on ..."
    if tail:
        text = text[: tail.start()]
    # "... in Brazil" / "... in Kuala Lumpur": the place is not part of the name
    text = re.sub(r"\s+(?:in|at|held in|taking place in)\s+[A-Z][\w .'-]*$", "", text)
    if len(text) < 3 or len(text) > 120:
        return None
    s = sent.start + start + rest.find(text)
    return text, Span(s, s + len(text), text, "occasion:" + m.group(0).strip().lower())
