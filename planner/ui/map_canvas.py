"""The map: Ningbo's ten districts with their 一区一品 products, and the scenario's zones, sites and parks.

Scene coordinates are UTM 51N metres (:func:`planner.geo.crs.to_metric`) with the northing negated, because Qt's
y axis grows downward. Distances on the map are therefore true metres, and the scale bar is exact.

Each layer is one top-level item with its own z value, so a layer's visibility is one ``setVisible`` call.
The sites layer can hold ~42,000 points: instead of one ``QGraphicsItem`` per site (slow to build, slow to
index), a single :class:`PointCloudItem` draws them all with ``QPainter.drawPointsNp`` (the numpy form of
``drawPoints``) from cached coordinate arrays.

The canvas never needs to be told to refresh: it subscribes to the scenario and updates exactly what a change
list touched (a product relabels and recolours one district; a park or zone change replaces that item; a site
change rewrites that site's point in the cached arrays).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QShowEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)
from shapely.ops import polylabel

from planner.analysis.choropleth import class_breaks, classify, district_values
from planner.domain import vocab
from planner.domain.features import Park, Zone
from planner.domain.scenario import Change, Scenario
from planner.geo.basemap import districts
from planner.geo.crs import geometry_to_metric, to_metric, to_wgs84
from planner.session import (
    FiguresUpdated,
    LayerChanged,
    LayerState,
    ScenarioEdited,
    ScenarioReplaced,
    SelectionChanged,
    Session,
)
from planner.ui import style
from planner.ui.binding import SessionLink
from planner.ui.coverage_layer import CoverageLayerItem
from planner.ui.i18n import tr

#: Map layers, bottom to top, and their z values; district labels float above everything.
LAYER_Z = {"districts": 0.0, "coverage": 5.0, "zones": 10.0, "sites": 20.0, "parks": 30.0}
HIGHLIGHT_Z = 100.0
LABEL_Z = 110.0
LAYERS = tuple(LAYER_Z)

#: Zoom limits, in screen pixels per metre: from a whole-province view to a street corner.
MIN_SCALE, MAX_SCALE = 1 / 5000, 4.0
PARK_MARKER_PX = 5.0
#: How near (pixels) a click must be to a site to hit it.
HIT_PX = 6.0


@dataclass(frozen=True)
class Choropleth:
    """Districts coloured by a figure: its values by adcode and the class breaks."""

    figure: str
    values: dict[str, float]
    breaks: list[float]


# -- projection -------------------------------------------------------------------------------------------
def project(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Scene coordinates (UTM 51N metres, y flipped) of WGS-84 lon/lat arrays."""
    x, y = to_metric(lon, lat)
    return np.asarray(x, float), -np.asarray(y, float)


def to_scene(lon: float, lat: float) -> QPointF:
    """Scene point of one WGS-84 coordinate."""
    x, y = project(lon, lat)
    return QPointF(float(x), float(y))


def to_lonlat(point: QPointF) -> tuple[float, float]:
    """WGS-84 (lon, lat) of a scene point."""
    lon, lat = to_wgs84(point.x(), -point.y())
    return float(lon), float(lat)


def _polygon(coords: np.ndarray) -> QPolygonF:
    x, y = project(coords[:, 0], coords[:, 1])
    return QPolygonF([QPointF(a, b) for a, b in zip(x.tolist(), y.tolist(), strict=True)])


def geometry_path(geom: Any) -> QPainterPath:
    """A QPainterPath (scene coordinates) of a shapely Polygon or MultiPolygon, holes included."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)  # interior rings become holes
    parts = getattr(geom, "geoms", [geom])
    for part in parts:
        for ring in (part.exterior, *part.interiors):
            path.addPolygon(_polygon(np.asarray(ring.coords)))
            path.closeSubpath()
    return path


@dataclass(frozen=True)
class DistrictShape:
    """What the map needs of a district: its outline path and where its label goes (scene coordinates)."""

    index: int
    adcode: str
    name_zh: str
    name_en: str
    path: QPainterPath
    label_pos: QPointF


@lru_cache(maxsize=1)
def district_shapes() -> tuple[DistrictShape, ...]:
    """The ten districts projected once per process: the basemap is static, so windows share the work."""
    shapes = []
    for i, d in enumerate(districts()):
        metric = geometry_to_metric(d.geometry)
        # The label goes at the pole of inaccessibility of the largest part (the mainland for 象山's ~60
        # islands): the interior point farthest from any edge, which leaves the most room around the text.
        largest = max(getattr(metric, "geoms", [metric]), key=lambda p: p.area)
        pole = polylabel(largest, tolerance=200.0)
        shapes.append(
            DistrictShape(i, d.adcode, d.name_zh, d.name_en, geometry_path(d.geometry), QPointF(pole.x, -pole.y))
        )
    return tuple(shapes)


def cosmetic_pen(colour: QColor | str, width: float, style_: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A pen whose width is in screen pixels whatever the zoom (map outlines must not grow when zooming in)."""
    pen = QPen(QColor(colour), width, style_)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


