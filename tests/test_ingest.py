"""Tests of readouts.ingest: files, folders, JSONL, encodings, limits and errors."""
from __future__ import annotations

import gzip
import io
import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readouts import ingest
from readouts.ingest import iter_inputs
from readouts.records import IngestError, RawDocument

READOUT = "Foreign Minister Alva Rendt met with Deputy Premier Koro Vashti in Tarsen on 3 May."
HTML = "<!DOCTYPE html><html><head><title>Talks</title></head><body><p>{}</p></body></html>"


def run(*paths: str | os.PathLike, max_bytes: int = ingest.DEFAULT_MAX_BYTES) -> list[RawDocument | IngestError]:
    return list(iter_inputs(list(paths), max_bytes=max_bytes))


def one(*paths: str | os.PathLike, **kw) -> RawDocument | IngestError:
    items = run(*paths, **kw)
    assert len(items) == 1, items
    return items[0]


def write_jsonl(path: Path, *lines: object) -> Path:
    """Each line a dict (dumped as JSON) or a str (written as is)."""
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


# --- single files ----------------------------------------------------------------

FILE_CASES = [
    # name, bytes, expected id, field, expected value, expected encoding
    ("000_abc.txt", READOUT.encode(), "000_abc", "text", READOUT, None),
    ("note.text", READOUT.encode(), "note", "text", READOUT, None),
    ("page.html", HTML.format(READOUT).encode(), "page", "html", HTML.format(READOUT), None),
    ("page.HTM", HTML.format(READOUT).encode(), "page", "html", HTML.format(READOUT), None),
    ("bom.txt", b"\xef\xbb\xbf" + READOUT.encode(), "bom", "text", READOUT, None),
    ("wide.txt", "\ufeffMinistre Élise Kovar à Genève.".encode("utf-16-le"), "wide", "text",
     "Ministre Élise Kovar à Genève.", "utf-16"),
    ("wide_be.txt", "\ufeffMinistre Élise Kovar à Genève.".encode("utf-16-be"), "wide_be", "text",
     "Ministre Élise Kovar à Genève.", "utf-16"),
    ("cancun.txt", "Envoy Dara Quell arrived in Cancún: “We agreed,” she said — ‘a good day’.".encode("cp1252"),
     "cancun", "text", "Envoy Dara Quell arrived in Cancún: “We agreed,” she said — ‘a good day’.", "cp1252"),
    ("latin.txt", "Déjà vu: Señor Núñez met the São Tomé delegation at the café.".encode("latin-1"),
     "latin", "text", "Déjà vu: Señor Núñez met the São Tomé delegation at the café.", "cp1252"),
    ("cyrillic.txt", "Министр иностранных дел провёл переговоры с коллегой в Москве.".encode("cp1251"),
     "cyrillic", "text", "Министр иностранных дел провёл переговоры с коллегой в Москве.", "cp1251"),
    ("meta.html", '<html><head><meta charset="windows-1252"></head><body>Cancún “talks”</body></html>'
     .encode("cp1252"), "meta", "html",
     '<html><head><meta charset="windows-1252"></head><body>Cancún “talks”</body></html>', "cp1252"),
    ("meta_latin1.html",
     '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head>'
     "<body>Genève</body></html>".encode("latin-1"), "meta_latin1", "html",
     '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head>'
     "<body>Genève</body></html>", "cp1252"),
    ("gz.txt.gz", gzip.compress(READOUT.encode()), "gz", "text", READOUT, None),
    ("v2.final.txt", READOUT.encode(), "v2.final", "text", READOUT, None),
]


@pytest.mark.parametrize(("name", "data", "doc_id", "field", "value", "encoding"), FILE_CASES,
                         ids=[c[0] for c in FILE_CASES])
def test_file_is_read(tmp_path, name, data, doc_id, field, value, encoding):
    path = tmp_path / name
    path.write_bytes(data)
    doc = one(path)
    assert isinstance(doc, RawDocument), doc
    assert doc.id == doc_id
    assert doc.source == str(path)
    assert getattr(doc, field) == value
    assert getattr(doc, "html" if field == "text" else "text") is None
    assert doc.metadata.get("encoding") == encoding


