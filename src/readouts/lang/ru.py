"""The Russian reader: case endings through lemmas (pymorphy3), names in the nominative.

Every word is lemmatised once (pymorphy3's best parse); the rule pack
``data/ru/rules.toml`` is written in lemmas, so "с Министром иностранных дел Турции Хаканом
Фиданом" and "Министр иностранных дел Турции Хакан Фидан" match the same rules:

- a person is a run of capitalised name words (or initials, "С.В.Лавров") with the post
  before it; the post runs from the nearest post noun ("министр", "президент", "глава") to
  the name, is reported in the nominative without the state ("Министр иностранных дел"),
  and the state is the one it names ("Турции" -> TUR; "российский" -> RUS); a post with a
  state and no name ("главой Узбекистана") stands for the person of that state the text
  names elsewhere; titles shared by two people ("президенты России и Франции Владимир
  Путин и Эммануэль Макрон") are split between them;
- names are put in the nominative from the case of their post (or their own best parse),
  keeping the gender of the first name;
- an engagement is a verb ("встретился с", "принял", "провёл переговоры с") with its
  subject before it and the other side after "с" (or right after "принял"), or a noun
  ("переговоры Путина и Макрона", "встреча с ...") with the people in the genitive after
  it; several people after one verb are several engagements;
- plans ("планируют встретиться", "предстоящая встреча", future tense), background ("после
  телефонного разговора", "Напомним, ...") and ceremonies are not engagements;
- dates only from the text with a year, or relative ones against its own date;
  places: a city in the sentence, the dateline ("МОСКВА, 18 мая"), a venue ("в Кремле").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from readouts.lang import data as langdata
from readouts.lang.common import Found, Person, assemble, last_weekday, month_day, shift_day
from readouts.lang.ru_morph import case_of as _case_of
from readouts.lang.ru_morph import lemma, nominative_name, nominative_phrase, parses
from readouts.lang.ru_morph import lemma_key as _lemma_key
from readouts.lang.ru_morph import plural_nominative as _plural_nominative
from readouts.lang.ru_morph import stems as _stems
from readouts.records import CleanDocument, Issue, Readout, Span, Statement

_TOKEN = re.compile(
    r"(?P<init>(?:[А-ЯЁ]\.\s?){1,2}(?=[А-ЯЁ][а-яё]))"
    r"|(?P<word>[А-Яа-яЁёA-Za-z]+(?:[-‑][А-Яа-яЁёA-Za-z]+)*)"
    r"|(?P<num>\d+(?:-[а-яё]+)?)"
    r"|(?P<punct>[^\sА-Яа-яЁёA-Za-z\d])"
)
_SENTENCE = re.compile(r"\n+|(?<![А-ЯЁ])(?<!\b[А-ЯЁ]\.)[.!?…]+[\"»”]?(?=\s+[«\"„]?[А-ЯЁA-Z\d])")
MONTHS = {"январь": 1, "февраль": 2, "март": 3, "апрель": 4, "май": 5, "июнь": 6, "июль": 7, "август": 8,
          "сентябрь": 9, "октябрь": 10, "ноябрь": 11, "декабрь": 12}
WEEKDAYS = {"понедельник": 0, "вторник": 1, "среда": 2, "четверг": 3, "пятница": 4, "суббота": 5, "воскресенье": 6}
RELATIVE = {"сегодня": 0, "вчера": -1, "позавчера": -2}
#: capitalised words that are never names
NOT_NAMES = frozenset({
    "ассамблея", "совет", "дума", "госдума", "кремль", "мид", "организация", "союз", "федерация", "республика",
    "партия", "правительство", "министерство", "ведомство", "форум", "саммит", "штат", "область", "край",
    "администрация", "комитет", "канцелярия", "парламент", "сенат", "конгресс", "посольство", "новый", "год",
    "господин", "госпожа", "уважаемый", "глава", "президент", "премьер", "источник", "комментарий", "однако",
    "также", "кроме", "ранее", "напомним", "сегодня", "вчера", "об", "он", "она", "они", "мы", "вы",
})


@dataclass
class Tok:
    text: str
    start: int
    end: int
    kind: str  # init | word | num | punct
    lemma: str

    @property
    def cap(self) -> bool:
        return self.kind in ("word", "init") and self.text[:1].isupper()

    @property
    def caps(self) -> bool:
        return self.kind == "word" and len(self.text) > 1 and self.text.isupper()


@dataclass(frozen=True)
class _Pack:
    posts: frozenset[str]
    title_drop: frozenset[str]
    predicates: tuple[tuple[tuple[str, ...], str], ...]  # lemma sequence -> mode, longest first
    groups: frozenset[str]
    planned: frozenset[str]
    background_before: frozenset[str]
    background_openers: tuple[str, ...]
    not_readout: tuple[tuple[str, ...], ...]
    occasion_before: tuple[tuple[str, ...], ...]
    occasion_heads: frozenset[str]
    reporting: frozenset[str]
    venues: dict[tuple[str, ...], str]
    states: dict[tuple[str, ...], str]
    adjectives: dict[str, str]
    cities: dict[tuple[str, ...], tuple[str, str]]
    names: dict[tuple[str, ...], langdata.KnownName]
    surnames: dict[str, list[langdata.KnownName]]
    issue: re.Pattern[str]


@lru_cache(maxsize=1)
def pack() -> _Pack:
    r = langdata.rules("ru")
    d = langdata.load()
    preds = [(_lemma_key(p), mode) for mode, words in r["predicates"].items() for p in words]
    preds.sort(key=lambda x: -len(x[0]))
    states = {_lemma_key(name): iso for name, iso in d.ru_states.items()}
    states.update({tuple(name.split()): iso for name, iso in d.ru_states.items()})  # as written: "сша", "рф"
    cities = {_lemma_key(name): v for name, v in d.ru_cities.items()}
    names = {_lemma_key(k): v for k, v in d.ru_names.items()} | {tuple(k.split()): v for k, v in d.ru_names.items()}
    surnames = {lemma(k): v for k, v in d.ru_surnames.items()} | dict(d.ru_surnames)
    return _Pack(
        posts=frozenset(r["posts"]) | frozenset(lemma(w) for w in r["posts"]),
        title_drop=frozenset(lemma(w) for w in r["title_drop"]),
        predicates=tuple(preds),
        groups=frozenset(r["groups"]),
        planned=frozenset(r["planned"]),
        background_before=frozenset(r["background_before"]),
        background_openers=tuple(r["background_openers"]),
        not_readout=tuple(_lemma_key(m) for m in r["not_readout_markers"]),
        occasion_before=tuple(_lemma_key(p) for p in r["occasion_before"]),
        occasion_heads=frozenset(lemma(w) for w in r["occasion_heads"]),
        reporting=frozenset(r["reporting"]),
        venues={_lemma_key(k): v for k, v in r["venues"].items()},
        states=states,
        adjectives={lemma(k): v for k, v in d.ru_adjectives.items()} | dict(d.ru_adjectives),
        cities=cities,
        names=names,
        surnames=surnames,
        issue=re.compile(r["issue_pattern"]),
    )


# ---------------------------------------------------------------------------------- text
@dataclass
class _Text:
    doc: CleanDocument
    toks: list[Tok] = field(default_factory=list)
    sents: list[tuple[int, int]] = field(default_factory=list)  # token index ranges
    states: dict[int, tuple[int, str]] = field(default_factory=dict)  # token index -> (end index, ISO3)
    mentions: list = field(default_factory=list)  # the people found (set by read)
    cities: dict[int, tuple[int, tuple[str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        text = self.doc.text
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup or "punct"
            w = m.group()
            self.toks.append(Tok(w, m.start(), m.end(), kind, lemma(w) if kind == "word" else w.lower()))
        cuts = sorted({m.end() for m in _SENTENCE.finditer(text)} | {len(text)})
        i = 0
        for cut in cuts:
            j = i
            while j < len(self.toks) and self.toks[j].start < cut:
                j += 1
            if j > i:
                self.sents.append((i, j))
            i = j
        p = pack()
        self.states = self._phrases(p.states, adjectives=p.adjectives)
        self.cities = self._phrases(p.cities)

    def _phrases(self, table: dict, adjectives: dict | None = None) -> dict:
        longest = _first_words(id(table), table)
        out = {}
        i = 0
        while i < len(self.toks):
            tok = self.toks[i]
            most = max(longest.get(tok.lemma, 0), longest.get(tok.text.lower(), 0))
            for n in range(min(most, len(self.toks) - i), 0, -1):
                key = tuple(t.lemma for t in self.toks[i:i + n])
                raw = tuple(t.text.lower() for t in self.toks[i:i + n])
                hit = table.get(key) or table.get(raw)
                if hit is not None and (self.toks[i].cap or self.toks[i].caps):
                    out[i] = (i + n, hit)
                    i += n - 1
                    break
            else:
                if adjectives is not None and self.toks[i].lemma in adjectives:
                    out[i] = (i + 1, adjectives[self.toks[i].lemma])
            i += 1
        return out

    def state_at(self, i: int) -> tuple[int, str] | None:
        return self.states.get(i)

    def most_named_state(self) -> str | None:
        counts: dict[str, int] = {}
        for _, iso in self.states.values():
            counts[iso] = counts.get(iso, 0) + 1
        return max(counts, key=lambda k: counts[k]) if counts else None


_FIRST_WORDS: dict[int, dict[str, int]] = {}


def _first_words(key: int, table: dict) -> dict[str, int]:
    """First word of each phrase of a table -> the longest phrase it begins (built once per table)."""
    out = _FIRST_WORDS.get(key)
    if out is None:
        out = {}
        for phrase in table:
            out[phrase[0]] = max(out.get(phrase[0], 0), len(phrase))
        _FIRST_WORDS[key] = out
    return out


# ---------------------------------------------------------------------------------- people
@dataclass
class _Mention:
    i0: int  # first token of the mention (post or name)
    n0: int  # first token of the name (== n1 when unnamed)
    n1: int  # end of the name
    person: Person
    head: str | None  # lemma of the post head
    states: list[str] = field(default_factory=list)
    hi: int | None = None  # token index of the post head


def _name_like(t: _Text, i: int, in_run: bool) -> bool:
    tok = t.toks[i]
    if tok.kind == "init":
        return True
    if tok.kind != "word" or not tok.cap or not re.match("[А-ЯЁ]", tok.text):
        return False
    if len(tok.text) < 2:  # "Ван И": a one-letter given name inside a name, never a preposition
        return in_run and not (i + 1 < len(t.toks) and t.toks[i + 1].text == ".")
    if tok.caps:
        return False
    p = pack()
    low = tok.lemma
    if low in NOT_NAMES or low in p.posts or low in MONTHS or low in WEEKDAYS or i in t.states or i in t.cities:
        return False
    if any(i in range(a, b) for a, (b, _) in t.states.items()) or any(i in range(a, b) for a, (b, _) in t.cities.items()):
        return False
    if _known_name_at(t, i):
        return True
    ps = parses(tok.text)
    tagged = any({"Name", "Surn", "Patr"} & set(str(x.tag).replace(" ", ",").split(",")) for x in ps)
    best = ps[0]
    sentence_start = i == 0 or t.toks[i - 1].text in ".!?\n:—«\"" or any(a == i for a, _ in t.sents)
    if low in p.surnames:
        return True
    if tagged:
        return True
    if in_run:
        return True
    if sentence_start:
        return False
    if i > 0 and t.toks[i - 1].lemma in ("в", "во", "из", "на", "до", "под", "над", "по", "к", "от"):
        return False
    if "Geox" in str(best.tag) and best.is_known:
        return False
    return not best.is_known or (best.tag.POS == "NOUN" and best.tag.animacy == "anim")


def _known_name_at(t: _Text, i: int) -> bool:
    """A known official's name begins here, written as in the names file ("Ван И")."""
    most = _first_words(id(pack().names), pack().names).get(t.toks[i].text.lower(), 0)
    for n in range(min(most, len(t.toks) - i), 1, -1):
        words = tuple(x.text.lower() for x in t.toks[i:i + n])
        if words in pack().names:
            return True
        last = t.toks[i + n - 1]
        for stem in [last.lemma] + _stems(last.text):  # "Си Цзиньпином"
            if words[:-1] + (stem,) in pack().names:
                return True
    return False


