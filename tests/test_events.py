"""Copies and events through a real store: same-template readouts of different meetings are not
copies; the canonical copy is the most complete one; linking is incremental (texts written for
the tests)."""
from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner
from store_samples import undo_migrations_after_event_links
from test_dedup import SERIES, TEMPLATE

from readouts.cli import main
from readouts.store import EVENT_LINKS_MIGRATION, MIGRATIONS, QueryFilter, Store


def _store_before_event_links(db, results):
    """A store as readouts wrote it before EVENT_LINKS_MIGRATION: written by today's Store, then
    the migration's columns, indexes and tables dropped, a pickled index blob in ``dedup_state``
    (as that version kept it) and ``user_version`` set back. (Store no longer migrates part-way.)"""
    assert [n for n, _ in MIGRATIONS][-4:] == [EVENT_LINKS_MIGRATION, "007_actor_registry", "008_query_indexes",
                                               "009_read_indexes"]
    with Store(db) as store:
        store.add_batch(results)
    conn = sqlite3.connect(db)
    undo_migrations_after_event_links(conn)  # the later migrations first
    conn.executescript(f"""
        DROP INDEX documents_side;
        DROP INDEX engagements_block;
        ALTER TABLE engagements DROP COLUMN link_day;
        ALTER TABLE engagements DROP COLUMN link_reason;
        ALTER TABLE documents DROP COLUMN side;
        ALTER TABLE documents DROP COLUMN side_basis;
        DROP TABLE dedup_docs;
        DROP TABLE dedup_bands;
        UPDATE dedup_state SET state = x'80049500';
        PRAGMA user_version = {len(MIGRATIONS) - 4};
    """)
    conn.commit()
    conn.close()


def run(*args):
    return CliRunner().invoke(main, list(args))


def ingest(db, *paths):
    out = run("ingest", *map(str, paths), "--db", str(db), "--no-progress")
    assert out.exit_code == 0, out.output
    return out


def test_same_template_different_meetings_are_separate_engagements(tmp_path):
    for name in ("tanabe", "park", "santos"):
        (tmp_path / f"{name}.txt").write_text(TEMPLATE.format(**SERIES[name]), encoding="utf-8")
    db = tmp_path / "s.db"
    ingest(db, tmp_path)
    groups = json.loads(run("duplicates", "--db", str(db), "--format", "json").stdout)
    assert groups == []
    rows = json.loads(run("query", "--db", str(db), "--format", "json", "--reports").stdout)
    assert sorted(r["document_id"] for r in rows) == ["park", "santos", "tanabe"]
    assert len({r["event_id"] for r in rows}) == 3  # one visitor, three hosts: three events


def test_the_most_complete_copy_becomes_canonical_when_it_arrives(tmp_path):
    body = TEMPLATE.format(**SERIES["tanabe"]).split("Daniel Reyes:\n\n", 1)[1]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "portal.txt").write_text("Readout republished by a news portal\n\n"
                                               + body[: body.index("They also discussed")], encoding="utf-8")
    (tmp_path / "b" / "original.txt").write_text(TEMPLATE.format(**SERIES["tanabe"]), encoding="utf-8")
    db = tmp_path / "c.db"
    ingest(db, tmp_path / "a")
    ingest(db, tmp_path / "b")
    groups = json.loads(run("duplicates", "--db", str(db), "--format", "json").stdout)
    assert [[d["id"] for d in g["documents"]] for g in groups] == [["original", "portal"]]
    rows = json.loads(run("query", "--db", str(db), "--format", "json", "--reports").stdout)
    assert [(r["document_id"], r["date"]) for r in rows] == [("original", "2024-03-03")]
    assert rows[0]["documents"] == ["original", "portal"]


CALL = ("Foreign Minister Ingrid Solberg of Norway held a phone call with Foreign Minister Alberto Fuentes of "
        "Chile on {when}.\n\nThe ministers discussed ocean management.\n")
UNDATED = ("Norwegian Foreign Minister Ingrid Solberg spoke by telephone with Chilean Foreign Minister Alberto "
           "Fuentes, a ministry statement said.\n\nThey discussed renewable energy and lithium.\n")


def test_a_report_without_any_date_joins_the_call_reported_later(tmp_path):
    (tmp_path / "undated.txt").write_text(UNDATED, encoding="utf-8")
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "dated.txt").write_text(CALL.format(when="12 May 2025"), encoding="utf-8")
    db = tmp_path / "u.db"
    ingest(db, tmp_path / "undated.txt")
    ingest(db, tmp_path / "later")
    rows = {r["document_id"]: r for r in json.loads(run("query", "--db", str(db), "--format", "json", "--reports").stdout)}
    assert rows["undated"]["date"] is None and rows["dated"]["date"] == "2025-05-12"
    assert rows["undated"]["event_id"] == rows["dated"]["event_id"]
    conn = sqlite3.connect(db)
    reason = json.loads(conn.execute("SELECT link_reason FROM engagements WHERE id = ?",
                                     (rows["undated"]["id"],)).fetchone()[0])
    conn.close()
    assert reason["time"] == "only candidate" and reason["date_gap"] is None


