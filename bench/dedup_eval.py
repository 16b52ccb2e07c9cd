"""Pairwise precision and recall of near-duplicate grouping on the development set.

    python bench/dedup_eval.py [DEV.jsonl] [--compare]

Each dev record carries ``duplicate_of`` (the id it republishes, or null). Gold groups are
the connected components of those links; a pair is an unordered pair of ids inside one
group. The dev texts go through ``readouts.clean.clean`` and then ``readouts.dedup``; the
script prints pairwise precision, recall and F1 with the pairs it got wrong.
``--compare`` also scores other shingle representations and thresholds (the measurement
behind the defaults in ``readouts.dedup``). Skips (exit 0) when the dev set is absent.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

from readouts.clean import clean
from readouts.dedup import CONTAINMENT, JACCARD, DuplicateIndex, Shingler
from readouts.records import RawDocument

DEFAULT_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"


def load(path: Path) -> tuple[list[tuple[str, str]], dict[str, str | None]]:
    items, links = [], {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            doc = clean(RawDocument(r["id"], f"{path}:{r['id']}", text=r.get("text"), html=r.get("html")))
            items.append((r["id"], doc.text))
            links[r["id"]] = r.get("duplicate_of")
    return items, links


def gold_groups(links: dict[str, str | None]) -> list[list[str]]:
    """Connected components of the duplicate_of links."""
    parent = {k: k for k in links}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links.items():
        if b:
            parent.setdefault(b, b)
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for k in parent:
        groups.setdefault(find(k), []).append(k)
    return list(groups.values())


def gold_pairs(links: dict[str, str | None]) -> set[frozenset[str]]:
    return pairs_of(gold_groups(links))


def pairs_of(groups) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(sorted(g), 2)}


def score(pred: set, gold: set) -> tuple[float, float, float]:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(gold) if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def run(items, gold, shingler: Shingler, threshold: float, containment: float):
    index = DuplicateIndex(threshold, containment=containment, shingler=shingler)
    for doc_id, text in items:
        index.add(doc_id, text)
    return pairs_of(index.groups())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dev", nargs="?", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--compare", action="store_true", help="also score other shingles and thresholds")
    args = ap.parse_args(argv)
    if not args.dev.exists():
        print(f"skipped: {args.dev} not found")
        return 0
    items, links = load(args.dev)
    gold = gold_pairs(links)
    pred = run(items, gold, Shingler(), JACCARD, CONTAINMENT)
    p, r, f = score(pred, gold)
    print(f"dev: {len(items)} documents, {len(gold)} gold duplicate pairs, {len(pred)} predicted pairs")
    print(f"default (word 2-grams, stop words dropped; Jaccard >= {JACCARD}, containment >= {CONTAINMENT}):")
    print(f"  pairwise precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    for pair in sorted(sorted(x) for x in pred - gold):
        print("  false pair:  ", " ".join(pair))
    for pair in sorted(sorted(x) for x in gold - pred):
        print("  missed pair: ", " ".join(pair))
    if args.compare:
        print("\ncomparison (precision / recall / F1):")
        variants = [
            ("word 5-grams", Shingler("word", 5, False), (0.05, 0.08, 0.1, 0.15, 0.3)),
            ("word 3-grams", Shingler("word", 3, False), (0.1, 0.13, 0.15, 0.2, 0.3)),
            ("word 2-grams -stop", Shingler("word", 2, True), (0.12, 0.15, 0.17, 0.2, 0.3)),
            ("char 5-grams", Shingler("char", 5), (0.25, 0.3, 0.35, 0.4, 0.5)),
            ("char 9-grams", Shingler("char", 9), (0.15, 0.2, 0.25, 0.3, 0.4)),
        ]
        for name, sh, thresholds in variants:
            row = []
            for t in thresholds:
                vp, vr, vf = score(run(items, gold, sh, t, 1.0), gold)
                row.append(f"J>={t:<4}: {vp:.2f}/{vr:.2f}/{vf:.2f}")
            print(f"  {name:20s} " + "  ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
