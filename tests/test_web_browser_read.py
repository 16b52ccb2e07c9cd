"""What the pages show of the read side, in headless Chromium over a real server: one row per
event with its sources, actor facets by registry id that agree with the actor page, "undated,
not charted" notes, and links that keep the filters. The store is ingested by
``readouts ingest`` from the invented corpus of tests/read_corpus.py."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

from test_web_browser import browser, page, shot  # noqa: E402, F401 - the same Chromium fixtures; skips without it

import read_corpus  # noqa: E402
from web_server import Server  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server(read_corpus.ingest(tmp_path_factory.mktemp("webread"))) as srv:
        yield srv


def rows(page):  # noqa: ANN001
    return page.locator("#results tbody tr")


def test_one_row_per_event_with_its_sources(server, page):
    page.goto(server.url + "/?country=NOR&country=CHL&since=2025-05-12&until=2025-05-12")
    assert page.text_content("#total") == "1" and rows(page).count() == 1
    row = rows(page).first
    assert row.locator(".n-sources").text_content() == "5"
    row.locator("details.sources summary").click()
    sources = row.locator("details.sources li").all_text_contents()
    assert len(sources) == 5
    assert any("example-wire.test" in s and "2025-05-14" in s for s in sources)
    assert any("example-daily.test" in s and "(copy)" in s for s in sources)
    shot(page, "read-search-event")
    page.check("#reports")  # the toggle: one row per report
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    assert "reports=true" in page.url and page.text_content("#total") == "2" and rows(page).count() == 2
    page.watch.check()


def test_actor_facets_are_registry_actors_and_agree_with_the_actor_page(server, page):
    page.goto(server.url + "/")
    facet = page.locator("aside.facets a[data-actor='p:alberto-fuentes:CHL']")
    assert facet.count() == 1 and facet.text_content() == "Alberto Fuentes"
    count = facet.locator("xpath=following-sibling::span[@class='count']").text_content()
    names = page.locator("aside.facets a[data-actor]").all_text_contents()
    assert "Fuentes" not in names  # the surname-only report counts for the one actor
    facet.click()
    page.wait_for_load_state()
    assert "actor=p%3Aalberto-fuentes%3ACHL" in page.url
    assert page.text_content("#total") == count == "6"
    page.goto(server.url + "/actors/p:alberto-fuentes:CHL")
    assert page.text_content("#actor-count") == count
    assert page.locator("#actor-rows tbody tr").count() == 6
    counterpart = page.locator("#counterparts a[data-actor='p:ingrid-solberg:NOR']")
    assert counterpart.locator("xpath=following-sibling::span[@class='count']").text_content() == "4"
    shot(page, "read-actor")
    page.watch.check()


def test_undated_engagements_are_named_not_lost(server, page):
    page.goto(server.url + "/dyad/NOR/CHL")
    note = page.locator("#undated-note")
    assert note.count() == 1 and "1 undated, not charted" in note.text_content()
    assert note.locator("a").count() == 1
    undated = page.locator("#dyad-rows tbody tr", has=page.locator("td", has_text="undated"))
    assert undated.count() == 1
    page.goto(server.url + "/actors/p:alberto-fuentes:CHL")
    assert "1 undated, not charted" in page.text_content("#undated-note")
    shot(page, "read-dyad-undated")
    page.watch.check()


def test_links_keep_the_filters(server, page):
    page.goto(server.url + "/network?since=2025&mode=phone_call")
    assert page.input_value("#since") == "2025" and page.input_value("#mode") == "phone_call"
    edge = page.locator("#edges tbody tr", has=page.locator("td", has_text="NOR")).locator("a").first
    weight = edge.text_content()
    href = edge.get_attribute("href")
    assert re.search(r"since=2025", href) and "mode=phone_call" in href
    edge.click()
    page.wait_for_load_state()
    assert page.text_content("#period").startswith("2025")
    assert page.text_content("#dyad-summary strong") == weight == "1"
    assert page.input_value("#since") == "2025" and page.input_value("#mode") == "phone_call"
    page.fill("#until", "2025-05")  # the dyad page's own filter controls
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "until=2025-05" in page.url and "since=2025" in page.url and "mode=phone_call" in page.url
    search = page.get_attribute("#search-link", "href")
    assert all(x in search for x in ("country=NOR", "country=CHL", "since=2025", "until=2025-05", "mode=phone_call"))
    page.click("#search-link")
    page.wait_for_load_state()
    assert page.text_content("#total") == weight
    assert "since=2025" in page.get_attribute("#dyad-link", "href")
    shot(page, "read-links")
    page.watch.check()
