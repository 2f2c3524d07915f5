"""Map tools driven with simulated mouse and keyboard events on the real canvas, with undo and redo of each."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from planner.analysis.coverage import CoverageEngine
from planner.ui.main_window import MainWindow
from tests.conftest import make_small_scenario


@pytest.fixture
def window(qtbot):
    w = MainWindow(make_small_scenario())
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    w.canvas.zoom_to_district("330212")  # 鄞州区: the small scenario's sites are here
    return w


def _at(w, lon, lat) -> QPoint:
    return w.canvas.view_point(lon, lat).toPoint()


def _use(w, name):
    w.tool_actions[name].trigger()
    assert w.canvas.tool is w.tools[name]


def _drag(w, start: QPoint, end: QPoint, steps: int = 8, button=Qt.MouseButton.LeftButton):
    vp = w.canvas.viewport()
    QTest.mousePress(vp, button, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(vp, start + (end - start) * i / steps)
    QTest.mouseRelease(vp, button, Qt.KeyboardModifier.NoModifier, end)


def test_every_tool_has_a_single_key_shortcut_shown_in_its_tooltip(window):
    keys = set()
    for name, action in window.tool_actions.items():
        tool = window.tools[name]
        assert len(tool.shortcut) == 1 and f"({tool.shortcut})" in action.toolTip()
        keys.add(tool.shortcut)
    assert len(keys) == len(window.tool_actions)


def test_add_a_site_by_clicking_then_undo_and_redo(window):
    w, s = window, window.session
    _use(w, "add_site")
    before = set(s.scenario.sites)
    QTest.mouseClick(
        w.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(w, 121.58, 29.84)
    )
    (new,) = set(s.scenario.sites) - before
    site = s.scenario.sites[new]
    assert site.kind == "5g_a" and abs(site.lon - 121.58) < 0.001 and abs(site.lat - 29.84) < 0.001
    assert s.selection == (("sites", new),) and s.stack.undo_label.startswith("添加站点")
    s.undo()
    assert new not in s.scenario.sites
    s.redo()
    assert new in s.scenario.sites


def test_dragging_a_site_is_one_undo_step_and_the_figures_follow(window):
    w, s = window, window.session
    s.build_engine()
    _use(w, "move")
    site = s.scenario.sites["site-000001"]
    start, end = _at(w, site.lon, site.lat), _at(w, site.lon + 0.02, site.lat - 0.01)
    undo_depth = len(s.stack.done)
    _drag(w, start, end)
    moved = s.scenario.sites["site-000001"]
    assert w.tools["move"].steps >= 2 and len(s.stack.done) == undo_depth + 1  # one undo step for the drag
    assert abs(moved.lon - (site.lon + 0.02)) < 0.0015 and abs(moved.lat - (site.lat - 0.01)) < 0.0015
    assert s.figures() == CoverageEngine(s.scenario, s.year, subscribe=False).figures()
    _drag(w, end, end + QPoint(30, 0))  # a second drag is a second undo step
    assert len(s.stack.done) == undo_depth + 2
    s.undo()
    s.undo()
    assert s.scenario.sites["site-000001"] == site


def test_select_by_click_and_delete_with_the_delete_key(window):
    w, s = window, window.session
    _use(w, "select")
    site = s.scenario.sites["site-000001"]
    QTest.mouseClick(
        w.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(w, site.lon, site.lat)
    )
    assert s.selection == (("sites", "site-000001"),)
    assert "site-000001" in w.attributes_panel.shown_text()  # identify shows the attributes
    QTest.keyClick(w.canvas.viewport(), Qt.Key.Key_Delete)
    assert "site-000001" not in s.scenario.sites and s.selection == ()
    s.undo()
    assert s.scenario.sites["site-000001"] == site


def test_a_rubber_band_selects_the_sites_inside_it(window):
    w, s = window, window.session
    _use(w, "select")
    _drag(w, _at(w, 121.50, 29.95), _at(w, 121.60, 29.80))
    inside = {sid for sid, x in s.scenario.sites.items() if 121.50 <= x.lon <= 121.60 and 29.80 <= x.lat <= 29.95}
    assert inside and {k for layer, k in s.selection if layer == "sites"} == inside


def test_clicking_open_land_selects_its_district(window):
    w, s = window, window.session
    _use(w, "select")
    QTest.mouseClick(
        w.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(w, 121.45, 29.70)
    )
    assert s.selection and s.selection[0][0] == "districts"
    assert w.canvas.highlighted_district() == s.selection[0][1]


def test_add_a_park_and_refuse_one_at_sea(window):
    w, s = window, window.session
    _use(w, "add_park")
    n = len(s.scenario.parks)
    QTest.mouseClick(
        w.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(w, 121.60, 29.80)
    )
    assert len(s.scenario.parks) == n + 1
    (pid,) = [k for layer, k in s.selection if layer == "parks"]
    assert s.scenario.parks[pid].district == "330212"
    messages = []
    w.canvas.message.connect(messages.append)
    w.canvas.fit_all()
    QTest.mouseClick(
        w.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(w, 122.4, 29.4)
    )
    assert len(s.scenario.parks) == n + 1 and messages


def _draw(w, points, finish="double"):
    vp = w.canvas.viewport()
    for lon, lat in points:
        QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(w, lon, lat))
    if finish == "double":
        QTest.mouseDClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(w, *points[-1]))
    else:
        QTest.keyClick(vp, Qt.Key.Key_Return)


def test_draw_a_zone_and_refuse_one_that_crosses_itself(window):
    w, s = window, window.session
    _use(w, "draw_zone")
    before = set(s.scenario.zones)
    _draw(w, [(121.55, 29.82), (121.62, 29.82), (121.62, 29.87), (121.55, 29.87)], finish="enter")
    (zid,) = set(s.scenario.zones) - before
    zone = s.scenario.zones[zid]
    assert zone.kind == "priority" and len(zone.geometry.exterior.coords) == 5 and zone.geometry.is_valid
    assert s.stack.undo_label.startswith("添加区域")
    messages = []
    w.canvas.message.connect(messages.append)
    _draw(w, [(121.55, 29.82), (121.62, 29.87), (121.62, 29.82), (121.55, 29.87)])  # a bow tie
    assert set(s.scenario.zones) == before | {zid}
    assert messages and "Not done" in messages[-1]
    s.undo()
    assert set(s.scenario.zones) == before


def test_edit_a_zones_vertices_move_insert_delete(window):
    w, s = window, window.session
    _use(w, "draw_zone")
    _draw(w, [(121.55, 29.82), (121.62, 29.82), (121.62, 29.87), (121.55, 29.87)], finish="enter")
    zid = s.selection[0][1]
    _use(w, "edit_vertices")
    ring = list(s.scenario.zones[zid].geometry.exterior.coords)[:-1]
    depth = len(s.stack.done)
    _drag(w, _at(w, *ring[2]), _at(w, 121.64, 29.89))
    moved = list(s.scenario.zones[zid].geometry.exterior.coords)[:-1]
    assert len(s.stack.done) == depth + 1 and abs(moved[2][0] - 121.64) < 0.002 and moved[0] == ring[0]
    mid = ((moved[0][0] + moved[1][0]) / 2, (moved[0][1] + moved[1][1]) / 2)
    QTest.mouseDClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _at(w, *mid))
    assert len(s.scenario.zones[zid].geometry.exterior.coords) - 1 == 5
    QTest.mouseClick(w.canvas.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, _at(w, *moved[1]))
    assert len(s.scenario.zones[zid].geometry.exterior.coords) - 1 == 4
    for _ in range(3):
        s.undo()
    assert list(s.scenario.zones[zid].geometry.exterior.coords)[:-1] == ring


def test_keyboard_pans_and_zooms(window):
    w = window
    c = w.canvas
    scale = c.scale_factor()
    QTest.keyClick(c.viewport(), Qt.Key.Key_Plus)
    assert c.scale_factor() > scale
    centre = c.mapToScene(c.viewport().rect().center())
    QTest.keyClick(c.viewport(), Qt.Key.Key_Right)
    assert c.mapToScene(c.viewport().rect().center()).x() > centre.x()


def test_a_drag_starting_on_the_selected_site_moves_it_not_a_neighbour(window):
    w, s = window, window.session
    target = s.scenario.sites["site-000001"]
    _use(w, "add_site")  # a new site a pixel from an existing one
    p = _at(w, target.lon, target.lat)
    QTest.mouseClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p + QPoint(3, 0))
    ((_layer, new),) = s.selection
    _use(w, "move")
    grab = p + QPoint(1, 0)  # nearer the old site (1 px) than the new, selected one (2 px)
    _drag(w, grab, grab + QPoint(40, 0))
    assert s.scenario.sites["site-000001"] == target and s.scenario.sites[new].lon > target.lon + 0.001


def test_zoom_to_the_selected_site_centres_it(window):
    w, s = window, window.session
    w.canvas.fit_all()
    site = s.scenario.sites["site-000003"]
    s.select([("sites", site.id)])
    w.zoom_selection_action.trigger()
    centre = w.canvas.mapToScene(w.canvas.viewport().rect().center())
    p = w.canvas.view_point(site.lon, site.lat)
    assert abs(p.x() - w.canvas.viewport().width() / 2) < 5 and abs(p.y() - w.canvas.viewport().height() / 2) < 5
    assert w.canvas.scale_factor() > 0.1  # about 2 km across
    del centre
