"""Extraction on a Dask cluster: the same pure per-document function as a local run
(:func:`readouts.pipeline.process`), run on ``dask.distributed`` workers.

The client (the ``readouts`` command) reads the inputs, sends them in chunks to the
workers and takes the results back in input order, with a bounded number of chunks in
flight, so memory stays flat however long the input is and the output is the same, byte
for byte, as ``--jobs 1``. Rejections of bad input are made by the client as in a local run;
a document whose extraction fails on a worker is rejected with the same reason as locally.
A chunk whose worker died (out of memory, killed) is retried one document at a time, so a
document that kills workers is rejected alone (``extraction failed: KilledWorker: ...``) and
the rest goes on.

Workers need ``readouts`` installed (the same version as the client); dask's own
``--nthreads 1`` per worker process suits extraction (pure Python: threads share one GIL).
Needs the ``dask`` extra: ``pip install 'readouts[dask]'``.
"""
from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from readouts.pipeline import Result, _process_chunk, default_jobs
from readouts.records import IngestError, RawDocument

if TYPE_CHECKING:
    from distributed import Client

LOCAL = "local"
CHUNK_SIZE = 64  # documents per task: big enough to hide the scheduler's per-task cost
INSTALL_HINT = "pip install 'readouts[dask]'"
_LOCAL_SPEC = re.compile(r"^local(?::(\d+))?$")


class ClusterError(Exception):
    """The cluster cannot be used as asked (bad --dask value, no scheduler there, no dask)."""


def local_workers(spec: str) -> int:
    """Workers of a ``--dask`` value: ``local`` -> the core count, ``local:N`` -> N."""
    match = _LOCAL_SPEC.match(spec.strip())
    if match is None:
        raise ClusterError(f"--dask takes local or local:N (N workers), not {spec!r}")
    n = int(match.group(1)) if match.group(1) else default_jobs()
    if not 1 <= n <= 256:
        raise ClusterError(f"--dask local:N needs 1 <= N <= 256, not {n}")
    return n


@contextlib.contextmanager
def connect(scheduler: str | None = None, local: int | None = None) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler`` (``tcp://host:8786``), or of a new
    LocalCluster of ``local`` worker processes (one thread each), closed on exit."""
    if (scheduler is None) == (local is None):
        raise ValueError("give a scheduler address or a number of local workers")
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError(f"running on Dask needs the dask extra: {INSTALL_HINT}") from exc
    if local is not None:
        with LocalCluster(n_workers=local, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler)  # waits distributed.comm.timeouts.connect (30 s; env
        # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT) for the scheduler
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        yield client


def _threads(client: Client) -> int:
    return max(1, sum(client.nthreads().values()))


def run(items: Iterable[RawDocument | IngestError], client: Client, chunk_size: int = CHUNK_SIZE,
        in_flight: int | None = None) -> Iterator[Result | IngestError]:
    """Process a stream of inputs on the cluster, in order (as :func:`readouts.pipeline.run`).

    At most ``in_flight`` chunks are submitted and not yet yielded; by default twice the
    workers' threads, counted again at each chunk, so workers that join later (a Slurm job
    that starts, an adaptive cluster) get work too.
    """
    it = iter(items)
    pending: list[tuple[list[RawDocument | IngestError], Any]] = []
    while True:
        limit = in_flight or 2 * _threads(client)
        while len(pending) < limit:
            chunk = list(islice(it, chunk_size))
            if not chunk:
                break
            pending.append((chunk, _submit(client, chunk)))
        if not pending:
            return
        chunk, future = pending.pop(0)
        yield from _gather(client, chunk, future)


def _submit(client: Client, chunk: list[RawDocument | IngestError]) -> Any:
    if all(isinstance(x, IngestError) for x in chunk):
        return None  # nothing to extract: the rejections are passed through
    return client.submit(_process_chunk, chunk, pure=False)


def _gather(client: Client, chunk: list[RawDocument | IngestError], future: Any) -> list[Result | IngestError]:
    if future is None:
        return list(chunk)  # type: ignore[arg-type]
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - a worker died under this chunk: find the document, reject it alone
        pass
    singles = [None if isinstance(x, IngestError) else client.submit(_process_chunk, [x], pure=False)
               for x in chunk]
    out: list[Result | IngestError] = []
    for item, single in zip(chunk, singles):
        if single is None:
            out.append(item)  # type: ignore[arg-type]
            continue
        try:
            out.extend(single.result())
        except Exception as exc:  # noqa: BLE001 - as pipeline.process words an extraction failure
            assert isinstance(item, RawDocument)
            out.append(IngestError(item.source, f"extraction failed: {type(exc).__name__}: {exc}", item.id))
    return out


def describe(client: Client) -> str:
    """``2 workers, 2 threads at tcp://127.0.0.1:40000`` for the log."""
    nthreads, address = client.nthreads(), client.scheduler_info()["address"]
    workers, threads = len(nthreads), sum(nthreads.values())
    return f"{workers} worker{'s' if workers != 1 else ''}, {threads} thread{'s' if threads != 1 else ''} at {address}"