def _runs(t: _Text) -> list[tuple[int, int]]:
    runs = []
    i = 0
    while i < len(t.toks):
        if _name_like(t, i, False):
            j = i + 1
            while j < len(t.toks) and j - i < 4 and _name_like(t, j, True) and t.toks[j].start - t.toks[j - 1].end <= 1:
                j += 1
            runs.append((i, j))
            i = j
            if j + 1 < len(t.toks) and t.toks[j].lemma == "и" and t.toks[j + 1].cap and not t.toks[j + 1].caps \
                    and len(t.toks[j + 1].text) > 2 and parses(t.toks[j + 1].text)[0].tag.POS == "NOUN" \
                    and t.toks[j + 1].lemma not in NOT_NAMES and t.toks[j + 1].lemma not in pack().posts \
                    and j + 1 not in t.states and j + 1 not in t.cities and not _name_like(t, j + 1, False):
                runs.append((j + 1, j + 2))  # "Путин и Шредер": a name joined to a name
                i = j + 2
        else:
            i += 1
    return runs


_TITLE_WORD_OK = frozenset({"по", "и", "иностранный", "дело", "мид", "рф", "с", "в"})


def _title_start(t: _Text, n0: int, lo: int) -> int | None:
    """The first token of the post before a name (None when there is none)."""
    p = pack()
    i = n0 - 1
    head = None
    while i >= lo:
        tok = t.toks[i]
        if tok.kind == "punct" and tok.text not in "-‑":
            break
        if tok.lemma in p.posts:
            head = i
            # a chain of posts: "заместителя главы", "Спецпредставитель президента"
            while head - 1 >= lo and t.toks[head - 1].lemma in p.posts:
                head -= 1
            # "Государственным секретарём", "Верховный представитель": adjectives of the post
            while head - 1 >= lo and t.toks[head - 1].kind == "word" and head - 1 not in t.states \
                    and parses(t.toks[head - 1].text)[0].tag.POS == "ADJF":
                head -= 1
            break
        if tok.kind == "word":
            x = parses(tok.text)[0]
            if x.tag.POS in ("VERB", "INFN", "GRND", "PRTS", "CONJ", "PRCL", "ADVB") and tok.lemma not in _TITLE_WORD_OK:
                break
            if tok.lemma == "и" and i + 1 < n0 and t.toks[i + 1].cap and i + 1 not in t.states:
                break
        i -= 1
        if n0 - i > 14:
            break
    return head


