"""The actor registry: name variants, posts, states and organisations, overrides."""
from pathlib import Path

import pytest

from readouts.actors import (
    Actor,
    ActorRegistry,
    OverridesError,
    Post,
    load_overrides,
    name_key,
    normalise_post,
    parse_overrides,
    strip_honorifics,
)
from readouts.records import Engagement, Participant, RawDocument, Readout, ThirdParty

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def readout(doc, *people, date="2021-05-04", published=None, mentions=()):
    """A readout with one meeting between ``people`` (name, country, title) tuples."""
    parts = tuple(Participant(n, c, t, side="subject" if i == 0 else "object") for i, (n, c, t) in enumerate(people))
    return Readout(doc, True, (Engagement(date, "meeting", parts),), mentions=tuple(mentions), published=published)


def registry(*pairs, overrides=None):
    """Each pair of (name, country) meets a fixed invented counterpart in its own document."""
    reg = ActorRegistry(overrides=overrides)
    for i, (name, country) in enumerate(pairs):
        reg.add_readout(readout(f"d{i}", (name, country, None), ("Tomas Verhaar", "NLD", "Foreign Minister")))
    return reg


def people(reg):
    return [a for a in reg.actors() if a.kind == "person" and a.name != "Tomas Verhaar"]


MERGE = [
    ("Sergey Lavrov", "RUS", "Sergei Lavrov", "RUS"),
    ("Sergej Lavrov", "RUS", "Sergey Lavrov", None),
    ("John F. Kerry", "USA", "John Kerry", "USA"),
    ("HAN Jing", "CHN", "Han Jing", "CHN"),
    ("Mr. Koichi Tanaka", "JPN", "Koichi Tanaka", "JPN"),
    ("H.E. Dr. Koichi Tanaka", "JPN", "Koichi Tanaka", "JPN"),
    ("Jinping Xi", "CHN", "Xi Jinping", "CHN"),
    ("Tanaka Koichi", "JPN", "Koichi Tanaka", "JPN"),
    ("Dmitriy Volkenko", "RUS", "Dmitry Volkenko", "RUS"),
    ("Yury Sorokov", "RUS", "Yuri Sorokov", "RUS"),
    ("Wladimir Petrash", "UKR", "Vladimir Petrash", "UKR"),
    ("Aleksandr Orlenko", "RUS", "Alexander Orlenko", "RUS"),
    ("Alexei Borodin", "RUS", "Aleksey Borodin", "RUS"),
    ("Michael R. Pompeo", "USA", "Mike Pompeo", "USA"),  # via officials.tsv aliases only
    ("Mária Szabó", "HUN", "Szabo Maria", "HUN"),
    ("Rt. Hon. Helen Carwick", "NZL", "Helen Carwick", "NZL"),
]


@pytest.mark.parametrize("a,ca,b,cb", MERGE)
def test_variants_merge(a, ca, b, cb):
    reg = registry((a, ca), (b, cb))
    found = people(reg)
    assert len(found) == 1, [p.name for p in found]
    assert reg.resolve(a, ca) == reg.resolve(b, cb) == found[0].id


APART = [
    ("Ana Lopes", "PRT", "Rui Lopes", "BRA"),
    ("Ana Lopes", "PRT", "Ana Lopes", "BRA"),  # same name, two states: two people
    ("Wang Yi", "CHN", "Wang Yu", "CHN"),
    ("Lopes Ana", "PRT", "Ana Lopes", "PRT"),  # reversed order merges only for CJK/Hungarian names
    ("Koichi Tanaka", "JPN", "Kenji Tanaka", "JPN"),
    ("Li Ming", "CHN", "Li Mingyu", "CHN"),
    ("Jinping Xi", "USA", "Xi Jinping", "CHN"),
]


@pytest.mark.parametrize("a,ca,b,cb", APART)
def test_variants_stay_apart(a, ca, b, cb):
    reg = registry((a, ca), (b, cb))
    found = people(reg)
    assert len(found) == 2, [p.name for p in found]
    assert reg.resolve(a, ca) != reg.resolve(b, cb)


def test_known_official_takes_gazetteer_name_and_aliases():
    reg = registry(("Sergei Lavrov", "RUS"))
    (lavrov,) = people(reg)
    assert lavrov.id == "p:sergey-lavrov:RUS"
    assert lavrov.name == "Sergey Lavrov" and "Sergei Lavrov" in lavrov.aliases
    assert reg.resolve("Sergej Lavrov") == lavrov.id