# -- items ------------------------------------------------------------------------------------------------
class LayerItem(QGraphicsItem):
    """An invisible parent of a layer's items: hiding it hides the layer, and its z orders the layer."""

    def __init__(self, name: str, z: float) -> None:
        super().__init__()
        self.name = name
        self.setZValue(z)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)

    def boundingRect(self) -> QRectF:
        """Empty: the layer itself paints nothing."""
        return QRectF()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Nothing to paint; the children do."""


#: Where a district label may go, as multiples of (60 % of its width, 75 % of its height) from its home, ring by
#: ring: at home; above, below, left, right and the diagonals at ½, 1, 1½, 2 and 3 times that.
_DIRECTIONS = ((0, -1), (0, 1), (-1, 0), (1, 0), (-1, -1), (1, -1), (-1, 1), (1, 1))
_NUDGE_RINGS = [[(0, 0)]] + [[(k * dx, k * dy) for dx, dy in _DIRECTIONS] for k in (0.5, 1, 1.5, 2, 3)]


class LabelItem(QGraphicsItem):
    """A map label of constant screen size: lines of text, centred on its position, with a white halo.

    Text is drawn as glyph outlines so the halo (a wide white stroke under the fill) keeps it readable over
    any fill, outline or point — the way GIS labels are usually done. A *compact* label shows only its first
    line: the canvas compacts labels that would collide with a more important one at the current zoom.
    """

    HALO_PX = 3.0

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self._lines: list[tuple[str, QFont, QColor]] = []
        self._compact = False
        self._paths: list[tuple[QPainterPath, QColor]] = []
        self._halo = QPainterPath()
        self._rect = QRectF()
        self._full_rect = QRectF()
        self._name_rect = QRectF()  # the first line only (as compact)
        self._leader = QPointF()  # from the label's centre to its district's home point, in screen pixels

    def set_leader(self, to: QPointF) -> None:
        """Draw a thin line from the label to ``to`` (screen pixels from its centre): a label nudged away from its
        district points back to it. A null point draws none."""
        if to != self._leader:
            self.prepareGeometryChange()
            self._leader = QPointF(to)
            self.update()

    def set_lines(self, lines: Iterable[tuple[str, QFont, QColor]]) -> None:
        """Set the label's lines as (text, font, colour), top to bottom."""
        self._lines = [ln for ln in lines if ln[0]]
        self._full_rect = self._layout(self._lines)[2]
        self._name_rect = self._layout(self._lines[:1])[2]
        self._relayout()

    def set_compact(self, compact: bool) -> None:
        """Show only the first line (True) or every line (False)."""
        if compact != self._compact:
            self._compact = compact
            self._relayout()

    def is_compact(self) -> bool:
        """Whether only the first line is shown."""
        return self._compact

    def text(self) -> str:
        """The label's full text, lines joined by newlines (also when compact)."""
        return "\n".join(t for t, _, _ in self._lines)

    def shown_text(self) -> str:
        """The text actually drawn at the moment."""
        return "\n".join(t for t, _, _ in self._shown_lines())

    def rect_for(self, compact: bool) -> QRectF:
        """The text rect (halo included, no leader) the label takes whole (False) or as its name alone (True)."""
        return QRectF(self._name_rect if compact else self._full_rect)

    def full_rect(self) -> QRectF:
        """Bounding rect (screen pixels around the position) the label takes with every line shown."""
        return QRectF(self._full_rect)

    def _shown_lines(self) -> list[tuple[str, QFont, QColor]]:
        return self._lines[:1] if self._compact else self._lines

    def _layout(self, lines: list[tuple[str, QFont, QColor]]) -> tuple[list, QPainterPath, QRectF]:
        metrics = [QFontMetricsF(font) for _, font, _ in lines]
        y = -sum(m.height() for m in metrics) / 2
        paths = []
        halo = QPainterPath()
        for (text, font, colour), m in zip(lines, metrics, strict=True):
            path = QPainterPath()
            path.addText(-m.horizontalAdvance(text) / 2, y + m.ascent(), font, text)
            paths.append((path, colour))
            halo.addPath(path)
            y += m.height()
        pad = self.HALO_PX + 1
        return paths, halo, halo.boundingRect().adjusted(-pad, -pad, pad, pad)

    def _relayout(self) -> None:
        self.prepareGeometryChange()
        self._paths, self._halo, self._rect = self._layout(self._shown_lines())
        self.update()

    def boundingRect(self) -> QRectF:
        """The text plus its halo, in screen pixels around the label's position (and its leader, if any)."""
        if self._leader.isNull():
            return self._rect
        end = QRectF(self._leader - QPointF(3, 3), self._leader + QPointF(3, 3))
        return self._rect.united(end)

    def text_rect(self) -> QRectF:
        """The text plus its halo only (what must not run into another label)."""
        return QRectF(self._rect)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Halo first, then the text."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        # One stroke of the outlines of all the glyphs: a single path is rasterised once, so the translucent
        # halo does not darken where strokes overlap (and no slow boolean union of glyph paths is needed).
        if not self._leader.isNull():
            # From the text's edge towards the home point, ending in a dot on it.
            r = self._rect
            t = min(abs(r.width() / 2 / self._leader.x()) if self._leader.x() else 1e9,
                    abs(r.height() / 2 / self._leader.y()) if self._leader.y() else 1e9, 1.0)  # fmt: skip
            start = self._leader * t
            halo = QPen(QColor(255, 255, 255, 230), 4.0)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(halo)
            painter.drawLine(start, self._leader)  # a halo, as the text has, so the line reads over dense sites
            painter.setPen(QPen(QColor(40, 40, 40), 1.5))
            painter.drawLine(start, self._leader)
            painter.setBrush(QColor(40, 40, 40))
            painter.drawEllipse(self._leader, 2.5, 2.5)
        halo = QPen(QColor(255, 255, 255, 225), 2 * self.HALO_PX)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.strokePath(self._halo, halo)
        for path, colour in self._paths:
            painter.fillPath(path, colour)


@dataclass
class SiteGroup:
    """The sites of one kind: their ids and scene coordinates, index-aligned, as ``drawPointsNp`` reads them."""

    kind: str
    colour: QColor
    ids: list[str]
    x: np.ndarray  # scene x of each site (float64: UTM metres need more precision than float32 has)
    y: np.ndarray


