"""Annotation: tokens, sentences and mentions of people (name, post, state) in clean text.

A mention is found by a small grammar over gazetteer-tagged tokens:

    [the|his] [STATE|DEMONYM|STATE's] [modifier...] POST [complement] [of STATE] [honorific...] NAME [of STATE]
    [honorific...] NAME , [STATE-adj] POST [complement] [of STATE]
    KNOWN-OFFICIAL | honorific NAME | a surname already seen in the document

Mentions are then grouped into the document's entities (one per person), so that
"Lavrov", "Sergei Lavrov" and "the Foreign Minister" can resolve to one participant.
"""
from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import or_
from typing import Any, cast
from importlib import resources

from readouts import gazetteer, predicates
from readouts.clean import TERMINAL, hard_wrapped
from readouts.dates import MONTHS
from readouts.gazetteer import Entry, Gazetteer, _case_ok
from readouts.patterns import token_flags

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
DETERMINERS = frozenset({"the", "his", "her", "their", "its", "a", "an", "both", "two"})
PARTICLES = frozenset({"al", "bin", "bint", "ibn", "de", "da", "do", "dos", "das", "du", "van", "von", "der", "den",
                       "la", "le", "di", "del", "y", "el", "ben", "abu", "e"})
PRONOUNS = frozenset({"he", "she"})
MONTH_WORDS = frozenset(MONTHS)
POSTNOMINALS = frozenset({"MP", "TD", "MEP", "QC", "KC", "OBE", "CBE", "MBE", "KBE", "PhD", "Jr", "Sr", "MLA", "MPP", "MNA"})
_GENERATIONAL = frozenset({"Jr", "Sr"})  # "Joseph R. Biden, Jr.": part of no name, after a comma too
CAPTION_RE = re.compile(r"\(\s*(?:\d(?:st|nd|rd|th)\s+)?(?:[LR]|left|right|front|center|centre|C)\s*\)", re.I)
ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "prof", "gen", "sen", "rep", "amb", "hon", "rt", "jr", "sr",
                           "no", "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul",
                           "aug", "sep", "sept", "oct", "nov", "dec", "mdm", "mt", "ft", "gov", "lt", "col", "adm",
                           "e", "h", "d", "c"})


@dataclass(frozen=True, slots=True)
class Words:
    complement: frozenset[str]
    stop: frozenset[str]
    plural: frozenset[tuple[str, ...]]
    counterpart: frozenset[str]
    first_words: frozenset[str]  # words a plural or counterpart post starts with
    starts: frozenset[str]  # lower-case words a mention may start with
    stop_start: frozenset[str]  # capitalised words that do not start one
    non_name: frozenset[str]  # words that name things, not people
    verbs: frozenset[str]  # every form of the engagement verbs ("Rings", "Hosts"): never a name word
    non_name_endings: tuple[str, ...]  # word endings no personal name has ("-tion", "-ship")


@lru_cache(maxsize=1)
def words() -> Words:
    data = tomllib.loads(resources.files("readouts.data").joinpath("posts.toml").read_text(encoding="utf-8"))
    plural = frozenset(gazetteer.tokens_of(w) for w in data["plural_heads"]["words"])
    complement = frozenset(w.lower() for w in data["complement"]["words"])
    stop = frozenset(w.lower() for w in data["stopwords"]["words"])
    first_words = frozenset({p[0] for p in plural} | {w.lower().split()[0] for w in data["counterpart"]["words"]})
    return Words(
        complement=complement,
        stop=stop,
        plural=plural,
        counterpart=frozenset(w.lower() for w in data["counterpart"]["words"]),
        first_words=first_words,
        starts=DETERMINERS | PRONOUNS | first_words,
        stop_start=(stop - complement) | predicates.verb_forms(),  # "State Senate President ...": portfolio words may start a post
        non_name=frozenset(w.lower() for w in data["non_name"]["words"]),
        verbs=predicates.verb_forms(),
        non_name_endings=tuple(data["non_name"]["endings"]),
    )


@dataclass(slots=True)
class Mention:
    """A person (or a group of people) named or described in one sentence."""

    start: int  # character offsets into the clean text
    end: int
    sentence: int
    name: str | None = None
    title: str | None = None
    country: str | None = None
    country_rule: str | None = None
    host: str | None = None  # state an envoy is accredited to ("Ambassador to China")
    level: str | None = None
    head: str | None = None  # the post's head word(s), folded: "special representative"
    plural: bool = False
    countries: tuple[str, ...] = ()  # states of a plural mention ("counterparts from Russia and Pakistan")
    counterpart: bool = False
    pronoun: bool = False
    definite: bool = False  # "the Minister": refers back to someone already named
    honorific: bool = False
    official: str | None = None  # key of a known official
    rule: str = ""
    entity: int | None = None  # index into Annotated.entities


@dataclass(slots=True)
class Entity:
    """One person of the document, gathered from its mentions."""

    name: str | None
    country: str | None
    title: str | None
    level: str | None
    mentions: list[int] = field(default_factory=list)
    country_rule: str | None = None
    head: str | None = None
    tokens: frozenset[str] = frozenset()


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    text: str
    t0: int
    t1: int
    index: int
    headline: bool = False
    caption: bool = False
    mentions: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Annotated:
    text: str
    toks: list[str]
    low: list[str]
    starts: list[int]
    ends: list[int]
    sentences: list[Sentence]
    mentions: list[Mention]
    entities: list[Entity]
    tags: list[tuple[int, list[Entry]]]  # per token: longest gazetteer match (length, entries)
    kinds: list[dict[str, tuple[int, list[Entry]]] | None] = field(default_factory=list)  # per token and kind

    def span_text(self, t0: int, t1: int) -> str:
        return self.text[self.starts[t0]:self.ends[t1 - 1]] if t1 > t0 else ""


_NO_TAG: tuple[int, list[Entry]] = (0, [])
_PLACE_KINDS = frozenset({"city", "region", "country", "org"})


def _word_at(text: str, i: int) -> bool:
    """Is ``text[i]`` a word character (what \\w means in str patterns)?"""
    c = ord(text[i])
    if c < 128:
        return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c == 95  # [0-9A-Za-z_]
    return text[i].isalnum()


# Is this module the mypyc-compiled one? Its character loop is then several times faster than
# the pattern; as plain Python the pattern is the faster of the two (same tokens, tested).
_COMPILED = not __file__.endswith(".py")


def tokenise(text: str) -> tuple[list[str], list[int], list[int]]:
    """Tokens (``TOKEN_RE``: runs of word characters, and single other marks) with their
    start and end offsets."""
    if not _COMPILED:
        found = list(TOKEN_RE.finditer(text))  # the Match methods mapped over them: C loops
        return list(map(re.Match.group, found)), list(map(re.Match.start, found)), list(map(re.Match.end, found))
    return _tokenise_loop(text)


