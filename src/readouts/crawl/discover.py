"""Discovery: which URLs a sitemap, a feed or a list page points to, and what they are.

Pure functions of bytes (no network): :func:`sniff` tells a sitemap, a feed and an HTML page
apart; :func:`discover` turns one fetched document into the page, list and sitemap URLs a
profile accepts, each page with the date its sitemap, feed or URL gives (for ``--since``).
XML is parsed without entities or network access; malformed documents yield nothing.
"""
from __future__ import annotations

import gzip
import io
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from importlib import resources
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

from readouts.crawl.profiles import Profile
from readouts.ingest import decode

__all__ = ["Discovery", "discover", "entry_date", "normalise_url", "sniff", "url_date"]

SITEMAP, SITEMAP_INDEX, FEED, HTML, OTHER = "sitemap", "sitemapindex", "feed", "html", "other"
MAX_GUNZIP = 50_000_000  # a gzipped sitemap may not expand beyond this


@dataclass(frozen=True, slots=True)
class Discovery:
    """What one fetched document points to."""

    kind: str  # sitemap, sitemapindex, feed, html, other
    pages: tuple[tuple[str, str | None], ...] = ()  # (url, ISO date or None)
    lists: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    ignored: int = 0  # links the profile does not accept


@dataclass(frozen=True)
class _Rules:
    pagination_text: frozenset[str]
    pagination_numbers: bool
    url_dates: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = tomllib.loads(resources.files("readouts.data").joinpath("crawl.toml").read_text(encoding="utf-8"))
    texts, numbers, dates = data["pagination_text"], data["pagination_numbers"], data["url_dates"]
    if not all(isinstance(t, str) for t in texts) or not isinstance(numbers, bool):
        raise ValueError("readouts/data/crawl.toml: pagination_text must be strings, pagination_numbers a boolean")
    patterns = tuple(re.compile(p) for p in dates)
    if not all({"y", "m"} <= set(p.groupindex) for p in patterns):
        raise ValueError("readouts/data/crawl.toml: every url_dates pattern needs the groups y and m")
    return _Rules(frozenset(t.casefold() for t in texts), numbers, patterns)


def normalise_url(url: str, base: str | None = None) -> str | None:
    """An absolute http(s) URL without its fragment; None for mailto:, javascript: and the like."""
    try:
        absolute = urljoin(base, url.strip()) if base else url.strip()
        absolute = urldefrag(absolute).url
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if not parts.path:
        absolute = absolute.replace(parts.netloc, parts.netloc + "/", 1) if not parts.query else absolute
    return absolute


def _xml_root(body: bytes) -> etree._Element | None:
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
                body = f.read(MAX_GUNZIP)
        except (OSError, EOFError):
            return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    try:
        return etree.QName(tag).localname.lower()
    except ValueError:  # a tag the recovering parser kept but no valid name ("<:")
        return tag.rsplit("}", 1)[-1].lower()


def sniff(content_type: str | None, body: bytes) -> str:
    """sitemap, sitemapindex, feed, html or other, from the body (the content type breaks ties)."""
    head = body[:2048].lstrip()
    if head[:2] == b"\x1f\x8b" or head.startswith(b"<?xml") or head.startswith(b"<urlset") or \
            head.startswith(b"<sitemapindex") or head.startswith(b"<rss") or head.startswith(b"<feed"):
        root = _xml_root(body)
        if root is not None:
            name = _local(root.tag)
            if name == "urlset":
                return SITEMAP
            if name == "sitemapindex":
                return SITEMAP_INDEX
            if name in ("rss", "feed", "rdf"):
                return FEED
            if name == "html":
                return HTML
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml") or re.match(rb"(?is)\s*(<!doctype html|<html)", head):
        return HTML
    return OTHER


