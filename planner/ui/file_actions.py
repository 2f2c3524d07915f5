"""The File menu's work: new, open, save, save as, recent files, autosave and crash recovery.

Saving and autosaving never hold the window for more than taking a copy of the scenario (its collections are
copied, its features are immutable and shared): the file is written by a background thread, and the saved state
is marked clean at the point of the copy, so edits made meanwhile stay unsaved. See
:mod:`planner.storage.autosave` for the recovery file.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from planner import paths
from planner.domain.scenario import Scenario
from planner.session import StackChanged
from planner.storage import autosave
from planner.storage.atomic import remove_stale_temporaries, save
from planner.storage.fileformat import load
from planner.storage.oserrors import describe_os_error
from planner.storage.problems import ScenarioFileError
from planner.textsafe import printable
from planner.ui.binding import SessionLink
from planner.ui.i18n import tr

if TYPE_CHECKING:
    from planner.ui.main_window import MainWindow

log = logging.getLogger(__name__)
FILE_FILTER = "情景文件 Scenario files (*.json);;所有文件 All files (*)"
RECENT_MAX = 8


class FileActions(QObject):
    """File actions of one main window."""

    #: A background write finished: (what: "save" or "autosave", path, stack index saved, error text or "").
    written = Signal(str, str, int, str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="save")
        self._pending: Future | None = None
        self._edits_since_autosave = 0
        self._discard_after_save: set[Path | None] = set()
        self.written.connect(self._on_written)

        def action(text: str, slot, shortcut=None) -> QAction:
            a = QAction(text, window)
            if shortcut is not None:
                a.setShortcut(shortcut)
            a.triggered.connect(lambda _checked=False: slot())
            return a

        self.new_empty_action = action(
            tr("新建空白情景", "New empty scenario"), self.new_empty, QKeySequence.StandardKey.New
        )
        self.new_baseline_action = action(tr("基于现状基线新建", "New from the baseline"), self.new_from_baseline)
        self.open_action = action(tr("打开…", "Open…"), self.open_dialog, QKeySequence.StandardKey.Open)
        self.save_action = action(tr("保存", "Save"), self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = action(tr("另存为…", "Save as…"), self.save_as, QKeySequence.StandardKey.SaveAs)
        self.recent_menu = QMenu(tr("最近打开", "Recent files"), window)
        self.recent_menu.aboutToShow.connect(self._fill_recent)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(int(autosave.AUTOSAVE_INTERVAL_S * 1000))
        self.autosave_timer.timeout.connect(self._minute)
        self.autosave_timer.start()
        self._due = False  # the minute has come while the planner was editing
        self._idle = QTimer(self)  # restarted by every edit: fires after a pause
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(autosave.AUTOSAVE_PAUSE_S * 1000))
        self._idle.timeout.connect(self._when_idle)
        self._link = SessionLink(self)
        self._link.attach(window.session, self._on_event)

    @property
    def session(self):
        return self.window.session

    # -- events -----------------------------------------------------------------------------------------
    def _on_event(self, event: object) -> None:
        if isinstance(event, StackChanged) and event.clean:
            # Back to the saved state (a save, or undoing every edit since): nothing is left to recover. Queued
            # behind any recovery copy still being written, so that one cannot come back after it.
            path = self.session.path
            self._pending = self._writer.submit(autosave.discard_recovery, path)
        elif isinstance(event, StackChanged):
            self._edits_since_autosave += 1
            # Writing runs in a thread but still takes turns with the window for Python's lock: never in the
            # middle of a drag. After many edits, or at the minute, it waits for a pause in the editing.
            self._idle.start()

    def _when_idle(self) -> None:
        if self._edits_since_autosave >= autosave.AUTOSAVE_AFTER_EDITS or self._due:
            self.autosave()

    def _minute(self) -> None:
        self._due = True
        if not self._idle.isActive():
            self.autosave()

    # -- new and open -----------------------------------------------------------------------------------
    def new_empty(self) -> None:
        """Start an empty, never-saved scenario (after asking about unsaved changes)."""
        if self.confirm_discard():
            self._replace(Scenario(), None)

    def new_from_baseline(self) -> None:
        """Start a never-saved scenario from the bundled baseline (its sites, parks and zones)."""
        if not self.confirm_discard():
            return
        scenario = self.load_or_explain(paths.BASELINE)
        if scenario is None:
            return
        scenario.name = f"{scenario.name}（新方案）"
        self._replace(scenario, None)
        self.session.stack.set_dirty()

    def open_dialog(self) -> None:
        """Ask for a scenario file and open it."""
        path = self.session.path
        start = str(path.parent if path else paths.SCENARIOS)
        name, _ = QFileDialog.getOpenFileName(self.window, "打开情景 Open scenario", start, FILE_FILTER)
        if name:
            self.open_file(name)

    def open_file(self, path: str | Path) -> bool:
        """Open the scenario file at ``path``; on failure explain why and keep the current scenario."""
        if not self.confirm_discard():
            return False
        scenario = self.load_or_explain(path)
        if scenario is None:
            return False
        remove_stale_temporaries(path)  # what a save killed half-way left beside the file
        self._replace(scenario, Path(path))
        self.remember(Path(path))
        self.offer_recovery()
        return True

    def load_or_explain(self, path: str | Path) -> Scenario | None:
        """The scenario in ``path``; None after explaining in a message box why it cannot be read."""
        from planner.ui.main_window import show_load_error

        try:
            return load(path)
        except ScenarioFileError as exc:
            show_load_error(self.window, exc)
            return None

    def _replace(self, scenario: Scenario, path: Path | None) -> None:
        old = self.session.path
        if self.session.stack.is_clean:
            autosave.discard_recovery(old)  # nothing unsaved there any more
        self.session.replace(scenario, path)
        self._edits_since_autosave = 0

    # -- save -------------------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the scenario's file (asks for one if it has none); the write runs in the background."""
        if self.session.path is None:
            return self.save_as()
        self._write("save", self.session.path)
        return True

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        start = str(self.session.path or paths.SCENARIOS / "新情景.json")
        name, _ = QFileDialog.getSaveFileName(self.window, "另存为 Save as", start, FILE_FILTER)
        if not name:
            return False
        path = Path(name) if Path(name).suffix else Path(name).with_suffix(".json")
        # The recovery copy of the file saved from (or of the untitled scenario) goes once the new file is written:
        # reopening the old file must not offer edits that now live in the new one.
        self._discard_after_save.add(self.session.path)
        self._write("save", path)
        return True

    def _write(self, what: str, path: Path | None) -> None:
        """Copy the scenario now; write it in the background (one write at a time, in order)."""
        copy = self.session.scenario.copy()
        index = len(self.session.stack.done)
        target = "" if path is None else str(path)

        def work() -> None:
            try:
                if what == "save":
                    save(copy, target)
                else:
                    autosave.write_recovery(copy, path)
                error = ""
            except OSError as exc:
                error = describe_os_error(exc, target or None)
            except Exception as exc:  # a value that cannot be written (refused by the format): say so, keep going
                log.exception("writing %s failed", target or "the recovery file")
                error = f"{type(exc).__name__}: {exc}"
            self.written.emit(what, target, index, error)

        self._pending = self._writer.submit(work)

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for the background write in progress (tests, closing the window)."""
        if self._pending is not None:
            self._pending.result(timeout)
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.processEvents()

    def _on_written(self, what: str, target: str, index: int, error: str) -> None:
        if error:
            title = "保存失败 Save failed" if what == "save" else "自动保存失败 Autosave failed"
            if what == "save":
                QMessageBox.warning(self.window, title, f"文件未保存 The file was not saved:\n{printable(error)}")
            else:
                self.window.statusBar().showMessage(f"{title}: {printable(error)}", 10000)
            return
        if what == "autosave":
            self.window.statusBar().showMessage("已自动保存恢复副本 · Recovery copy autosaved", 3000)
            return
        path = Path(target)
        self.session.mark_saved(path)
        self.session.stack.set_clean(index)
        for old in {path, *self._discard_after_save}:
            autosave.discard_recovery(old)
        self._discard_after_save.clear()
        self.remember(path)
        self.window.statusBar().showMessage(f"已保存 Saved: {printable(path)}", 4000)

    def autosave(self) -> None:
        """Write the recovery file if there are edits since the last save."""
        self._edits_since_autosave = 0
        self._due = False
        if not self.session.stack.is_clean:
            self._write("autosave", self.session.path)

    # -- recovery and closing ---------------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """If a crashed session left a recovery file for the current file, offer to restore it."""
        found = autosave.pending_recovery(self.session.path)
        if found is None:
            return False
        answer = QMessageBox.question(
            self.window,
            "恢复未保存的修改？ Recover unsaved changes?",
            "上次编辑此情景时程序未正常退出，留下了未保存的修改。是否恢复？\n"
            "The planner did not close normally last time and left unsaved changes to this scenario. Recover them?\n\n"
            f"{printable(found)}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            autosave.discard_recovery(self.session.path)
            return False
        recovered = self.load_or_explain(found)
        if recovered is None:
            return False
        self.session.replace(recovered, self.session.path)
        self.session.stack.set_dirty()  # recovered edits are not in the file until saved
        return True

    def confirm_discard(self) -> bool:
        """With unsaved changes, ask whether to save them first; False when the planner cancels."""
        if self.session.stack.is_clean:
            return True
        answer = QMessageBox.question(
            self.window,
            "保存修改？ Save changes?",
            "当前情景有未保存的修改。是否先保存？\nThe current scenario has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            if not self.save():
                return False
            self.wait()
            return self.session.stack.is_clean
        autosave.discard_recovery(self.session.path)
        return True

    def closing(self) -> None:
        """The window closes cleanly: finish writing and remove the recovery file (nothing is left unsaved)."""
        self.autosave_timer.stop()
        if self._pending is not None:
            self._pending.result(30)
        autosave.discard_recovery(self.session.path)
        self._writer.shutdown(wait=True)

    # -- recent files -----------------------------------------------------------------------------------
    def remember(self, path: Path) -> None:
        """Put ``path`` first in the recent files."""
        name = str(path.resolve())
        files = [name] + [f for f in _stored_list(QSettings(), "recent_files") if f != name]
        QSettings().setValue("recent_files", files[:RECENT_MAX])

    def recent_files(self) -> list[str]:
        """The recent files, most recent first, that still exist."""
        return [f for f in _stored_list(QSettings(), "recent_files") if Path(f).is_file()]

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            self.recent_menu.addAction("（无）(none)").setEnabled(False)
        for f in files:
            self.recent_menu.addAction(printable(f)).triggered.connect(lambda _c=False, f=f: self.open_file(f))


def _stored_list(settings: QSettings, key: str) -> list[str]:
    """A list of strings from the settings (an INI file gives back a single item as a plain string)."""
    value = settings.value(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]
