"""`readouts crawl` against a real HTTP server on 127.0.0.1 serving recorded pages (tests/crawl_site.py).

Politeness (robots.txt, per-host delay, Crawl-delay, 429 back-off, timeouts), conditional GET on a
second crawl, resuming after SIGKILL, the WARC archive, and the engagements compared with an
ingest of the same pages from files. Nothing here reaches beyond localhost.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from crawl_site import build_pages, profile_toml, readout_paths, serve_site

from readouts.cli import main
from readouts.crawl import CrawlConfig, ProgressLine, crawl
from readouts.crawl.crawler import CrawlReport
from readouts.ingest import iter_inputs
from readouts.pipeline import Result, run
from readouts.store import Store

DELAY = 0.1  # per-host delay in these tests (seconds)
TIMEOUT = 0.3
FAST = CrawlConfig(delay=DELAY, timeout=TIMEOUT, retries=1, backoff=0.05)
SRC = Path(__file__).resolve().parents[1] / "src"


def write_profile(tmp_path: Path, site, name: str = "testsite") -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(profile_toml(site, name), encoding="utf-8")
    return str(path)


def engagements(db: Path) -> list[tuple[str, str]]:
    """(engagement id, JSON) of every stored engagement; the id is the content hash of the text."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, json FROM engagements ORDER BY id").fetchall()


def ingest_into(db: Path, inputs: list[str]) -> None:
    results = [r for r in run(iter_inputs(inputs)) if isinstance(r, Result)]
    with Store(db) as store:
        store.add_batch(results)


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:])]


# -- one full crawl, then a second one --------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The recorded site crawled twice with the test profile; the site's request log kept."""
    tmp = tmp_path_factory.mktemp("crawl")
    with serve_site(slow_seconds=1.0) as site:
        profile = write_profile(tmp, site)
        db, warc = tmp / "crawl.db", tmp / "warc"
        first = crawl([profile], db, warc, FAST)
        split = len(site.hits)
        second = crawl([profile], db, warc, FAST)
        yield {"site": site, "first": first, "second": second, "hits1": site.hits[:split],
               "hits2": site.hits[split:], "db": db, "warc": warc, "tmp": tmp}


def test_disallowed_pages_are_never_requested(crawled):
    paths = {h.path for h in crawled["site"].hits}
    assert "/private/secret.html" not in paths
    assert crawled["first"].robots_skipped == 1
    assert crawled["site"].hits[0].path == "/robots.txt"


def test_every_request_names_the_crawler(crawled):
    agents = {h.user_agent for h in crawled["site"].hits}
    assert len(agents) == 1 and agents.pop().startswith("readouts/")


def test_the_per_host_delay_holds(crawled):
    measured = gaps([h.at for h in crawled["hits1"]])
    assert len(measured) >= 15
    assert min(measured) >= DELAY * 0.95, measured


def test_429_is_retried_after_the_time_the_server_asks_for(crawled):
    busy = [h for h in crawled["hits1"] if h.path == "/news/busy.html"]
    assert [h.status for h in busy] == [429, 200]
    assert busy[1].at - busy[0].at >= 1.0  # Retry-After: 1


def test_a_page_that_times_out_is_rejected_with_its_reason(crawled):
    report = crawled["first"]
    assert report.rejected == {f"timed out after {TIMEOUT:g} s": 1}
    slow = [h for h in crawled["hits1"] if h.path == "/news/slow.html"]
    assert len(slow) == FAST.retries + 1
    assert slow[1].at - slow[0].at >= TIMEOUT + FAST.backoff


def test_first_crawl_counts(crawled):
    report = crawled["first"]
    assert report.finished and not report.errors
    assert report.fetched == 5 + len(readout_paths())  # the sitemap, the feed, 3 list pages, the pages
    assert report.documents.new == len(readout_paths()) == report.documents.readouts
    assert report.documents.engagements == len(readout_paths())


def test_each_page_fetched_once_and_the_list_walk_ends(crawled):
    counts = {}
    for h in crawled["hits1"]:
        counts[h.path] = counts.get(h.path, 0) + 1
    assert all(counts[p] == 1 for p in readout_paths() if p != "/news/busy.html")
    assert counts["/news/page/3.html"] == 1 and "/news/page/4.html" not in counts


