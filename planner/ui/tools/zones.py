"""Map tools that draw a zone polygon and edit its vertices."""

from __future__ import annotations

import itertools
import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QPolygonF

from planner.domain import commands as cmd
from planner.domain.features import Zone
from planner.ui.tools.base import DragTool, MapTool

_gestures = itertools.count(1)
#: How near (pixels) the cursor must be to a vertex or an edge to grab it.
GRAB_PX = 8.0


class DrawZoneTool(MapTool):
    """Click to place vertices; double-click or Enter closes the polygon; Backspace removes the last vertex, Esc
    cancels. The zone is a 双万兆 priority zone until the planner changes its kind; a polygon that crosses itself is
    refused with the reason, never stored."""

    name, label_zh, label_en, shortcut = "draw_zone", "绘制区域", "Draw zone", "Z"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas, kind: str = "priority") -> None:
        super().__init__(canvas)
        self.kind = kind
        self.vertices: list[tuple[float, float]] = []  # lon/lat
        self._hover: QPointF | None = None

    def press(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        self.vertices.append(self.canvas.lonlat_at(event.position()))
        self.canvas.viewport().update()
        return True

    def move(self, event: QMouseEvent) -> bool:
        self._hover = event.position()
        if self.vertices:
            self.canvas.viewport().update()
        return bool(self.vertices)

    def double_click(self, event: QMouseEvent) -> bool:
        # The double-click's first press already placed a vertex at this point: finish without another one.
        self.finish()
        return True

    def key_press(self, event: QKeyEvent) -> bool:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish()
        elif event.key() == Qt.Key.Key_Backspace and self.vertices:
            self.vertices.pop()
        elif event.key() == Qt.Key.Key_Escape:
            self.vertices.clear()
        else:
            return False
        self.canvas.viewport().update()
        return True

    #: What the planner is told when a polygon is closed with fewer than 3 vertices.
    too_few = "区域至少需要 3 个顶点 · A zone needs at least 3 vertices"

    def take_polygon(self):
        """The polygon drawn (a repeated click counts once), and the drawing cleared; None, after telling the
        planner, with fewer than 3 vertices."""
        from shapely.geometry import Polygon

        pts = [p for i, p in enumerate(self.vertices) if i == 0 or p != self.vertices[i - 1]]
        self.vertices = []
        self.canvas.viewport().update()
        if len(pts) < 3:
            self.tell(self.too_few)
            return None
        return Polygon(pts)

    def finish(self) -> None:
        """Close the polygon and add the zone (as one undo step)."""
        polygon = self.take_polygon()
        if polygon is None:
            return
        s = self.session.scenario
        zid = s.new_id("zones")
        zone = Zone(zid, f"新区域 {zid[-3:]}", self.kind, polygon, self.session.year)
        if self.push(lambda: cmd.add_features(s, [zone])):
            self.session.select([("zones", zid)])

    def deactivate(self) -> None:
        self.vertices = []

    def paint(self, painter: QPainter) -> None:
        if not self.vertices:
            return
        pts = [self.canvas.view_point(lon, lat) for lon, lat in self.vertices]
        if self._hover is not None:
            pts.append(self._hover)
        painter.setPen(QPen(QColor("#c2185b"), 2))
        painter.setBrush(QColor(194, 24, 91, 40))
        painter.drawPolygon(QPolygonF(pts))
        painter.setBrush(QColor("white"))
        for p in pts[: len(self.vertices)]:
            painter.drawEllipse(p, 4, 4)


class EditVerticesTool(DragTool):
    """Reshape a zone: click a zone to edit it; drag a vertex to move it (one undo step per drag), double-click an
    edge to insert a vertex there, right-click a vertex to delete it (a zone keeps at least 3)."""

    name, label_zh, label_en, shortcut = "edit_vertices", "编辑顶点", "Edit vertices", "E"
    cursor = Qt.CursorShape.PointingHandCursor

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        self._drag: tuple[int, int] | None = None  # vertex index, gesture

    @property
    def zone(self) -> Zone | None:
        """The zone being edited: the selected one."""
        for layer, key in self.session.selection:
            if layer == "zones" and key in self.session.scenario.zones:
                return self.session.scenario.zones[key]
        return None

    def _ring(self) -> list[tuple[float, float]]:
        z = self.zone
        if z is None or z.geometry.geom_type != "Polygon" or z.geometry.interiors:
            return []
        return list(z.geometry.exterior.coords)[:-1]

    def _vertex_at(self, pos: QPointF) -> int | None:
        best, best_d = None, GRAB_PX
        for i, (lon, lat) in enumerate(self._ring()):
            p = self.canvas.view_point(lon, lat)
            d = math.hypot(p.x() - pos.x(), p.y() - pos.y())
            if d <= best_d:
                best, best_d = i, d
        return best

    def _edge_at(self, pos: QPointF) -> int | None:
        """Index of the vertex after which a point on the nearest edge would be inserted."""
        ring = self._ring()
        best, best_d = None, GRAB_PX
        for i in range(len(ring)):
            a = self.canvas.view_point(*ring[i])
            b = self.canvas.view_point(*ring[(i + 1) % len(ring)])
            d = _segment_distance(pos, a, b)
            if d <= best_d:
                best, best_d = i, d
        return best

    def _set_ring(self, ring: list[tuple[float, float]], merge_key=None) -> bool:
        from shapely.geometry import Polygon

        z = self.zone
        s = self.session.scenario
        return self.push(
            lambda: cmd.set_attributes(
                s, "zones", z.id, label=f"编辑区域顶点 {z.name}", merge_key=merge_key, geometry=Polygon(ring)
            )
        )

    def press(self, event: QMouseEvent) -> bool:
        if event.button() == Qt.MouseButton.RightButton:
            i = self._vertex_at(event.position())
            ring = self._ring()
            if i is None:
                return False
            if len(ring) <= 3:
                self.tell("区域至少需要 3 个顶点 · A zone keeps at least 3 vertices")
                return True
            self._set_ring(ring[:i] + ring[i + 1 :])
            return True
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        i = self._vertex_at(event.position())
        if i is not None:
            self._drag = (i, next(_gestures))
            return True
        hit = self.canvas.feature_at(event.position(), layers=("zones",))
        if hit is not None:
            self.session.select([hit])
            self.canvas.viewport().update()
            return True
        return False

    def move(self, event: QMouseEvent) -> bool:
        if self._drag is None:
            return False
        i, gesture = self._drag
        ring = self._ring()
        ring[i] = self.canvas.lonlat_at(event.position())
        self._set_ring(ring, merge_key=("vertex", self.zone.id, gesture))
        return True

    def double_click(self, event: QMouseEvent) -> bool:
        i = self._edge_at(event.position())
        if i is None:
            return False
        ring = self._ring()
        ring.insert(i + 1, self.canvas.lonlat_at(event.position()))
        self._set_ring(ring)
        return True

    def paint(self, painter: QPainter) -> None:
        ring = self._ring()
        if not ring:
            return
        painter.setPen(QPen(QColor("#c2185b"), 1.5))
        painter.setBrush(QColor("white"))
        for lon, lat in ring:
            painter.drawRect(self.canvas.view_point(lon, lat).x() - 4, self.canvas.view_point(lon, lat).y() - 4, 8, 8)


def _segment_distance(p: QPointF, a: QPointF, b: QPointF) -> float:
    """Distance in pixels from ``p`` to the segment ``ab``."""
    ax, ay, bx, by, px, py = a.x(), a.y(), b.x(), b.y(), p.x(), p.y()
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))
