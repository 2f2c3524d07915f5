"""Bookmarks in the window: recording the view as a bookmark, going to one, and the panel that lists them.

A bookmark (:mod:`planner.domain.bookmarks`) is stored in the scenario, and every create, rename, reorder, update
and delete is a command on the session's undo stack. Going to one sets the session's year and layers (the map,
the panels and the figures follow the session) and the map's extent through its view API.

:class:`BookmarkNavigator` is the one holder of *which* bookmark the presenter is at: the panel, the presentation
bar and the keys all go through it, and follow its ``currentChanged`` signal; none writes to another.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.domain.bookmarks import Bookmark, make_bookmark
from planner.domain.commands import add_bookmark, move_bookmark, remove_bookmark, rename_bookmark, update_bookmark
from planner.session import MAP_LAYERS, ScenarioEdited, ScenarioReplaced, Session
from planner.textsafe import printable
from planner.ui.binding import SessionLink
from planner.ui.i18n import tr


def record_view(session: Session, canvas, title: str) -> Bookmark:
    """A bookmark of what the window shows now: the map's extent, the visible layers (with their styles), the year."""
    layers = [(name, session.layers[name].style) for name in MAP_LAYERS if session.layers[name].visible]
    return make_bookmark(title, session.year, canvas.extent(), layers)


def apply_bookmark(session: Session, canvas, bookmark: Bookmark) -> None:
    """Show ``bookmark``: the session's year and layers (every view follows), then the map's extent."""
    session.set_year(bookmark.year)
    shown = bookmark.visible
    for name in MAP_LAYERS:
        if name in shown:
            session.set_layer_style(name, shown[name])  # the style first: a layer is never drawn the old way
        session.set_layer_visible(name, name in shown)
    canvas.set_extent(*bookmark.extent)


def default_title(bookmarks: tuple[Bookmark, ...]) -> str:
    """A title no bookmark has yet: 书签 1, 书签 2 … (Bookmark 1 … in English)."""
    titles = {b.title for b in bookmarks}
    n = len(bookmarks) + 1
    while tr(f"书签 {n}", f"Bookmark {n}") in titles:
        n += 1
    return tr(f"书签 {n}", f"Bookmark {n}")


