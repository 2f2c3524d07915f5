"""The coverage engine: accuracy against the exact vector answer, incremental edits, the year filter."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from planner.analysis.coverage import EXACT_QUAD_SEGS, CoverageEngine
from planner.domain import commands as cmd
from planner.domain.commands import CommandStack
from planner.domain.features import Park, Zone
from planner.geo.basemap import districts
from planner.geo.crs import geometry_to_metric, to_metric
from planner.geo.site_radius import site_radii_m
from tests.conftest import make_site, make_small_scenario

TOLERANCE_PP = 0.1  # percentage points (issue 3)


def _exact_union(sites):
    if not sites:
        return shapely.Polygon()
    x, y = to_metric([s.lon for s in sites], [s.lat for s in sites])
    r = site_radii_m(sites)
    return shapely.union_all(shapely.buffer(shapely.points(x, y), r, quad_segs=EXACT_QUAD_SEGS))


def _exact_pct(union, geom_wgs84) -> float:
    g = geometry_to_metric(geom_wgs84)
    return 100.0 * shapely.intersection(union, g).area / g.area


@pytest.fixture(scope="module", params=[10, 40], ids=["tenth", "fortieth"])
def sparse(request, baseline):
    """A random 1/N of the baseline's sites (far from saturation) plus polygon parks, as its own scenario."""
    rng = random.Random(request.param)
    s = baseline.copy()
    keep = rng.sample(sorted(s.sites), len(s.sites) // request.param)
    s.sites = {k: s.sites[k] for k in keep}
    # Polygon parks of several sizes, from a block to a district-sized estate.
    for i, (x, y, half) in enumerate([(121.55, 29.87, 0.004), (121.85, 29.91, 0.01), (121.3, 30.2, 0.03)]):
        pid = f"park-9{i:05d}"
        s.parks[pid] = Park(pid, f"测试园区{i}", "digital_park", box(x - half, y - half, x + half, y + half),
                            "330203", "planned", 2025)  # fmt: skip
    return s


@pytest.fixture(scope="module")
def sparse_figures(sparse):
    return CoverageEngine(sparse, 2025, subscribe=False).figures()


def test_district_and_city_percentages_match_the_exact_vector_answer(sparse, sparse_figures):
    sites = [s for s in sparse.sites.values() if s.open_year <= 2025]
    u5, ua = _exact_union(sites), _exact_union([s for s in sites if s.kind == "5g_a"])
    for d in districts():
        got = sparse_figures.districts[d.adcode]
        assert got.coverage_5g_pct == pytest.approx(_exact_pct(u5, d.geometry), abs=TOLERANCE_PP), d.name_zh
        assert got.coverage_5ga_pct == pytest.approx(_exact_pct(ua, d.geometry), abs=TOLERANCE_PP), d.name_zh
    city = shapely.union_all([d.geometry for d in districts()])
    assert sparse_figures.city.coverage_5g_pct == pytest.approx(_exact_pct(u5, city), abs=TOLERANCE_PP)
    # Far from saturation: the test would be meaningless if everything were covered.
    assert min(f.coverage_5g_pct for f in sparse_figures.districts.values()) < 95


def test_zone_and_polygon_park_percentages_match_the_exact_vector_answer(sparse, sparse_figures):
    sites = [s for s in sparse.sites.values() if s.open_year <= 2025]
    u5, ua = _exact_union(sites), _exact_union([s for s in sites if s.kind == "5g_a"])
    f5g = shapely.union_all([geometry_to_metric(z.geometry) for z in sparse.zones.values()
                             if z.kind == "f5g" and z.open_year <= 2025])  # fmt: skip
    for zid, got in sparse_figures.zones.items():
        geom = sparse.zones[zid].geometry
        assert got.coverage_5g_pct == pytest.approx(_exact_pct(u5, geom), abs=TOLERANCE_PP), got.name
        assert got.coverage_5ga_pct == pytest.approx(_exact_pct(ua, geom), abs=TOLERANCE_PP), got.name
        assert got.coverage_f5g_pct == pytest.approx(_exact_pct(f5g, geom), abs=1e-6), got.name
        dual = _exact_pct(shapely.intersection(ua, f5g), geom)
        assert got.coverage_dual_pct == pytest.approx(dual, abs=TOLERANCE_PP), got.name
    for pid, got in sparse_figures.parks.items():
        geom = sparse.parks[pid].geometry
        assert got.coverage_5g_pct == pytest.approx(_exact_pct(u5, geom), abs=TOLERANCE_PP), got.name


def test_point_parks_know_whether_they_are_covered_and_the_nearest_site(baseline):
    fig = CoverageEngine(baseline, 2025, subscribe=False).figures()
    sites = [s for s in baseline.sites.values() if s.open_year <= 2025]
    sx, sy = to_metric([s.lon for s in sites], [s.lat for s in sites])
    r = site_radii_m(sites)
    for pid, got in fig.point_parks.items():
        p = baseline.parks[pid].geometry
        px, py = to_metric(p.x, p.y)
        d = np.hypot(sx - px, sy - py)
        assert got.nearest_site_m == pytest.approx(d.min(), abs=0.01)
        assert got.covered_5g == bool((d <= r).any())
    assert fig.point_parks["park-000001"].covered_5ga  # the core park sits in the 5G-A trial area


def _random_edit(s, rng, ids):
    k = rng.randrange(4)
    if k == 0:
        return cmd.move_feature(s, "sites", rng.choice(ids), rng.uniform(-0.02, 0.02), rng.uniform(-0.02, 0.02))
    if k == 1:
        sid = rng.choice(ids)
        ids.remove(sid)
        return cmd.remove_features(s, "sites", [sid])
    if k == 2:
        sid = rng.choice(ids)
        return cmd.set_attributes(s, "sites", sid, kind=rng.choice(["5g_macro", "5g_a"]), band_mhz=3500)
    nid = s.new_id("sites")
    ids.append(nid)
    site = make_site(0, 121.3 + rng.random() * 0.6, 29.7 + rng.random() * 0.5, id=nid,
                     kind=rng.choice(["5g_macro", "5g_a"]), environment=rng.choice(["urban", "rural"]))  # fmt: skip
    return cmd.add_features(s, [site])


def test_incremental_edits_give_the_same_figures_as_a_full_rebuild(baseline):
    rng = random.Random(3)
    s = baseline.copy()
    # A sparse copy so that edits change the figures (the full baseline is nearly saturated).
    s.sites = {k: s.sites[k] for k in sorted(s.sites)[::20]}
    engine = CoverageEngine(s, 2025)
    stack = CommandStack(s)
    ids = sorted(s.sites)
    before = engine.figures()
    for _ in range(150):
        stack.push(_random_edit(s, rng, ids))
    live = engine.figures()
    fresh = CoverageEngine(s, 2025, subscribe=False)
    full = fresh.figures()
    for layer in ("5g", "5g_a"):
        assert np.array_equal(engine.city_layers[layer].counts, fresh.city_layers[layer].counts)
    # Every figure — city, districts, zones with "双万兆", parks, point parks' flags and nearest distances — exactly.
    assert live == full
    assert live.point_parks and live.zones
    assert any(live.districts[k].coverage_5g_pct != before.districts[k].coverage_5g_pct for k in live.districts)
    # Undo everything: back to the figures we started from, bit for bit.
    while stack.undo():
        pass
    assert engine.figures() == before
    engine.close()


def test_adding_a_site_in_an_uncovered_place_raises_that_districts_coverage():
    s = make_small_scenario()
    engine = CoverageEngine(s, 2027)
    seen = []
    engine.subscribe(lambda delta: seen.append(engine.figures().districts["330226"].coverage_5g_pct))
    before = engine.figures().districts["330226"].coverage_5g_pct  # 宁海: no site yet
    assert before == 0.0
    site = make_site(0, 121.43, 29.29, id=s.new_id("sites"), environment="rural", band_mhz=700, operator="cbn")
    CommandStack(s).push(cmd.add_features(s, [site]))
    assert seen and seen[-1] > 0.1
    # 700 MHz rural disc (~2.6 km) over 宁海's 1,902 km²: about π·2.6²/1902 ≈ 1.1 %.
    assert seen[-1] == pytest.approx(100 * np.pi * (engine._store.r[engine._slots[site.id]] / 1000) ** 2 / 1902.2,
                                     rel=0.02)  # fmt: skip


def test_year_filter_counts_only_what_is_open(baseline):
    early = CoverageEngine(baseline, 2020, subscribe=False)
    assert len(early._slots) == 10852
    filtered = baseline.copy()
    filtered.sites = {k: v for k, v in baseline.sites.items() if v.open_year <= 2020}
    same = CoverageEngine(filtered, 2030, subscribe=False)
    a, b = early.figures(), same.figures()
    for k in a.districts:
        assert a.districts[k].coverage_5g_pct == b.districts[k].coverage_5g_pct
    early.set_year(2025)
    assert len(early._slots) == 42000


def test_a_site_opening_after_the_year_is_ignored_until_that_year(small_scenario):
    engine = CoverageEngine(small_scenario, 2025)
    before = engine.figures().districts["330213"].coverage_5g_pct
    late = make_site(0, 121.41, 29.66, id=small_scenario.new_id("sites"), open_year=2027)
    CommandStack(small_scenario).push(cmd.add_features(small_scenario, [late]))
    assert engine.figures().districts["330213"].coverage_5g_pct == before
    engine.set_year(2027)
    assert engine.figures().districts["330213"].coverage_5g_pct > before


def test_f5g_zone_edits_update_f5g_and_dual_coverage(small_scenario):
    engine = CoverageEngine(small_scenario, 2027)
    zone = small_scenario.zones["zone-000001"]  # priority zone 北仑临港产业带 (test box)
    site = make_site(0, 121.85, 29.905, id=small_scenario.new_id("sites"), kind="5g_a", band_mhz=4900)
    stack = CommandStack(small_scenario)
    stack.push(cmd.add_features(small_scenario, [site]))
    fig = engine.figures().zones["zone-000001"]
    assert fig.coverage_5ga_pct > 1 and fig.coverage_f5g_pct == 0 and fig.coverage_dual_pct == 0
    f5g = Zone(small_scenario.new_id("zones"), "F5G", "f5g", zone.geometry, 2026)
    stack.push(cmd.add_features(small_scenario, [f5g]))
    fig = engine.figures().zones["zone-000001"]
    assert fig.coverage_f5g_pct == pytest.approx(100.0)
    assert fig.coverage_dual_pct == pytest.approx(fig.coverage_5ga_pct)
    stack.undo()
    assert engine.figures().zones["zone-000001"].coverage_dual_pct == 0


def test_district_f5g_is_exact(baseline):
    fig = CoverageEngine(baseline, 2025, subscribe=False).figures()
    f5g = shapely.union_all([geometry_to_metric(z.geometry) for z in baseline.zones.values() if z.kind == "f5g"])
    for d in districts():
        assert fig.districts[d.adcode].coverage_f5g_pct == pytest.approx(_exact_pct(f5g, d.geometry), abs=1e-9)


def test_polygon_park_follows_edits(small_scenario):
    engine = CoverageEngine(small_scenario, 2027)
    stack = CommandStack(small_scenario)
    assert engine.figures().parks["park-000002"].coverage_5g_pct == 0
    # The park is a 2 km × 1.1 km box; a 3.5 GHz urban site at its centre (radius ≈ 855 m) covers part of it.
    site = make_site(0, 121.81, 29.895, id=small_scenario.new_id("sites"))
    stack.push(cmd.add_features(small_scenario, [site]))
    part = engine.figures().parks["park-000002"].coverage_5g_pct
    assert 30 < part < 100
    stack.push(cmd.move_feature(small_scenario, "sites", site.id, 0.0, 0.05))
    assert engine.figures().parks["park-000002"].coverage_5g_pct == 0
    stack.push(cmd.set_attributes(small_scenario, "sites", site.id, radius_m=8000.0))
    assert engine.figures().parks["park-000002"].coverage_5g_pct == pytest.approx(100.0)
    stack.undo()
    stack.undo()
    assert engine.figures().parks["park-000002"].coverage_5g_pct == pytest.approx(part)


def test_close_stops_following_the_scenario(small_scenario):
    engine = CoverageEngine(small_scenario, 2027)
    engine.close()
    before = engine.figures().districts["330226"].coverage_5g_pct
    site = make_site(0, 121.43, 29.29, id=small_scenario.new_id("sites"))
    CommandStack(small_scenario).push(cmd.add_features(small_scenario, [site]))
    assert engine.figures().districts["330226"].coverage_5g_pct == before


def test_override_radius_is_used(small_scenario):
    engine = CoverageEngine(small_scenario, 2027)
    s1 = small_scenario.sites["site-000001"]
    CommandStack(small_scenario).push(cmd.set_attributes(small_scenario, "sites", s1.id, radius_m=100.0))
    slot = engine._slots[s1.id]
    assert engine._store.r[slot] == 100.0
    assert replace(s1, radius_m=100.0) == small_scenario.sites[s1.id]


def test_an_empty_scenario_has_zero_coverage_and_no_errors():
    from planner.analysis.summary import summary
    from planner.domain.scenario import Scenario

    data = summary(Scenario())
    assert data["city"]["coverage_5g_pct"] == 0 and data["totals"]["sites"] == 0
    assert all(r["coverage_5g_pct"] == 0 and r["investment_wan"] == 0 for r in data["districts"])
