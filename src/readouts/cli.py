"""Command-line interface: a thin layer over the library.

Parses arguments, calls the library, and turns domain errors into one-line messages.
Exit status: 0 when every input was processed, 1 when some input was rejected,
2 on a usage error or a failure that stopped the run.
"""
from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import click

from readouts import __version__
from readouts.records import MODES

DEFAULT_DB = "readouts.db"
EXIT_REJECTED = 1
EXIT_FAILED = 2

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


def _progress(items: Iterable, enabled: bool, label: str) -> Iterator:
    """Yield items, showing a running count on stderr when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, label=label, file=sys.stderr, show_pos=True) as bar:
        yield from bar


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="readouts")
def main() -> None:
    """Turn diplomatic readouts into structured, auditable event data.

    Inputs are .txt, .html and .jsonl files (JSONL objects carry "id" and "text" or
    "html") or folders of them.
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="JSONL file to write, one record per input document ('-' for stdout).")
@jobs_option
@max_size_option
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on a terminal.")
def extract(inputs: tuple[str, ...], output: str, jobs: int, max_size: float, progress: bool) -> None:
    """Extract engagements from INPUTS and write one JSON object per document."""
    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result, run

    written = rejected = 0
    try:
        out = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")
    with out:
        stream = run(iter_inputs(inputs, max_bytes=int(max_size * 1_000_000)), jobs=jobs)
        for item in _progress(stream, progress, "extracting"):
            if isinstance(item, Result):
                out.write(item.readout.as_json() + "\n")
                written += 1
            else:
                _report(item)
                rejected += 1
    click.echo(f"{written} documents written to {output}, {rejected} rejected", err=True)
    sys.exit(EXIT_REJECTED if rejected else 0)


@main.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.argument("predicted", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option("--errors", default=0, type=click.IntRange(0), metavar="N", help="List the first N disagreements.")
def evaluate(gold: str, predicted: str, as_json: bool, errors: int) -> None:
    """Score PREDICTED engagement records against GOLD records (eval/FORMAT.md)."""
    from readouts.evaluate import FormatError, format_report, load_records, score

    try:
        gold_records, pred_records = load_records(gold), load_records(predicted)
    except FormatError as exc:
        _fail(str(exc))
    disagreements: list[dict] = []
    result = score(gold_records, pred_records, disagreements)
    click.echo(json.dumps(result, indent=2) if as_json else format_report(result))
    for item in disagreements[:errors]:
        click.echo(json.dumps(item, ensure_ascii=False), err=True)


def _open_store(db_path: str, create: bool):  # noqa: ANN202 - readouts.store.Store
    from readouts.store import Store, StoreError

    try:
        return Store(db_path, create=create)
    except StoreError as exc:
        _fail(str(exc))


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@db_option
@jobs_option
@max_size_option
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1),
              help="Documents written per transaction; an interrupted run keeps whole batches.")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on a terminal.")
def ingest(inputs: tuple[str, ...], db_path: str, jobs: int, max_size: float, batch_size: int,
           progress: bool) -> None:
    """Extract INPUTS and add them to the database; documents already stored are skipped."""
    from collections import Counter

    from readouts.ingest import iter_inputs
    from readouts.pipeline import Result, run
    from readouts.store import BatchCounts, StoreError

    totals = BatchCounts()
    reasons: Counter[str] = Counter()
    with _open_store(db_path, create=True) as store:
        batch: list = []
        rejected: list = []

        def flush() -> None:
            nonlocal totals
            if batch:
                totals += store.add_batch(batch)
            store.add_rejections(rejected)
            batch.clear()
            rejected.clear()

        try:
            stream = run(iter_inputs(inputs, max_bytes=int(max_size * 1_000_000)), jobs=jobs)
            for item in _progress(stream, progress, "ingesting"):
                if isinstance(item, Result):
                    batch.append(item)
                else:
                    _report(item)
                    rejected.append(item)
                    reasons[_reason_kind(item.reason)] += 1
                if len(batch) + len(rejected) >= batch_size:
                    flush()
            flush()
            store.refresh_links(_env_overrides())
        except StoreError as exc:
            _fail(str(exc))
    click.echo(
        f"documents: {totals.new} new, {totals.present} already present; "
        f"readouts: {totals.readouts}; engagements: {totals.engagements}; "
        f"rejected: {sum(reasons.values())}"
    )
    for reason, n in reasons.most_common():
        click.echo(f"  {n:>6}  {reason}")
    sys.exit(EXIT_REJECTED if reasons else 0)


def _reason_kind(reason: str) -> str:
    """A rejection reason without its position ("line 3: not valid JSON" -> "not valid JSON")."""
    first_line = " ".join(reason.split())
    return re.sub(r"^line \d+: ", "", first_line)


