"""The SQLite store: filters, idempotence, transactions, migrations, round-trips."""
from __future__ import annotations

import dataclasses
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_samples import SAMPLE, TEXT_A, TEXT_B, TEXT_C, engagement_ids, make_result

from readouts.pipeline import Result
from readouts.records import (
    MODES,
    CleanDocument,
    Engagement,
    EventCode,
    IngestError,
    Issue,
    Location,
    ThirdParty,
    Participant,
    PlannedEngagement,
    Readout,
    Span,
    Statement,
    content_hash,
)
from readouts.store import (
    SCHEMA_VERSION,
    BatchCounts,
    QueryFilter,
    Store,
    StoreError,
    UnknownDocument,
    document_key,
)

IDS = engagement_ids()


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with Store(tmp_path / "readouts.db") as s:
        yield s


@pytest.fixture
def sample_store(store: Store) -> Store:
    store.add_batch(list(SAMPLE.values()))
    return store


# -- adding ----------------------------------------------------------------------------------

def test_add_batch_counts(store):
    counts = store.add_batch(list(SAMPLE.values()))
    assert counts == BatchCounts(new=5, present=0, readouts=4, engagements=5)
    assert store.counts() == {"documents": 5, "readouts": 4, "engagements": 5,
                              "participants": 10, "rejections": 0}


def test_readding_is_a_no_op(sample_store):
    before = sample_store.counts()
    again = sample_store.add_batch(list(SAMPLE.values()))
    assert again == BatchCounts(present=5)
    assert sample_store.counts() == before


def test_same_text_under_another_id_is_already_present(sample_store):
    copy = make_result("another-id", "  " + TEXT_A.replace(" ", "\n", 3) + "\n")  # same words
    assert sample_store.add_batch([copy]) == BatchCounts(present=1, sources=1)


def test_identical_republication_keeps_its_id_url_and_metadata(store):
    first = make_result("mfa-1", TEXT_A, url="https://mfa.example/1")
    second = make_result("agency-9", TEXT_A, url="https://agency.example/9")
    second = dataclasses.replace(second, raw=dataclasses.replace(second.raw, metadata={"site": "agency"}))
    store.add_batch([first])
    assert store.add_batch([second]) == BatchCounts(present=1, sources=1)
    assert store.add_batch([second]) == BatchCounts(present=1)  # the same source again: nothing new
    (group,) = store.duplicate_groups()
    assert [(d["id"], d["url"], d["identical"]) for d in group["documents"]] == [
        ("mfa-1", "https://mfa.example/1", False), ("agency-9", "https://agency.example/9", True)]
    meta = store._conn.execute(
        "SELECT metadata_json FROM document_sources WHERE doc_id = 'agency-9'").fetchone()[0]
    assert meta == '{"site": "agency"}'
    assert store.counts()["documents"] == 1


def test_same_id_for_different_texts_is_noted_and_both_are_kept(store):
    counts = store.add_batch([make_result("x", TEXT_A), make_result("x", TEXT_B), make_result("x", TEXT_C)])
    assert counts.new == 3
    assert len(counts.notes) == 2 and all(n.startswith("x: this id was already given") for n in counts.notes)


def test_replace_puts_the_corrected_text_in_place_of_the_old_one(store):
    store.add_batch([make_result("x", TEXT_A), make_result("y", TEXT_B)])
    counts = store.add_batch([make_result("x", TEXT_C)], replace=True)
    assert (counts.new, counts.replaced, counts.notes) == (1, 1, ())
    assert not store.has_document(content_hash(TEXT_A))
    assert store.has_document(content_hash(TEXT_C))
    # the rows of the old text are gone, full-text index included
    assert store._conn.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'fisheries'"
                               ).fetchone() == (0,)
    assert sorted(store._conn.execute("SELECT doc_id FROM documents")) == [("x",), ("y",)]


def test_replace_keeps_a_text_that_has_another_source(store):
    store.add_batch([make_result("x", TEXT_A), make_result("x-copy", TEXT_A)])
    store.add_batch([make_result("x", TEXT_B)], replace=True)
    assert store.has_document(content_hash(TEXT_A))  # still published as x-copy
    assert store._conn.execute("SELECT doc_id FROM documents WHERE id = ?",
                               (content_hash(TEXT_A),)).fetchone() == ("x-copy",)


