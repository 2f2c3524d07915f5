"""The two bundled scenarios: what they hold, that the sites are plausible, and that the generator makes them."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import shapely

from planner.analysis.summary import site_districts
from planner.domain.vocab import SCK_PARK_KINDS
from planner.geo.basemap import district_by_adcode
from planner.geo.crs import area_km2
from planner.paths import BASELINE, PLAN_2027, ROOT

PUBLISHED = {
    "330206": "港航数据 + 交通治理",
    "330282": "小家电产业 + 环保治理 + 政务服务",
    "330281": "模具产业 + 智能制造 + 算力支撑",
    "330225": "海洋产业 + 防灾减灾",
}


def test_baseline_has_the_four_published_products_and_no_others(baseline):
    assert baseline.products == PUBLISHED


def test_baseline_has_about_42000_synthetic_sites_and_says_so(baseline):
    assert len(baseline.sites) == 42000
    assert all(s.source == "synthetic" for s in baseline.sites.values())
    assert "合成" in baseline.notes and "synthetic" in baseline.notes
    text = BASELINE.read_text(encoding="utf-8")
    assert '"note": "站点为合成示意数据' in text


def test_baseline_parks_named_in_domain_md(baseline):
    names = " ".join(p.name for p in baseline.parks.values())
    for n in (
        "胜遇数字经济产业园",
        "镇海数谷",
        "宁波软件园",
        "前湾新区数字经济产业园",
        "余姚机器人智谷小镇",
        "江北前洋E商小镇",
        "慈溪息壤小镇",
        "北仑集成电路产业平台",
        "宁波人工智能超算中心",
    ):
        assert n in names
    core = [p for p in baseline.parks.values() if p.kind == "sck_core"]
    assert len(core) == 1 and core[0].district == "330212"  # 宁波高新区 lies in 鄞州's territory
    assert all(p.approximate for p in baseline.parks.values())


def test_parks_lie_in_the_district_they_name(plan):
    for p in plan.parks.values():
        d = district_by_adcode()[p.district]
        assert d.geometry.buffer(0.02).contains(p.geometry), p.name


def test_four_priority_zones_drawn_approximately(baseline):
    prio = [z for z in baseline.zones.values() if z.kind == "priority"]
    assert sorted(z.name for z in prio) == sorted(["北仑临港产业带", "前湾新区", "余姚经济技术开发区", "慈溪高新区"])
    assert all(z.approximate for z in prio)
    areas = {z.name: area_km2(z.geometry) for z in prio}
    assert 250 < areas["前湾新区"] < 450  # ≈353 km² (domain.md)
    assert all(a > 10 for a in areas.values())


def test_baseline_f5g_reaches_every_district(baseline):
    f5g = [z for z in baseline.zones.values() if z.kind == "f5g"]
    covered = {a for a, d in district_by_adcode().items() if any(z.geometry.intersects(d.geometry) for z in f5g)}
    assert len(covered) == 10


def _density(sites, geom):
    shapely.prepare(geom)
    lon = np.array([s.lon for s in sites])
    lat = np.array([s.lat for s in sites])
    return shapely.contains_xy(geom, lon, lat).sum() / area_km2(geom)


def test_sites_are_dense_in_urban_cores_and_sparse_in_mountains_and_islands(baseline):
    from planner.geo.crs import geometry_to_metric, geometry_to_wgs84

    sites = list(baseline.sites.values())
    by = district_by_adcode()
    core = geometry_to_wgs84(geometry_to_metric(shapely.Point(121.545, 29.872)).buffer(3000))
    urban = _density(sites, core)
    ninghai = _density(sites, by["330226"].geometry)
    assert urban > 15 * ninghai
    # 象山 offshore: islands (every part but the mainland) are sparser than the mainland.
    parts = sorted(shapely.get_parts(by["330225"].geometry), key=lambda g: g.area, reverse=True)
    islands = shapely.union_all(parts[1:])
    assert _density(sites, islands) < 0.6 * _density(sites, parts[0])


def test_weak_coverage_in_cixi_and_ninghai_industrial_parks(baseline):
    from planner.geo.crs import geometry_to_metric, geometry_to_wgs84
    from planner.synth.sites import WEAK_SPOTS

    sites = list(baseline.sites.values())
    by = district_by_adcode()
    for name, lon, lat, r_km, _keep in WEAK_SPOTS:
        spot = geometry_to_wgs84(geometry_to_metric(shapely.Point(lon, lat)).buffer(r_km * 1000))
        ring = geometry_to_wgs84(geometry_to_metric(shapely.Point(lon, lat)).buffer(r_km * 3000)).difference(spot)
        adcode = "330282" if "慈溪" in name else "330226"
        ring = ring.intersection(by[adcode].geometry)
        assert _density(sites, spot) < 0.5 * _density(sites, ring), name


def test_open_years_follow_the_published_totals(baseline):
    years = np.array([s.open_year for s in baseline.sites.values()])
    assert (years <= 2020).sum() == 10852  # seed 003
    assert (years <= 2025).sum() == 42000  # seed 000


def test_every_district_has_sites(baseline):
    where = site_districts(baseline)
    counts = {a: 0 for a in district_by_adcode()}
    for a in where.values():
        counts[a] = counts.get(a, 0) + 1
    assert min(counts[a] for a in district_by_adcode()) > 1000


def test_plan_reaches_the_2027_structure(plan):
    sck = [p for p in plan.parks.values() if p.kind in SCK_PARK_KINDS and p.open_year <= 2027]
    assert len(sck) == 10  # seed 001: 10 数创港 parks by 2027
    pflops = sum(p.computing_pflops or 0 for p in plan.parks.values() if p.open_year <= 2027)
    assert pflops >= 2000  # seed 000: ≥2000P by end-2027
    assert len(plan.products) == 10 and all(plan.products[a] == v for a, v in PUBLISHED.items())
    assert sum(p.data_enterprises for p in plan.parks.values() if p.open_year <= 2027) >= 1000


def test_plan_covers_the_priority_zones_with_f5g_and_5ga(plan):
    from planner.geo.site_radius import site_radius_m

    f5g = shapely.union_all([z.geometry for z in plan.zones.values() if z.kind == "f5g" and z.open_year <= 2027])
    a_sites = [s for s in plan.sites.values() if s.kind == "5g_a" and s.open_year <= 2027]
    from planner.geo.crs import geometry_to_metric

    discs = shapely.union_all(
        [geometry_to_metric(shapely.Point(s.lon, s.lat)).buffer(site_radius_m(s), quad_segs=16) for s in a_sites]
    )
    for z in (z for z in plan.zones.values() if z.kind == "priority"):
        assert f5g.intersection(z.geometry).area / z.geometry.area > 0.999, z.name
        zm = geometry_to_metric(z.geometry)
        assert zm.intersection(discs).area / zm.area > 0.99, z.name


def test_plan_investment_adds_up(plan, baseline):
    from planner.analysis.investment import investment_totals

    # Line items are the non-spatial spending of 2026–2027; features are costed from themselves.
    assert {i.year for i in plan.investments.values()} == {2026, 2027}
    before = investment_totals(baseline, 2027)
    after = investment_totals(plan, 2027)
    new = after.total_wan - before.total_wan
    assert after.by_category["computing"] == pytest.approx(2000 * 630)  # catalogue: 630 万元/PFLOPS (domain.md)
    new_5ga = sum(1 for s in plan.sites.values() if s.kind == "5g_a" and s.open_year >= 2026)
    assert after.by_category["5g_a"] - before.by_category["5g_a"] == pytest.approx(new_5ga * 35.0)
    assert new == pytest.approx(
        sum(after.by_year.get(y, 0) for y in (2026, 2027)) - sum(before.by_year.get(y, 0) for y in (2026, 2027))
    )
    assert after.missing_unit_costs == []


def test_generator_regenerates_the_bundled_files_exactly():
    spec = importlib.util.spec_from_file_location("build_scenarios", ROOT / "tools" / "build_scenarios.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    from planner.storage.fileformat import dumps

    baseline = mod.build_baseline()
    assert dumps(baseline) == BASELINE.read_text(encoding="utf-8")
    assert dumps(mod.build_plan(baseline)) == PLAN_2027.read_text(encoding="utf-8")


def test_5ga_sites_open_in_2024_or_later_and_no_site_stands_in_the_sea(baseline, plan):
    a = [s for s in baseline.sites.values() if s.kind == "5g_a"]
    assert 700 < len(a) < 1500 and min(s.open_year for s in a) >= 2024  # 5G-A service started in 2024
    where = site_districts(plan)
    assert all(where[s] for s in plan.sites), "a site lies outside every district"
