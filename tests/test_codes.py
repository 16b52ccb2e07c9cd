"""Event codes: engagements built by hand -> PLOVER / CAMEO / Goldstein, visitor and host."""
from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from readouts.codes import (
    IN_PERSON_SITUATIONS,
    CodebookError,
    code_engagement,
    code_planned,
    code_readout,
    codebook,
    direction,
    load_codebook,
    parse_codebook,
    situation,
)
from readouts.records import MODES, Engagement, EventCode, Location, Participant, PlannedEngagement, Readout, Span


def person(name, country, side="object"):
    return Participant(name=name, country=country, title="Foreign Minister", side=side)


def eng(mode="meeting", place=None, occasion=None, subject=("Aldo Ferrante", "ITA"), obj=("Marta Lindqvist", "SWE"),
        trigger=None, visitor=None, host=None, others=()):
    people = [person(*subject, side="subject"), person(*obj)] + [person(*o) for o in others]
    return Engagement(
        date="2023-05-04",
        mode=mode,
        participants=tuple(people),
        location=Location(city=None, country=place),
        occasion=occasion,
        trigger=Span(0, len(trigger), trigger, "test") if trigger else None,
        visitor=visitor,
        host=host,
    )


SUMMIT = "the G20 Foreign Ministers' Meeting"

# (engagement, plover, plover mode, cameo, goldstein, visitor, host)
CASES = [
    # the subject hosts in its own country -> 043 Host a visit
    pytest.param(eng(place="ITA"), "CONSULT", "visit", "043", 2.8, "SWE", "ITA", id="host-subject"),
    # the subject travelled to the other side's country -> 042 Make a visit
    pytest.param(eng(place="SWE"), "CONSULT", "visit", "042", 1.9, "ITA", "SWE", id="visitor-subject"),
    pytest.param(eng("talks", place="SWE"), "CONSULT", "visit", "042", 1.9, "ITA", "SWE", id="talks-visit"),
    # a third country, no occasion
    pytest.param(eng(place="CHE"), "CONSULT", "third-party", "044", 2.5, None, None, id="third-country"),
    # sidelines of a summit in a third country
    pytest.param(eng(place="IND", occasion=SUMMIT), "CONSULT", "multilateral", "044", 2.5, None, None,
                 id="sidelines-third"),
    # sidelines of a summit the subject's country hosts
    pytest.param(eng(place="ITA", occasion=SUMMIT), "CONSULT", "multilateral", "043", 2.8, "SWE", "ITA",
                 id="sidelines-host"),
    pytest.param(eng(place="SWE", occasion=SUMMIT), "CONSULT", "multilateral", "042", 1.9, "ITA", "SWE",
                 id="sidelines-guest"),
    pytest.param(eng(occasion=SUMMIT), "CONSULT", "multilateral", "040", 1.0, None, None, id="sidelines-unplaced"),
    # place unknown
    pytest.param(eng(), "CONSULT", None, "040", 1.0, None, None, id="unplaced"),
    # several visitors: the host is known, the visitor is not one side
    pytest.param(eng(place="ITA", others=[("Jonas Petrauskas", "LTU")]), "CONSULT", "visit", "043", 2.8, None, "ITA",
                 id="host-several-guests"),
    # an organisation's official visiting
    pytest.param(eng(place="ITA", obj=("Ines Carvalho", "UN")), "CONSULT", "visit", "043", 2.8, "UN", "ITA",
                 id="organisation-visits"),
    # what the extractor already said wins over the place
    pytest.param(eng(visitor="SWE", host="ITA"), "CONSULT", "visit", "043", 2.8, "SWE", "ITA", id="given-direction"),
    # remote
    pytest.param(eng("phone_call", place="ITA"), "CONSULT", "phone", "041", 1.0, None, None, id="phone"),
    pytest.param(eng("video_call"), "CONSULT", "phone", "041", 1.0, None, None, id="video"),
    # messages: generic, congratulatory, condolences
    pytest.param(eng("message", trigger="exchanged messages with"), "CONSULT", None, "040", 1.0, None, None,
                 id="message"),
    pytest.param(eng("message", trigger="exchanged congratulatory messages"), "SUPPORT", None, "051", 3.4,
                 None, None, id="message-congratulations"),
    pytest.param(eng("message", trigger="sent a message of condolence to"), "SUPPORT", None, "018", 3.4,
                 None, None, id="message-condolence"),
]


