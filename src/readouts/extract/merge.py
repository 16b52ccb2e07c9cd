"""Merging what several sentences say about one engagement, carrying dates, places and
occasions between them, and keeping the engagements of the document's principal."""
from __future__ import annotations

from readouts import gazetteer
from readouts.extract.context import context_for, earlier_date, in_visit, lead_date, visit_context
from readouts.extract.model import Candidate, Key, PostKey, key_order, post_text
from readouts.extract.occasion import occasion_of
from readouts.extract.participants import engagement, entity_host, level
from readouts.extract.place import country_named, occasion_place
from readouts.extract.rules import IN_PERSON
from readouts.extract.state import Doc
from readouts.records import Engagement


def merge_candidates(d: Doc, cands: list[Candidate]) -> list[Engagement]:
    a = d.ann
    # unnamed participants that a named one of the same state stands for ("envoys of Ethiopia" / "Azanaw")
    merged: list[Candidate] = []
    for c in cands:
        target = None
        for m in merged:
            if _same(d, m, c):
                target = m
                break
        if target is None:
            merged.append(c)
            continue
        d.note("merge", "same engagement: same participants, or named ones for unnamed", id=c.id, into=target.id)
        _absorb(d, target, c)
    merged = _fold_vague(d, merged)
    # context: dates and places carried by "also", visits, the dateline
    ordered = sorted(merged, key=lambda c: c.sentence)
    needs_context = any(not c.own_date or (c.mode in IN_PERSON and not c.own_place) for c in ordered)
    visit_date, visit_precision, visit_place = visit_context(d) if needs_context else (None, None, None)
    prev: Candidate | None = None
    doc_occasion = next(((c.occasion, c.occasion_span) for c in ordered if c.occasion), None)
    if doc_occasion is None:
        # the lead: the headline and the first sentences name the event the engagements were part of
        lead = [x for x in a.sentences if x.headline] + [x for x in a.sentences if not x.headline][:2]
        for sent in lead:
            occ = occasion_of(d, sent)
            if occ:
                doc_occasion = occ
                break
    # one place for the document when every engagement that names one names the same
    places = {(c.city, c.country) for c in ordered if c.own_place and c.mode in IN_PERSON}
    doc_place = next(((c.city, c.country, c.place_span) for c in ordered if c.own_place and c.mode in IN_PERSON), None) if len(places) == 1 else None
    in_person_doc = any(c.mode in IN_PERSON and (c.own_place or c.occasion) for c in ordered)
    for c in ordered:
        if c.vague and (c.own_place or c.occasion or (in_person_doc and c.continuation)):
            c.mode = "meeting"
        if not c.own_date:
            if prev is not None and (c.continuation or prev.sentence == c.sentence) and prev.date:
                c.date, c.precision, c.date_span = prev.date, prev.precision, prev.date_span
            elif visit_date and (c.continuation or in_visit(d, c)):
                c.date, c.precision = visit_date, visit_precision
            else:
                dated = lead_date(d, c) or context_for(d, c) or (earlier_date(d, c) if c.continuation else None)
                if dated is not None:
                    c.date, c.precision, c.date_span = dated
        if c.mode in IN_PERSON and not c.own_place:
            if prev is not None and prev.own_place and (c.continuation or prev.sentence == c.sentence) and prev.mode in IN_PERSON:
                c.city, c.country, c.place_span = prev.city, prev.country, prev.place_span
            elif visit_place is not None:
                c.city, c.country, c.place_span = visit_place
            elif doc_place is not None:
                c.city, c.country, c.place_span = doc_place
            elif doc_occasion and occasion_place(d, doc_occasion[0]):
                c.city, c.country = occasion_place(d, doc_occasion[0])  # type: ignore[misc]
            elif d.doc.dateline:
                c.city = d.doc.dateline
                c.country = d.g.city_country.get(gazetteer.fold(d.doc.dateline)) or country_named(d, d.doc.dateline)
                if c.country is None and c.city:
                    c.city = None if country_named(d, c.city) else c.city
                c.place_span = d.doc.dateline_span
        if c.mode in IN_PERSON and not c.occasion and doc_occasion:
            c.occasion, c.occasion_span = doc_occasion
        if c.mode not in IN_PERSON:
            c.city = c.country = None
            c.place_span = None
            c.occasion = None
        prev = c
    kept = _connected(d, ordered)
    if d.trace is not None:
        for c in ordered:
            if c not in kept:
                d.note("filter", "dropped: shares no participant with the main engagement (background)", id=c.id)
    _entity_states(d, kept)
    return [engagement(d, c) for c in kept]


