"""Who is who: canonical actors (people, states, organisations) built from many readouts.

Pure functions over records, no database: ``ActorRegistry.add_readout`` collects every
sighting of an actor (participants of engagements, third-party mentions), and
``actors()`` clusters them into canonical actors with aliases and a dated post history.
The registry is rebuilt from its sightings every time it is asked (lazily, cached until the
next ``add_readout``), and user overrides (``load_overrides``) are applied on top of the
automatic clustering on every build, so they survive re-ingest.

Name resolution, in order:

1. known officials (``data/officials.tsv``): the name or any alias, folded and
   transliteration-normalised; the country must agree when the text gives one; the
   canonical name is the gazetteer's;
2. full names: case, accents, punctuation and honorifics folded away, transliteration
   variants merged (rules below), middle initials dropped, and for CJK/Hungarian states a
   two-token name equals its reverse; people are kept apart by state;
3. surname-only mentions ("Lavrov", "Mr. Tanaka") go to the unique person with that
   surname and a compatible state/post (first among the registry's people, then among
   the known officials); otherwise they stay unresolved (no actor, ``resolve`` -> None).

Ids are deterministic: ``p:<slug of canonical name>:<country>`` (``p:<slug>`` without a
country), ``s:<ISO3>`` and ``o:<short name>``.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from readouts import gazetteer
from readouts.lang.translit import latin
from readouts.records import Participant, Readout

# --------------------------------------------------------------------------- data

#: courtesy words stripped from the front of a name (matched case-insensitively, dots optional
#: except for single letters: "H.E." needs its dots so that the surname "He" survives)
HONORIFICS: tuple[str, ...] = (
    "His Excellency", "Her Excellency", "Excellency", "H.E.", "H. E.",
    "The Right Honourable", "Right Honourable", "The Most Honourable", "Most Honourable",
    "Rt. Hon.", "Rt Hon", "The Honourable", "The Honorable", "Honourable", "Honorable", "Hon.",
    "Mr.", "Mrs.", "Ms.", "Miss", "Mdm.", "Madam", "Madame", "Mme.", "Dr.", "Prof.", "Professor",
    "Sir", "Dame", "Dato' Seri", "Dato Seri", "Datuk Seri", "Dato' Sri", "Tan Sri", "Dato'", "Dato", "Datuk",
    "Pehin", "Amb.", "Comrade", "Lord", "Lady", "Gen.", "Lt. Gen.", "Adm.", "Col.",
)

#: whole-token spelling equivalences (folded forms -> one form); everything else goes through
#: the ending rules below
GIVEN_NAME_VARIANTS: dict[str, str] = {
    "alexander": "aleksandr", "alexandr": "aleksandr", "aleksander": "aleksandr", "aleksandr": "aleksandr",
    "wladimir": "vladimir", "wolodymyr": "volodymyr",
    "iurii": "yuri", "iuri": "yuri", "yury": "yuri", "yuriy": "yuri", "jurij": "yuri",
    "wjatscheslaw": "vyacheslav",
}

#: token endings that are one sound in different transliterations: Sergey/Sergei/Sergej/Sergii,
#: Dmitry/Dmitri/Dmitriy, Yury/Yuri (only for tokens of 4+ letters, so Yi/Yu/Li stay apart)
TRANSLIT_ENDINGS = re.compile(r"(?:ei|ey|ej|ij|iy|ii|y|i)$")
#: inner spellings: Aleksei/Alexei (x -> ks, not at the start: Xi stays Xi)
TRANSLIT_INNER: tuple[tuple[str, str], ...] = (("x", "ks"),)

#: states whose names may be written family-name first or last
EITHER_ORDER = frozenset({"CHN", "TWN", "HKG", "MAC", "KOR", "PRK", "JPN", "VNM", "HUN"})

#: words of a post title stripped from its front ("former Foreign Minister" -> "Foreign Minister")
POST_PREFIXES = re.compile(r"^(?:(?:former|then|new|newly[- ]appointed|newly)\s+)+", re.IGNORECASE)

#: words that do not tell two posts apart
_TITLE_NOISE = frozenset({"of", "the", "for", "and", "to", "in", "on", "s", "at"})

KINDS = ("person", "state", "organisation")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Post:
    title: str
    first_seen: str | None
    last_seen: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "first_seen": self.first_seen, "last_seen": self.last_seen}


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    kind: str  # "person" | "state" | "organisation"
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    posts: tuple[Post, ...] = ()
    documents: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "aliases": list(self.aliases),
            "country": self.country,
            "posts": [p.as_dict() for p in self.posts],
            "documents": self.documents,
        }


class OverridesError(ValueError):
    """A malformed overrides file; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class SplitPart:
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Overrides:
    merges: tuple[tuple[tuple[str, ...], str | None, str | None], ...] = ()  # (refs, into, name)
    splits: tuple[tuple[str, str | None, tuple[SplitPart, ...]], ...] = ()  # (ref, by, parts)
    renames: tuple[tuple[str, str], ...] = ()  # (ref, name)
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (ref, aliases)
    source: str = "<overrides>"


# --------------------------------------------------------------------------- names

_TOKEN = re.compile(r"[^\W_]+")


