"""Command-line interface: a thin layer over the library.

Parses arguments, calls the library, and turns domain errors into one-line messages.
Exit status: 0 when every input was processed, 1 when some input was rejected,
2 on a usage error or a failure that stopped the run.
"""
from __future__ import annotations

import contextlib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from readouts import __version__
from readouts.records import MODES

DEFAULT_DB = "readouts.db"
TABLE_LIMIT = 100  # rows the query table shows unless --limit says otherwise
EXIT_REJECTED = 1
EXIT_FAILED = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it

db_option = click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    show_default=True,
    envvar="READOUTS_DB",
    type=click.Path(dir_okay=False),
    help="SQLite database file (env READOUTS_DB).",
)
jobs_option = click.option(
    "--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 256), help="Worker processes."
)
scheduler_option = click.option(
    "--scheduler", metavar="ADDRESS", envvar="READOUTS_SCHEDULER",
    help="Extract on the Dask cluster of this scheduler (tcp://host:8786; env READOUTS_SCHEDULER). "
         "Needs readouts[dask] here and on the workers.",
)
dask_option = click.option(
    "--dask", "dask_spec", metavar="local[:N]",
    help="Extract on a new local Dask cluster of N worker processes (local: one per core). "
         "Needs readouts[dask].",
)
max_size_option = click.option(
    "--max-size",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.001),
    help="Largest document accepted, in MB; larger ones are rejected with a reason.",
)


def _fail(message: str) -> None:
    click.echo(f"readouts: error: {message}", err=True)
    sys.exit(EXIT_FAILED)


def _report(error) -> None:  # noqa: ANN001 - IngestError
    where = error.source + (f" [{error.id}]" if error.id and error.id not in error.source else "")
    click.echo(f"rejected: {where}: {error.reason}", err=True)


CUT_NOTICE_CHARACTERS = 1000  # a cut that drops more than this is reported (a short link list is not)


def _report_cut(result) -> None:  # noqa: ANN001 - readouts.pipeline.Result
    """Say when cleaning dropped a long stretch of text after a stop line ("Related Stories")."""
    from readouts.clean import CUT_KEY

    cut = result.clean.metadata.get(CUT_KEY)
    if cut and cut["characters"] >= CUT_NOTICE_CHARACTERS:
        click.echo(f"note: {result.raw.source}: the text ends at the line {cut['line']!r}; "
                   f"{cut['characters']:,} characters after it were dropped", err=True)


def _report_skipped(skipped: Counter[str]) -> None:
    """Say which files in the input folders were left unread (not .txt, .html or .jsonl)."""
    if not skipped:
        return
    n = sum(skipped.values())
    kinds = ", ".join(f"{suffix}: {count}" for suffix, count in sorted(skipped.items(), key=lambda x: (-x[1], x[0])))
    click.echo(f"skipped: {n} file{'s' if n != 1 else ''} in the input folders that are not .txt, .html or "
               f".jsonl ({kinds})", err=True)


def _progress(items: Iterable, enabled: bool, label: str, inputs: tuple[str, ...] = ()) -> Iterator:
    """Yield items, showing progress on stderr when it is a terminal: done/total, percent and
    the time left when the inputs can be counted first (files, JSONL lines), else a count."""
    if not enabled or not sys.stderr.isatty():
        yield from items
        return
    total = _count_inputs(inputs) if inputs else None
    with click.progressbar(items, length=total, label=label, file=sys.stderr, show_pos=True,
                           show_percent=total is not None, show_eta=total is not None) as bar:
        yield from bar


def _count_inputs(inputs: tuple[str, ...]) -> int | None:
    """Documents the inputs hold (partitions by their row counts), None when not known."""
    from readouts import partitions
    from readouts.ingest import count_inputs

    total = 0
    for stored, paths in partitions.split(inputs):
        n = partitions.count(paths) if stored else count_inputs(paths)
        if n is None:
            return None
        total += n
    return total


