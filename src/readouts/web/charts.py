"""Charts of the web UI as SVG the server draws: no chart JavaScript, nothing fetched at run time.

Each chart is a ``Chart``: the SVG markup (every label escaped: names from the store are text,
never markup), the same figures as a table (shown under the chart, also with JavaScript off) and
as CSV (the chart's download link). Colours are CSS classes of ``static/app.css``, one per meaning
across every chart: ``mode-*`` (the engagement mode), ``level-*``, ``side-a``/``side-b``,
``kind-state``/``kind-org`` (network nodes). Hover text is the SVG ``<title>`` of each mark.

Layouts are deterministic: the same data draws the same picture (the network's force layout
starts from a fixed spiral and runs a fixed number of steps).
"""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from markupsafe import Markup, escape

from readouts.read.rows import csv_safe  # one rule for formula-safe cells (the engagement CSV's too)

DATA = Path(__file__).parent / "data"
WORLD_FILE = DATA / "world-atlas-countries-110m.json"

LEVEL_CLASSES = {"head of state/government": "level-head", "foreign minister": "level-fm", "other": "level-other"}


@dataclass(frozen=True)
class Chart:
    """One chart: SVG, and its figures as a table and CSV."""

    key: str
    title: str
    svg: Markup
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""
    legend: tuple[tuple[str, str], ...] = ()  # (CSS class, label) of each colour

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows([csv_safe(v) for v in row] for row in self.rows)
        return out.getvalue()


# --------------------------------------------------------------------------- SVG pieces


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)


def el(tag: str, attrs: dict[str, Any] | None = None, *children: str | Markup) -> Markup:
    """An element; attribute values and string children are escaped (Markup children are not)."""
    parts = [tag]
    for name, value in (attrs or {}).items():
        if value is None:
            continue
        shown = _num(value) if isinstance(value, float) else value
        parts.append(f'{name.rstrip("_").replace("_", "-")}="{escape(shown)}"')
    inner = "".join(str(escape(c)) for c in children)
    return Markup(f"<{' '.join(parts)}>{inner}</{tag}>")


def title(text: str) -> Markup:
    return el("title", None, text)


def svg(width: int, height: int, label: str, *children: Markup, cls: str = "") -> Markup:
    return el("svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {width} {height}",
                      "class": ("chart-svg " + cls).strip(), "role": "img", "aria-label": label},
              title(label), *children)


def link(href: str | None, child: Markup) -> Markup:
    return el("a", {"href": href}, child) if href else child


