"""Enrichment: engagements of one event linked across sources (``readouts.links``).

Incremental: each new engagement is compared with the engagements of its block (mode class and
states) whose time span is near its own, found through the index ``engagements_block``
(``link_key``, ``link_day``), so the cost does not grow with the store.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any


class EventLinks:
    """The event-linking methods of ``readouts.store.Store`` (a mixin)."""

    _conn: sqlite3.Connection

    # The candidates of a timed engagement: its block, time spans starting from a month
    # before its own (a month date starts on the 1st) to a few days after it.
    _LINK_BEFORE_DAYS = 35
    _LINK_AFTER_DAYS = 7

    def link_events(self) -> int:
        """Link the engagements that have no event yet; returns how many joined an event.

        Incremental: each new engagement is compared with the engagements of its block
        (``engagements.link_key``: mode class and states) whose time span is near its own
        (``link_day``, indexed), so the cost does not grow with the store. Why each link
        was made is kept in ``engagements.link_reason`` (JSON, ``readouts.links.LinkReason``).
        """
        with self._transaction():
            return self._link_new_engagements()

    def _link_ref(self, eid: str) -> Any:
        from readouts.links import EngagementRef, PartRef

        row = self._conn.execute(
            """SELECT e.document_id, e.mode, e.date, d.published, e.location_city
               FROM engagements e JOIN documents d ON d.id = e.document_id WHERE e.id = ?""",
            (eid,),
        ).fetchone()
        parts = tuple(  # a participant without a country takes its resolved actor's
            PartRef(n, c, a) for n, c, a in self._conn.execute(
                """SELECT p.name, coalesce(p.country, a.country), p.actor_id FROM participants p
                   LEFT JOIN actors a ON a.id = p.actor_id WHERE p.engagement_id = ? ORDER BY p.ordinal""",
                (eid,),
            )
        )
        return EngagementRef(eid, row[0], row[1], row[2], parts, row[3], row[4])

    def _link_candidates(self, ref: Any, block: str) -> list[tuple[Any, str]]:
        from datetime import timedelta

        span = ref.span
        if span is None:  # a timeless engagement is compared with its whole block
            rows = self._conn.execute(
                "SELECT id, event_id FROM engagements WHERE link_key = ? AND event_id IS NOT NULL AND id != ?",
                (block, ref.id),
            ).fetchall()
        else:
            lo = (span.first - timedelta(days=self._LINK_BEFORE_DAYS)).isoformat()
            hi = (span.last + timedelta(days=self._LINK_AFTER_DAYS)).isoformat()
            rows = self._conn.execute(
                """SELECT id, event_id FROM engagements WHERE link_key = ? AND link_day BETWEEN ? AND ?
                   AND event_id IS NOT NULL AND id != ?""",
                (block, lo, hi, ref.id),
            ).fetchall()
        return [(self._link_ref(eid), event) for eid, event in rows]

    def _link_new_engagements(self) -> int:
        from readouts.links import block_key, choose_event, link_order

        new = [self._link_ref(eid) for (eid,) in self._conn.execute(
            "SELECT id FROM engagements WHERE event_id IS NULL"
        ).fetchall()]
        joined = 0
        touched: set[str] = set()
        for ref in sorted(new, key=link_order):
            block = block_key(ref.mode, ref.countries)
            span = ref.span
            chosen = choose_event(ref, self._link_candidates(ref, block)) if block else None
            event, reason = chosen if chosen else ("ev:" + ref.id, None)
            joined += chosen is not None
            if block:
                touched.add(block)
            self._conn.execute(
                "UPDATE engagements SET link_key = ?, link_day = ?, event_id = ?, link_reason = ? WHERE id = ?",
                (block, span.first.isoformat() if span else None, event,
                 json.dumps(reason.as_dict(), ensure_ascii=False) if reason else None, ref.id),
            )
        # a timeless engagement stored before the first timed report of its event joins it now
        for block in sorted(touched):
            for (eid,) in self._conn.execute(
                """SELECT e.id FROM engagements e WHERE e.link_key = ? AND e.link_day IS NULL
                   AND e.event_id = 'ev:' || e.id
                   AND NOT EXISTS (SELECT 1 FROM engagements o WHERE o.event_id = e.event_id AND o.id != e.id)""",
                (block,),
            ).fetchall():
                ref = self._link_ref(eid)
                chosen = choose_event(ref, self._link_candidates(ref, block))
                if chosen:
                    joined += 1
                    self._conn.execute(
                        "UPDATE engagements SET event_id = ?, link_reason = ? WHERE id = ?",
                        (chosen[0], json.dumps(chosen[1].as_dict(), ensure_ascii=False), eid),
                    )
        return joined

