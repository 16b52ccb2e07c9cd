"""The facade that composes the stages: raw document -> clean document -> readout.

``process`` is a pure, picklable function of one raw document, so the same code runs
in-process, in a local process pool (``jobs > 1``) or on Dask workers (``readouts.cluster``,
which sends them the chunks ``_process_chunk`` takes).
"""
from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice

from readouts.clean import clean
from readouts.extract import extract
from readouts.records import CleanDocument, IngestError, RawDocument, Readout


@dataclass(frozen=True, slots=True)
class Result:
    """A document that went through every stage."""

    raw: RawDocument
    clean: CleanDocument
    readout: Readout


def process(raw: RawDocument) -> Result | IngestError:
    """Clean and extract one document; a failure rejects this document only."""
    try:
        doc = clean(raw)
        if not doc.text.strip():
            return IngestError(raw.source, "no text left after removing boilerplate", raw.id)
        return Result(raw, doc, extract(doc))
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop the batch
        return IngestError(raw.source, f"extraction failed: {type(exc).__name__}: {exc}", raw.id)


def _process_chunk(chunk: list[RawDocument | IngestError]) -> list[Result | IngestError]:
    if gc.get_freeze_count() == 0:
        prepare()  # once per worker process
    return [item if isinstance(item, IngestError) else process(item) for item in chunk]


def prepare() -> None:
    """Load the gazetteers and patterns once and keep the garbage collector off them.

    The gazetteers are tens of thousands of long-lived objects; the collector would walk
    them again and again while millions of short-lived records come and go. Freezing them
    and collecting less often makes a long run about a fifth faster.
    """
    from readouts import extract as _extract, gazetteer

    gazetteer.load()
    _extract.rules()
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def run(
    items: Iterable[RawDocument | IngestError], jobs: int = 1, chunk_size: int = 64
) -> Iterator[Result | IngestError]:
    """Process a stream of inputs in order, in constant memory.

    With ``jobs > 1`` chunks go to a process pool; at most ``2 * jobs`` chunks are in
    flight, so memory stays bounded however long the stream is.
    """
    prepare()
    if jobs <= 1:
        for item in items:
            yield item if isinstance(item, IngestError) else process(item)
        return
    it = iter(items)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending = []
        while True:
            while len(pending) < 2 * jobs:
                chunk = list(islice(it, chunk_size))
                if not chunk:
                    break
                pending.append(pool.submit(_process_chunk, chunk))
            if not pending:
                return
            yield from pending.pop(0).result()


def default_jobs() -> int:
    return max(1, (os.cpu_count() or 1))
