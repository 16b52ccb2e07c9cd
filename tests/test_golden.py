"""Whole documents: golden files, the seed readouts, and the quality gate.

Golden files in tests/golden/records/ hold the full extraction of every document of the
sample corpus; a change shows as a diff. After a deliberate change, regenerate them with

    READOUTS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and read the diff before committing. The quality gate pins extraction scores as floors
(tests/golden/eval_baseline.json): every figure the shared scorer (../shared/eval/score.py)
gives for dev and dev2; a change that lowers one by more than the tolerance fails. The gate
skips only when ../shared/eval is absent; present but unusable, it fails.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
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


GATE_SETS = ("dev", "dev2")


def figures(result: dict) -> dict[str, float]:
    """Every figure of a score.py result, flat: score, readout_accuracy, engagement.f1, fields.date ..."""
    out = {"score": result["score"], "readout_accuracy": result["readout_accuracy"]}
    for part in ("engagement", "participant"):
        for metric in ("precision", "recall", "f1"):
            out[f"{part}.{metric}"] = result[part][metric]
    for name, value in result["fields"].items():
        out[f"fields.{name}"] = value["accuracy"]
    return out


def reference_figures(name: str, tmp_path: Path) -> dict[str, float]:
    """Extract ``name``.jsonl of the shared set and score it with the shared scorer, score.py.

    Anything that stops the figures from being computed fails the test: only an absent
    ../shared/eval skips the gate (a clone without the evaluation set beside it).
    """
    texts, gold = SHARED_EVAL / f"{name}.jsonl", SHARED_EVAL / f"{name}.gold.jsonl"
    scorer = SHARED_EVAL / "score.py"
    missing = [p.name for p in (texts, gold, scorer) if not p.is_file()]
    if missing:
        pytest.fail(f"{SHARED_EVAL} is present but lacks {', '.join(missing)}: the gate cannot be computed")
    predicted = tmp_path / f"{name}.pred.jsonl"
    with predicted.open("w", encoding="utf-8") as out:
        for result in _extract([texts]).values():
            out.write(json.dumps(result.readout.as_record(), ensure_ascii=False) + "\n")
    run = subprocess.run([sys.executable, str(scorer), str(gold), str(predicted), "--json"],
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        pytest.fail(f"score.py failed on {name} (exit {run.returncode}): {run.stderr.strip()[-2000:]}")
    try:
        return figures(json.loads(run.stdout))
    except (ValueError, KeyError, TypeError) as exc:
        pytest.fail(f"score.py gave no figures for {name}: {exc!r}: {run.stdout[:500]}")


@pytest.mark.gate
@pytest.mark.parametrize("name", GATE_SETS)
def test_quality_gate_on_the_shared_sets(name: str, tmp_path: Path) -> None:
    if not SHARED_EVAL.is_dir():
        pytest.skip(f"the shared evaluation set is not present ({SHARED_EVAL})")
    baseline = _baseline()
    floors, tolerance = baseline[name], baseline["tolerance"]
    got = reference_figures(name, tmp_path)
    assert set(got) == set(floors), "pin every figure score.py gives: update tests/golden/eval_baseline.json"
    dropped = {k: (round(got[k], 4), floors[k]) for k in floors if got[k] < floors[k] - tolerance}
    assert not dropped, f"{name}: figures below their floors (got, floor): {dropped}"


def test_the_gate_pins_every_figure_of_both_sets() -> None:
    baseline = _baseline()
    example = {"score": 1, "readout_accuracy": 1, "engagement": dict.fromkeys(("precision", "recall", "f1"), 1),
               "participant": dict.fromkeys(("precision", "recall", "f1"), 1),
               "fields": {f: {"accuracy": 1, "n": 1} for f in
                          ("date", "mode", "country", "title", "loc_country", "loc_city", "occasion")}}
    for name in GATE_SETS:
        assert set(baseline[name]) == set(figures(example)), name
        assert all(0 < v <= 1 for v in baseline[name].values()), name
    assert 0 < baseline["tolerance"] <= 0.01


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


@pytest.mark.parametrize("broken", ["missing files", "scorer fails", "scorer prints no figures"])
def test_the_gate_fails_when_the_shared_set_is_present_but_unusable(tmp_path, monkeypatch, broken):
    shared = tmp_path / "eval"
    shared.mkdir()
    if broken != "missing files":
        (shared / "dev.jsonl").write_text(json.dumps({"id": "d1", "text": "No engagement here."}) + "\n")
        (shared / "dev.gold.jsonl").write_text(json.dumps({"id": "d1", "is_readout": False, "engagements": []}) + "\n")
        body = "import sys; sys.exit(3)" if broken == "scorer fails" else "print('no json')"
        (shared / "score.py").write_text(body + "\n")
    monkeypatch.setattr(sys.modules[__name__], "SHARED_EVAL", shared)
    with pytest.raises(pytest.fail.Exception):
        reference_figures("dev", tmp_path)
