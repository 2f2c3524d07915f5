"""``python main.py screenshot``: the main window rendered offscreen to a PNG (documentation and checks)."""

from __future__ import annotations

import os
from pathlib import Path

#: The --layer choices and the coverage layer each shows.
LAYER_CHOICES = {"coverage_5g": "5g", "coverage_5ga": "5g_a", "coverage_f5g": "f5g", "coverage_dual": "dual"}


def screenshot(
    file: str | Path,
    out: str | Path,
    *,
    size: tuple[int, int] = (1600, 1000),
    lang: str = "zh",
    year: int | None = None,
    layer: str | None = None,
    mode: str = "window",
    bookmark: str | None = None,
) -> Path:
    """Open ``file`` in a main window offscreen, as ``lang``, at ``year`` with ``layer`` shown, and save a PNG.

    ``mode`` "present" shows presentation mode (the map alone at ``size``, its overlay, large labels); ``bookmark``
    (a title, or a number from 1) shows that saved view first — its year, layers and extent — which ``year`` and
    ``layer``, when given, then override. An unknown bookmark is a ValueError naming the scenario's bookmarks.

    The picture is written to a temporary file beside ``out`` and renamed into place, so ``out`` is never half a
    PNG. Raises ScenarioFileError for a file that cannot be read, OSError when the PNG cannot be written.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication

    from planner.storage.atomic import atomic_write_bytes
    from planner.storage.fileformat import load
    from planner.ui import i18n
    from planner.ui.app import create_app
    from planner.ui.main_window import MainWindow

    scenario = load(file)
    target = None
    if bookmark is not None:
        from planner.domain.bookmarks import find_bookmark

        try:
            target = find_bookmark(scenario.bookmarks, bookmark)
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
    app = create_app(["planner-screenshot"])
    i18n.set_language(lang)  # for this picture only: the planner's own choice is not changed
    window = MainWindow(scenario, path=Path(file))
    window.remember_layout = False  # a picture for the docs must not change the planner's own layout
    window.resize(*size)
    session = window.session
    if mode == "present":
        window.presentation.enter(full_screen=False)  # offscreen there is no screen to fill: the map at ``size``
    window.show()
    for _ in range(3):
        app.processEvents()
    if target is not None:
        window.presentation.go_to_bookmark(target)  # once the map has its final size, so the extent is the one saved
    if year is not None:
        session.set_year(year)
    if layer is not None:
        session.set_layer_visible("coverage", True)
        session.set_layer_style("coverage", LAYER_CHOICES[layer])
    for _ in range(3):
        app.processEvents()
    window.figures_panel.refresh()
    app.processEvents()
    image = window.grab()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"the picture could not be encoded as PNG: {out}")
    buffer.close()
    out = Path(out)
    atomic_write_bytes(out, bytes(data), keep_backup=False)
    window.session.stack.set_clean()  # nothing to ask on close
    window.close()
    QCoreApplication.processEvents()
    return out
