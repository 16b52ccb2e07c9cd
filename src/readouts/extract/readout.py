"""Is the document a readout (a report of an engagement that took place)?"""
from __future__ import annotations

import re

from readouts.extract.state import Doc
from readouts.records import Engagement


def readout_decision(d: Doc, engagements: list[Engagement]) -> tuple[bool, str]:
    if not engagements:
        return False, "no engagement between identified officials"
    if any(d.r.non_readout_re.search(line) for line in _title_lines(d)):
        return False, "title marks a transcript, statement, speech or interview"
    if d.r.announcement_re.search(d.doc.title or ""):
        return False, "title announces an engagement to come or an appointment"
    months = {e.date for e in engagements if e.date and e.date_precision == "month"}
    if len(months) >= 3:
        return False, "an overview of engagements over several months"
    if len(engagements) >= 2 and not any(e.date_precision == "day" for e in engagements) and _year_in_review(d):
        return False, "an overview of a year's relations"
    return True, "reports an engagement that took place"


# "In 2013, the relations between A and B continued to develop.": a year in review
_YEAR_LEAD = re.compile(r"\s*(?:In|During|Throughout)\s+(?:the\s+year\s+)?(?:1[89]|20)\d\d\s*,", re.I)


def _year_in_review(d: Doc) -> bool:
    """Does the text open on a year as a whole (its first sentences), as a yearbook does?"""
    return any(_YEAR_LEAD.match(s.text) for s in [x for x in d.ann.sentences if not x.headline][:3])


def _title_lines(d: Doc) -> list[str]:
    """The title, and a title-like first line of the body (a page whose <title> is the site's
    name puts the document's own title there): short, no sentence end."""
    lines = [d.doc.title or ""]
    body = [s for s in d.ann.sentences if not s.headline][:1]
    if body and len(body[0].text) < 160 and not body[0].text.rstrip().endswith((".", "!", "?", ":")):
        lines.append(body[0].text)
    return lines
