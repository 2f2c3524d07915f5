"""Starting the planner's desktop application: the QApplication, the bundled font, the first window."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from planner import paths
from planner.domain.scenario import Scenario
from planner.storage.atomic import remove_stale_temporaries
from planner.storage.fileformat import load
from planner.storage.problems import ScenarioFileError
from planner.ui import style
from planner.ui.i18n import apply_qt_translations, load_language
from planner.ui.main_window import MainWindow, show_load_error

log = logging.getLogger(__name__)


def create_app(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (reusing a running one), with the bundled CJK font as the application font.

    The font is registered before any widget exists, so every label, menu and table renders Chinese with real
    glyphs even on a machine without Chinese fonts. If registration fails the app still starts (a warning is
    logged) and Qt falls back to the system fonts.
    """
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(style.APP_NAME)
    app.setOrganizationName(style.ORG_NAME)
    load_language()  # Chinese unless the planner chose English (View ▸ Language)
    apply_qt_translations()
    app.setStyle("Fusion")  # the same look on Windows, macOS and Linux, and in screenshots for the docs
    family = style.register_cjk_font()
    if family:
        font = QFont(app.font())
        font.setFamily(family)
        app.setFont(font)
    return app


#: The open main windows, kept alive here (a window made by another, e.g. on a change of language, has no owner).
_windows: list[MainWindow] = []


def keep(window: MainWindow) -> MainWindow:
    """Keep ``window`` alive until it is closed."""
    _windows.append(window)
    window.destroyed.connect(lambda *_: _windows.remove(window) if window in _windows else None)
    return window


def open_main_window(path: str | Path | None = None) -> MainWindow:
    """Load the scenario at ``path`` (default: the bundled baseline) and show it in a new main window.

    A file that cannot be read is explained in a message box and the window opens on an empty scenario, so a
    broken file never ends in a traceback or an app that does not start.
    """
    path = Path(path) if path is not None else paths.BASELINE
    error: ScenarioFileError | None = None
    try:
        scenario = load(path)
    except ScenarioFileError as exc:
        log.warning("cannot open scenario file %s:\n%s", path, exc.report())
        error, scenario = exc, Scenario()
    else:
        remove_stale_temporaries(path)  # what a save killed half-way left beside the file
    window = MainWindow(scenario, path=path if error is None else None)
    window.restore_layout()
    window.show()
    if error is not None:
        show_load_error(window, error, opened_empty=True)
    else:
        window.file_actions.offer_recovery()  # what a crashed session left unsaved
    return window


def run_app(path: str | None = None) -> int:
    """Run the planner on the scenario file at ``path`` (default: the bundled baseline); returns the exit code."""
    app = create_app(sys.argv[:1])  # the planner's own arguments are not Qt options
    window = open_main_window(path)
    if os.environ.get("PLANNER_EXIT_AFTER_FIRST_PAINT"):
        # For the start-up benchmark (tests/bench_canvas.py): say when the map is first on screen, then quit.
        def painted() -> None:
            print("first paint", flush=True)
            window.session.stack.set_clean()
            QTimer.singleShot(0, app.quit)

        window.canvas.firstPainted.connect(painted)
    return app.exec()
