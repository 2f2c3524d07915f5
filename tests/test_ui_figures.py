"""The figures dock: the numbers of ``summary --json`` for the session's scenario and year, after every edit."""

from __future__ import annotations

import json

from planner.analysis.summary import summary
from planner.domain import commands as cmd
from planner.ui.figures_dock import AMBER, GREEN, GREY, RED, share_colour
from planner.ui.main_window import MainWindow
from tests.conftest import make_small_scenario, run_cli


def _window(qtbot):
    w = MainWindow(make_small_scenario())
    qtbot.addWidget(w)
    w.figures_panel.refresh()
    return w


def test_after_an_edit_the_dock_shows_what_summary_json_says(qtbot, tmp_path):
    w = _window(qtbot)
    s = w.session
    before = w.figures_panel.district_value("330212", "coverage_5g_pct")
    # Move the site out of 鄞州区 into the countryside of 奉化区: 鄞州's 5G coverage falls.
    site = s.scenario.sites["site-000001"]
    s.push(cmd.move_feature(s.scenario, "sites", site.id, 121.40 - site.lon, 29.62 - site.lat))
    qtbot.waitUntil(lambda: w.figures_panel.district_value("330212", "coverage_5g_pct") != before, timeout=2000)
    assert w.figures_panel.data == summary(s.scenario, s.year)  # the same as a fresh computation
    path = tmp_path / "moved.json"
    from planner.storage.atomic import save

    save(s.scenario, path)
    cli = json.loads(run_cli("summary", str(path), "--json").stdout)
    row = next(d for d in cli["districts"] if d["adcode"] == "330212")
    assert w.figures_panel.district_value("330212", "coverage_5g_pct") == row["coverage_5g_pct"]
    r = [d["adcode"] for d in w.figures_panel.data["districts"]].index("330212")
    assert w.figures_panel.cell_text(r, 1) == f"{row['coverage_5g_pct']:.1f}"


def test_the_year_slider_sets_the_year_of_the_map_and_the_figures(qtbot):
    w = _window(qtbot)
    panel = w.figures_panel
    assert panel.year_slider.minimum() == 2025 and panel.year_slider.maximum() == 2027
    panel.year_slider.setValue(2025)
    assert w.session.year == 2025
    qtbot.waitUntil(lambda: panel.data["scenario"]["year"] == 2025, timeout=2000)
    assert panel.data == summary(w.session.scenario, 2025)


def test_targets_are_coloured_by_their_share():
    assert share_colour(1.2) == GREEN and share_colour(0.85) == AMBER and share_colour(0.3) == RED
    assert share_colour(None) == GREY


def test_target_bars_show_value_and_target(qtbot):
    w = _window(qtbot)
    ((_key, target_year), bar), *_ = [(k, b) for k, b in w.figures_panel.bars.items() if k[0] == "sck_parks"]
    assert "/ 10 个" in bar.format() and bar.property("colour") in (RED, AMBER, GREEN)
    w.session.set_year(target_year - 1)  # progress so far says so: the 差距 tab counts to the target year
    w.figures_panel.refresh()
    assert bar.format().endswith(f"（截至 {target_year - 1} 年）")


def test_a_target_the_map_cannot_measure_says_where_to_report_it_and_then_shows_the_report(qtbot):
    from planner.domain.indicators import ReportedValue
    from planner.domain.scenario import Target

    s = make_small_scenario()
    s.targets["datasets@2025"] = Target(
        "datasets", "高质量数据集（语料库）", "High-quality datasets", 2025, 10, "个", "seed 001"
    )
    w = MainWindow(s)
    qtbot.addWidget(w)
    w.figures_panel.refresh()
    bar = w.figures_panel.bars[("datasets", 2025)]
    assert bar.format() == "未填报 · 目标 10 个（规划 ▸ 指标填报）" and "未填报" in bar.toolTip()
    w.session.push(cmd.set_reported_value(s, ReportedValue("datasets", 2024, 8, "", "市数据局")))
    w.figures_panel.refresh()
    assert bar.format() == "8 / 10 个 · 80%" and "沿用 2024 年填报" in bar.toolTip()