def _people(t: _Text) -> list[_Mention]:
    p = pack()
    out: list[_Mention] = []
    runs = _runs(t)
    sent_of = {}
    for si, (a, b) in enumerate(t.sents):
        for k in range(a, b):
            sent_of[k] = a
    for n0, n1 in runs:
        lo = sent_of.get(n0, 0)
        lo = max([lo] + [r1 for r0, r1 in runs if r1 <= n0])
        head = _title_start(t, n0, lo)
        if head is None:  # "и Казахстана Касым-Жомарт Токаев": the states before the name belong to it
            start = n0
            for a0, (a1, _) in t.states.items():
                if a1 == start and a0 >= lo:
                    start = a0
            head = start
        out.append(_mention(t, head, n0, n1))
    # posts with a state and no name: "главой Узбекистана", "глава российского государства"
    for i, tok in enumerate(t.toks):
        if tok.lemma not in p.posts or any(m.i0 <= i < m.n1 for m in out):
            continue
        if i > 0 and i - 1 in t.states and not t.toks[i - 1].cap and not _name_like(t, i + 1, False) \
                if i + 1 < len(t.toks) else False:
            out.append(_mention(t, i - 1, i + 1, i + 1))  # "российского президента"
            continue
        j = i + 1
        while j < len(t.toks) and j - i <= 2 and t.toks[j].kind == "word" and not t.toks[j].cap and j not in t.states \
                and parses(t.toks[j].text)[0].tag.POS in ("NOUN", "ADJF"):
            j += 1
        if j not in t.states:
            continue
        end = t.states[j][0]
        if end < len(t.toks) and _name_like(t, end, False):
            continue  # a name follows: a named mention
        if end + 1 < len(t.toks) and t.toks[end].lemma in ("и", ",") and end + 1 in t.states:
            continue  # "послов России и Китая": the text names them one by one
        if not t.toks[j].cap and end < len(t.toks) and parses(t.toks[end].text)[0].tag.POS == "NOUN" \
                and t.toks[end].lemma not in p.posts:
            end += 1  # "российского государства": the adjective's noun belongs to the post
        out.append(_mention(t, i, end, end))
    out.sort(key=lambda m: m.i0)
    _share_titles(t, out)
    return out


