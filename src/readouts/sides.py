"""Both sides of the story: what each side's reports of one event say that the other's leave out.

A *report* is one source document of an event (``Store.event_sources``: canonical copies,
one per group of copies). Its *side* is who published it (``document_side``): the
government whose ministry, embassy or state media wrote it (an ISO3 code), ``press`` for
independent media, None when it cannot be told. In each report this module finds, each
with its character span:

* **issues**, aligned across sides by label (``data/sides.toml [issues]``: "cross-Strait"
  and "Taiwan question" are both "Taiwan"); issues the extractor found and no label covers
  are kept as written;
* **tone** words said of the engagement ("frank", "candid", "constructive", "in-depth");
* **initiative**: who asked for the call or meeting ("at the request of", "took a call from");
* **commitments**: sentences where the parties agree, pledge or decide something.

``compare_event`` lays the reports of one event out per side and lists what only one side
mentioned; ``dyad_issues`` counts, for a pair of states and a period, in how many of their
events reported by both sides each side mentioned each issue, and where only one did;
``readout_gaps`` lists the events one side (or the press) reported and the other side's
publishers did not. Rules are data (``data/sides.toml``), validated when loaded.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from readouts.actors import name_key
from readouts.compare import only_here, statement_lines
from readouts.evaluate import fold

__all__ = [
    "GAP_WINDOW_DAYS",
    "EventComparison",
    "Finding",
    "IssueCount",
    "ReadoutGap",
    "SidesDataError",
    "compare_event",
    "document_side",
    "dyad_issues",
    "findings",
    "load_rules",
    "one_sided_by_month",
    "readout_gaps",
]

GAP_WINDOW_DAYS = 30  # a side "has publishers in the store" near an event when it has a report this close
PRESS = "press"
KINDS = ("issues", "tones", "initiative", "commitments")


class SidesDataError(ValueError):
    """``data/sides.toml`` is malformed: says which entry and why."""


@dataclass(frozen=True)
class Rules:
    publishers: dict[str, str]
    agencies: tuple[tuple[re.Pattern[str], str], ...]
    agency_chars: int
    issues: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    tone: re.Pattern[str]
    tone_near: re.Pattern[str]
    tone_distance: int
    initiative: tuple[re.Pattern[str], ...]
    commitments: tuple[re.Pattern[str], ...]


def _side_code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not (value == PRESS or re.fullmatch(r"[A-Z]{2,6}", value)):
        raise SidesDataError(f"sides.toml {where}: side must be an ISO3 code or 'press', not {value!r}")
    return value


def _compile(pattern: Any, where: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise SidesDataError(f"sides.toml {where}: a pattern must be a non-empty string, not {pattern!r}")
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise SidesDataError(f"sides.toml {where}: bad pattern {pattern!r}: {exc}") from exc


def parse_rules(data: dict[str, Any]) -> Rules:
    """Validate and compile the rules of ``data/sides.toml`` (parsed TOML)."""
    for section in ("publishers", "agencies", "issues", "tone", "initiative", "commitments"):
        if not isinstance(data.get(section), dict):
            raise SidesDataError(f"sides.toml: missing section [{section}]")
    publishers = {host.casefold(): _side_code(side, f"[publishers] {host}") for host, side in data["publishers"].items()}
    agencies = tuple(  # a credit, not a mention: "(Xinhua)", "BEIJING (Reuters) --", "TASS --"
        (_compile(r"\(\s*" + re.escape(name) + r"\s*\)|(?<![\w-])" + re.escape(name) + r"\s*(?:--|—|–)\s",
                  f"[agencies] {name}", 0),
         _side_code(side, f"[agencies] {name}"))
        for name, side in data["agencies"].items()
    )
    issues = []
    for label, patterns in data["issues"].items():
        if not isinstance(patterns, list) or not patterns:
            raise SidesDataError(f"sides.toml [issues] {label}: a list of patterns is needed")
        issues.append((label, tuple(_compile(p, f"[issues] {label}") for p in patterns)))
    tone = data["tone"]
    words = tone.get("words")
    if not isinstance(words, list) or not words or not all(isinstance(w, str) and w for w in words):
        raise SidesDataError("sides.toml [tone] words: a list of words is needed")
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    distance = tone.get("distance", 40)
    if not isinstance(distance, int) or distance < 0:
        raise SidesDataError("sides.toml [tone] distance: a non-negative integer is needed")
    window = data.get("agency_window", {}).get("chars", 400)
    if not isinstance(window, int) or window <= 0:
        raise SidesDataError("sides.toml [agency_window] chars: a positive integer is needed")
    initiative = data["initiative"].get("who")
    commitments = data["commitments"].get("patterns")
    if not isinstance(initiative, list) or not isinstance(commitments, list):
        raise SidesDataError("sides.toml: [initiative] who and [commitments] patterns must be lists")
    compiled_initiative = tuple(_compile(p, "[initiative] who") for p in initiative)
    for pattern in compiled_initiative:
        if "who" not in pattern.groupindex:
            raise SidesDataError(f"sides.toml [initiative] who: {pattern.pattern!r} has no (?P<who>...) group")
    return Rules(
        publishers=publishers,
        agencies=agencies,
        agency_chars=window,
        issues=tuple(issues),
        tone=_compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", "[tone] words"),
        tone_near=_compile(tone.get("near", ""), "[tone] near"),
        tone_distance=distance,
        initiative=compiled_initiative,
        commitments=tuple(_compile(p, "[commitments] patterns") for p in commitments),
    )


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    text = resources.files("readouts.data").joinpath("sides.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SidesDataError(f"sides.toml: {exc}") from exc
    return parse_rules(data)


# --------------------------------------------------------------------------------- who published

def document_side(url: str | None, text: str | None, declared: str | None = None) -> tuple[str | None, str]:
    """(side, how it was told) of a report: declared by its record ("metadata"), its web
    domain ("publisher"), a news agency credited near its start ("agency": "(Xinhua)",
    "TASS --"; a mere mention does not count), else (None, "unknown")."""
    if declared and declared.strip():
        value = declared.strip()
        return (PRESS if value.casefold() in ("press", "independent", "media") else value.upper()), "metadata"
    rules = load_rules()
    if url:
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").casefold()
        parts = host.split(".")
        for i in range(len(parts) - 1):
            side = rules.publishers.get(".".join(parts[i:]))
            if side:
                return side, "publisher"
    if text:
        head = text[: rules.agency_chars]
        found = [(m.start(), side) for pattern, side in rules.agencies for m in [pattern.search(head)] if m]
        if found:
            return min(found)[1], "agency"
    return None, "unknown"


# --------------------------------------------------------------------------------- findings

@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a report says, where it says it."""

    kind: str  # "issues", "tones", "initiative" or "commitments"
    label: str  # the aligned label: issue label, tone word, initiator side, commitment sentence
    text: str
    start: int
    end: int
    rule: str


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


