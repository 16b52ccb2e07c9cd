"""The invented held-out set (tests/golden/invented/): its gold follows FORMAT.md, and every figure of
extraction on it stays at or above its floor (baseline.json)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gold_format import check_gold_record

from readouts.evaluate import load_records, score
from readouts.ingest import iter_inputs
from readouts.pipeline import Result, run

HERE = Path(__file__).resolve().parent / "golden" / "invented"
TEXTS = {json.loads(line)["id"]: json.loads(line)["text"]
         for line in (HERE / "heldout.jsonl").read_text(encoding="utf-8").splitlines()}
GOLD = load_records(HERE / "heldout.gold.jsonl")


def test_every_text_has_a_gold_record() -> None:
    assert set(TEXTS) == set(GOLD) and len(GOLD) >= 40


@pytest.mark.parametrize("doc_id", sorted(GOLD))
def test_gold_record_follows_the_format(doc_id: str) -> None:
    check_gold_record(GOLD[doc_id], TEXTS[doc_id])


def _figures(result: dict) -> dict[str, float]:
    out = {"score": result["score"], "readout_accuracy": result["readout_accuracy"]}
    for part in ("engagement", "participant"):
        for metric in ("precision", "recall", "f1"):
            out[f"{part}.{metric}"] = result[part][metric]
    out.update({f"fields.{k}": v["accuracy"] for k, v in result["fields"].items()})
    return out


def test_every_figure_stays_at_or_above_its_floor() -> None:
    predicted = {}
    for item in run(iter_inputs([HERE / "heldout.jsonl"])):
        assert isinstance(item, Result), f"rejected: {item}"
        predicted[item.readout.id] = item.readout.as_record()
    got = _figures(score(GOLD, predicted))
    baseline = json.loads((HERE / "baseline.json").read_text(encoding="utf-8"))
    floors, tolerance = baseline["floors"], baseline["tolerance"]
    assert set(got) == set(floors), "pin every figure in tests/golden/invented/baseline.json"
    dropped = {k: (round(got[k], 4), floors[k]) for k in floors if got[k] < floors[k] - tolerance}
    assert not dropped, f"figures below their floors (got, floor): {dropped}"