def _mention(t: _Text, i0: int, n0: int, n1: int) -> _Mention:
    p = pack()
    states = []
    k = i0
    while k < n0:
        if k in t.states and not (k > 0 and t.toks[k - 1].lemma in ("в", "во", "из")):
            end, iso = t.states[k]
            states.append(iso)
            k = end
            continue
        k += 1
    hi = next((k for k in range(i0, n0) if t.toks[k].lemma in p.posts), None)
    head = t.toks[hi].lemma if hi is not None else None
    title = _title_text(t, i0, n0) if head and head not in p.title_drop else None
    if not states and head:  # "Губернатор Санкт-Петербурга": a city's state
        states = [iso for k, (_, (_, iso)) in t.cities.items() if i0 <= k < n0][:1]
    name = None
    english = None
    country = states[0] if states else None
    if n1 > n0:
        words = [x.text for x in t.toks[n0:n1]]
        case = _case_of(t.toks[hi].text) if hi is not None else None
        if case is None and n0 > 0 and t.toks[n0 - 1].lemma in ("с", "со"):
            case = "ablt"
        if case is None and not any(x.tag.case == "nomn" and x.tag.number == "sing" for x in parses(words[-1])):
            case = _case_of(words[-1])  # no post, and the surname cannot be a nominative: its own case
        name = nominative_name(words, case)
        parts = name.split(" ")
        if len(parts) == n1 - n0:  # the text's own spacing ("С.В.Лавров" stays one word)
            gaps = [t.doc.text[t.toks[k].end:t.toks[k + 1].start] for k in range(n0, n1 - 1)]
            name = parts[0] + "".join(g + w for g, w in zip(gaps, parts[1:]))
        known = p.names.get(_lemma_key(name)) or p.names.get(tuple(w.lower() for w in name.split()))
        if known is None:
            forms = [name.split()[-1].lower()] + [x.normal_form for x in parses(words[-1])] + _stems(words[-1])
            cands = next((p.surnames[f] for f in forms if f in p.surnames), None)
            if cands and len({c.english for c in cands}) == 1 and (country is None or cands[0].country == country):
                known = cands[0]
                # the known official's own spelling of the words the text gives ("Олафа Шольца" -> "Олаф Шольц")
                kw = known.name.split()
                own = " ".join(kw[-len(words):])
                if (len(words) == len(kw) or len(words) == 1) and not any(w.endswith(".") for w in words) \
                        and own.lower().replace("ё", "е") != name.lower().replace("ё", "е"):
                    name = own
        if known is not None:
            english = known.english
            country = country or known.country
            kw = known.name.split()
            same = name.lower().replace("ё", "е") == known.name.lower().replace("ё", "е")
            if len(kw) == len(words) and not same and not any(w.endswith(".") for w in words):
                name = known.name  # "Александра Лукашенко" -> "Александр Лукашенко"
    start = t.toks[i0].start
    end = t.toks[n1 - 1].end if n1 > i0 else t.toks[i0].end
    person = Person(start, end, name, country, title, t.toks[n0].start if n0 < len(t.toks) else end,
                    "ru:post-name" if head and name else ("ru:post" if head else "ru:name"), english,
                    stated=bool(states) or english is not None)
    return _Mention(i0, n0, n1, person, head, states, hi)


def _title_text(t: _Text, i0: int, n0: int) -> str | None:
    """The post as written, nominative, without states, 'в <city>' or a trailing comma."""
    words: list[str] = []
    k = i0
    while k < n0:
        tok = t.toks[k]
        if k in t.states:
            k = t.states[k][0]
            if words and words[-1].lower() in ("республики", "королевства", "федерации", "в", "во", "из"):
                words.pop()
            continue
        if tok.lemma in ("в", "во") and k + 1 in t.cities:
            k = t.cities[k + 1][0]
            continue
        if tok.lemma in ("республика", "королевство", "федерация") and (k + 1 in t.states or any(
                e == k for e, _ in t.states.values())):
            k += 1
            continue
        words.append(tok.text)
        k += 1
    while words and not re.match("[А-Яа-яЁёA-Za-z]", words[-1]):
        words.pop()
    if words and words[-1].lower() in ("и", "в", "из", "по", "с"):
        words.pop()
    return nominative_phrase(words) if words else None


def _share_titles(t: _Text, ms: list[_Mention]) -> None:
    """'Президенты России Владимир Путин и Казахстана Касым-Жомарт Токаев': one post, two states."""
    for a, b in zip(ms, ms[1:]):
        if a.person.name is None or b.person.name is None:
            continue
        between = [x.lemma for x in t.toks[a.n1:b.i0]]
        if between not in (["и"], [","]):
            continue
        if b.head is None and a.head is not None:
            states = b.states or (a.states[1:2] if len(a.states) >= 2 else [])
            if not states:
                continue
            title = nominative_phrase([t.toks[a.hi].text]) if a.hi is not None else a.person.title
            b.person = Person(b.person.start, b.person.end, b.person.name, states[0], title, b.person.name_start,
                              b.person.rule, b.person.english, True)
            if len(a.states) >= 2 and not b.states:
                a.person = Person(a.person.start, a.person.end, a.person.name, a.states[0], a.person.title,
                                  a.person.name_start, a.person.rule, a.person.english, True)
            b.head, b.hi = a.head, a.hi


# ---------------------------------------------------------------------------------- engagements
@lru_cache(maxsize=1)
def _predicates_by_first() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for seq, mode in pack().predicates:  # longest first, kept in each list
        out.setdefault(seq[0], []).append((seq, mode))
    return out


def _match_predicate(t: _Text, i: int, b: int) -> tuple[int, str, tuple[str, ...]] | None:
    for seq, mode in _predicates_by_first().get(t.toks[i].lemma, ()):
        n = len(seq)
        if i + n <= b and tuple(x.lemma for x in t.toks[i:i + n]) == seq:
            return i + n, mode, seq
    return None


_VERBAL = ("VERB", "INFN", "PRTF", "PRTS", "GRND")


def _is_verb(tok: Tok) -> bool:
    return tok.kind == "word" and parses(tok.text)[0].tag.POS in _VERBAL


