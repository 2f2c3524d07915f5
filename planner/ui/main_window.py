"""The main window: the map in the middle, layers on the left, the district 一区一品 table on the right.

Everything shown is derived from the window's :class:`~planner.session.Session`. The window never updates a
view after an edit by a direct call: edits go through the session's command stack, the session announces the
change list, and the map, the table and the status bar each update what the list touched. The layer panel and the
table write to the session (layer visibility, the selected district), never to the map. Undo/Redo actions follow
the session's ``StackChanged`` events (labels and enabled state), so the menu always names the step it would
undo.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QRectF, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDockWidget,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.analysis.choropleth import FIGURES as CHOROPLETH_FIGURES
from planner.analysis.choropleth import class_breaks, classify, district_values
from planner.domain import vocab
from planner.domain.commands import CommandStack, assign_product
from planner.domain.scenario import Change, Scenario
from planner.geo.basemap import districts
from planner.session import (
    FiguresUpdated,
    LayerChanged,
    PathChanged,
    ScenarioEdited,
    ScenarioReplaced,
    SelectionChanged,
    Session,
    StackChanged,
)
from planner.storage.problems import ScenarioFileError
from planner.textsafe import printable
from planner.ui import style
from planner.ui.attribute_table import AttributeTables
from planner.ui.attributes import AttributesPanel
from planner.ui.binding import SessionLink
from planner.ui.compare_view import install_compare
from planner.ui.coverage_layer import COVERAGE_NAMES, COVERED_COLOURS, UNCOVERED_COLOUR
from planner.ui.figures_dock import FiguresPanel
from planner.ui.file_actions import FileActions
from planner.ui.history import HistoryPanel
from planner.ui.i18n import LANGUAGES, apply_qt_translations, language, save_language, tr
from planner.ui.icons import icon
from planner.ui.import_dialog import install_import
from planner.ui.indicator_table import install_indicators
from planner.ui.map_canvas import MapCanvas
from planner.ui.presentation import install_presentation
from planner.ui.siting_panel import install_siting
from planner.ui.tools import TOOLS
from planner.ui.widgets import ChoiceBox

LOAD_ERROR_TITLE = "无法打开情景文件 / Cannot open scenario file"
#: Table columns: (Chinese heading, English heading).
COLUMNS = (
    ("区县", "District"),
    ("英文名", "English"),
    ("人口 (2020)", "Population"),
    ("面积 km²", "Land area"),
    ("一区一品", "Product"),
)
COL_NAME, COL_EN, COL_POP, COL_AREA, COL_PRODUCT = range(len(COLUMNS))
_REPORT_LINES_SHOWN = 15
_DOCK_FEATURES = QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable


def show_load_error(parent: QWidget | None, error: ScenarioFileError, *, opened_empty: bool = False) -> None:
    """Tell the user, in words and without a traceback, why a scenario file could not be opened."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(LOAD_ERROR_TITLE)
    box.setText(f"<b>{LOAD_ERROR_TITLE}</b><br>{html.escape(printable(Path(error.path).name))}")
    # Control characters in the file's text are shown escaped, never interpreted (textsafe).
    report = printable(error.report(), keep_newlines=True)
    lines = report.splitlines()
    shown = "\n".join(lines[:_REPORT_LINES_SHOWN])
    if len(lines) > _REPORT_LINES_SHOWN:
        # The full list goes behind "Show Details…" so that the box still fits on the screen.
        shown += f"\n…（共 {len(error.problems)} 个问题 / {len(error.problems)} problems in total）"
        box.setDetailedText(report)
    if opened_empty:
        shown += "\n\n已改为打开空白情景。/ An empty scenario was opened instead."
    # Rich text, escaped: a value in the file such as "<b>" must show as typed, not format the box.
    box.setInformativeText(html.escape(shown).replace("\n", "<br>"))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def _swatch(fill: QColor | str, outline: QColor | str | None = None, *, round_: bool = False, size: int = 14) -> QIcon:
    """A small legend symbol: a filled square (areas) or dot (points)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setBrush(QColor(fill))
    p.setPen(QPen(QColor(outline), 1.2) if outline is not None else Qt.PenStyle.NoPen)
    r = QRectF(1.5, 1.5, size - 3, size - 3)
    if round_:
        p.drawEllipse(r.center(), size / 2 - 2.5, size / 2 - 2.5)
    else:
        p.drawRect(r)
    p.end()
    return QIcon(pix)


def _translucent(colour: str, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c


class LayerPanel(QWidget):
    """Layer checkboxes (top to bottom as drawn) and the legend of what each symbol means."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._link = SessionLink(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        icons = {
            "parks": _swatch(style.PARK_COLOURS["sck_core"], "white", round_=True),
            "sites": _swatch(style.SITE_COLOURS["5g_macro"], round_=True, size=10),
            "zones": _swatch(_translucent(style.ZONE_COLOURS["f5g"], 90), style.ZONE_COLOURS["f5g"]),
            "districts": _swatch(style.ASSIGNED_FILLS[0], style.DISTRICT_OUTLINE),
        }
        icons["coverage"] = _swatch(_translucent(COVERED_COLOURS["5g"], 110), COVERED_COLOURS["5g"])
        self.checkboxes: dict[str, QCheckBox] = {}
        self.opacity_sliders: dict[str, QSlider] = {}
        self.blocks: dict[str, QWidget] = {}  # one per layer: its checkbox, order buttons, opacity and style
        self.rows = QVBoxLayout()
        self.rows.setSpacing(2)
        layout.addLayout(self.rows)
        for name in session.layer_order:
            block = QWidget()
            v = QVBoxLayout(block)
            v.setContentsMargins(0, 0, 0, 2)
            v.setSpacing(1)
            head = QHBoxLayout()
            zh, en = style.LAYER_NAMES[name]
            box = QCheckBox(tr(zh, en))
            box.setIcon(icons[name])
            box.setChecked(session.layers[name].visible)
            box.toggled.connect(lambda on, n=name: self._session.set_layer_visible(n, on))
            head.addWidget(box, 1)
            for text, tip, step in (("▲", tr("上移", "Move up"), 1), ("▼", tr("下移", "Move down"), -1)):
                button = QToolButton()
                button.setText(text)
                button.setToolTip(tip)
                button.setAutoRaise(True)
                button.clicked.connect(lambda _c=False, n=name, d=step: self._move(n, d))
                head.addWidget(button)
            v.addLayout(head)
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, 100)
            slider.setValue(round(100 * session.layers[name].opacity))
            slider.setToolTip(tr("不透明度", "Opacity"))
            slider.setMaximumWidth(140)
            slider.valueChanged.connect(lambda value, n=name: self._session.set_layer_opacity(n, value / 100))
            row = QHBoxLayout()
            row.setContentsMargins(22, 0, 0, 0)
            row.addWidget(slider)
            row.addStretch(1)
            v.addLayout(row)
            self.checkboxes[name], self.opacity_sliders[name], self.blocks[name] = box, slider, block
            if name == "coverage":
                self.coverage_combo = ChoiceBox()
                for key, (czh, cen) in COVERAGE_NAMES.items():
                    self.coverage_combo.addItem(tr(czh, cen), key)
                self.coverage_combo.setToolTip(tr("覆盖图层显示的网络", "Which network the coverage layer shows"))
                self.coverage_combo.currentIndexChanged.connect(
                    lambda i: self._session.set_layer_style("coverage", self.coverage_combo.itemData(i))
                )
                combo_row = QWidget()
                row_layout = QVBoxLayout(combo_row)
                row_layout.setContentsMargins(22, 0, 0, 4)
                row_layout.addWidget(self.coverage_combo)
                v.addWidget(combo_row)
            if name == "districts":
                self.district_combo = ChoiceBox()
                self.district_combo.addItem(tr("按一区一品", "By product"), "product")
                for key, (fzh, fen, unit) in CHOROPLETH_FIGURES.items():
                    self.district_combo.addItem(tr(f"{fzh}（{unit}）", f"{fen} ({unit})"), key)
                self.district_combo.setToolTip(tr("区县的填色", "What colours the districts"))
                self.district_combo.currentIndexChanged.connect(
                    lambda i: self._session.set_layer_style("districts", self.district_combo.itemData(i))
                )
                self.district_classes = QLabel()
                self.district_classes.setTextFormat(Qt.TextFormat.RichText)
                combo_row = QWidget()
                row_layout = QVBoxLayout(combo_row)
                row_layout.setContentsMargins(22, 0, 0, 4)
                row_layout.addWidget(self.district_combo)
                row_layout.addWidget(self.district_classes)
                v.addWidget(combo_row)
        self._arrange()
        # The choices show the session's state from the start (a window rebuilt for another language, say).
        for combo, layer in ((self.coverage_combo, "coverage"), (self.district_combo, "districts")):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(session.layers[layer].style)))
            combo.blockSignals(False)
        self._show_classes()
        self._classes_timer = QTimer(self)
        self._classes_timer.setSingleShot(True)
        self._classes_timer.setInterval(200)
        self._classes_timer.timeout.connect(self._show_classes)
        self._link.attach(session, self._on_event)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addSpacing(6)
        layout.addWidget(line)
        heading = QLabel(f"<b>{tr('图例', 'Legend')}</b>")
        layout.addWidget(heading)
        layout.addLayout(self._legend())
        layout.addStretch(1)

    def _arrange(self) -> None:
        """The layer blocks top to bottom as drawn: the session's order, last drawn first."""
        for name in reversed(self._session.layer_order):
            self.rows.removeWidget(self.blocks[name])
            self.rows.addWidget(self.blocks[name])

    def order(self) -> list[str]:
        """The layers as the panel lists them, top first."""
        return sorted(self.blocks, key=lambda n: self.rows.indexOf(self.blocks[n]))

    def _move(self, name: str, step: int) -> None:
        """Move a layer one place up (drawn later) or down."""
        order = self._session.layer_order
        self._session.move_layer(name, order.index(name) + step)

    def _show_classes(self) -> None:
        """The class breaks of the districts' figure (empty when they are coloured by product)."""
        figure = self._session.layers["districts"].style
        if figure == "product":
            self.district_classes.setText("")
            return
        values = district_values(self._session.summary(), figure)
        breaks = class_breaks(list(values.values()))
        n = len(breaks) - 1
        unit = CHOROPLETH_FIGURES[figure][2]
        rows = []
        for i in range(n):
            colour = style.class_colour(i, n).name()
            count = sum(1 for v in values.values() if classify(v, breaks) == i)
            rows.append(
                f"<span style='color:{colour}; font-size:14px'>■</span> {breaks[i]:g} – {breaks[i + 1]:g} {unit}"
                f" <span style='color:#777'>({count})</span>"
            )
        self.district_classes.setText("<br>".join(rows))

    def _legend(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        rows: list[tuple[QIcon | None, str]] = [
            (None, tr("区县", "Districts")),
            (_swatch(style.ASSIGNED_FILLS[0], style.DISTRICT_OUTLINE), tr("已分配一区一品", "Product assigned")),
            (_swatch(style.UNASSIGNED_FILLS[0], style.DISTRICT_OUTLINE), tr("未分配", "Unassigned")),
            (None, tr("园区", "Parks")),
        ]
        rows += [(_swatch(c, "white", round_=True), style.kind_label(vocab.PARK_KINDS, k))
                 for k, c in style.PARK_COLOURS.items()]  # fmt: skip
        rows.append((None, tr("站点", "Sites")))
        rows += [(_swatch(c, round_=True, size=10), style.kind_label(vocab.SITE_KINDS, k))
                 for k, c in style.SITE_COLOURS.items()]  # fmt: skip
        rows.append((None, tr("网络覆盖", "Coverage")))
        for k, c in COVERED_COLOURS.items():
            zh, en = COVERAGE_NAMES[k]
            rows.append((_swatch(_translucent(c, 110), c), tr(f"{zh} 已覆盖", f"{en}: covered")))
        rows.append(
            (_swatch(_translucent(UNCOVERED_COLOUR, 140), UNCOVERED_COLOUR), tr("未覆盖的陆地", "Land not covered"))
        )
        rows.append((None, tr("区域", "Zones")))
        rows += [(_swatch(_translucent(c, 90), c), style.kind_label(vocab.ZONE_KINDS, k))
                 for k, c in style.ZONE_COLOURS.items()]  # fmt: skip
        small = style.cjk_font(8)
        for row, (swatch, text) in enumerate(rows):
            label = QLabel(text)
            if swatch is None:
                label.setStyleSheet("color: #555; font-weight: bold; padding-top: 4px;")
                grid.addWidget(label, row, 0, 1, 2)
                continue
            symbol = QLabel()
            symbol.setPixmap(swatch.pixmap(QSize(14, 14)))
            label.setFont(small)
            # One line each: a word-wrapped label in a grid is given the height of one line and overdraws the
            # next row; the dock widens to the longest entry instead.
            grid.addWidget(symbol, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 1)
        grid.setColumnStretch(1, 1)
        return grid

    def _on_event(self, event: object) -> None:
        if isinstance(event, LayerChanged) and event.state is None:
            self._arrange()
        if isinstance(event, LayerChanged) and event.state is not None:
            slider = self.opacity_sliders[event.name]
            if slider.value() != round(100 * event.state.opacity):
                slider.blockSignals(True)
                slider.setValue(round(100 * event.state.opacity))
                slider.blockSignals(False)
        if isinstance(event, LayerChanged) and event.state is not None and event.name == "districts":
            i = self.district_combo.findData(event.state.style)
            if i >= 0 and i != self.district_combo.currentIndex():
                self.district_combo.blockSignals(True)
                self.district_combo.setCurrentIndex(i)
                self.district_combo.blockSignals(False)
            self._show_classes()
        elif (
            isinstance(event, FiguresUpdated)
            and self._session.layers["districts"].style != "product"
            and not self._classes_timer.isActive()
        ):
            self._classes_timer.start()  # as the map's colours: at most five times a second during a drag
        if isinstance(event, LayerChanged) and event.state is not None and event.name == "coverage":
            i = self.coverage_combo.findData(event.state.style)
            if i >= 0 and i != self.coverage_combo.currentIndex():
                self.coverage_combo.blockSignals(True)
                self.coverage_combo.setCurrentIndex(i)
                self.coverage_combo.blockSignals(False)
        if isinstance(event, LayerChanged) and event.state is not None:
            box = self.checkboxes.get(event.name)
            if box is not None and box.isChecked() != event.state.visible:
                box.blockSignals(True)  # the session already has this state; do not echo it back
                box.setChecked(event.state.visible)
                box.blockSignals(False)


class MainWindow(QMainWindow):
    """The planner's main window for one scenario and its undo stack.

    ``scenario`` defaults to an empty :class:`Scenario`; ``stack`` to a new :class:`CommandStack` on it;
    ``path`` is the file the scenario was read from, if any.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        stack: CommandStack | None = None,
        parent: QWidget | None = None,
        *,
        path: Path | None = None,
        session: Session | None = None,
    ) -> None:
        super().__init__(parent)
        self._owns_session = session is None
        if session is None:
            session = Session(scenario, path)
            if stack is not None:
                session.replace(session.scenario, path, stack=stack)
        self.session = session
        self._handing_over = False  # closing only to give the session to a new window (another language)
        #: Whether closing remembers the size and docks (not for an offscreen screenshot).
        self.remember_layout = True
        if self._owns_session:
            self._adopt_session()
        self._link = SessionLink(self)
        self._synthetic_sites = 0

        self.setWindowTitle(style.APP_TITLE)
        self.resize(1400, 900)
        self.canvas = MapCanvas(self, session=session)
        self.setCentralWidget(self.canvas)
        self._build_layer_dock()
        self._build_products_dock()
        self._build_figures_dock()
        self._build_attributes_dock()
        self._build_history_dock()
        self._build_table_dock()
        self._build_status_bar()
        self._build_menus()
        self._build_tools()
        self.resizeDocks([self.layers_dock, self.products_dock], [200, 460], Qt.Orientation.Horizontal)
        self.resizeDocks([self.figures_dock, self.products_dock], [560, 340], Qt.Orientation.Vertical)
        self._link.attach(session, self._on_event)
        self._show_scenario()
        self.compare = install_compare(self)  # File ▸ 对比情景… (planner/ui/compare_view.py)
        install_import(self)  # File ▸ 导入… (planner/ui/import_dialog.py)
        self.presentation = install_presentation(self)  # View ▸ 演示模式 (F11), bookmarks (planner/ui/presentation.py)
        install_siting(self)  # 规划 ▸ 补盲选址… (Ctrl+Shift+P), planner/ui/siting_panel.py
        self.indicators = install_indicators(self)  # 规划 ▸ 指标填报… (Ctrl+Shift+I), planner/ui/indicator_table.py

    # -- construction -----------------------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """A movable, closable dock holding ``widget`` (``name`` keys its place in the saved layout)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(_DOCK_FEATURES)
        self.addDockWidget(area, dock)
        return dock

    def _build_layer_dock(self) -> None:
        self.layer_panel = LayerPanel(self.session)
        self.layer_checkboxes = self.layer_panel.checkboxes
        dock = QDockWidget(tr("图层", "Layers"), self)
        dock.setObjectName("layers_dock")
        scroll = QScrollArea()  # the legend is long: it scrolls on a small screen instead of growing the window
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.layer_panel)
        # As wide as the panel's longest line (a legend entry), so only a short screen makes it scroll.
        scroll.setMinimumWidth(self.layer_panel.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
        dock.setWidget(scroll)
        dock.setFeatures(_DOCK_FEATURES)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.layers_dock = dock

    def _build_products_dock(self) -> None:
        table = QTableWidget(len(districts()), len(COLUMNS))
        for col, (zh, en) in enumerate(COLUMNS):
            head = QTableWidgetItem(tr(zh, en))
            head.setToolTip(f"{zh} / {en}")
            table.setHorizontalHeaderItem(col, head)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # editing comes in a later issue
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        for col in (COL_NAME, COL_EN, COL_POP, COL_AREA):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_PRODUCT, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self._rows: dict[str, int] = {}
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row, d in enumerate(districts()):
            self._rows[d.adcode] = row
            cells = (d.name_zh, d.name_en, f"{d.population_2020:,}", f"{d.land_area_km2:,.1f}", "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, d.adcode)
                if col in (COL_POP, COL_AREA):
                    item.setTextAlignment(right)
                table.setItem(row, col, item)
            table.item(row, COL_NAME).setToolTip(f"{d.name_zh} {d.name_en} · 行政区划代码 adcode {d.adcode}")
        table.itemSelectionChanged.connect(self._on_table_selection)
        table.cellDoubleClicked.connect(self._on_table_double_click)
        self.products_table = table

        self.products_summary = QLabel()
        self.products_summary.setWordWrap(True)
        self.products_summary.setStyleSheet("color: #444; padding: 2px 2px;")
        hint = QLabel(
            tr(
                "双击一行缩放至该区县，双击一区一品以修改",
                "Double-click a row to zoom to the district, its product to change it",
            )
        )
        hint.setStyleSheet("color: #777;")
        hint.setFont(style.cjk_font(8))
        hint.setWordWrap(True)

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(table, 10)  # grows to its ten rows first, and shrinks (scrolling) on a small screen
        layout.addWidget(self.products_summary)
        layout.addWidget(hint)
        layout.addStretch(1)
        dock = self._dock(
            tr("一区一品", "District products"), "products_dock", panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.products_dock = dock

    def _build_figures_dock(self) -> None:
        self.figures_panel = FiguresPanel(self.session)
        dock = self._dock(
            tr("指标", "Figures"), "figures_dock", self.figures_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.splitDockWidget(self.products_dock, dock, Qt.Orientation.Vertical)
        self.figures_dock = dock

    def _build_attributes_dock(self) -> None:
        self.attributes_panel = AttributesPanel(self.session)
        self.attributes_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        dock = self._dock(
            tr("属性", "Attributes"), "attributes_dock", self.attributes_panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.splitDockWidget(self.layers_dock, dock, Qt.Orientation.Vertical)
        self.attributes_dock = dock

    def _build_table_dock(self) -> None:
        self.attribute_tables = AttributeTables(self.session)
        dock = self._dock(
            tr("属性表", "Attribute tables"),
            "table_dock",
            self.attribute_tables,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        dock.hide()  # View ▸ Attribute tables (Ctrl+T): the map keeps its height until the planner asks
        self.attribute_tables.chosen.connect(lambda _layer, _fid: self.canvas.zoom_to_selection())
        self.attribute_tables.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.table_dock = dock

    def _build_history_dock(self) -> None:
        self.history_panel = HistoryPanel(self.session)
        dock = self._dock(
            tr("历史", "History"), "history_dock", self.history_panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.tabifyDockWidget(self.attributes_dock, dock)
        self.attributes_dock.raise_()
        self.history_dock = dock

    def _build_tools(self) -> None:
        """The map tools' toolbar: one checkable action per tool, single-key shortcuts shown in the tooltips; before
        it, a toolbar of the everyday actions (open, save, undo, redo, zoom to the city, delete) as icons."""
        std = QToolBar(tr("常用", "Standard"), self)
        std.setObjectName("standard_toolbar")
        self.delete_action = QAction(tr("删除所选", "Delete selected"), self)
        # No window shortcut: the Delete key belongs to whatever has the focus (the map, or a table's editor).
        self.delete_action.setToolTip(tr("删除所选要素 (Delete)", "Delete the selected features (Delete)"))
        self.delete_action.triggered.connect(self.canvas.delete_selection)
        fa = self.file_actions
        for action, name in ((fa.open_action, "open"), (fa.save_action, "save"), (self.undo_action, "undo"),
                             (self.redo_action, "redo"), (self.zoom_city_action, "zoom_city"),
                             (self.delete_action, "delete")):  # fmt: skip
            action.setIcon(icon(name))
            std.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, std)
        self.standard_toolbar = std
        bar = QToolBar(tr("工具", "Tools"), self)
        bar.setObjectName("tools_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)  # icons, with the words beside them
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        group = QActionGroup(self)
        group.setExclusive(True)
        self.tools = {cls.name: cls(self.canvas) for cls in TOOLS}
        self.tool_actions: dict[str, QAction] = {}
        for name, tool in self.tools.items():
            action = QAction(icon(name), tr(tool.label_zh, tool.label_en), self)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(tool.shortcut))
            action.setToolTip(tool.tooltip())
            action.triggered.connect(lambda _on=False, t=tool: self.canvas.set_tool(t))
            group.addAction(action)
            bar.addAction(action)
            self.tool_actions[name] = action
        self.site_kind = QComboBox()
        for kind in ("5g_a", "5g_macro", "5g_small"):
            self.site_kind.addItem(style.kind_label(vocab.SITE_KINDS, kind), kind)
        self.site_kind.setToolTip("新站点的类型 · Kind of the sites the Add site tool adds")
        self.site_kind.currentIndexChanged.connect(
            lambda i: setattr(self.tools["add_site"], "kind", self.site_kind.itemData(i))
        )
        bar.addSeparator()
        bar.addWidget(QLabel(tr(" 站点类型 ", " Site kind ")))
        bar.addWidget(self.site_kind)
        self.tools_toolbar = bar
        self.tool_actions["pan"].setChecked(True)
        self.canvas.set_tool(self.tools["pan"])
        self.canvas.message.connect(lambda text: self.statusBar().showMessage(text, 6000))

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.scenario_label = QLabel()
        self.counts_label = QLabel()
        self.synthetic_label = QLabel(tr("站点为合成示意数据", "Sites are synthetic"))
        self.synthetic_label.setToolTip(
            "站点位置为生成的示意数据，非真实基站位置。\nSite positions are generated, not real base-station positions."
        )
        self.synthetic_label.setStyleSheet(
            "QLabel { background: #fff3cd; color: #7a5300; border: 1px solid #e0c36b; border-radius: 3px;"
            " padding: 1px 6px; }"
        )
        self.coords_label = QLabel()
        self.coords_label.setMinimumWidth(190)
        for label in (self.scenario_label, self.counts_label):
            label.setContentsMargins(6, 0, 6, 0)
        bar.addWidget(self.scenario_label)
        bar.addWidget(self.counts_label)
        bar.addPermanentWidget(self.synthetic_label)  # permanent: a status message never hides under it
        bar.addPermanentWidget(self.coords_label)
        self.canvas.cursorMoved.connect(self._show_cursor)
        self.canvas.cursorLeft.connect(self.coords_label.clear)

    def _build_menus(self) -> None:
        menus = self.menuBar()
        self.file_actions = FileActions(self)
        fa = self.file_actions
        self.open_action = fa.open_action
        file_menu = menus.addMenu(tr("文件(&F)", "&File"))
        self.file_menu = file_menu  # the comparison adds 对比情景… / 关闭对比 before Export (install_compare)
        self.quit_action = QAction(tr("退出", "Quit"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        for a in (fa.new_empty_action, fa.new_baseline_action, fa.open_action):
            file_menu.addAction(a)
        file_menu.addMenu(fa.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(fa.save_action)
        file_menu.addAction(fa.save_as_action)
        file_menu.addSeparator()
        self.export_action = QAction(icon("export"), tr("导出…", "Export…"), self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(lambda: self.export_dialog())
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = menus.addMenu(tr("编辑(&E)", "&Edit"))
        self.undo_action = QAction(tr("撤销", "Undo"), self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(lambda: self.session.undo())
        self.redo_action = QAction(tr("重做", "Redo"), self)
        # Both redo keys on every system: Ctrl+Y (as Windows and Office) and Ctrl+Shift+Z (as Linux and macOS).
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.redo_action.triggered.connect(lambda: self.session.redo())
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

        view_menu = menus.addMenu(tr("视图(&V)", "&View"))
        self.view_menu = view_menu  # presentation mode and bookmarks are added at its end (install_presentation)
        self.zoom_city_action = QAction(tr("缩放至全市", "Zoom to city"), self)
        self.zoom_city_action.setShortcut(QKeySequence("Ctrl+0"))
        self.zoom_city_action.triggered.connect(self.canvas.fit_all)
        view_menu.addAction(self.zoom_city_action)
        self.zoom_selection_action = QAction(tr("缩放至所选", "Zoom to selection"), self)
        self.zoom_selection_action.setShortcut(QKeySequence("Ctrl+2"))
        self.zoom_selection_action.triggered.connect(self.canvas.zoom_to_selection)
        view_menu.addAction(self.zoom_selection_action)
        language_menu = view_menu.addMenu(tr("语言", "Language"))
        self.language_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for lang, name in LANGUAGES.items():
            a = QAction(name, self)
            a.setCheckable(True)
            a.setChecked(lang == language())
            a.triggered.connect(lambda _c=False, lang=lang: self.set_language(lang))
            group.addAction(a)
            language_menu.addAction(a)
            self.language_actions[lang] = a
        view_menu.addSeparator()
        view_menu.addAction(self.layers_dock.toggleViewAction())
        view_menu.addAction(self.products_dock.toggleViewAction())
        view_menu.addAction(self.figures_dock.toggleViewAction())
        view_menu.addAction(self.attributes_dock.toggleViewAction())
        view_menu.addAction(self.history_dock.toggleViewAction())
        table_action = self.table_dock.toggleViewAction()
        table_action.setShortcut(QKeySequence("Ctrl+T"))
        view_menu.addAction(table_action)

    # -- export -----------------------------------------------------------------------------------------
    def export_dialog(self, *, accept: bool = False) -> bool:
        """File ▸ Export: ask what and where (``accept`` takes the dialog's defaults, for tests), then write on a
        worker thread with a progress indicator; the window stays responsive and the planner can go on editing."""
        from PySide6.QtWidgets import QProgressDialog

        from planner.ui.export_dialog import KINDS, ExportDialog, Exporter

        if getattr(self, "_exporter", None) is not None and self._exporter.busy:
            self.statusBar().showMessage(tr("导出仍在进行中", "An export is still running"), 4000)
            return False
        path = self.session.path
        folder = path.resolve().parent if path is not None else Path.home()  # shown whole, not as typed
        dialog = ExportDialog(folder, path.stem if path else "scenario", self, **self.compare.export_prefill())
        self.last_export_dialog = dialog
        if not accept and dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        targets = dialog.targets()
        if not targets:
            return False
        other = None
        compare = dialog.compare_path()
        if compare is not None:
            other = self.file_actions.load_or_explain(compare)  # explains in a message box why it cannot be read
            if other is None:
                return False
        missing = [p for _, p in targets if not p.parent.is_dir()]
        if missing:
            QMessageBox.warning(self, tr("无法导出", "Cannot export"),
                                f"{tr('文件夹不存在', 'No such folder')}: {printable(missing[0].parent)}")  # fmt: skip
            return False
        progress = QProgressDialog(tr("正在导出…", "Exporting…"), "", 0, len(targets), self)
        progress.setWindowTitle(tr("导出", "Export"))
        progress.setCancelButton(None)  # each file is written whole or not at all; nothing to cancel half-way
        progress.setMinimumDuration(300)
        self._exporter = exporter = Exporter(self)
        names = {k: tr(zh, en) for k, _s, zh, en in KINDS}
        exporter.progress.connect(
            lambda done, total, kind: (progress.setValue(done), progress.setLabelText(names.get(kind, "")))
        )
        exporter.finished.connect(lambda paths, error: self._export_finished(progress, paths, error))
        exporter.start(self.scenario, targets, year=self.session.year, other=other, **dialog.options())
        return True

    def _export_finished(self, progress, paths: list, error: str) -> None:
        progress.close()
        self.export_result = (paths, error)
        if error:
            QMessageBox.warning(self, tr("导出失败", "Export failed"), error)
        else:
            self.statusBar().showMessage(tr("已导出 ", "Exported ") + "、".join(Path(p).name for p in paths), 8000)

    # -- model ------------------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The scenario being edited."""
        return self.session.scenario

    @property
    def stack(self) -> CommandStack:
        """The undo stack of the scenario; every edit goes through it."""
        return self.session.stack

    @property
    def path(self) -> Path | None:
        """The file of the scenario, if it has one."""
        return self.session.path

    def set_scenario(self, scenario: Scenario, stack: CommandStack | None = None, path: Path | None = None) -> None:
        """Edit ``scenario`` (with ``stack``, or a fresh one) instead of the current scenario."""
        self.session.replace(scenario, path, stack=stack)

    def _on_event(self, event: object) -> None:
        if isinstance(event, ScenarioEdited):
            self._on_changes(event.changes)
        elif isinstance(event, ScenarioReplaced):
            self._show_scenario()
        elif isinstance(event, StackChanged | PathChanged):
            self._refresh_undo_actions()
            self._refresh_status()
        elif isinstance(event, SelectionChanged):
            self._select_rows([key for layer, key in event.selection if layer == "districts"])

    def _show_scenario(self) -> None:
        scenario = self.scenario
        self._synthetic_sites = sum(1 for s in scenario.sites.values() if s.source == "synthetic")
        for adcode in self._rows:
            self._refresh_product(adcode)
        self._refresh_summary()
        self._refresh_status()
        self._refresh_undo_actions()
        self.canvas.fit_all()

    def detach(self) -> None:
        """Stop following the session (the window keeps showing its last state)."""
        self._link.detach()
        self.layer_panel._link.detach()
        self.figures_panel.detach()
        self.attributes_panel._link.detach()
        self.file_actions._link.detach()
        self.history_panel._link.detach()
        for model in self.attribute_tables.models.values():
            model._link.detach()
        self.presentation.detach()
        self.siting_panel.detach()
        self.indicators.detach()
        self.canvas.detach()
        if self._owns_session:
            self.session.close()

    def _adopt_session(self) -> None:
        """End the session with this window: a destroyed window's session stops following the scenario (through a
        closure that holds the session, not the dead window)."""
        session = self.session
        self._owns_session = True
        self._end_session = lambda *_: session.close()
        self.destroyed.connect(self._end_session)

    def hand_over(self) -> MainWindow:
        """A new window on the same session (the labels of the current language), in this window's place; this one
        closes without asking anything, and the session lives on in the new one."""
        new = MainWindow(session=self.session)
        if self._owns_session:
            self.destroyed.disconnect(self._end_session)
            self._owns_session = False
            new._adopt_session()
        new.restoreGeometry(self.saveGeometry())
        new.restoreState(self.saveState())
        new.canvas.setTransform(self.canvas.transform())
        new.canvas.centerOn(self.canvas.mapToScene(self.canvas.viewport().rect().center()))
        new.canvas._navigated = self.canvas._navigated
        self._handing_over = True
        new.show()
        self.close()
        return new

    def set_language(self, lang: str) -> MainWindow:
        """Show the interface in ``lang`` ("zh" or "en"), remembered for the next start; returns the window that
        now shows the session (a new one, unless the language is already ``lang``)."""
        if lang == language():
            return self
        save_language(lang)
        apply_qt_translations()
        from planner.ui import app

        return app.keep(self.hand_over())

    def restore_layout(self) -> None:
        """Size, position and dock layout as the planner left them (QSettings), if any."""
        settings = QSettings()
        geometry, state = settings.value("window/geometry"), settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def save_layout(self) -> None:
        """Remember the size, position and dock layout."""
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())

    def showEvent(self, event: QShowEvent) -> None:
        """Size the table to its rows once the style and fonts are final; fill in the figures after the first
        paint (the map shows at once, the engine is built at the next turn of the event loop)."""
        super().showEvent(event)
        QTimer.singleShot(0, self.figures_panel.refresh)
        self.products_table.resizeRowsToContents()
        self._fit_table_height()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing asks about unsaved changes; a clean close removes the recovery file and ends the session."""
        if self._handing_over:  # another window goes on with the session: nothing to ask, nothing to remove
            self.file_actions.autosave_timer.stop()
            self.detach()
            super().closeEvent(event)
            return
        if not self.file_actions.confirm_discard():
            event.ignore()
            return
        self.file_actions.closing()
        if self.remember_layout:
            self.save_layout()
        self.detach()
        super().closeEvent(event)

    def _on_changes(self, changes: list[Change]) -> None:
        products = layers = meta = False
        for ch in changes:
            if ch.collection == "products":
                self._refresh_product(ch.key)
                products = True
            elif ch.collection in ("parks", "sites", "zones"):
                layers = True
                if ch.collection == "sites":
                    # Count incrementally: recounting 42,000 sites on every drag step would be wasted work.
                    self._synthetic_sites += (getattr(ch.new, "source", None) == "synthetic") - (
                        getattr(ch.old, "source", None) == "synthetic"
                    )
            elif ch.collection == "meta":
                meta = True
        if products:
            self._refresh_summary()
        if layers or meta:
            self._refresh_status()

    def _refresh_product(self, adcode: str) -> None:
        row = self._rows.get(adcode)
        if row is None:
            return
        product = self.scenario.products.get(adcode)
        item = self.products_table.item(row, COL_PRODUCT)
        item.setText(product or style.unassigned_short())
        # Grey rather than italic for "unassigned": Chinese fonts have no italic and faked slants look broken.
        item.setForeground(QColor("#1f2a36") if product else QColor("#8a8f96"))
        item.setToolTip(product or "未分配一区一品 / no product assigned")
        self.products_table.resizeRowToContents(row)
        self._fit_table_height()

    def _fit_table_height(self) -> None:
        # Ten rows need no scrolling: the table is at most their height, so the summary sits right below the last
        # row; on a small screen (1366×768) it may shrink and scroll rather than push the window off the screen.
        table = self.products_table
        height = table.horizontalHeader().sizeHint().height() + table.verticalHeader().length()
        table.setMaximumHeight(height + 2 * table.frameWidth())
        table.setMinimumHeight(min(height, 140))

    def _refresh_summary(self) -> None:
        n = sum(1 for a in self._rows if self.scenario.products.get(a))
        total = len(self._rows)
        self.products_summary.setText(
            tr(f"已分配一区一品 {n} / {total} 个区县", f"{n} of {total} districts have a product")
        )

    def _refresh_status(self) -> None:
        s = self.scenario
        # File text is shown with its control characters escaped (planner/textsafe.py), never interpreted: a
        # bidi override cannot reorder the title, a newline cannot split the status bar. A literal "[*]" in a name
        # is doubled so that Qt shows it instead of taking it for the unsaved-changes placeholder.
        name = printable(s.name)
        self.setWindowTitle(f"{name.replace('[*]', '[*][*]')}[*] — {style.APP_TITLE}")
        self.scenario_label.setText(f"{tr('情景', 'Scenario')}: <b>{html.escape(name)}</b>")
        self.scenario_label.setToolTip(printable(self.path) if self.path else "")
        self.counts_label.setText(
            tr(
                f"园区 {len(s.parks):,} · 站点 {len(s.sites):,} · 区域 {len(s.zones):,}",
                f"parks {len(s.parks):,} · sites {len(s.sites):,} · zones {len(s.zones):,}",
            )
        )
        self.synthetic_label.setVisible(self._synthetic_sites > 0)

    def _refresh_undo_actions(self) -> None:
        undo, redo = self.stack.undo_label, self.stack.redo_label
        self.undo_action.setText(tr(f"撤销：{undo}", f"Undo: {undo}") if undo else tr("撤销", "Undo"))
        self.undo_action.setEnabled(undo is not None)
        self.redo_action.setText(tr(f"重做：{redo}", f"Redo: {redo}") if redo else tr("重做", "Redo"))
        self.redo_action.setEnabled(redo is not None)
        self.setWindowModified(not self.stack.is_clean)

    def _on_table_double_click(self, row: int, col: int) -> None:
        adcode = self._adcode_at(row)
        if col == COL_PRODUCT:
            self.edit_product(adcode)
        else:
            self.canvas.zoom_to_district(adcode)

    def edit_product(self, adcode: str) -> bool:
        """Ask for a district's 一区一品 product (suggestions, or any text; empty clears it) and assign it."""
        d = next(d for d in districts() if d.adcode == adcode)
        current = self.scenario.products.get(adcode) or ""
        suggestions = list(dict.fromkeys([current, *vocab.PRODUCT_SUGGESTIONS.get(adcode, ())] if current else
                                         vocab.PRODUCT_SUGGESTIONS.get(adcode, ())))  # fmt: skip
        text, ok = QInputDialog.getItem(
            self,
            "一区一品 District product",
            f"{d.name_zh} 的一区一品（可直接输入，留空则清除）\nProduct of {d.name_en} (type any; empty clears):",
            suggestions or [""],
            0,
            True,
        )
        if not ok or text.strip() == current:
            return False
        try:
            self.session.push(assign_product(self.scenario, adcode, text))
        except ValueError as exc:
            self.statusBar().showMessage(f"未执行 Not done: {printable(exc)}", 8000)
            return False
        return True

    def _adcode_at(self, row: int) -> str:
        return str(self.products_table.item(row, COL_NAME).data(Qt.ItemDataRole.UserRole))

    def _on_table_selection(self) -> None:
        rows = {i.row() for i in self.products_table.selectedItems()}
        self.session.select([("districts", self._adcode_at(r)) for r in sorted(rows)])

    def _select_rows(self, adcodes: list[str]) -> None:
        """Show the session's selected districts as the table's selected rows (without echoing them back)."""
        wanted = {self._rows[a] for a in adcodes if a in self._rows}
        if wanted == {i.row() for i in self.products_table.selectedItems()}:
            return
        self.products_table.blockSignals(True)
        self.products_table.clearSelection()
        for row in wanted:
            self.products_table.selectRow(row)
        self.products_table.blockSignals(False)

    def _show_cursor(self, lon: float, lat: float) -> None:
        self.coords_label.setText(f"{lon:.5f}°E  {lat:.5f}°N")

    # -- files ------------------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        """Ask for a scenario file and open it."""
        self.file_actions.open_dialog()

    def open_file(self, path: str | Path) -> bool:
        """Open the scenario file at ``path``; on failure explain why and keep the current scenario."""
        return self.file_actions.open_file(path)