def _vague(c: Candidate) -> bool:
    """Are the counterparts only a group of no named state ("with counterparts from India, five other nations")?"""
    others = [k for k in c.named_by if k not in c.subjects]
    return bool(others) and all(isinstance(k, PostKey) and k.state is None and c.named_by[k].mention.plural for k in others)


def _fold_vague(d: Doc, cands: list[Candidate]) -> list[Candidate]:
    """A vague report of an engagement that another candidate reports with its people (the
    headline's "talks with counterparts", the body's list) is that engagement."""
    if len(cands) < 2 or not any(_vague(c) for c in cands):
        return cands
    out = []
    for c in cands:
        target = next((x for x in cands if x is not c and not _vague(x) and x.mode == c.mode
                       and set(c.subjects) & set(x.subjects)), None) if _vague(c) else None
        if target is None:
            out.append(c)
        else:
            d.note("merge", "same engagement: a group of counterparts that another sentence names", id=c.id, into=target.id)
            _absorb(d, target, c)
    return out


def _entity_states(d: Doc, cands: list[Candidate]) -> None:
    """States the text implies rather than states, decided once per person.

    An envoy's host state is the state of the official who receives them ("Ambassador to
    Nigeria" meets the foreign minister: Nigeria's); an envoy meeting in the host's country
    belongs to the document's other state.
    """
    ents = d.ann.entities
    top = d.states.most_common(3)
    dyad = [code for code, n in top[:2] if n >= 2 and (len(top) < 3 or n > top[2][1])]
    for c in cands:
        people = [(k, m) for k, (m, _country) in c.named_by.items() if isinstance(k, int)]
        envoys = [(k, m) for k, m in people if level(d, k, m) == "diplomat"]
        hosts = {m.host or entity_host(d, k) for k, m in envoys} - {None}
        for k, m in people:
            e = ents[k]
            if e.country or level(d, k, m) == "diplomat":
                continue
            if len(hosts) == 1:
                e.country, e.country_rule = next(iter(hosts)), "envoy's host"
            elif envoys and c.mode in IN_PERSON and c.country and not any(ents[x].country == c.country for x, _ in envoys):
                e.country, e.country_rule = c.country, "receives an envoy at home"
        # an official receiving a foreign guest at home, no summit around: the host's state
        unknown = [k for k, m in people if not ents[k].country]
        if (len(unknown) == 1 and len(people) >= 2 and c.mode in IN_PERSON and c.country and c.own_place
                and not c.occasion and all(ents[k].country != c.country for k, _ in people if k not in unknown)):
            ents[unknown[0]].country, ents[unknown[0]].country_rule = c.country, "hosts at home"
        for k, m in envoys:
            e = ents[k]
            if e.country:
                continue
            others = {ents[x].country for x, _ in people if x != k and ents[x].country}
            rest = [s for s in dyad if s not in others]
            if len(dyad) == 2 and len(rest) == 1 and others:
                e.country, e.country_rule = rest[0], "dyad"