def test_unknown_person_id_and_display_name():
    reg = registry(("HAN Jing", "CHN"), ("Han Jing", "CHN"), ("Han Jing", "CHN"))
    (han,) = people(reg)
    assert han.id == "p:han-jing:CHN" and han.name == "Han Jing" and han.documents == 3


def test_surname_only_resolves_to_unique_compatible_person():
    reg = registry(("Sergey Lavrov", "RUS"), ("Koichi Tanaka", "JPN"))
    assert reg.resolve("Lavrov", "RUS") == "p:sergey-lavrov:RUS"
    assert reg.resolve("Mr. Tanaka", "JPN") == reg.resolve("Koichi Tanaka", "JPN")
    assert reg.resolve("Lavrov", "CHN") is None


def test_surname_only_from_known_officials_needs_context():
    reg = ActorRegistry()
    reg.add_readout(readout("d1", ("Lavrov", "RUS", "Foreign Minister"), ("Tomas Verhaar", "NLD", "Foreign Minister")))
    assert reg.resolve("Lavrov", "RUS", when="2021-05-04") == "p:sergey-lavrov:RUS"
    assert [a.name for a in people(reg)] == ["Sergey Lavrov"]


def test_ambiguous_surname_stays_unresolved():
    reg = registry(("Ana Lopes", "PRT"), ("Rui Lopes", "BRA"), ("Joana Lopes", "PRT"))
    assert reg.resolve("Lopes") is None
    assert reg.resolve("Lopes", "PRT") is None
    assert reg.resolve("Lopes", "BRA") == "p:rui-lopes:BRA"
    # a surname-only participant that does not resolve becomes no actor
    reg.add_readout(readout("d9", ("Lopes", "PRT", None), ("Tomas Verhaar", "NLD", None)))
    assert len(people(reg)) == 3


def test_surname_with_post_picks_the_known_official():
    reg = ActorRegistry()
    reg.add_readout(readout("d1", ("Wang Yi", "CHN", "Foreign Minister"), ("Wang Yu", "CHN", "Vice Governor")))
    assert reg.resolve("Wang", "CHN", "Foreign Minister") == "p:wang-yi:CHN"
    assert reg.resolve("Wang", "CHN") is None


def test_honorifics_and_posts_normalised():
    assert strip_honorifics("H.E. Mr. Koichi Tanaka") == "Koichi Tanaka"
    assert strip_honorifics("He Lifeng") == "He Lifeng"
    assert strip_honorifics("Dato' Seri Aminah Rahim") == "Aminah Rahim"
    assert name_key("Sergey V. Lavrov") == name_key("Sergei Lavrov")
    assert normalise_post("former Foreign Minister") == "Foreign Minister"
    assert normalise_post("newly appointed Ambassador to Chile") == "Ambassador to Chile"
    assert normalise_post("then Minister of Trade") == "Minister of Trade"


def test_post_history_dates():
    reg = ActorRegistry()
    for doc, date, title in [
        ("a", "2017-03-01", "Ambassador to Chile"),
        ("b", "2018-11-20", "newly appointed Ambassador to Chile"),
        ("c", "2020-02-02", "Vice Foreign Minister"),
        ("d", "2021-06-30", "Vice Foreign Minister"),
    ]:
        reg.add_readout(readout(doc, ("Li Ming", "CHN", title), ("Tomas Verhaar", "NLD", None), date=date))
    (li,) = people(reg)
    assert li.posts == (
        Post("Ambassador to Chile", "2017-03-01", "2018-11-20"),
        Post("Vice Foreign Minister", "2020-02-02", "2021-06-30"),
    )


def test_date_falls_back_to_published_and_mentions_count():
    reg = ActorRegistry()
    r = Readout("x", True, (Engagement(None, "phone_call", (Participant("Koichi Tanaka", "JPN", "Foreign Minister"),)),),
                mentions=(ThirdParty("person", "Helen Carwick", "NZL", "Prime Minister"),), published="2022-01-10")
    reg.add_readout(r)
    tanaka = reg.actor(reg.resolve("Koichi Tanaka", "JPN"))
    carwick = reg.actor(reg.resolve("Helen Carwick", "NZL"))
    assert tanaka.posts == (Post("Foreign Minister", "2022-01-10", "2022-01-10"),)
    assert carwick.posts[0].title == "Prime Minister" and carwick.documents == 1


