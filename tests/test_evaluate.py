"""Tests of readouts.evaluate: rule tables, agreement with the reference scorer, the CLI."""
from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from readouts.cli import main
from readouts.evaluate import (
    FormatError,
    align,
    fold,
    format_report,
    load_records,
    name_tokens,
    names_match,
    score,
    token_f1,
)

SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
REFERENCE = SHARED_EVAL / "score.py"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def person(name, country, title=None, **extra):
    return {"name": name, "country": country, "title": title, **extra}


def engagement(participants, date="2021-05-04", mode="meeting", city=None, country=None, occasion=None):
    return {
        "date": date,
        "mode": mode,
        "participants": participants,
        "location": {"city": city, "country": country},
        "occasion": occasion,
    }


def doc(doc_id, *engagements, is_readout=None):
    return {
        "id": doc_id,
        "is_readout": bool(engagements) if is_readout is None else is_readout,
        "engagements": list(engagements),
    }


HOST = person("Wang Yi", "CHN", "Foreign Minister")
GUEST = person("Sergey Lavrov", "RUS", "Foreign Minister")

# --- normalisation --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, folded",
    [
        ("  Sergey   LAVROV ", "sergey lavrov"),
        ("Jean-Yves Le Drian", "jean yves le drian"),
        ("Mevlüt Çavuşoğlu", "mevlut cavusoglu"),
        ("Katarina Plātere", "katarina platere"),
        ("Сергей  Лавров", "сергеи лавров"),  # NFKD splits й into и + a combining breve, as the scorer does
        ("國務委員兼外長 王毅", "國務委員兼外長 王毅"),
        ("Хакан Фидан (Hakan Fidan)", "хакан фидан hakan fidan"),
        (None, ""),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    "a, b",
    [
        ("Sergei Lavrov", "Sergey Lavrov"),
        ("Sergej Lavrov", "Sergey Lavrov"),
        ("Dmitrii Medvedev", "Dmitriy Medvedev"),
        ("Wladimir Putin", "Vladimir Putin"),
        ("ANDREI Rudenko", "Andrey Rudenko"),
    ],
)
def test_transliteration_variants_share_tokens(a, b):
    assert name_tokens(a) == name_tokens(b)


def test_short_tokens_keep_their_ending():
    assert name_tokens("Li Lei") == ("li", "lei")  # "lei" is too short to be folded


@pytest.mark.parametrize(
    "a, b, f1",
    [
        ("Foreign Minister", "foreign minister", 1.0),
        ("State Councilor and Foreign Minister", "Foreign Minister", 2 / 3),
        ("Minister of Foreign Affairs", "Foreign Minister", 0.8),
        ("Vice Foreign Minister", "Foreign Affairs Adviser", 1 / 3),
        ("President", "Prime Minister", 0.0),
        (None, None, 1.0),
        (None, "Foreign Minister", 0.0),
        ("the", None, 1.0),  # stopwords only: empty
        ("國務委員兼外長", "外長", 2 * (2 / 7) / (2 / 7 + 1)),  # Chinese: character by character
        ("国务委员兼外长", "国务委员兼外长", 1.0),
        ("Министр иностранных дел", "министр иностранных дел", 1.0),
    ],
)
def test_token_f1(a, b, f1):
    assert token_f1(a, b) == pytest.approx(f1)


# --- participant matching -------------------------------------------------------------


