"""Small widgets shared by the window's panels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QMenu, QWidget

from planner.ui.i18n import tr


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


def plan_menu(window) -> QMenu:
    """The window's 规划 (Plan) menu, made before 视图 (View) the first time it is asked for."""
    menu = getattr(window, "plan_menu", None)
    if isinstance(menu, QMenu):
        return menu
    menu = QMenu(tr("规划(&P)", "&Plan"), window)
    view = getattr(window, "view_menu", None)
    bar = window.menuBar()
    if view is not None:
        bar.insertMenu(view.menuAction(), menu)
    else:
        bar.addMenu(menu)
    window.plan_menu = menu
    return menu
