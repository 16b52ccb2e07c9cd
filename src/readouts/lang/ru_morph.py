"""Russian morphology for the reader: lemmas and the nominative of names, posts and occasions.

pymorphy3 with its Russian dictionary parses each word (cached); names are put in the
nominative from a known case (the case of their post, or of "с"), keeping the gender of the
first name, so "Ирину Винер-Усманову" gives "Ирина Винер-Усманова" and "Хаканом Фиданом"
"Хакан Фидан"; a post or an occasion is inflected up to its first noun ("Министром
иностранных дел" -> "Министр иностранных дел").
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def parses(word: str) -> tuple:
    return tuple(_morph().parse(word))


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The word's normal form (lower case; 'ё' as 'е' so both spellings match)."""
    if not re.search("[А-Яа-яЁё]", word):
        return word.lower()
    return parses(word)[0].normal_form.replace("ё", "е")


def lemma_key(phrase: str) -> tuple[str, ...]:
    return tuple(lemma(w) for w in re.findall(r"[А-Яа-яЁёA-Za-z]+(?:-[А-Яа-яЁёA-Za-z]+)*", phrase))


def case_of(word: str) -> str | None:
    for x in parses(word):
        if x.tag.case:
            return str(x.tag.case)
    return None


def nominative_word(word: str, case: str | None, gender: str | None, plural_ok: bool = False) -> str:
    if "-" in word[1:]:
        head, _, tail = word.rpartition("-")
        return head + "-" + nominative_word(tail, case, gender)
    ps = parses(word)
    if case is None or case == "nomn":
        return word
    cands = [x for x in ps if x.tag.case == case and (plural_ok or x.tag.number != "plur")]
    if gender:
        cands = [x for x in cands if str(x.tag.gender) in (gender, "ms-f", "None")] or cands
    named = [x for x in cands if {"Name", "Surn", "Patr"} & set(str(x.tag).replace(" ", ",").split(","))]
    named.sort(key=lambda x: "Fixd" in str(x.tag))  # an indeclinable reading last
    cands = named or [x for x in cands if x.tag.POS == "NOUN"] or []
    if not cands:  # "президента ... Ирину": the name's own case when the post's is not among its readings
        cands = [x for x in ps if x.tag.case not in (None, "nomn") and x.tag.number != "plur"
                 and {"Name", "Surn", "Patr"} & set(str(x.tag).replace(" ", ",").split(","))]
        if gender:
            cands = [x for x in cands if str(x.tag.gender) in (gender, "ms-f")] or cands
    for x in cands:
        y = x.inflect({"nomn"} | ({"sing"} if x.tag.number == "sing" else set()))
        if y is not None:
            return recase(y.word, word)
    return word


_ENDINGS = ("ами", "ями", "ого", "его", "ому", "ему", "ом", "ем", "ым", "им", "ой", "ей", "ою", "ею", "ов", "ев",
            "а", "я", "у", "ю", "е", "ы", "и")


def stems(word: str) -> list[str]:
    """The word without each case ending it may have ('Шольца' -> 'шольц'), for looking names up."""
    low = word.lower().replace("ё", "е")
    return [low[: -len(e)] for e in _ENDINGS if low.endswith(e) and len(low) - len(e) >= 3]


def recase(new: str, old: str) -> str:
    if old.isupper():
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def nominative_name(words: list[str], case: str | None) -> str:
    """'Хаканом Фиданом' (instrumental) -> 'Хакан Фидан'; the gender of the first name is kept."""
    gender = None
    for x in parses(words[0]):
        if "Name" in str(x.tag):
            gender = str(x.tag.gender)
            break
    if case is None:
        named = [x for x in parses(words[-1]) if {"Name", "Surn"} & set(str(x.tag).replace(" ", ",").split(","))]
        case = str(named[0].tag.case) if named and named[0].tag.case else None
    return " ".join(nominative_word(w, case, gender) if not re.match(r"[А-ЯЁ]\.", w) else w for w in words)


def nominative_phrase(words: list[str]) -> str:
    """A post or an occasion in the nominative: its words up to the first noun are inflected."""
    out = []
    done = False
    for w in words:
        if done or not re.match("[А-Яа-яЁё]", w):
            out.append(w)
            continue
        x = parses(w)[0]
        if x.tag.POS in ("ADJF", "NOUN", "PRTF", "NUMR") or (x.tag.POS is None and not x.is_known):
            y = x.inflect({"nomn", "sing"}) or x.inflect({"nomn"})
            out.append(recase(y.word, w) if y is not None and x.tag.case not in (None, "nomn") or (
                y is not None and x.tag.number == "plur") else w)
            if x.tag.POS == "NOUN":
                done = True
        else:
            out.append(w)
            done = True
    return " ".join(out)


def plural_nominative(word: str) -> str:
    x = parses(word)[0]
    y = x.inflect({"nomn", "plur"}) if x.tag.number == "plur" else x.inflect({"nomn", "sing"})
    return recase(y.word, word) if y is not None else word


__all__ = ["case_of", "lemma", "lemma_key", "nominative_name", "nominative_phrase", "nominative_word", "parses",
           "plural_nominative", "recase", "stems"]
