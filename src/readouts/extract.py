"""Extraction: a clean document -> its readout (engagements, statements, issues, ...).

The engagement triggers, reporting verbs and occasion cues are data
(``data/triggers.toml``, ``data/statements.toml``); this module applies them:

1. annotate the text (sentences, people, posts, states) — ``readouts.annotate``;
2. find triggers; take the subject(s) before and the object(s) after each one;
3. give each engagement its date, place and occasion from its sentence, or from the
   context it continues ("also", "during the visit", the dateline);
4. merge what several sentences say about the same engagement (headline, body, caption);
5. decide whether the document is a readout at all;
6. code each engagement in PLOVER and CAMEO (``readouts.codes``).
"""
from __future__ import annotations

import bisect
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from readouts import gazetteer, lang, predicates
from readouts.codes import code_readout
from readouts.annotate import Annotated, Mention, Sentence, annotate
from readouts.dates import DateMention, anchor_positions, find_dates, parse_iso, resolve
from readouts.patterns import TokenPattern
from readouts.predicates import Trigger
from readouts.records import (
    CleanDocument,
    Engagement,
    Issue,
    Location,
    ThirdParty,
    Participant,
    PlannedEngagement,
    Readout,
    Span,
    Statement,
)

IN_PERSON = frozenset({"meeting", "talks"})


@dataclass(frozen=True)
class Rules:
    """The patterns of the data files, compiled. Those searched in every sentence are
    ``TokenPattern``s: tried only at the tokens that can begin them."""

    triggers_p: TokenPattern  # one named part per trigger ("t0", "t1", ...)
    triggers: dict[str, Trigger]
    by_name: dict[str, Trigger]
    planned_before: TokenPattern
    background: TokenPattern
    reporting_p: TokenPattern
    stances: dict[str, str]
    occasion_p: TokenPattern
    occasion_stop: re.Pattern[str]
    issue_p: TokenPattern
    visit_p: TokenPattern
    continuation_p: TokenPattern
    non_readout_re: re.Pattern[str]
    announcement_re: re.Pattern[str]
    venue_p: TokenPattern
    planned_visit_p: TokenPattern
    national_venue_p: TokenPattern
    national_venues: dict[str, str]


