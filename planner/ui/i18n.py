"""The interface language: Simplified Chinese by default, English selectable (View ▸ Language), remembered.

Labels are written as ``tr("中文", "English")`` and read the language when a window is built; changing the
language rebuilds the window on the same session (:meth:`planner.ui.main_window.MainWindow.set_language`), so
nothing is lost. Messages about a file or an edit stay bilingual, as the command line's are.
"""

from __future__ import annotations

LANGUAGES = {"zh": "中文", "en": "English"}
_current = "zh"


def language() -> str:
    """The current interface language ("zh" or "en")."""
    return _current


def set_language(lang: str) -> None:
    """Use ``lang`` ("zh" or "en") for the labels made from now on."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (expected {', '.join(LANGUAGES)})")
    _current = lang


def tr(zh: str, en: str) -> str:
    """The label in the current language."""
    return zh if _current == "zh" else en


def load_language() -> str:
    """The language the planner chose last time (QSettings "language"), made current; Chinese if none."""
    from PySide6.QtCore import QSettings

    lang = QSettings().value("language", "zh")
    set_language(lang if lang in LANGUAGES else "zh")
    return _current


def save_language(lang: str) -> None:
    """Remember ``lang`` for the next start, and use it now."""
    from PySide6.QtCore import QSettings

    set_language(lang)
    QSettings().setValue("language", lang)
