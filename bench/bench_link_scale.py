"""Does ingesting one new report of an existing event cost the same in a small and a large store?

    python bench/bench_link_scale.py [--sizes 1000 50000] [--repeat 5] [--json]

For each size N, builds a store of N synthetic readouts (invented officials of 60 states,
dates over five years, several reports per event, unique texts) with ``Store.add_batch`` and
resolves and links it (``Store.refresh_links``: the actor registry built from every readout). Then, ``--repeat`` times, one new report of a stored event
(another publisher's readout of a stored call: its participants, its day, its own text) is
ingested and timed step by step:

* ``add_batch``: the document, its engagements and participants written, its copy group
  found (the near-duplicate index lives in the store's tables: ``readouts.dedup.SQLiteState``);
* ``link_events``: the new engagement linked to the events of its block near its day;
* ``refresh_links``: the whole step ``readouts ingest`` runs after its batches (the actor
  registry updated with the new document's sightings, its participants resolved, then
  ``link_events``: ``readouts.store.actors``).

Prints the median of each step per size. Figures depend on the machine; the point is how
each step grows from the small store to the large one.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from readouts.pipeline import Result
from readouts.records import CleanDocument, Engagement, Participant, RawDocument, Readout, content_hash
from readouts.store import Store

STATES = [f"S{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60)]
MODES = ["meeting", "talks", "phone_call", "video_call"]
FIRST = ["Ana", "Karl", "Ingrid", "Mikko", "Liis", "Emile", "Jonas", "Marta", "Pavel", "Rosa"]
LAST = ["Lopes", "Berg", "Dahl", "Saari", "Tamm", "Faure", "Varga", "Novak", "Huber", "Kiss", "Stone", "Reyes"]
WORDS = [f"{a}{b}{c}" for a in ("ener", "tra", "fish", "clim", "secu", "bor", "inve", "rail", "stu", "vis")
         for b in ("ga", "de", "ri", "mo", "lu", "ta", "ne", "po", "ki", "su")
         for c in ("", "s", "al", "ing", "ed", "ment", "ity", "ous", "er", "ist")]  # 1,000 word forms


def _minister(rng: random.Random, state: str) -> Participant:
    name = f"{FIRST[hash(state) % len(FIRST)]} {LAST[hash(state + 'x') % len(LAST)]} {state.title()}"
    return Participant(name=name, country=state, title="Foreign Minister")


def _result(doc_id: str, engagement: Engagement, rng: random.Random, published: str) -> Result:
    a, b = engagement.participants
    body = " ".join(rng.choice(WORDS) for _ in range(80))
    text = (f"{a.title} {a.name} held {engagement.mode.replace('_', ' ')} with {b.title} {b.name} "
            f"on {engagement.date}. Document {doc_id}. They discussed {body}.")
    raw = RawDocument(id=doc_id, source="bench", text=text)
    clean = CleanDocument(id=doc_id, source="bench", text=text, published=published)
    readout = Readout(id=doc_id, is_readout=True, engagements=(engagement,), reason="bench",
                      published=published, content_hash=content_hash(text))
    return Result(raw, clean, readout)


def _events(n_docs: int, rng: random.Random) -> list[Result]:
    out: list[Result] = []
    start = date(2020, 1, 1)
    i = 0
    while len(out) < n_docs:
        s1, s2 = rng.sample(STATES, 2)
        day = start + timedelta(days=rng.randrange(5 * 365))
        mode = rng.choice(MODES)
        engagement = Engagement(date=day.isoformat(), mode=mode,
                                participants=(_minister(rng, s1), _minister(rng, s2)), date_precision="day")
        for k in range(rng.choice((1, 2, 2, 3))):  # reports of one event by different publishers
            pub = (day + timedelta(days=rng.choice((0, 1)))).isoformat()
            out.append(_result(f"d{i}-{k}", engagement, rng, pub))
        i += 1
    return out[:n_docs]


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure(size: int, repeat: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    results = _events(size, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scale.db"
        t0 = time.perf_counter()
        with Store(path) as store:
            for i in range(0, len(results), 1000):
                store.add_batch(results[i:i + 1000])
            store.refresh_links()  # the actor registry built once, as the first 'readouts ingest' does
            build = time.perf_counter() - t0
            steps: dict[str, list[float]] = {"add_batch": [], "link_events": [],
                                              "refresh_links": []}
            joined = 0
            for r in range(repeat):
                target = rng.choice(results)
                eng = target.readout.engagements[0]
                new = _result(f"new-{r}", eng, rng, target.clean.published or "")
                steps["add_batch"].append(_timed(lambda: store.add_batch([new])))
                steps["link_events"].append(_timed(lambda: store.link_events()))
                row = store._conn.execute(  # noqa: SLF001 - the bench checks the new report's event
                    "SELECT e.event_id FROM engagements e JOIN documents d ON d.id = e.document_id"
                    " WHERE d.doc_id = ?", (new.clean.id,)).fetchone()
                other = store._conn.execute(  # noqa: SLF001
                    "SELECT e.event_id FROM engagements e JOIN documents d ON d.id = e.document_id"
                    " WHERE d.doc_id = ?", (target.clean.id,)).fetchone()
                joined += row == other
                newer = _result(f"newer-{r}", eng, rng, target.clean.published or "")
                store.add_batch([newer])
                steps["refresh_links"].append(_timed(store.refresh_links))
    return {
        "documents": size,
        "build_seconds": round(build, 1),
        "joined_its_event": f"{joined}/{repeat}",
        "median_ms": {k: round(statistics.median(v) * 1000, 2) for k, v in steps.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 50000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = [measure(n, args.repeat) for n in args.sizes]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    steps = list(rows[0]["median_ms"])
    print(f"{'documents':>10} {'build s':>8} {'joined':>7} " + " ".join(f"{s + ' ms':>20}" for s in steps))
    for row in rows:
        print(f"{row['documents']:>10} {row['build_seconds']:>8} {row['joined_its_event']:>7} "
              + " ".join(f"{row['median_ms'][s]:>20}" for s in steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
