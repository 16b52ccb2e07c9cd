"""Whole documents: golden files, the seed readouts, and the quality gate.

Golden files in tests/golden/records/ hold the full extraction of every document of the
sample corpus; a change shows as a diff. After a deliberate change, regenerate them with

    READOUTS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and read the diff before committing. The quality gate pins extraction scores as floors
(tests/golden/eval_baseline.json): a change that lowers one fails.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from readouts.evaluate import load_records, score
from readouts.ingest import iter_inputs
from readouts.pipeline import Result, run

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GOLDEN = ROOT / "tests" / "golden"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
UPDATE = os.environ.get("READOUTS_UPDATE_GOLDEN") == "1"


def _extract(paths: list[Path]) -> dict[str, Result]:
    out = {}
    for item in run(iter_inputs(paths)):
        assert isinstance(item, Result), f"rejected: {item}"
        out[item.readout.id] = item
    return out


@pytest.fixture(scope="module")
def examples() -> dict[str, Result]:
    return _extract([EXAMPLES])


def _ids() -> list[str]:
    return sorted(load_records(GOLDEN / "examples.gold.jsonl"))


@pytest.mark.parametrize("doc_id", _ids())
def test_golden_record(examples: dict[str, Result], doc_id: str) -> None:
    record = examples[doc_id].readout.as_record()
    # the source is where this checkout keeps the file: compare it relative to the repository
    path_part, _, line = record["details"]["source"].partition(":")
    record["details"]["source"] = os.path.relpath(path_part, ROOT) + (f":{line}" if line else "")
    path = GOLDEN / "records" / f"{doc_id}.json"
    text = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing and has been written; check it and commit it")
    assert json.loads(text) == json.loads(path.read_text(encoding="utf-8"))


def _baseline() -> dict:
    return json.loads((GOLDEN / "eval_baseline.json").read_text(encoding="utf-8"))


def test_quality_gate_on_the_sample_corpus(examples: dict[str, Result]) -> None:
    gold = load_records(GOLDEN / "examples.gold.jsonl")
    pred = {k: v.readout.as_record() for k, v in examples.items()}
    result = score(gold, pred)
    floor = _baseline()["examples"]
    assert result["score"] >= floor["score"]
    assert result["engagement"]["f1"] >= floor["engagement_f1"]


@pytest.mark.skipif(not (SHARED_EVAL / "dev.jsonl").exists(), reason="the shared evaluation set is not present")
def test_quality_gate_on_the_dev_set() -> None:
    results = _extract([SHARED_EVAL / "dev.jsonl"])
    pred = {k: v.readout.as_record() for k, v in results.items()}
    result = score(load_records(SHARED_EVAL / "dev.gold.jsonl"), pred)
    floor = _baseline()["dev"]
    assert result["score"] >= floor["score"]
    assert result["engagement"]["f1"] >= floor["engagement_f1"]


SEEDS = {
    "000_383b651f30302be0": {
        "date": "2019-07-26", "location": {"city": None, "country": "BRA"}, "lavrov": "Sergey Lavrov",
        "issues": {"Iranian nuclear issue", "Venezuelan issue"},
    },
    "003_ef72b336fcca68b9": {
        "date": "2018-06-03", "location": {"city": None, "country": None}, "lavrov": "Sergei Lavrov",
        "issues": {"Korean Peninsula situation"},
    },
}


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seed_readouts_come_out_right(examples: dict[str, Result], doc_id: str) -> None:
    want = SEEDS[doc_id]
    readout = examples[doc_id].readout
    assert readout.is_readout
    (eng,) = readout.engagements
    record = eng.as_record()
    assert record["date"] == want["date"]
    assert record["mode"] == "meeting"
    assert sorted(record["participants"], key=lambda p: p["name"]) == sorted([
        {"name": "Wang Yi", "country": "CHN", "title": "State Councilor and Foreign Minister"},
        {"name": want["lavrov"], "country": "RUS", "title": "Foreign Minister"},
    ], key=lambda p: p["name"])
    assert record["location"] == want["location"]
    assert record["occasion"] == "Formal Meeting of the BRICS Ministers of Foreign Affairs"
    # statements of each side
    speakers = {s.speaker for s in readout.statements}
    assert {"Wang Yi", want["lavrov"]} <= speakers
    assert all(s.span.text for s in readout.statements)
    assert want["issues"] <= {i.text for i in readout.issues}


def test_seed_planned_visit(examples: dict[str, Result]) -> None:
    readout = examples["003_ef72b336fcca68b9"].readout
    visits = [p for p in readout.planned if p.kind == "visit"]
    assert [(p.participants[0].name, p.location.country, p.date) for p in visits] == [("Vladimir Putin", "CHN", "2018-06-08")]
    # the background visit of the other seed is not a plan
    assert not [p for p in examples["000_383b651f30302be0"].readout.planned if p.kind == "visit"]
