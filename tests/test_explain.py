"""`readouts explain`: why a document gave its engagements, from text, HTML and JSONL inputs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from readouts.cli import main

TEXT = ("Foreign Minister Ana Lopes of Portugal met with Foreign Minister Jan Nowak of Poland in Lisbon on 3 March 2021. "
        "Later, Foreign Minister Ana Lopes will meet the Prime Minister of Spain.")
HTML = f"<html><head><title>Lopes meets Nowak</title></head><body><nav>Home | News</nav><article><p>{TEXT}</p></article></body></html>"


@pytest.fixture(params=["txt", "html", "jsonl"])
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "txt":
        path = tmp_path / "doc1.txt"
        path.write_text(TEXT, encoding="utf-8")
    elif request.param == "html":
        path = tmp_path / "doc1.html"
        path.write_text(HTML, encoding="utf-8")
    else:
        path = tmp_path / "docs.jsonl"
        path.write_text(json.dumps({"id": "doc1", "text": TEXT}) + "\n", encoding="utf-8")
    return path


def test_json_explains_mentions_candidates_and_the_verdict(source: Path) -> None:
    result = CliRunner().invoke(main, ["explain", str(source), "--format", "json"])
    assert result.exit_code == 0, result.output
    x = json.loads(result.output.strip().splitlines()[-1])
    assert x["id"] == "doc1" and x["is_readout"] is True
    assert x["reason"] == "reports an engagement that took place"
    notes = [n for s in x["sentences"] for n in s["predicates"]]
    kept = [n for n in notes if n["step"] == "candidate"]
    assert {n["trigger"] for n in kept} == {"met"}  # the HTML title is a headline: a second, merged candidate
    assert kept[-1]["participants"] == ["Ana Lopes", "Jan Nowak"]
    assert any(n["rule"].startswith("planned") for n in notes)
    names = {m["name"] for s in x["sentences"] for m in s["mentions"]}
    assert {"Ana Lopes", "Jan Nowak"} <= names
    (e,) = x["engagements"]
    assert e["date"] == "2021-03-03" and e["location"]["city"] == "Lisbon" and e["trigger"] == "trigger:met"


def test_text_format_reads_as_a_report(source: Path) -> None:
    result = CliRunner().invoke(main, ["explain", str(source)])
    assert result.exit_code == 0, result.output
    assert "doc1: a readout" in result.output
    assert "candidate" in result.output and "planned: a modal or future cue" in result.output
    assert "engagements: 1" in result.output


def test_a_text_that_is_not_a_readout_says_why(tmp_path: Path) -> None:
    path = tmp_path / "speech.txt"
    path.write_text("The Foreign Minister spoke about climate policy at the university on Monday.", encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(path), "--format", "json"])
    x = json.loads(result.output)
    assert x["is_readout"] is False and x["engagements"] == []
    assert x["reason"] == "no engagement between identified officials"


def test_merges_and_background_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "merge.txt"
    path.write_text("Lopes meets Nowak\n\nForeign Minister Ana Lopes of Portugal met with Foreign Minister Jan Nowak "
                    "of Poland in Lisbon on Monday. Ana Lopes and Jan Nowak held talks on trade.", encoding="utf-8")
    x = json.loads(CliRunner().invoke(main, ["explain", str(path), "--format", "json"]).output)
    assert any(n["step"] == "merge" for n in x["decisions"])
    assert len(x["engagements"]) == 1


def test_bad_input_is_reported_and_the_rest_explained(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary\xff")
    result = CliRunner().invoke(main, ["explain", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    assert "rejected" in result.output and '"id": "good"' in result.output


def test_a_chinese_text_names_its_reader(tmp_path: Path) -> None:
    path = tmp_path / "zh.txt"
    path.write_text("2024年3月5日，国务委员兼外长王毅在北京会见俄罗斯外长拉夫罗夫。", encoding="utf-8")
    x = json.loads(CliRunner().invoke(main, ["explain", str(path), "--format", "json"]).output)
    assert x["language"] == "zh"
    assert any("zh reader" in n["rule"] for n in x["decisions"])
    assert x["engagements"] and x["engagements"][0]["mode"] == "meeting"