class _Runner:
    """Runs the pipeline over a stream of inputs: in this process, a process pool (--jobs) or
    on Dask (--scheduler, --dask); the cluster is joined on first use and left by ``close``."""

    def __init__(self, jobs: int, scheduler: str | None, dask_spec: str | None) -> None:
        from readouts.cluster import ClusterError, local_workers

        if scheduler and dask_spec:
            raise click.UsageError("give --scheduler or --dask, not both")
        if (scheduler or dask_spec) and jobs > 1:
            raise click.UsageError("--jobs is for local processes; with --scheduler or --dask the "
                                   "cluster's workers do the work")
        try:
            self.local = local_workers(dask_spec) if dask_spec else None
        except ClusterError as exc:
            raise click.BadParameter(str(exc), param_hint="--dask") from exc
        self.jobs, self.scheduler = jobs, scheduler
        self._stack = contextlib.ExitStack()
        self._client: Any = None  # a distributed.Client once joined

    def __call__(self, items: Iterable) -> Iterator:
        from readouts import pipeline

        if self.scheduler is None and self.local is None:
            return pipeline.run(items, jobs=self.jobs)
        from readouts import cluster

        client = self._client
        if client is None:
            try:
                client = self._client = self._stack.enter_context(cluster.connect(self.scheduler, self.local))
            except cluster.ClusterError as exc:
                _fail(str(exc))
            click.echo(f"dask: {cluster.describe(client)}", err=True)
            if not client.nthreads():
                click.echo("dask: the scheduler has no workers yet; the work waits for them", err=True)
        return cluster.run(items, client)

    def close(self) -> None:
        self._stack.close()


def _results(inputs: tuple[str, ...], runner: _Runner, max_bytes: int, skipped: Counter[str]) -> Iterator:
    """Results and rejections of the inputs, in order; folders of Parquet partitions (as
    ``extract --format parquet`` writes them) are read back, not extracted again."""
    from readouts import partitions
    from readouts.ingest import iter_inputs

    for stored, paths in partitions.split(inputs):
        if stored:
            yield from partitions.read(paths, skipped)
        else:
            yield from runner(iter_inputs(paths, max_bytes=max_bytes, skipped=skipped))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="readouts")
