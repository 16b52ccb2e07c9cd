"""The sample corpus and its golden file tests/golden/examples.gold.jsonl are consistent with FORMAT.md."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gold_format import check_gold_record

from readouts.evaluate import load_records, score

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTICE = "[Illustrative text written for the readouts sample corpus; the officials are invented.]"
SEEDS = {"000_383b651f30302be0", "003_ef72b336fcca68b9"}


def documents() -> dict[str, str]:
    """Document id -> text (raw file content; for JSONL each record's text)."""
    out: dict[str, str] = {}
    for path in sorted(EXAMPLES.iterdir()):
        if path.suffix in (".txt", ".html"):
            out[path.stem] = path.read_text(encoding="utf-8")
        elif path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                assert {"id", "text", "url"} <= set(rec) and len(rec) > 3, path
                out[rec["id"]] = rec["text"]
    return out


GOLD = load_records(EXAMPLES.parent / "tests" / "golden" / "examples.gold.jsonl")


def test_every_document_has_a_gold_record():
    assert set(GOLD) == set(documents())


@pytest.mark.parametrize("doc_id", sorted(set(documents()) - SEEDS))
def test_illustrative_texts_carry_the_notice(doc_id):
    assert NOTICE in documents()[doc_id].splitlines()[0]


@pytest.mark.parametrize("doc_id", sorted(GOLD))
def test_gold_record_follows_the_format(doc_id):
    check_gold_record(GOLD[doc_id], documents()[doc_id])


def test_gold_scores_perfectly_against_itself():
    assert score(GOLD, GOLD)["score"] == 1.0
