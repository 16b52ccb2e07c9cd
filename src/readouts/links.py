"""Same engagement, several sources: link engagements that report one event.

The Chinese and the Russian foreign ministries each publish a readout of one phone call; a
news agency writes a story about it. Those documents are not copies (``readouts.dedup``
groups copies) but their engagements are one event. Reports of one event differ in date
(time zones; "on Thursday" against the publication date), in names ("Antony J. Blinken",
"Anthony Blinken"), in mode words ("talks" against "meeting") and in how many participants
they name. Two engagements are the same event (``explain`` says why, or None) when:

* they come from different documents;
* **states**: they have the same two or more participating states; ``block_key`` (mode
  class + states) is the block a store looks candidates up in. Participant lists may be
  partial within those states (Biden and Xi; Biden, Blinken, Xi and Wang Yi);
* **people**: for every shared state whose participants both sides name, some name of one
  matches some name of the other (``names_match``: the same resolved actor, one name a
  part of the other, or the same family name with a compatible first name; names in Han
  or Cyrillic script through their romanisation). So Blinken meeting Xi Jinping and
  Blinken meeting Wang Yi on one day stay two events;
* **mode**: the same class: meeting ~ talks (in person), phone_call ~ video_call (remote),
  message;
* **place**: in-person engagements in two named, different cities never link;
* **time** (``TimeSpan``): the engagement's date (a day, or a month), else its document's
  publication window (``PUBLICATION_WINDOW`` days up to the publication date, one after);
  two days may be up to ``DAY_WINDOW`` days apart, other spans must touch within a day.
  An engagement with no time at all (no date, no publication date) joins an event only
  when it is the one compatible event of its block (or when every compatible event has a
  report of one document: that document reported the engagement twice).

``choose_event`` picks, among candidate engagements already linked to events, the event a
new engagement joins (the best-scoring compatible one; none when two different events tie):
linking is incremental, one engagement at a time. ``link_engagements`` links a whole
collection with the same rule (dated engagements first, in date order), so its result does
not depend on the order of its input. Pure functions, no database.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from readouts.actors import name_key

__all__ = [
    "DAY_WINDOW",
    "PUBLICATION_WINDOW",
    "EngagementRef",
    "LinkReason",
    "PartRef",
    "TimeSpan",
    "block_key",
    "choose_event",
    "explain",
    "link_engagements",
    "link_order",
    "mode_class",
    "names_match",
    "time_span",
    "times_compatible",
]

DAY_WINDOW = 1  # two reported days of one event: time zones, "on Thursday" vs the dateline
PUBLICATION_WINDOW = 3  # an undated engagement happened at most this many days before publication
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})

_MODE_CLASS = {
    "meeting": "in_person",
    "talks": "in_person",
    "phone_call": "remote",
    "video_call": "remote",
    "message": "message",
}


def mode_class(mode: str) -> str:
    return _MODE_CLASS.get(mode, mode)


# ---------------------------------------------------------------------------------- records

@dataclass(frozen=True, slots=True)
class PartRef:
    """One participant as linking sees it."""

    name: str | None
    country: str | None
    actor_id: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return _key(self.name) if self.name else ()


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """When an engagement happened, as far as its document tells: [first, last] and how we know."""

    first: date
    last: date
    basis: str  # "date" (a day), "month" (a month date) or "publication" (the document's date)


@dataclass(frozen=True, slots=True)
class EngagementRef:
    """What linking needs to know about one engagement."""

    id: str
    document: str  # document key
    mode: str
    date: str | None
    participants: tuple[PartRef, ...]
    published: str | None = None  # the document's publication date
    city: str | None = None

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(p.country.upper() for p in self.participants if p.country)

    @property
    def span(self) -> TimeSpan | None:
        return time_span(self.date, self.published)


@dataclass(frozen=True, slots=True)
class LinkReason:
    """Why two engagements were linked: the evidence, kept with the link."""

    linked_to: str  # the engagement id the new one was matched against
    countries: tuple[str, ...]
    shared: tuple[tuple[str, str], ...]  # (name here, name there) of matched participants
    modes: tuple[str, str]
    date_gap: int | None  # days between the two time spans (0 = overlapping), None without time
    time: str  # "date", "month", "publication" or "only candidate"
    score: tuple[int, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "linked_to": self.linked_to,
            "countries": list(self.countries),
            "shared": [list(p) for p in self.shared],
            "modes": list(self.modes),
            "date_gap": self.date_gap,
            "time": self.time,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkReason:
        return cls(str(data["linked_to"]), tuple(data.get("countries") or ()),
                   tuple((str(a), str(b)) for a, b in data.get("shared") or ()),
                   tuple(data.get("modes") or ("", "")), data.get("date_gap"), str(data.get("time") or ""))

    def describe(self) -> str:
        who = ", ".join(a if a == b else f"{a} = {b}" for a, b in self.shared) or "-".join(self.countries)
        gap = {None: "no date", 0: "same day"}.get(self.date_gap, f"{self.date_gap} days apart")
        mode = self.modes[0] if self.modes[0] == self.modes[1] else f"{self.modes[0]} ~ {self.modes[1]}"
        return f"{who}; {gap} ({self.time}); {mode}"


# ---------------------------------------------------------------------------------- names

# Names written in another script are compared through a romanisation: Han characters by
# their pinyin (the family name, then the given name as one word: 习近平 -> xi jinping),
# Cyrillic letter by letter (Сергей Лавров -> sergei lavrov). A romanisation is trusted to
# tell two people apart only for a state whose own names are written in that script; a
# Chinese rendering of a foreign name (布林肯 for Blinken) neither matches nor vetoes.
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
     "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi", "ye", "g", "u"],
))
_NATIVE = {
    "han": frozenset({"CHN", "TWN", "HKG", "MAC", "SGP"}),
    "cyrillic": frozenset({"RUS", "BLR", "UKR", "KAZ", "KGZ", "TJK", "BGR", "SRB", "MKD", "MNE", "MNG", "BIH"}),
}


def _script(name: str) -> str:
    for ch in name:
        if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
            return "han"
        if "\u0400" <= ch <= "\u04ff":
            return "cyrillic"
    return "latin"


@lru_cache(maxsize=65536)
def _key(name: str) -> tuple[str, ...]:
    script = _script(name)
    if script == "han":
        from pypinyin import lazy_pinyin  # only for names in Han characters

        syllables = [s for s in lazy_pinyin("".join(ch for ch in name if not ch.isspace())) if s.isalpha()]
        name = " ".join(syllables[:1] + ["".join(syllables[1:])]) if len(syllables) > 1 else " ".join(syllables)
    elif script == "cyrillic":
        name = "".join(_CYRILLIC.get(ch, ch) for ch in name.casefold())
    return tuple(t for t in name_key(name) if t not in _NAME_SUFFIXES)


def names_match(a: PartRef, b: PartRef) -> bool | None:
    """Whether two named participants can be one person (same state assumed); None when
    that cannot be told (a foreign name in another script)."""
    if a.actor_id and a.actor_id == b.actor_id:
        return True
    ka, kb = a.key, b.key
    if not ka or not kb:
        return False
    if _same_name(ka, kb):
        return True
    scripts = {_script(a.name or ""), _script(b.name or "")}
    if len(scripts) > 1:
        foreign = scripts - {"latin"}
        country = (a.country or b.country or "").upper()
        if not all(country in _NATIVE.get(s, ()) for s in foreign):
            return None
    return False


def _same_name(ka: tuple[str, ...], kb: tuple[str, ...]) -> bool:
    sa, sb = set(ka), set(kb)
    if sa <= sb or sb <= sa:  # "Xi" / "Xi Jinping"; "Vladimir Putin" / an over-long capture
        return True
    if ka[-1] == kb[-1] and len(ka[-1]) > 1:  # one family name: the first names must agree
        fa, fb = ka[0], kb[0]  # "Joseph" ~ "Joe", "S." ~ "EAM"; "Joe" vs "Hunter" do not
        return len(fa) == 1 or len(fb) == 1 or fa[0] == fb[0]
    return False


# ---------------------------------------------------------------------------------- time

def _parse(value: str | None) -> tuple[date, date, str] | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return d, d, "date"
        if len(value) == 7:
            y, m = int(value[:4]), int(value[5:7])
            return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]), "month"
    except ValueError:
        return None
    return None


def time_span(when: str | None, published: str | None) -> TimeSpan | None:
    """The engagement's own date, else its document's publication window, else None."""
    own = _parse(when)
    if own is not None:
        return TimeSpan(*own)
    pub = _parse(published)
    if pub is None:
        return None
    first, last, basis = pub
    if basis == "date":
        return TimeSpan(first - timedelta(days=PUBLICATION_WINDOW), last + timedelta(days=1), "publication")
    return TimeSpan(first, last, "publication")


def _gap(a: TimeSpan, b: TimeSpan) -> int:
    if a.last < b.first:
        return (b.first - a.last).days
    if b.last < a.first:
        return (a.first - b.last).days
    return 0


def times_compatible(a: TimeSpan, b: TimeSpan) -> bool:
    """Two days at most ``DAY_WINDOW`` days apart; other spans touching within a day."""
    limit = DAY_WINDOW if a.basis == b.basis == "date" else 1
    return _gap(a, b) <= limit


# ---------------------------------------------------------------------------------- pairs

def block_key(mode: str, countries: Iterable[str]) -> str | None:
    """The block an engagement's candidates are looked up in; None when it names < 2 states."""
    states = sorted({c.upper() for c in countries if c})
    if len(states) < 2:
        return None
    return mode_class(mode) + ":" + "|".join(states)


