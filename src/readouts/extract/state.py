"""Per-document state shared by the extraction steps: the annotation, the dates, the
reference date, the states named, and the trace of decisions (``readouts explain``)."""
from __future__ import annotations

import bisect
from collections import Counter
from datetime import date
from typing import Any

from readouts import gazetteer, sides
from readouts.annotate import Annotated, annotate
from readouts.dates import DateMention, anchor_positions, find_dates, parse_iso
from readouts.extract.rules import rules
from readouts.records import CleanDocument, Span


class Doc:
    """Per-document state shared by the extraction steps."""

    def __init__(self, doc: CleanDocument) -> None:
        self.doc = doc
        self.g = gazetteer.load()
        self.r = rules()
        title_end = len(doc.title) if doc.title else 0
        self.ann: Annotated = annotate(doc.text, title_end)
        self.dates: list[DateMention] = find_dates(doc.text, positions=anchor_positions(self.ann.low, self.ann.starts))
        self._date_starts = [x.start for x in self.dates]
        self.reference: date | None = parse_iso(doc.dateline_date) or parse_iso(doc.published) or self._headline_date()
        self._year: int | None = int(doc.published[:4]) if doc.published else None
        self._year_known = bool(doc.published)
        self._publisher: str | None = None
        self._publisher_known = False
        self.states = self._state_counts()
        self.occasions: dict[int, tuple[str, Span] | None] = {}
        self.trace: list[dict[str, Any]] | None = None  # decisions, when explaining
        self.context_dates: list[tuple[int, set[int], tuple[str, str, Span]]] = []

    def note(self, step: str, rule: str, **info: Any) -> None:
        """Record a decision and the rule that made it (only when explaining)."""
        if self.trace is not None:
            info["step"], info["rule"] = step, rule
            self.trace.append(info)

    @property
    def reference_year(self) -> int | None:
        """The year of the publication date, else of the text's first full date (found on demand)."""
        if not self._year_known:
            self._year = next((m.year for m in self.dates if m.complete), None)
            self._year_known = True
        return self._year

    def publisher_state(self) -> str | None:
        """The state whose official site published the document (by its URL; news sites have none)."""
        if not self._publisher_known:
            side, how = sides.document_side(self.doc.url, None) if self.doc.url else (None, "unknown")
            self._publisher = side if how == "publisher" and side != sides.PRESS else None
            self._publisher_known = True
        return self._publisher

    def _headline_date(self) -> date | None:
        """A full date in the headline ("PM meeting with the UN Secretary-General: 24 September 2019")
        dates the text's "today" and "on Monday" when it has no dateline or publication date."""
        heads = [s for s in self.ann.sentences if s.headline]
        if not heads:
            return None
        for dm in self.dates_in(heads[0].start, heads[-1].end):
            if dm.complete:
                return date(dm.year, dm.month, dm.day)  # type: ignore[arg-type]
        return None

    def weekday_date(self, dm: DateMention) -> tuple[str | None, str | None]:
        """Without a reference date, "on Monday" is the one full date of the text that fell on a Monday."""
        days = set()
        captions = [(c.start, c.end) for c in self.ann.sentences if c.caption]  # a photo's date is not the text's
        for x in self.dates:
            if x.complete and x.kind == "absolute" and not any(a <= x.start < b for a, b in captions):
                try:
                    day = date(x.year, x.month, x.day)  # type: ignore[arg-type]
                except ValueError:
                    continue
                if day.weekday() == dm.weekday:
                    days.add(day.isoformat())
        return (days.pop(), "day") if len(days) == 1 else (None, None)

    def dates_in(self, start: int, end: int) -> list[DateMention]:
        """The document's date expressions that lie within [start, end)."""
        i = bisect.bisect_left(self._date_starts, start)
        out = []
        while i < len(self.dates) and self.dates[i].start < end:
            if self.dates[i].end <= end:
                out.append(self.dates[i])
            i += 1
        return out

    def _state_counts(self) -> Counter:
        c: Counter = Counter()
        a = self.ann
        for n, found in a.tags:
            if n:
                for e in found:
                    if e.kind in ("country", "demonym"):
                        c[e.value] += 1
                        break
        return c
