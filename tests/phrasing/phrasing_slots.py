"""The slots of the generated phrasing table, loaded from ``slots.toml`` and validated.

Every value is checked when loaded: unknown or missing keys, modes outside the record format,
object templates without ``{obj}``, people without a gender, tenses without a form. A bad
value is a ``SlotError`` that names the table and entry (``predicate[3] 'met-with': ...``).
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from readouts.records import MODES

SLOTS_FILE = Path(__file__).with_name("slots.toml")
GENDERS = ("m", "f")
ISO3_RE = re.compile(r"^[A-Z]{3}$")
ORG_CODE_RE = re.compile(r"^[A-Z]{2,6}$")
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FORM_KEYS = ("past", "s3", "pp", "base")
#: The placeholders a tense may use: the verb's base form, third person singular, past, past participle.
TENSE_FIELDS = ("{base}", "{s3}", "{past}", "{pp}")


#: A post may end with this: the state of the other side fills it ("Ambassador to China").
HOST_SUFFIX = " to {host}"


class SlotError(ValueError):
    """A slots file that does not describe a valid table (message names the entry)."""


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    gender: str  # "m" | "f"
    country: str  # ISO3
    surname: str  # the name on second mention

    @property
    def possessive_pronoun(self) -> str:
        return "his" if self.gender == "m" else "her"

    @property
    def honorific(self) -> str:
        return "Mr." if self.gender == "m" else "Ms."


@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    name: str  # as in running text: "Sweden", "the United States"
    demonym: str
    cities: tuple[str, ...]
    people: tuple[Person, ...]
    posts: tuple[str, ...] = ()  # posts only this state uses

    @property
    def possessive(self) -> str:
        return self.name + ("'" if self.name.endswith("s") else "'s")


@dataclass(frozen=True, slots=True)
class Subnational:
    place: str
    post: str
    country: str


@dataclass(frozen=True, slots=True)
class Organisation:
    code: str
    prefix: str
    name: str
    title: str


@dataclass(frozen=True, slots=True)
class Predicate:
    key: str
    mode: str
    verb: str
    object: str  # "| with {obj}": "|" is where an inner adverbial may go
    together: str | None = None
    passive: str | None = None
    parties: int = 2
    forms: Mapping[str, str] | None = None
    host: str | None = None  # "subject" receives the other side, "object" is visited
    nominal: str | None = None  # "During talks with {obj}" (then "X said ...")

    @property
    def has_inner_slot(self) -> bool:
        return "|" in self.object


@dataclass(frozen=True, slots=True)
class Tense:
    key: str
    active: str
    plural: str
    passive: str
    planned: bool = False


@dataclass(frozen=True, slots=True)
class Phrases:
    purposes: tuple[str, ...]
    forums: tuple[str, ...]
    staff_posts: tuple[str, ...]
    org_staff_posts: tuple[str, ...]
    future: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Slots:
    phrases: Phrases
    also: Mapping[str, tuple[tuple[str, str], ...]]  # mode -> (phrase, mode of the second engagement)
    verbs: Mapping[str, tuple[str, str]]
    tenses: tuple[Tense, ...]
    predicates: tuple[Predicate, ...]
    posts: tuple[str, ...]
    subnational: tuple[Subnational, ...]
    organisations: tuple[Organisation, ...]
    countries: tuple[Country, ...]

    def country(self, iso3: str) -> Country:
        for c in self.countries:
            if c.iso3 == iso3:
                return c
        raise KeyError(iso3)


# --- validation helpers ---------------------------------------------------------------


def _keys(where: str, entry: Any, required: set[str], optional: set[str]) -> None:
    if not isinstance(entry, dict):
        raise SlotError(f"{where}: expected a table, got {type(entry).__name__}")
    missing = required - entry.keys()
    if missing:
        raise SlotError(f"{where}: missing key(s) {', '.join(sorted(missing))}")
    unknown = entry.keys() - required - optional
    if unknown:
        raise SlotError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")


def _text(where: str, entry: Mapping, key: str, allow_empty: bool = False) -> str:
    value = entry[key]
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise SlotError(f"{where}: {key} must be a non-empty string")
    return value


def _texts(where: str, entry: Mapping, key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SlotError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(value)


def _where(table: str, i: int, entry: Any, field: str) -> str:
    label = entry.get(field) if isinstance(entry, dict) else None
    return f"{table}[{i}]" + (f" {label!r}" if label else "")


def _person(where: str, spec: str, country: str) -> Person:
    parts = spec.split("/")
    if len(parts) not in (2, 3) or not parts[0].strip() or parts[1] not in GENDERS:
        raise SlotError(f"{where}: person {spec!r} must be 'Name/m', 'Name/f' or 'Name/g/Surname'")
    name = parts[0].strip()
    if len(name.split()) < 2:
        raise SlotError(f"{where}: person {spec!r} needs a given and a family name")
    surname = parts[2].strip() if len(parts) == 3 else ""
    if surname and surname.lower() not in name.lower():
        raise SlotError(f"{where}: surname {surname!r} is not part of {name!r}")
    return Person(name, parts[1], country, surname)


# --- the tables -----------------------------------------------------------------------


def _verbs(data: Any) -> dict[str, tuple[str, str]]:
    if not isinstance(data, dict):
        raise SlotError("verbs: expected a table of lemma = [past, participle]")
    out: dict[str, tuple[str, str]] = {}
    for lemma, forms in data.items():
        if not (isinstance(forms, list) and len(forms) == 2 and all(isinstance(f, str) and f for f in forms)):
            raise SlotError(f"verbs.{lemma}: expected [past, past participle]")
        out[lemma] = (forms[0], forms[1])
    return out


def _tense(i: int, entry: Any) -> Tense:
    where = _where("tense", i, entry, "key")
    _keys(where, entry, {"key", "active", "plural", "passive"}, {"planned"})
    forms = {k: _text(where, entry, k) for k in ("active", "plural", "passive")}
    for key, form in forms.items():
        if not any(f in form for f in TENSE_FIELDS):
            raise SlotError(f"{where}: {key} {form!r} uses none of {', '.join(TENSE_FIELDS)}")
    planned = entry.get("planned", False)
    if not isinstance(planned, bool):
        raise SlotError(f"{where}: planned must be true or false")
    return Tense(_text(where, entry, "key"), forms["active"], forms["plural"], forms["passive"], planned)


def _predicate(i: int, entry: Any) -> Predicate:
    where = _where("predicate", i, entry, "key")
    _keys(where, entry, {"key", "mode", "verb", "object"},
          {"together", "passive", "parties", "forms", "host", "nominal"})
    key = _text(where, entry, "key")
    if not KEY_RE.match(key):
        raise SlotError(f"{where}: key must be lower-case words joined by '-'")
    mode = _text(where, entry, "mode")
    if mode not in MODES:
        raise SlotError(f"{where}: mode {mode!r} is not one of {', '.join(MODES)}")
    verb = _text(where, entry, "verb")
    if not re.fullmatch(r"[a-z]+", verb):
        raise SlotError(f"{where}: verb must be one lower-case lemma")
    obj = _text(where, entry, "object")
    if obj.count("{obj}") != 1:
        raise SlotError(f"{where}: object must contain {{obj}} once")
    if obj.count("|") > 1:
        raise SlotError(f"{where}: object may mark one adverbial slot '|'")
    together = entry.get("together")
    if together is not None and not isinstance(together, str):
        raise SlotError(f"{where}: together must be a string")
    passive = entry.get("passive")
    if passive is not None and (not isinstance(passive, str) or passive.count("{obj}") != 1):
        raise SlotError(f"{where}: passive must contain {{obj}} once")
    parties = entry.get("parties", 2)
    if parties not in (2, 3):
        raise SlotError(f"{where}: parties must be 2 or 3")
    forms = entry.get("forms")
    if forms is not None:
        if (not isinstance(forms, dict) or set(forms) != set(FORM_KEYS)
                or not all(isinstance(v, str) for v in forms.values())):
            raise SlotError(f"{where}: forms must give exactly {', '.join(FORM_KEYS)}")
        if "{obj}" in "".join(forms.values()):
            raise SlotError(f"{where}: forms are the verb only, without {{obj}}")
    host = entry.get("host")
    if host not in (None, "subject", "object"):
        raise SlotError(f"{where}: host must be 'subject' or 'object'")
    nominal = entry.get("nominal")
    if nominal is not None and (not isinstance(nominal, str) or nominal.count("{obj}") != 1 or "|" in nominal):
        raise SlotError(f"{where}: nominal must contain {{obj}} once and no '|'")
    return Predicate(key, mode, verb, obj, together, passive, parties, forms, host, nominal)


def _country(i: int, entry: Any) -> Country:
    where = _where("country", i, entry, "iso3")
    _keys(where, entry, {"iso3", "name", "demonym", "cities", "people"}, {"posts", "family_first"})
    iso3 = _text(where, entry, "iso3")
    if not ISO3_RE.match(iso3):
        raise SlotError(f"{where}: iso3 must be three capital letters")
    cities = _texts(where, entry, "cities")
    if not cities:
        raise SlotError(f"{where}: needs at least one city")
    family_first = entry.get("family_first", False)
    if not isinstance(family_first, bool):
        raise SlotError(f"{where}: family_first must be true or false")
    people = []
    for spec in _texts(where, entry, "people"):
        person = _person(where, spec, iso3)
        if not person.surname:
            words = person.name.split()
            person = Person(person.name, person.gender, iso3, words[0] if family_first else words[-1])
        people.append(person)
    if len(people) < 2:
        raise SlotError(f"{where}: needs at least two people")
    return Country(iso3, _text(where, entry, "name"), _text(where, entry, "demonym"), cities, tuple(people),
                   _texts(where, entry, "posts"))


def _entries(data: Mapping, table: str) -> list[Any]:
    value = data.get(table, [])
    if not isinstance(value, list) or not value:
        raise SlotError(f"{table}: expected at least one [[{table}]] entry")
    return value


def _unique(table: str, values: list[str]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise SlotError(f"{table}: {v!r} appears twice")
        seen.add(v)


def _phrases(data: Any) -> Phrases:
    names = [f.name for f in dataclasses.fields(Phrases)]
    _keys("phrases", data, set(names), set())
    values = {}
    for name in names:
        values[name] = _texts("phrases", data, name)
        if not values[name]:
            raise SlotError(f"phrases: {name} is empty")
    return Phrases(**values)


def _also(data: Any) -> dict[str, tuple[tuple[str, str], ...]]:
    _keys("also", data, set(MODES), set())
    out = {}
    for mode, pairs in data.items():
        if not isinstance(pairs, list) or not pairs or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) and x for x in p) for p in pairs):
            raise SlotError(f"also.{mode}: expected a list of [phrase, mode]")
        for phrase, second in pairs:
            if second not in MODES:
                raise SlotError(f"also.{mode}: mode {second!r} is not one of {', '.join(MODES)}")
        out[mode] = tuple((phrase, second) for phrase, second in pairs)
    return out


def parse(data: Mapping[str, Any]) -> Slots:
    """Validate the parsed TOML of a slots file and build its records."""
    known = {"phrases", "also", "verbs", "tense", "predicate", "post", "subnational", "organisation", "country"}
    unknown = set(data) - known
    if unknown:
        raise SlotError(f"unknown table(s) {', '.join(sorted(unknown))}")
    verbs = _verbs(data.get("verbs", {}))
    tenses = tuple(_tense(i, e) for i, e in enumerate(_entries(data, "tense")))
    if not any(t.planned for t in tenses) or all(t.planned for t in tenses):
        raise SlotError("tense: needs both tenses of held and of planned engagements")
    predicates = tuple(_predicate(i, e) for i, e in enumerate(_entries(data, "predicate")))
    posts = []
    for i, e in enumerate(_entries(data, "post")):
        where = _where("post", i, e, "title")
        _keys(where, e, {"title"}, set())
        title = _text(where, e, "title")
        if "{" in title.replace(HOST_SUFFIX, ""):
            raise SlotError(f"{where}: the only placeholder a post may have is a final '{HOST_SUFFIX}'")
        posts.append(title)
    countries = tuple(_country(i, e) for i, e in enumerate(_entries(data, "country")))
    iso3s = {c.iso3 for c in countries}
    subnational = []
    for i, e in enumerate(_entries(data, "subnational")):
        where = _where("subnational", i, e, "place")
        _keys(where, e, {"place", "post", "country"}, set())
        if e["country"] not in iso3s:
            raise SlotError(f"{where}: country {e['country']!r} is not a [[country]] of this file")
        subnational.append(Subnational(_text(where, e, "place"), _text(where, e, "post"), e["country"]))
    organisations = []
    for i, e in enumerate(_entries(data, "organisation")):
        where = _where("organisation", i, e, "code")
        _keys(where, e, {"code", "prefix", "name", "title"}, set())
        if not ORG_CODE_RE.match(str(e["code"])):
            raise SlotError(f"{where}: code must be the organisation's short name in capitals")
        organisations.append(Organisation(*(_text(where, e, k) for k in ("code", "prefix", "name", "title"))))
    _unique("tense", [t.key for t in tenses])
    _unique("predicate", [p.key for p in predicates])
    _unique("country", [c.iso3 for c in countries])
    _unique("people", [p.name for c in countries for p in c.people])
    return Slots(_phrases(data.get("phrases")), _also(data.get("also")), verbs, tenses, predicates, tuple(posts),
                 tuple(subnational), tuple(organisations), countries)


def loads(text: str) -> Slots:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SlotError(f"not TOML: {exc}") from exc
    return parse(data)


@lru_cache(maxsize=None)
def load(path: Path = SLOTS_FILE) -> Slots:
    """The slots of the table (cached)."""
    return loads(path.read_text(encoding="utf-8"))
