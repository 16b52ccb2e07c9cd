"""An engagement's place: "in Beijing", "in Phuket, Thailand", "visiting Jakarta", "here"
under a dateline, national venues, and whose ministry "at the Ministry" is."""
from __future__ import annotations

import re

from readouts import gazetteer
from readouts.annotate import Sentence
from readouts.extract.model import Candidate
from readouts.extract.participants import entity_host, level
from readouts.extract.rules import in_sentence, search_sentence, token_at
from readouts.extract.state import Doc
from readouts.patterns import TokenPattern
from readouts.records import Span


_HERE = re.compile(r"\b(?:met|meets|talks)\s+(?:\w+\s+)?(here)\b")
_MOTION = re.compile(r"\b(?:visits?|visited|visiting|summoned|welcomed|trip|travel(?:l?ed)?|tour|journey|came|comes|come|went|arrived|arrives|mission)\s+(?:[\w'.-]+\s+){0,5}$", re.I)
PLACE_P = TokenPattern([(None, r"\b(?:in|at|to|visiting|visited|from)\s+(?:the\s+)?")], re.I)


def find_place(d: Doc, sent: Sentence, cand: Candidate, cut: int) -> None:
    """'in Beijing', 'in Phuket, Thailand', 'in Brazil', 'visiting Jakarta', 'here'."""
    a, g = d.ann, d.g
    inside = [(a.mentions[mi].start, a.mentions[mi].end) for mi in sent.mentions]
    best: tuple[str | None, str | None, Span | None] | None = None
    for m in in_sentence(PLACE_P, a, sent):
        pos = sent.start + m.end()
        if pos >= cut:
            break
        if any(s <= pos < e for s, e in inside):
            continue
        if m.group(0)[:2].lower() == "to" and not _MOTION.search(sent.text, 0, m.start()):
            continue  # "support to Zambia" is no place; "a visit to Zambia" is
        i = token_at(a, pos)
        if i is None:
            continue
        # "at the Shanghai International Convention Center": a venue that names its city
        for j in range(i, min(i + 4, sent.t1)):
            n, found = g.lookup(a.low, a.toks, j, frozenset({"city", "country", "region"}))
            if n:
                e = next((x for x in found if x.kind == "city"), found[0])  # Singapore: the city
                if j > i and not all(a.toks[k][:1].isupper() for k in range(i, j)):
                    break
                city = e.value if e.kind == "city" else None
                country = e.extra if e.kind in ("city", "region") else e.value
                if e.kind == "country" and j + n < sent.t1 and a.toks[j + n] == "'":
                    break  # "in China's ..." is not a place
                if city and j + n + 1 < sent.t1 and a.toks[j + n] == ",":
                    n2, f2 = g.lookup(a.low, a.toks, j + n + 1, frozenset({"country"}))
                    if n2:
                        country = f2[0].value
                if m.group(0).lower().startswith("from"):
                    break
                span = Span(a.starts[j], a.ends[j + n - 1], a.span_text(j, j + n), "place:" + m.group(0).split()[0].lower())
                best = best or (city, country, span)
                break
            if not a.toks[j][:1].isupper():
                break
        if best:
            break
    here = _HERE.search(sent.text) if best is None and d.doc.dateline else None
    if here and d.doc.dateline:
        city = d.doc.dateline
        best = (city, g.city_country.get(gazetteer.fold(city)),
                Span(sent.start + here.start(1), sent.start + here.end(1), "here", "place:here+dateline"))
    if best is None:
        nv = search_sentence(d.r.national_venue_p, d.ann, sent)
        if nv:
            best = (None, d.r.national_venues.get(gazetteer.fold(nv.group(1))),
                    Span(sent.start + nv.start(1), sent.start + nv.end(1), nv.group(1), "place:venue"))
    if best is None:
        v = search_sentence(d.r.venue_p, d.ann, sent)
        if v:
            venue_country = _venue_country(d, cand, v.group(0))
            if venue_country is not None:
                best = (None, venue_country, Span(sent.start + v.start(), sent.start + v.end(), v.group(0), "place:venue"))
    if best:
        cand.city, cand.country, cand.place_span = best
        cand.own_place = True


def _venue_country(d: Doc, cand: Candidate, venue: str) -> str | None:
    """'at the Ministry', 'in the Hellenic Parliament', 'at the latter's ministry': whose venue."""
    for n, found in ((len(gazetteer.tokens_of(w)), d.g.entries.get(gazetteer.tokens_of(w))) for w in venue.split()):
        if found:
            for e in found:
                if e.kind in ("country", "demonym"):
                    return e.value
    # the host's institution: the participant who is not an envoy
    envoys = [(k, m) for k, (m, _c) in cand.named_by.items() if level(d, k, m) == "diplomat"]
    if not envoys:
        return None
    for k, (m, country) in cand.named_by.items():
        if level(d, k, m) == "diplomat":
            continue
        c = country or m.country or (d.ann.entities[k].country if isinstance(k, int) else None)
        if c:
            return c
    hosts = {m.host or (entity_host(d, k)) for k, m in envoys} - {None}
    return hosts.pop() if len(hosts) == 1 else None


def country_named(d: Doc, place: str) -> str | None:
    key = gazetteer.tokens_of(place)
    for e in d.g.entries.get(key, []):
        if e.kind == "country":
            return e.value
    return None


def occasion_place(d: Doc, occasion: str) -> tuple[str | None, str | None] | None:
    toks = [t for t in gazetteer.TOKEN_RE.findall(occasion)]
    low = [t.lower() for t in toks]
    for i in range(len(toks)):
        n, found = d.g.lookup(low, toks, i, frozenset({"city"}))
        if n:
            return found[0].value, found[0].extra
    return None