def test_delete_by_id_or_key(sample_store):
    before = sample_store.counts()
    key_b = document_key(SAMPLE["B"])
    removed, unknown = sample_store.delete([SAMPLE["A"].raw.id, key_b, "no-such-id"])
    assert (removed, unknown) == (2, ["no-such-id"])
    after = sample_store.counts()
    assert after["documents"] == before["documents"] - 2
    assert not sample_store.has_document(key_b)
    assert all(r["document_id"] not in (SAMPLE["A"].raw.id, SAMPLE["B"].raw.id) for r in sample_store.query())
    assert sample_store._conn.execute("SELECT count(*) FROM document_sources").fetchone()[0] == after["documents"]


def test_duplicates_within_one_batch(store):
    one = SAMPLE["A"]
    assert store.add_batch([one, one]) == BatchCounts(new=1, present=1, readouts=1, engagements=1)


def test_key_is_the_clean_documents_content_hash_when_set(store):
    result = make_result("doc-x", "Some text.", hash_="feedfacecafebeef")
    assert document_key(result) == "feedfacecafebeef"
    store.add_batch([result])
    assert store.has_document("feedfacecafebeef")
    assert document_key(make_result("doc-y", "Some text.")) == content_hash("Some text.")


def test_failing_batch_leaves_the_store_unchanged(sample_store, tmp_path):
    before = sample_store.counts()
    good = make_result("doc-new", "A new and valid document about a meeting.",
                       (Engagement(date="2022-01-01", mode="meeting", participants=()),))
    bad = make_result("doc-bad", "A document the database refuses half-way through the batch.",
                      (Engagement(date="2022-01-02", mode="talks", participants=()),))
    # the database itself fails on the second document (as a full disk would), after the
    # first one's rows went in
    with sqlite3.connect(tmp_path / "readouts.db") as other:
        other.execute("CREATE TRIGGER refuse BEFORE INSERT ON engagements WHEN NEW.mode = 'talks' "
                      "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    with pytest.raises(StoreError, match="cannot store batch"):
        sample_store.add_batch([good, bad])
    assert sample_store.counts() == before
    assert not sample_store.has_document(document_key(good))
    # a value that cannot be serialised fails before anything of its document is written
    odd = make_result("doc-odd", "Odd.", (Engagement(date=None, mode="meeting", participants=()),))
    statement = Statement("Lopes", "PRT", "said", None, (object(),), Span(0, 4, "Odd.", "test"))  # type: ignore[arg-type]
    unserialisable = Result(odd.raw, odd.clean, dataclasses.replace(odd.readout, statements=(statement,)))
    with pytest.raises(TypeError):
        sample_store.add_batch([good, unserialisable])
    assert sample_store.counts() == before
    # and the store still works afterwards
    assert sample_store.add_batch([good]).new == 1


def test_rejections_are_recorded_once(store):
    errors = [IngestError("a.txt", "cannot decode text"), IngestError("b.jsonl:3", "no text", "x7"),
              IngestError("c.txt", "cannot decode text")]
    assert store.add_rejections(errors) == 3
    store.add_rejections(errors[:1])
    assert store.counts()["rejections"] == 3
    assert store.rejection_reasons() == {"cannot decode text": 2, "no text": 1}
    assert store.add_rejections([]) == 0


# -- reading ---------------------------------------------------------------------------------

def test_get_readout_round_trips(sample_store):
    for result in SAMPLE.values():
        assert sample_store.get_readout(document_key(result)) == result.readout
    with pytest.raises(UnknownDocument):
        sample_store.get_readout("0000000000000000")
    with pytest.raises(KeyError):
        sample_store.get_readout("0000000000000000")


def test_rows_are_flat_dicts(sample_store):
    (row,) = sample_store.query(QueryFilter(mode="meeting"))
    extra = {k: row.pop(k) for k in ("actor_ids", "lat", "lon", "occasion_series", "occasion_edition", "canonical",
                                     "event_id", "documents", "reports", "sources", "level")}
    assert extra["canonical"] is True and extra["documents"] == ["doc-a"]
    assert extra["reports"] == [IDS["A0"]] and extra["level"] == "foreign minister"
    assert [(s["document_id"], s["outlet"], s["url"]) for s in extra["sources"]] == [
        ("doc-a", "example.org", "https://example.org/a")]
    codes = {k: row.pop(k) for k in ("plover", "plover_mode", "cameo", "goldstein", "visitor", "host")}
    assert codes == dict.fromkeys(codes)  # the sample engagement has no codes
    assert row.pop("date_start") == "2021-03-03"
    assert row == {
        "id": IDS["A0"],
        "document_id": "doc-a",
        "document_key": content_hash(TEXT_A),
        "date": "2021-03-03",
        "date_precision": "day",
        "mode": "meeting",
        "participants": [
            {"name": "Ana Lopes", "country": "PRT", "title": "Foreign Minister"},
            {"name": "Karl Berg", "country": "SWE", "title": "Foreign Minister"},
        ],
        "location_city": "Lisbon",
        "location_country": "PRT",
        "occasion": "bilateral consultations",
        "title": "Minister Lopes meets Minister Berg",
        "url": "https://example.org/a",
    }


QUERY_CASES = [
    # filter -> engagement labels, in the order returned (by date, undated last)
    (QueryFilter(), ["C0", "D0", "A0", "B0", "C1"]),
    (QueryFilter(countries=("PRT",)), ["A0", "B0"]),
    (QueryFilter(countries=("PRT", "SWE")), ["A0"]),  # the dyad
    (QueryFilter(countries=("swe", "prt")), ["A0"]),
    (QueryFilter(countries=("SWE",)), ["C0", "A0"]),
    (QueryFilter(countries=("SWE", "FIN")), ["C0"]),
    (QueryFilter(countries=("PRT", "FIN")), []),
    (QueryFilter(countries=("PRT", "PRT")), ["A0", "B0"]),
    (QueryFilter(actor="berg"), ["C0", "A0"]),
    (QueryFilter(actor="ANA LOP"), ["A0", "B0"]),
    (QueryFilter(actor="łukasz"), ["D0"]),
    (QueryFilter(actor="ÉMILE"), ["D0"]),
    (QueryFilter(actor="Nobody"), []),
    (QueryFilter(since="2021"), ["A0", "B0"]),
    (QueryFilter(since="2021-03-04"), ["B0"]),
    (QueryFilter(since="2021-07-01"), ["B0"]),  # 2021-07 counts as 2021-07-01
    (QueryFilter(since="2021-07-02"), []),
    (QueryFilter(since="2021-07"), ["B0"]),
    (QueryFilter(until="2019"), ["C0"]),
    (QueryFilter(until="2020"), ["C0", "D0"]),  # a partial until covers its whole period
    (QueryFilter(until="2020-12"), ["C0", "D0"]),
    (QueryFilter(until="2021-03"), ["C0", "D0", "A0"]),
    (QueryFilter(until="2021-03-02"), ["C0", "D0"]),
    (QueryFilter(since="2020-12", until="2021-03-03"), ["D0", "A0"]),
    (QueryFilter(mode="phone_call"), ["B0"]),
    (QueryFilter(mode="message"), ["C1"]),
    (QueryFilter(text="fisheries"), ["A0"]),
    (QueryFilter(text="climate"), ["B0"]),
    (QueryFilter(text='"joint statement"'), ["C0", "C1"]),
    (QueryFilter(text="trade"), ["C0", "C1"]),  # the title is indexed too
    (QueryFilter(text="zielinski"), ["D0"]),  # diacritics folded
    (QueryFilter(text="consular"), []),  # a document without engagements
    (QueryFilter(text="lisbon OR climate"), ["A0", "B0"]),
    (QueryFilter(countries=("PRT",), mode="meeting"), ["A0"]),
    (QueryFilter(countries=("FIN",), since="2019"), ["C0"]),
    (QueryFilter(actor="saari", text="statement", mode="talks"), ["C0"]),
    (QueryFilter(limit=2), ["C0", "D0"]),
    (QueryFilter(limit=2, offset=2), ["A0", "B0"]),
    (QueryFilter(limit=None, offset=4), ["C1"]),
    (QueryFilter(limit=0), []),
]


@pytest.mark.parametrize(("filters", "expected"), QUERY_CASES)
def test_query(sample_store, filters, expected):
    assert [row["id"] for row in sample_store.query(filters)] == [IDS[x] for x in expected]


def test_iter_engagement_rows_streams_everything(sample_store):
    rows = list(sample_store.iter_engagement_rows())
    assert [r["id"] for r in rows] == [IDS[x] for x in ("C0", "D0", "A0", "B0", "C1")]
    assert rows == sample_store.query(QueryFilter(limit=None))


def test_engagement_without_participants_is_still_a_row(store):
    store.add_batch([make_result("doc-p", "Nobody named.", (Engagement("2020", "meeting", ()),))])
    (row,) = store.query()
    assert row["participants"] == []


@pytest.mark.parametrize("text, documents", [
    ("climate-finance", {"doc-b"}),  # a hyphenated word is a phrase, not a syntax error
    ("U.S.", set()),
    ("Portugal's", set()),
    ("Lopes's", set()),
    ("co-operation AND fisheries", set()),
    ("fisheries, climate", set()),  # a comma outside NEAR(...) is dropped
    ('fisheries OR "climate finance"', {"doc-a", "doc-b"}),  # FTS5 syntax still works
    ("fish*", {"doc-a"}),
    ("NEAR(phone call, 2)", {"doc-b"}),
    ('"unbalanced', set()),
    ("foo:bar", set()),
])
def test_everyday_full_text_queries(sample_store, text, documents):
    assert {r["document_id"] for r in sample_store.query(QueryFilter(text=text))} == documents


@pytest.mark.parametrize(("text", "documents"), [
    ("AND", {"doc-c"}),  # FTS5 would read these as syntax: they are words
    ("(x", set()),
    ("fisheries)", {"doc-a"}),
    ("NOT", set()),
    ("fisheries AND", {"doc-a"}),  # a dangling operator is left out
    ("(climate", {"doc-b"}),
    ("()", set()),  # no word at all: nothing matches
])
def test_text_that_does_not_parse_is_words(sample_store, text, documents):
    assert {r["document_id"] for r in sample_store.query(QueryFilter(text=text))} == documents


@pytest.mark.parametrize(
    "kwargs",
    [{"since": "2021-13"}, {"since": "2021-02-29"}, {"until": "2021-04-31"}, {"until": "03/03/2021"}, {"since": "21"}, {"mode": "dinner"},
     {"limit": -1}, {"offset": -1}],
)
def test_bad_filters_are_rejected(kwargs):
    with pytest.raises(ValueError):
        QueryFilter(**kwargs)


def test_countries_must_be_a_tuple():
    with pytest.raises(TypeError):
        QueryFilter(countries="PRT")  # type: ignore[arg-type]


# -- files, schema and migrations ------------------------------------------------------------

def test_new_file_is_migrated_and_reopens(tmp_path):
    path = tmp_path / "fresh.db"
    path.write_bytes(b"")  # an empty file is an empty SQLite database
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        store.add_batch([SAMPLE["A"]])
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.counts()["documents"] == 1
        assert store.get_readout(document_key(SAMPLE["A"])) == SAMPLE["A"].readout
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def _version_1_database(path: Path) -> None:
    """A database as readouts wrote it before full-text search (migration 001 only), with one
    document, written with SQL as that version did."""
    from readouts.store import APPLICATION_ID, MIGRATIONS, _statements

    conn = sqlite3.connect(path)
    for statement in _statements(MIGRATIONS[0][1]):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO documents (id, doc_id, source, url, title, published, text, is_readout, reason,"
        " readout_json, ingested_at) VALUES (?, 'doc-a', 'doc-a.txt', NULL, NULL, NULL, ?, 1, 'x', ?, "
        "'2024-01-01T00:00:00+00:00')",
        (content_hash(TEXT_A), TEXT_A, SAMPLE["A"].readout.as_json()),
    )
    conn.execute(
        "INSERT INTO engagements (id, document_id, ordinal, date, date_start, mode, json) VALUES (?, ?, 0,"
        " '2021-03-03', '2021-03-03', 'meeting', '{}')", (IDS["A0"], content_hash(TEXT_A)))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_old_database_gets_the_missing_migrations(tmp_path):
    path = tmp_path / "old.db"
    _version_1_database(path)
    with Store(path, readonly=True) as store:  # writable: upgraded first, then read
        assert store.schema_version == SCHEMA_VERSION
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [r["id"] for r in store.query(QueryFilter(text="fisheries"))] == [IDS["A0"]]
        assert store.duplicate_groups(singletons=True)[0]["documents"][0]["id"] == "doc-a"  # sources backfilled
        store.add_batch([SAMPLE["C"]])  # new documents are indexed by the triggers
        assert len(store.query(QueryFilter(text='"joint statement"'))) == 2


def test_foreign_keys_are_enforced(store):
    store.add_batch([SAMPLE["A"]])
    conn = store._conn  # noqa: SLF001 - checking the connection's pragma
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO engagements (id, document_id, ordinal, mode, json)"
                     " VALUES ('x', 'no-such-doc', 0, 'meeting', '{}')")


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this readouts knows"):
        Store(path)


