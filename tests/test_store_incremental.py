"""The store's incremental enrichment (``readouts.store.actors``): an ingest touches only the
actors of its own documents, and after any sequence of batches the actors, their aliases and
every participant's actor are exactly those of a full rebuild over the same documents.

Every case is a small invented store (invented people, plus a few officials of the project's
gazetteer where the known-official path is the point), ingested batch by batch into a real
database file and compared with a second file built in one go and rebuilt from scratch.
"""
from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readouts.actors import parse_overrides
from readouts.records import Engagement, Participant, ThirdParty
from readouts.store import Store
from store_samples import make_result, undo_migrations_after_event_links

P = Participant


def doc(doc_id: str, day: str | None, *people: Participant, mode: str = "meeting",
        mentions: tuple[ThirdParty, ...] = ()):
    """A readout with one engagement of these participants (and third-party mentions)."""
    result = make_result(doc_id, f"Invented readout {doc_id}: " + ", ".join(p.name or p.country or "" for p in people),
                         (Engagement(day, mode, tuple(people)),))
    readout = result.readout
    if mentions:
        from dataclasses import replace

        readout = replace(readout, mentions=mentions)
    return type(result)(result.raw, result.clean, readout)


def snapshot(path: Path) -> tuple[list, list, list]:
    """The actors, their aliases and each participant's actor, as stored."""
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("SELECT id, kind, name, country, aliases_json, posts_json, documents FROM actors"
                         " ORDER BY id").fetchall(),
            conn.execute("SELECT actor_id, alias, alias_key FROM actor_aliases ORDER BY 1, 2").fetchall(),
            conn.execute("SELECT engagement_id, ordinal, actor_id FROM participants ORDER BY 1, 2").fetchall(),
        )
    finally:
        conn.close()


def as_rows(actors) -> list[tuple]:
    return [(a.id, a.kind, a.name, a.country, json.dumps(list(a.aliases), ensure_ascii=False),
             json.dumps([p.as_dict() for p in a.posts], ensure_ascii=False), a.documents) for a in actors]


def incremental_and_full(tmp: Path, batches: list[list]) -> tuple[tuple, tuple, list[bool], list]:
    """Ingest the batches one refresh each into one file; all at once, rebuilt, into another."""
    inc, full = tmp / "incremental.db", tmp / "full.db"
    rebuilt = []
    with Store(inc) as store:
        for batch in batches:
            store.add_batch(batch)
            rebuilt.append(store.refresh_links()["rebuilt"])
    with Store(full) as store:
        store.add_batch([r for batch in batches for r in batch])
        store.rebuild_actors()
        reference = as_rows(store.build_registry().actors())
    return snapshot(inc), snapshot(full), rebuilt, reference


