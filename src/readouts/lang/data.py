"""The data behind the Chinese and Russian readers, loaded once and validated.

- ``states_zh_ru.tsv``: ISO3, Chinese names (simplified), one-character Chinese short
  forms (中, 俄: used in compounds such as 中俄), Russian names (nominative) and Russian
  adjectives (lemmas: российский);
- ``cities_zh_ru.tsv``: the city's English name and ISO3 (as in ``cities.tsv``), its
  Chinese and Russian names;
- ``officials_names.tsv``: known officials by their English name (the key of
  ``officials.tsv`` when they are there) with their state, Chinese and Russian names;
- ``zh/rules.toml`` and ``ru/rules.toml``: the rule packs of each reader.

A malformed row raises ``LangDataError`` naming the file and line.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

#: a state's ISO3 code, or an organisation's short name (UN, EU, ASEAN) for its officials
ISO3_RE = re.compile(r"^[A-Z]{2,6}$")


class LangDataError(ValueError):
    """A data file of the language readers is malformed (message: ``file:line: reason``)."""


@dataclass(frozen=True, slots=True)
class KnownName:
    """A known official's name in one script, with the English name and state."""

    name: str  # as written in that script (simplified Chinese, nominative Russian)
    english: str
    country: str


@dataclass(frozen=True)
class LangData:
    zh_states: dict[str, str] = field(default_factory=dict)  # simplified name -> ISO3
    zh_short: dict[str, str] = field(default_factory=dict)  # one character -> ISO3
    ru_states: dict[str, str] = field(default_factory=dict)  # lower-case nominative name -> ISO3
    ru_adjectives: dict[str, str] = field(default_factory=dict)  # adjective lemma -> ISO3
    zh_cities: dict[str, tuple[str, str]] = field(default_factory=dict)  # simplified -> (city, ISO3)
    ru_cities: dict[str, tuple[str, str]] = field(default_factory=dict)  # lower nominative -> (city, ISO3)
    zh_names: dict[str, KnownName] = field(default_factory=dict)  # simplified name -> known
    ru_names: dict[str, KnownName] = field(default_factory=dict)  # lower nominative -> known
    ru_surnames: dict[str, list[KnownName]] = field(default_factory=dict)  # lower surname -> known
    english: dict[str, list[KnownName]] = field(default_factory=dict)  # English name -> zh/ru forms


def _read(name: str) -> str:
    return resources.files("readouts.data").joinpath(name).read_text(encoding="utf-8")


def _rows(name: str, width: int, text: str) -> Iterator[tuple[int, list[str]]]:
    lines = text.split("\n")
    if not lines or not lines[0].strip():
        raise LangDataError(f"{name}:1: no header")
    for n, line in enumerate(lines[1:], 2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != width:
            raise LangDataError(f"{name}:{n}: expected {width} tab-separated columns, found {len(cells)}")
        yield n, [c.strip() for c in cells]


def _variants(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]


def _iso(name: str, n: int, code: str) -> str:
    if not ISO3_RE.match(code):
        raise LangDataError(f"{name}:{n}: {code!r} is not an ISO3 code or an organisation's short name")
    return code


def _put(table: dict, key: str, value: Any, name: str, n: int) -> None:
    if key in table and table[key] != value:
        raise LangDataError(f"{name}:{n}: {key!r} already stands for {table[key]!r}")
    table[key] = value


@lru_cache(maxsize=1)
def load() -> LangData:
    """The data files of the package, validated (cached: loaded once per process)."""
    return build(_read("states_zh_ru.tsv"), _read("cities_zh_ru.tsv"), _read("officials_names.tsv"))


def build(states: str, cities: str, names: str) -> LangData:
    """``LangData`` from the texts of the three files; a malformed row raises ``LangDataError``."""
    d = LangData()
    f = "states_zh_ru.tsv"
    for n, (iso, zh, short, ru, adj) in _rows(f, 5, states):
        _iso(f, n, iso)
        for v in _variants(zh):
            _put(d.zh_states, v, iso, f, n)
        for v in _variants(short):
            if len(v) > 2:
                raise LangDataError(f"{f}:{n}: short form {v!r} is longer than two characters")
            d.zh_short.setdefault(v, iso)  # 巴 is Pakistan before Brazil: the first row wins
        for v in _variants(ru):
            _put(d.ru_states, v.lower(), iso, f, n)
        for v in _variants(adj):
            _put(d.ru_adjectives, v.lower(), iso, f, n)
    f = "cities_zh_ru.tsv"
    for n, (city, iso, zh, ru) in _rows(f, 4, cities):
        _iso(f, n, iso)
        if not city:
            raise LangDataError(f"{f}:{n}: no English name")
        for v in _variants(zh):
            _put(d.zh_cities, v, (city, iso), f, n)
        for v in _variants(ru):
            _put(d.ru_cities, v.lower(), (city, iso), f, n)
    f = "officials_names.tsv"
    for n, (english, iso, zh, ru) in _rows(f, 4, names):
        _iso(f, n, iso)
        if not english:
            raise LangDataError(f"{f}:{n}: no English name")
        for v in _variants(zh):
            known = KnownName(v, english, iso)
            _put(d.zh_names, v, known, f, n)
            d.english.setdefault(english, []).append(known)
        for v in _variants(ru):
            known = KnownName(v, english, iso)
            _put(d.ru_names, v.lower(), known, f, n)
            d.english.setdefault(english, []).append(known)
            surname = v.split()[-1].lower()
            if known not in d.ru_surnames.get(surname, []):
                d.ru_surnames.setdefault(surname, []).append(known)
    return d


def rules(lang: str) -> dict[str, Any]:
    """The rule pack of one language (``data/<lang>/rules.toml``)."""
    return _rules(lang)


@lru_cache(maxsize=4)
def _rules(lang: str) -> dict[str, Any]:
    name = f"{lang}/rules.toml"
    try:
        text = resources.files("readouts.data").joinpath(lang).joinpath("rules.toml").read_text(encoding="utf-8")
    except OSError as exc:
        raise LangDataError(f"{name}: {exc}") from exc
    return parse_rules(text, name)


def parse_rules(text: str, name: str = "rules.toml") -> dict[str, Any]:
    """A rule pack from its TOML text, validated; a problem raises ``LangDataError``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LangDataError(f"{name}: {exc}") from exc
    modes = data.get("predicates")
    if not isinstance(modes, dict) or not modes:
        raise LangDataError(f"{name}: [predicates] must map modes to lists of words")
    from readouts.records import MODES

    for mode, words in modes.items():
        if mode not in MODES:
            raise LangDataError(f"{name}: [predicates] {mode!r} is not one of {', '.join(MODES)}")
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise LangDataError(f"{name}: [predicates] {mode} must be a list of words")
    for key in ("posts", "planned"):
        if not isinstance(data.get(key), list) or not data[key]:
            raise LangDataError(f"{name}: {key} must be a non-empty list")
    for key, value in data.items():
        if key.endswith("pattern") or key == "dateline":
            try:
                rx = re.compile(value)
            except (re.error, TypeError) as exc:
                raise LangDataError(f"{name}: {key} is not a regular expression: {exc}") from exc
            if key.endswith("pattern") and rx.groups < 1:
                raise LangDataError(f"{name}: {key} needs a group for the value it finds")
    return data


__all__ = ["KnownName", "LangData", "LangDataError", "build", "load", "parse_rules", "rules"]