def _honorific_pattern(phrase: str) -> str:
    words = re.findall(r"[^\s.']+\.?|'", phrase)
    out = []
    for w in words:
        if w == "'":
            out.append("'?")
            continue
        core = re.escape(w.rstrip("."))
        if len(w.rstrip(".")) == 1:
            out.append(core + r"\.")  # single letters need their dot: H.E.
        else:
            out.append(core + r"\.?")
    return r"\s*".join(out).replace(r"\s*'?", "'?")


_HONORIFIC_RE = re.compile(
    r"^(?:the\s+)?(?:(?:" + "|".join(_honorific_pattern(h) for h in sorted(HONORIFICS, key=len, reverse=True)) + r")(?:\s+|$))+",
    re.IGNORECASE,
)


def strip_honorifics(name: str) -> str:
    """'H.E. Mr. Koichi Tanaka' -> 'Koichi Tanaka'; 'He Lifeng' is left alone."""
    name = " ".join(gazetteer.normalise(name).split()).strip(" ,;:")
    stripped = _HONORIFIC_RE.sub("", name).strip(" ,;:")
    return stripped or name


def display_form(name: str) -> str:
    """The honorific-free surface with ALL-CAPS family names re-cased ('HAN Jing' -> 'Han Jing')."""
    words = strip_honorifics(name).split()
    return " ".join(w.capitalize() if len(w) > 1 and w.isupper() and w.isalpha() else w for w in words)


@lru_cache(maxsize=65536)
def _ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """Folded tokens of a name without honorifics: 'Mr. Sérgey V. Lavrov' -> ('sergey', 'v', 'lavrov').

    Chinese and Russian names are compared in Latin letters (``readouts.lang.translit``):
    '王毅' and 'Ван И' give the tokens of 'Wang Yi'.
    """
    text = _ascii_fold(strip_honorifics(latin(name))).replace("'", "").replace("’", "")
    return tuple(_TOKEN.findall(text))


@lru_cache(maxsize=65536)
def translit(token: str) -> str:
    """One spelling for transliteration variants of a token."""
    token = GIVEN_NAME_VARIANTS.get(token, token)
    for old, new in TRANSLIT_INNER:
        if old in token[1:]:
            token = token[0] + token[1:].replace(old, new)
    token = GIVEN_NAME_VARIANTS.get(token, token)
    if len(token) >= 4:
        token = TRANSLIT_ENDINGS.sub("i", token)
    return token


def name_key(name: str) -> tuple[str, ...]:
    """Tokens for comparing names: transliteration-normalised, middle initials dropped."""
    toks = [translit(t) for t in name_tokens(name)]
    if len(toks) > 2:
        toks = [toks[0]] + [t for t in toks[1:-1] if len(t) > 1] + [toks[-1]]
    return tuple(toks)


def strict_key(name: str) -> tuple[str, ...]:
    """Like ``name_key`` but keeping initials and middle names (for explicit splits)."""
    return tuple(translit(t) for t in name_tokens(name))


def _order_free(key: tuple[str, ...], country: str | None) -> tuple[str, ...]:
    if len(key) == 2 and country in EITHER_ORDER:
        return tuple(sorted(key))
    return key


def slug(text: str) -> str:
    return "-".join(_TOKEN.findall(_ascii_fold(text).replace("'", ""))) or "x"


def _title_words(title: str | None) -> frozenset[str]:
    if not title:
        return frozenset()
    return frozenset(_TOKEN.findall(_ascii_fold(title))) - _TITLE_NOISE


def normalise_post(title: str) -> str:
    """'former Foreign Minister' -> 'Foreign Minister'; the text's wording is kept otherwise."""
    title = " ".join(gazetteer.normalise(title).split()).strip(" ,;:")
    return POST_PREFIXES.sub("", title).strip() or title


# --------------------------------------------------------------------------- gazetteer views


@dataclass
class _Known:
    """Indexes over the gazetteer used for resolution (built once per process)."""

    officials: dict[tuple[str, ...], list[str]] = field(default_factory=dict)  # name key -> official keys
    surnames: dict[str, list[str]] = field(default_factory=dict)  # translit surname -> official keys
    countries: dict[str, frozenset[str]] = field(default_factory=dict)  # official key -> states/orgs of posts
    state_aliases: dict[str, list[str]] = field(default_factory=dict)
    org_aliases: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # folded state/org name -> actor id


@lru_cache(maxsize=1)
def _known() -> _Known:
    g = gazetteer.load()
    k = _Known()
    for okey, off in sorted(g.officials.items()):
        k.countries[okey] = frozenset({off.country, *(p.country for p in off.posts if p.country)})
        for phrase in (off.name, *off.aliases):
            key = name_key(phrase)
            if key and okey not in k.officials.setdefault(key, []):
                k.officials[key].append(okey)
        toks = name_key(off.name)
        ends = {toks[-1]} | ({toks[0]} if off.country in EITHER_ORDER else set()) if len(toks) > 1 else set()
        for s in ends:
            if okey not in k.surnames.setdefault(s, []):
                k.surnames[s].append(okey)
    demonyms: dict[str, list[str]] = defaultdict(list)
    orgs: dict[str, list[str]] = defaultdict(list)
    for entries in g.entries.values():
        for e in entries:
            if e.kind == "demonym":
                demonyms[e.value].append(e.surface)
            elif e.kind == "org":
                orgs[e.value].append(e.surface)
    for iso3, names in g.state_names.items():
        k.state_aliases[iso3] = list(dict.fromkeys([*names, *sorted(demonyms.get(iso3, ()))]))
        for n in names:
            k.names.setdefault(gazetteer.fold(n), f"s:{iso3}")
    for short in g.org_names:
        k.org_aliases[short] = list(dict.fromkeys(sorted(orgs.get(short, ()))))
        for n in [short, *orgs.get(short, ())]:
            k.names.setdefault(gazetteer.fold(n), f"o:{short}")
    return k


