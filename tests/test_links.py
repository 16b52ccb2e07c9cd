"""Cross-source linking: the pure function and the store integration (texts written for the tests)."""
from __future__ import annotations

from readouts.links import EngagementRef, link_engagements

AB = frozenset({"p:a", "p:b"})


def ref(i, doc, mode="phone_call", date="2022-03-14", parts=AB, published=None):
    return EngagementRef(i, doc, mode, date, parts, published)


def test_two_governments_readouts_of_one_call_are_one_event():
    out = link_engagements([ref("x-0", "x"), ref("y-0", "y")])
    assert out["x-0"] == out["y-0"]


def test_meeting_and_phone_call_same_day_not_linked():
    out = link_engagements([ref("x-0", "x"), ref("y-0", "y", mode="meeting")])
    assert out["x-0"] != out["y-0"]


def test_same_pair_a_year_apart_not_linked():
    out = link_engagements([ref("x-0", "x"), ref("y-0", "y", date="2023-03-14")])
    assert out["x-0"] != out["y-0"]


def test_dates_within_two_days_and_undated_within_publication_window():
    out = link_engagements([ref("x-0", "x"), ref("y-0", "y", date="2022-03-16"),
                            ref("z-0", "z", date=None, published="2022-03-15")])
    assert len(set(out.values())) == 1
    far = link_engagements([ref("x-0", "x"), ref("z-0", "z", date=None, published="2022-04-30")])
    assert far["x-0"] != far["z-0"]


def test_different_participants_or_same_document_not_linked():
    out = link_engagements([ref("x-0", "x"), ref("y-0", "y", parts=frozenset({"p:a", "p:c"})),
                            ref("x-1", "x")])
    assert out["x-0"] != out["y-0"] and out["x-0"] != out["x-1"]


def test_order_does_not_matter():
    items = [ref("x-0", "x"), ref("y-0", "y", date="2022-03-15"), ref("z-0", "z", mode="meeting")]
    assert link_engagements(items) == link_engagements(list(reversed(items)))
