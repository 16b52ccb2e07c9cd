"""The crawl: sources -> frontier -> polite fetches -> archive -> clean, extract, store.

:func:`crawl` keeps a store up to date from SOURCEs (start URLs, sitemaps, feeds or profile
names, see :func:`readouts.crawl.profiles.resolve_profile`). For each URL of the frontier:
robots.txt is checked, the host's turn awaited, the URL fetched with a conditional GET, the
response archived as WARC, and then either its links are queued (sitemaps, feeds, list
pages) or the page goes through the same pipeline and store as ``readouts ingest``. A
list page that brings no new page ends the pagination walk (the rest is already known).

The counts come back as a :class:`CrawlReport`; problems with single URLs are counted by
reason and the crawl goes on. A start URL whose host cannot be reached or refuses us is an
*error* (``report.errors``), one line each.
"""
from __future__ import annotations

import sys
from html import escape as html_escape
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import lxml.html
from lxml import etree

from readouts.crawl.archive import NOT_A_PAGE, WarcArchive, content_charset, page_format, read_record, record_source
from readouts.crawl.discover import FEED, HTML, OTHER, SITEMAP, SITEMAP_INDEX, discover, sniff
from readouts.crawl.fetch import USER_AGENT, USER_AGENT_TOKEN, FetchFailure, Fetcher, Response
from readouts.crawl.frontier import DONE, FAILED, FETCHED, RETRY, SINCE_REASON, SKIPPED, Frontier, UrlState
from readouts.crawl.polite import HostPacer, RobotsRules, host_of
from readouts.crawl.profiles import Profile, resolve_profile
from readouts.ingest import make_document
from readouts.records import IngestError, RawDocument
from readouts.store import BatchCounts, Store, first_day

__all__ = ["CrawlConfig", "CrawlReport", "ProgressLine", "crawl", "default_archive", "select_content", "summary_lines"]

DISCOVERY_KINDS = {SITEMAP: "sitemap", SITEMAP_INDEX: "sitemapindex", FEED: "feed", HTML: "list"}


@dataclass(frozen=True, slots=True)
class CrawlConfig:
    """How politely and how far to crawl."""

    delay: float = 1.0  # seconds between two requests to one host (Crawl-delay may ask for more)
    max_pages: int | None = None  # stop after fetching this many URLs (the next crawl resumes)
    since: str | None = None  # YYYY[-MM[-DD]]: pages dated earlier are not fetched
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 2.0  # first back-off after a 429/5xx without Retry-After, doubled each time
    max_backoff: float = 120.0  # a longer Retry-After gives up on the URL for this run
    max_bytes: int = 10_000_000
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        if self.delay < 0 or self.timeout <= 0 or self.retries < 0 or self.backoff < 0:
            raise ValueError("delay, retries and backoff must not be negative; timeout must be positive")


@dataclass
class CrawlReport:
    """What one crawl did."""

    discovered: int = 0  # URLs queued (new, or due again)
    fetched: int = 0  # 2xx responses received
    not_modified: int = 0  # 304 responses
    robots_skipped: int = 0  # URLs robots.txt does not allow us
    since_skipped: int = 0  # pages dated before --since, not fetched
    requests: int = 0  # HTTP requests sent (retries and robots.txt included)
    rejected: Counter[str] = field(default_factory=Counter)  # reason -> URLs
    documents: BatchCounts = field(default_factory=BatchCounts)
    from_archive: int = 0  # responses a stopped crawl had archived, processed now without a request
    errors: list[str] = field(default_factory=list)  # sources that could not be crawled
    finished: bool = False  # False: stopped by --max-pages; the next crawl resumes
    resumed: bool = False  # this crawl resumed an unfinished one

    def as_dict(self) -> dict[str, object]:
        return {
            "discovered": self.discovered, "fetched": self.fetched, "not_modified": self.not_modified,
            "robots_skipped": self.robots_skipped, "since_skipped": self.since_skipped,
            "requests": self.requests, "from_archive": self.from_archive, "rejected": dict(self.rejected),
            "documents": {"new": self.documents.new, "present": self.documents.present,
                          "readouts": self.documents.readouts, "engagements": self.documents.engagements},
            "errors": list(self.errors), "finished": self.finished, "resumed": self.resumed,
        }


