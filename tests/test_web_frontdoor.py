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


def test_shared_cache_round_trip(tmp_path):
    from readouts.web.frontdoor import Cached, SharedCache

    cache = SharedCache(tmp_path, max_files=3)
    entry = Cached(200, [(b"content-type", b"text/html; charset=utf-8"), (b"x", b"\xe9")], b"\x00body\nmore")
    cache.put(("/", b"q=1", True, (1, 2, 3, 4)), entry)
    assert cache.get(("/", b"q=1", True, (1, 2, 3, 4))) == entry
    assert cache.get(("/", b"q=1", True, (1, 2, 3, 5))) is None  # another store version
    for i in range(5):
        cache.put(("/", str(i).encode(), True, ()), entry)
    assert len(list(tmp_path.iterdir())) <= 4  # a full folder takes no more (counted now and then)


def test_workers_share_responses(tmp_path):
    """Two servers (as the workers of ``serve --workers 2``) over one store and one cache folder."""
    httpx = pytest.importorskip("httpx")
    from web_server import Server, build_database

    db = build_database(tmp_path)
    shared = tmp_path / "cache"
    shared.mkdir()
    with Server(db, shared) as a, Server(db, shared) as b:
        first = httpx.get(a.url + "/network?since=2024", timeout=20)
        assert first.status_code == 200 and len(list(shared.iterdir())) == 1
        second = httpx.get(b.url + "/network?since=2024", timeout=20)
        assert second.content == first.content and len(list(shared.iterdir())) == 1


def test_shared_cache_has_a_byte_budget(tmp_path):
    from readouts.web.frontdoor import Cached, SharedCache

    cache = SharedCache(tmp_path, max_files=100, max_bytes=5000)
    for i in range(30):
        cache.put(("/", str(i).encode(), True, ()), Cached(200, [], b"x" * 1000))
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) < 5000 + 10 * 1100  # checked every 10 writes
