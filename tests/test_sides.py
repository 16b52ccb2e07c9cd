"""Both sides of one event: reports of an invented call by several publishers, linked, compared
per side, counted per dyad, and the readout gaps; through a real SQLite file and the CLI."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from readouts.cli import main
from readouts.sides import SidesDataError, document_side, findings, issue_label, parse_rules
from readouts.store import Store

# Invented officials: Foreign Minister Ingrid Solberg (Norway), Foreign Minister Alberto Fuentes (Chile).
REPORTS = [
    {"id": "nor-mfa", "side": "NOR", "url": "https://example-nor-mfa.test/call",
     "text": "Foreign Minister Ingrid Solberg holds phone call with Foreign Minister Alberto Fuentes of Chile\n\n"
             "12 May 2025\n\nForeign Minister Ingrid Solberg of Norway held a phone call with Foreign Minister "
             "Alberto Fuentes of Chile on 12 May 2025 at the request of the Chilean side.\n\n"
             "Ingrid Solberg said that Norway wants closer cooperation on ocean management and salmon "
             "aquaculture, and raised the protection of Antarctica under the Antarctic Treaty.\n\n"
             "The two ministers agreed to hold a joint commission on fisheries in the autumn.\n"},
    {"id": "chl-mfa", "side": "CHL", "url": "https://example-chl-mfa.test/call",
     "text": "date 2025-05-13\nChilean foreign minister speaks with Norwegian counterpart\n\n"
             "SANTIAGO, May 13 -- Chile's Foreign Minister Alberto Fuentes spoke by telephone with Norwegian "
             "Foreign Minister Ingrid Solberg on Monday. The conversation was frank and constructive.\n\n"
             "Alberto Fuentes said that Chile is ready to expand cooperation with Norway on lithium mining and "
             "green hydrogen.\n\nIngrid Solberg said that Norway supports ocean management.\n"},
    {"id": "wire", "side": "press", "url": "https://example-wire.test/story",
     "text": "date 2025-05-14\nNorway and Chile discuss hydrogen and oceans\n\n"
             "Norwegian Foreign Minister Solberg and Chilean Foreign Minister Fuentes held a video call, the two "
             "ministries said.\n\nFuentes said that Chile is ready to expand cooperation on green hydrogen.\n"},
    {"id": "nor-mfa-oslo", "side": "NOR", "url": "https://example-nor-mfa.test/oslo",
     "text": "Foreign Minister Ingrid Solberg meets Foreign Minister Alberto Fuentes of Chile in Oslo\n\n"
             "2 June 2025\n\nForeign Minister Ingrid Solberg of Norway met with Foreign Minister Alberto Fuentes "
             "of Chile in Oslo on 2 June 2025.\n\nIngrid Solberg said that Norway wants to deepen cooperation "
             "on fisheries.\n"},
    {"id": "chl-mfa-may", "side": "CHL", "url": "https://example-chl-mfa.test/other",
     "text": "Foreign Minister Alberto Fuentes receives the Ambassador of Peru\n\n20 May 2025\n\n"
             "Foreign Minister Alberto Fuentes of Chile met with Foreign Minister Rosa Huaman of Peru in "
             "Santiago on 20 May 2025.\n\nAlberto Fuentes said that Chile wants closer cooperation on mining.\n"},
]


@pytest.fixture()
def db(tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in REPORTS[:1] + REPORTS[3:]), encoding="utf-8")
    second.write_text("".join(json.dumps(r) + "\n" for r in REPORTS[1:3]), encoding="utf-8")
    path = str(tmp_path / "sides.db")
    for f in (first, second):  # two ingest runs: the later reports join the stored event
        out = CliRunner().invoke(main, ["ingest", str(f), "--db", path, "--no-progress"])
        assert out.exit_code == 0, out.output
    return path


def run(*args):
    return CliRunner().invoke(main, list(args))


def rows_by_doc(db):
    return {r["document_id"]: r for r in json.loads(run("query", "--db", db, "--format", "json", "--reports").stdout)}


def test_reports_of_one_call_are_one_event_and_a_later_meeting_another(db):
    rows = rows_by_doc(db)
    call = rows["nor-mfa"]
    assert sorted(call["documents"]) == ["chl-mfa", "nor-mfa", "wire"]
    assert rows["chl-mfa"]["event_id"] == rows["wire"]["event_id"] == call["event_id"]
    assert rows["nor-mfa-oslo"]["event_id"] != call["event_id"]
    assert rows["nor-mfa-oslo"]["documents"] == ["nor-mfa-oslo"]


def test_every_link_keeps_its_reason(db):
    rows = rows_by_doc(db)
    with Store(db) as store:
        sources = {s["document_id"]: s for s in store.event_sources(rows["nor-mfa"]["id"])}
    assert sources["nor-mfa"]["link_reason"] is None  # the event's first report
    chl = sources["chl-mfa"]["link_reason"]
    assert chl["countries"] == ["CHL", "NOR"] and chl["time"] == "date" and chl["date_gap"] == 0
    assert ["Alberto Fuentes", "Alberto Fuentes"] in chl["shared"]
    wire = sources["wire"]["link_reason"]
    assert wire["modes"] == ["video_call", "phone_call"] and wire["time"] == "publication"
    assert {s["side"] for s in sources.values()} == {"NOR", "CHL", "press"}


def test_compare_lays_out_sides_and_what_only_one_mentioned(db):
    rows = rows_by_doc(db)
    out = run("compare", rows["nor-mfa"]["id"], "--db", db, "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert set(data["sides"]) == {"NOR", "CHL", "press"}
    assert "Antarctica" in data["only"]["NOR"]["issues"]
    assert "mining" in data["only"]["CHL"]["issues"] and "mining" not in data["sides"]["NOR"]["issues"]
    assert data["only"]["CHL"]["tones"] == ["frank", "constructive"]
    assert data["sides"]["NOR"]["initiative"] == ["CHL"]  # "at the request of the Chilean side"
    assert data["only"]["NOR"]["commitments"] == ["fisheries and oceans"]
    found = {f["label"]: f for s in data["sources"] if s["document_id"] == "nor-mfa" for f in s["findings"]}
    assert found["Antarctica"]["text"] == "Antarctica" and found["Antarctica"]["rule"] == "sides.issues:Antarctica"
    text = run("compare", rows["nor-mfa"]["id"], "--db", db)
    assert "linked: Alberto Fuentes" in text.stdout
    assert "Only side CHL mentions tone: frank" in text.stdout


def test_sides_counts_issues_per_side_and_one_sided_events(db):
    out = run("sides", "--db", db, "--country", "NOR", "--country", "CHL", "--format", "json")
    assert out.exit_code == 0, out.output
    items = {i["issue"]: i for i in json.loads(out.stdout)}
    event = rows_by_doc(db)["nor-mfa"]["event_id"]
    assert items["fisheries and oceans"]["counts"] == {"NOR": 1, "CHL": 1}
    assert items["fisheries and oceans"]["one_sided"] == {"NOR": [], "CHL": []}
    assert items["Antarctica"]["counts"] == {"NOR": 1, "CHL": 0}
    assert items["Antarctica"]["one_sided"] == {"NOR": [event], "CHL": []}
    assert items["mining"]["one_sided"] == {"NOR": [], "CHL": [event]}
    assert "1 event reported by both NOR and CHL" in out.stderr
    table = run("sides", "--db", db, "--country", "nor", "--country", "chl")
    assert "Antarctica" in table.stdout and f"only NOR: {event}" in table.stdout
    rows = list(csv.reader(io.StringIO(run("sides", "--db", db, "--country", "NOR", "--country", "CHL",
                                           "--format", "csv").stdout)))
    assert rows[0] == ["issue", "NOR", "CHL", "only_NOR", "only_CHL"]
    assert ["Antarctica", "1", "0", event, ""] in rows


def test_sides_period_filters(db):
    out = run("sides", "--db", db, "--country", "NOR", "--country", "CHL", "--since", "2025-06",
              "--format", "json")
    assert json.loads(out.stdout) == []  # the Oslo meeting has only Norway's report


def test_readout_gaps(db):
    out = run("sides", "--db", db, "--country", "NOR", "--country", "CHL", "--gaps", "--format", "json")
    assert out.exit_code == 0, out.output
    gaps = json.loads(out.stdout)
    assert [(g["date"], g["reported_by"], g["missing"], g["documents"]) for g in gaps] == [
        ("2025-06-02", ["NOR"], ["CHL"], ["nor-mfa-oslo"])]
    assert "not by CHL" in run("sides", "--db", db, "--country", "NOR", "--country", "CHL", "--gaps").stdout
    rows = list(csv.reader(io.StringIO(run("sides", "--db", db, "--country", "NOR", "--country", "CHL", "--gaps",
                                           "--format", "csv").stdout)))
    assert rows[0][:6] == ["event_id", "date", "mode", "participants", "reported_by", "missing"]
    assert rows[1][1] == "2025-06-02" and rows[1][4:7] == ["NOR", "CHL", "nor-mfa-oslo"]


@pytest.mark.parametrize("args, message", [
    (["--country", "NOR"], "exactly two"),
    (["--country", "NOR", "--country", "nor"], "exactly two"),
    (["--country", "NOR", "--country", "CHL", "--since", "2025-13"], "not a date"),
])
def test_sides_bad_arguments_are_clear_errors(db, args, message):
    out = run("sides", "--db", db, *args)
    assert out.exit_code == 2 and message in out.output and "Traceback" not in out.output


def test_sides_without_a_database(tmp_path):
    out = run("sides", "--db", str(tmp_path / "none.db"), "--country", "NOR", "--country", "CHL")
    assert out.exit_code == 2 and "no database" in out.stderr


@pytest.mark.parametrize("url, text, declared, expected", [
    (None, "", "USA", ("USA", "metadata")),
    (None, "", "independent", ("press", "metadata")),
    ("https://www.fmprc.gov.cn/eng/wjdt/x.html", "", None, ("CHN", "publisher")),
    ("https://www.state.gov/secretary-x/", "", None, ("USA", "publisher")),
    ("https://example.test/x", "BEIJING, May 13 (Xinhua) -- Text.", None, ("CHN", "agency")),
    ("https://example.test/x", "MOSCOW (Reuters) -- Text citing TASS.", None, ("press", "agency")),
    ("https://example.test/x", "Text. " * 100 + "(Xinhua)", None, (None, "unknown")),
    (None, None, None, (None, "unknown")),
])
def test_document_side(url, text, declared, expected):
    assert document_side(url, text, declared) == expected


@pytest.mark.parametrize("phrase, label", [
    ("the cross-Strait situation", "Taiwan"),
    ("Taiwan question", "Taiwan"),
    ("the Ukrainian crisis", "Ukraine"),
    ("the Western Balkans enlargement process", "the Western Balkans enlargement process"),
])
def test_issue_labels_align_wordings(phrase, label):
    assert issue_label(phrase) == label


PARTS = [{"name": "Xi Jinping", "country": "CHN"}, {"name": "Donald Trump", "country": "USA"}]


@pytest.mark.parametrize("text, kind, labels", [
    ("The two sides held frank and in-depth talks.", "tones", ["frank", "in-depth"]),
    ("They agreed to keep open lines of communication.", "tones", []),
    ("Xi Jinping took a phone call from Donald Trump on Thursday.", "initiative", ["USA"]),
    ("The call was held at the request of the U.S. side.", "initiative", ["USA"]),
    ("At the invitation of the Chinese government, he visited.", "initiative", ["CHN"]),
    ("The two sides agreed to resume military-to-military channels. They met.", "commitments",
     ["military channels"]),
    ("They discussed fentanyl and the Taiwan question.", "issues", ["Taiwan", "fentanyl and drugs"]),
])
def test_findings(text, kind, labels):
    found = [f for f in findings(text, None, PARTS) if f.kind == kind]
    assert sorted(f.label for f in found) == sorted(labels)
    for f in found:
        assert text[f.start:f.end] == f.text


def test_extracted_issues_are_kept_with_their_spans():
    readout = {"issues": [{"text": "the Western Balkans enlargement process",
                           "span": {"start": 5, "end": 44, "text": "x", "rule": "issues"}}]}
    found = [f for f in findings("", readout) if f.kind == "issues"]
    assert [(f.label, f.start, f.end, f.rule) for f in found] == [
        ("the Western Balkans enlargement process", 5, 44, "issues")]


GOOD = {"publishers": {}, "agencies": {}, "issues": {"x": ["x"]}, "tone": {"words": ["frank"], "near": "talks"},
        "initiative": {"who": ["from (?P<who>\\w+)"]}, "commitments": {"patterns": ["agreed"]}}


@pytest.mark.parametrize("change, message", [
    ({"issues": None}, "missing section [issues]"),
    ({"issues": {"x": ["("]}}, "[issues] x: bad pattern"),
    ({"publishers": {"a.test": "usa"}}, "[publishers] a.test: side must be"),
    ({"initiative": {"who": ["from \\w+"]}}, "has no (?P<who>...) group"),
    ({"tone": {"words": [], "near": "x"}}, "[tone] words"),
])
def test_rules_are_validated(change, message):
    data = {**GOOD, **change}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(SidesDataError) as err:
        parse_rules(data)
    assert message in str(err.value)
    parse_rules(GOOD)
