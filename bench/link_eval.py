"""Pairwise precision and recall of cross-source event links on the xsource development set.

    python bench/link_eval.py [XSOURCE.jsonl] [--gold-engagements] [--reverse] [--batch N] [-v]

Each record of ``xsource.dev.jsonl`` carries ``group``: the reports of one engagement by
different publishers. The records are ingested into a temporary store the way ``readouts
ingest`` does it (pipeline -> ``Store.add_batch`` in batches of ``--batch``, then
``Store.refresh_links``), and ``Store.query`` (what ``readouts query --format json`` prints)
gives each engagement its ``documents``. Two documents are linked when they appear together
in one engagement's ``documents``; the gold pairs are the pairs of documents of one group.

``--gold-engagements`` replaces each document's extracted engagements by its gold ones
(``xsource.dev.gold.jsonl``, beside the input): linking measured apart from extraction.
``--reverse`` ingests the records in reverse order (linking is incremental, so the order
is a test of it). Also printed: recall over the pairs whose documents are both readouts in
the gold (a non-readout report has no engagement to link). Skips (exit 0) when the set is
absent.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

from readouts.ingest import iter_inputs
from readouts.pipeline import Result, run
from readouts.records import Engagement
from readouts.store import QueryFilter, Store

DEFAULT_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "xsource.dev.jsonl"


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gold_engagements(record: dict) -> tuple[Engagement, ...]:
    out = []
    for e in record["engagements"]:
        e = dict(e)
        e["participants"] = [{k: v for k, v in p.items() if k != "aliases"} for p in e["participants"]]
        out.append(Engagement.from_dict(e))
    return tuple(out)


def pairs_of(groups) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(sorted(set(g)), 2) if p[0] != p[1]}


def measure(path: Path, *, use_gold: bool = False, reverse: bool = False, batch: int = 10) -> dict:
    records = load_jsonl(path)
    group = {r["id"]: r["group"] for r in records}
    gold_path = path.with_name(path.name.replace(".jsonl", ".gold.jsonl"))
    gold = {r["id"]: r for r in load_jsonl(gold_path)} if gold_path.is_file() else {}
    results = [r for r in run(iter_inputs([str(path)])) if isinstance(r, Result)]
    if use_gold:
        results = [
            Result(r.raw, r.clean, r.readout.replace(
                is_readout=gold[r.clean.id]["is_readout"], engagements=gold_engagements(gold[r.clean.id])))
            for r in results
        ]
    if reverse:
        results.reverse()
    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "x.db") as store:
            for i in range(0, len(results), batch):
                store.add_batch(results[i:i + batch])
                store.refresh_links()
            rows = store.query(QueryFilter(limit=None))
    predicted = pairs_of(row["documents"] for row in rows)
    by_group: dict[str, list[str]] = {}
    for doc, g in group.items():
        by_group.setdefault(g, []).append(doc)
    gold_pairs = pairs_of(by_group.values())
    readout_docs = {d for d, r in gold.items() if r["is_readout"]}
    reachable = {p for p in gold_pairs if p <= readout_docs} if gold else gold_pairs
    tp = len(predicted & gold_pairs)
    return {
        "documents": len(records),
        "gold_pairs": len(gold_pairs),
        "predicted_pairs": len(predicted),
        "true_pairs": tp,
        "precision": tp / len(predicted) if predicted else 1.0,
        "recall": tp / len(gold_pairs) if gold_pairs else 1.0,
        "recall_gold_readouts": len(predicted & reachable) / len(reachable) if reachable else 1.0,
        "false_pairs": sorted(sorted(p) for p in predicted - gold_pairs),
        "missed_pairs": sorted(sorted(p) for p in gold_pairs - predicted),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", nargs="?", type=Path, default=DEFAULT_SET)
    ap.add_argument("--gold-engagements", action="store_true", help="link the gold engagements")
    ap.add_argument("--reverse", action="store_true", help="ingest in reverse order")
    ap.add_argument("--batch", type=int, default=10, help="documents per ingest batch")
    ap.add_argument("-v", "--verbose", action="store_true", help="list false and missed pairs")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.input.is_file():
        print(f"skipped: {args.input} not found")
        return 0
    m = measure(args.input, use_gold=args.gold_engagements, reverse=args.reverse, batch=args.batch)
    if args.json:
        print(json.dumps(m, indent=2))
        return 0
    what = "gold engagements" if args.gold_engagements else "extracted engagements"
    print(f"{args.input.name}: {m['documents']} documents, {what}{', reverse order' if args.reverse else ''}")
    print(f"  same-event pairs: gold {m['gold_pairs']}, predicted {m['predicted_pairs']}, right {m['true_pairs']}")
    print(f"  pairwise precision {m['precision']:.3f}  recall {m['recall']:.3f}"
          f"  (recall over gold readouts only {m['recall_gold_readouts']:.3f})")
    if args.verbose:
        for p in m["false_pairs"]:
            print("  false pair: ", " ".join(p))
        for p in m["missed_pairs"]:
            print("  missed pair:", " ".join(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
