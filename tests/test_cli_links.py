"""Duplicates, cross-source links, compare and actors through real SQLite files."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from readouts.cli import main
from readouts.store import QueryFilter, Store

CALL_HU = """Foreign Minister Tomas Varga Holds Phone Call with Foreign Minister Ilse Brandauer of Austria

On March 14, 2022, Foreign Minister Tomas Varga of Hungary held a phone call with Foreign Minister Ilse Brandauer of Austria.

Tomas Varga said that Hungary is ready to deepen cooperation on energy security and the Danube shipping corridor with Austria.

Ilse Brandauer said that Austria values the partnership and wishes to work together on border management.
"""
CALL_HU_COPY = "Home | Press | Print this page\n" + CALL_HU + "Share on social media | Copyright Ministry Portal\n"
CALL_AT = """Austrian diplomacy: telephone conversation with Hungarian counterpart

Vienna. On March 14, 2022, Federal Minister Ilse Brandauer of Austria had a telephone conversation with Foreign Minister Tomas Varga of Hungary.

Ilse Brandauer stressed that Vienna expects progress regarding the Western Balkans enlargement process, refugee reception capacities, rule-of-law dialogue within Brussels institutions, and joint investment into hydrogen pipelines crossing Burgenland.
"""
MEETING = """Budapest delegation visits Vienna

On March 14, 2022, Foreign Minister Tomas Varga of Hungary met with Foreign Minister Ilse Brandauer of Austria in Vienna.

During their conversation the ministers reviewed railway modernisation between Győr and Bruck, cultural exchange scholarships, tourism statistics, motorway tolls, wine exports and university partnerships across Pannonia.
"""


@pytest.fixture()
def db(tmp_path):
    for name, text in {"hu": CALL_HU, "at": CALL_AT, "meet": MEETING}.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "hu-copy.txt").write_text(CALL_HU_COPY, encoding="utf-8")
    path = str(tmp_path / "x.db")
    runner = CliRunner()
    first = runner.invoke(main, ["ingest", str(tmp_path / "hu.txt"), str(tmp_path / "at.txt"),
                                 str(tmp_path / "meet.txt"), "--db", path, "--no-progress"])
    assert first.exit_code == 0, first.output
    assert "documents: 3 new" in first.output
    second = runner.invoke(main, ["ingest", str(tmp_path / "later"), "--db", path, "--no-progress"])
    assert second.exit_code == 0, second.output
    return path


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result


def test_copy_from_second_run_is_grouped_and_counted_once(db):
    out = run("duplicates", "--db", db, "--format", "json")
    assert out.exit_code == 0
    groups = json.loads(out.stdout)
    assert [[d["id"] for d in g["documents"]] for g in groups] == [["hu", "hu-copy"]]
    assert groups[0]["canonical"] == "hu"
    with Store(db) as store:
        rows = store.query(QueryFilter())
        assert sorted(r["document_id"] for r in rows) == ["at", "hu", "meet"]
        every = store.query(QueryFilter(include_copies=True))
        assert sorted(r["document_id"] for r in every) == ["at", "hu", "hu-copy", "meet"]


def test_query_json_documents_lists_copies_and_linked_sources(db):
    out = run("query", "--db", db, "--format", "json", "--reports")
    rows = {r["document_id"]: r for r in json.loads(out.stdout)}
    assert rows["hu"]["event_id"] == rows["at"]["event_id"]
    assert set(rows["hu"]["documents"]) == {"hu", "hu-copy", "at"}
    assert rows["hu"]["documents"][0] == "hu"
    assert rows["meet"]["documents"] == ["meet"]  # a meeting the same day is another event
    assert rows["meet"]["event_id"] != rows["hu"]["event_id"]


def test_compare_shows_each_source_and_what_only_one_reports(db):
    rows = {r["document_id"]: r for r in json.loads(run("query", "--db", db, "--format", "json", "--reports").stdout)}
    out = run("compare", rows["hu"]["id"], "--db", db, "--format", "json")
    assert out.exit_code == 0
    data = json.loads(out.stdout)
    assert [s["document_id"] for s in data["sources"]] == ["hu", "at"]
    at = data["sources"][1]
    assert any("Western Balkans" in i for i in at["only_here"]["issues"])
    assert any(s.startswith("Tomas Varga:") for s in data["sources"][0]["statements"])
    text = run("compare", rows["hu"]["id"], "--db", db)
    assert "Only in doc at" in text.stdout and "Western Balkans" in text.stdout


def test_actors_json_shape_and_alias_query(db):
    out = run("actors", "--db", db, "--format", "json")
    assert out.exit_code == 0
    actors = json.loads(out.stdout)
    varga = [a for a in actors if a["name"] == "Tomas Varga"]
    assert varga and varga[0]["country"] == "HUN"
    for key in ("name", "aliases", "country", "posts"):
        assert key in varga[0]
    assert all({"title", "first_seen", "last_seen"} <= set(p) for p in varga[0]["posts"])
    with Store(db) as store:
        assert store.query(QueryFilter(actor="Tomas Varga"))


@pytest.mark.parametrize("command", ["compare"])
def test_unknown_engagement_is_a_one_line_error(db, command):
    out = run(command, "no-such-id", "--db", db)
    assert out.exit_code == 2
    assert out.stderr.strip().count("\n") == 0 and "no engagement" in out.stderr


def test_missing_database_is_a_one_line_error(tmp_path):
    for args in (["duplicates"], ["actors"], ["compare", "x"]):
        out = run(*args, "--db", str(tmp_path / "none.db"))
        assert out.exit_code == 2 and "no database" in out.stderr
