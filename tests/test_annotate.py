"""Mentions of people: name, post and state, as tables of (text, expected mentions)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from readouts.annotate import TOKEN_RE, _tokenise_loop, annotate, tokenise


def people(text: str) -> list[tuple[str | None, str | None, str | None]]:
    ann = annotate(text)
    out = []
    for m in ann.mentions:
        if m.pronoun or m.rule == "bare":
            continue
        if m.entity is not None:
            e = ann.entities[m.entity]
            out.append((e.name, m.title, m.country or e.country))
        else:
            out.append((m.name, m.title, m.country))
    return out


@pytest.mark.parametrize(
    "text, expected",
    [
        # demonym before the post
        ("Chinese Foreign Minister Li Wenhao met the press.", [("Li Wenhao", "Foreign Minister", "CHN")]),
        # post, name, "of STATE"
        ("Foreign Minister Anton Petrov of Bulgaria arrived.", [("Anton Petrov", "Foreign Minister", "BGR")]),
        # post "of STATE" before the name
        ("Minister of Foreign Affairs of Mongolia B.Enkhbold spoke.", [("B.Enkhbold", "Minister of Foreign Affairs", "MNG")]),
        # possessive state
        ("Turkey's Foreign Minister Ayse Demir smiled.", [("Ayse Demir", "Foreign Minister", "TUR")]),
        # appositive post after the name, with a complement
        ("Maria Lindqvist, Director General of the Consular Department of the Ministry of Foreign Affairs, spoke.",
         [("Maria Lindqvist", "Director General of the Consular Department of the Ministry of Foreign Affairs", None)]),
        # compound post
        ("State Councilor and Foreign Minister Zhou Ming left.", [("Zhou Ming", "State Councilor and Foreign Minister", None)]),
        # an envoy: represents one state, accredited to another
        ("Kenyan Ambassador to Japan Grace Wanjiru called.", [("Grace Wanjiru", "Ambassador", "KEN")]),
        ("the Ambassador of Peru in Egypt Carlos Quispe", [("Carlos Quispe", "Ambassador", "PER")]),
        # honorifics are not part of the name
        ("H.E. Dr. Amina Yusuf, Minister of Health of Nigeria", [("Amina Yusuf", "Minister of Health", "NGA")]),
        # post-nominal letters
        ("Hon. Peter Wallace MP, Minister for Trade of Australia", [("Peter Wallace", "Minister for Trade", "AUS")]),
        # the state's long name ends the post
        ("President of the Democratic Republic of the Congo Joseph Ilunga", [("Joseph Ilunga", "President", "COD")]),
        # subnational post with its place
        ("Lagos Mayor Tunde Bakare", [("Tunde Bakare", "Mayor", "NGA")]),
        # a known official: the state comes from the gazetteer
        ("Sergey Lavrov said so.", [("Sergey Lavrov", None, "RUS")]),
        # unnamed post with a state
        ("the Foreign Minister of Chile", [(None, "Foreign Minister", "CHL")]),
        # a generational suffix after a comma is part of no name and ends nothing
        ("President Samuel T. Okoro, Jr. of Nigeria arrived.", [("Samuel T. Okoro", "President", "NGA")]),
        # a social-media handle is no name: the post after it stands alone
        ("Met my friend H.E. @KarlBergSE, Foreign Minister of Sweden, today.", [(None, "Foreign Minister", "SWE")]),
        # abbreviated posts before a name are posts, not name parts
        ("EAM Rajan Kapoor arrived.", [("Rajan Kapoor", "EAM", None)]),
        ("DPM Harold Reeve arrived.", [("Harold Reeve", "DPM", None)]),
        ("NSA Rajan Kapoor arrived.", [("Rajan Kapoor", "NSA", None)]),
        # a one-word city that ends a name is its last word
        ("Deputy Minister Nguyen Van Vinh, who met the press, left.", [("Nguyen Van Vinh", "Deputy Minister", None)]),
    ],
)
def test_mentions(text: str, expected: list) -> None:
    assert people(text) == expected


@pytest.mark.parametrize(
    "text, countries",
    [
        ("his counterparts from Ghana, Togo and Benin", ("GHA", "TGO", "BEN")),
        ("the ministers of Laos, Cambodia and Thailand", ("LAO", "KHM", "THA")),
        ("envoys of the Republic of Tunisia and the Federal Democratic Republic of Ethiopia", ("TUN", "ETH")),
    ],
)
def test_plural_mentions(text: str, countries: tuple[str, ...]) -> None:
    ann = annotate(text)
    plural = [m for m in ann.mentions if m.plural]
    assert plural and plural[0].countries == countries


@pytest.mark.parametrize(
    "text, names",
    [
        # surname-only and post+surname mentions resolve to the full name
        ("Foreign Minister Ana Lopes of Portugal met the press. Lopes said the talks went well. "
         "Minister Lopes then left.", {"Ana Lopes"}),
        # transliteration variants of a known name are one person
        ("Foreign Minister Sergei Lavrov arrived. Sergey Lavrov said hello.", {"Sergei Lavrov"}),
        # a name word misspelt by one letter, the rest the same: one person
        ("President Vladimir Sorin of Russia arrived. Russian President Vladmir Sorin said hello.", {"Vladimir Sorin"}),
        # but two different given names stay two people
        ("Minister Anna Berg of Sweden arrived. Minister Jonas Berg of Sweden left.", {"Anna Berg", "Jonas Berg"}),
        # "the Special Representative" refers back to the person who holds that post
        ("Special Representative on African Affairs Tan Wei visited Ghana. The Special Representative met the press.",
         {"Tan Wei"}),
    ],
)
def test_entities(text: str, names: set[str]) -> None:
    ann = annotate(text)
    assert {e.name for e in ann.entities} == names


def test_two_people_with_one_surname_stay_apart() -> None:
    ann = annotate("Foreign Minister Ana Lopes of Portugal met Trade Minister Rui Lopes of Brazil.")
    assert {(e.name, e.country) for e in ann.entities} == {("Ana Lopes", "PRT"), ("Rui Lopes", "BRA")}


def test_mention_offsets_point_into_the_text() -> None:
    text = "On Monday, Chinese Foreign Minister Li Wenhao met with Foreign Minister Anton Petrov of Bulgaria."
    ann = annotate(text)
    for m in ann.mentions:
        assert text[m.start:m.end].strip() == text[m.start:m.end]
        assert m.end > m.start


@pytest.mark.parametrize("text, tokens", [
    ("Wang Yi met Lavrov.", ["Wang", "Yi", "met", "Lavrov", "."]),
    ("  \n\tU.S.-China  talks ", ["U", ".", "S", ".", "-", "China", "talks"]),
    ("", []),
    ("   ", []),
])
def test_tokenise(text: str, tokens: list[str]) -> None:
    toks, starts, ends = tokenise(text)
    assert toks == tokens
    assert [text[s:e] for s, e in zip(starts, ends)] == tokens


@given(st.text(alphabet=st.sampled_from("ab Z9_.,'-()\n\t\u00a0\u2009\u3000\u2019é中²"), max_size=60) | st.text(max_size=40))
def test_tokenise_agrees_with_the_token_pattern(text: str) -> None:
    found = list(TOKEN_RE.finditer(text))
    expected = ([m.group() for m in found], [m.start() for m in found], [m.end() for m in found])
    assert tokenise(text) == expected
    assert _tokenise_loop(text) == expected  # the compiled build's way gives the same tokens
