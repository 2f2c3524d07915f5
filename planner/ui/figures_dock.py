"""The live figures: per-district table, city totals, priority zones, target progress, the target gap (its own
tab, :mod:`planner.ui.gap_panel`), and the year slider.

Every number is a value of :func:`planner.analysis.summary.summary` for the session's scenario, year and engine,
so the dock shows exactly what ``python main.py summary FILE --year Y --json`` prints. The dock follows the
session's events; a burst of them (a drag) is folded into one refresh at the next turn of the event loop.
"""

from __future__ import annotations

import math
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planner.domain.indicators import MAP_INDICATORS
from planner.session import FiguresUpdated, ScenarioEdited, ScenarioReplaced, Session, YearChanged
from planner.textsafe import printable
from planner.ui.binding import SessionLink
from planner.ui.gap_panel import GapPanel
from planner.ui.i18n import language, tr

#: District table columns: (heading zh, heading en, summary key, format).
DISTRICT_COLUMNS = (
    ("区县", "District", "name", "{}"),
    ("5G 覆盖", "5G %", "coverage_5g_pct", "{:.1f}"),
    ("5G-A 覆盖", "5G-A %", "coverage_5ga_pct", "{:.1f}"),
    ("F5G 覆盖", "F5G %", "coverage_f5g_pct", "{:.1f}"),
    ("站点", "Sites", "sites", "{:,}"),
    ("每万人站点", "Sites/10k", "sites_per_10k", "{:.1f}"),
    ("园区", "Parks", "parks", "{:,}"),
    ("投资 (亿元)", "Invest. (100M CNY)", "investment_yi", "{:,.2f}"),
)
ZONE_COLUMNS = (
    ("区域", "Zone", "name", "{}"),
    ("面积 km²", "km²", "area_km2", "{:,.1f}"),
    ("5G-A 覆盖", "5G-A %", "coverage_5ga_pct", "{:.1f}"),
    ("F5G 覆盖", "F5G %", "coverage_f5g_pct", "{:.1f}"),
    ("双万兆", "Dual %", "coverage_dual_pct", "{:.1f}"),
)
#: Figures refresh at most this often while edits keep coming (seconds).
MIN_REFRESH_S = 0.2
#: Progress colours: reached, within reach (≥ 80 %), behind; not tracked.
GREEN, AMBER, RED, GREY = "#2e7d32", "#e0a100", "#c62828", "#9e9e9e"


def share_colour(share: float | None) -> str:
    """The traffic-light colour of a target's share (value / target)."""
    if share is None:
        return GREY
    return GREEN if share >= 1.0 else AMBER if share >= 0.8 else RED


def _cell(value: Any, fmt: str) -> str:
    return "—" if value is None else fmt.format(value)


def _table(columns: tuple) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    for col, (zh, en, _key, _fmt) in enumerate(columns):
        table.setHorizontalHeaderItem(col, QTableWidgetItem(tr(zh, en)))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, columns: tuple, rows: list[dict], bold_last: bool = False) -> None:
    table.setRowCount(len(rows))
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for r, row in enumerate(rows):
        for c, (_zh, _en, key, fmt) in enumerate(columns):
            item = table.item(r, c)
            if item is None:
                item = QTableWidgetItem()
                table.setItem(r, c, item)
            item.setText(_cell(row.get(key), fmt))
            if c:
                item.setTextAlignment(right)
            font = item.font()
            font.setBold(bold_last and r == len(rows) - 1)
            item.setFont(font)