def _engagements(t: _Text, ms: list[_Mention]) -> list[Found]:
    p = pack()
    found: list[Found] = []
    ref = _reference(t)
    dateline = _dateline(t)
    last_subjects: list[Person] = []
    for a, b in t.sents:
        opener = " ".join(x.lemma for x in t.toks[a:a + 2])
        if any(opener.startswith(o) for o in p.background_openers) or t.toks[a].lemma == "напомнить":
            continue
        here = [m for m in ms if a <= m.i0 and m.n1 <= b]
        i = a
        while i < b:
            if any(m.i0 <= i < m.n1 for m in here):
                i += 1
                continue
            hit = _match_predicate(t, i, b)
            if hit is None:
                i += 1
                continue
            end, mode, seq = hit
            f = _roles(t, here, i, end, b, seq, last_subjects)
            if f is not None:
                f.mode = (_remote(t, a, b) or mode) if mode in ("meeting", "talks") else mode
                # "встреча Путина и Трампа может состояться": the verb of a noun's clause says if it happened
                noun = f.extra.pop("genitive", False)
                clause = next((k for k in range(end, b) if t.toks[k].text in ",;:—"), b) if noun else end
                window = [x.lemma for x in t.toks[max(a, i - 6):clause]]
                f.planned = any(w in p.planned for w in window) or _future(t, a, i, clause)
                if f.planned or not _background(t, a, i):
                    f.date, f.date_span = _date(t, a, b, ref)
                    _place(t, f, a, b, dateline)
                    _occasion(t, f, a, b, frozenset(m.i0 for m in ms))
                    found.append(f)
                    last_subjects = f.subjects
            i = end
    return found


def _remote(t: _Text, a: int, b: int) -> str | None:
    """'провел переговоры ... в режиме видеоконференции', '... по телефону': the sentence says how."""
    modes = {mode for k in range(a, b) if (hit := _match_predicate(t, k, b)) for mode in [hit[1]]}
    for mode in ("video_call", "phone_call"):
        if mode in modes:
            return mode
    return None


def _future(t: _Text, a: int, i: int, end: int) -> bool:
    """'Путин проведет переговоры': a verb of the predicate's clause in the future tense."""
    for k in range(max(a, i - 3), min(end + 1, len(t.toks))):
        tok = t.toks[k]
        if tok.kind == "word":
            x = parses(tok.text)[0]
            if x.tag.POS == "VERB" and x.tag.tense == "futr" and x.normal_form not in ("принять",):
                return True
            if x.tag.POS == "VERB" and x.tag.tense == "futr" and x.normal_form == "принять" and k != i:
                return True
    return False


def _background(t: _Text, a: int, i: int) -> bool:
    """'после телефонного разговора': a past engagement named as a time, not reported."""
    p = pack()
    return any(x.lemma in p.background_before for x in t.toks[max(a, i - 2):i])


def _roles(t: _Text, here: list[_Mention], i: int, end: int, b: int, seq: tuple[str, ...],
           last_subjects: list[Person]) -> Found | None:
    text = t.doc.text
    trigger = Span(t.toks[i].start, t.toks[end - 1].end, text[t.toks[i].start:t.toks[end - 1].end],
                   "ru:predicate:" + " ".join(seq))
    before = [m for m in here if m.n1 <= i]
    after = [m for m in here if m.i0 >= end]
    verbal = _is_verb(t.toks[i]) or (i > 0 and _is_verb(t.toks[i - 1]) and t.toks[i - 1].lemma in (
        "провести", "проводить", "обсудить", "обменяться", "направить", "иметь"))
    if i > 0 and t.toks[i - 1].lemma in ("провести", "проводить", "обсудить", "обменяться"):
        verbal = True
    # the other side after "с" (or right after "принять", "поздравить")
    objs: list[_Mention] = []
    direct = seq[0] in ("принять", "поздравить", "направить")
    if after:
        gap = [x.lemma for x in t.toks[end:after[0].i0]]
        if ("с" in gap or "со" in gap or (direct and len(gap) <= 3) or (not verbal and len(gap) <= 1)) \
                and not any(x in (".", ";") for x in gap):
            objs = _list_after(t, after)
    if direct and not objs:
        group = _group_after(t, end, b)
        if group is not None:
            objs = [group]
    subjects = _subject_group(t, before, i)
    genitive = not verbal and objs and objs[0].i0 - end <= 1 and not _with_before(t, objs[0])
    if genitive:
        subjects = []  # "Песков заявил, что встреча Путина и Трампа ...": Путин and Трамп
    if not verbal and objs and not subjects and all(not _with_before(t, m) for m in objs):
        # "Переговоры Путина и Макрона": the people in the genitive after the noun
        if len(objs) >= 2 and _joined(t, objs):
            return Found("meeting", [objs[0].person], [m.person for m in objs[1:]], trigger, extra={"genitive": True})
        rest = [m for m in after if m.i0 >= objs[0].n1]
        if rest and _with_before(t, rest[0]) and rest[0].i0 - objs[0].n1 == 1:
            # "встреча Президента Беларуси Александра Лукашенко с Губернатором ... Бегловым"
            return Found("meeting", [objs[0].person], [rest[0].person], trigger, extra={"genitive": True})
        return None
    if not subjects and not verbal and objs:
        # "В ходе беседы с послом X глава государства отметил ...": the one the text is about
        subjects = last_subjects or _previous_named(t, objs[0].i0)
        if not subjects:
            return None
        return Found("meeting", list(subjects), [objs[0].person], trigger,
                     extra={"more": [[m.person] for m in objs[1:]]})
    if not subjects:
        return None
    if not objs:
        if len(subjects) >= 2:  # "Путин и Зеленский провели телефонный разговор"
            return Found("meeting", [subjects[0]], subjects[1:], trigger)
        return None
    return Found("meeting", subjects, [objs[0].person], trigger, extra={"more": [[m.person] for m in objs[1:]]})


def _previous_named(t: _Text, i: int) -> list[Person]:
    named = [m for m in t.mentions if m.person.name and m.n1 <= i]
    return [named[0].person] if named else []