# Each case: batches of invented readouts whose order could change the clustering if the
# incremental update looked at too little (ids from the alphabetically first spelling, one-word
# mentions that become ambiguous, no-country names that find their person later, family-name-
# first names, a participant named like a state before that state is seen).
CASES = {
    "spelling variants: the id follows the first spelling, whichever batch brings it": [
        [doc("a1", "2021-03-02", P("Sergey Ivanko", "UKR", "Minister of Energy"), P(None, "POL", None))],
        [doc("a2", "2021-04-02", P("Sergei Ivanko", "UKR", "Minister of Energy"), P(None, "POL", None))],
        [doc("a3", "2021-05-02", P("Sergej Ivanko", "UKR", "Energy Minister"), P("Ola Berg", "NOR", "Minister"))],
    ],
    "a one-word mention resolves until a second person of that name arrives": [
        [doc("b1", "2020-01-10", P("Karl Tamm", "EST", "Foreign Minister"), P("Liis Saar", "FIN", "Minister"))],
        [doc("b2", "2020-02-10", P("Tamm", None, "Foreign Minister"), P(None, "LVA", None))],
        [doc("b3", "2020-03-10", P("Ott Tamm", "EST", "Foreign Minister"), P(None, "LTU", None))],
        [doc("b4", "2020-04-10", P("Mr. Tamm", None, None), P(None, "LVA", None))],
    ],
    "a name without a state joins its person once that person is seen with one": [
        [doc("c1", "2022-06-01", P("Marta Novak", None, "Minister"), P(None, "CZE", None))],
        [doc("c2", "2022-06-03", P("Marta Novak", "SVK", "Minister of Economy"), P(None, "CZE", None))],
        [doc("c3", "2022-06-05", P("Marta Novak", None, None), P(None, "AUT", None))],
    ],
    "a no-state name stays apart when two people share it": [
        [doc("d1", "2022-06-01", P("Jonas Berg", "SWE", "Minister"), P(None, "DNK", None))],
        [doc("d2", "2022-06-02", P("Jonas Berg", None, "Minister"), P(None, "DNK", None))],
        [doc("d3", "2022-06-03", P("Jonas Berg", "NOR", "Ambassador"), P(None, "ISL", None))],
    ],
    "family name first or last (CHN), a known official and its posts over time": [
        [doc("e1", "2016-05-04", P("Wang Yi", "CHN", "Foreign Minister"), P("Ana Lopes", "PRT", "Foreign Minister"))],
        [doc("e2", "2019-05-04", P("Yi Wang", "CHN", "State Councilor and Foreign Minister"), P(None, "PRT", None))],
        [doc("e3", "2023-08-01", P("Wang", "CHN", "Foreign Minister"), P("Lopes", None, "Foreign Minister"))],
        [doc("e4", "2023-09-01", P("Li Wang", "CHN", "Vice Minister"), P(None, "PRT", None))],
    ],
    "third-party mentions and a participant named like a state seen later": [
        [doc("f1", "2021-01-05", P("Emile Faure", "FRA", "Minister"), P("Canada", None, None))],
        [doc("f2", "2021-01-06", P("Emile Faure", "FRA", "Minister"), P(None, "DEU", None),
             mentions=(ThirdParty("state", "Canada", "CAN"), ThirdParty("person", "Rosa Reyes", "MEX", "Senator")))],
        [doc("f3", "2021-01-07", P("Rosa Reyes", "MEX", "Foreign Secretary"), P(None, "CAN", None))],
    ],
    "a one-word mention of either family-name word: the other word's block is looked at too": [
        [doc("k1", "2022-01-05", P("Qiao Fenglin", "CHN", None), P(None, "MNG", None)),
         doc("k2", "2022-01-06", P("Fenglin", "CHN", "Ambassador"), P(None, "MNG", None)),
         doc("k3", "2022-01-07", P("Qiao", "CHN", "President"), P(None, "MNG", None))],
        [doc("k4", "2022-03-07", P("Qiao", "CHN", "President"), P(None, "KAZ", None))],
    ],
    "undated engagements and titles that differ only in wording": [
        [doc("g1", None, P("Pavel Kiss", "HUN", "Foreign Minister"), P(None, "SVN", None))],
        [doc("g2", "2019", P("Kiss Pavel", "HUN", "former Foreign Minister"), P(None, "SVN", None))],
        [doc("g3", "2019-07", P("Pavel Kiss", "HUN", "foreign minister"), P(None, "HRV", None))],
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_incremental_registry_equals_full_rebuild(tmp_path: Path, name: str) -> None:
    incremental, full, rebuilt, reference = incremental_and_full(tmp_path, CASES[name])
    assert rebuilt == [True] + [False] * (len(CASES[name]) - 1)  # only the first refresh builds all
    assert incremental == full
    assert full[0] == reference  # and the stored full rebuild is the registry's own
    assert full[2] and full[0]


def test_the_cases_exercise_what_they_say(tmp_path: Path) -> None:
    """A test that cannot fail is a defect: the cases must change the clustering as batches come."""
    ids = {a[0] for a in incremental_and_full(tmp_path, CASES[next(iter(CASES))])[0][0]}
    assert "p:sergei-ivanko:UKR" in ids and "p:sergey-ivanko:UKR" not in ids  # the id moved to the first spelling
    second = tmp_path / "b"
    second.mkdir()
    batches = CASES["a one-word mention resolves until a second person of that name arrives"]
    with Store(second / "s.db") as store:
        store.add_batch(batches[0] + batches[1])
        store.refresh_links()
        assert tamm_of_b2(store) == "p:karl-tamm:EST"  # one Tamm: "Tamm" is him
        store.add_batch(batches[2])
        store.refresh_links()
        assert tamm_of_b2(store) is None  # two Tamms: "Tamm" in the earlier batch is no longer resolved


def tamm_of_b2(store: Store) -> str | None:
    return store._conn.execute(  # noqa: SLF001 - the test reads the stored column
        """SELECT p.actor_id FROM participants p JOIN engagements e ON e.id = p.engagement_id
           JOIN documents d ON d.id = e.document_id WHERE d.doc_id = 'b2' AND p.ordinal = 0""").fetchone()[0]


POOL = [
    P("Ana Lopes", "PRT", "Foreign Minister"), P("Ana Lopes", None, "Minister"), P("Lopes", None, "Foreign Minister"),
    P("Lopes", "PRT", None), P("Rui Lopes", "PRT", "Prime Minister"), P("Lopes", None, "Prime Minister"),
    P("Wang Yi", "CHN", "Foreign Minister"), P("Yi Wang", None, None), P("Wang", "CHN", "Foreign Minister"),
    P("Wang Li", "CHN", "Ambassador"), P("Li Wang", "CHN", None), P("Li", "CHN", "Ambassador"),
    P("Sergey Lavrov", "RUS", "Foreign Minister"), P("Lavrov", None, None), P("Sergei Ivanko", "UKR", "Minister"),
    P("Sergey Ivanko", None, "Minister"), P("Ivanko", "UKR", None), P(None, "NOR", None), P("Norway", None, None),
    P("Karl Berg", "SWE", "Minister"), P("Karl Berg", "NOR", "Minister"), P("Karl Berg", None, None),
]
DAYS = ["2015-02-01", "2019-06-15", "2023-08-20", "2024-01", None]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(POOL) - 1), st.integers(0, len(POOL) - 1), st.sampled_from(DAYS)),
                min_size=2, max_size=12),
       st.integers(1, 4), st.randoms(use_true_random=False))