def _is_state(code: str) -> bool:
    g = gazetteer.load()
    if code in g.country_names:
        return True
    if code in g.org_names:
        return False
    return bool(re.fullmatch(r"[A-Z]{3}", code))


def code_actor_id(code: str) -> str:
    """'CHN' -> 's:CHN', 'UN' -> 'o:UN'."""
    return f"s:{code}" if _is_state(code) else f"o:{code}"


def _post_active(post: gazetteer.Post, when: str | None) -> bool:
    if not when:
        return True
    return (post.start or "0000") <= when[:7] <= (post.end or "9999")


def _titles_agree(a: str | None, b: Iterable[str]) -> bool:
    words = _title_words(a)
    if not words:
        return True
    return any(words & _title_words(t) for t in b)


# --------------------------------------------------------------------------- sightings


@dataclass(frozen=True, slots=True)
class _Sighting:
    kind: str
    surface: str  # display form (person) or code (state/org)
    country: str | None
    title: str | None
    when: str | None
    doc: str


@dataclass
class _Cluster:
    id: str
    kind: str
    name: str
    country: str | None
    key: tuple[str, ...] = ()  # order-free name key (people)
    official: str | None = None
    members: list[int] = field(default_factory=list)
    extra_aliases: list[str] = field(default_factory=list)
    fixed: bool = False  # name set by an override


def _full_name(tokens: tuple[str, ...]) -> bool:
    return len(tokens) > 1


def participant_sighting(p: Participant, when: str | None, doc: str) -> _Sighting | None:
    """The sighting that resolves a participant: its person, else its state or organisation."""
    if p.name and name_tokens(p.name):
        return _Sighting("person", display_form(p.name), p.country or None, p.title or None, when, doc)
    if p.country:
        return _Sighting("state" if _is_state(p.country) else "organisation", p.country, None, None, when, doc)
    return None


def readout_sightings(readout: Readout) -> Iterator[_Sighting]:
    """Every sighting of an actor in one readout (participants, then third-party mentions),
    in the order ``ActorRegistry.add_readout`` takes them (repeats included)."""
    doc = readout.id
    dates = sorted(e.date for e in readout.engagements if e.date)
    mention_date = readout.published or (dates[0] if dates else None)
    for eng in readout.engagements:
        when = eng.date or readout.published
        for p in eng.participants:
            if p.name and name_tokens(p.name):
                yield _Sighting("person", display_form(p.name), p.country or None, p.title or None, when, doc)
            if p.country:
                kind = "state" if _is_state(p.country) else "organisation"
                yield _Sighting(kind, p.country, None, None, when, doc)
    for m in readout.mentions:
        if m.kind == "person" and m.name:
            yield _Sighting("person", display_form(m.name), m.country or None, m.title or None, mention_date, doc)
        elif m.kind in ("state", "organisation"):
            code = m.country
            if not code:
                known = _known().names.get(gazetteer.fold(m.name or ""))
                code = known.split(":", 1)[1] if known else None
            if code:
                kind = "state" if _is_state(code) else "organisation"
                yield _Sighting(kind, code, None, None, mention_date, doc)


def _surnames(key: tuple[str, ...], country: str | None) -> set[str]:
    """The words a one-word mention of a person with this name key may use: the family name,
    and for states that write it first either end (``_Build._surname`` matches them)."""
    if len(key) < 2:
        return set(key)
    return {key[-1]} | ({key[0]} if country in EITHER_ORDER else set())


def sighting_blocks(s: _Sighting) -> tuple[str, ...]:
    """The blocks of a sighting: the clustering of the sightings of a set of blocks closed
    under ``sighting_blocks`` (every block of every sighting in it is in it) is the clustering
    those sightings get among all sightings. A state or organisation is its own block
    (``c:CODE``); a person's blocks are the family names (``n:word``) of the clusters its
    clustering may look at: people of one full name (``_Build.classify``), the known official
    it names, or, for a one-word mention, every person and official with that family name."""
    if s.kind != "person":
        return (f"c:{s.surface}",)
    toks = name_tokens(s.surface)
    if not toks:
        return ()
    g = gazetteer.load()
    known = official_of(s)
    if known is not None:
        off = g.officials[known]
        words = _surnames(_order_free(name_key(off.name), off.country), off.country)
    elif _full_name(toks):
        words = _surnames(name_key(s.surface), s.country)
    else:
        t = translit(toks[0])
        words = {t}
        for o in _known().surnames.get(t, ()):
            words |= _surnames(name_key(g.officials[o].name), g.officials[o].country)
    return tuple(sorted(f"n:{w}" for w in words))


