"""Small widgets shared by the window's panels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget


class ChoiceBox(QComboBox):
    """A drop-down that the mouse wheel changes only once it has been clicked (focused): scrolling the layer panel
    over it must not change what the map shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # to the scrolling panel


def fill_choices(box: QComboBox, words: dict[str, tuple[str, str]]) -> None:
    """Items of a vocabulary in a drop-down: the label in the interface language shown, the key as the item's data."""
    from planner.ui.i18n import tr

    for key, pair in words.items():
        box.addItem(tr(*pair), key)