def _load_toml(name: str) -> dict:
    return tomllib.loads(resources.files("readouts.data").joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def rules() -> Rules:
    lexicon, data = predicates.load()
    triggers = {f"t{n}": t for n, t in enumerate(lexicon.triggers)}
    parts: list[tuple[str | None, str]] = [(f"t{n}", p) for n, p in enumerate(lexicon.patterns)]
    st = _load_toml("statements.toml")
    stances = {}
    verb_alts = []
    for stance, verbs in st["reporting_verbs"].items():
        for v in verbs:
            stances[v.lower()] = stance
            verb_alts.append(re.escape(v).replace(r"\ ", r"\s+"))
    verb_alts.sort(key=len, reverse=True)
    return Rules(
        triggers_p=TokenPattern(parts, re.I, words=lexicon.anchors),
        triggers=triggers,
        by_name={t.name: t for t in triggers.values()},
        planned_before=_one(data["planned"]["before"], re.I),
        background=_one(data["planned"]["background"], re.I),
        reporting_p=_one(r"\b(?P<verb>" + "|".join(verb_alts) + r")\b", re.I,
                         words=frozenset(v.split()[0].lower() for v in stances)),
        stances=stances,
        occasion_p=_one(st["occasion"]["cue"], re.I),
        occasion_stop=re.compile(st["occasion"]["stop"], re.I),
        issue_p=_one(st["issues"]["pattern"]),
        visit_p=_one(st["context"]["visit"], re.I),
        continuation_p=_one(st["context"]["continuation"], re.I),
        non_readout_re=re.compile(st["non_readout"]["title"], re.I),
        announcement_re=re.compile(st["non_readout"]["announcement"], re.I),
        venue_p=_one(st["context"]["venue"], re.I),
        planned_visit_p=_one(st["planned"]["visit"], re.I, words=frozenset(w.lower() for w in st["planned"]["anchors"])),
        national_venue_p=_one(r"\b(?:at|in)\s+(?:the\s+)?(" + "|".join(re.escape(v) for v in sorted(st["venues"], key=len, reverse=True)) + r")\b"),
        national_venues={gazetteer.fold(k): v for k, v in st["venues"].items()},
    )


def _one(pattern: str, flags: int = 0, words: frozenset[str] | None = None) -> TokenPattern:
    return TokenPattern([(None, pattern)], flags, words)


# ---------------------------------------------------------------------------------------
@dataclass
class Candidate:
    """An engagement as one sentence reports it, before merging."""

    people: frozenset  # participant keys: an entity index, ("n", folded name) or ("u", state, folded post)
    named_by: dict  # participant key -> (the mention that names it here, the state it stands for)
    mode: str
    strength: float
    sentence: int
    trigger: Span
    subjects: tuple = ()
    date: str | None = None
    precision: str | None = None
    date_span: Span | None = None
    own_date: bool = False
    city: str | None = None
    country: str | None = None
    place_span: Span | None = None
    own_place: bool = False
    occasion: str | None = None
    occasion_span: Span | None = None
    continuation: bool = False
    vague: bool = False  # "spoke with": a call unless the text places the two together
    caption: bool = False
    headline: bool = False
    seen: list = field(default_factory=list)
    id: int = 0  # its place among the document's candidates (for explanations)


class _Doc:
    """Per-document state shared by the extraction steps."""

    def __init__(self, doc: CleanDocument) -> None:
        self.doc = doc
        self.g = gazetteer.load()
        self.r = rules()
        title_end = len(doc.title) if doc.title else 0
        self.ann: Annotated = annotate(doc.text, title_end)
        self.dates: list[DateMention] = find_dates(doc.text, positions=anchor_positions(self.ann.low, self.ann.starts))
        self._date_starts = [x.start for x in self.dates]
        self.reference: date | None = parse_iso(doc.dateline_date) or parse_iso(doc.published) or self._headline_date()
        self._year: int | None = int(doc.published[:4]) if doc.published else None
        self._year_known = bool(doc.published)
        self.states = self._state_counts()
        self.occasions: dict[int, tuple[str, Span] | None] = {}
        self.trace: list[dict[str, Any]] | None = None  # decisions, when explaining
        self.context_dates: list[tuple[int, set[int], tuple[str, str, Span]]] = []

    def note(self, step: str, rule: str, **info: Any) -> None:
        """Record a decision and the rule that made it (only when explaining)."""
        if self.trace is not None:
            info["step"], info["rule"] = step, rule
            self.trace.append(info)

    @property
    def reference_year(self) -> int | None:
        """The year of the publication date, else of the text's first full date (found on demand)."""
        if not self._year_known:
            self._year = next((m.year for m in self.dates if m.complete), None)
            self._year_known = True
        return self._year

    def _headline_date(self) -> date | None:
        """A full date in the headline ("PM meeting with the UN Secretary-General: 24 September 2019")
        dates the text's "today" and "on Monday" when it has no dateline or publication date."""
        heads = [s for s in self.ann.sentences if s.headline]
        if not heads:
            return None
        for dm in self.dates_in(heads[0].start, heads[-1].end):
            if dm.complete:
                return date(dm.year, dm.month, dm.day)  # type: ignore[arg-type]
        return None

    def weekday_date(self, dm: DateMention) -> tuple[str | None, str | None]:
        """Without a reference date, "on Monday" is the one full date of the text that fell on a Monday."""
        days = set()
        captions = [(c.start, c.end) for c in self.ann.sentences if c.caption]  # a photo's date is not the text's
        for x in self.dates:
            if x.complete and x.kind == "absolute" and not any(a <= x.start < b for a, b in captions):
                try:
                    day = date(x.year, x.month, x.day)  # type: ignore[arg-type]
                except ValueError:
                    continue
                if day.weekday() == dm.weekday:
                    days.add(day.isoformat())
        return (days.pop(), "day") if len(days) == 1 else (None, None)

    def dates_in(self, start: int, end: int) -> list[DateMention]:
        """The document's date expressions that lie within [start, end)."""
        i = bisect.bisect_left(self._date_starts, start)
        out = []
        while i < len(self.dates) and self.dates[i].start < end:
            if self.dates[i].end <= end:
                out.append(self.dates[i])
            i += 1
        return out

    def _state_counts(self) -> Counter:
        c: Counter = Counter()
        a = self.ann
        for n, found in a.tags:
            if n:
                for e in found:
                    if e.kind in ("country", "demonym"):
                        c[e.value] += 1
                        break
        return c


# ---------------------------------------------------------------------------------------
def extract(doc: CleanDocument) -> Readout:
    """Everything a readout says: engagements, statements, issues, third parties, plans."""
    code = doc.language or lang.language(doc.text)
    if code in lang.READERS:  # Chinese and Russian have readers of their own
        return lang.read(doc, code)
    return _extract(_Doc(doc))


def extract_traced(doc: CleanDocument) -> tuple[Readout, Annotated | None, list[dict[str, Any]]]:
    """The readout, the annotated text and every decision taken on the way (``readouts explain``).
    A document in a language with a reader of its own says which reader read it."""
    code = doc.language or lang.language(doc.text)
    if code in lang.READERS:
        return lang.read(doc, code), None, [{"step": "reader", "rule": f"read by the {code} reader (readouts.lang)"}]
    d = _Doc(doc)
    d.trace = []
    return _extract(d), d.ann, d.trace


# states a participant is given by inference, not by the text (extraction's own guesses)
_INFERRED = frozenset({"dyad", "same side", "envoy's host", "receives an envoy at home", "hosts at home"})


def _extract(d: _Doc) -> Readout:
    doc = d.doc
    cands, planned = _candidates(d)
    planned = _dedupe_planned(planned + _planned_visits(d))
    engagements = _merge(d, cands)
    kept = []
    for e in engagements:
        states = {p.country if p.country_rule not in _INFERRED else None for p in e.participants}
        if len(e.participants) < 2:
            d.note("filter", "dropped: fewer than two participants", trigger=e.trigger.as_dict() if e.trigger else None)
        elif not any(p.name or p.country for p in e.participants):
            d.note("filter", "dropped: no participant is named or of a known state",
                   trigger=e.trigger.as_dict() if e.trigger else None)
        elif len(states) == 1 and None not in states:
            d.note("filter", "dropped: every participant of one state (a domestic meeting)",
                   trigger=e.trigger.as_dict() if e.trigger else None)
        else:
            kept.append(e)
    engagements = kept
    is_readout, reason = _is_readout(d, engagements)
    d.note("readout", reason, is_readout=is_readout)
    if not is_readout:
        engagements = []
    participants = {p.name for e in engagements for p in e.participants if p.name}
    statements = _statements(d, engagements) if is_readout else []
    return code_readout(Readout(
        id=doc.id,
        is_readout=is_readout,
        engagements=tuple(engagements),
        statements=tuple(statements),
        issues=tuple(_issues(d)),
        mentions=tuple(_third_parties(d, participants, engagements)),
        planned=tuple(planned),
        reason=reason,
        title=doc.title,
        published=doc.published,
        url=doc.url,
        source=doc.source,
        content_hash=doc.content_hash,
    ))


# ---- triggers -> candidates ------------------------------------------------------------
def in_sentence(p: TokenPattern, a: Annotated, sent: Sentence) -> list[re.Match[str]]:
    """What ``p.rx.finditer(sent.text)`` finds."""
    return p.matches(sent.text, a.toks, a.low, a.starts, sent.t0, sent.t1, sent.start)


def search_sentence(p: TokenPattern, a: Annotated, sent: Sentence) -> re.Match[str] | None:
    """What ``p.rx.search(sent.text)`` finds."""
    found = p.matches(sent.text, a.toks, a.low, a.starts, sent.t0, sent.t1, sent.start, first=True)
    return found[0] if found else None


def search_before(p: TokenPattern, a: Annotated, sent: Sentence, end: int) -> bool:
    """Does ``p`` match in the sentence's text before offset ``end`` (an offset in the sentence)?"""
    t1 = bisect.bisect_left(a.starts, sent.start + end, sent.t0, sent.t1)
    return bool(p.matches(sent.text[:end], a.toks, a.low, a.starts, sent.t0, t1, sent.start, first=True))


def find_triggers(a: Annotated, sent: Sentence, r: Rules) -> list[re.Match[str]]:
    """Engagement trigger matches in a sentence."""
    return in_sentence(r.triggers_p, a, sent)


_NOMINAL_OK = re.compile(r"(?:^\s*(?:(?:On|Yesterday|Today|Earlier|Last|This)\b[^,;.]{0,40},\s*)?(?:the\s+)?|\b(?:during|at|in|after|over)\s+(?:(?:an?|the|their|his|her)\s+)?(?:[\w-]+\s+){0,2}|'s\s*(?:[\w-]+\s+){0,2})$", re.I)


def _right_after_person(d: _Doc, sent: Sentence, start: int) -> bool:
    a = d.ann
    return any(a.mentions[mi].end <= start and not a.text[a.mentions[mi].end:start].strip()
               and (a.mentions[mi].entity is not None or a.mentions[mi].pronoun) for mi in sent.mentions)


_NOT_THIS_ONE = re.compile(r"\b(?:first|next|last|previous|upcoming|future|recent|earlier|another|planned|possible|potential|expected)\s+(?:[\w-]+\s+){0,2}$", re.I)


def _reporting_nominal(before: str) -> bool:
    """'Talks between X and Y took place', 'during a meeting with Y', 'X's call with Y'."""
    if _NOT_THIS_ONE.search(before):
        return False
    return bool(_NOMINAL_OK.search(before))


_BASE_FORM = re.compile(r"^(?:meet|hold|talk|speak|visit|call|have|exchange|sit|consult|discuss|join)\b", re.I)
_MODAL = re.compile(r"\b(?:will|would|shall|could|may|might|should|to|scheduled|expected|plans?|planning|agreed|intends?|ready|hopes?)\b", re.I)


def _planned_before(r: Rules, a: Annotated, sent: Sentence, at: int, trigger: str) -> bool:
    """Will the engagement happen (or did it not happen) rather than take place?"""
    before = sent.text[:at]
    clause = re.split(r"[;:]|,\s*(?:and|but)\s", before)[-1]
    if search_before(r.planned_before, a, sent, at) and not re.search(r"\b(?:was|were|had|has|have)\s+(?:\w+\s+){0,2}$", before):
        return True
    return bool(_BASE_FORM.match(trigger) and _MODAL.search(clause))


_ORG_APPOSITIVE = re.compile(r"\s*,\s*(?:the|a|an|its)\s+(?:[\w'-]+\s+){0,4}?(?:organi[sz]ations?|party|company|group|association|university|institute|foundation|movement|council|agency|body|newspaper|bank|firm|network|federation|union|chamber)\b", re.I)


def _usable(d: _Doc, mi: int, start: int, end: int) -> bool:
    """Can this mention be a participant? Bare capitalised names only right next to the trigger."""
    m = d.ann.mentions[mi]
    if m.pronoun or m.entity is not None:
        return True
    if m.name is None:
        return bool(m.title)
    if m.rule != "bare" or len(m.name.split()) < 2:
        return False
    if _ORG_APPOSITIVE.match(d.ann.text, m.end):
        return False  # "PB Al-Khairaat, the biggest Muslim organization in the region"
    gap = d.ann.text[m.end:start] if m.end <= start else d.ann.text[end:m.start]
    return bool(re.fullmatch(r"\s*(?:with\s+)?", gap))


def _them(d: _Doc, sent: Sentence, end: int, subs: list[int]) -> list[int]:
    """'He also spoke to them separately': the people named in the sentence before."""
    if not re.match(r"\s*(?:with\s+)?(?:them|each of them|all of them)\b", d.ann.text[end:end + 30]) or sent.index == 0:
        return []
    prev = d.ann.sentences[sent.index - 1]
    subj_entities = {d.ann.mentions[x].entity for x in subs}
    out: list[int] = []
    for mi in prev.mentions:
        m = d.ann.mentions[mi]
        if m.entity is not None and m.entity not in subj_entities and all(d.ann.mentions[o].entity != m.entity for o in out):
            out.append(mi)
        elif m.entity is None and m.title and m.country and not m.plural:
            out.append(mi)
    return out


def _candidates(d: _Doc) -> tuple[list[Candidate], list[PlannedEngagement]]:
    a, r = d.ann, d.r
    out: list[Candidate] = []
    planned: list[PlannedEngagement] = []
    prev_subject: int | None = None
    for sent in a.sentences:
        seen_subject = None
        prev_trigger: tuple[int, list[int]] | None = None  # (end of its last participant, subjects)
        for m in find_triggers(a, sent, r):
            key = m.lastgroup
            trig = r.triggers[key]  # type: ignore[index]
            start, end = sent.start + m.start(), sent.start + m.end()
            before = sent.text[: m.start()]
            where = {"sentence": sent.index, "trigger": trig.name, "text": m.group(0), "start": start, "end": end}
            if trig.nominal and search_before(r.background, a, sent, m.start()):
                d.note("trigger", "dropped: background mention of an engagement", **where)
                continue
            if trig.nominal and trig.verb_reading and m.group(0)[:1] not in "'’" and _right_after_person(d, sent, start):
                # "X talks with Y via video link": after a person the word is the verb
                trig = r.by_name[trig.verb_reading]
                where["trigger"] = trig.name
            elif (trig.nominal and not (sent.headline or sent.caption) and not _reporting_nominal(before)
                  and not (m.group(0).lower().endswith("between") and not _NOT_THIS_ONE.search(before))):
                # "Moscow hosted talks between X and Y" names both; "the first meeting between" is another one
                d.note("trigger", "dropped: a noun that does not report an engagement here", **where)
                continue
            is_planned = _planned_before(r, a, sent, m.start(), m.group(0))
            ments = [mi for mi in sent.mentions if _usable(d, mi, start, end)]
            subs, objs = _roles(d, sent, ments, start, end, trig, m.group(0))
            # "He met with A and B, and consulted with C": the second verb shares the subject
            if prev_trigger and re.fullmatch(r"\s*,?\s*(?:(?:and|then|before|after which)\s*)?", a.text[prev_trigger[0]:start]):
                objs = _chain(d, [mi for mi in ments if a.mentions[mi].start >= end], end)
                subs = prev_trigger[1]
            if not objs:
                objs = _them(d, sent, end, subs)
            if not objs and re.search(r"\b(?:him|her)\b", m.group(0)) and prev_subject is not None:
                target = d.ann.entities[prev_subject]
                if target.mentions and all(d.ann.mentions[x].entity != prev_subject for x in subs):
                    objs = [target.mentions[0]]
            together = False  # "X, Y and Z held trilateral talks": one engagement of all of them
            if len(subs) >= 2 and not _AND.search(a.text, a.mentions[subs[-2]].end, a.mentions[subs[-1]].start):
                subs = subs[-1:]  # "At the invitation of A, B will ...": a comma alone does not join subjects
            if trig.shape == "svo" and not objs and len(subs) >= 2:
                subs, objs, together = subs[:1], subs[1:], True
            if trig.shape == "plural":
                if len(subs) < 2:
                    d.note("trigger", "dropped: fewer than two participants before a plural predicate", **where)
                    continue
                subs, objs, together = subs[:1], subs[1:], True
            if not subs or not objs:
                d.note("trigger", "dropped: no " + ("subject" if not subs else "counterpart") + " found", **where)
                if subs and not is_planned:
                    _context_date(d, sent, subs, m.start())  # "X met with numerous diplomats on June 19"
                continue
            resolved = [_resolve_pronoun(d, mi, sent, prev_subject) for mi in subs]
            subs = [x for x in resolved if x is not None]
            if not subs:
                d.note("trigger", "dropped: a pronoun with no antecedent", **where)
                continue
            span = Span(start, end, m.group(0), f"trigger:{trig.name}")
            last = objs[-1][0] if isinstance(objs[-1], tuple) else objs[-1]
            prev_trigger = (a.mentions[last].end, subs)
            if is_planned:
                planned.append(_planned(d, sent, subs + objs, trig.mode, span))
                d.note("trigger", "planned: a modal or future cue before the predicate", **where)
                continue
            # "held trilateral talks with A and B", "joined A and B for a trilateral summit": one engagement
            between = (m.group(0).lower().endswith("between") or together
                       or bool(_SEVERAL_SIDES.search(a.text, max(sent.start, start - 25), min(sent.end, prev_trigger[0] + 40)))
                       # "held a video conference with his counterparts from A, B and C": one call
                       or (trig.mode in ("video_call", "phone_call") and bool(_ONE_CALL.search(m.group(0)))))
            groups = [_expand_plurals(d, objs)] if between else _split_objects(d, objs, sent)
            if trig.several and re.search(r"\b(?:meetings|talks|consultations|calls)\b", m.group(0), re.I):
                # "held bilateral meetings with the heads of government of ...": several, unnamed
                groups = [g for g in groups if not (len(g) == 1 and not isinstance(g[0], tuple)
                                                    and a.mentions[g[0]].plural and not a.mentions[g[0]].countries)]
            for group in groups:
                keys, parts = _keys(d, subs + group)
                if len(keys) < 2:
                    continue
                mode = _mode_words(sent.text[m.start():], trig.mode)
                if mode == "meeting" and _TALKS_WORDS.search(m.group(0)):
                    mode = "talks"  # "held the Border Negotiation Delegation Leader Meeting with"
                cand = Candidate(frozenset(keys), parts, mode, trig.strength, sent.index, span, subjects=tuple(_keys(d, subs)[0]),
                                 id=len(out))
                cand.vague = trig.vague
                cand.headline, cand.caption = sent.headline, sent.caption
                if len(groups) > 1 and trig.strength >= 3:
                    cand.strength -= 0.5
                _date_place(d, sent, cand, m.start())
                out.append(cand)
                if d.trace is not None:
                    d.note("candidate", "kept: " + trig.shape + " predicate with its participants", id=cand.id, mode=mode,
                           participants=[_part_text(d, k, p) for k, p in parts.items()], date=cand.date,
                           place=[cand.city, cand.country], occasion=cand.occasion, **where)
            e = d.ann.mentions[subs[0]].entity
            if e is not None:
                seen_subject = e
        if seen_subject is not None:
            prev_subject = seen_subject
        elif sent.mentions:
            first = d.ann.mentions[sent.mentions[0]]
            if first.entity is not None and not sent.headline:
                prev_subject = first.entity
    return out, planned


# "accompanied by" is not here: officials who accompany are not participants
_ONE_CALL = re.compile(r"\b(?:a|an|the)\s+(?:[\w-]+\s+){0,3}(?:conference|summit|call|meeting|session|conversation)\b", re.I)
_AND = re.compile(r"\b(?:and|as well as|together with|along with|joined by)\b|&", re.I)
_SEVERAL_SIDES = re.compile(r"\b(?:trilateral|tripartite|three-way|quadrilateral|four-way|multilateral|joint)\b", re.I)
_COORD = re.compile(r"^\s*,?\s*(?:and|&|as well as|along with|together with|joined by|plus)?\s*,?\s*(?:the\s+|his\s+|her\s+)?(?:visiting\s+|former\s+|outgoing\s+|incoming\s+)?$", re.I)
_JOIN = re.compile(r"along with|together with|joined by", re.I)
_OBJ_GAP = re.compile(r"^[\s,]*(?:and\s+(?:[\w'-]+\s+){1,6}?(?:with|for)\s+|(?:an?|the)\s+(?:[\w'-]+\s+){0,3}?delegation(?:\s+(?:of|from)\s+[^,.;]{1,60}?)?,?\s+(?:led|headed)\s+by\s+|(?:former|outgoing|incoming|newly[\s-]appointed|acting)\s+|(?-i:[A-Z][A-Z-]{1,10})(?:\s*\([^()]{1,30}\))?\s+|(?:in|at)\s+(?:the\s+)?(?:[A-Z][\w'-]*\s+){1,4}(?:of\s+[A-Z][\w-]*\s+)?(?=with\b)|(?:with|in audience|on|the|his|her|their|a|an|here|there|today|yesterday|separately|jointly|also|later|virtually|visiting|respectively|recently|earlier|in|of|by|from|to|at)\b[\s,]*|(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)[\s,]*|\d{1,2}(?:st|nd|rd|th)?\s+\w+[\s,]*|\w+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?(?:\s+\d{4})?[\s,]*)*$", re.I)
_POSSESSIVE = re.compile(r"\s*['’]s?\b")
_DIRECT_GAP = re.compile(r"^[\s,]*(?:(?:an?|the)\s+(?:[\w'-]+\s+){0,3}?delegation(?:\s+(?:of|from)\s+[^,.;]{1,60}?)?,?\s+(?:led|headed)\s+by\s+|(?:the|his|her|their|visiting|outgoing|incoming)\s+)?$", re.I)
# between a subject and its predicate: another clause ("X said ...", "a luncheon that was hosted by")
_NOT_SUBJECT = re.compile(r"\b(?:said|says|told|noted|added|stated|announced|according)\b|\b(?:that|which)\s+(?:was|were|is|are|has|had)\b", re.I)
_SUBJ_GAP = re.compile(r"^[^.;:!?\"]{0,90}$")


# a phrase before the main clause that reports an engagement: "During talks with Y, X said",
# "On Sunday, in a phone call with Y, X said", "When meeting Y, X stressed"
_PLURAL_GAP = re.compile(r"\s*(?:(?:also|have|has|had|then|later|further|jointly|fully|today|yesterday|on\s+\w+(?:\s+\d{1,2})?,?)\s+)*", re.I)
_FRONTED = re.compile(r"\s*(?:(?:On|Yesterday|Today|Earlier|Later|Last|This)\b[^,;.]{0,40},\s*)?(?:(?:During|At|In|Over|Throughout|After)\s+(?:(?:the|a|an|their|his|her|its)\s+)?(?:[\w-]+\s+){0,3}?(?:talks|meeting|meetings|call|conversation|consultations|lunch|dinner|breakfast|session|exchange|audience|discussions?|video\s+call|telephone\s+talk|phone\s+talk|message|letter)\b|(?:When|While|Whilst|Upon)\s+\w+ing\b|\w+ing\b)", re.I)
_BE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are)\s+(?:\w+ly\s+|also\s+)?$", re.I)
_BY_AFTER = re.compile(r"\s*by\b", re.I)


