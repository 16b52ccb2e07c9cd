"""`readouts ingest`, `query` and `export` end to end, on small readouts written here.

The extractor is being tuned, so assertions on what it finds are deliberately loose; the
counts, the idempotence of ingest and the shape of the outputs are checked exactly.
"""
from __future__ import annotations

import csv
import io
import json
import re

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from readouts.cli import main
from readouts.store import Store

READOUTS = {
    "lisbon.txt": "On March 3, 2021, Foreign Minister Ana Lopes of Portugal met with Foreign "
                  "Minister Karl Berg of Sweden in Lisbon. The two ministers discussed fisheries "
                  "and energy cooperation.\n",
    "oslo.txt": "On July 14, 2021, Prime Minister Ingrid Dahl of Norway held a phone call with "
                "Foreign Minister Ana Lopes of Portugal. They discussed climate finance.\n",
    "tallinn.txt": "On June 2, 2022, President Liis Tamm of Estonia met with Minister for Trade "
                   "Mikko Saari of Finland in Tallinn. They signed a memorandum on digital trade.\n",
}
SUMMARY = re.compile(
    r"documents: (\d+) new, (\d+) already present; readouts: (\d+); engagements: (\d+); rejected: (\d+)"
)


def summary(stdout: str) -> tuple[int, ...]:
    match = SUMMARY.search(stdout)
    assert match, stdout
    return tuple(int(x) for x in match.groups())


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name, text in READOUTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def db(tmp_path, runner, inbox):
    path = tmp_path / "readouts.db"
    result = runner.invoke(main, ["ingest", str(inbox), "--db", str(path), "--no-progress"])
    assert result.exit_code == 0, result.output
    return path


def invoke(runner, *args):
    return runner.invoke(main, [str(a) for a in args])


# -- ingest ----------------------------------------------------------------------------------

def test_ingest_then_reingest_is_a_no_op(runner, inbox, tmp_path):
    path = tmp_path / "r.db"
    first = invoke(runner, "ingest", inbox, "--db", path, "--batch-size", 2)
    assert first.exit_code == 0, first.output
    new, present, readouts, engagements, rejected = summary(first.stdout)
    assert (new, present, rejected) == (3, 0, 0)
    assert readouts >= 2 and engagements >= 2  # loose: the extractor is being tuned
    with Store(path) as store:
        counts = store.counts()
    assert (counts["documents"], counts["readouts"], counts["engagements"]) == (3, readouts, engagements)

    second = invoke(runner, "ingest", inbox, "--db", path)
    assert second.exit_code == 0, second.output
    assert summary(second.stdout) == (0, 3, 0, 0, 0)
    with Store(path) as store:
        assert store.counts() == counts


def test_ingest_reports_rejections_and_exits_1(runner, inbox, tmp_path):
    (inbox / "huge.txt").write_text("On May 1, 2020, nothing happened. " * 200, encoding="utf-8")
    path = tmp_path / "r.db"
    result = invoke(runner, "ingest", inbox, "--db", path, "--max-size", 0.002, "--jobs", 2)
    assert result.exit_code == 1, result.output
    new, present, _, _, rejected = summary(result.stdout)
    assert (new, present, rejected) == (3, 0, 1)
    assert "huge.txt" in result.stderr and "rejected:" in result.stderr
    reason_lines = result.stdout.strip().splitlines()[1:]
    assert len(reason_lines) == 1 and reason_lines[0].split()[0] == "1"
    with Store(path) as store:
        assert store.counts()["rejections"] == 1


def test_ingest_into_a_file_that_is_not_a_database(runner, inbox, tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_text("not sqlite\n" * 100)
    result = invoke(runner, "ingest", inbox, "--db", bogus)
    assert result.exit_code == 2
    assert result.stderr.startswith("readouts: error: cannot open")
    assert "Traceback" not in result.output


# -- query -----------------------------------------------------------------------------------

def test_query_json_rows(runner, db):
    result = invoke(runner, "query", "--db", db, "--format", "json", "--limit", 0)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    with Store(db) as store:
        assert len(rows) == store.counts()["engagements"]
    for row in rows:
        assert {"id", "document_id", "date", "mode", "participants", "location_city",
                "location_country", "occasion", "title", "url"} <= set(row)
        assert all(set(p) == {"name", "country", "title"} for p in row["participants"])


def test_query_filters(runner, db):
    def rows(*args):
        result = invoke(runner, "query", "--db", db, "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    dyad = rows("--country", "prt", "--country", "SWE")
    for row in dyad:
        assert {"PRT", "SWE"} <= {p["country"] for p in row["participants"]}
    for row in rows("--actor", "lopes"):
        assert any("lopes" in (p["name"] or "").lower() for p in row["participants"])
    for row in rows("--since", "2022"):
        assert row["date"] >= "2022"
    for row in rows("--until", "2021-06"):
        assert row["date"] <= "2021-06-31"
    for row in rows("--mode", "phone_call"):
        assert row["mode"] == "phone_call"
    fisheries = rows("--text", "fisheries")
    assert {row["document_id"] for row in fisheries} <= {
        row["document_id"] for row in rows("--text", "lisbon")}
    assert rows("--text", "nonexistentword") == []
    assert len(rows("--limit", 1)) <= 1


def test_query_table_and_csv(runner, db):
    table = invoke(runner, "query", "--db", db)
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0].split() == ["ID", "DATE", "MODE", "PARTICIPANTS", "LOCATION", "OCCASION"]
    assert re.search(r"\d+ events?\n", table.stderr)  # one row per event by default
    reports = invoke(runner, "query", "--db", db, "--reports")
    assert re.search(r"\d+ engagements?\n", reports.stderr)
    as_json = json.loads(invoke(runner, "query", "--db", db, "--format", "json").stdout)
    assert [line.split()[0] for line in table.stdout.splitlines()[2:]] == [r["id"] for r in as_json]
    as_csv = invoke(runner, "query", "--db", db, "--format", "csv")
    assert as_csv.exit_code == 0
    records = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(records) == len(table.stdout.splitlines()) - 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2021-13-01"], "is not a date"),
        (["--until", "March 2021"], "is not a date"),
        (["--mode", "dinner"], "'dinner' is not one of"),
        (["--limit", "-1"], "-1"),
        (["--country", "China"], "'China' is not an ISO 3166-1 alpha-3 country code (for China use CHN)"),
        (["--country", "CN"], "'CN' is not an ISO 3166-1 alpha-3 country code"),
        (["--country", "XXX"], "'XXX' is not an ISO 3166-1 alpha-3 country code"),
        (["--country", "PRT", "--country", "ZZZ"], "'ZZZ' is not"),
    ],
)
def test_query_usage_errors(runner, db, args, message):
    result = invoke(runner, "query", "--db", db, *args)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize("text", ["(fisheries", "fisheries AND", "NOT", "fisheries)"])
