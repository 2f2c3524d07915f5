"""The data a web map embeds: layers as compact JSON, every figure formatted from :func:`summary`'s data.

What is shown is decided here, in Python, and the page's script only lays it out: every figure a popup, the title
or the legend shows is a string made here from the ``summary()`` of the same scenario and year (formats as in the
app's figures dock), so the page cannot compute a number of its own. Feature attributes (a site's band, a park's
status) are shown as the scenario stores them.

User text (names, products, notes) passes through :func:`planner.textsafe.printable` — control and bidi characters
shown escaped, as in the terminal and the app — and is only ever set as ``textContent`` by the page's script; the
JSON itself is made safe to sit inside a ``<script>`` element by :func:`script_json`.

Coordinates are WGS-84, or GCJ-02 when the page is drawn over AMap (Gaode) tiles (``datum="gcj02"``). Only what is
open as of the year is drawn (``open_year`` ≤ year), as ``summary()`` counts it.
"""

from __future__ import annotations

import json
from operator import attrgetter
from typing import Any

import numpy as np

from planner.domain.vocab import (
    OPERATORS,
    PARK_KINDS,
    PARK_STATUSES,
    SCK_PARK_KINDS,
    SITE_KINDS,
    SITE_SOURCES,
    ZONE_KINDS,
)
from planner.textsafe import printable

#: Fill colours for the districts' 一区一品 products, in the order the products first appear (by adcode).
PRODUCT_COLOURS = (
    "#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#ffed6f", "#bc80bd", "#ccebc5",
    "#e5c494", "#a6cee3",
)  # fmt: skip
NO_PRODUCT_COLOUR = "#e0e0e0"
#: Site dot colours and radii (px) by kind; 5G-A drawn last, on top.
SITE_STYLE = {
    "5g_macro": ("#1f4e79", 1.6),
    "5g_small": ("#0097a7", 1.4),
    "5g_a": ("#8e24aa", 2.6),
}
#: Coverage layers: key of ``engine.city_covered``, name, covered colour (RGBA); uncovered land is UNCOVERED_RGBA.
COVERAGE_LAYERS = (
    ("5g", "5G 覆盖", (33, 113, 181, 150)),
    ("5g_a", "5G-A 覆盖", (123, 50, 148, 170)),
    ("f5g", "F5G 光网覆盖", (26, 152, 80, 170)),
    ("dual", "双万兆（F5G + 5G-A）覆盖", (230, 145, 0, 190)),
)
UNCOVERED_RGBA = (215, 48, 31, 80)
ZONE_STYLE = {
    "priority": "#e66101",
    "functional": "#5e3c99",
    "f5g": "#1a9850",
}
SCK_COLOUR, PARK_COLOUR = "#c62828", "#1565c0"
#: Coordinates are rounded to 1e-5° (≈1 m): finer than anything the page can show, and a third shorter.
DECIMALS = 5
MISSING = "—"


def script_json(obj: Any) -> str:
    """JSON text safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` escaped (no ``</script>``, no
    ``<!--``), and U+2028/U+2029 too (line terminators to older JavaScript parsers); same values when parsed."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _text(value: Any) -> str:
    return printable(value).strip() if value is not None else ""


# ------------------------------------------------------------------------------------------------ formats
def pct(v: float | None) -> str:
    return MISSING if v is None else f"{v:.1f}%"


def count(v: int | None) -> str:
    return MISSING if v is None else f"{v:,}"


def one_decimal(v: float | None) -> str:
    return MISSING if v is None else f"{v:,.1f}"


def money(wan: float | None) -> str:
    """万元 as the planner reads it: 亿元 (as the figures dock shows) with the exact 万元 of ``summary``."""
    return MISSING if wan is None else f"{wan / 1e4:,.2f} 亿元（{wan:,.1f} 万元）"


def metres(m: float | None) -> str:
    return MISSING if m is None else f"{m:,.0f} 米"


def yes_no(v: bool | None) -> str:
    return MISSING if v is None else ("是" if v else "否")


def _row(label: str, value: str, key: str = "") -> list[str]:
    return [label, value, key]


# ------------------------------------------------------------------------------------------------ geometry
class Coords:
    """Turns WGS-84 lon/lat into the page's datum, rounded to :data:`DECIMALS`."""

    def __init__(self, datum: str):
        self.datum = datum

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.datum == "gcj02":
            from planner.geo.chinacrs import wgs84_to_gcj02

            lon, lat = wgs84_to_gcj02(lon, lat)
        return np.round(lon, DECIMALS), np.round(lat, DECIMALS)

    def geometry(self, geom) -> dict:
        """GeoJSON geometry (dict) of a shapely geometry in the page's datum."""
        import shapely

        def move(c: np.ndarray) -> np.ndarray:
            return np.column_stack(self.xy(c[:, 0], c[:, 1]))

        return json.loads(shapely.to_geojson(shapely.transform(geom, move)))

    def latlng(self, lon: float, lat: float) -> list[float]:
        x, y = self.xy(np.array([lon]), np.array([lat]))
        return [float(y[0]), float(x[0])]


