"""The main window: district table, map, layers, status bar, undo/redo and file errors (offscreen, pytest-qt).

Scenarios are built in code so that the tests do not depend on the bundled scenario file.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported: no display needed

import re
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QFontDatabase, QKeySequence, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from shapely.geometry import Point, box

from planner.domain.commands import (
    CommandStack,
    add_features,
    assign_product,
    move_feature,
    remove_features,
    set_attributes,
    set_scenario_info,
)
from planner.domain.features import Park, Site, Zone
from planner.domain.scenario import Scenario
from planner.fonts import CJK_FAMILY
from planner.geo.basemap import districts
from planner.storage.fileformat import dumps
from planner.ui import app as app_module
from planner.ui import style
from planner.ui.app import create_app, open_main_window, run_app
from planner.ui.main_window import COL_NAME, COL_PRODUCT, LOAD_ERROR_TITLE, MainWindow
from planner.ui.map_canvas import MapCanvas, district_shapes, to_lonlat, to_scene


# -- helpers ------------------------------------------------------------------------------------------------
def make_site(n: int, lon: float = 121.55, lat: float = 29.87, source: str = "planner") -> Site:
    """A valid 5G macro site in Ningbo."""
    return Site(f"site-{n:06d}", "5g_macro", "cmcc", 3500, 30.0, "urban", lon, lat, source=source)


def make_park(n: int, geometry=None, kind: str = "sck_core") -> Park:
    """A valid park (a point in 鄞州 unless a geometry is given)."""
    from planner.geo.land import district_of_points

    geometry = geometry or Point(121.60, 29.85)
    spot = geometry.representative_point()
    district = district_of_points([spot.x], [spot.y])[0]  # a park must lie in the district it names
    return Park(f"park-{n:06d}", f"测试园区{n}", kind, geometry, district)


def make_zone(n: int) -> Zone:
    """A valid priority zone around 三江口."""
    return Zone(f"zone-{n:06d}", f"测试区域{n}", "priority", box(121.52, 29.85, 121.58, 29.89))


def layered_scenario(**kwargs) -> Scenario:
    """Two parks, three sites (one synthetic) and one zone."""
    parks = {p.id: p for p in (make_park(1), make_park(2, box(121.12, 30.02, 121.18, 30.06), "digital_park"))}
    sites = {s.id: s for s in (make_site(1), make_site(2, 121.30, 30.10), make_site(3, 121.80, 29.40, "synthetic"))}
    zones = {z.id: z for z in (make_zone(1),)}
    return Scenario(name="测试情景", parks=parks, sites=sites, zones=zones, **kwargs)


@pytest.fixture(autouse=True)
def app(qapp) -> QApplication:
    """The application set up as the planner does it (bundled CJK font, Fusion style)."""
    return create_app([])


@pytest.fixture
def window(qtbot) -> MainWindow:
    """A shown main window on a small scenario with 北仑's product assigned."""
    w = MainWindow(layered_scenario(products={"330206": "港航数据 + 交通治理"}))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def table_column(w: MainWindow, col: int) -> list[str]:
    """Texts of one column of the products table, top to bottom."""
    t = w.products_table
    return [t.item(r, col).text() for r in range(t.rowCount())]


def row_of(w: MainWindow, adcode: str) -> int:
    """Table row of a district."""
    t = w.products_table
    return next(r for r in range(t.rowCount()) if t.item(r, COL_NAME).data(Qt.ItemDataRole.UserRole) == adcode)


# -- the district table -------------------------------------------------------------------------------------
def test_table_lists_the_ten_districts_by_chinese_name(window):
    names = table_column(window, COL_NAME)
    assert names == [d.name_zh for d in districts()]
    assert len(names) == 10
    expected = {"海曙区", "江北区", "北仑区", "镇海区", "鄞州区", "奉化区", "象山县", "宁海县", "余姚市", "慈溪市"}
    assert set(names) == expected


def test_table_shows_population_area_and_products(window):
    row = row_of(window, "330206")
    t = window.products_table
    assert t.item(row, 1).text() == "Beilun"
    assert t.item(row, 2).text() == "829,448"
    assert t.item(row, 3).text() == "599.0"
    assert t.item(row, COL_PRODUCT).text() == "港航数据 + 交通治理"
    assert t.item(row_of(window, "330203"), COL_PRODUCT).text() == "未分配"
    assert "1 / 10" in window.products_summary.text()