def date_matters(s: _Sighting) -> bool:
    """Whether the clustering of a sighting can depend on its date: only through the posts of
    known officials, when its name fits several of them (``official_of``) or is one word (the
    officials of that family name: ``_Build._surname``)."""
    if s.kind != "person":
        return False
    toks = name_tokens(s.surface)
    if len(toks) < 2:
        return True
    k = _known()
    key = name_key(s.surface)
    candidates = set(k.officials.get(key, ()))
    if len(key) == 2:
        candidates.update(k.officials.get(key[::-1], ()))
    return len(candidates) > 1


def official_of(s: _Sighting) -> str | None:
    """The known official (``data/officials.tsv`` key) a person sighting names, else None."""
    k = _known()
    key = name_key(s.surface)
    cands = list(k.officials.get(key, ()))
    if len(key) == 2 and s.country in EITHER_ORDER:
        cands += [o for o in k.officials.get(key[::-1], ()) if s.country in k.countries[o] and o not in cands]
    if s.country:
        cands = [o for o in cands if s.country in k.countries[o]]
    if len(cands) > 1:
        g = gazetteer.load()
        active = [o for o in cands if any(_post_active(p, s.when) for p in g.officials[o].posts)]
        cands = active or cands
    return sorted(cands)[0] if cands else None


@dataclass
class Tally:
    """What an actor's record is made of: counts over the sightings of its cluster."""

    docs: int = 0  # distinct documents
    surfaces: dict[str, int] = field(default_factory=dict)  # surface -> sightings
    countries: dict[str, int] = field(default_factory=dict)  # country -> sightings, in the order first seen
    titles: dict[str, tuple[int, str | None, str | None]] = field(default_factory=dict)  # title -> (sightings, first, last day)

    def add(self, surface: str, country: str | None, title: str | None, n: int,
            first: str | None, last: str | None) -> None:
        """Count ``n`` sightings of one signature (``first``/``last``: their earliest and
        latest date); signatures must come in clustering order (``sighting_order``)."""
        self.surfaces[surface] = self.surfaces.get(surface, 0) + n
        if country:
            self.countries[country] = self.countries.get(country, 0) + n
        if title:
            m, f, la = self.titles.get(title, (0, None, None))
            self.titles[title] = (m + n, min(x for x in (f, first) if x) if (f or first) else None,
                                  max(x for x in (la, last) if x) if (la or last) else None)


def tally(sightings: Iterable[_Sighting]) -> Tally:
    """The tally of a cluster's member sightings (in clustering order)."""
    t = Tally()
    docs = set()
    for m in sightings:
        docs.add(m.doc)
        t.add(m.surface, m.country, m.title, 1, m.when, m.when)
    t.docs = len(docs)
    return t


def sighting_order(s: _Sighting) -> tuple[int, str, str, str, str, str]:
    """The order in which sightings are clustered (the result depends on it)."""
    return (_Build._phase(s), s.surface, s.country or "", s.title or "", s.when or "", s.doc)


class ActorRegistry:
    """Canonical actors from the sightings of many readouts; overrides applied on every build."""

    def __init__(self, overrides: Overrides | None = None) -> None:
        self.overrides = overrides or Overrides()
        self._sightings: list[_Sighting] = []
        self._seen: set[_Sighting] = set()
        self._built: _Build | None = None
        self.warnings: list[str] = []

    # ------------------------------------------------------------------ input

    def add_readout(self, readout: Readout) -> None:
        for s in readout_sightings(readout):
            self._add(s)

    def add_readouts(self, readouts: Iterable[Readout]) -> None:
        for r in readouts:
            self.add_readout(r)

    def _add(self, s: _Sighting) -> None:
        if s not in self._seen:
            self._seen.add(s)
            self._sightings.append(s)
            self._built = None

    # ------------------------------------------------------------------ output

    def actors(self) -> list[Actor]:
        """Every actor, sorted by id."""
        return list(self._build().actors.values())

    def actor(self, actor_id: str) -> Actor | None:
        return self._build().actors.get(actor_id)

    def resolve(self, name: str, country: str | None = None, title: str | None = None, when: str | None = None) -> str | None:
        """The id of the actor a name (with optional state, post and date) refers to, else None."""
        b = self._build()
        return resolve_in(b, name, country, title, when, b.actors.__contains__, b.code_names)

    def actor_id_for(self, participant: Participant, when: str | None = None) -> str | None:
        """The person's actor id; a participant without a name gets its state's or organisation's."""
        if participant.name and name_tokens(participant.name):
            return self.resolve(participant.name, participant.country, participant.title, when)
        if participant.country:
            return self._build().final_id(code_actor_id(participant.country))
        return None

    # ------------------------------------------------------------------ build

    def _build(self) -> _Build:
        if self._built is None:
            self._built = _Build(self._sightings, self.overrides)
            self.warnings = list(self._built.warnings)
        return self._built