class PointCloudItem(QGraphicsItem):
    """All sites in one item, drawn with ``QPainter.drawPointsNp`` from cached coordinate arrays per kind.

    Building 42,000 QGraphicsItems would take seconds and make every scene query slow. Here the sites' scene
    coordinates are projected once into numpy arrays and handed straight to Qt (``drawPointsNp`` is PySide6's
    array form of ``drawPoints``, so no QPointF objects are made in Python). Edits are applied incrementally: a
    moved site rewrites one entry, a deleted one is swapped with the last, so dragging one site does not
    rebuild the other 41,999.

    Painting: at city scale the points are 2–3 px opaque squares without antialiasing, which the raster
    engine draws ~50× faster than round or translucent points (≈5 ms for 42,000) and which look like dots at
    that size. Close up, where each site matters and few are on screen, only the visible ones are drawn, as
    round antialiased markers with a white rim.
    """

    MARGIN_M = 2000.0  # points are a few screen pixels wide: keep them inside the bounding rect at any zoom
    REBUILD_ABOVE = 2000  # a change list touching more sites than this is cheaper to rebuild from scratch
    PARTIAL_UP_TO = 64  # up to this many moved points, only their surroundings are redrawn
    DIRTY_PX = 12.0  # the surroundings of a point to redraw: its marker and rim, in pixels
    ROUND_FROM_PX = 3.5

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        # exposedRect tells paint() which part of the scene is on screen, to draw only those points close up.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self._sites: dict[str, Any] = {}
        self._groups: dict[str, SiteGroup] = {}
        self._where: dict[str, tuple[str, int]] = {}  # site id -> (kind, index in its group)
        self._rect = QRectF()
        self._lod = 1e-3  # pixels per metre at the last paint, to size the area an edit redraws
        # Drawn into a pixmap of the view that edits update in patches (see apply_changes): a frame then blits it.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    # -- data -------------------------------------------------------------------------------------------
    def set_sites(self, sites: dict[str, Any]) -> None:
        """Draw ``sites`` (a scenario's sites dict), rebuilding every cached point."""
        self._sites = sites
        self._rebuild()

    def apply_changes(self, changes: list[Change]) -> None:
        """Update the cached points for the site changes of a change list (other collections are ignored)."""
        changes = [c for c in changes if c.collection == "sites"]
        if not changes:
            return
        if len(changes) > self.REBUILD_ABOVE:
            self._rebuild()
            return
        dirty: list[tuple[float, float]] = []  # scene points whose surroundings must be redrawn
        for ch in changes:
            old, new = ch.old, ch.new
            for site in (old, new):
                if site is not None:
                    x, y = project(site.lon, site.lat)
                    dirty.append((float(x), float(y)))
            if old is not None and new is not None and old.kind == new.kind and ch.key in self._where:
                kind, i = self._where[ch.key]
                group = self._groups[kind]
                group.x[i], group.y[i] = project(new.lon, new.lat)
                continue
            if old is not None:
                self._remove(ch.key)
            if new is not None:
                self._add(new)
        inner = self._rect.adjusted(self.MARGIN_M, self.MARGIN_M, -self.MARGIN_M, -self.MARGIN_M)
        if len(dirty) > self.PARTIAL_UP_TO or not all(inner.contains(QPointF(x, y)) for x, y in dirty):
            self._update_rect()  # the extent changed (or many points did): redraw everything
            self.update()
            return
        # Only around the points that moved: the item's cached pixmap is re-rendered there and nowhere else,
        # so a drag step costs a few pixels' worth of drawing instead of 42,000 points.
        pad = self.DIRTY_PX / max(self._lod, 1e-9)
        for x, y in dirty:
            self.update(QRectF(x - pad, y - pad, 2 * pad, 2 * pad))

    def point_count(self) -> int:
        """How many points are drawn."""
        return len(self._where)

    def nearest(self, x: float, y: float, within: float) -> str | None:
        """Id of the site nearest the scene point (x, y), if it lies within ``within`` scene units."""
        best, best_d2 = None, within * within
        for group in self._groups.values():
            if not len(group.ids):
                continue
            d2 = (group.x - x) ** 2 + (group.y - y) ** 2
            i = int(d2.argmin())
            if d2[i] <= best_d2:
                best, best_d2 = group.ids[i], float(d2[i])
        return best

    def ids_in(self, rect: QRectF) -> list[str]:
        """Ids of the sites inside a scene rectangle."""
        out: list[str] = []
        for group in self._groups.values():
            x, y = group.x, group.y
            inside = (x >= rect.left()) & (x <= rect.right()) & (y >= rect.top()) & (y <= rect.bottom())
            out += [group.ids[i] for i in np.flatnonzero(inside)]
        return out

    def groups(self) -> list[SiteGroup]:
        """The per-kind point groups, in drawing order."""
        return list(self._groups.values())

    def _group(self, kind: str) -> SiteGroup:
        group = self._groups.get(kind)
        if group is None:
            empty = np.empty(0, dtype=float)
            group = SiteGroup(kind, style.kind_colour(style.SITE_COLOURS, kind), [], empty, empty.copy())
            self._groups[kind] = group
            # Keep the drawing order: macro sites first, the rarer kinds on top so 5G-A sites are not buried.
            rank = {k: i for i, k in enumerate(style.SITE_COLOURS)}
            ordered = sorted(self._groups, key=lambda k: (rank.get(k, len(rank)), k))
            self._groups = {k: self._groups[k] for k in ordered}
        return group

    def _add(self, site: Any) -> None:
        x, y = project(site.lon, site.lat)
        group = self._group(site.kind)
        self._where[site.id] = (site.kind, len(group.ids))
        group.ids.append(site.id)
        group.x = np.append(group.x, x)
        group.y = np.append(group.y, y)

    def _remove(self, site_id: str) -> None:
        kind, i = self._where.pop(site_id)
        group = self._groups[kind]
        last = len(group.ids) - 1
        if i != last:  # move the last point into the hole: O(1) instead of shifting every later point
            moved = group.ids[last]
            group.ids[i] = moved
            group.x[i], group.y[i] = group.x[last], group.y[last]
            self._where[moved] = (kind, i)
        group.ids.pop()
        group.x, group.y = group.x[:last], group.y[:last]
        if not group.ids:
            del self._groups[kind]

    def _rebuild(self) -> None:
        self._groups, self._where = {}, {}
        sites = list(self._sites.values())
        if sites:
            x, y = project([s.lon for s in sites], [s.lat for s in sites])
            kinds = np.array([s.kind for s in sites])
            ids = np.array([s.id for s in sites], dtype=object)
            for kind in sorted(set(kinds.tolist())):
                mask = kinds == kind
                group = self._group(kind)
                group.ids, group.x, group.y = ids[mask].tolist(), x[mask], y[mask]
                self._where.update((sid, (kind, i)) for i, sid in enumerate(group.ids))
        self._update_rect()
        self.update()

    def _update_rect(self) -> None:
        """The extent: every point, and at least the box where a valid site can be (Ningbo's box), so that edits
        inside it never change the extent (which would throw the cached pixmap away)."""
        self.prepareGeometryChange()
        if not self._where:
            self._rect = QRectF()
            return
        groups = self._groups.values()
        m = self.MARGIN_M
        x0, x1 = min(g.x.min() for g in groups) - m, max(g.x.max() for g in groups) + m
        y0, y1 = min(g.y.min() for g in groups) - m, max(g.y.max() for g in groups) + m
        self._rect = QRectF(QPointF(float(x0), float(y0)), QPointF(float(x1), float(y1))).united(_home_rect(m))

    # -- painting ---------------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        """The points' extent plus a margin for the point size."""
        return self._rect

    @staticmethod
    def point_size(px_per_m: float) -> float:
        """Marker size in pixels: small dots for the whole city, growing to 7 px at street level."""
        return min(7.0, 2.0 + 25.0 * px_per_m)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Draw the points: fast squares at city scale, round markers for the visible points close up."""
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())  # pixels per metre
        self._lod = lod
        size = self.point_size(lod)
        if size < self.ROUND_FROM_PX:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            pad = size / max(lod, 1e-9)
            view = option.exposedRect.adjusted(-pad, -pad, pad, pad)
            whole = view.contains(self._rect)
            for group in self._groups.values():
                x, y = group.x, group.y
                if not whole:  # a patch of the cache: only the points in it
                    inside = (x >= view.left()) & (x <= view.right()) & (y >= view.top()) & (y <= view.bottom())
                    x, y = x[inside], y[inside]
                painter.setPen(_point_pen(group.colour, round(size), Qt.PenCapStyle.SquareCap))
                painter.drawPointsNp(x, y)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pad = size / max(lod, 1e-9)
        view = option.exposedRect.adjusted(-pad, -pad, pad, pad)
        rim = _point_pen(QColor("white"), size + 2.0, Qt.PenCapStyle.RoundCap)
        for group in self._groups.values():
            x, y = group.x, group.y
            on_screen = (x >= view.left()) & (x <= view.right()) & (y >= view.top()) & (y <= view.bottom())
            if not on_screen.any():
                continue
            x, y = x[on_screen], y[on_screen]
            painter.setPen(rim)
            painter.drawPointsNp(x, y)
            painter.setPen(_point_pen(group.colour, size, Qt.PenCapStyle.RoundCap))
            painter.drawPointsNp(x, y)


@lru_cache(maxsize=1)
def _home_rect(margin: float) -> QRectF:
    """Scene rectangle of Ningbo's bounding box (where sites may lie), widened by ``margin`` metres."""
    from planner.domain.checks import NINGBO_BBOX

    x0, y0, x1, y1 = NINGBO_BBOX
    xs, ys = project([x0, x1, x0, x1], [y0, y0, y1, y1])
    return QRectF(QPointF(float(xs.min()), float(ys.min())), QPointF(float(xs.max()), float(ys.max()))).adjusted(
        -margin, -margin, margin, margin
    )


def _point_pen(colour: QColor, width: float, cap: Qt.PenCapStyle) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)
    pen.setCapStyle(cap)
    return pen


def _park_tooltip(p: Park) -> str:
    status = vocab.bilingual(vocab.PARK_STATUSES, p.status)
    lines = [p.name, style.kind_label(vocab.PARK_KINDS, p.kind), f"状态 Status: {status}", f"开放 Opens: {p.open_year}"]
    if p.focus:
        lines.append(f"方向 Focus: {p.focus}")
    if p.approximate:
        lines.append("位置为近似 / approximate location")
    return "\n".join(lines)


def _zone_tooltip(z: Zone) -> str:
    lines = [z.name, style.kind_label(vocab.ZONE_KINDS, z.kind), f"开放 Opens: {z.open_year}"]
    if z.approximate:
        lines.append("范围为近似 / approximate extent")
    return "\n".join(lines)