def _label_point(geom) -> tuple[float, float]:
    """Where a district's name goes: the pole of inaccessibility of its largest part (never outside it)."""
    from shapely.ops import polylabel

    parts = getattr(geom, "geoms", [geom])
    largest = max(parts, key=lambda g: g.area)
    p = polylabel(largest, tolerance=0.002)
    return p.x, p.y


# ------------------------------------------------------------------------------------------------ layers
def product_colours(rows: list[dict]) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in rows:
        product = _text(r["product"])
        if product and product not in out:
            out[product] = PRODUCT_COLOURS[len(out) % len(PRODUCT_COLOURS)]
    return out


def districts_layer(summ: dict, coords: Coords, colours: dict[str, str]) -> dict:
    from planner.geo.basemap import district_by_adcode

    geoms = district_by_adcode()
    feats = []
    for r in summ["districts"]:
        product = _text(r["product"])
        d = geoms[r["adcode"]]
        rows = [
            _row("一区一品", product or "未设定", "product"),
            _row("5G 覆盖率", pct(r["coverage_5g_pct"]), "coverage_5g_pct"),
            _row("5G-A 覆盖率", pct(r["coverage_5ga_pct"]), "coverage_5ga_pct"),
            _row("F5G 覆盖率", pct(r["coverage_f5g_pct"]), "coverage_f5g_pct"),
            _row("5G 站点", count(r["sites"]), "sites"),
            _row("每万人 5G 站点", one_decimal(r["sites_per_10k"]), "sites_per_10k"),
            _row("园区", count(r["parks"]), "parks"),
            _row("投资", money(r["investment_wan"]), "investment_wan"),
            _row("常住人口（2020）", count(r["population"]), "population"),
            _row("陆域面积", f"{one_decimal(r['area_km2'])} km²", "area_km2"),
        ]
        lon, lat = _label_point(d.geometry)
        feats.append(
            {
                "type": "Feature",
                "geometry": coords.geometry(d.geometry),
                "properties": {
                    "id": r["adcode"],
                    "title": r["name"],
                    "subtitle": r["name_en"],
                    "product": product,
                    "colour": colours.get(product, NO_PRODUCT_COLOUR),
                    "rows": rows,
                    "label_at": coords.latlng(lon, lat),
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def parks_layer(scenario, summ: dict, coords: Coords) -> dict:
    names = {r["adcode"]: r["name"] for r in summ["districts"]}
    feats = []
    for r in summ["parks"]:  # the open parks, with their figures
        p = scenario.parks[r["id"]]
        rows = [
            _row("类型", PARK_KINDS.get(p.kind, (p.kind,))[0], "kind"),
            _row("状态", PARK_STATUSES.get(p.status, (p.status,))[0], "status"),
            _row("所属区县", names.get(r["district"], _text(r["district"])), "district"),
        ]
        if "covered_5g" in r:
            rows += [
                _row("5G 覆盖", yes_no(r["covered_5g"]), "covered_5g"),
                _row("5G-A 覆盖", yes_no(r["covered_5ga"]), "covered_5ga"),
                _row("最近 5G 站点", metres(r["nearest_site_m"]), "nearest_site_m"),
                _row("最近 5G-A 站点", metres(r["nearest_5ga_site_m"]), "nearest_5ga_site_m"),
            ]
        elif "area_km2" in r:
            rows += [
                _row("面积", f"{r['area_km2']:,.2f} km²", "area_km2"),
                _row("5G 覆盖率", pct(r["coverage_5g_pct"]), "coverage_5g_pct"),
                _row("5G-A 覆盖率", pct(r["coverage_5ga_pct"]), "coverage_5ga_pct"),
                _row("F5G 覆盖率", pct(r["coverage_f5g_pct"]), "coverage_f5g_pct"),
            ]
        if _text(p.focus):
            rows.append(_row("方向", _text(p.focus), "focus"))
        if p.approximate:
            rows.append(_row("位置", "示意", "approximate"))
        if _text(p.note):
            rows.append(_row("备注", _text(p.note), "note"))
        feats.append(
            {
                "type": "Feature",
                "geometry": coords.geometry(p.geometry),
                "properties": {
                    "id": r["id"],
                    "title": _text(r["name"]),
                    "subtitle": "数创港" if p.kind in SCK_PARK_KINDS else "",
                    "sck": p.kind in SCK_PARK_KINDS,
                    "rows": rows,
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def zones_layers(scenario, summ: dict, coords: Coords, year: int) -> tuple[dict, dict]:
    """(priority and functional zones with their figures, F5G areas), as GeoJSON."""
    figures = {r["id"]: r for r in summ["zones"]}
    zones, f5g = [], []
    for zid in sorted(scenario.zones):
        z = scenario.zones[zid]
        if z.open_year > year:
            continue
        rows = [_row("类型", ZONE_KINDS.get(z.kind, (z.kind,))[0], "kind")]
        r = figures.get(zid)
        if r is not None:
            rows += [
                _row("面积", f"{one_decimal(r['area_km2'])} km²", "area_km2"),
                _row("5G 覆盖率", pct(r["coverage_5g_pct"]), "coverage_5g_pct"),
                _row("5G-A 覆盖率", pct(r["coverage_5ga_pct"]), "coverage_5ga_pct"),
                _row("F5G 覆盖率", pct(r["coverage_f5g_pct"]), "coverage_f5g_pct"),
                _row("双万兆覆盖率", pct(r.get("coverage_dual_pct")), "coverage_dual_pct"),
            ]
        if z.approximate:
            rows.append(_row("范围", "示意", "approximate"))
        if _text(z.note):
            rows.append(_row("备注", _text(z.note), "note"))
        feat = {
            "type": "Feature",
            "geometry": coords.geometry(z.geometry),
            "properties": {
                "id": zid,
                "title": _text(z.name),
                "subtitle": ZONE_KINDS.get(z.kind, (z.kind,))[0],
                "colour": ZONE_STYLE.get(z.kind, "#555555"),
                "rows": rows,
            },
        }
        (f5g if z.kind == "f5g" else zones).append(feat)
    return {"type": "FeatureCollection", "features": zones}, {"type": "FeatureCollection", "features": f5g}


def sites_layer(scenario, coords: Coords, year: int) -> dict:
    """Open sites as columns (one array per field, small integers for vocabularies): ~45 bytes a site."""
    every = list(scenario.sites.values())

    def column(name: str) -> list:
        return list(map(attrgetter(name), every))  # map + attrgetter run in C (see analysis/site_table.py)

    n = len(every)
    open_year = np.fromiter(map(attrgetter("open_year"), every), np.int64, n)
    kinds = list(SITE_KINDS)  # validated on the way in: a site's kind is one of these
    kind = np.fromiter(map(kinds.index, column("kind")), np.int64, n)
    # Draw order: 5G-A last so that the few upgraded sites stay visible over the dense macro network.
    pick = np.flatnonzero(open_year <= year)
    pick = pick[np.argsort(kind[pick] == kinds.index("5g_a"), kind="stable")]
    lon, lat = coords.xy(
        np.fromiter(map(attrgetter("lon"), every), float, n)[pick],
        np.fromiter(map(attrgetter("lat"), every), float, n)[pick],
    )
    scale = 10**DECIMALS

    def coded(name: str, vocab: dict) -> tuple[list[str], list[int]]:
        values = np.array(column(name), dtype=object)[pick].astype(str)
        keys, codes = np.unique(values, return_inverse=True)
        return [vocab.get(k, (_text(k),))[0] for k in keys.tolist()], codes.tolist()

    operators, operator = coded("operator", OPERATORS)
    sources, source = coded("source", SITE_SOURCES)
    ids = column("id")
    return {
        "kinds": [[k, SITE_KINDS[k][0], *SITE_STYLE[k]] for k in kinds],
        "operators": operators,
        "sources": sources,
        "scale": scale,
        "id": [printable(ids[i]) for i in pick.tolist()],
        "lon": np.rint(lon * scale).astype(np.int64).tolist(),
        "lat": np.rint(lat * scale).astype(np.int64).tolist(),
        "kind": kind[pick].tolist(),
        "operator": operator,
        "source": source,
        "band": np.fromiter(map(attrgetter("band_mhz"), every), np.int64, n)[pick].tolist(),
        "year": open_year[pick].tolist(),
    }


# ------------------------------------------------------------------------------------------------ title, legend
def title_block(scenario, summ: dict, basemap: str) -> dict:
    city, totals = summ["city"], summ["totals"]
    year = summ["scenario"]["year"]
    lines = [
        f"全市：5G 站点 {count(city['sites'])} 个 · 每万人 {one_decimal(city['sites_per_10k'])} 个 · "
        f"5G 覆盖 {pct(city['coverage_5g_pct'])} · 5G-A 覆盖 {pct(city['coverage_5ga_pct'])} · "
        f"F5G 覆盖 {pct(city['coverage_f5g_pct'])}",
        f"园区 {count(totals['parks'])} 个（数创港 {count(totals['sck_parks'])} 个） · "
        f"投资 {money(totals['investment_wan'])}",
    ]
    notices = []
    if summ["synthetic_sites"]:
        notices.append("站点为合成示意数据，非真实基站位置 / Sites are synthetic, not real base-station positions")
    if basemap == "amap":
        notices.append("底图为高德地图（GCJ-02），图上要素已由 WGS-84 转换为 GCJ-02 以便对齐")
    return {
        "title": _text(summ["scenario"]["name"]) or "未命名情景",
        "subtitle": f"宁波数字经济分区情景规划 · {year} 年底",
        "lines": lines,
        "notices": notices,
    }


def legend_block(colours: dict[str, str], any_unassigned: bool) -> list[dict]:
    """Legend sections: (title, entries of [shape, colour, label])."""
    products = [["fill", c, p] for p, c in colours.items()]
    if any_unassigned:
        products.append(["fill", NO_PRODUCT_COLOUR, "未设定一区一品"])
    sites = [["dot", SITE_STYLE[k][0], SITE_KINDS[k][0]] for k in SITE_KINDS]
    parks = [["diamond", SCK_COLOUR, "数创港园区"], ["circle", PARK_COLOUR, "其他数字经济园区"]]
    zones = [
        ["dash", ZONE_STYLE["priority"], ZONE_KINDS["priority"][0]],
        ["dash", ZONE_STYLE["functional"], ZONE_KINDS["functional"][0]],
        ["line", ZONE_STYLE["f5g"], ZONE_KINDS["f5g"][0]],
    ]
    coverage = [["fill", _css(rgba), name] for _, name, rgba in COVERAGE_LAYERS]
    coverage.append(["fill", _css(UNCOVERED_RGBA, 0.5), "陆域未覆盖"])
    return [
        {"title": "区县 · 一区一品", "entries": products},
        {"title": "5G 站点", "entries": sites},
        {"title": "园区", "entries": parks},
        {"title": "区域", "entries": zones},
        {"title": "覆盖图层（图层控制中开启）", "entries": coverage},
    ]


def _css(rgba: tuple, alpha: float | None = None) -> str:
    a = rgba[3] / 255 if alpha is None else alpha
    return f"rgba({rgba[0]},{rgba[1]},{rgba[2]},{a:.2f})"