def test_any_order_of_batches_gives_the_full_rebuild(docs, batch_size, rng: random.Random) -> None:
    import tempfile

    results = [doc(f"h{i}", day, POOL[a], POOL[b]) for i, (a, b, day) in enumerate(docs) if a != b]
    rng.shuffle(results)
    batches = [results[i:i + batch_size] for i in range(0, len(results), batch_size)]
    with tempfile.TemporaryDirectory() as tmp:
        incremental, full, _, reference = incremental_and_full(Path(tmp), batches)
    assert incremental == full
    assert full[0] == reference


def test_a_refresh_reads_only_the_new_documents(tmp_path: Path) -> None:
    """After the first build, a refresh adds the new documents' sightings and rewrites only
    their actors: an actor no new document names keeps its stored row untouched."""
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.add_batch([doc("i1", "2021-01-01", P("Ola Berg", "NOR", "Minister"), P(None, "SWE", None)),
                         doc("i2", "2021-01-02", P("Rosa Reyes", "MEX", "Minister"), P(None, "CHL", None))])
        store.refresh_links()
        store._conn.execute("UPDATE actors SET documents = 99 WHERE id = 'p:rosa-reyes:MEX'")  # a marker
        store.add_batch([doc("i3", "2021-02-01", P("Ola Berg", "NOR", "Minister"), P(None, "DNK", None))])
        links = store.refresh_links()
        rows = dict(store._conn.execute("SELECT id, documents FROM actors").fetchall())
    assert links["rebuilt"] is False
    assert links["actors"] == 3  # Ola Berg, Norway, Denmark
    assert rows["p:rosa-reyes:MEX"] == 99  # not rewritten
    assert rows["p:ola-berg:NOR"] == 2 and rows["s:DNK"] == 1


