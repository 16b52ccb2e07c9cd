"""The web UI: server-rendered pages and a JSON API over a readouts database, read-only.

``create_app(db_path)`` returns a FastAPI (ASGI) app; ``readouts serve`` runs it with uvicorn.
Everything read from the store is untrusted: Jinja2 autoescapes every value, highlighted
spans are built from escaped pieces, charts are SVG the server draws with every label escaped
(``readouts.web.charts``), JSON goes into pages through ``|tojson`` inside
``<script type="application/json">`` blocks, a stored ``url`` becomes a link only when it is
http(s), and every response carries a strict Content-Security-Policy (scripts and styles from this
server only, no inline scripts or handlers) through ``readouts.web.frontdoor.FrontDoor``, which
also answers HEAD, gzips, and caches responses until the store changes.
"""
from __future__ import annotations

import io
import json
import os
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Depends, FastAPI, HTTPException, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from readouts import __version__
from readouts.gazetteer import country_code
from readouts.read import rows as r
from readouts.read import views as v
from readouts.read.db import OldSchema, connect
from readouts.read.filters import Filters, is_valid_date
from readouts.records import MODES
from readouts.web import charts
from readouts.web.frontdoor import CSP, FrontDoor, Memo, StaticFiles, accepts_gzip  # noqa: F401 - CSP is re-exported

HERE = Path(__file__).parent
MODE_LABELS = {"meeting": "meeting", "talks": "talks", "phone_call": "phone call",
               "video_call": "video call", "message": "message"}
MODE_CLASSES = {m: f"mode-{m}" for m in MODES}
PER_PAGE = 25
DB_ENV = "READOUTS_WEB_DB"  # the database of ``app_from_env`` (the workers of ``serve --workers N``)
CACHE_ENV = "READOUTS_WEB_CACHE"  # the folder where those workers share cached responses

# What the OpenAPI schema says the parameters are; the handlers check the rest (a known code, a real day).
DATE_PATTERN = r"^([0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?)?$"
COUNTRY_PATTERN = r"^ *([A-Za-z]{3}|[A-Za-z][A-Za-z0-9 .-]{1,30}[A-Za-z0-9])? *$"
ModeParam = Literal["", "meeting", "talks", "phone_call", "video_call", "message"]
assert set(ModeParam.__args__) == {"", *MODES}  # type: ignore[attr-defined]


class ErrorBody(BaseModel):
    """The body of every JSON error response."""

    error: str
    status: int


CSV_RESPONSE: dict[str, Any] = {"description": "CSV with a header row",
                                "content": {"text/csv": {"schema": {"type": "string"}}}}


def _api_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    what = {400: "Bad full-text query", 404: "No such item", 422: "Invalid parameter",
            503: "The database is missing or unreadable"}
    return {c: {"model": ErrorBody, "description": what[c]} for c in (*codes, 503)}


def _page_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    what = {400: "Bad full-text query", 404: "No such item", 422: "Invalid parameter",
            503: "The database is missing or unreadable"}
    return {c: {"description": what[c] + " (an HTML error page)",
                "content": {"text/html": {"schema": {"type": "string"}}}} for c in (*codes, 503)}


