"""The comparison dock: every figure of the current scenario against the compared one, and the features that differ.

The panel shows one :func:`planner.analysis.compare.compare` result — the compared scenario as ``a`` ("对比方案",
the reference), the current one as ``b`` ("本方案") — in four tabs: the figures by district with the city and the
其他 row (other, this, delta), the zones, the targets, and the features added, removed, moved and changed. It
holds no state of its own beyond what it shows: :class:`planner.ui.compare_view.CompareController` computes the
comparison from the two sessions and hands it to :meth:`ComparePanel.show_comparison`; a row chosen in the
features list is announced by :attr:`ComparePanel.chosen`, and the controller selects and zooms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.analysis.compare import CITY_ORDER, DISTRICT_ORDER, FIGURES, OTHER_ORDER, ZONE_ORDER
from planner.domain import vocab
from planner.geo.basemap import districts
from planner.textsafe import printable
from planner.ui import style
from planner.ui.i18n import language, tr

#: The figures, in the order shown: key → (中文, English, format of a value).
#: Kinds of feature change, in the order listed: key → (中文, English).
CHANGES = {"added": ("新增", "Added"), "removed": ("删除", "Removed"), "moved": ("移动", "Moved"),
           "changed": ("修改", "Changed")}  # fmt: skip
LAYER_NAMES = {"sites": ("站点", "Site"), "parks": ("园区", "Park"), "zones": ("区域", "Zone"),
               "investments": ("投资项", "Investment item"), "products": ("一区一品", "District product")}  # fmt: skip
UP, DOWN, SAME = QColor("#1f5fa8"), QColor("#b3261e"), QColor("#8a8f96")
#: Where the raw value of a cell is kept (tests read it; the text is formatted).
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
HEADING_BACKGROUND = QColor("#e8edf2")


def format_value(figure: str, value: Any) -> str:
    """A figure's value as the table shows it ("—" for none)."""
    if value is None:
        return "—"
    return FIGURES[figure][2].format(value)


def format_delta(figure: str, value: Any) -> str:
    """A difference as the table shows it: signed, "0" when none."""
    if value is None:
        return "—"
    text = format_value(figure, abs(value))
    if text.strip("0.,") == "":
        return "0"
    return ("+" if value > 0 else "−") + text


@dataclass(frozen=True)
class FigureRow:
    """One row of the figures table: a region's figure in the other scenario and this one."""

    region: str  # "city", "other", an adcode, or a zone id
    region_label: str
    figure: str  # a key of FIGURES, or "product"
    a: Any
    b: Any
    delta: Any

    @property
    def differs(self) -> bool:
        if self.figure == "product" or self.delta is None:
            return self.a != self.b
        return format_delta(self.figure, self.delta) != "0"


def figure_rows(data: dict[str, Any]) -> list[FigureRow]:
    """The rows of the figures tab: the city, each district, then 其他 (what no district holds) when it holds any."""
    en = language() == "en"
    rows: list[FigureRow] = []
    city = {**data["city"], **data["totals"]}
    for k in CITY_ORDER:
        v = city[k]
        rows.append(FigureRow("city", tr("全市", "City"), k, v["a"], v["b"], v["delta"]))
    for d in data["districts"]:
        label = printable(d["name_en"] if en else d["name"])
        for k in DISTRICT_ORDER:
            v = d[k]
            rows.append(FigureRow(d["adcode"], label, k, v["a"], v["b"], v["delta"]))
        if d["product"]["changed"]:
            p = d["product"]
            rows.append(FigureRow(d["adcode"], label, "product", p["a"], p["b"], None))
    other = data["other"]
    if any(other[k][x] for k in OTHER_ORDER for x in "ab"):
        label = tr("其他（全市性/海上）", "Other (citywide / at sea)")
        for k in OTHER_ORDER:
            v = other[k]
            rows.append(FigureRow("other", label, k, v["a"], v["b"], v["delta"]))
    return rows


def zone_rows(data: dict[str, Any]) -> list[FigureRow]:
    """The rows of the zones tab: each zone of this scenario, priority zones first."""
    zones = sorted(data["zones"], key=lambda z: z["kind"] != "priority")
    return [
        FigureRow(z["id"], printable(z["name"]), k, z[k]["a"], z[k]["b"], z[k]["delta"])
        for z in zones
        for k in ZONE_ORDER
    ]


@dataclass(frozen=True)
class FeatureRow:
    """One feature that differs: how (a key of CHANGES), its layer and id, a name and what changed."""

    change: str
    layer: str
    key: str
    name: str
    detail: str


