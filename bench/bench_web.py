"""How fast does ``readouts serve`` answer under load, on a large store?

    python bench/bench_web.py [--docs 50000] [--db PATH] [--workers 2] [--requests 2000]
                              [--concurrency 16] [--no-browser] [--json]

1. Builds (or reuses, with ``--db``) a store of ``--docs`` synthetic readouts: officials of 60
   real states (their capitals as meeting places, so the map has coordinates), five modes, dates
   over eleven years, one to three reports per event by different publishers, each text its own.
   Written with ``Store.add_batch`` and linked (``Store.refresh_links``), as ``readouts ingest`` does.
2. Starts ``readouts serve --workers N`` on a free loopback port (a real process, real HTTP).
3. Per endpoint, a set of different filter combinations (distinct URLs): first each URL once,
   ``--concurrency`` at a time, with nothing cached (cold: computed from the store); then
   ``--requests`` GETs cycling through them over ``--concurrency`` keep-alive connections (warm:
   the responses the server keeps until the store changes). Reports requests/s, p50 and p99 of
   the warm run and requests/s, p50 and max of the cold one.
4. In headless Chromium (Debian's /usr/bin/chromium), times chart pages from navigation to the
   ``load`` event, first on a URL no worker has seen (cold) and then again (warm).

Loopback only, bounded request counts. A report, not a test: it prints the figures and the
targets (JSON API: 500 requests/s and p99 under 100 ms; a chart page drawn in under 1.5 s).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from readouts.gazetteer import load as load_gazetteer
from readouts.pipeline import Result
from readouts.records import CleanDocument, Engagement, Location, Participant, RawDocument, Readout, content_hash
from readouts.store import Store

MODES = ["meeting", "talks", "phone_call", "video_call", "message"]
MODE_VERBS = {"meeting": "met with", "talks": "held talks with", "phone_call": "held a phone call with",
              "video_call": "held a video call with", "message": "sent a message to"}
TITLES = ["President", "Prime Minister", "Foreign Minister", "Minister of Foreign Affairs", "Vice President",
          "Deputy Foreign Minister"]
FIRST = ["Ana", "Karl", "Ingrid", "Mikko", "Liis", "Emile", "Jonas", "Marta", "Pavel", "Rosa", "Tomas", "Leila",
         "Omar", "Yuki", "Chen", "Priya", "Kwame", "Sofia", "Diego", "Hana"]
LAST = ["Lopes", "Berg", "Dahl", "Saari", "Tamm", "Faure", "Varga", "Novak", "Huber", "Kiss", "Stone", "Reyes",
        "Okafor", "Tanaka", "Lindqvist", "Moreau", "Haddad", "Costa", "Ivanova", "Mensah"]
TOPICS = ["trade", "energy security", "climate finance", "fisheries", "rail links", "student exchanges",
          "visa facilitation", "investment protection", "the regional situation", "food security", "cyber security",
          "maritime cooperation", "public health", "critical minerals", "tourism", "space cooperation"]
# Invented words, so that each report's text is its own (near-duplicate detection then finds the
# copies the generator meant, not every report of the same template).
WORDS = [f"{a}{b}{c}" for a in ("ener", "tra", "fish", "clim", "secu", "bor", "inve", "rail", "stu", "vis",
                                "agri", "port", "wat", "lab", "heal")
         for b in ("ga", "de", "ri", "mo", "lu", "ta", "ne", "po", "ki", "su", "vo", "mi")
         for c in ("", "s", "al", "ing", "ed", "ment", "ity", "ous", "er", "ist")]  # 1,800 word forms
TARGETS = {"api_rps": 500, "api_p99_ms": 100, "chart_page_s": 1.5}


def states() -> list[tuple[str, str]]:
    """60 real states that have a capital in the gazetteer: (ISO3, capital)."""
    g = load_gazetteer()
    have = sorted(code for code in g.country_names if g.capitals.get(code))
    rng = random.Random(3)
    return [(c, g.capitals[c]) for c in sorted(rng.sample(have, 60))]


def _people(codes: list[str]) -> dict[tuple[str, str], str]:
    rng = random.Random(5)
    return {(c, t): f"{rng.choice(FIRST)} {rng.choice(LAST)}-{c.title()}{i}" for c in codes
            for i, t in enumerate(TITLES)}


def synthetic(n_docs: int, seed: int = 11) -> list[Result]:
    rng = random.Random(seed)
    places = states()
    capital = dict(places)
    codes = [c for c, _ in places]
    weights = [1 / (i + 1) ** 0.8 for i in range(len(codes))]  # a few busy states, a long tail
    people = _people(codes)
    start = date(2015, 1, 1)
    out: list[Result] = []
    event = 0
    while len(out) < n_docs:
        a = rng.choices(codes, weights)[0]
        b = rng.choices([c for c in codes if c != a], [w for c, w in zip(codes, weights) if c != a])[0]
        ta = rng.choice(TITLES)
        tb = ta if rng.random() < 0.7 else rng.choice(TITLES)
        mode = rng.choices(MODES, (5, 2, 3, 1, 1))[0]
        day = start + timedelta(days=rng.randrange(11 * 365))
        undated = rng.random() < 0.04
        host = rng.choice((a, b))
        location = Location(city=capital[host], country=host) if mode in ("meeting", "talks") else Location()
        pa = Participant(name=people[(a, ta)], country=a, title=ta, side="subject")
        pb = Participant(name=people[(b, tb)], country=b, title=tb, side="object")
        engagement = Engagement(date=None if undated else day.isoformat(), mode=mode, participants=(pa, pb),
                                location=location, date_precision=None if undated else "day",
                                occasion=rng.choice((None, None, None, "G20 summit", "UN General Assembly")))
        for k in range(rng.choice((1, 1, 2, 3))):
            topics = ", ".join(rng.sample(TOPICS, 3))
            doc_id = f"e{event}-r{k}"
            text = (f"{ta} {pa.name} {MODE_VERBS[mode]} {tb} {pb.name} of {b} on {day:%d %B %Y}"
                    f"{' in ' + location.city if location.city else ''}. The two sides discussed {topics}. "
                    f"{pa.name} said that relations had grown in {rng.choice(TOPICS)}; {pb.name} welcomed "
                    f"closer work on {rng.choice(TOPICS)}. Report {doc_id} of publisher {k}. "
                    f"The statement covered {' '.join(rng.choice(WORDS) for _ in range(200))}.")
            published = (day + timedelta(days=k)).isoformat()
            out.append(Result(RawDocument(id=doc_id, source="bench", text=text),
                              CleanDocument(id=doc_id, source="bench", text=text, published=published),
                              Readout(id=doc_id, is_readout=True, engagements=(engagement,), reason="bench",
                                      published=published, content_hash=content_hash(text))))
        event += 1
    return out[:n_docs]


def build(path: Path, n_docs: int) -> float:
    t = time.perf_counter()
    results = synthetic(n_docs)
    with Store(path) as store:
        for i in range(0, len(results), 2000):
            store.add_batch(results[i:i + 2000])
        store.refresh_links()
    return time.perf_counter() - t


# --------------------------------------------------------------------------- load


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    return status


async def _run(port: int, paths: list[str], concurrency: int) -> tuple[list[float], list[int], float]:
    queue = list(range(len(paths)))
    times: list[float] = [0.0] * len(paths)
    statuses: list[int] = [0] * len(paths)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                i = queue.pop(0)
                t = time.perf_counter()
                statuses[i] = await _get(reader, writer, paths[i])
                times[i] = time.perf_counter() - t
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(paths)))))
    return times, statuses, time.perf_counter() - t0


async def load(port: int, urls: list[str], requests: int, concurrency: int) -> dict:
    """Cold: each URL once (16 at a time, nothing cached yet). Warm: ``requests`` GETs cycling
    through the same URLs over ``concurrency`` keep-alive connections."""
    cold, cold_status, cold_wall = await _run(port, urls, concurrency)
    warm, warm_status, wall = await _run(port, [urls[i % len(urls)] for i in range(requests)], concurrency)
    ms = sorted(x * 1000 for x in warm)
    return {
        "requests": requests, "distinct_urls": len(urls), "rps": round(requests / wall, 1),
        "p50_ms": round(statistics.median(ms), 1), "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 1),
        "cold_rps": round(len(urls) / cold_wall, 1),
        "cold_p50_ms": round(statistics.median(cold) * 1000, 1), "cold_max_ms": round(max(cold) * 1000, 1),
        "non_200": sum(1 for s in cold_status + warm_status if s != 200),
    }


def endpoints(codes: list[str]) -> dict[str, list[str]]:
    rng = random.Random(9)
    pairs = [tuple(rng.sample(codes[:20], 2)) for _ in range(24)]
    years = [str(y) for y in range(2015, 2026)]
    return {
        "/api/engagements": [f"/api/engagements?country={a}&since={y}&per_page=25" for (a, _), y in zip(pairs, years * 3)],
        "/api/engagements (dyad, mode)": [f"/api/engagements?country={a}&country={b}&mode={m}"
                                          for (a, b), m in zip(pairs, MODES * 5)],
        "/api/facets": [f"/api/facets?country={a}&since={y}" for (a, _), y in zip(pairs, years * 3)],
        "/api/dyad": [f"/api/dyad/{a}/{b}?since={y}" for (a, b), y in zip(pairs, years * 3)],
        "/api/network": [f"/api/network?since={y}&until={y}" for y in years],
        "/api/places": [f"/api/places?since={y}" for y in years],
        "/ (search page)": [f"/?country={a}&since={y}" for (a, _), y in zip(pairs, years * 3)],
        "/dyad page": [f"/dyad/{a}/{b}?since={y}" for (a, b), y in zip(pairs, years * 3)],
        "/network page": [f"/network?since={y}&until={y}" for y in years],
        "/map page": [f"/map?since={y}" for y in years],
    }


def browser_times(base: str, pages: list[str]) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                               args=["--headless", "--no-sandbox", "--disable-gpu"])
        for url in pages:
            row = {}
            for run in ("cold", "warm"):
                ctx = b.new_context(viewport={"width": 1280, "height": 900})
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(base + url, wait_until="load")
                page.wait_for_selector("figure.chart svg.chart-svg")
                row[f"{run}_s"] = round(time.perf_counter() - t, 3)
                ctx.close()
            out[url] = row
        b.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=50_000)
    ap.add_argument("--db", type=Path, help="the store to use (built there first when missing)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "web-bench.db"
        built = None
        if not db.exists():
            built = round(build(db, args.docs), 1)
        with Store(db) as store:
            docs = store._conn.execute("SELECT count(*) FROM documents").fetchone()[0]  # noqa: SLF001
            engagements = store._conn.execute("SELECT count(*) FROM engagements").fetchone()[0]  # noqa: SLF001
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", "import sys; from readouts.cli import main; sys.argv[0] = 'readouts'; main()", "serve", "--db", str(db), "--port", str(port),
             "--workers", str(args.workers)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            codes = [c for c, _ in states()]
            results = {name: asyncio.run(load(port, urls, args.requests, args.concurrency))
                       for name, urls in endpoints(codes).items()}
            pages = {} if args.no_browser else browser_times(
                f"http://127.0.0.1:{port}", [f"/dyad/{codes[0]}/{codes[1]}?since=2016", "/network?since=2017",
                                             "/map?since=2018", "/network?by=actor&since=2019"])
        finally:
            server.terminate()
            server.wait(timeout=20)
    report = {"documents": docs, "engagements": engagements, "build_seconds": built, "workers": args.workers,
              "concurrency": args.concurrency, "endpoints": results, "chart_pages": pages, "targets": TARGETS}
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"store: {docs} documents, {engagements} engagements" + (f" (built in {built} s)" if built else ""))
    print(f"server: readouts serve --workers {args.workers}; client: {args.concurrency} keep-alive connections")
    print(f"{'':34} {'warm':>26}   {'cold (first request of each URL)':>34}")
    print(f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}   {'req/s':>8} {'p50 ms':>9} {'max ms':>9}"
          " urls non-200")
    for name, r in results.items():
        print(f"{name:34} {r['rps']:8} {r['p50_ms']:8} {r['p99_ms']:8}   {r['cold_rps']:8} {r['cold_p50_ms']:9}"
              f" {r['cold_max_ms']:9} {r['distinct_urls']:4} {r['non_200']:7}")
    for url, r in pages.items():
        print(f"chart page {url}: cold {r['cold_s']} s, warm {r['warm_s']} s (navigation to load, chart drawn)")
    print(f"targets: JSON API >= {TARGETS['api_rps']} req/s and p99 < {TARGETS['api_p99_ms']} ms; "
          f"chart page < {TARGETS['chart_page_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
