"""A self-contained, offline web map of a scenario: one HTML file (folium + Leaflet), written all or nothing.

:func:`write_webmap` draws, as of a year: the districts filled by their 一区一品 product with popups of their
figures, the parks (数创港 distinguished), the ~42,000 sites as one canvas-rendered layer, the priority and
functional zones, the F5G areas, and the 5G, 5G-A, F5G and 双万兆 coverage as image overlays resampled from the
coverage engine's city grid; with a layer control, a legend and a title, all in Chinese. Every figure shown comes
from :func:`planner.analysis.summary.summary` of the same scenario and year (see ``webmap_data``).

Self-contained (``docs/export-webmap.md``): Leaflet's script and stylesheet and a subset of the bundled CJK font are
inlined (``webmap_assets``), the coverage images are ``data:`` URLs; with ``basemap="none"`` opening the page makes
no request at all. ``"osm"`` adds OpenStreetMap tiles, ``"amap"`` AMap (高德) tiles, which are GCJ-02: then every
overlay, images included, is converted from WGS-84 to GCJ-02 so that it lies where the tiles draw the ground.

Folium builds the page (map, tile layers, layer control); the layers themselves are made by ``webmap.js`` from one
embedded JSON document, so the data is parsed once with ``JSON.parse`` and user text never passes through HTML.
"""

from __future__ import annotations

import re
from pathlib import Path

from planner.domain.scenario import Scenario

#: The basemaps :func:`write_webmap` accepts.
BASEMAPS = ("none", "osm", "amap")
HERE = Path(__file__).resolve().parent
#: Layer-control names (constants: Leaflet writes them as HTML), and whether a layer is shown on opening.
LAYERS = (
    ("districts", "区县 · 一区一品", True),
    ("labels", "区县名称", True),
    ("coverage:5g", "5G 覆盖", False),
    ("coverage:5g_a", "5G-A 覆盖", False),
    ("coverage:f5g", "F5G 光网覆盖", False),
    ("coverage:dual", "双万兆覆盖（F5G + 5G-A）", False),
    ("f5g_zones", "F5G 覆盖区（范围）", False),
    ("zones", "双万兆重点区域 / 功能区", True),
    ("sites", "5G 站点", True),
    ("parks", "园区（数创港突出显示）", True),
)
_TILES = {
    "osm": (
        "OpenStreetMap 街道图",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> 贡献者',
        {},
    ),
    "amap": (
        "高德地图（GCJ-02）",
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "&copy; 高德地图 AutoNavi",
        {"subdomains": "1234"},
    ),
}
#: Recorded on the root element before anything else runs, so a test (or a user's devtools) can see any script or
#: resource error of the page: a failed request of an <img> or <script> is an "error" event too (capture phase).
_ERROR_PROBE = """(function () {
  var errors = [];
  function note(text) {
    errors.push(String(text));
    document.documentElement.setAttribute("data-webmap-errors", JSON.stringify(errors));
  }
  window.addEventListener("error", function (e) {
    var t = e.target;
    note(t && t !== window && t.tagName ? "resource " + t.tagName + " " + (t.src || t.href || "") : e.message);
  }, true);
  window.addEventListener("unhandledrejection", function (e) { note("rejection " + e.reason); });
})();"""
_FONT_PLACEHOLDER = "/*@webmap-font-face@*/"


def write_webmap(
    scenario: Scenario, path: str | Path, *, year: int | None = None, engine=None, basemap: str = "none"
) -> Path:
    """Write the scenario's web map as of ``year`` (default: its horizon year) to ``path``; returns the path.

    ``engine`` is a :class:`~planner.analysis.coverage.CoverageEngine` of the same scenario and year (the app
    passes its own); without one, or with one of another year, a temporary engine is built. ``basemap`` is
    ``"none"`` (no tiles, fully offline), ``"osm"`` or ``"amap"``. The file is replaced atomically: on any failure
    no file is left half-written and an existing one is untouched; no ``.bak`` copy is kept (it is an export).
    """
    from planner.storage.atomic import atomic_write_bytes

    html = render_webmap(scenario, year=year, engine=engine, basemap=basemap)
    path = Path(path)
    atomic_write_bytes(path, html.encode("utf-8"), keep_backup=False)
    return path


def render_webmap(scenario: Scenario, *, year: int | None = None, engine=None, basemap: str = "none") -> str:
    """The web map's HTML text (see :func:`write_webmap`)."""
    from planner.analysis.coverage import CoverageEngine
    from planner.analysis.summary import default_year, summary

    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}: expected one of {', '.join(BASEMAPS)}")
    year = default_year(scenario) if year is None else int(year)
    if engine is None or engine.year != year or engine.scenario is not scenario:
        engine = CoverageEngine(scenario, year, subscribe=False)
    summ = summary(scenario, year, engine)
    data = page_data(scenario, summ, engine, basemap)
    return _page(data, basemap)