class ProgressLine:
    """One self-overwriting status line on a terminal; silent on anything else."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._shown = False

    def __call__(self, report: CrawlReport, url: str) -> None:
        if not self.enabled:
            return
        line = (f"crawl: {report.fetched} fetched, {report.not_modified} not modified, "
                f"{sum(report.rejected.values())} rejected, {report.documents.engagements} engagements  {url}")
        self.stream.write("\r\x1b[K" + line[:160])
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Clear the line (once)."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def select_content(html: str, xpath: str) -> str | None:
    """The page reduced to its title and the parts ``xpath`` selects; None when nothing matches."""
    try:
        tree = lxml.html.fromstring(html)
        nodes = [n for n in tree.xpath(xpath) if isinstance(n, etree._Element)]
    except (etree.ParserError, etree.XPathError, ValueError):
        return None
    if not nodes:
        return None
    title = tree.findtext(".//title") or ""
    head = f"<head><meta charset=\"utf-8\"><title>{html_escape(title)}</title></head>" if title else ""
    body = "".join(lxml.html.tostring(n, encoding="unicode") for n in nodes)
    return f"<html>{head}<body>{body}</body></html>"


class _Crawl:
    """The state of one crawl; :func:`crawl` is the entry point."""

    def __init__(self, store: Store, frontier: Frontier, archive: WarcArchive, fetcher: Fetcher,
                 profiles: dict[str, Profile], config: CrawlConfig,
                 progress: Callable[[CrawlReport, str], None] | None) -> None:
        self.store, self.frontier, self.archive, self.fetcher = store, frontier, archive, fetcher
        self.profiles, self.config, self.progress = profiles, config, progress
        self.report = CrawlReport()
        self.robots: dict[str, RobotsRules] = {}
        self.since = first_day(config.since)

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> CrawlReport:
        from readouts.pipeline import prepare

        self.frontier.start_run(self.profiles, self.since)
        self.report.resumed = self.frontier.resumed
        for key, profile in self.profiles.items():
            if profile.delay:
                for url in profile.start:
                    self.fetcher.pacer.set_delay(host_of(url), profile.delay)
            for url in profile.start:
                self.frontier.add(url, "start", key, revisit=True)
        prepare()
        worked = 0
        while True:
            if self.config.max_pages is not None and worked >= self.config.max_pages:
                break
            item = self.frontier.next(self.fetcher.pacer.ready_at)
            if item is None:
                self.frontier.finish_run()
                self.report.finished = True
                break
            if item.state == FETCHED:
                self._resume_archived(item)
            else:
                worked += self._visit(item)
            if self.progress is not None:
                self.progress(self.report, item.url)
        self.report.requests = self.fetcher.requests
        return self.report

    def _visit(self, item: UrlState) -> bool:
        """Fetch one queued URL and handle the answer; False when robots.txt kept us from asking."""
        host = host_of(item.url)
        rules = self._robots(host)
        if rules.refuse is not None:  # robots.txt unreachable or 5xx: the host is off limits for now
            self._reject(item, RETRY, rules.refuse)
            if item.kind == "start":
                self.report.errors.append(f"{item.url}: cannot crawl {host}: {rules.refuse}")
            return False
        if not rules.allowed(item.url, USER_AGENT_TOKEN):
            self.frontier.finish(item.url, SKIPPED, "disallowed by robots.txt")
            self.report.robots_skipped += 1
            if item.kind == "start":
                self.report.errors.append(f"{item.url}: the site refuses crawling: disallowed by robots.txt")
            return False
        etag, modified = (item.etag, item.last_modified) if item.status is not None else (None, None)
        result = self.fetcher.get(item.url, etag, modified)
        if isinstance(result, FetchFailure):
            self._reject(item, RETRY if result.transient else FAILED, result.reason, result.status)
            if item.kind == "start":
                self.report.errors.append(f"{item.url}: cannot crawl {host}: {result.reason}")
            return True
        kind = item.kind
        content = result.content(self.config.max_bytes)
        if kind == "start" and result.status == 200:
            kind = DISCOVERY_KINDS.get(sniff(result.header("Content-Type"), content), "start")
        where, offset = self.archive.write(result, kind)
        self.frontier.fetched(item.url, result.status, result.header("ETag"), result.header("Last-Modified"),
                              where, offset, result.fetched_at, kind)
        self._handle(item, kind, result, content, record_source(where, offset))
        return True

    def _resume_archived(self, item: UrlState) -> None:
        """A response archived by a crawl that was stopped before it was processed."""
        assert item.warc_file is not None and item.warc_offset is not None
        try:
            status, ctype, content = read_record(item.warc_file, item.warc_offset, self.config.max_bytes)
        except (OSError, ValueError) as exc:  # the archive is gone: fetch it again
            self.frontier.finish(item.url, RETRY, f"archived response unreadable: {exc}")
            return
        self.report.from_archive += 1
        response = Response(item.url, status, "", (("Content-Type", ctype),) if ctype else (), b"", "", "")
        self._handle(item, item.kind, response, content, record_source(item.warc_file, item.warc_offset),
                     counted=False)

    # -- outcomes ------------------------------------------------------------------------------

    def _handle(self, item: UrlState, kind: str, response: Response, content: bytes, source: str,
                counted: bool = True) -> None:
        status = response.status
        if status == 304:
            self.report.not_modified += counted
            self.frontier.finish(item.url, DONE, status=304)
            return
        if 300 <= status < 400:
            self._redirect(item, kind, response)
            return
        if status >= 400 or status < 200:
            transient = status in (429,) or status >= 500
            self._reject(item, RETRY if transient else FAILED, f"HTTP {status}", status)
            if item.kind == "start":
                self.report.errors.append(f"{item.url}: the site answered HTTP {status}")
            return
        self.report.fetched += counted
        if kind == "page":
            self._ingest(item, response, content, source)
        elif kind == "start":
            self._reject(item, FAILED, "not a sitemap, feed or HTML page", status)
        else:
            self._follow(item, kind, content)

    def _reject(self, item: UrlState, state: str, reason: str, status: int | None = None) -> None:
        self.frontier.finish(item.url, state, reason, status)
        self.report.rejected[reason] += 1

    def _redirect(self, item: UrlState, kind: str, response: Response) -> None:
        from readouts.crawl.discover import normalise_url

        target = normalise_url(response.header("Location") or "", item.url)
        if target is None or target == item.url:  # no Location, not http(s), or to itself
            self._reject(item, FAILED, f"bad redirect (HTTP {response.status})", response.status)
            return
        queued = self.frontier.finish(item.url, DONE, f"redirected to {target}", response.status,
                                      [(target, kind, item.profile, None, True)])
        self.report.discovered += queued

    def _follow(self, item: UrlState, kind: str, content: bytes) -> None:
        """Queue what a sitemap, feed or list page points to."""
        profile = self.profiles[item.profile or ""]
        start = next((u for u in profile.start if host_of(u) == host_of(item.url)), item.url)
        sniffed = sniff(None, content)  # a sitemap may turn out to be an index of sitemaps
        if sniffed == OTHER:
            sniffed = {"sitemap": SITEMAP, "sitemapindex": SITEMAP_INDEX, "feed": FEED}.get(kind, HTML)
        found = discover(sniffed, content, item.url, profile, start)
        pages, old = [], []
        dated = 0
        for url, when in found.pages:
            dated += when is not None
            if self.since is not None and when is not None and when < self.since[: len(when)]:
                old.append((url, "page", item.profile, when))
                continue
            pages.append((url, "page", item.profile, when if found.kind != HTML else None, False))
        self.report.since_skipped += len(old)
        self.frontier.skip_many(old, SINCE_REASON)
        new_pages = self.frontier.add_many(pages)
        dated_old = len(old)
        follow = found.lists and not (self.since is not None and dated and dated_old == dated)
        more = [(u, "sitemap", item.profile, None, True) for u in found.sitemaps]
        # pagination: walk on while list pages bring something new (always on a first visit)
        more += [(u, "list", item.profile, None, new_pages > 0) for u in found.lists] if follow else []
        self.report.discovered += new_pages + self.frontier.finish(item.url, DONE, discovered=more)

    def _ingest(self, item: UrlState, response: Response, content: bytes, source: str) -> None:
        from readouts.pipeline import process

        ctype = response.header("Content-Type")
        fmt = page_format(ctype)
        if fmt == NOT_A_PAGE:
            self._reject(item, FAILED, f"not an HTML or text page ({ctype})")
            return
        doc = make_document(content, source, item.url, fmt, content_charset(ctype))
        if isinstance(doc, RawDocument):
            profile = self.profiles.get(item.profile or "")
            html = doc.html
            if html is not None and profile is not None and profile.content:
                part = select_content(html, profile.content)
                if part is not None:
                    doc = doc.replace(html=part)
            doc = doc.replace(url=item.url)
            result = process(doc)
        else:
            result = doc
        if isinstance(result, IngestError):
            self.store.add_rejections([result])
            self._reject(item, FAILED, result.reason)
            return
        self.report.documents += self.store.add_batch([result])
        self.frontier.finish(item.url, DONE)

    # -- robots.txt ----------------------------------------------------------------------------

    def _robots(self, host: str) -> RobotsRules:
        """The host's robots.txt rules: fetched once per crawl, conditionally when archived before."""
        rules = self.robots.get(host)
        if rules is None:
            rules = self._fetch_robots(host + "/robots.txt")
            self.fetcher.pacer.set_delay(host, rules.crawl_delay(USER_AGENT_TOKEN))
            self.robots[host] = rules
        return rules

    def _fetch_robots(self, url: str) -> RobotsRules:
        known = self.frontier.get(url)
        archived = known is not None and known.status == 200 and known.warc_file is not None
        result = self.fetcher.get(url, known.etag, known.last_modified) if archived and known else self.fetcher.get(url)
        if not isinstance(result, FetchFailure) and result.status == 304 and known is not None:
            try:  # unchanged: the archived copy still holds
                status, _, body = read_record(known.warc_file or "", known.warc_offset or 0, self.config.max_bytes)
                self.report.not_modified += 1
                return RobotsRules.from_response(status, body)
            except (OSError, ValueError):  # the archived copy is gone: ask without conditions
                result = self.fetcher.get(url)
        if isinstance(result, FetchFailure):
            return RobotsRules.from_response(None, b"", result.reason)
        where, offset = self.archive.write(result, "robots")
        self.frontier.remember(url, "robots", result.status, result.header("ETag"),
                               result.header("Last-Modified"), where, offset, result.fetched_at)
        return RobotsRules.from_response(result.status, result.content(self.config.max_bytes))


