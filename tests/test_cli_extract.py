"""`readouts extract` and `readouts eval` end to end, in process and as a real subprocess.

The texts are written here and their officials are invented. The extractor is being tuned,
so what it finds is checked loosely; the shape of the records, the ids, their order, the
rejections and the exit statuses are checked exactly.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from readouts.cli import main
from readouts.records import MODES

TEXTS = {
    "lisbon.txt": "Lopes Meets with Swedish Foreign Minister Berg\n"
                  "On March 3, 2021, Foreign Minister Ana Lopes of Portugal met with Foreign Minister "
                  "Karl Berg of Sweden in Lisbon. The two ministers discussed fisheries and energy cooperation.\n",
    "tallinn.txt": "On June 2, 2022, President Liis Tamm of Estonia met with Minister for Trade Mikko Saari "
                   "of Finland in Tallinn. They signed a memorandum on digital trade.\n",
}
HTML = {
    "oslo.html": "<!DOCTYPE html><html><head><title>Dahl Holds Phone Call with Lopes</title></head><body>"
                 "<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav><article>"
                 "<p>On July 14, 2021, Prime Minister Ingrid Dahl of Norway held a phone call with Foreign "
                 "Minister Ana Lopes of Portugal.</p><p>They discussed climate finance and Arctic research.</p>"
                 "</article><footer>Copyright 2021</footer></body></html>\n",
}
JSONL = {
    "batch.jsonl": [
        {"id": "b-1", "text": "On May 5, 2023, Foreign Minister Ana Lopes of Portugal met with Foreign Minister "
                              "Jonas Petraitis of Lithuania in Vilnius. They discussed energy security."},
        {"id": 7, "html": "<p>On May 6, 2023, President Liis Tamm of Estonia held talks with President "
                          "Anders Lund of Denmark in Copenhagen.</p>", "site": "example"},
        {"id": "b 3/ä", "text": "The ministry announced new opening hours for its consular section."},
    ],
}
IDS = ["b-1", "7", "b 3/ä", "lisbon", "oslo", "tallinn"]  # sorted file names, JSONL lines in order

SUMMARY = re.compile(r"^(\d+) documents written to (.+), (\d+) rejected$", re.M)


def write_inputs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**TEXTS, **HTML}.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, records in JSONL.items():
        (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                   encoding="utf-8")
    return folder


@pytest.fixture
def inputs(tmp_path) -> Path:
    return write_inputs(tmp_path / "in")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def records_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def summary(stderr: str) -> tuple[int, str, int]:
    found = SUMMARY.findall(stderr)
    assert len(found) == 1, stderr
    written, target, rejected = found[0]
    return int(written), target, int(rejected)


def check_record(rec: dict) -> None:
    assert set(rec) >= {"id", "is_readout", "engagements", "details"}
    assert isinstance(rec["id"], str)
    assert isinstance(rec["is_readout"], bool)
    assert isinstance(rec["details"], dict)
    for eng in rec["engagements"]:
        assert set(eng) >= {"date", "mode", "participants", "location", "occasion"}
        assert eng["mode"] in MODES
        assert eng["date"] is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", eng["date"])
        assert set(eng["location"]) >= {"city", "country"}
        for p in eng["participants"]:
            assert set(p) >= {"name", "country", "title"}


# --- extract: good input ------------------------------------------------------------


def test_extract_folder_to_file(runner, inputs, tmp_path):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["extract", str(inputs), "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    records = records_of(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == IDS
    for rec in records:
        check_record(rec)
    assert sum(len(r["engagements"]) for r in records) >= 1  # the shape checks are not vacuous
    assert summary(result.stderr) == (len(IDS), str(out), 0)
    assert "rejected:" not in result.stderr


def test_extract_to_stdout(runner, inputs):
    result = runner.invoke(main, ["extract", str(inputs), "-o", "-"])
    assert result.exit_code == 0, result.output
    records = records_of(result.stdout)
    assert [r["id"] for r in records] == IDS
    for rec in records:
        check_record(rec)
    assert summary(result.stderr) == (len(IDS), "-", 0)


def test_extract_single_files_keep_their_ids(runner, inputs):
    result = runner.invoke(main, ["extract", str(inputs / "tallinn.txt"), str(inputs / "oslo.html"), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in records_of(result.stdout)] == ["tallinn", "oslo"]


def test_jobs_2_gives_the_same_records_in_the_same_order(runner, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    cities = ["Lisbon", "Tallinn", "Vilnius", "Riga", "Oslo"]
    with open(folder / "many.jsonl", "w", encoding="utf-8") as f:
        for i in range(150):  # more than two chunks of 64
            day = 1 + i % 28
            f.write(json.dumps({
                "id": f"doc-{i:03d}",
                "text": f"On May {day}, 2023, Foreign Minister Ana Lopes of Portugal met with Foreign "
                        f"Minister Karl Berg of Sweden in {cities[i % 5]}. They discussed item {i}.",
            }) + "\n")
    write_inputs(folder)
    one = runner.invoke(main, ["extract", str(folder), "-o", "-", "--jobs", "1"])
    two = runner.invoke(main, ["extract", str(folder), "-o", "-", "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0, (one.output, two.output)
    first, second = records_of(one.stdout), records_of(two.stdout)
    assert len(first) == 150 + len(IDS)
    assert first == second


# --- extract: bad input -------------------------------------------------------------


def write_bad_inputs(folder: Path) -> None:
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 16 + b"\x00\x01\x02" * 100)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "huge.txt").write_bytes(b"The ministers met again. " * 480_000)  # 12 MB
    lines = [
        json.dumps({"id": "m-1", "text": TEXTS["tallinn.txt"]}),
        '{"id": "m-2", "text": "an unterminated string',
        json.dumps({"id": "m-3", "text": TEXTS["lisbon.txt"]}),
    ]
    (folder / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # kept on purpose: a Windows-1252 file is decoded, broken HTML still gives text
    (folder / "vienna.txt").write_bytes(
        "On May 5, 2021, Foreign Minister Ana Lopes of Portugal met with Foreign Minister José Müller "
        "of Austria in Vienna. They discussed “energy” cooperation.\n".encode("cp1252")
    )
    (folder / "broken.html").write_text(
        "<html><body><div><p>On May 6, 2021, Foreign Minister Ana Lopes of Portugal met with Foreign "
        "Minister Karl Berg of Sweden in Stockholm.</div></div><p>They discussed fisheries.<p>They agr",
        encoding="utf-8",
    )


BAD = {  # file -> (line, reason fragment)
    "blob.txt": (None, "binary or undecodable"),
    "empty.txt": (None, "empty document"),
    "huge.txt": (None, "document too large"),
    "mixed.jsonl": (2, "not valid JSON"),
}


def rejections(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("rejected:")]


def check_bad_batch(stdout_records: list[dict], stderr: str, code: int, folder: Path) -> None:
    assert code == 1, stderr
    rejected = rejections(stderr)
    assert len(rejected) == len(BAD), stderr
    for name, (line, reason) in BAD.items():
        [msg] = [r for r in rejected if name in r]
        assert str(folder / name) in msg
        assert reason in msg
        if line is not None:
            assert f"{name}:{line}" in msg and f"line {line}" in msg
    ids = [r["id"] for r in stdout_records]
    assert ids == ["b-1", "7", "b 3/ä", "broken", "lisbon", "m-1", "m-3", "oslo", "tallinn", "vienna"]
    for rec in stdout_records:
        check_record(rec)
    vienna = json.dumps(next(r for r in stdout_records if r["id"] == "vienna"), ensure_ascii=False)
    assert "Müller" in vienna or "Vienna" in vienna or "Austria" in vienna  # decoded, not mojibake
    assert "\ufffd" not in vienna and "Ã" not in vienna
    assert summary(stderr)[::2] == (len(ids), len(BAD))
    assert "Traceback" not in stderr


def test_bad_input_is_rejected_and_the_rest_written(runner, inputs, tmp_path):
    write_bad_inputs(inputs)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["extract", str(inputs), "-o", str(out), "--max-size", "10"])
    check_bad_batch(records_of(out.read_text(encoding="utf-8")), result.stderr, result.exit_code, inputs)


def test_max_size_is_in_megabytes(runner, tmp_path):
    doc = tmp_path / "big.txt"
    doc.write_text(TEXTS["tallinn.txt"] * 150, encoding="utf-8")  # about 20 kB
    small = runner.invoke(main, ["extract", str(doc), "-o", "-", "--max-size", "0.01"])
    assert small.exit_code == 1
    assert "document too large" in small.stderr and str(doc) in small.stderr
    large = runner.invoke(main, ["extract", str(doc), "-o", "-", "--max-size", "0.1"])
    assert large.exit_code == 0, large.stderr
    assert [r["id"] for r in records_of(large.stdout)] == ["big"]


def test_missing_input_path(runner, inputs, tmp_path):
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(main, ["extract", str(missing), str(inputs / "lisbon.txt"), "-o", "-"])
    assert result.exit_code == 1
    [msg] = rejections(result.stderr)
    assert str(missing) in msg and "no such file or directory" in msg
    assert [r["id"] for r in records_of(result.stdout)] == ["lisbon"]
    assert summary(result.stderr)[::2] == (1, 1)


@pytest.mark.parametrize("where", ["missing-dir", "under-a-file"])
def test_unwritable_output(runner, inputs, tmp_path, where):
    if where == "missing-dir":
        out = tmp_path / "no" / "such" / "dir" / "out.jsonl"
    else:
        (tmp_path / "plain.txt").write_text("x", encoding="utf-8")
        out = tmp_path / "plain.txt" / "out.jsonl"
    result = runner.invoke(main, ["extract", str(inputs), "-o", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("readouts: error:") and str(out) in lines[0]
    assert not out.exists()


# --- eval ---------------------------------------------------------------------------


def test_eval_scores_extract_output(runner, inputs, tmp_path):
    pred = tmp_path / "pred.jsonl"
    assert runner.invoke(main, ["extract", str(inputs), "-o", str(pred)]).exit_code == 0
    report = runner.invoke(main, ["eval", str(pred), str(pred)])
    assert report.exit_code == 0, report.output
    assert "score: 1.000" in report.stdout
    as_json = runner.invoke(main, ["eval", "--json", str(pred), str(pred)])
    assert as_json.exit_code == 0
    figures = json.loads(as_json.stdout)
    assert figures["documents"] == len(IDS)
    assert figures["score"] == 1.0


def test_eval_against_a_gold_file_written_here(runner, inputs, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({
        "id": "tallinn", "is_readout": True,
        "engagements": [{
            "date": "2022-06-02", "mode": "meeting",
            "participants": [{"name": "Liis Tamm", "country": "EST", "title": "President"},
                             {"name": "Mikko Saari", "country": "FIN", "title": "Minister for Trade"}],
            "location": {"city": "Tallinn", "country": "EST"}, "occasion": None,
        }],
    }) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    runner.invoke(main, ["extract", str(inputs / "tallinn.txt"), "-o", str(pred)])
    result = runner.invoke(main, ["eval", "--json", str(gold), str(pred)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["documents"] == 1
    assert 0.0 <= figures["score"] <= 1.0


@pytest.mark.parametrize("problem", ["missing", "malformed"])
def test_eval_bad_files(runner, tmp_path, problem):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "a", "is_readout": False, "engagements": []}) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    if problem == "malformed":
        bad.write_text("this is not json\n", encoding="utf-8")
    result = runner.invoke(main, ["eval", str(bad), str(good)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "bad.jsonl" in result.stderr


# --- as a real subprocess -----------------------------------------------------------


def readouts_command() -> list[str]:
    script = Path(sys.executable).with_name("readouts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "readouts"]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*readouts_command(), *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env=env)


def test_subprocess_extract_and_eval(inputs, tmp_path):
    out = tmp_path / "out.jsonl"
    good = run_cli("extract", str(inputs), "-o", str(out), cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    records = records_of(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == IDS
    assert summary(good.stderr) == (len(IDS), str(out), 0)

    stdout = run_cli("extract", str(inputs), "-o", "-", "--jobs", "2", cwd=tmp_path)
    assert stdout.returncode == 0, stdout.stderr
    assert records_of(stdout.stdout) == records

    scored = run_cli("eval", "--json", str(out), str(out), cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["score"] == 1.0

    write_bad_inputs(inputs)
    bad = run_cli("extract", str(inputs), "-o", "-", "--max-size", "10", cwd=tmp_path)
    check_bad_batch(records_of(bad.stdout), bad.stderr, bad.returncode, inputs)

    unwritable = run_cli("extract", str(inputs), "-o", str(tmp_path / "nope" / "out.jsonl"), cwd=tmp_path)
    assert unwritable.returncode == 2
    assert "Traceback" not in unwritable.stderr + unwritable.stdout
    assert len(unwritable.stderr.strip().splitlines()) == 1