def _with_before(t: _Text, m: _Mention) -> bool:
    return m.i0 > 0 and t.toks[m.i0 - 1].lemma in ("с", "со")


def _joined(t: _Text, ms: list[_Mention]) -> bool:
    return all([x.lemma for x in t.toks[x0.n1:x1.i0]] in (["и"], [","]) for x0, x1 in zip(ms, ms[1:]))


def _list_after(t: _Text, after: list[_Mention]) -> list[_Mention]:
    """The first person after the predicate and those listed with it ('A, B и C')."""
    out = [after[0]]
    for x0, x1 in zip(after, after[1:]):
        if [x.lemma for x in t.toks[x0.n1:x1.i0]] in (["и"], [","]):
            out.append(x1)
        else:
            break
    return out


def _subject_group(t: _Text, before: list[_Mention], i: int) -> list[Person]:
    """The subject: the person nearest before the predicate, with those joined to it by 'и'."""
    if not before:
        return []
    last = before[-1]
    gap = t.toks[last.n1:i]
    if any(x.text in ".;:" or x.lemma in ("с", "со", "который") for x in gap) or len(gap) > 12:
        return []
    group = [last]
    for x0, x1 in zip(reversed(before[:-1]), reversed(before)):
        if [x.lemma for x in t.toks[x0.n1:x1.i0]] == ["и"]:
            group.insert(0, x0)
        else:
            break
    return [m.person for m in group]


def _group_after(t: _Text, end: int, b: int) -> _Mention | None:
    """'принял делегацию США', 'принял руководителей дипмиссий ...': a group as one participant."""
    p = pack()
    k = end
    while k < b and t.toks[k].kind == "word" and parses(t.toks[k].text)[0].tag.POS in ("ADJF", "PRTF"):
        k += 1
    if k >= b or t.toks[k].lemma not in p.groups:
        return None
    j = k + 1
    states = []
    while j < b and t.toks[j].kind == "word" and not _is_verb(t.toks[j]) and t.toks[j].lemma not in ("в", "во", "на"):
        if j in t.states:
            states.append(t.states[j][1])
            j = t.states[j][0]
            continue
        j += 1
    if len(set(states)) > 1:
        return None  # "принял послов России и Китая": the text names them one by one
    words = [x.text for x in t.toks[k:j] if j not in t.states]
    title_words = [x.text for idx, x in enumerate(t.toks[k:j], k)
                   if not any(s0 <= idx < s1 for s0, (s1, _) in t.states.items())]
    title = nominative_phrase([title_words[0]])
    if len(title_words) > 1:
        title = " ".join([_plural_nominative(title_words[0])] + title_words[1:])
    del words
    text = t.doc.text
    person = Person(t.toks[k].start, t.toks[j - 1].end, None, states[0] if states else None, title,
                    t.toks[k].start, "ru:group", None, bool(states))
    return _Mention(k, j, j, person, t.toks[k].lemma, states) if text else None


# ---------------------------------------------------------------------------------- dates and places
_FULL = re.compile(r"(?<!\d)(\d{1,2})\s+([а-яё]+)\s+(\d{4})(?:\s*(?:года|г\.))?")
_DMY = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DM = re.compile(r"(?<!\d)(\d{1,2})(?:\s*[-–]\s*\d{1,2})?\s+([а-яё]+)(?!\s+\d{4})")


def _month(word: str) -> int | None:
    return MONTHS.get(lemma(word))


def _reference(t: _Text) -> date | None:
    if t.doc.published and len(t.doc.published) == 10:
        return date.fromisoformat(t.doc.published)
    for rx, order in ((_ISO, "ymd"), (_FULL, "dmy_word"), (_DMY, "dmy")):
        for m in rx.finditer(t.doc.text):
            try:
                if order == "ymd":
                    return date(int(m[1]), int(m[2]), int(m[3]))
                if order == "dmy":
                    return date(int(m[3]), int(m[2]), int(m[1]))
                mo = _month(m[2])
                if mo:
                    return date(int(m[3]), mo, int(m[1]))
            except ValueError:
                continue
    return None


def _date(t: _Text, a: int, b: int, ref: date | None) -> tuple[str | None, Span | None]:
    text = t.doc.text
    s0, s1 = t.toks[a].start, t.toks[b - 1].end
    sent = text[s0:s1]
    m = _FULL.search(sent)
    if m and _month(m[2]):
        try:
            d = date(int(m[3]), _month(m[2]), int(m[1]))  # type: ignore[arg-type]
            return d.isoformat(), Span(s0 + m.start(), s0 + m.end(), m.group(), "ru:date")
        except ValueError:
            pass
    for m in _DM.finditer(sent):
        mo = _month(m[2])
        if mo:
            span = Span(s0 + m.start(), s0 + m.end(), m.group(), "ru:date")
            if ref is None:
                return None, span
            day = month_day(ref.year, mo, int(m[1]), ref)
            return (day.isoformat() if day else None), span
    for k in range(a, b):
        tok = t.toks[k]
        if tok.lemma in RELATIVE and ref is not None:
            return shift_day(ref, RELATIVE[tok.lemma]).isoformat(), Span(tok.start, tok.end, tok.text, "ru:date")
        if tok.lemma in WEEKDAYS and k > a and t.toks[k - 1].lemma in ("в", "во") and ref is not None:
            d = last_weekday(ref, WEEKDAYS[tok.lemma])
            return d.isoformat(), Span(tok.start, tok.end, tok.text, "ru:date")
    return None, None


_DATELINE = re.compile(r"^(?P<place>[А-ЯЁ][А-ЯЁ\-]{2,}(?:\s[А-ЯЁ][А-ЯЁ\-]+)?),\s+\d{1,2}\s+[а-яё]+", re.M)


