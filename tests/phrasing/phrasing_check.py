"""Run the extractor on the generated phrasing table and judge it item by item.

An item passes when the text's record agrees with what the item expects, judged with the
project's own scorer rules (``readouts.evaluate``: the one-to-one alignment of engagements,
its name matching, the token F1 of titles):

- a positive: the readout is a readout; exactly the expected engagements are found, each with
  exactly its participants, its mode and its date (null when the text gives none); a country
  or title is checked where the text states it;
- a negative (planned, speech, background, ...): no engagement and not a readout.

``breakdown`` counts failures per slot value (which subject shape, predicate, date kind ... fails
most), so a failure rate points at the wording the extractor does not read.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from phrasing_gen import Item

from readouts.clean import clean
from readouts.evaluate import TITLE_MIN_F1, align, token_f1
from readouts.extract import extract
from readouts.records import RawDocument

#: Why an item failed (one item can fail for several reasons).
REASONS = ("is_readout", "missed_engagement", "extra_engagement", "participants", "mode", "date", "country", "title")

Record = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    item: Item
    predicted: dict[str, Any]  # the record the extractor gave (FORMAT.md fields)
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        return {**self.item.as_dict(), "predicted": self.predicted, "reasons": list(self.reasons)}


def judge(expected: Record, predicted: Record) -> tuple[str, ...]:
    """The reasons ``predicted`` does not give the ``expected`` record (empty: it does)."""
    reasons: list[str] = []
    if bool(predicted.get("is_readout")) != bool(expected.get("is_readout")):
        reasons.append("is_readout")
    gold = expected.get("engagements") or []
    pred = predicted.get("engagements") or []
    aligned = align(gold, pred)
    if len(aligned) < len(gold):
        reasons.append("missed_engagement")
    if len(aligned) < len(pred):
        reasons.append("extra_engagement")
    for gi, pi, pairs in aligned:
        g, p = gold[gi], pred[pi]
        gp, pp = g.get("participants") or [], p.get("participants") or []
        if not len(pairs) == len(gp) == len(pp):
            reasons.append("participants")
        if g.get("mode") != p.get("mode"):
            reasons.append("mode")
        if g.get("date") != p.get("date"):
            reasons.append("date")
        for a, b in pairs:
            want, got = gp[a], pp[b]
            if want.get("country") and want.get("country") != got.get("country"):
                reasons.append("country")
            if want.get("title") and token_f1(want.get("title"), got.get("title")) < TITLE_MIN_F1:
                reasons.append("title")
    return tuple(dict.fromkeys(reasons))  # each reason once, in order


def extract_record(item: Item) -> dict[str, Any]:
    """The record ``readouts extract`` writes for the item's text (FORMAT.md fields only)."""
    readout = extract(clean(RawDocument(item.id, "phrasing", text=item.text)))
    record = readout.as_record()
    return {"is_readout": record["is_readout"], "engagements": record["engagements"]}


def run(items: Iterable[Item], extractor: Callable[[Item], dict[str, Any]] = extract_record) -> list[Outcome]:
    out = []
    for item in items:
        predicted = extractor(item)
        out.append(Outcome(item, predicted, judge(item.expected, predicted)))
    return out


def pass_rate(outcomes: Sequence[Outcome]) -> float:
    return sum(o.ok for o in outcomes) / len(outcomes) if outcomes else 0.0


@dataclass(frozen=True, slots=True)
class SlotRow:
    slot: str
    value: str
    failed: int
    total: int
    example: str | None  # id of a failing item

    @property
    def rate(self) -> float:
        return self.failed / self.total if self.total else 0.0


def breakdown(outcomes: Sequence[Outcome]) -> list[SlotRow]:
    """Failures per slot value, worst first (by failure rate, then by count).

    A value joined with "+" ("agreed+last_met": two follow-up sentences) counts for each part.
    """
    failed: dict[tuple[str, str], int] = Counter()
    total: dict[tuple[str, str], int] = Counter()
    example: dict[tuple[str, str], str] = {}
    for o in outcomes:
        for slot, values in o.item.slots.items():
            for value in values.split("+"):
                key = (slot, value)
                total[key] += 1
                if not o.ok:
                    failed[key] += 1
                    example.setdefault(key, o.item.id)
    rows = [SlotRow(s, v, failed[(s, v)], n, example.get((s, v))) for (s, v), n in total.items()]
    return sorted(rows, key=lambda r: (-r.rate, -r.failed, r.slot, r.value))


def reason_counts(outcomes: Sequence[Outcome]) -> Counter[str]:
    return Counter(r for o in outcomes for r in o.reasons)


def format_report(outcomes: Sequence[Outcome], top: int = 40, per_slot: bool = True) -> str:
    """Pass rate, reasons, the worst slot values overall and, per slot, every value's failure rate."""
    positives = [o for o in outcomes if o.item.positive]
    negatives = [o for o in outcomes if not o.item.positive]
    lines = [
        f"items {len(outcomes)}: passed {sum(o.ok for o in outcomes)} ({pass_rate(outcomes):.1%}); "
        f"positives {pass_rate(positives):.1%} of {len(positives)}, "
        f"negatives {pass_rate(negatives):.1%} of {len(negatives)}",
        "reasons: " + ", ".join(f"{r} {n}" for r, n in reason_counts(outcomes).most_common()),
        "",
        f"worst slot values (failed/total, an example):",
    ]
    rows = [r for r in breakdown(outcomes) if r.failed]
    for r in rows[:top]:
        lines.append(f"  {r.slot:<14} {r.value:<36} {r.failed:>4}/{r.total:<4} {r.rate:6.1%}  {r.example}")
    if per_slot:
        by_slot: dict[str, list[SlotRow]] = defaultdict(list)
        for r in breakdown(outcomes):
            by_slot[r.slot].append(r)
        for slot in sorted(by_slot):
            lines.append("")
            lines.append(f"{slot}:")
            for r in by_slot[slot]:
                lines.append(f"  {r.value:<36} {r.failed:>4}/{r.total:<4} {r.rate:6.1%}")
    return "\n".join(lines)
