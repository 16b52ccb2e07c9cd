"""The web UI in headless Chromium (Debian's /usr/bin/chromium), driven by Playwright.

Screenshots of every page go to tests/artefacts/ (gitignored).
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
pytest.importorskip("fastapi")

from web_server import IMG, SCRIPT, serving  # noqa: E402

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("webui")) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Watch:
    """Console errors, page errors, dialogs and the hosts of every request of one page."""

    def __init__(self, page) -> None:  # noqa: ANN001
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.hosts: set[str] = set()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.hosts.add(urlsplit(r.url).hostname or r.url))

        def dialog(d) -> None:  # noqa: ANN001
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)

    def check(self) -> None:
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs
        assert self.hosts <= {"127.0.0.1"}, self.hosts


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.watch = Watch(p)
    yield p
    context.close()


def shot(page, name: str) -> None:  # noqa: ANN001
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=False)


def doc_key(server, doc_id: str) -> str:  # noqa: ANN001
    with sqlite3.connect(server.db) as conn:
        return conn.execute("SELECT id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]


def test_search_then_document(server, page):
    page.goto(server.url + "/")
    page.fill("#q", "Ukraine")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "q=Ukraine" in page.url
    assert int(page.text_content("#total")) >= 1
    assert page.locator("a", has_text="CSV").count() == 1
    shot(page, "search")
    page.locator("table.list a", has_text="010_sidelines_g20_rio").first.click()
    page.wait_for_load_state()
    marks = page.locator("mark.hl")
    assert marks.count() > 0
    trigger = page.locator("mark.f-trigger").first
    assert "rule trigger:" in trigger.get_attribute("title")
    trigger.hover()
    assert "trigger:" in page.text_content("#span-detail")
    page.locator("mark.f-participant").first.click()
    assert "participant" in page.text_content("#span-detail")
    shot(page, "document")
    page.watch.check()


def test_dyad_chart(server, page):
    page.goto(server.url + "/dyad/CHN/NAM")
    page.wait_for_selector("#chart-mode svg.chart-svg rect.mode-meeting, #chart-mode svg.chart-svg rect", timeout=15000)
    assert page.locator("#chart-level svg.chart-svg").count() == 1
    assert page.locator("#chart-mode a.csv").get_attribute("href").startswith("/api/dyad/CHN/NAM/mode.csv")
    # a real date axis: ticks are calendar periods, each bar says its month and mode
    assert page.locator("#chart-mode rect title").first.text_content()[:4].isdigit()
    assert page.locator("#chart-mode .keys li").count() >= 1
    engagements = page.locator("table.list", has=page.locator("caption", has_text="Engagements"))
    assert engagements.locator("tbody tr").count() == 2
    shot(page, "dyad")
    page.watch.check()


def test_network(server, page):
    page.goto(server.url + "/network")
    page.wait_for_selector("#chart-network svg .node", timeout=15000)
    nodes = page.locator("#chart-network svg .node").count()
    labels = page.locator("#chart-network svg .node-label").count()
    assert nodes > 1 and 1 <= labels <= 15
    edge = page.locator("#chart-network svg a", has=page.locator("line.edge")).first
    assert edge.get_attribute("href").startswith("/dyad/")
    shot(page, "network")
    page.select_option("#by", "actor")
    page.click("button[type=submit]")
    page.wait_for_selector("#chart-network svg .node", timeout=15000)
    assert "by=actor" in page.url
    page.watch.check()


def test_compare_and_actor(server, page):
    page.goto(server.url + "/?country=CHN&country=RUS")
    page.locator("a", has_text="compare").first.click()
    page.wait_for_load_state()
    assert page.locator("section.source").count() >= 1
    shot(page, "compare")
    page.goto(server.url + "/actors/Lin%20Haoran")
    page.wait_for_selector("#chart-actor svg.chart-svg rect", timeout=15000)
    years = [t.split(",")[0] for t in page.locator("#chart-actor rect title").all_text_contents()]
    assert years and all(y.isdigit() for y in years)
    shot(page, "actor")
    page.watch.check()


@pytest.mark.parametrize("doc_id", ["900_hostile_text", "901_hostile_html"])
def test_hostile_text_is_inert(server, page, doc_id):
    page.goto(server.url + "/documents/" + doc_key(server, doc_id))
    page.wait_for_load_state()
    title = page.title()
    body = page.text_content("#doc-text")
    assert "<script>alert(1)</script>" in body
    assert "onerror=" in body and "<img" in body
    assert page.locator("#doc-text script, #doc-text img").count() == 0
    page.wait_for_timeout(200)
    assert page.title() == title and "pwned" not in page.title()
    shot(page, f"hostile-{doc_id}")
    page.goto(server.url + "/?q=alert")
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
    page.watch.check()
    assert SCRIPT and IMG


@pytest.fixture(scope="module")
def sides_server(tmp_path_factory):
    """A server over the invented Norway-Chile reports of tests/test_sides.py, linked."""
    import json

    from test_sides import REPORTS
    from web_server import Server

    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result, run
    from readouts.store import Store

    tmp = tmp_path_factory.mktemp("sides")
    src = tmp / "reports.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in REPORTS), encoding="utf-8")
    db = tmp / "sides.db"
    with Store(db) as store:
        store.add_batch([r for r in run(iter_inputs([str(src)])) if isinstance(r, Result)])
        store.refresh_links()
    with Server(db) as srv:
        srv.db = db
        yield srv


def test_compare_page_by_side(sides_server, page):
    key = doc_key(sides_server, "nor-mfa")
    page.goto(f"{sides_server.url}/compare/{key}-0")
    assert page.locator("section.source").count() == 3
    rows = page.locator("#by-side tbody tr")
    assert rows.count() == 3
    chl = page.locator("#by-side tbody tr", has=page.locator("th", has_text="CHL"))
    assert "frank" in chl.locator("span.only").all_text_contents()
    assert page.locator(".link-reason").count() == 2  # the first report of the event has no link
    assert "Alberto Fuentes" in page.locator(".link-reason").first.text_content()
    shot(page, "compare-sides")
    page.watch.check()


def test_dyad_page_sides_chart_and_gaps(sides_server, page):
    page.goto(sides_server.url + "/dyad/NOR/CHL")
    page.wait_for_selector("#chart-one-sided svg rect.side-a", timeout=15000)
    issues = page.locator("#side-issues tbody tr", has=page.locator("td", has_text="Antarctica"))
    assert issues.locator("td").nth(1).text_content() == "1" and "only NOR" in issues.text_content()
    gaps = page.locator("#gaps tbody tr")
    assert gaps.count() == 1 and "2025-06-02" in gaps.text_content() and "CHL" in gaps.text_content()
    issues.locator("a.only").first.click()
    page.wait_for_load_state()
    assert "/compare/" in page.url and page.locator("#by-side").count() == 1
    page.goto(sides_server.url + "/dyad/NOR/CHL")
    page.wait_for_selector("#chart-one-sided svg rect", timeout=15000)
    shot(page, "dyad-sides")
    page.watch.check()


def test_map(server, page):
    page.goto(server.url + "/map")
    page.wait_for_selector("#chart-map svg circle.dot", timeout=15000)
    assert page.locator("#chart-map svg path.land").count() > 150
    tip = page.locator("#chart-map circle.dot title").first.text_content()
    assert " event" in tip  # the map counts events, as the search does
    box = page.locator("#chart-map svg.chart-svg").bounding_box()
    assert box["width"] > 600 and box["height"] > 250
    shot(page, "map")
    page.watch.check()


@pytest.mark.parametrize("url", ["/dyad/CHN/NAM", "/network", "/map", "/actors/Lin%20Haoran"])
def test_charts_without_javascript(server, browser, url):
    """No script runs: the charts are there (server-drawn SVG) and so are their tables."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url + url)
    figure = page.locator("figure.chart").first
    assert figure.locator("svg.chart-svg").bounding_box()["height"] > 100
    figure.locator("details.chart-data summary").click()
    assert figure.locator("table.data tbody tr").count() >= 1
    assert figure.locator("table.data tbody tr").first.is_visible()
    context.close()


def test_chart_labels_are_text(server, page):
    """A name with markup in a chart stays text: the charts module escapes every label."""
    from readouts.web.charts import network

    evil = '<a href="javascript:alert(1)"><b>Evil</b></a>'
    chart = network("n", "t", [{"id": evil, "engagements": 2}, {"id": "CHN", "engagements": 1}],
                    [{"source": evil, "target": "CHN", "weight": 1}])
    page.set_content(f"<html><body>{chart.svg}</body></html>")
    assert page.locator("b").count() == 0 and page.locator("a[href^='javascript']").count() == 0
    assert evil in page.locator("svg .node-label").first.text_content()