def _tokenise_loop(text: str) -> tuple[list[str], list[int], list[int]]:
    """``tokenise`` in one pass over the characters (the compiled build's way)."""
    toks: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        c = ord(text[i])
        if c == 32 or 9 <= c <= 13 or 28 <= c <= 31 or (c >= 128 and text[i].isspace()):  # what \\s means
            i += 1
            continue
        j = i + 1
        if _word_at(text, i):
            while j < n and _word_at(text, j):
                j += 1
        toks.append(text[i:j])
        starts.append(i)
        ends.append(j)
        i = j
    return toks, starts, ends


_Tag = tuple[tuple[int, list[Entry]], dict[str, tuple[int, list[Entry]]] | None]
# Tags of a token n-gram, as the text writes it: the same words come back in document
# after document ("Foreign Minister", "the United States"). Bounded: cleared when full.
# Values are kept as plain Python objects (Any): the compiled code then stores them in
# the per-token lists as they are, without rebuilding tuples for each token.
_TAG_CACHE: dict[Any, Any] = {}  # a token, or the tokens from it -> _Tag
_TAG_CACHE_MAX = 50_000


def _tag(g: Gazetteer, low: list[str], toks: list[str]) -> tuple[list[tuple[int, list[Entry]]], list[dict[str, tuple[int, list[Entry]]] | None]]:
    """Per token: the longest gazetteer match, and the longest match of each kind."""
    n_tok = len(low)
    longest: list[Any] = [_NO_TAG] * n_tok
    by_kind: list[Any] = [None] * n_tok
    max_len, second, cache = g.max_len, g.second, _TAG_CACHE
    tops: list[Any] = list(map(max_len.get, low))  # int, or None where no entry starts
    for i in compress(range(n_tok), tops):
        w = low[i]
        top: int = tops[i]
        if top > 1 and (i + 1 >= n_tok or w not in second or low[i + 1] not in second[w]):
            top = 1  # no longer entry can start here
        if top > n_tok - i:
            top = n_tok - i
        key: Any = toks[i] if top == 1 else tuple(toks[i:i + top])
        hit: Any = cache.get(key)
        if hit is None:
            hit = _tag_at(g, low[i:i + top], toks[i:i + top])
            if len(cache) >= _TAG_CACHE_MAX:
                cache.clear()
            cache[key] = hit
        longest[i] = hit[0]
        by_kind[i] = hit[1]
    return cast("list[tuple[int, list[Entry]]]", longest), cast("list[dict[str, tuple[int, list[Entry]]] | None]", by_kind)


def _tag_at(g: Gazetteer, low: list[str], toks: list[str]) -> _Tag:
    """The longest match over the start of these tokens, and the longest of each kind."""
    kinds: dict[str, tuple[int, list[Entry]]] = {}
    best = _NO_TAG
    for n in range(len(low), 0, -1):
        found = g.entries.get(tuple(low[:n]))
        if not found:
            continue
        ok = [e for e in found if not e.cased or _case_ok(e.surface, toks[:n])]
        if not ok:
            continue
        if not best[0]:
            best = (n, ok)
        for e in ok:
            if e.kind not in kinds:
                kinds[e.kind] = (n, [x for x in ok if x.kind == e.kind])
    return best, kinds or None


_SENTENCE_ENDS = frozenset(".!?")


def _runs_on(text: str, pos: int, title_end: int) -> bool:
    """In wrapped text, does the line ending at ``pos`` run on into the next one?"""
    if pos < title_end:
        return False
    line_start = text.rfind("\n", 0, pos) + 1
    line = text[line_start:pos].rstrip()
    nxt = text[pos + 1:pos + 2]
    return len(line) >= 45 and line[-1] not in TERMINAL and nxt != "\n" and nxt.strip() != ""


def _sentences(text: str, toks: list[str], low: list[str], starts: list[int], ends: list[int], title_end: int) -> list[Sentence]:
    """Split into sentences: at line breaks and at . ! ? followed by a capital, not after abbreviations."""
    n = len(toks)
    breaks: set[int] = {n - 1} if n else set()
    wrapped = hard_wrapped(text)
    pos = text.find("\n")
    while pos != -1:
        j = bisect.bisect_right(ends, pos) - 1  # the last token before the line break
        if 0 <= j < n - 1 and not (wrapped and _runs_on(text, pos, title_end)):
            breaks.add(j)
        pos = text.find("\n", pos + 1)
    for i in compress(range(n), map(_SENTENCE_ENDS.__contains__, toks)):
        if i + 1 >= n or starts[i + 1] == ends[i]:
            continue
        nxt = toks[i + 1]
        prev = low[i - 1] if i > 0 else ""
        single_initial = i > 0 and len(toks[i - 1]) == 1 and toks[i - 1].isupper()
        if (nxt[:1].isupper() or nxt[:1].isdigit() or nxt in ('"', "(", "'")) and prev not in ABBREVIATIONS and not single_initial:
            breaks.add(i)
    out: list[Sentence] = []
    s0 = 0
    for i in sorted(breaks):
        t1 = i + 1
        start, end = starts[s0], ends[t1 - 1]
        sent = Sentence(start, end, text[start:end], s0, t1, len(out), headline=start < title_end)
        sent.caption = bool(CAPTION_RE.search(sent.text)) or "[Photo" in sent.text or "(Photo" in sent.text or "/CFP)" in sent.text or sent.text.startswith("(Cover")
        out.append(sent)
        s0 = t1
    return out