def page_data(scenario: Scenario, summ: dict, engine, basemap: str) -> dict:
    """The JSON document the page embeds: layers, coverage images, title and legend."""
    from planner.reports import webmap_data as wd
    from planner.reports.webmap_raster import layer_png, png_data_url, raster_frame

    year = summ["scenario"]["year"]
    datum = "gcj02" if basemap == "amap" else "wgs84"
    coords = wd.Coords(datum)
    colours = wd.product_colours(summ["districts"])
    districts = wd.districts_layer(summ, coords, colours)
    zones, f5g_zones = wd.zones_layers(scenario, summ, coords, year)
    frame = raster_frame(engine, datum)
    bounds = [[frame.south, frame.west], [frame.north, frame.east]]
    coverage = {
        key: {
            "name": name,
            "url": png_data_url(layer_png(frame, engine.city_covered(key), rgba, wd.UNCOVERED_RGBA)),
            "bounds": bounds,
        }
        for key, name, rgba in wd.COVERAGE_LAYERS
    }
    return {
        "year": year,
        "basemap": basemap,
        "datum": datum,
        "bounds": bounds,  # the city grid's extent: the districts and 100 m around them
        "title": wd.title_block(scenario, summ, basemap),
        "legend": wd.legend_block(colours, any(not f["properties"]["product"] for f in districts["features"])),
        "colours": {"sck": wd.SCK_COLOUR, "park": wd.PARK_COLOUR},
        "districts": districts,
        "parks": wd.parks_layer(scenario, summ, coords),
        "zones": zones,
        "f5g_zones": f5g_zones,
        "sites": wd.sites_layer(scenario, coords, year),
        "coverage": coverage,
    }


def _page(data: dict, basemap: str) -> str:
    """Assemble the HTML: folium's map and layer control around the inlined assets and the embedded data."""
    import folium
    from branca.element import Element, MacroElement
    from folium.map import Layer
    from folium.template import Template

    from planner.reports.webmap_assets import font_face_css, leaflet_css, leaflet_js
    from planner.reports.webmap_data import script_json

    class _Call(MacroElement):
        """One call of the page's script on the map (``NingboWebmap.setup(map)`` …)."""

        _template = Template(
            "{% macro script(this, kwargs) %}NingboWebmap.{{ this.fn }}({{ this._parent.get_name() }});{% endmacro %}"
        )

        def __init__(self, fn: str):
            super().__init__()
            self.fn = fn

    class _Built(Layer):
        """A layer made by the page's script from the embedded data, listed in folium's layer control."""

        _template = Template(
            "{% macro script(this, kwargs) %}var {{ this.get_name() }} = NingboWebmap.layer({{ this.key|tojson }});"
            "{% endmacro %}"
        )

        def __init__(self, key: str, name: str, *, overlay: bool = True, show: bool = True):
            super().__init__(name=name, overlay=overlay, control=True, show=show)
            self.key = key

    m = folium.Map(tiles=None, prefer_canvas=True, zoom_start=9, location=[29.85, 121.55], min_zoom=7, max_zoom=18)
    # Folium's defaults link Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. The page uses Leaflet alone,
    # inlined below; instance attributes, because folium's add_js_link would change the class's shared lists.
    m.default_js = []
    m.default_css = []
    # The inlined parts go in as placeholders, filled after folium has rendered the page: passed through Jinja
    # they would cost ~0.4 s of lexing (2 MB), and user text in them would be read as template code ("{{ … }}").
    css = (HERE / "webmap.css").read_text(encoding="utf-8")
    parts = {
        "errors": f"<script>{_ERROR_PROBE}</script>",
        "leaflet_css": f"<style>{leaflet_css()}</style>",
        "css": f"<style>{_FONT_PLACEHOLDER}\n{css}</style>",
        "leaflet_js": f"<script>{leaflet_js()}</script>",
        "data": f'<script type="application/json" id="webmap-data">{script_json(data)}</script>',
        "js": f"<script>{(HERE / 'webmap.js').read_text(encoding='utf-8')}</script>",
    }
    header = m.get_root().header
    for name in parts:
        header.add_child(Element(f"<!--webmap:{name}-->"), name=f"wm_{name}")

    m.add_child(_Call("setup"))
    if basemap in _TILES:
        name, url, attr, extra = _TILES[basemap]
        folium.TileLayer(tiles=url, attr=attr, name=name, overlay=False, control=True, max_zoom=18, **extra).add_to(m)
        m.add_child(_Built("blank", "无底图（离线）", overlay=False, show=False))
    for key, name, show in LAYERS:
        m.add_child(_Built(key, name, show=show))
    m.add_child(folium.LayerControl(position="topright", collapsed=False))
    m.add_child(_Call("ready"))
    skeleton = m.get_root().render()
    # One pass: what a part holds is never scanned for placeholders again.
    html = re.sub(r"<!--webmap:([a-z_]+)-->", lambda match: parts[match.group(1)], skeleton)
    # The font is subset to the characters the page holds, so it is made last, from the page's own text.
    return html.replace(_FONT_PLACEHOLDER, font_face_css(html), 1)