def _roles(d: _Doc, sent: Sentence, ments: list[int], start: int, end: int, trig, text: str) -> tuple[list[int], list[int]]:
    a = d.ann
    before = [mi for mi in ments if a.mentions[mi].end <= start]
    after = [mi for mi in ments if a.mentions[mi].start >= end]
    if trig.shape == "plural":
        # "X and Y exchanged views": the subjects stand right before ("..., during which the
        # three sides exchanged views" speaks of an engagement already found)
        if before and not _PLURAL_GAP.fullmatch(a.text, a.mentions[before[-1]].end, start):
            return [], []
        return _coordinated_back(d, before, start), []
    if trig.shape == "passive" or (trig.direct and _BE_BEFORE.search(a.text, 0, start) and _BY_AFTER.match(a.text, end)):
        # "Y was received by X", and any verb of the lexicon in the passive: "Y was hosted by X"
        return _chain(d, after, end), _coordinated_back(d, before, start)
    if text.lower().endswith("between"):
        chain = _chain(d, after, end)
        if chain or trig.nominal:
            return chain[:1], chain[1:]
        # "X and Y held consultations between the two ministries": the subjects are the participants
    inner = [mi for mi in ments if start <= a.mentions[mi].start < end and a.mentions[mi].pronoun]
    subs = inner[:1] or _coordinated_back(d, before, start)  # "the discussions he had with Y"
    objs = _chain(d, after, end, trig.direct)
    if not subs and objs and _FRONTED.match(a.text, _after_dateline(d, sent), end):
        fronted = _fronted_roles(d, sent, objs, after)
        if fronted is not None:
            return fronted
    return subs, objs