def default_archive(db_path: str | Path) -> Path:
    """Where the WARC files of a store go unless told: ``<db name>-warc`` next to it."""
    path = Path(db_path)
    return path.with_name(path.stem + "-warc")


def crawl(sources: Sequence[str], db_path: str | Path, archive_dir: str | Path | None = None,
          config: CrawlConfig = CrawlConfig(),
          progress: Callable[[CrawlReport, str], None] | None = None,
          overrides: object = None) -> CrawlReport:
    """Crawl SOURCES into the store at ``db_path``, archiving every response under ``archive_dir``
    (:func:`default_archive` when None).

    Raises :class:`~readouts.crawl.profiles.ProfileError` for a SOURCE that is no URL and no
    usable profile, and :class:`~readouts.store.StoreError` when the store cannot be used;
    everything that goes wrong with single URLs is in the report.
    """
    profiles = {source: resolve_profile(source) for source in dict.fromkeys(sources)}
    if not profiles:
        raise ValueError("no source to crawl")
    archive_dir = default_archive(db_path) if archive_dir is None else archive_dir
    with Store(db_path) as store, Frontier(db_path) as frontier, WarcArchive(archive_dir) as archive, \
            Fetcher(HostPacer(config.delay), user_agent=config.user_agent, timeout=config.timeout,
                    max_bytes=config.max_bytes, retries=config.retries, backoff=config.backoff,
                    max_backoff=config.max_backoff) as fetcher:
        report = _Crawl(store, frontier, archive, fetcher, profiles, config, progress).run()
        if report.documents.new:
            store.save_dedup_state()
            store.refresh_links(overrides)
    return report


def summary_lines(report: CrawlReport) -> Iterable[str]:
    """The counts as the CLI prints them."""
    if report.resumed:
        yield "resumed an unfinished crawl of the same sources"
    yield (f"discovered: {report.discovered}; fetched: {report.fetched}; not modified: {report.not_modified}; "
           f"skipped by robots.txt: {report.robots_skipped}; skipped before --since: {report.since_skipped}; "
           f"rejected: {sum(report.rejected.values())}; requests: {report.requests}")
    d = report.documents
    yield (f"documents: {d.new} new, {d.present} already present; readouts: {d.readouts}; "
           f"engagements: {d.engagements}")
    if report.from_archive:
        yield f"resumed: {report.from_archive} responses archived by a stopped crawl processed without asking again"
    for reason, n in report.rejected.most_common():
        yield f"  {n:>6}  {reason}"
    if not report.finished:
        yield "stopped before the end (--max-pages); the next crawl of the same sources resumes"