def feature_rows(data: dict[str, Any], this: Any, other: Any) -> list[FeatureRow]:
    """The features that differ (added, removed, moved, changed, then the 一区一品 products), named from whichever
    scenario holds them (``this`` is the current scenario, ``other`` the compared one)."""
    rows: list[FeatureRow] = []
    for change in CHANGES:
        for layer, ch in data["features"].items():
            if layer == "products":
                continue
            if change == "changed":
                ids = [fid for fid in ch["changed"] if fid not in ch["moved"]]
            else:
                ids = ch[change]
            for fid in ids:
                feature = (other if change == "removed" else this).layer(layer).get(fid)
                if change == "moved":
                    fields = [f for f in ch["changed"].get(fid, []) if f not in ("lon", "lat", "geometry")]
                    detail = f"{ch['moved_m'][fid]:,.1f} m" + (f" · {_fields(fields)}" if fields else "")
                elif change == "changed":
                    detail = _fields(ch["changed"][fid])
                else:
                    detail = ""
                rows.append(FeatureRow(change, layer, fid, _feature_name(layer, feature), detail))
    names = {d.adcode: (d.name_en if language() == "en" else d.name_zh) for d in districts()}
    for adcode, p in data["features"]["products"].items():
        detail = f"{printable(p['from'] or '—')} → {printable(p['to'] or '—')}"
        rows.append(FeatureRow("changed", "products", adcode, names.get(adcode, adcode), detail))
    return rows


def _fields(names: list[str]) -> str:
    """Field names as the attributes form shows them."""
    return tr("、", ", ").join(tr(*vocab.FIELD_LABELS.get(n, (n, n))) for n in names)


def _feature_name(layer: str, feature: Any) -> str:
    if feature is None:
        return ""
    if layer == "sites":
        return style.kind_label(vocab.SITE_KINDS, feature.kind)
    if layer == "investments":
        return printable(feature.project)
    return printable(feature.name)


