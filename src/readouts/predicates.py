"""The engagement predicates of ``data/triggers.toml``: a lexicon, validated and expanded.

A predicate is written once, as a lexicon entry, and this module generates the pattern
that finds it in every form a readout uses:

    verbs = ["meet"]                          met, meets, meet, has met, is/was meeting
    verbs = ["hold", "have"], nouns = [...]   held / had / holds ... [a|the] [up to N words] NOUN
    then  = ["with", ""]                      the word that introduces the counterpart ("" = none)

Between the predicate and that word an adverbial slot takes what readouts put there:
adverbs ("also", "separately"), the manner ("by telephone", "via video link"), dates
("on Monday", "this Wednesday (March 15)", "on the afternoon of December 8") and places
("in Beijing"). The slots are data (``[slots]``) too. A trigger may instead give a plain
``pattern`` for a form the lexicon cannot say. Every trigger carries ``examples``:
sentences that a test runs through extraction and that must give an engagement of the
trigger's mode.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from readouts.records import MODES

SHAPES = ("svo", "passive", "plural")
_KEYS = {"name", "mode", "shape", "strength", "nominal", "verb_reading", "vague", "several", "direct", "pattern", "verbs", "forms",
         "nouns", "modifiers", "determiner", "then", "slot", "examples", "not_examples"}
FORMS = ("base", "third", "past", "participle", "ing")
_REQUIRED = {"name", "mode", "shape", "strength", "examples"}


class RuleError(ValueError):
    """A rule file that does not say what the loader expects."""


@dataclass(frozen=True)
class Trigger:
    name: str
    mode: str
    shape: str
    strength: int
    nominal: bool = False  # a noun: in running text it counts only where it reports
    verb_reading: str | None = None  # the trigger it is right after a person ("X talks with Y")
    vague: bool = False  # "spoke with": a call unless the text places the two together
    several: bool = False  # "held meetings with the heads of ...": unnamed groups are not one engagement each
    direct: bool = False  # the counterpart follows the verb directly ("hosted X", "summoned X")
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()  # sentences that must give no engagement


@dataclass(frozen=True)
class Lexicon:
    triggers: tuple[Trigger, ...]
    patterns: tuple[str, ...]  # one per trigger, in order
    anchors: frozenset[str]  # lower-case words every pattern begins with


# ---- inflections -------------------------------------------------------------------------
_VOWELS = "aeiou"


def inflect(lemma: str, irregular: dict[str, list[str]]) -> tuple[str, str, str, str, str]:
    """(base, third person, past, participle, -ing) of a verb; the last word of a phrasal
    verb ("sit down") stays as it is. ``irregular`` gives [past, participle, -ing, third person]
    where the rules do not."""
    head, _, rest = lemma.partition(" ")
    tail = f" {rest}" if rest else ""
    forms = irregular.get(head)
    if head.endswith(("s", "sh", "ch", "x", "z")):
        third = head + "es"
    elif head.endswith("y") and head[-2:-1] not in _VOWELS:
        third = head[:-1] + "ies"
    else:
        third = head + "s"
    if head.endswith("e"):
        past, ing = head + "d", (head if head.endswith("ee") else head[:-1]) + "ing"
    elif head.endswith("y") and head[-2:-1] not in _VOWELS:
        past, ing = head[:-1] + "ied", head + "ing"
    else:
        past, ing = head + "ed", head + "ing"
    participle = past
    if forms:
        past = forms[0]
        participle = forms[1] if len(forms) > 1 else past
        ing = forms[2] if len(forms) > 2 else ing
        third = forms[3] if len(forms) > 3 else third
    return tuple(w + tail for w in (head, third, past, participle, ing))  # type: ignore[return-value]


def _words(phrases: list[str] | tuple[str, ...]) -> str:
    """An alternation of literal phrases, longest first, spaces matching any white space."""
    alts = sorted({p for p in phrases if p}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in alts) + ")"


_FIRST_TOKEN = re.compile(r"\w+|[^\w\s]")  # a token as readouts.annotate cuts them
_AUXILIARY_BEHIND = "(?:" + "|".join(rf"(?<=\b{w}\s)" for w in ("is", "are", "was", "were", "been", "be", "when", "while", "whilst")) + ")"
_AUXILIARIES = frozenset({"have", "has", "be", "is", "are", "was", "were", "been"})


def _verb_forms(verbs: list[str], irregular: dict[str, list[str]], light: bool, which: tuple[str, ...] = FORMS) -> str:
    """The forms (``which``) of these verbs. The -ing form only after a form of "to be"
    ("meeting" alone is the noun); a light verb ("have talks") not in the forms it shares
    with an auxiliary ("has been developing dialogue")."""
    forms: set[str] = set()
    ing_forms: set[str] = set()
    for v in verbs:
        named = dict(zip(FORMS, inflect(v, irregular)))
        forms |= {named[k] for k in which if k != "ing"}
        if "ing" in which:
            ing_forms.add(named["ing"])
    # "is meeting", and in a clause of time: "while meeting with", "when holding talks with";
    # the auxiliary is looked behind, so a match begins at the verb (the auxiliaries, very
    # common words, are then no positions to try)
    alts = [_AUXILIARY_BEHIND + _words(sorted(ing_forms))] if ing_forms else []
    if light:
        if forms & _AUXILIARIES:
            # "has a meeting with", "X and Y have talks", not "has been ..."
            alts.append(r"(?:has|have)(?=\s+(?:an?\s|the\s|talks\b|consultations\b|discussions\b|negotiations\b))")
        forms -= _AUXILIARIES
    alts.append(_words(sorted(forms))[3:-1])
    return "(?:" + "|".join(alts) + ")"


# ---- loading -----------------------------------------------------------------------------
def _check(t: dict[str, Any], n: int) -> None:
    where = f"triggers.toml trigger #{n + 1} ({t.get('name', '?')})"
    unknown = set(t) - _KEYS
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    missing = _REQUIRED - set(t)
    if missing:
        raise RuleError(f"{where}: missing {sorted(missing)}")
    if t["mode"] not in MODES:
        raise RuleError(f"{where}: mode {t['mode']!r} is not one of {MODES}")
    if t["shape"] not in SHAPES:
        raise RuleError(f"{where}: shape {t['shape']!r} is not one of {SHAPES}")
    if not isinstance(t["strength"], int) or not 1 <= t["strength"] <= 3:
        raise RuleError(f"{where}: strength must be 1, 2 or 3")
    if ("pattern" in t) == ("verbs" in t):
        raise RuleError(f"{where}: give either a pattern or verbs (with nouns for a light-verb predicate)")
    if "nouns" in t and "verbs" not in t:
        raise RuleError(f"{where}: nouns need the verbs that carry them")
    if not t["examples"] or not all(isinstance(x, str) and x for x in t["examples"]):
        raise RuleError(f"{where}: examples must be a non-empty list of sentences")
    if "pattern" in t:
        try:
            re.compile(t["pattern"])
        except re.error as exc:
            raise RuleError(f"{where}: pattern does not compile: {exc}") from None


def build(data: dict[str, Any]) -> Lexicon:
    """Validate the rule data and generate one pattern per trigger."""
    if set(data) - {"slots", "irregular", "trigger", "planned", "anchors"}:
        raise RuleError(f"triggers.toml: unknown sections {sorted(set(data) - {'slots', 'irregular', 'trigger', 'planned', 'anchors'})}")
    slots = data["slots"]
    irregular = data.get("irregular", {})
    slot_alts = {name: "(?:" + "|".join(sorted(v, key=len, reverse=True)) + ")" for name, v in slots.items()}
    for name, alt in slot_alts.items():
        try:
            re.compile(alt)
        except re.error as exc:
            raise RuleError(f"triggers.toml slot {name!r} does not compile: {exc}") from None
    adverbial = "(?:" + "|".join(slot_alts.values()) + ")"
    triggers: list[Trigger] = []
    patterns: list[str] = []
    anchors: set[str] = set(w.lower() for w in data.get("anchors", {}).get("words", []))
    for n, t in enumerate(data["trigger"]):
        _check(t, n)
        if "pattern" in t:
            # a plain pattern may place the adverbial slot itself: {adverbial}
            pattern = t["pattern"].replace("{adverbial}", rf"(?:\s*,?\s+{adverbial}(?=[\s,]|$))*")
        else:
            slot = slot_alts.get(t["slot"], None) if "slot" in t else adverbial
            if slot is None:
                raise RuleError(f"triggers.toml trigger {t['name']}: unknown slot {t['slot']!r}")
            nouns = t.get("nouns")
            which = tuple(t.get("forms", FORMS))
            if set(which) - set(FORMS):
                raise RuleError(f"triggers.toml trigger {t['name']}: forms must be among {FORMS}")
            verbs = _verb_forms(t["verbs"], irregular, light=bool(nouns), which=which)
            for v in t["verbs"]:
                anchors.update(_FIRST_TOKEN.match(w).group(0).lower() for w in inflect(v, irregular))  # type: ignore[union-attr]
            if nouns:
                det = r"(?:\s+(?:an?|the|their|his|her|its|one|two|several|separate))?" if t.get("determiner", True) else ""
                mods = int(t.get("modifiers", 3))
                body = rf"\b{verbs}{det}(?:\s+[\w'-]+){{0,{mods}}}?\s+{_words(nouns)}\b"
            else:
                body = rf"\b{verbs}\b"
            then = t.get("then", [""])
            tail = ""
            if any(then):
                tail = rf"(?:,?\s+{_words([w for w in then if w])})" + ("?" if "" in then else "")
                tail += r"\b"
            pattern = rf"{body}(?:\s*,?\s+{slot}(?=[\s,]|$)){{0,4}}{tail}"
        patterns.append(pattern)
        triggers.append(Trigger(t["name"], t["mode"], t["shape"], t["strength"], bool(t.get("nominal")),
                                t.get("verb_reading"), bool(t.get("vague")), bool(t.get("several")), t.get("direct", t.get("then") == [""]),
                                tuple(t["examples"]), tuple(t.get("not_examples", ()))))
    names = [t.name for t in triggers]
    if len(set(names)) != len(names):
        raise RuleError("triggers.toml: trigger names must be unique")
    for t in triggers:
        if t.verb_reading is not None and t.verb_reading not in names:
            raise RuleError(f"triggers.toml trigger {t.name}: verb_reading names no trigger ({t.verb_reading!r})")
    return Lexicon(tuple(triggers), tuple(patterns), frozenset(anchors))


@lru_cache(maxsize=1)
def load() -> tuple[Lexicon, dict[str, Any]]:
    """The predicates of the package's ``triggers.toml`` (and the file's other sections)."""
    data = tomllib.loads(resources.files("readouts.data").joinpath("triggers.toml").read_text(encoding="utf-8"))
    return build(data), data


@lru_cache(maxsize=1)
def verb_forms() -> frozenset[str]:
    """Every one-word form of the lexicon's verbs, lower case ("meets", "rings", "hosted")."""
    lexicon, data = load()
    irregular = data.get("irregular", {})
    out: set[str] = set()
    for t in data["trigger"]:
        for v in t.get("verbs", ()):
            out.update(w for w in inflect(v, irregular) if " " not in w)
    return frozenset(out)
