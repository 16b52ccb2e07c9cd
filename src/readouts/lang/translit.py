"""One spelling across scripts: Chinese and Russian names in Latin letters.

``latin`` gives the name a reader in English would look for:

1. a known official's English name when the name is one of the Chinese or Russian forms in
   ``data/officials_names.tsv`` ("王毅", "國務委員王毅" is not a name; "Ван И" -> "Wang Yi");
2. otherwise Hanyu Pinyin for Chinese (pypinyin, family name first, the given name's
   syllables joined: "赵乐际" -> "Zhao Leji"; traditional characters read the same), and for
   Cyrillic the BGN/PCGN romanisation English-language news uses ("Лавров" -> "Lavrov",
   "Сергей" -> "Sergey");
3. Latin-script names unchanged.

The actor registry compares names through it, so 王毅, Wang Yi and Ван И are one actor.
"""
from __future__ import annotations

import re
from functools import lru_cache

from readouts.lang import data as langdata

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_DOTS = re.compile(r"\s*[·•‧・]\s*")

#: BGN/PCGN romanisation of Russian (and the Ukrainian letters), lower case
BGN_PCGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}
_VOWELS = set("аеёиоуыэюяіїєъь")


def cyrillic_to_latin(text: str) -> str:
    """BGN/PCGN: 'Сергей Лавров' -> 'Sergey Lavrov'; е is 'ye' at the start of a word and after a vowel."""
    out = []
    prev = ""
    for ch in text:
        low = ch.lower()
        if low in BGN_PCGN:
            rom = BGN_PCGN[low]
            if low == "е" and (not prev.isalpha() or prev.lower() in _VOWELS):
                rom = "ye"
            if ch.isupper() and rom:
                rom = rom[0].upper() + rom[1:]
            out.append(rom)
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


def chinese_to_latin(text: str) -> str:
    """Pinyin: '习近平' -> 'Xi Jinping'; '马尔科·卢比奥' -> 'Maerke Lubiao' (each part one word)."""
    from pypinyin import lazy_pinyin

    parts = [p for p in _DOTS.split(text.strip()) if p]
    if len(parts) == 1 and _HAN.search(parts[0]) and 2 <= len(parts[0]) <= 4 and " " not in parts[0]:
        syllables = lazy_pinyin(parts[0])
        if len(syllables) >= 2:
            family, given = syllables[0], "".join(syllables[1:])
            return f"{family.capitalize()} {given.capitalize()}"
    return " ".join("".join(lazy_pinyin(p)).capitalize() for p in parts)


@lru_cache(maxsize=65536)
def latin(name: str) -> str:
    """The name in Latin letters (a known official's English name when there is one)."""
    if name.isascii() or not (_HAN.search(name) or _CYRILLIC.search(name)):
        return name
    d = langdata.load()
    if _HAN.search(name):
        from readouts.lang.zh import to_simplified

        simple = to_simplified(name.strip())
        known = d.zh_names.get(simple)
        return known.english if known else chinese_to_latin(simple)
    key = " ".join(name.split()).lower()
    known = d.ru_names.get(key) or d.ru_names.get(key.replace("ё", "е"))
    return known.english if known else cyrillic_to_latin(name)


__all__ = ["BGN_PCGN", "chinese_to_latin", "cyrillic_to_latin", "latin"]