def _dateline(t: _Text) -> tuple[str, str, Span] | None:
    m = _DATELINE.search(t.doc.text[:600])
    if not m:
        return None
    hit = pack().cities.get(_lemma_key(m["place"].title())) or pack().cities.get((m["place"].lower(),))
    if hit is None:
        return None
    return hit[0], hit[1], Span(m.start("place"), m.end("place"), m["place"], "ru:dateline")


def _place(t: _Text, f: Found, a: int, b: int, dateline: tuple[str, str, Span] | None) -> None:
    if f.mode not in ("meeting", "talks"):
        return
    spans = [(x.start, x.end) for x in f.subjects + f.objects]
    text = t.doc.text

    def free(k: int) -> bool:
        return not any(s0 <= t.toks[k].start < s1 for s0, s1 in spans)

    for k in range(a, b):
        if k in t.cities and free(k) and k > 0 and t.toks[k - 1].lemma in ("в", "во"):
            end, (city, iso) = t.cities[k]
            f.city, f.country = city, iso
            f.place_span = Span(t.toks[k].start, t.toks[end - 1].end, text[t.toks[k].start:t.toks[end - 1].end], "ru:place")
            return
    if dateline is not None:
        f.city, f.country, f.place_span = dateline
        return
    for k in range(a, b):
        for key, iso in pack().venues.items():
            if tuple(x.lemma for x in t.toks[k:k + len(key)]) == key and k > 0 and t.toks[k - 1].lemma in ("в", "во"):
                f.country = iso
                f.place_span = Span(t.toks[k].start, t.toks[k + len(key) - 1].end, text[t.toks[k].start:t.toks[k + len(key) - 1].end], "ru:venue")
                break
    if f.country is not None and f.city is None:
        for k in range(len(t.toks)):  # "в Кремле" ... "в Москве": a city of that state the text names
            if k in t.cities and k > 0 and t.toks[k - 1].lemma in ("в", "во") and t.cities[k][1][1] == f.country:
                end, (city, iso) = t.cities[k]
                f.city = city
                return
    # a city the text says the visitor came to ("прибыл в Нью-Йорк")
    for k in range(len(t.toks)):
        if k in t.cities and k > 1 and t.toks[k - 1].lemma in ("в", "во") and t.toks[k - 2].lemma in ("прибыть", "прилететь", "приехать"):
            end, (city, iso) = t.cities[k]
            if f.country in (None, iso):
                f.city, f.country = city, iso
                f.place_span = Span(t.toks[k].start, t.toks[end - 1].end, text[t.toks[k].start:t.toks[end - 1].end], "ru:arrival")
            return


def _occasion(t: _Text, f: Found, a: int, b: int, starts: frozenset[int] = frozenset()) -> None:
    if f.mode not in ("meeting", "talks"):
        return
    p = pack()
    lemmas = [x.lemma for x in t.toks]
    for k in range(a, b):
        for lead in p.occasion_before:
            n = len(lead)
            if tuple(lemmas[k:k + n]) != lead:
                continue
            j = k + n
            words: list[Tok] = []
            while j < b:
                tok = t.toks[j]
                if tok.kind == "punct" and tok.text not in "\"«»-–":
                    break
                if (tok.lemma in ("в", "во") and j + 1 in t.cities) or j in starts:
                    break
                words.append(tok)
                j += 1
            if not words or not any(w.lemma in p.occasion_heads for w in words[:6]):
                continue
            x0, x1 = words[0].start, words[-1].end
            f.occasion = nominative_phrase([w.text for w in words]).replace(" - ", "-")
            f.occasion = _rejoin(t.doc.text[x0:x1], f.occasion)
            f.occasion_span = Span(x0, x1, t.doc.text[x0:x1], "ru:occasion")
            return


def _rejoin(original: str, inflected: str) -> str:
    """The inflected words put back into the original spacing and quotes."""
    out, pos = [], 0
    words = inflected.split(" ")
    for w_orig, w_new in zip(re.finditer(r"\S+", original), words):
        out.append(original[pos:w_orig.start()])
        out.append(w_new)
        pos = w_orig.end()
    if len(words) != len(list(re.finditer(r"\S+", original))):
        return inflected
    out.append(original[pos:])
    return "".join(out)


# ---------------------------------------------------------------------------------- statements
def _statements(t: _Text, ms: list[_Mention]) -> list[Statement]:
    p = pack()
    out = []
    for a, b in t.sents:
        for m in ms:
            if not (a <= m.i0 and m.n1 <= b) or m.person.name is None:
                continue
            k = m.n1
            if not (k < b and t.toks[k].lemma in p.reporting) and m.i0 > a and t.toks[m.i0 - 1].lemma in p.reporting:
                k = m.i0 - 1  # "..., — сказал Лавров"
            if k < b and t.toks[k].lemma in p.reporting:
                s0, s1 = t.toks[a].start, t.toks[b - 1].end
                out.append(Statement(m.person.name, m.person.country, t.toks[k].lemma, None, (),
                                     Span(s0, s1, t.doc.text[s0:s1], "ru:statement")))
                break
    return out


def _issues(t: _Text) -> list[Issue]:
    out, seen = [], set()
    for m in pack().issue.finditer(t.doc.text):
        x0, x1 = m.span(1)
        key = _lemma_key(m.group(1))
        if key in seen:
            continue
        seen.add(key)
        out.append(Issue(m.group(1), Span(x0, x1, m.group(1), "ru:issue")))
    return out


# ---------------------------------------------------------------------------------- resolution
def _led_by(t: _Text, ms: list[_Mention]) -> None:
    """'делегацию Турции во главе с министром ... Чавушоглу': the leader is of the group's state."""
    for m in ms:
        if m.person.country is None and m.i0 >= 3 and [x.lemma for x in t.toks[m.i0 - 3:m.i0]] in (
                ["во", "глава", "с"], ["в", "глава", "с"]):
            k = m.i0 - 4
            while k >= 0 and k > m.i0 - 8:
                hit = next(((a, iso) for a, (e, iso) in t.states.items() if a <= k < e), None)
                if hit:
                    p = m.person
                    m.person = Person(p.start, p.end, p.name, hit[1], p.title, p.name_start, p.rule, p.english, True)
                    break
                k -= 1