@pytest.mark.parametrize(
    "gold, pred, expected",
    [
        # name variants
        (person("Sergey Lavrov", "RUS"), person("Sergei Lavrov", "RUS"), True),
        (person("Sergey Lavrov", "RUS"), person("sergei LAVROV", None), True),  # equal names: country not needed
        (person("Sergey Lavrov", "RUS"), person("Sergey Shoigu", "RUS"), False),
        # a name matches a longer form of itself only when the countries agree
        (person("Lavrov", "RUS"), person("Sergey Lavrov", "RUS"), True),
        (person("Sergey Viktorovich Lavrov", "RUS"), person("Sergey Lavrov", "RUS"), True),
        (person("Lavrov", "RUS"), person("Sergey Lavrov", None), False),
        (person("Lavrov", None), person("Sergey Lavrov", None), False),
        (person("Lavrov", "RUS"), person("Sergey Lavrov", "BLR"), False),
        # aliases of the gold name
        (person("Biden", "USA", aliases=["Joe Biden"]), person("Joe Biden", "GBR"), True),
        (person("Biden", "USA", aliases=["Joseph Biden"]), person("Joe Biden", "GBR"), False),
        # unnamed participants: by country, then (no country either side) by title
        (person(None, "SAU", "Foreign Minister"), person(None, "SAU", "Prime Minister"), True),
        (person(None, "SAU", "Foreign Minister"), person("Faisal bin Farhan", "SAU"), True),
        (person("Faisal bin Farhan", "SAU"), person(None, "SAU"), True),
        (person(None, "SAU", "Foreign Minister"), person(None, "ARE", "Foreign Minister"), False),
        (person(None, "SAU", "Foreign Minister"), person(None, None, "Foreign Minister"), False),
        (person(None, None, "Foreign Minister"), person(None, None, "Minister of Foreign Affairs"), True),
        (person(None, None, "Foreign Minister"), person(None, None, "President"), False),
    ],
)
def test_names_match(gold, pred, expected):
    assert names_match(gold, pred) is expected


def test_unnamed_gold_cannot_take_a_named_match():
    gold = [person(None, "RUS", "Deputy Foreign Minister"), person("Sergey Lavrov", "RUS")]
    pred = [person("Sergey Lavrov", "RUS"), person(None, "RUS", "Deputy Foreign Minister")]
    engs = align([engagement(gold)], [engagement(pred)])
    assert sorted(engs[0][2]) == [(0, 1), (1, 0)]


def test_alignment_prefers_more_participants_then_same_date():
    gold = [engagement([HOST, GUEST], date="2021-05-04"), engagement([HOST, GUEST], date="2021-05-05")]
    pred = [engagement([HOST, GUEST], date="2021-05-05"), engagement([HOST, GUEST], date="2021-05-04")]
    assert [(g, p) for g, p, _ in align(gold, pred)] == [(1, 0), (0, 1)]


# --- document scoring tables ----------------------------------------------------------

BASE = doc("d1", engagement([HOST, GUEST], city="Rio de Janeiro", country="BRA", occasion="BRICS Foreign Ministers Meeting"))


def variant(**changes):
    """BASE's record with its single engagement changed."""
    rec = copy.deepcopy(BASE)
    eng = rec["engagements"][0]
    for key, value in changes.items():
        if key in ("city", "country"):
            eng["location"][key] = value
        else:
            eng[key] = value
    return rec


def field(result, key):
    return result["fields"][key]["accuracy"]


CASES = [
    # (id, gold record, predicted record or None, expected figures)
    ("identical", BASE, BASE, {"readout_accuracy": 1.0, "eng_f1": 1.0, "date": 1.0, "occasion": 1.0, "score": 1.0}),
    (
        "name variant -ei/-ey",
        BASE,
        variant(participants=[HOST, person("Sergei Lavrov", "RUS", "Foreign Minister")]),
        {"eng_f1": 1.0, "par_f1": 1.0, "score": 1.0},
    ),
    (
        "date exact",
        BASE,
        variant(date="2021-05"),
        {"eng_f1": 1.0, "date": 0.0, "mode": 1.0, "score": 8 / 9},
    ),
    (
        "occasion null vs null",
        variant(occasion=None),
        variant(occasion=None),
        {"occasion": 1.0, "score": 1.0},
    ),
    (
        "occasion null vs named",
        variant(occasion=None),
        BASE,
        {"occasion": 0.0, "eng_f1": 1.0},
    ),
    (
        "occasion token F1",
        BASE,
        variant(occasion="Meeting of BRICS Ministers of Foreign Affairs"),
        {"occasion": 1.0},  # tokens brics, foreign, meeting shared: F1 0.6
    ),
    (
        "city folded",
        BASE,
        variant(city="rio de janeiro"),
        {"loc_city": 1.0, "loc_country": 1.0},
    ),
    (
        "extra participant breaks the engagement",
        BASE,
        variant(participants=[HOST, GUEST, person("Mauro Vieira", "BRA", "Foreign Minister")]),
        {"eng_p": 0.0, "eng_r": 0.0, "eng_f1": 0.0, "par_p": 2 / 3, "par_r": 1.0, "date": 1.0},
    ),
    (
        "missing participant breaks the engagement",
        BASE,
        variant(participants=[HOST]),
        {"eng_f1": 0.0, "par_p": 1.0, "par_r": 0.5},
    ),
    (
        "wrong title and country",
        BASE,
        variant(participants=[HOST, person("Sergey Lavrov", "BLR", "President")]),
        {"eng_f1": 1.0, "country": 0.5, "title": 0.5},
    ),
    (
        "missing prediction counts as not a readout",
        BASE,
        None,
        {"readout_accuracy": 0.0, "eng_p": 0.0, "eng_r": 0.0, "eng_f1": 0.0, "date": None, "score": 0.0},
    ),
    (
        "non-readout right",
        doc("d1", is_readout=False),
        None,
        {"readout_accuracy": 1.0, "eng_p": 1.0, "eng_r": 1.0, "eng_f1": 1.0, "date": None, "score": 1.0},
    ),
    (
        "spurious engagement in a non-readout",
        doc("d1", is_readout=False),
        BASE,
        {"readout_accuracy": 0.0, "eng_p": 0.0, "eng_r": 1.0, "eng_f1": 0.0, "score": 0.0},
    ),
]

