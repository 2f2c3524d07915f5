"""File ▸ 导入… / Import…: bring sites, parks, zones or investment items in from another's file.

The planner picks a file; the dialog reads it once (:func:`planner.storage.import_sources.read_source`), guesses
the layer and maps its columns (:func:`planner.storage.importer.resolve_mapping`), and checks every row
(:func:`planner.storage.importer.check_table`) — again whenever the planner changes the layer, the coordinate
system, a column or a default. The report lists each rejected row with its number and every reason. Nothing changes
until 导入有效行 / Import valid rows, which pushes one command (one undo step) through the session.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.storage.import_columns import LAYER_FIELDS, recognise
from planner.storage.import_sources import FORMATS, SourceError, SourceTable, read_source
from planner.storage.importer import (
    CRS_CHOICES,
    IMPORT_LAYERS,
    ImportReport,
    MappingError,
    apply_import,
    check_table,
    parse_crs,
)
from planner.textsafe import printable
from planner.ui.i18n import tr
from planner.ui.widgets import ChoiceBox

#: Rejected rows listed in the dialog (the report counts them all; the CLI prints them all with --json).
SHOWN_REJECTIONS = 5000
FILE_FILTER = "表格与地理数据 Tables and GIS files (" + " ".join(f"*{s}" for s in FORMATS) + ")"
_NONE = "—"


def guess_layer(table: SourceTable) -> str:
    """The layer whose required fields the columns fill best (a name like ``zones.gpkg`` wins ties)."""
    stem = table.path.stem.lower()
    hints = {
        "sites": ("site", "站"),
        "parks": ("park", "园"),
        "zones": ("zone", "区域"),
        "investments": ("invest", "投资"),
    }

    def score(layer: str) -> tuple[int, int]:
        found = recognise(table.columns, layer)
        required = [s.name for s in LAYER_FIELDS[layer] if s.required]
        named = any(h in stem for h in hints[layer])
        return (sum(f in found for f in required) - len(required) + (2 if named else 0), len(found))

    layers = list(IMPORT_LAYERS)
    if table.geometries is not None:
        kinds = {getattr(g, "geom_type", None) for g in table.geometries[:50]}
        if kinds & {"Polygon", "MultiPolygon"}:
            layers = ["zones", "parks"]
        elif "Point" in kinds:
            layers = ["sites", "parks"]
    return max(layers, key=score)


class ImportDialog(QDialog):
    """Map, check and accept one source file; ``report`` is the last check, ``command`` what was accepted."""

    def __init__(self, session, table: SourceTable, parent: QWidget | None = None, *, layer: str | None = None,
                 crs: str | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.session, self.table = session, table
        self.report: ImportReport | None = None
        self.command = None
        self.setWindowTitle(tr("导入", "Import") + f" — {printable(table.path.name)}")
        self.resize(980, 680)
        layout = QVBoxLayout(self)
        where = f"{len(table.rows):,} {tr('行', 'rows')}" + (f" · {table.sheet}" if table.sheet else "")
        if table.encoding:
            where += f" · {table.encoding}"
        intro = QLabel(f"<b>{html.escape(printable(table.path.name))}</b> — {html.escape(where)}")
        layout.addWidget(intro)
        form = QFormLayout()
        self.layer = QComboBox()
        for key, name in IMPORT_LAYERS.items():
            self.layer.addItem(name, key)
        self.layer.setCurrentIndex(list(IMPORT_LAYERS).index(layer or guess_layer(table)))
        form.addRow(tr("导入为", "Import as"), self.layer)
        self.crs = QComboBox()
        declared = tr("文件声明的坐标系", "as the file declares") if table.geometries is not None else "WGS-84"
        self.crs.addItem(tr("自动", "Automatic") + f"（{declared}）", None)
        for key, name in CRS_CHOICES.items():
            self.crs.addItem(name, key)
        self.crs.addItem(tr("其他 EPSG 代码…", "Other EPSG code…"), "epsg")
        self.epsg = QLineEdit()
        self.epsg.setPlaceholderText("EPSG:4549")
        self.epsg.setMaximumWidth(140)
        self.epsg.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.crs, 1)
        row.addWidget(self.epsg)
        form.addRow(tr("坐标系", "Coordinates"), row)
        layout.addLayout(form)
        split = QSplitter(Qt.Orientation.Vertical)
        self.fields = QTableWidget(0, 3)
        self.fields.setHorizontalHeaderLabels([tr("字段", "Field"), tr("来源列", "Column"), tr("默认值", "Default")])
        self.fields.verticalHeader().setVisible(False)
        self.fields.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.fields.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        split.addWidget(self.fields)
        box = QWidget()
        report_layout = QVBoxLayout(box)
        report_layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        report_layout.addWidget(self.summary)
        self.rejected = QTableWidget(0, 3)
        self.rejected.setHorizontalHeaderLabels([tr("行", "Row"), tr("编号", "ID"), tr("原因", "Reasons")])
        self.rejected.verticalHeader().setVisible(False)
        self.rejected.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rejected.setWordWrap(True)
        self.rejected.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        report_layout.addWidget(self.rejected)
        split.addWidget(box)
        split.setSizes([260, 360])
        layout.addWidget(split, 1)
        buttons = QDialogButtonBox()
        self.check_button = QPushButton(tr("重新检查", "Check again"))
        self.check_button.clicked.connect(self.check)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.accept_button = buttons.addButton(
            tr("导入有效行", "Import valid rows"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if crs is not None:
            self._select_crs(crs)
        self._fill_fields()
        self.layer.currentIndexChanged.connect(lambda _i: (self._fill_fields(), self.check()))
        self.crs.currentIndexChanged.connect(self._crs_changed)
        self.epsg.editingFinished.connect(self.check)
        self.check()

    # -- the mapping ----------------------------------------------------------------------------------
    def _select_crs(self, crs: str) -> None:
        key = parse_crs(crs)
        i = self.crs.findData(key)
        if i < 0:
            self.crs.setCurrentIndex(self.crs.findData("epsg"))
            self.epsg.setText(key or "")
            self.epsg.setVisible(True)
        else:
            self.crs.setCurrentIndex(i)

    def _crs_changed(self, _i: int) -> None:
        self.epsg.setVisible(self.crs.currentData() == "epsg")
        if self.crs.currentData() != "epsg" or self.epsg.text().strip():
            self.check()

    def current_layer(self) -> str:
        """The layer the rows are imported into."""
        return self.layer.currentData()

    def _fill_fields(self) -> None:
        layer = self.current_layer()
        found = recognise(self.table.columns, layer)
        specs = LAYER_FIELDS[layer]
        self.fields.setRowCount(len(specs))
        self._choosers: dict[str, QComboBox] = {}
        self._defaults: dict[str, QLineEdit] = {}
        for r, spec in enumerate(specs):
            label = QTableWidgetItem(f"{spec.zh} {spec.name}" + (" *" if spec.required else ""))
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            if spec.required:
                font = label.font()
                font.setBold(True)
                label.setFont(font)
            self.fields.setItem(r, 0, label)
            chooser = ChoiceBox()  # the wheel scrolls the table, it never changes a mapping the planner did not click
            chooser.addItem(_NONE, None)
            for column in self.table.columns:
                chooser.addItem(printable(column), column)
            if spec.name in found:
                chooser.setCurrentIndex(chooser.findData(found[spec.name]))
            chooser.currentIndexChanged.connect(lambda _i: self.check())
            self.fields.setCellWidget(r, 1, chooser)
            default = QLineEdit()
            if spec.default not in (None, ""):
                default.setPlaceholderText(
                    tr("基准年", "base year") if spec.default == "base_year" else str(spec.default)
                )
            default.editingFinished.connect(self.check)
            self.fields.setCellWidget(r, 2, default)
            self._choosers[spec.name], self._defaults[spec.name] = chooser, default

    def mapping(self) -> dict[str, str]:
        """``{field: column}`` as chosen."""
        return {f: c.currentData() for f, c in self._choosers.items() if c.currentData() is not None}

    def set_column(self, field_name: str, column: str | None) -> None:
        """Choose the column that fills ``field_name`` (None: no column); the rows are checked again."""
        chooser = self._choosers[field_name]
        chooser.setCurrentIndex(chooser.findData(column) if column is not None else 0)

    def defaults(self) -> dict[str, str]:
        """``{field: value}`` typed as defaults."""
        return {f: e.text().strip() for f, e in self._defaults.items() if e.text().strip()}

    def crs_text(self) -> str | None:
        """The coordinate system chosen (None: automatic)."""
        data = self.crs.currentData()
        return self.epsg.text().strip() or None if data == "epsg" else data

    # -- checking ---------------------------------------------------------------------------------------
    def check(self) -> ImportReport | None:
        """Check every row with the current choices and show the report."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.report = check_table(self.table, self.current_layer(), self.session.scenario, crs=self.crs_text(),
                                      mapping=self.mapping(), defaults=self.defaults())  # fmt: skip
            error = None
        except MappingError as exc:  # the app's own words: the mapping is chosen in the table below
            advice = tr("在下表中为其选择一列，或填写默认值", "choose a column for it below, or give a default")
            self.report, error = None, f"{printable(exc.problem)} — {advice}"
        except ValueError as exc:
            self.report, error = None, printable(exc)
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._show(error)
        return self.report

    def _show(self, error: str | None) -> None:
        report = self.report
        self.rejected.setRowCount(0)
        if report is None:
            self.summary.setText(f"<span style='color:#b00020'>{html.escape(error or '')}</span>")
            self.accept_button.setEnabled(False)
            self.accept_button.setText(tr("导入有效行", "Import valid rows"))
            return
        valid, bad = len(report.features), len(report.rejected)
        colour = "#1b7f3b" if not bad else "#b26a00"
        notes = "<br>".join(html.escape(printable(n)) for n in report.notes)
        self.summary.setText(
            f"<b style='color:{colour}'>{valid:,} {tr('行有效', 'valid')}，{bad:,} {tr('行被拒绝', 'rejected')}</b>"
            f"（{tr('共', 'of')} {report.total:,}）<br><small>{notes}</small>"
        )
        shown = report.rejected[:SHOWN_REJECTIONS]
        self.rejected.setRowCount(len(shown))
        for r, rej in enumerate(shown):
            for c, value in enumerate((str(rej.row), rej.id or "", "；".join(rej.reasons))):
                self.rejected.setItem(r, c, QTableWidgetItem(printable(value)))
        self.rejected.resizeRowsToContents()
        self.accept_button.setEnabled(valid > 0)
        self.accept_button.setText(tr(f"导入 {valid:,} 行有效数据", f"Import {valid:,} valid rows"))

    def accept(self) -> None:
        """Push the valid rows as one command, then close."""
        if self.report is None or not self.report.features:
            return
        self.command = apply_import(self.session.scenario, self.report)
        self.session.push(self.command)
        super().accept()


