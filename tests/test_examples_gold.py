"""The sample corpus and its golden file tests/golden/examples.gold.jsonl are consistent with FORMAT.md."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from readouts.evaluate import load_records, score
from readouts.records import MODES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTICE = "[Illustrative text written for the readouts sample corpus; the officials are invented.]"
SEEDS = {"000_383b651f30302be0", "003_ef72b336fcca68b9"}
ISO_DATE = re.compile(r"\d{4}(-\d\d(-\d\d)?)?")
CODE = re.compile(r"[A-Z]{2,6}")
REMOTE = {"phone_call", "video_call", "message"}


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
    rec = GOLD[doc_id]
    assert set(rec) == {"id", "is_readout", "engagements"}
    assert bool(rec["engagements"]) == rec["is_readout"]
    text = documents()[doc_id]
    for eng in rec["engagements"]:
        assert set(eng) == {"date", "mode", "participants", "location", "occasion"}
        assert eng["mode"] in MODES
        assert eng["date"] is None or ISO_DATE.fullmatch(eng["date"])
        assert len(eng["participants"]) >= 2
        for p in eng["participants"]:
            assert set(p) == {"name", "country", "title"}
            assert p["country"] is None or CODE.fullmatch(p["country"])
            assert p["name"] is None or p["name"] in text  # fullest form as the text gives it
            assert p["title"] is None or p["title"].lower() in text.lower()
        if eng["mode"] in REMOTE:
            assert eng["location"] == {"city": None, "country": None}
        if eng["location"]["city"]:
            assert eng["location"]["city"].lower() in text.lower()
        if eng["occasion"]:
            assert eng["occasion"] in text


def test_gold_scores_perfectly_against_itself():
    assert score(GOLD, GOLD)["score"] == 1.0
