"""Target gap (issue 10): each target's value, gap and the cost of closing it, the priority zones closed by the
gap-fill siting and F5G by area, the non-spatial targets listed as not costed, and ``python main.py gap``."""

from __future__ import annotations

import json
import math

import pytest

from planner.analysis.coverage import CoverageEngine
from planner.analysis.gap import default_gap_year, format_gap, target_gap
from planner.analysis.siting import Cancelled, apply_proposal
from planner.analysis.targets import city_population
from planner.domain.features import Park
from planner.domain.scenario import Target, UnitCost
from planner.paths import BASELINE, PLAN_2027
from planner.storage.fileformat import load
from tests.conftest import make_small_scenario, run_cli


@pytest.fixture(scope="module")
def base():
    return load(BASELINE)


@pytest.fixture(scope="module")
def base_gap(base):
    return target_gap(base, 2027)


def rows(report):
    return {r.key: r for r in report.rows}


def test_the_baseline_2027_gap_is_costed_by_the_catalogue(base, base_gap):
    r = rows(base_gap)
    assert base_gap.year == 2027 and set(r) == {t.key for t in base.targets.values() if t.year == 2027}
    parks = r["sck_parks"]
    open_sck = sum(1 for p in base.parks.values() if p.kind in ("sck_core", "sck_branch") and p.open_year <= 2027)
    assert parks.value == open_sck and parks.gap == 10 - open_sck
    assert parks.cost_wan == parks.gap * base.catalogue["sck_park"].amount_wan and parks.assumption
    pflops = r["computing_pflops"]
    have = sum(p.computing_pflops or 0 for p in base.parks.values() if p.open_year <= 2027)
    assert pflops.gap == pytest.approx(2000 - have)
    assert pflops.cost_wan == pytest.approx(pflops.gap * 630.0) and not pflops.assumption  # domain.md ≈630 万元
    assert "630" in pflops.method


def test_the_priority_zones_are_closed_by_siting_and_f5g_by_area(base, base_gap):
    zone_row = rows(base_gap)["priority_zone_coverage"]
    assert [z.name for z in base_gap.zones] == ["北仑临港产业带", "前湾新区", "余姚经济技术开发区", "慈溪高新区"]
    a_unit, f_unit = base.catalogue["5g_a_site"].amount_wan, base.catalogue["f5g_per_km2"].amount_wan
    figures = CoverageEngine(base, 2027, subscribe=False).figures()
    for z in base_gap.zones:
        fig = figures.zones[z.zone_id]
        assert z.coverage_5ga_pct == pytest.approx(fig.coverage_5ga_pct)
        assert z.f5g_km2 == pytest.approx(fig.area_km2 * (1 - fig.coverage_f5g_pct / 100))
        assert z.f5g_capex_wan == pytest.approx(z.f5g_km2 * f_unit)
        assert z.sites > 0 and z.sites_capex_wan == pytest.approx(z.sites * a_unit) and z.reached_5ga
    assert zone_row.cost_wan == pytest.approx(sum(z.capex_wan for z in base_gap.zones))
    assert zone_row.assumption  # 5G-A site and F5G per km² are assumptions in the catalogue
    assert f"{sum(z.sites for z in base_gap.zones)} 个 5G-A 站点" in zone_row.method


def test_applying_the_zone_proposals_brings_each_zone_to_full_5g_a(base, base_gap):
    """What the gap promises for 5G-A, the engine measures once the proposed sites are in the scenario."""
    s = base.copy()
    for z in base_gap.zones:
        apply_proposal(s, z.proposal).do(s)
    figures = CoverageEngine(s, 2027, subscribe=False).figures()
    for z in base_gap.zones:
        assert figures.zones[z.zone_id].coverage_5ga_pct >= 99.5, z.name


def test_non_spatial_targets_are_listed_as_not_costed_with_why(base_gap):
    r = rows(base_gap)
    for key in ("data_products", "circulation_platforms", "trading_volume", "datasets", "flagship_scenarios"):
        assert r[key].cost_wan is None and r[key].reason, key
    assert r["data_enterprises"].cost_wan is None and "招商" in r["data_enterprises"].reason
    d = base_gap.as_dict()
    assert "trading_volume" in d["not_costed"] and d["total_includes_assumptions"]


def test_the_total_is_the_sum_of_the_costed_rows(base_gap):
    costed = [r.cost_wan for r in base_gap.rows if r.cost_wan is not None and r.counted]
    assert base_gap.total_wan == pytest.approx(sum(costed))
    assert base_gap.as_dict()["total_yi"] == pytest.approx(round(base_gap.total_wan / 10_000, 4))
    text = format_gap(base_gap)
    assert f"{base_gap.total_wan:,.1f} 万元" in text and "前湾新区" in text


def test_the_plan_meets_its_2027_targets_on_the_map():
    report = target_gap(load(PLAN_2027), 2027)
    r = rows(report)
    for key in ("sck_parks", "computing_pflops", "priority_zone_coverage"):
        assert r[key].reached and r[key].cost_wan == 0.0, key
    assert report.zones == [] and report.total_wan == 0.0


