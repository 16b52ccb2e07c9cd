"""The JSON API and pages of ``readouts serve``, over real HTTP against a real uvicorn server."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest

from readouts.store import first_day

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from web_server import IMG, SCRIPT, serving  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("web")) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=20) as c:
        yield c


@pytest.fixture(scope="module")
def ids(server):
    conn = sqlite3.connect(server.db)
    doc = conn.execute("SELECT id FROM documents WHERE doc_id = '010_sidelines_g20_rio'").fetchone()[0]
    hostile = conn.execute("SELECT id FROM documents WHERE doc_id = '900_hostile_text'").fetchone()[0]
    eng = conn.execute("SELECT id FROM engagements WHERE document_id = ?", (doc,)).fetchone()[0]
    conn.close()
    return {"doc": doc, "hostile": hostile, "engagement": eng}


def test_engagements_filters_and_pagination(client):
    everything = client.get("/api/engagements", params={"per_page": 500}).json()
    assert everything["total"] >= 18 and len(everything["engagements"]) == everything["total"]
    page = client.get("/api/engagements", params={"per_page": 5, "page": 2}).json()
    assert page["page"] == 2 and len(page["engagements"]) == 5
    assert page["engagements"][0]["id"] == everything["engagements"][5]["id"]
    dyad = client.get("/api/engagements", params=[("country", "CHN"), ("country", "rus")]).json()
    assert dyad["total"] == 2
    assert all({"CHN", "RUS"} <= {p["country"] for p in e["participants"]} for e in dyad["engagements"])
    calls = client.get("/api/engagements", params={"mode": "phone_call", "since": "2025"}).json()
    assert calls["total"] >= 1 and all(e["mode"] == "phone_call" for e in calls["engagements"])
    text = client.get("/api/engagements", params={"q": "Ukraine"}).json()
    assert any(e["document_id"] == "010_sidelines_g20_rio" for e in text["engagements"])
    actor = client.get("/api/engagements", params={"actor": "lavrov"}).json()
    assert actor["total"] == 2


def test_facets(client):
    body = client.get("/api/facets", params={"country": "CHN"}).json()
    countries = {f["value"]: f["count"] for f in body["facets"]["country"]}
    assert countries["CHN"] == body["total"] and body["total"] > 0
    assert set(body["facets"]) == {"country", "mode", "actor", "occasion", "year"}


def test_exports(client):
    r = client.get("/api/engagements.csv", params={"country": "NAM"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 2 and all("NAM" in row["countries"] for row in rows)
    j = client.get("/api/engagements.json", params={"country": "NAM"})
    assert j.status_code == 200 and len(j.json()) == 2


def test_exports_carry_codes_places_and_actor_ids(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/engagements.csv").text)))
    assert rows and all(r["plover"] and r["cameo"] and r["goldstein"] for r in rows)
    assert all(r["date_start"] == (first_day(r["date"]) or "") for r in rows)
    assert any(r["lat"] and r["lon"] for r in rows) and any(r["occasion_series"] for r in rows)
    assert all(r["canonical"] in ("True", "False") for r in rows)
    as_json = client.get("/api/engagements.json").json()
    assert all(len(e["actor_ids"]) == len(e["participants"]) for e in as_json)


def test_document(client, ids):
    body = client.get(f"/api/documents/{ids['doc']}").json()
    assert body["document_id"] == "010_sidelines_g20_rio"
    fields = {s["field"] for s in body["spans"]}
    assert {"participant", "trigger", "date", "location", "occasion", "statement", "issue"} <= fields
    for s in body["spans"]:
        assert body["text"][s["start"]:s["end"]] == s["text"]
    # the user's id works too
    assert client.get("/api/documents/010_sidelines_g20_rio").json()["key"] == ids["doc"]


def test_dyad_network_actor_compare(client, ids):
    d = client.get("/api/dyad/CHN/NAM").json()
    assert d["count"] == 2 and sum(sum(v) for v in d["by_mode"].values()) == 2
    assert set(d["by_level"]) <= {"head of state/government", "foreign minister", "other"}
    assert set(d["issues"]) == {"CHN", "NAM"}
    n = client.get("/api/network", params={"since": "2024"}).json()
    assert any(e["source"] == "CHN" or e["target"] == "CHN" for e in n["edges"])
    assert client.get("/api/network", params={"by": "actor"}).json()["by"] == "actor"
    a = client.get("/api/actors/Lin Haoran").json()
    assert a["engagement_ids"] and any(c["country"] == "NAM" for c in a["counterparts"])
    if a["source"] == "actors table":  # the store has the canonical actors (docs/SCHEMA.md, 003)
        by_id = client.get(f"/api/actors/{a['id']}").json()
        assert by_id["id"] == a["id"] and by_id["engagement_ids"] == a["engagement_ids"]
    c = client.get(f"/api/compare/{ids['engagement']}").json()
    assert c["sources"] and c["sources"][0]["engagement_id"] == ids["engagement"]
    assert all(s["side"] and "only_here" in s for s in c["sources"]) and isinstance(c["sides"], dict)
    assert set(d["sides"]) == {"issues", "both", "by_month", "gaps"}


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        ("/api/engagements", {"since": "2024-13-01"}, 422),
        ("/api/engagements", {"until": "yesterday"}, 422),
        ("/api/engagements", {"since": "2025", "until": "2024"}, 422),
        ("/api/engagements", {"country": "C1N"}, 422),
        ("/api/engagements", {"country": "CHINA"}, 422),
        ("/api/engagements", {"country": "XXX"}, 422),  # three letters, but no state's code
        ("/api/engagements", {"country": "CN"}, 422),
        ("/api/dyad/CHN/ZZZ", {}, 422),
        ("/api/engagements", {"mode": "dinner"}, 422),
        ("/api/engagements", {"page": "-1"}, 422),
        ("/api/engagements", {"page": "x"}, 422),
        ("/api/engagements", {"since": "２０２３"}, 422),  # digits, but not ASCII ones
        ("/api/engagements", {"reports": "maybe"}, 422),
        ("/api/dyad/CHN/XX", {}, 422),
        ("/api/dyad/CHN/CHN", {}, 422),
        ("/api/documents/no-such-document", {}, 404),
        ("/api/actors/Nobody At All", {}, 404),
        ("/api/compare/no-such-engagement", {}, 404),
        ("/api/network", {"by": "planet"}, 422),
    ],
)
def test_bad_parameters(client, url, params, status):
    r = client.get(url, params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"]


@pytest.mark.parametrize("text", ["U.S.", "Xi's", "one-China", "China-US", "Ukraine AND", "(unbalanced", "NOT",
                                  '"unclosed', "AND OR", "title:", "*", "NEAR(", "--", "a:b"])
def test_everyday_text_searches_never_fail(client, text):
    for url in ("/api/engagements", "/api/facets", "/api/engagements.csv", "/"):
        r = client.get(url, params={"q": text})
        assert r.status_code == 200, (url, text, r.text)
        assert "fts5" not in r.text.lower() and "syntax error" not in r.text.lower()


def test_pages_and_errors_are_html(client, ids):
    for url in ["/", "/?country=CHN&country=RUS", f"/documents/{ids['doc']}", "/dyad/CHN/RUS", "/network",
                "/network?by=actor", "/actors/Lin%20Haoran", f"/compare/{ids['engagement']}"]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("text/html")
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    bad = client.get("/", params={"since": "2024-02-30"})
    assert bad.status_code == 422 and "not a date" in bad.text and bad.headers["content-type"].startswith("text/html")
    assert client.get("/documents/nope").status_code == 404
    assert client.get("/compare/nope").status_code == 404


def test_untrusted_text_is_escaped(client, ids):
    page = client.get(f"/documents/{ids['hostile']}").text
    assert SCRIPT not in page and IMG not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "<script>alert" not in page  # as text (&lt;) or in JSON (\u003c) only
    search = client.get("/", params={"q": "pwned"}).text
    assert SCRIPT not in search


def test_static_files_are_small_compressed_and_cached(client):
    page = client.get("/dyad/CHN/RUS").text
    assert "plotly" not in page.lower() and "cdn" not in page.lower()
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{16})"', page).group(1)
    r = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip" and "mode-meeting" in r.text
    assert "immutable" in r.headers["cache-control"] and r.headers["etag"]
    again = client.get(css, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert "immutable" not in client.get("/static/app.css").headers["cache-control"]  # no hash: revalidate
    js = re.search(r'src="(/static/app\.js\?v=[0-9a-f]{16})"', page).group(1)
    assert int(client.get(js, headers={"Accept-Encoding": "identity"}).headers["content-length"]) < 20_000
    assert client.get("/static/plotly.min.js").status_code == 404
    assert client.get("/static/nope.js").status_code == 404


def test_pages_are_gzipped_and_cached_until_the_store_changes(client):
    r = client.get("/network", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and "chart-network" in r.text
    assert client.get("/network").text == r.text  # served from the cache: the same bytes


@pytest.mark.parametrize(
    ("url", "params", "columns"),
    [
        ("/api/dyad/CHN/NAM/mode.csv", {}, ["month"]),
        ("/api/dyad/CHN/NAM/level.csv", {"since": "2020"}, ["month"]),
        ("/api/network.csv", {}, ["source", "target", "events"]),
        ("/api/network.csv", {"by": "actor"}, ["source", "target", "events"]),
        ("/api/network.csv", {"reports": "true"}, ["source", "target", "reports"]),
        ("/api/places.csv", {}, ["place", "country", "lat", "lon", "events"]),
        ("/api/places.csv", {"reports": "true"}, ["place", "country", "lat", "lon", "reports"]),
        ("/api/actors/Lin Haoran/per_year.csv", {}, ["year"]),
    ],
)
def test_chart_figures_download_as_csv(client, url, params, columns):
    r = client.get(url, params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:len(columns)] == columns and len(rows) > 1


def test_chart_csv_matches_the_chart(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/dyad/CHN/NAM/mode.csv").text)))
    assert sum(int(r["total"]) for r in rows) == client.get("/api/dyad/CHN/NAM").json()["count"]
    months = [r["month"] for r in rows]
    assert months == sorted(months) and len(set(months)) == len(months)
    places = client.get("/api/places").json()["places"]
    assert places and all(-90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180 for p in places)
    mapped = list(csv.DictReader(io.StringIO(client.get("/api/places.csv").text)))
    assert sum(int(r["events"]) for r in mapped) == sum(sum(p["modes"].values()) for p in places)
    # one dot per event: the mapped events plus those without coordinates are the events of the search
    located, total = sum(int(r["events"]) for r in mapped), client.get("/api/facets").json()["total"]
    assert located <= total
    page = client.get("/map").text
    assert (f"{total - located} of {total} events have no coordinates" in page) == (located < total)


@pytest.mark.parametrize("params", [{}, {"reports": "true"}, {"country": "CHN"}, {"since": "2024", "reports": "true"}])
def test_map_counts_the_rows_of_the_search(client, params):
    """A dot counts the rows search gives for the same filters that have coordinates: events (the
    report that stands for each) unless reports=true."""
    rows = client.get("/api/engagements.json", params=params).json()
    located = [e for e in rows if e["lat"] is not None and e["lon"] is not None]
    places = client.get("/api/places", params=params).json()
    assert places["unit"] == ("reports" if params.get("reports") else "events")
    per_mode: dict[str, int] = {}
    for p in places["places"]:
        for mode, n in p["modes"].items():
            per_mode[mode] = per_mode.get(mode, 0) + n
    expected: dict[str, int] = {}
    for e in located:
        expected[e["mode"]] = expected.get(e["mode"], 0) + 1
    assert per_mode == expected


def test_map_page_shows_places(client):
    page = client.get("/map").text
    assert '<figure class="chart" id="chart-map">' in page and page.count('class="dot mode-') >= 1
    assert page.count('class="land"') > 150  # the shipped country outlines


def test_urls_are_links_only_for_http(client, server):
    conn = sqlite3.connect(server.db)
    keys = [r[0] for r in conn.execute("SELECT id FROM documents WHERE doc_id LIKE '90%hostile%url'")]
    http = conn.execute("SELECT d.id FROM documents d WHERE d.url LIKE 'http%' LIMIT 1").fetchone()
    conn.close()
    assert len(keys) == 2
    for key in keys:
        page = client.get(f"/documents/{key}").text
        assert 'href="javascript' not in page.lower() and 'href="data:text' not in page.lower()
        assert "not a web link" in page
    if http:
        assert 'rel="noopener noreferrer nofollow">source URL</a>' in client.get(f"/documents/{http[0]}").text


@pytest.mark.parametrize("url", ["/", "/network", "/map", "/dyad/CHN/RUS", "/api/engagements", "/openapi.json"])
def test_head_answers_like_get_without_a_body(client, url):
    head, get = client.head(url), client.get(url)
    assert head.status_code == 200 == get.status_code and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_get_405_with_allow(client, method):
    for url in ["/", "/api/engagements", "/network"]:
        r = client.request(method, url)
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD", (method, url)
        assert r.headers["content-security-policy"]


@pytest.mark.parametrize("value", ["２０２３", "2023-0１", "٢٠٢٣", "2023-1-1", "20231"])
def test_dates_need_ascii_digits(client, value):
    r = client.get("/api/engagements", params={"since": value})
    assert r.status_code == 422 and r.json()["status"] == 422
    assert client.get("/", params={"until": value}).status_code == 422


def test_openapi_constrains_parameters_and_describes_errors(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/engagements"]["get"]
    params = {p["name"]: p["schema"] for p in op["parameters"]}
    text = json.dumps(params)
    assert '"phone_call"' in json.dumps(params["mode"]) and "enum" in json.dumps(params["mode"])
    assert "[0-9]{4}" in json.dumps(params["since"]) and "[A-Za-z]{3}" in text
    for code in ("400", "422", "503"):
        assert op["responses"][code]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert "text/html" in spec["paths"]["/documents/{doc_id}"]["get"]["responses"]["404"]["content"]


def test_a_removed_database_gives_an_error_page_with_headers(tmp_path, server):
    import shutil

    from web_server import Server

    db = tmp_path / "gone.db"
    shutil.copy(server.db, db)
    with Server(db) as srv, httpx.Client(base_url=srv.url, timeout=20) as c:
        assert c.get("/").status_code == 200
        for damage in ("removed", "not a database"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            if damage == "not a database":
                db.write_bytes(b"this is not an SQLite file" * 100)
            for url, kind in [("/", "text/html"), ("/network", "text/html"), ("/api/engagements", "application/json")]:
                r = c.get(url)
                assert r.status_code == 503, (damage, url, r.text)
                assert r.headers["content-type"].startswith(kind)
                assert "missing or unreadable" in r.text
                assert "script-src 'self'" in r.headers["content-security-policy"]
                assert r.headers["x-frame-options"] == "DENY"


def test_openapi_lists_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for path in ["/api/engagements", "/api/engagements.csv", "/api/engagements.json", "/api/facets",
                 "/api/documents/{doc_id}", "/api/dyad/{a}/{b}", "/api/network", "/api/actors/{actor_id}",
                 "/api/compare/{engagement_id}", "/", "/documents/{doc_id}", "/dyad/{a}/{b}", "/network",
                 "/actors/{actor_id}", "/compare/{engagement_id}"]:
        assert path in paths, path
    names = {p["name"] for p in spec["paths"]["/api/engagements"]["get"]["parameters"]}
    assert {"country", "actor", "mode", "since", "until", "occasion", "q", "page", "per_page"} <= names


def test_the_cache_follows_the_store(tmp_path, server):
    """A response is cached until the store changes: an ingest shows at once."""
    import shutil

    from web_server import HOSTILE_TXT, Server

    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result, run
    from readouts.store import Store

    db = tmp_path / "live.db"
    shutil.copy(server.db, db)
    src = tmp_path / "new"
    src.mkdir()
    (src / "950_new.txt").write_text(HOSTILE_TXT.replace("Estonia", "Finland").replace("Estonian", "Finnish")
                                     .replace("2024", "2023"), encoding="utf-8")
    with Server(db) as srv, httpx.Client(base_url=srv.url, timeout=20) as c:
        before = c.get("/api/engagements").json()["total"]
        assert c.get("/api/engagements").json()["total"] == before  # a cache hit: the same answer
        with Store(db) as store:
            store.add_batch([r for r in run(iter_inputs([str(src)])) if isinstance(r, Result)])
        assert c.get("/api/engagements").json()["total"] == before + 1
