"""Files in the app: save, save as, the unsaved-changes prompt, recent files, autosave and crash recovery."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest
from PySide6.QtWidgets import QFileDialog

from planner.domain import commands as cmd
from planner.paths import ROOT
from planner.storage import autosave
from planner.storage.atomic import save
from planner.storage.fileformat import load
from planner.ui.app import open_main_window
from planner.ui.main_window import MainWindow
from tests.conftest import CLI_ENV, make_site, make_small_scenario


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.json"
    save(make_small_scenario(), path, keep_backup=False)
    return path


@pytest.fixture
def window(qtbot, plan_file):
    w = open_main_window(plan_file)
    qtbot.addWidget(w)
    return w


def _edit(w, i=900):
    w.session.push(cmd.add_features(w.scenario, [make_site(i, 121.56, 29.86)]))


def test_save_writes_the_file_in_the_background_and_clears_the_mark(window, plan_file):
    _edit(window)
    assert window.isWindowModified()
    window.file_actions.save()
    window.file_actions.wait()
    assert load(plan_file) == window.scenario and not window.isWindowModified()
    assert not autosave.recovery_path(plan_file).exists()


def test_edits_made_while_a_save_runs_stay_unsaved(window, plan_file):
    _edit(window, 900)
    window.file_actions.save()  # the copy is taken now …
    _edit(window, 901)  # … so this edit is not in the file
    window.file_actions.wait()
    assert "site-000901" not in load(plan_file).sites and "site-000900" in load(plan_file).sites
    assert window.isWindowModified() and not window.stack.is_clean


def test_save_as_asks_for_a_name_and_remembers_the_file(window, tmp_path, monkeypatch):
    target = tmp_path / "另存为" / "新方案"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    _edit(window)
    assert window.file_actions.save_as()
    window.file_actions.wait()
    saved = target.with_suffix(".json")
    assert load(saved) == window.scenario and window.session.path == saved
    assert str(saved.resolve()) in window.file_actions.recent_files()


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(window, questions):
    _edit(window)
    questions.answer = "Cancel"
    window.close()
    assert window.isVisible() and questions.asked == ["保存修改？ Save changes?"]
    questions.answer = "Discard"
    window.close()
    assert not window.isVisible()


def test_closing_with_save_writes_the_file_first(window, plan_file, questions):
    _edit(window)
    questions.answer = "Save"
    window.close()
    assert not window.isVisible() and "site-000900" in load(plan_file).sites


def test_autosave_writes_a_recovery_file_and_a_clean_close_removes_it(window, plan_file, qtbot):
    window.file_actions.autosave_timer.setInterval(50)
    window.file_actions._idle.setInterval(50)
    _edit(window)
    recovery = autosave.recovery_path(plan_file)
    qtbot.waitUntil(recovery.exists, timeout=5000)
    window.file_actions.wait()
    assert load(recovery) == window.scenario
    assert autosave.pending_recovery(plan_file) == recovery
    window.file_actions.save()
    window.file_actions.wait()
    assert not recovery.exists()


def test_many_edits_autosave_at_the_next_pause_not_during_the_editing(window, plan_file, qtbot):
    window.file_actions._idle.setInterval(200)
    for i in range(autosave.AUTOSAVE_AFTER_EDITS):
        _edit(window, 900 + i)
    assert not autosave.recovery_path(plan_file).exists()  # not while edits keep coming
    qtbot.waitUntil(autosave.recovery_path(plan_file).exists, timeout=5000)  # but once they pause
    window.file_actions.wait()
    assert load(autosave.recovery_path(plan_file)) == window.scenario


def test_a_killed_session_is_recovered_on_the_next_start(qtbot, plan_file, questions):
    # A real app process with an unsaved edit, autosaved, then killed (SIGKILL: no chance to clean up).
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from planner.ui.app import create_app, open_main_window
        from planner.domain import commands as cmd
        from tests.conftest import make_site
        app = create_app(["planner"])
        w = open_main_window({str(plan_file)!r})
        w.session.push(cmd.add_features(w.scenario, [make_site(777, 121.57, 29.85)]))
        w.file_actions.autosave()
        w.file_actions.wait()
        print("ready", flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], env=CLI_ENV, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
    assert "site-000777" not in load(plan_file).sites  # the edit never reached the file …
    questions.answer = "Yes"
    w = open_main_window(plan_file)  # … but the next start offers it back
    qtbot.addWidget(w)
    assert questions.asked == ["恢复未保存的修改？ Recover unsaved changes?"]
    assert "site-000777" in w.scenario.sites and w.isWindowModified() and w.session.path == plan_file
    questions.answer = "Discard"


def test_declining_the_recovery_discards_it(qtbot, plan_file, questions):
    scenario = load(plan_file)
    scenario.sites["site-000555"] = make_site(555)
    autosave.write_recovery(scenario, plan_file)
    time.sleep(0.01)
    questions.answer = "No"
    w = open_main_window(plan_file)
    qtbot.addWidget(w)
    assert "site-000555" not in w.scenario.sites and autosave.pending_recovery(plan_file) is None


def test_new_from_the_baseline_is_an_unsaved_scenario(qtbot, questions):
    w = MainWindow(make_small_scenario())
    qtbot.addWidget(w)
    w.file_actions.new_from_baseline()
    assert len(w.scenario.sites) == 42_000 and w.session.path is None and w.isWindowModified()
    w.file_actions.new_empty()  # unsaved changes: asked (and discarded)
    assert questions.asked and not w.scenario.sites


def test_the_window_remembers_its_size_and_docks(qtbot, plan_file):
    from PySide6.QtCore import QSettings

    w = open_main_window(plan_file)
    qtbot.addWidget(w)
    w.figures_dock.hide()
    w.close()
    assert QSettings().value("window/geometry") is not None  # the size and place (clamped to the screen when
    again = open_main_window(plan_file)  # restored: the offscreen test screen is too small to compare sizes)
    qtbot.addWidget(again)
    assert not again.figures_dock.isVisible() and again.layers_dock.isVisible()
    QSettings().remove("window")  # the next tests' windows open with the default layout


def test_undoing_back_to_the_saved_state_removes_the_recovery_copy(window, plan_file):
    _edit(window)
    window.file_actions.autosave()
    window.file_actions.wait()
    assert autosave.recovery_path(plan_file).exists()
    window.session.undo()  # as saved again: nothing to recover after a crash
    window.file_actions.wait()
    assert not autosave.recovery_path(plan_file).exists() and autosave.pending_recovery(plan_file) is None


def test_save_as_takes_the_old_files_recovery_copy_with_it(window, plan_file, tmp_path, monkeypatch, questions):
    _edit(window)
    window.file_actions.autosave()
    window.file_actions.wait()
    assert autosave.recovery_path(plan_file).exists()
    other = tmp_path / "other.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(other), ""))
    window.file_actions.save_as()
    window.file_actions.wait()
    assert not autosave.recovery_path(plan_file).exists()
    assert window.file_actions.open_file(plan_file)
    assert "恢复未保存的修改？ Recover unsaved changes?" not in questions.asked
