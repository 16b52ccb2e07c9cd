"""Event codes: an engagement -> PLOVER event type and mode, CAMEO code, Goldstein score.

The codes are data (``data/codebook.toml``, validated on load); this module decides which
*situation* of the codebook an engagement is in:

- phone and video calls, messages: the situation their mode names (a message's trigger
  text may refine it, e.g. "congratulatory messages" -> praise);
- in person: where it took place against the participants' countries. In participant
  A's country, B visited and A hosted (``visit_guest`` / ``visit_host``, coded from the
  side of the engagement's subject); on the sidelines of a multilateral occasion
  (``sidelines_*``); in a country that is neither side's (``third_country``); otherwise
  ``unspecified``;
- planned engagements (announced, agreed, not held): ``planned``.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

from readouts.records import MODES, Engagement, EventCode, PlannedEngagement, Readout

IN_PERSON = "in_person"
# Situations an in-person mode can be in; the codebook must define every one.
IN_PERSON_SITUATIONS = (
    "visit_guest",
    "visit_host",
    "sidelines_guest",
    "sidelines_host",
    "sidelines",
    "sidelines_unknown",
    "third_country",
    "unspecified",
)
REQUIRED_SITUATIONS = ("planned",)
# PLOVER 2021 event types.
PLOVER_TYPES = frozenset(
    {
        "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
        "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
    }
)
_CAMEO_RE = re.compile(r"\d{2,4}")


class CodebookError(ValueError):
    """The codebook is malformed: what is wrong and where."""


@dataclass(frozen=True)
class Codebook:
    modes: Mapping[str, str]  # mode -> "in_person" or a situation name
    situations: Mapping[str, EventCode]
    message_cues: tuple[tuple[re.Pattern[str], str], ...]  # (pattern, situation)

    def code(self, situation: str) -> EventCode:
        return self.situations[situation]


def parse_codebook(data: Mapping[str, Any], source: str = "codebook") -> Codebook:
    """Validate a loaded codebook; raise ``CodebookError`` saying what is wrong."""

    def fail(msg: str) -> CodebookError:
        return CodebookError(f"{source}: {msg}")

    if not isinstance(data, Mapping):
        raise fail("not a table")
    modes = data.get("modes")
    if not isinstance(modes, Mapping):
        raise fail("missing [modes] table")
    missing = [m for m in MODES if m not in modes]
    if missing:
        raise fail(f"[modes] does not cover {', '.join(missing)}")
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise fail(f"[modes] names unknown modes {', '.join(unknown)} (known: {', '.join(MODES)})")

    raw = data.get("situation")
    if not isinstance(raw, Mapping) or not raw:
        raise fail("missing [situation.*] tables")
    situations: dict[str, EventCode] = {}
    for name, entry in raw.items():
        where = f"[situation.{name}]"
        if not isinstance(entry, Mapping):
            raise fail(f"{where} is not a table")
        extra = set(entry) - {"plover", "plover_mode", "cameo", "goldstein"}
        if extra:
            raise fail(f"{where} has unknown keys {', '.join(sorted(extra))}")
        plover = entry.get("plover")
        if plover not in PLOVER_TYPES:
            raise fail(f"{where} plover = {plover!r} is not a PLOVER event type")
        mode = entry.get("plover_mode")
        if mode is not None and not (isinstance(mode, str) and mode):
            raise fail(f"{where} plover_mode must be a non-empty string")
        cameo = entry.get("cameo")
        if not isinstance(cameo, str) or not _CAMEO_RE.fullmatch(cameo):
            raise fail(f"{where} cameo = {cameo!r} is not a 2-4 digit string (quote it: \"042\")")
        gold = entry.get("goldstein")
        if isinstance(gold, bool) or not isinstance(gold, (int, float)) or not -10.0 <= gold <= 10.0:
            raise fail(f"{where} goldstein = {gold!r} is not a number in [-10, 10]")
        situations[name] = EventCode(plover=plover, plover_mode=mode, cameo=cameo, goldstein=float(gold))

    needed = set(REQUIRED_SITUATIONS)
    for mode, kind in modes.items():
        if kind == IN_PERSON:
            needed.update(IN_PERSON_SITUATIONS)
        elif isinstance(kind, str):
            needed.add(kind)
        else:
            raise fail(f"[modes] {mode} = {kind!r} is not a string")
    cues: list[tuple[re.Pattern[str], str]] = []
    for n, cue in enumerate(data.get("message_cue", ())):
        where = f"[[message_cue]] #{n + 1}"
        if not isinstance(cue, Mapping) or not isinstance(cue.get("pattern"), str):
            raise fail(f"{where} needs a pattern string")
        try:
            pattern = re.compile(cue["pattern"], re.I)
        except re.error as e:
            raise fail(f"{where} pattern {cue['pattern']!r} is not a regular expression: {e}") from None
        cue_situation = str(cue.get("situation"))
        needed.add(cue_situation)
        cues.append((pattern, cue_situation))
    undefined = sorted(str(s) for s in needed if s not in situations)
    if undefined:
        raise fail(f"situations used but not defined: {', '.join(undefined)}")
    return Codebook(dict(modes), situations, tuple(cues))


def load_codebook(text: str, source: str = "codebook") -> Codebook:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CodebookError(f"{source}: not valid TOML: {e}") from None
    return parse_codebook(data, source)


@lru_cache(maxsize=1)
def codebook() -> Codebook:
    """The packaged codebook (``data/codebook.toml``), loaded and validated once."""
    path = resources.files("readouts.data").joinpath("codebook.toml")
    return load_codebook(path.read_text(encoding="utf-8"), "data/codebook.toml")


# ---------------------------------------------------------------------------------------
def _countries(eng: Engagement, side: str | None = None) -> list[str]:
    out: list[str] = []
    for p in eng.participants:
        if p.country and (side is None or p.side == side) and p.country not in out:
            out.append(p.country)
    return out


def direction(eng: Engagement) -> tuple[str | None, str | None]:
    """(visitor, host) of an in-person engagement, from where it took place.

    What the engagement already says (``visitor`` / ``host`` set by the extractor) wins.
    Otherwise, when the place is one participant's country and exactly one other country
    (or organisation) takes part, that other side is the visitor. A host is still given
    when several other sides took part; nothing when the place is a third country, is
    unknown, or the engagement was not in person.
    """
    book = codebook()
    if book.modes.get(eng.mode) != IN_PERSON:
        return eng.visitor, eng.host
    countries = _countries(eng)
    visitor, host = eng.visitor, eng.host
    if host is None:
        loc = eng.location.country
        if loc and loc in countries and (visitor is None or visitor != loc):
            host = loc
    if host is not None and visitor is None:
        others = [c for c in countries if c != host]
        if len(others) == 1:
            visitor = others[0]
    return visitor, host


def situation(eng: Engagement, *, planned: bool = False) -> str:
    """The codebook situation of an engagement (see the module docstring)."""
    book = codebook()
    if planned:
        return "planned"
    kind = book.modes.get(eng.mode)
    if kind is None:
        raise ValueError(f"engagement mode {eng.mode!r} is not in the codebook ({', '.join(book.modes)})")
    if kind != IN_PERSON:
        if eng.trigger is not None and book.message_cues and eng.mode == "message":
            for pattern, name in book.message_cues:
                if pattern.search(eng.trigger.text):
                    return name
        return kind
    sidelines = bool(eng.occasion)
    visitor, host = direction(eng)
    if host is not None:
        subjects = _countries(eng, "subject")
        host_side = host in subjects and (visitor is None or visitor not in subjects)
        if sidelines:
            return "sidelines_host" if host_side else "sidelines_guest"
        return "visit_host" if host_side else "visit_guest"
    loc = eng.location.country
    countries = _countries(eng)
    if loc and countries and loc not in countries:
        return "sidelines" if sidelines else "third_country"
    return "sidelines_unknown" if sidelines else "unspecified"


def code_engagement(eng: Engagement, *, planned: bool = False) -> EventCode:
    """PLOVER type and mode, CAMEO code and Goldstein score of an engagement."""
    return codebook().code(situation(eng, planned=planned))


def code_planned(plan: PlannedEngagement) -> EventCode:
    """The code of a planned engagement (PLOVER AGREE, CAMEO 036)."""
    return codebook().code("planned")


def code_readout(readout: Readout) -> Readout:
    """The readout with every engagement's ``codes``, ``visitor`` and ``host`` filled, and the plans coded."""
    engagements = []
    for eng in readout.engagements:
        visitor, host = direction(eng)
        eng = eng.replace(visitor=visitor, host=host)
        engagements.append(eng.replace(codes=code_engagement(eng)))
    planned = tuple(p.replace(codes=code_planned(p)) for p in readout.planned)
    return readout.replace(engagements=tuple(engagements), planned=planned)


__all__ = [
    "Codebook",
    "CodebookError",
    "code_engagement",
    "code_planned",
    "code_readout",
    "codebook",
    "direction",
    "load_codebook",
    "parse_codebook",
    "situation",
]