def _check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from readouts.store import is_valid_date

    if value is not None and not is_valid_date(value):
        raise click.BadParameter(f"{value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    return value


@main.command()
@db_option
@click.option("--country", "countries", multiple=True, metavar="ISO3",
              help="A participant's country; repeat for a dyad (every country must take part).")
@click.option("--actor", metavar="NAME", help="Part of a participant's name (case-insensitive).")
@click.option("--since", callback=_check_date, metavar="DATE", help="From this date (YYYY[-MM[-DD]]).")
@click.option("--until", callback=_check_date, metavar="DATE", help="Up to this date, inclusive.")
@click.option("--mode", type=click.Choice(MODES), help="Only engagements of this mode.")
@click.option("--text", metavar="QUERY", help='Full-text query over the documents (FTS5: fisheries AND "joint statement").')
@click.option("--occasion", metavar="SERIES", help='Engagements on the sidelines of one gathering ("G20 Summit").')
@click.option("--all-copies", is_flag=True, help="Also the engagements of republished copies (counted twice).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(0),
              help="Most rows to show (0 = all).")
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many rows first.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "json"]))
def query(db_path: str, countries: tuple[str, ...], actor: str | None, since: str | None,
          until: str | None, mode: str | None, text: str | None, occasion: str | None,
          all_copies: bool, limit: int, offset: int, fmt: str) -> None:
    """Find engagements in the database."""
    from readouts.export import format_table, write_csv
    from readouts.store import QueryFilter, StoreError

    filters = QueryFilter(
        countries=tuple(c.strip().upper() for c in countries), actor=actor, since=since,
        until=until, mode=mode, text=text, limit=limit or None, offset=offset,
        include_copies=all_copies, occasion=occasion,
    )
    with _open_store(db_path, create=False) as store:
        try:
            rows = store.query(filters)
        except StoreError as exc:
            _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        write_csv(rows, sys.stdout)
    else:
        click.echo(format_table(rows))
        click.echo(f"{len(rows)} engagement{'s' if len(rows) != 1 else ''}", err=True)


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

    with _open_store(db_path, create=False) as store:
        try:
            n = export_rows(store, fmt, output, include_copies=all_copies)
        except (ExportError, StoreError) as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"{n} engagements written to {output}", err=True)


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind (the default is this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
def serve(db_path: str, host: str, port: int) -> None:
    """Explore the database in the browser (read-only web UI and JSON API)."""
    try:
        from readouts.web.app import serve as run_server
    except ImportError as exc:
        _fail(f"the web UI needs its dependencies ({exc.name}): pip install 'readouts[web]'")
    if not Path(db_path).is_file():
        _fail(f"no database at {db_path} (run 'readouts ingest' first)")
    click.echo(f"readouts: serving {db_path} read-only on http://{host}:{port}/", err=True)
    run_server(db_path, host=host, port=port)


def _env_overrides(path: str | None = None):  # noqa: ANN202 - readouts.actors.Overrides | None
    """The actor overrides of ``--overrides`` or ``READOUTS_OVERRIDES``; None when neither is set."""
    import os

    path = path or os.environ.get("READOUTS_OVERRIDES") or None
    if not path:
        return None
    try:
        from readouts.actors import OverridesError, load_overrides
    except ImportError:  # INTEGRATION POINT: readouts.actors (part A) not installed
        return None
    try:
        return load_overrides(path)
    except OverridesError as exc:
        _fail(str(exc))


@main.command()
@db_option
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(["table", "json"]))
def duplicates(db_path: str, fmt: str) -> None:
    """List the groups of near-duplicate copies (canonical document first)."""
    from readouts.store import StoreError

    with _open_store(db_path, create=False) as store:
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
            mark = "*" if i == 0 else " "
            click.echo(f"  {mark} {d['id']:<24} {(d['title'] or '')[:80]}")
    click.echo(f"{len(groups)} group{'s' if len(groups) != 1 else ''} of copies", err=True)


@main.command()
@click.argument("engagement_id")
@db_option
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"]))
def compare(engagement_id: str, db_path: str, fmt: str) -> None:
    """Show side by side what each source reported of one engagement (statements, issues, tone,
    initiative, commitments), why each was linked, and what only one side mentions."""
    from readouts.links import LinkReason
    from readouts.sides import KINDS, compare_event
    from readouts.store import StoreError

    with _open_store(db_path, create=False) as store:
        try:
            result = compare_event(store.event_sources(engagement_id))
        except StoreError as exc:
            _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps({"engagement_id": engagement_id, **result.as_dict()}, ensure_ascii=False, indent=2))
        return
    n = len(result.sources)
    click.echo(f"engagement {engagement_id}: {n} source{'s' if n != 1 else ''}, event {result.event_id}")
    names = {"issues": "issues", "tones": "tone", "initiative": "initiative", "commitments": "commitments"}
    for item in result.sources:
        click.echo("")
        click.echo(f"== doc {item['document_id']} [side {item['side']}, {item['side_basis']}]: {item['title'] or ''}")
        click.echo(f"   {item['date'] or 'undated'}, {item['mode']}")
        if item["link_reason"]:
            click.echo(f"   linked: {LinkReason.from_dict(item['link_reason']).describe()}")
        click.echo("   statements:")
        for line in item["statements"] or ["(none)"]:
            click.echo(f"     - {line}")
        for kind in KINDS:
            click.echo(f"   {names[kind]}: " + ("; ".join(item[kind]) or "(none)"))
    if n > 1:
        click.echo("")
        for item in result.sources:
            for issue in item["only_here"]["issues"]:
                click.echo(f"Only in doc {item['document_id']}: the issue {issue!r}")
            for line in item["only_here"]["statements"]:
                click.echo(f"Only in doc {item['document_id']}: statement {line}")
    for side, kinds in result.only.items():
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
    with _open_store(db_path, create=False) as store:
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
              help="Actor overrides TOML (merges, splits, renames, aliases; env READOUTS_OVERRIDES).")
def actors(db_path: str, fmt: str, overrides: str | None) -> None:
    """List the canonical actors of the stored readouts, with aliases and posts."""
    from readouts.store import StoreError

    with _open_store(db_path, create=False) as store:
        try:
            registry = store.build_registry(_env_overrides(overrides))
        except StoreError as exc:
            _fail(str(exc))
    if registry is None:
        _fail("actor resolution is not available (readouts.actors is not installed)")
    items = [a.as_dict() for a in registry.actors()]
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
