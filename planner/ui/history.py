"""The undo history: every step of the session's command stack, the current one marked; click one to go there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from planner.session import ScenarioReplaced, Session, StackChanged
from planner.textsafe import printable
from planner.ui.binding import SessionLink
from planner.ui.i18n import tr


def start_label() -> str:
    """The first row: the scenario as it was opened."""
    return tr("〈打开时〉", "〈As opened〉")


class HistoryPanel(QWidget):
    """The stack's steps, oldest first: done ones in black, undone ones in grey; a click undoes or redoes to it."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._link = SessionLink(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.list = QListWidget()
        self.list.itemClicked.connect(self._go)
        layout.addWidget(self.list)
        self._link.attach(session, self._on_event)
        self.refresh()

    def _on_event(self, event: object) -> None:
        if isinstance(event, StackChanged | ScenarioReplaced):
            self.refresh()

    def refresh(self) -> None:
        """Show the stack as it is."""
        stack = self.session.stack
        self.list.blockSignals(True)
        self.list.clear()
        rows = [(start_label(), True)] + [(c.label, True) for c in stack.done]
        rows += [(c.label, False) for c in reversed(stack.undone)]
        for i, (label, done) in enumerate(rows):
            item = QListWidgetItem(printable(label))
            item.setData(Qt.ItemDataRole.UserRole, i)
            if not done:
                item.setForeground(QColor("#9e9e9e"))
            self.list.addItem(item)
        self.list.setCurrentRow(len(stack.done))
        self.list.blockSignals(False)

    def _go(self, item: QListWidgetItem) -> None:
        """Undo or redo until the clicked step is the last one done."""
        target = int(item.data(Qt.ItemDataRole.UserRole))
        stack = self.session.stack
        while len(stack.done) > target and self.session.undo() is not None:
            pass
        while len(stack.done) < target and self.session.redo() is not None:
            pass