def entry_date(value: str | None) -> str | None:
    """An ISO day from a sitemap ``lastmod`` (W3C datetime) or a feed date (RFC 822 or ISO)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.date().isoformat() if isinstance(parsed, datetime) else None


def url_date(url: str, profile: Profile | None = None) -> str | None:
    """The date a page URL carries (the profile's ``url_date`` first, then ``data/crawl.toml``)."""
    patterns = ((profile.url_date,) if profile is not None and profile.url_date is not None else ()) + _rules().url_dates
    for pattern in patterns:
        match = pattern.search(url)
        if not match:
            continue
        groups = match.groupdict()
        y, m, d = int(groups["y"]), int(groups["m"]), groups.get("d")
        try:
            return date(y, m, int(d)).isoformat() if d else date(y, m, 1).isoformat()[:7]
        except ValueError:
            continue
    return None


def _same_host(a: str, b: str) -> bool:
    return urlsplit(a).netloc.lower() == urlsplit(b).netloc.lower()


def _is_pagination(text: str, rel: str) -> bool:
    if "next" in rel.lower().split():
        return True
    words = " ".join(text.split()).casefold()
    rules = _rules()
    return words in rules.pagination_text or (rules.pagination_numbers and words.isdigit() and 1 < int(words) < 10_000)


def _sitemap(root: etree._Element, base: str, profile: Profile, start: str) -> Discovery:
    pages: list[tuple[str, str | None]] = []
    ignored = 0
    for url_el in root:
        if _local(url_el.tag) != "url":
            continue
        loc = lastmod = None
        for child in url_el:
            if _local(child.tag) == "loc":
                loc = (child.text or "").strip()
            elif _local(child.tag) == "lastmod":
                lastmod = child.text
        url = normalise_url(loc, base) if loc else None
        if url is None:
            continue
        if _accepts_entry(url, profile, start):
            pages.append((url, entry_date(lastmod) or url_date(url, profile)))
        else:
            ignored += 1
    return Discovery(SITEMAP, pages=tuple(pages), ignored=ignored)


def _sitemap_index(root: etree._Element, base: str) -> Discovery:
    out = []
    for sm in root:
        for child in sm:
            if _local(child.tag) == "loc" and child.text:
                url = normalise_url(child.text, base)
                if url:
                    out.append(url)
    return Discovery(SITEMAP_INDEX, sitemaps=tuple(out))


def _feed(root: etree._Element, base: str, profile: Profile, start: str) -> Discovery:
    pages: list[tuple[str, str | None]] = []
    ignored = 0
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        link = when = None
        for child in item:
            name = _local(child.tag)
            if name == "link":
                href = child.get("href")
                rel = child.get("rel", "alternate")
                if href and rel == "alternate":
                    link = href
                elif not href and child.text and child.text.strip():
                    link = child.text.strip()
            elif name in ("pubdate", "date", "published", "updated") and when is None:
                when = child.text
        url = normalise_url(link, base) if link else None
        if url is None:
            continue
        if _accepts_entry(url, profile, start):
            pages.append((url, entry_date(when) or url_date(url, profile)))
        else:
            ignored += 1
    return Discovery(FEED, pages=tuple(pages), ignored=ignored)


def _accepts_entry(url: str, profile: Profile, start: str) -> bool:
    """A sitemap or feed entry is a page when the profile says so; an ad hoc crawl takes its host."""
    if profile.scope is not None:
        return _same_host(url, start)
    return profile.is_page(url)


def _html(body: bytes, base: str, profile: Profile) -> Discovery:
    decoded = decode(body, html=True)  # the same charset rules as `readouts ingest`
    if decoded is None:
        return Discovery(HTML)
    try:
        text = re.sub(r"\A\s*<\?xml[^>]*\?>", "", decoded[0])  # lxml refuses str with an encoding declaration
        tree = lxml.html.fromstring(text, base_url=base)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return Discovery(HTML)
    pages: dict[str, str | None] = {}
    lists: dict[str, None] = {}
    ignored = 0
    for el in tree.iter("a", "link"):
        href = el.get("href")
        if not href:
            continue
        rel = el.get("rel") or ""
        if el.tag == "link" and "next" not in rel.lower().split():
            continue
        url = normalise_url(href, base)
        if url is None or url == base:
            continue
        text = el.text_content() if el.tag == "a" else ""
        if profile.is_list(url) or (_same_host(url, base) and _is_pagination(text, rel)):
            lists[url] = None
        elif profile.is_page(url):
            pages.setdefault(url, url_date(url, profile))
        else:
            ignored += 1
    return Discovery(HTML, pages=tuple(pages.items()), lists=tuple(lists), ignored=ignored)


def discover(kind: str, body: bytes, base: str, profile: Profile, start: str | None = None) -> Discovery:
    """The URLs one fetched document of this ``kind`` (from :func:`sniff`) points to."""
    if kind in (SITEMAP, SITEMAP_INDEX, FEED):
        root = _xml_root(body)
        if root is None:
            return Discovery(kind)
        if kind == SITEMAP_INDEX:
            return _sitemap_index(root, base)
        if kind == SITEMAP:
            return _sitemap(root, base, profile, start or base)
        return _feed(root, base, profile, start or base)
    if kind == HTML:
        return _html(body, base, profile)
    return Discovery(kind)