def _after_dateline(d: _Doc, sent: Sentence) -> int:
    """Where the sentence's own words begin ("TOKYO, Oct. 25 (Xinhua) -- At a ...")."""
    dl = d.doc.dateline_span
    if dl is not None and sent.start <= dl.start < sent.end:
        m = _DATELINE_TAIL.match(d.ann.text, dl.end)
        return m.end() if m else dl.end
    return sent.start


_DATELINE_TAIL = re.compile(r"[^A-Za-z\n]{0,40}?(?:\([^()]{1,30}\))?\s*(?:--|—|–|-|:)\s*")


def _fronted_roles(d: _Doc, sent: Sentence, objs: list[int], after: list[int]) -> tuple[list[int], list[int]] | None:
    """'During talks with Y (, on Monday, in Z), X said ...': the subject is the speaker of the
    main clause, the counterparts are the people named before it."""
    a = d.ann
    verbs = [v for v in in_sentence(d.r.reporting_p, a, sent) if sent.start + v.start() > a.mentions[objs[0]].end]
    if not verbs:
        # no reporting verb: the subject is the first person after the comma that ends the phrase
        chain = objs + [mi for mi in after if a.mentions[mi].start >= a.mentions[objs[-1]].end][:1]
        for k in range(1, len(chain)):
            if re.fullmatch(r"\s*,\s*(?:the\s+)?", a.text[a.mentions[chain[k - 1]].end:a.mentions[chain[k]].start]):
                return chain[k:k + 1], chain[:k]
        return None
    verb_at = sent.start + verbs[0].start()
    before_verb = [mi for mi in after if a.mentions[mi].end <= verb_at]
    speaker = _coordinated_back(d, before_verb, verb_at)[-1:]  # the one right before the verb
    if not speaker or speaker[0] in objs[:1]:
        return None
    counterparts = [mi for mi in objs if a.mentions[mi].end <= a.mentions[speaker[0]].start and mi not in speaker]
    return (speaker[:1], counterparts) if counterparts else None


