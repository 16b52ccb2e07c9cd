"""The Chinese reader: simplified and traditional readouts, no word spaces.

The text is converted to simplified Chinese (OpenCC ``t2s``, which keeps the length, so
every offset found in the simplified copy points into the original) and read with the
rule pack ``data/zh/rules.toml``:

- a person is a title ending with a post followed by a name ("国务委员兼外长王毅",
  "俄罗斯外长拉夫罗夫"), or a known official's name (``data/officials_names.tsv``);
  the state is the state named in the title, else the known official's, else China for a
  Chinese name and the most-named foreign state for a transliterated one;
- an engagement is a predicate (会见, 会谈, 通电话, 视频会晤, 致电, ...) with its subject
  before it and its other side either after a connector before it ("X 同 Y 通电话") or
  after it ("X 会见 Y"); "将", "计划", "届时" before the predicate make it a plan;
- dates: "2022年10月31日", "5月9日", "23日", "今(10日)", "周五(13日)", "今天", resolved against
  the text's own full date (a dateline "新华社北京5月10日电" gives month and day);
- place: a city or state in the sentence before the predicate, else the dateline's city;
- occasion: "出席/参加/在 …会议/峰会/论坛/仪式 (期间)".

Names, titles and occasions are reported as the text writes them (traditional stays
traditional).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from readouts.lang import data as langdata
from readouts.lang.common import Found, Person, assemble, day_in_month, last_weekday, month_day, shift_day
from readouts.records import CleanDocument, Issue, Readout, Span, Statement

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
NAME_DOTS = "·•‧・"
_HAN_RE = re.compile(f"[{HAN}]")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z'’\-]+(?:\s[A-Z][A-Za-z'’\-]+){0,3}")
_CHINESE_SPHERE = frozenset({"CHN", "TWN", "HKG", "MAC"})
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_TIME_CHARS = "今昨明前当本次每周月"  # "今日总统": 日 is a day here, not Japan


@lru_cache(maxsize=1)
def _converter():  # noqa: ANN202 - opencc has no type hints
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """The text in simplified characters, with the same length (offsets stay valid)."""
    if not _HAN_RE.search(text):
        return text
    out = _converter().convert(text)
    if len(out) == len(text):
        return out
    conv = _converter()  # a phrase changed length: convert character by character
    return "".join(c if len(s := conv.convert(c)) != 1 else s for c in text)


def _alternation(words) -> str:  # noqa: ANN001
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class _Pack:
    predicate: re.Pattern[str]
    mode_of: dict[str, str]
    connectors: frozenset[str]
    planned: re.Pattern[str]
    post: re.Pattern[str]
    post_at: re.Pattern[str]
    stop_at: re.Pattern[str]
    title_drop: tuple[str, ...]
    reporting: re.Pattern[str]
    occasion: re.Pattern[str]
    surnames: frozenset[str]
    dateline: re.Pattern[str]
    states: re.Pattern[str]
    cities: re.Pattern[str]
    names: re.Pattern[str] | None
    visit_country: dict[str, str]
    boundary: re.Pattern[str]
    not_first: frozenset[str]
    connector_only: frozenset[str]
    press: tuple[str, ...]
    posts_after_name: frozenset[str]
    city_words: dict[str, str]
    home_markers: dict[str, str]
    separately: re.Pattern[str]
    also: re.Pattern[str]
    issue: re.Pattern[str]
    not_readout: re.Pattern[str]
    title_states: re.Pattern[str]
    title_state_of: dict[str, str]
    groups: re.Pattern[str]
    group_heads: re.Pattern[str]


@lru_cache(maxsize=1)
def pack() -> _Pack:
    r = langdata.rules("zh")
    d = langdata.load()
    unknown = sorted(set(r["city_words"].values()) - set(d.zh_cities))
    if unknown:
        raise langdata.LangDataError(f"zh/rules.toml: [city_words] names cities not in cities_zh_ru.tsv: {unknown}")
    mode_of = {w: mode for mode, words in r["predicates"].items() for w in words}
    mode_of.update({w: "meeting" for w in r["connector_only"]})
    heads = _alternation(r["occasion_heads"])
    occasion = re.compile(
        f"(?:{_alternation(r['occasion_before'])})(?P<occ>[^\\s，,。、；;：:（）()]{{2,30}}?(?:{heads}))(?!堂|厅)"
    )
    return _Pack(
        predicate=re.compile(_alternation(mode_of)),
        mode_of=mode_of,
        connectors=frozenset(r["connectors"]),
        planned=re.compile(_alternation(r["planned"])),
        post=re.compile(_alternation(r["posts"])),
        post_at=re.compile(_alternation(r["posts"]) + "|兼"),
        stop_at=re.compile(_alternation(r["name_stops"]) + "|" + _alternation(r["predicates"].get("meeting", []))),
        title_drop=tuple(sorted(r["title_drop"], key=len, reverse=True)),
        reporting=re.compile(_alternation(r["reporting"])),
        occasion=occasion,
        surnames=frozenset(r["surnames"]),
        dateline=re.compile(r["dateline"]),
        states=re.compile(_alternation(d.zh_states)),
        cities=re.compile(_alternation(d.zh_cities)),
        names=re.compile(_alternation(d.zh_names)) if d.zh_names else None,
        visit_country=dict(r["visit_country"]),
        not_first=frozenset(r["name_not_first"]),
        connector_only=frozenset(r["connector_only"]),
        press=tuple(r["press"]),
        posts_after_name=frozenset(r["posts_after_name"]),
        city_words=dict(r["city_words"]),
        home_markers=dict(r["home_markers"]),
        separately=re.compile(_alternation(r["separately"])),
        also=re.compile(_alternation(r["also"])),
        issue=re.compile(
            f"(?:{_alternation(r['issue_openers'])})(?P<issue>[{HAN}]{{2,10}}?(?:{_alternation(r['issue_heads'])}))"
        ),
        not_readout=re.compile(_alternation(r["not_readout_headline"])),
        title_states=re.compile(_alternation(r["title_states"])),
        title_state_of=dict(r["title_states"]),
        groups=re.compile(f"(?:{_alternation(r['groups'])})(?:一行)?"),
        group_heads=re.compile(_alternation(r["group_heads"])),
        boundary=re.compile(
            "[，,。、；;：:！!？?\\s\"“”「」『』《》【】\\[\\]（）()]|"
            + _alternation(["同", "与", "和", "跟", "在", "的", "了", "向", "应", "由", "于", "将", "就", "为",
                            "并", "及", "等", "分别", "会见", "会谈", "会晤", "会面", "接见", "致电", "表示", "说",
                            "举行", "出席", "参加", "访问", "率", "是", "还", "也", "今", "昨"])
        ),
    )


# ---------------------------------------------------------------------------------- people
class _Text:
    """The original text, its simplified copy and what is found in it once."""

    def __init__(self, doc: CleanDocument) -> None:
        self.doc = doc
        self.text = doc.text
        self.s = to_simplified(doc.text)
        self.p = pack()
        d = langdata.load()
        self.states = [(m.start(), m.end(), d.zh_states[m.group()]) for m in self.p.states.finditer(self.s)]
        self.protected = [(a, b) for a, b, _ in self.states]
        self.cities = [(m.start(), m.end(), d.zh_cities[m.group()]) for m in self.p.cities.finditer(self.s)]
        self.known = []
        if self.p.names is not None:
            self.known = [(m.start(), m.end(), d.zh_names[m.group()]) for m in self.p.names.finditer(self.s)]
        self.protected += [(a, b) for a, b, _ in self.known]
        self.bound_ends = self._boundaries()
        self.foreign = self._most_named_foreign_state()
        # the state of Chinese names the text gives no state for: the PRC's unless the text shows otherwise
        self.home = next((iso for word, iso in self.p.home_markers.items() if word in self.s), "CHN")

    def _inside_protected(self, a: int, b: int) -> bool:
        return any(pa <= a and b <= pb and (pa, pb) != (a, b) for pa, pb in self.protected)

    def _boundaries(self) -> set[int]:
        ends = set()
        for m in self.p.boundary.finditer(self.s):
            if not self._inside_protected(m.start(), m.end()):
                ends.add(m.end())
        return ends

    def _most_named_foreign_state(self) -> str | None:
        counts: dict[str, int] = {}
        for _, _, iso in self.states:
            if iso not in _CHINESE_SPHERE:
                counts[iso] = counts.get(iso, 0) + 1
        return max(counts, key=lambda k: counts[k]) if counts else None

    # -- names
    def known_at(self, i: int):  # noqa: ANN201
        for a, b, k in self.known:
            if a == i:
                return b, k
        return None

    def name_at(self, i: int) -> tuple[int, str] | None:
        """End of a name starting at ``i`` (right after a post), and the rule that read it."""
        s = self.s
        known = self.known_at(i)
        if known:
            return known[0], "zh:known-name"
        m = _LATIN_NAME.match(s, i)
        if m:
            return m.end(), "zh:latin-name"
        j = i
        while j < len(s) and j - i < 12:
            c = s[j]
            if not (_HAN_RE.match(c) or (c in NAME_DOTS and j > i)):
                break
            if j > i and (self.p.stop_at.match(s, j) or self.p.post_at.match(s, j)):
                break
            if j == i and (self.p.stop_at.match(s, j) or c in self.p.not_first):
                break
            j += 1
        if j - i < 2:
            return None
        return j, "zh:post-name"

    def title_before(self, post_start: int) -> int:
        """Start of the title that ends with the post at ``post_start`` (compounds with 、 kept)."""
        s, k = self.s, post_start
        limit = max(0, post_start - 40)
        while k > limit:
            if k in self.bound_ends:
                # "中共中央政治局常委、国务院副总理": go on over a 、 that follows another post
                if s[k - 1] == "、" and self._post_ends_at(k - 1):
                    k -= 1
                    continue
                break
            k -= 1
        return k

    def _post_ends_at(self, end: int) -> bool:
        return any(m.end() == end for m in self.p.post.finditer(self.s, max(0, end - 12), end))


def _people(t: _Text) -> list[Person]:
    s, text = t.s, t.text
    people: list[Person] = []
    taken: list[tuple[int, int]] = []
    for m in t.p.post.finditer(s):
        named = t.name_at(m.end())
        if named is None:
            before = _name_before(t, m)  # "同拉马福萨总统举行会谈": the name before the post
            if before is not None:
                people.append(before)
                taken.append((before.name_start, m.start()))
            continue
        name_end, rule = named
        start = t.title_before(m.start())
        person = _person(t, start, m.end(), m.end(), name_end, rule)
        if person is not None:
            people.append(person)
            taken.append((m.end(), name_end))
    for a, b, known in t.known:  # known officials named without a post before them
        if any(ta <= a < tb for ta, tb in taken):
            continue
        people.append(Person(a, b, text[a:b], known.country, None, a, "zh:known-name", known.english))
    people.sort(key=lambda p: p.start)
    return _drop_overlaps(people)


def _name_before(t: _Text, m: re.Match[str]) -> Person | None:
    """A name written before its post ('拉马福萨总统'), between a connector or predicate and the post,
    the post followed by a predicate, a connector or punctuation."""
    s = t.s
    end = m.end()
    if m.group() not in t.p.posts_after_name:
        return None
    if end < len(s) and not (t.p.stop_at.match(s, end) or t.p.predicate.match(s, end) or not _HAN_RE.match(s[end])):
        return None
    k = m.start()
    while k > 0 and k > m.start() - 8 and (_HAN_RE.match(s[k - 1]) or s[k - 1] in NAME_DOTS) \
            and (k not in t.bound_ends or k == m.start()):
        k -= 1
    if k not in t.bound_ends or m.start() - k < 2:
        return None
    # only where a person is expected: right after a connector or a predicate ("同", "会见")
    if not (s[k - 1:k] in t.p.connectors or any(s.endswith(w, 0, k) for w in t.p.mode_of)):
        return None
    name = t.text[k:m.start()]
    simple = s[k:m.start()]
    if simple[0] in t.p.not_first or t.p.post.search(simple) or any(a < m.start() and b > k for a, b, _ in t.states) \
            or t.p.title_states.search(simple) or simple[0] in langdata.load().zh_short:
        return None
    known = t.known_at(k)
    if known is not None and known[0] != m.start():
        return None
    country = known[1].country if known else (t.home if _looks_chinese(t, simple) else t.foreign)
    if country is None:
        return None
    return Person(k, end, name, country, t.text[m.start():end], k, "zh:name-post",
                  known[1].english if known else None, known is not None)


def _drop_overlaps(people: list[Person]) -> list[Person]:
    out: list[Person] = []
    for p in people:
        if out and p.start < out[-1].end:
            if (p.end - p.start) > (out[-1].end - out[-1].start):
                out[-1] = p
            continue
        out.append(p)
    return out


def _person(t: _Text, start: int, title_end: int, name_start: int, name_end: int, rule: str) -> Person | None:
    s, text = t.s, t.text
    d = langdata.load()
    country = None
    cut = start
    for a, b, iso in t.states:
        if start <= a and b <= title_end:
            if a > 0 and s[a - 1] == "驻":  # "驻华大使", "驻香港总领事": where the post is, not whose
                continue
            country = iso
            if not s.startswith("共产党", b):  # "外界关注美国总统": the title begins after the state
                cut = b
            break
    if country is None:
        m = t.p.title_states.search(s, start, title_end)
        if m:
            country = t.p.title_state_of[m.group()]
    if country is None and cut < title_end and s[cut] in d.zh_short and cut + 1 < title_end \
            and not (cut > 0 and s[cut - 1] in _TIME_CHARS):
        nxt = s[cut + 1]
        if nxt not in d.zh_short or s[cut:cut + 2] in ("中共",):
            country = d.zh_short[s[cut]]
            if s[cut] != "中":
                cut += 1
    for drop in t.p.title_drop:
        if s.startswith(drop, cut) and cut + len(drop) < title_end:
            cut += len(drop)
    title = text[cut:title_end].strip() or None
    name = text[name_start:name_end]
    english = None
    known = t.known_at(name_start)
    if known:
        english = known[1].english
        country = country or known[1].country
    name = _cut_chinese_name(t, name, country)
    simple = to_simplified(name)
    stated = country is not None
    if country is None and not known:
        # a name after a post with no state: a Chinese name, or a foreign one written as such
        if _looks_chinese(t, simple):
            country = t.home
        else:  # a transliterated foreign name: the state the text names most
            country = t.foreign
    elif known is None and not (_looks_chinese(t, simple) or len(simple) >= 2):
        return None
    return Person(start, name_start + len(name), name, country, title, name_start, rule, english, stated)


def _looks_chinese(t: _Text, name: str) -> bool:
    return 2 <= len(name) <= 3 and name[0] in t.p.surnames and not any(c in NAME_DOTS for c in name)


def _cut_chinese_name(t: _Text, name: str, country: str | None) -> str:
    """A Chinese name is two or three characters: cut what the scan took beyond it."""
    simple = to_simplified(name)
    if len(name) > 3 and country in _CHINESE_SPHERE and simple[0] in t.p.surnames \
            and not any(c in NAME_DOTS for c in name) and _HAN_RE.match(name):
        return name[:3]
    return name


# ---------------------------------------------------------------------------------- dates
_FULL = re.compile(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
_ISO = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d)(?!\d)")
_EXPR = re.compile(
    r"(?P<full>(?P<fy>(?:19|20)\d\d)\s*年\s*(?P<fm>\d{1,2})\s*月\s*(?P<fd>\d{1,2})\s*[日号]?"
    r"(?:\s*[-—至到]\s*(?:\d{1,2}\s*月\s*)?\d{1,2}\s*[日号])?)"
    r"|(?P<md>(?<![\d年])(?P<mm>\d{1,2})\s*月\s*(?P<md_d>\d{1,2})\s*[日号]?(?:\s*[-—至到]\s*\d{1,2}\s*[日号])?)"
    r"|(?P<paren>[今昨]\s*[（(]\s*(?P<pd>\d{1,2})\s*[)）]\s*日)"
    r"|(?P<wd>(?:周|星期|礼拜)(?P<wdn>[一二三四五六日天]))"
    r"|(?P<rel>今天|今日|昨天|昨日|前天|今晨|昨晚|今(?=[（(]))"
    r"|(?P<day>(?<![\d月年.])(?P<dd>\d{1,2})\s*[日号](?:\s*[-—至到]\s*\d{1,2}\s*[日号])?)"
)
_REL_DAYS = {"今天": 0, "今日": 0, "今晨": 0, "今": 0, "昨天": -1, "昨日": -1, "昨晚": -1, "前天": -2}


_DATE_LABEL = re.compile(r"发布时间|发表于|发布日期|发稿时间|日期|时间")


def _full_dates(text: str) -> list[tuple[int, date]]:
    out = []
    for rx in (_FULL, _ISO, _DMY):
        for m in rx.finditer(text):
            try:
                out.append((m.start(), date(int(m["y"]), int(m["m"]), int(m["d"]))))
            except ValueError:
                continue
    return sorted(out, key=lambda x: x[0])


def _reference(t: _Text) -> tuple[date | None, date | None]:
    """The article's own full date, and the dateline's date ("新华社北京5月10日电") in its year.

    In order: the full date nearest before the dateline (a page may carry other dates above
    it); a labelled publication line the cleaner dropped ("发布时间:2017-04-07"); the
    document's publication date; any dropped date line; the first full date of the text.
    """
    dateline = t.p.dateline.search(t.s)
    in_text = _full_dates(t.s)
    dropped = [(bool(_DATE_LABEL.search(to_simplified(line))), d) for line in t.doc.removed
               for _, d in _full_dates(to_simplified(line))[:1]]
    ref = None
    if dateline is not None:
        before = [d for pos, d in in_text if pos < dateline.start()]
        ref = before[-1] if before else None
    ref = ref or next((d for labelled, d in dropped if labelled), None)
    if ref is None and t.doc.published and len(t.doc.published) == 10:
        ref = date.fromisoformat(t.doc.published)
    ref = ref or next((d for _, d in dropped), None) or next((d for _, d in in_text), None)
    dl = None
    if dateline and ref is not None:
        dl = month_day(ref.year, int(dateline["month"]), int(dateline["day"]), ref)
    return ref, dl


def _resolve(m: re.Match[str], ref: date | None, dl: date | None) -> date | None:
    anchor = dl or ref
    if m["full"]:
        try:
            return date(int(m["fy"]), int(m["fm"]), int(m["fd"]))
        except ValueError:
            return None
    if anchor is None or ref is None:
        return None
    if m["md"]:
        return month_day(ref.year, int(m["mm"]), int(m["md_d"]), ref)
    if m["day"]:
        return day_in_month(anchor, int(m["dd"]))
    if m["paren"]:  # "今（15）日"
        return day_in_month(anchor, int(m["pd"]))
    if m["wd"]:
        return last_weekday(anchor, _WEEKDAYS[m["wdn"]])
    if m["rel"]:
        return shift_day(anchor, _REL_DAYS[m["rel"]])
    return None


def _date_for(t: _Text, a: int, b: int, ref: date | None, dl: date | None) -> tuple[str | None, Span | None]:
    """The date expression of the clause ``a:b`` (the last one; a day number beats a weekday)."""
    found = list(_EXPR.finditer(t.s, a, b))
    if not found:
        return None, None
    # "周五（13日）", "今天(2月11日)": the number in brackets says more than the word before it
    best = found[-1]
    for m in reversed(found):
        if m["full"] or m["md"] or m["day"] or m["paren"]:
            best = m
            break
    when = _resolve(best, ref, dl)
    span = Span(best.start(), best.end(), t.text[best.start():best.end()], "zh:date")
    return (when.isoformat() if when else None), span


# ---------------------------------------------------------------------------------- engagements
_NOMINAL_AFTER = re.compile(r"[中时后前上里间]|的|期间|结束|现场|之前|之后|中,|中，")
_NOMINAL_BEFORE = ("此次", "这次", "本次", "该", "此场", "这场", "两次", "多次", "首次", "此前", "上次", "那次")


def _sentences(s: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(s):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(s):
        out.append((start, len(s)))
    return out


def _engagements(t: _Text, people: list[Person]) -> list[Found]:
    s, p = t.s, t.p
    ref, dl = _reference(t)
    found: list[Found] = []
    dateline = p.dateline.search(s)
    for a, b in _sentences(s):
        here = [x for x in people if a <= x.start and x.end <= b]
        for m in p.predicate.finditer(s, a, b):
            word = m.group()
            if any(x.start <= m.start() < x.end for x in here):
                continue
            if _nominal(s, m, a) or s.startswith(p.press, m.end()):
                continue  # "会见中", "此次会晤"; "共同会见记者"
            mode = p.mode_of[word]
            f = _roles(t, here, m, a, b, word)
            if f is None:
                continue
            f.mode = mode
            f.planned = bool(p.planned.search(s, f.subjects[-1].end if f.subjects else a, m.start()))
            f.date, f.date_span = _date_for(t, a, m.start(), ref, dl)
            if f.date is None and f.date_span is None:
                f.date, f.date_span = _date_for(t, m.end(), b, ref, dl)
            if f.date_span is None and found and p.also.search(s, a, m.start()):
                f.date = found[-1].date  # "王毅还会见了…": the day of the engagement before
            _place(t, f, a, m.start(), dateline)
            _occasion(t, f, a, max([m.start()] + [x.start for x in f.objects if x.start > m.end()]))
            found.append(f)
    return found


def _nominal(s: str, m: re.Match[str], a: int) -> bool:
    """'会见中', '此次会晤', '会谈时': the predicate names an engagement, it does not report one."""
    if _NOMINAL_AFTER.match(s, m.end()) and not s.startswith("中方", m.end()) and not s.startswith("中国", m.end()):
        return True
    before = s[max(a, m.start() - 4):m.start()]
    return before.endswith(_NOMINAL_BEFORE)


def _roles(t: _Text, here: list[Person], m: re.Match[str], a: int, b: int, word: str) -> Found | None:
    s, p = t.s, t.p
    before = [x for x in here if x.end <= m.start()]
    trigger = Span(m.start(), m.end(), t.text[m.start():m.end()], f"zh:predicate:{word}")
    # "X 同 Y (举行) 会谈", "X 分别同 A，B 和 C 交流": the first connector after which only a
    # list of people stands before the predicate
    for i in range(1, len(before)):
        gap = s[before[i - 1].end:before[i].start]
        if not (len(gap) <= 30 and _connector_gap(gap, p.connectors) and not re.search(r"[。；;]", gap)):
            continue
        objs = before[i:]
        if all(_LIST_GAP.fullmatch(s[x.end:y.start]) for x, y in zip(objs, objs[1:])) \
                and _gap_ok(s, objs[-1].end, m.start()):
            apart = bool(p.separately.search(s, before[i - 1].end, m.start()))
            groups = _group(s, objs, apart)
            return Found("meeting", _coordinated(s, before[:i]), groups[0], trigger, extra={"more": groups[1:]})
    if word in p.connector_only:
        return None
    subj = _coordinated(s, before) if before and _gap_ok(s, before[-1].end, m.start()) else []
    if not subj:
        return None
    apart = bool(p.separately.search(s, max(a, m.start() - 6), m.start()))
    groups = _objects_after(t, here, m.end(), b, apart)
    if not groups:
        bare = _group_head(t, m.end(), b) or _bare_name_after(t, m.end()) or _unnamed_group(t, m.end(), b)
        if bare is None:
            return None
        groups = [[bare]]
    return Found("meeting", subj, groups[0], trigger, extra={"more": groups[1:]})


def _connector_gap(gap: str, connectors: frozenset[str]) -> bool:
    """'同', '在北京同', '同来华进行正式访问的': a connector, then at most a short phrase or a clause ending in 的."""
    at = max(gap.rfind(c) for c in connectors)
    if at < 0:
        return False
    after = gap[at + 1:]
    return len(after) <= 8 or (after.endswith("的") and not re.search(r"[，,]", after))


_LIST_GAP = re.compile(r"\s*(?:[，,、和与及]|以及)\s*")
_JOIN_GAP = re.compile(r"\s*(?:[和与及]|以及)\s*")
_LIST_JOIN = re.compile(r"\s*(?:[和与及、]|以及)\s*")


def _coordinated(s: str, before: list[Person]) -> list[Person]:
    """The subject and those joined to it: '杨洁篪和王毅同…' -> both."""
    group = [before[-1]]
    for x, y in zip(reversed(before[:-1]), reversed(before)):
        if _JOIN_GAP.fullmatch(s[x.end:y.start]):
            group.insert(0, x)
        else:
            break
    return group


def _group(s: str, people: list[Person], apart: bool = True) -> list[list[Person]]:
    """'，' between people separates engagements; '和', '与', '及' join one; '、' joins one
    unless the text says the meetings were separate ('分别')."""
    groups = [[people[0]]]
    join = _JOIN_GAP if apart else _LIST_JOIN
    for x, y in zip(people, people[1:]):
        if join.fullmatch(s[x.end:y.start]):
            if not y.stated and x.country:  # "韩国总理朴明和外长李光": the state is shared
                y = dataclasses.replace(y, country=x.country, stated=True)
            groups[-1].append(y)
        else:
            groups.append([y])
    return groups


_GAP_OK = re.compile(r"^[^。；;！？]{0,40}$")


def _gap_ok(s: str, end: int, start: int) -> bool:
    gap = s[end:start]
    return bool(_GAP_OK.match(gap)) and len(re.findall(r"[，,]", gap)) <= 2


def _objects_after(t: _Text, here: list[Person], end: int, b: int, apart: bool = True) -> list[list[Person]]:
    """Groups of people after a predicate: '，' separates engagements, '和/与/及' join one, '、'
    separates only after '分别'."""
    s = t.s
    groups: list[list[Person]] = []
    pos = end
    for x in here:
        if x.start < end:
            continue
        gap = s[pos:x.start]
        if groups and gap.strip() and re.search(r"[。；;]|表示|说|指出|强调", gap):
            break
        if not groups:
            if re.search(r"[，,。；;]", gap) or (len(gap) > 6 and not (gap.endswith("的") and len(gap) <= 30)):
                break
            groups.append([x])
        elif _JOIN_GAP.fullmatch(gap) or (not apart and gap.strip() == "、"):
            prev = groups[-1][-1]
            if not x.stated and prev.country:  # "韩国总理朴明和外长李光": the state is shared
                x = dataclasses.replace(x, country=prev.country, stated=True)
            groups[-1].append(x)
        elif re.fullmatch(r"\s*[，,、]\s*", gap):
            groups.append([x])
        else:
            break
        pos = x.end
    return groups


def _group_head(t: _Text, end: int, b: int) -> Person | None:
    """'会见了访问团一行': the group's head, when the text names one ("访问团团长、…马哈穆德")."""
    m = t.p.groups.search(t.s, end, min(b, end + 12))
    if m is None or re.search(r"[，,。；;]", t.s[end:m.start()]):
        return None
    for x in _people(t):
        if t.p.group_heads.search(t.s, x.start, x.name_start):
            return x
    return None