def resolve_in(b: _Build, name: str, country: str | None, title: str | None, when: str | None,
               has_actor: Callable[[str], bool], code_names: Mapping[str, str]) -> str | None:
    """``ActorRegistry.resolve`` against a build: ``has_actor`` tells whether an actor id
    exists, ``code_names`` maps folded names of states and organisations to their ids."""
    if not name or not name.strip():
        return None
    folded = gazetteer.fold(name)
    sid = _known().names.get(folded)
    if sid:
        return b.final_id(sid) if has_actor(b.final_id(sid)) else None
    if country is None and title is None and folded in code_names:
        return code_names[folded]
    override = b.alias_ids.get(name_key(name))
    if override:
        return override
    s = _Sighting("person", display_form(name), country, title, when, "")
    cid = b.classify(s)
    if cid is None:
        return None
    return b.route(cid, s)


class _Build:
    """One clustering of the sightings with the overrides applied (``records=False``: the
    clustering only, no actor records: what the store's incremental registry needs)."""

    def __init__(self, sightings: list[_Sighting], overrides: Overrides, records: bool = True) -> None:
        self.suffixed = False  # two clusters wanted one id (one took a "-2" suffix)
        self.sightings = sightings
        self.overrides = overrides
        self.warnings: list[str] = []
        self.clusters: dict[str, _Cluster] = {}
        self.by_key: dict[tuple[tuple[str, ...], str | None], str] = {}
        self.by_official: dict[str, str] = {}
        self.alias_ids: dict[tuple[str, ...], str] = {}
        self.code_names: dict[str, str] = {}
        self._cluster_all()
        self.auto_of: dict[int, str] = {i: cid for cid, c in self.clusters.items() for i in c.members}
        self.groups: dict[str, _Cluster] = {cid: _copy(c) for cid, c in self.clusters.items()}
        self.redirect: dict[str, str] = {}
        self._finals: dict[str, set[str]] | None = None
        self._done = False
        self._apply_overrides()
        self._done = True
        self.actors: dict[str, Actor] = {}
        if not records:
            return
        self.actors = {cid: self._actor(c) for cid, c in sorted(self.groups.items())}
        for a in self.actors.values():
            if a.kind != "person":
                for n in (a.name, *a.aliases):
                    self.code_names.setdefault(gazetteer.fold(n), a.id)

    # ------------------------------------------------------------------ automatic clustering

    def _cluster_all(self) -> None:
        order = sorted(range(len(self.sightings)), key=lambda i: sighting_order(self.sightings[i]))
        for i in order:
            s = self.sightings[i]
            cid = self.classify(s, create=True)
            if cid is not None:
                self.clusters[cid].members.append(i)
        for c in self.clusters.values():
            if c.kind == "person" and not c.official:
                c.name = _display_name([self.sightings[i] for i in c.members], c.name)

    @staticmethod
    def _phase(s: _Sighting) -> int:
        if s.kind != "person":
            return 0
        toks = name_tokens(s.surface)
        if not _full_name(toks):
            return 3
        return 1 if s.country else 2

    def _new(self, cid: str, kind: str, name: str, country: str | None, key: tuple[str, ...] = (), official: str | None = None) -> str:
        base, n = cid, 2
        while cid in self.clusters and (self.clusters[cid].key, self.clusters[cid].country, self.clusters[cid].official) != (key, country, official):
            cid, n = f"{base}-{n}", n + 1
            self.suffixed = True
        if cid not in self.clusters:
            self.clusters[cid] = _Cluster(cid, kind, name, country, key, official)
        return cid

    def classify(self, s: _Sighting, create: bool = False) -> str | None:
        """The automatic cluster of a sighting (created when ``create``), else None."""
        g = gazetteer.load()
        if s.kind != "person":
            code_id = f"s:{s.surface}" if s.kind == "state" else f"o:{s.surface}"
            if create:
                name = g.country_names.get(s.surface, s.surface) if s.kind == "state" else s.surface
                return self._new(code_id, s.kind, name, s.surface)
            return code_id if code_id in self.clusters else None
        toks = name_tokens(s.surface)
        if not toks:
            return None
        known = official_of(s)
        if known is not None:
            off = g.officials[known]
            cid = self.by_official.get(known)
            if cid is None and create:
                cid = self._new(f"p:{slug(off.name)}:{off.country}", "person", off.name, off.country,
                                _order_free(name_key(off.name), off.country), known)
                self.by_official[known] = cid
            return cid
        if not _full_name(toks):
            return self._surname(s, create)
        key = _order_free(name_key(s.surface), s.country)
        cid = self.by_key.get((key, s.country))
        if cid is None and s.country is None:
            same = sorted({c for (k, _c), c in self.by_key.items() if k == key or k == _order_free(key, _c)})
            if len(same) == 1:
                return same[0]
        if cid is None and create:
            cid = f"p:{slug(_without_initials(s.surface))}" + (f":{s.country}" if s.country else "")
            cid = self._new(cid, "person", s.surface, s.country, key)
            self.by_key[(key, s.country)] = cid
        return cid

    def _surname(self, s: _Sighting, create: bool) -> str | None:
        """A one-word name: the unique compatible person with that surname, else None."""
        t = translit(name_tokens(s.surface)[0])
        hits = []
        for known_id, c in self.clusters.items():
            if c.kind != "person" or len(c.key) < 2:
                continue
            if s.country and c.country and s.country != c.country:
                continue
            surnames = {name_key(c.name)[-1]} | ({name_key(c.name)[0]} if c.country in EITHER_ORDER else set())
            if t not in surnames:
                continue
            titles = [t for t in (self.sightings[i].title for i in c.members) if t]
            if c.official:
                titles += [p.title for p in gazetteer.load().officials[c.official].posts]
            if s.title and titles and not _titles_agree(s.title, titles):
                continue
            hits.append(known_id)
        if len(hits) == 1:
            return hits[0]
        if hits or not (s.country or s.title):
            return None
        k, g = _known(), gazetteer.load()
        offs = []
        for o in k.surnames.get(t, ()):
            off = g.officials[o]
            if s.country and s.country not in k.countries[o]:
                continue
            posts = [p for p in off.posts if _post_active(p, s.when) and (not s.country or p.country in (None, s.country) or off.country == s.country)]
            if not posts or not _titles_agree(s.title, [p.title for p in posts]):
                continue
            offs.append(o)
        if len(offs) != 1:
            return None
        o = offs[0]
        cid: str | None = self.by_official.get(o)
        if cid is None and create:
            off = g.officials[o]
            cid = self._new(f"p:{slug(off.name)}:{off.country}", "person", off.name, off.country,
                            _order_free(name_key(off.name), off.country), o)
            self.by_official[o] = cid
        return cid

    # ------------------------------------------------------------------ overrides

    def final_id(self, cid: str) -> str:
        seen = set()
        while cid in self.redirect and cid not in seen:
            seen.add(cid)
            cid = self.redirect[cid]
        return cid

    def route(self, auto_cid: str, s: _Sighting) -> str | None:
        """The final actor of a sighting whose automatic cluster is ``auto_cid`` (handles splits)."""
        index = self._finals
        if index is None:  # while overrides are applied the groups change: no cache
            index = defaultdict(set)
            for grp in self.groups.values():
                for i in grp.members:
                    index[self.auto_of[i]].add(grp.id)
            if self._done:
                self._finals = index
        finals = sorted({self.final_id(f) for f in index.get(auto_cid, ())})
        if not finals:
            fid = self.final_id(auto_cid)
            return fid if fid in self.groups else None
        if len(finals) == 1:
            return finals[0]
        skey = strict_key(s.surface)

        def score(fid: str) -> tuple[int, int, int]:
            grp = self.groups[fid]
            ms = [self.sightings[i] for i in grp.members if self.auto_of.get(i) == auto_cid]
            return (
                sum(1 for m in ms if strict_key(m.surface) == skey and m.country in (None, s.country)),
                sum(1 for m in ms if s.country and m.country == s.country),
                len(ms),
            )

        return max(finals, key=lambda f: (score(f), f))

    def _find(self, ref: str, where: str) -> str | None:
        """An override's reference: an id (exact, or the same name key and country) or a name."""
        if ref in self.groups:
            return ref
        fid = self.final_id(ref)
        if fid in self.groups:
            return fid
        m = re.fullmatch(r"p:([^:]+)(?::(.+))?", ref)
        if m:
            key, country = _order_free(tuple(translit(t) for t in m.group(1).split("-")), m.group(2)), m.group(2)
            hits = sorted(cid for cid, c in self.groups.items() if c.kind == "person" and c.country == country
                          and (c.key == key or _order_free(name_key(c.name), country) == key))
            if hits:
                return hits[0]
        if ":" not in ref:
            s = _Sighting("person", display_form(ref), None, None, None, "")
            folded = gazetteer.fold(ref)
            sid = _known().names.get(folded)
            if sid and self.final_id(sid) in self.groups:
                return self.final_id(sid)
            cid = self.classify(s)
            if cid is not None:
                return self.route(cid, s)
            hits = sorted(cid for cid, c in self.groups.items() if gazetteer.fold(c.name) == folded)
            if hits:
                return hits[0]
        self.warnings.append(f"{self.overrides.source}: {where}: no actor {ref!r}")
        return None

    def _apply_overrides(self) -> None:
        o = self.overrides
        for n, (ref, by, parts) in enumerate(o.splits, 1):
            cid = self._find(ref, f"split #{n}")
            if cid is not None:
                self._split(cid, by, parts)
        for n, (refs, into, name) in enumerate(o.merges, 1):
            ids = [x for x in (self._find(r, f"merge #{n}") for r in refs) if x is not None]
            ids = list(dict.fromkeys(ids))
            if not ids:
                continue
            target = into or ids[0]
            if target not in self.groups:
                first = self.groups[ids[0]]
                self.groups[target] = _Cluster(target, first.kind, first.name, first.country, first.key, first.official)
            for x in ids:
                if x != target:
                    self._merge_into(x, target)
            if name:
                self._rename(target, name)
        for n, (ref, aliases) in enumerate(o.aliases, 1):
            cid = self._find(ref, f"alias #{n}")
            if cid is None:
                continue
            grp = self.groups[cid]
            for a in aliases:
                if a not in grp.extra_aliases:
                    grp.extra_aliases.append(a)
                self.alias_ids[name_key(a)] = cid
                for other in sorted(self.groups):
                    oc = self.groups.get(other)
                    if oc is not None and other != cid and oc.kind == grp.kind and name_key(oc.name) == name_key(a) \
                            and (oc.country in (None, grp.country)):
                        self._merge_into(other, cid)
        for n, (ref, name) in enumerate(o.renames, 1):
            cid = self._find(ref, f"rename #{n}")
            if cid is not None:
                self._rename(cid, name)

    def _merge_into(self, src: str, dst: str) -> None:
        if src == dst or src not in self.groups:
            return
        a, b = self.groups.pop(src), self.groups[dst]
        b.fixed = True  # a merged actor keeps the target's name
        b.members.extend(a.members)
        b.extra_aliases.extend(x for x in [a.name, *a.extra_aliases] if x not in b.extra_aliases)
        self.redirect[src] = dst

    def _rename(self, cid: str, name: str) -> None:
        grp = self.groups[cid]
        if grp.name != name and grp.name not in grp.extra_aliases:
            grp.extra_aliases.append(grp.name)
        grp.name = name
        grp.fixed = True

    def _split(self, cid: str, by: str | None, parts: tuple[SplitPart, ...]) -> None:
        grp = self.groups.pop(cid)
        buckets: dict[str, list[int]] = defaultdict(list)
        meta: dict[str, tuple[str, str | None]] = {}
        if by == "country":
            for i in grp.members:
                country = self.sightings[i].country or grp.country
                nid = _retarget(cid, country)
                buckets[nid].append(i)
                meta[nid] = (grp.name, country)
        else:
            rest = []
            keys = [(p, {strict_key(a) for a in (p.name, *p.aliases)}) for p in parts]
            for i in grp.members:
                s = self.sightings[i]
                part = next((p for p, ks in keys if strict_key(s.surface) in ks and (p.country is None or s.country in (None, p.country))), None)
                if part is None:
                    rest.append(i)
                    continue
                country = part.country or grp.country
                nid = f"p:{slug(part.name)}" + (f":{country}" if country else "")
                if nid == cid:
                    nid = f"{cid}-2"
                buckets[nid].append(i)
                meta[nid] = (part.name, country)
            if rest:
                buckets[cid].extend(rest)
                meta[cid] = (grp.name, grp.country)
        for nid, members in buckets.items():
            name, country = meta[nid]
            if nid in self.groups:  # an existing actor takes the part
                self.groups[nid].members.extend(members)
            else:
                self.groups[nid] = _Cluster(nid, grp.kind, name, country, grp.key, grp.official, members,
                                            list(grp.extra_aliases) if nid == cid else [],
                                            grp.fixed if nid == cid else by is None)
        if cid not in buckets:
            largest = max(buckets, key=lambda k: (len(buckets[k]), k), default=None)
            if largest is not None:
                self.redirect[cid] = largest

    # ------------------------------------------------------------------ actors

    def _actor(self, c: _Cluster) -> Actor:
        return actor_record(c, tally(self.sightings[i] for i in c.members))


