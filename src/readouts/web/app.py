"""The web UI: server-rendered pages and a JSON API over a readouts database, read-only.

``create_app(db_path)`` returns a FastAPI (ASGI) app; ``readouts serve`` runs it with uvicorn.
Everything read from the store is untrusted: Jinja2 autoescapes every value, highlighted
spans are built from escaped pieces, JSON goes into pages through ``|tojson`` inside
``<script type="application/json">`` blocks, and every response carries a strict
Content-Security-Policy (scripts from this server only, no inline scripts or handlers).
"""
from __future__ import annotations

import io
import json
import math
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from readouts import __version__
from readouts.gazetteer import country_code
from readouts.read import rows as r
from readouts.read import views as v
from readouts.read.db import connect
from readouts.read.filters import Filters, is_valid_date
from readouts.records import MODES

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)
# plotly.js writes its own <style> element at run time, hence 'unsafe-inline' for styles only.
MODE_LABELS = {"meeting": "meeting", "talks": "talks", "phone_call": "phone call",
               "video_call": "video call", "message": "message"}
PER_PAGE = 25



@lru_cache(maxsize=1)
def plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


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
    if not is_valid_date(value):
        raise _error(422, f"{what}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return value


def get_filters(
    country: Annotated[list[str], Query(description="ISO3 code of a participating state; two = a dyad",
                                        max_length=8)] = [],  # noqa: B006 - FastAPI reads the default
    actor: Annotated[str | None, Query(max_length=200, description="an actor's registry id (p:wang-yi:CHN) or part "
                                       "of a name it goes by")] = None,
    mode: Annotated[str | None, Query(max_length=20, description="engagement mode: " + ", ".join(MODES))] = None,
    since: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]], inclusive")] = None,
    until: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]], inclusive")] = None,
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
    except ValueError as exc:
        raise _error(422, str(exc)) from exc

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