@pytest.mark.parametrize(("e", "plover", "mode", "cameo", "goldstein", "visitor", "host"), CASES)
def test_code_engagement(e, plover, mode, cameo, goldstein, visitor, host):
    assert code_engagement(e) == EventCode(plover, mode, cameo, goldstein)
    assert direction(e) == (visitor, host)


def test_no_subject_side_is_coded_from_the_visitors_side():
    e = eng(place="ITA")
    e = Engagement(e.date, e.mode, tuple(Participant(p.name, p.country, p.title) for p in e.participants), e.location)
    assert situation(e) == "visit_guest"
    assert code_engagement(e).cameo == "042"


@pytest.mark.parametrize("mode", MODES)
def test_planned_is_agree_036(mode):
    code = code_engagement(eng(mode), planned=True)
    assert code == EventCode("AGREE", None, "036", 4.0)
    assert code_planned(PlannedEngagement("visit", ())) == code


def test_code_readout_fills_every_engagement():
    r = Readout("r1", True, engagements=(eng(place="ITA"), eng("phone_call")))
    out = code_readout(r)
    assert [e.codes.cameo for e in out.engagements] == ["043", "041"]
    assert (out.engagements[0].visitor, out.engagements[0].host) == ("SWE", "ITA")
    assert r.engagements[0].codes is None  # the input is untouched
    assert Readout.from_dict(out.as_dict()) == out  # codes survive the dict round-trip


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match="not in the codebook"):
        code_engagement(eng("carrier_pigeon"))


# ---- the codebook ----------------------------------------------------------------------
def test_codebook_covers_every_mode_and_situation():
    book = codebook()
    assert set(book.modes) == set(MODES)
    for kind in book.modes.values():
        assert kind == "in_person" or kind in book.situations
    for name in IN_PERSON_SITUATIONS + ("planned",):
        assert name in book.situations


def test_codebook_values_are_well_formed():
    for name, code in codebook().situations.items():
        assert -10.0 <= code.goldstein <= 10.0, name
        assert re.fullmatch(r"\d{2,4}", code.cameo), name
        assert code.plover.isupper(), name


def test_codebook_known_values():
    """Spot checks against the CAMEO 1.1b3 manual and its Goldstein table."""
    s = codebook().situations
    assert (s["visit_guest"].cameo, s["visit_guest"].goldstein) == ("042", 1.9)
    assert (s["visit_host"].cameo, s["visit_host"].goldstein) == ("043", 2.8)
    assert (s["third_country"].cameo, s["third_country"].goldstein) == ("044", 2.5)
    assert (s["phone_call"].cameo, s["phone_call"].goldstein) == ("041", 1.0)
    assert (s["planned"].cameo, s["planned"].goldstein) == ("036", 4.0)


def _packaged() -> dict:
    text = resources.files("readouts.data").joinpath("codebook.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["modes"].pop("video_call"), "does not cover video_call"),
        (lambda d: d["modes"].update(carrier_pigeon="message"), "unknown modes carrier_pigeon"),
        (lambda d: d["situation"]["visit_host"].update(goldstein=12.0), r"visit_host\] goldstein"),
        (lambda d: d["situation"]["visit_host"].update(cameo=43), r"visit_host\] cameo"),
        (lambda d: d["situation"]["visit_host"].update(cameo="04a"), r"visit_host\] cameo"),
        (lambda d: d["situation"]["visit_host"].update(plover="MEET"), "not a PLOVER event type"),
        (lambda d: d["situation"]["visit_host"].update(colour="red"), "unknown keys colour"),
        (lambda d: d["situation"].pop("third_country"), "not defined: third_country"),
        (lambda d: d["situation"].pop("planned"), "not defined: planned"),
        (lambda d: d["message_cue"][0].update(pattern="(unclosed"), "not a regular expression"),
        (lambda d: d.pop("modes"), r"missing \[modes\]"),
    ],
)
def test_malformed_codebook_raises_a_clear_error(mutate, message):
    data = _packaged()
    mutate(data)
    with pytest.raises(CodebookError, match=message):
        parse_codebook(data, "test.toml")


def test_codebook_that_is_not_toml():
    with pytest.raises(CodebookError, match="bad.toml: not valid TOML"):
        load_codebook("[modes\nmeeting = ", "bad.toml")
