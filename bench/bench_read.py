"""Read-side timings (``readouts.read``) on a large store: the first page of ``readouts query``
and ``/api/engagements`` (count + 100 rows with their sources), facets, a dyad, an actor page,
and a full streaming export, one row per event and per report.

A large store is made from a real one by replication: every document, engagement, participant
and source is copied N times under new ids (events stay events within each copy; actors are
shared), then the full-text index is rebuilt. Extraction is not measured here (see
bench_extract.py); only reading.

    python bench/bench_read.py --source readouts.db --copies 150 --out /tmp/big.db
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import time
from dataclasses import replace
from pathlib import Path

COPIED = {  # table -> columns holding ids that get the copy's suffix
    "documents": ("id", "doc_id", "duplicate_group"),
    "engagements": ("id", "document_id", "event_id"),
    "participants": ("engagement_id",),
    "document_sources": ("document_id", "doc_id"),
}


def replicate(source: Path, out: Path, copies: int) -> None:
    """``out``: ``source`` with every document (and what hangs off it) ``copies`` times."""
    import shutil

    shutil.copyfile(source, out)
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    top = conn.execute("SELECT max(seq) FROM documents").fetchone()[0] or 0
    conn.execute("BEGIN")
    for table, id_columns in COPIED.items():
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        rows = conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
        marks = ", ".join("?" * len(cols))
        for k in range(1, copies):
            suffix = f"~{k}"
            batch = []
            for row in rows:
                values = list(row)
                for i, col in enumerate(cols):
                    if col in id_columns and values[i] is not None:
                        values[i] = f"{values[i]}{suffix}"
                    elif table == "documents" and col == "seq":
                        values[i] = values[i] + k * top
                batch.append(values)
            conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", batch)
    conn.execute("COMMIT")
    conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def timed(fn, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, help="a store made by readouts ingest")
    ap.add_argument("--copies", type=int, default=150)
    ap.add_argument("--out", required=True, help="the replicated store (made when missing)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--actor", default="Wang Yi")
    ap.add_argument("--dyad", default="CHN,USA")
    ap.add_argument("--text", default="cooperation")
    args = ap.parse_args()

    from readouts.read import rows as r
    from readouts.read import views as v
    from readouts.read.db import connect
    from readouts.read.filters import Filters

    out = Path(args.out)
    if not out.exists():
        t = time.perf_counter()
        replicate(Path(args.source), out, args.copies)
        print(f"replicated {args.source} x{args.copies} in {time.perf_counter() - t:.1f} s")
    conn = connect(out)
    docs, engs = conn.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM engagements)").fetchone()
    print(f"store: {docs} documents, {engs} engagements, {out.stat().st_size / docs / 1024:.1f} KB per document")
    a, b = args.dyad.split(",")
    cases = {
        "no filter": Filters(),
        "dyad": Filters(countries=(a, b)),
        "actor": Filters(actor=args.actor),
        "full text": Filters(text=args.text),
    }
    results = {}
    for events in (True, False):
        unit = "events" if events else "reports"
        for name, f in cases.items():
            f = replace(f, events=events, limit=100)
            seconds, n = timed(lambda f=f: (r.count(conn, f), len(r.engagements(conn, f))), args.repeat)
            results[f"{name} ({unit})"] = seconds
            print(f"query {name:10} {unit:7}: {n[0]:7} rows, first 100 with sources in {seconds * 1000:8.1f} ms")
        f = Filters(events=events)
        seconds, _ = timed(lambda f=f: r.facets(conn, f), args.repeat)
        print(f"facets             {unit:7}: {seconds * 1000:8.1f} ms")
        # the dyad page's sides report (readouts.sides over every event's texts) is not timed here:
        # it reads each report's text, seconds per thousand events
        seconds, actor = timed(lambda f=f: v.actor(conn, args.actor, f), 1)
        print(f"actor page data    {unit:7}: {seconds * 1000:8.1f} ms ({actor['count']} rows)")
    t = time.perf_counter()
    n = sum(1 for _ in r.iter_engagements(conn, Filters(limit=None)))
    seconds = time.perf_counter() - t
    print(f"export (stream every report row with sources): {n} rows in {seconds:.1f} s, {n / seconds:.0f} rows/s")
    print(json.dumps({k: round(x * 1000, 1) for k, x in results.items()}))


if __name__ == "__main__":
    main()
