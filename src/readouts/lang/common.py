"""What the Chinese and Russian readers share: dates, mentions, engagements, records.

A reader finds ``Person`` mentions (name, state, post, offsets) and engagement
predicates in sentences; ``assemble`` turns the pairs it finds into ``Engagement`` records
with provenance spans, merges repeats of one engagement and builds the ``Readout``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from readouts.codes import code_readout
from readouts.records import (
    CleanDocument,
    Engagement,
    Issue,
    Location,
    Participant,
    PlannedEngagement,
    Readout,
    Span,
    Statement,
)


@dataclass(frozen=True, slots=True)
class Person:
    """A person mention: offsets of the whole mention and of the name, in the clean text."""

    start: int
    end: int
    name: str | None
    country: str | None
    title: str | None
    name_start: int
    rule: str
    english: str | None = None  # the known official's English name, when known
    stated: bool = True  # the state is the text's (title, known official), not a default

    def participant(self, text: str, side: str) -> Participant:
        return Participant(
            name=self.name,
            country=self.country,
            title=self.title,
            side=side,
            span=Span(self.start, self.end, text[self.start:self.end], self.rule),
            country_rule=self.rule,
        )


@dataclass
class Found:
    """One engagement as a reader found it, before merging."""

    mode: str
    subjects: list[Person]
    objects: list[Person]
    trigger: Span
    date: str | None = None
    date_span: Span | None = None
    city: str | None = None
    country: str | None = None
    place_span: Span | None = None
    occasion: str | None = None
    occasion_span: Span | None = None
    planned: bool = False
    extra: dict = field(default_factory=dict)


IN_PERSON = frozenset({"meeting", "talks"})
#: when two reports of one engagement name different modes, the more specific one wins
#: ("met" and "held talks" -> talks; "congratulated" and "spoke by phone" -> phone_call)
MODE_RANK = {"message": 0, "meeting": 1, "talks": 2, "video_call": 3, "phone_call": 3}


def shift_day(ref: date, days: int) -> date:
    return ref + timedelta(days=days)


def last_weekday(ref: date, weekday: int) -> date:
    """The latest ``weekday`` (0 = Monday) on or before ``ref``."""
    return ref - timedelta(days=(ref.weekday() - weekday) % 7)


def day_in_month(ref: date, day: int) -> date | None:
    """Day ``day`` of the month of ``ref``, or of the month before when it would be after ``ref``."""
    year, month = ref.year, ref.month
    if day > ref.day:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def month_day(ref_year: int, month: int, day: int, ref: date | None) -> date | None:
    """Month and day in the reference year (the year before for December seen from January)."""
    year = ref_year
    if ref is not None and month == 12 and ref.month == 1:
        year -= 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _key(p: Person) -> str:
    return p.english or p.name or f"{p.country}:unnamed"


def _fuller(a: Person, b: Person) -> Person:
    """Of two mentions of one person, the one with the fuller name (and a title when one lacks it)."""
    best = a if len(a.name or "") >= len(b.name or "") else b
    other = b if best is a else a
    if best.title is None and other.title is not None:
        best = Person(best.start, best.end, best.name, best.country or other.country, other.title,
                      best.name_start, best.rule, best.english)
    return best


def assemble(
    doc: CleanDocument, found: list[Found], statements: list[Statement], lead: int = 0, reject: str | None = None,
    mentions: list[Person] | None = None, issues: list[Issue] | None = None,
) -> Readout:
    """The readout of a reader's findings: engagements merged by their set of people.

    Findings before ``lead`` (a headline) count for what happened but give their details
    (date, place, occasion, titles) only where the body gives none. Engagements that share
    nobody with the first one are background ("this month X also called Y") and dropped.
    ``reject`` says why the text is not a readout whatever it reports (a joint statement).
    A person's title is the first one the engagements give, else the first one any of
    ``mentions`` gives for that person.
    """
    text = doc.text
    merged: dict[frozenset[str], Found] = {}
    first_pos: dict[frozenset[str], int] = {}
    planned: list[PlannedEngagement] = []
    titles: dict[str, str] = {}
    ranked = sorted(found, key=lambda f: (f.trigger.start < lead, f.trigger.start))
    for f in ranked:
        for p in f.subjects + f.objects:
            if p.title and _key(p) not in titles:
                titles[_key(p)] = p.title
    for p in mentions or ():
        if p.title and p.name and _key(p) not in titles:
            titles[_key(p)] = p.title
    for f in ranked:
        people = f.subjects + f.objects
        keys = frozenset(_key(p) for p in people)
        if len(keys) < 2:
            continue
        if f.planned:
            planned.append(PlannedEngagement(
                kind=f.mode,
                participants=tuple(p.participant(text, "subject" if p in f.subjects else "object") for p in people),
                date=f.date,
                span=f.trigger,
            ))
            continue
        first_pos[keys] = min(first_pos.get(keys, f.trigger.start), f.trigger.start)
        if keys in merged:
            old = merged[keys]
            if MODE_RANK[f.mode] > MODE_RANK[old.mode]:
                old.mode = f.mode
            for attr in ("date", "date_span", "city", "country", "place_span", "occasion", "occasion_span"):
                if getattr(old, attr) is None and getattr(f, attr) is not None:
                    setattr(old, attr, getattr(f, attr))
            continue
        merged[keys] = f
    _fold_unnamed(merged, first_pos)
    order = sorted(merged, key=lambda k: first_pos[k])
    order = _connected(order)
    # a fuller mention of the same person anywhere in the engagements wins
    best: dict[str, Person] = {}
    for f in merged.values():
        for p in f.subjects + f.objects:
            k = _key(p)
            best[k] = _fuller(best[k], p) if k in best else p
    engagements = []
    for keys in order:
        f = merged[keys]
        in_person = f.mode in IN_PERSON
        parts = tuple(
            _replace_name(best[_key(p)], p, titles.get(_key(p))).participant(
                text, "subject" if p in f.subjects else "object")
            for p in f.subjects + f.objects
        )
        engagements.append(Engagement(
            date=f.date,
            mode=f.mode,
            participants=parts,
            location=Location(f.city, f.country, f.place_span) if in_person else Location(),
            occasion=f.occasion if in_person else None,
            date_precision=_precision(f.date),
            trigger=f.trigger,
            date_span=f.date_span,
            occasion_span=f.occasion_span if in_person else None,
        ))
    # the issues a statement raises: those inside its sentence
    statements = [st.replace(issues=tuple(i.text for i in issues or () if st.span.start <= i.span.start
                                          and i.span.end <= st.span.end)) for st in statements]
    is_readout = bool(engagements) and reject is None
    reason = "engagement reported" if is_readout else ("only planned engagements" if planned else "no engagement found")
    if reject is not None:
        engagements, reason = [], reject
    return code_readout(Readout(
        id=doc.id,
        is_readout=is_readout,
        engagements=tuple(engagements),
        statements=tuple(statements) if is_readout else (),
        issues=tuple(issues or ()),
        planned=tuple(planned),
        reason=reason,
        title=doc.title,
        published=doc.published,
        url=doc.url,
        source=doc.source,
        content_hash=doc.content_hash,
    ))


def _fold_unnamed(merged: dict[frozenset[str], Found], first_pos: dict[frozenset[str], int]) -> None:
    """'会见美国国会代表团' and '会见美国国会代表团史密斯一行': a group of a state and the named
    person of that state with the same others are one engagement (the named one is kept)."""
    for keys in list(merged):
        unnamed = [k for k in keys if k.endswith(":unnamed")]
        if len(unnamed) != 1:
            continue
        state = unnamed[0].split(":", 1)[0]
        rest = keys - {unnamed[0]}
        for other, f in merged.items():
            if other is keys or not rest < other or len(other) != len(keys):
                continue
            extra = next(iter(other - rest))
            person = next((x for x in f.subjects + f.objects if _key(x) == extra), None)
            if person is not None and person.name and person.country == state:
                old = merged.pop(keys)
                for attr in ("date", "date_span", "city", "country", "place_span", "occasion", "occasion_span"):
                    if getattr(f, attr) is None and getattr(old, attr) is not None:
                        setattr(f, attr, getattr(old, attr))
                first_pos[other] = min(first_pos[other], first_pos.pop(keys))
                break


def _connected(order: list[frozenset[str]]) -> list[frozenset[str]]:
    """The first engagement and those linked to it through shared people."""
    if not order:
        return order
    people = set(order[0])
    kept = {order[0]}
    grew = True
    while grew:
        grew = False
        for keys in order:
            if keys not in kept and keys & people:
                kept.add(keys)
                people |= keys
                grew = True
    return [k for k in order if k in kept]


def _replace_name(best: Person, here: Person, title: str | None) -> Person:
    """The mention at this place, with the fullest name and the title of its first titled mention."""
    return Person(here.start, here.end, best.name, here.country or best.country, title or here.title or best.title,
                  here.name_start, here.rule, here.english)


def _precision(iso: str | None) -> str | None:
    if iso is None:
        return None
    return {10: "day", 7: "month", 4: "year"}.get(len(iso))


__all__ = ["Found", "IN_PERSON", "Person", "assemble", "day_in_month", "last_weekday", "month_day", "shift_day"]
