"""File ▸ 对比情景… / Compare with…: a second scenario, read-only, beside the one being edited.

:class:`CompareController` (one per main window, made by :func:`install_compare`) opens the other scenario in a
second :class:`~planner.session.Session` and shows it in a second :class:`~planner.ui.map_canvas.MapCanvas`:
side by side with the window's own map (分屏, a splitter), or over it with a draggable divider (卷帘, swipe: the
other scenario left of the divider, this one right of it). The two maps keep one view — a pan or zoom of either
is applied to the other (:attr:`MapCanvas.viewChanged`, :meth:`MapCanvas.set_view`) — and one year and one set
of layer states: the controller copies them from one session to the other, never from widget to widget.

The dock (:class:`planner.ui.compare_dock.ComparePanel`) shows :func:`planner.analysis.compare.compare` of the
two sessions (the other as ``a``, this one as ``b``), computed from the summaries the sessions keep, so it equals
``python main.py compare OTHER THIS --year Y --json``. It follows the current session's edits, at most every
:data:`REFRESH_MS` while edits keep coming (a comparison of 42,000 sites takes ~0.2 s). A feature row chosen in the
dock is selected in whichever session holds it (both, for a moved or changed one) and the map zooms to it — to
where it was, for a removed one, and to both places for a moved one.

Closing the comparison (the dock's button or File ▸ 关闭对比) gives the window its single map back and ends the
second session; so does closing the window. A file that cannot be read is explained as File ▸ Open does, and
nothing changes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence, QMouseEvent, QPainter, QPaintEvent, QPen, QRegion
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QSplitter,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from planner import paths
from planner.session import (
    FiguresUpdated,
    LayerChanged,
    PathChanged,
    ScenarioEdited,
    ScenarioReplaced,
    SelectionChanged,
    Session,
    YearChanged,
)
from planner.textsafe import printable
from planner.ui.binding import SessionLink
from planner.ui.compare_dock import ComparePanel
from planner.ui.i18n import tr
from planner.ui.map_canvas import MapCanvas, geometry_path, to_scene

if TYPE_CHECKING:
    from planner.ui.main_window import MainWindow

#: The comparison is recomputed this long after the last edit (ms) …
REFRESH_MS = 300
#: … but at least this often while edits keep coming (s).
MAX_WAIT_S = 1.5
#: A lone point is shown with this much around it (metres), as Zoom to selection does.
POINT_VIEW_M = 2000.0
OTHER_COLOUR, THIS_COLOUR = "#5c6b7a", "#1f5fa8"
MODES = ("split", "swipe")


def install_compare(window: MainWindow) -> CompareController:
    """Give ``window`` the comparison: File ▸ 对比情景… / 关闭对比 and, once a scenario is chosen, the second map."""
    return CompareController(window)


# ------------------------------------------------------------------------------------------------ the views
def _caption(colour: str) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(f"QLabel {{ background: {colour}; color: white; padding: 3px 8px; font-weight: bold; }}")
    return label


class SwipeHandle(QWidget):
    """The divider of the swipe view: drag it to show more of one scenario or the other."""

    WIDTH = 14

    def __init__(self, area: SwipeArea) -> None:
        super().__init__(area)
        self._area = area
        self.setCursor(Qt.CursorShape.SplitHCursor)
        self.setToolTip(tr("拖动以比较两个情景", "Drag to compare the two scenarios"))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        x = self.width() / 2
        p.setPen(QPen(QColor("#2b2b2b"), 3.0))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.setPen(QPen(QColor("white"), 1.2))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        y = self.height() / 2
        p.setPen(QPen(QColor("#2b2b2b"), 1.2))
        p.setBrush(QColor("white"))
        p.drawRoundedRect(QRectF(1, y - 18, self.width() - 2, 36), 4, 4)
        p.setBrush(QColor("#2b2b2b"))
        for dy in (-6, 0, 6):
            p.drawEllipse(QPointF(x, y + dy), 1.6, 1.6)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            x = self.mapToParent(event.position().toPoint()).x()
            self._area.set_fraction(x / max(1, self._area.width()))


class SwipeArea(QWidget):
    """Two maps of one size, one over the other: the other scenario shows left of the divider, this one right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fraction = 0.5
        self.other: MapCanvas | None = None
        self.this: MapCanvas | None = None
        self.other_caption = _caption(OTHER_COLOUR)
        self.this_caption = _caption(THIS_COLOUR)
        for c in (self.other_caption, self.this_caption):
            c.setParent(self)
        self.handle = SwipeHandle(self)

    def take(self, other: MapCanvas, this: MapCanvas) -> None:
        """Show the two maps here."""
        self.other, self.this = other, this
        for canvas in (this, other):
            canvas.setParent(self)
            canvas.show()
        other.raise_()
        for w in (self.other_caption, self.this_caption, self.handle):
            w.raise_()
        self._arrange()

    def divider_x(self) -> int:
        """Where the divider is (pixels from the left)."""
        return round(self.fraction * self.width())

    def set_fraction(self, fraction: float) -> None:
        """Put the divider at ``fraction`` of the width (0 left … 1 right)."""
        self.fraction = min(0.98, max(0.02, float(fraction)))
        self._arrange()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        w, h = self.width(), self.height()
        x = self.divider_x()
        for canvas in (self.this, self.other):
            if canvas is not None and canvas.parent() is self:
                canvas.setGeometry(0, 0, w, h)
        if self.other is not None and self.other.parent() is self:
            self.other.setMask(QRegion(0, 0, x, h))  # drawn, and clicked, only left of the divider
        self.handle.setGeometry(x - SwipeHandle.WIDTH // 2, 0, SwipeHandle.WIDTH, h)
        for caption in (self.other_caption, self.this_caption):
            caption.adjustSize()
        # Each caption beside the divider on its own side; near an edge the one that would run off is pushed along
        # by the other, never over it.
        ow, tw = self.other_caption.width(), self.this_caption.width()
        ox = min(max(0, x - 8 - ow), max(0, w - tw - 8 - ow))
        tx = max(min(w - tw, x + 8), ox + ow + 8)
        self.other_caption.move(ox, 10)
        self.this_caption.move(tx, 10)
        self.update()  # the captions' old places too (a stale caption stayed on screen under X11)


def _years_of(a, b) -> tuple[int, int]:
    """The years of two scenarios together: the earlier base year to the later horizon."""
    return min(a.base_year, b.base_year), max(a.horizon_year, b.horizon_year)


class CompareView(QWidget):
    """The window's centre while comparing: the two maps side by side, or the swipe view."""

    def __init__(self, other: MapCanvas, this: MapCanvas, mode: str = "split", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.other, self.this = other, this
        self.mode = ""
        self._stack = QStackedLayout(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self._even = True
        self.splitter.splitterMoved.connect(lambda *_: setattr(self, "_even", False))
        self.panes: list[QWidget] = []
        self.captions = (_caption(OTHER_COLOUR), _caption(THIS_COLOUR))
        for caption in self.captions:
            pane = QWidget()
            v = QVBoxLayout(pane)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(0)
            v.addWidget(caption)
            self.splitter.addWidget(pane)
            self.panes.append(pane)
        self.swipe = SwipeArea()
        self._stack.addWidget(self.splitter)
        self._stack.addWidget(self.swipe)
        self.set_mode(mode)

    def set_mode(self, mode: str) -> None:
        """Show the maps side by side ("split") or one over the other with a divider ("swipe")."""
        if mode not in MODES:
            raise ValueError(f"unknown comparison view {mode!r} (expected one of {', '.join(MODES)})")
        if mode == self.mode:
            return
        self.mode = mode
        if mode == "split":
            self.other.clearMask()
            for pane, canvas in zip(self.panes, (self.other, self.this), strict=True):
                pane.layout().addWidget(canvas, 1)
                canvas.show()
            self._stack.setCurrentWidget(self.splitter)
            half = max(1, self.splitter.width() // 2)
            self.splitter.setSizes([half, half])
        else:
            self.swipe.take(self.other, self.this)
            self._stack.setCurrentWidget(self.swipe)

    def set_names(self, other: str, this: str) -> None:
        """The captions over the maps: which scenario each shows."""
        texts = (
            tr(f"对比方案（只读）：{other}", f"Other (read-only): {other}"),
            tr(f"本方案：{this}", f"This: {this}"),
        )
        for label, text in zip(self.captions, texts, strict=True):
            label.setText(text)
            label.setToolTip(text)
        self.swipe.other_caption.setText(texts[0])
        self.swipe.this_caption.setText(texts[1])
        self.swipe._arrange()

    def release(self) -> None:
        """Let the window have its own map back (the other map stays here, to be deleted with the view)."""
        self.this.setParent(None)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self._even:  # two equal maps, until the planner drags the splitter
            half = self.splitter.width() // 2
            self.splitter.setSizes([half, self.splitter.width() - half])


# ------------------------------------------------------------------------------------------ the controller
class CompareController(QObject):
    """The comparison of one main window (see the module docstring)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.other: Session | None = None
        self.other_canvas: MapCanvas | None = None
        self.view: CompareView | None = None
        self.dock: QDockWidget | None = None
        self.panel: ComparePanel | None = None
        self.path: Path | None = None  #: the compared scenario's file (File ▸ Export offers it for 方案对比)
        self.data: dict[str, Any] | None = None  #: the comparison shown
        self.mode = "split"
        self._link = SessionLink(self)
        self._other_link = SessionLink(self)
        self._syncing = False
        self._shown: tuple[dict, dict] | None = None  # the summaries the comparison shown was made from
        self._pending_since = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

        self.open_action = QAction(tr("对比情景…", "Compare with…"), window)
        self.open_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.open_action.setToolTip(
            tr("在旁边打开另一情景（只读）进行比较", "Open another scenario (read-only) beside this one")
        )
        self.open_action.triggered.connect(lambda _c=False: self.open_dialog())
        self.close_action = QAction(tr("关闭对比", "Close comparison"), window)
        self.close_action.triggered.connect(lambda _c=False: self.close())
        group = QActionGroup(self)
        self.mode_actions: dict[str, QAction] = {}
        for mode, zh, en, tip_zh, tip_en in (
            ("split", "分屏", "Side by side", "两幅地图并排", "The two maps side by side"),
            (
                "swipe",
                "卷帘",
                "Swipe",
                "一幅地图，拖动分隔线查看另一情景",
                "One map; drag the divider to see the other",
            ),
        ):
            a = QAction(tr(zh, en), self)
            a.setCheckable(True)
            a.setChecked(mode == self.mode)
            a.setToolTip(tr(tip_zh, tip_en))
            a.triggered.connect(lambda _c=False, m=mode: self.set_mode(m))
            group.addAction(a)
            self.mode_actions[mode] = a
        menu = getattr(window, "file_menu", None)
        if menu is not None:
            before = getattr(window, "export_action", None)
            for a in (self.open_action, self.close_action):
                menu.insertAction(before, a) if before is not None else menu.addAction(a)
            if before is not None:
                menu.insertSeparator(before)
        window.installEventFilter(self)
        self._enable()

    # -- state ------------------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        """Whether a comparison is shown."""
        return self.other is not None

    @property
    def session(self) -> Session:
        """The window's own session (the scenario being edited)."""
        return self.window.session

    def export_prefill(self) -> dict[str, Path]:
        """What File ▸ Export's dialog is given: the compared scenario's file, for the brief's 方案对比 sheet."""
        return {"compare": self.path} if self.path is not None else {}

    def _enable(self) -> None:
        self.close_action.setEnabled(self.is_open)
        for a in self.mode_actions.values():
            a.setEnabled(self.is_open)

    # -- opening and closing ----------------------------------------------------------------------------
    def open_dialog(self) -> bool:
        """Ask for a scenario file and compare the current scenario with it."""
        path = self.session.path
        start = str(path.parent if path is not None else paths.SCENARIOS)
        name, _ = QFileDialog.getOpenFileName(
            self.window,
            tr("对比情景", "Compare with"),
            start,
            "情景文件 Scenario files (*.json);;所有文件 All files (*)",
        )
        return self.open(name) if name else False

    def open(self, path: str | Path) -> bool:
        """Compare the current scenario with the one in ``path`` (replacing any comparison open); False, after
        explaining why, if the file cannot be read — and then nothing changes."""
        path = Path(path)
        scenario = self.window.file_actions.load_or_explain(path)
        if scenario is None:
            return False
        self.close()
        presentation = getattr(self.window, "presentation", None)
        if presentation is not None and presentation.active:
            presentation.leave()  # its cards float over the map that is about to move into the comparison
        main = self.session
        # One slider over both scenarios' years, and the comparison opens at the later horizon: a 2025 baseline
        # beside a 2027 plan is compared in 2027, where they differ (decision, docs/desktop.md).
        span = _years_of(main.scenario, scenario)
        main.set_year_span(span)
        main.set_year(span[1])
        other = Session(scenario, path, year=main.year)
        other.set_year_span(span)
        self._copy_layers(main, other)
        canvas = MapCanvas(session=other)
        canvas.set_tool(None)  # read-only: it pans and zooms, nothing else
        canvas.setToolTip("")
        self.other, self.other_canvas, self.path = other, canvas, path.resolve()
        self.panel = ComparePanel(
            [self.mode_actions["split"], self.mode_actions["swipe"], None, self.close_action]  # type: ignore[list-item]
        )
        self.panel.chosen.connect(self.choose)
        window = self.window
        main_canvas = window.canvas
        widths = _dock_widths(window)
        window.takeCentralWidget()  # the window's own map, kept: it goes into the comparison view
        self.view = CompareView(canvas, main_canvas, self.mode)
        window.setCentralWidget(self.view)
        self.view.show()  # now, not at the next turn of the event loop
        main_canvas.show()
        _restore_dock_widths(window, widths)  # a new centre must not widen the side panels
        dock = QDockWidget(tr("方案对比", "Comparison"), window)
        dock.setObjectName("compare_dock")
        dock.setWidget(self.panel)
        # Closed by its own button (which also removes the second map), not by the dock's ×.
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        products = getattr(window, "products_dock", None)
        if products is not None and products.isVisible() and not products.isFloating():
            window.tabifyDockWidget(products, dock)
            figures = getattr(window, "figures_dock", None)
            if figures is not None and figures.isVisible():
                window.resizeDocks([dock, figures], [640, 300], Qt.Orientation.Vertical)
        dock.show()
        dock.raise_()
        self.dock = dock
        main_canvas.viewChanged.connect(self._this_moved)
        canvas.viewChanged.connect(self._other_moved)
        self._link.attach(main, self._on_this_event)
        self._other_link.attach(other, self._on_other_event)
        self._follow(main_canvas, canvas)
        self.refresh()
        self._enable()
        window.statusBar().showMessage(tr("对比：", "Comparing with ") + printable(scenario.name), 6000)
        return True

    def close(self) -> None:
        """Close the comparison: the window has its single map again and the dock goes."""
        if not self.is_open:
            return
        assert self.view is not None and self.other is not None and self.other_canvas is not None
        presentation = getattr(self.window, "presentation", None)
        if presentation is not None and presentation.active:
            presentation.leave()
        self.session.set_year_span(None)
        self._timer.stop()
        self._link.detach()
        self._other_link.detach()
        window = self.window
        main_canvas = window.canvas
        main_canvas.viewChanged.disconnect(self._this_moved)
        widths = _dock_widths(window)
        view = window.takeCentralWidget()
        self.view.release()
        window.setCentralWidget(main_canvas)
        main_canvas.show()
        _restore_dock_widths(window, widths)
        self.other_canvas.detach()
        if view is not None:
            view.deleteLater()  # with the other map
        if self.dock is not None:
            window.removeDockWidget(self.dock)
            self.dock.deleteLater()
        products = getattr(window, "products_dock", None)
        if products is not None and products.isVisible():
            products.raise_()
        self.other.close()
        self.other = self.other_canvas = self.view = self.dock = self.panel = None
        self.path = self.data = self._shown = None
        self._enable()

    def set_mode(self, mode: str) -> None:
        """Side by side ("split") or the swipe view ("swipe")."""
        if mode not in MODES:
            raise ValueError(f"unknown comparison view {mode!r} (expected one of {', '.join(MODES)})")
        self.mode = mode
        self.mode_actions[mode].setChecked(True)
        if self.view is not None:
            self.view.set_mode(mode)
            self._follow(self.window.canvas, self.other_canvas)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The window closing (hidden, not minimised) ends the comparison with it."""
        if watched is self.window and event.type() == QEvent.Type.Hide and not event.spontaneous():
            self.close()
        return False

    # -- one view, one year, one set of layers ----------------------------------------------------------
    def _this_moved(self) -> None:
        self._follow(self.window.canvas, self.other_canvas)

    def _other_moved(self) -> None:
        self._follow(self.other_canvas, self.window.canvas)

    def _follow(self, leader: MapCanvas | None, follower: MapCanvas | None) -> None:
        """Show in ``follower`` what ``leader`` shows (same centre, same scale)."""
        if self._syncing or leader is None or follower is None:
            return
        self._syncing = True
        try:
            follower.set_view(leader.visible_rect().center(), leader.scale_factor(), navigated=leader.navigated)
        finally:
            self._syncing = False

    @staticmethod
    def _copy_layers(source: Session, target: Session) -> None:
        for name, state in source.layers.items():
            target.set_layer_visible(name, state.visible)
            target.set_layer_opacity(name, state.opacity)
            target.set_layer_style(name, state.style)
        for i, name in enumerate(source.layer_order):
            target.move_layer(name, i)

    def _on_this_event(self, event: object) -> None:
        other = self.other
        if other is None:
            return
        if isinstance(event, YearChanged):
            if other.year != event.year:
                other.set_year(event.year)
            self._schedule()
        elif isinstance(event, LayerChanged):
            self._copy_layers(self.session, other)
        elif isinstance(event, SelectionChanged):
            # The other map rings the same features, where it has them.
            other.select(
                [item for item in event.selection if item[0] == "districts" or item[1] in other.scenario.layer(item[0])]
            )
        elif isinstance(event, ScenarioEdited | FiguresUpdated | ScenarioReplaced | PathChanged):
            if isinstance(event, ScenarioReplaced):  # another file opened: its years and the other's, again
                span = _years_of(self.session.scenario, other.scenario)
                self.session.set_year_span(span)
                other.set_year_span(span)
            self._schedule()

    def _on_other_event(self, event: object) -> None:
        if isinstance(event, YearChanged) and event.year != self.session.year:
            self.session.set_year(event.year)
        elif isinstance(event, FiguresUpdated):
            self._schedule()

    # -- the differences ------------------------------------------------------------------------------
    def _schedule(self) -> None:
        """Recompute after a pause in the edits (at most :data:`MAX_WAIT_S` late while they keep coming)."""
        now = time.perf_counter()
        if not self._timer.isActive():
            self._pending_since = now
            self._timer.start()
        elif now - self._pending_since < MAX_WAIT_S:
            self._timer.start()

    def refresh(self) -> None:
        """Recompute the comparison and show it (the dock, the captions over the maps)."""
        self._timer.stop()
        other, main = self.other, self.session
        if other is None or self.panel is None or self.view is None:
            return
        from planner.analysis.compare import compare

        if other.year != main.year:
            other.set_year(main.year)
        summaries = (other.summary(), main.summary())  # each session's own, kept until its scenario or year changes
        if self._shown is not None and all(a is b for a, b in zip(summaries, self._shown, strict=True)):
            return  # nothing changed since (a session announces its engine, say)
        self._shown = summaries
        data = compare(other.scenario, main.scenario, main.year, summaries=summaries)
        self.data = data
        this_name, other_name = printable(main.scenario.name), printable(other.scenario.name)
        self.panel.show_comparison(data, main.scenario, other.scenario, this_name=this_name, other_name=other_name)
        self.view.set_names(other_name, this_name)

    # -- choosing a feature -----------------------------------------------------------------------------
    def choose(self, change: str, layer: str, key: str) -> None:
        """Select a feature that differs in the session(s) holding it and zoom the maps to it (a removed one: to
        where it was; a moved one: to both places)."""
        other, main = self.other, self.session
        if other is None:
            return
        canvas = self.window.canvas
        if layer == "products":
            main.select([("districts", key)])  # the other map follows (a district is in both)
            canvas.zoom_to_district(key)
            return
        here = main.scenario.layer(layer).get(key)
        there = other.scenario.layer(layer).get(key)
        main.select([(layer, key)] if here is not None else [])
        other.select([(layer, key)] if there is not None else [])  # a removed one: ringed where it was
        boxes = [b for b in (_extent(layer, here), _extent(layer, there)) if b is not None]
        if not boxes:  # an investment item: its district, if it has one
            district = getattr(here or there, "district", "")
            if district:
                canvas.zoom_to_district(district)
            return
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        if rect.width() < POINT_VIEW_M and rect.height() < POINT_VIEW_M:  # a point: show its neighbourhood
            c = rect.center()
            rect = QRectF(c.x() - POINT_VIEW_M / 2, c.y() - POINT_VIEW_M / 2, POINT_VIEW_M, POINT_VIEW_M)
        canvas.zoom_to_rect(rect)


def _extent(layer: str, feature: Any) -> tuple[float, float, float, float] | None:
    """A feature's scene bounds (x0, y0, x1, y1; a point's are one point), None for one with no place on the map."""
    if feature is None:
        return None
    if layer == "sites":
        p = to_scene(feature.lon, feature.lat)
        return (p.x(), p.y(), p.x(), p.y())
    geom = getattr(feature, "geometry", None)
    if geom is None:
        return None
    if geom.geom_type == "Point":
        p = to_scene(geom.x, geom.y)
        return (p.x(), p.y(), p.x(), p.y())
    r = geometry_path(geom).boundingRect()
    return (r.left(), r.top(), r.right(), r.bottom())


def _dock_widths(window: QWidget) -> dict[QDockWidget, int]:
    """The widths of the window's docks beside the centre (shown, not floating)."""
    return {d: d.width() for d in window.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()}


def _restore_dock_widths(window: Any, widths: dict[QDockWidget, int]) -> None:
    """Give the docks their widths back once the window has laid out its new centre (a new central widget
    shares the width out afresh, and the side panels would take what the maps do not ask for)."""

    def restore() -> None:
        docks = [d for d in widths if shiboken6.isValid(d) and d.isVisible()]
        window.resizeDocks(docks, [widths[d] for d in docks], Qt.Orientation.Horizontal)

    if widths:
        QTimer.singleShot(0, window, restore)
