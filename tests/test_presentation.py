"""Presentation mode: full screen (F11 / Esc), the years played (Space), bookmarks stepped through with a clicker's
keys, one-click layers, large labels and legend, a district's figures on hover, and the headless screenshot."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import struct

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from planner.domain.bookmarks import make_bookmark
from planner.domain.commands import add_bookmark
from planner.storage.atomic import save
from planner.ui.app import create_app
from planner.ui.main_window import MainWindow
from planner.ui.presentation import LABEL_SIZE, PLAY_INTERVAL_MS
from tests.conftest import make_small_scenario, run_cli

CITY = (121.0, 28.9, 122.3, 30.4)
SANJIANGKOU = (121.45, 29.8, 121.65, 29.95)
BEILUN = (121.75, 29.8, 122.05, 30.0)


def show_scenario():
    """The small scenario (2025–2027) with three bookmarks, each another year, other layers, another place."""
    s = make_small_scenario()
    for b in (
        make_bookmark("全市 · 一区一品", 2025, CITY, [("districts", "product"), ("parks", "kind")]),
        make_bookmark("三江口 5G-A", 2026, SANJIANGKOU, [("districts", "product"), ("coverage", "5g_a")]),
        make_bookmark(
            "北仑 双万兆", 2027, BEILUN, [("districts", "coverage_5g"), ("coverage", "dual"), ("zones", "kind")]
        ),
    ):
        add_bookmark(s, b).do(s)
    return s


@pytest.fixture
def window(qtbot):
    create_app([])
    w = MainWindow(show_scenario())
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    yield w
    w.session.stack.set_clean()
    if w.presentation.active:
        w.presentation.leave()


def key(w, k) -> None:
    """Press a key as the presenter would (on the map, which has the focus)."""
    QTest.keyClick(w.canvas, k)
    QApplication.processEvents()


def visible_layers(w) -> set[str]:
    return {n for n, st in w.session.layers.items() if st.visible}


def shows(w, box) -> bool:
    """Whether the map shows the WGS-84 box, and not much more along its tighter side."""
    west, south, east, north = w.canvas.extent()
    x0, y0, x1, y1 = box
    inside = west <= x0 + 1e-4 and east >= x1 - 1e-4 and south <= y0 + 1e-4 and north >= y1 - 1e-4
    return inside and min((east - west) / (x1 - x0), (north - south) / (y1 - y0)) < 1.03


# -- full screen -------------------------------------------------------------------------------------------------
def test_f11_makes_the_window_full_screen_and_esc_restores_it(window):
    p = window.presentation
    label = window.canvas.district_label("330212")
    small = label.full_rect().height()
    assert not window.isFullScreen() and window.menuBar().isVisible() and window.layers_dock.isVisible()
    key(window, Qt.Key.Key_F11)
    assert window.isFullScreen() and p.active
    assert not window.menuBar().isVisible() and not window.statusBar().isVisible()
    assert not window.layers_dock.isVisible() and not window.figures_dock.isVisible()
    assert not window.tools_toolbar.isVisible()
    assert p.title_card.isVisible() and p.legend_card.isVisible() and p.bar.isVisible()
    # Large labels and legend: the district labels grow, the legend and the titles are set large.
    assert window.canvas.label_size == LABEL_SIZE and label.full_rect().height() > 1.5 * small
    assert p.legend_label.font().pointSizeF() >= 14 and p.year_label.font().pointSizeF() >= 36
    assert "测试情景" in p.shown_text() and "2027 年" in p.shown_text()
    key(window, Qt.Key.Key_Escape)
    assert not window.isFullScreen() and not p.active
    assert window.menuBar().isVisible() and window.statusBar().isVisible() and window.layers_dock.isVisible()
    assert window.tools_toolbar.isVisible() and not window.table_dock.isVisible()  # as it was: hidden stays hidden
    assert not p.title_card.isVisible() and label.full_rect().height() == small
    key(window, Qt.Key.Key_F11)
    assert window.isFullScreen()
    key(window, Qt.Key.Key_F11)  # F11 toggles
    assert not window.isFullScreen() and window.menuBar().isVisible()


def test_outside_presentation_the_keys_keep_their_editing_meaning(window):
    bar = window.canvas.horizontalScrollBar()
    before_year, before_bar = window.session.year, bar.value()
    window.canvas.setFocus()
    key(window, Qt.Key.Key_Right)  # pans the map, goes to no bookmark
    key(window, Qt.Key.Key_Space)
    assert bar.value() > before_bar and window.bookmarks.current == -1
    assert window.session.year == before_year and not window.presentation.playing


def test_the_view_menu_offers_presentation_mode_with_f11(window):
    actions = {a.text(): a for a in window.view_menu.actions()}
    assert actions["演示模式"].shortcut().toString() == "F11"
    actions["演示模式"].trigger()
    assert window.presentation.active and window.isFullScreen()
    window.presentation.exit_button.click()
    assert not window.presentation.active and not window.isFullScreen()


def test_leaving_by_closing_the_window_remembers_the_editors_layout(window, qtbot):
    key(window, Qt.Key.Key_F11)
    window.close()
    assert not window.presentation.active and not window.menuBar().isHidden() and not window.layers_dock.isHidden()


# -- the years --------------------------------------------------------------------------------------------------
def test_space_plays_the_years_from_the_base_year_and_stops_at_the_horizon(window):
    p, s = window.presentation, window.session
    key(window, Qt.Key.Key_F11)
    assert s.year == 2027 and p.year_slider.minimum() == 2025 and p.year_slider.maximum() == 2027
    key(window, Qt.Key.Key_Space)  # at the horizon: starts again from the base year
    assert p.playing and s.year == 2025 and p.play_timer.interval() == PLAY_INTERVAL_MS == 1000
    assert p.play_button.text() == "暂停"
    p.play_timer.timeout.emit()  # one second later
    assert s.year == 2026 and p.year_slider.value() == 2026 and "2026 年" in p.shown_text()
    key(window, Qt.Key.Key_Space)  # pause
    assert not p.playing and s.year == 2026 and p.play_button.text() == "播放"
    key(window, Qt.Key.Key_Space)  # resume where it was
    assert p.playing and s.year == 2026
    p.play_timer.timeout.emit()
    assert s.year == 2027 and not p.playing  # stops at the horizon
    p.tick()
    assert s.year == 2027


def test_the_year_slider_sets_the_sessions_year_and_stops_the_play(window):
    p, s = window.presentation, window.session
    key(window, Qt.Key.Key_F11)
    key(window, Qt.Key.Key_Space)
    p.year_slider.setValue(2026)
    assert s.year == 2026 and not p.playing
    assert window.figures_panel.year_slider.value() == 2026  # every view follows the session


# -- bookmarks with the clicker's keys ----------------------------------------------------------------------------
def test_arrows_and_page_keys_step_through_the_bookmarks(window):
    p, s = window.presentation, window.session
    key(window, Qt.Key.Key_F11)
    QApplication.processEvents()
    key(window, Qt.Key.Key_PageDown)
    assert window.bookmarks.current == 0 and s.year == 2025 and visible_layers(window) == {"districts", "parks"}
    assert shows(window, CITY) and p.bookmark_label.text() == "全市 · 一区一品"
    key(window, Qt.Key.Key_Right)
    assert window.bookmarks.current == 1 and s.year == 2026
    assert visible_layers(window) == {"districts", "coverage"} and s.layers["coverage"].style == "5g_a"
    assert (
        shows(window, SANJIANGKOU) and p.layer_buttons["5g_a"].isChecked() and not p.layer_buttons["parks"].isChecked()
    )
    key(window, Qt.Key.Key_PageDown)
    assert window.bookmarks.current == 2 and s.year == 2027 and s.layers["coverage"].style == "dual"
    assert s.layers["districts"].style == "coverage_5g" and visible_layers(window) == {"districts", "coverage", "zones"}
    assert shows(window, BEILUN) and "北仑 双万兆" in p.shown_text()
    key(window, Qt.Key.Key_Right)  # the last one: stays
    assert window.bookmarks.current == 2
    key(window, Qt.Key.Key_PageUp)
    assert window.bookmarks.current == 1 and s.year == 2026 and shows(window, SANJIANGKOU)
    key(window, Qt.Key.Key_Left)
    assert window.bookmarks.current == 0 and s.year == 2025 and shows(window, CITY)
    key(window, Qt.Key.Key_Left)  # the first one: stays
    assert window.bookmarks.current == 0
    assert window.layer_panel.checkboxes["parks"].isChecked()  # the layer panel follows the session too


def test_going_to_a_bookmark_stops_the_play(window):
    p = window.presentation
    key(window, Qt.Key.Key_F11)
    key(window, Qt.Key.Key_Space)
    key(window, Qt.Key.Key_PageDown)
    assert not p.playing and window.session.year == 2025


def test_a_bookmark_saved_in_presentation_mode_comes_back(window):
    p, s = window.presentation, window.session
    key(window, Qt.Key.Key_F11)
    QApplication.processEvents()
    window.canvas.zoom_by(3)
    s.set_year(2026)
    p.layer_buttons["f5g"].click()
    assert window.bookmarks.add("F5G 近景")
    saved = s.scenario.bookmarks[-1]
    assert saved.year == 2026 and saved.visible["coverage"] == "f5g"
    key(window, Qt.Key.Key_PageUp)
    assert window.bookmarks.current == 2
    key(window, Qt.Key.Key_PageDown)
    assert window.bookmarks.current == 3 and s.year == 2026 and shows(window, saved.extent)


# -- one click per layer -----------------------------------------------------------------------------------------
def test_each_layer_button_shows_or_hides_its_layer_in_one_click(window):
    p, s = window.presentation, window.session
    key(window, Qt.Key.Key_F11)
    p.layer_buttons["5g"].click()
    assert s.layers["coverage"].visible and s.layers["coverage"].style == "5g" and p.layer_buttons["5g"].isChecked()
    p.layer_buttons["dual"].click()  # another network replaces it
    assert s.layers["coverage"].style == "dual" and not p.layer_buttons["5g"].isChecked()
    assert "双万兆 (5G-A + F5G)" in p.shown_text()  # the legend names what is shown
    p.layer_buttons["dual"].click()
    assert not s.layers["coverage"].visible and not any(p.layer_buttons[k].isChecked() for k in ("5g", "dual"))
    p.layer_buttons["parks"].click()
    assert not s.layers["parks"].visible and "数创港核心园" not in p.shown_text()
    s.set_layer_style("districts", "investment")
    assert not p.layer_buttons["products"].isChecked()
    p.layer_buttons["products"].click()
    assert s.layers["districts"].style == "product" and s.layers["districts"].visible
    p.layer_buttons["products"].click()
    assert not s.layers["districts"].visible
    assert not window.canvas.is_layer_visible("districts")  # the map follows the session


# -- hovering a district -----------------------------------------------------------------------------------------
def test_hovering_a_district_shows_its_key_figures_in_a_large_callout(window):
    p, s = window.presentation, window.session
    key(window, Qt.Key.Key_F11)
    QApplication.processEvents()
    canvas = window.canvas
    at = canvas.view_point(121.62, 29.80)  # in 鄞州区
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(at), canvas.viewport().mapToGlobal(QPointF(at)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(canvas.viewport(), event)
    assert p.callout.isVisible()
    row = next(r for r in s.summary()["districts"] if r["adcode"] == "330212")
    text = p.shown_text()
    for part in ("鄞州区", "Yinzhou", "一区一品", "未分配一区一品", f"{row['sites']:,}",
                 f"{row['coverage_5g_pct']:.1f} %", f"{row['coverage_5ga_pct']:.1f} %",
                 f"{row['coverage_f5g_pct']:.1f} %", f"{row['investment_wan'] / 1e4:,.2f} 亿元", "2027 年底"):  # fmt: skip
        assert part in text, part
    assert p.callout_label.font().pointSizeF() >= 15
    from PySide6.QtGui import QHelpEvent

    tip = QHelpEvent(QEvent.Type.ToolTip, at.toPoint(), canvas.viewport().mapToGlobal(at.toPoint()))
    assert p.eventFilter(canvas.viewport(), tip)  # no small tooltip beside the callout
    s.set_year(2025)  # the callout follows the year
    assert "2025 年底" in p.shown_text()
    p.show_district("330206")
    assert "北仑区" in p.shown_text() and "港航数据 + 交通治理" in p.shown_text()
    canvas.cursorLeft.emit()
    assert not p.callout.isVisible()
    window.presentation.leave()
    QApplication.sendEvent(canvas.viewport(), event)  # outside presentation the editor shows no callout
    assert not p.callout.isVisible()


def test_the_callout_and_cards_speak_english_when_asked(qtbot):
    from planner.ui import i18n

    create_app([])
    i18n.set_language("en")
    try:
        w = MainWindow(show_scenario())
        qtbot.addWidget(w)
        w.show()
        w.presentation.enter(full_screen=False)
        w.presentation.show_district("330212")
        text = w.presentation.shown_text()
        assert "Yinzhou" in text and "5G-A coverage" in text and "Districts · product" in text
        assert w.presentation.exit_button.text() == "Leave presentation (Esc)"
        w.presentation.leave()
        w.session.stack.set_clean()
    finally:
        i18n.set_language("zh")


# -- the headless screenshot -------------------------------------------------------------------------------------
def test_the_screenshot_in_presentation_mode_shows_the_bookmark(tmp_path, qtbot, monkeypatch):
    from planner.ui import screenshot as shot

    src = tmp_path / "show.json"
    save(show_scenario(), src, keep_backup=False)
    seen = {}
    grab = MainWindow.grab

    def looking(self, *args):
        p = self.presentation
        seen.update(year=self.session.year, active=p.active, title=p.bookmark_label.text(),
                    coverage=self.session.layers["coverage"].style, docks=self.layers_dock.isVisible(),
                    shows=shows(self, SANJIANGKOU))  # fmt: skip
        return grab(self, *args)

    monkeypatch.setattr(MainWindow, "grab", looking)
    out = shot.screenshot(src, tmp_path / "p.png", size=(1280, 800), mode="present", bookmark="三江口 5G-A")
    assert seen == dict(year=2026, active=True, title="三江口 5G-A", coverage="5g_a", docks=False, shows=True)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1280, 800)
    shot.screenshot(src, tmp_path / "q.png", mode="present", bookmark="3", year=2025)  # by number; --year wins
    assert seen["year"] == 2025 and seen["title"] == "北仑 双万兆"


def test_the_screenshot_command_with_mode_present_and_a_bookmark(tmp_path):
    src = tmp_path / "show.json"
    save(show_scenario(), src, keep_backup=False)
    out = tmp_path / "present.png"
    r = run_cli(
        "screenshot", str(src), str(out), "--mode", "present", "--bookmark", "北仑 双万兆", "--size", "1200x800"
    )
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1200, 800)
    bad = run_cli("screenshot", str(src), str(tmp_path / "x.png"), "--mode", "present", "--bookmark", "宁海")
    assert bad.returncode == 2 and "no bookmark titled '宁海'" in bad.stderr and "三江口 5G-A" in bad.stderr
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_presentation_size_labels_stay_in_their_own_districts(window, qtbot, size):
    """At presentation size the crowded centre (江北, 镇海, 海曙 beside the large 余姚 and 慈溪) used to push
    江北区's label up into 余姚 on a long leader, where it read as 余姚's name. No label, with every product
    assigned (the longest labels), may sit in another district, and none may cover another."""
    from planner.domain import commands as cmd
    from planner.domain import vocab
    from planner.ui.map_canvas import district_shapes

    s = window.scenario
    window.stack.push(cmd.macro("产品", [cmd.assign_product(s, a, p[0]) for a, p in vocab.PRODUCT_SUGGESTIONS.items()
                                          if s.products.get(a) != p[0]]))  # fmt: skip
    window.resize(*size)
    window.presentation.enter(full_screen=False)
    canvas = window.canvas
    canvas.fit_all()
    qtbot.wait(10)
    canvas._declutter_labels()
    rects, outside = {}, []
    for shape in district_shapes():
        label = canvas.district_label(shape.adcode)
        assert label.isVisible() and label.shown_text().startswith(shape.name_zh)
        others = [o for o in district_shapes() if o.adcode != shape.adcode]
        if not shape.path.contains(label.pos()) and any(o.path.contains(label.pos()) for o in others):
            outside.append(shape.name_zh)  # (over the sea is fine: it reads as nobody else's)
        rects[shape.name_zh] = label.deviceTransform(canvas.viewportTransform()).mapRect(label.text_rect())
    assert outside == []
    names = sorted(rects)
    assert [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if rects[a].intersects(rects[b])] == []


def test_a_tall_legend_goes_into_two_columns_on_a_small_screen(qtbot):
    """At 1400×900 with a coverage layer on, the one-column legend ran off the bottom (5G-A基站 was cut)."""
    from planner.paths import SCENARIOS
    from planner.storage.fileformat import load

    create_app([])
    w = MainWindow(load(SCENARIOS / "ningbo_2027_plan.json"))
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.session.set_layer_style("coverage", "5g_a")
    w.session.set_layer_visible("coverage", True)
    p = w.presentation
    p.enter(full_screen=False)
    QApplication.processEvents()
    legend = p.legend_card
    assert legend.geometry().bottom() <= w.canvas.height() and "5G-A基站" in p.legend_label.text()
    for _ in range(3):  # stable: placing again keeps it
        p.place()
        assert legend.geometry().bottom() <= w.canvas.height()
    p.leave()