def nice_max(value: int) -> tuple[int, int]:
    """An axis top of at least ``value`` and a tick step (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1, 1
    for exp in range(0, 12):
        for m in (1, 2, 5):
            step = m * 10**exp
            if value / step <= 6:
                return step * math.ceil(value / step), step
    return value, value


# --------------------------------------------------------------------------- bars on a time axis


def month_axis(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM), inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{y:04d}-{m:02d}" <= last and len(out) < 2400:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def year_axis(years: Iterable[str]) -> list[str]:
    """Every year from the first to the last given (a real year axis: the gaps are zeros)."""
    ys = sorted({int(y) for y in years})
    return [str(y) for y in range(ys[0], ys[-1] + 1)] if ys else []


def _time_ticks(periods: Sequence[str]) -> list[tuple[int, str]]:
    """(index, label) of the axis ticks: months, quarters or years, by span."""
    n = len(periods)
    if not n:
        return []
    if len(periods[0]) == 4:  # years
        step = 1 if n <= 16 else 2 if n <= 32 else 5
        return [(i, p) for i, p in enumerate(periods) if int(p) % step == 0 or n == 1]
    if n <= 14:
        return [(i, p) for i, p in enumerate(periods)]
    if n <= 36:
        return [(i, p) for i, p in enumerate(periods) if p[5:7] in ("01", "04", "07", "10")]
    years = n / 12
    step = 1 if years <= 16 else 2 if years <= 32 else 5
    return [(i, p[:4]) for i, p in enumerate(periods) if p[5:7] == "01" and int(p[:4]) % step == 0]


def time_bars(key: str, chart_title: str, periods: Sequence[str], series: Mapping[str, Sequence[int]],
              labels: Mapping[str, str], classes: Mapping[str, str], unit: str, *, stacked: bool = True,
              period_name: str = "month", note: str = "",
              href: Callable[[str, str], str | None] | None = None) -> Chart:
    """Bars per period (contiguous months or years: bar positions are proportional to time),
    stacked (or side by side) by series; ``href(period, series)`` links a bar."""
    w, h, left, right, top, bottom = 900, 260, 44, 10, 10, 44
    pw, ph = w - left - right, h - top - bottom
    n = max(len(periods), 1)
    totals = [sum(s[i] for s in series.values()) for i in range(len(periods))]
    peak = max(totals, default=0) if stacked else max((max(s, default=0) for s in series.values()), default=0)
    ymax, ystep = nice_max(peak)
    slot = pw / n
    marks: list[Markup] = []
    for v in range(0, ymax + 1, ystep):  # y grid and labels
        y = top + ph - ph * v / ymax
        marks.append(el("line", {"x1": left, "x2": w - right, "y1": y, "y2": y, "class": "grid"}))
        marks.append(el("text", {"x": left - 4, "y": y + 4, "class": "tick", "text-anchor": "end"}, str(v)))
    for i, label in _time_ticks(periods):
        x = left + slot * (i + 0.5)
        marks.append(el("line", {"x1": x, "x2": x, "y1": top + ph, "y2": top + ph + 4, "class": "axis"}))
        marks.append(el("text", {"x": x, "y": top + ph + 16, "class": "tick", "text-anchor": "middle"}, label))
    marks.append(el("line", {"x1": left, "x2": w - right, "y1": top + ph, "y2": top + ph, "class": "axis"}))
    marks.append(el("text", {"x": left + pw / 2, "y": h - 6, "class": "axis-title", "text-anchor": "middle"},
                    period_name))
    marks.append(el("text", {"x": 12, "y": top + ph / 2, "class": "axis-title", "text-anchor": "middle",
                             "transform": f"rotate(-90 12 {top + ph / 2:.1f})"}, unit))
    names = list(series)
    bar_w = max(slot * 0.8, 2.0)
    for i, period in enumerate(periods):
        base = 0
        for j, name in enumerate(names):
            value = series[name][i]
            if not value:
                continue
            if stacked:
                x, bw, y0 = left + slot * i + (slot - bar_w) / 2, bar_w, base
                base += value
            else:
                bw = bar_w / len(names)
                x, y0 = left + slot * i + (slot - bar_w) / 2 + j * bw, 0
            y = top + ph - ph * (y0 + value) / ymax
            rect = el("rect", {"x": x, "y": y, "width": bw, "height": ph * value / ymax,
                               "class": classes.get(name, "")},
                      title(f"{period}, {labels.get(name, name)}: {value} {unit}"))
            marks.append(link(href(period, name) if href else None, rect))
    columns = (period_name, *(labels.get(s, s) for s in names), "total")
    rows = tuple((p, *(series[s][i] for s in names), totals[i]) for i, p in enumerate(periods))
    legend = tuple((classes.get(s, ""), labels.get(s, s)) for s in names)
    return Chart(key, chart_title, svg(w, h, chart_title, *marks), columns, rows, note, legend)


# --------------------------------------------------------------------------- network


def force_layout(n: int, edges: Sequence[tuple[int, int, float]], steps: int = 200) -> np.ndarray:
    """Fruchterman-Reingold positions in [0, 1]^2 for ``n`` nodes (heaviest first): deterministic,
    starting from a sunflower spiral (heavy nodes in the middle) and cooling over ``steps``."""
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.array([[0.5, 0.5]])
    idx = np.arange(n, dtype=float)
    angle = idx * math.pi * (3 - math.sqrt(5))
    radius = np.sqrt((idx + 0.5) / n)
    pos = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    k = math.sqrt(1.0 / n) * 1.2
    if edges:
        src = np.array([e[0] for e in edges])
        dst = np.array([e[1] for e in edges])
        weight = np.log1p(np.array([e[2] for e in edges], dtype=float))
        weight /= weight.max()
    temp = 0.1
    for step in range(steps):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta**2).sum(axis=2)) + 1e-9
        np.fill_diagonal(dist, np.inf)
        disp = (delta * (k * k / dist**2)[:, :, None]).sum(axis=1)  # repulsion k^2/d along the unit vector
        if edges:
            d = pos[src] - pos[dst]
            length = np.sqrt((d**2).sum(axis=1)) + 1e-9
            pull = d * (length * (0.5 + weight) / k)[:, None]  # attraction d^2/k, stronger for heavy edges
            np.add.at(disp, src, -pull)
            np.add.at(disp, dst, pull)
        disp -= pos * 2.0 * k  # gravity: keeps unconnected parts near the middle
        length = np.sqrt((disp**2).sum(axis=1)) + 1e-9
        pos += disp / length[:, None] * np.minimum(length, temp)[:, None]
        temp = 0.1 * (1 - (step + 1) / steps) + 0.002
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    return (pos - lo) / np.where(hi - lo > 0, hi - lo, 1)


def network(key: str, chart_title: str, nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]],
            *, is_org: Callable[[str], bool] = lambda _: False, labels: int = 15, limit: int = 150,
            unit: str = "engagements",
            node_href: Callable[[str], str | None] | None = None,
            edge_href: Callable[[str, str], str | None] | None = None) -> Chart:
    """Nodes (``id``, ``engagements``, optional ``label``) and weighted edges (``source``,
    ``target``, ``weight``, counted in ``unit``): a force layout of the ``limit`` busiest nodes, labels for the
    ``labels`` busiest, states as circles and organisations as squares."""
    ranked = sorted(nodes, key=lambda v: (-v["engagements"], str(v["id"])))
    shown = ranked[:limit]
    index = {v["id"]: i for i, v in enumerate(shown)}
    kept = [(index[e["source"]], index[e["target"]], e["weight"]) for e in edges
            if e["source"] in index and e["target"] in index]
    pos = force_layout(len(shown), kept)
    w, h, pad = 900, 620, 40
    xy = [(pad + p[0] * (w - 2 * pad), pad + p[1] * (h - 2 * pad)) for p in pos]
    top_w = max((e[2] for e in kept), default=1)
    top_n = max((v["engagements"] for v in shown), default=1)

    def name(v: dict[str, Any]) -> str:
        return str(v.get("label") or v["id"])

    marks: list[Markup] = []
    for i, j, weight in sorted(kept, key=lambda e: e[2]):
        a, b = shown[i], shown[j]
        line = el("line", {"x1": xy[i][0], "y1": xy[i][1], "x2": xy[j][0], "y2": xy[j][1], "class": "edge",
                           "stroke-width": 0.6 + 5 * weight / top_w},
                  title(f"{name(a)} – {name(b)}: {weight} {unit}"))
        marks.append(link(edge_href(a["id"], b["id"]) if edge_href else None, line))
    for rank, (v, (x, y)) in enumerate(reversed(list(zip(shown, xy)))):
        r = 3 + 11 * math.sqrt(v["engagements"] / top_n)
        tip = title(f"{name(v)}: {v['engagements']} {unit}" + (" (organisation)" if is_org(v["id"]) else ""))
        if is_org(v["id"]):
            shape = el("rect", {"x": x - r, "y": y - r, "width": 2 * r, "height": 2 * r, "class": "node kind-org"}, tip)
        else:
            shape = el("circle", {"cx": x, "cy": y, "r": r, "class": "node kind-state"}, tip)
        marks.append(link(node_href(v["id"]) if node_href else None, shape))
    placed: list[tuple[float, float, float, float]] = []
    for v, (x, y) in list(zip(shown, xy)):  # busiest first; a label that would overlap one drawn is left out
        if len(placed) >= labels:
            break
        r = 3 + 11 * math.sqrt(v["engagements"] / top_n)
        text = name(v)
        half, base = 3.4 * len(text) + 2, y - r - 3
        box = (x - half, base - 11, x + half, base + 2)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        marks.append(el("text", {"x": x, "y": base, "class": "node-label", "text-anchor": "middle"}, text))
    note = f"the {len(shown)} busiest of {len(nodes)} nodes drawn; every edge is in the table" \
        if len(nodes) > len(shown) else ""
    rows = tuple((e["source"], e["target"], e["weight"])
                 for e in sorted(edges, key=lambda e: (-e["weight"], str(e["source"]), str(e["target"]))))
    legend = (("kind-state", "state"), ("kind-org", "organisation")) if any(is_org(v["id"]) for v in shown) else ()
    return Chart(key, chart_title, svg(w, h, chart_title, *marks, cls="network"),
                 ("source", "target", unit), rows, note, legend)


# --------------------------------------------------------------------------- map


MAP_W, MAP_H, MAP_NORTH, MAP_SOUTH = 960, 470, 84.0, -58.0


def project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular, cropped to 84°N–58°S (the Antarctic has no capitals)."""
    x = (lon + 180.0) / 360.0 * MAP_W
    y = (MAP_NORTH - lat) / (MAP_NORTH - MAP_SOUTH) * MAP_H
    return x, y


