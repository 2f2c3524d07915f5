"""规划 ▸ 补盲选址…: the gap-fill siting assistant as a dock beside the map.

The planner picks a region (the selected zone, polygon park or district, any of the scenario's zones and polygon
parks, the ten districts, or a polygon drawn on the map), a site profile and a goal, and asks for a proposal. The
work (:func:`planner.analysis.siting.plan_sites`, a second or two for a priority zone) runs on a worker thread on
a copy of the scenario, with its progress shown and a Cancel button. The answer is shown three ways: a summary
(coverage before → after, sites, cost), a table of the proposed sites with a 保留 (keep) box each, and the
"coverage vs number of sites" curve, so that the planner sees where more sites stop paying; on the map a preview
layer draws each proposed site and its disc (kept ones solid, dropped ones faint). Accept adds the kept sites as
one undoable command ("补盲选址：12 个 5G-A 站点"). An edit of the sites, or of the region's own feature, after
the run makes the proposal out of date: it stays on screen, marked so, and cannot be accepted until it is worked
out again.

The panel is a view like any other: it reads the session, writes only through ``session.push``, and owns nothing
of the model — the preview is a graphics item of its own on the canvas's scene.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeyEvent, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGraphicsItem,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyleOptionGraphicsItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.analysis.siting import PlanningError, Region
from planner.session import ScenarioEdited, ScenarioReplaced, SelectionChanged, Session, YearChanged
from planner.textsafe import printable
from planner.ui.background import BackgroundRun
from planner.ui.binding import SessionLink
from planner.ui.i18n import tr
from planner.ui.tools.zones import DrawZoneTool
from planner.ui.widgets import plan_menu

#: The profiles offered: (profile text for parse_profile, zh, en). 5G-A first: the city's 双万兆 target is 5G-A.
PROFILES = (
    ("5g_a:3500", "5G-A 宏站 3.5 GHz", "5G-A macro 3.5 GHz"),
    ("5g_a:4900", "5G-A 宏站 4.9 GHz", "5G-A macro 4.9 GHz"),
    ("5g_macro:3500", "5G 宏站 3.5 GHz", "5G macro 3.5 GHz"),
    ("5g_macro:2600", "5G 宏站 2.6 GHz", "5G macro 2.6 GHz"),
    ("5g_macro:700", "5G 宏站 700 MHz", "5G macro 700 MHz"),
    ("5g_small:3500", "5G 小基站 3.5 GHz", "5G small cell 3.5 GHz"),
)
#: Goals: key, zh, en, spin range, default, decimals, suffix.
GOALS = (
    ("target", "覆盖率目标", "Coverage target", (0.1, 100.0), 100.0, 1, " %"),
    ("max_sites", "最多站点数", "At most N sites", (1, 100_000), 20, 0, ""),
    ("budget", "预算上限", "At most a budget", (1.0, 10_000_000.0), 10_000.0, 0, " 万元"),
)
#: Table columns (zh, en).
COLUMNS = (
    ("保留", "Keep"),
    ("#", "#"),
    ("经度", "Lon"),
    ("纬度", "Lat"),
    ("增益 %", "Gain %"),
    ("累计覆盖 %", "Coverage %"),
    ("投资 万元", "Capex 万元"),
)
#: Region chooser entries that are not a named region.
SELECTION, DRAWN = "@selection", "@drawn"
KEPT, DROPPED = QColor("#d81b60"), QColor("#8a8f94")
DRAW_HINT_ZH = "在地图上单击放置顶点，双击或回车完成，Esc 放弃"
DRAW_HINT_EN = "Click the region's vertices on the map; double-click or Enter closes it; Esc gives up"
RED = "<span style='color:#c62828'>{}</span>"
#: A proposed site gaining less than this share of its disc's cells is greyed in the table.
THIN_GAIN = 0.1
START_ZH, START_EN = "选择范围、站型和目标，然后提出方案。", "Pick a region, a profile and a goal, then propose."


# ------------------------------------------------------------------------------------------- the map preview
class ProposalPreviewItem(QGraphicsItem):
    """The proposed sites on the map: a disc of the profile's radius and a numbered dot per site; dropped sites
    faint and dashed. Scene units are metres (the canvas's projected CRS), so the discs are true to scale."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(900)  # above the layers and the coverage raster, below the canvas's foreground
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._points: list[QPointF] = []
        self._kept: list[bool] = []
        self._radius = 0.0
        self._rect = QRectF()
        self._region_path = None
        self._current = -1

    def set_proposal(self, points: list[QPointF], radius: float, kept: list[bool], region_path=None) -> None:
        """Show ``points`` (scene) with discs of ``radius`` metres; ``kept`` per point; the region's outline."""
        self.prepareGeometryChange()
        self._points, self._radius, self._kept = points, radius, kept
        self._region_path = region_path
        rect = QRectF()
        for p in points:
            rect = rect.united(QRectF(p.x() - radius, p.y() - radius, 2 * radius, 2 * radius))
        if region_path is not None:
            rect = rect.united(region_path.boundingRect())
        self._rect = rect.adjusted(-radius, -radius, radius, radius)
        self.update()

    def set_kept(self, kept: list[bool]) -> None:
        """Which sites are kept (redraw only)."""
        self._kept = kept
        self.update()

    def set_current(self, index: int) -> None:
        """Ring the site ``index`` (the table's current row; -1: none)."""
        self._current = index
        self.update()

    def clear(self) -> None:
        """Show nothing."""
        self.set_proposal([], 0.0, [])

    def count(self) -> int:
        """How many sites are drawn."""
        return len(self._points)

    def kept_count(self) -> int:
        """How many of them are drawn as kept."""
        return sum(self._kept)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self._points and self._region_path is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        scale = painter.worldTransform().m11() or 1.0  # pixels per metre
        if self._region_path is not None:
            pen = QPen(QColor("#1565c0"), 2.0, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._region_path)
        r = self._radius
        for kept in (False, True):  # kept discs over dropped ones
            colour = KEPT if kept else DROPPED
            fill = QColor(colour)
            fill.setAlpha(38 if kept else 18)
            pen = QPen(colour, 1.2, Qt.PenStyle.SolidLine if kept else Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(QBrush(fill))
            for p, k in zip(self._points, self._kept, strict=True):
                if k == kept:
                    painter.drawEllipse(p, r, r)
        dot = 4.0 / scale
        for i, (p, k) in enumerate(zip(self._points, self._kept, strict=True)):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(KEPT if k else DROPPED))
            painter.drawEllipse(p, dot, dot)
            if i == self._current:
                ring = QPen(QColor("#212121"), 2.5)
                ring.setCosmetic(True)
                painter.setPen(ring)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(p, 3 * dot, 3 * dot)


# ------------------------------------------------------------------------------------- drawing the region
class DrawRegionTool(DrawZoneTool):
    """Draw the region to plan for: click the vertices, double-click or Enter closes it, Esc gives up. The polygon
    goes to ``done`` (never into the scenario); then the previous tool comes back."""

    name, label_zh, label_en, shortcut = "draw_region", "绘制选址范围", "Draw siting region", ""
    too_few = "选址范围至少需要 3 个顶点 · A region needs at least 3 vertices"

    def __init__(self, canvas, done, back) -> None:
        super().__init__(canvas)
        self._done, self._back = done, back

    def finish(self) -> None:
        polygon = self.take_polygon()
        if polygon is None:
            return
        if not polygon.is_valid:
            import re

            from shapely.validation import explain_validity

            why = explain_validity(polygon)
            at = re.search(r"\[([-\d.]+) ([-\d.]+)\]", why)
            where = f"（{float(at[1]):.5f}, {float(at[2]):.5f} 附近 near）" if at else ""
            if "Self-intersection" in why:
                self.tell(f"选址范围自相交，请重画{where} · The region crosses itself{where}: draw it again")
            else:
                self.tell(f"选址范围无效，请重画 · The region is not a valid polygon ({why}): draw it again")
            return
        self._back()
        self._done(polygon)

    def key_press(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Escape:
            self.vertices.clear()
            self._back()
            return True
        return super().key_press(event)


# ---------------------------------------------------------------------------------------------- the curve
class CurveChart(QWidget):
    """Coverage vs number of sites (matplotlib, the app's CJK font): the greedy order's curve, the goal, and the
    kept sites' coverage as a point."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        from planner.fonts import use_cjk_in_matplotlib

        use_cjk_in_matplotlib()
        self.figure = Figure(figsize=(4.2, 2.2), dpi=100, layout="constrained")
        self.axes = self.figure.add_subplot()
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumHeight(150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.plot(None)

    def plot(self, proposal, kept: list[int] | None = None, target: float | None = None) -> None:
        """Draw ``proposal``'s curve (None: an empty chart with its axes' names)."""
        ax = self.axes
        ax.clear()
        ax.set_xlabel(tr("站点数", "Sites"), fontsize=8)
        ax.set_ylabel(tr("覆盖率 %", "Coverage %"), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, color="#e0e0e0", linewidth=0.6)
        if proposal is not None and proposal.curve:
            n = len(proposal.curve) - 1
            ax.plot(
                range(n + 1), proposal.curve, color="#1565c0", linewidth=1.6, label=tr("按增益排序", "greedy order")
            )
            if target is not None:
                ax.axhline(target, color="#2e7d32", linewidth=0.9, linestyle="--", label=tr("目标", "target"))
            if kept is not None and len(kept) != n:
                ax.plot([len(kept)], [proposal.coverage_pct(kept)], "o", color="#d81b60",
                        label=tr("保留的站点", "kept sites"))  # fmt: skip
            ax.set_xlim(0, max(1, n))
            low = min(proposal.curve)
            ax.set_ylim(max(0.0, math.floor(low / 10) * 10 - 5), 100.5)
            ax.legend(fontsize=7, loc="lower right", frameon=False)
        self.canvas.draw_idle()


# ------------------------------------------------------------------------------------------------ the panel
def _item(text: str, *, number: bool = True) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class SitingPanel(QWidget):
    """The 补盲选址 panel (see the module docstring)."""

    #: A message for the status bar.
    message = Signal(str)

    def __init__(self, session: Session, canvas, parent: QWidget | None = None, *, set_tool=None) -> None:
        """``set_tool(tool)``: how the panel makes the map draw a region and then gives the map back (the window's
        toolbar; default the canvas's own)."""
        super().__init__(parent)
        self.session = session
        self.canvas = canvas
        self._set_tool = set_tool or canvas.set_tool
        self.proposal = None
        self.stale = False
        self.drawn = None  # the polygon the planner drew (WGS-84), if any
        self._region: Region | None = None  # the region of the proposal shown
        self._pending_region: Region | None = None  # the region of the run going
        self._accepting = False  # our own command's edit does not make the proposal stale
        self._candidates_path: Path | None = None
        self._goal_key: str | None = None
        self._goal_values: dict[str, float] = {}
        self._link = SessionLink(self)
        self._worker = BackgroundRun("siting", self, expected=(PlanningError,))
        self._worker.progressed.connect(self._progressed)
        self._worker.finished.connect(self._finished)
        self._worker.failed.connect(self._failed)
        self._worker.cancelled.connect(self._was_cancelled)
        self._running: int | None = None
        self.preview = ProposalPreviewItem()
        canvas.scene().addItem(self.preview)
        self._build()
        self._link.attach(session, self._on_event)
        self.fill_regions()

    # -- construction -------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        row = QHBoxLayout()
        self.region_box = QComboBox()
        self.region_box.setMinimumContentsLength(14)
        self.region_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        row.addWidget(self.region_box, 1)
        self.draw_button = QPushButton(tr("在地图上绘制…", "Draw on map…"))
        self.draw_button.setToolTip(tr(DRAW_HINT_ZH, DRAW_HINT_EN))
        self.draw_button.clicked.connect(self.start_drawing)
        row.addWidget(self.draw_button)
        form.addRow(tr("范围", "Region"), row)
        self.profile_box = QComboBox()
        for text, zh, en in PROFILES:
            self.profile_box.addItem(tr(zh, en), text)
        form.addRow(tr("站型", "Profile"), self.profile_box)
        env_row = QHBoxLayout()
        from planner.domain.vocab import ENVIRONMENTS

        self.environment_box = QComboBox()
        for key, (zh, en) in ENVIRONMENTS.items():
            self.environment_box.addItem(tr(zh, en), key)
        env_row.addWidget(self.environment_box, 1)
        env_row.addWidget(QLabel(tr("挂高", "Height")))
        self.height_spin = QDoubleSpinBox()
        self.height_spin.setRange(3.0, 150.0)
        self.height_spin.setDecimals(0)
        self.height_spin.setSuffix(" m")
        self.height_spin.setValue(30.0)
        env_row.addWidget(self.height_spin)
        form.addRow(tr("环境", "Environment"), env_row)
        self.profile_box.currentIndexChanged.connect(self._profile_changed)
        goal_row = QHBoxLayout()
        self.goal_box = QComboBox()
        for key, zh, en, *_rest in GOALS:
            self.goal_box.addItem(tr(zh, en), key)
        goal_row.addWidget(self.goal_box, 1)
        self.goal_spin = QDoubleSpinBox()
        self.goal_spin.setGroupSeparatorShown(True)
        goal_row.addWidget(self.goal_spin, 1)
        self.goal_box.currentIndexChanged.connect(self._goal_changed)
        form.addRow(tr("目标", "Goal"), goal_row)
        year_row = QHBoxLayout()
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(self.session.year)
        self.year_spin.setToolTip(tr("按该年底已建成的站点计算现状覆盖", "Coverage of the sites open by the end of it"))
        year_row.addWidget(self.year_spin)
        self.candidates_box = QComboBox()
        self.candidates_box.addItem(tr("候选：自动格网 (r/3)", "Candidates: lattice (r/3)"), None)
        self.candidates_box.addItem(tr("候选：从文件…", "Candidates: from a file…"), "file")
        self.candidates_box.activated.connect(self._candidates_chosen)
        year_row.addWidget(self.candidates_box, 1)
        form.addRow(tr("年份", "Year"), year_row)
        layout.addLayout(form)
        self._goal_changed()

        buttons = QHBoxLayout()
        self.run_button = QPushButton(tr("提出方案", "Propose sites"))
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.propose)
        self.cancel_button = QPushButton(tr("取消", "Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.summary = QLabel(
            tr("选择范围、站型和目标，然后提出方案。", "Pick a region, a profile and a goal, then propose.")
        )
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        # Accept right under the summary: the table and the curve below may scroll out of a small screen.
        actions = QHBoxLayout()
        self.accept_button = QPushButton(tr("采纳方案", "Accept"))
        self.accept_button.clicked.connect(self.accept)
        self.clear_button = QPushButton(tr("清除", "Clear"))
        self.clear_button.clicked.connect(self.clear)
        actions.addWidget(self.accept_button, 1)
        actions.addWidget(self.clear_button)
        layout.addLayout(actions)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(zh, en) for zh, en in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemChanged.connect(self._keep_toggled)
        self.table.currentCellChanged.connect(lambda row, *_: self.preview.set_current(row))
        self.table.cellDoubleClicked.connect(lambda row, _col: self.zoom_to_site(row))
        layout.addWidget(self.table, 2)
        keep_row = QHBoxLayout()
        self.all_button = QPushButton(tr("全部保留", "Keep all"))
        self.all_button.clicked.connect(lambda: self.set_kept(range(len(self.proposal.sites)) if self.proposal else []))
        self.none_button = QPushButton(tr("全部舍弃", "Drop all"))
        self.none_button.clicked.connect(lambda: self.set_kept([]))
        keep_row.addWidget(self.all_button)
        keep_row.addWidget(self.none_button)
        keep_row.addStretch(1)
        layout.addLayout(keep_row)
        self.chart = CurveChart()
        layout.addWidget(self.chart, 3)
        self._refresh_actions()

    def detach(self) -> None:
        """Stop following the session, cancel a run going and take the preview off the map."""
        self._worker.stop()
        self._running = None
        self._link.detach()
        scene = self.preview.scene()
        if scene is not None:
            scene.removeItem(self.preview)

    # -- the inputs ---------------------------------------------------------------------------------------
    def fill_regions(self) -> None:
        """The region chooser: the selection (when it is a region), the drawn polygon, the scenario's priority and
        other zones and polygon parks, then the ten districts; the choice kept where it still exists."""
        from planner.geo.basemap import districts

        keep = self.region_box.currentData()
        s = self.session.scenario
        box = self.region_box
        box.blockSignals(True)
        box.clear()
        selected = self._selected_region()
        if selected is not None:
            box.addItem(tr(f"所选：{selected.name}", f"Selected: {selected.name}"), SELECTION)
        if self.drawn is not None:
            box.addItem(tr("绘制的范围", "Drawn polygon"), DRAWN)
        zones = sorted(s.zones.values(), key=lambda z: (z.kind != "priority", z.id))  # the city's order
        for z in zones:
            if z.kind != "f5g":
                box.addItem(tr(f"区域：{z.name}", f"Zone: {z.name}"), f"zones:{z.id}")
        for p in sorted(s.parks.values(), key=lambda p: p.name):
            if p.geometry.geom_type != "Point":
                box.addItem(tr(f"园区：{p.name}", f"Park: {p.name}"), f"parks:{p.id}")
        for d in districts():
            box.addItem(tr(f"区县：{d.name_zh}", f"District: {d.name_en}"), f"districts:{d.adcode}")
        i = box.findData(keep) if keep is not None else -1
        box.setCurrentIndex(i if i >= 0 else 0)
        box.blockSignals(False)

    def _selected_region(self) -> Region | None:
        for layer, key in self.session.selection:
            region = self._region_of(f"{layer}:{key}")
            if region is not None:
                return region
        return None

    def _region_of(self, data: str | None) -> Region | None:
        from planner.analysis.siting import region_of

        if data == SELECTION:
            return self._selected_region()
        if data == DRAWN:
            return Region("polygon", "drawn", tr("绘制的范围", "drawn polygon"), self.drawn) if self.drawn else None
        layer, _, key = str(data).partition(":")
        s = self.session.scenario
        if layer == "zones" and key in s.zones and s.zones[key].kind == "f5g":
            return None  # fibre coverage areas are not a place to cover with radio (docs/desktop.md)
        return region_of(s, layer, key)

    def region(self) -> Region | None:
        """The region chosen."""
        return self._region_of(self.region_box.currentData())

    def choose_region(self, data: str) -> bool:
        """Choose the region whose chooser key is ``data`` (``zones:ID``, ``districts:ADCODE`` …)."""
        i = self.region_box.findData(data)
        if i >= 0:
            self.region_box.setCurrentIndex(i)
        return i >= 0

    def start_drawing(self) -> None:
        """Let the planner draw the region on the map."""
        back = self.canvas.tool
        tool = DrawRegionTool(self.canvas, self.set_drawn, lambda: self._set_tool(back))
        self._set_tool(tool)
        self.canvas.setFocus()
        self.message.emit(tr(DRAW_HINT_ZH, DRAW_HINT_EN))

    def set_drawn(self, polygon) -> None:
        """Plan for ``polygon`` (WGS-84), a region drawn on the map."""
        from planner.ui.map_canvas import geometry_path

        self.drawn = polygon
        self.fill_regions()
        self.choose_region(DRAWN)
        if self.proposal is None:  # the outline stays on the map until a proposal for it comes
            self.preview.set_proposal([], 0.0, [], geometry_path(polygon))

    def _profile_changed(self) -> None:
        from planner.analysis.siting import DEFAULT_HEIGHT_M

        kind = str(self.profile_box.currentData()).partition(":")[0]
        self.height_spin.setValue(DEFAULT_HEIGHT_M.get(kind, 30.0))

    def _goal_changed(self) -> None:
        key, _zh, _en, (low, high), default, decimals, suffix = GOALS[max(0, self.goal_box.currentIndex())]
        if self._goal_key is not None:  # each goal keeps its own value: 20 万元 never turns into 20 sites
            self._goal_values[self._goal_key] = self.goal_spin.value()
        self._goal_key = key
        self.goal_spin.setDecimals(decimals)
        self.goal_spin.setRange(low, high)
        self.goal_spin.setSuffix(suffix)
        self.goal_spin.setValue(self._goal_values.get(key, default))

    def set_goal(self, key: str, value: float) -> None:
        """Choose the goal ``key`` ("target", "max_sites" or "budget") at ``value``."""
        self.goal_box.setCurrentIndex(self.goal_box.findData(key))
        self.goal_spin.setValue(value)

    def _candidates_chosen(self, index: int) -> None:
        if self.candidates_box.itemData(index) != "file":
            self._candidates_path = None
            return
        path, _ = QFileDialog.getOpenFileName(
            self,
            tr("候选位置文件", "Candidate positions"),
            str(self.session.path.parent if self.session.path else Path.home()),
            tr("点文件", "Point files") + " (*.csv *.xlsx *.geojson *.json *.gpkg *.shp)",
        )
        if path:
            self.set_candidates(Path(path))
        else:
            self.candidates_box.setCurrentIndex(0 if self._candidates_path is None else 2)

    def set_candidates(self, path: Path | None) -> None:
        """Choose candidate positions from the points of ``path`` (None: the lattice)."""
        self._candidates_path = path
        while self.candidates_box.count() > 2:
            self.candidates_box.removeItem(2)
        if path is None:
            self.candidates_box.setCurrentIndex(0)
        else:
            self.candidates_box.addItem(tr(f"候选：{path.name}", f"Candidates: {path.name}"), str(path))
            self.candidates_box.setCurrentIndex(2)

    # -- running ------------------------------------------------------------------------------------------
    def propose(self) -> int | None:
        """Work out a proposal for the chosen inputs on the worker thread; the run's number (None if the inputs
        cannot be planned for, after saying why)."""
        from planner.analysis.siting import parse_profile, plan_sites

        region = self.region()
        if region is None:
            self._say(tr("请选择一个范围", "Choose a region"))
            return None
        try:
            profile = parse_profile(str(self.profile_box.currentData()), height_m=self.height_spin.value(),
                                    environment=str(self.environment_box.currentData()))  # fmt: skip
            candidates = None
            if self._candidates_path is not None:
                from planner.storage.importer import read_candidate_points

                candidates = read_candidate_points(str(self._candidates_path), None)
        except (PlanningError, ValueError, OSError) as exc:
            self._say(tr("无法选址：", "Cannot plan: ") + printable(exc))
            return None
        key, value = self.goal_box.currentData(), self.goal_spin.value()
        goal = {"target_pct": value} if key == "target" else {"max_sites": int(value)} if key == "max_sites" else {
            "budget_wan": value}  # fmt: skip
        year = self.year_spin.value()
        snapshot = self.session.scenario.copy()

        def work(progress, cancelled):
            return plan_sites(snapshot, region, profile, year=year, candidates=candidates, progress=progress,
                              cancelled=cancelled, **goal)  # fmt: skip

        self._pending_region = region
        self.clear()  # the old answer goes: after a Cancel nothing stale is left to accept
        self._running = self._worker.start(work)
        self.progress.setValue(0)
        self.progress.show()
        self._say(tr(f"正在为 {region.name} 选址…", f"Planning sites for {region.name}…"))
        self._refresh_actions()
        return self._running

    @property
    def busy(self) -> bool:
        """Whether a run is going."""
        return self._running is not None

    def cancel(self) -> None:
        """Stop the run going."""
        if self._running is not None:
            self._worker.stop()

    def _progressed(self, run: int, fraction: float) -> None:
        if run == self._running:
            self.progress.setValue(round(100 * fraction))

    def _done(self) -> None:
        self._running = None
        self.progress.hide()
        self._refresh_actions()

    def _was_cancelled(self, run: int) -> None:
        if run == self._running:
            self._done()
            self._say(tr("已取消", "Cancelled"))

    def _failed(self, run: int, message: str) -> None:
        if run == self._running:
            self._done()
            self._say(tr("无法选址：", "Cannot plan: ") + message)

    def _finished(self, run: int, proposal) -> None:
        if run != self._running:
            return
        self._done()
        self.show_proposal(proposal, self._pending_region)

    def _say(self, text: str) -> None:
        self.summary.setText(text)
        self.message.emit(text)

    # -- the proposal -------------------------------------------------------------------------------------
    def show_proposal(self, proposal, region: Region | None = None) -> None:
        """Show ``proposal``: its summary, its sites (all kept), its curve and its preview on the map."""
        from planner.ui.map_canvas import geometry_path, to_scene

        self.proposal, self.stale = proposal, False
        self._region = region or proposal.region
        self.table.blockSignals(True)
        self.table.setRowCount(len(proposal.sites))
        disc_cells = math.pi * proposal.radius_m**2 / proposal.cell_m**2
        for i, site in enumerate(proposal.sites):
            keep = QTableWidgetItem()
            keep.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            keep.setCheckState(Qt.CheckState.Checked)
            self.table.setItem(i, 0, keep)
            cells = (f"{i + 1}", f"{site.lon:.5f}", f"{site.lat:.5f}", f"{site.gain_pct:.2f}",
                     f"{proposal.curve[i + 1]:.2f}", f"{site.capex_wan:,.0f}")  # fmt: skip
            thin = site.gain_cells < THIN_GAIN * disc_cells  # a site that adds a sliver: shown, greyed, explained
            for j, text in enumerate(cells, start=1):
                item = _item(text)
                if thin:
                    item.setForeground(QBrush(DROPPED))
                    item.setToolTip(tr("增益不足一个覆盖圆的一成：只补零星空白",
                                       "Adds less than a tenth of its disc: it fills a sliver"))  # fmt: skip
                self.table.setItem(i, j, item)
        self.table.blockSignals(False)
        points = [to_scene(s.lon, s.lat) for s in proposal.sites]
        self.preview.set_proposal(points, proposal.radius_m, [True] * len(points), geometry_path(self._region.geometry))
        self._refresh_summary()
        if points:
            self.canvas.zoom_to_rect(self.preview.boundingRect(), 0.05)
        n, cov = len(proposal.sites), f"{proposal.coverage_before_pct:.1f}% → {proposal.coverage_after_pct:.1f}%"
        self.message.emit(tr(f"选址方案：{n} 个站点，覆盖 {cov}", f"Proposal: {n} sites, coverage {cov}"))

    def kept(self) -> list[int]:
        """Indices of the proposed sites whose 保留 box is ticked."""
        return [i for i in range(self.table.rowCount())
                if self.table.item(i, 0).checkState() == Qt.CheckState.Checked]  # fmt: skip

    def set_kept(self, indices) -> None:
        """Tick the 保留 box of the proposed sites ``indices`` only."""
        want = set(indices)
        self.table.blockSignals(True)
        for i in range(self.table.rowCount()):
            self.table.item(i, 0).setCheckState(Qt.CheckState.Checked if i in want else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._keep_toggled(None)

    def _keep_toggled(self, item) -> None:
        if item is not None and item.column() != 0:
            return
        kept = set(self.kept())
        self.preview.set_kept([i in kept for i in range(self.table.rowCount())])
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        p = self.proposal
        if p is None:
            if self._running is None:
                self.summary.setText(tr(START_ZH, START_EN))
            self.chart.plot(None)
            self._refresh_actions()
            return
        kept = self.kept()
        n, k = len(p.sites), len(kept)
        after = p.coverage_pct(kept)
        cost = p.capex_of(kept)
        name, label, r = printable(self._region.name), p.profile.label(), f"{p.radius_m:,.0f} m"
        head = tr(f"<b>{name}</b> · {label}（半径 {r}）· {p.year} 年", f"<b>{name}</b> · {label} (r = {r}) · {p.year}")
        before, gain = f"{p.coverage_before_pct:.1f}%", f"<b>{after:.1f}%</b>"
        line = tr(
            f"覆盖 {before} → {gain} · 保留 {k}/{n} 个站点 · 投资 <b>{cost:,.0f} 万元</b>",
            f"Coverage {before} → {gain} · keeping {k}/{n} sites · <b>{cost:,.0f} 万元</b>",
        )
        parts = [head, line]
        if p.unit_cost_assumed:
            parts.append(tr("单价为假设值（见目录）", "The unit cost is an assumption (see the catalogue)"))
        if p.knee:  # where extra sites stop paying
            zh, _, en = p.knee.partition(" / ")
            parts.append(tr(zh, en))
        if not p.reached:
            most = f"{p.reachable_pct:.2f}%"
            parts.append(RED.format(tr(f"未达到目标：这些候选位置最多覆盖 {most}",
                                       f"Target not reached: these candidates cover at most {most}")))  # fmt: skip
        if n == 0:
            parts.append(tr("无需新增站点", "No new site is needed"))
        if self.stale:
            parts.append(RED.format(tr("情景已修改：方案已过时，请重新提出", "The scenario changed: propose again")))
        self.summary.setText("<br>".join(parts))
        target = self.goal_spin.value() if p.goal.startswith("coverage") else None
        self.chart.plot(p, kept, target)
        self._refresh_actions()

    def _refresh_actions(self) -> None:
        has = self.proposal is not None
        kept = len(self.kept()) if has else 0
        self.accept_button.setEnabled(has and kept > 0 and not self.stale and self._running is None)
        name = (
            {"5g_a": "5G-A", "5g_macro": "5G", "5g_small": "5G 小基站"}.get(self.proposal.profile.kind, "")
            if has
            else ""
        )
        self.accept_button.setText(tr(f"采纳 {kept} 个 {name} 站点", f"Accept {kept} {name} sites") if has
                                   else tr("采纳方案", "Accept"))  # fmt: skip
        self.clear_button.setEnabled(has)
        self.all_button.setEnabled(has)
        self.none_button.setEnabled(has)
        self.run_button.setEnabled(self._running is None)
        self.cancel_button.setEnabled(self._running is not None)

    def zoom_to_site(self, row: int) -> None:
        """Centre the map on the proposed site of ``row`` (double-click in the table)."""
        from planner.ui.map_canvas import to_scene

        if self.proposal is None or not 0 <= row < len(self.proposal.sites):
            return
        s = self.proposal.sites[row]
        c, r = to_scene(s.lon, s.lat), 2.5 * self.proposal.radius_m
        self.canvas.zoom_to_rect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), 0.0)

    def accept(self) -> bool:
        """Add the kept sites to the scenario as one undoable command; True if they were."""
        from planner.analysis.siting import apply_proposal

        if self.proposal is None or self.stale or self._running is not None:
            return False
        keep = self.kept()
        try:
            command = apply_proposal(self.session.scenario, self.proposal, keep)
        except (PlanningError, ValueError) as exc:
            self._say(tr("未采纳：", "Not accepted: ") + printable(exc))
            return False
        self._accepting = True
        try:
            self.session.push(command)
        finally:
            self._accepting = False
        label = command.label
        self.clear()
        self._say(tr(f"已采纳：{label}（可撤销）", f"Accepted: {label} (undo reverts it)"))
        return True

    def clear(self) -> None:
        """Drop the proposal shown (nothing in the scenario changes)."""
        self.proposal, self.stale = None, False
        self.table.setRowCount(0)
        self.preview.clear()
        self._refresh_summary()

    # -- events -------------------------------------------------------------------------------------------
    def _on_event(self, event: object) -> None:
        if isinstance(event, ScenarioReplaced):
            self.cancel()
            self.drawn = None
            self.clear()
            self.year_spin.setValue(self.session.year)
            self.fill_regions()
        elif isinstance(event, ScenarioEdited):
            if any(ch.collection in ("zones", "parks") for ch in event.changes):
                self.fill_regions()
            if self.proposal is not None and not self._accepting and self._touches(event.changes):
                self.stale = True
                self._refresh_summary()
        elif isinstance(event, YearChanged):
            if self._running is None:
                self.year_spin.setValue(event.year)
        elif isinstance(event, SelectionChanged):
            self.fill_regions()

    def _touches(self, changes) -> bool:
        """Whether ``changes`` can change the proposal: any site, or the region's own feature."""
        r = self._region
        for ch in changes:
            if ch.collection == "sites":
                return True
            if r is not None and (r.kind, ch.collection, ch.key) in (
                ("zone", "zones", r.key),
                ("park", "parks", r.key),
            ):
                return True
        return False


def install_siting(window: Any) -> SitingPanel:
    """Give a main window the siting assistant: 规划 ▸ 补盲选址… (Ctrl+Shift+P) shows its dock (beside the figures).
    Sets ``window.siting_panel`` and ``window.siting_dock``; returns the panel."""
    tools = getattr(window, "tool_actions", {})

    def set_tool(tool) -> None:
        # The toolbar shows the pan tool while the region is drawn and after; the drawing tool is the panel's.
        if tool is not None and tool.name in tools:
            tools[tool.name].setChecked(True)
        window.canvas.set_tool(tool)

    panel = SitingPanel(window.session, window.canvas, set_tool=set_tool)
    panel.message.connect(lambda text: window.statusBar().showMessage(_plain(text), 8000))
    dock = QDockWidget(tr("补盲选址", "Gap-fill siting"), window)
    dock.setObjectName("siting_dock")
    scroll = QScrollArea()  # on a small screen the panel scrolls instead of making the window taller
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(panel)
    scroll.setMinimumWidth(panel.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
    dock.setWidget(scroll)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.hide()  # the map keeps its room until the planner asks

    def show() -> None:
        # Tabified beside the figures the first time it is shown: a tab group from the start would make the right
        # column taller (its tab bar) even while the panel is hidden, and the window with it.
        figures = getattr(window, "figures_dock", None)
        if not dock.property("placed") and figures is not None and figures.isVisible():
            window.tabifyDockWidget(figures, dock)
        dock.setProperty("placed", True)
        dock.show()
        dock.raise_()
        products = getattr(window, "products_dock", None)
        if products is not None and products.isVisible() and not products.isFloating():
            # The panel wants the height: the 一区一品 table above gives up most of its room while it is open.
            window.resizeDocks([products, dock], [140, max(400, window.height() - 300)], Qt.Orientation.Vertical)
        panel.region_box.setFocus()

    action = QAction(tr("补盲选址…", "Gap-fill siting…"), window)
    action.setShortcut(QKeySequence("Ctrl+Shift+P"))
    action.setToolTip(tr("为一个范围提出新站点，使其覆盖达到目标", "Propose new sites that bring a region to a goal"))
    action.triggered.connect(show)
    plan_menu(window).addAction(action)
    window.addAction(action)
    window.siting_panel, window.siting_dock, window.siting_action = panel, dock, action
    return panel


def _plain(text: str) -> str:
    """``text`` without its markup (the status bar shows plain text)."""
    import re

    return re.sub(r"<[^>]+>", "", text.replace("<br>", " · ")).strip()
