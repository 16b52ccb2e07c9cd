"""Gazetteers: states, cities, organisations, posts and known officials, loaded from data files.

The files in ``readouts/data`` are facts the project writes itself; they are validated
when loaded (a malformed row is a ``GazetteerError`` naming file and line). Everything is
loaded once per process (``load()`` is cached), so workers pay the cost once.
"""
from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

TOKEN_RE = re.compile(r"\w+|[^\w\s]")


class GazetteerError(ValueError):
    pass


def tokens_of(text: str) -> tuple[str, ...]:
    """Lower-cased tokens of a phrase, the key used by every lookup."""
    return tuple(t.lower() for t in TOKEN_RE.findall(normalise(text)))


_NORMALISE = (("’", "'"), ("‘", "'"), ("`", "'"), ("“", '"'), ("”", '"'), ("\xa0", " "), ("‐", "-"), ("‑", "-"))


def normalise(text: str) -> str:
    """Same-length character normalisation applied to clean text (quotes, spaces, hyphens)."""
    if text.isascii():  # constant time; of the characters below only the backtick is ASCII
        return text.replace("`", "'") if "`" in text else text
    for old, new in _NORMALISE:  # str.replace is much faster than str.translate with a table
        if old in text:
            text = text.replace(old, new)
    return text


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str  # country | demonym | city | region | org | post | honorific | official
    value: str  # ISO3, org short name, post level, official key, city name
    extra: str = ""  # city: its ISO3; post: the canonical head
    cased: bool = False  # must match the capitalisation of the data (US, UK, Chad)
    surface: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    title: str
    start: str | None
    end: str | None
    country: str | None = None  # the state or organisation of this post


@dataclass(frozen=True, slots=True)
class Official:
    name: str
    country: str
    aliases: tuple[str, ...]
    posts: tuple[Post, ...]

    def post_at(self, when: str | None) -> Post | None:
        """The post held at ``when`` (ISO prefix), else the latest one."""
        if not self.posts:
            return None
        if when:
            for post in self.posts:
                if (post.start or "0000") <= when[:7] <= (post.end or "9999"):
                    return post
        return max(self.posts, key=lambda p: p.start or "")

    def country_for(self, title: str | None) -> str:
        """The state of the post that this title names ("High Representative" -> EU), else of the latest post."""
        if title:
            words = set(fold(title).split()) - {"of", "the", "for", "and", "minister", "vice", "deputy"}
            best = max(self.posts, key=lambda p: len(words & set(fold(p.title).split())), default=None)
            if best is not None and words & set(fold(best.title).split()) and best.country:
                return best.country
        latest = self.post_at(None)
        return (latest.country if latest and latest.country else self.country)


@dataclass
class Gazetteer:
    entries: dict[tuple[str, ...], list[Entry]] = field(default_factory=dict)
    max_len: dict[str, int] = field(default_factory=dict)
    second: dict[str, set[str]] = field(default_factory=dict)  # first token -> tokens that can follow it
    country_names: dict[str, str] = field(default_factory=dict)  # ISO3 -> name
    country_by_name: dict[str, str] = field(default_factory=dict)  # folded name -> ISO3
    state_names: dict[str, list[str]] = field(default_factory=dict)  # ISO3 -> every name and alias
    capitals: dict[str, str] = field(default_factory=dict)  # ISO3 -> capital
    city_country: dict[str, str] = field(default_factory=dict)  # folded city -> ISO3
    city_names: dict[str, str] = field(default_factory=dict)  # folded alias -> canonical city
    officials: dict[str, Official] = field(default_factory=dict)  # key (folded name) -> official
    surnames: dict[str, list[str]] = field(default_factory=dict)  # folded surname -> official keys
    org_names: dict[str, str] = field(default_factory=dict)
    post_levels: dict[str, str] = field(default_factory=dict)  # folded head -> level

    def add(self, phrase: str, entry: Entry) -> None:
        key = tokens_of(phrase)
        if not key:
            return
        bucket = self.entries.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)
        if len(key) > self.max_len.get(key[0], 0):
            self.max_len[key[0]] = len(key)
        if len(key) > 1:
            self.second.setdefault(key[0], set()).add(key[1])

    def lookup(self, words: list[str], surfaces: list[str], i: int, kinds: frozenset[str] | None = None) -> tuple[int, list[Entry]]:
        """Longest entry starting at token ``i``: (length, entries) or (0, [])."""
        first = words[i]
        longest = self.max_len.get(first, 0)
        for n in range(min(longest, len(words) - i), 0, -1):
            found = self.entries.get(tuple(words[i:i + n]))
            if not found:
                continue
            ok = [e for e in found if (kinds is None or e.kind in kinds) and (not e.cased or _case_ok(e.surface, surfaces[i:i + n]))]
            if ok:
                return n, ok
        return 0, []


@lru_cache(maxsize=None)
def _surface_tokens(surface: str) -> tuple[str, ...]:
    return tuple(TOKEN_RE.findall(normalise(surface)))


def _case_ok(surface: str, toks: list[str]) -> bool:
    """Capitalised data words need capitals in the text; all-capital ones ("US") need an exact match."""
    for w, t in zip(_surface_tokens(surface), toks):
        if len(w) > 1 and w.isupper():
            if t != w:
                return False
        elif w[:1].isupper() and not t[:1].isupper():
            return False
    return True


def _rows(name: str, columns: int) -> list[list[str]]:
    text = resources.files("readouts.data").joinpath(name).read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    out = []
    for n, row in enumerate(rows[1:], 2):
        if not row:
            continue
        if len(row) < columns:
            row = row + [""] * (columns - len(row))
        if len(row) != columns:
            raise GazetteerError(f"{name}:{n}: expected {columns} columns, found {len(row)}")
        out.append([c.strip() for c in row])
    return out


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    return " ".join(tokens_of(text))


