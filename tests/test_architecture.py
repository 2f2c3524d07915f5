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


#: The layers of the package, lowest first: a module may import its own layer and the layers below it, never one
#: above (docs/architecture.md). Modules at the package root (paths, perf, events, textsafe, fonts) are the base,
#: the UI sits above the session, and the command line (which opens the app) on top of everything.
LAYER_ORDER = (
    ("paths", "perf", "events", "textsafe", "fonts"),
    ("geo",),
    ("domain",),
    ("analysis", "storage", "synth"),
    ("reports",),
    ("session",),
    ("ui",),
    ("cli",),
)
_RANK = {name: rank for rank, names in enumerate(LAYER_ORDER) for name in names}


def _layer(module: str) -> str | None:
    """The layer of a module of the package (``planner.geo.land`` → ``geo``), None for anything else."""
    parts = module.split(".")
    if parts[0] != "planner" or len(parts) < 2:
        return None
    return parts[1]


def _layer_violations() -> list[str]:
    offenders = []
    for path in PLANNER.rglob("*.py"):
        rel = path.relative_to(PLANNER)
        own = rel.parts[0].removesuffix(".py") if rel.parts[0] != "__init__.py" else None
        if own is None or own == "__main__":
            continue
        for line, name in _imports(path):
            other = _layer(name)
            if other is None or other == own:
                continue
            if other not in _RANK or own not in _RANK:
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {own} or {other} has no place in LAYER_ORDER")
            elif _RANK[other] > _RANK[own] or (_RANK[other] == _RANK[own]):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {own} imports {name} (same or higher layer)")
    return offenders


def test_the_layers_import_one_way():
    # cli → ui → session → reports → analysis | storage | synth → domain → geo → base; nothing imports upwards,
    # and the packages of one layer do not import each other.
    assert not _layer_violations(), "\n".join(_layer_violations())


def test_the_layer_check_would_catch_an_upward_import(tmp_path, monkeypatch):
    fake = tmp_path / "planner"
    (fake / "geo").mkdir(parents=True)
    (fake / "geo" / "bad.py").write_text("from planner.domain.features import Site\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PLANNER", fake)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _layer_violations() == ["planner/geo/bad.py:1: geo imports planner.domain.features (same or higher layer)"]
