"""The figures dock's 差距 tab (issue 10): the gap and its cost, worked out off the GUI thread while the tab is on
screen, the numbers of ``python main.py gap``, and following edits and undo."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from shapely.geometry import Point

from planner.analysis.gap import target_gap
from planner.domain.commands import add_features
from planner.domain.features import Park
from tests.conftest import shown_window


@pytest.fixture(scope="module")
def base(baseline):
    return baseline  # loaded once for the session (conftest)


@pytest.fixture
def window(qtbot, base):
    w = shown_window(qtbot, base.copy(), 1400, 900)
    yield w
    w.session.stack.set_clean()


def open_gap(w, qtbot, year: int):
    gap = w.figures_panel.gap
    gap.year_box.setCurrentIndex(gap.year_box.findData(year))
    w.figures_panel.tabs.setCurrentWidget(gap)
    qtbot.waitUntil(lambda: gap.report is not None and gap.report.year == year and not gap.busy, timeout=30_000)
    return gap


def row(gap, key: str) -> int:
    return next(i for i, r in enumerate(gap.report.rows) if r.key == key)


def test_the_gap_tab_shows_the_gap_commands_numbers(window, qtbot, base):
    gap = open_gap(window, qtbot, 2027)
    expected = target_gap(base, 2027)
    i = row(gap, "computing_pflops")
    assert gap.cell_text(i, 4) == f"{expected.rows[i].cost_wan:,.0f}"  # 2,000 PFLOPS × 630 万元
    assert gap.cell_text(row(gap, "trading_volume"), 4) == "不测算"
    assert gap.zone_table.rowCount() == 4 and gap.zone_table.item(1, 0).text() == "前湾新区"
    assert gap.zone_table.item(1, 2).text() == f"{expected.zones[1].sites:,}"
    assert f"合计 {expected.total_wan:,.0f} 万元" in gap.total.text() and "假设单价" in gap.total.text()


def test_an_edit_updates_the_gap_and_undo_brings_it_back(window, qtbot):
    gap = open_gap(window, qtbot, 2027)
    before = gap.report.total_wan
    centre = Park("park-009001", "新算力中心", "computing_centre", Point(121.62, 29.88), "330212", "planned", 2027,
                  None, None, 0, 2000.0)  # fmt: skip
    window.session.push(add_features(window.scenario, [centre]))
    qtbot.waitUntil(lambda: not gap.stale and not gap.busy and gap.report.total_wan != before, timeout=30_000)
    assert gap.cell_text(row(gap, "computing_pflops"), 3) == "已达成"
    assert gap.report.total_wan == pytest.approx(before - 2000 * 630.0)
    window.session.undo()
    qtbot.waitUntil(lambda: not gap.stale and not gap.busy and gap.report.total_wan == before, timeout=30_000)


def test_off_screen_the_gap_is_not_worked_out(window, qtbot):
    gap = window.figures_panel.gap
    window.figures_panel.tabs.setCurrentIndex(0)
    qtbot.wait(50)
    assert gap.report is None and not gap.busy and gap.stale
    window.figures_panel.tabs.setCurrentWidget(gap)  # the default: the horizon's targets (the baseline's is 2025)
    qtbot.waitUntil(lambda: gap.report is not None and not gap.busy, timeout=30_000)
    assert gap.report.year == 2025 and gap.year() == 2025


def test_choosing_a_row_shows_how_it_is_costed_in_full(window, qtbot):
    gap = open_gap(window, qtbot, 2027)
    i = row(gap, "computing_pflops")
    gap.table.setCurrentCell(i, 0)
    r = gap.report.rows[i]
    assert gap.detail.text().startswith(f"<b>{r.label_zh}") and "630" in gap.detail.text()  # the unit cost, uncut
    assert gap.cell_text(i, 4) == f"{r.cost_wan:,.0f}"  # costs to the 万元, no decimals beside whole numbers