def _unnamed_group(t: _Text, end: int, b: int) -> Person | None:
    """'接见美国联邦众议员访问团一行': a group of a named state, no leader named."""
    if t.s.startswith("了", end):
        end += 1
    m = t.p.groups.search(t.s, end, min(b, end + 24))
    if m is None or re.search(r"[，,。；;、]", t.s[end:m.start()]):
        return None
    states = [(a, e, iso) for a, e, iso in t.states if end <= a and e <= m.end() and not t.s[a - 1:a] == "驻"]
    if len({iso for _, _, iso in states}) != 1:
        return None
    a, e, iso = states[0]
    title_start = e if a == end else end
    x1 = m.end() - (2 if t.s.endswith("一行", 0, m.end()) else 0)
    title = t.text[title_start:x1] or None
    return Person(end, m.end(), None, iso, title, m.end(), "zh:group", None, True)


def _bare_name_after(t: _Text, end: int) -> Person | None:
    """'致电维利亚姆·卡托尼韦雷', '接见葛瑞姆一行': a name with no post right after the predicate."""
    if t.s.startswith("了", end):
        end += 1
    named = t.name_at(end)
    if named is None:
        return None
    name_end, rule = named
    name = t.text[end:name_end]
    if t.p.groups.match(t.s, end):
        return None
    if rule == "zh:post-name" and not any(c in NAME_DOTS for c in name) and not t.s.startswith("一行", name_end):
        return None
    known = t.known_at(end)
    country = known[1].country if known else t.foreign
    title = None
    post = _ASSUMED.search(t.s, name_end, name_end + 40)
    if post and not re.search(r"[。；;]", t.s[name_end:post.start()]):
        p = t.p.post.search(t.s, post.start(), post.end() + 12)
        if p:
            title = t.text[p.start():p.end()]
            state = next((iso for a, b, iso in t.states if post.start() <= a < p.start()), None)
            country = state or country
    return Person(end, name_end, name, country, title, end, rule, known[1].english if known else None)


