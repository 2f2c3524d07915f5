"""规划 ▸ 补盲选址 (issue 10): the siting panel proposes sites on a worker thread, shows them in a table, a curve and
a preview layer, lets the planner drop some, and accepts the rest as one undo step that the engine then measures."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from planner.analysis.coverage import CoverageEngine
from planner.domain.commands import assign_product, move_feature
from planner.ui.siting_panel import DRAWN, SELECTION, DrawRegionTool
from tests.conftest import shown_window

# A small square in 前湾新区 (WGS-84), with no 5G-A yet, quick to plan for.
SQUARE = [(121.20, 30.24), (121.23, 30.24), (121.23, 30.265), (121.20, 30.265)]


@pytest.fixture(scope="module")
def base(baseline):
    return baseline  # loaded once for the session (conftest)


@pytest.fixture
def window(qtbot, base):
    w = shown_window(qtbot, base.copy(), 1500, 950)
    w.siting_action.trigger()
    yield w
    w.session.stack.set_clean()


def run(panel, qtbot):
    assert panel.propose() is not None
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    return panel.proposal


def draw(w, qtbot, vertices):
    panel = w.siting_panel
    panel.start_drawing()
    tool = w.canvas.tool
    assert isinstance(tool, DrawRegionTool)
    tool.vertices = list(vertices)
    tool.finish()
    return tool


def zone_id(scenario, name):
    return next(z.id for z in scenario.zones.values() if z.name == name)


def test_the_menu_opens_the_panel_with_every_region(window):
    panel = window.siting_panel
    assert window.siting_dock.isVisible()
    assert window.plan_menu.title() == "规划(&P)" and window.siting_action in window.plan_menu.actions()
    assert window.siting_action.shortcut().toString() == "Ctrl+Shift+P"
    names = [panel.region_box.itemText(i) for i in range(panel.region_box.count())]
    # The four priority zones first, in the city's order, then the other zones, then the ten districts.
    assert names[:4] == ["区域：北仑临港产业带", "区域：前湾新区", "区域：余姚经济技术开发区", "区域：慈溪高新区"]
    assert sum(n.startswith("区县：") for n in names) == 10 and not any("F5G" in n for n in names)


def test_a_priority_zone_to_full_5g_a_keep_some_and_accept_as_one_undo_step(window, qtbot):
    w, panel = window, window.siting_panel
    zid = zone_id(w.scenario, "前湾新区")
    assert panel.choose_region(f"zones:{zid}")
    panel.year_spin.setValue(2025)
    p = run(panel, qtbot)
    assert p.reached and p.coverage_after_pct == pytest.approx(100.0) and len(p.sites) > 100
    n = len(p.sites)
    assert panel.table.rowCount() == n and panel.preview.count() == n and panel.preview.kept_count() == n
    assert "覆盖 0.0% → <b>100.0%</b>" in panel.summary.text() and f"保留 {n}/{n} 个站点" in panel.summary.text()
    assert panel.accept_button.text() == f"采纳 {n} 个 5G-A 站点" and panel.accept_button.isEnabled()
    line = panel.chart.axes.get_lines()[0]
    assert len(line.get_xdata()) == n + 1 and panel.chart.axes.get_xlabel() == "站点数"

    # Drop the last ten (the smallest gains): the summary, the preview and the accept button follow.
    keep = list(range(n - 10))
    for i in range(n - 10, n):
        panel.table.item(i, 0).setCheckState(Qt.CheckState.Unchecked)
    assert panel.kept() == keep and panel.preview.kept_count() == n - 10
    promised = p.coverage_pct(keep)
    assert 95 < promised < 100
    assert f"<b>{promised:.1f}%</b>" in panel.summary.text()
    assert f"投资 <b>{p.capex_of(keep):,.0f} 万元</b>" in panel.summary.text()
    assert panel.accept_button.text() == f"采纳 {n - 10} 个 5G-A 站点"

    sites_before = len(w.scenario.sites)
    assert panel.accept()
    assert len(w.scenario.sites) == sites_before + n - 10
    assert w.stack.undo_label == f"补盲选址：{n - 10} 个 5G-A 站点"
    assert panel.proposal is None and panel.preview.count() == 0
    # The engine measures what the panel promised for the kept sites (within the grids' sampling error).
    measured = CoverageEngine(w.scenario, 2025, subscribe=False).figures().zones[zid].coverage_5ga_pct
    assert abs(measured - promised) < 0.5
    w.session.undo()
    assert len(w.scenario.sites) == sites_before


def test_a_drawn_region_with_a_site_budget(window, qtbot):
    w, panel = window, window.siting_panel
    pan = w.canvas.tool
    draw(w, qtbot, SQUARE)
    assert panel.region_box.currentData() == DRAWN and panel.drawn is not None
    assert w.canvas.tool is pan  # the map is given back
    panel.set_goal("max_sites", 3)
    p = run(panel, qtbot)
    assert len(p.sites) == 3 and p.region.kind == "polygon"
    assert p.curve == sorted(p.curve) and p.coverage_after_pct > p.coverage_before_pct
    assert panel.table.rowCount() == 3 and panel.table.item(0, 2).text() == f"{p.sites[0].lon:.5f}"


def test_a_polygon_that_crosses_itself_is_refused_with_the_reason(window, qtbot):
    w, panel = window, window.siting_panel
    messages = []
    w.canvas.message.connect(messages.append)
    tool = draw(w, qtbot, [SQUARE[0], SQUARE[2], SQUARE[1], SQUARE[3]])  # a bow tie
    assert panel.drawn is None and w.canvas.tool is tool  # still drawing: the planner can try again
    assert messages and "选址范围自相交" in messages[-1] and "crosses itself" in messages[-1]
    assert "附近 near" in messages[-1] and "121.2" in messages[-1]  # where, to 5 decimals
    w.canvas.keyPressEvent(_escape())
    assert w.canvas.tool is not tool


def _escape():
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)


def test_the_selected_zone_is_offered_first(window):
    w, panel = window, window.siting_panel
    zid = zone_id(w.scenario, "慈溪高新区")
    w.session.select([("zones", zid)])
    assert panel.region_box.itemText(0) == "所选：慈溪高新区" and panel.region_box.itemData(0) == SELECTION
    assert panel.choose_region(SELECTION) and panel.region().key == zid


def test_an_edit_of_the_sites_makes_the_proposal_stale_but_a_product_does_not(window, qtbot):
    w, panel = window, window.siting_panel
    draw(w, qtbot, SQUARE)
    panel.set_goal("max_sites", 2)
    run(panel, qtbot)
    w.session.push(assign_product(w.scenario, "330203", "港航数据"))
    assert not panel.stale and panel.accept_button.isEnabled()
    site = next(iter(w.scenario.sites))
    w.session.push(move_feature(w.scenario, "sites", site, 0.001, 0.0))
    assert panel.stale and not panel.accept_button.isEnabled() and "方案已过时" in panel.summary.text()
    assert not panel.accept()
    run(panel, qtbot)  # proposing again makes it current
    assert not panel.stale and panel.accept_button.isEnabled()


def test_a_run_can_be_cancelled(window, qtbot):
    panel = window.siting_panel
    draw(window, qtbot, SQUARE)
    panel.set_goal("max_sites", 2)
    run(panel, qtbot)  # an answer on screen …
    assert panel.accept_button.isEnabled()
    assert panel.choose_region("districts:330282")  # 慈溪市: 1,300 km², seconds of work
    panel.set_goal("target", 100)
    panel.propose()  # … goes when the next run starts: after a Cancel there is nothing stale to accept
    assert panel.busy and panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    assert panel.proposal is None and panel.summary.text() == "已取消" and panel.run_button.isEnabled()
    assert not panel.accept_button.isEnabled()


def test_candidate_positions_from_a_file(window, qtbot, tmp_path):
    w, panel = window, window.siting_panel
    draw(w, qtbot, SQUARE)
    csv = tmp_path / "towers.csv"
    csv.write_text("名称,经度,纬度\n塔1,121.205,30.245\n塔2,121.225,30.260\n塔3,121.215,30.252\n", encoding="utf-8")
    panel.set_candidates(csv)
    panel.set_goal("max_sites", 2)
    p = run(panel, qtbot)
    towers = {(121.205, 30.245), (121.225, 30.26), (121.215, 30.252)}
    assert len(p.sites) == 2 and {(round(s.lon, 3), round(s.lat, 3)) for s in p.sites} <= towers
    assert p.candidates == 3


def test_a_candidates_file_without_positions_is_explained(window, qtbot, tmp_path):
    w, panel = window, window.siting_panel
    draw(w, qtbot, SQUARE)
    bad = tmp_path / "bad.csv"
    bad.write_text("名称,高度\n塔1,30\n", encoding="utf-8")
    panel.set_candidates(bad)
    assert panel.propose() is None
    assert panel.summary.text().startswith("无法选址：") and "经度/纬度" in panel.summary.text()


def test_the_panel_lets_go_of_the_session_and_the_map(window):
    w, panel = window, window.siting_panel
    before = len(w.session.events)
    panel.detach()
    assert len(w.session.events) == before - 1 and panel.preview.scene() is None


def test_each_goal_keeps_its_value_and_a_budget_below_one_site_is_explained(window, qtbot):
    panel = window.siting_panel
    draw(window, qtbot, SQUARE)
    panel.set_goal("budget", 20)
    panel.set_goal("max_sites", 7)
    panel.goal_box.setCurrentIndex(panel.goal_box.findData("budget"))
    assert panel.goal_spin.value() == 20  # not the 7 sites, nor the default
    assert panel.propose() is not None
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    assert panel.proposal is None and "不足一个站点" in panel.summary.text()  # not "no new site is needed"


def test_where_extra_sites_stop_paying_is_said_and_slivers_are_greyed(window, qtbot):
    from planner.ui.siting_panel import DROPPED, START_ZH

    panel = window.siting_panel
    assert panel.choose_region(f"zones:{zone_id(window.scenario, '北仑临港产业带')}")
    panel.year_spin.setValue(2025)
    p = run(panel, qtbot)
    assert "99 % 需" in panel.summary.text() and "最后 1.0 % 还需" in panel.summary.text()
    greyed = [i for i in range(panel.table.rowCount()) if panel.table.item(i, 4).foreground().color() == DROPPED]
    assert greyed and all(p.sites[i].gain_pct < p.sites[0].gain_pct / 5 for i in greyed)
    panel.clear()
    assert panel.summary.text() == START_ZH  # the old summary goes with the proposal
