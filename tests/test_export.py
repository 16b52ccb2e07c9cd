"""Exports read back: CSV, JSON Lines and Parquet carry one row per engagement."""
from __future__ import annotations

import csv
import json
import os
import stat
from collections.abc import Iterator
from datetime import date

import pyarrow.parquet as pq
import pytest
from store_samples import SAMPLE, TAMM, engagement_ids, make_result

from readouts.export import (
    CSV_COLUMNS,
    ExportError,
    export,
    format_participants,
    format_table,
)
from readouts.records import Engagement, EventCode, Location
from readouts.store import Store

IDS = engagement_ids()
ORDER = [IDS[x] for x in ("C0", "D0", "A0", "B0", "C1")]


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with Store(tmp_path / "readouts.db") as s:
        s.add_batch(list(SAMPLE.values()))
        yield s


def test_csv(store, tmp_path):
    path = tmp_path / "out.csv"
    assert export(store, "csv", path) == 5
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["id"] for r in rows] == ORDER
    a = rows[2]
    assert a["participants"] == "Ana Lopes (PRT, Foreign Minister); Karl Berg (SWE, Foreign Minister)"
    assert a["countries"] == "PRT;SWE"
    assert (a["date"], a["mode"], a["location_city"], a["document_id"]) == (
        "2021-03-03", "meeting", "Lisbon", "doc-a")
    d = rows[1]
    assert d["participants"].startswith("Łukasz Zieliński (POL, Deputy Foreign Minister)")
    assert rows[4]["date"] == ""  # undated


def test_jsonl(store, tmp_path):
    path = tmp_path / "out.jsonl"
    assert export(store, "jsonl", path) == 5
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ORDER
    assert rows == store.query()
    assert rows[3]["participants"] == [
        {"name": "Ana Lopes", "country": "PRT", "title": "Foreign Minister"},
        {"name": "Ingrid Dahl", "country": "NOR", "title": "Prime Minister"},
    ]


def test_parquet(store, tmp_path):
    path = tmp_path / "out.parquet"
    assert export(store, "parquet", path) == 5
    table = pq.read_table(path)
    assert table.num_rows == 5
    assert str(table.schema.field("participants").type) == (
        "list<element: struct<name: string, country: string, title: string>>")
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == ORDER
    assert rows[2]["participants"] == store.query()[2]["participants"]
    assert rows[2]["countries"] == ["PRT", "SWE"]
    assert rows[4]["date"] is None


def test_empty_store_exports_headers_only(tmp_path):
    with Store(tmp_path / "empty.db") as empty:
        assert export(empty, "csv", tmp_path / "e.csv") == 0
        assert export(empty, "parquet", tmp_path / "e.parquet") == 0
        assert export(empty, "jsonl", tmp_path / "e.jsonl") == 0
    assert (tmp_path / "e.csv").read_text().strip() == ",".join(CSV_COLUMNS)
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0
    assert (tmp_path / "e.jsonl").read_text() == ""


def test_bad_format_and_parquet_to_stdout(store, tmp_path):
    with pytest.raises(ExportError, match="unknown export format"):
        export(store, "xlsx", tmp_path / "x.xlsx")
    with pytest.raises(ExportError, match="stdout"):
        export(store, "parquet", "-")
    assert list(tmp_path.glob("*.tmp")) == []


@pytest.mark.parametrize(
    ("participants", "expected"),
    [
        ([{"name": "A B", "country": "PRT", "title": "Minister"}], "A B (PRT, Minister)"),
        ([{"name": "A B", "country": None, "title": "Minister"}], "A B (Minister)"),
        ([{"name": None, "country": "EU", "title": None}], "? (EU)"),
        ([{"name": "A", "country": None, "title": None},
          {"name": "C", "country": "SWE", "title": None}], "A; C (SWE)"),
        ([], ""),
    ],
)
def test_format_participants(participants, expected):
    assert format_participants(participants) == expected


def test_table(store):
    lines = format_table(store.query()).splitlines()
    assert lines[0].split() == ["ID", "DATE", "MODE", "PARTICIPANTS", "LOCATION", "OCCASION"]
    assert [line.split()[0] for line in lines[2:]] == ORDER
    assert len(lines) == 2 + 5
    assert "Ana Lopes (PRT); Karl Berg (SWE)" in lines[4] and "Lisbon, PRT" in lines[4]


# -- what an export carries (issue 13, item 23) ---------------------------------------------

CODED = make_result("doc-coded", "On 5 May 2022 President Liis Tamm of Estonia visited Helsinki.", (
    Engagement(date="2022-05-05", date_precision="day", mode="meeting", participants=(TAMM,),
               location=Location("Helsinki", "FIN"), occasion="G20 Summit", visitor="EST", host="FIN",
               codes=EventCode("CONSULT", "visit", "042", 1.9)),
))


@pytest.fixture
def coded(store):
    store.add_batch([CODED])
    store.refresh_links()
    return store


@pytest.mark.parametrize(("column", "expected"), [
    ("plover", "CONSULT"), ("plover_mode", "visit"), ("cameo", "042"), ("goldstein", 1.9),
    ("visitor", "EST"), ("host", "FIN"), ("occasion_series", "G20 Summit"), ("date_start", date(2022, 5, 5)),
    ("canonical", True),
])
def test_parquet_carries_codes_places_and_typed_dates(coded, tmp_path, column, expected):
    export(coded, "parquet", tmp_path / "out.parquet")
    rows = {r["document_id"]: r for r in pq.read_table(tmp_path / "out.parquet").to_pylist()}
    assert rows["doc-coded"][column] == expected


def test_every_format_has_coordinates_and_actor_ids(coded, tmp_path):
    export(coded, "csv", tmp_path / "out.csv")
    export(coded, "jsonl", tmp_path / "out.jsonl")
    export(coded, "parquet", tmp_path / "out.parquet")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as fh:
        row_csv = next(r for r in csv.DictReader(fh) if r["document_id"] == "doc-coded")
    row_json = next(json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()
                    if json.loads(x)["document_id"] == "doc-coded")
    row_pq = next(r for r in pq.read_table(tmp_path / "out.parquet").to_pylist() if r["document_id"] == "doc-coded")
    assert row_json["lat"] is not None and abs(row_json["lat"] - 60.17) < 0.1  # Helsinki
    assert float(row_csv["lat"]) == row_json["lat"] == row_pq["lat"]
    assert row_json["actor_ids"] == row_pq["actor_ids"] == row_csv["actor_ids"].split(";")
    assert row_json["actor_ids"][0].startswith("p:liis-tamm")
    assert row_csv["plover"] == "CONSULT" and row_csv["goldstein"] == "1.9"


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_file_mode_follows_the_umask(store, tmp_path, fmt, umask):
    old = os.umask(umask)
    try:
        export(store, fmt, tmp_path / f"out.{fmt}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / f"out.{fmt}").stat().st_mode) == 0o666 & ~umask