def park_item(p: Park) -> QGraphicsItem:
    """A park: a round marker of constant screen size for a point, an outlined area for a polygon."""
    colour = style.kind_colour(style.PARK_COLOURS, p.kind)
    if p.geometry.geom_type == "Point":
        r = PARK_MARKER_PX
        item: QGraphicsItem = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r)
        item.setPos(to_scene(p.geometry.x, p.geometry.y))
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        item.setBrush(colour)
        item.setPen(QPen(QColor("white"), 1.5))
    else:
        item = QGraphicsPathItem(geometry_path(p.geometry))
        fill = QColor(colour)
        fill.setAlpha(45)
        item.setBrush(fill)
        item.setPen(cosmetic_pen(colour, 2.0))
    item.setToolTip(_park_tooltip(p))
    item.setData(0, p.id)
    return item


def zone_item(z: Zone) -> QGraphicsPathItem:
    """A zone: a semi-transparent area with a dashed outline of its kind's colour."""
    colour = style.kind_colour(style.ZONE_COLOURS, z.kind)
    item = QGraphicsPathItem(geometry_path(z.geometry))
    fill = QColor(colour)
    fill.setAlpha(70)
    item.setBrush(fill)
    item.setPen(cosmetic_pen(colour, 1.2, Qt.PenStyle.DashLine))
    item.setToolTip(_zone_tooltip(z))
    item.setData(0, z.id)
    # Drawn from a pixmap while the zoom stays (a drag, a site edit): the 49 dashed, translucent outlines of the
    # baseline cost ~10 ms a frame to stroke, the cached pixmaps a fraction of that.
    item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return item


