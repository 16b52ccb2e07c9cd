"""Extraction on Dask (``--dask local:N``, ``--scheduler``) and the Parquet partitions it writes.

Real clusters: a LocalCluster of worker processes that the CLI starts, and one the test
starts whose scheduler address the CLI is given. The outputs are compared byte for byte
with ``--jobs 1``, on the repository's examples and, when the shared evaluation set is
there, on the first documents of each of its dev files (copied to a temporary folder only).
Bad input (a JSONL line that is not JSON, a record with no text, a binary file) is in every
run and must be reported the same, by file and line, while the rest goes on.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import readouts_command, run_cli

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
EVAL_LINES = 40  # documents taken from each dev file: enough for several chunks per worker
CHUNK_SIZE = 64  # readouts.cluster.CHUNK_SIZE: the inputs must span more than one chunk


def _inputs(folder: Path) -> list[Path]:
    """examples/, a file of bad input, and the head of each dev set when it is there."""
    folder.mkdir()
    bad = folder / "bad.jsonl"
    bad.write_text(
        '{"id": "ok-1", "text": "On May 5, 2023, Foreign Minister Ana Lopes of Portugal met with Foreign '
        'Minister Jonas Petraitis of Lithuania in Vilnius."}\n'
        "{not json\n"
        '{"id": "no-text"}\n'
        '{"id": "ok-2", "text": "President Liis Tamm of Estonia held a phone call with President Anders '
        'Lund of Denmark on June 2, 2022."}\n', encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    inputs = [ROOT / "examples", bad, folder / "binary.txt"]
    for dev in sorted(EVAL.glob("*dev*.jsonl")) if EVAL.is_dir() else ():
        if ".gold." in dev.name:
            continue
        head = folder / dev.name
        with dev.open(encoding="utf-8") as src:
            head.write_text("".join(line for _, line in zip(range(EVAL_LINES), src)), encoding="utf-8")
        inputs.append(head)
    return inputs


def _rejections(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("rejected: ")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``--jobs 1`` and ``--dask local:2`` to JSONL, and ``--scheduler`` to partitions."""
    from distributed import LocalCluster

    tmp = tmp_path_factory.mktemp("cluster")
    inputs = _inputs(tmp / "in")
    out = {"tmp": tmp, "inputs": inputs}
    out["local"] = run_cli("extract", *inputs, "-o", tmp / "local.jsonl", "--jobs", "1")
    out["dask"] = run_cli("extract", *inputs, "-o", tmp / "dask.jsonl", "--dask", "local:2")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out["scheduler"] = run_cli("extract", *inputs, "-o", tmp / "parts", "--format", "parquet",
                                   "--partition-size", "50", "--scheduler", cluster.scheduler_address)
    out["reread"] = run_cli("extract", tmp / "parts", "-o", tmp / "reread.jsonl")
    return out


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_bytes_as_jobs_1(runs: dict) -> None:
    tmp, local, dask = runs["tmp"], runs["local"], runs["dask"]
    assert local.returncode == dask.returncode == 1, (local.stderr, dask.stderr)  # 1: some input rejected
    expected = (tmp / "local.jsonl").read_bytes()
    lines = expected.decode().splitlines()
    assert len(lines) > 2 * CHUNK_SIZE or not EVAL.is_dir()
    assert (tmp / "dask.jsonl").read_bytes() == expected
    assert re.search(r"^dask: 2 workers, 2 threads at tcp://", dask.stderr, re.M)
    assert _rejections(dask.stderr) == _rejections(local.stderr)
    summary = re.compile(r"^(\d+) documents written to .*, (\d+) rejected$", re.M)
    assert summary.search(dask.stderr).groups() == summary.search(local.stderr).groups() == (str(len(lines)), "3")


