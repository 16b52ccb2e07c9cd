"""Patterns tried at token starts find exactly what a plain scan finds."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from readouts.annotate import annotate
from readouts.extract import rules
from readouts.extract.place import PLACE_P
from readouts.ingest import iter_inputs
from readouts.patterns import TokenPattern, first_chars
from readouts.pipeline import Result, process

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("pattern, flags, chars, aligned", [
    (r"\b(?:on|at)\s+the", re.I, "aAoO", True),
    (r"\bmet\b", 0, "m", True),
    (r"'s\s+visit", 0, "'", True),  # a mark is a token of its own
    (r"(?:held|met)", 0, "hm", False),  # may begin inside a word ("unheld")
    (r"\b(?:the\s+)?talks", 0, "t", True),
    (r"(?i:\bin)\s+", 0, "iIı", True),
    (r"\b(?-i:[A-Z])x", re.I, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", True),
    (r"\s+said", 0, None, False),  # begins with a space
    (r"\w+ said", 0, None, False),  # any word character
    (r"(?:x)?", 0, None, False),  # may match nothing
    (r"\b(?<!\w)(?=[A-Z])Ab", 0, "A", True),
    (r"\b(?:said|ſays)", re.I, "sSſ", True),
])
def test_first_chars(pattern: str, flags: int, chars: str | None, aligned: bool) -> None:
    found, is_aligned = first_chars(pattern, flags)
    assert (None if found is None else set(found)) == (None if chars is None else set(chars))
    assert is_aligned == aligned


def _patterns() -> dict[str, TokenPattern]:
    r = rules()
    return {name: getattr(r, name) for name in r.__dataclass_fields__ if isinstance(getattr(r, name), TokenPattern)} | {
        "place": PLACE_P}


def _assert_same(text: str) -> None:
    ann = annotate(text)
    for name, p in _patterns().items():
        for sent in ann.sentences:
            expected = [(m.start(), m.end(), m.lastgroup) for m in p.rx.finditer(sent.text)]
            got = [(m.start(), m.end(), m.lastgroup) for m in
                   p.matches(sent.text, ann.toks, ann.low, ann.starts, sent.t0, sent.t1, sent.start)]
            assert got == expected, (name, sent.text)
            first = p.matches(sent.text, ann.toks, ann.low, ann.starts, sent.t0, sent.t1, sent.start, first=True)
            assert [m.span() for m in first] == [s[:2] for s in expected[:1]], (name, sent.text)
        whole = p.matches(text, ann.toks, ann.low, ann.starts, 0, len(ann.toks), 0)
        assert [m.span() for m in whole] == [m.span() for m in p.rx.finditer(text)], name


def test_every_sentence_pattern_scans_by_tokens() -> None:
    """The patterns of the data files can all be tried at token starts (none falls back)."""
    assert {name for name, p in _patterns().items() if not p.scan} == set()


def test_same_matches_on_the_sample_corpus() -> None:
    texts = []
    for item in iter_inputs([str(EXAMPLES)]):
        result = process(item)  # type: ignore[arg-type]
        if isinstance(result, Result):
            texts.append(result.clean.text)
    assert len(texts) >= 10
    for text in texts:
        _assert_same(text)


WORDS = ["met", "with", "on", "the", "sidelines", "of", "Summit", "held", "talks", "will", "visit", "to", "said",
         "Foreign", "Minister", "Ana", "Lopes", "'s", "upcoming", "at", "Kremlin", "also", "later", "phone", "call",
         "by", "telephone", "Iranian", "nuclear", "issue", "situation", "in", "Syria", "visited", "is", "visiting",
         "attending", "Meeting", "during", "MET", "Held", "spoke", "video", "link", "received", "agreed",
         "hosted", "a", "meeting", "conversation", "discussed", "exchanged", "views", "Ministry", "Parliament",
         "White", "House", "following", "their", "unmet", "premeeting", "x9", "2024", "planned", "plans", "stressed"]
MARKS = ["", "", "", ",", ".", "'", "(", ")", ":", "-"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(MARKS), st.sampled_from([" ", " ", "  ", "\n"])),
                min_size=1, max_size=40))
def test_same_matches_on_generated_sentences(words: list[tuple[str, str, str]]) -> None:
    _assert_same("".join(w + mark + space for w, mark, space in words))


def test_a_pattern_that_may_begin_inside_a_word_scans_the_text() -> None:
    p = TokenPattern([(None, r"(?:held|met)")], re.I)
    assert not p.scan
    text = "The unmet needs. They met."
    ann = annotate(text)
    found = p.matches(text, ann.toks, ann.low, ann.starts, 0, len(ann.toks), 0)
    assert [m.start() for m in found] == [6, 22]


def test_parts_keep_their_names_and_order() -> None:
    p = TokenPattern([("long", r"\bmet\s+with"), ("short", r"\bmet"), ("other", r"\bheld")], re.I)
    text = "He met with her, met them and held talks."
    ann = annotate(text)
    got = [(m.group(), m.lastgroup) for m in p.matches(text, ann.toks, ann.low, ann.starts, 0, len(ann.toks), 0)]
    assert got == [("met with", "long"), ("met", "short"), ("held", "other")]



def _boilerplate_patterns() -> dict[str, TokenPattern]:
    from readouts.clean import _rules

    r = _rules()
    return {"drop": r.drop, "drop_long": r.drop_long, "stop": r.stop}


LINES = ["Home > China News > Diplomacy", "Print | E-mail | Share", "Suggest to a friend", "Copyright 2024 Ministry",
         "Related stories", "Photo: Xinhua", "(Web editor: Li Ming)", "Foreign Minister Ana Lopes met Olav Berg.",
         "", "email: press@example.org", "Source: MFA", "Back to top", "© All rights reserved.", "中文 | Contact us",
         "ſource: x", "PRINT", "12 views", "Read more"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(LINES) | st.text(alphabet=st.sampled_from("aSpP >|:©(),.0中ſ"), max_size=25))
def test_line_rules_match_as_their_plain_alternation(line: str) -> None:
    for name, p in _boilerplate_patterns().items():
        assert bool(p.fullmatch(line)) == bool(p.rx.fullmatch(line)), (name, line)
        assert bool(p.match(line)) == bool(p.rx.match(line)), (name, line)


DATE_WORDS = ["July", "26", ",", "2019", "on", "Monday", "(", "Mon", ")", "in", "November", "2024-11-18", "29-Oct-2022",
              "07/10/2025", "3-5", "10th", "of", "January", "today", "yesterday", "last", "Sunday", "the", "same",
              "day", "mid-", "May", "may", "٢٠", "Sept.", "9", "to", "12", "earlier", "this", "morning"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(DATE_WORDS), min_size=1, max_size=25))
def test_date_forms_tried_by_first_character_match_the_whole_pattern(words: list[str]) -> None:
    from readouts.dates import DATE_P, _matches, anchor_positions
    from readouts.annotate import tokenise

    text = " ".join(words)
    toks, starts, _ends = tokenise(text)
    positions = anchor_positions([t.lower() for t in toks], starts)
    expected, done = [], 0
    for pos in positions:
        m = DATE_P.rx.match(text, pos) if pos >= done else None
        if m:
            expected.append((m.span(), m.lastgroup))
            done = m.end()
    assert [(m.span(), m.lastgroup) for m in _matches(text, positions)] == expected