def _coordinated_back(d: _Doc, before: list[int], start: int) -> list[int]:
    """The subject: the mention nearest before the trigger, with any coordinated with it."""
    a = d.ann
    if not before:
        return []
    last = before[-1]
    gap = a.text[a.mentions[last].end:start]
    if not _SUBJ_GAP.match(gap) or _NOT_SUBJECT.search(gap):
        # "Trump said that he spoke to": a pronoun right before the trigger still works
        if not (a.mentions[last].pronoun and len(gap) < 30):
            return []
    out = [last]
    for mi in reversed(before[:-1]):
        g = a.text[a.mentions[mi].end:a.mentions[out[-1]].start]
        if _COORD.match(g) and re.search(r"\S", g):
            out.append(mi)
        else:
            break
    return list(reversed(out))


def _chain(d: _Doc, after: list[int], end: int, direct: bool = False) -> list[int]:
    """The objects: the first mention right after the trigger and those coordinated with it
    (``direct``: a direct object, with no preposition before it)."""
    a = d.ann
    if not after:
        return []
    first = after[0]
    gap = a.text[end:a.mentions[first].start]
    if len(gap) > 60 or not (_DIRECT_GAP if direct else _OBJ_GAP).match(gap):
        return []
    if direct and _POSSESSIVE.match(a.text, a.mentions[first].end):
        return []  # "welcomed Y's remarks": Y is not the one welcomed
    out = [first]
    for mi in after[1:]:
        g = a.text[a.mentions[out[-1]].end:a.mentions[mi].start]
        m = a.mentions[mi]
        if m.plural and not m.countries and not _AND.search(g):
            break  # "..., the two ministers discussed": the same people again, not more of them
        if _COORD.match(g) and re.search(r"\S", g):
            out.append(mi)
        else:
            break
    return out


def _split_objects(d: _Doc, objs: list[int], sent: Sentence) -> list[list[int]]:
    """'X met A, B and C' is three engagements; 'A, along with B' stays one."""
    a = d.ann
    groups: list[list[int]] = []
    named_by = _respectively(d, objs)
    for n, mi in enumerate(objs):
        m = a.mentions[mi]
        if mi in named_by:
            continue  # a name that stands for one state of a plural before it
        if n and _JOIN.search(a.text[a.mentions[objs[n - 1]].end:m.start]):
            groups[-1].append(mi)
        elif m.plural and len(m.countries) > 1 and mi in named_by.values():
            groups.extend([x] for x, y in named_by.items() if y == mi)
        elif m.plural and len(m.countries) > 1:
            for c in m.countries:
                groups.append([(mi, c)])  # type: ignore[list-item]
        else:
            groups.append([mi])
    return groups


def _expand_plurals(d: _Doc, objs: list) -> list:
    """In one engagement of many, 'his counterparts from A, B and C' are one participant per state."""
    out: list = []
    for mi in objs:
        m = d.ann.mentions[mi]
        out.extend([(mi, c) for c in m.countries] if m.plural and len(m.countries) > 1 else [mi])
    return out


def _respectively(d: _Doc, objs: list[int]) -> dict[int, int]:
    """'the foreign ministers of Malta and Libya, A and B(, respectively)': A and B are the
    plural's people, state by state. Returns name mention -> the plural it names; the names
    take the plural's states and post where the text gives them none."""
    a = d.ann
    out: dict[int, int] = {}
    for n, mi in enumerate(objs):
        m = a.mentions[mi]
        if not (m.plural and len(m.countries) > 1):
            continue
        names = objs[n + 1:n + 1 + len(m.countries)]
        if len(names) != len(m.countries) or not all(a.mentions[x].name and not a.mentions[x].plural for x in names):
            continue
        if not a.text[m.end:a.mentions[names[0]].start].strip().startswith(","):
            continue
        for x, country in zip(names, m.countries):
            out[x] = mi
            who = a.mentions[x]
            ent = a.entities[who.entity] if who.entity is not None else None
            if not who.country and (ent is None or not ent.country):
                who.country, who.country_rule = country, "respectively"
                if ent is not None:
                    ent.country, ent.country_rule = country, "respectively"
            if m.title and not who.title and (ent is None or not ent.title):
                who.title = _singular(m.title)
                if ent is not None:
                    ent.title = who.title
    return out


def _resolve_pronoun(d: _Doc, mi: int, sent: Sentence, prev_subject: int | None) -> int | None:
    m = d.ann.mentions[mi]
    if not m.pronoun:
        return mi
    # a person named earlier in the same sentence ("Trump said that he spoke to"), else the last subject
    earlier = [x for x in sent.mentions if d.ann.mentions[x].end <= m.start and d.ann.mentions[x].entity is not None]
    target = d.ann.mentions[earlier[-1]].entity if earlier else prev_subject
    if target is None:
        return None
    ent = d.ann.entities[target]
    return ent.mentions[0] if ent.mentions else None


def _keys(d: _Doc, items: list) -> tuple[list, dict]:
    keys: list = []
    parts: dict = {}
    for item in items:
        country = None
        if isinstance(item, tuple):
            mi, country = item
        else:
            mi = item
        m = d.ann.mentions[mi]
        k: Any
        if m.entity is not None:
            k = m.entity
        elif m.name:
            k = ("n", gazetteer.fold(m.name))
        else:
            k = ("u", country or m.country, gazetteer.fold(m.title or ""))
        if k not in parts:
            keys.append(k)
            parts[k] = (m, country)
    return keys, parts


def _part_text(d: _Doc, k, part: tuple) -> str:
    m, country = part
    name = d.ann.entities[k].name if isinstance(k, int) else None
    return name or m.name or " ".join(x for x in (country or m.country, m.title) if x) or "?"


def _planned_visits(d: _Doc) -> list[PlannedEngagement]:
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
            i = _token_at(a, end)
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
            person = _participant(d, who, who.entity, "subject")
            out.append(PlannedEngagement("visit", (person,), date_value, where, Span(start, end, m.group(0), "planned:visit")))
    return out


