"""Triggers -> candidate engagements: which predicate, which participants, how many engagements
a sentence reports ("X met A, B and C" is three; "trilateral talks with A and B" one)."""
from __future__ import annotations

import re
from typing import Sequence, Union

from readouts import gazetteer
from readouts.annotate import Sentence
from readouts.extract.context import date_place, remember_context_date
from readouts.extract.model import Candidate, Key, NameKey, Naming, PerState, PostKey, post_text
from readouts.extract.participants import part_text, singular
from readouts.extract.planned import planned_at, planned_engagement
from readouts.extract.roles import AND, find_roles, object_chain
from readouts.extract.rules import IN_PERSON, find_triggers, search_before
from readouts.extract.state import Doc
from readouts.records import PlannedEngagement, Span

#: an object of a predicate: a mention, or one state's member of a plural mention
Item = Union[int, PerState]

_NOMINAL_OK = re.compile(r"(?:^\s*(?:(?:On|Yesterday|Today|Earlier|Last|This)\b[^,;.]{0,40},\s*)?(?:the\s+)?|\b(?:during|at|in|after|over)\s+(?:(?:an?|the|their|his|her)\s+)?(?:[\w-]+\s+){0,2}|'s\s*(?:[\w-]+\s+){0,2})$", re.I)


def _right_after_person(d: Doc, sent: Sentence, start: int) -> bool:
    a = d.ann
    return any(a.mentions[mi].end <= start and not a.text[a.mentions[mi].end:start].strip()
               and (a.mentions[mi].entity is not None or a.mentions[mi].pronoun) for mi in sent.mentions)


# "X and Y jointly met the press": a press conference, not an engagement between them
_PRESS = re.compile(r"\s*(?:with\s+)?(?:the\s+)?(?:press|media|reporters|journalists|correspondents)\b", re.I)
_NOT_THIS_ONE = re.compile(r"\b(?:first|next|last|previous|upcoming|future|recent|earlier|another|planned|possible|potential|expected)\s+(?:[\w-]+\s+){0,2}$", re.I)


def _reporting_nominal(before: str) -> bool:
    """'Talks between X and Y took place', 'during a meeting with Y', 'X's call with Y'."""
    if _NOT_THIS_ONE.search(before):
        return False
    return bool(_NOMINAL_OK.search(before))


_ORG_APPOSITIVE = re.compile(r"\s*,\s*(?:the|a|an|its)\s+(?:[\w'-]+\s+){0,4}?(?:organi[sz]ations?|party|company|group|association|university|institute|foundation|movement|council|agency|body|newspaper|bank|firm|network|federation|union|chamber)\b", re.I)


def _usable(d: Doc, mi: int, start: int, end: int) -> bool:
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


def _them(d: Doc, sent: Sentence, end: int, subs: list[int]) -> list[int]:
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


