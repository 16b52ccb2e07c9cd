"""The read side's pure parts (levels from the post data, user text as words) and its views over
a real store: compare and the dyad count issues in the sides report's vocabulary."""
from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from readouts.cli import main
from readouts.gazetteer import post_level
from readouts.read.filters import Filters, plain_words, text_match
from readouts.read.rows import csv_safe, level_of
from readouts.read.views import compare, statement_issues


@pytest.mark.parametrize(("title", "level"), [
    ("President", "head_of_state"),
    ("Chinese President", "head_of_state"),
    ("President of the People's Republic of China", "head_of_state"),
    ("Prime Minister", "head_of_government"),
    ("Foreign Minister", "foreign_minister"),
    ("Minister for Europe and Foreign Affairs", "foreign_minister"),
    ("State Councilor and Foreign Minister", "foreign_minister"),
    ("Parliamentary Secretary to Prime Minister", "minister"),
    ("Deputy Foreign Minister", "official"),
    ("State Senate President", None),  # the president of another body
    ("President of the Senate", None),
    ("former President", None),  # nobody's head of state now
    ("Ambassador", "diplomat"),
    ("", None),
    (None, None),
])
def test_post_level_is_the_post_data(title, level):
    assert post_level(title) == level


@pytest.mark.parametrize(("titles", "level"), [
    (["Foreign Minister", "President"], "head of state/government"),
    (["Minister for Europe and Foreign Affairs", "Ambassador"], "foreign minister"),
    (["State Senate President", "former President"], "other"),
    (["Parliamentary Secretary to Prime Minister"], "other"),
    ([None], "other"),
    ([], "other"),
])
def test_engagement_level(titles, level):
    assert level_of([{"title": t} for t in titles]) == level


@pytest.mark.parametrize(("text", "words"), [
    ("China AND", '"China"'),
    ("(x", '"x"'),
    ("AND", '"AND"'),
    ("U.S. tariffs", '"U.S" "tariffs"'),
    ("Xi's one-China", '"Xi\'s" "one-China"'),
    ('say "hi', '"say" "hi"'),
    ("() * :", None),
])
def test_plain_words(text, words):
    assert plain_words(text) == words


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("-4.5", "-4.5"), (-4.5, -4.5), ("Wang Yi", "Wang Yi"), (None, None),
])
def test_csv_cells_are_formula_safe(value, safe):
    assert csv_safe(value) == safe


def test_filters_reject_what_no_store_holds():
    for bad in ({"since": "２０２３"}, {"since": "2025", "until": "2024"}, {"mode": "dinner"}, {"limit": -1}):
        with pytest.raises(ValueError):
            Filters(**bad)


def test_statement_issues_use_the_sides_vocabulary():
    readout = {"engagements": [{"participants": [{"name": "Chen Ming", "country": "CHN"}]}],
               "statements": [{"speaker": "Chen Ming", "issues": ["the Taiwan question", "Taiwan issue", "trade"]}]}
    assert statement_issues(readout) == [("CHN", ["Taiwan", "trade and tariffs"])]  # data/sides.toml labels


# Invented officials: Foreign Minister Lars Holm (Denmark), Foreign Minister Chen Ming (China).
REPORTS = [
    {"id": "dnk", "side": "DNK", "url": "https://example-dnk-mfa.test/call",
     "text": "Foreign Minister Lars Holm holds phone call with Foreign Minister Chen Ming of China\n\n4 April 2025\n\n"
             "Foreign Minister Lars Holm of Denmark held a phone call with Foreign Minister Chen Ming of China on "
             "4 April 2025.\n\nChen Ming said that the Taiwan question concerns China's core interests.\n\n"
             "Lars Holm said that Denmark wants more cooperation on wind energy.\n"},
    {"id": "chn", "side": "CHN", "url": "https://example-chn-mfa.test/call",
     "text": "Chen Ming Holds Phone Call with Danish Foreign Minister Lars Holm\n\n2025-04-04\n\n"
             "On April 4, 2025, Foreign Minister Chen Ming held a phone call with Danish Foreign Minister Lars Holm.\n\n"
             "Chen Ming said that the Taiwan issue bears on the political foundation of China-Denmark relations.\n"},
]


@pytest.fixture(scope="module")
def linked_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("views")
    src = tmp / "calls.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in REPORTS), encoding="utf-8")
    db = tmp / "v.db"
    out = CliRunner().invoke(main, ["ingest", str(src), "--db", str(db), "--no-progress"])
    assert out.exit_code == 0, out.output
    return db


def test_compare_does_not_flag_one_issue_in_two_wordings(linked_db):
    conn = sqlite3.connect(linked_db)
    (eid,) = conn.execute("SELECT e.id FROM engagements e JOIN documents d ON d.id = e.document_id"
                          " WHERE d.doc_id = 'dnk'").fetchone()
    c = compare(conn, eid)
    assert c["linked"] and len(c["sources"]) == 2
    assert all("Taiwan" in s["issues"] for s in c["sources"])
    assert all("Taiwan" not in s["only_here"]["issues"] for s in c["sources"])
    dnk = next(s for s in c["sources"] if s["document_id"] == "dnk")
    assert dnk["said"] and dnk["engagement"]["mode"] == "phone_call"
    out = CliRunner().invoke(main, ["compare", eid, "--db", str(linked_db), "--format", "json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["sources"] == json.loads(json.dumps(c["sources"]))


def test_text_match_falls_back_to_words(linked_db):
    conn = sqlite3.connect(linked_db)
    assert text_match(conn, "Taiwan OR wind") == "Taiwan OR wind"
    assert text_match(conn, "Taiwan AND") == '"Taiwan"'
    assert text_match(conn, "(wind") == '"wind"'
