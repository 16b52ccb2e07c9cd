"""The crawler's parts one by one: profiles, discovery, pacing, robots.txt, Retry-After, the fetcher's caps."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from crawl_site import serve_site
from hypothesis import example, given, settings
from hypothesis import strategies as st

from readouts.crawl import ProfileError, builtin_profiles, load_profile
from readouts.crawl.crawler import select_content
from readouts.crawl.discover import discover, entry_date, normalise_url, sniff, url_date
from readouts.crawl.fetch import FetchFailure, Fetcher, Response, retry_after
from readouts.crawl.polite import HostPacer, RobotsRules
from readouts.crawl.profiles import ad_hoc_profile, parse_profile

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
GOOD = {"name": "x", "publisher": "P", "language": "en", "start": ["https://a.example/news/"],
        "pages": [r"^https://a\.example/news/\d+$"]}

# -- profiles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("change, message", [
    ({"colour": "red"}, "colour: unknown key"),
    ({"start": None}, "start: missing"),
    ({"start": ["ftp://a.example/"]}, "start: 'ftp://a.example/' is not an http(s) URL"),
    ({"start": []}, "start: needs at least one URL"),
    ({"pages": ["(unclosed"]}, "pages: '(unclosed' is not a regular expression"),
    ({"pages": "one"}, "pages: must be a list"),
    ({"delay": -1}, "delay: must not be negative"),
    ({"delay": "slow"}, "delay: must be a number"),
    ({"content": "//div["}, "content: '//div[' is not an XPath expression"),
    ({"url_date": r"(?P<y>\d{4})"}, "url_date: needs the named groups y and m"),
    ({"name": "Bad Name"}, "name: 'Bad Name' must be lower-case"),
])
def test_bad_profiles_are_rejected_with_file_and_key(change, message):
    data = {**GOOD, **change}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ProfileError) as err:
        parse_profile(data, "my.toml")
    assert str(err.value).startswith("my.toml: ") and message in str(err.value)


def test_profile_name_must_match_its_file(tmp_path):
    path = tmp_path / "other.toml"
    path.write_text('name = "x"\npublisher = "P"\nlanguage = "en"\nstart = ["https://a.example/"]\npages = ["a"]\n')
    with pytest.raises(ProfileError, match="must equal the file name 'other'"):
        load_profile(path)
    path.write_text("name = ")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(path)


def test_the_readme_profile_example_is_valid():
    block = re.search(r"```toml\n(.*?)```", README.split("## Crawling", 1)[1], re.S)
    assert block
    profile = parse_profile(tomllib.loads(block.group(1)), "README", expected_name="mfa-example")
    assert profile.is_page("https://mfa.example/news/2024/07/minister-meets-counterpart.html")
    assert url_date("https://mfa.example/news/2024/07/x.html", profile) == "2024-07"


def test_every_publisher_named_in_the_issue_has_a_profile():
    names = set(builtin_profiles())
    assert {"mfa-china-en", "mfa-china-zh", "mid-russia-ru", "kremlin-en", "state-department",
            "mea-india", "mofa-japan"} <= names
    assert all(name in README for name in names)


# (profile, URL, page?, list?): the URL layouts the profiles' comments describe
LAYOUTS = [
    ("mfa-china-en", "https://www.fmprc.gov.cn/eng/wjbzhd/202407/t20240725_11460371.html", True, False),
    ("mfa-china-en", "https://www.fmprc.gov.cn/eng/wjbzhd/index_1.html", False, True),
    ("mfa-china-en", "https://www.fmprc.gov.cn/eng/zy/", False, False),
    ("mfa-china-zh", "https://www.mfa.gov.cn/wjbzhd/202407/t20240725_11460305.shtml", True, False),
    ("mfa-china-zh", "https://www.mfa.gov.cn/wjbzhd/index_2.shtml", False, True),
    ("mid-russia-ru", "https://mid.ru/ru/foreign_policy/news/1960013/", True, False),
    ("mid-russia-ru", "https://mid.ru/ru/foreign_policy/news/?PAGEN_1=2", False, True),
    ("kremlin-en", "http://en.kremlin.ru/events/president/news/74567", True, False),
    ("kremlin-en", "http://en.kremlin.ru/events/president/news/page/2", False, True),
    ("kremlin-ru", "http://kremlin.ru/events/president/news/74567", True, False),
    ("state-department", "https://www.state.gov/secretary-blinkens-call-with-indian-external-affairs-minister-jaishankar/", True, False),
    ("state-department", "https://www.state.gov/office-of-the-spokesperson/", False, False),
    ("mea-india", "https://www.mea.gov.in/press-releases.htm?dtl/37891/Visit_of_External_Affairs_Minister", True, False),
    ("mofa-japan", "https://www.mofa.go.jp/s_sa/sw/in/page3e_001234.html", True, False),
    ("mofa-japan", "https://www.mofa.go.jp/press/release/index_2.html", False, True),
]


@pytest.mark.parametrize("name, url, page, listing", LAYOUTS)
def test_builtin_profiles_know_their_publishers_layout(name, url, page, listing):
    profile = builtin_profiles()[name]
    assert (profile.is_page(url), profile.is_list(url)) == (page, listing)


def test_builtin_profile_dates_from_urls():
    assert url_date("https://www.fmprc.gov.cn/eng/wjbzhd/202407/t20240725_11460371.html",
                    builtin_profiles()["mfa-china-en"]) == "2024-07-25"


# -- discovery ----------------------------------------------------------------------------------

SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://a.example/news/1</loc><lastmod>2024-05-02T10:00:00+00:00</lastmod></url>
<url><loc>https://a.example/about</loc></url></urlset>"""
INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://a.example/post-sitemap.xml</loc></sitemap></sitemapindex>"""
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://a.example/news/2</link>
<pubDate>Thu, 02 May 2024 09:00:00 GMT</pubDate></item></channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>
<link rel="alternate" href="https://a.example/news/3"/><updated>2024-05-03T00:00:00Z</updated></entry></feed>"""
LIST = b"""<html><head><link rel="next" href="/news/?page=2"></head><body>
<a href="/news/4">Minister meets</a><a href="/news/5#top">Call</a><a href="mailto:x@a.example">mail</a>
<a href="/news/?page=3">3</a><a href="https://other.example/news/6">elsewhere</a><a href="/news/?page=9">Next</a></body></html>"""
PROFILE = parse_profile({**GOOD, "lists": [r"^https://a\.example/news/\?page=\d+$"]}, "t")


@pytest.mark.parametrize("body, kind, pages, lists, sitemaps", [
    (SITEMAP, "sitemap", [("https://a.example/news/1", "2024-05-02")], [], []),
    (INDEX, "sitemapindex", [], [], ["https://a.example/post-sitemap.xml"]),
    (RSS, "feed", [("https://a.example/news/2", "2024-05-02")], [], []),
    (ATOM, "feed", [("https://a.example/news/3", "2024-05-03")], [], []),
    (LIST, "html", [("https://a.example/news/4", None), ("https://a.example/news/5", None)],
     ["https://a.example/news/?page=2", "https://a.example/news/?page=3", "https://a.example/news/?page=9"], []),
    (b"<urlset><url><loc>broken", "sitemap", [], [], []),
])
def test_discover_table(body, kind, pages, lists, sitemaps):
    assert sniff(None, body) == kind
    found = discover(kind, body, "https://a.example/news/", PROFILE)
    assert (list(found.pages), list(found.lists), list(found.sitemaps)) == (pages, lists, sitemaps)


@pytest.mark.parametrize("text, expected", [
    ("下一页", True), ("Следующая", True), ("  Next  ", True), ("2", True), ("1", False), ("Minister", False),
])
def test_pagination_words_in_several_languages(text, expected):
    body = f'<html><body><a href="/x/list-b">{text}</a></body></html>'.encode()
    found = discover("html", body, "https://b.example/x/", ad_hoc_profile("https://b.example/x/"))
    assert (found.lists == ("https://b.example/x/list-b",)) == expected


def test_xhtml_with_an_xml_declaration_is_read():
    body = b'<?xml version="1.0" encoding="utf-8"?>\n<html><body><a href="/news/7">x</a></body></html>'
    assert discover("html", body, "https://a.example/news/", PROFILE).pages == (("https://a.example/news/7", None),)


@pytest.mark.parametrize("value, expected", [
    ("2024-05-02", "2024-05-02"), ("2024-05-02T23:59:00-05:00", "2024-05-02"),
    ("Thu, 02 May 2024 09:00:00 GMT", "2024-05-02"), ("yesterday", None), ("", None), (None, None),
    ("2024-02-30", None),
])
def test_entry_dates(value, expected):
    assert entry_date(value) == expected


@pytest.mark.parametrize("url, base, expected", [
    ("/a#b", "https://h.example/x/", "https://h.example/a"),
    ("b.html", "https://h.example/x/", "https://h.example/x/b.html"),
    ("javascript:void(0)", "https://h.example/", None),
    ("https://h.example", None, "https://h.example/"),
    ("http://[bad", None, None),
    ("http://h.example:port/x", None, None),
])
def test_normalise_url(url, base, expected):
    assert normalise_url(url, base) == expected


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["sitemap", "sitemapindex", "feed", "html", "other"]))
@example(b"<:", "feed")  # a tag with no valid name
def test_discovery_never_raises_on_any_bytes(body, kind):
    found = discover(kind, body, "https://a.example/news/", PROFILE)
    assert all(u.startswith("http") for u, _ in found.pages)
    sniff("text/html", body)


def test_select_content_keeps_the_title_and_the_part():
    html = ("<html><head><title>T</title></head><body><div class='nav'>Menu</div>"
            "<div class='article'><p>Text.</p></div></body></html>")
    part = select_content(html, "//div[@class='article']")
    assert part is not None and "<title>T</title>" in part and "Text." in part and "Menu" not in part
    assert select_content(html, "//section") is None


# -- politeness ---------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


@pytest.mark.parametrize("delay, crawl_delay, hold, expected_sleeps", [
    (1.0, None, None, [1.0]),
    (1.0, 2.5, None, [2.5]),  # Crawl-delay larger than ours wins
    (1.0, 0.2, None, [1.0]),  # ... but never lowers ours
    (0.0, None, 3.0, [3.0]),  # a back-off holds the host
])
def test_host_pacer(delay, crawl_delay, hold, expected_sleeps):
    clock = Clock()
    pacer = HostPacer(delay, clock=clock, sleep=clock.sleep)
    pacer.wait("http://h")  # first request: no wait
    pacer.done("http://h")
    pacer.set_delay("http://h", crawl_delay)  # robots.txt read after the first request
    if hold is not None:
        pacer.hold("http://h", hold)
    pacer.wait("http://other")  # another host is not held up
    pacer.wait("http://h")
    assert clock.slept == expected_sleeps


@pytest.mark.parametrize("status, body, url, allowed, refuse", [
    (200, b"User-agent: *\nDisallow: /private/\n", "http://h/private/a", False, None),
    (200, b"User-agent: readouts\nDisallow: /\nUser-agent: *\nAllow: /\n", "http://h/a", False, None),
    (200, b"User-agent: *\nDisallow: /private/\n", "http://h/news/a", True, None),
    (404, b"", "http://h/private/a", True, None),
    (503, b"", "http://h/a", False, "robots.txt answered HTTP 503"),
    (None, b"", "http://h/a", False, "robots.txt unreachable (connection refused)"),
])
def test_robots_rules(status, body, url, allowed, refuse):
    rules = RobotsRules.from_response(status, body, "connection refused")
    assert rules.allowed(url, "readouts") == allowed and rules.refuse == refuse


@pytest.mark.parametrize("value, expected", [("3", 3.0), ("0", 0.0), (None, None), ("soon", None),
                                             ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after(value, expected):
    assert retry_after(value) == expected


def test_fetcher_size_cap_and_gzip_bodies():
    with serve_site(flaky=False) as site, Fetcher(HostPacer(0.0), max_bytes=200, retries=0) as small:
        failure = small.get(site.base + "/news/lin-novak.html")
        with Fetcher(HostPacer(0.0)) as fetcher:
            ok = fetcher.get(site.base + "/news/lin-novak.html")
    assert isinstance(failure, FetchFailure) and failure.reason.startswith("document too large")
    assert isinstance(ok, Response) and ok.status == 200 and b"Petra Novak" in ok.content()
    import gzip

    zipped = Response("u", 200, "OK", (("Content-Encoding", "gzip"),), gzip.compress(b"hello"), "HTTP/1.1", "")
    assert zipped.content() == b"hello"


def test_fetcher_gives_up_when_asked_to_wait_too_long():
    with serve_site() as site, Fetcher(HostPacer(0.0), max_backoff=0.5) as fetcher:
        result = fetcher.get(site.base + "/news/busy.html")
    assert isinstance(result, FetchFailure) and result.transient
    assert result.reason == "rate limited: asked to wait 1 s" and result.status == 429


def test_ingest_rejects_a_file_that_is_not_a_warc(tmp_path):
    from readouts.ingest import iter_inputs
    from readouts.records import IngestError

    bad = tmp_path / "broken.warc"
    bad.write_bytes(b"this is not an archive\n")
    (error,) = list(iter_inputs([str(tmp_path)]))
    assert isinstance(error, IngestError) and error.source == str(bad)
    assert error.reason.startswith("cannot read: not a readable WARC file")


def test_a_warc_cut_short_by_a_kill_keeps_its_whole_records(tmp_path):
    from crawl_site import profile_toml

    from readouts.crawl import CrawlConfig, crawl
    from readouts.ingest import iter_inputs
    from readouts.records import IngestError, RawDocument

    with serve_site(flaky=False) as site:
        profile = tmp_path / "testsite.toml"
        profile.write_text(profile_toml(site), encoding="utf-8")
        crawl([str(profile)], tmp_path / "t.db", tmp_path / "warc", CrawlConfig(delay=0.0))
    (archive,) = (tmp_path / "warc").glob("*.warc.gz")
    whole = [d for d in iter_inputs([str(archive)]) if isinstance(d, RawDocument)]
    cut = tmp_path / "cut" / "cut.warc.gz"
    cut.parent.mkdir()
    cut.write_bytes(archive.read_bytes()[:-200])  # the last record is half written
    items = list(iter_inputs([str(cut.parent)]))
    assert [d.id for d in items[:-1]] == [d.id for d in whole[:-1]]
    assert isinstance(items[-1], IngestError) and items[-1].reason == "cannot read: WARC record cut short"
    assert items[-1].id == whole[-1].id


# -- the frontier: no URL twice in a run, none lost ----------------------------------------------

FRONTIER_URLS = [f"http://h{i % 2}.example/{i}" for i in range(8)]
OPS = st.lists(st.tuples(st.sampled_from(FRONTIER_URLS), st.sampled_from(["page", "list"]),
                         st.sampled_from([None, "2000-01-01", "2999-01-01"]), st.booleans()), max_size=25)


@settings(max_examples=40, deadline=None)
@given(OPS, st.integers(min_value=1, max_value=3))
def test_frontier_hands_out_each_url_once_per_run_and_loses_none(ops, runs):
    import tempfile

    from readouts.crawl.frontier import DONE, Frontier
    from readouts.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "f.db"
        Store(db).close()  # migrated
        with Frontier(db) as frontier:
            for run_no in range(runs):
                frontier.start_run(["p"])
                frontier.add("http://h0.example/start", "start", "p", revisit=True)
                pending = iter([(u, k, "p", m, r) for u, k, m, r in ops])
                seen: list[str] = []
                offered: set[str] = {"http://h0.example/start"}
                while (item := frontier.next()) is not None:
                    assert item.url not in seen
                    seen.append(item.url)
                    found = [x for _, x in zip(range(3), pending)]
                    offered.update(x[0] for x in found)
                    frontier.finish(item.url, DONE, discovered=found)
                frontier.finish_run()
                if run_no == 0:
                    assert set(seen) == offered  # the first run loses nothing
                else:  # later runs: the start again, and only what is due (revisit, newer lastmod)
                    assert "http://h0.example/start" in seen and set(seen) <= offered
            assert set(frontier.counts()) <= {"done"}