def test_the_two_5g_site_targets_share_their_sites_in_the_total():
    s = make_small_scenario()
    s.targets = {
        "5g_sites@2025": Target("5g_sites", "5G基站", "5G sites", 2025, 100, "个"),
        "5g_sites_per_10k@2025": Target("5g_sites_per_10k", "每万人5G基站数", "per 10k", 2025, 1, "个/万人"),
    }
    report = target_gap(s, 2025)
    r = rows(report)
    open_sites = sum(1 for x in s.sites.values() if x.open_year <= 2025)
    assert r["5g_sites"].cost_wan == (100 - open_sites) * 25.0
    per_10k = math.ceil((1 - open_sites / city_population() * 10_000) * city_population() / 10_000 - 1e-9)
    assert r["5g_sites_per_10k"].cost_wan == per_10k * 25.0
    assert report.total_wan == max(r["5g_sites"].cost_wan, r["5g_sites_per_10k"].cost_wan)
    assert not r["5g_sites"].counted and r["5g_sites_per_10k"].counted


def test_a_park_without_a_catalogue_cost_is_costed_by_the_scenarios_own_parks_or_not_at_all():
    s = make_small_scenario()  # no 'sck_park' in its catalogue, no feature park with a capex
    row = rows(target_gap(s, 2027))["sck_parks"]
    assert row.cost_wan is None and "sck_park" in row.reason
    for i, capex in enumerate((30000.0, 50000.0, 90000.0), start=3):
        pid = f"park-{i:06d}"
        s.parks[pid] = Park(pid, f"特色园{i}", "sck_branch", s.parks["park-000001"].geometry, "330212", "planned",
                            2027, None, capex)  # fmt: skip
    row = rows(target_gap(s, 2027))["sck_parks"]
    assert row.gap == 10 - 4 and row.cost_wan == 6 * 50000.0 and row.assumption and "中位数" in row.method
    s.catalogue["sck_park"] = UnitCost("sck_park", "特色园", "park", "个", 20000.0)
    row = rows(target_gap(s, 2027))["sck_parks"]
    assert row.cost_wan == 6 * 20000.0 and not row.assumption


def test_the_gap_year_is_a_target_year(base):
    assert base.horizon_year == 2025 and default_gap_year(base) == 2025  # the last target year up to the horizon
    assert default_gap_year(load(PLAN_2027)) == 2027
    assert default_gap_year(base, 2025) == 2025
    assert default_gap_year(base, 2026) == 2027  # the next target year
    assert default_gap_year(base, 2030) == 2027


def test_a_gap_run_can_be_cancelled(base):
    with pytest.raises(Cancelled):
        target_gap(base, 2027, cancelled=lambda: True)


def test_the_gap_command(tmp_path, base_gap):
    r = run_cli("gap", str(BASELINE), "--year", "2027", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["year"] == 2027 and d["total_wan"] == pytest.approx(round(base_gap.total_wan, 2))
    assert {t["key"]: t["cost_wan"] for t in d["targets"]}["computing_pflops"] == pytest.approx(
        rows(base_gap)["computing_pflops"].cost_wan
    )
    assert [z["name"] for z in d["priority_zones"]][1] == "前湾新区"
    r = run_cli("gap", str(BASELINE))  # the baseline's horizon is 2025: its targets
    assert r.returncode == 0 and "目标差距" in r.stdout and "2025" in r.stdout and "不测算 not costed" in r.stdout
    assert "5G基站" in r.stdout and "累计数据产品" in r.stdout
    r = run_cli("gap", str(BASELINE), "--year", "2026", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["year"] == 2027 and "no targets for 2026" in r.stderr
    s = make_small_scenario()
    s.targets = {}
    from planner.storage.atomic import save

    save(s, tmp_path / "none.json", keep_backup=False)
    r = run_cli("gap", str(tmp_path / "none.json"))
    assert r.returncode != 0 and "no official targets" in r.stderr


def test_the_brief_has_the_gap_sheet_with_the_same_numbers(base, base_gap, tmp_path):
    import openpyxl

    from planner.reports.excel_brief import write_brief

    path = write_brief(base, tmp_path / "brief.xlsx", year=2027)
    ws = openpyxl.load_workbook(path)["目标差距"]
    values = [r for r in ws.iter_rows(values_only=True)]
    assert values[0][0] == "目标差距与补齐测算（2027 年目标）"
    by_label = {r[0]: r for r in values[2:] if r[0]}
    r = rows(base_gap)
    assert by_label["智能算力（FP16）"][5] == pytest.approx(r["computing_pflops"].cost_wan)
    assert by_label["数据交易额"][5] == "不测算" and "交易额" in by_label["数据交易额"][6]
    assert by_label["合计（已测算部分）"][5] == pytest.approx(base_gap.total_wan)
    qianwan = next(z for z in base_gap.zones if z.name == "前湾新区")
    assert by_label["前湾新区"][5] == qianwan.sites and by_label["前湾新区"][8] == pytest.approx(qianwan.f5g_capex_wan)