def _sentences(text: str) -> Iterable[tuple[int, str]]:
    for m in _SENTENCE.finditer(text):
        if m.group().strip():
            yield m.start(), m.group()


def issue_label(text: str) -> str:
    """The aligned label of an issue phrase ("the cross-Strait situation" -> "Taiwan")."""
    for label, patterns in load_rules().issues:
        if any(p.search(text) for p in patterns):
            return label
    return " ".join(text.split())


def _initiator(phrase: str, participants: Sequence[dict[str, Any]]) -> str | None:
    """The side of whoever ``phrase`` names: a participant by name, else a state by name or demonym."""
    words = set(name_key(phrase))
    for p in participants:
        key = name_key(p.get("name") or "") if p.get("name") else ()
        if key and key[-1] in words and p.get("country"):
            return str(p["country"])
    from readouts import gazetteer

    g = gazetteer.load()
    surfaces = gazetteer.TOKEN_RE.findall(gazetteer.normalise(phrase))
    toks = [t.lower() for t in surfaces]
    for i in range(len(toks)):
        _, entries = g.lookup(toks, surfaces, i, frozenset({"country", "demonym", "official"}))
        for e in entries:
            if e.kind in ("country", "demonym"):
                return e.value
            official = g.officials.get(e.value)
            if official is not None and official.country:
                return official.country
    return None