def _dedupe_planned(items: list[PlannedEngagement]) -> list[PlannedEngagement]:
    """One plan reported twice ("will pay a state visit", "the upcoming state visit") is kept once, dated if either is."""
    out: dict[tuple, PlannedEngagement] = {}
    for p in items:
        key = (p.kind, tuple(sorted(x.name or "" for x in p.participants)), p.location.country)
        known = out.get(key)
        if known is None or (known.date is None and p.date):
            out[key] = p
    return list(out.values())


def _planned(d: _Doc, sent: Sentence, mis: list, mode: str, span: Span) -> PlannedEngagement:
    people = []
    for item in mis:
        mi = item[0] if isinstance(item, tuple) else item
        people.append(_participant(d, d.ann.mentions[mi], None, "planned"))
    date_value = None
    for dm in d.dates_in(sent.start, sent.end):
        date_value, _ = resolve(dm, d.reference, d.reference_year)
        if date_value:
            break
    return PlannedEngagement(mode, tuple(people), date_value, Location(), span)


# ---- date, place, occasion -------------------------------------------------------------
def _date_place(d: _Doc, sent: Sentence, cand: Candidate, trig_pos: int) -> None:
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
    _place(d, sent, cand, cut)
    occ = _occasion(d, sent)
    if occ:
        cand.occasion, cand.occasion_span = occ


# "X made the remarks during a meeting with Y": the meeting is dated by the sentence before
_REMARKS = re.compile(r"\b(?:made|make|makes|delivered)\s+(?:the|these|those|his|her)\s+remarks\b|^(?:This|That|These|It)\s+was\s+(?:\w+\s+){0,2}(?:during|at)\b", re.I)
_TALKS_WORDS = re.compile(r"\b(?:negotiations?|consultations?|dialogue)\b", re.I)
_MODE_WORDS = [
    ("phone_call", re.compile(r"\b(?:by|over the|via|on the)\s+(?:tele)?phone\b|\btelephone\b|\bphone\s+(?:call|conversation|talks)\b", re.I)),
    ("video_call", re.compile(r"\b(?:via|by|through|over)\s+(?:a\s+)?video(?:\s*(?:link|conference|call))?\b|\bvirtual(?:ly)?\b|\bvideo[\s-]*(?:conference|call|summit|meeting|link)\b", re.I)),
]


def _mode_words(text: str, mode: str) -> str:
    """'Talks ... by telephone took place', 'talked with Y via video link': words after the
    trigger that change the mode (a call may turn out to be a video call)."""
    if mode not in IN_PERSON and mode != "phone_call":
        return mode
    for new_mode, rx in _MODE_WORDS:
        if (mode in IN_PERSON or new_mode == "video_call") and rx.search(text):
            return new_mode
    return mode


_HERE = re.compile(r"\b(?:met|meets|talks)\s+(?:\w+\s+)?(here)\b")
_MOTION = re.compile(r"\b(?:visits?|visited|visiting|summoned|welcomed|trip|travel(?:l?ed)?|tour|journey|came|comes|come|went|arrived|arrives|mission)\s+(?:[\w'.-]+\s+){0,5}$", re.I)
_RELATIVE = re.compile(r",\s+(?:who|which|where)\b")
_PLACE_P = TokenPattern([(None, r"\b(?:in|at|to|visiting|visited|from)\s+(?:the\s+)?")], re.I)


def _place(d: _Doc, sent: Sentence, cand: Candidate, cut: int) -> None:
    """'in Beijing', 'in Phuket, Thailand', 'in Brazil', 'visiting Jakarta', 'here'."""
    a, g = d.ann, d.g
    inside = [(a.mentions[mi].start, a.mentions[mi].end) for mi in sent.mentions]
    best: tuple[str | None, str | None, Span | None] | None = None
    for m in in_sentence(_PLACE_P, a, sent):
        pos = sent.start + m.end()
        if pos >= cut:
            break
        if any(s <= pos < e for s, e in inside):
            continue
        if m.group(0)[:2].lower() == "to" and not _MOTION.search(sent.text, 0, m.start()):
            continue  # "support to Zambia" is no place; "a visit to Zambia" is
        i = _token_at(a, pos)
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


def _venue_country(d: _Doc, cand: Candidate, venue: str) -> str | None:
    """'at the Ministry', 'in the Hellenic Parliament', 'at the latter's ministry': whose venue."""
    for n, found in ((len(gazetteer.tokens_of(w)), d.g.entries.get(gazetteer.tokens_of(w))) for w in venue.split()):
        if found:
            for e in found:
                if e.kind in ("country", "demonym"):
                    return e.value
    # the host's institution: the participant who is not an envoy
    envoys = [(k, m) for k, (m, _c) in cand.named_by.items() if _level(d, k, m) == "diplomat"]
    if not envoys:
        return None
    for k, (m, country) in cand.named_by.items():
        if _level(d, k, m) == "diplomat":
            continue
        c = country or m.country or (d.ann.entities[k].country if isinstance(k, int) else None)
        if c:
            return c
    hosts = {m.host or (_entity_host(d, k)) for k, m in envoys} - {None}
    return hosts.pop() if len(hosts) == 1 else None


def _level(d: _Doc, k, m: Mention) -> str | None:
    return m.level or (d.ann.entities[k].level if isinstance(k, int) else None)


def _entity_host(d: _Doc, k) -> str | None:
    if not isinstance(k, int):
        return None
    return next((d.ann.mentions[mi].host for mi in d.ann.entities[k].mentions if d.ann.mentions[mi].host), None)


def _token_at(a: Annotated, pos: int) -> int | None:
    import bisect

    i = bisect.bisect_left(a.starts, pos)
    return i if i < len(a.starts) else None


def _occasion(d: _Doc, sent: Sentence) -> tuple[str, Span] | None:
    """The multilateral event a sentence names (cached: several engagements share a sentence)."""
    if sent.index not in d.occasions:
        d.occasions[sent.index] = _find_occasion(d, sent)
    return d.occasions[sent.index]


def _find_occasion(d: _Doc, sent: Sentence) -> tuple[str, Span] | None:
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


# ---- merging --------------------------------------------------------------------------
def _merge(d: _Doc, cands: list[Candidate]) -> list[Engagement]:
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
    # context: dates and places carried by "also", visits, the dateline
    ordered = sorted(merged, key=lambda c: c.sentence)
    needs_context = any(not c.own_date or (c.mode in IN_PERSON and not c.own_place) for c in ordered)
    visit_date, visit_precision, visit_place = _visit_context(d) if needs_context else (None, None, None)
    prev: Candidate | None = None
    doc_occasion = next(((c.occasion, c.occasion_span) for c in ordered if c.occasion), None)
    if doc_occasion is None:
        # the lead: the headline and the first sentences name the event the engagements were part of
        lead = [x for x in a.sentences if x.headline] + [x for x in a.sentences if not x.headline][:2]
        for sent in lead:
            occ = _occasion(d, sent)
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
            elif visit_date and (c.continuation or _in_visit(d, c)):
                c.date, c.precision = visit_date, visit_precision
            else:
                dated = _lead_date(d, c) or _context_for(d, c)
                if dated is not None:
                    c.date, c.precision, c.date_span = dated
        if c.mode in IN_PERSON and not c.own_place:
            if prev is not None and prev.own_place and (c.continuation or prev.sentence == c.sentence) and prev.mode in IN_PERSON:
                c.city, c.country, c.place_span = prev.city, prev.country, prev.place_span
            elif visit_place is not None:
                c.city, c.country, c.place_span = visit_place
            elif doc_place is not None:
                c.city, c.country, c.place_span = doc_place
            elif doc_occasion and _occasion_place(d, doc_occasion[0]):
                c.city, c.country = _occasion_place(d, doc_occasion[0])  # type: ignore[misc]
            elif d.doc.dateline:
                c.city = d.doc.dateline
                c.country = d.g.city_country.get(gazetteer.fold(d.doc.dateline)) or _country_named(d, d.doc.dateline)
                if c.country is None and c.city:
                    c.city = None if _country_named(d, c.city) else c.city
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
    return [_engagement(d, c) for c in kept]