def test_states_and_organisations_are_actors():
    reg = ActorRegistry()
    reg.add_readout(readout("d1", ("Koichi Tanaka", "JPN", None), (None, "UN", "Secretary-General"),
                            mentions=[ThirdParty("organisation", "BRICS")]))
    ids = {a.id: a for a in reg.actors()}
    assert ids["s:JPN"].kind == "state" and ids["s:JPN"].name == "Japan" and "Japanese" in ids["s:JPN"].aliases
    assert ids["o:UN"].kind == "organisation" and "United Nations" in ids["o:UN"].aliases
    assert "o:BRICS" in ids
    assert reg.resolve("Japan") == "s:JPN"
    assert reg.actor_id_for(Participant(None, "UN", "Secretary-General")) == "o:UN"
    assert reg.actor_id_for(Participant("Koichi Tanaka", "JPN", None)) == reg.resolve("Koichi Tanaka")
    assert all(isinstance(a, Actor) and a.as_dict()["id"] == a.id for a in reg.actors())


def test_ids_do_not_depend_on_order():
    rs = [readout(f"d{i}", (n, c, None), ("Tomas Verhaar", "NLD", None)) for i, (n, c) in
          enumerate([("Sergei Lavrov", "RUS"), ("Han Jing", "CHN"), ("HAN Jing", "CHN"), ("Lavrov", "RUS")])]
    a, b = ActorRegistry(), ActorRegistry()
    for r in rs:
        a.add_readout(r)
    for r in reversed(rs):
        b.add_readout(r)
    assert [x.as_dict() for x in a.actors()] == [x.as_dict() for x in b.actors()]


# --------------------------------------------------------------------------- seed readouts


def test_seed_readouts_give_one_lavrov_and_wang_yi_posts():
    from readouts.pipeline import process

    reg = ActorRegistry()
    for name in ("000_383b651f30302be0.txt", "003_ef72b336fcca68b9.txt"):
        path = EXAMPLES / name
        result = process(RawDocument(id=path.stem, source=str(path), text=path.read_text(encoding="utf-8")))
        reg.add_readout(result.readout)
    lavrovs = [a for a in reg.actors() if "lavrov" in a.name.lower()]
    assert len(lavrovs) == 1
    assert lavrovs[0].name == "Sergey Lavrov" and "Sergei Lavrov" in lavrovs[0].aliases
    assert lavrovs[0].documents == 2
    (wang,) = [a for a in reg.actors() if a.name == "Wang Yi"]
    post = next(p for p in wang.posts if p.title == "State Councilor and Foreign Minister")
    assert post.first_seen.startswith("2018") and post.last_seen.startswith("2019")


# --------------------------------------------------------------------------- overrides


