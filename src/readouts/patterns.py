"""Patterns tried only where a match can begin.

``re.search`` tries a pattern at every character, and an alternation of many rules tries
every rule there. Most rules of the data files begin with a word (``\\b(?:met|held) ...``),
so a match can only begin at a token whose first character is one of a few letters, and
only the rules that can begin with that letter need trying. ``TokenPattern`` works this
out from the pattern itself (with the parser of the ``re`` module), and finds exactly what
``finditer`` / ``search`` over the text would find. Where it cannot tell (a rule that may
begin inside a word, or with a space, or with anything), it falls back to the plain search.
"""
from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

try:  # the parser of the standard library's re module (private, Python >= 3.11)
    _parser: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
    _casefix: Any = importlib.import_module("re._casefix")
except ImportError:  # pragma: no cover - another Python: every pattern falls back to a plain scan
    _parser = None


DIGIT = "\\d"  # stands for every character that \d matches (str.isdecimal)


def _is_word(ch: str) -> bool:
    return ch == DIGIT or ch.isalnum() or ch == "_"


def _case_variants(ch: str) -> set[str]:
    out = {ch, ch.lower(), ch.upper()}
    for c in list(out):
        for extra in _casefix._EXTRA_CASES.get(ord(c.lower()), ()):  # 's' also matches 'ſ'
            out.add(chr(extra))
    return {c for c in out if len(c) == 1}


class _Unknown(Exception):
    """The first characters of a pattern cannot be told."""


def _charset(items: Any, icase: bool) -> set[str]:
    out: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            out |= _case_variants(chr(av)) if icase else {chr(av)}
        elif op is _c.RANGE and av[1] - av[0] < 256:
            for code in range(av[0], av[1] + 1):
                out |= _case_variants(chr(code)) if icase else {chr(code)}
        elif op is _c.CATEGORY and av is _c.CATEGORY_DIGIT:
            out.add(DIGIT)
        else:  # NEGATE, other categories (\w, \s ...), a wide range
            raise _Unknown
    return out


def _first(items: Any, icase: bool, bounded: bool) -> tuple[set[tuple[str, bool]], bool]:
    """(first characters, each with whether a word boundary comes before it; nullable)."""
    out: set[tuple[str, bool]] = set()
    for op, av in items:
        if op is _c.AT:
            if av is _c.AT_BOUNDARY:
                bounded = True
            continue  # zero width
        if op in (_c.ASSERT, _c.ASSERT_NOT):
            direction, sub = av
            if op is _c.ASSERT_NOT and direction < 0 and _is_word_class(sub):
                bounded = True  # (?<!\w)
            continue  # zero width: what follows still has to begin the match
        if op is _c.LITERAL:
            chars = _case_variants(chr(av)) if icase else {chr(av)}
            return out | {(ch, bounded) for ch in chars}, False
        if op is _c.IN:
            return out | {(ch, bounded) for ch in _charset(av, icase)}, False
        if op is _c.SUBPATTERN:
            _group, add, delete, sub = av
            sub_icase = (icase or bool(add & _c.SRE_FLAG_IGNORECASE)) and not (delete & _c.SRE_FLAG_IGNORECASE)
            got, nullable = _first(sub, sub_icase, bounded)
        elif op is _c.BRANCH:
            got, nullable = set(), False
            for branch in av[1]:
                g, n = _first(branch, icase, bounded)
                got |= g
                nullable = nullable or n
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, _high, sub = av
            got, nullable = _first(sub, icase, bounded)
            nullable = nullable or low == 0
        elif op is _c.ATOMIC_GROUP:
            got, nullable = _first(av, icase, bounded)
        else:  # ANY, NOT_LITERAL, GROUPREF, ...
            raise _Unknown
        out |= got
        if not nullable:
            return out, False
    return out, True


def _is_word_class(items: Any) -> bool:
    return len(items) == 1 and items[0][0] is _c.IN and list(items[0][1]) == [(_c.CATEGORY, _c.CATEGORY_WORD)]


def first_chars(pattern: str, flags: int = 0) -> tuple[frozenset[str] | None, bool]:
    """(the characters a match can begin with, or None; whether every match begins a token).

    A match begins a token when its first character is a mark (a token of its own) or a
    word character after ``\\b``: such matches are found by trying the token starts only.
    """
    if _parser is None:
        return None, False
    try:
        parsed = _parser.parse(pattern, flags)
        firsts, nullable = _first(parsed, bool(parsed.state.flags & _c.SRE_FLAG_IGNORECASE), False)
    except (_Unknown, re.error, AttributeError, TypeError, ValueError):
        return None, False
    if nullable or not firsts:
        return None, False
    aligned = all(not ch.isspace() and (bounded or not _is_word(ch)) for ch, bounded in firsts)
    return frozenset(ch for ch, _ in firsts), aligned