class _Parser:
    """The mention grammar over one sentence's tokens."""

    def __init__(self, ann: Annotated, g: Gazetteer, w: Words) -> None:
        self.a, self.g, self.w = ann, g, w
        self._posts: dict[tuple[int, int], tuple[int, str | None, bool, bool]] = {}

    # ---- token predicates -------------------------------------------------------------
    def entries(self, i: int, kinds: tuple[str, ...]) -> tuple[int, list[Entry]]:
        """The longest match at i among these kinds (a longer one of another kind may hide it)."""
        table = self.a.kinds[i]
        if table is None:
            return _NO_TAG
        if len(kinds) == 1:
            return table.get(kinds[0]) or _NO_TAG
        best = _NO_TAG
        for kind in kinds:
            hit = table.get(kind)
            if hit and hit[0] > best[0]:
                best = hit
            elif hit and hit[0] == best[0]:
                best = (best[0], best[1] + hit[1])
        return best

    def is_cap(self, i: int) -> bool:
        t = self.a.toks[i]
        return t[:1].isupper()

    def name_token(self, i: int, t1: int) -> bool:
        a = self.a
        t = a.toks[i]
        if not t[:1].isupper() or not (t[:1].isalpha()):
            return False
        if a.starts[i] > 0 and a.text[a.starts[i] - 1] in "@#":
            return False  # "@DrSJaishankar", "#UNGA74": a handle or a hashtag, not a name
        if a.low[i] in self.w.stop or a.low[i] in self.w.verbs:
            return False
        if a.low[i] in MONTH_WORDS and (i + 1 >= t1 or a.toks[i + 1][:1].isdigit() or not a.toks[i + 1][:1].isupper()):
            return False  # "June 8", "in May": a month; "Jan Novak", "April Ryan": a name
        n, found = a.tags[i]
        if n:
            kinds = {e.kind for e in found}
            if kinds & {"official"}:
                return True
            if kinds & {"country", "demonym", "org", "post", "honorific", "city", "region"}:
                # a lone capitalised word that is also a place may still be a name part after another name token
                return False
        return True

    # ---- pieces -----------------------------------------------------------------------
    def state_at(self, i: int, t1: int) -> tuple[int, str | None, str]:
        """STATE, DEMONYM, ORG or STATE's at i: (tokens used, code, rule)."""
        n, found = self.entries(i, ("country", "demonym", "org"))
        if not n:
            return 0, None, ""
        e = found[0]
        j = i + n
        if j + 1 < t1 and self.a.toks[j] == "'" and self.a.low[j + 1] == "s":
            return n + 2, e.value, "possessive"
        if j < t1 and self.a.toks[j] == "'" and self.a.toks[i + n - 1].endswith("s"):
            return n + 1, e.value, "possessive"
        return n, e.value, e.kind

    def post_at(self, i: int, t1: int) -> tuple[int, str | None, bool, bool]:
        """A post head at i: (tokens, level, plural, counterpart)."""
        key = (i, t1)
        hit = self._posts.get(key)
        if hit is None:
            hit = self._posts[key] = self._post_at(i, t1)
        return hit

    def _post_at(self, i: int, t1: int) -> tuple[int, str | None, bool, bool]:
        low = self.a.low
        if low[i] in self.w.first_words:  # what a plural head starts with
            for k in (4, 3, 2, 1):
                if tuple(low[i:i + k]) in self.w.plural and i + k <= t1:
                    return k, None, True, low[i + k - 1] == "counterparts"
        if low[i] in self.w.counterpart:
            return 1, None, False, True
        n, found = self.entries(i, ("post",))
        if n and i + n <= t1:
            return n, found[0].value, False, False
        return 0, None, False, False

    def _more_posts(self, j: int, t1: int, lower_ok: bool) -> int:
        """'... of Committee on Foreign Affairs and Convenor of the Friendship Group': a second post."""
        a = self.a
        k = j
        while k + 1 < t1 and a.low[k] in ("and", "&"):
            k2 = k + 1
            while k2 < t1 and self.entries(k2, ("modifier",))[0] and not self.post_at(k2, t1)[0]:
                k2 += self.entries(k2, ("modifier",))[0]
            pn, _level, plural, _cp = self.post_at(k2, t1) if k2 < t1 else (0, None, False, False)
            if not pn or plural or (not lower_ok and not a.toks[k2][:1].isupper()):
                break
            cn, _c, _h = self.complement(k2 + pn, t1, lower_ok)
            if not cn:
                break
            k = k2 + pn + cn
        return k - j

    def _may_continue(self, j: int) -> bool:
        """Can a mention go on at token j (after a determiner or a state)?"""
        a = self.a
        tok = a.toks[j]
        return tok[:1].isupper() or a.kinds[j] is not None or a.low[j] in self.w.first_words or tok.isdigit() or tok == "'"

    def _state_list(self, j: int, t1: int) -> tuple[int, list[str]] | None:
        """'Polish, Gabonese and Cameroonian' before a plural post: (where the post starts, states)."""
        codes: list[str] = []
        k = j
        while k < t1:
            n, code, _rule = self.state_at(k, t1)
            if not n or code is None:
                return None
            codes.append(code)
            k += n
            if k < t1 and self.a.low[k] == ",":
                k += 1
            if k < t1 and self.a.low[k] in ("and", "&"):
                k += 1
            elif codes and k < t1 and not self.state_at(k, t1)[0]:
                break
        if len(codes) < 2 or k >= t1:
            return None
        while k < t1 and self.entries(k, ("modifier",))[0] and not self.post_at(k, t1)[0]:
            k += self.entries(k, ("modifier",))[0]
        if k >= t1 or not self.post_at(k, t1)[2]:
            return None
        return k, codes

    def _post_follows(self, j: int, t1: int) -> bool:
        while j < t1 and self.entries(j, ("modifier",))[0] and not self.post_at(j, t1)[0]:
            j += self.entries(j, ("modifier",))[0]
        return j < t1 and bool(self.post_at(j, t1)[0]) and not self.post_at(j, t1)[2] and self.a.toks[j][:1].isupper()

    def _subnational_at(self, j: int, t1: int) -> bool:
        while j < t1 and self.entries(j, ("modifier",))[0] and not self.post_at(j, t1)[0]:
            j += self.entries(j, ("modifier",))[0]
        return j < t1 and self.post_at(j, t1)[1] == "subnational"

    def complement(self, i: int, t1: int, lower_ok: bool, envoy: bool = False) -> tuple[int, str | None, str | None]:
        """of/for/to ... after a post: (tokens, state the post belongs to, host state)."""
        a, w = self.a, self.w
        j = i
        country = host = None
        while j < t1:
            tok = a.low[j]
            if tok in ("in", "at") and not (j + 1 < t1 and a.low[j + 1] == "charge"):
                # "Consul General in Lagos" (an envoy's post) or "Secretary at the Ministry of ..."
                k = j + 1 + (j + 1 < t1 and a.low[j + 1] == "the")
                place = k < t1 and (self.state_at(k, t1)[0] or self.entries(k, ("city",))[0])
                if place and not envoy:
                    break
                if not place and not (k < t1 and a.low[k] in w.complement and a.toks[k][:1].isupper()):
                    break
            if tok == "with" and not (j + 2 < t1 and a.low[j + 1] == "the" and a.toks[j + 2][:1].isupper() and a.low[j + 2] in w.complement):
                break
            if tok in ("of", "for", "to", "in", "at", "on", "with"):
                k = j + 1
                if tok == "in" and k + 1 < t1 and a.low[k] == "charge" and a.low[k + 1] == "of":
                    k += 2
                if k < t1 and a.low[k] == "the":
                    k += 1
                if k >= t1:
                    break
                n, code, _rule = self.state_at(k, t1)
                if not n and tok in ("in", "at") and envoy:
                    n, found = self.entries(k, ("city",))
                    code = found[0].extra if n else None
                elif not n and tok == "of":
                    n, found = self.entries(k, ("city", "region"))  # "Governor of Guangdong", "Mayor of Istanbul"
                    code = found[0].extra if n else None
                if tok == "with":
                    n = 0  # "in charge of Relations with the Commonwealth": not the post's state
                if n and code and not self._continues_body(k + n, t1):
                    if tok in ("to", "in", "at"):
                        host = host or code
                    elif country is None:
                        country = code
                    else:
                        break
                    j = k + n
                    if j < t1 and a.toks[j] == "(" and j + 2 < t1 and a.toks[j + 2] == ")":
                        j += 3
                    more = self.body(j, t1, lower_ok) if j < t1 and a.low[j] in w.complement and a.toks[j][:1].isupper() else 0
                    j += more
                    continue
                body = self.body(k, t1, lower_ok)
                if not body:
                    break
                j = k + body
                continue
            if tok == "(" and j + 2 < t1 and a.toks[j + 2] == ")" and a.toks[j + 1].isupper():
                j += 3  # (DAFF), (CPC)
                continue
            break
        return j - i, country, host

    def _continues_body(self, j: int, t1: int) -> bool:
        """'People's Republic of China' is a state; 'Communist Party of China Central Committee' goes on."""
        a = self.a
        return j < t1 and a.toks[j][:1].isupper() and a.low[j] in self.w.complement and a.low[j] not in ("republic",)

    def body(self, k: int, t1: int, lower_ok: bool) -> int:
        """Words of an institution after of/for: 'the Consular Department', 'Commerce, Trade and Industry'."""
        a, w = self.a, self.w
        j = k
        last_good = k
        while j < t1:
            tok, low = a.toks[j], a.low[j]
            n, found = self.entries(j, ("country", "demonym", "city", "org")) if tok[:1].isupper() else (0, [])
            if n and not any(e.kind == "official" for e in a.tags[j][1]):
                after_prep = j > k and a.low[j - 1] in ("of", "to", "in") or (j > k + 1 and a.low[j - 1] == "the" and a.low[j - 2] in ("of", "to", "in"))
                if found[0].kind == "country" and after_prep and not self._continues_body(j + n, t1):
                    break  # "... of Zambia": the state, not part of the post
                j += n
                last_good = j
                continue
            if low in w.complement or (tok.isupper() and len(tok) >= 2 and tok.isalpha()):
                if not tok[:1].isupper() and not lower_ok:
                    break
                j += 1
                last_good = j
                continue
            if tok[:1].isupper() and tok.isalpha() and low not in w.stop:
                n, found = a.tags[j]
                if n and any(e.kind == "official" for e in found):
                    break
                nxt = j + 1
                if nxt < t1 and (a.low[nxt] in w.complement or a.toks[nxt] in ("-",)) and a.low[nxt] not in ("minister", "president", "secretary"):
                    j += 1
                    continue
                break
            if low in ("and", "&", ",", "the", "of", "on", "for", "-", "'", "s") and j > k:
                j += 1
                continue
            break
        return last_good - k

    def honorifics(self, i: int, t1: int) -> int:
        j = i
        while j < t1:
            n, found = self.entries(j, ("honorific",))
            if not n:
                break
            j += n
            if j < t1 and self.a.toks[j] == ".":
                j += 1
        return j - i

    def name(self, i: int, t1: int, after_post: bool = False) -> int:
        """Tokens of a person's name starting at i (0 when none); right after a post a place
        name may begin a name ("Deputy Secretary Victoria Nuland")."""
        a = self.a
        j = i
        words_seen = 0
        while j < t1 and words_seen < 6:
            tok = a.toks[j]
            initial = len(tok) == 1 and tok.isupper() and j + 2 < t1 and a.toks[j + 1] == "." and a.toks[j + 2][:1].isupper()
            if initial and words_seen:  # "Enrique A. Manalo"
                j += 2
                continue
            if (words_seen and tok[:1].isupper() and j + 2 < t1 and a.toks[j + 1] == "-" and a.starts[j + 1] == a.ends[j]
                    and a.starts[j + 2] == a.ends[j + 1] and a.toks[j + 2][:1].isupper()):
                j += 1  # "Amir-Abdollahian": a hyphenated name part, whatever its first half also means
                words_seen += 1
                continue
            if words_seen and a.low[j] in MONTH_WORDS and a.toks[j][:1].isupper() and not (j + 1 < t1 and a.toks[j + 1][:1].isdigit()):
                j += 1  # "Dong Jun on Saturday": after a name word, a month word is a name part
                words_seen += 1
                continue
            if (not words_seen and a.low[j] in PARTICLES and tok[:1].isupper() and j + 1 < t1
                    and (a.low[j + 1] in PARTICLES or self.name_token(j + 1, t1))):
                j += 1  # "Van der Merwe", "De la Fuente" at the start of a name
                continue
            if (self.name_token(j, t1) or (words_seen == 0 and self._official_at(j))
                    or ((words_seen or after_post) and self._place_inside_name(j, t1))
                    or (words_seen and self._place_ends_name(j, t1))):
                # single capital initial: "R." / "D.Tsogtbaatar"
                j += 1
                words_seen += 1
                if j < t1 and a.toks[j] == "." and len(tok) <= 2 and tok.isupper():
                    j += 1
                continue
            if words_seen and tok in ("-", "'") and j + 1 < t1 and a.starts[j] == a.ends[j - 1] and a.starts[j + 1] == a.ends[j]:
                if a.low[j + 1] == "s" and tok == "'":
                    break
                j += 2
                continue
            if words_seen and tok == "'" and a.starts[j] == a.ends[j - 1] and j + 1 < t1 and a.low[j + 1] in PARTICLES:
                j += 1  # "Mohammed Shia' al-Sudani"
                continue
            if words_seen and a.low[j] in PARTICLES:
                k = j + 1
                while k < t1 and k < j + 3 and a.low[k] in PARTICLES and a.toks[k][:1].islower():
                    k += 1  # "Juan Ramón de la Fuente", "Ursula von der Leyen"
                if k < t1 and (a.toks[k][:1].isupper() or a.toks[k] == "-") and k > j:
                    j = k
                    continue
            break
        # trailing particles or joiners do not end a name
        while j > i and (a.low[j - 1] in PARTICLES or a.toks[j - 1] in ("-", "'")):
            j -= 1
        return j - i

    def _place_ends_name(self, j: int, t1: int) -> bool:
        """'Nguyen Chi Vinh,', 'Nabeela Tunis and': after a name word, a one-word city that
        ends the phrase (a comma, a verb, the end) is the name's last word, not a place."""
        a = self.a
        n, found = a.tags[j]
        if not (n == 1 and a.toks[j][:1].isupper() and a.toks[j].isalpha() and a.low[j] not in self.w.stop
                and all(e.kind == "city" for e in found)):
            return False
        if j + 1 >= t1:
            return True
        nxt = a.toks[j + 1]
        return nxt in (",", ".", ")", "(") or a.low[j + 1] in ("and", "said", "says", "met", "meets", "held", "had", "was", "is")

    def _place_inside_name(self, j: int, t1: int) -> bool:
        """'Marcelino Medina Gonzalez': a one-word place name between two name words is a name part."""
        a = self.a
        n, found = a.tags[j]
        return (n == 1 and a.toks[j][:1].isupper() and a.toks[j].isalpha() and a.low[j] not in self.w.stop
                and all(e.kind in ("city", "region") for e in found)
                and j + 1 < t1 and self.name_token(j + 1, t1))

    def postnominal(self, j: int, t1: int) -> int:
        """Letters after a name that are not part of it: 'Bob Carr MP', 'John Lahart TD',
        'Joseph R. Biden, Jr.'."""
        toks = self.a.toks
        k = j
        while k < t1:
            if toks[k] in POSTNOMINALS:
                k += 1
            elif toks[k] == "," and k + 1 < t1 and toks[k + 1] in _GENERATIONAL:
                k += 2
            else:
                break
            if k < t1 and toks[k] == "." and toks[k - 1] in _GENERATIONAL:
                k += 1
        return k - j

    def _official_at(self, j: int) -> bool:
        n, found = self.a.tags[j]
        return bool(n and any(e.kind == "official" for e in found))

    # ---- the grammar ------------------------------------------------------------------
    def parse(self, i: int, t1: int, sent: int) -> tuple[Mention | None, int]:
        a = self.a
        j = i
        definite = False
        if a.low[j] in DETERMINERS:
            definite = a.low[j] in ("the", "his", "her", "their", "its")
            j += 1
            if j >= t1 or not self._may_continue(j):
                return None, i + 1  # "the development", "two sides"
        # a number: "40 new ambassadors"
        if a.toks[j].isdigit() and j + 1 < t1:
            j += 1
        country = rule = None
        n, code, srule = self.state_at(j, t1)
        if n:
            listed = self._state_list(j, t1)
            if listed is not None:  # "the Polish, Gabonese and Cameroonian foreign ministers"
                k, codes = listed
                pn, level, plural, counterpart = self.post_at(k, t1)
                title = self._title_text(k, k + pn, None, None)
                return Mention(a.starts[i], a.ends[k + pn - 1], sent, title=title, level=level, plural=True,
                               countries=tuple(dict.fromkeys(codes)), counterpart=counterpart, definite=definite,
                               rule="plural"), k + pn
            country, rule = code, srule
            j += n
            if j >= t1 or not self._may_continue(j):
                return None, i + 1  # "China and Vietnam", "Chinese side"
        else:
            nc, found = self.entries(j, ("city", "region"))
            if nc and j + nc < t1 and (self._subnational_at(j + nc, t1)
                                       or (found[0].kind == "region" and self._post_follows(j + nc, t1))):
                # "Palu Mayor", "Shenzhen Deputy Mayor", "Queensland Premier"
                country, rule = found[0].extra, found[0].kind
                j += nc
        title_start = j
        # modifiers and portfolio words before the head
        k = j
        while k < t1:
            pn = self.post_at(k, t1)[0]
            if pn:
                break
            mn, _ = self.entries(k, ("modifier",))
            if mn:
                k += mn
                if k < t1 and a.toks[k] == "-":
                    k += 1
                continue
            if a.low[k] in self.w.complement and a.toks[k][:1].isupper():
                k += 1
                continue
            if k + 1 < t1 and a.toks[k][:1].isupper() and a.low[k] not in self.w.stop and a.low[k] not in self.w.verbs and a.low[k + 1] in self.w.complement and a.toks[k + 1][:1].isupper() and k + 2 < t1 and self.post_at(k + 2, t1)[0]:
                k += 1  # "Ogun State Governor"
                continue
            break
        pn, level, plural, counterpart = self.post_at(k, t1) if k < t1 else (0, None, False, False)
        # "Principal Deputy National Security Advisor": a post word before another post
        while pn and not plural and k + pn < t1:
            pn2, level2, plural2, cp2 = self.post_at(k + pn, t1)
            if not pn2 or plural2 or not a.toks[k + pn][:1].isupper() == a.toks[k][:1].isupper():
                break
            pn, level, counterpart = pn + pn2, level2, cp2
        if pn:
            j = k + pn
            # compound posts: "State Councilor and Foreign Minister"
            while j + 1 < t1 and a.low[j] in ("and", "&", "/"):
                k2 = j + 1
                while k2 < t1 and not self.post_at(k2, t1)[0] and (
                        self.entries(k2, ("modifier",))[0]
                        or (a.low[k2] in self.w.complement and a.toks[k2][:1].isupper())):
                    k2 += self.entries(k2, ("modifier",))[0] or 1  # "... and Defense Minister"
                pn2 = self.post_at(k2, t1)[0] if k2 < t1 else 0
                if not pn2 or self.post_at(k2, t1)[2]:
                    break
                j = k2 + pn2
            cn, ccountry, host = self.complement(j, t1, lower_ok=False, envoy=level == "diplomat")
            head = " ".join(a.low[k:k + pn])
            cn += self._more_posts(j + cn, t1, False)
            title_end = j + cn
            # the complement may end in the state: "Minister of Foreign Affairs of Mongolia"
            if ccountry and not country:
                country, rule = ccountry, "of"
            j = title_end
            title = self._title_text(title_start, title_end, ccountry, host)
            if plural:
                return self._plural(i, j, t1, sent, title, level, country, counterpart, definite)
            # name after the post
            if j < t1 and a.toks[j] == "," and j + 1 < t1 and (self.name_token(j + 1, t1) or self.honorifics(j + 1, t1)):
                j += 1
            elif j + 1 < t1 and a.toks[j] == "," and a.low[j + 1] in ("senator", "ambassador", "dr", "prof", "professor", "general", "amb"):
                j += 2  # a second courtesy post before the name
                if j < t1 and a.toks[j] == ".":
                    j += 1
            hn = self.honorifics(j, t1)
            nn = self.name(j + hn, t1, after_post=True)
            if nn:
                name_start, name_end = j + hn, j + hn + nn
                j = name_end + self.postnominal(name_end, t1)
                # "Sergey Lavrov of Russia"
                if not country and j + 1 < t1 and a.low[j] == "of":
                    k2 = j + 1 + (a.low[j + 1] == "the")
                    sn, scode, _ = self.state_at(k2, t1) if k2 < t1 else (0, None, "")
                    if sn:
                        country, rule = scode, "of"
                        j = k2 + sn
                m = Mention(a.starts[i], a.ends[j - 1], sent, name=a.span_text(name_start, name_end), title=title,
                            country=country, country_rule=rule, host=host, level=level, counterpart=counterpart,
                            honorific=bool(hn), rule="post+name", head=head)
                self._official(m, name_start, name_end)
                return m, j
            if counterpart or level:
                m = Mention(a.starts[i], a.ends[j - 1], sent, title=title, country=country, country_rule=rule, host=host,
                            level=level, counterpart=counterpart, definite=definite, rule="post", head=head)
                self._title_state(m, title_start, title_end)
                return m, j
        # no post first: [honorific] NAME [, post ...]
        j = i
        if a.low[j] in PRONOUNS:
            return Mention(a.starts[j], a.ends[j], sent, pronoun=True, rule="pronoun"), j + 1
        hn = self.honorifics(j, t1)
        nn = self.name(j + hn, t1)
        if not nn:
            return None, i + 1
        name_start, name_end = j + hn, j + hn + nn
        j = name_end + self.postnominal(name_end, t1)
        m = Mention(a.starts[name_start if not hn else i], a.ends[j - 1], sent, name=a.span_text(name_start, name_end),
                    honorific=bool(hn), rule="name")
        # appositive post: "Wu Xi, Director General of ..." / "Scott Dewar, Australian Ambassador to China"
        # (without the comma after a full name: "Mr. Chen Xiaodong Assistant Foreign Minister of China")
        bare_apposition = j < t1 and (hn or nn >= 2) and a.toks[j][:1].isupper() and self.post_at(j, t1)[0] and not self.post_at(j, t1)[2]
        if (j + 1 < t1 and a.toks[j] == ",") or bare_apposition:
            k = j + (0 if bare_apposition else 1)
            if k < t1 and a.low[k] in ("the", "a", "an", "also"):
                k += 1
            if k < t1 and a.low[k] in ("a", "an", "the"):
                k += 1
            sn, scode, srule = self.state_at(k, t1) if k < t1 else (0, None, "")
            k2 = k + sn
            while k2 < t1 and not self.post_at(k2, t1)[0] and (
                    self.entries(k2, ("modifier",))[0]
                    or (a.low[k2] in self.w.complement and a.toks[k2][:1].isupper() and k2 + 1 < t1
                        and (self.post_at(k2 + 1, t1)[0] or a.low[k2 + 1] in self.w.complement))):
                k2 += self.entries(k2, ("modifier",))[0] or 1  # "Defence Minister", "Foreign Affairs Secretary"
                if k2 < t1 and a.toks[k2] == "-":
                    k2 += 1
            pn, level, plural, counterpart = self.post_at(k2, t1) if k2 < t1 else (0, None, False, False)
            if pn and not plural and k2 + pn < t1 and self.name(k2 + pn, t1, after_post=True):
                pn = 0  # "Mr. A, Foreign Minister B of Mexico, said": the post is B's, not A's
            if pn and not plural:
                t_end = k2 + pn
                while t_end + 1 < t1 and a.low[t_end] in ("and", "&"):
                    pn2 = self.post_at(t_end + 1, t1)[0]
                    if not pn2:
                        break
                    t_end += 1 + pn2
                cn, ccountry, host = self.complement(t_end, t1, lower_ok=True, envoy=level == "diplomat")
                m.head = " ".join(a.low[k2:k2 + pn])
                cn += self._more_posts(t_end + cn, t1, True)
                t_end += cn
                m.title = self._title_text(k if srule not in ("demonym", "possessive", "country") else k2, t_end, ccountry, host)
                m.country = scode or ccountry
                m.country_rule = srule or ("of" if ccountry else None)
                m.host, m.level, m.counterpart = host, level, counterpart
                m.end = a.ends[t_end - 1]
                m.rule = "name,post"
                j = t_end
        if not m.country and j + 1 < t1 and a.low[j] == "of":
            k2 = j + 1 + (a.low[j + 1] == "the")
            sn, scode, _ = self.state_at(k2, t1) if k2 < t1 else (0, None, "")
            if sn:
                m.country, m.country_rule = scode, "of"
                m.end = a.ends[k2 + sn - 1]
                j = k2 + sn
        self._official(m, name_start, name_end)
        if m.rule == "name" and not m.official and not m.honorific:
            # a bare capitalised phrase is a person only when something says so: a caption
            # marker "(R)" after it, or a name already known in the document (resolved later)
            if j < t1 and a.toks[j] == "(" and CAPTION_RE.match(a.text, a.starts[j]):
                m.rule = "name(caption)"
            elif self._name_shaped(name_start, name_end):
                m.rule = "name(shape)"
            else:
                m.rule = "bare"
        return m, j

    def _name_shaped(self, n0: int, n1: int) -> bool:
        """Two to five capitalised words, none an institution word, a stopword, a word that
        names a thing, or with an ending no personal name has: 'Grace Tan', 'Karim Mansour',
        not 'Extraordinary Session' or 'French Airlines'."""
        a, w = self.a, self.w
        # the words, not counting particles or the second half of a hyphenated word ("Jae-hoon")
        words_ = [k for k in range(n0, n1) if a.toks[k][:1].isalpha() and a.low[k] not in PARTICLES
                  and not (k > n0 and a.toks[k - 1] == "-" and a.starts[k] == a.ends[k - 1])]
        if not 2 <= len(words_) <= 5:
            return False
        if (n0 > 0 and a.toks[n0 - 1][:1].isupper() and a.starts[n0] - a.ends[n0 - 1] <= 1
                and not self.post_at(n0 - 1, n1)[0] and not self.entries(n0 - 1, ("honorific",))[0]):
            return False  # the end of a longer capitalised phrase ("European Union Presidency")
        for k in words_:
            tok, low = a.toks[k], a.low[k]
            if not tok[:1].isupper() or (tok.isupper() and len(tok) > 1) or low in w.stop or low in w.complement:
                return False
            if low in w.non_name or (len(low) > 5 and low.endswith(w.non_name_endings)):
                return False
        return True

    def _plural(self, i: int, j: int, t1: int, sent: int, title: str | None, level: str | None, country: str | None,
                counterpart: bool, definite: bool) -> tuple[Mention, int]:
        """'his counterparts from Russia, South Korea and Pakistan', 'the ministers of Laos and Cambodia'."""
        a = self.a
        countries: list[str] = [country] if country else []
        k = j
        if k < t1 and (a.low[k] in ("from", "of", "representing") or (country and a.low[k] in (",", "and"))):
            k += 1
            while k < t1:
                if a.low[k] in ("the", ",", "and", "as", "well"):
                    k += 1
                    continue
                sn, code, _ = self.state_at(k, t1)
                if not sn:
                    break
                countries.append(code)  # type: ignore[arg-type]
                k += sn
            if len(countries) > (1 if country else 0):
                j = k
        return Mention(a.starts[i], a.ends[j - 1], sent, title=title, level=level, plural=True,
                       countries=tuple(dict.fromkeys(countries)), counterpart=counterpart, definite=definite,
                       rule="plural"), j

    def _title_text(self, t0: int, t1: int, country: str | None, host: str | None) -> str | None:
        """The post as the text gives it, without 'of <state>' / 'to <state>'."""
        if t1 <= t0:
            return None
        a = self.a
        # an envoy's city is not part of the post: "Ambassador to Washington"
        if t1 - t0 >= 3 and a.low[t1 - 2] in ("to", "in") and self.entries(t1 - 1, ("city",))[0] == 1:
            t1 -= 2
        text = a.span_text(t0, t1)
        if (country or host) and not _STATE_PREPOSITIONS.isdisjoint(a.low[t0:t1]):
            for code in (country, host):
                if code:
                    text = _strip_state(text, code, self.g)
        for k in range(t0 + 1, t1 - 1):  # "new Chinese Ambassador": a demonym inside the post
            if a.tags[k][0] == 1 and any(e.kind == "demonym" for e in a.tags[k][1]):
                text = re.sub(rf"\b{re.escape(a.toks[k])}\s+", "", text, count=1)
        if text.endswith(")"):
            text = _ACRONYM_TAIL_RE.sub("", text)
        return text.strip(" ,") or None

    def _title_state(self, m: Mention, t0: int, t1: int) -> None:
        """'Minister Delegate to the Cameroonian Minister of ...': a demonym inside the post."""
        if m.country:
            return
        for j in range(t0, t1):
            n, found = self.a.tags[j]
            hit = next((e for e in found if e.kind == "demonym"), None) if n else None
            if hit:
                m.country, m.country_rule = hit.value, "demonym in post"
                return

    def _official(self, m: Mention, n0: int, n1: int) -> None:
        """Attach a known official when the name (or an alias) is one."""
        key = gazetteer.fold(self.a.span_text(n0, n1))
        known = self.g.officials.get(key)
        if known is None:
            n, found = self.a.tags[n0]
            if n == n1 - n0:
                hit = next((e for e in found if e.kind == "official"), None)
                known = self.g.officials.get(hit.value) if hit else None
        if known is None and n1 - n0 == 1 and m.title:
            # "President Ramaphosa", "Secretary Kerry": a surname and a post that fit one known official
            words = set(gazetteer.fold(m.title).split()) - {"of", "the", "for", "and", "former", "new"}
            fits = [k for k in self.g.surnames.get(gazetteer.fold(self.a.toks[n0]), [])
                    if any(words and words <= set(gazetteer.fold(p.title).split()) for p in self.g.officials[k].posts)]
            if len(fits) == 1:
                found_official = self.g.officials[fits[0]]
                if not m.country:
                    m.country, m.country_rule = found_official.country_for(m.title), "known official by surname and post"
            return
        if known is not None:
            m.official = gazetteer.fold(known.name)
            if not m.country:
                m.country, m.country_rule = known.country_for(m.title), "known official"


