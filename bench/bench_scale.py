"""Does ingesting stay as fast, and memory flat, as one store grows to many documents?

    python bench/bench_scale.py [--batch 5000] [--minutes 20] [--max-docs 1000000] [--json FILE]

Generates unique, real-looking readouts (invented officials of 60 states, whose foreign
ministers, presidents and prime ministers change every few years; eight publishing ministries
with their own wording; calls, meetings, visits and video calls from 2000 on, with cities,
issues and statements; a second ministry's report of about one event in five, and a wire copy of
about one document in thirty) and ingests them into ONE store in batches of ``--batch``
documents, each batch as ``readouts ingest FILE --db STORE`` in a child process, exactly as a
user runs it (extraction, writing, near-duplicate groups, actor registry, event links). It stops
after the batch that passes ``--minutes`` of wall time or reaches ``--max-docs`` documents.

For each batch it reports: the documents in the store after it, the batch's ingest rate
(documents/s of the child's wall time, and per CPU second: the machine is shared, and other
work only ever adds wall time), the store's size per document (the database file with
its WAL), the child's peak RSS, and the time of the read commands on the store of that size,
run through the CLI in this process (``CliRunner``, so Python's start-up is not counted):
``query`` with no filter, a dyad (``--country A --country B``), an actor (``--actor NAME``) and
full text (``--text WORD``), ``actors``, ``duplicates`` and ``export --format parquet``.

The criterion (issue 14): the last batch's ingest rate is at least 80% of the first's, and peak
memory is flat. Figures depend on the machine; it prints them and exits 0.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# (state name, demonym, ISO3, capital): the publishers first
STATES = [
    ("China", "Chinese", "CHN", "Beijing"), ("the United States", "U.S.", "USA", "Washington"),
    ("Russia", "Russian", "RUS", "Moscow"), ("India", "Indian", "IND", "New Delhi"),
    ("Japan", "Japanese", "JPN", "Tokyo"), ("Germany", "German", "DEU", "Berlin"),
    ("Australia", "Australian", "AUS", "Canberra"), ("the United Kingdom", "British", "GBR", "London"),
    ("France", "French", "FRA", "Paris"), ("Brazil", "Brazilian", "BRA", "Brasilia"),
    ("Egypt", "Egyptian", "EGY", "Cairo"), ("Kenya", "Kenyan", "KEN", "Nairobi"),
    ("Nigeria", "Nigerian", "NGA", "Abuja"), ("South Africa", "South African", "ZAF", "Pretoria"),
    ("Mexico", "Mexican", "MEX", "Mexico City"), ("Argentina", "Argentine", "ARG", "Buenos Aires"),
    ("Chile", "Chilean", "CHL", "Santiago"), ("Peru", "Peruvian", "PER", "Lima"),
    ("Colombia", "Colombian", "COL", "Bogota"), ("Canada", "Canadian", "CAN", "Ottawa"),
    ("Italy", "Italian", "ITA", "Rome"), ("Spain", "Spanish", "ESP", "Madrid"),
    ("Poland", "Polish", "POL", "Warsaw"), ("Sweden", "Swedish", "SWE", "Stockholm"),
    ("Norway", "Norwegian", "NOR", "Oslo"), ("Finland", "Finnish", "FIN", "Helsinki"),
    ("Greece", "Greek", "GRC", "Athens"), ("Turkey", "Turkish", "TUR", "Ankara"),
    ("Iran", "Iranian", "IRN", "Tehran"), ("Saudi Arabia", "Saudi", "SAU", "Riyadh"),
    ("Qatar", "Qatari", "QAT", "Doha"), ("Jordan", "Jordanian", "JOR", "Amman"),
    ("Pakistan", "Pakistani", "PAK", "Islamabad"), ("Bangladesh", "Bangladeshi", "BGD", "Dhaka"),
    ("Indonesia", "Indonesian", "IDN", "Jakarta"), ("Malaysia", "Malaysian", "MYS", "Kuala Lumpur"),
    ("Thailand", "Thai", "THA", "Bangkok"), ("Vietnam", "Vietnamese", "VNM", "Hanoi"),
    ("the Philippines", "Philippine", "PHL", "Manila"), ("Singapore", "Singaporean", "SGP", "Singapore"),
    ("New Zealand", "New Zealand", "NZL", "Wellington"), ("Kazakhstan", "Kazakh", "KAZ", "Astana"),
    ("Uzbekistan", "Uzbek", "UZB", "Tashkent"), ("Mongolia", "Mongolian", "MNG", "Ulaanbaatar"),
    ("Ethiopia", "Ethiopian", "ETH", "Addis Ababa"), ("Ghana", "Ghanaian", "GHA", "Accra"),
    ("Senegal", "Senegalese", "SEN", "Dakar"), ("Morocco", "Moroccan", "MAR", "Rabat"),
    ("Algeria", "Algerian", "DZA", "Algiers"), ("Tanzania", "Tanzanian", "TZA", "Dodoma"),
    ("Angola", "Angolan", "AGO", "Luanda"), ("Namibia", "Namibian", "NAM", "Windhoek"),
    ("Hungary", "Hungarian", "HUN", "Budapest"), ("Austria", "Austrian", "AUT", "Vienna"),
    ("the Netherlands", "Dutch", "NLD", "The Hague"), ("Belgium", "Belgian", "BEL", "Brussels"),
    ("Portugal", "Portuguese", "PRT", "Lisbon"), ("Ireland", "Irish", "IRL", "Dublin"),
    ("Serbia", "Serbian", "SRB", "Belgrade"), ("Cuba", "Cuban", "CUB", "Havana"),
]
PUBLISHERS = 8
POSTS = ["Foreign Minister", "President", "Prime Minister"]
GIVEN = ["Lin", "Karim", "Anna", "Marek", "Sofia", "Tomas", "Amina", "Jorge", "Elena", "Kofi", "Ines", "Ravi",
         "Mei", "Oskar", "Leila", "Pablo", "Nadia", "Henrik", "Yara", "Daniel", "Chiara", "Emeka", "Sara", "Ivan"]
FAMILY = ["Haoran", "Abdel-Latif", "Kowalczyk", "Lindqvist", "Moreau", "Okafor", "Castillo", "Varga", "Tanaka",
          "Mensah", "Ferreira", "Rahman", "Novak", "Ortiz", "Haddad", "Petrov", "Nyberg", "Silva", "Kimura",
          "Osei", "Rossi", "Dimitrov", "Halvorsen", "Mbeki", "Quispe", "Sato", "Weber", "Yilmaz", "Zhou", "Ali"]
MODES = [("held a telephone conversation with", "Holds Phone Call with"),
         ("held talks with", "Holds Talks with"), ("met with", "Meets"),
         ("held a video call with", "Holds Video Call with")]
ISSUES = ["trade and investment", "energy security", "climate change", "food security", "public health",
          "the digital economy", "maritime cooperation", "counter-terrorism", "education and culture",
          "infrastructure", "fisheries", "critical minerals", "tourism", "agriculture", "space cooperation",
          "nuclear safety", "migration", "water resources", "peacekeeping", "customs and logistics"]
STATEMENTS = [
    "{a} said that {A} attaches great importance to its relations with {B} and stands ready to deepen {issue}.",
    "{b} said that {B} appreciates the support of {A} and hopes to expand cooperation on {issue} and {issue2}.",
    "The two sides exchanged views on {issue} and on regional and international issues of common concern.",
    "{a} noted that the partnership between {A} and {B} has grown steadily and called for progress on {issue}.",
    "{b} briefed {a} on the situation in {region} and the efforts of {B} on {issue}.",
    "Both sides agreed to maintain close communication and to prepare the next round of consultations on {issue}.",
    "{a} welcomed the signing of agreements on {issue} and {issue2} during the visit.",
    "{b} expressed condolences over the recent floods in {A} and offered assistance.",
    "The ministers discussed the situation in {region} and agreed that dialogue is the only way forward.",
    "{a} invited {b} to visit {A} at a mutually convenient time, and {b} accepted the invitation with pleasure.",
    "The two sides reaffirmed their commitment to the multilateral trading system and to cooperation on {issue}.",
    "{b} said that {B} is ready to work with {A} to implement the outcomes of the joint commission on {issue}.",
]
REGIONS = ["the Middle East", "the Sahel", "the Korean Peninsula", "the Red Sea", "the South Caucasus",
           "the Horn of Africa", "the Western Balkans", "the Andes", "the South Pacific", "Central Asia"]


def official(rng_seed: int, state: int, post: int, year: int) -> str:
    """The name of a state's holder of a post in a year (holders change every four to six years)."""
    term = (year - 2000 + state % 5) // (4 + (state + post) % 3)
    r = random.Random(rng_seed * 1_000_003 + state * 101 + post * 7 + term)
    return f"{r.choice(GIVEN)} {r.choice(FAMILY)}"