def actor_record(c: _Cluster, t: Tally) -> Actor:
    """The actor of a cluster, from the tally of its sightings."""
    if c.kind != "person":
        k = _known()
        code = c.country or ""
        base = k.state_aliases.get(code, []) if c.kind == "state" else [code, *k.org_aliases.get(code, [])]
        aliases = [a for a in dict.fromkeys([*base, *c.extra_aliases]) if a != c.name]
        return Actor(c.id, c.kind, c.name, tuple(aliases), c.country, (), t.docs)
    name = c.name
    if not c.official and not c.fixed:
        name = _display_name_of(t.surfaces, name)
    surfaces = sorted(t.surfaces)
    known_aliases: list[str] = []
    if c.official:
        known_aliases = list(gazetteer.load().officials[c.official].aliases)
    aliases = [a for a in dict.fromkeys([*surfaces, *known_aliases, *c.extra_aliases]) if a != name]
    countries = Counter(t.countries)  # keeps the order first seen: ties go to the first
    country = c.country or (countries.most_common(1)[0][0] if countries else None)
    return Actor(c.id, "person", name, tuple(aliases), country, _posts(t), t.docs)


def _display_name(sightings: list[_Sighting], default: str) -> str:
    """The most frequent full form (ties: the longer, then the alphabetically first)."""
    return _display_name_of(Counter(m.surface for m in sightings), default)


