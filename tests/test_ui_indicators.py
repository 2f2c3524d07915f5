"""The 指标填报 dock: it shows the reported values, every edit is one undoable command, and it follows the session."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from planner.domain import commands as cmd
from planner.domain.indicators import ReportedValue
from planner.domain.scenario import Target
from planner.ui.indicator_table import COLUMNS
from planner.ui.main_window import MainWindow
from tests.conftest import make_small_scenario

YINZHOU = "330212"
COL = {name: i for i, (name, _zh, _en) in enumerate(COLUMNS)}


def _scenario():
    s = make_small_scenario()
    s.targets["data_products@2025"] = Target("data_products", "累计数据产品", "Data products (cumulative)", 2025,
                                             1200, "件", "seed 001")  # fmt: skip
    for rv in (ReportedValue("data_products", 2025, 1350, "", "市数据局"),
               ReportedValue("trading_volume", 2025, 2.1, YINZHOU)):  # fmt: skip
        cmd.set_reported_value(s, rv).do(s)
    return s


@pytest.fixture
def window(qtbot):
    w = MainWindow(_scenario())
    qtbot.addWidget(w)
    return w


@pytest.fixture
def dock(window):
    d = window.indicators
    yield d
    d.detach()


def _cells(model, row):
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def _progress(window, key="data_products", year=2025):
    return next(t for t in window.session.summary()["targets"] if (t["key"], t["year"]) == (key, year))


def test_the_dock_lists_the_reported_values_and_opens_from_the_plan_menu(window, dock):
    m = dock.model
    assert m.rowCount() == 2
    assert _cells(m, 0) == ["累计数据产品", "2025", "全市", "1,350", "件", "市数据局", ""]
    assert _cells(m, 1) == ["数据交易额", "2025", "鄞州区", "2.1", "亿元", "", ""]
    assert [m.headerData(c, Qt.Orientation.Horizontal) for c in (0, 3)] == ["指标 Indicator", "数值 Value"]
    assert dock.isHidden()
    action = window.indicators_action
    assert action.shortcut().toString() == "Ctrl+Shift+I" and action in window.plan_menu.actions()
    action.trigger()
    assert not dock.isHidden()
    assert not m.flags(m.index(0, COL["indicator"])) & Qt.ItemFlag.ItemIsEditable
    assert m.flags(m.index(0, COL["value"])) & Qt.ItemFlag.ItemIsEditable


def test_editing_a_value_pushes_one_undoable_command(window, dock):
    m, s = dock.model, window.session
    done = len(s.stack.done)
    assert m.setData(m.index(0, COL["value"]), "1,420")
    assert len(s.stack.done) == done + 1 and s.stack.undo_label == "填报：累计数据产品 2025"
    assert s.scenario.reported["data_products@2025"].value == 1420
    assert s.scenario.reported["data_products@2025"].source == "市数据局"  # the rest of the entry is kept
    assert m.data(m.index(0, COL["value"])) == "1,420"
    assert _progress(window)["value"] == 1420  # the targets read the same report
    s.undo()
    assert s.scenario.reported["data_products@2025"].value == 1350
    assert m.data(m.index(0, COL["value"])) == "1,350" and _progress(window)["value"] == 1350


def test_a_value_the_model_refuses_changes_nothing_and_says_why(window, dock):
    m, s = dock.model, window.session
    said = []
    dock.panel.message.connect(said.append)
    done = len(s.stack.done)
    assert not m.setData(m.index(0, COL["value"]), "-5")
    assert not m.setData(m.index(0, COL["value"]), "lots")
    assert not m.setData(m.index(0, COL["value"]), "1350")  # unchanged: no empty undo step
    assert len(s.stack.done) == done and s.scenario.reported["data_products@2025"].value == 1350
    assert "must not be negative" in said[0] and "not a number" in said[1]
    assert m.setData(m.index(1, COL["note"]), "估算")
    assert s.scenario.reported["trading_volume@2025@330212"].note == "估算"
    assert s.stack.undo_label == "填报：数据交易额 2025 鄞州区"


def test_add_and_delete_are_commands(window, dock, qtbot):
    panel, m, s = dock.panel, dock.model, window.session
    assert panel.add("datasets", 2026, YINZHOU, "4")
    assert s.stack.undo_label == "填报：高质量数据集（语料库） 2026 鄞州区" and m.rowCount() == 3
    assert s.scenario.reported["datasets@2026@330212"].value == 4
    # Through the dialog (its values taken as they are): the year and value given, the first indicator, 全市.
    assert panel.add(value="12", year=2027, accept=True)
    assert s.scenario.reported["data_products@2027"].value == 12 and m.rowCount() == 4
    assert not panel.add("data_enterprises", 2025, "", "3")  # measured on the map
    assert "data_enterprises_outside_parks" in panel.status.text()
    # Delete the selected rows: one undo step.
    panel.view.clearSelection()
    panel.view.selectRow(m.row_of("datasets@2026@330212"))
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert "datasets@2026@330212" not in s.scenario.reported and m.rowCount() == 3
    assert s.stack.undo_label == "清除填报：高质量数据集（语料库） 2026 鄞州区"
    assert panel.delete(["data_products@2025", "data_products@2027"])
    assert s.stack.undo_label == "清除填报：2 项" and m.rowCount() == 1
    s.undo()
    assert m.rowCount() == 3 and s.scenario.reported["data_products@2025"].value == 1350
    panel.view.clearSelection()
    assert not panel.delete() and "Select the rows" in panel.status.text()


def test_the_table_follows_an_undo_made_elsewhere_and_another_scenario(window, dock):
    m, s = dock.model, window.session
    s.push(cmd.clear_reported_value(s.scenario, "data_products@2025"))  # as the command line or a script would
    assert m.rowCount() == 1 and _cells(m, 0)[0] == "数据交易额"
    window.undo_action.trigger()  # Edit ▸ Undo
    assert m.rowCount() == 2 and _cells(m, 0)[3] == "1,350"
    window.set_scenario(make_small_scenario())
    assert m.rowCount() == 0
    dock.detach()
    s.push(cmd.set_reported_value(s.scenario, ReportedValue("datasets", 2025, 3)))
    assert m.rowCount() == 0  # detached: no longer follows


def test_the_add_dialog_says_it_replaces_and_keeps_a_refused_entry_open(window, dock):
    """The trial: 添加… replaced 1,350 without a word, a year of 1800 went back to 2025 silently, and a refused value
    closed the dialog and lost what was typed."""
    from planner.ui.indicator_table import AddReportDialog

    panel, s = dock.panel, window.session
    dialog = AddReportDialog(s, panel, make=panel._command)
    dialog.indicator.setCurrentIndex(dialog.indicator.findData("data_products"))
    dialog.year.setText("2025")
    assert "已有填报值 1,350（市数据局），确定将替换它" in dialog.existing.text() and dialog.ok_button.text() == "替换"
    dialog.year.setText("2026")
    assert dialog.existing.isHidden() and dialog.ok_button.text() == "添加"
    dialog.year.setText("1800")
    dialog.value.setText("5")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and "年份须为 1990–2100" in dialog.problem.text()
    dialog.year.setText("2026")
    assert not dialog.problem.text()  # the reason goes with the corrected year (it stayed on screen)
    dialog.value.setText("-5")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.problem.text() and dialog.value.text() == "-5"
    assert "data_products@2026" not in s.scenario.reported
    dialog.value.setText("1,500")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.command is not None
    assert not dialog.problem.text()