def safe_url(value: str | None) -> str | None:
    """A stored URL fit for a link: http(s) with a host; anything else (javascript:, data:) is None."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in value for c in "\n\r\t"):
        return None
    return value


def _error(status: int, message: str) -> HTTPException:
    return HTTPException(status_code=status, detail=message)


def _iso3(value: str, what: str = "country") -> str:
    """A known state code or organisation (the rule of ``readouts query --country``)."""
    try:
        return country_code(value)
    except ValueError as exc:
        raise _error(422, f"{what}: {exc}") from exc


def _date(value: str | None, what: str) -> str | None:
    if value in (None, ""):
        return None
    if not is_valid_date(value):  # ASCII digits only
        raise _error(422, f"{what}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return value


def get_filters(
    country: Annotated[list[Annotated[str, Query(pattern=COUNTRY_PATTERN)]],
                       Query(description="ISO3 code of a participating state (or an organisation's short name, "
                                         "EU); two = a dyad; empty = none", max_length=8)] = [],  # noqa: B006
    actor: Annotated[str | None, Query(max_length=200, description="an actor's registry id (p:wang-yi:CHN) or part "
                                       "of a name it goes by")] = None,
    mode: Annotated[ModeParam | None, Query(description="engagement mode (empty = any)")] = None,
    since: Annotated[str | None, Query(max_length=10, pattern=DATE_PATTERN,
                                       description="YYYY[-MM[-DD]] (ASCII digits), inclusive")] = None,
    until: Annotated[str | None, Query(max_length=10, pattern=DATE_PATTERN,
                                       description="YYYY[-MM[-DD]] (ASCII digits), inclusive")] = None,
    occasion: Annotated[str | None, Query(max_length=300)] = None,
    q_: Annotated[str | None, Query(alias="q", max_length=500, description="full text: words and phrases "
                                    "(FTS5 syntax where it parses)")] = None,
    all_copies: Annotated[bool, Query(description="include republished copies of a readout")] = False,
    reports: Annotated[bool, Query(description="one row per report instead of one per event")] = False,
) -> Filters:
    if mode and mode not in MODES:
        raise _error(422, f"mode: {mode!r} is not one of {', '.join(MODES)}")
    countries = tuple(dict.fromkeys(_iso3(c) for c in country if c.strip()))
    s, u = _date(since, "since"), _date(until, "until")
    try:
        return Filters(countries=countries, actor=(actor or "").strip() or None, mode=mode or None, since=s, until=u,
                       occasion=(occasion or "").strip() or None, text=(q_ or "").strip() or None,
                       include_copies=all_copies, events=not reports, limit=None)
    except ValueError as exc:  # since after until
        raise _error(422, str(exc)) from exc

CodeParam = Annotated[str, PathParam(pattern=COUNTRY_PATTERN, max_length=40,
                                      description="ISO3 code of a state (or an organisation's short name)")]
PageParam = Annotated[int, Query(ge=1, le=100_000, description="page number, from 1")]
PerPageParam = Annotated[int, Query(ge=1, le=500, description="engagements per page")]


def get_conn(request: Request) -> Iterator[sqlite3.Connection]:
    """A read-only connection for one request."""
    conn = connect(request.app.state.db_path)
    try:
        yield conn
    finally:
        conn.close()


Conn = Annotated[sqlite3.Connection, Depends(get_conn)]


FiltersDep = Annotated[Filters, Depends(get_filters)]


def create_app(db_path: str | Path, shared_cache: str | Path | None = None) -> FastAPI:
    """The app over ``db_path``; ``shared_cache``, a private folder, shares cached responses between
    the worker processes of one server."""
    db_path = Path(db_path)
    connect(db_path).close()  # a missing file or an older schema fails here, not on every request
    app = FastAPI(
        title="readouts", version=__version__, docs_url=None, redoc_url=None,
        description="Read-only JSON API over a readouts database (engagements extracted from diplomatic readouts).",
    )
    static = StaticFiles(HERE / "static")
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals.update(MODES=MODES, MODE_LABELS=MODE_LABELS, version=__version__, urlencode=urlencode,
                       static_url=static.url)
    env.filters["safe_url"] = safe_url
    templates = Jinja2Templates(env=env)

    app.state.db_path = db_path
    memo = Memo(db_path)  # counts, facets, dyads, networks, places, actors: once per store version

    def wants_json(request: Request) -> bool:
        path = request.url.path
        return path.startswith("/api/") or path.endswith((".json", ".csv")) or path == "/openapi.json"

    def render(request: Request, name: str, status: int = 200, headers: dict[str, str] | None = None,
               **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status, headers=headers)

    def error_page(status: int, message: str) -> bytes:
        return env.get_template("error.html").render(status_code=status, message=message, page_title="Error",
                                                     static_url=static.url).encode("utf-8")

    def error_response(request: Request, status: int, message: Any,
                       headers: dict[str, str] | None = None) -> Response:
        if wants_json(request):
            return JSONResponse({"error": str(message), "status": status}, status_code=status, headers=headers)
        return render(request, "error.html", status=status, headers=headers, status_code=status, message=message,
                      page_title=f"Error {status}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # GET and HEAD are all this read-only server answers
            headers["Allow"] = "GET, HEAD"
        return error_response(request, exc.status_code, exc.detail, headers or None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path")]
            where = loc[0] if loc else "request"
            problems.append(f"{where}: {err.get('msg')}")
        message = "; ".join(problems) or "invalid request"
        return error_response(request, 422, message)

    @app.exception_handler(r.BadQuery)
    async def bad_query(request: Request, exc: r.BadQuery) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(v.NotFound)
    async def not_found(request: Request, exc: v.NotFound) -> Response:
        return error_response(request, 404, str(exc))

    async def unreadable(request: Request, exc: Exception) -> Response:
        return error_response(request, 503, f"the database is missing or unreadable ({exc.__class__.__name__}: "
                                            f"{exc}); run 'readouts ingest' or check the file")

    for kind in (FileNotFoundError, PermissionError, OldSchema, sqlite3.DatabaseError):
        app.add_exception_handler(kind, unreadable)

    # ------------------------------------------------------------------ shared builders

    def search_data(conn: sqlite3.Connection, f: Filters, page: int, per_page: int) -> dict[str, Any]:
        total = memo(r.count, conn, f)
        pages = max(1, -(-total // per_page))
        rows = r.engagements(conn, replace(f, limit=per_page, offset=(page - 1) * per_page))
        return {"total": total, "unit": unit_of(f), "page": page, "per_page": per_page, "pages": pages,
                "engagements": rows}

    def dyad_codes(a: str, b: str) -> tuple[str, str]:
        a, b = _iso3(a, "A"), _iso3(b, "B")
        if a == b:
            raise _error(422, "a dyad needs two different states")
        return a, b

    def unit_of(f: Filters) -> str:
        return "events" if f.events else "reports"

    def keep(f: Filters, *drop: str, **extra: str) -> list[tuple[str, str]]:
        """The filters as query pairs, less ``drop``, plus ``extra``."""
        return [(k, v) for k, v in f.params() if k not in drop and k not in extra] + list(extra.items())

    def undated_note(n: int, unit: str) -> str:
        return f"{n} undated {unit if n != 1 else unit[:-1]}, not charted" if n else ""

    def dyad_charts(d: dict[str, Any], f: Filters) -> dict[str, charts.Chart]:
        a, b, months, unit = d["a"], d["b"], d["months"], d["unit"]
        note = undated_note(d["undated"], unit)

        def bar_link(month: str, _series: str) -> str:
            return "/?" + urlencode(keep(f, "country", "since", "until", country=a, since=month, until=month)
                                    + [("country", b)])

        def mode_link(month: str, mode: str) -> str:
            return "/?" + urlencode(keep(f, "country", "since", "until", "mode", country=a, since=month,
                                         until=month, mode=mode) + [("country", b)])

        out = {
            "mode": charts.time_bars("mode", f"{unit.capitalize()} per month by mode, {a}–{b}", months, d["by_mode"],
                                     MODE_LABELS, MODE_CLASSES, unit, note=note, href=mode_link),
            "level": charts.time_bars("level", f"{unit.capitalize()} per month by level, {a}–{b}", months,
                                      d["by_level"], {}, charts.LEVEL_CLASSES, unit, note=note, href=bar_link),
        }
        by_month = d["sides"]["by_month"]
        if by_month:
            axis = charts.month_axis(min(by_month), max(by_month))
            series = {side: [by_month.get(m, {}).get(side, 0) for m in axis] for side in (a, b)}
            out["one_sided"] = charts.time_bars(
                "one_sided", f"Issues only one side mentioned, per month, {a}–{b}", axis, series,
                {a: f"only {a}", b: f"only {b}"}, {a: "side-a", b: "side-b"}, "one-sided issues", stacked=False)
        return out

    def network_chart(n: dict[str, Any], f: Filters, by: str) -> charts.Chart:
        what = "actors" if by == "actor" else "states and organisations"
        title = f"{len(n['nodes'])} {what}, {n['engagements']} {n['unit']}"
        orgs = {node["id"] for node in n["nodes"] if node.get("kind") == "organisation"}
        if by == "actor":
            query = urlencode(keep(f, "country", "actor"))
            return charts.network("network", title, n["nodes"], n["edges"], limit=80, labels=12, unit=n["unit"],
                                  is_org=orgs.__contains__,
                                  node_href=lambda a: "/actors/" + quote(str(a), safe="") + (f"?{query}" if query else ""))
        return charts.network(
            "network", title, n["nodes"], n["edges"], is_org=orgs.__contains__, unit=n["unit"],
            node_href=lambda c: "/?" + urlencode(keep(f, "country", country=c)),
            edge_href=lambda x, y: f"/dyad/{quote(x, safe='')}/{quote(y, safe='')}?" + urlencode(keep(f, "country")))

    def network_figure(conn: sqlite3.Connection, f: Filters, by: str) -> charts.Chart:
        return network_chart(memo(v.network, conn, f, by), f, by)  # the layout, once per store version

    def actor_chart(a: dict[str, Any]) -> charts.Chart:
        per: dict[str, Counter[str]] = defaultdict(Counter)
        for e in a["engagements"]:
            if e.get("date"):
                per[e["mode"]][e["date"][:4]] += 1
        years = charts.year_axis(y for c in per.values() for y in c)
        series = {m: [per[m][y] for y in years] for m in MODES if m in per}
        return charts.time_bars("actor", f"{a['unit'].capitalize()} per year by mode", years, series, MODE_LABELS,
                                MODE_CLASSES, a["unit"], period_name="year", note=undated_note(a["undated"], a["unit"]))

    def map_chart(conn: sqlite3.Connection, f: Filters) -> charts.Chart:
        places = memo(v.places, conn, f)
        located = sum(sum(p["modes"].values()) for p in places)
        total, unit = memo(r.count, conn, f), unit_of(f)
        note = f"{total - located} of {total} {unit} have no coordinates, not mapped" if total > located else ""
        return charts.world_map("map", f"{located} {unit} at {len(places)} places", places, MODE_LABELS, note,
                                unit=unit)

    def chart_csv(chart: charts.Chart, name: str) -> Response:
        return Response(chart.csv(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})

    # ------------------------------------------------------------------ static

    @app.api_route("/static/{name}", methods=["GET", "HEAD"], include_in_schema=False)
    def static_file(request: Request, name: str, v: str | None = None) -> Response:
        served = static.headers(name, v, request.headers.get("if-none-match"), accepts_gzip(request.scope))
        if served is None:
            raise StarletteHTTPException(404, f"no static file {name!r}")
        status, headers, body = served
        return Response(body, status_code=status, headers=headers)

    # ------------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse, summary="Search page", tags=["pages"],
             responses=_page_errors(400, 422))
    def search_page(request: Request, conn: Conn, f: FiltersDep, page: PageParam = 1) -> HTMLResponse:
        data = search_data(conn, f, page, PER_PAGE)
        params = f.params()
        return render(request, "search.html", f=f, data=data, facets=memo(r.facets, conn, f),
                      query=urlencode(params), params=params, page_title="Search")

    @app.get("/documents/{doc_id}", response_class=HTMLResponse, summary="Document page", tags=["pages"],
             responses=_page_errors(404, 422))
    def document_page(request: Request, conn: Conn, doc_id: Annotated[str, PathParam(max_length=200)]) -> HTMLResponse:
        doc = v.document(conn, doc_id)
        segments = v.highlight_segments(doc["text"], doc["spans"])
        return render(request, "document.html", doc=doc, segments=segments, page_title=doc["title"] or doc["document_id"])

    @app.get("/dyad/{a}/{b}", response_class=HTMLResponse, summary="Dyad page", tags=["pages"],
             responses=_page_errors(400, 422))
    def dyad_page(request: Request, conn: Conn, a: CodeParam, b: CodeParam, f: FiltersDep) -> HTMLResponse:
        a, b = dyad_codes(a, b)
        d = memo(v.dyad, conn, a, b, f)
        params = f.params(without=("country",))
        return render(request, "dyad.html", d=d, f=f, params=params, query=urlencode(params),
                      figures=dyad_charts(d, f), page_title=f"{a}–{b}", csv_query=urlencode(params))

    @app.get("/network", response_class=HTMLResponse, summary="Network page", tags=["pages"],
             responses=_page_errors(400, 422))
    def network_page(request: Request, conn: Conn, f: FiltersDep,
                     by: Literal["state", "actor"] = "state") -> HTMLResponse:
        n = memo(v.network, conn, f, by)
        params = f.params(without=("country",))
        return render(request, "network.html", n=n, f=f, by=by, params=params, query=urlencode(params),
                      figure=memo(network_figure, conn, f, by), page_title="Network",
                      csv_query=urlencode([*f.params(), ("by", by)]))

    @app.get("/map", response_class=HTMLResponse, summary="Map page: engagements by place", tags=["pages"],
             responses=_page_errors(400, 422))
    def map_page(request: Request, conn: Conn, f: FiltersDep) -> HTMLResponse:
        return render(request, "map.html", f=f, figure=map_chart(conn, f), unit=unit_of(f), page_title="Map",
                      csv_query=urlencode(f.params()))

    @app.get("/actors/{actor_id}", response_class=HTMLResponse, summary="Actor page", tags=["pages"],
             responses=_page_errors(404, 422))
    def actor_page(request: Request, conn: Conn, actor_id: Annotated[str, PathParam(max_length=200)],
                   f: FiltersDep) -> HTMLResponse:
        a = memo(v.actor, conn, actor_id, f)
        params = f.params(without=("actor",))
        return render(request, "actor.html", a=a, f=f, params=params, query=urlencode(params),
                      engagements=a["engagements"], figure=actor_chart(a), page_title=a["name"])

    @app.get("/compare/{engagement_id}", response_class=HTMLResponse, summary="Compare page", tags=["pages"],
             responses=_page_errors(404, 422))
    def compare_page(request: Request, conn: Conn,
                     engagement_id: Annotated[str, PathParam(max_length=200)]) -> HTMLResponse:
        c = v.compare(conn, engagement_id)
        return render(request, "compare.html", c=c, page_title="Compare sources")

    # ------------------------------------------------------------------ API

    @app.get("/api/engagements", summary="Engagements matching the filters, paginated", tags=["api"],
             responses=_api_errors(400, 422))
    def api_engagements(conn: Conn, f: FiltersDep, page: PageParam = 1,
                        per_page: PerPageParam = PER_PAGE) -> dict[str, Any]:
        return {"filters": f.as_dict(), **search_data(conn, f, page, per_page)}

    @app.get("/api/engagements.json", summary="Export: every engagement matching the filters (JSON)", tags=["export"],
             responses={200: {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}},
                        **_api_errors(400, 422)}, response_class=Response)
    def api_export_json(conn: Conn, f: FiltersDep) -> Response:
        rows = r.engagements(conn, f)
        return Response(json.dumps(rows, ensure_ascii=False, indent=1), media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="engagements.json"'})

    @app.get("/api/engagements.csv", summary="Export: every engagement matching the filters (CSV)", tags=["export"],
             response_class=Response, responses={200: CSV_RESPONSE, **_api_errors(400, 422)})
    def api_export_csv(conn: Conn, f: FiltersDep) -> Response:
        out = io.StringIO()
        r.write_csv(r.iter_engagements(conn, f), out)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="engagements.csv"'})

    @app.get("/api/facets", summary="Counts per facet value within the filtered set", tags=["api"],
             responses=_api_errors(400, 422))
    def api_facets(conn: Conn, f: FiltersDep) -> dict[str, Any]:
        return {"filters": f.as_dict(), "total": memo(r.count, conn, f), "unit": unit_of(f),
                "facets": memo(r.facets, conn, f)}

    @app.get("/api/documents/{doc_id}", summary="A document: clean text, readout and highlighted spans", tags=["api"],
             responses=_api_errors(404, 422))
    def api_document(conn: Conn, doc_id: Annotated[str, PathParam(max_length=200)]) -> dict[str, Any]:
        return v.document(conn, doc_id)

    @app.get("/api/dyad/{a}/{b}", summary="A dyad: engagements per month by mode and level, issues per side",
             tags=["api"], responses=_api_errors(400, 422))
    def api_dyad(conn: Conn, a: CodeParam, b: CodeParam, f: FiltersDep) -> dict[str, Any]:
        a, b = dyad_codes(a, b)
        return memo(v.dyad, conn, a, b, f)

    @app.get("/api/dyad/{a}/{b}/{chart}.csv", summary="The figures of one dyad chart (CSV)", tags=["export"],
             response_class=Response, responses={200: CSV_RESPONSE, **_api_errors(400, 404, 422)})
    def api_dyad_chart(conn: Conn, a: CodeParam, b: CodeParam, chart: Literal["mode", "level", "one_sided"],
                       f: FiltersDep) -> Response:
        a, b = dyad_codes(a, b)
        figures = dyad_charts(memo(v.dyad, conn, a, b, f), f)
        if chart not in figures:
            raise v.NotFound(f"no {chart} chart for {a}-{b} (no event reported by both sides)")
        return chart_csv(figures[chart], f"{a}-{b}-{chart}")

    @app.get("/api/network", summary="States or actors as nodes, engagements as weighted edges", tags=["api"],
             responses=_api_errors(400, 422))
    def api_network(conn: Conn, f: FiltersDep, by: Literal["state", "actor"] = "state") -> dict[str, Any]:
        return memo(v.network, conn, f, by)

    @app.get("/api/network.csv", summary="The edges of the network chart (CSV)", tags=["export"],
             response_class=Response, responses={200: CSV_RESPONSE, **_api_errors(400, 422)})
    def api_network_csv(conn: Conn, f: FiltersDep, by: Literal["state", "actor"] = "state") -> Response:
        return chart_csv(memo(network_figure, conn, f, by), f"network-{by}")

    @app.get("/api/places", summary="Engagements with coordinates, counted per place and mode", tags=["api"],
             responses=_api_errors(400, 422))
    def api_places(conn: Conn, f: FiltersDep) -> dict[str, Any]:
        return {"filters": f.as_dict(), "unit": unit_of(f), "places": memo(v.places, conn, f)}

    @app.get("/api/places.csv", summary="The figures of the map (CSV)", tags=["export"],
             response_class=Response, responses={200: CSV_RESPONSE, **_api_errors(400, 422)})
    def api_places_csv(conn: Conn, f: FiltersDep) -> Response:
        return chart_csv(map_chart(conn, f), "places")

    @app.get("/api/actors/{actor_id}", summary="An actor: aliases, posts, engagements, counterparts", tags=["api"],
             responses=_api_errors(404, 422))
    def api_actor(conn: Conn, actor_id: Annotated[str, PathParam(max_length=200)], f: FiltersDep) -> dict[str, Any]:
        return memo(v.actor, conn, actor_id, f)

    @app.get("/api/actors/{actor_id}/per_year.csv", summary="The actor's engagements per year and mode (CSV)",
             tags=["export"], response_class=Response, responses={200: CSV_RESPONSE, **_api_errors(404, 422)})
    def api_actor_csv(conn: Conn, actor_id: Annotated[str, PathParam(max_length=200)], f: FiltersDep) -> Response:
        return chart_csv(actor_chart(memo(v.actor, conn, actor_id, f)), "actor-per-year")

    @app.get("/api/compare/{engagement_id}", summary="One engagement as reported by each linked source",
             tags=["api"], responses=_api_errors(404, 422))
    def api_compare(conn: Conn, engagement_id: Annotated[str, PathParam(max_length=200)]) -> dict[str, Any]:
        return v.compare(conn, engagement_id)

    app.add_middleware(FrontDoor, db_path=db_path, error_page=error_page,
                       shared_dir=Path(shared_cache) if shared_cache else None)
    return app


def app_from_env() -> FastAPI:
    """The app over the database named by ``$READOUTS_WEB_DB`` (each worker of ``serve --workers N``)."""
    return create_app(os.environ[DB_ENV], os.environ.get(CACHE_ENV) or None)


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the web UI; ``workers`` > 1 runs that many processes (uvicorn's), sharing cached responses."""
    import uvicorn

    if workers <= 1:
        uvicorn.run(create_app(db_path), host=host, port=port, log_level="info")
        return
    import shutil
    import tempfile

    create_app(db_path)  # fail here (missing file, old schema), not in every worker
    shared = tempfile.mkdtemp(prefix="readouts-web-cache-")  # private (0700), removed on exit
    os.environ[DB_ENV] = str(Path(db_path).resolve())
    os.environ[CACHE_ENV] = shared
    try:
        uvicorn.run("readouts.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="info")
    finally:
        shutil.rmtree(shared, ignore_errors=True)
