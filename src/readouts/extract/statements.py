"""Who said what (statements and their issues), the issues of the whole text, and the people,
states and organisations mentioned who took no part (third parties)."""
from __future__ import annotations

import re

from readouts.annotate import Sentence
from readouts.extract.rules import in_sentence
from readouts.extract.state import Doc
from readouts.records import Engagement, Issue, Span, Statement, ThirdParty


_JOINT = re.compile(r"^\s*(?:The\s+two\s+sides|Both\s+sides|The\s+two\s+(?:leaders|ministers|officials)|Both\s+(?:leaders|ministers|parties)|They)\b", re.I)


def find_statements(d: Doc, engagements: list[Engagement]) -> list[Statement]:
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


def _speaker(d: Doc, sent: Sentence, m: re.Match, last: tuple | None) -> tuple[str | None, str | None] | None:
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


def find_issues(d: Doc) -> list[Issue]:
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


def third_parties(d: Doc, participants: set, engagements: list[Engagement]) -> list[ThirdParty]:
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
