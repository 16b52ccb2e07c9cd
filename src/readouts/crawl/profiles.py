"""Source profiles: where a publisher keeps its readouts, as validated data files.

A profile is a TOML file (the built-in ones are ``readouts/data/sources/*.toml``)::

    name = "kremlin-en"                      # must equal the file name without .toml
    publisher = "President of Russia (Kremlin), English site"
    language = "en"                          # en, zh, ru, ...
    start = ["http://en.kremlin.ru/events/president/news/feed"]   # sitemaps, feeds, list pages
    pages = ['^http://en\\.kremlin\\.ru/events/president/news/\\d+$']  # readout page URLs (regex)
    lists = ['^http://en\\.kremlin\\.ru/events/president/news(/page/\\d+)?$']  # list pages, pagination
    url_date = '/(?P<y>\\d{4})(?P<m>\\d{2})/t(?P=y)(?P=m)(?P<d>\\d{2})_'  # optional: a date in page URLs
    content = "//div[@class='read__content']"   # optional XPath: the part of a page with the readout
                                             # (a page where it matches nothing is taken whole)
    delay = 2.0                              # optional: at least this many seconds between requests

``pages`` and ``lists`` are Python regular expressions searched in absolute URLs; ``url_date``
has named groups ``y``, ``m`` and optionally ``d``. Unknown keys, wrong types, patterns that do
not compile and start URLs that are not http(s) are rejected with the file and key named.

A start URL given on the command line without a profile gets :func:`ad_hoc_profile`: every
link under the start URL's folder on the same host is a candidate page, and pagination is
found by ``rel="next"`` and the link words of ``data/crawl.toml``.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

__all__ = ["Profile", "ProfileError", "ad_hoc_profile", "builtin_profiles", "load_profile", "resolve_profile"]

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_KEYS: dict[str, tuple[type, bool]] = {  # key -> (type, required)
    "name": (str, True),
    "publisher": (str, True),
    "language": (str, True),
    "start": (list, True),
    "pages": (list, True),
    "lists": (list, False),
    "url_date": (str, False),
    "content": (str, False),
    "delay": (float, False),
}


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Profile:
    """Where one publisher's readouts are: start URLs, page and list URL patterns, page part."""

    name: str
    publisher: str
    language: str
    start: tuple[str, ...]
    pages: tuple[re.Pattern[str], ...]
    lists: tuple[re.Pattern[str], ...] = ()
    url_date: re.Pattern[str] | None = None
    content: str | None = None  # XPath of the page part that holds the readout
    delay: float = 0.0
    scope: str | None = None  # ad hoc profiles: only URLs under this prefix

    def is_page(self, url: str) -> bool:
        if self.scope is not None and not url.startswith(self.scope):
            return False
        return any(p.search(url) for p in self.pages)

    def is_list(self, url: str) -> bool:
        return any(p.search(url) for p in self.lists)


def _fail(where: str, key: str | None, message: str) -> ProfileError:
    return ProfileError(f"{where}: {key + ': ' if key else ''}{message}")


def _check_url(where: str, key: str, url: Any) -> str:
    if not isinstance(url, str):
        raise _fail(where, key, f"{url!r} is not a string")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _fail(where, key, f"{url!r} is not an http(s) URL")
    return url


def _compile(where: str, key: str, pattern: Any) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise _fail(where, key, f"{pattern!r} is not a string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise _fail(where, key, f"{pattern!r} is not a regular expression: {exc}") from None


def parse_profile(data: dict[str, Any], where: str, expected_name: str | None = None) -> Profile:
    """A validated :class:`Profile` from the parsed TOML of one file (``where`` names it)."""
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise _fail(where, unknown[0], f"unknown key (known: {', '.join(_KEYS)})")
    for key, (kind, required) in _KEYS.items():
        if key not in data:
            if required:
                raise _fail(where, key, "missing")
            continue
        value = data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = data[key] = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise _fail(where, key, f"must be a {'number' if kind is float else kind.__name__}")
    name = data["name"]
    if not _NAME.fullmatch(name):
        raise _fail(where, "name", f"{name!r} must be lower-case letters, digits, '-' or '_'")
    if expected_name is not None and name != expected_name:
        raise _fail(where, "name", f"{name!r} must equal the file name {expected_name!r}")
    if not data["start"]:
        raise _fail(where, "start", "needs at least one URL")
    if not data["pages"]:
        raise _fail(where, "pages", "needs at least one pattern")
    url_date = _compile(where, "url_date", data["url_date"]) if "url_date" in data else None
    if url_date is not None and not {"y", "m"} <= set(url_date.groupindex):
        raise _fail(where, "url_date", "needs the named groups y and m (and d for the day)")
    content = data.get("content")
    if content is not None:
        try:
            etree.XPath(content)
        except etree.XPathSyntaxError as exc:
            raise _fail(where, "content", f"{content!r} is not an XPath expression: {exc}") from None
    delay = data.get("delay", 0.0)
    if delay < 0:
        raise _fail(where, "delay", "must not be negative")
    return Profile(
        name=name,
        publisher=data["publisher"],
        language=data["language"],
        start=tuple(_check_url(where, "start", u) for u in data["start"]),
        pages=tuple(_compile(where, "pages", p) for p in data["pages"]),
        lists=tuple(_compile(where, "lists", p) for p in data.get("lists", ())),
        url_date=url_date,
        content=content,
        delay=delay,
    )


def load_profile(path: str | Path) -> Profile:
    """Read and validate one profile file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    return parse_profile(data, str(path), expected_name=path.stem)


@lru_cache(maxsize=1)
def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped in ``readouts/data/sources``, by name."""
    folder = resources.files("readouts.data").joinpath("sources")
    out: dict[str, Profile] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            where = f"readouts/data/sources/{entry.name}"
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            out[entry.name[: -len(".toml")]] = parse_profile(data, where, expected_name=entry.name[: -len(".toml")])
    return out


def ad_hoc_profile(url: str) -> Profile:
    """The profile of a bare start URL: pages are any links under its folder on its host."""
    parts = urlsplit(url)
    folder = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    scope = f"{parts.scheme}://{parts.netloc}{folder}"
    return Profile(
        name="",
        publisher=parts.netloc,
        language="",
        start=(url,),
        pages=(re.compile("^" + re.escape(scope)),),
        scope=scope,
    )


def resolve_profile(source: str) -> Profile:
    """A SOURCE argument -> its profile: a built-in name, a ``.toml`` file, or a start URL."""
    parts = urlsplit(source)
    if parts.scheme in ("http", "https") and parts.netloc:
        return ad_hoc_profile(source)
    if source.endswith(".toml") or Path(source).is_file():
        return load_profile(source)
    profiles = builtin_profiles()
    if source in profiles:
        return profiles[source]
    raise ProfileError(
        f"{source}: not a URL, a profile file or a known profile (known: {', '.join(profiles)})"
    )