def country_code(value: str) -> str:
    """A state's ISO 3166-1 alpha-3 code (or an organisation's short name) as a user typed it,
    normalised ("chn" -> "CHN", "eu" -> "EU"); ValueError for anything else, with the code to
    use when the value is a state's name ("China" -> use CHN)."""
    gazetteer = load()
    code = value.strip().upper()
    if code in gazetteer.country_names:
        return code
    for short in gazetteer.org_names.values():
        if short.upper() == code:
            return short
    named = gazetteer.country_by_name.get(fold(value))
    hint = f" (for {value.strip()} use {named})" if named else " (three letters, e.g. CHN)"
    raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-3 country code{hint}")


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    g = Gazetteer()
    for iso3, name, aliases, demonyms, capital in _rows("countries.tsv", 5):
        if not re.fullmatch(r"[A-Z]{3}", iso3):
            raise GazetteerError(f"countries.tsv: bad ISO3 code {iso3!r}")
        g.country_names[iso3] = name
        g.country_by_name.setdefault(fold(name), iso3)
        if capital:
            g.capitals[iso3] = capital
        g.state_names[iso3] = [name, *_split(aliases)]
        for phrase in g.state_names[iso3]:
            g.add(phrase, Entry("country", iso3, cased=True, surface=phrase))
        for phrase in _split(demonyms):
            g.add(phrase, Entry("demonym", iso3, cased=True, surface=phrase))
    for city, iso3, aliases in _rows("cities.tsv", 3):
        for phrase in [city, *_split(aliases)]:
            g.add(phrase, Entry("city", city, iso3, cased=True, surface=phrase))
            g.city_country.setdefault(fold(phrase), iso3)
            g.city_names.setdefault(fold(phrase), city)
    for region, iso3, aliases in _rows("regions.tsv", 3):
        for phrase in [region, *_split(aliases)]:
            g.add(phrase, Entry("region", region, iso3, cased=True, surface=phrase))
    for iso3, capital in g.capitals.items():
        if fold(capital) not in g.city_country:
            g.add(capital, Entry("city", capital, iso3, cased=True, surface=capital))
            g.city_country[fold(capital)] = iso3
            g.city_names[fold(capital)] = capital
    for short, names, _kind in _rows("organisations.tsv", 3):
        g.org_names[short] = short
        for phrase in [short, *_split(names)]:
            g.add(phrase, Entry("org", short, cased=True, surface=phrase))
    posts = tomllib.loads(resources.files("readouts.data").joinpath("posts.toml").read_text(encoding="utf-8"))
    for level, heads in posts["heads"].items():
        for head in heads:
            g.add(head, Entry("post", level, head))
            g.post_levels.setdefault(fold(head), level)
    for word in posts["modifiers"]["words"]:
        g.add(word, Entry("modifier", word))
    for word in posts["modifiers"].get("past", []):
        g.add(word, Entry("modifier", word, "past"))
    for word in posts["honorifics"]["words"]:
        g.add(word, Entry("honorific", word))
    for name, aliases, country, title, start, end in _rows("officials.tsv", 6):
        key = fold(name)
        post = Post(title, start or None, end or None, country)
        known = g.officials.get(key)
        if known is None:
            known = Official(name, country, tuple(_split(aliases)), (post,))
        else:
            known = Official(known.name, known.country, tuple(dict.fromkeys(known.aliases + tuple(_split(aliases)))), known.posts + (post,))
        g.officials[key] = known
        for phrase in [name, *_split(aliases)]:
            g.add(phrase, Entry("official", key, cased=True, surface=phrase))
        words = key.split()
        for surname in {words[-1], words[0]} if len(words) > 1 else set():
            if len(surname) > 2 and key not in g.surnames.setdefault(surname, []):
                g.surnames[surname].append(key)
    return g


_POST_SKIP = frozenset({"modifier", "country", "demonym", "honorific"})
_STATE_KINDS = frozenset({"country", "demonym"})


@lru_cache(maxsize=8192)
def post_level(title: str | None) -> str | None:
    """The level (``data/posts.toml [heads]``) of a post title: that of its head, the first post
    after modifiers and state names only ("Chinese Foreign Minister", "Minister for Europe and
    Foreign Affairs", "Parliamentary Secretary to the Prime Minister"). None when the words
    before the head name another body ("State Senate President"), when the post is a past one
    ("former President", ``[modifiers] past``), or when a head of state or government heads
    something that is not a state ("President of the Senate")."""
    if not title or not title.strip():
        return None
    g = load()
    surfaces = TOKEN_RE.findall(normalise(title))
    toks = [t.lower() for t in surfaces]
    i = 0
    while i < len(toks):
        n, found = g.lookup(toks, surfaces, i, frozenset({"post"}))
        if n:
            level = found[0].value
            rest = toks[i + n:]
            if level in ("head_of_state", "head_of_government") and rest[:1] in (["of"], ["for"]):
                j = i + n + 1
                states = any(g.lookup(toks, surfaces, k, _STATE_KINDS)[0] for k in range(j, len(toks)))
                if not states:
                    return None
            return level
        n, found = g.lookup(toks, surfaces, i, _POST_SKIP)
        if n:
            if any(e.kind == "modifier" and e.extra == "past" for e in found):
                return None
            i += n
        elif toks[i] in ("the", "'", "s", "-", ",", "."):
            i += 1
        else:
            return None
    return None
