"""Quality gate of the Chinese and Russian readers: the scores on the shared dev sets are pinned
as floors (tests/golden/eval_baseline_lang.json); a change that lowers one fails."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from readouts.evaluate import load_records, score
from readouts.ingest import iter_inputs
from readouts.pipeline import Result, run

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
BASELINE = json.loads((ROOT / "tests" / "golden" / "eval_baseline_lang.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(BASELINE))
def test_quality_gate(name: str) -> None:
    texts, gold = SHARED_EVAL / f"{name}.jsonl", SHARED_EVAL / f"{name}.gold.jsonl"
    if not texts.exists():
        pytest.skip(f"the shared evaluation set {name} is not present")
    pred = {}
    for item in run(iter_inputs([texts])):
        assert isinstance(item, Result), f"rejected: {item}"
        pred[item.readout.id] = item.readout.as_record()
    result = score(load_records(gold), pred)
    floor = BASELINE[name]
    assert result["readout_accuracy"] >= floor["readout_accuracy"]
    assert result["engagement"]["f1"] >= floor["engagement_f1"]
    for field, figures in result["fields"].items():
        assert figures["accuracy"] is None or figures["accuracy"] >= floor["field"], (field, figures)
