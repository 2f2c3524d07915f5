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


_qt_translator = None


def apply_qt_translations() -> None:
    """Qt's own texts (the file dialog, the Save / Discard / Cancel buttons) in the current language, from the
    translations PySide6 ships (qtbase_zh_CN); English is Qt's own."""
    global _qt_translator
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

    app = QCoreApplication.instance()
    if app is None:
        return
    if _qt_translator is not None:
        app.removeTranslator(_qt_translator)
        _qt_translator = None
    if _current == "zh":
        translator = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load("qtbase_zh_CN", folder):
            app.installTranslator(translator)
            _qt_translator = translator


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
