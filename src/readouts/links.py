"""Same engagement, several sources: link engagements that report one event.

The Chinese and the Russian foreign ministries each publish a readout of one phone call; a
news agency writes a story about it. Those documents are not copies (``readouts.dedup``
groups copies) but their engagements are one event. ``link_engagements`` links them:

* the same set of participants: resolved actor ids when ``readouts.actors`` resolved them,
  else folded names (and countries for nameless participants);
* compatible modes: meeting ~ talks (in person), phone_call ~ video_call (remote), message;
  a phone call and a meeting never link;
* compatible dates: equal; both day dates within ``DAY_WINDOW`` days; a partial date (month)
  containing the other; or one undated and the other within its document's publication
  window (``PUBLICATION_WINDOW`` days up to the publication date, one day after);
* different documents; two engagements of one document never end up in one event.

Pure functions, no database. The store calls them per block of engagements that share a
``link_key`` (mode class + participant set), so linking is incremental.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "DAY_WINDOW",
    "PUBLICATION_WINDOW",
    "EngagementRef",
    "dates_compatible",
    "link_engagements",
    "link_key",
    "mode_class",
    "participant_key",
]

DAY_WINDOW = 2
PUBLICATION_WINDOW = 3  # an undated engagement happened at most this many days before publication

_MODE_CLASS = {
    "meeting": "in_person",
    "talks": "in_person",
    "phone_call": "remote",
    "video_call": "remote",
    "message": "message",
}


def mode_class(mode: str) -> str:
    return _MODE_CLASS.get(mode, mode)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def participant_key(name: str | None, country: str | None, actor_id: str | None = None) -> str | None:
    """How a participant is compared: its actor id, else its folded name, else its country."""
    if actor_id:
        return actor_id
    if name and name.strip():
        return "n:" + _fold(name) + (f":{country.upper()}" if country else "")
    if country:
        return "s:" + country.upper()
    return None


@dataclass(frozen=True, slots=True)
class EngagementRef:
    """What linking needs to know about one engagement."""

    id: str
    document: str  # document key
    mode: str
    date: str | None
    participants: frozenset[str]  # participant keys (see ``participant_key``)
    published: str | None = None  # the document's publication date
    group: str | None = None  # the document's duplicate group (informative)


def link_key(mode: str, participants: Iterable[str]) -> str | None:
    """Blocking key: engagements can only link within one key. None: never linked (< 2 participants)."""
    keys = sorted(set(participants))
    if len(keys) < 2:
        return None
    digest = hashlib.sha256("\x1f".join([mode_class(mode), *keys]).encode("utf-8")).hexdigest()
    return digest[:16]


def _day(value: str | None) -> date | None:
    if value and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _within_publication(day: date, published: str | None) -> bool:
    pub = _day(published)
    if pub is None:
        return False
    return pub - timedelta(days=PUBLICATION_WINDOW) <= day <= pub + timedelta(days=1)


def dates_compatible(a: EngagementRef, b: EngagementRef) -> bool:
    if a.date and b.date:
        if a.date == b.date:
            return True
        da, db = _day(a.date), _day(b.date)
        if da and db:
            return abs((da - db).days) <= DAY_WINDOW
        # a month (or year) date and a day date inside it
        short, long_ = sorted((a.date, b.date), key=len)
        return len(short) >= 7 and long_.startswith(short + "-")
    if a.date or b.date:
        dated, undated = (a, b) if a.date else (b, a)
        day = _day(dated.date)
        if day is not None:
            return _within_publication(day, undated.published)
        return False
    pa, pb = _day(a.published), _day(b.published)  # both undated: close publications
    return pa is not None and pb is not None and abs((pa - pb).days) <= 1


def compatible(a: EngagementRef, b: EngagementRef) -> bool:
    return (
        a.document != b.document
        and a.participants == b.participants
        and len(a.participants) >= 2
        and mode_class(a.mode) == mode_class(b.mode)
        and dates_compatible(a, b)
    )


def _order(ref: EngagementRef) -> tuple:
    return (ref.date is None, ref.date or "", ref.id)


def link_engagements(items: Iterable[EngagementRef]) -> dict[str, str]:
    """Engagement id -> event id (``ev:<id of the event's first engagement>``) for every item.

    Engagements that link to nothing get an event of their own. Compatible pairs are merged
    (union-find, in date order) unless the merge would put two engagements of one document
    into one event. The result does not depend on the order of ``items``.
    """
    refs = sorted({r.id: r for r in items}.values(), key=_order)
    parent = {r.id: r.id for r in refs}
    docs = {r.id: {r.document} for r in refs}
    position = {r.id: i for i, r in enumerate(refs)}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    blocks: dict[tuple, list[EngagementRef]] = {}
    for r in refs:
        blocks.setdefault((mode_class(r.mode), r.participants), []).append(r)
    for block in blocks.values():
        if len(block[0].participants) < 2:
            continue
        for i, a in enumerate(block):
            for b in block[i + 1:]:
                ra, rb = find(a.id), find(b.id)
                if ra == rb or not compatible(a, b):
                    continue
                if docs[ra] & docs[rb]:
                    continue
                first, second = (ra, rb) if position[ra] < position[rb] else (rb, ra)
                parent[second] = first
                docs[first] |= docs.pop(second)
    return {r.id: "ev:" + find(r.id) for r in refs}

