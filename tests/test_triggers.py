"""The predicate lexicon (data/triggers.toml): the loader's checks, the generated forms,
and every trigger's own examples run through extraction."""
from __future__ import annotations

import copy
import re

import pytest

from readouts import predicates
from readouts.clean import clean
from readouts.extract import extract, extract_traced
from readouts.predicates import RuleError, build, inflect
from readouts.records import RawDocument

LEXICON, DATA = predicates.load()
EXAMPLES = [pytest.param(t, text, id=f"{t.name}-{n}") for t in LEXICON.triggers for n, text in enumerate(t.examples)]


@pytest.mark.parametrize("trigger, text", EXAMPLES)
def test_every_example_gives_an_engagement_of_its_trigger(trigger: predicates.Trigger, text: str) -> None:
    readout = extract(clean(RawDocument("t", "test", text=text)))
    assert readout.is_readout, (trigger.name, readout.reason)
    rules = {e.trigger.rule for e in readout.engagements if e.trigger}
    assert f"trigger:{trigger.name}" in rules or any(e.mode == trigger.mode for e in readout.engagements), rules
    assert all(len(e.participants) >= 2 for e in readout.engagements)


def test_every_trigger_fires_on_one_of_its_examples() -> None:
    """An example may be claimed by an earlier trigger; each trigger must still be the rule
    of an engagement of one of its own examples."""
    silent = []
    for t in LEXICON.triggers:
        fired = False
        for text in t.examples:
            readout, _ann, trace = extract_traced(clean(RawDocument("t", "test", text=text)))
            if any(n["step"] == "candidate" and n["trigger"] == t.name for n in trace) and readout.engagements:
                fired = True
        if not fired:
            silent.append(t.name)
    assert silent == []


@pytest.mark.parametrize("lemma, forms", [
    ("meet", ("meet", "meets", "met", "met", "meeting")),
    ("hold", ("hold", "holds", "held", "held", "holding")),
    ("receive", ("receive", "receives", "received", "received", "receiving")),
    ("host", ("host", "hosts", "hosted", "hosted", "hosting")),
    ("speak", ("speak", "speaks", "spoke", "spoken", "speaking")),
    ("confer", ("confer", "confers", "conferred", "conferred", "conferring")),
    ("sit down", ("sit down", "sits down", "sat down", "sat down", "sitting down")),
    ("have", ("have", "has", "had", "had", "having")),
    ("telephone", ("telephone", "telephones", "telephoned", "telephoned", "telephoning")),
    ("catch up", ("catch up", "catches up", "caught up", "caught up", "catching up")),
])
def test_inflections(lemma: str, forms: tuple) -> None:
    assert inflect(lemma, DATA["irregular"]) == forms


def _pattern(name: str) -> re.Pattern[str]:
    k = [t.name for t in LEXICON.triggers].index(name)
    return re.compile(LEXICON.patterns[k], re.I)


@pytest.mark.parametrize("name, text, matched", [
    ("met", "X met with Y", "met with"),
    ("met", "X has met Y", "met"),
    ("met", "X is meeting Y", "meeting"),  # the auxiliary is looked behind
    ("met", "the meeting with Y", None),
    ("met", "While meeting Y, X said", "meeting"),
    ("met", "X met earlier today with Y", "met earlier today with"),
    ("met", "X met on Tuesday (May 2) with Y", "met on Tuesday (May 2) with"),
    ("met", "X met in Chengdu on 14 February 2023 with Y", "met in Chengdu on 14 February 2023 with"),
    ("met", "X met on the afternoon of December 8 with Y", "met on the afternoon of December 8 with"),
    ("met", "the meeting with Y", None),
    ("phone-held", "X had a phone conversation this Wednesday (March 15) with Y",
     "had a phone conversation this Wednesday (March 15) with"),
    ("phone-held", "X held a telephone conference", "held a telephone conference"),
    ("talks-held", "X is holding talks with Y", "holding talks with"),
    ("talks-held", "X has been developing dialogue with Y", None),
    ("meeting-held", "X has a meeting with Y", "has a meeting with"),
    ("meeting-held", "X has held a meeting with Y", "held a meeting with"),
    ("spoke", "X spoke earlier today with Y", "spoke earlier today with"),
    ("hosted", "X on Friday hosted Y", "hosted"),
])
def test_generated_patterns(name: str, text: str, matched: str | None) -> None:
    m = _pattern(name).search(text)
    assert (m.group(0) if m else None) == matched


def _with(change) -> dict:
    data = copy.deepcopy(DATA)
    change(data)
    return data


@pytest.mark.parametrize("change, message", [
    (lambda d: d["trigger"][0].update(colour="red"), "unknown keys"),
    (lambda d: d["trigger"][0].update(mode="lunch"), "mode"),
    (lambda d: d["trigger"][0].update(shape="sideways"), "shape"),
    (lambda d: d["trigger"][0].update(strength=7), "strength"),
    (lambda d: d["trigger"][0].update(examples=[]), "examples"),
    (lambda d: d["trigger"][0].pop("examples"), "missing"),
    (lambda d: d["trigger"][0].update(pattern="met"), "either a pattern or verbs"),
    (lambda d: d["trigger"][0].update(slot="nowhere"), "unknown slot"),
    (lambda d: next(t for t in d["trigger"] if "pattern" in t).update(pattern="(unclosed"), "does not compile"),
    (lambda d: d["trigger"][1].update(name=d["trigger"][0]["name"]), "unique"),
    (lambda d: d.update(extra={}), "unknown sections"),
    (lambda d: d["trigger"][0].update(verb_reading="nowhere"), "verb_reading names no trigger"),
    (lambda d: d["trigger"][0].update(forms=["pluperfect"]), "forms must be among"),
])
def test_the_loader_rejects_bad_rules(change, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        build(_with(change))


@pytest.mark.parametrize("text", [
    "Foreign Minister Ana Lopes will meet Foreign Minister Jan Nowak of Poland next week.",
    "A dinner was hosted by Foreign Minister Ana Lopes for the delegation of Poland.",
    "Foreign Minister Ana Lopes said that relations with Poland have been developing dialogue for years.",
    "Defence Minister Tom Reid of Australia met with Finance Minister Kate Lowe of Australia in Canberra.",
])
def test_sentences_that_report_no_engagement(text: str) -> None:
    assert extract(clean(RawDocument("t", "test", text=text))).engagements == ()