def write(tmp_path, text, name="overrides.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_merge_split_rename_survive_rebuild(tmp_path):
    path = write(tmp_path, """
[[merge]]
ids = ["p:koichi-tanaka:JPN", "p:k-tanaka-jr:JPN"]

[[split]]
id = "p:daniel-ortmann:USA"
parts = [{ name = "Daniel J. Ortmann", aliases = ["Dan J. Ortmann"] }]

[[rename]]
id = "p:han-jing:CHN"
name = "HAN Jing"

[[alias]]
id = "s:CHN"
aliases = ["Middle Kingdom"]
""")
    ov = load_overrides(path)
    reg = ActorRegistry(overrides=ov)
    reg.add_readout(readout("a", ("Koichi Tanaka", "JPN", None), ("K. Tanaka Jr", "JPN", None)))
    reg.add_readout(readout("b", ("Daniel Ortmann", "USA", "Ambassador"), ("Daniel J. Ortmann", "USA", None)))
    reg.add_readout(readout("c", ("Han Jing", "CHN", None), ("Tomas Verhaar", "NLD", None)))

    def check():
        ids = {a.id: a for a in reg.actors()}
        assert "p:k-tanaka-jr:JPN" not in ids
        assert "K. Tanaka Jr" in ids["p:koichi-tanaka:JPN"].aliases
        assert reg.resolve("K. Tanaka Jr", "JPN") == "p:koichi-tanaka:JPN"
        assert ids["p:daniel-j-ortmann:USA"].name == "Daniel J. Ortmann"
        assert ids["p:daniel-ortmann:USA"].posts == (Post("Ambassador", "2021-05-04", "2021-05-04"),)
        assert reg.resolve("Daniel J. Ortmann", "USA") == "p:daniel-j-ortmann:USA"
        assert reg.resolve("Daniel Ortmann", "USA") == "p:daniel-ortmann:USA"
        assert ids["p:han-jing:CHN"].name == "HAN Jing"
        assert "Middle Kingdom" in ids["s:CHN"].aliases
        return ids

    check()
    # more documents, rebuilt: the overrides still hold
    reg.add_readout(readout("d", ("Mr. K. Tanaka Jr", "JPN", "Minister"), ("Han Jing", "CHN", None), date="2022-01-01"))
    reg.add_readout(readout("e", ("Daniel Ortmann", "USA", None), ("Mr. Daniel J. Ortmann", "USA", None), date="2022-02-02"))
    ids = check()
    assert ids["p:koichi-tanaka:JPN"].documents == 2
    assert ids["p:daniel-j-ortmann:USA"].documents == 2


def test_override_merge_by_names_and_split_by_country(tmp_path):
    ov = parse_overrides({
        "merge": [{"names": ["Ana Lopes", "Ana Maria Lopes"], "into": "p:ana-lopes:PRT", "name": "Ana Maria Lopes"}],
        "split": [{"id": "p:sergey-lavrov:RUS", "by": "country"}],
    })
    reg = ActorRegistry(overrides=ov)
    reg.add_readout(readout("a", ("Ana Lopes", "PRT", None), ("Ana Maria Lopes", "PRT", None)))
    reg.add_readout(readout("b", ("Sergey Lavrov", "RUS", None), ("Sergey Lavrov", None, None)))
    ids = {a.id: a for a in reg.actors()}
    assert ids["p:ana-lopes:PRT"].name == "Ana Maria Lopes"
    assert "p:ana-maria-lopes:PRT" not in ids
    assert "p:sergey-lavrov:RUS" in ids
    assert reg.warnings == []


def test_override_for_missing_actor_is_a_warning_not_an_error():
    reg = ActorRegistry(overrides=parse_overrides({"rename": [{"id": "p:nobody:XXX", "name": "Nobody"}]}, "o.toml"))
    reg.add_readout(readout("a", ("Koichi Tanaka", "JPN", None)))
    reg.actors()
    assert reg.warnings and "o.toml" in reg.warnings[0] and "p:nobody:XXX" in reg.warnings[0]


@pytest.mark.parametrize("text,message", [
    ("[[merge]\nids = [", "not valid TOML"),
    ("[[merge]]\nids = ['p:a:CHN']\n", r"\[\[merge\]\] #1: needs at least two"),
    ("[[merge]]\nids = 'p:a:CHN'\nnames = 3\n", r"\[\[merge\]\] #1: names must be"),
    ("[[split]]\nid = 'p:a:CHN'\nby = 'post'\n", r"\[\[split\]\] #1: 'by' must be"),
    ("[[split]]\nid = 'p:a:CHN'\n", r"\[\[split\]\] #1: give either"),
    ("[[rename]]\nid = 'p:a:CHN'\n", r"\[\[rename\]\] #1: missing 'name'"),
    ("[[rename]]\nid = 'p:a:CHN'\nname = 'A'\n[[rename]]\nid = 'p:b:CHN'\nnam = 'B'\n", r"\[\[rename\]\] #2: unknown key"),
    ("[[alias]]\nid = 'p:a:CHN'\n", r"\[\[alias\]\] #1: missing 'aliases'"),
    ("[[merges]]\nids = []\n", r"unknown section \[\[merges\]\]"),
    ("merge = 1\n", "merge must be written as"),
])
def test_malformed_overrides_name_file_and_entry(tmp_path, text, message):
    path = write(tmp_path, text, "bad.toml")
    with pytest.raises(OverridesError, match=message) as err:
        load_overrides(path)
    assert "bad.toml" in str(err.value)


def test_missing_overrides_file(tmp_path):
    with pytest.raises(OverridesError, match="cannot read"):
        load_overrides(tmp_path / "none.toml")


def test_example_overrides_file_loads():
    from importlib import resources

    text = resources.files("readouts.data").joinpath("overrides.example.toml").read_text(encoding="utf-8")
    lines, on = [], False
    for line in text.splitlines():  # uncomment the example entries: "# [[...]]" up to a bare "#"
        on = line.startswith("# [[") or (on and line.startswith("# "))
        if on:
            lines.append(line[2:])
    uncommented = "\n".join(lines)
    ov = parse_overrides(__import__("tomllib").loads(uncommented), "example")
    assert ov.merges and ov.splits and ov.renames and ov.aliases
