"""Pairwise precision/recall of the near-duplicate groups the STORE records, on the dev set.

    python bench/duplicates_store_eval.py [DEV.jsonl]

Ingests the dev set into a temporary database through the same path as ``readouts ingest``
(pipeline -> ``Store.add_batch`` in batches of 25, then the store is closed and reopened and the
rest ingested, so the persisted dedup state is exercised), reads ``documents.duplicate_group``
back and scores it against the records' ``duplicate_of`` links (gold groups = connected
components). Two dev ids with the same clean text share one stored document: they count as a
pair in one group. Skips (exit 0) when the dev set is absent.
"""
from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from pathlib import Path

from readouts.ingest import iter_inputs
from readouts.pipeline import Result, run
from readouts.store import Store, document_key

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_eval import DEFAULT_DEV, gold_groups, pairs_of  # noqa: E402  (the same gold pairs)


def main(argv: list[str]) -> int:
    dev = Path(argv[0]) if argv else DEFAULT_DEV
    if not dev.is_file():
        print(f"skipped: no dev set at {dev}")
        return 0
    links = {}
    for line in dev.open(encoding="utf-8"):
        if line.strip():
            r = json.loads(line)
            links[r["id"]] = r.get("duplicate_of")
    results = [r for r in run(iter_inputs([str(dev)])) if isinstance(r, Result)]
    key_of = {r.clean.id: document_key(r) for r in results}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "dev.db"
        half = len(results) // 2
        with Store(db) as store:  # first "ingest run"
            for i in range(0, half, 25):
                store.add_batch(results[i:min(i + 25, half)])
        with Store(db) as store:  # second run, reopened
            for i in range(half, len(results), 25):
                store.add_batch(results[i:i + 25])
        conn = sqlite3.connect(db)
        group_of = dict(conn.execute("SELECT id, duplicate_group FROM documents"))
        conn.close()
    predicted: dict[str, list[str]] = {}
    for doc_id, key in key_of.items():
        predicted.setdefault(group_of[key], []).append(doc_id)
    gold = pairs_of(gold_groups(links))
    pred = pairs_of(predicted.values())
    tp = len(gold & pred)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(gold) if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"documents {len(key_of)}  stored {len(set(key_of.values()))}  gold pairs {len(gold)}  "
          f"predicted pairs {len(pred)}")
    print(f"pairwise precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    for pair in sorted(pred - gold, key=sorted):
        print("  false pair:", " ".join(sorted(pair)))
    for pair in sorted(gold - pred, key=sorted):
        print("  missed pair:", " ".join(sorted(pair)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