def test_a_second_crawl_gets_only_304s(crawled):
    hits = crawled["hits2"]
    # the one URL that failed for a transient reason (timeout) is tried again, by design
    revalidated = [h for h in hits if h.path != "/news/slow.html"]
    assert revalidated and all(h.status == 304 and h.if_none_match for h in revalidated), \
        [(h.path, h.status) for h in revalidated]
    assert {h.path for h in revalidated} == {"/robots.txt", "/sitemap.xml", "/feed.xml", "/news/"}
    report = crawled["second"]
    assert report.fetched == 0 and report.documents.new == 0 and report.not_modified == 4


def test_crawled_engagements_equal_those_ingested_from_files(crawled, tmp_path):
    pages = build_pages()
    folder = tmp_path / "pages"
    folder.mkdir()
    for path in readout_paths():
        (folder / (Path(path).stem + ".html")).write_bytes(pages[path][1])
    ingest_into(tmp_path / "files.db", [str(folder)])
    expected = engagements(tmp_path / "files.db")
    assert len(expected) == len(readout_paths())
    assert engagements(crawled["db"]) == expected


def test_the_warc_archive_ingests_to_the_same_engagements(crawled, tmp_path):
    files = sorted(crawled["warc"].glob("*.warc.gz"))
    assert files
    ingest_into(tmp_path / "warc.db", [str(crawled["warc"])])
    assert engagements(tmp_path / "warc.db") == engagements(crawled["db"])
    with sqlite3.connect(crawled["db"]) as conn:
        sources = [r[0] for r in conn.execute("SELECT source FROM documents")]
        urls = {r[0] for r in conn.execute("SELECT url FROM documents")}
    assert all("@" in s and s.split("@")[0].endswith(".warc.gz") for s in sources)
    assert urls == {crawled["site"].base + p for p in readout_paths()}


