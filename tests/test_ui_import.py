"""File ▸ Import in the app: the column mapping, the report of rejected rows, and one undoable command."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported: no display needed

import csv

import numpy as np
import pytest
import shapely
from PySide6.QtWidgets import QMessageBox

from planner.geo.chinacrs import wgs84_to_gcj02
from planner.geo.crs import to_metric
from planner.storage.import_sources import read_source
from planner.ui.import_dialog import ImportDialog, guess_layer, import_file
from planner.ui.main_window import MainWindow
from tests.test_ui_main_window import layered_scenario

KNOWN = [(121.5505, 29.8735), (121.8440, 29.9000), (121.1540, 30.0380)]


@pytest.fixture
def window(qtbot) -> MainWindow:
    w = MainWindow(layered_scenario())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _operator_csv(path, encoding="gbk"):
    """An operator's site list as Chinese Excel saves it: GBK, GCJ-02 coordinates, Chinese headers, one bad row."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["站号", "经度", "纬度", "运营商", "频段", "挂高(m)", "站型"])
        for i, (lon, lat) in enumerate(KNOWN):
            glon, glat = wgs84_to_gcj02(lon, lat)
            w.writerow([f"YD{i}", f"{glon:.8f}", f"{glat:.8f}", "移动", "4.9G", "35", "5G-A"])
        w.writerow(["YD9", "121.60", "", "移动", "4.9G", "35", "5G-A"])
    return path


def test_file_menu_has_import(window):
    assert window.import_action.shortcut().toString() == "Ctrl+I"
    assert window.import_action in window.file_menu.actions()


def test_an_operators_gbk_gcj02_list_is_imported_as_one_undo_step(window, tmp_path):
    path = _operator_csv(tmp_path / "移动5G-A站点.csv")
    before = dict(window.scenario.sites)
    dialog = import_file(window, path, crs="gcj02", accept=True)
    report = dialog.report
    assert dialog.current_layer() == "sites" and len(report.features) == 3
    assert dialog.rejected.rowCount() == 1
    assert dialog.rejected.item(0, 0).text() == "5" and "no coordinates" in dialog.rejected.item(0, 2).text()
    added = [s for k, s in window.scenario.sites.items() if k not in before]
    assert len(added) == 3 and {s.kind for s in added} == {"5g_a"}
    for s, (lon, lat) in zip(sorted(added, key=lambda s: s.lon), sorted(KNOWN), strict=True):
        x, y = to_metric([s.lon, lon], [s.lat, lat])
        assert np.hypot(x[0] - x[1], y[0] - y[1]) < 1.0
    assert window.stack.undo_label == "导入 移动5G-A站点.csv（3 个要素）"
    assert "导入" in window.statusBar().currentMessage()
    window.session.undo()
    assert window.scenario.sites == before


def test_the_mapping_and_the_crs_rechecks_the_rows(window, tmp_path):
    path = tmp_path / "list.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["站址东经度", "站址北纬度", "运营商", "频段", "挂高", "类型"])
        for lon, lat in KNOWN:
            w.writerow([lon, lat, "电信", "3500", "30", "宏站"])
    before = dict(window.scenario.sites)
    dialog = ImportDialog(window.session, read_source(path), window, layer="sites")
    assert dialog.report is None and not dialog.accept_button.isEnabled()
    assert "lon（经度）" in dialog.summary.text() and "在下表中为其选择一列" in dialog.summary.text()
    assert "--map" not in dialog.summary.text()  # the command line's advice is not the app's
    dialog.set_column("lon", "站址东经度")
    dialog.set_column("lat", "站址北纬度")
    assert len(dialog.report.features) == 3 and dialog.accept_button.isEnabled()
    assert "3" in dialog.accept_button.text()
    first = dialog.report.features[0]
    dialog.crs.setCurrentIndex(dialog.crs.findData("gcj02"))  # the list was in GCJ-02 after all
    moved = dialog.report.features[0]
    x, y = to_metric([first.lon, moved.lon], [first.lat, moved.lat])
    assert 300 < np.hypot(x[0] - x[1], y[0] - y[1]) < 800
    dialog.reject()
    assert dialog.command is None and window.scenario.sites == before


def test_a_zone_geopackage_is_guessed_as_zones(tmp_path):
    import geopandas as gpd

    df = gpd.GeoDataFrame({"名称": ["甲"], "类型": ["双万兆"]}, geometry=[shapely.box(121.5, 29.85, 121.56, 29.89)],
                          crs="EPSG:4326")  # fmt: skip
    df.to_file(tmp_path / "bureau.gpkg")
    assert guess_layer(read_source(tmp_path / "bureau.gpkg")) == "zones"


def test_an_unreadable_file_is_explained_and_nothing_changes(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04 broken")
    before = dict(window.scenario.sites)
    assert import_file(window, tmp_path / "x.xlsx", accept=True) is None
    assert shown and "x.xlsx" in shown[0] and window.scenario.sites == before


def test_the_wheel_scrolls_the_mapping_and_never_changes_a_column(window, tmp_path):
    """Scrolling the mapping table with the wheel over a drop-down used to change the column it maps."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    path = _operator_csv(tmp_path / "s.csv")
    dialog = ImportDialog(window.session, read_source(path), window, layer="sites")
    chooser = dialog._choosers["lat"]
    assert chooser.currentData() == "纬度"
    pos = QPointF(5, 5)
    event = QWheelEvent(pos, chooser.mapToGlobal(pos), QPoint(), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(chooser, event)
    assert chooser.currentData() == "纬度" and len(dialog.report.features) == 3
    dialog.reject()
