"""Extraction: a clean document -> its readout (engagements, statements, issues, ...).

The steps, one module each:

1. annotate the text (sentences, people, posts, states) — ``readouts.annotate``, kept per
   document in ``state.Doc``;
2. find triggers and take the subject(s) before and the object(s) after each one —
   ``candidates`` (which engagement) and ``roles`` (who is subject, who counterpart);
   what will happen rather than happened goes to ``planned``;
3. give each engagement its date, place and occasion from its sentence, or from the
   context it continues ("also", "during the visit", the dateline) — ``context``, ``place``,
   ``occasion``;
4. merge what several sentences say about the same engagement (headline, body, caption) —
   ``merge``; build the records — ``participants``;
5. decide whether the document is a readout at all — ``readout``;
6. statements, issues and third parties — ``statements``; code each engagement in PLOVER
   and CAMEO (``readouts.codes``).

The engagement triggers, reporting verbs and occasion cues are data
(``data/triggers.toml``, ``data/statements.toml``), compiled by ``rules``.
"""
from __future__ import annotations

from typing import Any

from readouts import lang
from readouts.annotate import Annotated
from readouts.codes import code_readout
from readouts.extract.candidates import find_candidates
from readouts.extract.merge import merge_candidates
from readouts.extract.model import Candidate, Key, NameKey, PostKey
from readouts.extract.planned import dedupe_planned, planned_visits
from readouts.extract.readout import readout_decision
from readouts.extract.rules import IN_PERSON, Rules, rules
from readouts.extract.state import Doc
from readouts.extract.statements import find_issues, find_statements, third_parties
from readouts.records import CleanDocument, Readout

__all__ = ["IN_PERSON", "Candidate", "Key", "NameKey", "PostKey", "Rules", "extract", "extract_traced", "rules"]


def extract(doc: CleanDocument) -> Readout:
    """Everything a readout says: engagements, statements, issues, third parties, plans."""
    code = doc.language or lang.language(doc.text)
    if code in lang.READERS:  # Chinese and Russian have readers of their own
        return lang.read(doc, code)
    return _extract(Doc(doc))


def extract_traced(doc: CleanDocument) -> tuple[Readout, Annotated | None, list[dict[str, Any]]]:
    """The readout, the annotated text and every decision taken on the way (``readouts explain``).
    A document in a language with a reader of its own says which reader read it."""
    code = doc.language or lang.language(doc.text)
    if code in lang.READERS:
        return lang.read(doc, code), None, [{"step": "reader", "rule": f"read by the {code} reader (readouts.lang)"}]
    d = Doc(doc)
    d.trace = []
    return _extract(d), d.ann, d.trace


# states a participant is given by inference, not by the text (extraction's own guesses)
_INFERRED = frozenset({"dyad", "same side", "publisher", "named with", "envoy's host", "receives an envoy at home", "hosts at home"})


def _extract(d: Doc) -> Readout:
    doc = d.doc
    cands, planned = find_candidates(d)
    planned = dedupe_planned(planned + planned_visits(d))
    engagements = merge_candidates(d, cands)
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
    is_readout, reason = readout_decision(d, engagements)
    d.note("readout", reason, is_readout=is_readout)
    if not is_readout:
        engagements = []
    participants = {p.name for e in engagements for p in e.participants if p.name}
    statements = find_statements(d, engagements) if is_readout else []
    return code_readout(Readout(
        id=doc.id,
        is_readout=is_readout,
        engagements=tuple(engagements),
        statements=tuple(statements),
        issues=tuple(find_issues(d)),
        mentions=tuple(third_parties(d, participants, engagements)),
        planned=tuple(planned),
        reason=reason,
        title=doc.title,
        published=doc.published,
        url=doc.url,
        source=doc.source,
        content_hash=doc.content_hash,
    ))
