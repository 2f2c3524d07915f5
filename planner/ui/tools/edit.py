"""Map tools that select, add, move and delete features."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen

from planner.domain import commands as cmd
from planner.domain.features import Park, Site
from planner.ui.tools.base import DragTool, MapTool

_gestures = itertools.count(1)
#: A new site's band (MHz) and antenna height (m) by kind: 3.5 GHz macro sites on 30 m masts, 5G-A on the 4.9 GHz
#: band that Ningbo's 5G-A rollout uses, small cells at 10 m (shared/domain.md, "Networks").
SITE_DEFAULTS = {"5g_macro": (3500, 30.0), "5g_a": (4900, 30.0), "5g_small": (3500, 10.0)}
#: A press and release closer than this (pixels) is a click, not a drag.
CLICK_SLOP_PX = 4


class PanTool(MapTool):
    """Drag to pan (the canvas's own hand drag); the wheel zooms with every tool."""

    name, label_zh, label_en, shortcut = "pan", "平移", "Pan", "H"
    cursor = Qt.CursorShape.OpenHandCursor
    pans = True


class SelectTool(MapTool):
    """Click a feature to select and identify it (Shift or Ctrl adds to the selection); click open land to select
    its district; drag a rubber band to select every site, park and zone inside it."""

    name, label_zh, label_en, shortcut = "select", "选择/识别", "Select / identify", "V"

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        self._start: QPointF | None = None
        self._band: QRectF | None = None

    def press(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        self._start = event.position()
        self._band = None
        return True

    def move(self, event: QMouseEvent) -> bool:
        if self._start is None:
            return False
        if (event.position() - self._start).manhattanLength() > CLICK_SLOP_PX:
            self._band = QRectF(self._start, event.position()).normalized()
            self.canvas.viewport().update()
        return True

    def release(self, event: QMouseEvent) -> bool:
        if self._start is None or event.button() != Qt.MouseButton.LeftButton:
            return False
        add = bool(event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier))
        if self._band is not None:
            found = self.canvas.features_in(self._band)
            self.session.select([*self.session.selection, *found] if add else found)
            self.tell(f"已选择 {len(self.session.selection)} 个要素 · {len(self.session.selection)} selected")
        else:
            hit = self.canvas.feature_at(event.position())
            if hit is None:
                adcode = self.canvas.district_at(event.position())
                hit = ("districts", adcode) if adcode else None
            if hit is None:
                self.session.select([] if not add else self.session.selection)
            elif add and hit in self.session.selection:
                self.session.select([i for i in self.session.selection if i != hit])
            else:
                self.session.select([*self.session.selection, hit] if add else [hit])
        self._start = self._band = None
        self.canvas.viewport().update()
        return True

    def deactivate(self) -> None:
        self._start = self._band = None

    def paint(self, painter: QPainter) -> None:
        if self._band is not None:
            painter.setPen(QPen(QColor("#1565c0"), 1, Qt.PenStyle.DashLine))
            painter.setBrush(QColor(21, 101, 192, 40))
            painter.drawRect(self._band)


class AddSiteTool(MapTool):
    """Click to add a site of the chosen kind, with the defaults of that kind (band, height, operator); its cost
    is the catalogue's unit cost (``capex_wan`` left empty) and its environment that of the nearest site."""

    name, label_zh, label_en, shortcut = "add_site", "添加站点", "Add site", "S"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas, kind: str = "5g_a", operator: str = "cmcc") -> None:
        super().__init__(canvas)
        self.kind, self.operator = kind, operator

    def press(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        lon, lat = self.canvas.lonlat_at(event.position())
        s = self.session.scenario
        band, height = SITE_DEFAULTS[self.kind]
        env = self.canvas.nearest_environment(lon, lat)
        site = Site(s.new_id("sites"), self.kind, self.operator, band, height, env, lon, lat, self.session.year)
        if self.push(lambda: cmd.add_features(s, [site])):
            self.session.select([("sites", site.id)])
        return True


class AddParkTool(MapTool):
    """Click to add a (planned) digital-economy park in the district under the cursor."""

    name, label_zh, label_en, shortcut = "add_park", "添加园区", "Add park", "P"
    cursor = Qt.CursorShape.CrossCursor

    def press(self, event: QMouseEvent) -> bool:
        from shapely.geometry import Point

        if event.button() != Qt.MouseButton.LeftButton:
            return False
        lon, lat = self.canvas.lonlat_at(event.position())
        adcode = self.canvas.district_at(event.position())
        if not adcode:
            self.tell("园区须位于宁波的区县内 · A park must lie in one of Ningbo's districts")
            return True
        s = self.session.scenario
        pid = s.new_id("parks")
        park = Park(pid, f"新园区 {pid[-3:]}", "digital_park", Point(lon, lat), adcode, "planned", self.session.year)
        if self.push(lambda: cmd.add_features(s, [park])):
            self.session.select([("parks", pid)])
        return True


class MoveTool(DragTool):
    """Drag a site, park or zone to move it: one undo step per drag; coverage and figures follow each step."""

    name, label_zh, label_en, shortcut = "move", "移动", "Move", "M"
    cursor = Qt.CursorShape.SizeAllCursor

    def __init__(self, canvas) -> None:
        super().__init__(canvas)
        self._drag: tuple[str, str, float, float, int] | None = None  # layer, id, grab lon/lat offsets, gesture
        self.steps = 0

    def press(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        hit = self.canvas.feature_at(event.position())
        if hit is None:
            return False  # nothing to move: the press pans
        layer, fid = hit
        lon, lat = self.canvas.lonlat_at(event.position())
        ax, ay = self.canvas.anchor_of(layer, fid)
        self._drag = (layer, fid, ax - lon, ay - lat, next(_gestures))
        self.steps = 0
        self.session.select([hit])
        return True

    def move(self, event: QMouseEvent) -> bool:
        if self._drag is None:
            return False
        layer, fid, ox, oy, gesture = self._drag
        lon, lat = self.canvas.lonlat_at(event.position())
        ax, ay = self.canvas.anchor_of(layer, fid)
        dx, dy = lon + ox - ax, lat + oy - ay
        if dx or dy:
            s = self.session.scenario
            if self.push(lambda: cmd.move_feature(s, layer, fid, dx, dy, gesture=gesture)):
                self.steps += 1
        return True


def delete_selection(tool: MapTool) -> bool:
    """Delete the selected sites, parks and zones as one undo step (districts are not deletable)."""
    items = [(layer, key) for layer, key in tool.session.selection if layer != "districts"]
    if not items:
        return False
    s = tool.session.scenario
    by_layer: dict[str, list[str]] = {}
    for layer, key in items:
        by_layer.setdefault(layer, []).append(key)
    commands = [cmd.remove_features(s, layer, ids) for layer, ids in by_layer.items()]
    label = commands[0].label if len(commands) == 1 else f"删除 {len(items)} 个要素"
    return tool.push(lambda: cmd.macro(label, commands))


__all__ = ["AddParkTool", "AddSiteTool", "MoveTool", "PanTool", "SelectTool", "delete_selection"]
