"""File ▸ Export: the brief, the web map, print maps and the GeoPackage, written off the GUI thread.

The dialog asks what to write and where; :class:`Exporter` writes a *copy* of the scenario as it was when the
export started (so that the planner can go on editing while it runs) through :func:`planner.cli.export_all`, the
same code as ``python main.py export``, on a worker thread, and reports progress and the outcome through Qt
signals (queued to the GUI thread). Each file is written atomically: a failure names the file and the reason and
leaves no half-written file.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from planner.domain.scenario import Scenario
from planner.storage.oserrors import describe
from planner.textsafe import printable
from planner.ui.i18n import tr

#: What can be exported: (kind, file suffix, Chinese, English).
KINDS = (
    ("xlsx", ".xlsx", "Excel 简报", "Excel brief"),
    ("html", ".html", "网页地图（离线可用）", "Web map (works offline)"),
    ("png", ".png", "地图图片 PNG", "Map picture (PNG)"),
    ("pdf", ".pdf", "打印地图 PDF", "Map for print (PDF)"),
    ("gpkg", ".gpkg", "GeoPackage 图层", "GeoPackage layers"),
    ("geojson", "_geojson/", "GeoJSON 图层文件夹", "GeoJSON folder, one file per layer"),
)
MAPS = (
    ("product", "一区一品", "One district, one product"),
    ("coverage_5g", "5G 覆盖", "5G coverage"),
    ("coverage_5ga", "5G-A 覆盖", "5G-A coverage"),
    ("coverage_f5g", "F5G 覆盖", "F5G coverage"),
    ("coverage_dual", "双万兆覆盖", "Dual-gigabit coverage"),
)


class Exporter(QObject):
    """Runs one export on a worker thread; ``progress(done, total, kind)``, then ``finished(paths, error)``."""

    progress = Signal(int, int, str)
    finished = Signal(list, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export")
        self.busy = False

    def start(self, scenario: Scenario, targets: list[tuple[str, Path]], **options) -> None:
        """Export ``targets`` [(kind, path)] of a copy of ``scenario``; options as :func:`planner.cli.export_all`."""
        from planner.reports.export import export_all

        snapshot = scenario.copy()
        self.busy = True

        def run() -> None:
            written: list[tuple[str, Path, str]] = []
            error = ""
            try:
                export_all(snapshot, targets, written=written, progress=self.progress.emit, **options)
            except OSError as exc:
                where = exc.filename if exc.filename is not None else "?"
                error = f"无法写入 Cannot write {printable(where)}: {printable(describe(exc))}"
            except Exception as exc:
                import logging

                logging.getLogger(__name__).exception("export failed")
                error = f"导出失败 Export failed: {printable(exc)}"
            self.busy = False
            self.finished.emit([str(p) for _, p, _d in written], error)

        self._pool.submit(run)


class ExportDialog(QDialog):
    """What to export, where, and which map (the year is the window's)."""

    def __init__(self, folder: Path, stem: str, parent: QWidget | None = None, *, compare: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("导出", "Export"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.folder = QLineEdit(str(folder))
        self.folder.setMinimumWidth(420)
        browse = QPushButton(tr("浏览…", "Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow(tr("文件夹", "Folder"), row)
        self.stem = QLineEdit(stem)
        form.addRow(tr("文件名", "File name"), self.stem)
        self.checks: dict[str, QCheckBox] = {}
        for kind, suffix, zh, en in KINDS:
            box = QCheckBox(f"{tr(zh, en)}  ({suffix})")
            box.setChecked(kind in ("xlsx", "html"))
            self.checks[kind] = box
            form.addRow("", box)
        self.map_kind = QComboBox()
        for key, zh, en in MAPS:
            self.map_kind.addItem(tr(zh, en), key)
        form.addRow(tr("地图", "Map"), self.map_kind)
        self.page = QComboBox()
        self.page.addItem(tr("A4 横向", "A4 landscape"), "a4")
        self.page.addItem("16:9", "16:9")
        form.addRow(tr("版面", "Page"), self.page)
        # A second scenario for the brief's 方案对比 sheet (the same as ``export --compare OTHER``).
        self.compare = QLineEdit(str(compare) if compare is not None else "")
        self.compare.setPlaceholderText(tr("可选：另一情景文件，用于“方案对比”表", "Optional: a scenario for 方案对比"))
        pick = QPushButton(tr("选择…", "Choose…"))
        pick.clicked.connect(self._choose_compare)
        row = QHBoxLayout()
        row.addWidget(self.compare, 1)
        row.addWidget(pick)
        form.addRow(tr("对比情景", "Compare with"), row)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("导出", "Export"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, tr("导出到", "Export to"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _choose_compare(self) -> None:
        start = self.compare.text() or self.folder.text()
        name, _ = QFileDialog.getOpenFileName(self, tr("对比情景", "Compare with"), start, "情景 Scenario (*.json)")
        if name:
            self.compare.setText(name)

    def targets(self) -> list[tuple[str, Path]]:
        """The (kind, path) of every output ticked (GeoJSON: a folder ``<name>_geojson`` of one file per layer)."""
        folder = Path(self.folder.text().strip() or ".")
        stem = self.stem.text().strip() or "export"
        ticked = [(kind, suffix.rstrip("/")) for kind, suffix, _, _ in KINDS if self.checks[kind].isChecked()]
        return [(kind, folder / f"{stem}{suffix}") for kind, suffix in ticked]

    def compare_path(self) -> Path | None:
        """The scenario file to compare with, if one is given."""
        text = self.compare.text().strip()
        return Path(text) if text else None

    def options(self) -> dict:
        """The map and page for the PNG and PDF."""
        return {"map_kind": self.map_kind.currentData(), "page": self.page.currentData()}
