"""Attribute tables: edits through commands, sort and filter, bulk edit, and a block pasted from Excel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from planner.domain import commands as cmd
from planner.ui.attribute_table import parse_value
from planner.ui.main_window import MainWindow
from tests.conftest import make_small_scenario


@pytest.fixture
def window(qtbot):
    w = MainWindow(make_small_scenario())
    qtbot.addWidget(w)
    return w


def _model(w, layer="sites"):
    return w.attribute_tables.models[layer]


def _col(model, name):
    return model.fields.index(name)


def test_editing_a_cell_is_a_command_with_undo(window):
    m = _model(window)
    row = m.ids.index("site-000001")
    assert m.setData(m.index(row, _col(m, "height_m")), "45")
    assert window.scenario.sites["site-000001"].height_m == 45.0
    assert window.stack.undo_label.startswith("修改站点")
    window.stack.undo()
    assert window.scenario.sites["site-000001"].height_m == 30.0
    assert m.data(m.index(row, _col(m, "height_m"))) == "30.0"  # the table follows the undo


def test_a_value_the_model_refuses_changes_nothing_and_says_why(window):
    m = _model(window)
    said = []
    m.message.connect(said.append)
    row = m.ids.index("site-000001")
    assert not m.setData(m.index(row, _col(m, "height_m")), "-3")
    assert window.scenario.sites["site-000001"].height_m == 30.0 and not window.stack.done
    assert said and "row" in said[-1]
    assert not m.flags(m.index(row, _col(m, "id"))) & Qt.ItemFlag.ItemIsEditable


def test_pasting_a_block_from_excel_is_one_undo_step(window):
    m = _model(window)
    m.sort(_col(m, "id"))
    top, left = m.ids.index("site-000001"), _col(m, "band_mhz")
    block = "4,900\t35\r\n2600\t25.5\r\n"  # as Excel copies two rows of two cells (band, height)
    assert m.paste(top, left, block)
    s = window.scenario.sites
    assert (s["site-000001"].band_mhz, s["site-000001"].height_m) == (4900, 35.0)
    assert (s["site-000002"].band_mhz, s["site-000002"].height_m) == (2600, 25.5)
    assert len(window.stack.done) == 1 and "粘贴 4 个单元格" in window.stack.undo_label
    window.stack.undo()
    assert s["site-000001"].band_mhz == 3500


def test_a_paste_with_one_bad_cell_is_refused_whole_naming_row_and_column(window):
    m = _model(window)
    m.sort(_col(m, "id"))
    said = []
    m.message.connect(said.append)
    top, left = m.ids.index("site-000001"), _col(m, "band_mhz")
    assert not m.paste(top, left, "4900\t35\n26x0\t25\n")
    assert window.scenario.sites["site-000001"].band_mhz == 3500 and not window.stack.done
    assert "row 2" in said[-1] and "频段" in said[-1] and "26x0" in said[-1]
    assert not m.paste(len(m.ids) - 1, left, "4900\n4900\n")  # past the last row
    assert "runs past the table" in said[-1]


def test_ctrl_v_in_the_table_pastes_the_clipboard(window, qtbot):
    window.table_dock.show()
    view = window.attribute_tables.views["sites"]
    m = _model(window)
    m.sort(_col(m, "id"))
    view.setCurrentIndex(m.index(m.ids.index("site-000002"), _col(m, "open_year")))
    QGuiApplication.clipboard().setText("2026\n")
    QTest.keySequence(view, "Ctrl+V")
    assert window.scenario.sites["site-000002"].open_year == 2026


def test_sort_and_filter(window):
    m = _model(window)
    assert m.ids == sorted(m.ids)  # opens sorted by id, first to last
    m.sort(_col(m, "band_mhz"), Qt.SortOrder.DescendingOrder)
    bands = [window.scenario.sites[i].band_mhz for i in m.ids]
    assert bands == sorted(bands, reverse=True)
    m.set_filter("cbn")
    assert m.ids and all(window.scenario.sites[i].operator == "cbn" for i in m.ids)
    m.set_filter("")
    assert len(m.ids) == len(window.scenario.sites)


def test_bulk_edit_sets_one_column_of_the_selected_rows(window):
    view, m = window.attribute_tables.views["sites"], _model(window)
    m.sort(_col(m, "id"))
    col = _col(m, "operator")
    view.setCurrentIndex(m.index(m.ids.index("site-000002"), col))
    view.selectionModel().select(m.index(m.ids.index("site-000001"), col), QItemSelectionModel.SelectionFlag.Select)
    assert window.attribute_tables.bulk_edit("sites", "cucc")
    assert {window.scenario.sites[i].operator for i in ("site-000001", "site-000002")} == {"cucc"}
    assert len(window.stack.done) == 1


def test_rows_follow_additions_and_deletions_made_elsewhere(window):
    m = _model(window, "parks")
    n = len(m.ids)
    window.session.push(cmd.remove_features(window.scenario, "parks", [m.ids[0]]))
    assert len(m.ids) == n - 1 == m.rowCount()
    window.stack.undo()
    assert len(m.ids) == n


def test_values_are_read_as_excel_writes_them():
    assert parse_value("sites", "band_mhz", "3,500") == 3500
    assert parse_value("sites", "radius_m", "") is None
    assert parse_value("zones", "approximate", "是") is True
    with pytest.raises(ValueError):
        parse_value("sites", "band_mhz", "3500.5")
    with pytest.raises(ValueError):
        parse_value("sites", "open_year", "")


def test_a_refusal_names_the_field_as_a_planner_reads_it(window):
    m = _model(window)
    said = []
    m.message.connect(said.append)
    m.sort(_col(m, "id"))
    assert not m.paste(m.ids.index("site-000001"), _col(m, "band_mhz"), "100\n")  # parses, the model refuses
    assert "频段" in said[-1] and "row 1" in said[-1]


def test_vocabulary_columns_show_labels_and_take_a_label_a_key_or_a_drop_down_choice(window, qtbot):
    m = _model(window)
    row, col = m.ids.index("site-000001"), _col(m, "kind")
    assert m.data(m.index(row, col)) == "5G宏站" and m.data(m.index(row, col), Qt.ItemDataRole.EditRole) == "5g_macro"
    # Pasted from Excel as the label a planner reads; the file keeps the key.
    assert m.paste(row, col, "5G-A基站\n")
    assert window.scenario.sites["site-000001"].kind == "5g_a"
    said = []
    m.message.connect(said.append)
    assert not m.paste(row, col, "4G宏站\n")
    assert "5G宏站 (5g_macro)" in said[-1] and window.scenario.sites["site-000001"].kind == "5g_a"
    # Editing the cell offers the vocabulary as a drop-down.
    view = window.attribute_tables.views["sites"]
    index = m.index(row, col)
    from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem

    delegate = view.itemDelegate()
    editor = delegate.createEditor(view.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(editor, QComboBox) and editor.count() == 3
    delegate.setEditorData(editor, index)
    assert editor.currentData() == "5g_a"
    editor.setCurrentIndex(editor.findData("5g_small"))
    delegate.setModelData(editor, m, index)
    assert window.scenario.sites["site-000001"].kind == "5g_small"
    window.stack.undo()
    assert window.scenario.sites["site-000001"].kind == "5g_a"
    # The filter finds a row by the label it shows.
    m.set_filter("5G-A基站")
    assert "site-000001" in m.ids
