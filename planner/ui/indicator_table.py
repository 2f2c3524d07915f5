"""指标填报 (reported values): the dock where the planner enters the targets the map cannot measure.

The table lists ``session.scenario.reported`` (:mod:`planner.domain.indicators`) — indicator, year, district, value,
unit, source, note — and follows the session's events, so an undo made anywhere (Edit ▸ Undo, the history) shows
at once. Editing a value, source or note pushes one ``set_reported_value`` command through the session; 添加 Add
enters a new value (indicator, year, district), 删除 Delete clears the selected ones (one undo step). The model is
never written here: the scenario is the single source of truth, and the figures dock's targets, the gap and the
Excel brief read the same reports.

``install_indicators(window)`` adds the dock (hidden at first, at the bottom beside the attribute tables) and
规划 ▸ 指标填报… (Ctrl+Shift+I), and returns the dock; the window's ``detach`` should call its :meth:`detach`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.domain import commands as cmd
from planner.domain.checks import MAX_YEAR, MIN_YEAR
from planner.domain.indicators import (
    ReportedValue,
    district_names,
    is_cumulative,
    label,
    make_key,
    parse_value,
    reportable,
    target_keys,
)
from planner.session import ScenarioEdited, ScenarioReplaced, Session
from planner.textsafe import printable
from planner.ui.attributes import readable
from planner.ui.binding import SessionLink
from planner.ui.i18n import tr
from planner.ui.widgets import plan_menu

Index = QModelIndex | QPersistentModelIndex

#: Columns: (field, heading zh, heading en).
COLUMNS = (
    ("indicator", "指标", "Indicator"),
    ("year", "年份", "Year"),
    ("adcode", "区县", "District"),
    ("value", "数值", "Value"),
    ("unit", "单位", "Unit"),
    ("source", "来源", "Source"),
    ("note", "备注", "Note"),
)
EDITABLE = ("value", "source", "note")


def _format(value: float) -> str:
    """A value as the table shows it: thousands separators, decimals only where there are any."""
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.4f}".rstrip("0").rstrip(".")


def district_label(adcode: str) -> str:
    """A district's name in the interface language, or 全市 City for a city-wide figure."""
    if not adcode:
        return tr("全市", "City")
    zh, en = district_names().get(adcode, (adcode, adcode))
    return tr(zh, en)


