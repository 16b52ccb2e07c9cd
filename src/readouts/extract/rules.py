"""The compiled rules of extraction and the pattern helpers every step uses.

The engagement triggers, reporting verbs, occasion cues and venues are data
(``data/triggers.toml``, ``data/statements.toml``); ``rules()`` loads and compiles them once.
"""
from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from readouts import gazetteer, predicates
from readouts.annotate import Annotated, Sentence
from readouts.patterns import TokenPattern
from readouts.predicates import Trigger


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


def load_toml(name: str) -> dict:
    return tomllib.loads(resources.files("readouts.data").joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def rules() -> Rules:
    lexicon, data = predicates.load()
    triggers = {f"t{n}": t for n, t in enumerate(lexicon.triggers)}
    parts: list[tuple[str | None, str]] = [(f"t{n}", p) for n, p in enumerate(lexicon.patterns)]
    st = load_toml("statements.toml")
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


def token_at(a: Annotated, pos: int) -> int | None:
    import bisect

    i = bisect.bisect_left(a.starts, pos)
    return i if i < len(a.starts) else None