_ASSUMED = re.compile(r"(?:祝贺|祝賀)(?:他|她)?(?:当选|就任|连任|再次当选)")


def _place(t: _Text, f: Found, a: int, end: int, dateline: re.Match[str] | None) -> None:
    s = t.s
    spans = [(x.start, x.end) for x in f.subjects + f.objects]

    def free(x0: int, x1: int) -> bool:
        return not any(p0 <= x0 < p1 for p0, p1 in spans) and not (x0 > 0 and s[x0 - 1] == "驻")

    d = langdata.load()
    cities = [(x0, x1, c) for x0, x1, c in t.cities if a <= x0 and x1 <= end and free(x0, x1)]
    for word, name in t.p.city_words.items():  # "在京会见"
        k = s.find(word, a, end)
        if k >= 0 and name in d.zh_cities:
            cities.append((k, k + len(word), d.zh_cities[name]))
    cities.sort(key=lambda c: c[0])
    if cities:
        x0, x1, (city, iso) = cities[-1]
        f.city, f.country = city, iso
        f.place_span = Span(x0, x1, t.text[x0:x1], "zh:place")
        return
    if dateline is not None and dateline.start() < end:
        d = langdata.load()
        place = dateline["place"]
        for name, (city, iso) in d.zh_cities.items():
            if place.endswith(name):
                f.city, f.country = city, iso
                x0 = dateline.start("place") + len(place) - len(name)
                f.place_span = Span(x0, x0 + len(name), t.text[x0:x0 + len(name)], "zh:dateline")
                return
    states = [(x0, x1, c) for x0, x1, c in t.states
              if a <= x0 and x1 <= end and free(x0, x1) and re.search(r"(?:在|赴|访问|抵达|于)$", s[max(a, x0 - 3):x0])]
    if states:
        x0, x1, iso = states[-1]
        f.country = iso
        f.place_span = Span(x0, x1, t.text[x0:x1], "zh:place")
        return
    sent_end = _SENTENCE_END.search(s, end)
    for word, iso in t.p.visit_country.items():
        k = s.find(word, a, sent_end.start() if sent_end else len(s))
        if k >= 0:
            f.country = iso
            f.place_span = Span(k, k + len(word), t.text[k:k + len(word)], "zh:visit")
            return


