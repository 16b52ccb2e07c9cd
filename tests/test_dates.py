"""Tests of readouts.dates: finding date expressions and resolving them against a reference."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from readouts.dates import DateMention, find_dates, resolve


def only(text: str) -> DateMention:
    found = find_dates(text)
    assert len(found) == 1, found
    return found[0]


# --- finding -----------------------------------------------------------------------

# text -> the fields the one mention found must have (fields not given are not checked,
# except that an absolute date without "day_end" must have day_end None).
FIND_TABLE = [
    ("July 26, 2019", dict(kind="absolute", year=2019, month=7, day=26)),
    ("26 July 2019", dict(kind="absolute", year=2019, month=7, day=26)),
    ("Feb. 28", dict(kind="absolute", year=None, month=2, day=28)),
    ("Sept. 9", dict(kind="absolute", year=None, month=9, day=9)),
    ("10th July 2017", dict(kind="absolute", year=2017, month=7, day=10)),
    ("27th January 2016", dict(kind="absolute", year=2016, month=1, day=27)),
    ("2024-11-18", dict(kind="absolute", year=2024, month=11, day=18)),
    ("2019/3/8", dict(kind="absolute", year=2019, month=3, day=8)),
    ("07/10/2025", dict(kind="absolute", year=2025, month=7, day=10)),  # month first
    ("29-Oct-2022", dict(kind="absolute", year=2022, month=10, day=29)),
    ("18 Sep, 2015", dict(kind="absolute", year=2015, month=9, day=18)),
    ("Nov 3-5, 2014", dict(kind="absolute", year=2014, month=11, day=3, day_end=5)),
    ("3-5 November 2014", dict(kind="absolute", year=2014, month=11, day=3, day_end=5)),
    ("from June 8 to 10", dict(kind="absolute", year=None, month=6, day=8, day_end=10, text="June 8 to 10")),
    ("In November 2013", dict(kind="month", year=2013, month=11, day=None, text="November 2013")),
    ("on Monday", dict(kind="weekday", weekday=0, last=False, text="Monday")),
    ("last Sunday", dict(kind="weekday", weekday=6, last=True)),
    ("(Mon)", dict(kind="weekday", weekday=0, last=False)),
    ("today", dict(kind="relative", offset=0)),
    ("yesterday", dict(kind="relative", offset=-1)),
    ("this afternoon", dict(kind="relative", offset=0)),
    ("the same day", dict(kind="same_day")),
    ("in 2013", dict(kind="year", year=2013, month=None, day=None)),
]


@pytest.mark.parametrize("text, expected", FIND_TABLE, ids=[t for t, _ in FIND_TABLE])
def test_find_dates_table(text, expected):
    m = only(text)
    for key, value in expected.items():
        assert getattr(m, key) == value, (key, m)
    if m.kind == "absolute" and "day_end" not in expected:
        assert m.day_end is None
    assert text[m.start:m.end] == m.text
    assert m.complete == (m.year is not None and m.month is not None and m.day is not None)


@pytest.mark.parametrize(
    "sentence, wanted",
    [
        ("Minister Arvo Kallas arrived in Riga on July 26, 2019 for talks.", "July 26, 2019"),
        ("The talks, held on 26 July 2019, were the first in a decade.", "26 July 2019"),
        ("BEIJING, Feb. 28 (Agency) -- The two sides met.", "Feb. 28"),
        ("Published: 2019/3/8 10:26:05", "2019/3/8"),
    ],
)
def test_find_dates_in_a_sentence(sentence, wanted):
    m = only(sentence)
    assert m.text == wanted
    assert sentence[m.start:m.end] == wanted


def test_offset_shifts_positions():
    text = "They met on 26 July 2019."
    plain, shifted = only(text), find_dates(text, offset=100)[0]
    assert (shifted.start, shifted.end) == (plain.start + 100, plain.end + 100)
    assert shifted.text == plain.text


@pytest.mark.parametrize(
    "text",
    [
        "May I ask",
        "13/45/2020",
        "the 99th session",
        "We may meet again soon.",
        "Mayor Ilse Varn of Riga spoke first.",
        "Article 15 of the Charter",
        "February 30, 2020",
        "Room 12/2020",
    ],
)
def test_no_date(text):
    assert find_dates(text) == []


def test_no_date_from_the_tail_of_a_longer_number():
    assert find_dates("32 July 2019") == []


# --- resolving ---------------------------------------------------------------------

THU = date(2024, 11, 14)  # a Thursday
SUN = date(2024, 11, 17)

RESOLVE_TABLE = [
    # weekdays: the day on or before the reference
    ("on Thursday", THU, None, ("2024-11-14", "day")),
    ("on Monday", THU, None, ("2024-11-11", "day")),
    ("on Friday", THU, None, ("2024-11-08", "day")),
    ("(Mon)", THU, None, ("2024-11-11", "day")),
    ("last Sunday", THU, None, ("2024-11-10", "day")),
    ("last Sunday", SUN, None, ("2024-11-10", "day")),  # "last" never means the reference day
    ("on Sunday", SUN, None, ("2024-11-17", "day")),
    ("on Monday", None, 2024, (None, None)),
    # relative days
    ("today", THU, None, ("2024-11-14", "day")),
    ("this afternoon", THU, None, ("2024-11-14", "day")),
    ("yesterday", THU, None, ("2024-11-13", "day")),
    ("yesterday", date(2024, 3, 1), None, ("2024-02-29", "day")),
    ("yesterday", date(2025, 1, 1), None, ("2024-12-31", "day")),
    ("today", None, None, (None, None)),
    ("yesterday", None, 2024, (None, None)),
    ("the same day", THU, None, (None, None)),  # the extractor ties it to another engagement
    # full dates ignore the reference
    ("July 26, 2019", None, None, ("2019-07-26", "day")),
    ("July 26, 2019", date(2024, 1, 5), None, ("2019-07-26", "day")),
    ("29-Oct-2022", None, None, ("2022-10-29", "day")),
    ("Nov 3-5, 2014", None, None, ("2014-11-03", "day")),
    ("07/10/2025", None, None, ("2025-07-10", "day")),
    # year-less dates take the reference year
    ("Feb. 28", date(2019, 3, 2), None, ("2019-02-28", "day")),
    ("Feb. 28", None, 2019, ("2019-02-28", "day")),
    ("Sept. 9", date(2015, 9, 10), 2011, ("2015-09-09", "day")),  # the full reference wins
    ("March 5", date(2020, 2, 10), None, ("2020-03-05", "day")),  # soon after: same year
    ("Feb. 29", date(2020, 3, 1), None, ("2020-02-29", "day")),
    # ... except a late-year day in an early-year text: the previous year
    ("Dec. 30", date(2020, 1, 2), None, ("2019-12-30", "day")),
    ("Dec. 30", None, 2020, ("2020-12-30", "day")),
    ("Feb. 28", None, None, (None, None)),
    # months and years
    ("In November 2013", None, None, ("2013-11", "month")),
    ("in November", date(2013, 12, 5), None, ("2013-11", "month")),
    ("in November", None, 2013, ("2013-11", "month")),
    ("in November", None, None, (None, None)),
    ("in 2013", None, None, ("2013", "year")),
    ("in 2013", date(2020, 1, 1), None, ("2013", "year")),
]


@pytest.mark.parametrize(
    "text, reference, reference_year, expected",
    RESOLVE_TABLE,
    ids=[f"{t}|{r}|{y}" for t, r, y, _ in RESOLVE_TABLE],
)
def test_resolve_table(text, reference, reference_year, expected):
    assert resolve(only(text), reference, reference_year) == expected


@pytest.mark.parametrize("reference, reference_year", [(date(2021, 11, 12), None), (None, 2019)])
def test_resolve_feb_29_in_a_non_leap_year(reference, reference_year):
    assert resolve(only("Feb. 29"), reference, reference_year) == (None, None)


# --- properties --------------------------------------------------------------------

FORMS = ["%B %d, %Y", "%d %B %Y", "%b. %d, %Y", "%Y-%m-%d", "%d-%b-%Y"]
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31))


def written(day: date, form: str) -> str:
    # month names spelled out here, so the locale cannot change them
    text = form.replace("%B", calendar.month_name[day.month]).replace("%b", calendar.month_abbr[day.month])
    return day.strftime(text)


@settings(max_examples=150, deadline=None)
@given(day=DATES, form=st.sampled_from(FORMS), in_sentence=st.booleans())
def test_any_written_date_is_found_and_resolved(day, form, in_sentence):
    assume(not (form == "%b. %d, %Y" and day.month == 5))  # "May." is not written
    shown = written(day, form)
    text = f"The ministers met on {shown} in Riga." if in_sentence else shown
    m = only(text)
    assert m.kind == "absolute" and m.complete
    assert (m.year, m.month, m.day) == (day.year, day.month, day.day)
    assert m.text == shown
    assert resolve(m, None) == (day.isoformat(), "day")
    assert resolve(m, date(2000, 6, 15), 1995) == (day.isoformat(), "day")


@settings(max_examples=150, deadline=None)
@given(reference=DATES, weekday=st.integers(0, 6))
def test_weekday_resolves_within_the_week_up_to_the_reference(reference, weekday):
    m = only(f"The two ministers met on {calendar.day_name[weekday]}.")
    iso, precision = resolve(m, reference)
    assert precision == "day"
    got = date.fromisoformat(iso)
    assert reference - timedelta(days=6) <= got <= reference
    assert got.weekday() == weekday
