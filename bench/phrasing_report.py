#!/usr/bin/env python3
"""How the extractor does on the generated phrasing table, slot by slot.

A report, not a test (the test is ``tests/phrasing/test_phrasing.py``): it generates the table
(``tests/phrasing/phrasing_gen.py``), runs the extractor on every item, judges each item with the
project's scorer rules, prints the pass rate, the reasons, the slot values that fail most (subject
shape, predicate, tense, voice, date kind and position, object shape, trailing clause, ...) with an
example of each reason, and writes every failing item (text, expected, predicted, reasons, slots)
to a JSONL file.

    python bench/phrasing_report.py                       # failures to phrasing-failures.jsonl
    python bench/phrasing_report.py -o /tmp/fail.jsonl --top 60 --examples 3
    python bench/phrasing_report.py --export /tmp/phr      # also the table as phrasing.jsonl + .gold.jsonl
    python bench/phrasing_report.py --write-baseline       # pin today's pass rate as the test's floor

``--export`` writes the table in the evaluation format, so that
``readouts extract /tmp/phr/phrasing.jsonl -o /tmp/phr/pred.jsonl`` and
``python ../shared/eval/score.py /tmp/phr/phrasing.gold.jsonl /tmp/phr/pred.jsonl`` score it too.
It exits 0 whatever the figures are.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "phrasing"))

import phrasing_check as check  # noqa: E402
import phrasing_gen as gen  # noqa: E402

BASELINE = REPO / "tests" / "phrasing" / "baseline.json"


def examples(outcomes: list[check.Outcome], per_reason: int) -> str:
    lines = []
    for reason, count in check.reason_counts(outcomes).most_common():
        lines.append("")
        lines.append(f"== {reason} ({count})")
        shown = [o for o in outcomes if reason in o.reasons][:per_reason]
        for o in shown:
            lines.append(f"-- {o.item.id}  {' '.join(f'{k}={v}' for k, v in o.item.slots.items())}")
            lines.append("   " + o.item.text.replace("\n", "\n   "))
            lines.append(f"   want: {json.dumps(o.item.expected['engagements'], ensure_ascii=False)}")
            got = [{k: e[k] for k in ("date", "mode", "participants")} for e in o.predicted["engagements"]]
            lines.append(f"   got:  is_readout={o.predicted['is_readout']} {json.dumps(got, ensure_ascii=False)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--failures", type=Path, default=Path("phrasing-failures.jsonl"),
                    help="where to write the failing items (JSONL; default: %(default)s)")
    ap.add_argument("--seed", type=int, default=gen.SEED, help="generator seed (default: %(default)s)")
    ap.add_argument("--positives", type=int, default=gen.N_POSITIVE, help="readouts (default: %(default)s)")
    ap.add_argument("--negatives", type=int, default=gen.N_NEGATIVE, help="negatives (default: %(default)s)")
    ap.add_argument("--top", type=int, default=40, help="worst slot values to list (default: %(default)s)")
    ap.add_argument("--examples", type=int, default=2, help="examples per failure reason (default: %(default)s)")
    ap.add_argument("--export", type=Path, metavar="DIR",
                    help="also write the table as DIR/phrasing.jsonl and DIR/phrasing.gold.jsonl")
    ap.add_argument("--write-baseline", action="store_true",
                    help=f"record the pass rate as the floor of the test ({BASELINE.relative_to(REPO)})")
    args = ap.parse_args(argv)

    start = time.perf_counter()
    items = gen.generate(args.seed, args.positives, args.negatives)
    generated = time.perf_counter() - start
    outcomes = check.run(items)
    judged = time.perf_counter() - start - generated
    print(check.format_report(outcomes, top=args.top))
    print(examples(outcomes, args.examples))
    print()
    print(f"generated {len(items)} items in {generated:.1f} s, extracted and judged in {judged:.1f} s")

    failing = [o for o in outcomes if not o.ok]
    with args.failures.open("w", encoding="utf-8") as fh:
        for o in failing:
            fh.write(json.dumps(o.as_dict(), ensure_ascii=False) + "\n")
    print(f"{len(failing)} failing items written to {args.failures}")

    if args.export:
        args.export.mkdir(parents=True, exist_ok=True)
        with (args.export / "phrasing.jsonl").open("w", encoding="utf-8") as texts, \
                (args.export / "phrasing.gold.jsonl").open("w", encoding="utf-8") as gold:
            for item in items:
                texts.write(json.dumps({"id": item.id, "text": item.text}, ensure_ascii=False) + "\n")
                gold.write(json.dumps({"id": item.id, **item.expected}, ensure_ascii=False) + "\n")
        print(f"table written to {args.export}/phrasing.jsonl and phrasing.gold.jsonl")

    if args.write_baseline:
        if (args.seed, args.positives, args.negatives) != (gen.SEED, gen.N_POSITIVE, gen.N_NEGATIVE):
            print("--write-baseline needs the default table (no --seed/--positives/--negatives)", file=sys.stderr)
            return 2
        rate = check.pass_rate(outcomes)
        floor = {"pass_rate": round(rate - 0.0005, 3), "table": gen.table_hash(items)}
        BASELINE.write_text(json.dumps(floor) + "\n", encoding="utf-8")
        print(f"baseline pass rate {rate:.3f} written to {BASELINE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
