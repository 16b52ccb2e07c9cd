"""The filters of every read (CLI, exports, web), and what each one means in SQL.

One meaning each, wherever a filter is given:

* ``countries``: every listed state or organisation takes part (two = the dyad);
* ``actor``: an actor of the registry (``readouts actors``): its id (``p:wang-yi:CHN``), or a
  name that is part of a participant's name or of one of a registered actor's aliases,
  transliteration folded ("Sergei Lavrov" finds "Sergey Lavrov", "Lavrov" finds both);
* ``since`` / ``until``: YYYY, YYYY-MM or YYYY-MM-DD, inclusive; a partial engagement date
  counts as the first day of its period, a partial ``until`` covers its whole period;
* ``mode``: one of ``records.MODES``;
* ``occasion``: the normalised occasion series ("G20 Summit"), or words that all occur in
  the occasion or its series ("g20", "BRICS foreign");
* ``text``: words and phrases over document titles and texts. What a user types is taken as
  words ("U.S.", "Xi's", "one-China", "China-US", a trailing "AND" all just search); FTS5's
  own syntax ("a OR b", "\"joint statement\"", "fish*", "NEAR(a b, 5)") works when it parses;
* ``include_copies``: also the engagements of republished copies (by default each text once);
* ``events``: one row per event (linked reports, ``engagements.event_id``) instead of one per
  report; the CLI and the web ask for events unless told otherwise;
* ``ids``: only these engagements.

This module imports nothing of the store: ``readouts.store`` takes its dates from here.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from readouts.records import MODES

__all__ = ["Filters", "engagement_conditions", "first_day", "fts_query", "is_valid_date", "plain_words",
           "text_match", "where"]

_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", re.ASCII)


def is_valid_date(value: str) -> bool:
    """True for YYYY, YYYY-MM or YYYY-MM-DD (a day that exists; ASCII digits only)."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        return len(value) < 10 or bool(date.fromisoformat(value))
    except ValueError:  # 2021-02-30
        return False


def first_day(value: str | None) -> str | None:
    """A (partial) ISO date as the first day of its period: 2019-07 -> 2019-07-01."""
    if not value:
        return None
    parts = value.split("-")
    while len(parts) < 3:
        parts.append("01")
    return "-".join(parts[:3])


# --------------------------------------------------------------------------- full text

_FTS_TOKEN = re.compile(r'"[^"]*"?|[(),]|[^\s(),"]+')
_FTS_BAREWORD = re.compile(r"(?:(?:title|text)\s*:\s*)?[\w\u0080-\U0010ffff]+\*?")
_FTS_OPERATORS = frozenset({"AND", "OR", "NOT"})
_WORD_CHARS = re.compile(r"[^\W_]+(?:[^\s\"]*[^\W_])?")


def fts_query(text: str) -> str:
    """An everyday search as an FTS5 query: words that FTS5 would read as syntax are quoted.

    ``climate-change``, ``U.S.`` and ``China's`` become the phrases ``"climate-change"``,
    ``"U.S."`` and ``"China's"`` (FTS5 then matches their words in order); FTS5's own syntax
    (``AND``/``OR``/``NOT``, ``"phrases"``, ``prefix*``, parentheses, ``NEAR(a b, 5)``,
    ``title:word``) is kept. An unclosed quote is closed; a comma outside ``NEAR`` is dropped.
    The result may still not parse ("AND", "(x"): ``text_match`` then falls back to
    ``plain_words``.
    """
    out: list[str] = []
    near_depth = 0  # > 0 inside NEAR( ... ), where a comma separates the distance
    for token in _FTS_TOKEN.findall(text):
        if token.startswith('"'):
            out.append(token if len(token) > 1 and token.endswith('"') else token + '"')
        elif token == "(":
            near_depth += bool(near_depth) or bool(out and out[-1] == "NEAR")
            out.append(token)
        elif token == ")":
            near_depth = max(0, near_depth - 1)
            out.append(token)
        elif token == ",":
            if near_depth:
                out.append(token)
        elif token in _FTS_OPERATORS or token == "NEAR" or _FTS_BAREWORD.fullmatch(token):
            out.append(token)
        else:
            out.append('"' + token.replace('"', '""') + '"')
    return " ".join(out)


def plain_words(text: str) -> str | None:
    """User text as words and phrases only, every one quoted (all must occur): ``China AND``
    -> ``"China"`` (a dangling operator is left out), ``(x`` -> ``"x"``, ``AND`` -> ``"AND"``.
    None when the text has no word at all."""
    words = [m.group() for m in _WORD_CHARS.finditer(text)]
    words = [w for w in words if w not in _FTS_OPERATORS] or words
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) or None


def text_match(conn: sqlite3.Connection, text: str) -> str | None:
    """The FTS5 query for a user's text: ``fts_query`` when FTS5 parses it, else ``plain_words``
    (never an FTS5 syntax error). None: nothing to search for (the filter is left out)."""
    query = fts_query(text)
    if query.strip():
        try:
            conn.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? LIMIT 1", (query,)).fetchall()
            return query
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "no such table" in str(exc):
                raise
    return plain_words(text)


# --------------------------------------------------------------------------- the filters


