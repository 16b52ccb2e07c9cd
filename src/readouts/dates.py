"""Date expressions: find them in text and resolve them against a reference date.

A fast path of compiled patterns covers the forms readouts use ("July 26, 2019",
"26 July 2019", "Feb. 28", "10th July 2017", "2024-11-18", "29-Oct-2022", "on Monday",
"today", "yesterday", "Nov 3-5, 2014", "In November"). Nothing here needs a network or a
model; resolution is pure arithmetic on ``datetime.date``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import compress

from readouts.patterns import TokenPattern, token_flags

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}
RELATIVE = {"today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
            "earlier today": 0, "yesterday": -1, "the day before": -1}

_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

_PATTERNS = [
    # 2024-11-18, 2019/3/8
    ("iso", rf"(?P<iso_y>{_YEAR})[-/](?P<iso_m>1[0-2]|0?[1-9])[-/](?P<iso_d>3[01]|[12]\d|0?[1-9])(?!\d)"),
    # 29-Oct-2022
    ("dmy_dash", rf"(?<![\d.])(?P<dd_d>{_DAY})-(?P<dd_m>{_MONTH})-(?P<dd_y>{_YEAR})"),
    # 07/10/2025 (month first, as English pages write it)
    ("us", rf"(?<![\d/])(?P<us_m>1[0-2]|0?[1-9])/(?P<us_d>3[01]|[12]\d|0?[1-9])/(?P<us_y>{_YEAR})(?!\d)"),
    # July 26, 2019 ; Nov 3-5, 2014 ; July 26 ; Sept. 9 ; June 8 to 10
    ("mdy", rf"(?P<mdy_m>{_MONTH})\s+(?P<mdy_d>{_DAY})(?:\s*(?:-|–|to|and)\s*(?P<mdy_d2>{_DAY}))?(?!\d)(?:(?:,\s*|\s+)(?P<mdy_y>{_YEAR}))?"),
    # 26 July 2019 ; 10th July 2017 ; 18 Sep, 2015 ; 3-5 November 2014 ; 27th of January
    ("dmy", rf"(?<![\d.])(?P<dmy_d>{_DAY})(?:\s*(?:-|–|to)\s*(?P<dmy_d2>{_DAY}))?\s+(?:of\s+)?(?P<dmy_m>{_MONTH})(?![a-z])(?:,?\s+(?P<dmy_y>{_YEAR}))?"),
    # In November 2013 ; in November
    ("month", rf"(?i:\b(?:in|since|during|early|late|mid-?))\s+(?P<mo_m>{_MONTH})(?:\s+(?P<mo_y>{_YEAR}))?\b"),
    # on Monday ; (Mon) ; Monday
    ("weekday", rf"(?P<wd_last>\blast\s+)?\b(?P<wd>{_WEEKDAY})\b|\((?P<wd_abbr>Mon|Tue|Wed|Thu|Fri|Sat|Sun)\)"),
    ("relative", r"(?i:\b(?P<rel>earlier today|today|tonight|this (?:morning|afternoon|evening)|yesterday)\b)"),
    ("same_day", r"(?i:\b(?P<same>(?:on )?the same day|on that day)\b)"),
    ("year", rf"(?i:\bin\s+(?P<yr>{_YEAR})\b)"),
]
DATE_P = TokenPattern([(name, pat) for name, pat in _PATTERNS])
# Where a date expression can start: a digit, "(", or a word that begins one. Matching the
# full pattern only there is several times faster than scanning every position.
_ANCHOR_RE = re.compile(
    r"\d|\((?=Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
    r"|\b(?:[Tt]oday|[Tt]onight|[Yy]esterday|[Ee]arlier\s+today|[Tt]his\s+(?:morning|afternoon|evening))"
    r"|\b(?:[Ii]n|[Ss]ince|[Dd]uring|[Ee]arly|[Ll]ate|[Mm]id)-?\s*(?=(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{4})"
    r"|\b[Ll]ast\s+(?=[MTWFS][a-z]+day)"
    r"|\b(?:[Oo]n\s+)?(?:[Tt]he\s+same\s+day|that\s+day)"
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found in text, not yet resolved."""

    start: int
    end: int
    text: str
    kind: str  # absolute | weekday | relative | month | year | same_day
    year: int | None = None
    month: int | None = None
    day: int | None = None
    day_end: int | None = None  # last day of a range ("Nov 3-5")
    weekday: int | None = None
    offset: int | None = None  # days from the reference date for "today", "yesterday"
    last: bool = False  # "last Sunday"

    @property
    def complete(self) -> bool:
        return self.year is not None and self.month is not None and self.day is not None


_MONTH_WORDS = frozenset(MONTHS)
_DAY_WORDS = frozenset(WEEKDAYS)
# a word that starts a date expression only when the next word fits
_LEADS = {
    "in": _MONTH_WORDS, "since": _MONTH_WORDS, "during": _MONTH_WORDS, "early": _MONTH_WORDS,
    "late": _MONTH_WORDS, "mid": _MONTH_WORDS, "last": _DAY_WORDS, "(": _DAY_WORDS,
    "this": frozenset({"morning", "afternoon", "evening"}), "earlier": frozenset({"today"}),
    "on": frozenset({"the", "that"}), "the": frozenset({"same"}), "that": frozenset({"day"}),
}
_ALONE = _MONTH_WORDS | _DAY_WORDS | frozenset({"today", "tonight", "yesterday"})


_ANCHOR_CACHE: dict[str, bool] = {}  # token -> may a date expression start at it


def _anchor_token(t: str) -> bool:
    return t[0].isdigit() or t in _ALONE or t in _LEADS


