#!/usr/bin/env python3
"""Throughput and memory benchmark of the extraction pipeline.

A report, not a test: it prints figures and the targets they are judged against
(>= 1,000 documents per second per core; peak memory < 300 MB however many documents),
and exits 0 whatever they are (1 only with --check when a target is missed).

    python bench/bench_extract.py                 # 10,000 documents, one process
    python bench/bench_extract.py --docs 50000 --jobs 4 --json
    python bench/bench_extract.py --input dev2 --against f449ee8   # this tree vs a revision, one run

With ``--against REV`` the same input is run, alternately, by this source tree and by the
source tree of git revision REV (both as plain Python from their ``src/``, so that a compiled
install does not favour one side), and the report gives both and their ratio.

The input is eval/dev.jsonl (beside the repository, in shared/eval) repeated with ids
suffixed, or, when that is absent, the repository's examples/ texts repeated. It is
written to a temporary JSONL file and run the way ``readouts extract`` runs it:
``readouts.ingest.iter_inputs`` + ``readouts.pipeline.run``, each
``readout.as_json()`` written to a file. Each measured run is
a fresh child process, so its peak RSS (``ru_maxrss``) is its own; a second run over
twice as many documents shows whether memory grows with the input.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_JSONL = REPO.parent / "shared" / "eval" / "dev.jsonl"
EXAMPLES = REPO / "examples"
TARGET_DOCS_PER_SEC_PER_CORE = 1000.0
TARGET_PEAK_MB = 300.0
# Fields of dev.jsonl an extractor must not read.
HIDDEN_FIELDS = ("duplicate_of",)


# --- input ----------------------------------------------------------------------------


def _dev_records(path: Path) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out.append({k: v for k, v in rec.items() if k not in HIDDEN_FIELDS})
    return out


def _example_records(folder: Path) -> list[dict]:
    out: list[dict] = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".txt":
            out.append({"id": path.stem, "text": path.read_text(encoding="utf-8")})
        elif path.suffix in (".html", ".htm"):
            out.append({"id": path.stem, "html": path.read_text(encoding="utf-8")})
        elif path.suffix == ".jsonl":
            out.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return out


def source_records(name: str = "dev") -> tuple[str, list[dict]]:
    """The documents to repeat (``name``: an evaluation set beside the repository, or a
    JSONL path), and a label saying where they come from."""
    path = Path(name) if name.endswith(".jsonl") else DEV_JSONL.with_name(f"{name}.jsonl")
    if path.exists():
        return str(path), _dev_records(path)
    if name not in ("dev",):
        sys.exit(f"bench: no input {path}")
    records = _example_records(EXAMPLES)
    if not records:
        sys.exit(f"bench: no input: neither {DEV_JSONL} nor documents in {EXAMPLES}")
    return str(EXAMPLES), records


def repeated(records: list[dict], n_docs: int) -> Iterator[dict]:
    """``n_docs`` records cycling through ``records``, ids suffixed with the round number."""
    for i in range(n_docs):
        round_, k = divmod(i, len(records))
        rec = dict(records[k])
        rec["id"] = f"{rec['id']}-r{round_}"
        yield rec


def write_input(records: list[dict], n_docs: int, path: Path) -> int:
    """Write the benchmark input; returns its size in bytes."""
    with path.open("w", encoding="utf-8") as fh:
        for rec in repeated(records, n_docs):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path.stat().st_size


# --- one measured run (in a child process) --------------------------------------------


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _kb_to_mb(kb: float) -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024


def measure(input_path: Path, output_path: Path, jobs: int) -> dict:
    """Run the pipeline over ``input_path`` as ``readouts extract`` does; return the figures."""
    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result, run

    written = rejected = 0
    cpu0, wall0 = _cpu_seconds(), time.perf_counter()
    with output_path.open("w", encoding="utf-8") as out:
        for item in run(iter_inputs([str(input_path)], max_bytes=10_000_000), jobs=jobs):
            if isinstance(item, Result):
                out.write(item.readout.as_json() + "\n")
                written += 1
            else:
                rejected += 1
    wall, cpu = time.perf_counter() - wall0, _cpu_seconds() - cpu0
    docs = written + rejected
    return {
        "documents": docs,
        "written": written,
        "rejected": rejected,
        "jobs": jobs,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "docs_per_second": docs / wall if wall else 0.0,
        "docs_per_second_per_core": docs / wall / jobs if wall else 0.0,
        "peak_rss_mb": _kb_to_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "peak_worker_rss_mb": _kb_to_mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) if jobs > 1 else None,
        "output_bytes": output_path.stat().st_size,
        "compiled": _compiled(),
    }


def _compiled() -> bool:
    """Are the extraction stages the mypyc-compiled modules (not the .py sources)?"""
    from readouts import annotate, extract

    return all(not str(m.__file__).endswith(".py") for m in (annotate, extract))


def run_child(input_path: Path, output_path: Path, jobs: int, tree: Path | None = None) -> dict:
    """``measure`` in a fresh interpreter, so that its peak RSS is its own; with ``tree``,
    the readouts of that source tree (its ``src/``, plain Python)."""
    cmd = [sys.executable, __file__, "--measure", str(input_path), str(output_path), "--jobs", str(jobs)]
    env = dict(os.environ)
    if tree is not None or importlib.util.find_spec("readouts") is None:  # measure a source tree
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str((tree or REPO) / "src"), env.get("PYTHONPATH")]))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"bench: the measured run failed:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout.splitlines()[-1])


# --- report ---------------------------------------------------------------------------


def benchmark(n_docs: int, jobs: int, scaling: bool, repeat: int = 3, input_name: str = "dev") -> dict:
    """The main run ``repeat`` times (the fastest is reported: the others were slowed by
    whatever else the machine did), then, with ``scaling``, once over twice the input."""
    label, records = source_records(input_name)
    with tempfile.TemporaryDirectory(prefix="readouts-bench-") as tmp:
        sizes = [n_docs, 2 * n_docs] if scaling else [n_docs]
        runs = []
        repeats: list[dict] = []
        for n in sizes:
            input_path = Path(tmp) / f"input-{n}.jsonl"
            input_bytes = write_input(records, n, input_path)
            for _ in range(repeat if n == n_docs else 1):
                figures = run_child(input_path, Path(tmp) / f"output-{n}.jsonl", jobs)
                figures["input_bytes"] = input_bytes
                if n == n_docs:
                    repeats.append(figures)
            runs.append(max(repeats, key=lambda r: r["docs_per_second"]) if n == n_docs else figures)
            input_path.unlink()
    main_run = runs[0]
    peaks = [max(r["peak_rss_mb"], r["peak_worker_rss_mb"] or 0.0) for r in runs]
    return {
        "source": label,
        "source_documents": len(records),
        **main_run,
        "scaling": [{"documents": r["documents"], "peak_rss_mb": r["peak_rss_mb"],
                     "peak_worker_rss_mb": r["peak_worker_rss_mb"], "wall_seconds": r["wall_seconds"]}
                    for r in runs],
        "peak_memory_growth_mb": round(peaks[-1] - peaks[0], 1) + 0.0 if len(peaks) > 1 else None,
        "repeats_docs_per_second_per_core": [round(r["docs_per_second_per_core"]) for r in repeats],
        "targets": {
            "docs_per_second_per_core": TARGET_DOCS_PER_SEC_PER_CORE,
            "peak_rss_mb": TARGET_PEAK_MB,
            "speed_ok": main_run["docs_per_second_per_core"] >= TARGET_DOCS_PER_SEC_PER_CORE,
            "memory_ok": max(peaks) < TARGET_PEAK_MB,
        },
    }


def compare(n_docs: int, input_name: str, rev: str, repeat: int) -> dict:
    """This source tree against revision ``rev``, alternately, over the same input."""
    label, records = source_records(input_name)
    with tempfile.TemporaryDirectory(prefix="readouts-bench-") as tmp:
        other = Path(tmp) / "against"
        other.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "src"], capture_output=True)
        if archive.returncode != 0:
            sys.exit(f"bench: cannot read revision {rev}: {archive.stderr.decode().strip()}")
        subprocess.run(["tar", "-x", "-C", str(other)], input=archive.stdout, check=True)
        input_path = Path(tmp) / "input.jsonl"
        write_input(records, n_docs, input_path)
        runs: dict[str, list[dict]] = {"this": [], rev: []}
        for _ in range(repeat):
            runs["this"].append(run_child(input_path, Path(tmp) / "out-this.jsonl", 1, REPO))
            runs[rev].append(run_child(input_path, Path(tmp) / "out-rev.jsonl", 1, other))
    best = {k: max(v, key=lambda r: r["docs_per_second"]) for k, v in runs.items()}
    return {
        "source": label, "documents": n_docs, "against": rev,
        "this": {"docs_per_second_per_core": round(best["this"]["docs_per_second_per_core"], 1),
                 "peak_rss_mb": round(best["this"]["peak_rss_mb"], 1),
                 "runs": [round(r["docs_per_second_per_core"]) for r in runs["this"]]},
        rev: {"docs_per_second_per_core": round(best[rev]["docs_per_second_per_core"], 1),
              "peak_rss_mb": round(best[rev]["peak_rss_mb"], 1),
              "runs": [round(r["docs_per_second_per_core"]) for r in runs[rev]]},
        "ratio": round(best["this"]["docs_per_second"] / best[rev]["docs_per_second"], 3),
    }


def _ok(flag: bool) -> str:
    return "met" if flag else "MISSED"


def format_report(r: dict) -> str:
    t = r["targets"]
    lines = [
        "readouts extraction benchmark",
        f"input              {r['documents']} documents ({r['input_bytes'] / 1e6:.1f} MB), "
        f"{r['source_documents']} distinct from {r['source']}",
        f"build              {'compiled (mypyc)' if r['compiled'] else 'pure Python'}",
        f"processed          {r['written']} written, {r['rejected']} rejected, jobs {r['jobs']}",
        f"wall time          {r['wall_seconds']:.2f} s",
        f"cpu time           {r['cpu_seconds']:.2f} s",
        f"throughput         {r['docs_per_second']:.0f} docs/s, {r['docs_per_second_per_core']:.0f} docs/s/core"
        f" (fastest of {len(r['repeats_docs_per_second_per_core'])} runs: "
        f"{', '.join(str(x) for x in r['repeats_docs_per_second_per_core'])})",
    ]
    for run in r["scaling"]:
        worker = f", largest worker {run['peak_worker_rss_mb']:.1f} MB" if run["peak_worker_rss_mb"] else ""
        lines.append(f"peak RSS           {run['peak_rss_mb']:.1f} MB for {run['documents']} documents{worker}")
    if r["peak_memory_growth_mb"] is not None:
        lines.append(f"memory growth      {r['peak_memory_growth_mb']:+.1f} MB when the input doubles")
    lines.append(f"target speed       >= {t['docs_per_second_per_core']:.0f} docs/s/core: {_ok(t['speed_ok'])}")
    lines.append(f"target memory      < {t['peak_rss_mb']:.0f} MB peak: {_ok(t['memory_ok'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the readouts extraction pipeline (a report, not a test).")
    ap.add_argument("--docs", type=int, default=10_000, help="documents in the main run (default 10000)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1: a single core)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the main input; the fastest is reported (default 3)")
    ap.add_argument("--no-scaling", action="store_true", help="skip the second run over twice as many documents")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--input", default="dev", help="evaluation set beside the repository (dev, dev2, ...) or a JSONL path")
    ap.add_argument("--against", metavar="REV", help="also run git revision REV's source tree, alternately, and compare")
    ap.add_argument("--measure", nargs=2, metavar=("INPUT", "OUTPUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.docs < 1 or args.jobs < 1 or args.repeat < 1:
        ap.error("--docs, --jobs and --repeat must be at least 1")
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), Path(args.measure[1]), args.jobs)))
        return 0
    if args.against:
        cmp = compare(args.docs, args.input, args.against, args.repeat)
        print(json.dumps(cmp, indent=2))
        return 0
    result = benchmark(args.docs, args.jobs, scaling=not args.no_scaling, repeat=args.repeat, input_name=args.input)
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    missed = not (result["targets"]["speed_ok"] and result["targets"]["memory_ok"])
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
