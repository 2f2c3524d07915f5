"""Attribute tables: one sortable, filterable table per layer, edited only through commands.

:class:`LayerTableModel` is a ``QAbstractTableModel`` over one layer of the session's scenario (after QGIS's
attribute table): its rows follow the scenario's change events, ``setData`` pushes a ``set_attributes`` command
and never writes the model directly, and a block of cells pasted from Excel (tab-separated text) becomes one
undo step — or is refused whole, the message naming the row and column of every value that is not valid.
Sorting and filtering are done on the model's own list of ids (a ``QSortFilterProxyModel`` would call ``data``
half a million times to sort 42,000 sites).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planner.domain import commands as cmd
from planner.domain import vocab
from planner.domain.scenario import LAYER_TYPES
from planner.session import ScenarioEdited, ScenarioReplaced, Session
from planner.textsafe import printable
from planner.ui.attributes import field_name, readable
from planner.ui.binding import SessionLink
from planner.ui.i18n import tr
from planner.ui.widgets import fill_choices

Index = QModelIndex | QPersistentModelIndex
_TRUE = {"true", "1", "yes", "是", "y", "t"}
_FALSE = {"false", "0", "no", "否", "n", "f"}


def parse_value(layer: str, name: str, text: str) -> Any:
    """The value of field ``name`` of a ``layer`` feature typed or pasted as ``text``; ValueError if it is none.

    Numbers accept a thousands separator (``1,200``) as Excel copies them; an empty cell is "not given" where the
    field may be empty (``radius_m``, ``capex_wan`` …), else refused.
    """
    cls = LAYER_TYPES[layer]
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    kind = str(field.type)
    text = text.strip()
    words = vocab.FIELD_VOCABULARIES.get((layer, name))
    if words is not None and text != "":
        key = vocab.key_of(words, text)
        if key is None:
            raise ValueError(f"不是可选值 / not one of: {vocab.choices(words)} — {text!r}")
        return key
    if text == "":
        if "None" in kind:
            return None
        if kind == "str":
            return ""
        raise ValueError("不能为空 / must not be empty")
    if kind.startswith("bool"):
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(f"不是是/否 / not yes or no: {text!r}")
    if kind.startswith("int"):
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"不是整数 / not a whole number: {text!r}") from None
        if not math.isfinite(number) or number != int(number):
            raise ValueError(f"不是整数 / not a whole number: {text!r}")
        return int(number)
    if kind.startswith("float"):
        try:
            return float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"不是数字 / not a number: {text!r}") from None
    return text


class LayerTableModel(QAbstractTableModel):
    """The features of one layer as rows, their fields as columns (the geometry shown as its type)."""

    #: A message for the user (a refused edit or paste).
    message = Signal(str)

    def __init__(self, session: Session, layer: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.session = session
        self.layer = layer
        self.fields = [f.name for f in dataclasses.fields(LAYER_TYPES[layer])]
        self._filter = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._link = SessionLink(self)
        self._link.attach(session, self._on_event)
        self._reset()

    # -- rows -------------------------------------------------------------------------------------------
    def _features(self) -> dict[str, Any]:
        return self.session.scenario.layer(self.layer)

    def _reset(self) -> None:
        self.beginResetModel()
        feats = self._features()
        ids = [i for i in feats if self._matches(feats[i])]
        self.ids = self._sorted(ids)
        self._row_of = {fid: r for r, fid in enumerate(self.ids)}
        self.endResetModel()

    def _matches(self, feature: Any) -> bool:
        if not self._filter:
            return True
        return any(self._filter in self._text(name, getattr(feature, name)).lower() for name in self.fields
                   if name != "geometry")  # fmt: skip

    def _text(self, name: str, value: Any) -> str:
        """A value as the filter reads it: a vocabulary key with its labels ("5g_macro 5G宏站 5G macro site")."""
        words = vocab.FIELD_VOCABULARIES.get((self.layer, name))
        if words is not None and value in words:
            return f"{value} {' '.join(words[value])}"
        return str(value)

    def vocabulary(self, column: int) -> vocab.Vocabulary | None:
        """The vocabulary of a column's values, if they come from one."""
        return vocab.FIELD_VOCABULARIES.get((self.layer, self.fields[column]))

    def _sorted(self, ids: list[str]) -> list[str]:
        if self._sort is None:
            return ids
        col, order = self._sort
        name = self.fields[col]
        feats = self._features()

        def key(fid: str) -> tuple:
            v = getattr(feats[fid], name)
            v = getattr(v, "geom_type", v)
            return (v is None, v if not isinstance(v, bool) else int(v)) if not isinstance(v, str) else (False, v)

        try:
            return sorted(ids, key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        except TypeError:  # mixed types in a column: sort by text
            return sorted(
                ids, key=lambda f: str(getattr(feats[f], name)), reverse=order == Qt.SortOrder.DescendingOrder
            )

    def set_filter(self, text: str) -> None:
        """Show only the rows with ``text`` in any field (case-insensitive); empty shows all."""
        self._filter = text.strip().lower()
        self._reset()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows by a column."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self.ids = self._sorted(self.ids)
        self._row_of = {fid: r for r, fid in enumerate(self.ids)}
        self.layoutChanged.emit()

    def _on_event(self, event: object) -> None:
        if isinstance(event, ScenarioReplaced):
            self._reset()
        elif isinstance(event, ScenarioEdited):
            changes = [c for c in event.changes if c.collection == self.layer]
            if len(changes) > 200:
                self._reset()
                return
            for ch in changes:
                row = self._row_of.get(ch.key)
                if ch.new is None:
                    if row is not None:
                        self._remove_row(row)
                elif row is None:
                    if self._matches(ch.new):
                        self._append(ch.key)
                else:
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.fields) - 1))

    def _remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.ids[row]
        self.endRemoveRows()
        self._row_of = {fid: r for r, fid in enumerate(self.ids)}

    def _append(self, fid: str) -> None:
        row = len(self.ids)
        self.beginInsertRows(QModelIndex(), row, row)
        self.ids.append(fid)
        self._row_of[fid] = row
        self.endInsertRows()

    # -- Qt model ---------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.fields)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return field_name(self.fields[section])
            return str(section + 1)
        return None

    def feature(self, row: int) -> Any:
        """The feature shown in ``row``."""
        return self._features()[self.ids[row]]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        value = getattr(self.feature(index.row()), self.fields[index.column()])
        if hasattr(value, "geom_type"):
            return value.geom_type
        if value is None:
            return "" if role == Qt.ItemDataRole.EditRole else "—"
        if isinstance(value, bool):
            return (
                ("是 yes" if value else "否 no") if role == Qt.ItemDataRole.DisplayRole else ("是" if value else "否")
            )
        if isinstance(value, float):
            value = round(value, 7)
        words = self.vocabulary(index.column())
        if words is not None and value in words:  # the label shown, the key edited (the delegate offers labels)
            return tr(*words[value]) if role == Qt.ItemDataRole.DisplayRole else value
        return printable(value) if role == Qt.ItemDataRole.DisplayRole else str(value)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if index.isValid() and self.fields[index.column()] not in ("id", "geometry"):
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Edit one cell: a command through the session (the model itself is never written here)."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        return self.apply([(index.row(), index.column(), str(value))], label=None)

    # -- edits of many cells ----------------------------------------------------------------------------
    def apply(self, cells: list[tuple[int, int, str]], label: str | None = "粘贴") -> bool:
        """Set many cells (row, column, text) as one undo step; refused whole, naming every bad cell."""
        per_feature: dict[str, dict[str, Any]] = {}
        problems: list[str] = []
        for row, col, text in cells:
            name = self.fields[col]
            fid = self.ids[row]
            where = f"第 {row + 1} 行 row {row + 1} ({fid}), {field_name(name)}"
            if name in ("id", "geometry"):
                problems.append(f"{where}: 不可修改 / cannot be edited here")
                continue
            try:
                per_feature.setdefault(fid, {})[name] = parse_value(self.layer, name, text)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
        commands = []
        if not problems:
            s = self.session.scenario
            for fid, values in per_feature.items():
                try:
                    commands.append(cmd.set_attributes(s, self.layer, fid, **values))
                except ValueError as exc:
                    row = self._row_of[fid]
                    problems.append(f"第 {row + 1} 行 row {row + 1} ({fid}): {readable(exc)}")
        if problems:
            shown = "; ".join(problems[:5]) + (f"; … (+{len(problems) - 5})" if len(problems) > 5 else "")
            self.message.emit(f"未修改 Nothing changed — {printable(shown)}")
            return False
        if not commands:
            return False
        if len(commands) == 1 and label is None:
            self.session.push(commands[0])
        else:
            n = sum(len(v) for v in per_feature.values())
            self.session.push(cmd.macro(f"{label or '修改'} {n} 个单元格（{len(commands)} 个要素）", commands))
        return True

    def paste(self, top: int, left: int, text: str) -> bool:
        """Paste a tab-separated block (as Excel copies cells) with its top-left cell at (top, left)."""
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # Excel ends a copied block with a newline
        cells = []
        for i, line in enumerate(lines):
            for j, value in enumerate(line.split("\t")):
                row, col = top + i, left + j
                if row >= len(self.ids) or col >= len(self.fields):
                    self.message.emit(
                        f"未修改 Nothing changed — 粘贴的块超出表格 / "
                        f"the pasted block ({len(lines)} rows) runs past the table"
                    )
                    return False
                cells.append((row, col, value))
        return self.apply(cells, label="粘贴")