def findings(text: str, readout: dict[str, Any] | None = None,
             participants: Sequence[dict[str, Any]] = ()) -> list[Finding]:
    """Issues, tone words, initiative and commitments in one report's clean text."""
    rules = load_rules()
    out: list[Finding] = []
    for label, patterns in rules.issues:
        for pattern in patterns:
            m = pattern.search(text)
            if m:
                out.append(Finding("issues", label, m.group(), m.start(), m.end(), f"sides.issues:{label}"))
                break
    seen = {f.label for f in out}
    for issue in (readout or {}).get("issues") or ():
        label = issue_label(issue.get("text") or "")
        span = issue.get("span") or {}
        if label and label not in seen:
            seen.add(label)
            out.append(Finding("issues", label, issue.get("text") or "", span.get("start", 0), span.get("end", 0),
                               span.get("rule") or "extract.issues"))
    for m in rules.tone.finditer(text):
        lo, hi = max(0, m.start() - rules.tone_distance), m.end() + rules.tone_distance
        if rules.tone_near.search(text, lo, hi):
            word = m.group().casefold()
            if not any(f.kind == "tones" and f.label == word for f in out):
                out.append(Finding("tones", word, m.group(), m.start(), m.end(), "sides.tone"))
    for pattern in rules.initiative:
        for m in pattern.finditer(text):
            who = m.group("who").strip()
            side = _initiator(who, participants) or who
            out.append(Finding("initiative", side, m.group(), m.start(), m.end(), "sides.initiative"))
    for start, sentence in _sentences(text):
        if any(p.search(sentence) for p in rules.commitments):
            s = sentence.strip()
            offset = start + sentence.index(s)
            labels = sorted({label for label, patterns in rules.issues if any(p.search(s) for p in patterns)})
            out.append(Finding("commitments", ", ".join(labels) or "general", s, offset, offset + len(s),
                               "sides.commitments"))
    return out


# --------------------------------------------------------------------------------- one event

@dataclass
class EventComparison:
    """The reports of one event per side, and what only one side mentioned."""

    event_id: str | None
    sources: list[dict[str, Any]]
    sides: dict[str, dict[str, list[str]]]  # side -> kind -> labels
    only: dict[str, dict[str, list[str]]]  # side -> kind -> labels no other side mentioned

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _side_of(report: dict[str, Any]) -> str:
    return report.get("side") or "unknown"


def compare_event(reports: Sequence[dict[str, Any]]) -> EventComparison:
    """Lay out the reports of one event (``Store.event_sources``) per side."""
    sources: list[dict[str, Any]] = []
    sides: dict[str, dict[str, list[str]]] = {}
    for rep in reports:
        engagement = rep.get("engagement") or {}
        found = findings(rep.get("text") or "", rep.get("readout"), engagement.get("participants") or ())
        side = _side_of(rep)
        per_kind = {k: list(dict.fromkeys(f.label for f in found if f.kind == k)) for k in KINDS}
        bucket = sides.setdefault(side, {k: [] for k in KINDS})
        for k in KINDS:
            bucket[k] = list(dict.fromkeys(bucket[k] + per_kind[k]))
        sources.append({
            "document_id": rep.get("document_id"), "document_key": rep.get("document_key"),
            "engagement_id": rep.get("engagement_id"), "title": rep.get("title"), "url": rep.get("url"),
            "side": side, "side_basis": rep.get("side_basis"),
            "date": engagement.get("date"), "mode": engagement.get("mode"),
            "link_reason": rep.get("link_reason"),
            "statements": statement_lines(rep.get("readout") or {}),
            **per_kind,
            "findings": [asdict(f) for f in found],
        })
    # what no other side / no other report mentions: readouts.compare.only_here, per kind
    only: dict[str, dict[str, list[str]]] = {}
    if len(sides) > 1:
        by_side = {k: only_here([kinds[k] for kinds in sides.values()]) for k in KINDS}
        only = {side: {k: by_side[k][n] for k in KINDS} for n, side in enumerate(sides)}
    per_source = {k: only_here([src[k] for src in sources]) for k in (*KINDS, "statements")}
    for n, src in enumerate(sources):
        src["only_here"] = {k: per_source[k][n] for k in (*KINDS, "statements")}
    event = reports[0].get("event_id") if reports else None
    return EventComparison(event, sources, sides, only)


# --------------------------------------------------------------------------------- a dyad

@dataclass
class IssueCount:
    """For one issue: in how many events reported by both sides each side mentioned it."""

    issue: str
    counts: dict[str, int]
    one_sided: dict[str, list[str]] = field(default_factory=dict)  # side -> event ids only it mentioned it in

    def as_dict(self) -> dict[str, Any]:
        return {"issue": self.issue, "counts": dict(self.counts), "one_sided": {k: list(v) for k, v in self.one_sided.items()}}