_STATE_TAIL_CACHE: dict[str, re.Pattern[str]] = {}
_STATE_PREPOSITIONS = frozenset({"of", "to", "in", "at"})  # what _strip_state's patterns begin with
_ACRONYM_TAIL_RE = re.compile(r"\s*\([A-Z]{2,}\)$")


def _strip_state(text: str, code: str, g: Gazetteer) -> str:
    rx = _STATE_TAIL_CACHE.get(code)
    if rx is None:
        names = sorted(set(g.state_names.get(code, [])), key=len, reverse=True)
        alts = "|".join(re.escape(n).replace(r"\ ", r"\s*") for n in names if n)
        rx = re.compile(rf"\s+(?:of|to|in|at)\s+(?:the\s+)?(?:{alts})(?:\s*\([A-Z]+\))?(?=\s|$|,)", re.I) if alts else re.compile(r"$^")
        _STATE_TAIL_CACHE[code] = rx
    return rx.sub("", text)


_STARTS_CACHE: dict[str, bool] = {}  # token -> may a mention start at it (whatever the gazetteer says)


def _starts_mention(t: str) -> bool:
    w = words()
    low = t.lower()
    return low in w.starts or (t[0].isupper() and low not in w.stop_start) or t.isdigit()


def _candidates(toks: list[str], kinds: list[dict[str, tuple[int, list[Entry]]] | None]) -> list[int]:
    """The tokens a mention may start at: a gazetteer word, a capitalised word (not a
    stopword), a determiner, a pronoun or a number."""
    flags = token_flags(toks, _STARTS_CACHE, _starts_mention)
    return list(compress(range(len(toks)), map(or_, flags, map(bool, kinds))))