@dataclass(frozen=True, slots=True)
class Filters:
    """Which engagements to read. Every given criterion must hold (see the module's doc).

    ``limit=None`` returns every match; ``offset`` skips rows first (events when ``events``).
    """

    countries: tuple[str, ...] = ()
    actor: str | None = None
    since: str | None = None
    until: str | None = None
    mode: str | None = None
    text: str | None = None
    limit: int | None = 100
    offset: int = 0
    include_copies: bool = False  # engagements of republished copies too (counted twice)
    occasion: str | None = None  # occasion series ("G20 Summit"), case-insensitive, or its words
    ids: tuple[str, ...] | None = None  # only these engagements
    events: bool = False  # one row per event (its first report stands for it)

    def __post_init__(self) -> None:
        if isinstance(self.countries, str):
            raise TypeError("countries must be a tuple of country codes, not a string")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not is_valid_date(value):
                raise ValueError(f"{name}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        if self.since and self.until and first_day(self.since) > self.until + "~":  # type: ignore[operator]
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"mode: {self.mode!r} is not one of {', '.join(MODES)}")
        if self.limit is not None and self.limit < 0:
            raise ValueError("limit must be >= 0")
        if self.offset < 0:
            raise ValueError("offset must be >= 0")

    def as_dict(self) -> dict[str, Any]:
        """The filters as the JSON API echoes them."""
        return {"country": list(self.countries), "actor": self.actor, "mode": self.mode, "since": self.since,
                "until": self.until, "occasion": self.occasion, "q": self.text, "all_copies": self.include_copies,
                "reports": not self.events}

    def params(self, *, without: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """The filters as query-string pairs of the web UI (for links that keep them)."""
        out: list[tuple[str, str]] = [("country", c) for c in self.countries] if "country" not in without else []
        for name in ("actor", "mode", "since", "until", "occasion"):
            value = getattr(self, name)
            if value and name not in without:
                out.append((name, value))
        if self.text and "q" not in without:
            out.append(("q", self.text))
        if self.include_copies and "all_copies" not in without:
            out.append(("all_copies", "true"))
        if not self.events and "reports" not in without:
            out.append(("reports", "true"))
        return out


def engagement_conditions(countries: tuple[str, ...] | list[str] = (), since: str | None = None,
                          until: str | None = None, mode: str | None = None,
                          text: str | None = None) -> tuple[list[str], list[Any]]:
    """SQL conditions on engagements ``e`` (joined to their documents ``d``) for the country,
    date, mode and full-text filters, with their parameters; ``text`` is an FTS5 query as is."""
    clauses: list[str] = []
    params: list[Any] = []
    for country in dict.fromkeys(countries):  # dedupe, keep order
        clauses.append(
            "EXISTS (SELECT 1 FROM participants p WHERE p.engagement_id = e.id"
            " AND p.country = ? COLLATE NOCASE)"
        )
        params.append(country)
    if since:
        clauses.append("e.date_start >= ?")
        params.append(first_day(since))
    if until:
        # '~' sorts after '-' and digits: every date within the period is <= until + '~'.
        clauses.append("e.date_start <= ?")
        params.append(until + "~")
    if mode:
        clauses.append("e.mode = ?")
        params.append(mode)
    if text is not None:
        clauses.append("d.seq IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
        params.append(text)
    return clauses, params


def words_of(text: str | None) -> str:
    """`` word word `` of a text, case-folded (``readouts_words`` in SQL), for word matches."""
    if not text:
        return " "
    from readouts.gazetteer import tokens_of

    return " " + " ".join(t for t in tokens_of(text) if t[0].isalnum()) + " "


def alias_key(name: str) -> str:
    """Transliteration-folded form of a name, for alias search ("Sergei" == "Sergey")."""
    from readouts.actors import name_key

    return " ".join(name_key(name))


def _is_actor_id(conn: sqlite3.Connection, value: str) -> bool:
    return conn.execute("SELECT 1 FROM actors WHERE id = ?", (value,)).fetchone() is not None


def where(conn: sqlite3.Connection, f: Filters) -> tuple[str, list[Any]]:
    """The WHERE clause (over ``engagements e JOIN documents d``) and parameters of ``f``."""
    text = text_match(conn, f.text) if f.text and f.text.strip() else None
    clauses, params = engagement_conditions(f.countries, f.since, f.until, f.mode, text)
    if f.text and f.text.strip() and text is None:
        clauses.append("0")  # punctuation only: nothing is that text
    if not f.include_copies:
        clauses.append("d.is_canonical = 1")
    if f.actor and f.actor.strip():
        actor = f.actor.strip()
        if _is_actor_id(conn, actor):  # a registry id: that actor only
            # not a correlated EXISTS: SQLite would scan the actor's index once per engagement
            clauses.append("e.id IN (SELECT p.engagement_id FROM participants p WHERE p.actor_id = ?)")
            params.append(actor)
        else:
            clauses.append(
                "EXISTS (SELECT 1 FROM participants p WHERE p.engagement_id = e.id"
                " AND (instr(p.name_fold, ?) > 0 OR p.actor_id IN"
                " (SELECT actor_id FROM actor_aliases WHERE instr(alias_key, ?) > 0)))"
            )
            params.extend([actor.casefold(), alias_key(actor) or actor.casefold()])
    if f.occasion and f.occasion.strip():
        from readouts.places import normalise_occasion

        conn.create_function("readouts_words", 1, words_of, deterministic=True)
        series = [f.occasion, normalise_occasion(f.occasion).series]
        words = [f" {w} " for w in words_of(f.occasion).split()]
        word_match = " AND ".join(
            ["instr(readouts_words(ifnull(e.occasion_series, '') || ' ' || ifnull(e.occasion, '')), ?) > 0"]
            * len(words)
        )
        clauses.append(
            "(e.occasion_series = ? COLLATE NOCASE OR e.occasion_series = ? COLLATE NOCASE"
            + (f" OR ({word_match}))" if words else ")")
        )
        params.extend([series[0], series[-1], *words])
    if f.ids is not None:
        clauses.append("e.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(f.ids)))
    return " AND ".join(clauses) or "1", params