def _entity_states(d: _Doc, cands: list[Candidate]) -> None:
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
        envoys = [(k, m) for k, m in people if _level(d, k, m) == "diplomat"]
        hosts = {m.host or _entity_host(d, k) for k, m in envoys} - {None}
        for k, m in people:
            e = ents[k]
            if e.country or _level(d, k, m) == "diplomat":
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


def _connected(d: _Doc, cands: list[Candidate]) -> list[Candidate]:
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


def _country_named(d: _Doc, place: str) -> str | None:
    key = gazetteer.tokens_of(place)
    for e in d.g.entries.get(key, []):
        if e.kind == "country":
            return e.value
    return None


def _occasion_place(d: _Doc, occasion: str) -> tuple[str | None, str | None] | None:
    toks = [t for t in gazetteer.TOKEN_RE.findall(occasion)]
    low = [t.lower() for t in toks]
    for i in range(len(toks)):
        n, found = d.g.lookup(low, toks, i, frozenset({"city"}))
        if n:
            return found[0].value, found[0].extra
    return None


def _same(d: _Doc, a_: Candidate, b: Candidate) -> bool:
    if a_.people == b.people:
        return True
    # same named people, where one side names an unnamed participant of the other
    named_a = {k for k in a_.people if not (isinstance(k, tuple) and k[0] == "u")}
    named_b = {k for k in b.people if not (isinstance(k, tuple) and k[0] == "u")}
    un_a = [k for k in a_.named_by if isinstance(k, tuple) and k[0] == "u"]  # in text order
    un_b = [k for k in b.named_by if isinstance(k, tuple) and k[0] == "u"]
    if len(a_.people) != len(b.people):
        return False
    if un_a and not un_b and named_a <= named_b:
        extra = named_b - named_a
        return _covers(d, un_a, extra)
    if un_b and not un_a and named_b <= named_a:
        extra = named_a - named_b
        return _covers(d, un_b, extra)
    return False


def _covers(d: _Doc, unnamed: list, named: set) -> bool:
    """Each unnamed participant stands for a distinct named one of a compatible state."""
    if len(unnamed) != len(named):
        return False
    free = sorted(named, key=str)

    def state(k) -> str | None:
        return d.ann.entities[k].country if isinstance(k, int) else None

    def post_ok(u, k) -> bool:
        title = d.ann.entities[k].title if isinstance(k, int) else None
        if not (u[2] and title) or "counterpart" in u[2] or "counterpart" in title.lower():
            return True
        return bool(_post_words(u[2]) & _post_words(title))

    for u in sorted(unnamed, key=lambda u: u[1] is None):  # those with a state first
        country = u[1]
        hit = next((k for k in free if country and state(k) == country and post_ok(u, k)), None)
        if hit is None:
            hit = next((k for k in free if not (country and state(k) and state(k) != country) and post_ok(u, k)), None)
        if hit is None:
            return False
        free.remove(hit)
    return True


_ABBREVIATIONS = {"fm": "foreign minister", "pm": "prime minister", "vp": "vice president", "vice-fm": "vice foreign minister"}
_POST_STOP = frozenset({"of", "the", "for", "and", "to", "in", "on", "at", "a", "an", "new", "former", "vice", "deputy", "first"})


def _post_words(title: str) -> set[str]:
    words_ = []
    for w in gazetteer.fold(title).split():
        words_.extend(_ABBREVIATIONS.get(w, w).split())
    return set(words_) - _POST_STOP


def _absorb(d: _Doc, target: Candidate, c: Candidate) -> None:
    # prefer the named version of the participants
    if any(isinstance(k, tuple) and k[0] == "u" for k in target.people) and not any(isinstance(k, tuple) and k[0] == "u" for k in c.people):
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


def _visit_context(d: _Doc) -> tuple[str | None, str | None, tuple | None]:
    """A dated visit ("On July 5, X visited Latvia") dates and places the meetings during it."""
    for sent in d.ann.sentences[:6]:
        m = search_sentence(d.r.visit_p, d.ann, sent)
        if not m:
            continue
        place = None
        a = d.ann
        pos = sent.start + m.end()
        i = _token_at(a, pos)
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


def _context_date(d: _Doc, sent: Sentence, subs: list[int], at: int) -> None:
    """Remember the date of an engagement sentence that names no counterpart ("X met with
    numerous diplomats on June 19"): the engagements of X that follow share it."""
    probe = Candidate(frozenset(), {}, "meeting", 0, sent.index, Span(0, 0, "", ""))
    _date_place(d, sent, probe, at)
    if probe.own_date and probe.date and probe.precision == "day" and probe.date_span is not None:
        people = {e for e in (d.ann.mentions[mi].entity for mi in subs) if e is not None}
        d.context_dates.append((sent.index, people, (probe.date, probe.precision, probe.date_span)))


def _context_for(d: _Doc, c: Candidate) -> tuple[str, str, Span] | None:
    """The latest such date before the candidate, of one of its people."""
    people = {k for k in c.people if isinstance(k, int)}
    found = [dated for index, who, dated in d.context_dates if index < c.sentence and who & people]
    return found[-1] if found else None


def _lead_date(d: _Doc, c: Candidate) -> tuple[str, str, Span] | None:
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


def _in_visit(d: _Doc, c: Candidate) -> bool:
    text = d.ann.sentences[c.sentence].text
    return bool(re.search(r"\b(?:during|in the course of)\s+(?:the|his|her|this)\s+visit\b|^\s*(?:He|She)\b", text))


# ---- records ---------------------------------------------------------------------------
def _engagement(d: _Doc, c: Candidate) -> Engagement:
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
        people.append(_participant(d, m, k, side, country, subject_title))
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


def _entity_title(d: _Doc, k, m: Mention) -> str | None:
    if isinstance(k, int):
        return d.ann.entities[k].title or m.title
    return m.title


def _participant(d: _Doc, m: Mention, k, side: str, country: str | None = None, subject_title: str | None = None) -> Participant:
    name, title, cc, rule = m.name, m.title, country or m.country, m.country_rule
    if isinstance(k, int):
        e = d.ann.entities[k]
        name, title = e.name or name, e.title or title
        cc, rule = cc or e.country, rule or e.country_rule
    last = gazetteer.fold(title).split()[-1:] if title else []
    if subject_title and (m.counterpart or title) and (not title or (last and last[0] in _COUNTERPART_WORDS)):
        title = _counterpart_title(subject_title)  # "his Polish counterpart", "her Kenyan colleague"
    if title and m.plural:
        title = _singular(title)
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