def test_query_text_that_is_not_fts5_syntax_is_words(runner, db, text):
    result = invoke(runner, "query", "--db", db, "--text", text, "--format", "json")
    assert result.exit_code == 0, result.stderr
    expected = json.loads(invoke(runner, "query", "--db", db, "--text", "fisheries", "--format", "json").stdout)
    if text != "NOT":
        assert [r["id"] for r in json.loads(result.stdout)] == [r["id"] for r in expected]


@pytest.mark.parametrize("code", ["prt", " PRT ", "PRT"])
def test_query_country_codes_are_normalised(runner, db, code):
    rows = json.loads(invoke(runner, "query", "--db", db, "--country", code, "--format", "json").stdout)
    assert rows and all("PRT" in [p["country"] for p in r["participants"]] for r in rows)


@pytest.mark.parametrize("text", ["climate-finance", "U.S.", "Portugal's", "fisheries, energy"])
def test_query_everyday_text_is_not_a_syntax_error(runner, db, text):
    result = invoke(runner, "query", "--db", db, "--text", text)
    assert result.exit_code == 0, result.stderr


def test_query_says_when_it_shows_only_part(runner, db):
    every = json.loads(invoke(runner, "query", "--db", db, "--format", "json").stdout)
    assert len(every) >= 2
    part = invoke(runner, "query", "--db", db, "--limit", 1, "--offset", 1)
    assert f"1 of {len(every)} events shown (rows 2-2; --limit 0 shows all)" in part.stderr
    as_csv = invoke(runner, "query", "--db", db, "--format", "csv", "--limit", 1)
    assert len(list(csv.DictReader(io.StringIO(as_csv.stdout)))) == 1
    assert f"1 of {len(every)} events shown" in as_csv.stderr


def test_query_missing_database_is_an_error(runner, tmp_path):
    missing = tmp_path / "missing.db"
    result = invoke(runner, "query", "--db", missing)
    assert result.exit_code == 2
    assert "no database at" in result.stderr
    assert not missing.exists()


# -- export ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export(runner, db, tmp_path, fmt):
    out = tmp_path / f"engagements.{fmt}"
    result = invoke(runner, "export", "--db", db, "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        expected = store.counts()["engagements"]
    assert f"{expected} engagements written" in result.stderr
    if fmt == "csv":
        with out.open(encoding="utf-8", newline="") as fh:
            n = len(list(csv.DictReader(fh)))
    elif fmt == "jsonl":
        n = len(out.read_text(encoding="utf-8").splitlines())
    else:
        n = pq.read_table(out).num_rows
    assert n == expected


def test_export_to_stdout_and_errors(runner, db, tmp_path):
    result = invoke(runner, "export", "--db", db, "--format", "jsonl", "-o", "-")
    assert result.exit_code == 0
    assert all(json.loads(line)["id"] for line in result.stdout.splitlines())
    parquet = invoke(runner, "export", "--db", db, "--format", "parquet", "-o", "-")
    assert parquet.exit_code == 2 and "stdout" in parquet.stderr
    nowhere = invoke(runner, "export", "--db", db, "--format", "csv", "-o", tmp_path / "no" / "x.csv")
    assert nowhere.exit_code == 2 and "cannot write" in nowhere.stderr
    missing = invoke(runner, "export", "--db", tmp_path / "missing.db", "--format", "csv", "-o",
                     tmp_path / "x.csv")
    assert missing.exit_code == 2 and "no database at" in missing.stderr


def test_rejection_reasons_are_counted_without_their_line_numbers(runner, inbox, tmp_path):
    (inbox / "batch.jsonl").write_text('{"id": "n1"}\n{"id": "n2"}\n', encoding="utf-8")
    result = invoke(runner, "ingest", inbox, "--db", tmp_path / "r.db")
    assert result.exit_code == 1
    assert summary(result.stdout)[4] == 2
    (reason_line,) = result.stdout.strip().splitlines()[1:]
    count, reason = reason_line.split(maxsplit=1)
    assert count == "2" and not reason.startswith("line ")
