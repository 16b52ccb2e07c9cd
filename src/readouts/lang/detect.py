"""Language identification by script: fast, offline, no model to ship.

Readouts are in one language each, and the languages the project reads are told apart by
their scripts: Han characters without kana are Chinese (kana make it Japanese), Cyrillic
with the letters only Russian uses (ы, э, ъ) and none of the Ukrainian, Belarusian or Kazakh
letters is Russian, Latin is left to the English extractor ("en"). The shares are counted
on letters only, so digits, punctuation and a few Latin words in a Chinese page do not
tip the balance. This runs at several million characters a second, far faster than the
extraction it routes.
"""
from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
#: letters that Ukrainian, Belarusian, Kazakh or Serbian use and Russian does not
_NOT_RUSSIAN = re.compile(r"[іїєґўғқңүұһәөјљњћџѓќѕ]", re.I)
_RUSSIAN_ONLY = re.compile(r"[ыэ]", re.I)
_HARD_SIGN = re.compile(r"ъ", re.I)

#: a language needs at least this share of the letters counted
MIN_SHARE = 0.3
#: how much of a long text is looked at (the start says enough)
SAMPLE = 4000


_ANY_OTHER = re.compile(r"[\u0400-\u04ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def language(text: str) -> str:
    """'zh', 'ru', 'ja', 'ko', 'uk' (Cyrillic that is not Russian), 'bg' or 'en' (the default)."""
    sample = text[:SAMPLE]
    if sample.isascii() or not _ANY_OTHER.search(sample):  # the common case, in one pass
        return "en"
    han = len(_HAN.findall(sample))
    cyr = len(_CYRILLIC.findall(sample))
    lat = len(_LATIN.findall(sample))
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    # a Han character carries about a word: weigh it against Latin/Cyrillic letters
    counted = han * 3 + kana * 3 + hangul * 2 + cyr + lat
    if not counted:
        return "en"
    if kana and kana * 20 >= han + kana:  # Japanese mixes kana into its Han text
        return "ja"
    if hangul * 2 >= MIN_SHARE * counted:
        return "ko"
    if han * 3 >= MIN_SHARE * counted:
        return "zh"
    if cyr >= MIN_SHARE * counted:
        cyrillic = "".join(_CYRILLIC.findall(sample))
        russian = len(_RUSSIAN_ONLY.findall(cyrillic))
        if len(_NOT_RUSSIAN.findall(cyrillic)) > russian:
            return "uk"
        if not russian and len(_HARD_SIGN.findall(cyrillic)) * 100 >= len(cyrillic):
            return "bg"  # Bulgarian: no ы or э, and ъ as a vowel in many words
        return "ru"
    return "en"


__all__ = ["language"]
