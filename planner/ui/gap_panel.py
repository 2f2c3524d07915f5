"""The figures dock's 差距 (target gap) tab: what stands between the scenario and a year's targets, and its cost.

The numbers are :func:`planner.analysis.gap.target_gap`'s — the same as ``python main.py gap FILE --year Y``
and the brief's 目标差距 sheet. Working them out takes a second or two (the gap-fill siting of each priority zone),
so it runs on a worker thread, on a copy of the scenario as it was, while the tab is on screen: an edit marks the
figures out of date and, after a short pause, starts a new run, cancelling the one still going. The planner
never waits for it.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.session import ScenarioEdited, ScenarioReplaced, Session, YearChanged
from planner.textsafe import printable
from planner.ui.background import BackgroundRun
from planner.ui.binding import SessionLink
from planner.ui.i18n import language, tr

#: Quiet time after an edit before the gap is worked out again (milliseconds).
DEBOUNCE_MS = 600
#: Target table columns (zh, en).
COLUMNS = (
    ("目标", "Target"),
    ("目标值", "Target"),
    ("当前值", "Value"),
    ("差距", "Gap"),
    ("补齐费用 万元", "Cost (10k CNY)"),
    ("测算方法 / 说明", "How it is costed"),
)
ZONE_COLUMNS = (
    ("重点区域", "Priority zone"),
    ("双万兆 %", "Dual %"),
    ("新增 5G-A 站点", "New 5G-A sites"),
    ("5G-A 万元", "5G-A cost"),
    ("F5G 待覆盖 km²", "F5G km² to cover"),
    ("F5G 万元", "F5G cost"),
)
GREY, GREEN = QColor("#8a8f94"), QColor("#2e7d32")


def _item(text: str, *, number: bool = False, colour: QColor | None = None, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if colour is not None:
        item.setForeground(QBrush(colour))
    if bold:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    return item


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 or abs(v) >= 1000 else f"{v:,.1f}"


def _wan(v: float | None) -> str:
    """A cost in 万元, to the 万元 (the catalogue's unit costs are no finer)."""
    return "—" if v is None else f"{v:,.0f}"


def _table(columns) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels([tr(zh, en) for zh, en in columns])
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setWordWrap(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


class GapPanel(QWidget):
    """The 差距 tab: the target year, the gap and cost of each of its targets, the priority zones, the total."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.report = None  # the GapReport shown
        self.stale = True
        self._link = SessionLink(self)
        self._worker = BackgroundRun("gap", self)
        self._worker.progressed.connect(self._progressed)
        self._worker.finished.connect(self._finished)
        self._worker.failed.connect(self._failed)
        self._running: int | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.compute)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("目标年份", "Target year")))
        self.year_box = QComboBox()
        self.year_box.currentIndexChanged.connect(lambda _i: self._year_chosen())
        top.addWidget(self.year_box)
        self.state = QLabel()
        self.state.setStyleSheet("color: #555;")
        top.addWidget(self.state, 1)
        layout.addLayout(top)
        self.table = _table(COLUMNS)
        layout.addWidget(self.table, 3)
        # The chosen row's method and note in full: in a narrow dock the last column is cut.
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: #444; padding: 2px;")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)
        self._rows_tips: list[str] = []
        self.table.currentCellChanged.connect(lambda row, *_: self._show_detail(row))
        self.zone_table = _table(ZONE_COLUMNS)
        layout.addWidget(self.zone_table, 2)
        self.total = QLabel()
        self.total.setWordWrap(True)
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.total)
        self._chosen_year: int | None = None  # a year the planner picked (else it follows the session's)
        self._link.attach(session, self._on_event)
        self._fill_years()

    def detach(self) -> None:
        """Stop following the session, and cancel a run still going."""
        self._timer.stop()
        self._worker.stop()
        self._running = None
        self._link.detach()

    # -- events -------------------------------------------------------------------------------------------
    def _on_event(self, event: object) -> None:
        if isinstance(event, ScenarioReplaced):
            self._chosen_year = None
            self._fill_years()
        if isinstance(event, ScenarioEdited | ScenarioReplaced):
            self._mark_stale()
        elif isinstance(event, YearChanged) and self._chosen_year is None:
            self._fill_years()

    def _fill_years(self) -> None:
        from planner.analysis.gap import default_gap_year, target_years

        years = target_years(self.session.scenario)
        self.year_box.blockSignals(True)
        self.year_box.clear()
        for y in years:
            self.year_box.addItem(tr(f"{y} 年", str(y)), y)
        if years:
            want = self._chosen_year or default_gap_year(self.session.scenario, self.session.year)
            self.year_box.setCurrentIndex(max(0, self.year_box.findData(want)))
        self.year_box.blockSignals(False)
        if not years:
            self.state.setText(tr("情景没有官方目标", "The scenario has no official targets"))
        if years and self.year() != (self.report.year if self.report else None):
            self._mark_stale()

    def _year_chosen(self) -> None:
        self._chosen_year = self.year()
        self._mark_stale()

    def year(self) -> int | None:
        """The target year shown."""
        y = self.year_box.currentData()
        return int(y) if y is not None else None

    def _mark_stale(self) -> None:
        self.stale = True
        if self.report is not None:
            self.state.setText(tr("情景已修改，正在更新…", "The scenario changed: updating…"))
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:
        """Work the gap out when the tab comes on screen and it is out of date."""
        super().showEvent(event)
        if self.stale and not self._timer.isActive() and self._running is None:
            self._timer.start(0)

    def hideEvent(self, event) -> None:
        """Off screen nothing needs the figures: stop working them out."""
        super().hideEvent(event)
        self._timer.stop()

    # -- running ------------------------------------------------------------------------------------------
    def compute(self) -> int | None:
        """Start working out the gap for the chosen year (cancelling a run still going); the run's number."""
        self._timer.stop()
        year = self.year()
        if year is None:
            return None
        from planner.analysis.gap import target_gap

        self.stale = False
        snapshot = self.session.scenario.copy()
        self._running = self._worker.start(
            lambda progress, cancelled: target_gap(snapshot, year, progress=progress, cancelled=cancelled)
        )
        self.state.setText(tr("正在测算…", "Working it out…"))
        return self._running

    @property
    def busy(self) -> bool:
        """Whether a run is going."""
        return self._running is not None

    def _progressed(self, run: int, fraction: float) -> None:
        if run == self._running:
            self.state.setText(tr(f"正在测算… {100 * fraction:.0f}%", f"Working it out… {100 * fraction:.0f}%"))

    def _failed(self, run: int, message: str) -> None:
        if run == self._running:
            self._running = None
            self.state.setText(tr("测算失败：", "Could not work it out: ") + message)

    def _finished(self, run: int, report) -> None:
        if run != self._running:
            return  # an older run that finished before it saw the cancel
        self._running = None
        self.show_report(report)
        if self.stale and self.isVisible():
            self._timer.start()

    # -- contents -----------------------------------------------------------------------------------------
    def show_report(self, report) -> None:
        """Show ``report`` (a GapReport)."""
        self.report = report
        en = language() == "en"
        self.table.setRowCount(len(report.rows))
        tips: list[str] = []
        for i, r in enumerate(report.rows):
            grey = GREY if r.cost_wan is None else None
            label = r.label_en if en and r.label_en else r.label_zh
            gap = tr("已达成", "reached") if r.reached else _num(r.gap)
            if r.cost_wan is None:
                cost, how = tr("不测算", "not costed"), r.reason
            else:
                cost = _wan(r.cost_wan) + (" *" if r.assumption and r.cost_wan else "")
                how = r.method if r.counted else f"{r.method}；{tr('不重复计入合计', 'not counted twice')}"
            cells = [
                _item(f"{label} ({r.unit})", colour=grey),
                _item(_num(r.target), number=True, colour=grey),
                _item(_num(r.value), number=True, colour=grey),
                _item(gap, number=True, colour=GREEN if r.reached else grey),
                _item(cost, number=True, colour=grey),
                _item(how, colour=grey),
            ]
            tip = "\n".join(filter(None, [how, r.note]))
            tips.append(tip)
            for j, c in enumerate(cells):
                c.setToolTip(tip)
                self.table.setItem(i, j, c)
        self._rows_tips = tips
        self._show_detail(self.table.currentRow())
        self.zone_table.setRowCount(len(report.zones))
        for i, z in enumerate(report.zones):
            values = [z.name, f"{z.coverage_dual_pct:.1f}", f"{z.sites:,}", _wan(z.sites_capex_wan),
                      f"{z.f5g_km2:,.1f}", _wan(z.f5g_capex_wan)]  # fmt: skip
            for j, v in enumerate(values):
                self.zone_table.setItem(i, j, _item(v, number=j > 0))
        self.zone_table.setVisible(bool(report.zones))
        total, yi = report.total_wan, report.total_wan / 10_000
        text = tr(
            f"<b>合计 {total:,.0f} 万元（{yi:,.2f} 亿元）</b>",
            f"<b>Total {total:,.0f} 万元 ({yi:,.2f} 亿元)</b>",
        )
        if report.assumption:
            text += tr("；* 含假设单价（见目录）", "; * includes assumed unit costs (see the catalogue)")
        uncosted = [r for r in report.rows if r.cost_wan is None and not r.reached]
        if uncosted:
            text += tr(f"；{len(uncosted)} 项非空间目标不测算", f"; {len(uncosted)} non-spatial targets not costed")
        for n in report.notes:
            text += "<br>" + html.escape(printable(n))
        self.total.setText(text)
        self.state.setText(
            tr(
                f"{report.year} 年目标 · 已是最新",
                f"Targets of {report.year} · up to date",
            )
        )

    def _show_detail(self, row: int) -> None:
        if 0 <= row < len(self._rows_tips):
            label, tip = html.escape(self.table.item(row, 0).text()), html.escape(self._rows_tips[row])
            self.detail.setText(f"<b>{label}</b>：{tip}".replace("\n", "<br>"))
        else:
            self.detail.setText(tr("选择一行，查看其测算方法与说明", "Choose a row to read how it is costed"))

    def cell_text(self, row: int, col: int) -> str:
        """The text of a cell of the target table (for tests)."""
        item = self.table.item(row, col)
        return item.text() if item is not None else ""
