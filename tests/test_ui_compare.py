"""File ▸ 对比情景…: a second scenario beside the current one — two maps that move together, the differences
table, choosing a feature, export, and closing (offscreen, pytest-qt)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import replace

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QToolButton

from planner.analysis.compare import compare
from planner.domain.commands import remove_features, set_attributes
from planner.storage.atomic import save
from planner.ui.app import create_app
from planner.ui.compare_dock import figure_rows, format_delta, format_value, zone_rows
from planner.ui.compare_view import CompareView
from planner.ui.main_window import MainWindow
from planner.ui.map_canvas import MapCanvas, to_scene
from tests.conftest import make_site, make_small_scenario

MOVED, ADDED, REMOVED, CHANGED = "site-000001", "site-000009", "site-000003", "site-000002"


@pytest.fixture(autouse=True)
def app(qapp) -> QApplication:
    return create_app([])


@pytest.fixture
def files(tmp_path):
    """This scenario and the other: in this one site 1 moved ~1 km east, site 2's height changed, site 3 removed,
    site 9 added and the polygon park shifted by ~500 m; site 2 also moved by 30 cm (within the tolerance)."""
    other = make_small_scenario()
    other.name = "对比方案"
    this = make_small_scenario()
    this.name = "本方案"
    s1, s2 = this.sites[MOVED], this.sites[CHANGED]
    this.sites[MOVED] = replace(s1, lon=s1.lon + 0.01)
    this.sites[CHANGED] = replace(s2, height_m=40.0, lon=s2.lon + 0.000003)
    del this.sites[REMOVED]
    this.sites[ADDED] = make_site(9, 121.57, 29.86)
    import numpy as np
    import shapely

    park = this.parks["park-000002"]
    this.parks[park.id] = replace(park, geometry=shapely.transform(park.geometry, lambda c: c + np.array([0.005, 0.0])))
    save(this, tmp_path / "this.json")
    save(other, tmp_path / "other.json")
    return tmp_path / "this.json", tmp_path / "other.json"


@pytest.fixture
def window(qtbot, files) -> MainWindow:
    from planner.storage.fileformat import load

    w = MainWindow(load(files[0]), path=files[0])
    w.remember_layout = False
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def comparing(window, files, qtbot) -> MainWindow:
    assert window.compare.open(files[1])
    qtbot.wait(20)  # the layout settles (the docks get their widths back)
    return window


def maps(w: MainWindow) -> list[MapCanvas]:
    return [c for c in w.findChildren(MapCanvas) if c.isVisible()]


def same_view(a: MapCanvas, b: MapCanvas) -> bool:
    """The two maps show the same part of the city (to a pixel), at the same zoom."""
    ra, rb = a.visible_rect(), b.visible_rect()
    px = 1.5 / a.scale_factor()
    return (
        abs(a.scale_factor() - b.scale_factor()) < 1e-9 * a.scale_factor()
        and abs(ra.center().x() - rb.center().x()) < px
        and abs(ra.center().y() - rb.center().y()) < px
        and abs(ra.width() - rb.width()) < 2 * px
        and abs(ra.height() - rb.height()) < 2 * px
    )


def wheel(canvas: MapCanvas, notches: int) -> None:
    pos = QPointF(canvas.viewport().width() / 3, canvas.viewport().height() / 3)
    event = QWheelEvent(pos, canvas.viewport().mapToGlobal(pos), QPoint(), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)  # fmt: skip
    QApplication.sendEvent(canvas.viewport(), event)


# -- two maps that move together -------------------------------------------------------------------------
def test_opening_a_comparison_shows_two_maps_that_pan_and_zoom_together(comparing, files):
    w = comparing
    other = w.compare.other_canvas
    assert isinstance(w.centralWidget(), CompareView)
    assert set(maps(w)) == {w.canvas, other}
    assert other.session.scenario.name == "对比方案" and w.canvas.session.scenario.name == "本方案"
    assert abs(other.width() - w.canvas.width()) <= 1 and other.height() == w.canvas.height()
    left = other.mapTo(w, QPoint(0, 0)).x()
    assert left + other.width() <= w.canvas.mapTo(w, QPoint(0, 0)).x()  # side by side: the other on the left
    assert same_view(w.canvas, other)

    wheel(w.canvas, 3)  # zoom this map: the other follows
    assert same_view(w.canvas, other)
    w.canvas.horizontalScrollBar().setValue(w.canvas.horizontalScrollBar().value() + 150)  # pan this one
    assert same_view(w.canvas, other)
    wheel(other, -1)  # zoom and pan the other: this one follows
    other.verticalScrollBar().setValue(other.verticalScrollBar().value() - 90)
    assert same_view(w.canvas, other)
    w.canvas.zoom_to_district("330212")
    assert same_view(w.canvas, other)


def test_the_two_maps_show_one_year(comparing):
    w = comparing
    other = w.compare.other
    assert other.year == w.session.year == 2027
    w.figures_panel.year_slider.setValue(2025)  # the planner moves the year slider
    assert w.session.year == other.year == 2025
    other.set_year(2026)  # and the other way round
    assert w.session.year == 2026
    w.compare.refresh()
    assert w.compare.data["year"] == 2026
    assert w.compare.data == compare(other.scenario, w.scenario, 2026)


def test_the_other_map_shows_the_same_layers(comparing):
    w = comparing
    w.layer_panel.checkboxes["sites"].setChecked(False)
    w.session.set_layer_style("districts", "coverage_5g")
    assert not w.compare.other_canvas.is_layer_visible("sites")
    assert w.compare.other.layers["districts"].style == "coverage_5g"


def test_the_swipe_view_shows_one_map_with_a_divider(comparing, qtbot):
    w = comparing
    w.compare.mode_actions["swipe"].trigger()
    qtbot.wait(20)
    other, this = w.compare.other_canvas, w.canvas
    view = w.compare.view
    assert view.mode == "swipe"
    assert other.geometry() == this.geometry()  # one over the other
    x = view.swipe.divider_x()
    assert 0 < x < this.width()
    assert other.mask().boundingRect().right() < x <= this.width()  # the other scenario left of the divider
    view.swipe.set_fraction(0.25)
    assert other.mask().boundingRect().width() == view.swipe.divider_x() < x
    wheel(this, 2)
    assert same_view(this, other) and this.visible_rect() == other.visible_rect()
    w.compare.mode_actions["split"].trigger()
    assert other.mask().isEmpty() and same_view(this, other)


# -- the differences ---------------------------------------------------------------------------------------
def test_the_table_shows_the_numbers_of_compare(comparing):
    w = comparing
    panel = w.compare.panel
    expected = compare(w.compare.other.scenario, w.scenario, w.session.year)
    assert w.compare.data == expected
    rows = figure_rows(expected)
    assert {r.region for r in rows} >= {"city", "330212", "330206"}
    for row in rows:
        cells = panel.figure_cells(row.region, row.figure)
        assert cells is not None, (row.region, row.figure)
        if row.figure != "product":
            texts = (
                format_value(row.figure, row.a),
                format_value(row.figure, row.b),
                format_delta(row.figure, row.delta),
            )
            assert cells[:3] == texts
        assert cells[3:] == (row.a, row.b, row.delta)
    city_sites = expected["totals"]["sites"]
    assert panel.figure_cells("city", "sites")[:3] == (f"{city_sites['a']:,}", f"{city_sites['b']:,}", "0")
    for row in zone_rows(expected):
        assert panel.figure_cells(row.region, row.figure, panel.zone_table)[3:] == (row.a, row.b, row.delta)


def test_the_features_list_has_the_added_removed_moved_and_changed_ones(comparing):
    rows = {(r.change, r.layer, r.key): r for r in comparing.compare.panel.features.rows}
    assert ("added", "sites", ADDED) in rows
    assert ("removed", "sites", REMOVED) in rows
    assert ("moved", "sites", MOVED) in rows
    metres = comparing.compare.data["features"]["sites"]["moved_m"][MOVED]
    assert 950 < metres < 980 and rows[("moved", "sites", MOVED)].detail == f"{metres:,.1f} m"
    assert ("moved", "parks", "park-000002") in rows
    assert ("changed", "sites", CHANGED) in rows  # 30 cm is not a move
    assert rows[("changed", "sites", CHANGED)].detail == "挂高、经度"  # height and (by 30 cm) longitude
    assert "移动 2" in comparing.compare.panel.features_summary.text()


def test_editing_this_scenario_updates_the_table(comparing, qtbot):
    w = comparing
    panel = w.compare.panel
    before = panel.figure_cells("city", "sites")[4]
    w.session.push(remove_features(w.scenario, "sites", [ADDED]))  # the planner deletes a site
    qtbot.waitUntil(lambda: panel.figure_cells("city", "sites")[4] == before - 1, timeout=3000)
    assert panel.feature_row_of("added", "sites", ADDED) is None
    w.session.push(
        set_attributes(w.scenario, "sites", CHANGED, height_m=30.0, lon=w.compare.other.scenario.sites[CHANGED].lon)
    )
    qtbot.waitUntil(lambda: panel.feature_row_of("changed", "sites", CHANGED) is None, timeout=3000)
    assert w.compare.data == compare(w.compare.other.scenario, w.scenario, w.session.year)
    w.session.undo()
    qtbot.waitUntil(lambda: panel.feature_row_of("changed", "sites", CHANGED) is not None, timeout=3000)


# -- choosing a feature ------------------------------------------------------------------------------------
def choose(w: MainWindow, change: str, layer: str, key: str) -> None:
    panel = w.compare.panel
    row = panel.feature_row_of(change, layer, key)
    assert row is not None
    panel.choose_feature(row)


def shows(canvas: MapCanvas, lon: float, lat: float) -> bool:
    return canvas.visible_rect().contains(to_scene(lon, lat))


def test_choosing_a_moved_site_selects_it_and_shows_both_places(comparing):
    w = comparing
    old, new = w.compare.other.scenario.sites[MOVED], w.scenario.sites[MOVED]
    choose(w, "moved", "sites", MOVED)
    assert w.session.selection == (("sites", MOVED),)
    assert w.compare.other.selection == (("sites", MOVED),)  # ringed on the other map where it was
    assert shows(w.canvas, new.lon, new.lat) and shows(w.canvas, old.lon, old.lat)
    assert w.canvas.visible_rect().width() < 10_000  # zoomed in (metres), not the whole city
    assert same_view(w.canvas, w.compare.other_canvas)


def test_choosing_an_added_site_zooms_to_it(comparing):
    w = comparing
    site = w.scenario.sites[ADDED]
    choose(w, "added", "sites", ADDED)
    assert w.session.selection == (("sites", ADDED),) and w.compare.other.selection == ()
    assert shows(w.canvas, site.lon, site.lat) and w.canvas.visible_rect().width() < 10_000


def test_choosing_a_removed_site_zooms_to_where_it_was(comparing):
    w = comparing
    site = w.compare.other.scenario.sites[REMOVED]
    w.session.select([("sites", MOVED)])
    choose(w, "removed", "sites", REMOVED)
    assert w.session.selection == ()  # it is not in this scenario
    assert w.compare.other.selection == (("sites", REMOVED),)
    assert shows(w.canvas, site.lon, site.lat) and shows(w.compare.other_canvas, site.lon, site.lat)
    assert w.canvas.visible_rect().width() < 10_000


def test_choosing_a_moved_park_zooms_to_it(comparing):
    w = comparing
    choose(w, "moved", "parks", "park-000002")
    assert w.session.selection == (("parks", "park-000002"),)
    bounds = w.scenario.parks["park-000002"].geometry.bounds
    assert shows(w.canvas, bounds[0], bounds[1]) and shows(w.canvas, bounds[2], bounds[3])


# -- files, export, closing --------------------------------------------------------------------------------
def test_a_file_that_cannot_be_read_is_explained_and_nothing_changes(window, files, tmp_path, monkeypatch):
    from planner.ui import main_window

    shown = []
    monkeypatch.setattr(main_window, "show_load_error", lambda parent, exc: shown.append(str(exc)))
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert not window.compare.open(tmp_path / "bad.json")
    assert shown and "bad.json" in shown[0]
    assert window.centralWidget() is window.canvas and maps(window) == [window.canvas]
    assert window.findChild(QDockWidget, "compare_dock") is None and window.compare.path is None

    assert window.compare.open(files[1])  # with a comparison open, a bad file leaves it as it is
    other = window.compare.other
    assert not window.compare.open(tmp_path / "bad.json")
    assert len(shown) == 2
    assert window.compare.other is other and window.compare.path == files[1].resolve()
    assert set(maps(window)) == {window.canvas, window.compare.other_canvas}


def test_the_export_dialog_offers_the_compared_scenario(window, files, monkeypatch):
    from planner.ui.export_dialog import ExportDialog

    monkeypatch.setattr(ExportDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    window.export_dialog()
    assert window.last_export_dialog.compare_path() is None
    window.compare.open(files[1])
    window.export_dialog()
    assert window.last_export_dialog.compare_path() == files[1].resolve()  # for the brief's 方案对比 sheet


def test_closing_the_comparison_removes_the_second_map_and_the_dock(comparing, qtbot):
    w = comparing
    other = w.compare.other
    texts = [a.text() for a in w.file_menu.actions()]
    assert "对比情景…" in texts and "关闭对比" in texts and w.compare.close_action.isEnabled()
    button = next(b for b in w.compare.panel.findChildren(QToolButton) if b.defaultAction() is w.compare.close_action)
    button.click()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert w.centralWidget() is w.canvas and maps(w) == [w.canvas]
    assert w.findChild(QDockWidget, "compare_dock") is None and w.compare.path is None
    assert not w.compare.close_action.isEnabled()
    w.session.push(remove_features(w.scenario, "sites", [ADDED]))  # nothing follows the closed comparison
    assert other.scenario.sites and ADDED not in w.scenario.sites
    wheel(w.canvas, 1)  # the single map still zooms
    assert w.products_dock.isVisible()


def test_closing_the_window_ends_the_comparison(comparing):
    w = comparing
    other = w.compare.other
    w.session.stack.set_clean()
    w.close()
    assert not w.compare.is_open
    assert len(other.scenario._listeners) == 0  # the second session no longer follows its scenario
    assert len(w.session.events) == 0 or all(
        getattr(cb, "__self__", None) is not w.compare for cb in w.session.events._callbacks
    )


def test_opening_another_file_keeps_the_comparison_and_follows_it(comparing, qtbot):
    w = comparing
    other = w.compare.other.scenario
    w.set_scenario(other.copy())  # File ▸ Open of the compared file itself: no differences left
    qtbot.waitUntil(lambda: w.compare.panel.features.rows == [], timeout=3000)
    assert w.compare.data == compare(other, w.scenario, w.session.year)
    assert w.compare.panel.figure_cells("city", "sites")[2] == "0"
    assert same_view(w.canvas, w.compare.other_canvas)


# -- years of both, and presenting a comparison ---------------------------------------------------------------
def test_a_comparison_offers_both_scenarios_years_and_opens_at_the_later_horizon(qtbot, files, tmp_path):
    """A 2025-only baseline compared with a 2025–2027 plan: the slider covers 2025–2027 and the comparison opens in
    2027, where the two differ (it used to be stuck in 2025 with every difference 0)."""
    from planner.storage.fileformat import load

    base = load(files[0])
    base.horizon_year = base.base_year = 2025
    save(base, tmp_path / "base.json")
    w = MainWindow(load(tmp_path / "base.json"), path=tmp_path / "base.json")
    w.remember_layout = False
    qtbot.addWidget(w)
    assert w.figures_panel.year_slider.maximum() == 2025
    assert w.compare.open(files[1])  # horizon 2027
    assert w.session.year == w.compare.other.year == 2027
    assert (w.figures_panel.year_slider.minimum(), w.figures_panel.year_slider.maximum()) == (2025, 2027)
    assert w.compare.data["year"] == 2027
    w.set_scenario(load(tmp_path / "base.json"))  # File ▸ Open while comparing: the slider keeps both's years
    assert w.session.years() == (2025, 2027) and w.figures_panel.year_slider.maximum() == 2027
    w.session.set_year(2027)
    w.compare.close()
    assert w.session.years() == (2025, 2027)  # the year shown stays on the slider
    w.session.set_year(2025)
    assert w.session.years() == (2025, 2025)


def test_presenting_a_comparison_keeps_the_controls_over_both_maps(comparing, qtbot):
    w = comparing
    w.compare.mode_actions["swipe"].trigger()
    p = w.presentation
    p.enter(full_screen=False)
    qtbot.wait(20)
    host = w.centralWidget()
    assert host is w.compare.view
    for card in (p.title_card, p.bar):  # above the compared map, which covers the window's left of the divider
        assert card.parentWidget() is host and card.isVisible()
    under = host.childAt(p.bar.geometry().center())  # the controls take the clicks there, not the map below
    assert under is p.bar or p.bar.isAncestorOf(under)
    assert w.canvas.label_size == w.compare.other_canvas.label_size > 1
    assert w.canvas.insets[0] > 0 and w.compare.other_canvas.insets[0] > 0
    assert p.play_action.isEnabled()
    p.play()
    assert p.playing
    p.pause()
    p.leave()
    assert p.title_card.parentWidget() is w.canvas and w.canvas.label_size == w.compare.other_canvas.label_size == 1
    # Closing the comparison while presenting leaves the presentation first, and the cards live on.
    p.enter(full_screen=False)
    w.compare.close()
    assert not p.active and p.title_card.parentWidget() is w.canvas
    p.enter(full_screen=False)
    assert p.title_card.isVisible()
    p.leave()


def test_the_swipe_captions_never_cover_each_other(comparing):
    w = comparing
    w.compare.mode_actions["swipe"].trigger()
    swipe = w.compare.view.swipe
    for fraction in (0.02, 0.1, 0.5, 0.9, 0.98):
        swipe.set_fraction(fraction)
        a, b = swipe.other_caption.geometry(), swipe.this_caption.geometry()
        assert not a.intersects(b) and a.left() >= 0, fraction
