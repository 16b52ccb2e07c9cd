"""Parquet partitions (readouts.partitions): the round trip, the files, damaged input, the CLI's
flags for them and for Dask, and the DuckDB queries of docs/PARTITIONS.md.

Everything here runs in this process without a cluster; tests/test_cluster.py runs real ones.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from readouts import partitions
from readouts.cli import main
from readouts.ingest import iter_inputs
from readouts.pipeline import Result, run
from readouts.records import IngestError

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "PARTITIONS.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[Result | IngestError]:
    """The examples, a JSONL file with bad lines among good ones, an HTML page with metadata."""
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "mixed.jsonl").write_text(
        '{"id": "m-1", "text": "On April 4, 2024, Foreign Minister Ana Lopes of Portugal held talks with '
        'Foreign Minister Karl Berg of Sweden in Stockholm.", "site": "example", "tags": ["a", 1]}\n'
        "[1, 2]\n"
        '{"id": "m-3", "html": "<p>On April 5, 2024, President Liis Tamm of Estonia spoke by phone with '
        'President Anders Lund of Denmark.</p>", "url": "https://example.org/news/3"}\n', encoding="utf-8")
    return list(run(iter_inputs([ROOT / "examples", folder / "mixed.jsonl"])))


def test_a_row_gives_back_the_same_result(results: list) -> None:
    assert sum(isinstance(r, Result) for r in results) >= 10 and any(isinstance(r, IngestError) for r in results)
    table = partitions.table(results, 7)
    assert table.schema.equals(partitions.schema(), check_metadata=True)
    rows = table.to_pylist()
    assert [r["seq"] for r in rows] == list(range(7, 7 + len(results)))
    for item, row in zip(results, rows):
        assert partitions.result_of(row) == item
        if isinstance(item, Result):
            assert row["record"] == item.readout.as_json()
            assert (row["status"], row["id"], row["engagements"]) == ("extracted", item.raw.id,
                                                                       len(item.readout.engagements))
        else:
            assert (row["status"], row["source"], row["error"], row["record"]) == (
                "rejected", item.source, item.reason, None)


def test_the_documented_columns_are_the_schema() -> None:
    table = re.search(r"^## Schema.*?\n(\|.*?)\n\n", DOC, re.S | re.M).group(1)
    documented = [re.match(r"\| (\w+) \| ([\w, ]+) \|", line).groups() for line in table.splitlines()[2:]]
    expected = [(name, kind + ("" if nullable else ", not null")) for name, kind, nullable, _ in partitions.COLUMNS]
    assert documented == expected


def test_the_writer_cuts_partitions_in_order(results: list, tmp_path: Path) -> None:
    with partitions.Writer(tmp_path / "parts", rows=4) as writer:
        for item in results:
            writer.add(item)
    names = sorted(p.name for p in (tmp_path / "parts").iterdir())
    assert names == [f"part-{i:06d}.parquet" for i in range(-(-len(results) // 4))]
    assert [pq.ParquetFile(tmp_path / "parts" / n).metadata.num_rows for n in names[:-1]] == [4] * (len(names) - 1)
    assert partitions.is_partitions(tmp_path / "parts") and partitions.is_partitions(tmp_path / "parts" / names[0])
    assert partitions.count([str(tmp_path / "parts")]) == len(results)
    assert list(partitions.read([tmp_path / "parts"])) == results


def test_rows_go_out_in_row_groups(results: list, tmp_path: Path) -> None:
    with partitions.Writer(tmp_path / "parts", rows=5, row_group=2) as writer:
        for item in results[:7]:
            writer.add(item)
    files = sorted((tmp_path / "parts").iterdir())
    assert [pq.ParquetFile(f).metadata.num_row_groups for f in files] == [3, 1]  # 2+2+1, then 2
    assert [pq.ParquetFile(f).metadata.num_rows for f in files] == [5, 2]
    assert list(partitions.read([tmp_path / "parts"])) == results[:7]
    assert [r["seq"] for f in files for r in pq.read_table(f, columns=["seq"]).to_pylist()] == list(range(7))


def test_an_empty_run_is_one_empty_partition(tmp_path: Path) -> None:
    partitions.Writer(tmp_path / "parts").close()
    assert [p.name for p in (tmp_path / "parts").iterdir()] == ["part-000000.parquet"]
    assert partitions.is_partitions(tmp_path / "parts") and list(partitions.read([tmp_path / "parts"])) == []


def test_a_folder_that_holds_partitions_is_refused(results: list, tmp_path: Path) -> None:
    with partitions.Writer(tmp_path / "parts") as writer:
        writer.add(results[0])
    with pytest.raises(partitions.PartitionError, match=r"already holds Parquet files \(part-000000.parquet"):
        partitions.Writer(tmp_path / "parts")


@pytest.mark.parametrize("folder, expected", [
    ({"a.txt": b"On May 1 the ministers met."}, False),
    ({}, False),
    ({"export.parquet": "other"}, False),  # Parquet, but not written by readouts
    ({"export.parquet": "ours", "notes.md": b"# notes"}, True),
])
def test_what_is_a_partition_folder(folder: dict, expected: bool, results: list, tmp_path: Path) -> None:
    for name, content in folder.items():
        if content == "ours":
            pq.write_table(partitions.table(results[:2], 0), tmp_path / name)
        elif content == "other":
            pq.write_table(pa.table({"x": [1, 2]}), tmp_path / name)
        else:
            (tmp_path / name).write_bytes(content)
    assert partitions.is_partitions(tmp_path) is expected
    assert partitions.split([str(ROOT / "examples"), str(tmp_path), "-"]) == (
        [(False, [str(ROOT / "examples")]), (True, [str(tmp_path)]), (False, ["-"])] if expected
        else [(False, [str(ROOT / "examples"), str(tmp_path), "-"])])


def test_damaged_files_are_rejected_and_the_rest_is_read(results: list, tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    with partitions.Writer(parts, rows=5) as writer:
        for item in results:
            writer.add(item)
    first = parts / "part-000000.parquet"
    data = first.read_bytes()
    first.write_bytes(data[: len(data) // 2])  # cut in the middle
    table = partitions.table(results[:1], 0)
    old = table.replace_schema_metadata({b"readouts": json.dumps({"format": partitions.FORMAT, "version": 99})})
    pq.write_table(old, parts / "part-000001.parquet")
    (parts / "zz.txt").write_text("a note", encoding="utf-8")
    skipped: Counter[str] = Counter()
    read = list(partitions.read([parts], skipped))
    assert read[0] == IngestError(str(first), read[0].reason) and read[0].reason.startswith(
        "cannot read: not a Parquet file (")
    assert read[1] == IngestError(str(parts / "part-000001.parquet"),
                                  "cannot read: partition format version 99; this readouts reads version 1")
    assert read[2:] == results[10:]
    assert skipped == Counter({".txt": 1})


def test_duckdb_runs_the_documented_queries(results: list, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    with partitions.Writer(tmp_path / "parts", rows=6) as writer:
        for item in results:
            writer.add(item)
    queries = [q.replace("FOLDER", str(tmp_path / "parts")) for q in re.findall(r"```sql\n(.*?)```", DOC, re.S)]
    assert len(queries) == 3
    extracted = [r for r in results if isinstance(r, Result)]
    modes = Counter(e.mode for r in extracted for e in r.readout.engagements)
    assert duckdb.sql(queries[0]).fetchall() == sorted(modes.items(), key=lambda x: (-x[1], x[0]))
    assert duckdb.sql(queries[1]).fetchall() == [(r.source, r.reason) for r in results if isinstance(r, IngestError)]
    rows = duckdb.sql(queries[2]).fetchall()  # by document; a document's engagements in any order
    expected = [(r.raw.id, e.date, sorted({p.country for p in e.participants if p.country}))
                for r in extracted for e in r.readout.engagements]
    assert sorted(rows, key=repr) == sorted(expected, key=repr)
    assert [row[0] for row in rows] == [r.raw.id for r in extracted for _ in r.readout.engagements]


@pytest.mark.parametrize("args, message", [
    (["--dask", "local:2", "--scheduler", "tcp://127.0.0.1:8786"], "give --scheduler or --dask, not both"),
    (["--dask", "local:2", "--jobs", "2"], "--jobs is for local processes"),
    (["--dask", "cluster"], "--dask takes local or local:N (N workers), not 'cluster'"),
    (["--dask", "local:0"], "--dask local:N needs 1 <= N <= 256, not 0"),
    (["--format", "parquet", "-o", "-"], "Parquet partitions cannot go to stdout"),
])
def test_flags_that_do_not_go_together(args: list[str], message: str, tmp_path: Path) -> None:
    argv = ["extract", str(ROOT / "examples"), *(["-o", str(tmp_path / "o.jsonl")] if "-o" not in args else []), *args]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_extract_into_a_folder_of_partitions_fails_clearly(results: list, tmp_path: Path) -> None:
    with partitions.Writer(tmp_path / "parts") as writer:
        writer.add(results[0])
    result = CliRunner().invoke(main, ["extract", str(ROOT / "examples"), "--format", "parquet",
                                       "-o", str(tmp_path / "parts")])
    assert result.exit_code == 2
    assert "already holds Parquet files" in result.output


def test_partitions_and_jsonl_from_one_run_agree(tmp_path: Path) -> None:
    """In process, --jobs 1: the partitions read back as the same JSONL (the cluster runs are in
    tests/test_cluster.py)."""
    runner = CliRunner()
    a = runner.invoke(main, ["extract", str(ROOT / "examples"), "-o", str(tmp_path / "a.jsonl"), "--no-progress"])
    b = runner.invoke(main, ["extract", str(ROOT / "examples"), "-o", str(tmp_path / "parts"), "--format",
                             "parquet", "--partition-size", "3", "--no-progress"])
    c = runner.invoke(main, ["extract", str(tmp_path / "parts"), "-o", str(tmp_path / "c.jsonl"), "--no-progress"])
    assert a.exit_code == b.exit_code == c.exit_code == 0, (a.output, b.output, c.output)
    assert (tmp_path / "c.jsonl").read_bytes() == (tmp_path / "a.jsonl").read_bytes()
    assert len(list((tmp_path / "parts").iterdir())) > 1