def _display_name_of(surfaces: Mapping[str, int], default: str) -> str:
    counts = {n: c for n, c in surfaces.items() if _full_name(name_tokens(n))}
    return min(counts, key=lambda n: (-counts[n], -len(n), n)) if counts else default


def _without_initials(name: str) -> str:
    """'John F. Kerry' -> 'John Kerry' (for ids: one id for both forms)."""
    words = name.split()
    if len(words) > 2:
        words = [words[0]] + [w for w in words[1:-1] if len(w.rstrip(".")) > 1] + [words[-1]]
    return " ".join(words)


def _copy(c: _Cluster) -> _Cluster:
    return _Cluster(c.id, c.kind, c.name, c.country, c.key, c.official, list(c.members), list(c.extra_aliases), c.fixed)


def _retarget(cid: str, country: str | None) -> str:
    base = cid.split(":")
    if base[0] == "p" and len(base) >= 2:
        return f"p:{base[1]}" + (f":{country}" if country else "")
    return cid


def _posts(t: Tally) -> tuple[Post, ...]:
    seen: dict[str, list[tuple[str, int, str | None, str | None]]] = defaultdict(list)
    for raw, (n, first, last) in t.titles.items():
        seen[_ascii_fold(normalise_post(raw))].append((raw, n, first, last))
    posts = []
    for group in seen.values():
        wording: Counter[str] = Counter()
        for raw, n, _, _ in group:
            wording[normalise_post(raw)] += n
        title = min(wording, key=lambda w: (-wording[w], w))
        firsts = [f for _, _, f, _ in group if f]
        lasts = [la for _, _, _, la in group if la]
        posts.append(Post(title, min(firsts) if firsts else None, max(lasts) if lasts else None))
    return tuple(sorted(posts, key=lambda p: (p.first_seen or "9999", p.title)))