class BookmarkNavigator(QObject):
    """The scenario's bookmarks as the presenter steps through them: which one is current, and the edits.

    Edits go through the session's command stack (one undo step each); a refused edit (a title used twice, an
    empty one) is told through :attr:`message` and changes nothing.
    """

    #: The current bookmark's index changed (-1: none).
    currentChanged = Signal(int)
    #: The list of bookmarks changed (an edit, an undo, another file).
    bookmarksChanged = Signal()
    #: A message for the user (a refused edit).
    message = Signal(str)

    def __init__(self, session: Session, canvas, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.canvas = canvas
        self._current = -1
        self._current_bookmark: Bookmark | None = None
        self._link = SessionLink(self)
        self._link.attach(session, self._on_event)

    @property
    def bookmarks(self) -> tuple[Bookmark, ...]:
        """The scenario's bookmarks, in order."""
        return self.session.scenario.bookmarks

    @property
    def current(self) -> int:
        """Index of the bookmark last gone to (-1: none)."""
        return self._current

    def current_bookmark(self) -> Bookmark | None:
        """The bookmark last gone to, if it is still there."""
        return self.bookmarks[self._current] if 0 <= self._current < len(self.bookmarks) else None

    def detach(self) -> None:
        """Stop following the session."""
        self._link.detach()

    def _on_event(self, event: object) -> None:
        if isinstance(event, ScenarioReplaced):
            self._set_current(-1)
            self.bookmarksChanged.emit()
        elif isinstance(event, ScenarioEdited) and any(
            ch.collection == "meta" and ch.key == "bookmarks" for ch in event.changes
        ):
            # The current bookmark is followed to where it now is (a reorder); if it is gone, the one in its place.
            marks = self.bookmarks
            if self._current_bookmark in marks:
                self._set_current(marks.index(self._current_bookmark))
            else:
                self._set_current(min(self._current, len(marks) - 1))
            self.bookmarksChanged.emit()

    def _set_current(self, index: int) -> None:
        marks = self.bookmarks
        index = index if 0 <= index < len(marks) else -1
        self._current_bookmark = marks[index] if index >= 0 else None
        if index != self._current:
            self._current = index
            self.currentChanged.emit(index)

    # -- going to one ----------------------------------------------------------------------------------------
    def go_to(self, index: int) -> bool:
        """Show bookmark ``index`` (from 0): its year, its layers and its extent."""
        if not 0 <= index < len(self.bookmarks):
            return False
        apply_bookmark(self.session, self.canvas, self.bookmarks[index])
        self._set_current(index)
        return True

    def go_next(self) -> bool:
        """The next bookmark (the first when none is current); False at the last one."""
        return self.go_to(self._current + 1)

    def go_previous(self) -> bool:
        """The previous bookmark (the last when none is current); False at the first one."""
        return self.go_to(self._current - 1 if self._current >= 0 else len(self.bookmarks) - 1)

    # -- edits -----------------------------------------------------------------------------------------------
    def _push(self, make) -> bool:
        try:
            self.session.push(make())
        except ValueError as exc:
            self.message.emit(f"{tr('未执行', 'Not done')}: {printable(exc)}")
            return False
        return True

    def add(self, title: str | None = None) -> bool:
        """Record the current view as a new bookmark after the current one (at the end when none is current)."""
        title = default_title(self.bookmarks) if title is None else title
        bookmark = record_view(self.session, self.canvas, title)
        index = self._current + 1 if self._current >= 0 else len(self.bookmarks)
        if not self._push(lambda: add_bookmark(self.session.scenario, bookmark, index)):
            return False
        self._set_current(index)
        return True

    def rename(self, index: int, title: str) -> bool:
        """Give bookmark ``index`` another title."""
        return self._push(lambda: rename_bookmark(self.session.scenario, index, title))

    def update(self, index: int) -> bool:
        """Record the current view in bookmark ``index`` (its title is kept)."""
        bookmark = record_view(self.session, self.canvas, "-")
        return self._push(lambda: update_bookmark(self.session.scenario, index, bookmark))

    def move(self, index: int, to: int) -> bool:
        """Move bookmark ``index`` to position ``to``."""
        return self._push(lambda: move_bookmark(self.session.scenario, index, to))

    def remove(self, index: int) -> bool:
        """Delete bookmark ``index``."""
        return self._push(lambda: remove_bookmark(self.session.scenario, index))


class BookmarksPanel(QWidget):
    """The list of bookmarks (title · year), and buttons to add the current view, go, rename, move and delete.

    Double-click goes to a bookmark; every edit is one undo step (Edit ▸ Undo names it).
    """

    def __init__(self, navigator: BookmarkNavigator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.navigator = navigator
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemDoubleClicked.connect(lambda item: navigator.go_to(self.list.row(item)))
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.setSpacing(2)
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip, slot in (
            ("add", tr("添加", "Add"), tr("把当前视图存为书签", "Save the current view as a bookmark"), self.add),
            ("go", tr("转到", "Go"), tr("转到所选书签", "Go to the selected bookmark"), self.go),
            ("update", tr("更新", "Update"), tr("用当前视图更新所选书签", "Record the current view in it"),
             self.update_selected),
            ("rename", tr("重命名", "Rename"), tr("重命名所选书签", "Rename the selected bookmark"), self.rename),
            ("up", "▲", tr("上移", "Move up"), lambda: self.move(-1)),
            ("down", "▼", tr("下移", "Move down"), lambda: self.move(1)),
            ("delete", tr("删除", "Delete"), tr("删除所选书签", "Delete the selected bookmark"), self.delete),
        ):  # fmt: skip
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _c=False, s=slot: s())
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)
        layout.addLayout(row)
        hint = QLabel(
            tr(
                "演示模式（F11）下用 ←/→ 或 PageUp/PageDown 切换书签",
                "In presentation mode (F11), ←/→ or Page Up/Page Down step through them",
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #777;")
        layout.addWidget(hint)
        navigator.bookmarksChanged.connect(self.refresh)
        navigator.currentChanged.connect(self._show_current)
        self.list.currentRowChanged.connect(lambda _r: self._enable())
        self.refresh()

    def refresh(self) -> None:
        """List the bookmarks as they are, the selected row kept (a rename or an update must not move it)."""
        keep = self.list.currentRow()
        self.list.blockSignals(True)
        self.list.clear()
        for i, b in enumerate(self.navigator.bookmarks):
            item = QListWidgetItem(f"{i + 1}. {printable(b.title)} · {b.year}")
            item.setToolTip(
                f"{printable(b.title)}\n{tr('年份', 'Year')} {b.year}\n"
                + f"{b.extent[0]:.4f}–{b.extent[2]:.4f}°E, {b.extent[1]:.4f}–{b.extent[3]:.4f}°N"
            )
            self.list.addItem(item)
        self.list.setCurrentRow(keep if 0 <= keep < self.list.count() else self.navigator.current)
        self.list.blockSignals(False)
        self._enable()

    def titles(self) -> list[str]:
        """The titles as listed, top first."""
        return [b.title for b in self.navigator.bookmarks]

    def _show_current(self, index: int) -> None:
        if index != self.list.currentRow():
            self.list.blockSignals(True)
            self.list.setCurrentRow(index)
            self.list.blockSignals(False)
        self._enable()

    def _enable(self) -> None:
        row, n = self.list.currentRow(), self.list.count()
        for key in ("go", "update", "rename", "delete"):
            self.buttons[key].setEnabled(0 <= row < n)
        self.buttons["up"].setEnabled(0 < row < n)
        self.buttons["down"].setEnabled(0 <= row < n - 1)

    def selected(self) -> int:
        """The selected row (-1: none)."""
        return self.list.currentRow()

    def add(self, title: str | None = None) -> bool:
        """Save the current view as a bookmark (asking for its title unless given)."""
        if title is None:
            title, ok = QInputDialog.getText(
                self,
                tr("添加书签", "Add bookmark"),
                tr("书签标题：", "Title:"),
                text=default_title(self.navigator.bookmarks),
            )
            if not ok:
                return False
        return self.navigator.add(title)

    def go(self) -> bool:
        """Go to the selected bookmark."""
        return self.navigator.go_to(self.selected())

    def update_selected(self) -> bool:
        """Record the current view in the selected bookmark."""
        return self.selected() >= 0 and self.navigator.update(self.selected())

    def rename(self, title: str | None = None) -> bool:
        """Rename the selected bookmark (asking for the title unless given)."""
        row = self.selected()
        if row < 0:
            return False
        if title is None:
            old = self.navigator.bookmarks[row].title
            title, ok = QInputDialog.getText(
                self, tr("重命名书签", "Rename bookmark"), tr("新标题：", "New title:"), text=old
            )
            if not ok or title.strip() == old:
                return False
        return self.navigator.rename(row, title)

    def move(self, step: int) -> bool:
        """Move the selected bookmark one place up (-1) or down (1)."""
        row = self.selected()
        if row < 0 or not self.navigator.move(row, row + step):
            return False
        self.list.setCurrentRow(row + step)
        return True

    def delete(self) -> bool:
        """Delete the selected bookmark."""
        row = self.selected()
        return row >= 0 and self.navigator.remove(row)