def _connected(d: Doc, cands: list[Candidate]) -> list[Candidate]:
    """Keep the main engagement and those that share a participant with it.

    Readouts report one principal's engagements; an engagement between other people is
    background ("Not long ago, President Xi met with President Obama") unless the text
    adds it to the main one ("On the same day, the Foreign Minister also ...").
    """
    if len(cands) < 2:
        return cands
    main = next((c for c in cands if c.headline), None) or min(cands, key=lambda c: c.sentence)
    named = {k for k in main.people if isinstance(k, int)}
    if not named:
        return cands
    return [c for c in cands if c is main or c.continuation or named & {k for k in c.people if isinstance(k, int)}]


def _same(d: Doc, a_: Candidate, b: Candidate) -> bool:
    if a_.people == b.people:
        return True
    # same named people, where one side names an unnamed participant of the other
    named_a: set[Key] = {k for k in a_.people if not isinstance(k, PostKey)}
    named_b: set[Key] = {k for k in b.people if not isinstance(k, PostKey)}
    un_a = [k for k in a_.named_by if isinstance(k, PostKey)]  # in text order
    un_b = [k for k in b.named_by if isinstance(k, PostKey)]
    if len(a_.people) != len(b.people):
        return False
    if un_a and not un_b and named_a <= named_b:
        extra = named_b - named_a
        return _covers(d, un_a, extra)
    if un_b and not un_a and named_b <= named_a:
        extra = named_a - named_b
        return _covers(d, un_b, extra)
    return False


def _covers(d: Doc, unnamed: list[PostKey], named: set[Key]) -> bool:
    """Each unnamed participant stands for a distinct named one of a compatible state."""
    if len(unnamed) != len(named):
        return False
    free = sorted(named, key=key_order)

    def state(k: Key) -> str | None:
        return d.ann.entities[k].country if isinstance(k, int) else None

    def post_ok(u: PostKey, k: Key) -> bool:
        title = d.ann.entities[k].title if isinstance(k, int) else None
        if not (u.post and title) or "counterpart" in u.post or "counterpart" in title.lower():
            return True
        return bool(_post_words(u.post) & _post_words(title))

    for u in sorted(unnamed, key=lambda u: u.state is None):  # those with a state first
        country = u.state
        hit = next((k for k in free if country and state(k) == country), None)
        if hit is None:
            hit = next((k for k in free if not (country and state(k) and state(k) != country) and post_ok(u, k)), None)
        if hit is None:
            return False
        free.remove(hit)
    return True


_POST_STOP = frozenset({"of", "the", "for", "and", "to", "in", "on", "at", "a", "an", "new", "former", "vice", "deputy", "first"})


def _post_words(title: str) -> set[str]:
    return set(post_text(title).split()) - _POST_STOP


def _absorb(d: Doc, target: Candidate, c: Candidate) -> None:
    # prefer the named version of the participants
    if any(isinstance(k, PostKey) for k in target.people) and not any(isinstance(k, PostKey) for k in c.people):
        target.people, target.named_by, target.subjects = c.people, c.named_by, c.subjects
    if target.headline and not c.headline and set(c.named_by) >= set(target.named_by):
        # the body's mentions and trigger are the better provenance than the headline's
        target.named_by, target.trigger, target.subjects = c.named_by, c.trigger, c.subjects
    # a call or meeting during which greetings were exchanged is the call or the meeting
    rank_t = (target.mode != "message", target.strength, not target.caption, not target.headline)
    rank_c = (c.mode != "message", c.strength, not c.caption, not c.headline)
    if rank_c > rank_t:
        target.mode, target.strength = c.mode, c.strength
        target.caption, target.headline = c.caption, c.headline
    if (not target.own_date or (target.date is None and c.date)) and c.own_date and c.date:
        target.date, target.precision, target.date_span, target.own_date = c.date, c.precision, c.date_span, True
    if not target.own_place and c.own_place:
        target.city, target.country, target.place_span, target.own_place = c.city, c.country, c.place_span, True
    if not target.occasion and c.occasion:
        target.occasion, target.occasion_span = c.occasion, c.occasion_span
    target.sentence = min(target.sentence, c.sentence) if not target.headline else c.sentence
    target.headline = target.headline and c.headline
    target.continuation = target.continuation or c.continuation