def anchor_positions(tokens: list[str], starts: list[int]) -> list[int]:
    """Offsets where a date expression can start, from a text's tokens (lower-cased)."""
    out = []
    n = len(tokens)
    for i in compress(range(n), token_flags(tokens, _ANCHOR_CACHE, _anchor_token)):
        t = tokens[i]
        if t[0].isdigit() or t in _ALONE:
            out.append(starts[i])
        elif t in _LEADS and i + 1 < n:
            nxt = tokens[i + 1]
            if nxt in _LEADS[t] or (t in ("in", "since", "during") and len(nxt) == 4 and nxt.isdigit()) or (t == "mid" and nxt == "-"):
                out.append(starts[i])
    return out


def _matches(text: str, positions: list[int] | None = None) -> list[re.Match[str]]:
    """What ``DATE_P.rx.finditer`` finds, tried only at anchor positions."""
    out = []
    done = 0
    if positions is None:
        positions = [a.start() for a in _ANCHOR_RE.finditer(text)]
    for pos in positions:
        if pos < done:
            continue
        rx = DATE_P.at(text[pos])  # only the forms that can begin with this character
        m = rx.match(text, pos) if rx is not None else None
        if m:
            out.append(m)
            done = m.end()
    return out


def _valid(y: int | None, m: int, d: int | None) -> bool:
    try:
        date(y or 2000, m, d or 1)
    except ValueError:
        return False
    return True


def find_dates(text: str, offset: int = 0, positions: list[int] | None = None) -> list[DateMention]:
    """All date expressions in ``text``; offsets shifted by ``offset``.

    ``positions`` (from ``anchor_positions``) spares the scan for anchors when the caller
    has the text's tokens already.
    """
    out: list[DateMention] = []
    for m in _matches(text, positions):
        kind = m.lastgroup
        start, end = m.start() + offset, m.end() + offset
        s = m.group(0)
        prefix = _PREFIXES.get(kind or "")
        if prefix is not None:
            month_raw = m.group(prefix + "_m")
            month = int(month_raw) if month_raw.isdigit() else MONTHS[month_raw.rstrip(".").lower()]
            day = _leading_int(m.group(prefix + "_d"))
            y = m.group(prefix + "_y")
            year = int(y) if y else None
            d2 = m.group(prefix + "_d2") if prefix in ("mdy", "dmy") else None
            day_end = _leading_int(d2) if d2 else None
            if kind == "mdy" and year is None and not month_raw[0].isupper() and month_raw.rstrip(".").lower() in ("may", "march"):
                continue  # "may 3" inside a sentence is more often the verb/noun; require capital M
            if not _valid(year, month, day):
                continue
            out.append(DateMention(start, end, s, "absolute", year, month, day, day_end))
        elif kind == "month":
            month = MONTHS[m.group("mo_m").rstrip(".").lower()]
            y = m.group("mo_y")
            year = int(y) if y else None
            lead = _LEAD_RE.match(s)
            start += lead.end() if lead else 0
            out.append(DateMention(start, end, text[start - offset:end - offset], "month", year, month))
        elif kind == "weekday":
            name = (m.group("wd") or m.group("wd_abbr") or "").lower()
            out.append(DateMention(start, end, s, "weekday", weekday=WEEKDAYS[name], last=bool(m.group("wd_last"))))
        elif kind == "relative":
            out.append(DateMention(start, end, s, "relative", offset=RELATIVE[m.group("rel").lower()]))
        elif kind == "same_day":
            out.append(DateMention(start, end, s, "same_day"))
        elif kind == "year":
            out.append(DateMention(start, end, s, "year", year=int(m.group("yr"))))
    return out


_PREFIXES = {"iso": "iso", "dmy_dash": "dd", "us": "us", "mdy": "mdy", "dmy": "dmy"}
_DIGITS_RE = re.compile(r"\d+")
_LEAD_RE = re.compile(r"\S+\s+")


def _leading_int(value: str) -> int:
    """The number a day starts with: '10th' -> 10."""
    return int(_DIGITS_RE.match(value).group(0))  # type: ignore[union-attr]


def parse_iso(value: str | None) -> date | None:
    """A full ISO date string to ``date``; partial dates and None give None."""
    if not value or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def resolve(mention: DateMention, reference: date | None, reference_year: int | None = None) -> tuple[str | None, str | None]:
    """Resolve a mention to (ISO string, precision) against the text's own reference date.

    ``reference`` is the dateline or publication date (full date) when the text has one;
    ``reference_year`` a year the text states without a full date. A date whose year the
    text does not tell resolves to (None, None).
    """
    if mention.kind == "absolute":
        year = mention.year
        if year is None:
            if reference is not None:
                year = reference.year
                # a day after the reference date belongs to the previous year ("Dec. 30" in a January text)
                if (mention.month, mention.day) > (reference.month, reference.day) and mention.month - reference.month > 6:  # type: ignore[operator]
                    year -= 1
            elif reference_year is not None:
                year = reference_year
            else:
                return None, None
        try:
            return date(year, mention.month, mention.day).isoformat(), "day"  # type: ignore[arg-type]
        except ValueError:  # "Feb. 29" in a year that has none
            return None, None
    if mention.kind == "month":
        year = mention.year or (reference.year if reference else reference_year)
        if year is None:
            return None, None
        return f"{year:04d}-{mention.month:02d}", "month"
    if mention.kind == "year":
        return f"{mention.year:04d}", "year"
    if reference is None:
        return None, None
    if mention.kind == "weekday":
        back = (reference.weekday() - mention.weekday) % 7  # type: ignore[operator]
        if mention.last and back == 0:
            back = 7
        return (reference - timedelta(days=back)).isoformat(), "day"
    if mention.kind == "relative":
        return (reference + timedelta(days=mention.offset or 0)).isoformat(), "day"
    return None, None