def test_cli_ingest_reads_warc_files(crawled, tmp_path):
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(main, ["ingest", str(crawled["warc"]), "--db", str(db), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"documents: {len(readout_paths())} new" in result.output


# -- resuming -----------------------------------------------------------------------------------


def _run_cli(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, "-m", "readouts", "crawl", *args, "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _wait_for_hits(site, n: int, proc: subprocess.Popen, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while len(site.hits) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the crawl did not get that far"
        time.sleep(0.01)


def _wait_recorded(db: Path, url: str, proc: subprocess.Popen, limit: float = 30.0) -> None:
    """Until the crawl's frontier has the response to ``url`` (archived, maybe processed)."""
    deadline = time.monotonic() + limit
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{url} never recorded"
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                row = conn.execute("SELECT state, fetched_at FROM crawl_urls WHERE url = ?", (url,)).fetchone()
        except sqlite3.OperationalError:  # the file or the table is not there yet
            row = None
        if row is not None and row[1] is not None:
            return
        time.sleep(0.01)


def test_a_crawl_killed_with_sigkill_resumes_and_fetches_each_page_once(tmp_path):
    delay = 0.5
    with serve_site(flaky=False) as site:
        profile = write_profile(tmp_path, site)
        args = [profile, "--db", str(tmp_path / "k.db"), "--archive", str(tmp_path / "warc"), "--delay", str(delay)]
        kills = 0
        for stop_after in (4, 9):  # kill twice: during discovery, then among the pages
            proc = _run_cli(args)
            _wait_for_hits(site, stop_after, proc)
            _wait_recorded(tmp_path / "k.db", site.base + site.hits[-1].path, proc)
            proc.send_signal(signal.SIGKILL)  # the response is recorded; the next request is `delay` away
            proc.wait()
            kills += 1
        proc = _run_cli(args)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert kills == 2
    counts: dict[str, int] = {}
    for h in site.hits:
        counts[h.path] = counts.get(h.path, 0) + 1
    pages = [p for p in counts if p != "/robots.txt"]
    assert {p: counts[p] for p in pages if counts[p] != 1} == {}
    assert set(readout_paths(flaky=False)) <= set(pages)
    robots = [h.status for h in site.hits if h.path == "/robots.txt"]
    assert robots == [200, 304, 304]  # once per process, conditionally after the first
    pages_html = build_pages(flaky=False)
    folder = tmp_path / "pages"
    folder.mkdir()
    for path in readout_paths(flaky=False):
        (folder / (Path(path).stem + ".html")).write_bytes(pages_html[path][1])
    ingest_into(tmp_path / "files.db", [str(folder)])
    assert engagements(tmp_path / "k.db") == engagements(tmp_path / "files.db")


def test_ctrl_c_stops_with_one_line_and_the_same_command_resumes(tmp_path):
    with serve_site(flaky=False) as site:
        profile = write_profile(tmp_path, site)
        args = [profile, "--db", str(tmp_path / "c.db"), "--archive", str(tmp_path / "warc"), "--delay", "0.3"]
        proc = _run_cli(args)
        _wait_for_hits(site, 6, proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130
        assert err.decode().strip().splitlines()[-1] == \
            "readouts: interrupted; the same crawl command resumes where this one stopped"
        assert "Traceback" not in err.decode()
        proc = _run_cli(args)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert out.decode().startswith("resumed an unfinished crawl of the same sources")
    paths = [h.path for h in site.hits if h.path != "/robots.txt"]
    assert set(readout_paths(flaky=False)) <= set(paths)
    assert len(paths) - len(set(paths)) <= 1  # at most the request the interrupt cut off


def test_a_crawl_killed_in_mid_request_loses_nothing(tmp_path):
    """Killed the moment a request arrives: that one request may be sent again, nothing is lost."""
    with serve_site(flaky=False) as site:
        profile = write_profile(tmp_path, site)
        args = [profile, "--db", str(tmp_path / "k.db"), "--archive", str(tmp_path / "warc"), "--delay", "0.3"]
        for stop_after in (5, 8):
            proc = _run_cli(args)
            _wait_for_hits(site, stop_after, proc)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        proc = _run_cli(args)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    counts: dict[str, int] = {}
    for h in site.hits:
        counts[h.path] = counts.get(h.path, 0) + 1
    assert set(readout_paths(flaky=False)) <= set(counts)
    assert sum(n - 1 for p, n in counts.items() if p != "/robots.txt") <= 2  # at most one per kill
    with sqlite3.connect(tmp_path / "k.db") as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == len(readout_paths(flaky=False))
        assert conn.execute("SELECT count(*) FROM crawl_urls WHERE state NOT IN ('done', 'skipped')").fetchone()[0] == 0


def test_crawling_two_hosts_interleaves_and_keeps_each_hosts_delay(tmp_path):
    delay = 0.25
    with serve_site(flaky=False) as one, serve_site(flaky=False) as two:
        report = crawl([one.base + "/news/", two.base + "/news/"], tmp_path / "h.db", tmp_path / "warc",
                       CrawlConfig(delay=delay))
    # the same pages on both hosts: stored once, the second copies are "already present"
    assert report.finished and (report.documents.new, report.documents.present) == (4, 4)
    for site in (one, two):
        assert min(gaps([h.at for h in site.hits])) >= delay * 0.95
    both = sorted([(h.at, 1) for h in one.hits] + [(h.at, 2) for h in two.hits])
    close = [b[0] - a[0] for a, b in zip(both, both[1:]) if a[1] != b[1]]
    assert min(close) < delay  # the delay is per host: the other host is asked meanwhile


def test_a_redirect_is_followed_through_the_frontier(tmp_path):
    with serve_site(flaky=False) as site:
        path = tmp_path / "moved.toml"
        path.write_text(profile_toml(site, "moved").replace("/feed.xml", "/old-feed.xml"), encoding="utf-8")
        report = crawl([str(path)], tmp_path / "r.db", tmp_path / "warc", CrawlConfig(delay=0.0))
    assert [h.status for h in site.hits if h.path in ("/old-feed.xml", "/feed.xml")] == [301, 200]
    assert report.documents.readouts == 8  # the feed's two pages are reached through the redirect


def test_a_response_archived_before_a_kill_is_processed_from_the_archive(tmp_path):
    """The state a kill between archiving a page and storing it leaves: the page is not asked for again."""
    page = "/news/lin-novak.html"
    with serve_site(flaky=False) as site:
        profile = write_profile(tmp_path, site)
        db, warc = tmp_path / "a.db", tmp_path / "warc"
        crawl([profile], db, warc, CrawlConfig(delay=0.0))
        with sqlite3.connect(db) as conn:  # as if killed after archiving the page, mid-run
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("UPDATE crawl_urls SET state = 'fetched' WHERE url = ?", (site.base + page,))
            conn.execute("UPDATE crawl_runs SET finished_at = NULL")
            conn.execute("DELETE FROM documents WHERE url = ?", (site.base + page,))
        before = len(site.hits)
        report = crawl([profile], db, warc, CrawlConfig(delay=0.0))
    assert report.resumed and report.from_archive == 1 and report.documents.new == 1
    assert site.hits[before:] == []  # nothing asked for: the run had nothing else left
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents WHERE url = ?", (site.base + page,)).fetchone()[0] == 1


def test_a_changed_list_is_walked_until_a_page_brings_nothing_new(tmp_path):
    from crawl_site import page_html

    with serve_site(flaky=False) as site:
        profile = write_profile(tmp_path, site)
        db, warc = tmp_path / "l.db", tmp_path / "warc"
        crawl([profile], db, warc, CrawlConfig(delay=0.0))
        # a new readout on top of the list; page 2 changes too (a new footer) but links nothing new
        site.pages["/news/lin-berg.html"] = ("text/html; charset=utf-8", page_html(
            "lin-berg", "2024-03-25", "Lin Haoran Meets with Swedish Foreign Minister Anna Berg",
            "On March 25, 2024, Foreign Minister Lin Haoran met with Swedish Foreign Minister Anna Berg in Stockholm. "
            "Anna Berg said that Sweden supports cooperation on climate").encode())
        ctype, first = site.pages["/news/"]
        site.pages["/news/"] = (ctype, first.replace(b"<ul>", b'<ul><li><a href="/news/lin-berg.html">new</a></li>'))
        site.pages["/news/page/2.html"] = (ctype, site.pages["/news/page/2.html"][1].replace(b"</body>", b"<p>v2</p></body>"))
        before = len(site.hits)
        report = crawl([profile], db, warc, CrawlConfig(delay=0.0))
    asked = {h.path: h.status for h in site.hits[before:]}
    assert asked["/news/"] == 200 and asked["/news/lin-berg.html"] == 200 and asked["/news/page/2.html"] == 200
    assert "/news/page/3.html" not in asked  # page 2 brought nothing new: the rest is known
    assert report.documents.new == 1


def test_max_pages_stops_and_the_next_crawl_resumes(tmp_path):
    with serve_site(flaky=False) as site:
        profile = write_profile(tmp_path, site)
        db, warc = tmp_path / "m.db", tmp_path / "warc"
        first = crawl([profile], db, warc, CrawlConfig(delay=0.01, max_pages=3))
        second = crawl([profile], db, warc, CrawlConfig(delay=0.01))
    assert not first.finished and second.finished and second.resumed
    assert first.fetched == 3
    fetched = [h.path for h in site.hits if h.path != "/robots.txt"]
    assert len(fetched) == len(set(fetched))
    assert first.documents.new + second.documents.new == len(readout_paths(flaky=False))


# -- politeness details ---------------------------------------------------------------------


def test_robots_crawl_delay_is_honoured(tmp_path):
    with serve_site(crawl_delay=0.3, flaky=False) as site:
        crawl([site.base + "/news/"], tmp_path / "d.db", tmp_path / "warc", CrawlConfig(delay=0.0, max_pages=4))
    measured = gaps([h.at for h in site.hits])
    assert len(measured) == 4 and min(measured) >= 0.3 * 0.95, measured


@pytest.mark.parametrize("since, skipped, fetched_pages", [
    (None, 0, 8),
    ("2024-03-12", 4, 4),  # the sitemap's and the feed's entries before March 12 are not fetched
    ("2024-04", 5, 3),  # every dated entry is older; the list's undated links still are fetched
])
def test_since_skips_dated_entries(tmp_path, since, skipped, fetched_pages):
    with serve_site(flaky=False) as site:
        profile = write_profile(tmp_path, site)
        report = crawl([profile], tmp_path / "s.db", tmp_path / "warc", CrawlConfig(delay=0.0, since=since))
    assert report.since_skipped == skipped
    assert sum(1 for h in site.hits if h.path.startswith("/news/") and h.path.endswith(".html")
               and "/page/" not in h.path) == fetched_pages


def test_pages_skipped_by_since_are_fetched_by_a_later_crawl_without_it(tmp_path):
    with serve_site(flaky=False) as site:
        profile = write_profile(tmp_path, site)
        db, warc = tmp_path / "s.db", tmp_path / "warc"
        first = crawl([profile], db, warc, CrawlConfig(delay=0.0, since="2024-04"))
        again = crawl([profile], db, warc, CrawlConfig(delay=0.0, since="2024-04"))
        second = crawl([profile], db, warc, CrawlConfig(delay=0.0))
        third = crawl([profile], db, warc, CrawlConfig(delay=0.0))
    assert (first.documents.new, again.fetched, second.documents.new, third.fetched) == (3, 0, 5, 0)
    assert "/private/secret.html" not in {h.path for h in site.hits}


@pytest.mark.parametrize("since, walked", [(None, True), ("2024-04", False)])
def test_since_ends_the_list_walk_at_a_page_of_older_links(tmp_path, since, walked):
    def listing(links: str, more: str = "") -> tuple[str, bytes]:
        return "text/html", f"<html><body>{links}{more}</body></html>".encode()

    extra = {"/dated/": listing('<a href="/dated/2024/03/01/a.html">a</a><a href="/dated/2024/02/27/b.html">b</a>',
                                '<a href="/dated/list-2">Next</a>'),
             "/dated/list-2": listing('<a href="/dated/2024/02/20/c.html">c</a>')}
    with serve_site(flaky=False, extra=extra) as site:
        report = crawl([site.base + "/dated/"], tmp_path / "d.db", tmp_path / "warc", CrawlConfig(delay=0.0, since=since))
    assert ("/dated/list-2" in {h.path for h in site.hits}) == walked
    assert report.since_skipped == (0 if since is None else 2)


SIDEBAR_PAGE = ("<html><head><title>Lin Haoran Meets with Norwegian Foreign Minister Kari Dahl</title></head><body>"
                "<div class='main'><h1>Lin Haoran Meets with Norwegian Foreign Minister Kari Dahl</h1>"
                "<p>On April 2, 2024, Foreign Minister Lin Haoran met with Norwegian Foreign Minister Kari Dahl "
                "in Oslo.</p><p>Kari Dahl said that Norway supports free trade.</p></div>"
                "<div class='more'><h2>Earlier</h2><p>On March 27, 2024, Foreign Minister Lin Haoran held talks with "
                "Swedish Foreign Minister Erik Lund in Stockholm.</p><p>Erik Lund said that Sweden welcomes "
                "Chinese investment.</p></div></body></html>")


@pytest.mark.parametrize("content, dates", [
    (None, {"2024-04-02", "2024-03-27"}),  # the whole page: the teaser below counts too
    ("//div[@class='main']", {"2024-04-02"}),  # the profile's page part: only the readout
])
def test_a_profile_content_xpath_keeps_the_readout_part(tmp_path, content, dates):
    extra = {"/part/": ("text/html", b'<html><body><a href="/part/1.html">1</a></body></html>'),
             "/part/1.html": ("text/html; charset=utf-8", SIDEBAR_PAGE.encode())}
    with serve_site(flaky=False, extra=extra) as site:
        path = tmp_path / "part.toml"
        path.write_text(f'name = "part"\npublisher = "P"\nlanguage = "en"\nstart = ["{site.base}/part/"]\n'
                        f"pages = ['/part/\\d+\\.html$']\n" + (f'content = "{content}"\n' if content else ""),
                        encoding="utf-8")
        crawl([str(path)], tmp_path / "p.db", tmp_path / "warc", CrawlConfig(delay=0.0))
    with sqlite3.connect(tmp_path / "p.db") as conn:
        assert {r[0] for r in conn.execute("SELECT date FROM engagements")} == dates


def test_nested_sitemap_indexes_lead_to_the_pages(tmp_path):
    def index(child: str) -> tuple[str, bytes]:
        return "application/xml", (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
                                   f"<loc>{{base}}{child}</loc></sitemap></sitemapindex>").encode()

    extra = {"/index.xml": index("/index-2.xml"), "/index-2.xml": index("/sitemap.xml")}
    with serve_site(flaky=False, extra=extra) as site:
        report = crawl([site.base + "/index.xml"], tmp_path / "i.db", tmp_path / "warc", CrawlConfig(delay=0.0))
    assert [h.path for h in site.hits[:4]] == ["/robots.txt", "/index.xml", "/index-2.xml", "/sitemap.xml"]
    assert report.documents.readouts == 3  # the three pages the sitemap lists


def test_an_ad_hoc_start_url_crawls_its_folder(tmp_path):
    with serve_site(flaky=False) as site:
        report = crawl([site.base + "/news/"], tmp_path / "a.db", tmp_path / "warc", CrawlConfig(delay=0.0))
    paths = {h.path for h in site.hits}
    assert "/private/secret.html" not in paths and "/about.html" not in paths  # out of the folder
    assert {"/news/page/2.html", "/news/page/3.html"} <= paths  # "Next" links are pagination
    assert report.documents.readouts == 4  # the readouts the list pages link to


ZH_TEXT = "王明会见塔姆萨雷"
# short enough that detection alone takes its GBK bytes for Korean (cp949): the HTTP charset must count
ZH_PAGE = f"<html><head><title>会见</title></head><body><p>{ZH_TEXT}。</p></body></html>"


@pytest.mark.parametrize("content_type, body", [
    ("text/html; charset=gbk", ZH_PAGE.encode("gbk")),  # the charset only in the HTTP header
    ("text/html", ZH_PAGE.replace("<head>", '<head><meta charset="gbk">').encode("gbk")),
    ("text/html; charset=utf-8", ZH_PAGE.encode("utf-8")),
], ids=["http-charset", "meta-charset", "utf-8"])
def test_pages_in_other_encodings_are_decoded_as_the_server_says(tmp_path, content_type, body):
    extra = {"/zh/": ("text/html; charset=utf-8", '<html><body><a href="/zh/1.html">1</a></body></html>'.encode()),
             "/zh/1.html": (content_type, body)}
    with serve_site(flaky=False, extra=extra) as site:
        crawl([site.base + "/zh/"], tmp_path / "z.db", tmp_path / "warc", CrawlConfig(delay=0.0))
    ingest_into(tmp_path / "w.db", [str(tmp_path / "warc")])
    for db in ("z.db", "w.db"):  # crawled, and read back from the archive
        with sqlite3.connect(tmp_path / db) as conn:
            (text,) = conn.execute("SELECT text FROM documents").fetchone()
        assert ZH_TEXT in text


# -- the command line -----------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_crawl_prints_counts(tmp_path):
    with serve_site(flaky=False) as site:
        profile = write_profile(tmp_path, site)
        result = CliRunner().invoke(main, ["crawl", profile, "--db", str(tmp_path / "c.db"), "--delay", "0",
                                           "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "skipped by robots.txt: 1" in result.output
    assert f"documents: {len(readout_paths(flaky=False))} new" in result.output
    assert (tmp_path / "c-warc").is_dir()  # the default archive sits next to the database


@pytest.mark.parametrize("make_url, message", [
    (lambda site: f"http://127.0.0.1:{_closed_port()}/news/", "connection refused"),
    (lambda site: site.base + "/private/", "the site refuses crawling: disallowed by robots.txt"),
])
def test_cli_one_line_error_for_an_unreachable_or_refusing_site(tmp_path, make_url, message):
    with serve_site(flaky=False) as site:
        url = make_url(site)
        result = CliRunner().invoke(main, ["crawl", url, "--db", str(tmp_path / "e.db"), "--delay", "0",
                                           "--retries", "0", "--no-progress"])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("readouts: error:")]
    assert len(errors) == 1 and message in errors[0] and url in errors[0]
    assert "Traceback" not in result.output


def test_cli_one_line_error_when_the_archive_cannot_be_written(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive folder should be")
    with serve_site(flaky=False) as site:
        result = CliRunner().invoke(main, ["crawl", site.base + "/news/", "--db", str(tmp_path / "w.db"),
                                           "--archive", str(blocker / "warc"), "--delay", "0", "--no-progress"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.startswith(f"readouts: error: cannot write the archive {blocker}")
    assert len(result.output.strip().splitlines()) == 1


def test_cli_lists_the_builtin_profiles():
    result = CliRunner().invoke(main, ["crawl", "--list-profiles"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.split()[:2] == ["mfa-china-zh", "zh"] for line in lines)
    assert any(line.startswith("kremlin-en") and "Kremlin" in line for line in lines)
    usage = CliRunner().invoke(main, ["crawl"])
    assert usage.exit_code == 2 and "give at least one SOURCE" in usage.output


@pytest.mark.parametrize("source, message", [
    ("no-such-profile", "not a URL, a profile file or a known profile"),
    ("ftp://example.org/", "not a URL, a profile file or a known profile"),
])
def test_cli_unknown_source(tmp_path, source, message):
    result = CliRunner().invoke(main, ["crawl", source, "--db", str(tmp_path / "u.db")])
    assert result.exit_code == 2 and message in result.output


class _Terminal:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("tty", [True, False])
def test_progress_line_only_on_a_terminal(tty):
    stream = _Terminal(tty)
    line = ProgressLine(stream)  # type: ignore[arg-type]
    report = CrawlReport(fetched=3, not_modified=2)
    line(report, "http://127.0.0.1/x")
    line.close()
    if tty:
        assert stream.text.startswith("\r\x1b[Kcrawl: 3 fetched, 2 not modified") and stream.text.endswith("\r\x1b[K")
    else:
        assert stream.text == ""


def test_report_as_dict_round_trips_through_json():
    report = CrawlReport(fetched=1)
    report.rejected["HTTP 404"] += 2
    assert json.loads(json.dumps(report.as_dict()))["rejected"] == {"HTTP 404": 2}