def test_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are not the tables you are looking for\n" * 50)
    with pytest.raises(StoreError, match="cannot open .*notes.db"):
        Store(path)


def test_sqlite_file_of_another_application(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a readouts database"):
        Store(path)


def test_missing_file_without_create(tmp_path):
    with pytest.raises(StoreError, match="no database at"):
        Store(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_unopenable_path(tmp_path):
    with pytest.raises(StoreError, match="cannot open"):
        Store(tmp_path / "no" / "such" / "dir.db")


# -- property: any readout comes back unchanged ----------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
maybe_text = st.none() | text
countries = st.none() | st.sampled_from(["PRT", "SWE", "NOR", "FIN", "EST", "POL", "FRA", "EU"])
dates = (st.none() | st.dates().map(lambda d: d.isoformat())
         | st.from_regex(r"\A\d{4}(-(0[1-9]|1[0-2]))?\Z"))
spans = st.builds(Span, st.integers(0, 10_000), st.integers(0, 10_000), text, text)
maybe_span = st.none() | spans
participants = st.builds(Participant, maybe_text, countries, maybe_text,
                         st.sampled_from(["subject", "object"]), maybe_span, maybe_text)
locations = st.builds(Location, maybe_text, countries, maybe_span)
codes = st.none() | st.builds(EventCode, text, maybe_text, text,
                              st.floats(-10, 10, allow_nan=False))
engagements = st.builds(
    Engagement,
    date=dates,
    mode=st.sampled_from(MODES),
    participants=st.lists(participants, max_size=4).map(tuple),
    location=locations,
    occasion=maybe_text,
    date_precision=st.none() | st.sampled_from(["day", "month", "year"]),
    visitor=maybe_text,
    host=maybe_text,
    trigger=maybe_span,
    date_span=maybe_span,
    occasion_span=maybe_span,
    codes=codes,
)
readouts = st.builds(
    Readout,
    id=text,
    is_readout=st.booleans(),
    engagements=st.lists(engagements, max_size=3).map(tuple),
    statements=st.lists(st.builds(Statement, maybe_text, countries, text, maybe_text,
                                  st.lists(text, max_size=3).map(tuple), spans),
                        max_size=2).map(tuple),
    issues=st.lists(st.builds(Issue, text, spans), max_size=2).map(tuple),
    mentions=st.lists(st.builds(ThirdParty, st.sampled_from(["person", "state", "organisation"]),
                                text, countries, maybe_text, maybe_span), max_size=2).map(tuple),
    planned=st.lists(st.builds(PlannedEngagement, st.sampled_from(["visit", "meeting"]),
                               st.lists(participants, max_size=2).map(tuple), dates, locations,
                               maybe_span), max_size=2).map(tuple),
    reason=maybe_text,
    title=maybe_text,
    published=dates,
    url=maybe_text,
    source=maybe_text,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(readout=readouts, body=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip))
def test_readout_round_trip(readout, body):
    from readouts.pipeline import Result

    clean = CleanDocument(id=readout.id, source="generated", text=body)
    raw_doc = make_result(readout.id, body).raw
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "prop.db") as store:
        counts = store.add_batch([Result(raw_doc, clean, readout)])
        assert counts.new == 1 and counts.engagements == len(readout.engagements)
        key = content_hash(body)
        assert store.get_readout(key) == readout
        rows = store.query(QueryFilter(limit=None))
        assert len(rows) == len(readout.engagements)
        for row, engagement in zip(sorted(rows, key=lambda r: int(r["id"].rsplit("-", 1)[1])),
                                   readout.engagements):
            assert row["mode"] == engagement.mode
            assert row["participants"] == [p.as_record() for p in engagement.participants]


def test_records_pickle_by_their_fields() -> None:
    """Results cross process boundaries (``--jobs``, Dask) by pickle, compiled or not."""
    import pickle

    from readouts.pipeline import process
    from readouts.records import RawDocument

    extracted = process(RawDocument("p1", "p1.txt", text=(
        "BERUNA, May 4 -- Foreign Minister Ana Lopes met Foreign Minister Olav Berg of Norway "
        "on Tuesday. Lopes said both sides support closer trade ties.")))
    assert not isinstance(extracted, IngestError) and extracted.readout.engagements
    for result in (SAMPLE["A"], extracted):
        records = (result.raw, result.clean, result.readout, *result.readout.engagements)
        for record in records:
            back = pickle.loads(pickle.dumps(record))
            assert back == record and type(back) is type(record)


# -- occasions match by series and by words (issue 13, item 14) --------------------------------

OCCASIONS = {
    "osaka": "the G20 Summit in Osaka",
    "asean": "ASEAN-China Foreign Ministers' Meeting",
    "brics": "Formal Meeting of the BRICS Ministers of Foreign Affairs",
}


@pytest.fixture
def occasion_store(store):
    store.add_batch([
        make_result(name, f"Text of {name}.", (Engagement("2020-01-01", "meeting", (), occasion=occasion),))
        for name, occasion in OCCASIONS.items()
    ])
    return store


@pytest.mark.parametrize(("occasion", "documents"), [
    ("G20 Summit", {"osaka"}),  # the series
    ("g20", {"osaka"}),  # a word of it, any case
    ("ASEAN", {"asean"}),  # a word before a hyphen
    ("asean china", {"asean"}),
    ("BRICS foreign", {"brics"}),
    ("foreign ministers", {"asean", "brics"}),
    ("Meeting", {"asean", "brics"}),
    ("G7", set()),
    ("summit osaka brics", set()),  # every word must occur
    ("...", set()),
])
def test_occasion_filter(occasion_store, occasion, documents):
    assert {r["document_id"] for r in occasion_store.query(QueryFilter(occasion=occasion))} == documents


# -- everyday full-text queries never hit FTS5 syntax (issue 13, item 15) ---------------------

_EVERYDAY = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='()"'), max_size=40
).filter(lambda t: not ({"AND", "OR", "NOT", "NEAR"} & set(t.split())))