FIGURES = {
    "readout_accuracy": lambda r: r["readout_accuracy"],
    "eng_p": lambda r: r["engagement"]["precision"],
    "eng_r": lambda r: r["engagement"]["recall"],
    "eng_f1": lambda r: r["engagement"]["f1"],
    "par_p": lambda r: r["participant"]["precision"],
    "par_r": lambda r: r["participant"]["recall"],
    "par_f1": lambda r: r["participant"]["f1"],
    "score": lambda r: r["score"],
}


@pytest.mark.parametrize("gold, pred, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_score_table(gold, pred, expected):
    result = score({gold["id"]: gold}, {} if pred is None else {pred["id"]: pred})
    for key, want in expected.items():
        got = FIGURES[key](result) if key in FIGURES else field(result, key)
        assert got == (None if want is None else pytest.approx(want)), key


def test_multi_engagement_document():
    third = person(None, "FRA", "Foreign Minister")
    gold = doc("m", engagement([HOST, GUEST]), engagement([HOST, person("David Lammy", "GBR")]), engagement([HOST, third]))
    pred = doc("m", engagement([HOST, person("Sergei Lavrov", "RUS", "FM")]), engagement([HOST, person(None, "FRA", None)]))
    errors: list = []
    result = score({"m": gold}, {"m": pred}, errors)
    assert result["engagement"] == {"precision": 1.0, "recall": 2 / 3, "f1": pytest.approx(0.8), "gold": 3, "predicted": 2}
    assert result["participant"]["gold"] == 6 and result["participant"]["predicted"] == 4
    assert field(result, "title") == 0.5  # "FM" and a missing title are both wrong
    assert {"id": "m", "field": "engagements", "gold": 3, "pred": 2} in errors


def test_result_shape_and_report():
    result = score({"d1": BASE}, {"d1": variant(date=None)})
    assert list(result) == ["documents", "readout_accuracy", "engagement", "participant", "fields", "score"]
    assert list(result["fields"]) == ["date", "mode", "country", "title", "loc_country", "loc_city", "occasion"]
    lines = format_report(result).splitlines()
    assert lines[0] == "documents           1"
    assert lines[1] == "readout accuracy    1.000"
    assert lines[2] == "engagement          P 1.000  R 1.000  F1 1.000  (gold 1, predicted 1)"
    assert lines[4] == "date                0.000  (n=1)"
    assert lines[-1] == "score: 0.889"
    empty = format_report(score({"x": doc("x", is_readout=False)}, {}))
    assert "date                n/a  (n=0)" in empty.splitlines()


# --- loading --------------------------------------------------------------------------


def test_load_records(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": 7, "is_readout": false}\n\n{"id": "b", "engagements": []}\n', encoding="utf-8")
    assert set(load_records(path)) == {"7", "b"}


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"id": "a"}\n{"id": \n', "r.jsonl:2: not JSON: "),
        ('{"is_readout": true}\n', "r.jsonl:1: record has no id"),
        ("[1, 2]\n", "r.jsonl:1: not a JSON object"),
    ],
)
def test_load_records_errors(tmp_path, content, message):
    path = tmp_path / "r.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        load_records(path)
    assert str(info.value).startswith(f"{path}:") and message in str(info.value)


# --- agreement with the reference scorer ----------------------------------------------