@pytest.mark.slow
def test_bad_input_is_reported_by_file_and_line_and_the_rest_goes_on(runs: dict) -> None:
    tmp = runs["tmp"]
    for name in ("local", "dask", "scheduler"):
        rejected = _rejections(runs[name].stderr)
        bad, binary = tmp / "in" / "bad.jsonl", tmp / "in" / "binary.txt"
        assert rejected == [
            f"rejected: {bad}:2: line 2: not valid JSON: Expecting property name enclosed in double quotes (col 2)",
            f"rejected: {bad}:3 [no-text]: line 3: missing \"text\" or \"html\"",
            f"rejected: {binary}: binary or undecodable file",
        ], name
    ids = [json.loads(x)["id"] for x in (tmp / "dask.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ids[ids.index("ok-1") + 1] == "ok-2"  # the lines after a bad one are extracted


@pytest.mark.slow
def test_partitions_from_a_scheduler_read_back_to_the_same_bytes(runs: dict) -> None:
    tmp, local, scheduler, reread = runs["tmp"], runs["local"], runs["scheduler"], runs["reread"]
    assert scheduler.returncode == reread.returncode == 1, (scheduler.stderr, reread.stderr)
    parts = sorted(p.name for p in (tmp / "parts").iterdir())
    n = int(re.search(r"^(\d+) documents written", local.stderr, re.M).group(1)) + 3  # + the rejections
    assert parts == [f"part-{i:06d}.parquet" for i in range(-(-n // 50))]
    assert (tmp / "reread.jsonl").read_bytes() == (tmp / "local.jsonl").read_bytes()
    assert _rejections(reread.stderr) == _rejections(local.stderr)  # the rejections are kept too
    assert "dask:" not in reread.stderr  # read back, not extracted: no cluster


def _dump(db: Path) -> dict[str, list]:
    """Every row of every table, but the times of the run."""
    times = {"ingested_at", "first_seen", "at"}
    con = sqlite3.connect(db)
    try:
        out = {}
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            columns = [r[1] for r in con.execute(f"PRAGMA table_info('{table}')") if r[1] not in times]
            if columns:
                cols = ", ".join(f'"{c}"' for c in columns)
                out[table] = con.execute(f'SELECT {cols} FROM "{table}" ORDER BY {cols}').fetchall()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def small_local_db(runs: dict) -> Path:
    """The examples and the bad input ingested in one process: what the other ingests must equal."""
    db = runs["tmp"] / "small-local.db"
    local = run_cli("ingest", *runs["inputs"][:3], "--db", db)
    assert local.returncode == 1, local.stderr
    runs["small-local"] = local
    return db


@pytest.mark.slow
def test_ingest_on_a_local_cluster_stores_what_a_local_ingest_stores(runs: dict, small_local_db: Path) -> None:
    tmp, inputs = runs["tmp"], runs["inputs"][:3]
    dask = run_cli("ingest", *inputs, "--db", tmp / "small-dask.db", "--dask", "local:2")
    assert dask.returncode == 1, dask.stderr
    assert dask.stdout == runs["small-local"].stdout  # "documents: N new, ...; rejected: 2" and the reasons
    a = _dump(small_local_db)
    assert a["documents"] and a["engagements"] and a["rejections"]
    assert _dump(tmp / "small-dask.db") == a


@pytest.mark.slow
def test_ingesting_partitions_stores_what_a_local_ingest_stores(runs: dict, small_local_db: Path) -> None:
    tmp, inputs = runs["tmp"], runs["inputs"][:3]
    made = run_cli("extract", *inputs, "-o", tmp / "small-parts", "--format", "parquet", "--partition-size", "4")
    parts = run_cli("ingest", tmp / "small-parts", "--db", tmp / "small-parts.db", "--dask", "local:2")
    assert made.returncode == parts.returncode == 1, (made.stderr, parts.stderr)
    assert parts.stdout == runs["small-local"].stdout
    assert "dask:" not in parts.stderr  # read back, not extracted: no cluster is started
    assert _dump(tmp / "small-parts.db") == _dump(small_local_db)
    again = run_cli("ingest", tmp / "small-parts", "--db", tmp / "small-parts.db")  # a second time: nothing new
    assert re.search(r"^documents: 0 new, \d+ already present", again.stdout, re.M), again.stdout


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    result = subprocess.run(readouts_command("extract", ROOT / "examples", "-o", tmp_path / "out.jsonl",
                                             "--scheduler", f"tcp://127.0.0.1:{port}"),
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"readouts: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}: ")


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_nothing(tmp_path: Path) -> None:
    """A worker process dies (SIGKILL) while it extracts: with no retries allowed, its chunk
    fails with KilledWorker, is run again one document at a time elsewhere, and the results
    are still all there, in order, the same as in one process."""
    import logging
    import signal

    import dask
    from distributed import Client, LocalCluster

    from readouts import cluster
    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result, run

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
    lines = [json.dumps({"id": f"copy-{i}", "text": texts[i % len(texts)]}) for i in range(12 * len(texts))]
    (tmp_path / "many.jsonl").write_text("\n".join(lines[:5] + ["{broken"] + lines[5:]) + "\n", encoding="utf-8")
    items = list(iter_inputs([tmp_path / "many.jsonl"]))

    def shown(results: list) -> list:
        return [r.readout.as_json() if isinstance(r, Result) else (r.source, r.reason) for r in results]

    expected = shown(list(run(items)))
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                         silence_logs=logging.CRITICAL) as local, Client(local) as client:
        pids = list(client.run(os.getpid).values())
        stream = cluster.run(items, client, chunk_size=4, in_flight=40)
        out = [next(stream)]
        os.kill(pids[0], signal.SIGKILL)
        out.extend(stream)
    assert shown(out) == expected
    assert len(expected) == len(lines) + 1 and (str(tmp_path / "many.jsonl") + ":6", "line 6: not valid JSON: "
                                    "Expecting property name enclosed in double quotes (col 2)") in expected


@pytest.mark.slow
def test_workers_that_join_later_get_the_work(tmp_path: Path) -> None:
    """A scheduler with no workers yet (a Slurm job still queued): the run says so, waits, and
    finishes when a worker joins, with the output of one process."""
    import logging

    from distributed import LocalCluster

    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result, run

    expected = "".join(r.readout.as_json() + "\n" for r in run(iter_inputs([ROOT / "examples"]))
                       if isinstance(r, Result))
    with LocalCluster(n_workers=0, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.CRITICAL) as local:
        proc = subprocess.Popen(readouts_command("extract", ROOT / "examples", "-o", tmp_path / "out.jsonl",
                                                 "--scheduler", local.scheduler_address),
                                stderr=subprocess.PIPE, text=True)
        try:
            first = [proc.stderr.readline(), proc.stderr.readline()]
            assert re.match(r"dask: 0 workers, 0 threads at tcp://", first[0]), first
            assert first[1] == "dask: the scheduler has no workers yet; the work waits for them\n"
            local.scale(1)
            rest = proc.communicate(timeout=120)[1]
        finally:
            proc.kill()
    assert proc.returncode == 0, rest
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == expected