BAD_FILE_CASES = [
    ("empty.txt", b"", "empty document"),
    ("blank.txt", b"  \n\t\r\n  ", "empty document"),
    ("blank.html", b"\n\n   \n", "empty document"),
    ("bom_only.txt", b"\xef\xbb\xbf", "empty document"),
    ("blank16.txt", "\ufeff   \n".encode("utf-16-le"), "empty document"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)), "binary or undecodable file"),
    ("controls.txt", b"ab\x01\x02\x03\x04\x05cd\x06\x07\x08\x0e\x0f" * 20, "binary or undecodable file"),
    ("bad16.txt", b"\xff\xfeA\x00\x00\xd8", "binary or undecodable file"),  # lone surrogate after a BOM
    ("bad.txt.gz", b"this is not gzip data", "cannot read: corrupt gzip data"),
]


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILE_CASES, ids=[c[0] for c in BAD_FILE_CASES])
def test_bad_file_is_rejected(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    err = one(path)
    assert isinstance(err, IngestError), err
    assert err.source == str(path)
    assert err.reason.startswith(reason)
    assert err.id == ingest.classify(name)[2]


@pytest.mark.parametrize(("name", "data", "field"), [
    ("readme", READOUT.encode(), "text"),
    ("page.php", HTML.format(READOUT).encode(), "html"),
    ("fragment.dat", b"<div><p>Envoy Mira Tal spoke.</p><p>More.</p></div>", "html"),
    ("notes.md", b"# Notes\n<not html> just text", "text"),
])
def test_unknown_suffix_given_explicitly_is_sniffed(tmp_path, name, data, field):
    path = tmp_path / name
    path.write_bytes(data)
    doc = one(path)
    assert isinstance(doc, RawDocument)
    assert getattr(doc, field) == data.decode()
    assert doc.id == Path(name).stem


def test_unknown_binary_given_explicitly_is_rejected(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    assert one(path).reason == "binary or undecodable file"


@pytest.mark.parametrize("path", ["does/not/exist.txt", "missing_folder", "nope.jsonl"])
def test_nonexistent_path(tmp_path, path):
    err = one(tmp_path / path)
    assert err == IngestError(source=str(tmp_path / path), reason="no such file or directory")


def test_file_below_a_file_does_not_exist(tmp_path):
    (tmp_path / "a.txt").write_text(READOUT)
    assert one(tmp_path / "a.txt" / "b.txt").reason == "no such file or directory"


# --- folders ---------------------------------------------------------------------


def test_folder_walk_is_sorted_recursive_and_skips_other_suffixes(tmp_path):
    files = {
        "b.txt": READOUT,
        "a.html": HTML.format("Talks held."),
        "c.jsonl": json.dumps({"id": "c-1", "text": "First."}) + "\n" + json.dumps({"id": "c-2", "text": "Second."}),
        "sub/z.txt": "In the sub folder.",
        "sub/deeper/y.txt": "Deeper.",
        "aa/x.text": "Folder aa sorts before b.txt.",
        "image.png": "not read",
        "notes.md": "not read",
        "data.csv": "not read",
        "archive.gz": "not read",
        ".txt": "a dot file with no suffix: not read",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    docs = run(tmp_path)
    assert all(isinstance(d, RawDocument) for d in docs), docs
    assert [d.id for d in docs] == ["a", "x", "b", "c-1", "c-2", "y", "z"]
    assert [d.source for d in docs] == [
        os.path.join(tmp_path, "a.html"),
        os.path.join(tmp_path, "aa", "x.text"),
        os.path.join(tmp_path, "b.txt"),
        os.path.join(tmp_path, "c.jsonl") + ":1",
        os.path.join(tmp_path, "c.jsonl") + ":2",
        os.path.join(tmp_path, "sub", "deeper", "y.txt"),
        os.path.join(tmp_path, "sub", "z.txt"),
    ]


def test_paths_are_read_in_the_order_given(tmp_path):
    for name in ("one.txt", "two.txt"):
        (tmp_path / name).write_text(f"Text of {name}.")
    docs = run(tmp_path / "two.txt", tmp_path / "missing.txt", tmp_path / "one.txt")
    assert [getattr(d, "id", None) or d.reason for d in docs] == ["two", "no such file or directory", "one"]


def test_single_path_and_relative_source(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "r.txt").write_text(READOUT)
    monkeypatch.chdir(tmp_path)
    assert [d.source for d in iter_inputs("docs")] == [os.path.join("docs", "r.txt")]


def test_symlink_cycle_is_walked_once(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "r.txt").write_text(READOUT)
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    assert [d.id for d in run(tmp_path)] == ["r"]


def test_broken_symlink_and_fifo_in_folder_are_rejected(tmp_path):
    (tmp_path / "a.txt").write_text(READOUT)
    (tmp_path / "b.txt").symlink_to(tmp_path / "gone.txt")
    os.mkfifo(tmp_path / "c.txt")
    (tmp_path / "d.txt").write_text(READOUT)
    items = run(tmp_path)
    assert [type(i).__name__ for i in items] == ["RawDocument", "IngestError", "IngestError", "RawDocument"]
    assert items[1].reason == "cannot read: broken symbolic link"
    assert items[2].reason == "cannot read: not a regular file"


# --- unreadable files ------------------------------------------------------------


def test_unreadable_file_chmod(shared_tmp, unprivileged):
    """As a user file permissions apply to (``nobody`` when the tests run as root)."""
    path = shared_tmp / "locked.txt"
    path.write_text(READOUT)
    path.chmod(0)
    result = unprivileged("extract", path, "-o", "-", "--no-progress")
    assert result.returncode == 1
    assert f"rejected: {path}: cannot read: Permission denied" in result.stderr.splitlines()


@pytest.mark.parametrize(("exc", "reason"), [
    (PermissionError(13, "Permission denied"), "cannot read: Permission denied"),
    (IsADirectoryError(21, "Is a directory"), "cannot read: Is a directory"),
    (OSError(5, "Input/output error"), "cannot read: Input/output error"),
])
def test_unreadable_file_simulated(tmp_path, monkeypatch, exc, reason):
    (tmp_path / "a.txt").write_text(READOUT)
    (tmp_path / "b.txt").write_text(READOUT)
    (tmp_path / "c.txt").write_text(READOUT)
    real_open = open

    def fake_open(path, *args, **kwargs):
        if os.fspath(path).endswith("b.txt"):
            raise exc
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(ingest, "open", fake_open, raising=False)
    items = run(tmp_path)
    assert [getattr(i, "reason", i.id) for i in items] == ["a", reason, "c"]
    assert items[1].id == "b"


def test_read_error_midway_yields_error(tmp_path, monkeypatch):
    class Failing(io.BytesIO):
        def read(self, *args):
            raise OSError(5, "Input/output error")

    path = tmp_path / "a.txt"
    path.write_text(READOUT)
    monkeypatch.setattr(ingest, "open", lambda *a, **k: Failing(b""), raising=False)
    assert one(path).reason == "cannot read: Input/output error"


# --- JSONL -----------------------------------------------------------------------


def test_jsonl_fields_url_and_metadata(tmp_path):
    path = write_jsonl(
        tmp_path / "batch.jsonl",
        {"id": "007", "text": READOUT, "url": "https://mfa.example/r/7", "lang": "en", "tags": ["a", "b"]},
        {"id": 42, "html": HTML.format("Talks."), "published": "2024-05-03"},
        {"id": "meta", "text": "Plain.", "metadata": {"site": "mfa", "lang": "en"}},
        {"id": "blank-text", "text": "   ", "html": "<p>Only HTML.</p>", "url": None},
    )
    docs = run(path)
    assert docs == [
        RawDocument(id="007", source=f"{path}:1", text=READOUT, url="https://mfa.example/r/7",
                    metadata={"lang": "en", "tags": ["a", "b"]}),
        RawDocument(id="42", source=f"{path}:2", html=HTML.format("Talks."), metadata={"published": "2024-05-03"}),
        RawDocument(id="meta", source=f"{path}:3", text="Plain.", metadata={"site": "mfa", "lang": "en"}),
        RawDocument(id="blank-text", source=f"{path}:4", html="<p>Only HTML.</p>"),
    ]


@pytest.mark.parametrize("doc_id", ["007", "0", "a b", "Ünïcode-id", "x" * 300, "12345678901234567890"])
def test_jsonl_ids_preserved(tmp_path, doc_id):
    path = write_jsonl(tmp_path / "ids.jsonl", {"id": doc_id, "text": "Some text."})
    assert one(path).id == doc_id


BAD_LINE_CASES = [
    ('{"id": "x" "text": "y"}', "not valid JSON: Expecting ',' delimiter (col 12)", None),
    ('{"id": "x", "text": "unterminated', "not valid JSON: Unterminated string", None),
    ("[1, 2, 3]", "not a JSON object (got array)", None),
    ('"just a string"', "not a JSON object (got string)", None),
    ("17", "not a JSON object (got number)", None),
    ("null", "not a JSON object (got null)", None),
    ('{"text": "No id here."}', 'missing "id"', None),
    ('{"id": null, "text": "Null id."}', 'missing "id"', None),
    ('{"id": "", "text": "Empty id."}', 'empty "id"', None),
    ('{"id": true, "text": "Bool id."}', '"id" must be a string or an integer (got boolean)', None),
    ('{"id": 1.5, "text": "Float id."}', '"id" must be a string or an integer (got number)', None),
    ('{"id": "n1"}', 'missing "text" or "html"', "n1"),
    ('{"id": "n2", "text": null, "html": null}', 'missing "text" or "html"', "n2"),
    ('{"id": "n3", "text": 12}', '"text" must be a string (got number)', "n3"),
    ('{"id": "n4", "html": ["<p>"]}', '"html" must be a string (got array)', "n4"),
    ('{"id": "n5", "text": ""}', "empty document", "n5"),
    ('{"id": "n6", "text": " \\n\\t "}', "empty document", "n6"),
    ('{"id": "n7", "text": "Plain.", "html": "<p>Other.</p>"}', 'both "text" and "html": give one of them', "n7"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON", None),
]


@pytest.mark.parametrize(("line", "reason", "doc_id"), BAD_LINE_CASES, ids=[c[1][:40] for c in BAD_LINE_CASES])
def test_bad_jsonl_line_in_the_middle(tmp_path, line, reason, doc_id):
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        {"id": "before", "text": "Line one."},
        "",
        line,
        {"id": "after", "text": "Line four."},
    )
    items = run(path)
    assert [type(i).__name__ for i in items] == ["RawDocument", "IngestError", "RawDocument"], items
    before, err, after = items
    assert (before.id, before.source) == ("before", f"{path}:1")
    assert (after.id, after.source) == ("after", f"{path}:4")
    assert err.source == f"{path}:3"
    assert err.reason.startswith(f"line 3: {reason}"), err.reason
    assert err.id == doc_id


def test_jsonl_blank_and_crlf_lines(tmp_path):
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "One."}\r\n\r\n   \r\n{"id": "b", "text": "Two."}')
    docs = run(path)
    assert [(d.id, d.source) for d in docs] == [("a", f"{path}:1"), ("b", f"{path}:4")]


def test_jsonl_cp1252_line_is_decoded(tmp_path):
    path = tmp_path / "legacy.jsonl"
    path.write_bytes('{"id": "c", "text": "Talks in Cancún, “fruitful”."}\n'.encode("cp1252"))
    doc = one(path)
    assert doc.text == "Talks in Cancún, “fruitful”."
    assert doc.metadata == {"encoding": "cp1252"}


def test_jsonl_utf16(tmp_path):
    path = tmp_path / "wide.jsonl"
    lines = ['{"id": "w1", "text": "Première réunion."}', '{"id": "w2", "text": "Zweite Sitzung."}']
    path.write_bytes("\n".join(lines).encode("utf-16"))
    docs = run(path)
    assert [(d.id, d.text, d.source) for d in docs] == [
        ("w1", "Première réunion.", f"{path}:1"), ("w2", "Zweite Sitzung.", f"{path}:2")]


def test_jsonl_gzip(tmp_path):
    path = tmp_path / "batch.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "g1", "text": "Zipped."}\nnot json\n{"id": "g2", "text": "Also."}\n'))
    items = run(path)
    assert [getattr(i, "id", None) for i in items] == ["g1", None, "g2"]
    assert items[1].source == f"{path}:2"


@pytest.mark.parametrize(("content", "expected"), [
    ('[{"id": "a1", "text": "First."}, {"id": "a2", "text": "Second."}]',
     [("a1", "[0]"), ("a2", "[1]")]),
    ('{\n  "id": "p1",\n  "text": "Pretty printed."\n}\n', [("p1", ":1")]),
    ('{"id": "l1", "text": "One."}\n{"id": "l2", "text": "Two."}\n', [("l1", ":1"), ("l2", ":2")]),
    ('[{"id": "ok", "text": "Fine."}, 5, {"text": "no id"}]',
     [("ok", "[0]"), ("item 1: not a JSON object (got number)", "[1]"), ('item 2: missing "id"', "[2]")]),
])
def test_json_file_array_object_or_lines(tmp_path, content, expected):
    path = tmp_path / "data.json"
    path.write_text(content, encoding="utf-8")
    got = [(getattr(i, "reason", None) or i.id, i.source[len(str(path)):]) for i in run(path)]
    assert got == expected


# --- size limits -----------------------------------------------------------------

MB = 1_000_000


def make_big(path: Path, size: int) -> Path:
    """A sparse file of ``size`` bytes (cheap to create, not held in memory)."""
    with open(path, "wb") as f:
        f.write(b"Large text. ")
        f.truncate(size)
    return path


def test_oversized_file_rejected_between_neighbours(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(READOUT)
    make_big(tmp_path / "b.txt", 12 * MB)
    (tmp_path / "c.html").write_text(HTML.format(READOUT))
    reads: list[int] = []

    class Recording(io.FileIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    monkeypatch.setattr(ingest, "open", lambda path, mode: Recording(path, "r"), raising=False)
    items = run(tmp_path, max_bytes=10 * MB)
    assert [type(i).__name__ for i in items] == ["RawDocument", "IngestError", "RawDocument"]
    assert items[1] == IngestError(str(tmp_path / "b.txt"), "document too large: 12.0 MB > 10.0 MB limit", "b")
    assert reads and all(0 <= n <= 10 * MB + 1 for n in reads), reads  # never an unbounded read
    assert len(reads) == 2  # the big file was not read at all


def test_oversized_gzip_rejected_after_bounded_read(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    with gzip.open(path, "wb") as f:
        for _ in range(3):
            f.write(b"A" * MB)
    err = one(path, max_bytes=2 * MB)
    assert err.reason == "document too large: more than the 2.0 MB limit"


def test_file_exactly_at_the_limit_is_accepted(tmp_path):
    path = tmp_path / "edge.txt"
    path.write_bytes(b"x" * 1001)
    assert isinstance(one(path, max_bytes=1001), RawDocument)
    assert one(path, max_bytes=1000).reason == "document too large: 1,001 bytes > 1,000 bytes limit"


def test_oversized_jsonl_line_in_the_middle(tmp_path):
    path = tmp_path / "big.jsonl"
    with open(path, "wb") as f:
        f.write(b'{"id": "small-1", "text": "Before."}\n')
        f.write(b'{"id": "huge", "text": "' + b"y" * (12 * MB) + b'"}\n')
        f.write(b'{"id": "small-2", "text": "After."}\n')
        f.write(b'{"id": "huge-last", "text": "' + b"z" * (3 * MB) + b'"}')
    items = run(path, max_bytes=2 * MB)
    assert [type(i).__name__ for i in items] == ["RawDocument", "IngestError", "RawDocument", "IngestError"]
    assert (items[0].id, items[2].id, items[2].source) == ("small-1", "small-2", f"{path}:3")
    assert items[1].source == f"{path}:2"
    assert items[1].reason == "line 2: document too large: 12.0 MB > 2.0 MB limit"
    assert items[3].reason == "line 4: document too large: 3.0 MB > 2.0 MB limit"


LIMIT_LINE = b'{"id": "e", "text": "' + b"q" * 50 + b'"}'


@pytest.mark.parametrize(("content", "ending", "accepted"), [
    (LIMIT_LINE, b"\n", True),
    (LIMIT_LINE, b"\r\n", True),
    (LIMIT_LINE, b"", True),  # last line, no newline
    (b" " + LIMIT_LINE, b"\n", False),
    (b" " + LIMIT_LINE, b"\r\n", False),
    (b" " + LIMIT_LINE, b"", False),
])
def test_jsonl_line_at_the_limit(tmp_path, content, ending, accepted):
    path = tmp_path / "edge.jsonl"
    after = b'{"id": "n", "text": "Next."}\n'
    path.write_bytes(b'{"id": "p", "text": "Prev."}\n' + content + ending + (after if ending else b""))
    items = run(path, max_bytes=len(LIMIT_LINE))
    assert items[0].id == "p"
    assert isinstance(items[1], RawDocument) is accepted, items[1]
    assert len(items) == (3 if ending else 2)
    if ending:
        assert (items[2].id, items[2].source) == ("n", f"{path}:3")


def test_json_file_too_big_for_whole_mode_is_read_as_lines(tmp_path):
    path = tmp_path / "many.json"
    lines = [{"id": f"m{i}", "text": f"Document {i}."} for i in range(200)]
    write_jsonl(path, *lines)
    docs = run(path, max_bytes=1000)
    assert [d.id for d in docs] == [line["id"] for line in lines]


# --- stdin and arguments ---------------------------------------------------------


@pytest.mark.parametrize(("data", "expected"), [
    (b'{"id": "s1", "text": "From a pipe."}\n{"id": "s2", "text": "Two."}\n',
     [("s1", "<stdin>:1"), ("s2", "<stdin>:2")]),
    (READOUT.encode(), [("stdin", "<stdin>")]),
    (HTML.format("Piped page.").encode(), [("stdin", "<stdin>")]),
])
def test_stdin(monkeypatch, data, expected):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    assert [(d.id, d.source) for d in run("-")] == expected


def test_max_bytes_must_be_positive():
    with pytest.raises(ValueError):
        list(iter_inputs(["x.txt"], max_bytes=0))


def test_is_lazy(tmp_path):
    (tmp_path / "a.txt").write_text(READOUT)
    stream = iter_inputs([tmp_path / "a.txt", tmp_path / "missing"])
    assert next(stream).id == "a"


# --- properties ------------------------------------------------------------------

_texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1).filter(lambda s: s.strip())
_records = st.lists(st.fixed_dictionaries({"id": _texts, "text": _texts}), max_size=20)


@settings(max_examples=150, deadline=None)
@given(records=_records, ensure_ascii=st.booleans())
def test_jsonl_round_trip(tmp_path_factory, records, ensure_ascii):
    path = tmp_path_factory.mktemp("prop") / "r.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=ensure_ascii) + "\n" for r in records), encoding="utf-8")
    docs = run(path)
    assert all(isinstance(d, RawDocument) for d in docs), docs
    assert [(d.id, d.text) for d in docs] == [(r["id"], r["text"]) for r in records]
    assert [d.source for d in docs] == [f"{path}:{n}" for n in range(1, len(records) + 1)]


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000))
def test_never_raises_on_arbitrary_bytes(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    for name in ("x.txt", "x.html", "x.jsonl", "x.json", "x.bin"):
        (folder / name).write_bytes(data)
    items = run(folder, folder / "x.bin", max_bytes=1500)
    assert all(isinstance(i, RawDocument | IngestError) for i in items)


def test_gzipped_json_larger_than_the_limit_is_read_as_lines(tmp_path):
    path = tmp_path / "many.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for i in range(300):
            f.write(json.dumps({"id": i, "text": f"Document {i}."}) + "\n")
    docs = run(path, max_bytes=500)
    assert [d.id for d in docs] == [str(i) for i in range(300)]
    assert docs[-1].source == f"{path}:300"


# --- counting for the progress bar (issue 13, item 22) ----------------------------


def test_count_inputs_matches_what_iter_inputs_yields(tmp_path):
    from readouts.ingest import count_inputs

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("One.")
    (folder / "b.html").write_text("<p>Two.</p>")
    (folder / "notes.md").write_text("skipped")
    (folder / "sub" / "c.txt").write_text("")  # empty: a rejection, counted too
    (folder / "sub" / "d.jsonl").write_text('{"id": 1, "text": "x"}\n\n{"id": 2, "text": "y"}\nnot json\n')
    assert count_inputs([folder]) == len(list(iter_inputs([folder]))) == 6
    assert count_inputs([folder / "a.txt", folder / "sub" / "d.jsonl"]) == 4
    assert count_inputs([tmp_path / "missing.txt"]) == 1
    (folder / "e.jsonl.gz").write_bytes(b"")
    assert count_inputs([folder]) is None  # gzip: not known without reading it
    assert count_inputs(["-"]) is None