def test_a_removal_or_new_overrides_rebuild_and_equal_the_full_build(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    batches = CASES["a one-word mention resolves until a second person of that name arrives"]
    overrides = parse_overrides({"rename": [{"id": "p:karl-tamm:EST", "name": "Karl R. Tamm"}]})
    with Store(path) as store:
        for batch in batches:
            store.add_batch(batch)
            store.refresh_links()
        removed, _ = store.delete(["b3"])
        assert removed == 1
        assert store.refresh_links()["rebuilt"] is True
        after_delete = snapshot(path)
        assert store.refresh_links(overrides)["rebuilt"] is True
        assert store.refresh_links(overrides)["rebuilt"] is True  # overrides act on the whole registry
        named = dict(store._conn.execute("SELECT id, name FROM actors").fetchall())
        assert named["p:karl-tamm:EST"] == "Karl R. Tamm"
        assert store.stored_actors(overrides) is not None and store.stored_actors() is None
        assert store.refresh_links()["rebuilt"] is True  # overrides dropped: rebuilt once more
        assert store.refresh_links()["rebuilt"] is False
    full = tmp_path / "full.db"
    with Store(full) as store:
        store.add_batch([r for batch in batches for r in batch if r.raw.id != "b3"])
        store.rebuild_actors()
    assert snapshot(path)[0] == snapshot(full)[0] == after_delete[0]


def test_stored_actors_are_the_registry_of_the_store(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as store:
        for batch in CASES["family name first or last (CHN), a known official and its posts over time"]:
            store.add_batch(batch)
            store.refresh_links()
        stored = store.stored_actors()
        assert stored is not None
        assert [a.as_dict() for a in stored] == [a.as_dict() for a in store.build_registry().actors()]
        store.add_batch([doc("j1", "2024-01-01", P("Ana Lopes", "PRT", "Foreign Minister"), P(None, "ESP", None))])
        assert store.stored_actors() is None  # a document not in the registry yet


def test_a_store_of_the_previous_schema_is_upgraded_and_its_registry_built(tmp_path: Path) -> None:
    """A store written before the registry tables (migration 006): the upgrade adds them
    empty, the first refresh builds them from every readout, later ones are incremental."""
    from readouts.store import MIGRATIONS, _migration_number

    path = tmp_path / "old.db"
    batches = CASES["spelling variants: the id follows the first spelling, whichever batch brings it"]
    with Store(path) as store:
        store.add_batch(batches[0] + batches[1])
        store.refresh_links()
    conn = sqlite3.connect(path)  # back to schema 006: drop what 007 and later added
    undo_migrations_after_event_links(conn)
    conn.execute(f"PRAGMA user_version = {_migration_number('006_event_links')}")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store.stored_actors() is None
        store.add_batch(batches[2])
        assert store.refresh_links()["rebuilt"] is True
        assert store.stored_actors() is not None
        names = store._conn.execute("SELECT count(*) FROM participants WHERE actor_name IS NULL").fetchone()[0]
        assert names == 0
    full = tmp_path / "full.db"
    with Store(full) as store:
        store.add_batch([r for batch in batches for r in batch])
        store.rebuild_actors()
    assert snapshot(path) == snapshot(full)


def test_a_copy_is_found_when_its_boilerplate_bands_are_crowded(tmp_path: Path, monkeypatch) -> None:
    """Each LSH band is read for its latest ``BAND_CAP`` documents only (so adding a document
    costs the same in any store size): a copy of an early document is still found through the
    bands only the two share, however many documents share its boilerplate."""
    from readouts import dedup

    monkeypatch.setattr(dedup, "BAND_CAP", 2)
    boiler = ("Press release of the invented ministry. Reproduction permitted with attribution. "
              "Follow the ministry on its website for the full schedule of the week and the archive.")
    words = [f"{a}{b}" for a in ("kal", "mor", "tes", "vin", "dru", "pel", "sor", "gam") for b in ("ade", "io", "un", "eth", "ax")]
    rng = random.Random(5)
    results = [make_result(f"m{i}", boiler + "\n\n" + " ".join(rng.choice(words) for _ in range(60)))
               for i in range(9)]
    copy = make_result("m0-copy", results[0].clean.text.replace("Press release", "Statement") + "\nAll rights reserved.")
    with Store(tmp_path / "s.db") as store:
        for r in results:
            store.add_batch([r])
        store.add_batch([copy])
        groups = store.duplicate_groups()
    assert [[d["id"] for d in g["documents"]] for g in groups] == [["m0", "m0-copy"]]