class ChoiceDelegate(QStyledItemDelegate):
    """Cells whose values come from a vocabulary are edited with a drop-down of their labels (the key is stored);
    other cells with the usual text box."""

    def createEditor(self, parent: QWidget, option: Any, index: Index) -> QWidget:
        model = index.model()
        words = model.vocabulary(index.column()) if isinstance(model, LayerTableModel) else None
        if words is None:
            return super().createEditor(parent, option, index)
        box = QComboBox(parent)
        fill_choices(box, words)
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            if editor.currentData() != index.data(Qt.ItemDataRole.EditRole):
                model.setData(index, editor.currentData())
        else:
            super().setModelData(editor, model, index)


class LayerTableView(QTableView):
    """A layer's table: Ctrl+V pastes a block from Excel; a double-click on the id zooms the map to the feature."""

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            index = self.currentIndex()
            model = self.model()
            if index.isValid() and isinstance(model, LayerTableModel):
                model.paste(index.row(), index.column(), QGuiApplication.clipboard().text())
            return
        super().keyPressEvent(event)


class AttributeTables(QWidget):
    """A tab per layer — sites, parks, zones, investments — with a filter box and bulk edit."""

    LAYERS = ("sites", "parks", "zones", "investments")
    NAMES = (
        ("sites", "站点 Sites"),
        ("parks", "园区 Parks"),
        ("zones", "区域 Zones"),
        ("investments", "投资项 Investments"),
    )
    #: A feature was chosen in a table (layer, id): the window zooms the map to it.
    chosen = Signal(str, str)
    message = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self.models: dict[str, LayerTableModel] = {}
        self.views: dict[str, LayerTableView] = {}
        self.filters: dict[str, QLineEdit] = {}
        for layer in self.LAYERS:
            page = QWidget()
            v = QVBoxLayout(page)
            v.setContentsMargins(0, 4, 0, 0)
            row = QHBoxLayout()
            flt = QLineEdit()
            flt.setPlaceholderText(tr("任意字段包含…", "any field contains…"))
            model = LayerTableModel(session, layer, self)
            model.message.connect(self.message)
            flt.textChanged.connect(model.set_filter)
            bulk = QPushButton(tr("批量修改所选…", "Set for selected…"))
            bulk.clicked.connect(lambda _c=False, layer=layer: self.bulk_edit(layer))
            row.addWidget(QLabel(tr("筛选", "Filter")))  # words, not an emoji: the bundled font has none
            row.addWidget(flt, 1)
            row.addWidget(bulk)
            v.addLayout(row)
            view = LayerTableView()
            view.setModel(model)
            view.setItemDelegate(ChoiceDelegate(view))
            view.setSortingEnabled(True)
            view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by id, first to last (Qt starts descending)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
            view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            view.setAlternatingRowColors(True)
            view.verticalHeader().setDefaultSectionSize(22)
            view.doubleClicked.connect(lambda index, layer=layer: self._double_clicked(layer, index))
            v.addWidget(view)
            zh, en = dict(self.NAMES)[layer].split(" ", 1)
            self.tabs.addTab(page, tr(zh, en))
            self.models[layer], self.views[layer], self.filters[layer] = model, view, flt

    def _double_clicked(self, layer: str, index: QModelIndex) -> None:
        if self.models[layer].fields[index.column()] == "id" and layer != "investments":
            fid = self.models[layer].ids[index.row()]
            self.session.select([(layer, fid)])
            self.chosen.emit(layer, fid)

    def bulk_edit(self, layer: str, text: str | None = None) -> bool:
        """Give the current column of every selected row one value (asked for unless given): one undo step."""
        view, model = self.views[layer], self.models[layer]
        current = view.currentIndex()
        rows = sorted({i.row() for i in view.selectionModel().selectedIndexes()})
        if not current.isValid() or not rows:
            self.message.emit("先选择要修改的行和列 · Select the rows and a cell of the column first")
            return False
        col = current.column()
        if text is None:
            name = field_name(model.fields[col])
            prompt = f"{name}（{len(rows)} 行 rows）:"
            words = model.vocabulary(col)
            if words is not None:  # a list to choose from, not a value to type
                labels = [tr(*pair) for pair in words.values()]
                text, ok = QInputDialog.getItem(self, "批量修改 Set for selected", prompt, labels, 0, False)
            else:
                text, ok = QInputDialog.getText(self, "批量修改 Set for selected", prompt)
            if not ok:
                return False
        return model.apply([(r, col, text) for r in rows], label="批量修改")
