"""A recorded publisher site served by a real HTTP server on 127.0.0.1, for the crawler tests.

The pages are written for the tests (fictional officials). The site has a robots.txt that
disallows /private/, a sitemap, an RSS feed, three paginated list pages, ETag and
Last-Modified on every answer (304 to a matching conditional GET), a page that answers
too late (``/news/slow.html``) and one that answers 429 once and then 200
(``/news/busy.html``). Every request is logged with its arrival time.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (slug, date, title, body sentences): readouts in the formulaic language of the genre.
READOUTS = [
    ("lin-tammsaare", "2024-03-04", "Lin Haoran Meets with Estonian Foreign Minister Arvo Tammsaare",
     "On March 4, 2024, Foreign Minister Lin Haoran met with Estonian Foreign Minister Arvo Tammsaare in Beijing. "
     "Lin Haoran said that China is ready to work with Estonia on digital trade."),
    ("lin-kalnina", "2024-03-06", "Lin Haoran Holds Talks with Latvian Foreign Minister Ilze Kalnina",
     "On March 6, 2024, Foreign Minister Lin Haoran held talks with Latvian Foreign Minister Ilze Kalnina in Riga. "
     "Ilze Kalnina said that Latvia hopes to increase trade with China."),
    ("lin-virtanen-call", "2024-03-08", "Lin Haoran Has a Phone Call with Finnish Foreign Minister Aino Virtanen",
     "On March 8, 2024, Foreign Minister Lin Haoran had a phone call with Finnish Foreign Minister Aino Virtanen. "
     "The two sides exchanged views on the situation in the Arctic."),
    ("lin-novak", "2024-03-11", "Lin Haoran Meets with Slovenian Foreign Minister Petra Novak",
     "On March 11, 2024, Foreign Minister Lin Haoran met with Slovenian Foreign Minister Petra Novak in Ljubljana. "
     "Petra Novak said that Slovenia values its relations with China."),
    ("lin-horvat", "2024-03-13", "Lin Haoran Holds Talks with Croatian Foreign Minister Marko Horvat",
     "On March 13, 2024, Foreign Minister Lin Haoran held talks with Croatian Foreign Minister Marko Horvat in Zagreb. "
     "Marko Horvat said that Croatia welcomes more Chinese tourists."),
    ("lin-jensen-video", "2024-03-15", "Lin Haoran Holds a Video Call with Danish Foreign Minister Mette Jensen",
     "On March 15, 2024, Foreign Minister Lin Haoran held a video call with Danish Foreign Minister Mette Jensen. "
     "Mette Jensen said that Denmark supports green shipping."),
    ("lin-silva", "2024-03-18", "Lin Haoran Meets with Portuguese Foreign Minister Rui Silva",
     "On March 18, 2024, Foreign Minister Lin Haoran met with Portuguese Foreign Minister Rui Silva in Lisbon. "
     "Rui Silva said that Portugal is ready to deepen cooperation on ports."),
    ("lin-murphy", "2024-03-20", "Lin Haoran Meets with Irish Foreign Minister Sean Murphy",
     "On March 20, 2024, Foreign Minister Lin Haoran met with Irish Foreign Minister Sean Murphy in Dublin. "
     "Sean Murphy said that Ireland hopes to expand exports of agricultural products."),
    ("busy", "2024-03-22", "Lin Haoran Meets with Maltese Foreign Minister Joseph Borg",
     "On March 22, 2024, Foreign Minister Lin Haoran met with Maltese Foreign Minister Joseph Borg in Valletta. "
     "Joseph Borg said that Malta supports multilateralism."),
]
SECRET = ("secret", "2024-03-05", "Lin Haoran Meets with Icelandic Foreign Minister Jon Gunnarsson",
          "On March 5, 2024, Foreign Minister Lin Haoran met with Icelandic Foreign Minister Jon Gunnarsson in Reykjavik.")
REDIRECTS = {"/old-feed.xml": "/feed.xml"}  # answered 301
NAV = '<nav><a href="/">Home</a> | <a href="/news/">News</a> | <a href="/about.html">About</a></nav>'
LAST_MODIFIED = formatdate(1_709_251_200, usegmt=True)  # 2024-03-01


def page_html(slug: str, day: str, title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>\n'
            f'<body>{NAV}<article><h1>{title}</h1><p class="date">{day}</p>{paragraphs}</article>\n'
            f'<footer>Copyright Ministry of Foreign Affairs</footer></body></html>\n')


def page_path(slug: str) -> str:
    return f"/news/{slug}.html"


def list_html(number: int, slugs: list[str], last: int, extra: str = "") -> str:
    items = "".join(f'<li><a href="{page_path(s)}">{s}</a></li>' for s in slugs)
    nxt = f'<a href="/news/page/{number + 1}.html">Next</a>' if number < last else ""
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>News, page {number}</title></head>'
            f"<body>{NAV}<ul>{items}</ul>{extra}<div class=\"pages\">{nxt}</div></body></html>\n")


def build_pages(crawl_delay: float | None = None, flaky: bool = True) -> dict[str, tuple[str, bytes]]:
    """path -> (content type, body) of the whole site; ``flaky=False`` leaves out the slow and busy pages."""
    pages: dict[str, tuple[str, bytes]] = {}
    for slug, day, title, body in [*READOUTS, SECRET]:
        path = f"/private/{slug}.html" if slug == "secret" else page_path(slug)
        pages[path] = ("text/html; charset=utf-8", page_html(slug, day, title, body).encode())
    slugs = [r[0] for r in READOUTS]
    in_sitemap, in_feed, rest = slugs[:3], slugs[3:5], slugs[5:]
    lists = [rest[:2] + ["slow"], rest[2:] + in_sitemap[:1], []]
    if not flaky:
        lists = [[x for x in group if x not in ("slow", "busy")] for group in lists]
    urls = "".join(f"<url><loc>{{base}}{page_path(s)}</loc><lastmod>{d}</lastmod></url>"
                   for s, d, *_ in READOUTS if s in in_sitemap)
    pages["/sitemap.xml"] = ("application/xml", (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>\n").encode())
    items = "".join(f"<item><title>{t}</title><link>{{base}}{page_path(s)}</link>"
                    f"<pubDate>{_rfc822(d)}</pubDate></item>" for s, d, t, _ in READOUTS if s in in_feed)
    pages["/feed.xml"] = ("application/rss+xml", (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>News</title>'
        f"{items}</channel></rss>\n").encode())
    secret_link = f'<p><a href="/private/secret.html">{SECRET[2]}</a></p>'
    pages["/news/"] = ("text/html; charset=utf-8", list_html(1, lists[0], 3, secret_link).encode())
    pages["/news/page/2.html"] = ("text/html; charset=utf-8", list_html(2, lists[1], 3).encode())
    pages["/news/page/3.html"] = ("text/html; charset=utf-8", list_html(3, lists[2], 3).encode())
    robots = "User-agent: *\nDisallow: /private/\n" + (f"Crawl-delay: {crawl_delay}\n" if crawl_delay else "")
    pages["/robots.txt"] = ("text/plain", robots.encode())
    if flaky:
        pages["/news/slow.html"] = ("text/html; charset=utf-8", b"<html><body>late</body></html>")
    else:
        del pages[page_path("busy")]
    return pages


def _rfc822(day: str) -> str:
    y, m, d = map(int, day.split("-"))
    import calendar

    return formatdate(calendar.timegm((y, m, d, 9, 0, 0)), usegmt=True)


def readout_paths(flaky: bool = True) -> list[str]:
    """Every readout page the crawl may fetch (the disallowed one left out)."""
    return [page_path(r[0]) for r in READOUTS if flaky or r[0] != "busy"]


@dataclass
class Hit:
    at: float  # time.monotonic() on arrival
    path: str
    status: int
    if_none_match: str | None
    user_agent: str | None


@dataclass
class Site:
    base: str
    pages: dict[str, tuple[str, bytes]]
    slow_seconds: float
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    busy_served: bool = False  # /news/busy.html has answered 429 once

    def requests(self, path: str) -> int:
        return sum(1 for h in self.hits if h.path == path)

    def statuses(self) -> list[int]:
        return [h.status for h in self.hits]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802
            arrived = time.monotonic()
            path = self.path.split("?")[0]
            status, ctype, body, headers = self._answer(path)
            with site.lock:
                site.hits.append(Hit(arrived, path, status, self.headers.get("If-None-Match"),
                                     self.headers.get("User-Agent")))
            if path == "/news/slow.html":
                time.sleep(site.slow_seconds)
            try:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if body is not None:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                if body:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _answer(self, path: str) -> tuple[int, str, bytes | None, dict[str, str]]:
            if path == "/news/busy.html":
                with site.lock:
                    first, site.busy_served = not site.busy_served, True
                if first:
                    return 429, "text/plain", b"slow down", {"Retry-After": "1"}
                path = page_path("busy")
            if path in REDIRECTS:
                return 301, "text/plain", b"moved", {"Location": REDIRECTS[path]}
            if path not in site.pages:
                return 404, "text/plain", b"not found", {}
            ctype, body = site.pages[path]
            body = body.replace(b"{base}", site.base.encode())
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            if self.headers.get("If-None-Match") == etag:
                return 304, ctype, None, headers
            return 200, ctype, body, headers

    return Handler


@contextmanager
def serve_site(crawl_delay: float | None = None, slow_seconds: float = 1.5, flaky: bool = True,
               extra: dict[str, tuple[str, bytes]] | None = None) -> Iterator[Site]:
    """The site (plus ``extra`` pages) on a free port of 127.0.0.1 for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Site("", {}, slow_seconds)))
    pages = {**build_pages(crawl_delay, flaky), **(extra or {})}
    site = Site(f"http://127.0.0.1:{server.server_address[1]}", pages, slow_seconds)
    server.RequestHandlerClass = _handler(site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def profile_toml(site: Site, name: str = "testsite") -> str:
    """A source profile for the site: sitemap and feed first, then the paginated list."""
    host = site.base.replace(".", r"\.")
    return (f'name = "{name}"\npublisher = "Test ministry"\nlanguage = "en"\n'
            f'start = ["{site.base}/sitemap.xml", "{site.base}/feed.xml", "{site.base}/news/"]\n'
            f"pages = ['^{host}/(?:news|private)/[a-z-]+\\.html$']\n"
            f"lists = ['^{host}/news/(?:page/\\d+\\.html)?$']\n")
