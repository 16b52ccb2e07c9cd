"""The server-drawn charts (readouts.web.charts): axes, layout, map outlines, escaping, CSV."""
from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("markupsafe")
from readouts.web import charts  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("value", "top", "step"),
    [(0, 1, 1), (1, 1, 1), (3, 3, 1), (6, 6, 1), (7, 8, 2), (12, 12, 2), (13, 15, 5), (29, 30, 5), (31, 40, 10),
     (193, 200, 50), (1234, 1500, 500)],
)
def test_nice_max(value, top, step):
    assert charts.nice_max(value) == (top, step)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [("2024-11", "2025-02", ["2024-11", "2024-12", "2025-01", "2025-02"]), ("2025-06", "2025-06", ["2025-06"]),
     ("2025-07", "2025-06", [])],
)
def test_month_axis_is_every_month(first, last, expected):
    assert charts.month_axis(first, last) == expected


@pytest.mark.parametrize(
    ("years", "expected"),
    [(["2019", "2022"], ["2019", "2020", "2021", "2022"]), ([], []), (["2024", "2024"], ["2024"])],
)
def test_year_axis_fills_the_gaps(years, expected):
    assert charts.year_axis(years) == expected


def test_time_bars_draw_every_nonzero_bar_on_a_time_axis():
    months = charts.month_axis("2010-01", "2025-12")  # 192 months: ticks are years, not 192 labels
    series = {"meeting": [i % 3 for i in range(len(months))], "phone_call": [1] * len(months)}
    c = charts.time_bars("mode", "t", months, series, {"phone_call": "phone call"},
                         {"meeting": "mode-meeting", "phone_call": "mode-phone_call"}, "engagements")
    root = ET.fromstring(str(c.svg))
    rects = root.findall(f"{SVG}rect")
    assert len(rects) == sum(1 for v in series["meeting"] if v) + len(months)
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick" and t.get("text-anchor") == "middle"]
    assert ticks == [str(y) for y in range(2010, 2026)]
    xs = [float(r.get("x")) for r in rects if r.get("class") == "mode-phone_call"]
    gaps = [b - a for a, b in zip(xs, xs[1:])]
    assert max(gaps) - min(gaps) < 0.15  # equal time, equal distance (to the 0.1 px the SVG keeps)
    assert c.columns == ("month", "meeting", "phone call", "total") and c.rows[1] == ("2010-02", 1, 1, 2)
    assert ("mode-phone_call", "phone call") in c.legend


def test_force_layout_is_deterministic_and_separates_nodes():
    edges = [(0, i, 1.0) for i in range(1, 12)] + [(1, 2, 3.0)]
    a, b = charts.force_layout(12, edges), charts.force_layout(12, edges)
    assert (a == b).all() and a.shape == (12, 2) and a.min() >= 0 and a.max() <= 1
    dist = ((a[:, None, :] - a[None, :, :]) ** 2).sum(axis=2) ** 0.5
    assert dist[~__import__("numpy").eye(12, dtype=bool)].min() > 0.02


def test_network_escapes_labels_and_marks_organisations():
    nodes = [{"id": "<b>X</b> & co", "engagements": 5}, {"id": "EU", "engagements": 2}, {"id": "CHN", "engagements": 1}]
    edges = [{"source": "<b>X</b> & co", "target": "EU", "weight": 2}, {"source": "CHN", "target": "EU", "weight": 1}]
    c = charts.network("network", "<i>title</i>", nodes, edges, is_org=lambda v: v == "EU", labels=2,
                       edge_href=lambda a, b: f"/dyad/{a}/{b}?q=\"x\"")
    text = str(c.svg)
    assert "<b>" not in text and "<i>" not in text and "&lt;b&gt;X&lt;/b&gt; &amp; co" in text
    root = ET.fromstring(text)  # well-formed
    assert len(root.findall(f".//{SVG}rect")) == 1  # the organisation is a square
    assert len(root.findall(f".//{SVG}circle")) == 2
    assert [t.text for t in root.iter(f"{SVG}text")] == ["<b>X</b> & co", "EU"]
    assert all(a.get("href").startswith("/dyad/") for a in root.iter(f"{SVG}a"))
    assert c.rows[0] == ("<b>X</b> & co", "EU", 2)


def test_world_outlines_and_projection():
    outlines = charts.world_outlines()
    names = {n for n, _ in outlines}
    assert len(outlines) > 170 and {"China", "Brazil", "France"} <= names
    assert charts.project(-180, charts.MAP_NORTH) == (0.0, 0.0)
    x, y = charts.project(116.4, 39.9)  # Beijing: east and north of the middle
    assert charts.MAP_W / 2 < x < charts.MAP_W and 0 < y < charts.MAP_H / 2


def test_world_map_sizes_and_colours_places():
    places = [{"lat": 39.9, "lon": 116.4, "city": "Beijing", "country": "CHN", "modes": {"meeting": 4, "talks": 1}},
              {"lat": 48.86, "lon": 2.35, "city": "<Paris>", "country": "FRA", "modes": {"talks": 1}}]
    c = charts.world_map("map", "t", places, {"talks": "talks"})
    root = ET.fromstring(str(c.svg))
    dots = [e for e in root.iter(f"{SVG}circle")]
    assert [d.get("class") for d in dots] == ["dot mode-talks", "dot mode-meeting"]  # small ones on top
    assert float(dots[1].get("r")) > float(dots[0].get("r"))
    assert "<Paris>, FRA: 1 engagement (talks 1)" in [t.text for t in dots[0].iter(f"{SVG}title")]
    assert c.rows[0][:5] == ("Beijing", "CHN", 39.9, 116.4, 5)


def test_chart_csv_neutralises_formulas():
    c = charts.Chart("k", "t", charts.svg(10, 10, "t"), ("name", "n"), (("=cmd()", 1), ("plain", 2)))
    assert list(csv.reader(io.StringIO(c.csv()))) == [["name", "n"], ["'=cmd()", "1"], ["plain", "2"]]
