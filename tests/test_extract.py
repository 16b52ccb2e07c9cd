"""Engagements from whole short texts: (text, expected engagement records) tables.

The texts are written for these tests; the officials are invented.
"""
from __future__ import annotations

import pytest

from readouts.clean import clean
from readouts.extract import extract
from readouts.records import RawDocument, Readout


def run(text: str, doc_id: str = "t") -> Readout:
    return extract(clean(RawDocument(doc_id, "test", text=text)))


def summary(readout: Readout) -> list[tuple]:
    """(date, mode, sorted (name, country), city, country, occasion) per engagement."""
    out = []
    for e in readout.engagements:
        people = tuple(sorted((p.name or "", p.country or "") for p in e.participants))
        out.append((e.date, e.mode, people, e.location.city, e.location.country, e.occasion))
    return out


CASES = [
    pytest.param(
        "On March 3, 2021, Foreign Minister Ana Lopes of Portugal met with Foreign Minister Karl Berg of Sweden in Lisbon.",
        [("2021-03-03", "meeting", (("Ana Lopes", "PRT"), ("Karl Berg", "SWE")), "Lisbon", "PRT", None)],
        id="meeting-in-city",
    ),
    pytest.param(
        "On 12 May 2022, President Tomas Ekwall of Finland held talks with President Rosa Mendez of Chile in Santiago.",
        [("2022-05-12", "talks", (("Rosa Mendez", "CHL"), ("Tomas Ekwall", "FIN")), "Santiago", "CHL", None)],
        id="talks",
    ),
    pytest.param(
        "On June 1, 2020, Foreign Minister Ana Lopes of Portugal held a telephone conversation with "
        "Foreign Minister Karl Berg of Sweden.",
        [("2020-06-01", "phone_call", (("Ana Lopes", "PRT"), ("Karl Berg", "SWE")), None, None, None)],
        id="phone-call-has-no-place",
    ),
    pytest.param(
        "On July 9, 2021, Prime Minister Lars Holm of Denmark held a video call with Prime Minister Ayse Kaya of Turkey.",
        [("2021-07-09", "video_call", (("Ayse Kaya", "TUR"), ("Lars Holm", "DNK")), None, None, None)],
        id="video-call",
    ),
    pytest.param(
        "On October 1, 2024, President Amara Diallo of Senegal exchanged congratulatory messages with "
        "President Hugo Rocha of Brazil.",
        [("2024-10-01", "message", (("Amara Diallo", "SEN"), ("Hugo Rocha", "BRA")), None, None, None)],
        id="messages",
    ),
    pytest.param(
        "On July 26, 2023, Foreign Minister Ana Lopes of Portugal met with Foreign Minister Karl Berg of Sweden "
        "on the sidelines of the Annual Meeting of the Nordic Council in Oslo.",
        [("2023-07-26", "meeting", (("Ana Lopes", "PRT"), ("Karl Berg", "SWE")), "Oslo", "NOR",
          "Annual Meeting of the Nordic Council")],
        id="occasion-and-place",
    ),
    pytest.param(
        "BEIJING, May 6 (Xinhua) -- Chinese Foreign Minister Li Wenhao on Monday met with Foreign Minister "
        "Karl Berg of Sweden.\nXinhua, May 6, 2024",
        [("2024-05-06", "meeting", (("Karl Berg", "SWE"), ("Li Wenhao", "CHN")), "Beijing", "CHN", None)],
        id="weekday-against-dateline",
    ),
    pytest.param(
        "Chinese Foreign Minister Li Wenhao on Monday met with Foreign Minister Karl Berg of Sweden.",
        [(None, "meeting", (("Karl Berg", "SWE"), ("Li Wenhao", "CHN")), None, None, None)],
        id="weekday-without-reference-is-null",
    ),
    pytest.param(
        "On April 2, 2019, Foreign Minister Ana Lopes of Portugal met with Foreign Minister Karl Berg of Sweden "
        "and Foreign Minister Jan Novak of the Czech Republic in Prague.",
        [("2019-04-02", "meeting", (("Ana Lopes", "PRT"), ("Karl Berg", "SWE")), "Prague", "CZE", None),
         ("2019-04-02", "meeting", (("Ana Lopes", "PRT"), ("Jan Novak", "CZE")), "Prague", "CZE", None)],
        id="two-objects-two-engagements",
    ),
    pytest.param(
        "On April 2, 2019, Foreign Minister Ana Lopes of Portugal met with Foreign Minister Karl Berg of Sweden in Prague. "
        "Lopes also met with Foreign Minister Jan Novak of the Czech Republic.",
        [("2019-04-02", "meeting", (("Ana Lopes", "PRT"), ("Karl Berg", "SWE")), "Prague", "CZE", None),
         ("2019-04-02", "meeting", (("Ana Lopes", "PRT"), ("Jan Novak", "CZE")), "Prague", "CZE", None)],
        id="also-shares-date-and-place",
    ),
    pytest.param(
        "On March 3, 2021, Foreign Minister Ana Lopes of Portugal and Foreign Minister Karl Berg of Sweden held talks in Lisbon.",
        [("2021-03-03", "talks", (("Ana Lopes", "PRT"), ("Karl Berg", "SWE")), "Lisbon", "PRT", None)],
        id="plural-subject",
    ),
    pytest.param(
        "On July 11, 2023, Mr. TANAKA Hiroshi, Minister for Foreign Affairs of Japan, held a Foreign Ministers' Meeting "
        "with H.E. Mr. Ramon B. Cruz, Secretary of Foreign Affairs of the Republic of the Philippines, in Jakarta, Indonesia.",
        [("2023-07-11", "meeting", (("Ramon B. Cruz", "PHL"), ("TANAKA Hiroshi", "JPN")), "Jakarta", "IDN", None)],
        id="ministry-meeting-phrasing-and-initials",
    ),
    pytest.param(
        "On 3 March 2022, President Thabo Ndlovu of South Africa hosted President Amani Habimana of Rwanda "
        "for bilateral talks at the Union Buildings.",
        [("2022-03-03", "talks", (("Amani Habimana", "RWA"), ("Thabo Ndlovu", "ZAF")), None, "ZAF", None)],
        id="hosted-for-talks-at-a-national-venue",
    ),
    pytest.param(
        "On June 2, 2023, Foreign Minister Karl Berg of Sweden and his Iranian counterpart Reza Amir-Kazemi held talks in Stockholm.",
        [("2023-06-02", "talks", (("Karl Berg", "SWE"), ("Reza Amir-Kazemi", "IRN")), "Stockholm", "SWE", None)],
        id="hyphenated-name-and-counterpart",
    ),
    pytest.param(
        "On May 2, 2022, Foreign Minister Ana Lopes of Portugal met with his counterparts from Ghana and Togo in Accra.",
        [("2022-05-02", "meeting", (("", "GHA"), ("Ana Lopes", "PRT")), "Accra", "GHA", None),
         ("2022-05-02", "meeting", (("", "TGO"), ("Ana Lopes", "PRT")), "Accra", "GHA", None)],
        id="unnamed-counterparts",
    ),
    pytest.param(
        "On April 4, 2022, President Samuel T. Okoro, Jr. of Nigeria met with President Lina Varga of Hungary in Budapest.",
        [("2022-04-04", "meeting", (("Lina Varga", "HUN"), ("Samuel T. Okoro", "NGA")), "Budapest", "HUN", None)],
        id="generational-suffix-after-a-comma",
    ),
    pytest.param(
        "On 5 June 2023, Foreign Minister Karl Berg of Sweden held meetings with Ivo Marsh, General-Secretary of the "
        "Andean Trade Organisation (ATO), Kenyan Foreign Minister Wanjiru Kamau, and Chilean Foreign Minister Rosa Mendez in Geneva.",
        [("2023-06-05", "meeting", (("Ivo Marsh", "CHE"), ("Karl Berg", "SWE")), "Geneva", "CHE", None),
         ("2023-06-05", "meeting", (("Karl Berg", "SWE"), ("Wanjiru Kamau", "KEN")), "Geneva", "CHE", None),
         ("2023-06-05", "meeting", (("Karl Berg", "SWE"), ("Rosa Mendez", "CHL")), "Geneva", "CHE", None)],
        id="appositive-post-does-not-end-the-list",
    ),
    pytest.param(
        "On 3 May 2023, Foreign Minister Karl Berg of Sweden met with the foreign ministers of Ghana and Togo, "
        "Kwame Asante and Efua Mensah, and the 4th president of Chile, Rosa Mendez.",
        [("2023-05-03", "meeting", (("Karl Berg", "SWE"), ("Kwame Asante", "GHA")), None, None, None),
         ("2023-05-03", "meeting", (("Efua Mensah", "TGO"), ("Karl Berg", "SWE")), None, None, None),
         ("2023-05-03", "meeting", (("Karl Berg", "SWE"), ("Rosa Mendez", "CHL")), None, None, None)],
        id="plural-then-its-names-then-more",
    ),
    pytest.param(
        "Foreign Minister Ana Lopes of Portugal on Tuesday called on both countries to deepen trade and to expand "
        "cooperation in renewable energy and fisheries, during a meeting with her Swedish counterpart Karl Berg in Lisbon.",
        [(None, "meeting", (("Ana Lopes", "PRT"), ("Karl Berg", "SWE")), "Lisbon", "PRT", None)],
        id="during-a-meeting-after-the-main-clause",
    ),
    pytest.param(
        "President Tomas Ekwall of Finland stressed the importance of stable supply chains during his meeting with "
        "President Rosa Mendez of Chile in Helsinki on 4 March 2024.",
        [("2024-03-04", "meeting", (("Rosa Mendez", "CHL"), ("Tomas Ekwall", "FIN")), "Helsinki", "FIN", None)],
        id="during-his-meeting-is-not-background-in-the-lead",
    ),
    pytest.param(
        "Foreign Minister Karl Berg of Sweden, who arrived in Lisbon on Monday for a two-day visit amid a long dispute over "
        "fishing quotas in the North Atlantic, held talks with Foreign Minister Ana Lopes of Portugal on 4 May 2023.",
        [("2023-05-04", "talks", (("Ana Lopes", "PRT"), ("Karl Berg", "SWE")), "Lisbon", "PRT", None)],
        id="relative-clause-between-subject-and-predicate",
    ),
    pytest.param(
        "On 4 May 2023, EAM Rajan Kapoor of India held talks with Foreign Minister Karl Berg of Sweden in Stockholm.",
        [("2023-05-04", "talks", (("Karl Berg", "SWE"), ("Rajan Kapoor", "IND")), "Stockholm", "SWE", None)],
        id="abbreviated-post-before-the-name",
    ),
    pytest.param(
        "On 4 May 2023, Foreign Minister Karl Berg of Sweden visited National Security Adviser Rajan Kapoor's office in New Delhi.",
        [("2023-05-04", "meeting", (("Karl Berg", "SWE"), ("Rajan Kapoor", "IND")), "New Delhi", "IND", None)],
        id="visiting-a-persons-office-is-meeting-them",
    ),
    pytest.param(
        "On 4 October 2023, H.E. Wei Lin, Ambassador of China to Ghana paid a farewell call on President Kofi Mensah of Ghana.",
        [("2023-10-04", "meeting", (("Kofi Mensah", "GHA"), ("Wei Lin", "CHN")), None, None, None)],
        id="an-envoys-to-is-no-infinitive",
    ),
    pytest.param(
        "On 4 May 2023, Foreign Minister Karl Berg of Sweden met his counterparts from Ghana and Peru, Kwame Asante and Rita Lima.",
        [("2023-05-04", "meeting", (("Karl Berg", "SWE"), ("Kwame Asante", "GHA")), None, None, None),
         ("2023-05-04", "meeting", (("Karl Berg", "SWE"), ("Rita Lima", "PER")), None, None, None)],
        id="a-surname-that-is-also-a-city",
    ),
    pytest.param(
        "On 9 October 2015, Foreign Minister Karl Berg of Sweden received the Special Envoy of Mexico, Ambassador, Juan Ortega.",
        [("2015-10-09", "meeting", (("Juan Ortega", "MEX"), ("Karl Berg", "SWE")), None, None, None)],
        id="a-post-then-its-holder",
    ),
    pytest.param(
        "Karl Berg holds video conference with counterparts from Ghana, two other nations\n\n"
        "On 11 May 2020, Foreign Minister Karl Berg of Sweden held a video conference with his counterparts from Ghana, Togo and Peru.",
        [("2020-05-11", "video_call", (("", "GHA"), ("", "PER"), ("", "TGO"), ("Karl Berg", "SWE")), None, None, None)],
        id="a-vague-group-in-the-headline-is-the-bodys-engagement",
    ),
    pytest.param(
        "Trade fair opens in Oslo\n\nOn 4 May 2023, Foreign Minister Karl Berg of Sweden opened a trade fair in Oslo together "
        "with business leaders from both countries. Berg also met with Foreign Minister Ana Lopes of Portugal.",
        [("2023-05-04", "meeting", (("Ana Lopes", "PRT"), ("Karl Berg", "SWE")), None, None, None)],
        id="also-continues-the-day-of-the-sentence-before",
    ),
    pytest.param(
        "On 4 May 2023, Foreign Minister Karl Berg of Sweden met his Ghanaian counterpart Kwame Asante and Trade Minister Efua Mensah.",
        [("2023-05-04", "meeting", (("Karl Berg", "SWE"), ("Kwame Asante", "GHA")), None, None, None),
         ("2023-05-04", "meeting", (("Efua Mensah", "GHA"), ("Karl Berg", "SWE")), None, None, None)],
        id="a-stateless-person-named-with-one-of-a-state",
    ),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_engagements(text: str, expected: list) -> None:
    readout = run(text)
    assert readout.is_readout
    assert summary(readout) == expected


@pytest.mark.parametrize(
    "url, state",
    [
        ("https://www.gov.uk/government/news/pm-meets-secretary-general", "GBR"),  # an official site: its own PM
        ("https://www.dfat.gov.au/news/pm-meets-secretary-general", "AUS"),
        ("https://news.example.com/pm-meets-secretary-general", None),  # a news site: unknown
    ],
)
def test_unnamed_official_of_the_publisher(url: str, state: str | None) -> None:
    text = ("PM meeting with the UN Secretary-General\n\n"
            "The Prime Minister met UN Secretary-General Aino Virtanen at the General Assembly on 24 September 2024. "
            "They discussed climate finance and the situation in the Sahel.")
    readout = extract(clean(RawDocument("t", "test", text=text, url=url)))
    (e,) = readout.engagements
    pm = next(p for p in e.participants if p.title == "Prime Minister")
    assert (pm.name, pm.country) == (None, state)


def test_publisher_state_only_when_no_one_else_has_it() -> None:
    text = ("The Ambassador met Foreign Secretary David Lamb of the United Kingdom in London on 3 May 2023. "
            "They discussed fisheries.")
    readout = extract(clean(RawDocument("t", "test", text=text, url="https://www.gov.uk/government/news/x")))
    (e,) = readout.engagements
    envoy = next(p for p in e.participants if p.name is None)
    assert envoy.country != "GBR"


@pytest.mark.parametrize(
    "text",
    [
        # announcements of future engagements
        "Foreign Minister Ana Lopes of Portugal will meet Foreign Minister Karl Berg of Sweden next week.",
        "Foreign Minister Ana Lopes of Portugal is scheduled to visit Stockholm and hold talks with Karl Berg.",
        # an engagement that did not happen
        "Foreign Minister Ana Lopes of Portugal could not meet Foreign Minister Karl Berg of Sweden because of the storm.",
        "Ambassador Wei Lin of China is to pay a farewell call on President Kofi Mensah of Ghana.",
        # a year in review, engagements dated to the month at most
        "In 2019, relations between Portugal and Sweden continued to develop. In May, Prime Minister Rui Costa of "
        "Portugal met with Prime Minister Lars Holm of Sweden. In October, Prime Minister Rui Costa of Portugal "
        "held talks with Foreign Minister Karl Berg of Sweden.",
        # meeting the press together is a press conference
        "On May 9, 2023, Foreign Minister Ana Lopes of Portugal and Foreign Minister Karl Berg of Sweden jointly met "
        "the press in Lisbon.",
        # a press conference
        "Foreign Ministry Spokesperson Mei Lan's Regular Press Conference on May 3, 2021\n\n"
        "Question: What is your comment? Mei Lan: We have no information to offer.",
        # no officials at all
        "The weather in Lisbon was sunny on Monday and the markets rose.",
        # a joint statement
        "Joint Statement between Portugal and Sweden\n\nForeign Minister Ana Lopes of Portugal and Foreign Minister "
        "Karl Berg of Sweden held talks in Lisbon. The two sides agree to deepen cooperation.",
    ],
)
def test_not_readouts(text: str) -> None:
    readout = run(text)
    assert not readout.is_readout
    assert readout.engagements == ()


def test_planned_engagement_is_kept_apart() -> None:
    readout = run(
        "On March 3, 2021, Foreign Minister Ana Lopes of Portugal met with Foreign Minister Karl Berg of Sweden in Lisbon. "
        "Lopes said that President Rui Costa will pay a state visit to Sweden from June 8 to 10."
    )
    assert len(readout.engagements) == 1
    (plan,) = [p for p in readout.planned if p.kind == "visit"]
    assert [p.name for p in plan.participants] == ["Rui Costa"]
    assert plan.location.country == "SWE"
    assert plan.date == "2021-06-08"


def test_statements_name_the_speaker_and_their_issues() -> None:
    readout = run(
        "On March 3, 2021, Foreign Minister Ana Lopes of Portugal met with Foreign Minister Karl Berg of Sweden in Lisbon.\n"
        "Lopes said that the two countries should deepen cooperation on the Arctic situation.\n"
        "Berg agreed and stressed the importance of trade.\n"
        "The two sides also exchanged views on the Ukraine crisis."
    )
    speakers = [(s.speaker, s.speaker_country, s.stance) for s in readout.statements]
    assert speakers == [("Ana Lopes", "PRT", "assert"), ("Karl Berg", "SWE", "agree"), (None, None, "discuss")]
    assert readout.statements[0].issues == ("Arctic situation",)
    assert "Ukraine crisis" in [i.text for i in readout.issues]


def test_every_span_points_into_the_clean_text() -> None:
    doc = clean(RawDocument("t", "test", text=(
        "Home > News\nLopes meets Berg\n\nOn March 3, 2021, Foreign Minister Ana Lopes of Portugal met with "
        "Foreign Minister Karl Berg of Sweden on the sidelines of the Lisbon Forum in Lisbon.\nLopes said hello.")))
    readout = extract(doc)
    spans = []
    for e in readout.engagements:
        spans += [e.trigger, e.date_span, e.occasion_span, e.location.span] + [p.span for p in e.participants]
    spans += [s.span for s in readout.statements] + [i.span for i in readout.issues]
    spans = [s for s in spans if s is not None]
    assert len(spans) >= 7
    for span in spans:
        assert doc.text[span.start:span.end] == span.text
        assert span.rule