def annotate(text: str, title_end: int = 0) -> Annotated:
    """Tokens, sentences, mentions and entities of a clean text."""
    g = gazetteer.load()
    w = words()
    toks, starts, ends = tokenise(text)
    low = [t.lower() for t in toks]
    ann = Annotated(text, toks, low, starts, ends, [], [], [], [])
    ann.tags, ann.kinds = _tag(g, low, toks)
    ann.sentences = _sentences(text, toks, low, starts, ends, title_end)
    parser = _Parser(ann, g, w)
    candidates = _candidates(toks, ann.kinds)
    c, n_cand = 0, len(candidates)
    for sent in ann.sentences:
        c = bisect.bisect_left(candidates, sent.t0, c)
        while c < n_cand and candidates[c] < sent.t1:
            i = candidates[c]
            m, nxt = parser.parse(i, sent.t1, sent.index)
            if m is not None:
                sent.mentions.append(len(ann.mentions))
                ann.mentions.append(m)
            elif ann.tags[i][0] > 1 and any(e.kind in _PLACE_KINDS for e in ann.tags[i][1]):
                nxt = i + ann.tags[i][0]  # no name starts inside "New York" or "the European Union"
            c = bisect.bisect_left(candidates, nxt if nxt > i else i + 1, c + 1)  # the next one at or after nxt
    _delegation_states(ann, g)
    resolve_entities(ann)
    return ann


