"""Engagements to come (or that did not happen): modal and future cues before a predicate,
announced visits, and their de-duplication."""
from __future__ import annotations

import re

from readouts.annotate import Annotated, Sentence
from readouts.dates import resolve
from readouts.extract.participants import participant
from readouts.extract.rules import Rules, in_sentence, search_before, token_at
from readouts.extract.state import Doc
from readouts.records import Location, PlannedEngagement, Span


_BASE_FORM = re.compile(r"^(?:meet|hold|talk|speak|visit|call|have|exchange|sit|consult|discuss|join)\b", re.I)
_MODAL = re.compile(r"\b(?:will|would|shall|could|may|might|should|to|scheduled|expected|plans?|planning|agreed|intends?|ready|hopes?)\b", re.I)


def planned_at(r: Rules, a: Annotated, sent: Sentence, at: int, trigger: str) -> bool:
    """Will the engagement happen (or did it not happen) rather than take place?"""
    before = sent.text[:at]
    clause = re.split(r"[;:]|,\s*(?:and|but)\s", before)[-1]
    if search_before(r.planned_before, a, sent, at) and not re.search(r"\b(?:was|were|had|has|have)\s+(?:\w+\s+){0,2}$", before):
        return True
    return bool(_BASE_FORM.match(trigger) and _MODAL.search(clause))


def planned_visits(d: Doc) -> list[PlannedEngagement]:
    """'X will pay a state visit to China from June 8 to 10', "X's upcoming visit to China"."""
    a, g = d.ann, d.g
    out = []
    for sent in a.sentences:
        for m in in_sentence(d.r.planned_visit_p, a, sent):
            start, end = sent.start + m.start(), sent.start + m.end()
            before = [mi for mi in sent.mentions if a.mentions[mi].end <= start + 2 and a.mentions[mi].entity is not None]
            if not before:
                continue
            who = a.mentions[before[-1]]
            i = token_at(a, end)
            where = Location()
            if i is not None and i < sent.t1:
                n, found = g.lookup(a.low, a.toks, i, frozenset({"city", "country"}))
                if n:
                    e = next((x for x in found if x.kind == "city"), found[0])
                    span = Span(a.starts[i], a.ends[i + n - 1], a.span_text(i, i + n), "place:planned")
                    where = Location(e.value, e.extra, span) if e.kind == "city" else Location(None, e.value, span)
            date_value = None
            for dm in d.dates_in(end, sent.end):
                date_value, _ = resolve(dm, d.reference, d.reference_year)
                if date_value:
                    break
            person = participant(d, who, who.entity, "subject")
            out.append(PlannedEngagement("visit", (person,), date_value, where, Span(start, end, m.group(0), "planned:visit")))
    return out


def dedupe_planned(items: list[PlannedEngagement]) -> list[PlannedEngagement]:
    """One plan reported twice ("will pay a state visit", "the upcoming state visit") is kept once, dated if either is."""
    out: dict[tuple, PlannedEngagement] = {}
    for p in items:
        key = (p.kind, tuple(sorted(x.name or "" for x in p.participants)), p.location.country)
        known = out.get(key)
        if known is None or (known.date is None and p.date):
            out[key] = p
    return list(out.values())


def planned_engagement(d: Doc, sent: Sentence, mis: list[int], mode: str, span: Span) -> PlannedEngagement:
    people = []
    for mi in mis:
        people.append(participant(d, d.ann.mentions[mi], None, "planned"))
    date_value = None
    for dm in d.dates_in(sent.start, sent.end):
        date_value, _ = resolve(dm, d.reference, d.reference_year)
        if date_value:
            break
    return PlannedEngagement(mode, tuple(people), date_value, Location(), span)
