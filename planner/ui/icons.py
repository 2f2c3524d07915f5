"""The toolbar and menu icons: the SVG files in ``assets/icons`` (drawn for the planner), loaded once each."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from planner.paths import ASSETS

ICONS = ASSETS / "icons"


@cache
def icon(name: str) -> QIcon:
    """The icon ``assets/icons/<name>.svg`` (a null icon, never an error, if the file is missing)."""
    path = ICONS / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()