def _open_source(window, path: str | Path) -> SourceTable | None:
    try:
        return read_source(path)
    except SourceError as exc:
        QMessageBox.warning(window, tr("无法导入", "Cannot import"), printable(exc))
        return None


def import_file(window, path: str | Path | None = None, *, layer: str | None = None, crs: str | None = None,
                accept: bool = False) -> ImportDialog | None:  # fmt: skip
    """File ▸ Import…: ask for a file (unless ``path``), then map, check and accept (``accept``: at once, for
    tests and scripted use). Returns the dialog, or None when no file was read."""
    if path is None:
        start = str(window.session.path.parent) if window.session.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(window, tr("导入数据", "Import data"), start, FILE_FILTER)
        if not path:
            return None
    table = _open_source(window, path)
    if table is None:
        return None
    dialog = ImportDialog(window.session, table, window, layer=layer, crs=crs)
    window.last_import_dialog = dialog
    if accept:
        dialog.accept()
    else:
        dialog.exec()
    if dialog.command is not None:
        window.statusBar().showMessage(printable(dialog.command.label), 8000)
    return dialog


def install_import(window) -> QAction:
    """Add File ▸ 导入… (Ctrl+I) before Export."""
    action = QAction(tr("导入…", "Import…"), window)
    action.setShortcut(QKeySequence("Ctrl+I"))
    tip = tr("从 CSV、Excel、GeoJSON、GeoPackage、Shapefile 导入站点、园区、区域或投资项",
             "Import sites, parks, zones or investment items from CSV, Excel, GeoJSON, GPKG or SHP")  # fmt: skip
    action.setStatusTip(tip)
    action.triggered.connect(lambda: import_file(window))
    window.file_menu.insertAction(window.export_action, action)
    window.import_action = action
    return action


__all__ = ["ImportDialog", "guess_layer", "import_file", "install_import"]