class FeatureModel(QAbstractTableModel):
    """The features that differ, as a table model (tens of thousands of rows stay fast)."""

    HEADERS = (("变化", "Change"), ("图层", "Layer"), ("编号", "ID"), ("名称", "Name"), ("详情", "Details"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[FeatureRow] = []

    def set_rows(self, rows: list[FeatureRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(*self.HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (tr(*CHANGES[row.change]), tr(*LAYER_NAMES[row.layer]), row.key, row.name, row.detail)[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return {"added": UP, "removed": DOWN}.get(row.change)
        if role == Qt.ItemDataRole.ToolTipRole and col == 4 and row.detail:
            return row.detail
        return None


def _table(headers: tuple[tuple[str, str], ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    for col, (zh, en) in enumerate(headers):
        table.setHorizontalHeaderItem(col, QTableWidgetItem(tr(zh, en)))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    _compact(table)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class ComparePanel(QWidget):
    """The comparison of the current scenario with another (see the module docstring)."""

    #: A feature row was chosen: (change, layer, id) — layer "products" with an adcode for a district's product.
    chosen = Signal(str, str, str)

    FIGURE_HEADERS = (("指标", "Figure"), ("对比方案", "Other"), ("本方案", "This"), ("差值", "Δ"))

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: dict[str, Any] | None = None  # the comparison shown
        self.rows: list[FigureRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.heading)
        bar = QHBoxLayout()
        self.buttons: list[QToolButton] = []
        for action in actions:
            if action is None:
                bar.addStretch(1)
                continue
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
            self.buttons.append(button)
        layout.addLayout(bar)

        self.only_differences = QCheckBox(tr("仅显示有差异的指标", "Only figures that differ"))
        self.only_differences.toggled.connect(lambda _on: self._fill_figures())
        layout.addWidget(self.only_differences)
        self.tabs = QTabWidget()
        self.figure_table = _table(self.FIGURE_HEADERS)
        self.zone_table = _table(self.FIGURE_HEADERS)
        self.target_table = _table((("目标", "Target"), ("年份", "Year"), ("对比方案", "Other"), ("本方案", "This"),
                                    ("目标值", "Target")))  # fmt: skip
        self.features = FeatureModel(self)
        self.feature_view = QTableView()
        self.feature_view.setModel(self.features)
        self.feature_view.verticalHeader().setVisible(False)
        self.feature_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.feature_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.feature_view.setAlternatingRowColors(True)
        self.feature_view.setWordWrap(False)
        _compact(self.feature_view)
        self.feature_view.horizontalHeader().setStretchLastSection(True)
        self.feature_view.setToolTip(tr("选中一行：在地图上选中并缩放至该要素", "Pick a row to select and zoom to it"))
        self.feature_view.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.features_summary = QLabel()
        self.features_summary.setStyleSheet("color: #555;")
        features_tab = QWidget()
        v = QVBoxLayout(features_tab)
        v.setContentsMargins(0, 4, 0, 0)
        v.addWidget(self.features_summary)
        v.addWidget(self.feature_view, 1)
        self.tabs.addTab(self.figure_table, tr("区县", "Districts"))
        self.tabs.addTab(self.zone_table, tr("区域", "Zones"))
        self.tabs.addTab(self.target_table, tr("目标", "Targets"))
        self.tabs.addTab(features_tab, tr("要素变化", "Features"))
        layout.addWidget(self.tabs, 1)

    # -- contents ---------------------------------------------------------------------------------------
    def show_comparison(self, data: dict[str, Any], this: Any, other: Any, *, this_name: str, other_name: str) -> None:
        """Show ``data`` (:func:`compare` of ``other`` → ``this``); ``*_name`` head the columns."""
        self.data = data
        year = data["year"]
        self.heading.setText(
            tr(
                f"<b>对比方案</b>（只读）：{_html(other_name)}<br><b>本方案</b>：{_html(this_name)}"
                f"<br><span style='color:#555'>截至 {year} 年底 · 差值 = 本方案 − 对比方案</span>",
                f"<b>Other</b> (read-only): {_html(other_name)}<br><b>This</b>: {_html(this_name)}"
                f"<br><span style='color:#555'>As of end-{year} · Δ = this − other</span>",
            )
        )
        self.rows = figure_rows(data)
        self.zones = zone_rows(data)
        self._fill_figures()
        self._fill_targets(data["targets"])
        selected = self.current_feature()
        rows = feature_rows(data, this, other)
        self.features.set_rows(rows)
        self._fit_feature_columns(rows)
        counts = {c: sum(1 for r in rows if r.change == c) for c in CHANGES}
        self.features_summary.setText(
            tr(
                f"新增 {counts['added']:,} · 删除 {counts['removed']:,} · 移动 {counts['moved']:,} · "
                f"修改 {counts['changed']:,}",
                f"added {counts['added']:,} · removed {counts['removed']:,} · moved {counts['moved']:,} · "
                f"changed {counts['changed']:,}",
            )
        )
        if selected is not None:  # the row the planner was on stays chosen (without zooming again)
            at = next((i for i, r in enumerate(rows) if (r.change, r.layer, r.key) == selected), None)
            if at is not None:
                self.feature_view.selectionModel().blockSignals(True)
                self.feature_view.selectRow(at)
                self.feature_view.selectionModel().blockSignals(False)
                self.feature_view.scrollTo(self.features.index(at, 0))

    def _fit_feature_columns(self, rows: list[FeatureRow]) -> None:
        """Column widths from the longest texts (measuring every cell of 40,000 rows would take seconds)."""
        fm = self.feature_view.fontMetrics()
        header = self.feature_view.horizontalHeader()
        longest = (
            [tr(*c) for c in CHANGES.values()],
            [tr(*n) for n in LAYER_NAMES.values()],
            [max((r.key for r in rows), key=len, default="")],
            [max((r.name for r in rows), key=len, default="")],
        )
        for col, texts in enumerate(longest):
            heading = tr(*FeatureModel.HEADERS[col])
            width = max(fm.horizontalAdvance(t) for t in [*texts, heading]) + 18
            header.resizeSection(col, min(width, 200))

    def _fill_figures(self) -> None:
        only = self.only_differences.isChecked()
        self._fill(self.figure_table, [r for r in self.rows if r.differs or not only])
        self._fill(self.zone_table, [r for r in getattr(self, "zones", []) if r.differs or not only])

    def _fill(self, table: QTableWidget, rows: list[FigureRow]) -> None:
        """A heading row per region (spanning the table), then its figures: other, this, delta."""
        bold = QFont(table.font())
        bold.setBold(True)
        table.clearSpans()
        heads = len({r.region for r in rows})
        table.setRowCount(len(rows) + heads)
        previous, i = None, 0
        for row in rows:
            if row.region != previous:
                previous = row.region
                table.setSpan(i, 0, 1, table.columnCount())
                self._set(table, i, 0, row.region_label, (row.region, None), bold, HEADING_BACKGROUND)
                for col in range(1, table.columnCount()):
                    table.takeItem(i, col)
                i += 1
            if row.figure == "product":
                label = tr("一区一品", "Product")
                texts = (_short(row.a or "—"), _short(row.b or "—"), tr("已修改", "changed"))
            else:
                label = tr(*FIGURES[row.figure][:2])
                texts = (format_value(row.figure, row.a), format_value(row.figure, row.b),
                         format_delta(row.figure, row.delta))  # fmt: skip
            self._set(table, i, 0, label, (row.region, row.figure), table.font(), None)
            for col, (text, value) in enumerate(zip(texts, (row.a, row.b, row.delta), strict=True), start=1):
                item = self._set(table, i, col, text, value, bold if col == 3 and row.differs else table.font(), None)
                item.setTextAlignment(_RIGHT)
                if row.figure == "product" and col < 3:
                    item.setToolTip(printable(value or "—"))
                if col == 3:
                    item.setForeground(SAME if not row.differs else UP if (row.delta or 0) >= 0 else DOWN)
            i += 1

    @staticmethod
    def _set(
        table: QTableWidget, row: int, col: int, text: str, value: Any, font: QFont, background
    ) -> QTableWidgetItem:
        item = table.item(row, col)
        if item is None:
            item = QTableWidgetItem()
            table.setItem(row, col, item)
        item.setText(text)
        item.setData(VALUE_ROLE, value)
        item.setFont(font)
        item.setToolTip("")
        item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        item.setData(Qt.ItemDataRole.BackgroundRole, background)
        item.setData(Qt.ItemDataRole.ForegroundRole, None)
        return item

    def _fill_targets(self, targets: list[dict[str, Any]]) -> None:
        table = self.target_table
        table.setRowCount(len(targets))
        for i, t in enumerate(targets):
            texts = (printable(t["label"]), str(t["year"]), _number(t["a"]), _number(t["b"]), _number(t["target"]))
            for col, text in enumerate(texts):
                item = table.item(i, col)
                if item is None:
                    item = QTableWidgetItem()
                    table.setItem(i, col, item)
                item.setText(text)
                item.setData(VALUE_ROLE, (t["label"], t["year"], t["a"], t["b"], t["target"])[col])
                if col >= 1:
                    item.setTextAlignment(_RIGHT)

    # -- reading what is shown (for the controller and tests) -------------------------------------------
    def figure_cells(self, region: str, figure: str, table: QTableWidget | None = None) -> tuple[Any, ...] | None:
        """(other, this, delta) as shown for ``figure`` of ``region`` — three texts, then the three raw values — or
        None if the table does not show it."""
        table = table or self.figure_table
        for i in range(table.rowCount()):
            if table.item(i, 0).data(VALUE_ROLE) == (region, figure):
                cells = [table.item(i, c) for c in (1, 2, 3)]
                return tuple(c.text() for c in cells) + tuple(c.data(VALUE_ROLE) for c in cells)
        return None

    def feature_row_of(self, change: str, layer: str, key: str) -> int | None:
        """The row of a feature in the features list, if it is listed."""
        return next(
            (i for i, r in enumerate(self.features.rows) if (r.change, r.layer, r.key) == (change, layer, key)), None
        )

    def choose_feature(self, row: int) -> None:
        """Pick row ``row`` of the features list (as a click does)."""
        self.tabs.setCurrentIndex(3)
        self.feature_view.selectRow(row)
        index = self.features.index(row, 0)
        self.feature_view.scrollTo(index)
        QTimer.singleShot(0, self.feature_view, lambda: self.feature_view.scrollTo(index))  # once the tab is laid out

    def current_feature(self) -> tuple[str, str, str] | None:
        index = self.feature_view.selectionModel().currentIndex()
        if not index.isValid() or index.row() >= len(self.features.rows):
            return None
        r = self.features.rows[index.row()]
        return (r.change, r.layer, r.key)

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and current.row() < len(self.features.rows):
            r = self.features.rows[current.row()]
            self.chosen.emit(r.change, r.layer, r.key)


def _compact(view: QAbstractItemView) -> None:
    """Rows one line of text high: a long list shows more of itself."""
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)


def _short(text: str, n: int = 10) -> str:
    text = printable(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _number(v: Any) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _html(text: str) -> str:
    import html

    return html.escape(printable(text))