class ReportedTableModel(QAbstractTableModel):
    """The scenario's reported values as rows (by indicator, year, district), the :data:`COLUMNS` as columns."""

    #: A message for the user (a refused edit).
    message = Signal(str)

    def __init__(self, session: Session, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self.keys: list[str] = []
        self._link = SessionLink(self)
        self._link.attach(session, self._on_event)
        self._reset()

    def detach(self) -> None:
        """Stop following the session."""
        self._link.detach()

    # -- rows -------------------------------------------------------------------------------------------
    def _reset(self) -> None:
        self.beginResetModel()
        s = self.session.scenario
        order = {k: i for i, k in enumerate(reportable(target_keys(s)))}
        self.keys = sorted(
            s.reported,
            key=lambda k: (order.get(s.reported[k].indicator, len(order)), s.reported[k].indicator,
                           s.reported[k].year, s.reported[k].adcode),
        )  # fmt: skip
        self.endResetModel()

    def _on_event(self, event: object) -> None:
        if isinstance(event, ScenarioReplaced) or (
            isinstance(event, ScenarioEdited) and any(ch.collection == "reported" for ch in event.changes)
        ):
            self._reset()  # a few dozen rows: rebuilt whole

    def report(self, row: int) -> ReportedValue:
        """The reported value shown in ``row``."""
        return self.session.scenario.reported[self.keys[row]]

    def row_of(self, key: str) -> int:
        """The row showing the report ``key`` (-1: none)."""
        return self.keys.index(key) if key in self.keys else -1

    # -- Qt model ---------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.keys)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            _name, zh, en = COLUMNS[section]
            return f"{zh} {en}"
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rv = self.report(index.row())
        name = COLUMNS[index.column()][0]
        targets = self.session.scenario.targets.values()
        if role == Qt.ItemDataRole.ToolTipRole and name == "indicator":
            kind = tr("存量：无填报的年份沿用此前最近一年", "stock: carried forward to later years without a report")
            if not is_cumulative(rv.indicator):
                kind = tr("年度流量：只计当年", "annual flow: counts in its own year only")
            return f"{rv.indicator} — {kind}"
        if role == Qt.ItemDataRole.TextAlignmentRole and name in ("year", "value"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        edit = role == Qt.ItemDataRole.EditRole
        if name == "indicator":
            zh, en, _unit = label(rv.indicator, targets)
            return rv.indicator if edit else printable(tr(zh, en))
        if name == "year":
            return str(rv.year)
        if name == "adcode":
            return rv.adcode if edit else district_label(rv.adcode)
        if name == "value":
            return str(rv.value) if edit else _format(rv.value)
        if name == "unit":
            return printable(label(rv.indicator, targets)[2])
        text = getattr(rv, name)
        return text if edit else printable(text)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if index.isValid() and COLUMNS[index.column()][0] in EDITABLE:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Edit a value, source or note: one ``set_reported_value`` command through the session."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        name = COLUMNS[index.column()][0]
        if name not in EDITABLE:
            return False
        old = self.report(index.row())
        try:
            new_value = parse_value(str(value)) if name == "value" else str(value).strip()
            if new_value == getattr(old, name):
                return False  # unchanged: no empty undo step
            command = cmd.set_reported_value(self.session.scenario, dataclasses.replace(old, **{name: new_value}))
        except ValueError as exc:
            self.message.emit(f"未修改 Nothing changed — {printable(readable(exc))}")
            return False
        self.session.push(command)
        return True


class AddReportDialog(QDialog):
    """Ask for a new reported value: the indicator, the year, the district (or 全市), the value and its source.

    It says when the indicator, year and district already hold a value (and OK then reads 替换 Replace), and it
    checks what was typed when OK is pressed: a refused year or value is explained in the dialog, which stays open
    with what was typed (``make`` builds the command, raising ValueError with the reason)."""

    def __init__(self, session: Session, parent: QWidget | None = None, make=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("添加填报值", "Add a reported value"))
        self.session, self._make, self.command = session, make, None
        s = session.scenario
        form = QFormLayout(self)
        self.indicator = QComboBox()
        for key in reportable(target_keys(s)):
            zh, en, unit = label(key, s.targets.values())
            self.indicator.addItem(f"{tr(zh, en)}（{unit}）" if unit else tr(zh, en), key)
        # A line, not a spin box: a spin box puts 1800 back to the last good year without a word.
        self.year = QLineEdit(str(session.year))
        self.district = QComboBox()
        self.district.addItem(district_label(""), "")
        for adcode in district_names():
            self.district.addItem(district_label(adcode), adcode)
        self.value = QLineEdit()
        self.value.setPlaceholderText("1,350")
        self.source = QLineEdit()
        self.source.setPlaceholderText(tr("如：市数据局 2025 年报", "e.g. the data bureau's 2025 report"))
        self.existing = QLabel()
        self.existing.setStyleSheet("color: #8a5a00;")
        self.existing.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.setWordWrap(True)
        form.addRow(tr("指标", "Indicator"), self.indicator)
        form.addRow(tr("年份", "Year"), self.year)
        form.addRow(tr("区县", "District"), self.district)
        form.addRow(tr("数值", "Value"), self.value)
        form.addRow(tr("来源", "Source"), self.source)
        form.addRow(self.existing)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form.addRow(buttons)
        self.indicator.currentIndexChanged.connect(lambda _i: self._show_existing())
        self.district.currentIndexChanged.connect(lambda _i: self._show_existing())
        self.year.textChanged.connect(lambda _t: self._show_existing())
        for line in (self.year, self.value):  # a reason given goes once the planner changes what it was about
            line.textChanged.connect(lambda _t: self.problem.clear())
        self._show_existing()

    def year_value(self) -> int | None:
        """The year typed, or None when it is not a whole number."""
        try:
            return int(self.year.text().strip())
        except ValueError:
            return None

    def _show_existing(self) -> None:
        year = self.year_value()
        old = None
        if year is not None:
            old = self.session.scenario.reported.get(make_key(self.indicator.currentData(), year,
                                                              self.district.currentData()))  # fmt: skip
        if old is None:
            self.existing.clear()
            self.existing.hide()
            self.ok_button.setText(tr("添加", "Add"))
        else:
            where = printable(old.source) if old.source else tr("未注明来源", "no source")
            self.existing.setText(tr(f"已有填报值 {_format(old.value)}（{where}），确定将替换它",
                                     f"Already reported: {_format(old.value)} ({where}); OK replaces it"))  # fmt: skip
            self.existing.show()
            self.ok_button.setText(tr("替换", "Replace"))

    def values(self) -> dict[str, Any]:
        """What was entered, as the keyword arguments of :meth:`IndicatorPanel.add`."""
        return {
            "indicator": self.indicator.currentData(),
            "year": self.year_value(),
            "adcode": self.district.currentData(),
            "value": self.value.text(),
            "source": self.source.text().strip(),
        }

    def check(self) -> str:
        """Why what was typed cannot be entered ("" when it can; the command is then in :attr:`command`)."""
        self.command = None
        v = self.values()
        if v["year"] is None or not MIN_YEAR <= v["year"] <= MAX_YEAR:
            return tr(
                f"年份须为 {MIN_YEAR}–{MAX_YEAR} 之间的整数", f"The year must be a whole year in {MIN_YEAR}–{MAX_YEAR}"
            )
        if self._make is not None:
            try:
                self.command = self._make(**v)
            except ValueError as exc:
                return printable(readable(exc))
        return ""

    def accept(self) -> None:
        """OK: enter the value, or say in the dialog why not (it stays open, with what was typed)."""
        problem = self.check()
        self.problem.setText(problem)
        if not problem:
            super().accept()


class IndicatorPanel(QWidget):
    """The table of reported values with 添加 Add and 删除 Delete, and a line for messages."""

    #: A message for the user (a refused edit), also shown in the panel.
    message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        hint = QLabel(tr("不在图上统计的目标指标，按年份（及区县）填报；存量指标沿用此前最近一年，数据交易额只计当年。",
                         "Targets the map cannot measure, entered per year (and district); stocks carry forward, "
                         "the trading volume counts in its own year only."))  # fmt: skip
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.model = ReportedTableModel(session, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton(tr("添加…", "Add…"))
        self.add_button.clicked.connect(lambda: self.add())
        self.delete_button = QPushButton(tr("删除", "Delete"))
        self.delete_button.clicked.connect(lambda: self.delete())
        self.status = QLabel()
        self.status.setWordWrap(True)
        row.addWidget(self.add_button)
        row.addWidget(self.delete_button)
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        self.model.message.connect(self._tell)
        self.last_dialog: AddReportDialog | None = None

    def _tell(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)

    def add(
        self,
        indicator: str | None = None,
        year: int | None = None,
        adcode: str = "",
        value: Any = None,
        source: str = "",
        *,
        accept: bool = False,
    ) -> bool:
        """添加: enter a value (asked for in a dialog unless ``indicator`` and ``value`` are given; ``accept`` takes
        the dialog's values without showing it, for tests). An existing report of the same key is replaced."""
        if indicator is None or value is None:
            dialog = AddReportDialog(self.session, self, make=self._command)
            self.last_dialog = dialog
            if indicator is not None:
                dialog.indicator.setCurrentIndex(max(0, dialog.indicator.findData(indicator)))
            if year is not None:
                dialog.year.setText(str(year))
            dialog.district.setCurrentIndex(max(0, dialog.district.findData(adcode)))
            if value is not None:
                dialog.value.setText(str(value))
            dialog.source.setText(source)
            if accept:
                dialog.accept()
                if dialog.result() != QDialog.DialogCode.Accepted:
                    self._tell(f"未添加 Nothing added — {dialog.problem.text()}")
                    return False
            elif dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            return self._push(dialog.command)
        try:
            command = self._command(indicator, self.session.year if year is None else year, adcode, value, source)
        except ValueError as exc:
            self._tell(f"未添加 Nothing added — {printable(readable(exc))}")
            return False
        return self._push(command)

    def _command(self, indicator: str, year: int, adcode: str = "", value: Any = None, source: str = ""):
        """The command entering ``value`` (text or number) for ``indicator`` in ``year`` (and district ``adcode``);
        an existing report of the same key is replaced, keeping its note (and source unless one is given)."""
        s = self.session.scenario
        number = parse_value(str(value))
        old = s.reported.get(make_key(indicator, year, adcode))
        rv = ReportedValue(indicator, year, number, adcode, source or (old.source if old else ""),
                           old.note if old else "")  # fmt: skip
        return cmd.set_reported_value(s, rv)

    def _push(self, command) -> bool:
        self.session.push(command)
        self.status.clear()
        row = self.model.row_of(command.changes[0].key) if command.changes else -1
        if row >= 0:
            self.view.selectRow(row)
        return True

    def selected_keys(self) -> list[str]:
        """The keys of the selected rows, in table order."""
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.keys[r] for r in rows if r < len(self.model.keys)]

    def delete(self, keys: list[str] | None = None) -> bool:
        """删除: clear the selected reports (or ``keys``) as one undo step."""
        keys = self.selected_keys() if keys is None else keys
        if not keys:
            self._tell("先选择要删除的行 / Select the rows to delete first")
            return False
        s = self.session.scenario
        try:
            commands = [cmd.clear_reported_value(s, k) for k in keys]
        except ValueError as exc:
            self._tell(f"未删除 Nothing deleted — {printable(readable(exc))}")
            return False
        self.session.push(commands[0] if len(commands) == 1 else cmd.macro(f"清除填报：{len(commands)} 项", commands))
        self.status.clear()
        return True


class IndicatorDock(QDockWidget):
    """The dock holding the :class:`IndicatorPanel`."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(tr("指标填报", "Reported values"), parent)
        self.setObjectName("indicators_dock")
        self.panel = IndicatorPanel(session, self)
        self.setWidget(self.panel)
        features = QDockWidget.DockWidgetFeature
        self.setFeatures(features.DockWidgetMovable | features.DockWidgetClosable)

    @property
    def model(self) -> ReportedTableModel:
        """The table's model."""
        return self.panel.model

    def detach(self) -> None:
        """Stop following the session (the window is handed over or closed)."""
        self.panel.model.detach()

    def open(self) -> None:
        """Show the dock in front (View ▸ 指标填报…)."""
        self.show()
        self.raise_()
        self.panel.view.setFocus()


def install_indicators(window: Any) -> IndicatorDock:
    """Give ``window`` the 指标填报 dock (hidden, at the bottom, tabbed with the attribute tables) and
    规划 ▸ 指标填报… (Ctrl+Shift+I); returns the dock. Sets ``window.indicators_action``."""
    dock = IndicatorDock(window.session, window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    table = getattr(window, "table_dock", None)
    if table is not None:
        window.tabifyDockWidget(table, dock)
    dock.hide()
    status = getattr(window, "statusBar", None)
    if status is not None:
        dock.panel.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
    action = QAction(tr("指标填报…", "Reported values…"), window)
    action.setShortcut(QKeySequence("Ctrl+Shift+I"))
    action.setStatusTip(tr("填报不在图上统计的目标指标（数据产品、交易额…）",
                           "Enter the targets the map cannot measure (data products, trading volume …)"))  # fmt: skip
    action.triggered.connect(dock.open)
    window.addAction(action)
    plan_menu(window).addAction(action)
    window.indicators_action = action
    return dock


__all__ = ["AddReportDialog", "IndicatorDock", "IndicatorPanel", "ReportedTableModel", "install_indicators"]