class FiguresPanel(QWidget):
    """The figures of the session's scenario as of its year, kept current by its events."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._link = SessionLink(self)
        self.data: dict[str, Any] | None = None  # the summary shown
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.refresh)
        self._refreshed_at = -math.inf

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        year_row = QHBoxLayout()
        self.year_label = QLabel()
        self.year_slider = QSlider(Qt.Orientation.Horizontal)
        self.year_slider.setPageStep(1)
        self.year_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.year_slider.setToolTip(
            "地图与所有数字显示该年底的情景 · The map and every figure as of the end of this year"
        )
        self.year_slider.valueChanged.connect(self._year_moved)
        year_row.addWidget(QLabel(tr("年份", "Year")))
        year_row.addWidget(self.year_slider, 1)
        year_row.addWidget(self.year_label)
        layout.addLayout(year_row)

        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")
        layout.addWidget(self.status)
        self.tabs = QTabWidget()
        self.district_table = _table(DISTRICT_COLUMNS)
        self.zone_table = _table(ZONE_COLUMNS)
        self.targets = QScrollArea()  # a long list: it scrolls instead of stretching the window
        self.targets.setWidgetResizable(True)
        inner = QWidget()
        self.targets_layout = QVBoxLayout(inner)
        self.targets_layout.setContentsMargins(4, 4, 4, 4)
        self.targets.setWidget(inner)
        self.tabs.addTab(self.district_table, tr("区县", "Districts"))
        self.tabs.addTab(self.zone_table, tr("区域", "Zones"))
        self.tabs.addTab(self.targets, tr("目标", "Targets"))
        self.gap = GapPanel(session)  # works out the gap (and its cost) only while its tab is on screen
        self.tabs.addTab(self.gap, tr("差距", "Gap"))
        layout.addWidget(self.tabs, 1)
        self.bars: dict[tuple[str, int], QProgressBar] = {}
        self._stretched = False
        self._link.attach(session, self._on_event)
        self._sync_years()

    def detach(self) -> None:
        """Stop following the session (the window is closed or handed over)."""
        self._link.detach()
        self.gap.detach()

    # -- events -----------------------------------------------------------------------------------------
    def _on_event(self, event: object) -> None:
        if isinstance(event, ScenarioReplaced | YearChanged):
            self._sync_years()
        if isinstance(event, ScenarioEdited | FiguresUpdated | ScenarioReplaced | YearChanged):
            self._schedule()

    def _schedule(self) -> None:
        """Refresh at the next turn of the event loop — but during a burst of edits (a drag) at most every
        :data:`MIN_REFRESH_S`, so the figures (~40 ms for the baseline) never hold up the drawing of the drag."""
        if self._pending.isActive():
            return
        wait = MIN_REFRESH_S - (time.perf_counter() - self._refreshed_at)
        self._pending.start(round(1000 * max(0.0, wait)))

    def _sync_years(self) -> None:
        low, high = self.session.years()
        self.year_slider.blockSignals(True)
        self.year_slider.setRange(low, high)
        self.year_slider.setValue(self.session.year)
        self.year_slider.blockSignals(False)
        self.year_label.setText(f"<b>{self.session.year}</b>")

    def _year_moved(self, year: int) -> None:
        self.year_label.setText(f"<b>{year}</b>")
        self.session.set_year(year)

    # -- contents ---------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the current figures (builds the engine if it is not built yet)."""
        self._pending.stop()
        self._refreshed_at = time.perf_counter()
        s = self.session
        self.data = data = s.summary()
        totals = data["totals"]
        city = dict(
            data["city"], name=tr("全市", "City"), parks=totals["parks"], investment_wan=totals["investment_wan"]
        )
        rows = list(data["districts"])
        if any(data["other"].values()):
            rows.append(dict(data["other"], name=tr("其他（全市性/海上）", "Other (citywide / at sea)")))
        # 亿元 (100 million yuan) keeps the column narrow; summary --json gives 万元, 1 亿元 = 10,000 万元.
        rows = [dict(r, investment_yi=r["investment_wan"] / 1e4) for r in rows]
        if language() == "en":
            rows = [dict(r, name=r.get("name_en", r["name"])) for r in rows]
        city["investment_yi"] = city["investment_wan"] / 1e4
        _fill(self.district_table, DISTRICT_COLUMNS, [*rows, city], bold_last=True)
        zones = [z for z in data["zones"] if z["kind"] == "priority"] + [
            z for z in data["zones"] if z["kind"] != "priority"
        ]
        _fill(self.zone_table, ZONE_COLUMNS, zones)
        self._fill_targets(data["targets"])
        y, n_sites, n_parks, inv = (
            data["scenario"]["year"],
            totals["sites"],
            totals["parks"],
            totals["investment_wan"] / 1e4,
        )
        self.status.setText(
            tr(f"{y} 年底 · 站点 {n_sites:,} · 园区 {n_parks} · 投资 {inv:,.2f} 亿元",
               f"End of {y} · {n_sites:,} sites · {n_parks} parks · investment {inv:,.2f} × 100M CNY")
        )  # fmt: skip

    def _fill_targets(self, targets: list[dict]) -> None:
        seen = set()
        for t in targets:
            key = (t["key"], t["year"])
            seen.add(key)
            bar = self.bars.get(key)
            if bar is None:
                bar = QProgressBar()
                bar.setRange(0, 100)
                bar.setTextVisible(True)
                label = QLabel(f"{tr(t['label'], t['label_en'])} · {t['year']}")
                label.setWordWrap(True)
                at = self.targets_layout.count() - (1 if self._stretched else 0)  # above the closing stretch
                self.targets_layout.insertWidget(at, label)
                self.targets_layout.insertWidget(at + 1, bar)
                self.bars[key] = bar
            share = t["share"]
            if share is None:
                bar.setValue(0)
                goal = f"{t['target']:,} {t['unit']}"
                if t["key"] in MAP_INDICATORS:
                    bar.setFormat(tr(f"未在图上统计 · 目标 {goal}", f"not tracked · target {goal}"))
                else:  # the planner can give it a value: say where
                    zh, en = (
                        f"未填报 · 目标 {goal}（规划 ▸ 指标填报）",
                        f"not reported · target {goal} (Plan ▸ Reported values)",
                    )
                    bar.setFormat(tr(zh, en))
            else:
                bar.setValue(min(100, round(100 * share)))
                value = t["value"]
                shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
                as_of = ""
                if self.session.year < t["year"]:  # progress so far: say so, the 差距 tab counts to the target year
                    as_of = tr(f"（截至 {self.session.year} 年）", f" (as of {self.session.year})")
                bar.setFormat(f"{shown} / {t['target']:,} {t['unit']} · {100 * share:.0f}%{as_of}")
            bar.setToolTip(printable(t.get("note") or ""))
            colour = share_colour(share)
            bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }} QProgressBar {{ text-align: center; }}")
            bar.setProperty("colour", colour)
        for key in list(self.bars):
            if key not in seen:
                self.bars.pop(key).setVisible(False)
        if not self._stretched:
            self.targets_layout.addStretch(1)
            self._stretched = True

    def district_value(self, adcode: str, key: str) -> Any:
        """The shown value of ``key`` for a district (for tests and tooltips)."""
        assert self.data is not None
        return next(d[key] for d in self.data["districts"] if d["adcode"] == adcode)

    def cell_text(self, row: int, col: int) -> str:
        """The text of a cell of the district table."""
        item = self.district_table.item(row, col)
        return item.text() if item is not None else ""