@settings(max_examples=300, deadline=None)
@given(_EVERYDAY)
def test_any_everyday_query_is_valid_fts5(text):
    from readouts.store import fts_query

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5 (title, text, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO f VALUES ('Talks in Lisbon', 'climate-change and the U.S. position, China''s view')")
    query = fts_query(text)
    if query.strip():
        conn.execute("SELECT count(*) FROM f WHERE f MATCH ?", (query,)).fetchone()


# -- sources, replace and delete against a model (issue 13, items 3-5) ------------------------

_IDS = ("a", "b", "c")
_TEXTS = (TEXT_A, TEXT_B, TEXT_C, "A fourth text, about nothing in particular.")
_OPS = st.lists(st.one_of(
    st.tuples(st.just("add"), st.sampled_from(_IDS), st.sampled_from(range(len(_TEXTS))), st.booleans()),
    st.tuples(st.just("delete"), st.sampled_from(_IDS), st.just(0), st.just(False)),
), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_OPS)
def test_sources_replace_and_delete_match_a_model(ops):
    model: dict[str, set[int]] = {}  # user id -> the texts stored under it
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "m.db") as store:
        for op, doc_id, text, replace in ops:
            if op == "add":
                if replace:
                    model[doc_id] = set()
                model.setdefault(doc_id, set()).add(text)
                store.add_batch([make_result(doc_id, _TEXTS[text])], replace=replace)
            else:
                model.pop(doc_id, None)
                store.delete([doc_id])
        got: dict[str, set[int]] = {}
        for doc_id, key in store._conn.execute("SELECT doc_id, document_id FROM document_sources"):
            got.setdefault(doc_id, set()).add([content_hash(t) for t in _TEXTS].index(key))
        assert got == {k: v for k, v in model.items() if v}
        stored = {t for texts in model.values() for t in texts}
        assert store.counts()["documents"] == len(stored)
        store._conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')")  # raises if stale
        grouped = store._conn.execute("SELECT count(*) FROM documents WHERE duplicate_group IS NULL").fetchone()[0]
        assert grouped == 0