def _fullest_names(ms: list[_Mention]) -> None:
    """'Моргулов' is the 'Игорь Моргулов' the text named before: one name, the fullest, for both."""
    named = [m for m in ms if m.person.name]
    for m in named:
        p = m.person
        last = p.name.split()[-1]  # type: ignore[union-attr]
        fuller = [o.person for o in named if o.person.name and len(o.person.name) > len(p.name)  # type: ignore[arg-type]
                  and o.person.name.split()[-1] == last and (o.person.country in (None, p.country) or p.country is None)]
        if fuller:
            f = max(fuller, key=lambda x: len(x.name or ""))
            m.person = Person(p.start, p.end, f.name, p.country or f.country, p.title, p.name_start, p.rule,
                              p.english or f.english, p.stated or f.stated)


def _default_states(t: _Text, ms: list[_Mention]) -> None:
    """A titled official with no state ("губернатор Свердловской области") is of the state the text names most."""
    state = t.most_named_state()
    for m in ms:
        p = m.person
        if p.country is None and p.title and p.name and state:
            m.person = Person(p.start, p.end, p.name, state, p.title, p.name_start, p.rule, p.english, False)


def _resolve_unnamed(found: list[Found], ms: list[_Mention]) -> None:
    """A post with a state and no name stands for the person of that state the text names."""
    named = [m.person for m in ms if m.person.name]
    for f in found:
        for side in (f.subjects, f.objects):
            for k, x in enumerate(side):
                if x.name is None and x.country and x.rule == "ru:post":
                    same = [y for y in named if y.country == x.country and y.rule != "ru:group"]
                    names = {y.english or y.name for y in same}
                    if len(names) == 1:
                        y = same[0]
                        side[k] = Person(y.start, y.end, y.name, y.country, y.title or x.title, y.name_start, y.rule,
                                         y.english, True)


def read(doc: CleanDocument) -> Readout:
    """The readout of a Russian document."""
    t = _Text(doc)
    ms = _people(t)
    _led_by(t, ms)
    t.mentions = ms
    _fullest_names(ms)
    _default_states(t, ms)
    found = []
    for f in _engagements(t, ms):
        more = f.extra.pop("more", [])
        found.append(f)
        for group in more:
            found.append(Found(f.mode, list(f.subjects), list(group), f.trigger, f.date, f.date_span, f.city,
                               f.country, f.place_span, f.occasion, f.occasion_span, f.planned))
    _resolve_unnamed(found, ms)
    found = [f for f in found if not _domestic(f)]
    _same_trip(found)
    lemmas = " ".join(x.lemma for x in t.toks)
    reject = None
    for marker in pack().not_readout:
        if " ".join(marker) in lemmas:
            reject = "a ceremony: " + " ".join(marker)
    lead = _lead_end(t)
    found = [f for f in found if f.planned or f.trigger.start < lead or _shares(f, found, lead)]
    first = doc.text.find("\n")
    headline = first if 0 < first <= 120 else 0
    return assemble(doc, found, _statements(t, ms), lead=headline, reject=reject, mentions=_titled(ms),
                    issues=_issues(t))


def _same_trip(found: list[Found]) -> None:
    """An in-person engagement the text places nowhere took place where the same person's other one did
    ("Лавров провёл переговоры с X на полях ГА ООН в Нью-Йорке ... До этого Лавров на встрече с Y")."""
    placed = [f for f in found if f.city and not f.planned and f.mode in ("meeting", "talks")]
    for f in found:
        if f.planned or f.mode not in ("meeting", "talks") or f.city or f.country or f.occasion:
            continue
        keys = {x.english or x.name for x in f.subjects}
        for g in placed:
            if keys & {x.english or x.name for x in g.subjects + g.objects}:
                f.city, f.country, f.place_span = g.city, g.country, g.place_span
                f.occasion, f.occasion_span = g.occasion, g.occasion_span
                break


def _domestic(f: Found) -> bool:
    """Two officials of one state: not a diplomatic engagement."""
    states = {x.country for x in f.subjects + f.objects}
    return len(states) == 1 and None not in states


def _titled(ms: list[_Mention]) -> list[Person]:
    """Every mention, a post without a name standing for the one person of its state the text names."""
    named = [m.person for m in ms if m.person.name]
    out = []
    for m in ms:
        x = m.person
        if x.name is None and x.country and x.title:
            same = {y.english or y.name: y for y in named if y.country == x.country and y.stated}
            if len(same) == 1:
                y = next(iter(same.values()))
                x = Person(x.start, x.end, y.name, y.country, x.title, x.name_start, x.rule, y.english, True)
        out.append(x)
    return out


LEAD_SENTENCES = 3  # the main engagement is reported in the headline or the first sentences of prose
PROSE = 8  # words that make a sentence prose rather than page furniture (menus, bylines, tags)


def _lead_end(t: _Text) -> int:
    """Where the lead ends: after the first ``LEAD_SENTENCES`` sentences of prose."""
    seen = 0
    for a, b in t.sents:
        if sum(1 for x in t.toks[a:b] if x.kind == "word") >= PROSE:
            seen += 1
            if seen == LEAD_SENTENCES:
                return t.toks[b - 1].end
    return len(t.doc.text) + 1


def _shares(f: Found, found: list[Found], lead: int) -> bool:
    keys = {x.english or x.name for x in f.subjects + f.objects}
    return any(g.trigger.start < lead and not g.planned and keys & {x.english or x.name for x in g.subjects + g.objects}
               for g in found)


__all__ = ["lemma", "nominative_name", "nominative_phrase", "pack", "read"]