# --------------------------------------------------------------------------- overrides file


def _strs(value: Any, where: str, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise OverridesError(f"{where}: {what} must be a non-empty list of strings")
    return tuple(v.strip() for v in value)


def _str(entry: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise OverridesError(f"{where}: missing {key!r}")
        return None
    if not isinstance(value, str) or not value.strip():
        raise OverridesError(f"{where}: {key!r} must be a non-empty string")
    return value.strip()


_SECTIONS = {"merge": ("ids", "names", "into", "name"), "split": ("id", "by", "parts"),
             "rename": ("id", "name"), "alias": ("id", "aliases")}


def parse_overrides(data: dict[str, Any], source: str = "<overrides>") -> Overrides:
    """Validate a parsed overrides document; errors name the source and the entry."""
    for section in data:
        if section not in _SECTIONS:
            raise OverridesError(f"{source}: unknown section [[{section}]] (expected one of {', '.join(_SECTIONS)})")
    entries: dict[str, list[dict[str, Any]]] = {}
    for section in _SECTIONS:
        value = data.get(section, [])
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            raise OverridesError(f"{source}: {section} must be written as [[{section}]] tables")
        entries[section] = value
        for n, e in enumerate(value, 1):
            unknown = set(e) - set(_SECTIONS[section])
            if unknown:
                raise OverridesError(f"{source}: [[{section}]] #{n}: unknown key(s) {', '.join(sorted(unknown))}")
    merges = []
    for n, e in enumerate(entries["merge"], 1):
        where = f"{source}: [[merge]] #{n}"
        refs: tuple[str, ...] = ()
        if "ids" in e:
            refs += _strs(e["ids"], where, "ids")
        if "names" in e:
            refs += _strs(e["names"], where, "names")
        if len(refs) < 2:
            raise OverridesError(f"{where}: needs at least two actors in 'ids' and/or 'names'")
        merges.append((refs, _str(e, "into", where, False), _str(e, "name", where, False)))
    splits = []
    for n, e in enumerate(entries["split"], 1):
        where = f"{source}: [[split]] #{n}"
        ref = _str(e, "id", where)
        by = _str(e, "by", where, False)
        raw_parts = e.get("parts")
        if by is not None and by != "country":
            raise OverridesError(f"{where}: 'by' must be \"country\" (or give 'parts')")
        if (by is None) == (raw_parts is None):
            raise OverridesError(f"{where}: give either by = \"country\" or a list of 'parts'")
        parts: list[SplitPart] = []
        if raw_parts is not None:
            if not isinstance(raw_parts, list) or not raw_parts:
                raise OverridesError(f"{where}: 'parts' must be a non-empty list of tables")
            for k, p in enumerate(raw_parts, 1):
                pw = f"{where} part {k}"
                if not isinstance(p, dict):
                    raise OverridesError(f"{pw}: must be a table {{ name = ..., aliases = [...] }}")
                unknown = set(p) - {"name", "aliases", "country"}
                if unknown:
                    raise OverridesError(f"{pw}: unknown key(s) {', '.join(sorted(unknown))}")
                name = _str(p, "name", pw)
                aliases = _strs(p["aliases"], pw, "aliases") if "aliases" in p else ()
                parts.append(SplitPart(name or "", aliases, _str(p, "country", pw, False)))
        splits.append((ref or "", by, tuple(parts)))
    renames = []
    for n, e in enumerate(entries["rename"], 1):
        where = f"{source}: [[rename]] #{n}"
        renames.append((_str(e, "id", where) or "", _str(e, "name", where) or ""))
    alias_entries: list[tuple[str, tuple[str, ...]]] = []
    for n, e in enumerate(entries["alias"], 1):
        where = f"{source}: [[alias]] #{n}"
        if "aliases" not in e:
            raise OverridesError(f"{where}: missing 'aliases'")
        alias_entries.append((_str(e, "id", where) or "", _strs(e["aliases"], where, "aliases")))
    return Overrides(tuple(merges), tuple(splits), tuple(renames), tuple(alias_entries), source)


def load_overrides(path: str | Path) -> Overrides:
    """Read and validate an overrides TOML file (format: ``data/overrides.example.toml``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OverridesError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise OverridesError(f"{path}: not UTF-8 text") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OverridesError(f"{path}: not valid TOML: {exc}") from exc
    return parse_overrides(data, str(path))


def build_registry(readouts: Iterable[Readout], overrides: Overrides | None = None) -> ActorRegistry:
    """A registry of the given readouts."""
    reg = ActorRegistry(overrides)
    reg.add_readouts(readouts)
    return reg