def _occasion(t: _Text, f: Found, a: int, end: int) -> None:
    found = [m for m in t.p.occasion.finditer(t.s, a, end)]
    spans = [(x.start, x.end) for x in f.subjects + f.objects]
    found = [m for m in found if not any(p0 <= m.start("occ") < p1 for p0, p1 in spans)]
    if not found:
        return
    m = found[-1]
    x0, x1 = m.start("occ"), m.end("occ")
    if re.match(r"并(?:对\S{1,8}进行)?(?:正式|国事|工作)?访问", t.s[x1:x1 + 16]):
        return  # "出席…对话会并访问南非": the meetings belong to the visit
    inner = max(t.s.rfind("出席", x0, x1), t.s.rfind("参加", x0, x1))
    if inner >= 0:
        x0 = inner + 2
    f.occasion = t.text[x0:x1]
    f.occasion_span = Span(x0, x1, f.occasion, "zh:occasion")
    if f.city is None:
        for c0, c1, (city, iso) in t.cities:
            if x0 <= c0 and c1 <= x1:
                f.city, f.country = city, iso
                break


# ---------------------------------------------------------------------------------- statements, issues
def _issues(t: _Text) -> list[Issue]:
    out, seen = [], set()
    for m in t.p.issue.finditer(t.s):
        x0, x1 = m.span("issue")
        key = t.s[x0:x1]
        if key in seen:
            continue
        seen.add(key)
        out.append(Issue(t.text[x0:x1], Span(x0, x1, t.text[x0:x1], "zh:issue")))
    return out