def readout_text(rng: random.Random, seed: int, pub: int, other: int, day: date, mode: int, post: int,
                 visit: bool) -> tuple[str, str]:
    """(title, text) of one ministry's readout of one engagement."""
    A, _, _, a_capital = STATES[pub]
    B, b_dem, _, b_capital = STATES[other]
    a_title = POSTS[post]
    a = official(seed, pub, post, day.year)
    b = official(seed, other, post, day.year)
    verb, headline = MODES[mode]
    if visit:
        verb, headline = "held talks with", "Holds Talks with"
    title = f"{a_title} {a} {headline} {b_dem} {a_title} {b}"
    where = f" in {a_capital}" if visit and mode != 0 else (f" in {b_capital}" if mode == 2 else "")
    lead = (f"On {day.strftime('%B')} {day.day}, {day.year}, {a_title} {a} {verb} {b_dem} {a_title} {b}{where}"
            + (" at the latter's request." if mode == 0 and rng.random() < 0.4 else "."))
    body = []
    for template in rng.sample(STATEMENTS, rng.randint(3, 6)):
        issue, issue2 = rng.sample(ISSUES, 2)
        body.append(template.format(a=a, b=b, A=A, B=B, issue=issue,
                                    issue2=issue2, region=rng.choice(REGIONS)))
    text = f"{title}\n{day.isoformat()}\n\n{lead}\n\n" + "\n\n".join(body)
    return title, text