@lru_cache(maxsize=1)
def world_outlines() -> tuple[tuple[str, str], ...]:
    """(country name, SVG path) of every Natural Earth 1:110m country, from the shipped TopoJSON."""
    topo = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append(project(x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indices: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for i in indices:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(part[1:] if points else part)
        if len(points) < 3:
            return ""
        return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z"

    out = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        path = "".join(ring(r) for polygon in polygons for r in polygon)
        if path:
            out.append(((geometry.get("properties") or {}).get("name", ""), path))
    if not out:
        raise ValueError(f"{WORLD_FILE}: no country outline")
    return tuple(out)


@lru_cache(maxsize=1)
def _basemap() -> Markup:
    return Markup("").join(el("path", {"d": d, "class": "land"}, title(name)) for name, d in world_outlines())


def world_map(key: str, chart_title: str, places: Sequence[dict[str, Any]], mode_labels: Mapping[str, str],
              note: str = "", unit: str = "engagements") -> Chart:
    """Engagements per place (``lat``, ``lon``, ``city``, ``country``, ``modes``: {mode: count})
    (counted in ``unit``) as dots on the country outlines, sized by count, coloured by the place's most frequent mode."""
    ranked = sorted(places, key=lambda p: (-sum(p["modes"].values()), p.get("city") or "", p["lat"], p["lon"]))
    top = max((sum(p["modes"].values()) for p in ranked), default=1)
    dots = []
    for p in reversed(ranked):  # the biggest dots under the small ones
        count = sum(p["modes"].values())
        mode = max(p["modes"], key=lambda m: (p["modes"][m], m))
        x, y = project(p["lon"], max(min(p["lat"], MAP_NORTH), MAP_SOUTH))
        where = ", ".join(str(v) for v in (p.get("city"), p.get("country")) if v) or f"{p['lat']}, {p['lon']}"
        detail = ", ".join(f"{mode_labels.get(m, m)} {c}" for m, c in sorted(p["modes"].items(), key=lambda kv: -kv[1]))
        dots.append(el("circle", {"cx": x, "cy": y, "r": 2.5 + 9 * math.sqrt(count / top),
                                  "class": f"dot mode-{mode}"},
                       title(f"{where}: {count} {unit if count != 1 else unit[:-1]} ({detail})")))
    modes = sorted({m for p in ranked for m in p["modes"]})
    columns = ("place", "country", "lat", "lon", unit, *(mode_labels.get(m, m) for m in modes))
    rows = tuple((p.get("city") or "", p.get("country") or "", p["lat"], p["lon"], sum(p["modes"].values()),
                  *(p["modes"].get(m, 0) for m in modes)) for p in ranked)
    body = svg(MAP_W, MAP_H, chart_title, el("rect", {"x": 0, "y": 0, "width": MAP_W, "height": MAP_H, "class": "sea"}),
               _basemap(), *dots, cls="map")
    legend = tuple((f"mode-{m}", mode_labels.get(m, m)) for m in modes)
    return Chart(key, chart_title, body, columns, rows, note, legend)
