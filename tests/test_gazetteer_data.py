"""Validation of the gazetteer data files shipped in readouts/data."""

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "src" / "readouts" / "data"

HEADERS = {
    "countries.tsv": ["iso3", "name", "aliases", "demonyms", "capital"],
    "cities.tsv": ["city", "country", "aliases"],
    "organisations.tsv": ["short", "names", "kind"],
    "officials.tsv": ["name", "aliases", "country", "title", "start", "end"],
}
ORG_KINDS = {"intergovernmental", "un_body", "bank", "forum", "ngo"}
# Aliases/demonyms allowed under one code even though they could name others.
ALLOWED_SHARED = {"Korea": {"KOR"}, "Korean": {"KOR"}, "Congo": {"COG"}}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def read_raw(name):
    text = (DATA / name).read_text(encoding="utf-8")
    assert text.endswith("\n"), f"{name}: missing final newline"
    return text[:-1].split("\n")


def read_rows(name):
    lines = read_raw(name)
    return [dict(zip(HEADERS[name], line.split("\t"))) for line in lines[1:]]


def split(cell):
    return [v for v in cell.split("|") if v] if cell else []


@pytest.fixture(scope="module")
def countries():
    return read_rows("countries.tsv")


@pytest.fixture(scope="module")
def country_codes(countries):
    return {r["iso3"] for r in countries}


@pytest.fixture(scope="module")
def org_shorts():
    return {r["short"] for r in read_rows("organisations.tsv")}


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_header_and_columns(name):
    lines = read_raw(name)
    assert lines[0].split("\t") == HEADERS[name]
    width = len(HEADERS[name])
    for i, line in enumerate(lines[1:], start=2):
        assert line.strip(), f"{name}:{i}: empty line"
        assert not line.startswith("#"), f"{name}:{i}: comment line"
        cells = line.split("\t")
        # An empty last cell legitimately ends the line with a tab; any tab
        # beyond the header's width shows up as an extra column.
        assert len(cells) == width, f"{name}:{i}: {len(cells)} columns"
        assert cells[0], f"{name}:{i}: empty key column"
        for cell in cells:
            assert cell == cell.strip(), f"{name}:{i}: stray whitespace {cell!r}"
            for v in cell.split("|") if cell else []:
                assert v and v == v.strip(), f"{name}:{i}: bad multi-value {cell!r}"


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_no_duplicate_rows(name):
    lines = read_raw(name)[1:]
    seen = set()
    for line in lines:
        assert line not in seen, f"{name}: duplicate row {line!r}"
        seen.add(line)


def test_countries_codes_unique_and_wellformed(countries):
    codes = [r["iso3"] for r in countries]
    assert len(codes) == len(set(codes))
    for c in codes:
        assert re.fullmatch(r"[A-Z]{3}", c), c
    for required in ("XKX", "HKG", "MAC", "TWN", "PSE", "CHN", "USA"):
        assert required in codes


def test_every_country_has_name_and_demonym(countries):
    for r in countries:
        assert r["name"], r["iso3"]
        assert split(r["demonyms"]), f"{r['iso3']} has no demonym"


def test_no_alias_under_two_codes(countries):
    owners = defaultdict(set)
    for r in countries:
        values = [r["name"]] + split(r["aliases"]) + split(r["demonyms"])
        for v in set(values):
            owners[v].add(r["iso3"])
    for value, codes in owners.items():
        if value in ALLOWED_SHARED:
            assert codes == ALLOWED_SHARED[value], (value, codes)
        else:
            assert len(codes) == 1, f"{value!r} listed under {sorted(codes)}"


def test_iso3_against_pycountry(country_codes):
    pycountry = pytest.importorskip("pycountry")
    official = {c.alpha_3 for c in pycountry.countries}
    assert official - country_codes == set(), "ISO codes missing"
    assert country_codes - official <= {"XKX"}, "unknown codes"


def test_cities_reference_countries(country_codes):
    rows = read_rows("cities.tsv")
    assert len(rows) >= 1000
    for r in rows:
        assert r["city"], r
        assert r["country"] in country_codes, r
        assert r["city"] not in split(r["aliases"]), r


def test_capitals_present_in_cities(countries):
    cities = {r["city"] for r in read_rows("cities.tsv")}
    missing = [
        (r["iso3"], c)
        for r in countries
        for c in split(r["capital"])
        if c not in cities
    ]
    # A few capitals are deliberately not city rows (too ambiguous to match).
    assert len(missing) <= 10, missing


def test_organisations():
    rows = read_rows("organisations.tsv")
    shorts = [r["short"] for r in rows]
    assert len(shorts) == len(set(shorts))
    for r in rows:
        assert r["kind"] in ORG_KINDS, r
    for required in ("UN", "EU", "ASEAN", "AU", "SCO", "NATO", "G20", "BRICS"):
        assert required in shorts


def test_officials(country_codes, org_shorts):
    rows = read_rows("officials.tsv")
    assert len(rows) >= 800
    valid = country_codes | org_shorts
    for r in rows:
        assert r["name"] and r["title"], r
        assert r["country"] in valid, r
        assert MONTH.match(r["start"]), r
        if r["end"]:
            assert MONTH.match(r["end"]), r
            assert r["start"] <= r["end"], r
        for alias in split(r["aliases"]):
            assert len(alias.split()) >= 2, f"one-word alias {alias!r} for {r['name']}"


@pytest.mark.parametrize(("value", "expected"), [
    ("CHN", "CHN"), ("chn", "CHN"), (" rus ", "RUS"), ("XKX", "XKX"), ("eu", "EU"), ("ASEAN", "ASEAN"),
    ("China", "'China' is not an ISO 3166-1 alpha-3 country code (for China use CHN)"),
    ("CN", "'CN' is not an ISO 3166-1 alpha-3 country code (three letters, e.g. CHN)"),
    ("XXX", "'XXX' is not an ISO 3166-1 alpha-3 country code (three letters, e.g. CHN)"),
    ("", "'' is not an ISO 3166-1 alpha-3 country code (three letters, e.g. CHN)"),
])
def test_country_code(value, expected):
    from readouts.gazetteer import country_code

    try:
        got = country_code(value)
    except ValueError as exc:
        got = str(exc)
    assert got == expected
