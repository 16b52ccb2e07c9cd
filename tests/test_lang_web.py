"""The web UI on Chinese and Russian readouts: a real server over a real database holding the
English seed and a Chinese and a Russian report (texts written for the tests) of one meeting.
The document page shows the original text with every extracted value highlighted, the
participants labelled with their English names; the actor page joins the three scripts."""
from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from web_server import Server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "000_383b651f30302be0.txt"
HERE = Path(__file__).resolve().parent / "data" / "lang"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from click.testing import CliRunner

    from readouts.cli import main

    tmp = tmp_path_factory.mktemp("langweb")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for f in (SEED, HERE / "wang_lavrov_zh.txt", HERE / "wang_lavrov_ru.txt"):
        shutil.copy(f, corpus / f.name)
    db = tmp / "lang.db"
    res = CliRunner().invoke(main, ["ingest", str(corpus), "--db", str(db)])  # as a user builds it
    assert res.exit_code == 0, res.output
    with Server(db) as srv:
        srv.db = db  # type: ignore[attr-defined]
        yield srv


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=20) as c:
        yield c


def _key(server, doc_id: str) -> str:
    conn = sqlite3.connect(server.db)
    try:
        return conn.execute("SELECT id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize(
    "doc_id,names",
    [("wang_lavrov_zh", ["王毅 (Wang Yi)", "拉夫罗夫 (Sergey Lavrov)"]),
     ("wang_lavrov_ru", ["Сергей Лавров (Sergey Lavrov)", "Ван И (Wang Yi)"])],
)
def test_document_spans_in_the_original_text(client, server, doc_id: str, names: list[str]) -> None:
    body = client.get(f"/api/documents/{_key(server, doc_id)}").json()
    fields = {s["field"] for s in body["spans"]}
    assert {"participant", "trigger", "date", "occasion"} <= fields
    for s in body["spans"]:
        assert body["text"][s["start"]:s["end"]] == s["text"]
    labels = " ".join(s["label"] for s in body["spans"] if s["field"] == "participant")
    for name in names:
        assert name in labels, labels
    page = client.get(f"/documents/{_key(server, doc_id)}")
    assert page.status_code == 200 and 'class="hl f-participant' in page.text


def test_actor_page_joins_the_scripts(client) -> None:
    actor = client.get("/api/actors/p:wang-yi:CHN")  # ids are the canonical name's slug and state
    assert actor.status_code == 200, actor.text
    body = actor.json()
    assert {"王毅", "Ван И"} <= set(body["aliases"]), body["aliases"]
    page = client.get("/actors/p:wang-yi:CHN")
    assert page.status_code == 200
    for alias in ("王毅", "Ван И"):
        assert alias in page.text


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium is missing")
def test_document_page_in_a_browser(server) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{server.url}/documents/{_key(server, 'wang_lavrov_zh')}")
            marks = page.locator("mark.f-participant")
            assert marks.count() >= 2
            marks.first.click()
            detail = page.text_content("#span-detail")
            assert "Wang Yi" in detail or "Sergey Lavrov" in detail, detail
            assert "会见" in page.text_content("#doc-text")
            assert not errors, errors
        finally:
            browser.close()
