"""The two bundled scenarios: what they hold, that the sites are plausible, and that the generator makes them."""

from __future__ import annotations

import importlib.util
from collections import Counter

import numpy as np
import pytest
import shapely

from planner.analysis.summary import site_districts, summary
from planner.domain.vocab import OPERATORS, SCK_PARK_KINDS
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
    assert (years <= 2021).sum() == 11799  # seed 002
    assert (years <= 2025).sum() == 42000  # seed 000
    # What the summary (CLI, app) shows as of each year is the same published count.
    assert summary(baseline, 2021)["totals"]["sites"] == 11799


def _sites(scenario, band):
    return [s for s in scenario.sites.values() if s.band_mhz == band]


def test_700mhz_sites_open_from_2021_on_the_network_china_mobile_and_broadnet_co_built(baseline, plan):
    # domain.md, "Networks": one 700 MHz network, co-built and co-owned by 中国移动 and 中国广电, built from 2021.
    zh, en = OPERATORS["cmcc_cbn"]
    assert "中国移动" in zh and "中国广电" in zh and "China Mobile" in en and "China Broadnet" in en
    for scenario in (baseline, plan):
        sites = _sites(scenario, 700)
        assert len(sites) > 5000
        assert min(s.open_year for s in sites) == 2021
        assert {s.operator for s in sites} == {"cmcc_cbn"}
    # Built over 2021–2025, not all at once: every year adds some, none adds more than a third.
    by_year = Counter(s.open_year for s in _sites(baseline, 700))
    assert sorted(by_year) == [2021, 2022, 2023, 2024, 2025]
    assert max(by_year.values()) < len(_sites(baseline, 700)) / 3
    # The other bands keep their owners: 3.5 GHz is China Telecom + China Unicom's shared network (each site names
    # its builder, about half each); 2.6 and 4.9 GHz are China Mobile's.
    ops = Counter(s.operator for s in _sites(baseline, 3500))
    assert set(ops) == {"ctcc", "cucc"} and 0.4 < ops["ctcc"] / ops.total() < 0.6
    assert {s.operator for s in _sites(baseline, 2600) + _sites(baseline, 4900)} == {"cmcc"}


def _city_f5g(scenario, year):
    return summary(scenario, year)["city"]["coverage_f5g_pct"]


def test_f5g_coverage_rises_every_year_from_2020_and_reaches_every_town_by_2025(baseline):
    from planner.synth.sites import CENTRES

    pct = {y: _city_f5g(baseline, y) for y in range(2019, 2026)}
    assert pct[2019] == 0  # the gigabit roll-out starts in 2020
    assert pct[2020] > 0
    assert all(pct[y] < pct[y + 1] for y in range(2020, 2025)), pct
    assert pct[2020] < 0.5 * pct[2025]  # phased, not all there in 2020
    # Urban cores first: in 2020 the central districts have gigabit fibre and the outer counties none; by 2021 every
    # district seat is reached (seed 002: urban households 1000 Mbps in 2021).
    f2020 = {d["adcode"]: d["coverage_f5g_pct"] for d in summary(baseline, 2020)["districts"]}
    assert all(f2020[a] > 0 for a in ("330203", "330205", "330206", "330211", "330212"))
    assert all(f2020[a] == 0 for a in ("330213", "330225", "330226", "330281", "330282"))
    assert all(d["coverage_f5g_pct"] > 0 for d in summary(baseline, 2021)["districts"])
    # seed 000: every town (乡镇) reached by end-2025.
    f5g = [z for z in baseline.zones.values() if z.kind == "f5g"]
    assert {z.open_year for z in f5g} == set(range(2020, 2026))
    reached = shapely.union_all([z.geometry for z in f5g])
    for adcode, centres in CENTRES.items():
        district = district_by_adcode()[adcode].name_zh
        for c in centres:
            assert reached.contains(shapely.Point(c.lon, c.lat)), c.name
            assert any(c.name in z.name and district in z.name for z in f5g), c.name


def test_f5g_investment_is_spread_over_2020_to_2025_and_no_area_is_paid_twice(baseline):
    from planner.analysis.investment import investment_totals

    inv = investment_totals(baseline, 2025)
    by_year = Counter()
    for (_district, category, year), amount in inv.by_district_category_year.items():
        if category == "f5g":
            by_year[year] += amount
    assert sorted(by_year) == [2020, 2021, 2022, 2023, 2024, 2025]
    assert all(v > 0 for v in by_year.values())
    assert by_year[2025] < 0.5 * by_year.total()
    # The towns' areas do not overlap, so the F5G cost is the covered area × the unit cost, once.
    f5g = [z.geometry for z in baseline.zones.values() if z.kind == "f5g"]
    unit = baseline.catalogue["f5g_per_km2"].amount_wan
    assert inv.by_category["f5g"] == pytest.approx(area_km2(shapely.union_all(f5g)) * unit, rel=1e-4)


def test_both_scenarios_carry_the_national_5g_per_10000_people_target(baseline, plan):
    for scenario in (baseline, plan):
        t = scenario.targets["5g_sites_per_10k@2025"]
        assert (t.key, t.year, t.value, t.unit) == ("5g_sites_per_10k", 2025, 26, "个/万人")
        assert (t.label_zh, t.label_en) == ("每万人5G基站数", "5G base stations per 10,000 people")
        assert "十四五信息通信行业发展规划" in t.source and "domain.md" in t.source
        # The target is listed with the others wherever targets are shown.
        assert any(r["key"] == "5g_sites_per_10k" and r["target"] == 26 for r in summary(scenario, 2025)["targets"])


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
