"""readouts.web.frontdoor: the store's data version, the result memo and the static files."""
from __future__ import annotations

import gzip
import os
import threading
import time

import pytest

from readouts.web.frontdoor import Memo, StaticFiles, data_version


def test_data_version_follows_the_files(tmp_path):
    db = tmp_path / "x.db"
    assert data_version(db) is None
    db.write_bytes(b"a")
    first = data_version(db)
    assert first is not None and data_version(db) == first
    (tmp_path / "x.db-wal").write_bytes(b"wal")
    second = data_version(db)
    assert second != first
    os.utime(db, ns=(1, 1))
    assert data_version(db) != second


def test_memo_computes_once_per_version_and_once_under_concurrency(tmp_path):
    db = tmp_path / "x.db"
    db.write_bytes(b"a")
    memo = Memo(db)
    calls: list[tuple] = []

    def slow(conn, a, b):  # noqa: ANN001, ANN202
        calls.append((a, b))
        time.sleep(0.2)
        return a + b

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(memo(slow, None, 1, 2))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [3] * 8 and calls == [(1, 2)]
    assert memo(slow, None, 2, 2) == 4 and len(calls) == 2
    (tmp_path / "x.db-wal").write_bytes(b"changed")  # the store changed: computed again
    assert memo(slow, None, 1, 2) == 3 and len(calls) == 3


def test_memo_does_not_keep_failures(tmp_path):
    db = tmp_path / "x.db"
    db.write_bytes(b"a")
    memo = Memo(db)
    attempts = []

    def flaky(conn):  # noqa: ANN001, ANN202
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("first time")
        return "ok"

    with pytest.raises(ValueError):
        memo(flaky, None)
    assert memo(flaky, None) == "ok" and memo(flaky, None) == "ok" and len(attempts) == 2


def test_static_files_are_hashed_and_gzipped(tmp_path):
    (tmp_path / "a.css").write_text("body { color: red; }\n" * 200, encoding="utf-8")
    files = StaticFiles(tmp_path)
    url = files.url("a.css")
    digest = url.split("?v=")[1]
    status, headers, body = files.headers("a.css", digest, None, True)
    assert status == 200 and headers["Content-Encoding"] == "gzip" and "immutable" in headers["Cache-Control"]
    assert gzip.decompress(body) == (tmp_path / "a.css").read_bytes()
    assert files.headers("a.css", None, headers["ETag"], True)[0] == 304
    assert files.headers("a.css", "old", None, False)[1]["Cache-Control"].endswith("must-revalidate")
    assert files.headers("nope.css", None, None, True) is None