def _statements(t: _Text, people: list[Person]) -> list[Statement]:
    out = []
    for a, b in _sentences(t.s):
        for x in people:
            if x.start < a or x.end > b:
                continue
            m = t.p.reporting.match(t.s, x.end)
            if m and x.start - a <= 12:
                out.append(Statement(
                    speaker=x.name, speaker_country=x.country, verb=m.group(), stance=None, issues=(),
                    span=Span(a, b, t.text[a:b], "zh:statement"),
                ))
                break
    return out


HEADLINE = 80  # a first line this short, with text after it, is a headline
LEAD_SENTENCES = 4  # the main engagement is reported in the first sentences of prose (or a headline)
PROSE = 15  # Han characters that make a sentence prose rather than page furniture


SUBHEAD = 40  # a line of its own this short is a headline or a subheadline


def _headline_reports(t: _Text) -> bool:
    """A headline line reports an engagement ("江泽民主席会见美国伊利诺伊州州长")."""
    for line in t.s.split("\n"):
        line = line.strip()
        if 0 < len(line) <= SUBHEAD and not re.search(r"[，,。；;]", line) and t.p.predicate.search(line) \
                and not t.p.planned.search(line):  # a headline is not a sentence: no commas, no full stop
            return True
    return False


def _lead_end(t: _Text) -> int:
    """Where the lead ends: after the first ``LEAD_SENTENCES`` sentences of prose."""
    seen = 0
    for a, b in _sentences(t.s):
        if len(_HAN_RE.findall(t.s, a, b)) >= PROSE:
            seen += 1
            if seen == LEAD_SENTENCES:
                return b
    return len(t.s) + 1