def generate(seed: int, start: int, count: int) -> list[dict]:
    """Documents ``start`` .. ``start + count - 1`` of the stream (the same for a seed)."""
    out: list[dict] = []
    i = start
    while len(out) < count:
        rng = random.Random(seed * 7_919 + i)
        pub = rng.randrange(PUBLISHERS)
        other = rng.choice([s for s in range(len(STATES)) if s != pub])
        day = date(2000, 1, 1) + timedelta(days=rng.randrange(26 * 365))
        mode, post, visit = rng.randrange(len(MODES)), rng.choice((0, 0, 0, 1, 2)), rng.random() < 0.15
        _, text = readout_text(rng, seed, pub, other, day, mode, post, visit)
        host = STATES[pub][2].lower()
        out.append({"id": f"g{i}", "text": text, "url": f"https://www.mfa.{host}.example/news/{day.year}/{i}.html"})
        if other < PUBLISHERS and rng.random() < 0.2:  # the other ministry's report of the same event
            _, text2 = readout_text(rng, seed, other, pub, day + timedelta(days=rng.choice((0, 1))), mode, post,
                                    visit)
            out.append({"id": f"g{i}-b", "text": text2,
                        "url": f"https://www.mfa.{STATES[other][2].lower()}.example/news/{day.year}/{i}b.html"})
        if rng.random() < 1 / 30:  # a wire service's copy with its own boilerplate
            out.append({"id": f"g{i}-wire", "text": f"NEWS WIRE ({STATES[pub][3]}) --\n\n{text}\n\n(Reporting by staff; "
                        f"editing by desk {rng.randrange(90)})"})
        i += 1
    return out[:count]


