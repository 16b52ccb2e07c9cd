"""One actor across scripts: 王毅 = Wang Yi = Ван И, through the names file and transliteration."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from readouts.actors import ActorRegistry
from readouts.cli import main
from readouts.lang import data as langdata
from readouts.lang.translit import chinese_to_latin, cyrillic_to_latin, latin

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "000_383b651f30302be0.txt"  # Wang Yi meets Sergey Lavrov, 26 July 2019
HERE = Path(__file__).resolve().parent / "data" / "lang"


@pytest.mark.parametrize(
    "name,expected",
    [
        ("王毅", "Wang Yi"),  # known official: the English name of officials.tsv
        ("習近平", "Xi Jinping"),  # traditional characters
        ("Ван И", "Wang Yi"),
        ("拉夫罗夫", "Sergey Lavrov"),
        ("赵明", "Zhao Ming"),  # unknown: pinyin, family name first
        ("Лавров", "Lavrov"),  # unknown form: BGN/PCGN
        ("Евгений Примаков", "Yevgeniy Primakov"),
        ("Wang Yi", "Wang Yi"),
    ],
)
def test_latin(name: str, expected: str) -> None:
    assert latin(name) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("Щукин", "Shchukin"), ("Юрий Ёлкин", "Yuriy Yolkin"), ("Майя", "Mayya"), ("Объём", "Obyom")],
)
def test_bgn_pcgn(text: str, expected: str) -> None:
    assert cyrillic_to_latin(text) == expected


def test_pinyin_of_a_foreign_name_keeps_its_parts() -> None:
    assert len(chinese_to_latin("维利亚姆·卡托尼韦雷").split()) == 2


def test_names_file_keys_are_known_officials() -> None:
    from readouts import gazetteer

    officials = {o.name for o in gazetteer.load().officials.values()}
    d = langdata.load()
    assert {"Wang Yi", "Sergey Lavrov", "Xi Jinping", "Vladimir Putin"} <= set(d.english)
    # every English name that is also in officials.tsv has that state there
    for english, forms in d.english.items():
        if english in officials:
            off = next(o for o in gazetteer.load().officials.values() if o.name == english)
            assert {f.country for f in forms} <= {off.country, *(p.country for p in off.posts)}, english


def test_registry_joins_three_scripts() -> None:
    from readouts.records import Engagement, Participant, Readout

    def readout(doc: str, a: str, b: str) -> Readout:
        return Readout(doc, True, (Engagement("2019-07-26", "meeting", (
            Participant(a, "CHN", None), Participant(b, "RUS", None))),))

    reg = ActorRegistry()
    reg.add_readouts([readout("en", "Wang Yi", "Sergey Lavrov"), readout("zh", "王毅", "拉夫罗夫"),
                      readout("ru", "Ван И", "Сергей Лавров")])
    people = [a for a in reg.actors() if a.kind == "person"]
    assert len(people) == 2, [(a.name, a.aliases) for a in people]
    wang = reg.resolve("王毅", "CHN")
    assert wang is not None and wang == reg.resolve("Ван И", "CHN") == reg.resolve("Wang Yi", "CHN")
    assert reg.resolve("Лавров", "RUS") == reg.resolve("Sergey Lavrov", "RUS")


def test_ingest_english_chinese_russian_reports_of_one_meeting(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in (SEED, HERE / "wang_lavrov_zh.txt", HERE / "wang_lavrov_ru.txt"):
        shutil.copy(f, corpus / f.name)
    db = tmp_path / "r.db"
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", str(corpus), "--db", str(db)])
    assert res.exit_code == 0, res.output

    res = runner.invoke(main, ["actors", "--db", str(db), "--format", "json"])
    assert res.exit_code == 0, res.output
    people = [a for a in json.loads(res.output) if a["kind"] == "person"]
    names = sorted(a["name"] for a in people)
    assert names.count("Wang Yi") == 1 and names.count("Sergey Lavrov") == 1, names
    wang = next(a for a in people if a["name"] == "Wang Yi")
    assert {"王毅", "Ван И"} <= set(wang["aliases"]), wang["aliases"]
    assert not any(a["name"] in ("王毅", "Ван И", "拉夫罗夫", "Сергей Лавров") for a in people)

    res = runner.invoke(main, ["query", "--db", str(db), "--format", "json", "--country", "CHN", "--country", "RUS"])
    assert res.exit_code == 0, res.output
    (event,) = [r for r in json.loads(res.output) if (r.get("date") or "").startswith("2019-07")]  # one event ...
    assert len(event["reports"]) == 3 and len(event["sources"]) == 3  # ... of three reports
    res = runner.invoke(main, ["query", "--db", str(db), "--format", "json", "--country", "CHN", "--country", "RUS",
                               "--reports"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    july = [r for r in rows if (r.get("date") or "").startswith("2019-07")]
    assert len(july) == 3  # one engagement per document ...
    assert len({r["event_id"] for r in july}) == 1  # ... and one event
    assert all(sorted(r["documents"]) == ["000_383b651f30302be0", "wang_lavrov_ru", "wang_lavrov_zh"] for r in july)
