"""Project rules: Qt only in planner/ui, heavy libraries imported where used, no eval/pickle of files."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from planner.paths import ROOT

PLANNER = ROOT / "planner"
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


def test_nothing_outside_planner_ui_imports_qt():
    offenders = []
    for path in PLANNER.rglob("*.py"):
        if path.relative_to(PLANNER).parts[0] == "ui":
            continue
        for line, name in _imports(path):
            if name.split(".")[0] in QT_MODULES:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_the_check_itself_would_catch_a_qt_import(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from PySide6.QtCore import QObject\n", encoding="utf-8")
    assert _imports(bad) == [(2, "PySide6.QtCore")]


def test_headless_commands_do_not_load_qt_or_heavy_libraries():
    code = (
        "import sys, planner.cli, planner.storage.fileformat, planner.analysis.summary, planner.domain.commands;"
        "print(','.join(m for m in ('PySide6','geopandas','matplotlib','folium','openpyxl','pandas')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_no_eval_exec_or_pickle_in_the_package():
    offenders = []
    for path in PLANNER.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
                offenders.append(f"{path}:{node.lineno} calls {node.func.id}")
        for line, name in _imports(path):
            if name.split(".")[0] in ("pickle", "marshal", "shelve"):
                offenders.append(f"{path}:{line} imports {name}")
    assert not offenders, "\n".join(offenders)
