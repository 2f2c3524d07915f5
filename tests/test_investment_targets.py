"""Investment arithmetic, the year filter, target progress and scenario comparison."""

from __future__ import annotations

from dataclasses import replace

import pytest
from shapely.geometry import Point, box

from planner.analysis.compare import compare, feature_changes
from planner.analysis.investment import format_wan, investment_totals
from planner.analysis.targets import target_progress
from planner.domain import commands as cmd
from planner.domain.features import InvestmentItem, Park, Zone
from planner.domain.scenario import Target, UnitCost
from planner.geo.crs import area_km2
from tests.conftest import make_site, make_small_scenario


@pytest.fixture
def costed():
    """The small scenario with a full catalogue and known costs."""
    s = make_small_scenario()
    s.catalogue = {c.key: c for c in [
        UnitCost("5g_macro_site", "5G宏站", "5G macro", "站", 25.0),
        UnitCost("5g_a_site", "5G-A", "5G-A", "站", 35.0, assumption=True),
        UnitCost("5g_small_cell", "小基站", "small cell", "站", 6.0, assumption=True),
        UnitCost("computing_per_pflops", "算力", "computing", "PFLOPS", 630.0),
        UnitCost("f5g_per_km2", "F5G", "F5G", "km²", 300.0, assumption=True),
    ]}  # fmt: skip
    return s


def test_feature_costs_use_the_catalogue_and_per_item_overrides(costed):
    # Sites: site-1 macro 2024 (25), site-2 5G-A 2024 (35), site-3 macro 2026 (25).
    # Parks: core park capex 250,000 (2025); polygon park no capex (2027) -> 0.
    # Zone: a priority zone without capex -> 0. Line item: 3,500 (2026, private, 330206).
    t = investment_totals(costed, 2027)
    assert t.total_wan == pytest.approx(25 + 35 + 25 + 250_000 + 3_500)
    assert t.by_category == pytest.approx({"5g": 50.0, "5g_a": 3_535.0, "park": 250_000.0})
    assert t.by_year == pytest.approx({2024: 60.0, 2025: 250_000.0, 2026: 3_525.0})
    assert t.cumulative_by_year == pytest.approx({2024: 60.0, 2025: 250_060.0, 2026: 253_585.0})
    assert t.by_funding == pytest.approx({"private": 3_500.0, "unspecified": 250_085.0})
    # site-2 (121.56, 29.88) lies just inside 鄞州; site-3 (121.30, 29.60) in 奉化.
    assert t.by_district == pytest.approx({"330203": 25.0, "330206": 3_500.0, "330212": 250_035.0,
                                           "330213": 25.0})  # fmt: skip
    # A per-site override replaces the unit cost.
    costed.sites["site-000001"] = replace(costed.sites["site-000001"], capex_wan=40.0)
    assert investment_totals(costed, 2027).total_wan == pytest.approx(253_600.0)


def test_computing_centre_and_f5g_zone_defaults(costed):
    costed.parks["park-000009"] = Park("park-000009", "智算中心", "computing_centre", Point(121.11, 30.075), "330281",
                                       "planned", 2027, computing_pflops=2000.0)  # fmt: skip
    zone = Zone("zone-000009", "F5G", "f5g", box(121.5, 29.8, 121.52, 29.82), 2026)
    costed.zones[zone.id] = zone
    t = investment_totals(costed, 2027)
    assert t.by_category["computing"] == pytest.approx(2000 * 630.0)
    assert t.by_category["f5g"] == pytest.approx(area_km2(zone.geometry) * 300.0)
    assert 4.2 < area_km2(zone.geometry) < 4.4  # 0.02° × 0.02° at 29.8°N


def test_year_filter(costed):
    assert investment_totals(costed, 2023).total_wan == 0
    assert investment_totals(costed, 2024).total_wan == pytest.approx(60.0)
    assert investment_totals(costed, 2025).total_wan == pytest.approx(250_060.0)


def test_missing_unit_costs_are_reported_not_guessed(small_scenario):
    t = investment_totals(small_scenario, 2027)  # its catalogue only has the macro site
    assert t.missing_unit_costs == ["5g_a_site"]
    assert t.by_category["5g_a"] == 3500.0  # only the line item; the 5G-A site has no unit cost to use


def test_line_items_keep_their_funding(costed):
    costed.investments["inv-000002"] = InvestmentItem("inv-000002", "平台", "", "platform", 2027, 1000.0, "fiscal")
    t = investment_totals(costed, 2027)
    assert t.by_funding["fiscal"] == 1000.0 and t.by_district[""] == 1000.0


def test_format_wan():
    assert format_wan(3500) == "3,500.0 万元"
    assert format_wan(1_260_000) == "126.00 亿元"