def find_candidates(d: Doc) -> tuple[list[Candidate], list[PlannedEngagement]]:
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
            if _PRESS.match(a.text, end):
                d.note("trigger", "dropped: meeting the press is no engagement", **where)
                continue
            is_planned = planned_at(r, a, sent, m.start(), m.group(0))
            ments = [mi for mi in sent.mentions if _usable(d, mi, start, end)]
            subs, objs = find_roles(d, sent, ments, start, end, trig, m.group(0))
            # "He met with A and B, and consulted with C": the second verb shares the subject
            if prev_trigger and re.fullmatch(r"\s*,?\s*(?:(?:and|then|before|after which)\s*)?", a.text[prev_trigger[0]:start]):
                objs = object_chain(d, [mi for mi in ments if a.mentions[mi].start >= end], end)
                subs = prev_trigger[1]
            if not objs:
                objs = _them(d, sent, end, subs)
            if not objs and re.search(r"\b(?:him|her)\b", m.group(0)) and prev_subject is not None:
                target = d.ann.entities[prev_subject]
                if target.mentions and all(d.ann.mentions[x].entity != prev_subject for x in subs):
                    objs = [target.mentions[0]]
            together = False  # "X, Y and Z held trilateral talks": one engagement of all of them
            if len(subs) >= 2 and not AND.search(a.text, a.mentions[subs[-2]].end, a.mentions[subs[-1]].start):
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
                    remember_context_date(d, sent, subs, m.start())  # "X met with numerous diplomats on June 19"
                continue
            resolved = [_resolve_pronoun(d, mi, sent, prev_subject) for mi in subs]
            subs = [x for x in resolved if x is not None]
            if not subs:
                d.note("trigger", "dropped: a pronoun with no antecedent", **where)
                continue
            span = Span(start, end, m.group(0), f"trigger:{trig.name}")
            last = objs[-1]
            prev_trigger = (a.mentions[last].end, subs)
            if is_planned:
                planned.append(planned_engagement(d, sent, subs + objs, trig.mode, span))
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
                groups = [g for g in groups if not (len(g) == 1 and not isinstance(g[0], PerState)
                                                    and a.mentions[g[0]].plural and not a.mentions[g[0]].countries)]
            for group in groups:
                keys, parts = _keys(d, [*subs, *group])
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
                date_place(d, sent, cand, m.start())
                out.append(cand)
                if d.trace is not None:
                    d.note("candidate", "kept: " + trig.shape + " predicate with its participants", id=cand.id, mode=mode,
                           participants=[part_text(d, k, p) for k, p in parts.items()], date=cand.date,
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
_SEVERAL_SIDES = re.compile(r"\b(?:trilateral|tripartite|three-way|quadrilateral|four-way|multilateral|joint)\b", re.I)
_JOIN = re.compile(r"along with|together with|joined by", re.I)
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


def _split_objects(d: Doc, objs: list[int], sent: Sentence) -> list[list[Item]]:
    """'X met A, B and C' is three engagements; 'A, along with B' stays one."""
    a = d.ann
    groups: list[list[Item]] = []
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
                groups.append([PerState(mi, c)])
        else:
            groups.append([mi])
            if n == len(objs) - 1 and n and _AND_ONLY.fullmatch(a.text, a.mentions[objs[n - 1]].end, m.start):
                _share_state(d, objs[n - 1], mi)
    return groups


_AND_ONLY = re.compile(r"\s+and\s+", re.I)


def _share_state(d: Doc, first: int, second: int) -> None:
    """'his Brazilian counterpart A and Federal Deputy B': a person of no stated state named
    right after one of a stated state (no other state in between) is of that state."""
    a = d.ann
    one, two = a.mentions[first], a.mentions[second]
    state = one.country or (a.entities[one.entity].country if one.entity is not None else None)
    if not state or one.plural or two.plural or two.country:
        return
    ent = a.entities[two.entity] if two.entity is not None else None
    if ent is not None and ent.country:
        return
    two.country, two.country_rule = state, "named with"
    if ent is not None:
        ent.country, ent.country_rule = state, "named with"


def _expand_plurals(d: Doc, objs: list[int]) -> list[Item]:
    """In one engagement of many, 'his counterparts from A, B and C' are one participant per state."""
    out: list[Item] = []
    for mi in objs:
        m = d.ann.mentions[mi]
        out.extend([PerState(mi, c) for c in m.countries] if m.plural and len(m.countries) > 1 else [mi])
    return out


def _respectively(d: Doc, objs: list[int]) -> dict[int, int]:
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
        if not (a.text[m.end:a.mentions[names[0]].start].strip().startswith(",") or a.text[m.start:m.end].endswith(",")):
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
                who.title = singular(m.title)
                if ent is not None:
                    ent.title = who.title
    return out


def _resolve_pronoun(d: Doc, mi: int, sent: Sentence, prev_subject: int | None) -> int | None:
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


def _keys(d: Doc, items: Sequence[Item]) -> tuple[list[Key], dict[Key, Naming]]:
    """Each participant's key and how the text names it, in text order, without repeats."""
    keys: list[Key] = []
    parts: dict[Key, Naming] = {}
    for item in items:
        country = None
        if isinstance(item, PerState):
            mi, country = item
        else:
            mi = item
        m = d.ann.mentions[mi]
        k: Key
        if m.entity is not None:
            k = m.entity
        elif m.name:
            k = NameKey(gazetteer.fold(m.name))
        else:
            k = PostKey(country or m.country, post_text(m.title or ""))
        if k not in parts:
            keys.append(k)
            parts[k] = Naming(m, country)
    return keys, parts