def _singular(title: str) -> str:
    words_ = title.split()
    last = words_[-1]
    if last.lower() == "counterparts":
        words_[-1] = "counterpart"
    elif last.endswith("s") and not last.endswith("ss"):
        words_[-1] = last[:-1]
    out = " ".join(words_)
    return re.sub(r"^Consuls\b", "Consul", out)


def _infer_countries(d: _Doc, people: list[Participant]) -> list[Participant]:
    """A participant whose state the text does not give: the other state of the document's dyad."""
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
    top = d.states.most_common(3)
    dyad = [code for code, n in top[:2] if n >= 2 and (len(top) < 3 or n > top[2][1])]
    if len(dyad) == 2:
        others = [c for c in dyad if c not in known]
        if len(known) >= 1 and len(others) == 1 and len(missing) == 1:
            return [p if p is not missing[0] else _with_country(p, others[0], "dyad") for p in people]
    return people


def _with_country(p: Participant, country: str, rule: str) -> Participant:
    return Participant(p.name, country, p.title, p.side, p.span, rule)


# ---- readout or not --------------------------------------------------------------------
def _is_readout(d: _Doc, engagements: list[Engagement]) -> tuple[bool, str]:
    if not engagements:
        return False, "no engagement between identified officials"
    if any(d.r.non_readout_re.search(line) for line in _title_lines(d)):
        return False, "title marks a transcript, statement, speech or interview"
    if d.r.announcement_re.search(d.doc.title or ""):
        return False, "title announces an engagement to come or an appointment"
    months = {e.date for e in engagements if e.date and e.date_precision == "month"}
    if len(months) >= 3:
        return False, "an overview of engagements over several months"
    return True, "reports an engagement that took place"


def _title_lines(d: _Doc) -> list[str]:
    """The title, and a title-like first line of the body (a page whose <title> is the site's
    name puts the document's own title there): short, no sentence end."""
    lines = [d.doc.title or ""]
    body = [s for s in d.ann.sentences if not s.headline][:1]
    if body and len(body[0].text) < 160 and not body[0].text.rstrip().endswith((".", "!", "?", ":")):
        lines.append(body[0].text)
    return lines


# ---- statements, issues, third parties -------------------------------------------------
_JOINT = re.compile(r"^\s*(?:The\s+two\s+sides|Both\s+sides|The\s+two\s+(?:leaders|ministers|officials)|Both\s+(?:leaders|ministers|parties)|They)\b", re.I)


def _statements(d: _Doc, engagements: list[Engagement]) -> list[Statement]:
    """Who said what: each reporting sentence and the sentences of its paragraph that follow it."""
    a, r = d.ann, d.r
    found: list[tuple[Sentence, tuple[str | None, str | None], str]] = []
    last_speaker: tuple[str | None, str | None] | None = None
    for sent in a.sentences:
        if sent.headline or sent.caption:
            continue
        hits = in_sentence(r.reporting_p, a, sent)
        m = hits[0] if hits else None
        if not m:
            continue
        speaker = _speaker(d, sent, m, last_speaker)
        if speaker is None:
            continue
        if speaker[0] or speaker[1]:
            last_speaker = speaker
        found.append((sent, speaker, m.group("verb")))
    out: list[Statement] = []
    starts = {sent.index for sent, _, _ in found}
    for sent, speaker, verb in found:
        end, t_end = sent.end, sent.t1
        for nxt in a.sentences[sent.index + 1:]:
            if nxt.index in starts or "\n" in a.text[end:nxt.start]:
                break
            end, t_end = nxt.end, nxt.t1
        text = a.text[sent.start:end]
        hits = r.issue_p.matches(text, a.toks, a.low, a.starts, sent.t0, t_end, sent.start)
        issues = tuple(dict.fromkeys(x.group(1) for x in hits))
        out.append(Statement(speaker[0], speaker[1], verb, r.stances.get(verb.lower()), issues,
                             Span(sent.start, end, text, "statement:" + verb.lower())))
    return out


def _speaker(d: _Doc, sent: Sentence, m: re.Match, last: tuple | None) -> tuple[str | None, str | None] | None:
    """The subject of the reporting verb: a person (or pronoun), a state's side, or both sides."""
    a = d.ann
    verb_at = sent.start + m.start()
    before = [mi for mi in sent.mentions if a.mentions[mi].end <= verb_at]
    after = [mi for mi in sent.mentions if a.mentions[mi].start >= sent.start + m.end()]
    if before and len(a.text[a.mentions[before[-1]].end:verb_at]) <= 40:
        mm = a.mentions[before[-1]]
        if mm.pronoun:
            return last
        if mm.entity is not None:
            e = a.entities[mm.entity]
            return e.name, e.country
    if _JOINT.match(sent.text[: m.start()] + " ") and m.start() < 40:
        return None, None
    side = re.search(r"\b(?:the\s+)?([A-Z]\w+)\s+side\b", sent.text[: m.start()])
    if side:
        n, found = d.g.lookup([side.group(1).lower()], [side.group(1)], 0, frozenset({"demonym", "country"}))
        if n:
            return None, found[0].value
    # ", said Li." / "Han added."
    if after and a.mentions[after[0]].start - (sent.start + m.end()) <= 2:
        mm = a.mentions[after[0]]
        if mm.entity is not None:
            e = a.entities[mm.entity]
            return e.name, e.country
    return None


def _issues(d: _Doc) -> list[Issue]:
    out: list[Issue] = []
    seen = set()
    a = d.ann
    for m in d.r.issue_p.matches(a.text, a.toks, a.low, a.starts, 0, len(a.toks), 0):
        text = m.group(1)
        if text.lower() in seen:
            continue
        seen.add(text.lower())
        out.append(Issue(text, Span(m.start(1), m.end(1), text, "issue")))
    return out


def _third_parties(d: _Doc, participants: set, engagements: list[Engagement]) -> list[ThirdParty]:
    out: list[ThirdParty] = []
    a = d.ann
    for e in a.entities:
        if e.name and e.name not in participants and e.mentions:
            m = a.mentions[e.mentions[0]]
            out.append(ThirdParty("person", e.name, e.country, e.title, Span(m.start, m.end, a.text[m.start:m.end], "mention")))
    involved = {p.country for eng in engagements for p in eng.participants}
    seen = set()
    for i, (n, found) in enumerate(a.tags):
        if not n:
            continue
        for ent in found:
            if ent.kind in ("country", "demonym") and ent.value not in involved and ent.value not in seen:
                seen.add(ent.value)
                out.append(ThirdParty("state", d.g.country_names.get(ent.value, ent.value), ent.value, None,
                                      Span(a.starts[i], a.ends[i + n - 1], a.span_text(i, i + n), "gazetteer")))
            elif ent.kind == "org" and ent.value not in seen:
                seen.add(ent.value)
                out.append(ThirdParty("organisation", ent.value, None, None,
                                      Span(a.starts[i], a.ends[i + n - 1], a.span_text(i, i + n), "gazetteer")))
            break
    return out
