"""Cleaning: raw page text or HTML -> clean text with title, publication date and dateline.

HTML goes through trafilatura (main-text extraction); text goes through line rules kept
in ``data/boilerplate.toml`` (breadcrumbs, share and print links, comment prompts, page
footers). The clean text keeps the title as its first line; every span the extractor
reports points into it.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from readouts import gazetteer
from readouts.dates import DateMention, find_dates
from readouts.lang.detect import language
from readouts.patterns import TokenPattern
from readouts.records import CleanDocument, RawDocument, Span, content_hash

# A leading "date 2021-11-12" marker some captures put before the text.
CAPTURE_DATE_RE = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s+")
YEAR_RE = re.compile(r"(?:19|20)\d\d")
TIME_RE = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?", re.I)
MAX_TITLE = 200

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_PLACE = r"[A-Z][A-Za-z.'’\-]*(?:\s[A-Z][A-Za-z.'’\-]*){0,3}"
DATELINE_RES = [
    # BEIJING, Feb. 28 (Xinhua) -- / Beijing, April 28th— / MOSCOW, April 12 - / RIGA - / BEIJING: / Washington, DC -
    re.compile(
        rf"^(?P<place>{_PLACE})(?:,\s*(?P<place2>{_PLACE}))?"
        rf"(?:,?\s+(?P<date>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?))?"
        r"\s*(?:\((?P<agency>[^)]{2,40})\)\s*(?P<sep0>--|—|–|-|:)?|(?P<sep>--|—|–|-|:|/[A-Z]+/\.?))\s*"
    ),
    # November 15, 2020 (JUBA) -
    re.compile(rf"^(?P<date>{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})\s*\((?P<place>[A-Z][A-Za-z .]+)\)\s*(?P<sep>--|—|–|-|:)\s*"),
    # Brussels, 19/06/2021 / DUSHANBE, 23.07.2022 (NIAT Khovar) –   (a numeric date, day first)
    re.compile(rf"^(?P<place>{_PLACE}),\s*(?P<date>\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}})"
               r"\s*(?:\((?P<agency>[^)]{2,40})\)\s*)?(?P<sep>--|—|–|-|:)?\s*(?=\S|$)"),
    # From Aidoghie Paulinus, Abuja   (a byline naming the place)
    re.compile(rf"^From\s+[A-Z][\w.'’ -]{{2,40}},\s*(?P<place>{_PLACE})\s*$"),
]
# Places a dateline may name that are not cities.
DATELINE_PLACES = {"united nations": ("New York", "USA"), "un": ("New York", "USA")}


@dataclass(frozen=True)
class _Rules:
    """The line rules of ``data/boilerplate.toml``, compiled."""

    drop: TokenPattern  # the whole line matches one (fullmatch)
    drop_long: TokenPattern  # a long line that opens like a footer (match)
    stop: TokenPattern  # this line and the rest go (fullmatch)
    strip: tuple[re.Pattern[str], ...]  # cut from the line (sub), one at a time
    published_labels: frozenset[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = tomllib.loads(resources.files("readouts.data").joinpath("boilerplate.toml").read_text(encoding="utf-8"))

    def alternation(key: str) -> TokenPattern:
        return TokenPattern([(None, f"(?:{p})") for p in data[key]], re.I)

    return _Rules(
        drop=alternation("drop_line"),
        drop_long=alternation("drop_long_line"),
        stop=alternation("stop_line"),
        strip=tuple(re.compile(p, re.I) for p in data["strip"]),
        published_labels=frozenset(data["published_labels"]),
    )


def html_to_text(html: str) -> tuple[str, str | None, str | None]:
    """Main text, title and date of an HTML page (trafilatura; a tag-stripping fallback)."""
    import trafilatura

    title = published = None
    text = None
    try:
        doc = trafilatura.bare_extraction(
            html, include_comments=False, include_tables=True, with_metadata=True, favor_recall=True
        )
    except Exception:  # noqa: BLE001 - broken markup falls back to plain tag stripping
        doc = None
    if doc is not None:
        text = getattr(doc, "text", None)
        title = getattr(doc, "title", None)
        published = getattr(doc, "date", None)
    if not text:
        text = _strip_tags(html)
    return text, title, published


_TAG_RE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->|<[^>]+>", re.S | re.I)


def _strip_tags(html: str) -> str:
    import html as html_lib

    text = re.sub(r"<\s*(br|/p|/div|/h\d|/li|/tr)\b[^>]*>", "\n", html, flags=re.I)
    text = re.sub(r"<[^>]*$", " ", _TAG_RE.sub(" ", text))  # and a tag cut off at the end
    return html_lib.unescape(text)


LONG_LINE = 160  # boilerplate lines are short; long ones are only checked for footers and notices
LONG_WORDS = 14


def _is_boilerplate(line: str) -> bool:
    if (len(line) > LONG_LINE or line.count(" ") >= LONG_WORDS) and "   " not in line and "|" not in line:
        return bool(_rules().drop_long.match(line))
    return bool(_rules().drop.fullmatch(line))


def _strip_inline(line: str) -> str:
    # one pattern at a time: an alternation of them searches several times slower
    for rx in _rules().strip:
        line = rx.sub("", line)
    return line.strip()


def _published_line(line: str, boilerplate: bool = False) -> DateMention | None:
    """A short line whose only content is a full date (with labels and times around it)."""
    if len(line) > 90 or not YEAR_RE.search(line):
        return None  # a full date has a year
    found = [d for d in find_dates(line) if d.complete]
    if not found:
        return None
    if boilerplate:
        return found[0]
    rest = TIME_RE.sub(" ", line[: found[0].start] + " " + line[found[0].end :])
    rest = re.sub(r"[^\w\s]", " ", rest).lower()
    labels = _rules().published_labels
    words = [w for w in rest.split() if w not in labels and not w.isdigit()]
    words = [w for w in words if w not in {"am", "pm", "local", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "press", "release", "archived", "content", "people", "s", "daily", "app", "news", "by", "staff"}]
    return found[0] if len(words) <= 3 else None


_NUMERIC_DATE = re.compile(r"(\d{1,2})([./])(\d{1,2})[./](\d{4})")


def _numeric_date(first: str, sep: str, second: str, year: str) -> str | None:
    """'23.07.2022' (day first), '19/06/2021' (day first when the day tells); None when
    '07/10/2025' could be either."""
    a, b = int(first), int(second)
    if sep == "." or a > 12:
        day, month = a, b
    elif b > 12:
        day, month = b, a
    else:
        return None
    try:
        return date(int(year), month, day).isoformat()
    except ValueError:
        return None


def _dateline(line: str) -> tuple[re.Match[str], str, str | None] | None:
    """(match, place, country) when the line opens with a dateline naming a known place."""
    g = gazetteer.load()
    for rx in DATELINE_RES:
        m = rx.match(line)
        if not m:
            continue
        place = m.group("place").strip(" .,")
        if rx is DATELINE_RES[0] and m.group("sep") in ("-", ":", "--", "—", "–") and not (m.group("date") or m.group("agency")):
            # "RIGA - ", "BEIJING:" need a place we know, or capitals
            if not (place.isupper() or gazetteer.fold(place) in g.city_country or gazetteer.fold(place) in DATELINE_PLACES):
                continue
        key = gazetteer.fold(place)
        if key in DATELINE_PLACES:
            return m, *DATELINE_PLACES[key]
        if key in g.city_country:
            return m, g.city_names[key], g.city_country[key]
        iso3 = g.country_by_name.get(key)
        if iso3 is not None:
            return m, g.country_names[iso3], iso3
        if place.isupper() and len(place) > 2:
            return m, place.title(), None
    return None


CUT_KEY = "cut_at"  # metadata of a text cut at a stop line: {"line": ..., "characters": dropped}


def clean(raw: RawDocument) -> CleanDocument:
    """Remove page furniture and find the title, publication date and dateline.

    A stop line ("Related Stories", a comment form) ends the text: what follows is dropped,
    and ``metadata["cut_at"]`` says where and how many characters went.
    """
    if raw.html is not None:
        text, html_title, html_date = html_to_text(raw.html)
    else:
        text, html_title, html_date = raw.text or "", None, None
    text = gazetteer.normalise(text).replace("\r\n", "\n").replace("\r", "\n")

    published: str | None = html_date[:10] if html_date else None
    capture = CAPTURE_DATE_RE.match(text)
    if capture:
        published = capture.group(1)
        text = text[capture.end():]

    rules = _rules()
    kept: list[str] = []
    removed: list[str] = []
    published_mention: tuple[DateMention, str] | None = None
    cut: dict[str, Any] | None = None
    lines = text.split("\n")
    for n, raw_line in enumerate(lines):
        line = " ".join(raw_line.split())
        if not line:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        if rules.stop.fullmatch(line):
            removed.append(line)
            cut = {"line": line, "characters": sum(len(x.strip()) for x in lines[n + 1:])}
            break
        stripped = raw_line.strip()
        boilerplate = _is_boilerplate(line) or (stripped != line and _is_boilerplate(stripped))
        if n < 15:
            date_line = _published_line(line, boilerplate)
            if date_line is not None:
                if published_mention is None:
                    published_mention = (date_line, line)
                removed.append(line)
                continue
        if boilerplate:
            removed.append(line)
            continue
        line = _strip_inline(line)
        if line:
            kept.append(line)
    while kept and kept[-1] == "":
        kept.pop()
    if published_mention is not None and not published:
        first = published_mention[0]
        published = date(first.year, first.month, first.day).isoformat()  # type: ignore[arg-type]

    title = None
    if html_title:
        title = " ".join(gazetteer.normalise(html_title).split())
        if kept and kept[0] == title:
            kept.pop(0)
    elif kept and _looks_like_title(kept) and _dateline(kept[0]) is None:
        title = kept.pop(0)
        while kept and kept[0] == title:  # titles repeated by the page
            kept.pop(0)
    while kept and kept[0] == "":
        kept.pop(0)
    body = "\n".join(kept)
    prefix = (title + "\n\n") if title else ""
    clean_text = prefix + body

    dateline = dateline_date = None
    dateline_span = None
    offset = len(prefix)
    for line in body.split("\n")[:4]:
        found = _dateline(line)
        if found:
            m, place, _country = found
            dateline = place
            matched = m.group(0).rstrip()
            dateline_span = Span(offset + m.start(), offset + m.start() + len(matched), matched, "dateline")
            numeric = _NUMERIC_DATE.fullmatch(m.groupdict().get("date") or "")
            if numeric:
                dateline_date = _numeric_date(*numeric.groups())
            elif m.groupdict().get("date"):
                d = next(iter(find_dates(m.group("date"))), None)
                if d is not None and d.kind == "absolute":
                    year = d.year or (int(published[:4]) if published else None)
                    if year is not None:
                        if d.year is None and published and len(published) >= 7 and d.month == 12 and int(published[5:7]) == 1:
                            year -= 1
                        try:
                            dateline_date = date(year, d.month, d.day).isoformat()  # type: ignore[arg-type]
                        except ValueError:  # "Feb. 29" in a year without one
                            dateline_date = None
            break
        offset += len(line) + 1
    if title and not published:
        in_title = [d for d in find_dates(title) if d.complete]
        if in_title:
            d = in_title[0]
            published = date(d.year, d.month, d.day).isoformat()  # type: ignore[arg-type]

    return CleanDocument(
        id=raw.id,
        source=raw.source,
        text=clean_text,
        title=title,
        url=raw.url,
        published=published,
        dateline=dateline,
        dateline_date=dateline_date,
        dateline_span=dateline_span,
        removed=tuple(removed),
        metadata={**raw.metadata, CUT_KEY: cut} if cut and cut["characters"] else dict(raw.metadata),
        content_hash=content_hash(clean_text),
        language=language(clean_text),
    )


TERMINAL = frozenset('.!?:;"”’)')


def hard_wrapped(text: str) -> bool:
    """Text broken into lines of about one width whatever the sentences (an old page or a
    wire copy): most long lines end inside a sentence."""
    lines = [x.rstrip() for x in text.split("\n")]
    long_ = [x for x in lines if len(x) >= 45]
    open_ = [x for x in long_ if x[-1] not in TERMINAL]
    return len(open_) >= 4 and len(open_) >= 0.5 * len(long_)


def _looks_like_title(lines: list[str]) -> bool:
    first = lines[0]
    if len(first) > MAX_TITLE or len(lines) < 2:
        return False
    if lines[1] and len(first) >= 45 and hard_wrapped("\n".join(lines[:40])):
        return False  # a wire copy's first line runs on into the next: "... and visiting US Secretary of State\nA. B. held talks"
    if first.endswith((".", ":", ",", ";")) and not first.endswith("U.S."):
        return False
    return len(first.split()) >= 2