SEED_GOLD = [
    BASE,
    doc(
        "multi",
        engagement([HOST, GUEST], date="2023-09-20", city="New York", country="USA", occasion="UN General Assembly"),
        engagement([HOST, person(None, "SAU", "Foreign Minister")], date="2023-09-20", city="New York", country="USA"),
        engagement([HOST, person("Annalena Baerbock", "DEU", "Foreign Minister")], date="2023-09-21"),
    ),
    doc("call", engagement([person("Xi Jinping", "CHN", "President"), person("Biden", "USA", "President", aliases=["Joe Biden"])],
                           date="2022-03-18", mode="video_call")),
    doc("trilateral", engagement([HOST, GUEST, person("Hakan Fidan", "TUR", "Foreign Minister")], mode="talks", date=None)),
    doc("presser", is_readout=False),
]


def _gold_pool() -> list[dict]:
    pool = [copy.deepcopy(r) for r in SEED_GOLD]
    for extra in (EXAMPLES.parent / "tests" / "golden" / "examples.gold.jsonl", SHARED_EVAL / "dev.gold.jsonl",
                  SHARED_EVAL / "dev2.zh.gold.jsonl", SHARED_EVAL / "dev2.ru.gold.jsonl"):
        if extra.exists():
            pool.extend(load_records(extra).values())
    return pool


NEW_NAMES = ["Sergei Lavrov", "Lavrov", "LAVROV Sergey", "Antony Blinken", None, "Wang", "Jean-Noël Barrot",
             "王毅", "拉夫羅夫", "Сергей Лавров", "Лавров", "Ёлкин Сергей"]


def _perturb_participant(rng: random.Random, p: dict) -> None:
    what = rng.choice(["name", "name", "country", "title", "drop_name"])
    if what == "name":
        p["name"] = rng.choice(NEW_NAMES) if rng.random() < 0.5 or not p.get("name") else p["name"].split()[-1]
    elif what == "country":
        p["country"] = rng.choice(["CHN", "RUS", "USA", None, "EU"])
    elif what == "title":
        p["title"] = rng.choice(["Foreign Minister", "President", None, "Minister of Foreign Affairs", "國務委員兼外長",
                                 "外长", "Министр иностранных дел"])
    else:
        p["name"] = None


def _perturb_engagement(rng: random.Random, eng: dict) -> None:
    what = rng.choice(["date", "mode", "rename", "add", "drop_participant", "location", "occasion"])
    parts = eng.setdefault("participants", [])
    if what == "date":
        eng["date"] = rng.choice([None, "2021-05-05", "2021-05", (eng.get("date") or "2020")[:4]])
    elif what == "mode":
        eng["mode"] = rng.choice(["meeting", "talks", "phone_call", "video_call", "message"])
    elif what == "rename" and parts:
        _perturb_participant(rng, rng.choice(parts))
    elif what == "add":
        parts.append(person(rng.choice(["Mauro Vieira", None]), rng.choice(["BRA", None]), "Foreign Minister"))
    elif what == "drop_participant" and parts:
        parts.pop(rng.randrange(len(parts)))
    elif what == "location":
        eng["location"] = {"city": rng.choice([None, "Beijing", "beijing"]), "country": rng.choice([None, "CHN"])}
    else:
        eng["occasion"] = rng.choice([None, "G20 Summit", (eng.get("occasion") or "") + " meeting"])


def perturb(rng: random.Random, gold: dict) -> dict | None:
    """A plausible prediction for ``gold``: a few random mistakes, or None (document missed)."""
    if rng.random() < 0.05:
        return None
    pred = copy.deepcopy(gold)
    for p in (p for e in pred.get("engagements") or [] for p in e.get("participants") or []):
        p.pop("aliases", None)
    engs = pred.setdefault("engagements", [])
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        action = rng.random()
        if action < 0.15 and engs:
            engs.pop(rng.randrange(len(engs)))
        elif action < 0.25:
            engs.append(engagement([HOST, person("Mauro Vieira", "BRA")], mode=rng.choice(["meeting", "phone_call"])))
        elif action < 0.3:
            pred["is_readout"] = not pred.get("is_readout")
        elif engs:
            _perturb_engagement(rng, rng.choice(engs))
    if rng.random() < 0.3:
        rng.shuffle(engs)
    return pred