def _fold_city(city: str | None) -> str:
    return " ".join(name_key(city)) if city else ""


def explain(a: EngagementRef, b: EngagementRef) -> LinkReason | None:
    """Why ``a`` and ``b`` are one event, or None when they are not (see the module doc).

    Without a time span on either side the time test is left to ``choose_event`` (the
    reason's ``time`` is then "only candidate").
    """
    if a.document == b.document or mode_class(a.mode) != mode_class(b.mode):
        return None
    ca, cb = a.countries, b.countries
    shared_states = ca & cb
    if len(shared_states) < 2 or ca != cb:
        return None
    if mode_class(a.mode) == "in_person":
        fa, fb = _fold_city(a.city), _fold_city(b.city)
        if fa and fb and fa != fb:
            return None
    shared: list[tuple[str, str]] = []
    for state in sorted(shared_states):
        na = [p for p in a.participants if p.name and p.country and p.country.upper() == state]
        nb = [p for p in b.participants if p.name and p.country and p.country.upper() == state]
        if not na or not nb:
            continue
        verdicts = [(names_match(x, y), x, y) for x in na for y in nb]
        pairs = [(x, y) for v, x, y in verdicts if v]
        if pairs:
            shared.extend((x.name or "", y.name or "") for x, y in pairs[:1])
        elif not any(v is None for v, _, _ in verdicts):
            return None  # other people of that state
    sa, sb = a.span, b.span
    if sa is not None and sb is not None:
        if not times_compatible(sa, sb):
            return None
        gap: int | None = _gap(sa, sb)
        basis = sa.basis if sa.basis == sb.basis else "publication" if "publication" in (sa.basis, sb.basis) \
            else "month"
    else:  # a side without time: only ``choose_event`` decides, when it is the one candidate
        gap, basis = None, "only candidate"
    score = (  # more people matched, then stated dates over publication windows, then closer
        len(shared),
        {"date": 2, "month": 1}.get(basis, 0),
        -(gap if gap is not None else 99),
        int(a.mode == b.mode),
        int(bool(_fold_city(a.city)) and _fold_city(a.city) == _fold_city(b.city)),
    )
    return LinkReason(b.id, tuple(sorted(shared_states)), tuple(shared), (a.mode, b.mode), gap, basis, score)