_DELEGATION_RE = re.compile(r"\b(?:[Aa]n?|[Tt]he)\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?)\s+(?:[a-z-]+\s+){0,2}delegation,?\s+(?:led|headed)\s+by\s+(?:the\s+)?$")


def _delegation_states(ann: Annotated, g: Gazetteer) -> None:
    """'A Brazilian delegation led by Minister X': X represents Brazil."""
    text = ann.text
    for m in ann.mentions:
        if m.country or "delegation" not in text[max(0, m.start - 80):m.start]:
            continue
        hit = _DELEGATION_RE.search(text, max(0, m.start - 80), m.start)
        if hit:
            words = gazetteer.tokens_of(hit.group(1))
            found = [e for e in g.entries.get(words, []) if e.kind in ("country", "demonym")]
            if found:
                m.country, m.country_rule = found[0].value, "leads the delegation"


@lru_cache(maxsize=65536)
def _name_tokens(name: str) -> frozenset[str]:
    return frozenset(t for t in gazetteer.tokens_of(name) if t.isalpha() and len(t) > 1 or t.isalpha() and t.isupper())


def _new_entity(ents: list[Entity], m: Mention) -> int:
    ents.append(Entity(m.name, m.country, m.title, m.level, country_rule=m.country_rule,
                       tokens=_name_tokens(m.name or ""), head=m.head))
    return len(ents) - 1