def test_a_timeless_report_with_two_candidate_calls_is_not_guessed(tmp_path):
    (tmp_path / "may.txt").write_text(CALL.format(when="12 May 2025"), encoding="utf-8")
    (tmp_path / "july.txt").write_text(CALL.format(when="3 July 2025").replace("ocean management", "trade"),
                                       encoding="utf-8")
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "undated.txt").write_text(UNDATED, encoding="utf-8")
    db = tmp_path / "t.db"
    ingest(db, tmp_path / "may.txt", tmp_path / "july.txt")
    ingest(db, tmp_path / "later")
    rows = {r["document_id"]: r for r in json.loads(run("query", "--db", str(db), "--format", "json", "--reports").stdout)}
    assert len({rows[d]["event_id"] for d in ("may", "july", "undated")}) == 3


def test_linking_a_new_report_reads_only_its_block(tmp_path):
    """The incremental path: link_events links only engagements without an event."""
    (tmp_path / "a.txt").write_text(CALL.format(when="12 May 2025"), encoding="utf-8")
    db = tmp_path / "i.db"
    ingest(db, tmp_path / "a.txt")
    with Store(db) as store:
        assert store.link_events() == 0  # nothing new
        before = {r["id"]: r["event_id"] for r in store.query(QueryFilter(limit=None))}
    (tmp_path / "b.txt").write_text(CALL.format(when="13 May 2025").replace("held a phone call", "had a video call"),
                                    encoding="utf-8")
    ingest(db, tmp_path / "b.txt")
    with Store(db) as store:
        after = {r["id"]: r["event_id"] for r in store.query(QueryFilter(limit=None))}
    assert {k: after[k] for k in before} == before  # stored links are kept
    assert len(set(after.values())) == 1


def test_a_store_from_before_the_event_links_migration_is_regrouped_and_linked(tmp_path):
    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result
    from readouts.pipeline import run as run_pipeline

    texts = {"may": CALL.format(when="12 May 2025"),
             "may-copy": "Print | Share\n" + CALL.format(when="12 May 2025") + "\nAll rights reserved.",
             "undated": UNDATED}
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    results = [r for r in run_pipeline(iter_inputs([str(tmp_path)])) if isinstance(r, Result)]
    db = tmp_path / "old.db"
    _store_before_event_links(db, results)
    with Store(db) as store:  # the migration: copies regrouped and events linked on the next refresh
        store.refresh_links()
        rows = {r["document_id"]: r for r in store.query(QueryFilter(limit=None, include_copies=True))}
        assert sorted(rows[d]["canonical"] for d in ("may", "may-copy")) == [False, True]  # one group
        assert len({r["event_id"] for r in rows.values()}) == 1
        sources = store.event_sources(rows["may"]["id"])
    assert sorted(s["document_id"] for s in sources) == ["may-copy", "undated"]  # copies shown once
    assert all(s["side_basis"] == "unknown" for s in sources)  # told at read time for older rows


def test_save_dedup_state_indexes_documents_stored_before_the_index(tmp_path):
    (tmp_path / "a.txt").write_text(CALL.format(when="12 May 2025"), encoding="utf-8")
    (tmp_path / "b.txt").write_text("Print | Share\n" + CALL.format(when="12 May 2025") + "\nAll rights reserved.",
                                    encoding="utf-8")
    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result
    from readouts.pipeline import run as run_pipeline

    db = tmp_path / "s.db"
    _store_before_event_links(db, [r for r in run_pipeline(iter_inputs([str(tmp_path)])) if isinstance(r, Result)])
    conn = sqlite3.connect(db)
    with Store(db) as store:
        assert conn.execute("SELECT count(*) FROM documents WHERE duplicate_group IS NULL").fetchone()[0] == 2
        store.save_dedup_state()
        assert conn.execute("SELECT count(DISTINCT duplicate_group), sum(is_canonical) FROM documents"
                            " WHERE duplicate_group IS NOT NULL").fetchone() == (1, 1)
        store.save_dedup_state()  # nothing left to do
        assert [len(g["documents"]) for g in store.duplicate_groups()] == [2]
    conn.close()


def test_deleting_a_report_relinks_the_reports_of_its_event(tmp_path):
    """wip-13's delete meets wip-9's incremental linking: engagements that shared an event with a
    removed report lose that event and are linked afresh (they may have been joined through it)."""
    (tmp_path / "undated.txt").write_text(UNDATED, encoding="utf-8")
    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "dated.txt").write_text(CALL.format(when="12 May 2025"), encoding="utf-8")
    db = tmp_path / "d.db"
    ingest(db, tmp_path / "undated.txt")
    ingest(db, tmp_path / "later")

    def rows():
        return {r["document_id"]: r for r in json.loads(run("query", "--db", str(db), "--format", "json", "--reports").stdout)}

    linked = rows()
    assert linked["undated"]["event_id"] == linked["dated"]["event_id"]
    out = run("delete", "dated", "--db", str(db))
    assert out.exit_code == 0, out.output
    alone = rows()["undated"]
    assert alone["event_id"] == "ev:" + alone["id"] and alone["documents"] == ["undated"]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT link_reason FROM engagements WHERE id = ?", (alone["id"],)).fetchone() == (None,)
    conn.close()
    ingest(db, tmp_path / "later")  # the report again: the undated one joins it again
    again = rows()
    assert again["undated"]["event_id"] == again["dated"]["event_id"]
