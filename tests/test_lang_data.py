"""The data files of the Chinese and Russian readers are validated when loaded."""
from __future__ import annotations

import pytest

from readouts.lang import data

STATES = "iso3\tzh\tzh_short\tru\tru_adjectives\nCHN\t中国\t中\tКитай\tкитайский\n"
CITIES = "city\tcountry\tzh\tru\nBeijing\tCHN\t北京\tПекин\n"
NAMES = "name\tcountry\tzh\tru\nWang Yi\tCHN\t王毅\tВан И\n"


def test_the_shipped_files_load() -> None:
    d = data.load()
    assert d.zh_states["中国"] == "CHN" and d.ru_states["россия"] == "RUS"
    assert d.zh_cities["莫斯科"] == ("Moscow", "RUS")
    assert d.zh_names["王毅"].english == "Wang Yi" and d.ru_names["ван и"].country == "CHN"
    for lang in ("zh", "ru"):
        assert data.rules(lang)["predicates"]


def test_good_texts_build() -> None:
    d = data.build(STATES, CITIES, NAMES)
    assert d.ru_adjectives == {"китайский": "CHN"} and d.ru_surnames["и"][0].english == "Wang Yi"


@pytest.mark.parametrize(
    "states,cities,names,message",
    [
        (STATES + "Xx\t某国\t\t\t\n", CITIES, NAMES, "states_zh_ru.tsv:3: 'Xx' is not an ISO3 code"),
        (STATES + "RUS\t俄罗斯\n", CITIES, NAMES, "states_zh_ru.tsv:3: expected 5 tab-separated columns, found 2"),
        (STATES + "RUS\t中国\t\t\t\n", CITIES, NAMES, "states_zh_ru.tsv:3: '中国' already stands for 'CHN'"),
        (STATES + "RUS\t俄罗斯\t俄罗斯\t\t\n", CITIES, NAMES, "short form '俄罗斯' is longer than two characters"),
        (STATES, CITIES + "\tCHN\t上海\t\n", NAMES, "cities_zh_ru.tsv:3: no English name"),
        (STATES, CITIES, NAMES + "Qin Gang\tchn\t秦刚\t\n", "officials_names.tsv:3: 'chn' is not an ISO3 code"),
        ("", CITIES, NAMES, "states_zh_ru.tsv:1: no header"),
    ],
)
def test_bad_rows_say_where(states: str, cities: str, names: str, message: str) -> None:
    with pytest.raises(data.LangDataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        data.build(states, cities, names)


GOOD_RULES = 'posts = ["外长"]\nplanned = ["将"]\n[predicates]\nmeeting = ["会见"]\n'


@pytest.mark.parametrize(
    "text,message",
    [
        ('posts = ["外长"]\nplanned = ["将"]\n[predicates]\nparty = ["宴请"]\n', "'party' is not one of"),
        ('posts = []\nplanned = ["将"]\n[predicates]\nmeeting = ["会见"]\n', "posts must be a non-empty list"),
        ('posts = ["外长"]\nplanned = ["将"]\n[predicates]\nmeeting = "会见"\n', "meeting must be a list of words"),
        ('issue_pattern = "(unclosed"\n' + GOOD_RULES, "issue_pattern is not a regular expression"),
        ('issue_pattern = "no group"\n' + GOOD_RULES, "issue_pattern needs a group"),
        ("posts = [", "rules.toml: "),
    ],
)
def test_bad_rule_packs_say_what(text: str, message: str) -> None:
    with pytest.raises(data.LangDataError, match=message):
        data.parse_rules(text)
    assert data.parse_rules(GOOD_RULES)["posts"] == ["外长"]
