"""Tests of readouts.clean: page furniture, titles, publication dates and datelines.

Every text here is written for these tests; the officials are invented.
"""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from readouts.clean import clean
from readouts.gazetteer import normalise
from readouts.records import CleanDocument, RawDocument

TITLE = "Kallas Meets with Norwegian Foreign Minister Strand"
S1 = "Foreign Minister Arvo Kallas met with Foreign Minister Elin Strand of Norway in Oslo on Tuesday."
S2 = "The two ministers discussed cooperation on fisheries, energy and Arctic research."
S3 = "Elin Strand said that Norway is ready to hold the next round of consultations in Tallinn."
BODY = [S1, S2, S3]


def page(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def from_text(text: str) -> CleanDocument:
    return clean(RawDocument(id="t", source="t.txt", text=text))


def from_html(html: str) -> CleanDocument:
    return clean(RawDocument(id="h", source="h.html", html=html))


def lines_of(doc: CleanDocument) -> list[str]:
    return [line for line in doc.text.split("\n") if line]


# --- page furniture --------------------------------------------------------------

# (page text, expected title, expected published, lines that must be gone, lines that must stay)
FURNITURE = {
    "breadcrumb": (
        page("Home > News > Embassy News", TITLE, *BODY),
        TITLE, None, ["Home > News > Embassy News"], BODY,
    ),
    "nav-wide-spacing": (
        page("Home    About the Ministry    News    Contact", TITLE, *BODY),
        TITLE, None, ["Home", "About the Ministry", "Contact"], BODY,
    ),
    "nav-pipes": (
        page("Home | About the Ministry | News | Contact", TITLE, *BODY),
        TITLE, None, ["Home", "Contact"], BODY,
    ),
    "suggest-to-a-friend": (
        page(TITLE, "Suggest to a friend", "<Suggest To A Friend>", "[Suggest to a Friend]", *BODY),
        TITLE, None, ["Suggest to a friend", "Suggest To A Friend"], BODY,
    ),
    "share-print-email": (
        page(TITLE, *BODY, "Share", "Print", "E-mail", "Tweet", "Bookmark and Share"),
        TITLE, None, ["Share", "Print", "E-mail", "Tweet", "Bookmark and Share"], BODY,
    ),
    "comment-prompt-stops": (
        page(TITLE, *BODY, "Please enter your comment!",
             "Minister Kallas later visited the harbour.", "Please enter your name here"),
        TITLE, None,
        ["Please enter your comment!", "Minister Kallas later visited the harbour.", "Please enter your name here"],
        BODY,
    ),
    "related-stories-cut": (
        page(TITLE, *BODY, "Related Stories", "Kallas to visit Vilnius next month",
             "Strand opens new embassy in Tallinn"),
        TITLE, None,
        ["Related Stories", "Kallas to visit Vilnius next month", "Strand opens new embassy in Tallinn"],
        BODY,
    ),
    "copyright-footer": (
        page(TITLE, *BODY, "Copyright © 2021 Ministry of Foreign Affairs. All rights reserved.",
             "© 2021 Ministry of Foreign Affairs"),
        TITLE, None, ["Copyright", "All rights reserved", "© 2021"], BODY,
    ),
    "cookie-notice": (
        page(TITLE, *BODY, "By continuing to browse this site you agree to our use of cookies.",
             "Accept cookies", "Cookie settings"),
        TITLE, None, ["continuing to browse", "Accept cookies", "Cookie settings"], BODY,
    ),
    "capture-marker": (
        " date 2021-11-12 " + page(TITLE, *BODY),
        TITLE, "2021-11-12", ["date 2021-11-12", "2021-11-12"], BODY,
    ),
    "updated": (
        page(TITLE, "Updated: Jul 4,2016 7:31 PM", *BODY),
        TITLE, "2016-07-04", ["Updated:", "7:31 PM"], BODY,
    ),
    "iso-with-time": (
        page(TITLE, "2016-01-28 18:31", *BODY),
        TITLE, "2016-01-28", ["2016-01-28", "18:31"], BODY,
    ),
    "date-label": (
        page(TITLE, "Date: 18 Sep, 2015", *BODY),
        TITLE, "2015-09-18", ["Date: 18 Sep, 2015"], BODY,
    ),
    "published-slashes": (
        page(TITLE, "Published: 2019/3/8 10:26:05", *BODY),
        TITLE, "2019-03-08", ["Published:", "2019/3/8"], BODY,
    ),
    "agency-time-first": (
        page(TITLE, "(Xinhua) 16:06, May 29, 2024", *BODY),
        TITLE, "2024-05-29", ["16:06", "May 29, 2024"], BODY,
    ),
    "release-time": (
        page(TITLE, "Release time: 14:50, May 30, 2023", *BODY),
        TITLE, "2023-05-30", ["Release time", "May 30, 2023"], BODY,
    ),
    "everything-at-once": (
        page("Home > News > Embassy News", "Home | About | News | Contact", TITLE,
             "Published: 2019/3/8 10:26:05", "[Suggest to a Friend]", *BODY, "Share", "Print",
             "Related Stories", "Kallas to visit Vilnius next month",
             "Copyright © 2019 Ministry of Foreign Affairs"),
        TITLE, "2019-03-08",
        ["Embassy News", "Contact", "Published", "Suggest", "Share", "Print", "Related Stories",
         "Vilnius", "Copyright"],
        BODY,
    ),
}


@pytest.mark.parametrize("text, title, published, gone, kept", FURNITURE.values(), ids=FURNITURE.keys())
def test_furniture(text, title, published, gone, kept):
    doc = from_text(text)
    assert doc.title == title
    assert doc.published == published
    assert doc.text.startswith(title + "\n\n")
    body = doc.text[len(title):]
    for fragment in gone:
        assert fragment not in body, fragment
    for line in kept:
        assert line in lines_of(doc), line
    assert lines_of(doc) == [title, *BODY]


def test_removed_lines_are_recorded():
    doc = from_text(page("Home > News > Embassy News", TITLE, "Date: 18 Sep, 2015", *BODY, "Share"))
    assert "Home > News > Embassy News" in doc.removed
    assert "Date: 18 Sep, 2015" in doc.removed
    assert "Share" in doc.removed
    assert not any(s in doc.removed for s in BODY)


def test_clean_keeps_id_source_metadata_and_hash():
    raw = RawDocument(id="d-1", source="in/d-1.txt", text=page(TITLE, *BODY), url="https://example.org/a",
                      metadata={"site": "example"})
    doc = clean(raw)
    assert (doc.id, doc.source, doc.url, doc.metadata) == ("d-1", "in/d-1.txt", "https://example.org/a",
                                                           {"site": "example"})
    assert doc.content_hash and doc.content_hash == clean(raw).content_hash


# --- datelines -------------------------------------------------------------------

LEAD = "Foreign Minister Arvo Kallas met with Foreign Minister Elin Strand of Norway on Tuesday."

# (page text, published, dateline place, dateline date, dateline span text)
DATELINES = {
    "xinhua": (
        page(TITLE, "Published: 2019-03-02", f"BEIJING, Feb. 28 (Xinhua) -- {LEAD}", S2),
        "2019-03-02", "Beijing", "2019-02-28", "BEIJING, Feb. 28 (Xinhua) --",
    ),
    "ria": (
        page(TITLE, "Published: 2018-04-13", f"MOSCOW, April 12 - RIA Novosti. {LEAD}", S2),
        "2018-04-13", "Moscow", "2018-04-12", "MOSCOW, April 12 -",
    ),
    "place-only": (
        page(TITLE, "Published: 2019-03-02", f"RIGA - {LEAD}", S2),
        "2019-03-02", "Riga", None, "RIGA -",
    ),
    "montsame": (
        page(TITLE, "Published: 2019-03-02", f"Ulaanbaatar /MONTSAME/. {LEAD}", S2),
        "2019-03-02", "Ulaanbaatar", None, "Ulaanbaatar /MONTSAME/.",
    ),
    "date-first": (
        page(TITLE, f"November 15, 2020 (JUBA) - {LEAD}", S2),
        None, "Juba", "2020-11-15", "November 15, 2020 (JUBA) -",
    ),
    "united-nations": (
        page(TITLE, "Published: 2019-09-24", f"United Nations, Sep 23 (Agency) {LEAD}", S2),
        "2019-09-24", "New York", "2019-09-23", "United Nations, Sep 23 (Agency)",
    ),
    "washington-dc": (
        page(TITLE, "Published: 2019-09-24", f"Washington, DC - {LEAD}", S2),
        "2019-09-24", "Washington", None, "Washington, DC -",
    ),
    "december-in-january": (
        page(TITLE, "Published: 2020-01-02", f"BEIJING, Dec. 30 (Xinhua) -- {LEAD}", S2),
        "2020-01-02", "Beijing", "2019-12-30", "BEIJING, Dec. 30 (Xinhua) --",
    ),
    "capture-marker-year": (
        " date 2019-03-02 " + page(TITLE, f"BEIJING, Feb. 28 (Xinhua) -- {LEAD}", S2),
        "2019-03-02", "Beijing", "2019-02-28", "BEIJING, Feb. 28 (Xinhua) --",
    ),
    "no-year-anywhere": (
        page(TITLE, f"BEIJING, Feb. 28 (Xinhua) -- {LEAD}", S2),
        None, "Beijing", None, "BEIJING, Feb. 28 (Xinhua) --",
    ),
    "numeric-dotted-agency": (
        page(TITLE, f"DUSHANBE, 23.07.2022 (Khovar) – {LEAD}", S2),
        None, "Dushanbe", "2022-07-23", "DUSHANBE, 23.07.2022 (Khovar) –",
    ),
    "numeric-slashed-own-line": (
        page(TITLE, "Brussels, 19/06/2021", LEAD, S2),
        None, "Brussels", "2021-06-19", "Brussels, 19/06/2021",
    ),
    "numeric-ambiguous": (
        page(TITLE, f"Lima, 07/10/2021 - {LEAD}", S2),
        None, "Lima", None, "Lima, 07/10/2021 -",
    ),
}


@pytest.mark.parametrize("text, published, place, when, span_text", DATELINES.values(), ids=DATELINES.keys())
def test_dateline(text, published, place, when, span_text):
    doc = from_text(text)
    assert doc.title == TITLE
    assert doc.published == published
    assert doc.dateline == place
    assert doc.dateline_date == when
    span = doc.dateline_span
    assert span is not None and span.rule == "dateline"
    assert span.text == span_text
    assert doc.text.startswith(span.text, span.start)  # the span starts where its text is
    assert LEAD in doc.text and S2 in doc.text


@pytest.mark.parametrize("text", [v[0] for v in DATELINES.values()], ids=DATELINES.keys())
def test_dateline_span_points_into_the_text(text):
    doc = from_text(text)
    span = doc.dateline_span
    assert doc.text[span.start:span.end] == span.text


# a wire copy broken into lines of one width: the first line runs on into the second
WRAPPED = [
    "Foreign Minister Ana Lopes of Portugal and visiting Swedish Foreign",
    "Minister Karl Berg held talks in Lisbon this morning at the Palace of",
    "Necessidades, the two ministers said after the meeting, which lasted",
    "nearly two hours and covered trade, fisheries and energy cooperation",
    "between the two countries and the situation in the Middle East, they",
    "said in a joint statement issued by the two foreign ministries today.",
]


def test_wrapped_first_line_is_no_title():
    doc = from_text("\n".join(WRAPPED))
    assert doc.title is None
    assert doc.text.startswith(WRAPPED[0])


def test_title_before_a_blank_line_in_wrapped_text():
    doc = from_text("Lopes and Berg hold talks in Lisbon\n\n" + "\n".join(WRAPPED))
    assert doc.title == "Lopes and Berg hold talks in Lisbon"


def test_no_dateline_in_a_plain_readout():
    doc = from_text(page(TITLE, S1, S2))
    assert doc.dateline is None and doc.dateline_date is None and doc.dateline_span is None


def test_impossible_dateline_date_does_not_raise():
    doc = from_text(page(TITLE, "Published: 2021-03-02", f"BEIJING, Feb. 29 (Xinhua) -- {LEAD}", S2))
    assert doc.dateline == "Beijing"
    assert doc.dateline_date is None


# --- HTML ------------------------------------------------------------------------

P1 = "On March 3, 2021, Foreign Minister Arvo Kallas met with Foreign Minister Elin Strand of Norway in Oslo."
P2 = "The two ministers discussed cooperation on fisheries, energy and Arctic research, and agreed to keep in close contact."
P3 = "Elin Strand said that Norway values its partnership with Estonia and looks forward to the next round of consultations."

FULL_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/about">About the Ministry</a></li><li><a href="/consular">Consular Services</a></li></ul></nav>
<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/news">News</a> &gt; Embassy News</div>
<article>
<h1>{TITLE}</h1>
<p>{P1}</p>
<p>{P2}</p>
<p>{P3}</p>
<div class="share"><a href="#">Share</a> | <a href="#">Print</a> | <a href="mailto:?">E-mail</a></div>
</article>
<footer><p>Copyright 2021 Ministry of Foreign Affairs. All rights reserved.</p><p>Contact us | Sitemap | Privacy</p></footer>
</body></html>"""


def test_full_html_page():
    doc = from_html(FULL_PAGE)
    assert doc.title == TITLE
    assert doc.published == "2021-03-03"
    for p in (P1, P2, P3):
        assert p in doc.text
    for furniture in ("About the Ministry", "Consular Services", "Embassy News", "Copyright", "Sitemap",
                      "All rights reserved", "E-mail"):
        assert furniture not in doc.text, furniture


BROKEN = {
    "unclosed-tags": f"<html><body><div><p>{P1}<p>{P2}<div><p>{P3}",
    "stray-closing-div": f"<html><body><p>{P1}</p></div></div><p>{P2}</p></span><p>{P3}</p></body></html>",
    "no-html-element": f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>",
    "truncated-in-a-tag": f"<html><body><article><p>{P1}</p><p>{P2}</p><p>{P3}</p><a href=\"/news/2021/03/kall",
    "truncated-in-an-attribute": f"<html><body><p>{P1}</p><p>{P2}</p><p>{P3}</p><img src='x.png' alt=\"Ka",
    "unclosed-comment": f"<html><body><p>{P1}</p><p>{P2}</p><p>{P3}</p><!-- footer start",
}


@pytest.mark.parametrize("html", BROKEN.values(), ids=BROKEN.keys())
def test_broken_html_still_gives_text(html):
    doc = from_html(html)
    for p in (P1, P2, P3):
        assert p in doc.text
    assert "href" not in doc.text and "src=" not in doc.text


def test_truncated_tag_does_not_leak_into_short_page_text():
    doc = from_html("<p>Kallas met Strand in Oslo.</p><scr")
    assert "Kallas met Strand in Oslo." in doc.text
    assert "<" not in doc.text


SCRIPTED = f"""<html><head><title>{TITLE}</title>
<script>var tracker = 'SCRIPT_TRACKER_TOKEN'; document.write('SCRIPT_WRITTEN');</script>
<style>.lead {{ color: red }} /* STYLE_RULE */</style></head>
<body onload="init('ONLOAD_PAYLOAD')">
<article><p>{P1}</p>
<img src="map.png" onerror="alert('ONERROR_PAYLOAD')">
<p onclick="track('ONCLICK_PAYLOAD')">{P2}</p>
<script type="text/javascript">console.log('SCRIPT_BODY_TEXT');</script>
<noscript>NOSCRIPT_NOTICE please enable JavaScript</noscript>
<p>{P3}</p></article></body></html>"""

SCRIPTED_SHORT = "<div>Kallas met Strand in Oslo.<img src=x onerror=\"alert('ONERROR_PAYLOAD')\"><script>steal('SCRIPT_BODY_TEXT')"


@pytest.mark.parametrize("html", [SCRIPTED, SCRIPTED_SHORT], ids=["article", "short-fallback"])
def test_no_script_text(html):
    doc = from_html(html)
    assert "Kallas" in doc.text
    for marker in ("SCRIPT_", "ONERROR", "ONLOAD", "ONCLICK", "STYLE_RULE", "alert(", "console.log",
                   "document.write"):
        assert marker not in doc.text, marker
    if html is SCRIPTED:
        for p in (P1, P2, P3):
            assert p in doc.text


@given(st.text(alphabet=st.sampled_from("aZ 9'\"`’‘“”\xa0‐‑-é"), max_size=30))
def test_normalise_maps_quotes_spaces_and_hyphens_keeping_the_length(text: str) -> None:
    expected = text.translate(str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "\xa0": " ",
                                             "‐": "-", "‑": "-"}))
    assert normalise(text) == expected and len(normalise(text)) == len(text)