def _attach(ann: Annotated, idx: int, mi: int, title_from_headline: dict[int, bool]) -> None:
    """Mention ``mi`` is entity ``idx``: the entity takes what the mention adds."""
    m, e = ann.mentions[mi], ann.entities[idx]
    m.entity = idx
    e.mentions.append(mi)
    headline = ann.sentences[m.sentence].headline
    if m.name and e.name and len(_name_tokens(m.name)) > len(e.tokens) and not headline:
        e.name, e.tokens = m.name, _name_tokens(m.name)
    elif m.name and not e.name:
        e.name, e.tokens = m.name, _name_tokens(m.name)
    if m.title and (not e.title or (headline is False and title_from_headline.get(idx))):
        e.title = m.title
        title_from_headline[idx] = headline
    if m.country and not e.country:
        e.country, e.country_rule = m.country, m.country_rule
    if m.level and not e.level:
        e.level = m.level
    if m.head and (not e.head or m.title == e.title):
        e.head = m.head


def _compatible(e: Entity, m: Mention) -> bool:
    return not (e.country and m.country and e.country != m.country)


def resolve_entities(ann: Annotated) -> None:
    """Group mentions into entities: full names first, then surnames, posts and pronouns."""
    g = gazetteer.load()
    ents = ann.entities
    by_official: dict[str, int] = {}
    e_title_from_headline: dict[int, bool] = {}

    # pass 1: names of two or more words, known officials, honorific names
    order = sorted(range(len(ann.mentions)), key=lambda k: (ann.sentences[ann.mentions[k].sentence].headline, k))
    for mi in order:
        m = ann.mentions[mi]
        if not m.name:
            continue
        toks = _name_tokens(m.name)
        if m.official and m.official in by_official:
            _attach(ann, by_official[m.official], mi, e_title_from_headline)
            continue
        if len(toks) < 2 and not m.official:
            continue
        if m.rule == "bare" and not m.official:
            continue
        hit = next((k for k, e in enumerate(ents) if e.tokens and (toks <= e.tokens or e.tokens <= toks) and _compatible(e, m)), None)
        if hit is None:
            hit = next((k for k, e in enumerate(ents) if e.tokens and _variant(toks, e.tokens) and _compatible(e, m)), None)
        if hit is None:
            hit = _new_entity(ents, m)
            e_title_from_headline[hit] = ann.sentences[m.sentence].headline
            if m.official:
                by_official[m.official] = hit
            m.entity = hit
            ents[hit].mentions.append(mi)
        else:
            _attach(ann, hit, mi, e_title_from_headline)
    # pass 2: single words and bare names that match a known entity
    for mi in order:
        m = ann.mentions[mi]
        if m.entity is not None or not m.name:
            continue
        toks = _name_tokens(m.name)
        hits = [k for k, e in enumerate(ents) if toks and toks <= e.tokens and _compatible(e, m)]
        if not hits and m.rule == "bare" and m.name:
            last = gazetteer.fold(m.name).split()[-1]
            hits = [k for k, e in enumerate(ents) if e.name and gazetteer.fold(e.name).split()[-1] == last and len(last) > 3]
        if not hits and len(toks) == 1:  # a variant of one of the entity's words
            v = _translit(next(iter(toks)))
            hits = [k for k, e in enumerate(ents) if v in _translits(e.tokens) and _compatible(e, m)]
        if len(hits) == 1 or (hits and m.title):
            _attach(ann, hits[0], mi, e_title_from_headline)
        elif m.rule in ("post+name", "name,post", "name(caption)", "name(shape)") or m.honorific:
            k = _new_entity(ents, m)
            e_title_from_headline[k] = ann.sentences[m.sentence].headline
            m.entity = k
            ents[k].mentions.append(mi)
    # pass 3: "the Special Representative", "the Minister": the latest entity with that post
    for mi, m in enumerate(ann.mentions):
        if m.entity is not None or m.name or m.plural or m.pronoun or m.counterpart:
            continue
        if not m.definite or not m.title:
            continue
        exact = [k for k, e in enumerate(ents) if e.head and m.head and e.head == m.head and _compatible(e, m)]
        cands = exact or [k for k, e in enumerate(ents) if e.head and m.head and m.head in e.head.split() and _compatible(e, m)
                          and not e.head.startswith(("vice ", "deputy ", "assistant "))]
        if cands:
            before = [k for k in cands if any(ann.mentions[x].start < m.start for x in ents[k].mentions)]
            _attach(ann, (before or cands)[-1], mi, e_title_from_headline)
    # known officials fill in the post when the text gives none
    for e in ents:
        if e.name and not e.title:
            known = g.officials.get(gazetteer.fold(e.name))
            if known:
                post = known.post_at(None)
                e.title = post.title if post else None