def test_targets_progress_and_untracked_indicators(costed):
    costed.targets.update({t.id: t for t in [
        Target("5g_sites", "5G基站", "5G sites", 2025, 4, "个"),
        Target("data_products", "数据产品", "data products", 2027, 2000, "件"),
        Target("computing_pflops", "算力", "computing", 2027, 2000, "PFLOPS"),
    ]})  # fmt: skip
    rows = {(t.key, t.year): t for t in target_progress(costed, 2027)}
    # 2025 target valued as of 2025: two sites open by then (the third opens 2026).
    assert rows[("5g_sites", 2025)].value == 2 and rows[("5g_sites", 2025)].share == pytest.approx(0.5)
    assert rows[("sck_parks", 2027)].value == 1 and rows[("sck_parks", 2027)].share == pytest.approx(0.1)
    assert rows[("data_products", 2027)].value is None and rows[("data_products", 2027)].share is None
    assert rows[("computing_pflops", 2027)].value == 0
    # As of 2024 the core park (2025) is not open yet.
    assert {(t.key, t.year): t for t in target_progress(costed, 2024)}[("sck_parks", 2027)].value == 0


def test_priority_zone_coverage_target(plan, baseline):
    rows = {(t.key, t.year): t for t in target_progress(plan, 2027)}
    assert rows[("priority_zone_coverage", 2027)].value == pytest.approx(100.0, abs=0.05)
    base = {(t.key, t.year): t for t in target_progress(baseline, 2025)}
    assert base[("priority_zone_coverage", 2027)].value < 20
    assert base[("sck_parks", 2025)].value == 1  # only the core park is open at end-2025


def test_feature_changes_between_scenarios(small_scenario):
    b = small_scenario.copy()
    cmd.move_feature(b, "sites", "site-000001", 0.01, 0).do(b)
    cmd.remove_features(b, "parks", ["park-000002"]).do(b)
    cmd.set_attributes(b, "parks", "park-000001", status="planned").do(b)
    cmd.add_features(b, [make_site(0, 121.6, 29.9, id="site-000009")]).do(b)
    cmd.assign_product(b, "330203", "软件").do(b)
    ch = feature_changes(small_scenario, b)
    assert ch["sites"]["added"] == ["site-000009"] and ch["sites"]["moved"] == ["site-000001"]
    assert ch["sites"]["changed"] == {"site-000001": ["lon"]}
    assert ch["parks"]["removed"] == ["park-000002"] and ch["parks"]["changed"] == {"park-000001": ["status"]}
    assert ch["products"] == {"330203": {"from": None, "to": "软件"}}


def test_compare_baseline_and_plan(baseline, plan):
    data = compare(baseline, plan, 2027)
    by = {d["adcode"]: d for d in data["districts"]}
    assert by["330282"]["coverage_5ga_pct"]["delta"] > 10  # 前湾新区 and 慈溪高新区 get 5G-A
    assert by["330203"]["product"]["changed"] and by["330206"]["product"]["changed"] is False
    assert data["totals"]["sck_parks"] == {"a": 2, "b": 10, "delta": 8}  # 镇海数谷 opens in 2026 in both
    assert data["totals"]["computing_pflops"]["delta"] == 2000
    assert len(data["features"]["parks"]["added"]) == 9 and not data["features"]["sites"]["removed"]
    inv = data["totals"]["investment_wan"]
    assert inv["delta"] == pytest.approx(inv["b"] - inv["a"]) and inv["delta"] > 1_260_000


def test_priority_zone_target_says_how_many_zones_it_measured(plan):
    fewer = plan.copy()
    del fewer.zones["zone-000001"]
    rows = {(t.key, t.year): t for t in target_progress(fewer, 2027)}
    assert "3" in rows[("priority_zone_coverage", 2027)].note
    none = plan.copy()
    none.zones = {k: z for k, z in plan.zones.items() if z.kind != "priority"}
    row = {(t.key, t.year): t for t in target_progress(none, 2027)}[("priority_zone_coverage", 2027)]
    assert row.value is None and "no priority zone" in row.note
    full = {(t.key, t.year): t for t in target_progress(plan, 2027)}[("priority_zone_coverage", 2027)]
    assert full.note == ""
    untracked = {(t.key, t.year): t for t in target_progress(plan, 2027)}[("data_products", 2027)]
    assert "not tracked" in untracked.note


def test_sites_per_10k_target_is_measured_city_wide(costed):
    costed.targets["5g_sites_per_10k@2025"] = Target(
        "5g_sites_per_10k", "每万人5G基站数", "5G sites per 10,000 people", 2025, 26, "个/万人"
    )
    rows = {(t.key, t.year): t for t in target_progress(costed, 2027)}
    row = rows[("5g_sites_per_10k", 2025)]
    # Two sites open by 2025, over Ningbo's 9,404,283 people (2020 census).
    assert row.value == pytest.approx(2 / 9_404_283 * 10_000) and row.note == ""
    assert row.share == pytest.approx(row.value / 26)


def test_compare_district_rows_and_other_add_up_to_the_city(baseline, plan):
    data = compare(baseline, plan, 2027)
    for key in ("sites", "investment_wan"):
        rows = sum(d[key]["delta"] for d in data["districts"]) + data["other"][key]["delta"]
        assert rows == pytest.approx(data["totals"][key]["delta"], abs=1)
    per_10k = data["city"]["sites_per_10k"]
    assert per_10k["b"] - per_10k["a"] == pytest.approx(data["totals"]["sites"]["delta"] / 9_404_283 * 10_000, abs=0.01)