def _peak_child(cmd: list[str]) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MB, exit status) of a child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 2):  # 2: some inputs rejected
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    return time.perf_counter() - t, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def _timed_cli(runner, main, args: list[str]) -> float:  # noqa: ANN001 - click objects
    t = time.perf_counter()
    result = runner.invoke(main, args, catch_exceptions=False)
    elapsed = time.perf_counter() - t
    if result.exit_code != 0:
        raise SystemExit(f"readouts {' '.join(args)} failed: {result.output[-2000:]}")
    return elapsed


def read_times(db: Path, tmp: Path, seed: int) -> dict[str, float]:
    from click.testing import CliRunner

    from readouts.cli import main

    runner = CliRunner()
    actor = official(seed, 0, 0, 2015)
    d = ["--db", str(db)]
    out = {
        "query": _timed_cli(runner, main, ["query", *d]),
        "query dyad": _timed_cli(runner, main, ["query", *d, "--country", "CHN", "--country", "KEN"]),
        "query actor": _timed_cli(runner, main, ["query", *d, "--actor", actor]),
        "query text": _timed_cli(runner, main, ["query", *d, "--text", "fisheries"]),
        "actors": _timed_cli(runner, main, ["actors", *d, "--format", "json"]),
        "duplicates": _timed_cli(runner, main, ["duplicates", *d, "--format", "json"]),
        "export parquet": _timed_cli(runner, main, ["export", *d, "--format", "parquet", "-o", str(tmp / "x.parquet")]),
    }
    return {k: round(v, 3) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=5000, help="documents per ingest (default 5000)")
    ap.add_argument("--minutes", type=float, default=20.0, help="stop after the batch that passes this wall time")
    ap.add_argument("--max-docs", type=int, default=1_000_000, help="stop at this many documents (up to 1,000,000)")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--db", help="the store to grow (default: a temporary file, removed at the end)")
    ap.add_argument("--start-docs", type=int, default=0, metavar="N",
                    help="the --db already holds the first N documents of an earlier run (same --seed): go on from there")
    ap.add_argument("--no-reads", action="store_true", help="time the ingests only")
    ap.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE")
    args = ap.parse_args(argv)
    if not 0 < args.max_docs <= 1_000_000:
        ap.error("--max-docs must be between 1 and 1,000,000")
    readouts_cmd = [sys.executable, "-m", "readouts"]
    rows: list[dict] = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = Path(args.db) if args.db else tmp / "scale.db"
        done = args.start_docs
        header = False
        while done < args.max_docs and time.perf_counter() - began < args.minutes * 60:
            n = min(args.batch, args.max_docs - done)
            batch = tmp / "batch.jsonl"
            with batch.open("w", encoding="utf-8") as f:
                for record in generate(args.seed, done, n):
                    f.write(json.dumps(record, ensure_ascii=False) + "\n")
            seconds, cpu, peak, _ = _peak_child([*readouts_cmd, "ingest", str(batch), "--db", str(db), "--no-progress"])
            done += n
            size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())
            row = {"documents": done, "ingest_s": round(seconds, 1), "docs_per_s": round(n / seconds, 1),
                   "cpu_s": round(cpu, 1), "docs_per_cpu_s": round(n / cpu, 1),
                   "bytes_per_doc": round(size / done), "peak_rss_mb": round(peak, 1)}
            if not args.no_reads:
                row.update(read_times(db, tmp, args.seed))
            rows.append(row)
            if not header:
                print(" ".join(f"{k:>14}" for k in row), flush=True)
                header = True
            print(" ".join(f"{v:>14}" for v in row.values()), flush=True)
    first, last = rows[0]["docs_per_s"], rows[-1]["docs_per_s"]
    cpu_ratio = rows[-1]["docs_per_cpu_s"] / rows[0]["docs_per_cpu_s"]
    print(f"last batch's rate / first's: {last / first:.2f} wall, {cpu_ratio:.2f} CPU (criterion >= 0.80); "
          f"peak RSS {rows[0]['peak_rss_mb']} -> {rows[-1]['peak_rss_mb']} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