def _write(path: Path, records) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _reference(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REFERENCE), *map(str, args)], capture_output=True, text=True, encoding="utf-8", check=True
    )


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference scorer eval/score.py not present")
@pytest.mark.parametrize("seed", range(8))
def test_agrees_with_reference_scorer(tmp_path, seed):
    rng = random.Random(seed)
    pool = _gold_pool()
    gold_recs = [copy.deepcopy(r) for r in rng.sample(pool, min(len(pool), rng.randint(3, 25)))]
    for n, rec in enumerate(gold_recs):
        rec["id"] = f"{rec['id']}-{n}"
    preds = [p for p in (perturb(rng, g) for g in gold_recs) if p is not None]
    if rng.random() < 0.3:
        preds.append(doc("not-in-gold", engagement([HOST, GUEST])))
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    _write(gold_path, gold_recs)
    _write(pred_path, preds)

    errors: list = []
    result = score(load_records(gold_path), load_records(pred_path), errors)
    text = _reference(gold_path, pred_path, "--errors", 10_000)
    assert text.stdout.splitlines() == format_report(result).splitlines()
    assert [json.loads(line) for line in text.stderr.splitlines()] == errors
    as_json = _reference(gold_path, pred_path, "--json")
    assert json.loads(as_json.stdout) == result


# --- the CLI --------------------------------------------------------------------------


def test_cli_eval_prints_the_report(tmp_path):
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    _write(gold_path, SEED_GOLD)
    rng = random.Random(42)
    _write(pred_path, [p for p in (perturb(rng, g) for g in SEED_GOLD) if p is not None])
    expected = format_report(score(load_records(gold_path), load_records(pred_path)))

    result = CliRunner().invoke(main, ["eval", str(gold_path), str(pred_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == expected.splitlines()
    if REFERENCE.exists():
        assert result.stdout.splitlines() == _reference(gold_path, pred_path).stdout.splitlines()

    as_json = CliRunner().invoke(main, ["eval", "--json", str(gold_path), str(pred_path)])
    assert json.loads(as_json.stdout) == score(load_records(gold_path), load_records(pred_path))


def test_cli_eval_lists_disagreements(tmp_path):
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    _write(gold_path, [BASE])
    _write(pred_path, [variant(date="1999-01-01")])
    result = CliRunner().invoke(main, ["eval", "--errors", "5", str(gold_path), str(pred_path)])
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.stderr.splitlines()] == [
        {"id": "d1", "field": "date", "gold": "2021-05-04", "pred": "1999-01-01"}
    ]


@pytest.mark.parametrize("content", ['{"id": "a"}\nnot json\n', '{"is_readout": false}\n'])
def test_cli_eval_malformed_file(tmp_path, content):
    good, bad = tmp_path / "gold.jsonl", tmp_path / "bad.jsonl"
    _write(good, [BASE])
    bad.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(good), str(bad)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"readouts: error: {bad}:")


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ":1: not UTF-8 text (a binary file?)"),
    ('{"id": "a", "is_readout": false}\n{"id": "caf\xe9"}\n'.encode("cp1252"), ":2: not UTF-8 text (a binary file?)"),
    (b'{"id": "a"}\n' + b"\xff\xfe{\x00", ":2: not JSON text (a binary file?)"),
])
def test_cli_eval_binary_or_non_utf8_file_is_a_one_line_error(tmp_path, content, message):
    good, bad = tmp_path / "gold.jsonl", tmp_path / "bad.jsonl"
    _write(good, [BASE])
    bad.write_bytes(content)
    for args in ([good, bad], [bad, good]):
        result = CliRunner().invoke(main, ["eval", *map(str, args)])
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [f"readouts: error: {bad}{message}"]


def test_cli_eval_warns_when_predictions_miss_gold_ids(tmp_path):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    _write(gold, [doc("d1"), doc("d2"), doc("d3")])
    _write(pred, [doc("d1"), doc("x9")])
    result = CliRunner().invoke(main, ["eval", str(gold), str(pred)])
    assert result.exit_code == 0
    assert f"warning: {pred} has records for 1 of the 3 ids in {gold}" in result.stderr
    assert f"warning: 1 id of {pred} is not in {gold} and not scored" in result.stderr
    complete = CliRunner().invoke(main, ["eval", str(gold), str(gold)])
    assert complete.stderr == ""