# -- the view ---------------------------------------------------------------------------------------------
class MapCanvas(QGraphicsView):
    """The scenario's map: districts (coloured and labelled by 一区一品 product), zones, sites and parks.

    Wheel zooms around the cursor, dragging pans, :meth:`fit_all` shows the whole city. The canvas follows its
    scenario's change events by itself; :meth:`set_scenario` switches scenario and :meth:`detach` (also run
    when the canvas is closed or destroyed) stops listening.
    """

    #: A layer was shown or hidden: (layer name, visible).
    layerVisibilityChanged = Signal(str, bool)
    #: The mouse is over the map at WGS-84 (lon, lat).
    cursorMoved = Signal(float, float)
    #: The mouse left the map.
    cursorLeft = Signal()
    #: The districts' colouring changed (a figure's classes, or back to products).
    choroplethChanged = Signal()
    #: The map was painted for the first time (start-up measurements).
    firstPainted = Signal()
    #: A message for the user (a refused edit, what a tool did): the window shows it in the status bar.
    message = Signal(str)
    #: The part of the city shown changed (a pan or a zoom): a view that follows this one listens.
    viewChanged = Signal()

    def __init__(
        self, scenario: Scenario | None = None, parent: QWidget | None = None, *, session: Session | None = None
    ) -> None:
        super().__init__(parent)
        self._scenario: Scenario | None = None
        self._link = SessionLink(self)
        self._navigated = False  # once the user zooms or pans, resizing no longer refits the city
        self._highlighted: str | None = None
        self._label_scale = 0.0  # the zoom at which labels were last decluttered
        self._insets = (0, 0, 0, 0)  # viewport pixels (left, top, right, bottom) covered by overlays (presenting)
        self._label_size = 1.0  # district labels' size, × the usual (larger for presenting)

        scene = QGraphicsScene(self)
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # few, large items: no BSP worth it
        self.setScene(scene)
        self.setBackgroundBrush(style.SEA)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # The scale bar is painted over the viewport; scrolling by pixel copy would smear it, so repaint fully.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 240)

        self._layers = {name: LayerItem(name, z) for name, z in LAYER_Z.items()}
        self._labels = LayerItem("labels", LABEL_Z)
        for item in (*self._layers.values(), self._labels):
            scene.addItem(item)

        self._district_items: dict[str, QGraphicsPathItem] = {}
        self._label_items: dict[str, LabelItem] = {}
        city = QRectF()
        for shape in district_shapes():
            item = QGraphicsPathItem(shape.path, self._layers["districts"])
            item.setPen(cosmetic_pen(style.DISTRICT_OUTLINE, 1.0))
            item.setData(0, shape.adcode)
            self._district_items[shape.adcode] = item
            label = LabelItem(self._labels)
            # Labels keep their screen size, so a cached image stays valid through every zoom and pan.
            label.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            label.setPos(shape.label_pos)
            self._label_items[shape.adcode] = label
            city = city.united(shape.path.boundingRect())
        self._city_rect = city
        # Room to pan a city's width beyond each edge, but not so far that the map can be lost.
        scene.setSceneRect(city.adjusted(-city.width(), -city.height(), city.width(), city.height()))

        self._highlight = QGraphicsPathItem()
        self._highlight.setZValue(HIGHLIGHT_Z)
        self._highlight.setPen(cosmetic_pen(style.HIGHLIGHT, 3.0))
        self._highlight.setVisible(False)
        scene.addItem(self._highlight)

        self._sites = PointCloudItem(self._layers["sites"])
        self._coverage = CoverageLayerItem(self._layers["coverage"])
        self._coverage_shown: tuple[int, str] | None = None  # (id of the engine, layer) the image shows
        self._tool: Any = None
        self._choropleth: Choropleth | None = None  # the districts coloured by a figure, or by product (None)
        self._choropleth_timer = QTimer(self)
        self._choropleth_timer.setSingleShot(True)
        self._choropleth_timer.setInterval(200)  # during a drag: at most five times a second
        self._choropleth_timer.timeout.connect(self._refresh_choropleth)
        self._painted = False
        self._middle_pan: QPointF | None = None
        self._park_items: dict[str, QGraphicsItem] = {}
        self._zone_items: dict[str, QGraphicsItem] = {}
        self.session = session if session is not None else Session(scenario)
        self._link.attach(self.session, self._on_event)
        self._show_scenario(self.session.scenario)
        for state in self.session.layers.values():
            self._show_layer(state)
        self._order_layers()

    # -- model ------------------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The scenario shown."""
        assert self._scenario is not None
        return self._scenario

    def _on_event(self, event: Any) -> None:
        if isinstance(event, ScenarioEdited):
            self._on_changes(event.changes)
        elif isinstance(event, FiguresUpdated):
            self._update_coverage(event.delta)
            if self.session.layers["districts"].style != "product" and not self._choropleth_timer.isActive():
                self._choropleth_timer.start()
        elif isinstance(event, ScenarioReplaced):
            self._coverage_shown = None
            self._show_scenario(event.scenario)
            self._refresh_coverage()
        elif isinstance(event, LayerChanged) and event.state is not None:
            self._show_layer(event.state)
        elif isinstance(event, LayerChanged):
            self._order_layers()
        elif isinstance(event, SelectionChanged):
            districts = [key for layer, key in event.selection if layer == "districts"]
            self._show_highlight(districts[0] if districts else None)
            self.viewport().update()

    def _show_scenario(self, scenario: Scenario) -> None:
        self._scenario = scenario
        for adcode in self._district_items:
            self._refresh_district(adcode)
        self._rebuild_layer("parks")
        self._rebuild_layer("zones")
        self._sites.set_sites(scenario.sites)

    def detach(self) -> None:
        """Stop following the session (the map keeps showing its last state)."""
        self._link.detach()

    def closeEvent(self, event: Any) -> None:
        """A closed canvas stops listening."""
        self.detach()
        super().closeEvent(event)

    def _on_changes(self, changes: list[Change]) -> None:
        for ch in changes:
            if ch.collection == "products":
                self._refresh_district(ch.key)
            elif ch.collection in ("parks", "zones"):
                self._replace_feature(ch.collection, ch.key, ch.new)
        self._sites.apply_changes(changes)

    def _refresh_district(self, adcode: str) -> None:
        item = self._district_items.get(adcode)
        if item is None:
            return
        shape = next(s for s in district_shapes() if s.adcode == adcode)
        product = self.scenario.products.get(adcode)
        if self._choropleth is not None and adcode in self._choropleth.values:
            ch = self._choropleth
            fill = style.class_colour(classify(ch.values[adcode], ch.breaks), len(ch.breaks) - 1)
            item.setBrush(fill)
        else:
            item.setBrush(style.district_fill(shape.index, bool(product)))
        item.setToolTip(f"{shape.name_zh} {shape.name_en}\n一区一品 Product: {product or style.UNASSIGNED_PRODUCT}")
        name_font = style.cjk_font(10.5 * self._label_size, bold=True)
        product_font = style.cjk_font(8.5 * self._label_size)
        lines = [(tr(shape.name_zh, shape.name_en), name_font, QColor("#1f2a36"))]
        if product:
            lines += [(text, product_font, QColor("#23415e")) for text in _wrap_product(product)]
        else:
            lines.append((style.unassigned_product(), product_font, QColor("#5f666e")))
        self._label_items[adcode].set_lines(lines)
        self._declutter_labels()

    def _declutter_labels(self) -> None:
        """Place the district labels so that none runs into another, the more important first.

        Labels keep their screen size while the map scales, so whether two collide depends on the zoom only.
        Districts with a product go before those without, and among them the smaller first: a small district
        (江北, 镇海) has little room of its own, a large one can move its label within itself. Each label takes
        the best free place (see :meth:`_free_places`): whole at its home (the district's pole of
        inaccessibility), else nearby — whole or as its name alone — on the shortest leader line, staying out of
        other districts; a nudged label has a leader line to its home. The strips the presentation's cards cover
        (:meth:`set_insets`) count as taken. A name that finds no free place stays at home (the map never loses a
        district's name; zooming in separates them).
        """
        scale = self._label_scale = self.scale_factor()
        shapes = {s.adcode: s for s in district_shapes()}
        order = sorted(
            self._label_items,
            key=lambda a: (not self.scenario.products.get(a), shapes[a].path.boundingRect().width()),
        )

        def reads_as(adcode: str, at: QPointF) -> bool:
            # A label in its own district, or over the sea, reads as its district's; in another it reads as theirs.
            if shapes[adcode].path.contains(at):
                return True
            return not any(s.path.contains(at) for a, s in shapes.items() if a != adcode)

        placed: list[QRectF] = []
        left, top, right, bottom = self._insets
        if any(self._insets):  # the overlays' strips, in the labels' frame (scene × scale), as taken places
            vp = self.viewport().rect()
            for x, y, w, h in ((0, 0, left, vp.height()), (vp.width() - right, 0, right, vp.height()),
                               (0, 0, vp.width(), top), (0, vp.height() - bottom, vp.width(), bottom)):  # fmt: skip
                if w > 0 and h > 0:
                    r = self.mapToScene(QRectF(x, y, w, h).toRect()).boundingRect()
                    placed.append(QRectF(r.topLeft() * scale, r.bottomRight() * scale))
        for adcode in order:
            label = self._label_items[adcode]
            home = shapes[adcode].label_pos * scale  # screen pixels (the scene is uniformly scaled)
            rects = {compact: label.rect_for(compact) for compact in (False, True)}  # measured, not re-laid out
            choice = next(self._free_places(rects, home, placed, lambda p, a=adcode: reads_as(a, p / scale)), None)
            if choice is None:
                choice = (True, 0.0, 0.0, label.text_rect().translated(home))
            compact, dx, dy, at = choice
            label.set_compact(compact)
            label.setPos(shapes[adcode].label_pos + QPointF(dx / scale, dy / scale))
            label.set_leader(QPointF(-dx, -dy))
            placed.append(at)

    @staticmethod
    def _free_places(rects: dict[bool, QRectF], home: QPointF, placed: list[QRectF], inside=lambda p: True):
        """(compact, dx, dy, rect on screen) of the places where a label (``rects``: whole and name alone) runs
        into none of ``placed``, best first: the whole label at home, else the place of least cost. The cost is
        the length of the leader line, plus the height of the whole label for the name alone (what the reader
        loses), plus twice that when the label's centre is in another district (``inside(point)`` is False: it
        would read as the neighbour's name). So a label gives up its product lines, or moves within its district,
        rather than travel on a long leader into a neighbour (as 江北区's did, up into 余姚, at presentation size).
        """
        free = []
        whole_h = rects[False].height()
        for compact in (False, True):
            rect = rects[compact]
            w, h = rect.width() * 0.6, rect.height() * 0.75
            for ring in range(len(_NUDGE_RINGS)):
                for dx, dy in _NUDGE_RINGS[ring]:
                    at = rect.translated(home + QPointF(dx * w, dy * h))
                    if not any(at.intersects(r) for r in placed):
                        if not compact and ring == 0:
                            yield False, 0.0, 0.0, at
                            return
                        cost = math.hypot(dx * w, dy * h) + (whole_h if compact else 0.0)
                        cost += 0.0 if inside(at.center()) else 2 * whole_h
                        free.append((cost, len(free), compact, dx * w, dy * h, at))
        for _cost, _n, compact, dx, dy, at in sorted(free, key=lambda f: f[:2]):
            yield compact, dx, dy, at

    def _rebuild_layer(self, layer: str) -> None:
        items = self._park_items if layer == "parks" else self._zone_items
        for item in items.values():
            self.scene().removeItem(item)
        items.clear()
        for fid, feature in getattr(self.scenario, layer).items():
            self._replace_feature(layer, fid, feature)

    def _replace_feature(self, layer: str, fid: str, feature: Any) -> None:
        items = self._park_items if layer == "parks" else self._zone_items
        old = items.pop(fid, None)
        if old is not None:
            self.scene().removeItem(old)
        if feature is not None:
            item = park_item(feature) if layer == "parks" else zone_item(feature)
            item.setParentItem(self._layers[layer])
            items[fid] = item

    # -- layers and items -------------------------------------------------------------------------------
    def set_layer_visible(self, name: str, visible: bool) -> None:
        """Show or hide layer ``name`` (through the session, whose state every view follows)."""
        self.layer_item(name)  # an unknown name is refused here, with the canvas's layer names
        self.session.set_layer_visible(name, visible)

    def _show_layer(self, state: LayerState) -> None:
        item = self._layers.get(state.name)
        if item is None:  # a layer of the session this canvas does not draw (yet)
            return
        if item.isVisible() != state.visible:
            item.setVisible(state.visible)
            if state.name == "districts":
                self._labels.setVisible(state.visible)
            self.layerVisibilityChanged.emit(state.name, state.visible)
        item.setOpacity(state.opacity)
        if state.name == "coverage":
            self._refresh_coverage()
        shown = "product" if self._choropleth is None else self._choropleth.figure
        if state.name == "districts" and shown != state.style:
            self._refresh_choropleth()

    # -- districts coloured by a figure -----------------------------------------------------------------
    def _refresh_choropleth(self) -> None:
        """Colour the districts by the session's district style: a figure's classes, or by product."""
        figure = self.session.layers["districts"].style
        if figure == "product":
            self._choropleth = None
        else:
            values = district_values(self.session.summary(), figure)
            self._choropleth = Choropleth(figure, values, class_breaks(list(values.values())))
        for adcode in self._district_items:
            self._refresh_district(adcode)
        self.choroplethChanged.emit()

    @property
    def choropleth(self) -> Choropleth | None:
        """What the districts are coloured by (None: by product)."""
        return self._choropleth

    def _order_layers(self) -> None:
        """Stack the layers as the session orders them (labels and the highlight stay on top)."""
        for i, name in enumerate(self.session.layer_order):
            if name in self._layers:
                self._layers[name].setZValue(10.0 * i)

    # -- the coverage layer -----------------------------------------------------------------------------
    def _refresh_coverage(self) -> None:
        """Draw the coverage layer as the session's state says (building the engine first if need be)."""
        state = self.session.layers["coverage"]
        if not state.visible:
            return
        if not self.session.engine_ready:
            self.session.build_engine()  # announces FiguresUpdated, which draws the layer
            return
        engine = self.session.engine
        if self._coverage_shown != (id(engine), state.style):
            self._coverage.show_engine(engine, state.style)
            self._coverage_shown = (id(engine), state.style)

    def _update_coverage(self, delta: Any) -> None:
        if not self.session.layers["coverage"].visible or not self.session.engine_ready:
            return
        engine = self.session.engine
        if self._coverage_shown != (id(engine), self.session.layers["coverage"].style):
            self._refresh_coverage()
        else:
            self._coverage.apply_delta(engine, delta)

    @property
    def coverage_item(self) -> CoverageLayerItem:
        """The item drawing the coverage layer."""
        return self._coverage

    def is_layer_visible(self, name: str) -> bool:
        """Whether layer ``name`` is shown."""
        return self.layer_item(name).isVisible()

    def layer_item(self, name: str) -> QGraphicsItem:
        """The top-level item of layer ``name``, parent of all its items."""
        if name not in self._layers:
            raise KeyError(f"unknown map layer {name!r} (expected one of {', '.join(LAYERS)})")
        return self._layers[name]

    def district_item(self, adcode: str) -> QGraphicsPathItem:
        """The filled outline of a district."""
        return self._district_items[adcode]

    def district_label(self, adcode: str) -> LabelItem:
        """The label of a district."""
        return self._label_items[adcode]

    def feature_item(self, layer: str, fid: str) -> QGraphicsItem | None:
        """The item drawing park or zone ``fid``, if any (sites have no item of their own)."""
        return (self._park_items if layer == "parks" else self._zone_items).get(fid)

    @property
    def sites_item(self) -> PointCloudItem:
        """The single item that draws every site."""
        return self._sites

    def set_highlighted_district(self, adcode: str | None) -> None:
        """Select one district (None clears): the session's selection, which the canvas outlines."""
        self.session.select([("districts", adcode)] if adcode else [])

    def _show_highlight(self, adcode: str | None) -> None:
        """Outline one district in the accent colour (None clears)."""
        self._highlighted = adcode
        item = self._district_items.get(adcode or "")
        if item is None:
            self._highlight.setVisible(False)
            return
        self._highlight.setPath(item.path())
        self._highlight.setVisible(True)

    def highlighted_district(self) -> str | None:
        """Adcode of the outlined district, if any."""
        return self._highlighted if self._highlight.isVisible() else None

    # -- navigation -------------------------------------------------------------------------------------
    def city_rect(self) -> QRectF:
        """Scene rectangle of the whole city."""
        return QRectF(self._city_rect)

    def fit_all(self) -> None:
        """Zoom and centre so the whole city fills the view."""
        self._fit(self._city_rect, margin=0.03)
        self._navigated = False

    def zoom_to_district(self, adcode: str) -> None:
        """Zoom and centre on one district."""
        item = self._district_items.get(adcode)
        if item is not None:
            self._fit(item.path().boundingRect(), margin=0.12)
            self._navigated = True

    def zoom_to_selection(self) -> bool:
        """Zoom to the selected features and districts (a lone site or point park: to about 2 km around it)."""
        rect = QRectF()
        for layer, key in self.session.selection:
            if layer == "districts":
                item = self._district_items.get(key)
                r = item.path().boundingRect() if item is not None else QRectF()
            elif layer == "sites" and key in self.scenario.sites:
                site = self.scenario.sites[key]
                r = QRectF(to_scene(site.lon, site.lat), to_scene(site.lon, site.lat))
            elif layer in ("parks", "zones") and key in self.scenario.layer(layer):
                r = geometry_path(self.scenario.layer(layer)[key].geometry).boundingRect()
                if r.isEmpty():  # a point park
                    g = self.scenario.layer(layer)[key].geometry
                    r = QRectF(to_scene(g.x, g.y), to_scene(g.x, g.y))
            else:
                continue
            rect = r if rect.isNull() else rect.united(r)
        if rect.isNull() and rect.width() == 0 and not self.session.selection:
            return False
        if rect.width() < 2000 and rect.height() < 2000:  # a point: show its neighbourhood
            c = rect.center()
            rect = QRectF(c.x() - 1000, c.y() - 1000, 2000, 2000)
        self._fit(rect, margin=0.15)
        self._navigated = True
        return True

    def zoom_to_rect(self, rect: QRectF, margin: float = 0.15) -> None:
        """Zoom and centre on a scene rectangle (metres, UTM 51N) with ``margin`` (a share of its size) around."""
        self._fit(rect, margin)
        self._navigated = True

    def extent(self) -> tuple[float, float, float, float]:
        """The WGS-84 box (west, south, east, north) the view shows, read at the middle of each edge (so that
        :meth:`set_extent` of it shows the same view again)."""
        r = QRectF(self.viewport().rect())
        c = r.center()
        west = to_lonlat(self.mapToScene(QPointF(r.left(), c.y()).toPoint()))[0]
        east = to_lonlat(self.mapToScene(QPointF(r.right() + 1, c.y()).toPoint()))[0]
        north = to_lonlat(self.mapToScene(QPointF(c.x(), r.top()).toPoint()))[1]
        south = to_lonlat(self.mapToScene(QPointF(c.x(), r.bottom() + 1).toPoint()))[1]
        return west, south, east, north

    def set_extent(self, west: float, south: float, east: float, north: float) -> None:
        """Show at least the WGS-84 box (west, south, east, north), centred, keeping the map's proportions."""
        cx, cy = (west + east) / 2, (south + north) / 2
        left, right = to_scene(west, cy).x(), to_scene(east, cy).x()
        top, bottom = to_scene(cx, north).y(), to_scene(cx, south).y()
        # The whole viewport, overlays or not: the extent is what extent() read (a bookmark shows as it was saved).
        self._fit(QRectF(left, top, right - left, bottom - top), margin=0.0, whole=True)
        self._navigated = True

    def set_label_size(self, factor: float) -> None:
        """Draw the district labels ``factor`` × their usual size (a presentation's labels read across a room)."""
        if not math.isclose(factor, self._label_size):
            self._label_size = float(factor)
            for adcode in self._district_items:
                self._refresh_district(adcode)

    @property
    def label_size(self) -> float:
        """How many times their usual size the district labels are drawn."""
        return self._label_size

    def set_insets(self, left: int, top: int, right: int, bottom: int) -> bool:
        """Viewport pixels along each edge that overlays cover (the presentation's cards): fitting fits into the
        rest, and labels keep out of them. True if they changed (then a city view is fitted again)."""
        insets = tuple(max(0, int(v)) for v in (left, top, right, bottom))
        if insets == self._insets:
            return False
        self._insets = insets
        if not self._navigated:
            self.fit_all()
        else:
            self._declutter_labels()
        self.viewport().update()
        return True

    @property
    def insets(self) -> tuple[int, int, int, int]:
        """The covered edges (left, top, right, bottom) in viewport pixels; all 0 unless presenting."""
        return self._insets

    def _free_viewport(self) -> QRectF:
        left, top, right, bottom = self._insets
        r = QRectF(self.viewport().rect()).adjusted(left, top, -right, -bottom)
        return r if r.width() > 50 and r.height() > 50 else QRectF(self.viewport().rect())

    def _fit(self, rect: QRectF, margin: float, *, whole: bool = False) -> None:
        pad_x, pad_y = rect.width() * margin, rect.height() * margin
        rect = rect.adjusted(-pad_x, -pad_y, pad_x, pad_y)
        free = self._free_viewport()
        if whole or free == QRectF(self.viewport().rect()):
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        elif rect.width() > 0 and rect.height() > 0:
            # Fit into the part the overlays leave free: that scale, and the rect's centre under the free centre.
            k = min(free.width() / rect.width(), free.height() / rect.height())
            self.setTransform(QTransform.fromScale(k, k))
            offset = QRectF(self.viewport().rect()).center() - free.center()
            self.centerOn(rect.center() + offset / k)
        self._declutter_labels()
        self.viewChanged.emit()

    def visible_rect(self) -> QRectF:
        """The scene rectangle the view shows."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    @property
    def navigated(self) -> bool:
        """Whether the user has zoomed or panned (until then a resize refits the city)."""
        return self._navigated

    def set_view(self, centre: QPointF, scale: float, *, navigated: bool = True) -> None:
        """Show scene point ``centre`` in the middle at ``scale`` pixels per metre (to follow another view)."""
        if not math.isclose(scale, self.scale_factor(), rel_tol=1e-9):
            self.setTransform(QTransform.fromScale(scale, scale))
        self.centerOn(centre)
        self._navigated = navigated

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """Scroll (a pan), and tell the views that follow this one."""
        super().scrollContentsBy(dx, dy)
        self.viewChanged.emit()

    def scale_factor(self) -> float:
        """Current zoom in screen pixels per metre."""
        return self.transform().m11()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Zoom around the cursor: one wheel notch is about 20 %."""
        delta = event.angleDelta().y()
        if not delta:
            event.ignore()
            return
        current = self.scale_factor()
        target = min(MAX_SCALE, max(MIN_SCALE, current * 1.0015**delta))
        factor = target / current
        if not math.isclose(factor, 1.0):
            self.scale(factor, factor)
            self._navigated = True
            self._declutter_labels()
            self.viewChanged.emit()
        event.accept()

    # -- map tools --------------------------------------------------------------------------------------
    @property
    def tool(self) -> Any:
        """The active map tool (see :mod:`planner.ui.tools`), or None (plain panning)."""
        return self._tool

    def set_tool(self, tool: Any) -> None:
        """Make ``tool`` the active map tool (None: plain panning)."""
        if self._tool is not None:
            self._tool.deactivate()
        self._tool = tool
        pans = tool is None or tool.pans
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag if pans else QGraphicsView.DragMode.NoDrag)
        if tool is not None:
            tool.activate()
            if not pans:
                self.viewport().setCursor(tool.cursor)
        if pans:
            self.viewport().unsetCursor()
        self.viewport().update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """The middle button pans with any tool; other presses go to the active tool first."""
        if event.button() == Qt.MouseButton.MiddleButton:
            self._middle_pan = event.position()
            event.accept()
            return
        if self._tool is not None and self._tool.press(event):
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Report the cursor's coordinates; pass the move to the tool, else a drag pans."""
        lon, lat = to_lonlat(self.mapToScene(event.position().toPoint()))
        self.cursorMoved.emit(lon, lat)
        if self._middle_pan is not None:
            d = event.position() - self._middle_pan
            self._middle_pan = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(d.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(d.y()))
            self._navigated = True
            return
        if self._tool is not None and self._tool.move(event):
            return
        super().mouseMoveEvent(event)
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._navigated = True

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """End a middle-button pan or pass the release to the tool."""
        if event.button() == Qt.MouseButton.MiddleButton and self._middle_pan is not None:
            self._middle_pan = None
            return
        if self._tool is not None and self._tool.release(event):
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Pass a double-click to the tool (drawing a zone ends with one)."""
        if self._tool is not None and self._tool.double_click(event):
            return
        super().mouseDoubleClickEvent(event)

    def delete_selection(self) -> bool:
        """Remove the selected sites, parks and zones (one undo step), as the Delete key does."""
        from planner.ui.tools import delete_selection

        return self._tool is not None and delete_selection(self._tool)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys: the tool's first; Delete removes the selection; arrows pan; + and - zoom; Esc clears the
        selection."""
        from planner.ui.tools import delete_selection

        if self._tool is not None and self._tool.key_press(event):
            return
        key = event.key()
        step = 80
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._tool is not None:
            delete_selection(self._tool)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() + (step if key == Qt.Key.Key_Right else -step))
            self._navigated = True
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + (step if key == Qt.Key.Key_Down else -step))
            self._navigated = True
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus):
            self.zoom_by(1.25 if key != Qt.Key.Key_Minus else 0.8)
        elif key == Qt.Key.Key_Escape:
            self.session.select([])
        else:
            super().keyPressEvent(event)

    def zoom_by(self, factor: float) -> None:
        """Zoom in (factor > 1) or out around the view's centre, within the zoom limits."""
        current = self.scale_factor()
        target = min(MAX_SCALE, max(MIN_SCALE, current * factor))
        if not math.isclose(target, current):
            self.scale(target / current, target / current)
            self._navigated = True
            self._declutter_labels()
            self.viewChanged.emit()

    # -- positions and hit tests (view pixels ↔ lon/lat ↔ features) ---------------------------------------
    def lonlat_at(self, pos: QPointF) -> tuple[float, float]:
        """WGS-84 (lon, lat) under a view position, rounded as the file stores it (1e-7°, about 1 cm)."""
        lon, lat = to_lonlat(self.mapToScene(pos.toPoint()))
        return round(lon, 7), round(lat, 7)

    def view_point(self, lon: float, lat: float) -> QPointF:
        """The view position of a WGS-84 point."""
        return QPointF(self.mapFromScene(to_scene(lon, lat)))

    def district_at(self, pos: QPointF) -> str | None:
        """Adcode of the district under a view position, None outside Ningbo's land."""
        from planner.geo.basemap import district_at

        return district_at(*self.lonlat_at(pos))

    def feature_at(self, pos: QPointF, layers: tuple[str, ...] = ("parks", "sites", "zones")) -> tuple[str, str] | None:
        """The topmost visible feature under a view position — a park marker or area, a site within a few pixels,
        a zone — as (layer, id); None if there is none."""
        scene = self.mapToScene(pos.toPoint())
        # A selected site under the cursor wins over its neighbours: in a dense town the one just added or
        # picked is the one the planner means to drag.
        for layer, key in self.session.selection:
            if layer == "sites" and "sites" in layers and key in self.scenario.sites:
                site = self.scenario.sites[key]
                p = self.view_point(site.lon, site.lat)
                if math.hypot(p.x() - pos.x(), p.y() - pos.y()) <= HIT_PX:
                    return ("sites", key)
        for layer in layers:
            if not self.session.layers[layer].visible:
                continue
            if layer == "sites":
                sid = self._sites.nearest(scene.x(), scene.y(), HIT_PX / max(self.scale_factor(), 1e-12))
                if sid is not None:
                    return ("sites", sid)
                continue
            items = self._park_items if layer == "parks" else self._zone_items
            for item in self.items(pos.toPoint()):
                fid = item.data(0)
                if fid in items and items[fid] is item:
                    return (layer, fid)
        return None

    def features_in(self, rect: QRectF) -> list[tuple[str, str]]:
        """Every visible site, park and zone whose position (a site, a point park) or whole outline lies inside a
        view rectangle (a rubber band)."""
        scene = self.mapToScene(rect.toRect()).boundingRect()
        found: list[tuple[str, str]] = []
        if self.session.layers["sites"].visible:
            found += [("sites", sid) for sid in self._sites.ids_in(scene)]
        for layer in ("parks", "zones"):
            if not self.session.layers[layer].visible:
                continue
            items = self._park_items if layer == "parks" else self._zone_items
            for fid, item in items.items():
                # A point park's marker keeps its screen size (its scene box means nothing): its position counts.
                marker = item.flags() & QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
                if scene.contains(item.pos()) if marker else scene.contains(item.sceneBoundingRect()):
                    found.append((layer, fid))
        return found

    def anchor_of(self, layer: str, fid: str) -> tuple[float, float]:
        """A point that moves with the feature (a site's position, a geometry's first vertex), in lon/lat."""
        f = self.scenario.layer(layer)[fid]
        if layer == "sites":
            return f.lon, f.lat
        import shapely

        x, y = shapely.get_coordinates(f.geometry)[0]
        return float(x), float(y)

    def nearest_environment(self, lon: float, lat: float) -> str:
        """The environment (urban, suburban, rural) of the site nearest a point, 'urban' if there is none."""
        sid = self._sites.nearest(*project(lon, lat), math.inf) if self._sites.point_count() else None
        return self.scenario.sites[sid].environment if sid is not None else "urban"

    def leaveEvent(self, event: Any) -> None:
        """Tell listeners the cursor is no longer over the map."""
        super().leaveEvent(event)
        self.cursorLeft.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the city fitted until the user has navigated."""
        super().resizeEvent(event)
        if not self._navigated:
            self.fit_all()

    def showEvent(self, event: QShowEvent) -> None:
        """Fit the city when first shown."""
        super().showEvent(event)
        if not self._navigated:
            self.fit_all()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint, first re-decluttering the labels if the zoom changed by a path that did not do it already."""
        if not math.isclose(self.scale_factor(), self._label_scale):
            self._declutter_labels()
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.firstPainted.emit()

    # -- overlay ----------------------------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        """A scale bar in the bottom-left corner (scene units are metres, so it is exact at the bar)."""
        px_per_m = self.scale_factor()
        if px_per_m <= 0:
            return
        target_m = 110 / px_per_m  # aim for a bar about 110 px long, rounded to 1, 2 or 5 × 10^n metres
        exp = 10 ** math.floor(math.log10(target_m))
        length_m = max(m * exp for m in (1, 2, 5) if m * exp <= target_m) if target_m >= exp else exp
        length_px = length_m * px_per_m
        text = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"

        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = style.cjk_font(8)
        painter.setFont(font)
        fm = QFontMetricsF(font)
        x0, y0 = 14.0, self.viewport().height() - 16.0
        width = length_px + 6 + fm.horizontalAdvance("UTM 51N") + 16
        top = y0 - 7 - fm.ascent() - 5
        box = QRectF(x0 - 8, top, width, y0 + 7 - top)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 200))
        painter.drawRoundedRect(box, 4, 4)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor("#2b2b2b"), 1.5))
        painter.drawLine(QPointF(x0, y0), QPointF(x0 + length_px, y0))
        for x in (x0, x0 + length_px / 2, x0 + length_px):
            painter.drawLine(QPointF(x, y0), QPointF(x, y0 - (5 if x != x0 + length_px / 2 else 3)))
        painter.drawText(QPointF(x0, y0 - 7), text)
        painter.setPen(QColor("#6b6b6b"))
        painter.drawText(QPointF(x0 + length_px + 6, y0 + 1), "UTM 51N")
        self._draw_north_arrow(painter)
        self._draw_selection(painter)
        if self._tool is not None:
            self._tool.paint(painter)
        painter.restore()

    def _draw_north_arrow(self, painter: QPainter) -> None:
        """A north arrow in the top-right corner (the map is UTM with north up: grid north, within 1° of true
        north over Ningbo)."""
        w = self.viewport().width()
        cx, top = w - 30, 16
        painter.setPen(QPen(QColor("#2b2b2b"), 1.2))
        painter.setBrush(QColor(255, 255, 255, 210))
        painter.drawEllipse(QPointF(cx, top + 18), 17, 17)
        painter.setBrush(QColor("#2b2b2b"))
        painter.drawPolygon(QPolygonF([QPointF(cx, top + 4), QPointF(cx - 6, top + 24), QPointF(cx, top + 20)]))
        painter.setBrush(QColor("white"))
        painter.drawPolygon(QPolygonF([QPointF(cx, top + 4), QPointF(cx + 6, top + 24), QPointF(cx, top + 20)]))
        font = style.cjk_font(8, bold=True)
        painter.setFont(font)
        painter.setPen(QColor("#2b2b2b"))
        painter.drawText(QRectF(cx - 20, top + 36, 40, 14), Qt.AlignmentFlag.AlignCenter, "北 N")

    def _draw_selection(self, painter: QPainter) -> None:
        """Ring the selected sites and point parks, outline the selected zones and polygon parks (view pixels)."""
        pen = QPen(QColor(style.HIGHLIGHT), 2.5)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for layer, key in self.session.selection:
            if layer == "sites" and key in self.scenario.sites:
                site = self.scenario.sites[key]
                painter.drawEllipse(self.view_point(site.lon, site.lat), 8, 8)
            elif layer in ("parks", "zones") and key in self.scenario.layer(layer):
                geom = self.scenario.layer(layer)[key].geometry
                if geom.geom_type == "Point":
                    painter.drawEllipse(self.view_point(geom.x, geom.y), 10, 10)
                else:
                    painter.drawPath(self.mapFromScene(geometry_path(geom)))


def _wrap_product(product: str, max_chars: int = 11) -> list[str]:
    """Split a long product ("小家电产业 + 环保治理 + 政务服务") at its '+' into lines of at most ~max_chars."""
    parts = [p.strip() for p in product.split("+") if p.strip()]
    if len(product) <= max_chars or len(parts) < 2:
        return [product]
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 3 + len(part) <= max_chars:
            lines[-1] = f"{lines[-1]} + {part}"
        else:
            lines.append(part if not lines else f"+ {part}")
    return lines
