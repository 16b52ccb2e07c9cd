"""An engagement's date from its sentence, or from the context it continues: the sentence
before ("made the remarks during"), a dated visit, the lead, an earlier dated sentence of the
same person."""
from __future__ import annotations

import re

from readouts.annotate import Sentence
from readouts.dates import DateMention, resolve
from readouts.extract.model import Candidate
from readouts.extract.occasion import occasion_of
from readouts.extract.place import find_place
from readouts.extract.rules import search_sentence, token_at
from readouts.extract.state import Doc
from readouts.records import Span


def date_place(d: Doc, sent: Sentence, cand: Candidate, trig_pos: int) -> None:
    # a relative clause after the trigger speaks of something else ("..., who is on a visit from March 3 to 6")
    rel = _RELATIVE.search(sent.text, trig_pos)
    cut = sent.start + rel.start() if rel else sent.end
    dates = [x for x in d.dates_in(sent.start, sent.end) if x.start < cut]
    dl = d.doc.dateline_span
    if dl is not None:
        dates = [x for x in dates if not (dl.start <= x.start < dl.end)]
    if not dates and sent.index > 0 and _REMARKS.search(sent.text):
        prev = d.ann.sentences[sent.index - 1]
        dates = [x for x in d.dates_in(prev.start, prev.end) if not (dl and dl.start <= x.start < dl.end)]
    best: tuple[int, DateMention] | None = None
    for dm in dates:
        if dm.kind in ("year",):
            continue
        rank = {"absolute": 0 if dm.complete else 1, "relative": 2, "weekday": 2, "month": 3, "same_day": 4}[dm.kind]
        distance = abs(dm.start - (sent.start + trig_pos))
        score = rank * 10000 + distance
        if best is None or score < best[0]:
            best = (score, dm)
    if best is not None:
        dm = best[1]
        if dm.kind == "same_day":
            cand.continuation = True
        else:
            value, precision = resolve(dm, d.reference, d.reference_year)
            if value is None and dm.kind == "weekday":
                value, precision = d.weekday_date(dm)
            cand.date, cand.precision = value, precision
            cand.date_span = Span(dm.start, dm.end, dm.text, f"date:{dm.kind}")
            cand.own_date = True
            if dm.kind == "absolute" and dm.day_end and dm.day_end != dm.day and value:
                cand.date, cand.precision = value, "day"
    if search_sentence(d.r.continuation_p, d.ann, sent):
        cand.continuation = True
    find_place(d, sent, cand, cut)
    occ = occasion_of(d, sent)
    if occ:
        cand.occasion, cand.occasion_span = occ


_RELATIVE = re.compile(r",\s+(?:who|which|where)\b")
# "X made the remarks during a meeting with Y": the meeting is dated by the sentence before
_REMARKS = re.compile(r"\b(?:made|make|makes|delivered)\s+(?:the|these|those|his|her)\s+remarks\b|^(?:This|That|These|It)\s+was\s+(?:\w+\s+){0,2}(?:during|at)\b", re.I)


def visit_context(d: Doc) -> tuple[str | None, str | None, tuple | None]:
    """A dated visit ("On July 5, X visited Latvia") dates and places the meetings during it."""
    for sent in d.ann.sentences[:6]:
        m = search_sentence(d.r.visit_p, d.ann, sent)
        if not m:
            continue
        place = None
        a = d.ann
        pos = sent.start + m.end()
        i = token_at(a, pos)
        if i is not None and i < sent.t1:
            n, found = d.g.lookup(a.low, a.toks, i, frozenset({"city", "country"}))
            if n:
                e = found[0]
                city = e.value if e.kind == "city" else None
                country = e.extra if e.kind == "city" else e.value
                place = (city, country, Span(a.starts[i], a.ends[i + n - 1], a.span_text(i, i + n), "place:visit"))
        value = precision = None
        for dm in d.dates_in(sent.start, sent.end):
            if dm.kind in ("absolute", "weekday", "relative"):
                value, precision = resolve(dm, d.reference, d.reference_year)
                if dm.kind == "absolute" and dm.day_end and value:
                    value, precision = value[:7], "month"
                break
        if place or value:
            return value, precision, place
    return None, None, None


def remember_context_date(d: Doc, sent: Sentence, subs: list[int], at: int) -> None:
    """Remember the date of an engagement sentence that names no counterpart ("X met with
    numerous diplomats on June 19"): the engagements of X that follow share it."""
    probe = Candidate(frozenset(), {}, "meeting", 0, sent.index, Span(0, 0, "", ""))
    date_place(d, sent, probe, at)
    if probe.own_date and probe.date and probe.precision == "day" and probe.date_span is not None:
        people = {e for e in (d.ann.mentions[mi].entity for mi in subs) if e is not None}
        d.context_dates.append((sent.index, people, (probe.date, probe.precision, probe.date_span)))


def context_for(d: Doc, c: Candidate) -> tuple[str, str, Span] | None:
    """The latest such date before the candidate, of one of its people."""
    people = {k for k in c.people if isinstance(k, int)}
    found = [dated for index, who, dated in d.context_dates if index < c.sentence and who & people]
    return found[-1] if found else None


def lead_date(d: Doc, c: Candidate) -> tuple[str, str, Span] | None:
    """'X and Y on Friday agreed to ...': a dated sentence of the lead that names the same
    people dates their engagement, when the lead gives them one date only."""
    people = {k for k in c.people if isinstance(k, int)}
    if len(people) < 2:
        return None
    found: dict[str, tuple[str, str, Span]] = {}
    dl = d.doc.dateline_span
    for sent in [x for x in d.ann.sentences if not x.headline][:5]:
        if len(people & {d.ann.mentions[mi].entity for mi in sent.mentions}) < 2:
            continue
        for dm in d.dates_in(sent.start, sent.end):
            if dm.kind not in ("absolute", "weekday", "relative") or (dl and dl.start <= dm.start < dl.end):
                continue
            value, precision = resolve(dm, d.reference, d.reference_year)
            if value is None and dm.kind == "weekday":
                value, precision = d.weekday_date(dm)
            if value and precision == "day":
                found.setdefault(value, (value, precision, Span(dm.start, dm.end, dm.text, "date:lead")))
                break
    return next(iter(found.values())) if len(found) == 1 else None


def earlier_date(d: Doc, c: Candidate) -> tuple[str, str, Span] | None:
    """'Yesterday, X started the day by ... . X also met Y.': an engagement that continues the
    story of its subject takes the day of the latest dated sentence before it that names them."""
    people = {k for k in c.people if isinstance(k, int)}
    dl = d.doc.dateline_span
    for index in range(c.sentence - 1, max(-1, c.sentence - 4), -1):
        sent = d.ann.sentences[index]
        if sent.headline or sent.caption:
            break
        if not people & {d.ann.mentions[mi].entity for mi in sent.mentions}:
            continue
        for dm in d.dates_in(sent.start, sent.end):
            if dm.kind not in ("absolute", "weekday", "relative") or (dl and dl.start <= dm.start < dl.end):
                continue
            value, precision = resolve(dm, d.reference, d.reference_year)
            if value and precision == "day":
                return value, precision, Span(dm.start, dm.end, dm.text, "date:earlier")
    return None


def in_visit(d: Doc, c: Candidate) -> bool:
    text = d.ann.sentences[c.sentence].text
    return bool(re.search(r"\b(?:during|in the course of)\s+(?:the|his|her|this)\s+visit\b|^\s*(?:He|She)\b", text))