def main() -> None:
    """Turn diplomatic readouts into structured, auditable event data.

    Inputs are .txt, .html and .jsonl files (JSONL objects carry "id" and "text" or
    "html"), .warc web archives (as `readouts crawl` writes them) or folders of them.
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(readable=False))
@click.option("-o", "--output", required=True, type=click.Path(allow_dash=True),
              help="JSONL file to write, one record per input document ('-' for stdout); with "
                   "--format parquet, a new folder of Parquet partitions.")
@click.option("--format", "fmt", default="jsonl", show_default=True, type=click.Choice(["jsonl", "parquet"]),
              help="jsonl: the records of docs/FORMAT.md; parquet: partitions that keep the whole input, "
                   "clean text and record (docs/PARTITIONS.md), for `ingest` and DuckDB.")
@click.option("--partition-size", default=5000, show_default=True, type=click.IntRange(1), metavar="N",
              help="Documents per Parquet partition file.")
@jobs_option
@scheduler_option
@dask_option
@max_size_option
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on a terminal.")
def extract(inputs: tuple[str, ...], output: str, fmt: str, partition_size: int, jobs: int,
            scheduler: str | None, dask_spec: str | None, max_size: float, progress: bool) -> None:
    """Extract engagements from INPUTS and write one record per document: a JSON line, or a
    row of Parquet partitions (--format parquet).

    INPUTS may also be folders of Parquet partitions written by --format parquet: their
    results are read back, not extracted again.
    """
    from readouts.partitions import PartitionError, Writer
    from readouts.pipeline import Result

    written = rejected = 0
    skipped: Counter[str] = Counter()
    runner = _Runner(jobs, scheduler, dask_spec)
    sink: contextlib.AbstractContextManager
    write: Callable[[Any], object]
    if fmt == "parquet":
        if output == "-":
            raise click.BadParameter("Parquet partitions cannot go to stdout; give a folder", param_hint="-o")
        try:
            writer = Writer(output, partition_size)
        except PartitionError as exc:
            _fail(str(exc))
        sink, write = writer, writer.add
    else:
        try:
            out = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror}")
        sink, write = out, lambda item: out.write(item.readout.as_json() + "\n")
    try:
        with sink:
            stream = _results(inputs, runner, int(max_size * 1_000_000), skipped)
            for item in _progress(stream, progress, "extracting", inputs):
                if isinstance(item, Result):
                    _report_cut(item)
                    written += 1
                else:
                    _report(item)
                    rejected += 1
                if isinstance(item, Result) or fmt == "parquet":  # partitions keep the rejections too
                    write(item)
    except PartitionError as exc:
        _fail(str(exc))
    finally:
        runner.close()
    _report_skipped(skipped)
    click.echo(f"{written} documents written to {output}, {rejected} rejected", err=True)
    sys.exit(EXIT_REJECTED if rejected else 0)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"]),
              help="text for reading; json: one object per document.")
@max_size_option
def explain(inputs: tuple[str, ...], fmt: str, max_size: float) -> None:
    """Show why each document of INPUTS gave the engagements it gave.

    Per sentence: the people and engagement predicates found; every candidate engagement
    and whether it was kept, merged or dropped, with the rule that decided; and why the
    document is or is not a readout.
    """
    from readouts.clean import clean
    from readouts.explain import as_text, explain as explain_doc
    from readouts.ingest import iter_inputs
    from readouts.records import IngestError

    rejected = 0
    for item in iter_inputs(inputs, max_bytes=int(max_size * 1_000_000)):
        if isinstance(item, IngestError):
            _report(item)
            rejected += 1
            continue
        x = explain_doc(clean(item))
        click.echo(json.dumps(x, ensure_ascii=False) if fmt == "json" else as_text(x))
    sys.exit(EXIT_REJECTED if rejected else 0)


@main.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.argument("predicted", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option("--errors", default=0, type=click.IntRange(0), metavar="N", help="List the first N disagreements.")
def evaluate(gold: str, predicted: str, as_json: bool, errors: int) -> None:
    """Score PREDICTED engagement records against GOLD records (record format: docs/FORMAT.md)."""
    from readouts.evaluate import FormatError, coverage, format_report, load_records, score

    try:
        gold_records, pred_records = load_records(gold), load_records(predicted)
    except FormatError as exc:
        _fail(str(exc))
    covered, extra = coverage(gold_records, pred_records)
    if covered < len(gold_records):
        click.echo(f"warning: {predicted} has records for {covered} of the {len(gold_records)} ids in {gold}; "
                   "each missing one is scored as 'not a readout, no engagements'", err=True)
    if extra:
        click.echo(f"warning: {extra} id{'s' if extra != 1 else ''} of {predicted} "
                   f"{'are' if extra != 1 else 'is'} not in {gold} and not scored", err=True)
    disagreements: list[dict] = []
    result = score(gold_records, pred_records, disagreements)
    click.echo(json.dumps(result, indent=2) if as_json else format_report(result))
    for item in disagreements[:errors]:
        click.echo(json.dumps(item, ensure_ascii=False), err=True)


def _open_store(db_path: str, create: bool = False, *, writer: bool = False):  # noqa: ANN202 - readouts.store.Store
    """The store for a command: read-only unless ``writer`` (which also waits for any other
    writer of the same file to finish, so two ingests never interleave)."""
    from readouts.store import Store, StoreError

    def waiting(message: str) -> None:
        click.echo(f"readouts: {message}", err=True)

    try:
        if writer:
            return Store(db_path, create=create, lock=True, on_wait=waiting)
        return Store(db_path, readonly=True)
    except StoreError as exc:
        _fail(str(exc))


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(readable=False))
@db_option
@jobs_option
@scheduler_option
@dask_option
@max_size_option
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1),
              help="Documents written per transaction; an interrupted run keeps whole batches.")
@click.option("--replace", is_flag=True,
              help="A text under an id already stored replaces the stored text (a corrected version).")
@click.option("--overrides", "overrides_path", type=click.Path(dir_okay=False), envvar="READOUTS_OVERRIDES",
              help="Actor overrides TOML, kept in the database's settings and applied by every later "
                   "ingest (env READOUTS_OVERRIDES).")
@click.option("--no-overrides", is_flag=True, help="Forget the actor overrides file kept in the database.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on a terminal.")
def ingest(inputs: tuple[str, ...], db_path: str, jobs: int, scheduler: str | None, dask_spec: str | None,
           max_size: float, batch_size: int, replace: bool, overrides_path: str | None, no_overrides: bool,
           progress: bool) -> None:
    """Extract INPUTS and add them to the database; documents already stored are skipped.

    INPUTS may also be folders of Parquet partitions (`extract --format parquet`, say on a
    cluster): their results are stored as they are, not extracted again.
    """
    from readouts.pipeline import Result
    from readouts.store import BatchCounts, StoreError

    totals = BatchCounts()
    reasons: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    runner = _Runner(jobs, scheduler, dask_spec)
    with _open_store(db_path, create=True, writer=True) as store, contextlib.closing(runner):
        overrides = _stored_overrides(store, overrides_path, no_overrides)
        before = store.counts()
        batch: list = []
        rejected: list = []

        def flush() -> None:
            nonlocal totals
            if batch:
                counts = store.add_batch(batch, replace=replace)
                for note in counts.notes:
                    click.echo(f"warning: {note}", err=True)
                totals += counts
            store.add_rejections(rejected)
            batch.clear()
            rejected.clear()

        try:
            stream = _results(inputs, runner, int(max_size * 1_000_000), skipped)
            for item in _progress(stream, progress, "ingesting", inputs):
                if isinstance(item, Result):
                    _report_cut(item)
                    batch.append(item)
                else:
                    _report(item)
                    rejected.append(item)
                    reasons[_reason_kind(item.reason)] += 1
                if len(batch) + len(rejected) >= batch_size:
                    flush()
            flush()
            links = store.refresh_links(overrides)
        except StoreError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            after = store.counts()  # exact even when the interrupt came right after a commit
            new = after["documents"] - before["documents"]
            click.echo(
                f"\ninterrupted: {new} new document{'s' if new != 1 else ''} "
                f"({after['engagements'] - before['engagements']} engagements) in whole batches are stored; "
                "the batch in progress is not. Run the same ingest again to finish: documents already "
                "stored are skipped, and it resolves actors and links sources for all of them.",
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)
    for warning in links.get("warnings", ()):
        click.echo(f"warning: {warning}", err=True)
    _report_skipped(skipped)
    extra = []
    if totals.sources:
        extra.append(f"{totals.sources} new source{'s' if totals.sources != 1 else ''} of stored texts")
    if totals.replaced:
        extra.append(f"{totals.replaced} replaced")
    if totals.notes:
        extra.append(f"{len(totals.notes)} id{'s' if len(totals.notes) != 1 else ''} given to different texts")
    click.echo(
        f"documents: {totals.new} new, {totals.present} already present; "
        f"readouts: {totals.readouts}; engagements: {totals.engagements}; "
        f"rejected: {sum(reasons.values())}" + "".join(f"; {x}" for x in extra)
    )
    for reason, n in reasons.most_common():
        click.echo(f"  {n:>6}  {reason}")
    sys.exit(EXIT_REJECTED if reasons else 0)


OVERRIDES_KEY = "actor_overrides"  # the store's config entry: the overrides file's absolute path


def _stored_overrides(store, path: str | None, forget: bool):  # noqa: ANN001, ANN202 - Store, Overrides | None
    """The actor overrides for a writer: ``path`` becomes the store's setting (``forget``
    clears it); without either, the file the store names is read again."""
    if forget:
        store.set_config(OVERRIDES_KEY, None)
        return None
    if path:
        overrides = _load_overrides(path)
        store.set_config(OVERRIDES_KEY, str(Path(path).resolve()))
        return overrides
    kept = store.get_config(OVERRIDES_KEY)
    if kept is None:
        return None
    if not Path(kept).is_file():
        _fail(f"the actor overrides file {kept} (kept in the database's settings) is missing: "
              "restore it, give --overrides PATH, or --no-overrides to stop applying it")
    return _load_overrides(kept)


def _reason_kind(reason: str) -> str:
    """A rejection reason without its position ("line 3: not valid JSON" -> "not valid JSON")."""
    first_line = " ".join(reason.split())
    return re.sub(r"^line \d+: ", "", first_line)


def _check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from readouts.store import is_valid_date

    if value is not None and not is_valid_date(value):
        raise click.BadParameter(f"{value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _check_countries(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """ISO 3166-1 alpha-3 codes (or the short names of organisations the gazetteer knows)."""
    from readouts.gazetteer import country_code

    try:
        return tuple(country_code(v) for v in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@main.command()
@db_option
@click.option("--country", "countries", multiple=True, metavar="ISO3", callback=_check_countries,
              help="A participant's country (ISO 3166-1 alpha-3); repeat for a dyad (every country must take part).")
@click.option("--actor", metavar="NAME",
              help="An actor: its id in 'readouts actors' (p:wang-yi:CHN), or part of a name it goes by "
                   "(case-insensitive; aliases and transliterations count).")
@click.option("--since", callback=_check_date, metavar="DATE", help="From this date (YYYY[-MM[-DD]]).")
@click.option("--until", callback=_check_date, metavar="DATE", help="Up to this date, inclusive.")
@click.option("--mode", type=click.Choice(MODES), help="Only engagements of this mode.")
@click.option("--text", metavar="QUERY",
              help='Full-text query over the documents: words and phrases (climate-change, U.S., China\'s are '
                   'taken as written); FTS5 syntax (fisheries AND "joint statement") where it parses.')
@click.option("--occasion", metavar="SERIES", help='Engagements on the sidelines of one gathering ("G20 Summit").')
@click.option("--all-copies", is_flag=True, help="Also the engagements of republished copies (counted twice).")
@click.option("--reports", is_flag=True,
              help="One row per report instead of one per event (the reports linked as one event).")
@click.option("--limit", default=None, type=click.IntRange(0),
              help=f"Most rows to give (0 = all) [default: {TABLE_LIMIT} in the table, all in csv and json].")
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many rows first.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "json"]))
def query(db_path: str, countries: tuple[str, ...], actor: str | None, since: str | None,
          until: str | None, mode: str | None, text: str | None, occasion: str | None,
          all_copies: bool, reports: bool, limit: int | None, offset: int, fmt: str) -> None:
    """Find engagements in the database: one row per event (the reports linked as one event;
    its first report stands for it, with every source in 'sources' and 'documents'), or one per
    report with --reports. The web UI's search and /api/engagements give the same rows.

    The table shows the first 100 rows and says how many there are; csv and json give every
    row unless --limit says otherwise.
    """
    from readouts.export import format_table, write_csv
    from readouts.store import QueryFilter, StoreError

    if limit is None:
        limit = TABLE_LIMIT if fmt == "table" else 0
    try:
        filters = QueryFilter(
            countries=countries, actor=actor, since=since,
            until=until, mode=mode, text=text, limit=limit or None, offset=offset,
            include_copies=all_copies, occasion=occasion, events=not reports,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    with _open_store(db_path) as store:
        try:
            rows = store.query(filters)
            total = store.count(filters) if limit and len(rows) == limit else offset + len(rows)
        except StoreError as exc:
            _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        write_csv(rows, sys.stdout)
    else:
        click.echo(format_table(rows))
    shown = len(rows)
    if total > shown:
        first = offset + 1 if shown else offset
        click.echo(f"{shown} of {total} {'engagements' if reports else 'events'} shown (rows {first}-{offset + shown}; "
                   "--limit 0 shows all)", err=True)
    elif fmt == "table":
        unit = "engagement" if reports else "event"
        click.echo(f"{shown} {unit}{'s' if shown != 1 else ''}", err=True)


@main.command()
@db_option
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "jsonl", "parquet"]))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write ('-' for stdout, csv and jsonl only).")
@click.option("--all-copies", is_flag=True, help="Also the engagements of republished copies.")
def export(db_path: str, fmt: str, output: str, all_copies: bool) -> None:
    """Write every engagement in the database to a CSV, JSON Lines or Parquet file."""
    from readouts.export import ExportError
    from readouts.export import export as export_rows
    from readouts.store import StoreError

    with _open_store(db_path) as store:
        try:
            n = export_rows(store, fmt, output, include_copies=all_copies)
        except (ExportError, StoreError) as exc:
            _fail(str(exc))
        except BrokenPipeError:
            raise  # the reader stopped (| head): click exits quietly
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"{n} engagements written to {output}", err=True)


@main.command()
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@db_option
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False),
              help="Folder for the WARC files of every response [default: <db name>-warc next to the db].")
@click.option("--delay", default=1.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds between two requests to one host (robots.txt Crawl-delay may ask for more).")
@click.option("--max-pages", type=click.IntRange(1), metavar="N",
              help="Fetch at most N URLs now; the next crawl of the same sources resumes.")
@click.option("--since", callback=_check_date, metavar="DATE",
              help="Skip pages a sitemap, feed or URL dates before this (YYYY[-MM[-DD]]).")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.001),
              help="Seconds to wait for a response.")
@click.option("--retries", default=2, show_default=True, type=click.IntRange(0),
              help="Retries after a timeout, 429 or 5xx, with back-off.")
@click.option("--user-agent", help="User-Agent header (add a contact address when you crawl a lot).")
@max_size_option
@click.option("--progress/--no-progress", default=True, help="Show a progress line on a terminal.")
@click.option("--list-profiles", is_flag=True, help="List the built-in source profiles and exit.")
def crawl(sources: tuple[str, ...], db_path: str, archive_dir: str | None, delay: float,
          max_pages: int | None, since: str | None, timeout: float, retries: int,
          user_agent: str | None, max_size: float, progress: bool, list_profiles: bool) -> None:
    """Crawl SOURCEs politely and add their readout pages to the database.

    A SOURCE is a start URL (a list page, a sitemap or an RSS/Atom feed), the name of a
    built-in source profile, or a profile .toml file. Only new or changed pages are
    fetched; every response is archived as WARC; an interrupted crawl resumes.
    """
    from readouts.crawl import CrawlConfig, ProfileError, ProgressLine, builtin_profiles, summary_lines
    from readouts.crawl import crawl as run_crawl
    from readouts.crawl.fetch import USER_AGENT
    from readouts.store import StoreError

    if list_profiles:
        for name, profile in builtin_profiles().items():
            click.echo(f"{name:<18} {profile.language:<4} {profile.publisher}")
        return
    if not sources:
        raise click.UsageError("give at least one SOURCE (a URL, a profile name or a profile file)")

    config = CrawlConfig(delay=delay, max_pages=max_pages, since=since, timeout=timeout, retries=retries,
                         max_bytes=int(max_size * 1_000_000), user_agent=user_agent or USER_AGENT)
    line = ProgressLine(sys.stderr) if progress else None
    try:
        from readouts.store import Store

        with Store(db_path) as kept:
            overrides = _stored_overrides(kept, None, False)  # the overrides the store's settings name
        report = run_crawl(sources, db_path, archive_dir, config, progress=line, overrides=overrides)
    except (ProfileError, StoreError) as exc:
        _fail(str(exc))
    except OSError as exc:  # the archive folder or file cannot be written
        _fail(f"cannot write the archive {exc.filename or archive_dir or ''}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        if line is not None:
            line.close()
        click.echo("readouts: interrupted; the same crawl command resumes where this one stopped", err=True)
        sys.exit(130)
    finally:
        if line is not None:
            line.close()
    for message in report.errors:
        click.echo(f"readouts: error: {message}", err=True)
    for text in summary_lines(report):
        click.echo(text)
    if report.errors and not report.fetched and not report.not_modified:
        sys.exit(EXIT_FAILED)
    sys.exit(EXIT_REJECTED if report.rejected or report.errors else 0)


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind (the default is this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving requests (they share the responses they cache until the store changes).")
def serve(db_path: str, host: str, port: int, workers: int) -> None:
    """Explore the database in the browser (read-only web UI and JSON API)."""
    try:
        from readouts.web.app import serve as run_server
    except ImportError as exc:
        _fail(f"the web UI needs its dependencies ({exc.name}): pip install 'readouts[web]'")
    with _open_store(db_path):  # missing, not a readouts database, or an old schema: say so now
        pass
    click.echo(f"readouts: serving {db_path} read-only on http://{host}:{port}/"
               + (f" with {workers} workers" if workers > 1 else ""), err=True)
    run_server(db_path, host=host, port=port, workers=workers)


def _load_overrides(path: str):  # noqa: ANN202 - readouts.actors.Overrides
    from readouts.actors import OverridesError, load_overrides

    try:
        return load_overrides(path)
    except OverridesError as exc:
        _fail(str(exc))


@main.command()
@click.argument("ids", nargs=-1, required=True)
@db_option
def delete(ids: tuple[str, ...], db_path: str) -> None:
    """Remove documents by id (a file's or record's id, or a document key) with their
    engagements. A text also published under another id stays under that one.

    To replace a document by a corrected version, ingest it with --replace.
    """
    from readouts.store import StoreError

    with _open_store(db_path, writer=True) as store:
        overrides = _stored_overrides(store, None, False)  # a missing file stops the run before anything changes
        try:
            removed, unknown = store.delete(ids)
            store.refresh_links(overrides)
        except StoreError as exc:
            _fail(str(exc))
    for doc_id in unknown:
        click.echo(f"not found: {doc_id}", err=True)
    click.echo(f"{removed} document{'s' if removed != 1 else ''} removed")
    sys.exit(EXIT_REJECTED if unknown else 0)


@main.command()
@db_option
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]))
def duplicates(db_path: str, fmt: str) -> None:
    """List the groups of copies: near-duplicate texts and identical republications under
    other ids (canonical document first)."""
    from readouts.store import StoreError

    with _open_store(db_path) as store:
        try:
            groups = store.duplicate_groups()
        except StoreError as exc:
            _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(groups, ensure_ascii=False, indent=2))
        return
    for g in groups:
        click.echo(f"group {g['canonical']} ({len(g['documents'])} copies)")
        for i, d in enumerate(g["documents"]):
            mark = "*" if i == 0 else "=" if d["identical"] else " "
            click.echo(f"  {mark} {d['id']:<24} {(d['title'] or '')[:80]}" + (f"  {d['url']}" if d["url"] else ""))
    if groups:
        click.echo("(* canonical document; = the same text under another id)", err=True)
    click.echo(f"{len(groups)} group{'s' if len(groups) != 1 else ''} of copies", err=True)


@main.command()
@click.argument("engagement_id")
@db_option
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"]))
def compare(engagement_id: str, db_path: str, fmt: str) -> None:
    """Show side by side what each source reported of one engagement (statements, issues, tone,
    initiative, commitments), why each was linked, and what only one side mentions.

    ENGAGEMENT_ID is an engagement's id or its event id (``ev:...``, as query --format json gives).
    """
    from readouts.read.views import NotFound
    from readouts.read.views import compare as compare_reports
    from readouts.sides import KINDS
    from readouts.store import StoreError

    with _open_store(db_path) as store:
        try:
            result = compare_reports(store.connection, engagement_id)
        except (NotFound, StoreError) as exc:
            _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    n = len(result["sources"])
    click.echo(f"engagement {engagement_id}: {n} source{'s' if n != 1 else ''}, event {result['event_id']}")
    names = {"issues": "issues", "tones": "tone", "initiative": "initiative", "commitments": "commitments"}
    for item in result["sources"]:
        click.echo("")
        click.echo(f"== doc {item['document_id']} [side {item['side']}, {item['side_basis']}]: {item['title'] or ''}")
        click.echo(f"   {item['date'] or 'undated'}, {item['mode']}")
        if item["link"]:
            click.echo(f"   linked: {item['link']}")
        click.echo("   statements:")
        for line in item["statements"] or ["(none)"]:
            click.echo(f"     - {line}")
        for kind in KINDS:
            click.echo(f"   {names[kind]}: " + ("; ".join(item[kind]) or "(none)"))
    if n > 1:
        click.echo("")
        for item in result["sources"]:
            for issue in item["only_here"]["issues"]:
                click.echo(f"Only in doc {item['document_id']}: the issue {issue!r}")
            for line in item["only_here"]["statements"]:
                click.echo(f"Only in doc {item['document_id']}: statement {line}")
    for side, kinds in result["only"].items():
        for kind in KINDS:
            for label in kinds[kind]:
                click.echo(f"Only side {side} mentions {names[kind]}: {label}")


@main.command()
@db_option
@click.option("--country", "countries", multiple=True, required=True, metavar="ISO3",
              help="One state of the dyad; give exactly two.")
@click.option("--since", callback=_check_date, metavar="DATE", help="From this date (YYYY[-MM[-DD]]).")
@click.option("--until", callback=_check_date, metavar="DATE", help="Up to this date, inclusive.")
@click.option("--gaps", is_flag=True,
              help="List readout gaps instead: events one side (or the press) reported and the other "
                   "side's publishers in the store did not.")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json", "csv"]))
def sides(db_path: str, countries: tuple[str, ...], since: str | None, until: str | None, gaps: bool,
          fmt: str) -> None:
    """For each issue of a dyad's events reported by both sides: in how many each side mentioned
    it, and the events where only one side did."""
    from readouts.sides import dyad_issues, readout_gaps
    from readouts.store import StoreError

    codes = list(dict.fromkeys(c.strip().upper() for c in countries))
    if len(codes) != 2:
        raise click.BadParameter("give exactly two different --country codes", param_hint="--country")
    a, b = codes
    with _open_store(db_path) as store:
        try:
            events = store.dyad_events((a, b), since, until)
            if gaps:
                items = [g.as_dict() for g in readout_gaps(events, a, b, store.side_has_report)]
            else:
                counts, both = dyad_issues(events, a, b)
                items = [c.as_dict() for c in counts]
        except StoreError as exc:
            _fail(str(exc))
    if gaps:
        _emit_gaps(items, fmt)
        return
    if fmt == "json":
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(["issue", a, b, f"only_{a}", f"only_{b}"])
        for it in items:
            writer.writerow([it["issue"], it["counts"][a], it["counts"][b],
                             " ".join(it["one_sided"][a]), " ".join(it["one_sided"][b])])
    else:
        click.echo(f"{'issue':<32} {a:>5} {b:>5}  one-sided events")
        for it in items:
            one = "; ".join(f"only {s}: {', '.join(ev)}" for s, ev in it["one_sided"].items() if ev)
            click.echo(f"{it['issue'][:32]:<32} {it['counts'][a]:>5} {it['counts'][b]:>5}  {one}")
    click.echo(f"{len(items)} issue{'s' if len(items) != 1 else ''} over {both} event{'s' if both != 1 else ''}"
               f" reported by both {a} and {b}", err=True)


def _emit_gaps(items: list[dict], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(["event_id", "date", "mode", "participants", "reported_by", "missing", "documents"])
        for g in items:
            writer.writerow([g["event_id"], g["date"] or "", g["mode"] or "", "; ".join(g["participants"]),
                             " ".join(g["reported_by"]), " ".join(g["missing"]), " ".join(g["documents"])])
    else:
        for g in items:
            click.echo(f"{g['date'] or 'undated':<10} {g['mode'] or '':<10} {' - '.join(g['participants'])[:50]:<50}"
                       f" reported by {', '.join(g['reported_by'])}; not by {', '.join(g['missing'])}"
                       f"  ({', '.join(g['documents'])})")
    click.echo(f"{len(items)} readout gap{'s' if len(items) != 1 else ''}", err=True)


@main.command()
@db_option
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]))
@click.option("--overrides", type=click.Path(dir_okay=False), envvar="READOUTS_OVERRIDES",
              help="Actor overrides TOML (merges, splits, renames, aliases; env READOUTS_OVERRIDES); "
                   "default: the file 'readouts ingest --overrides' kept in the database's settings.")
def actors(db_path: str, fmt: str, overrides: str | None) -> None:
    """List the canonical actors of the stored readouts, with aliases and posts.

    Reads the registry 'readouts ingest' keeps in the database; with other overrides than the
    ones it applied, the registry is built afresh from every stored readout.
    """
    from readouts.store import StoreError

    with _open_store(db_path) as store:
        path = overrides or store.get_config(OVERRIDES_KEY)
        warnings: list[str] = []
        try:
            loaded = _load_overrides(path) if path else None
            stored = store.stored_actors(loaded)  # the registry 'readouts ingest' keeps, when current
            if stored is None:  # other overrides, or documents not yet in it: built from every readout
                registry = store.build_registry(loaded)
                stored, warnings = registry.actors(), registry.warnings
            items = [a.as_dict() for a in stored]
        except StoreError as exc:
            _fail(str(exc))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if fmt == "json":
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for a in items:
        posts = "; ".join(
            f"{p['title']} ({p['first_seen'] or '?'}..{p['last_seen'] or '?'})" for p in a["posts"]
        )
        aliases = ", ".join(x for x in a["aliases"] if x != a["name"])
        click.echo(f"{a['id']:<36} {a['name']:<28} {a['country'] or '':<6} {posts}"
                   + (f"  [aka {aliases}]" if aliases else ""))
    click.echo(f"{len(items)} actor{'s' if len(items) != 1 else ''}", err=True)