def _conflict(a: EngagementRef, b: EngagementRef) -> bool:
    """A different engagement for sure: the same states, but other people (or another city)."""
    probe_a = EngagementRef(a.id, a.document + "\x00", a.mode, None, a.participants, None, a.city)
    probe_b = EngagementRef(b.id, b.document, b.mode, None, b.participants, None, b.city)
    return explain(probe_a, probe_b) is None


def choose_event(ref: EngagementRef, candidates: Sequence[tuple[EngagementRef, str]]) -> tuple[str, LinkReason] | None:
    """The event ``ref`` joins among ``(engagement, event id)`` candidates, with the reason; None for a new event.

    An event qualifies when one of its engagements is compatible with ``ref`` (``explain``),
    none comes from ``ref``'s document and none is a participant or place conflict. The best
    score wins; two different events with the best score are ambiguous (no link). ``ref``
    without a time span joins only the single event compatible with it among every
    candidate of its block (the caller passes the whole block for such engagements); a
    timed ``ref`` is matched against timed engagements only.
    """
    by_event: dict[str, list[EngagementRef]] = {}
    for cand, event in candidates:
        if cand.id != ref.id:
            by_event.setdefault(event, []).append(cand)
    best: list[tuple[tuple[int, ...], str, LinkReason]] = []
    timeless = ref.span is None
    for event, members in by_event.items():
        if any(m.document == ref.document for m in members):
            continue
        if any(_conflict(ref, m) for m in members):
            continue
        reasons = [r for r in (explain(ref, m) for m in members)
                   if r is not None and (timeless or r.time != "only candidate")]
        if not reasons:
            continue
        reason = max(reasons, key=lambda r: r.score)
        best.append((reason.score, event, reason))
    if not best:
        return None
    if timeless:
        if len(best) > 1:
            # several events fit; one document reporting the call twice (once dated, once
            # not) is the only ambiguity resolved: take the event with the most reports
            docs = {event: {m.document for m in by_event[event]} for _, event, _ in best}
            if not set.intersection(*docs.values()):
                return None
            best.sort(key=lambda t: (len(docs[t[1]]), t[0]), reverse=True)
        _, event, reason = best[0]
        return event, reason
    best.sort(key=lambda t: t[0], reverse=True)
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None  # two events fit equally well: do not guess
    return best[0][1], best[0][2]


