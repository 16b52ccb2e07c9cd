"""Participant records: names, posts and states of the people of an engagement, with the
states the text implies ("his Polish counterpart", the document's dyad)."""
from __future__ import annotations

import re

from readouts import gazetteer
from readouts.annotate import Mention
from readouts.extract.model import Candidate, Key, Naming
from readouts.extract.state import Doc
from readouts.records import Engagement, Location, Participant, Span


def part_text(d: Doc, k: Key, part: Naming) -> str:
    m, country = part
    name = d.ann.entities[k].name if isinstance(k, int) else None
    return name or m.name or " ".join(x for x in (country or m.country, m.title) if x) or "?"


def level(d: Doc, k: Key, m: Mention) -> str | None:
    return m.level or (d.ann.entities[k].level if isinstance(k, int) else None)


def entity_host(d: Doc, k: Key) -> str | None:
    if not isinstance(k, int):
        return None
    return next((d.ann.mentions[mi].host for mi in d.ann.entities[k].mentions if d.ann.mentions[mi].host), None)


def engagement(d: Doc, c: Candidate) -> Engagement:
    people = []
    subject_title = None
    for k in c.subjects:
        if k in c.named_by:
            m, _ = c.named_by[k]
            subject_title = _entity_title(d, k, m)
            break
    for k in c.named_by:  # subjects first, in the order the text names them
        m, country = c.named_by[k]
        side = "subject" if k in c.subjects else "object"
        people.append(participant(d, m, k, side, country, subject_title))
    people = _infer_countries(d, people)
    return Engagement(
        date=c.date,
        mode=c.mode,
        participants=tuple(people),
        location=Location(c.city, c.country, c.place_span),
        occasion=c.occasion,
        date_precision=c.precision,
        trigger=c.trigger,
        date_span=c.date_span,
        occasion_span=c.occasion_span,
    )


def _entity_title(d: Doc, k: Key, m: Mention) -> str | None:
    if isinstance(k, int):
        return d.ann.entities[k].title or m.title
    return m.title


def participant(d: Doc, m: Mention, k: Key | None, side: str, country: str | None = None, subject_title: str | None = None) -> Participant:
    name, title, cc, rule = m.name, m.title, country or m.country, m.country_rule
    if isinstance(k, int):
        e = d.ann.entities[k]
        name, title = e.name or name, e.title or title
        cc, rule = cc or e.country, rule or e.country_rule
    last = gazetteer.fold(title).split()[-1:] if title else []
    if subject_title and (m.counterpart or title) and (not title or (last and last[0] in _COUNTERPART_WORDS)):
        title = _counterpart_title(subject_title)  # "his Polish counterpart", "her Kenyan colleague"
    if title and m.plural:
        title = singular(title)
    if name is None and m.plural and not cc:
        cc = None
    span = Span(m.start, m.end, d.doc.text[m.start:m.end], f"mention:{m.rule}")
    return Participant(name=name, country=cc, title=title, side=side, span=span, country_rule=rule)


_COUNTERPART_WORDS = frozenset({"counterpart", "counterparts", "colleague", "colleagues", "peer", "peers"})


def _counterpart_title(title: str) -> str:
    t = gazetteer.fold(title)
    if "foreign" in t or "external affairs" in t or "secretary of state" in t:
        return "Foreign Minister"
    return re.sub(r"^(?:the|his|her)\s+", "", title)


def singular(title: str) -> str:
    words_ = title.split()
    last = words_[-1]
    if last.lower() == "counterparts":
        words_[-1] = "counterpart"
    elif last.endswith("s") and not last.endswith("ss"):
        words_[-1] = last[:-1]
    out = " ".join(words_)
    return re.sub(r"^Consuls\b", "Consul", out)


def _infer_countries(d: Doc, people: list[Participant]) -> list[Participant]:
    """A participant whose state the text does not give: the other state of the document's dyad,
    or the publisher's state for an unnamed official on an official site."""
    # people on the same side of an engagement share a state the text gives for one of them
    for side in ("subject", "object"):
        states = {p.country for p in people if p.side == side and p.country}
        if len(states) == 1 and sum(p.side == side for p in people) > 1 and len({q.country for q in people if q.side != side}) <= 1:
            (state,) = states
            other = {q.country for q in people if q.side != side}
            if state not in other:
                people = [p if p.country or p.side != side else _with_country(p, state, "same side") for p in people]
    known = {p.country for p in people if p.country}
    missing = [p for p in people if not p.country]
    if not missing:
        return people
    # "The Prime Minister met UN Secretary-General A": on an official site, the publisher's own
    # official goes unnamed and unplaced when no one else of its state takes part
    unnamed = [p for p in missing if p.name is None and p.title]
    own = d.publisher_state() if len(unnamed) == 1 else None
    if own and own not in known:
        people = [p if p is not unnamed[0] else _with_country(p, own, "publisher") for p in people]
        known.add(own)
        missing = [p for p in people if not p.country]
        if not missing:
            return people
    top = d.states.most_common(3)
    dyad = [code for code, n in top[:2] if n >= 2 and (len(top) < 3 or n > top[2][1])]
    if len(dyad) == 2:
        others = [c for c in dyad if c not in known]
        if len(known) >= 1 and len(others) == 1 and len(missing) == 1:
            return [p if p is not missing[0] else _with_country(p, others[0], "dyad") for p in people]
    return people


def _with_country(p: Participant, country: str, rule: str) -> Participant:
    return Participant(p.name, country, p.title, p.side, p.span, rule)