def create_app(db_path: str | Path) -> FastAPI:
    db_path = Path(db_path)
    connect(db_path).close()  # a missing file or an older schema fails here, not on every request
    app = FastAPI(
        title="readouts", version=__version__, docs_url=None, redoc_url=None,
        description="Read-only JSON API over a readouts database (engagements extracted from diplomatic readouts).",
    )
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals.update(MODES=MODES, MODE_LABELS=MODE_LABELS, version=__version__, urlencode=urlencode)
    templates = Jinja2Templates(env=env)

    app.state.db_path = db_path

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path.endswith(".json")

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def error_response(request: Request, status: int, message: Any) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return render(request, "error.html", status=status, status_code=status, message=message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, exc.detail)

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

    # ------------------------------------------------------------------ shared builders

    def search_data(conn: sqlite3.Connection, f: Filters, page: int, per_page: int) -> dict[str, Any]:
        total = r.count(conn, f)
        pages = max(1, math.ceil(total / per_page))
        rows = r.engagements(conn, replace(f, limit=per_page, offset=(page - 1) * per_page))
        return {"total": total, "unit": "events" if f.events else "reports", "page": page, "per_page": per_page,
                "pages": pages, "engagements": rows}

    def dyad_codes(a: str, b: str) -> tuple[str, str]:
        a, b = _iso3(a, "A"), _iso3(b, "B")
        if a == b:
            raise _error(422, "a dyad needs two different states")
        return a, b

    def dyad_figures(d: dict[str, Any]) -> dict[str, Any]:
        def bars(series: dict[str, list[int]], title: str) -> dict[str, Any]:
            return {
                "data": [{"type": "bar", "name": MODE_LABELS.get(k, k), "x": d["months"], "y": v}
                         for k, v in series.items()],
                "layout": {"title": {"text": title}, "barmode": "stack", "height": 320,
                           "margin": {"l": 40, "r": 10, "t": 40, "b": 60},
                           "xaxis": {"type": "category", "title": {"text": "month"}},
                           "yaxis": {"title": {"text": d["unit"]}, "dtick": 1}},
            }

        by_month = d["sides"]["by_month"]
        one_sided = {
            "data": [{"type": "bar", "name": f"only {side}", "x": list(by_month),
                      "y": [by_month[m][side] for m in by_month]} for side in (d["a"], d["b"])],
            "layout": {"title": {"text": f"Issues only one side mentioned, per month, {d['a']}–{d['b']}"},
                       "barmode": "group", "height": 300, "margin": {"l": 40, "r": 10, "t": 40, "b": 60},
                       "xaxis": {"type": "category", "title": {"text": "month"}},
                       "yaxis": {"title": {"text": "one-sided issues"}, "dtick": 1}},
        }
        unit = d["unit"].capitalize()
        return {"mode": bars(d["by_mode"], f"{unit} per month by mode, {d['a']}–{d['b']}"),
                "level": bars(d["by_level"], f"{unit} per month by level, {d['a']}–{d['b']}"),
                "one_sided": one_sided}

    def network_figure(n: dict[str, Any]) -> dict[str, Any]:
        nodes = n["nodes"]
        count = len(nodes)
        pos = {}
        for i, node in enumerate(nodes):
            angle = 2 * math.pi * i / max(count, 1)
            pos[node["id"]] = (math.cos(angle), math.sin(angle))
        top = max((e["weight"] for e in n["edges"]), default=1)
        label = {node["id"]: node["label"] for node in nodes}
        traces: list[dict[str, Any]] = []
        for e in n["edges"]:
            (x0, y0), (x1, y1) = pos[e["source"]], pos[e["target"]]
            traces.append({"type": "scatter", "mode": "lines", "x": [x0, x1], "y": [y0, y1],
                           "line": {"width": 1 + 5 * e["weight"] / top, "color": "#8a9bb0"},
                           "hoverinfo": "text", "showlegend": False,
                           "text": f"{label[e['source']]}–{label[e['target']]}: {e['weight']} {n['unit']}"})
        traces.append({
            "type": "scatter", "mode": "markers+text", "showlegend": False,
            "x": [pos[v["id"]][0] for v in nodes], "y": [pos[v["id"]][1] for v in nodes],
            "text": [v["label"] for v in nodes], "textposition": "top center",
            "hovertext": [f"{v['label']}: {v['engagements']} {n['unit']}" for v in nodes], "hoverinfo": "text",
            "marker": {"size": [10 + 4 * math.sqrt(v["engagements"]) for v in nodes], "color": "#1f5fa8"},
        })
        return {"data": traces, "layout": {
            "height": 600, "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "hovermode": "closest",
            "xaxis": {"visible": False, "range": [-1.3, 1.3]}, "yaxis": {"visible": False, "range": [-1.25, 1.25]},
            "title": {"text": f"{len(nodes)} {'actors' if n['by'] == 'actor' else 'states'}, "
                              f"{n['engagements']} {n['unit']}"}}}

    # ------------------------------------------------------------------ static

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_bundle() -> Response:
        return Response(plotly_js(), media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    # ------------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse, summary="Search page", tags=["pages"])
    def search_page(request: Request, conn: Conn, f: FiltersDep, page: PageParam = 1) -> HTMLResponse:
        data = search_data(conn, f, page, PER_PAGE)
        params = f.params()
        return render(request, "search.html", f=f, data=data, facets=r.facets(conn, f),
                      query=urlencode(params), params=params, page_title="Search")

    @app.get("/documents/{doc_id}", response_class=HTMLResponse, summary="Document page", tags=["pages"])
    def document_page(request: Request, conn: Conn, doc_id: Annotated[str, PathParam(max_length=200)]) -> HTMLResponse:
        doc = v.document(conn, doc_id)
        segments = v.highlight_segments(doc["text"], doc["spans"])
        return render(request, "document.html", doc=doc, segments=segments, page_title=doc["title"] or doc["document_id"])

    @app.get("/dyad/{a}/{b}", response_class=HTMLResponse, summary="Dyad page", tags=["pages"])
    def dyad_page(request: Request, conn: Conn, a: str, b: str, f: FiltersDep) -> HTMLResponse:
        a, b = dyad_codes(a, b)
        d = v.dyad(conn, a, b, f)
        params = f.params(without=("country",))
        return render(request, "dyad.html", d=d, f=f, params=params, query=urlencode(params),
                      figures=dyad_figures(d), page_title=f"{a}–{b}")

    @app.get("/network", response_class=HTMLResponse, summary="Network page", tags=["pages"])
    def network_page(request: Request, conn: Conn, f: FiltersDep,
                     by: Literal["state", "actor"] = "state") -> HTMLResponse:
        n = v.network(conn, f, by)
        params = f.params(without=("country",))
        return render(request, "network.html", n=n, f=f, by=by, params=params, query=urlencode(params),
                      figure=network_figure(n), page_title="Network")

    @app.get("/actors/{actor_id}", response_class=HTMLResponse, summary="Actor page", tags=["pages"])
    def actor_page(request: Request, conn: Conn, actor_id: Annotated[str, PathParam(max_length=200)],
                   f: FiltersDep) -> HTMLResponse:
        a = v.actor(conn, actor_id, f)
        params = f.params(without=("actor",))
        figure = {"data": [{"type": "bar", "x": [p["year"] for p in a["per_year"]],
                            "y": [p["count"] for p in a["per_year"]], "name": "engagements"}],
                  "layout": {"height": 260, "title": {"text": "Engagements per year"},
                             "xaxis": {"type": "category"}, "yaxis": {"dtick": 1},
                             "margin": {"l": 40, "r": 10, "t": 40, "b": 40}}}
        return render(request, "actor.html", a=a, f=f, params=params, query=urlencode(params),
                      engagements=a["engagements"], figure=figure, page_title=a["name"])

    @app.get("/compare/{engagement_id}", response_class=HTMLResponse, summary="Compare page", tags=["pages"])
    def compare_page(request: Request, conn: Conn,
                     engagement_id: Annotated[str, PathParam(max_length=200)]) -> HTMLResponse:
        c = v.compare(conn, engagement_id)
        return render(request, "compare.html", c=c, page_title="Compare sources")

    # ------------------------------------------------------------------ API

    @app.get("/api/engagements", summary="Engagements matching the filters, paginated", tags=["api"])
    def api_engagements(conn: Conn, f: FiltersDep, page: PageParam = 1,
                        per_page: PerPageParam = PER_PAGE) -> dict[str, Any]:
        return {"filters": f.as_dict(), **search_data(conn, f, page, per_page)}

    @app.get("/api/engagements.json", summary="Export: every engagement matching the filters (JSON)", tags=["export"])
    def api_export_json(conn: Conn, f: FiltersDep) -> Response:
        rows = r.engagements(conn, f)
        return Response(json.dumps(rows, ensure_ascii=False, indent=1), media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="engagements.json"'})

    @app.get("/api/engagements.csv", summary="Export: every engagement matching the filters (CSV)", tags=["export"],
             response_class=Response)
    def api_export_csv(conn: Conn, f: FiltersDep) -> Response:
        out = io.StringIO()
        r.write_csv(r.iter_engagements(conn, f), out)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="engagements.csv"'})

    @app.get("/api/facets", summary="Counts per facet value within the filtered set", tags=["api"])
    def api_facets(conn: Conn, f: FiltersDep) -> dict[str, Any]:
        return {"filters": f.as_dict(), "total": r.count(conn, f), "unit": "events" if f.events else "reports",
                "facets": r.facets(conn, f)}

    @app.get("/api/documents/{doc_id}", summary="A document: clean text, readout and highlighted spans", tags=["api"])
    def api_document(conn: Conn, doc_id: Annotated[str, PathParam(max_length=200)]) -> dict[str, Any]:
        return v.document(conn, doc_id)

    @app.get("/api/dyad/{a}/{b}", summary="A dyad: engagements per month by mode and level, issues per side",
             tags=["api"])
    def api_dyad(conn: Conn, a: str, b: str, f: FiltersDep) -> dict[str, Any]:
        a, b = dyad_codes(a, b)
        return v.dyad(conn, a, b, f)

    @app.get("/api/network", summary="States or actors as nodes, engagements as weighted edges", tags=["api"])
    def api_network(conn: Conn, f: FiltersDep, by: Literal["state", "actor"] = "state") -> dict[str, Any]:
        return v.network(conn, f, by)

    @app.get("/api/actors/{actor_id}", summary="An actor: aliases, posts, engagements, counterparts", tags=["api"])
    def api_actor(conn: Conn, actor_id: Annotated[str, PathParam(max_length=200)], f: FiltersDep) -> dict[str, Any]:
        return v.actor(conn, actor_id, f)

    @app.get("/api/compare/{engagement_id}", summary="One engagement as reported by each linked source",
             tags=["api"])
    def api_compare(conn: Conn, engagement_id: Annotated[str, PathParam(max_length=200)]) -> dict[str, Any]:
        return v.compare(conn, engagement_id)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")  # after /static/plotly.min.js
    return app


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    uvicorn.run(create_app(db_path), host=host, port=port, log_level="info")