def _shares(f: Found, found: list[Found], lead: int) -> bool:
    """A later engagement of someone the lead's engagements name ("王毅还会见了…")."""
    keys = {x.english or x.name for x in f.subjects + f.objects}
    return any(g.trigger.start < lead and not g.planned and keys & {x.english or x.name for x in g.subjects + g.objects}
               for g in found)


def _headline_end(text: str) -> int:
    first = text.find("\n")
    return first if 0 < first <= HEADLINE else 0


def read(doc: CleanDocument) -> Readout:
    """The readout of a Chinese document."""
    t = _Text(doc)
    people = _people(t)
    found = []
    for f in _engagements(t, people):
        more = f.extra.pop("more", [])
        found.append(f)
        for group in more:
            found.append(Found(f.mode, f.subjects, group, f.trigger, f.date, f.date_span, f.city, f.country,
                               f.place_span, f.occasion, f.occasion_span, f.planned))
    lead = _headline_end(t.text)
    if not _headline_reports(t):  # a page about something else that mentions an engagement late
        main = _lead_end(t)
        found = [f for f in found if f.planned or f.trigger.start < main or _shares(f, found, main)]
    headline = t.s[:lead] if lead else to_simplified(doc.title or "")
    kind = t.p.not_readout.search(headline)
    reject = f"the headline says it is a {kind.group()}" if kind else None
    return assemble(doc, found, _statements(t, people), lead=lead, reject=reject, issues=_issues(t))


__all__ = ["pack", "read", "to_simplified"]
