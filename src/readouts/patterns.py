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
from typing import Any

try:  # the parser of the standard library's re module (private, Python >= 3.11)
    _parser: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
    _casefix: Any = importlib.import_module("re._casefix")
except ImportError:  # pragma: no cover - another Python: every pattern falls back to a plain scan
    _parser = None


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


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
        else:  # NEGATE, CATEGORY (\w, \d ...), a wide range
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
    """An alternation of named parts, tried only at token starts that can begin a match.

    ``parts`` are ``(group name, pattern)``; the whole pattern is their alternation with
    each part in a named group (or the pattern as given when ``name`` is None), so
    ``match.lastgroup`` names the part that matched. ``words``, when given, are the
    lower-cased tokens a match can begin with (the caller's promise, kept in the data
    files and checked by the tests); without them every part must begin a token.
    At each tried token only the parts that can begin with its first character are tried.
    """

    def __init__(self, parts: list[tuple[str | None, str]], flags: int = 0, words: frozenset[str] | None = None) -> None:
        sources = [f"(?P<{name}>{p})" if name else p for name, p in parts]
        self.rx = re.compile("|".join(sources), flags)
        self.words = words
        firsts = [first_chars(src, flags) for src in sources]
        # without a promise of words, a part that may begin inside a word needs the plain scan
        self.scan = words is not None or all(aligned for _, aligned in firsts)
        self._by_char: dict[str, re.Pattern[str]] = {}
        self._other: re.Pattern[str] | None = None  # for characters no part names
        if not self.scan:
            return
        compiled: dict[tuple[int, ...], re.Pattern[str]] = {}

        def alternation(keep: tuple[int, ...]) -> re.Pattern[str]:
            if keep not in compiled:
                compiled[keep] = self.rx if len(keep) == len(sources) else re.compile("|".join(sources[k] for k in keep), flags)
            return compiled[keep]

        unknown = tuple(k for k, (chars, _) in enumerate(firsts) if chars is None)
        named = sorted({ch for chars, _ in firsts if chars is not None for ch in chars})
        for ch in named:
            self._by_char[ch] = alternation(tuple(k for k, (chars, _) in enumerate(firsts) if chars is None or ch in chars))
        self._other = alternation(unknown) if unknown else None

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
        by_char, other, words = self._by_char, self._other, self.words
        done = 0
        for i in range(t0, t1):
            if words is not None and low[i] not in words:
                continue
            rx = by_char.get(toks[i][0], other)
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