class TokenPattern:
    """An alternation of named parts, tried only where a match can begin, with only the
    parts that can begin with the character there.

    ``parts`` are ``(group name, pattern)``; the whole pattern is their alternation with
    each part in a named group (or the pattern as given when ``name`` is None), so
    ``match.lastgroup`` names the part that matched. ``words``, when given, are the
    lower-cased tokens a match can begin with (the caller's promise, kept in the data
    files and checked by the tests); without them every part must begin a token for
    ``matches`` to skip the other positions. The alternation for each first character is
    compiled when that character is first met.
    """

    def __init__(self, parts: list[tuple[str | None, str]], flags: int = 0, words: frozenset[str] | None = None) -> None:
        self._sources = [f"(?P<{name}>{p})" if name else p for name, p in parts]
        self._flags = flags
        self.rx = re.compile("|".join(self._sources), flags)
        self.words = words
        self._firsts = [first_chars(src, flags)[0] for src in self._sources]
        # without a promise of words, a part that may begin inside a word needs the plain scan
        self.scan = words is not None or all(first_chars(src, flags)[1] for src in self._sources)
        self._by_char: dict[str, re.Pattern[str] | None] = {}
        self._compiled: dict[tuple[int, ...], re.Pattern[str]] = {}

    def at(self, ch: str) -> re.Pattern[str] | None:
        """The alternation of the parts that can begin with ``ch`` (None: no part can)."""
        if ch in self._by_char:
            return self._by_char[ch]
        digit = ch.isdecimal()
        keep = tuple(k for k, chars in enumerate(self._firsts)
                     if chars is None or ch in chars or (digit and DIGIT in chars))
        rx: re.Pattern[str] | None = None
        if keep:
            rx = self._compiled.get(keep)
            if rx is None:
                rx = self.rx if len(keep) == len(self._sources) else re.compile(
                    "|".join(self._sources[k] for k in keep), self._flags)
                self._compiled[keep] = rx
        self._by_char[ch] = rx
        return rx

    def match(self, text: str) -> re.Match[str] | None:
        """``rx.match(text)``."""
        rx = self.at(text[0]) if text else self.rx
        return rx.match(text) if rx is not None else None

    def fullmatch(self, text: str) -> re.Match[str] | None:
        """``rx.fullmatch(text)``."""
        rx = self.at(text[0]) if text else self.rx
        return rx.fullmatch(text) if rx is not None else None

    def matches(self, text: str, toks: list[str], low: list[str], starts: list[int], t0: int, t1: int, base: int,
                first: bool = False) -> list[re.Match[str]]:
        """What ``rx.finditer(text)`` finds (only the first match when ``first``).

        ``text`` is the span of tokens ``t0``..``t1`` of a document whose tokens are
        ``toks`` / ``low`` / ``starts``; ``base`` is the offset of ``text`` in it.
        """
        if not self.scan:
            if first:
                m = self.rx.search(text)
                return [m] if m else []
            return list(self.rx.finditer(text))
        out: list[re.Match[str]] = []
        by_char, words = self._by_char, self.words
        done = 0
        for i in range(t0, t1):
            if words is not None and low[i] not in words:
                continue
            ch = toks[i][0]
            rx = by_char[ch] if ch in by_char else self.at(ch)
            if rx is None:
                continue
            pos = starts[i] - base
            if pos < done:
                continue
            m = rx.match(text, pos)
            if m:
                out.append(m)
                if first:
                    break
                done = m.end()
        return out


TOKEN_FLAGS_MAX = 50_000  # entries of a token_flags cache before it is cleared


def token_flags(toks: list[str], cache: dict[str, bool], test: Callable[[str], bool]) -> list[bool]:
    """``test`` of each token, remembered by the token's text in ``cache`` (cleared when it
    holds ``TOKEN_FLAGS_MAX``): the same words come back in every document, and a look-up
    per token, mapped in C, is several times cheaper than the test."""
    flags: list[Any] = list(map(cache.get, toks))
    if None in flags:
        if len(cache) >= TOKEN_FLAGS_MAX:
            cache.clear()
        for i, f in enumerate(flags):
            if f is None:
                flags[i] = cache[toks[i]] = test(toks[i])
    return flags