def _order(ref: EngagementRef) -> tuple:
    span = ref.span
    return (span is None, span.first if span else date.min, ref.date is None, ref.id)


def link_engagements(items: Iterable[EngagementRef]) -> dict[str, tuple[str, LinkReason | None]]:
    """Engagement id -> (event id, why it joined; None for the event's first) for every item.

    The same rule as incremental linking (``choose_event``), applied to the items in a fixed
    order (timed engagements first, by time, then the timeless ones), so the result does not
    depend on the order of ``items``. Event ids are ``ev:<id of the event's first engagement>``.
    """
    refs = sorted({r.id: r for r in items}.values(), key=_order)
    blocks: dict[str, list[tuple[EngagementRef, str]]] = {}
    out: dict[str, tuple[str, LinkReason | None]] = {}
    for ref in refs:
        key = block_key(ref.mode, ref.countries)
        chosen = choose_event(ref, blocks.get(key, [])) if key else None
        if chosen is None:
            event, reason = "ev:" + ref.id, None
        else:
            event, reason = chosen
        out[ref.id] = (event, reason)
        if key:
            blocks.setdefault(key, []).append((ref, event))
    return out


def link_order(ref: EngagementRef) -> tuple:
    """The order engagements are linked in: timed ones first, by time, then the timeless ones."""
    return _order(ref)