def test_product_assigned_through_the_stack_updates_table_and_map_and_undo_reverts(window):
    label = window.canvas.district_label("330203")
    fill_before = window.canvas.district_item("330203").brush().color()
    assert style.UNASSIGNED_PRODUCT in label.text()

    window.stack.push(assign_product(window.scenario, "330203", "软件服务"))

    row = row_of(window, "330203")
    assert window.products_table.item(row, COL_PRODUCT).text() == "软件服务"
    assert label.text().splitlines() == ["海曙区", "软件服务"]
    assert window.canvas.district_item("330203").brush().color() != fill_before
    assert "2 / 10" in window.products_summary.text()
    window.canvas.zoom_to_district("330203")
    assert "软件服务" in label.shown_text()  # close up there is room for the product line
    assert window.undo_action.isEnabled()
    assert "软件服务" in window.undo_action.text()
    assert window.isWindowModified()

    window.undo_action.trigger()

    assert window.scenario.products.get("330203") is None
    assert window.products_table.item(row, COL_PRODUCT).text() == "未分配"
    assert label.text().splitlines() == ["海曙区", style.UNASSIGNED_PRODUCT]
    assert window.canvas.district_item("330203").brush().color() == fill_before
    assert not window.undo_action.isEnabled()
    assert window.undo_action.text() == "撤销"
    assert window.redo_action.isEnabled() and "软件服务" in window.redo_action.text()

    window.redo_action.trigger()
    assert window.products_table.item(row, COL_PRODUCT).text() == "软件服务"


def test_selecting_a_row_highlights_the_district(window):
    window.products_table.selectRow(row_of(window, "330225"))
    assert window.canvas.highlighted_district() == "330225"
    window.products_table.clearSelection()
    assert window.canvas.highlighted_district() is None


# -- window, layers, status bar -----------------------------------------------------------------------------
def test_window_title_is_bilingual_and_names_ningbo(window):
    title = window.windowTitle()
    assert "宁波" in title
    assert "Ningbo" in title
    assert title.index("宁波") < title.index("Ningbo")  # Chinese first


