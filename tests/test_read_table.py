"""One table of filter cases through both ways in: ``readouts query --format json`` (a real
process) and ``/api/engagements`` (a real uvicorn server on localhost), over one store ingested
by ``readouts ingest`` from the invented corpus of tests/read_corpus.py. Both must give the
same engagement ids in the same order, one row per event and one per report, and the number
each case expects."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

import read_corpus  # noqa: E402
from web_server import Server  # noqa: E402

# (API query parameters, events expected, reports expected)
CASES = [
    ({}, 6, 8),
    ({"country": ["NOR"]}, 4, 6),
    ({"country": ["nor", "CHL"]}, 4, 6),  # the dyad; codes in any case
    ({"country": ["CHL", "PER"]}, 2, 2),
    ({"actor": "Fuentes"}, 6, 8),
    ({"actor": "alberto fuentes"}, 6, 8),  # the registry: the surname-only report counts too
    ({"actor": "p:alberto-fuentes:CHL"}, 6, 8),  # a registry id
    ({"actor": "Solberg"}, 4, 6),
    ({"actor": "Rosa Huaman"}, 2, 2),
    ({"since": "2025-05"}, 3, 4),
    ({"until": "2024"}, 2, 2),
    ({"since": "2025-05-12", "until": "2025-05-12"}, 1, 2),
    ({"mode": "phone_call"}, 2, 3),
    ({"mode": "video_call"}, 1, 1),  # the call's press report says video call
    ({"occasion": "Arctic Circle"}, 1, 1),
    ({"q": "hydrogen"}, 1, 2),
    ({"q": "U.S."}, 1, 1),
    ({"q": "Xi's"}, 1, 1),
    ({"q": "one-China"}, 1, 1),
    ({"q": "China-US"}, 1, 1),
    ({"q": "hydrogen AND"}, 1, 2),  # a dangling operator
    ({"q": "(ocean"}, 1, 2),  # an unbalanced parenthesis
    ({"q": '"joint commission" OR krill'}, 2, 2),  # FTS5 syntax where it parses
    ({"q": "nothingsuchword"}, 0, 0),
    ({"all_copies": "true"}, 6, 9),
    ({"country": ["CHL"], "since": "2025", "mode": "meeting"}, 2, 2),
]


def cli_args(params: dict) -> list[str]:
    args: list[str] = []
    for name, value in params.items():
        if name == "country":
            for code in value:
                args += ["--country", code]
        elif name == "all_copies":
            args.append("--all-copies")
        else:
            args += [{"q": "--text"}.get(name, f"--{name}"), value]
    return args


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return read_corpus.ingest(tmp_path_factory.mktemp("readtable"))


@pytest.fixture(scope="module")
def client(db):
    with Server(db) as srv, httpx.Client(base_url=srv.url, timeout=30) as c:
        yield c


def cli_ids(db, params: dict, reports: bool) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "readouts", "query", "--db", str(db), "--format", "json",
                           *cli_args(params), *(["--reports"] if reports else [])],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert all(isinstance(r["documents"], list) and r["documents"] for r in rows)  # a documents list per row
    return [r["id"] for r in rows]


def api_ids(client, params: dict, reports: bool) -> list[str]:
    query = [(k, x) for k, v in params.items() for x in (v if isinstance(v, list) else [v])]
    r = client.get("/api/engagements", params=[*query, ("per_page", "500"), *([("reports", "true")] if reports else [])])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["engagements"])
    assert all(e["event_id"] and e["documents"] and e["sources"] for e in body["engagements"])
    return [e["id"] for e in body["engagements"]]


@pytest.mark.parametrize(("params", "events", "reports"), CASES, ids=[json.dumps(c[0]) for c in CASES])
def test_cli_and_api_give_the_same_rows(db, client, params, events, reports):
    by_event = cli_ids(db, params, reports=False)
    assert by_event == api_ids(client, params, reports=False)
    assert len(by_event) == events
    by_report = cli_ids(db, params, reports=True)
    assert by_report == api_ids(client, params, reports=True)
    assert len(by_report) == reports
    assert set(by_event) <= set(by_report) or params.get("all_copies")


def test_one_row_per_event_lists_every_source(client):
    """The call five documents tell (three publishers, an identical republication, a copy) is
    one row with five sources, each with its outlet and publication date."""
    rows = client.get("/api/engagements", params={"since": "2025-05-12", "until": "2025-05-12"}).json()["engagements"]
    (call,) = rows
    assert len(call["reports"]) == 4  # three publishers' reports (the press one undated) and the copy's
    outlets = [(s["document_id"], s["outlet"], s["published"]) for s in call["sources"]]
    assert outlets[0] == ("nor-mfa", "example-nor-mfa.test", "2025-05-12")
    assert {o[:2] for o in outlets} == {
        ("nor-mfa", "example-nor-mfa.test"), ("nor-call-repost", "example-aggregator.test"),
        ("chl-mfa", "example-chl-mfa.test"), ("wire", "example-wire.test"), ("nor-call-copy", "example-daily.test")}
    assert call["documents"] == [o[0] for o in outlets]


def test_counts_are_events_everywhere(client):
    """Facets, the dyad chart, network weights and the actor page count events, the search too."""
    total = client.get("/api/engagements", params=[("country", "NOR"), ("country", "CHL")]).json()["total"]
    facets = client.get("/api/facets", params=[("country", "NOR"), ("country", "CHL")]).json()
    assert facets["total"] == total == 4
    assert {f["value"]: f["count"] for f in facets["facets"]["country"]}["NOR"] == 4
    actors = {f["value"]: (f["label"], f["count"]) for f in facets["facets"]["actor"]}
    assert actors["p:alberto-fuentes:CHL"] == ("Alberto Fuentes", 4)  # by registry id, copies once
    dyad = client.get("/api/dyad/NOR/CHL").json()
    assert dyad["count"] == 4 and dyad["undated"] == 1  # the Arctic meeting
    assert sum(sum(v) for v in dyad["by_mode"].values()) == 3
    net = client.get("/api/network").json()
    weight = {(e["source"], e["target"]): e["weight"] for e in net["edges"]}
    assert weight[("CHL", "NOR")] == 4
    reports = client.get("/api/network", params={"reports": "true"}).json()
    assert {(e["source"], e["target"]): e["weight"] for e in reports["edges"]}[("CHL", "NOR")] == 6
    actor = client.get("/api/actors/Alberto Fuentes").json()
    search = client.get("/api/engagements", params={"actor": actor["id"], "per_page": 500}).json()
    assert actor["id"] == "p:alberto-fuentes:CHL" and actor["count"] == search["total"] == 6
    assert actor["engagement_ids"] == [e["id"] for e in search["engagements"]]
    assert actor["undated"] == 1
    counterparts = {c["id"]: c["count"] for c in actor["counterparts"]}
    assert counterparts["p:ingrid-solberg:NOR"] == 4 and counterparts["p:rosa-huaman:PER"] == 2


def test_map_counts_events_unless_reports(client):
    """The map's dots count the located rows of the search (events: the report that stands for each,
    unless reports=true); its CSV and its page say the same."""
    def located(params: dict) -> int:
        rows = client.get("/api/engagements.json", params=params).json()
        return sum(1 for e in rows if e["lat"] is not None and e["lon"] is not None)

    def mapped(params: dict) -> int:
        return sum(sum(p["modes"].values()) for p in client.get("/api/places", params=params).json()["places"])

    events, reports = mapped({}), mapped({"reports": "true"})
    assert events == located({}) and reports == located({"reports": "true"})
    assert 0 < events <= reports
    rows = list(csv.DictReader(io.StringIO(client.get("/api/places.csv").text)))
    assert sum(int(r["events"]) for r in rows) == events
    assert f"{events} events at" in client.get("/map").text


def test_web_csv_and_json_exports_carry_events_and_sources(client):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(client.get("/api/engagements.csv").text)))
    assert len(rows) == 6 and all(r["event_id"] and r["documents"] and r["sources"] for r in rows)
    call = next(r for r in rows if r["documents"].startswith("nor-mfa;"))
    assert call["documents"].split(";") == ["nor-mfa", "nor-call-repost", "chl-mfa", "wire", "nor-call-copy"]
    assert "example-wire.test (2025-05-14) wire" in call["sources"]
    as_json = client.get("/api/engagements.json", params={"reports": "true"}).json()
    assert len(as_json) == 8 and all(e["event_id"] and e["documents"] for e in as_json)