def _event_date(reports: Sequence[dict[str, Any]]) -> str | None:
    dates = sorted(d for d in ((r.get("engagement") or {}).get("date") for r in reports) if d)
    if dates:
        return dates[0]
    pubs = sorted(p for p in (r.get("published") for r in reports) if p)
    return pubs[0] if pubs else None


def _issue_sets(reports: Sequence[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rep in reports:
        part = (rep.get("engagement") or {}).get("participants") or ()
        labels = {f.label for f in findings(rep.get("text") or "", rep.get("readout"), part) if f.kind == "issues"}
        out.setdefault(_side_of(rep), set()).update(labels)
    return out


def _has_issue(sets: dict[str, set[str]], side: str, issue: str) -> bool:
    return fold(issue) in {fold(x) for x in sets.get(side, ())}


def dyad_issues(events: Sequence[tuple[str, Sequence[dict[str, Any]]]], a: str, b: str) -> tuple[list[IssueCount], int]:
    """(per-issue counts, number of events both sides reported) over ``Store.dyad_events``."""
    a, b = a.upper(), b.upper()
    rows: dict[str, IssueCount] = {}
    both = 0
    for event, reports in events:
        sets = _issue_sets(reports)
        if a not in sets or b not in sets:
            continue
        both += 1
        for issue in {fold(x): x for x in sorted(sets[a] | sets[b])}.values():
            row = rows.setdefault(fold(issue), IssueCount(issue, {a: 0, b: 0}, {a: [], b: []}))
            for side, other in ((a, b), (b, a)):
                if _has_issue(sets, side, issue):
                    row.counts[side] += 1
                    if not _has_issue(sets, other, issue):
                        row.one_sided[side].append(event)
    ordered = sorted(rows.values(), key=lambda r: (-sum(r.counts.values()), r.issue))
    return ordered, both


def one_sided_by_month(events: Sequence[tuple[str, Sequence[dict[str, Any]]]], a: str, b: str) -> dict[str, dict[str, int]]:
    """Month (YYYY-MM) -> side -> one-sided issue mentions, over events both sides reported."""
    a, b = a.upper(), b.upper()
    out: dict[str, dict[str, int]] = {}
    for _, reports in events:
        sets = _issue_sets(reports)
        when = _event_date(reports)
        if a not in sets or b not in sets or not when:
            continue
        month = out.setdefault(when[:7], {a: 0, b: 0})
        month[a] += sum(1 for x in sets[a] if not _has_issue(sets, b, x))
        month[b] += sum(1 for x in sets[b] if not _has_issue(sets, a, x))
    return dict(sorted(out.items()))


@dataclass
class ReadoutGap:
    """An event one side (or the press) reported and the other side's publishers did not."""

    event_id: str
    date: str | None
    engagement_id: str
    mode: str | None
    participants: list[str]
    reported_by: list[str]
    missing: list[str]
    documents: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def readout_gaps(events: Sequence[tuple[str, Sequence[dict[str, Any]]]], a: str, b: str,
                 has_report: Callable[[str, str | None, str | None], bool]) -> list[ReadoutGap]:
    """Events of the dyad that ``a`` or ``b`` did not report although that side's publishers
    have a report in the store within ``GAP_WINDOW_DAYS`` of the event (``has_report(side,
    first day, last day)``, e.g. ``Store.side_has_report``; days None: any time)."""
    a, b = a.upper(), b.upper()
    out = []
    for event, reports in events:
        by = sorted({_side_of(r) for r in reports})
        when = _event_date(reports)
        day = _day(when)
        lo = (day - timedelta(days=GAP_WINDOW_DAYS)).isoformat() if day else None
        hi = (day + timedelta(days=GAP_WINDOW_DAYS)).isoformat() if day else None
        missing = [side for side in (a, b) if side not in by and has_report(side, lo, hi)]
        if not missing:
            continue
        first = reports[0]
        engagement = first.get("engagement") or {}
        out.append(ReadoutGap(
            event, when, str(first.get("engagement_id") or ""), engagement.get("mode"),
            [p.get("name") or p.get("country") or "?" for p in engagement.get("participants") or ()],
            by, missing, [str(r.get("document_id") or "") for r in reports],
        ))
    return out
