"""Extraction on Dask against local processes: throughput, memory, and the same bytes.

Runs ``readouts extract`` as a real process on one input (the dev set repeated, as
``bench_extract.py`` builds it) with ``--jobs 1``, ``--jobs N`` and ``--dask local:N``, to
JSONL, and ``--dask local:N --format parquet``; reports wall seconds (cluster start
included), documents per second and per second per worker, the client's peak RSS and the
largest worker's, the Parquet partitions' size per document, and whether every JSONL output is
byte-identical to ``--jobs 1``. A report, never a test: it exits 0 (``--check``: 1 when an
output differs).

    .venv/bin/python bench/bench_cluster.py --docs 5000 --workers 2
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_extract import source_records, write_input  # noqa: E402

# The largest RSS of any process of the run: the client, and the LocalCluster's nanny and
# workers (their children). Linux: VmHWM of each process, sampled while it runs.
_PEAKS = r"""
import os, subprocess, sys, time, threading
peaks = {}
def hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM"))
    except (OSError, StopIteration):
        return 0
def tree(pid):
    out = [pid]
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as fh:
                for c in fh.read().split():
                    out += tree(int(c))
    except OSError:
        pass
    return out
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
def watch():
    while proc.poll() is None:
        for p in tree(proc.pid):
            peaks[p] = max(peaks.get(p, 0), hwm(p))
        time.sleep(0.2)
threading.Thread(target=watch, daemon=True).start()
err = proc.communicate()[1]
client = peaks.pop(proc.pid, 0)
print(repr({"rc": proc.returncode, "client_kb": client, "worker_kb": max(peaks.values(), default=0),
            "stderr": err.decode()[-2000:]}))
"""


def run(args: list[str]) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAKS, sys.executable, "-m", "readouts", *args],
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    out = eval(done.stdout)  # noqa: S307 - our own repr
    if out["rc"] not in (0, 1):
        raise SystemExit(f"readouts {' '.join(args)} failed:\n{out['stderr']}")
    return {"wall_s": round(wall, 2), "client_mb": round(out["client_kb"] / 1024),
            "worker_mb": round(out["worker_kb"] / 1024)}


def benchmark(n_docs: int, workers: int) -> dict:
    name, records = source_records("dev")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        folder = Path(tmp)
        write_input(records, n_docs, folder / "input.jsonl")
        n = n_docs
        runs = [("--jobs 1", ["--jobs", "1"], "jsonl"), (f"--jobs {workers}", ["--jobs", str(workers)], "jsonl"),
                (f"--dask local:{workers}", ["--dask", f"local:{workers}"], "jsonl"),
                (f"--dask local:{workers} --format parquet", ["--dask", f"local:{workers}"], "parquet")]
        reference = None
        for i, (label, flags, fmt) in enumerate(runs):
            out = folder / (f"out{i}.jsonl" if fmt == "jsonl" else f"parts{i}")
            figures = run(["extract", str(folder / "input.jsonl"), "-o", str(out), "--format", fmt,
                           "--no-progress", *flags])
            parallel = 1 if flags == ["--jobs", "1"] else workers
            row = {"run": label, **figures, "docs_per_s": round(n / figures["wall_s"], 1),
                   "docs_per_s_per_worker": round(n / figures["wall_s"] / parallel, 1)}
            if fmt == "jsonl":
                data = out.read_bytes()
                reference = data if reference is None else reference
                row["same_bytes_as_jobs_1"] = data == reference
            else:
                size = sum(p.stat().st_size for p in out.iterdir())
                row["parquet_bytes_per_doc"] = round(size / n)
            rows.append(row)
    return {"input": name, "documents": n, "workers": workers, "cores": os.cpu_count(), "runs": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=5000, help="documents in the input (default 5000)")
    parser.add_argument("--workers", type=int, default=2, help="processes / Dask workers (default 2)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--check", action="store_true", help="exit 1 when an output differs from --jobs 1")
    a = parser.parse_args(argv)
    report = benchmark(a.docs, a.workers)
    if a.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['documents']} documents ({report['input']}), {report['workers']} workers, "
              f"{report['cores']} cores")
        for r in report["runs"]:
            extra = (f"same bytes: {r['same_bytes_as_jobs_1']}" if "same_bytes_as_jobs_1" in r
                     else f"{r['parquet_bytes_per_doc']} B/doc in Parquet")
            print(f"  {r['run']:<34} {r['wall_s']:>7.1f} s  {r['docs_per_s']:>7.1f} docs/s  "
                  f"{r['docs_per_s_per_worker']:>7.1f} /s/worker  client {r['client_mb']:>4} MB  "
                  f"worker {r['worker_mb']:>4} MB  {extra}")
    differs = any(r.get("same_bytes_as_jobs_1") is False for r in report["runs"])
    return 1 if a.check and differs else 0


if __name__ == "__main__":
    raise SystemExit(main())