def test_menus_are_in_chinese_by_default(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert [re.sub(r"\(?&\w\)?", "", t) for t in titles] == ["文件", "编辑", "规划", "视图"]
    assert window.zoom_city_action.text() == "缩放至全市"
    assert window.open_action.text().startswith("打开")


@pytest.mark.parametrize("layer", ["districts", "zones", "parks", "sites"])
def test_layer_checkbox_toggles_the_layer_item(window, layer):
    box, item = window.layer_checkboxes[layer], window.canvas.layer_item(layer)
    assert box.isChecked() and item.isVisible()

    box.setChecked(False)
    assert not item.isVisible()
    assert not window.canvas.is_layer_visible(layer)

    box.setChecked(True)
    assert item.isVisible()


def test_hiding_districts_hides_their_labels_and_canvas_changes_sync_the_checkbox(window):
    window.layer_checkboxes["districts"].setChecked(False)
    assert not window.canvas.district_label("330203").isVisible()
    window.canvas.set_layer_visible("sites", False)
    assert not window.layer_checkboxes["sites"].isChecked()


def test_status_bar_shows_name_counts_and_synthetic_notice(window):
    assert "测试情景" in window.scenario_label.text()
    assert window.counts_label.text() == "园区 2 · 站点 3 · 区域 1"
    assert window.synthetic_label.isVisibleTo(window)
    assert window.synthetic_label.text() == "站点为合成示意数据"

    window.stack.push(remove_features(window.scenario, "sites", ["site-000003"]))
    assert window.counts_label.text() == "园区 2 · 站点 2 · 区域 1"
    assert not window.synthetic_label.isVisibleTo(window)

    window.stack.undo()
    assert window.synthetic_label.isVisibleTo(window)


def test_status_bar_counts_use_thousands_separators(qtbot):
    sites = {f"site-{i:06d}": make_site(i, 121.5 + i * 1e-5, 29.87) for i in range(1234)}
    w = MainWindow(Scenario(sites=sites))
    qtbot.addWidget(w)
    assert w.counts_label.text() == "园区 0 · 站点 1,234 · 区域 0"
    assert not w.synthetic_label.isVisibleTo(w)


# -- the map ------------------------------------------------------------------------------------------------
def test_sites_are_drawn_by_one_item_and_follow_changes(qtbot):
    sites = {f"site-{i:06d}": make_site(i, 121.2 + (i % 100) * 0.006, 29.5 + (i // 100) * 0.03) for i in range(2000)}
    w = MainWindow(Scenario(sites=sites))
    qtbot.addWidget(w)
    cloud = w.canvas.sites_item
    assert cloud.point_count() == 2000
    assert len(w.canvas.scene().items()) < 100  # not one item per site

    w.stack.push(add_features(w.scenario, [make_site(5000, 121.9, 29.9)]))
    assert cloud.point_count() == 2001
    assert cloud.boundingRect().contains(to_scene(121.9, 29.9))
    w.stack.undo()
    assert cloud.point_count() == 2000


def assert_cloud_matches(cloud, scenario: Scenario) -> None:
    """Every site is drawn exactly once, in its kind's group, at its projected position."""
    seen = {}
    for group in cloud.groups():
        assert len(group.ids) == len(group.x) == len(group.y)
        for i, sid in enumerate(group.ids):
            seen[sid] = (group.kind, QPointF(float(group.x[i]), float(group.y[i])))
    assert seen.keys() == scenario.sites.keys()
    for sid, site in scenario.sites.items():
        kind, point = seen[sid]
        expected = to_scene(site.lon, site.lat)
        assert kind == site.kind
        assert point.x() == pytest.approx(expected.x()) and point.y() == pytest.approx(expected.y())
    assert cloud.point_count() == len(scenario.sites)


def test_site_edits_update_the_point_cloud_incrementally(qtbot):
    kinds = ["5g_macro", "5g_small", "5g_a"]
    sites = {}
    for i in range(300):
        s = make_site(i, 121.3 + (i % 30) * 0.02, 29.6 + (i // 30) * 0.05)
        sites[s.id] = replace(s, kind=kinds[i % 3])
    original = dict(sites)
    scenario = Scenario(sites=sites)
    canvas = MapCanvas(scenario)
    qtbot.addWidget(canvas)
    stack = CommandStack(scenario)
    cloud = canvas.sites_item
    assert_cloud_matches(cloud, scenario)

    stack.push(remove_features(scenario, "sites", ["site-000004", "site-000150", "site-000299"]))
    assert_cloud_matches(cloud, scenario)
    for _ in range(3):  # successive moves of one site merge into one undo step
        stack.push(move_feature(scenario, "sites", "site-000010", 0.01, -0.005))
    assert_cloud_matches(cloud, scenario)
    stack.push(set_attributes(scenario, "sites", "site-000011", kind="5g_a"))  # changes group
    assert_cloud_matches(cloud, scenario)
    stack.push(add_features(scenario, [make_site(1000, 121.9, 29.9)]))
    assert_cloud_matches(cloud, scenario)
    while stack.undo():
        assert_cloud_matches(cloud, scenario)
    assert scenario.sites == original

    many = [make_site(2000 + i, 121.2 + i * 1e-4, 29.7) for i in range(cloud.REBUILD_ABOVE + 10)]
    stack.push(add_features(scenario, many))  # big imports rebuild instead
    assert_cloud_matches(cloud, scenario)


@pytest.mark.parametrize("px_per_m", [1 / 200, 1 / 20, 1 / 2])
def test_sites_are_painted_at_city_and_street_scale(qtbot, px_per_m):
    site = make_site(1, 121.55, 29.87)
    canvas = MapCanvas(Scenario(sites={site.id: site}))
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.resetTransform()
    canvas.scale(px_per_m, px_per_m)
    canvas.centerOn(to_scene(site.lon, site.lat))
    image = canvas.viewport().grab().toImage()
    at = canvas.mapFromScene(to_scene(site.lon, site.lat))
    assert image.pixelColor(at).name() == style.SITE_COLOURS["5g_macro"]


def test_parks_and_zones_follow_changes(window):
    canvas = window.canvas
    assert canvas.feature_item("parks", "park-000001") is not None
    assert canvas.feature_item("zones", "zone-000001") is not None

    window.stack.push(add_features(window.scenario, [make_park(3, Point(121.87, 29.47), "computing_centre")]))
    item = canvas.feature_item("parks", "park-000003")
    assert item is not None and item.parentItem() is canvas.layer_item("parks")
    assert "测试园区3" in item.toolTip()

    window.stack.undo()
    assert canvas.feature_item("parks", "park-000003") is None


def test_labels_sit_inside_their_districts():
    for shape in district_shapes():
        lon, lat = to_lonlat(shape.label_pos)
        d = next(d for d in districts() if d.adcode == shape.adcode)
        assert d.geometry.contains(Point(lon, lat)), shape.name_zh


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800), (1024, 700)])
def test_no_two_district_labels_overlap_on_screen(window, qtbot, size):
    """Every district keeps its name on screen, and no two labels cover each other (at the window's default
    view and after zooming out), with every product assigned (the longest labels)."""
    from planner.domain import commands as cmd
    from planner.domain import vocab

    s = window.scenario
    window.stack.push(cmd.macro("产品", [cmd.assign_product(s, a, p[0]) for a, p in vocab.PRODUCT_SUGGESTIONS.items()
                                          if s.products.get(a) != p[0]]))  # fmt: skip
    window.resize(*size)
    qtbot.wait(10)
    canvas = window.canvas
    for zoom in (1.0, 0.8):
        canvas.fit_all()
        canvas.scale(zoom, zoom)
        canvas._declutter_labels()
        rects = {}
        for shape in district_shapes():
            label = canvas.district_label(shape.adcode)
            assert label.isVisible() and label.shown_text().startswith(shape.name_zh)
            rects[shape.name_zh] = label.deviceTransform(canvas.viewportTransform()).mapRect(label.text_rect())
        names = sorted(rects)
        clashes = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if rects[a].intersects(rects[b])]
        assert clashes == [], (size, zoom)


def test_labels_keep_their_screen_size_when_zooming(window):
    canvas = window.canvas
    label = canvas.district_label("330225")

    def screen_width() -> float:
        return label.deviceTransform(canvas.viewportTransform()).mapRect(label.boundingRect()).width()

    canvas.fit_all()
    before = screen_width()
    canvas.scale(3, 3)
    assert screen_width() == pytest.approx(before)


def test_wheel_zooms_and_fit_all_shows_the_city(window):
    canvas = window.canvas
    canvas.fit_all()
    fitted = canvas.scale_factor()
    view = canvas.viewport().rect()
    city = canvas.mapFromScene(canvas.city_rect()).boundingRect()
    assert view.adjusted(-2, -2, 2, 2).contains(city)
    assert city.height() > 0.8 * view.height() or city.width() > 0.8 * view.width()

    centre = QPointF(view.center())
    event = QWheelEvent(
        centre, canvas.viewport().mapToGlobal(centre), QPoint(), QPoint(0, 120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(canvas.viewport(), event)
    assert canvas.scale_factor() > fitted * 1.1

    window.zoom_city_action.trigger()
    assert canvas.scale_factor() == pytest.approx(fitted)


def test_offscreen_render_is_not_blank(window, qtbot):
    qtbot.wait(10)
    image = window.grab().toImage()
    assert not image.isNull()
    assert image.width() >= 1000

    # The centre of the window is the map: districts, outlines, labels and points, never one flat colour.
    canvas = window.canvas
    origin = canvas.mapTo(window, canvas.rect().center())
    colours = {
        image.pixelColor(origin.x() + dx, origin.y() + dy).rgb()
        for dx in range(-120, 121, 4)
        for dy in range(-120, 121, 4)
    }
    assert len(colours) > 10
    assert colours != {QColor(style.SEA).rgb()}


# -- fonts, files, lifecycle --------------------------------------------------------------------------------
def test_bundled_cjk_font_is_registered_and_used(app):
    assert CJK_FAMILY in QFontDatabase.families()
    assert app.font().family() == CJK_FAMILY
    assert app.style().name().lower() == "fusion"


def _raise_missing_font():
    raise RuntimeError("the mplfonts package (which ships the Chinese font) is not installed")


@pytest.mark.parametrize("font_path", ["unreadable", "not installed"])
def test_a_font_that_cannot_be_registered_is_logged_not_fatal(monkeypatch, caplog, tmp_path, font_path):
    monkeypatch.setattr(style, "_registration_tried", False)
    monkeypatch.setattr(style, "_registered_family", None)
    bogus = tmp_path / "missing.otf"
    monkeypatch.setattr(style, "cjk_font_path", (lambda: bogus) if font_path == "unreadable" else _raise_missing_font)
    with caplog.at_level(logging.WARNING, logger="planner.ui.style"):
        assert style.register_cjk_font() is None
        font = style.cjk_font(9)  # still a usable font, in Qt's default family
    assert font.pointSizeF() == 9
    assert "Chinese" in caplog.text


def test_closing_or_swapping_scenarios_unsubscribes(qtbot):
    first, second = layered_scenario(), Scenario()
    w = MainWindow(first)
    qtbot.addWidget(w)
    # The session is the scenario's one subscriber; the window, its map and its layer panel hear the session.
    # Session listeners: window, map, panels, files, 4 tables, bookmarks, gap, siting, reported values.
    assert len(first._listeners) == 1 and len(w.session.events) == 15
    old_stack = w.stack

    w.set_scenario(second)
    assert len(first._listeners) == 0 and len(old_stack.listeners) == 0
    assert len(second._listeners) == 1 and len(w.stack.listeners) == 1

    w.close()
    assert len(second._listeners) == 0 and len(w.stack.listeners) == 0 and len(w.session.events) == 0


def test_panels_bind_to_the_session_not_to_each_other(qtbot):
    w = MainWindow(layered_scenario())
    qtbot.addWidget(w)
    w.layer_checkboxes["sites"].setChecked(False)  # the panel writes the session …
    assert not w.session.layers["sites"].visible and not w.canvas.is_layer_visible("sites")
    w.session.set_layer_visible("sites", True)  # … and follows it, as the map does
    assert w.layer_checkboxes["sites"].isChecked() and w.canvas.is_layer_visible("sites")
    w.session.select([("districts", "330206")])  # a selection from anywhere shows in the table and on the map
    assert w.canvas.highlighted_district() == "330206"
    assert {i.row() for i in w.products_table.selectedItems()} == {w._rows["330206"]}


def test_a_destroyed_window_is_never_called_again(qtbot):
    scenario = layered_scenario()
    w = MainWindow(scenario)
    w.deleteLater()
    qtbot.waitUntil(lambda: len(scenario._listeners) == 0)
    scenario.apply(assign_product(scenario, "330203", "软件服务").changes)  # must not raise


@pytest.fixture
def message_boxes(monkeypatch) -> list[QMessageBox]:
    """Capture message boxes instead of blocking on them."""
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self) or 0)
    return shown


def test_opening_a_broken_file_explains_and_keeps_the_scenario(window, tmp_path, message_boxes):
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "ningbo-planner-scenario", "schema_version": 1', encoding="utf-8")
    before = window.scenario

    assert window.open_file(bad) is False

    assert window.scenario is before
    assert len(message_boxes) == 1
    box = message_boxes[0]
    assert box.windowTitle() == LOAD_ERROR_TITLE
    assert "无法打开情景文件" in box.text()
    assert "not valid JSON" in box.informativeText()


def test_app_opens_an_empty_scenario_when_the_file_cannot_be_read(qtbot, tmp_path, message_boxes):
    w = open_main_window(tmp_path / "missing.json")
    qtbot.addWidget(w)
    assert w.isVisible()
    assert w.scenario.products == {} and w.scenario.sites == {}
    assert len(message_boxes) == 1
    assert "file does not exist" in message_boxes[0].informativeText()
    assert "空白情景" in message_boxes[0].informativeText()


def test_opening_a_valid_file_shows_it(window, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(dumps(layered_scenario(products={"330225": "海洋产业 + 防灾减灾"})), encoding="utf-8")
    old = window.scenario

    assert window.open_file(path) is True

    assert window.scenario is not old and len(old._listeners) == 0
    assert window.canvas.scenario is window.scenario
    assert window.products_table.item(row_of(window, "330225"), COL_PRODUCT).text() == "海洋产业 + 防灾减灾"
    assert "海洋产业" in window.canvas.district_label("330225").text()
    assert window.path == path
    assert not window.undo_action.isEnabled()


def test_opening_a_file_removes_what_a_killed_save_left_beside_it(window, tmp_path):
    import subprocess
    import sys

    path = tmp_path / "plan.json"
    path.write_text(dumps(layered_scenario()), encoding="utf-8")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".plan.json.{gone.stdout.strip()}.abcd1234.tmp"  # of a process that has ended
    stale.write_bytes(b"half a save")
    assert window.open_file(path) is True
    assert not stale.exists() and path.exists()


def test_run_app_runs_the_event_loop_and_returns_its_exit_code(tmp_path, monkeypatch):
    path = tmp_path / "plan.json"
    path.write_text(dumps(layered_scenario()), encoding="utf-8")
    opened = []
    monkeypatch.setattr(app_module, "open_main_window", lambda p: opened.append(p) or MainWindow())
    QTimer.singleShot(0, lambda: QApplication.instance().exit(3))
    assert run_app(str(path)) == 3
    assert opened == [str(path)]


def test_title_and_status_bar_show_control_characters_escaped(qtbot):
    # A name from a file edited elsewhere: an ESC sequence, a bidi override, NUL, a newline and a literal "[*]".
    name = "规划[*]甲\x1b[2J\u202e乙\x00\n丙"
    w = MainWindow(Scenario(name=name))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    shown = w.windowHandle().title()  # what the window system is given, after Qt's "[*]" handling
    assert shown.startswith("规划[*]甲\\x1b[2J\\u202e乙\\x00\\x0a丙 — ")
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", shown)
    w.setWindowModified(True)
    assert w.windowHandle().title().startswith("规划[*]甲\\x1b[2J\\u202e乙\\x00\\x0a丙* — ")
    label = w.scenario_label.text()
    assert "规划[*]甲\\x1b[2J\\u202e乙\\x00\\x0a丙" in label
    assert not re.search("[\x00-\x1f\u202a-\u202e]", label)
    # A rename through the stack is shown escaped too.
    w.stack.push(set_scenario_info(w.scenario, name="新\u2066名"))
    assert w.windowHandle().title().startswith("新\\u2066名") and "新\\u2066名" in w.scenario_label.text()


def test_double_clicking_a_product_assigns_one_from_the_suggestions_or_typed(window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    offered = []
    answer = ["模具产业 + 工业互联网"]
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: offered.append(a[3]) or (answer[0], True))
    row = window._rows["330226"]  # 宁海县
    window._on_table_double_click(row, COL_PRODUCT)
    assert window.scenario.products["330226"] == "模具产业 + 工业互联网" and "模具产业 + 工业互联网" in offered[0]
    assert window.products_table.item(row, COL_PRODUCT).text() == "模具产业 + 工业互联网"
    answer[0] = "  "  # empty clears
    window._on_table_double_click(row, COL_PRODUCT)
    assert "330226" not in window.scenario.products
    window.stack.undo()
    assert window.scenario.products["330226"] == "模具产业 + 工业互联网"


def test_the_history_lists_every_step_and_a_click_goes_back_to_one(window):
    s = window.session
    for adcode, product in (("330203", "软件"), ("330205", "电商"), ("330212", "智慧城市")):
        s.push(assign_product(s.scenario, adcode, product))
    h = window.history_panel
    assert [h.list.item(i).text() for i in range(h.list.count())][1:] == [c.label for c in s.stack.done]
    h._go(h.list.item(1))  # back to after the first step
    assert len(s.stack.done) == 1 and "330205" not in s.scenario.products and h.list.count() == 4
    h._go(h.list.item(3))
    assert s.scenario.products["330212"] == "智慧城市"


def test_english_is_selectable_and_remembered_and_keeps_the_session(qtbot):
    from PySide6.QtCore import QSettings

    from planner.ui import i18n

    w = MainWindow(layered_scenario())
    qtbot.addWidget(w)
    w.session.push(assign_product(w.scenario, "330203", "软件服务"))
    session = w.session
    assert w.layers_dock.windowTitle() == "图层" and w.tool_actions["move"].text() == "移动"
    try:
        en = w.set_language("en")
        qtbot.addWidget(en)
        assert not w.isVisible() and en.isVisible() and en.session is session
        assert en.layers_dock.windowTitle() == "Layers" and en.tool_actions["move"].text() == "Move"
        assert en.figures_panel.tabs.tabText(0) == "Districts" and en.undo_action.text().startswith("Undo: ")
        assert QSettings().value("language") == "en" and len(session.scenario._listeners) == 1
        en.session.undo()  # the same undo stack
        assert "330203" not in en.scenario.products
        zh = en.set_language("zh")
        qtbot.addWidget(zh)
        assert zh.layers_dock.windowTitle() == "图层"
    finally:
        i18n.save_language("zh")
        QSettings().remove("language")


def test_the_property_form_edits_the_selected_feature_through_commands(window):
    s = window.session
    sid = sorted(s.scenario.sites)[0]
    s.select([("sites", sid)])
    form = window.attributes_panel
    said = []
    form.message.connect(said.append)
    form.editors["height_m"].setText("42")
    form.editors["height_m"].editingFinished.emit()
    assert s.scenario.sites[sid].height_m == 42.0 and s.stack.undo_label.startswith("修改站点")
    form.editors["height_m"].setText("-1")
    form.editors["height_m"].editingFinished.emit()
    assert s.scenario.sites[sid].height_m == 42.0 and said  # refused, with the reason
    s.undo()
    assert form.editors["height_m"].text() == "30.0"  # the form follows the model
    s.select([("districts", "330213")])
    form.editors["products"].setText("文旅数据")
    form.editors["products"].editingFinished.emit()
    assert s.scenario.products["330213"] == "文旅数据"


def test_the_property_form_offers_a_vocabulary_field_as_a_drop_down_of_labels(window, qtbot):
    from PySide6.QtWidgets import QComboBox

    s = window.session
    pid = sorted(s.scenario.parks)[0]
    s.select([("parks", pid)])
    box = window.attributes_panel.editors["status"]
    assert isinstance(box, QComboBox)
    assert [box.itemText(i) for i in range(box.count())] == ["规划", "在建", "运营"]
    before = s.scenario.parks[pid].status
    target = next(k for k in ("planned", "operating") if k != before)
    box.setCurrentIndex(box.findData(target))
    box.activated.emit(box.currentIndex())
    assert s.scenario.parks[pid].status == target and s.stack.undo_label.startswith("修改园区")
    s.undo()
    assert s.scenario.parks[pid].status == before and box.currentData() == before  # the form follows the undo
    assert "运营" in window.attributes_panel.shown_text() or "规划" in window.attributes_panel.shown_text()


def test_undo_and_redo_keys(window):
    assert window.undo_action.shortcut().matches(QKeySequence("Ctrl+Z")) == QKeySequence.SequenceMatch.ExactMatch
    keys = {k.toString() for k in window.redo_action.shortcuts()}
    assert {"Ctrl+Y", "Ctrl+Shift+Z"} <= keys


def test_a_rebuilt_window_shows_the_sessions_layer_choices(qtbot):
    from planner.ui import i18n

    w = MainWindow(layered_scenario())
    qtbot.addWidget(w)
    w.session.set_layer_style("districts", "sites_per_km2")
    w.session.set_layer_style("coverage", "dual")
    try:
        en = w.set_language("en")
        qtbot.addWidget(en)
        panel = en.layer_panel
        assert panel.district_combo.currentData() == "sites_per_km2" and panel.coverage_combo.currentData() == "dual"
        assert panel.district_classes.text() and en.canvas.choropleth is not None
    finally:
        i18n.save_language("zh")


def test_the_wheel_does_not_change_an_unfocused_choice(window):
    from PySide6.QtCore import QPointF

    combo = window.layer_panel.district_combo
    before = combo.currentIndex()
    event = QWheelEvent(QPointF(5, 5), QPointF(5, 5), QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(combo, event)
    assert combo.currentIndex() == before


def test_qts_own_buttons_speak_chinese_by_default(qtbot):
    from PySide6.QtCore import QCoreApplication

    from planner.ui import i18n

    i18n.set_language("zh")
    i18n.apply_qt_translations()
    assert QCoreApplication.translate("QPlatformTheme", "Save") == "保存"
    i18n.set_language("en")
    i18n.apply_qt_translations()
    assert QCoreApplication.translate("QPlatformTheme", "Save") == "Save"
    i18n.set_language("zh")
    i18n.apply_qt_translations()


def test_ctrl_z_in_a_form_field_is_left_to_the_windows_undo(window):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QLineEdit

    window.session.select([("sites", sorted(window.scenario.sites)[0])])
    field = window.attributes_panel.editors["height_m"]
    for keys in ("Ctrl+Z", "Ctrl+Y", "Ctrl+Shift+Z"):
        combo = QKeySequence(keys)[0]
        override = QKeyEvent(QEvent.Type.ShortcutOverride, combo.key(), combo.keyboardModifiers())
        QApplication.sendEvent(field, override)
        assert not override.isAccepted(), keys  # the text box does not claim it: Edit ▸ Undo / Redo gets it
    plain, override = (
        QLineEdit("x"),
        QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
    )
    plain.setText("y")
    QApplication.sendEvent(plain, override)
    assert override.isAccepted()  # (a plain text box would take it)


def test_a_committed_field_follows_an_undo_even_with_the_focus(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    s = window.session
    sid = sorted(s.scenario.sites)[0]
    s.select([("sites", sid)])
    field = window.attributes_panel.editors["height_m"]
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, "45")
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert s.scenario.sites[sid].height_m == 45.0
    window.undo_action.trigger()  # what Ctrl+Z does
    assert s.scenario.sites[sid].height_m == 30.0 and field.text() == "30.0"


def test_every_tool_and_everyday_action_has_an_icon_and_delete_works_from_the_toolbar(window):
    for name, action in window.tool_actions.items():
        assert not action.icon().isNull(), name
        assert not action.icon().pixmap(24, 24).toImage().isNull()
    for action in window.standard_toolbar.actions():
        assert not action.icon().isNull(), action.text()
    s = window.session
    sid = sorted(s.scenario.sites)[0]
    s.select([("sites", sid)])
    window.tool_actions["select"].trigger()
    window.delete_action.trigger()
    assert sid not in s.scenario.sites and s.stack.undo_label
    s.undo()
    assert sid in s.scenario.sites


def _export_with(window, qtbot, init) -> None:
    """Run File ▸ Export with the dialog set up by ``init`` (in place of its __init__) and wait for the files."""
    from planner.ui import export_dialog

    real = export_dialog.ExportDialog.__init__
    export_dialog.ExportDialog.__init__ = init
    try:
        assert window.export_dialog(accept=True)
        with qtbot.waitSignal(window._exporter.finished, timeout=60_000):
            pass
    finally:
        export_dialog.ExportDialog.__init__ = real


def test_file_export_writes_the_brief_off_the_gui_thread_with_the_windows_figures(window, qtbot, tmp_path):
    import openpyxl

    from planner.analysis.summary import summary

    window.session.path = None
    assert window.export_action.shortcut().toString() == "Ctrl+E"
    from planner.ui import export_dialog

    real = export_dialog.ExportDialog.__init__

    def into_tmp(self, folder, stem, parent=None):
        real(self, tmp_path, "简报", parent)
        for kind, check in self.checks.items():
            check.setChecked(kind == "xlsx")

    _export_with(window, qtbot, into_tmp)
    paths, error = window.export_result
    assert error == "" and paths == [str(tmp_path / "简报.xlsx")]
    ws = openpyxl.load_workbook(tmp_path / "简报.xlsx")["区县"]
    data = summary(window.scenario, window.session.year)
    sites = {r[0]: r[6] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert all(sites[d["name"]] == d["sites"] for d in data["districts"])
    assert "简报.xlsx" in window.statusBar().currentMessage()


def test_file_export_writes_geojson_and_the_comparison_with_a_second_scenario(window, qtbot, tmp_path):
    import openpyxl

    from planner.storage.atomic import save

    other = window.scenario.copy()
    other.name = "对比方案"
    dropped = next(iter(other.sites))
    del other.sites[dropped]
    save(other, tmp_path / "other.json")
    window.session.path = None
    from planner.ui import export_dialog

    real = export_dialog.ExportDialog.__init__

    def into_tmp(self, folder, stem, parent=None, **kw):
        real(self, tmp_path, "plan", parent, compare=tmp_path / "other.json")
        for kind, check in self.checks.items():
            check.setChecked(kind in ("xlsx", "geojson"))

    _export_with(window, qtbot, into_tmp)
    paths, error = window.export_result
    assert error == ""
    names = sorted(p.name for p in (tmp_path / "plan_geojson").iterdir())
    assert names == ["districts.geojson", "parks.geojson", "sites.geojson", "zones.geojson"]
    assert str(tmp_path / "plan.xlsx") in paths
    sheet = openpyxl.load_workbook(tmp_path / "plan.xlsx")["方案对比"]
    text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    assert "相对 对比方案" in text and f"新增 站点 {dropped}" in text  # the window's plan has the site the other lacks


def test_file_export_with_an_unreadable_comparison_explains_and_writes_nothing(window, tmp_path, monkeypatch):
    from planner.ui import export_dialog, main_window

    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    shown = []
    monkeypatch.setattr(main_window, "show_load_error", lambda parent, exc: shown.append(str(exc)))
    real = export_dialog.ExportDialog.__init__

    def into_tmp(self, folder, stem, parent=None, **kw):
        real(self, tmp_path, "plan", parent, compare=tmp_path / "bad.json")

    monkeypatch.setattr(export_dialog.ExportDialog, "__init__", into_tmp)
    assert not window.export_dialog(accept=True)
    assert shown and "bad.json" in shown[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]
