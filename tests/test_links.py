"""Cross-source linking: the pure functions (tables of cases) and their order independence."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readouts.links import (
    EngagementRef,
    LinkReason,
    PartRef,
    block_key,
    choose_event,
    explain,
    link_engagements,
    names_match,
    time_span,
)

VARGA = PartRef("Tomas Varga", "HUN")
BRANDAUER = PartRef("Ilse Brandauer", "AUT")


def ref(i, doc, mode="phone_call", date="2022-03-14", parts=(VARGA, BRANDAUER), published=None, city=None):
    return EngagementRef(i, doc, mode, date, tuple(parts), published, city)


@pytest.mark.parametrize("a, b, same", [
    ("Antony J. Blinken", "Anthony Blinken", True),
    ("Joseph R. Biden, Jr.", "Joe Biden", True),
    ("Xi", "Xi Jinping", True),
    ("EAM Jaishankar", "S. Jaishankar", True),
    ("Vladimir Putin Jointly Sign", "Vladimir Putin", True),
    ("Vladmir Putin", "Vladimir Putin", True),
    ("Sergei Lavrov", "Sergey Lavrov", True),
    ("Joe Biden", "Hunter Biden", False),
    ("Wang Yi", "Wang Huning", False),
    ("Wang Yi", "Qin Gang", False),
])
def test_names_match(a, b, same):
    assert names_match(PartRef(a, "XXX"), PartRef(b, "XXX")) is same
    assert names_match(PartRef(b, "XXX"), PartRef(a, "XXX")) is same


def test_a_shared_actor_id_matches_names():
    assert names_match(PartRef("FM Wang", "CHN", "p:wang-yi:CHN"), PartRef("Wang Yi", "CHN", "p:wang-yi:CHN"))


@pytest.mark.parametrize("a, b, country, verdict", [
    ("王毅", "Wang Yi", "CHN", True),
    ("習近平", "Xi Jinping", "CHN", True),  # traditional characters too
    ("赵乐际", "Zhao Leji", "CHN", True),
    ("王毅", "Xi Jinping", "CHN", False),  # a Chinese name in Chinese characters tells people apart
    ("Сергей Лавров", "Sergey Lavrov", "RUS", True),
    ("Сергей Лавров", "Vladimir Putin", "RUS", False),
    ("布林肯", "Antony Blinken", "USA", None),  # a foreign name in Chinese: cannot be told
    ("Ван И", "Wang Yi", "CHN", None),
])
def test_names_in_other_scripts(a, b, country, verdict):
    assert names_match(PartRef(a, country), PartRef(b, country)) is verdict
    assert names_match(PartRef(b, country), PartRef(a, country)) is verdict


def test_a_chinese_report_links_with_an_english_one_unless_the_chinese_principal_differs():
    zh = ref("zh-0", "zh", mode="meeting", parts=(PartRef("王毅", "CHN"), PartRef("布林肯", "USA")))
    en = ref("en-0", "en", mode="meeting", parts=(PartRef("Wang Yi", "CHN"), PartRef("Antony Blinken", "USA")))
    xi = ref("xi-0", "xi", mode="meeting", parts=(PartRef("Xi Jinping", "CHN"), PartRef("Antony Blinken", "USA")))
    reason = explain(zh, en)
    assert reason is not None and reason.shared == (("王毅", "Wang Yi"),)
    assert explain(zh, xi) is None


@pytest.mark.parametrize("when, published, expected", [
    ("2022-03-14", None, ("2022-03-14", "2022-03-14", "date")),
    ("2022-03", None, ("2022-03-01", "2022-03-31", "month")),
    (None, "2022-03-15", ("2022-03-12", "2022-03-16", "publication")),
    (None, "2022-02", ("2022-02-01", "2022-02-28", "publication")),
    ("2022", "2022-03-15", ("2022-03-12", "2022-03-16", "publication")),
    (None, None, None),
    ("2022-02-30", None, None),
])
def test_time_span(when, published, expected):
    span = time_span(when, published)
    got = None if span is None else (span.first.isoformat(), span.last.isoformat(), span.basis)
    assert got == expected


# (case, b's changes, linked?)
PAIRS = [
    ("same call, both governments", {}, True),
    ("talks ~ meeting", {"mode": "talks", "a_mode": "meeting"}, True),
    ("video call ~ phone call", {"mode": "video_call"}, True),
    ("phone call vs meeting", {"mode": "meeting"}, False),
    ("a day apart (time zones)", {"date": "2022-03-15"}, True),
    ("two days apart: another call", {"date": "2022-03-16"}, False),
    ("a year apart", {"date": "2023-03-14"}, False),
    ("month date containing the day", {"date": "2022-03"}, True),
    ("undated, published next day", {"date": None, "published": "2022-03-15"}, True),
    ("undated, published six weeks later", {"date": None, "published": "2022-04-30"}, False),
    ("another Austrian", {"parts": (VARGA, PartRef("Karl Huber", "AUT"))}, False),
    ("Austrian named by post only", {"parts": (VARGA, PartRef(None, "AUT", None))}, True),
    ("family name only", {"parts": (PartRef("Varga", "HUN"), BRANDAUER)}, True),
    ("a second Hungarian listed (partial list)", {"parts": (VARGA, BRANDAUER, PartRef("Anna Kiss", "HUN"))}, True),
    ("a third state listed", {"parts": (VARGA, BRANDAUER, PartRef("Jan Novak", "CZE"))}, False),
    ("other states", {"parts": (VARGA, PartRef("Jan Novak", "CZE"))}, False),
    ("same document", {"doc": "a"}, False),
]


@pytest.mark.parametrize("case, change, linked", PAIRS, ids=[p[0] for p in PAIRS])
def test_explain_pairs(case, change, linked):
    a = ref("a-0", "a", mode=change.get("a_mode", "phone_call"))
    b = ref("b-0", change.get("doc", "b"), mode=change.get("mode", "phone_call"),
            date=change.get("date", "2022-03-14"), parts=change.get("parts", (VARGA, BRANDAUER)),
            published=change.get("published"))
    reason = explain(b, a)
    assert (reason is not None) is linked
    if reason is not None:
        assert reason.linked_to == "a-0" and reason.countries == ("AUT", "HUN")
        assert reason.describe()


def test_two_cities_are_two_meetings():
    a = ref("a-0", "a", mode="meeting", city="Vienna")
    assert explain(ref("b-0", "b", mode="meeting", city="Budapest"), a) is None
    assert explain(ref("b-0", "b", mode="meeting", city="Vienna"), a) is not None
    assert explain(ref("b-0", "b", mode="meeting"), a) is not None


def test_reason_records_the_evidence():
    reason = explain(ref("b-0", "b", date="2022-03-15", parts=(PartRef("T. Varga", "HUN"), BRANDAUER)),
                     ref("a-0", "a"))
    assert reason.as_dict() == {
        "linked_to": "a-0", "countries": ["AUT", "HUN"],
        "shared": [["Ilse Brandauer", "Ilse Brandauer"], ["T. Varga", "Tomas Varga"]],
        "modes": ["phone_call", "phone_call"], "date_gap": 1, "time": "date",
    }


def test_one_visitor_meeting_two_hosts_the_same_day_are_two_events():
    blinken = PartRef("Antony Blinken", "USA")
    xi = ref("x-0", "x", mode="meeting", parts=(blinken, PartRef("Xi Jinping", "CHN")))
    wang = ref("x-1", "x", mode="meeting", parts=(blinken, PartRef("Wang Yi", "CHN")))
    report = ref("y-0", "y", mode="talks", parts=(PartRef("Wang Yi", "CHN"), PartRef("Blinken", "USA")))
    out = link_engagements([xi, wang, report])
    assert out["y-0"][0] == out["x-1"][0] != out["x-0"][0]


def test_timeless_engagement_joins_only_the_one_candidate_event():
    a, b = ref("a-0", "a"), ref("b-0", "b", date="2022-09-01")
    timeless = ref("t-0", "t", date=None)
    assert choose_event(timeless, [(a, "ev:a-0")]) is not None
    assert choose_event(timeless, [(a, "ev:a-0"), (b, "ev:b-0")]) is None  # which call? no guess
    out = link_engagements([a, timeless])
    assert out["t-0"][0] == "ev:a-0" and out["t-0"][1].time == "only candidate"


def test_ambiguous_candidates_are_not_guessed():
    a, b = ref("a-0", "a", date="2022-03-13"), ref("b-0", "b", date="2022-03-15")
    assert choose_event(ref("c-0", "c"), [(a, "ev:a-0"), (b, "ev:b-0")]) is None
    assert choose_event(ref("c-0", "c", date="2022-03-15"), [(a, "ev:a-0"), (b, "ev:b-0")])[0] == "ev:b-0"


def test_same_document_never_twice_in_one_event():
    out = link_engagements([ref("a-0", "a"), ref("a-1", "a"), ref("b-0", "b")])
    assert out["a-0"][0] != out["a-1"][0]


def test_block_key():
    assert block_key("talks", ["USA", "chn"]) == block_key("meeting", ["CHN", "USA"]) == "in_person:CHN|USA"
    assert block_key("phone_call", ["USA"]) is None


refs = st.builds(
    ref,
    i=st.sampled_from(["r1", "r2", "r3", "r4", "r5", "r6"]),
    doc=st.sampled_from(["a", "b", "c", "d"]),
    mode=st.sampled_from(["phone_call", "video_call", "meeting"]),
    date=st.sampled_from(["2022-03-13", "2022-03-14", "2022-03-16", "2022-03", None]),
    published=st.sampled_from([None, "2022-03-15"]),
    parts=st.sampled_from([(VARGA, BRANDAUER), (PartRef("Varga", "HUN"), PartRef(None, "AUT")),
                           (VARGA, PartRef("Karl Huber", "AUT"))]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(refs, max_size=8, unique_by=lambda r: r.id), st.randoms())
def test_link_engagements_does_not_depend_on_input_order(items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    first, second = link_engagements(items), link_engagements(shuffled)
    assert {k: v[0] for k, v in first.items()} == {k: v[0] for k, v in second.items()}
    for eid, (event, _) in first.items():  # no event holds two engagements of one document
        docs = [r.doc if hasattr(r, "doc") else r.document for r in items if first[r.id][0] == event]
        assert len(docs) == len(set(docs))


def test_timeless_report_resolves_a_document_that_reported_the_call_twice():
    dated, again = ref("d-0", "d"), ref("d-1", "d", date=None, published="2022-03-14")
    other = ref("o-0", "o", date="2022-03-15")
    out = link_engagements([dated, again, other, ref("t-0", "t", date=None)])
    assert out["d-0"][0] == out["o-0"][0] != out["d-1"][0]
    assert out["t-0"][0] == out["d-0"][0]  # the event with more reports
    far = ref("f-0", "f", date="2022-09-01")  # a second call of the pair: no shared document
    assert link_engagements([dated, far, ref("t-0", "t", date=None)])["t-0"][0] == "ev:t-0"


@settings(max_examples=100, deadline=None)
@given(st.builds(
    lambda linked, countries, shared, modes, gap, time: LinkReason(linked, tuple(countries), tuple(shared), modes,
                                                                   gap, time),
    st.text(min_size=1, max_size=20), st.lists(st.sampled_from(["CHN", "USA", "RUS"]), max_size=3),
    st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10)), max_size=3),
    st.tuples(st.sampled_from(["meeting", "talks"]), st.sampled_from(["phone_call", "meeting"])),
    st.one_of(st.none(), st.integers(0, 40)), st.sampled_from(["date", "month", "publication", "only candidate"])))
def test_link_reason_round_trips_through_json(reason):
    import json

    again = LinkReason.from_dict(json.loads(json.dumps(reason.as_dict())))
    assert again == reason and again.describe() == reason.describe()