_TRANSLIT_RE = re.compile(r"(ei|ey|ej|ii|iy|y|i)$")


@lru_cache(maxsize=65536)
def _translit(token: str) -> str:
    return _TRANSLIT_RE.sub("i", token).replace("w", "v")


@lru_cache(maxsize=65536)
def _translits(tokens: frozenset[str]) -> frozenset[str]:
    return frozenset(_translit(t) for t in tokens)


def _variant(a: frozenset[str], b: frozenset[str]) -> bool:
    """Transliteration variants (Sergey/Sergei, Dmitry/Dmitri), and one name word spelt one
    letter off when the others agree (Vladmir/Vladimir Putin)."""
    if len(a) != len(b):
        return False
    ta, tb = _translits(a), _translits(b)
    if ta == tb:
        return True
    only_a, only_b = ta - tb, tb - ta
    return len(only_a) == 1 == len(only_b) and bool(ta & tb) and _one_edit(min(only_a), min(only_b))


def _one_edit(x: str, y: str) -> bool:
    """Are two words of five letters or more one insertion, deletion or substitution apart?"""
    if min(len(x), len(y)) < 5 or abs(len(x) - len(y)) > 1:
        return False
    if len(x) > len(y):
        x, y = y, x
    i = 0
    while i < len(x) and x[i] == y[i]:
        i += 1
    return x[i + (len(x) == len(y)):] == y[i + 1:]
