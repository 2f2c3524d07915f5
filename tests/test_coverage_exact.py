"""The live coverage engine equals a fresh engine on the same scenario exactly (``==``), whatever the edits.

Every figure of :meth:`CoverageEngine.figures` — city, districts, zones (with "双万兆"), polygon parks, point parks'
covered flags and nearest distances — is compared with ``==``, never with a tolerance: a user who saves, reopens
and sees another number has found a bug.
"""

from __future__ import annotations

import dataclasses
import math
import random

import numpy as np
import pytest
from shapely.geometry import Point, box

from planner.analysis.coverage import CoverageEngine
from planner.domain import commands as cmd
from planner.domain.commands import CommandStack
from planner.domain.features import Park, Zone
from planner.domain.scenario import Scenario
from planner.geo.basemap import district_at
from planner.geo.crs import to_metric
from tests.conftest import make_site

YEAR = 2027
#: Central Ningbo (海曙/鄞州/江北): land everywhere, so random positions are valid.
REGION = (121.52, 29.84, 121.64, 29.90)


def _differences(a, b) -> list[str]:
    """The figures that differ between two CoverageFigures, for the assertion message."""

    def flat(fig):
        out = {("city",): fig.city, ("year",): fig.year}
        for name in ("districts", "zones", "parks", "point_parks"):
            out.update({(name, k): v for k, v in getattr(fig, name).items()})
        return {
            (*k, f): val
            for k, v in out.items()
            for f, val in (dataclasses.asdict(v).items() if dataclasses.is_dataclass(v) else [("", v)])
        }

    fa, fb = flat(a), flat(b)
    return [
        f"{k}: live {fa.get(k)!r} fresh {fb.get(k)!r}" for k in sorted(fa.keys() | fb.keys()) if fa.get(k) != fb.get(k)
    ]


def _assert_equals_fresh(engine: CoverageEngine, s: Scenario) -> None:
    live = engine.figures()
    fresh = CoverageEngine(s, engine.year, subscribe=False).figures()
    assert live == fresh, _differences(live, fresh)[:10]


def _scenario(**collections) -> Scenario:
    return Scenario(id="exact", name="精确性测试", base_year=2025, horizon_year=YEAR, **collections)


def _district(lon: float, lat: float) -> str:
    adcode = district_at(lon, lat)
    assert adcode, (lon, lat)
    return adcode


def _park(pid: str, geometry, open_year: int = 2025) -> Park:
    c = geometry.centroid
    return Park(pid, f"园区{pid[-3:]}", "digital_park", geometry, _district(c.x, c.y), "planned", open_year)


# ------------------------------------------------------------------------------------------ the case
def test_removing_both_5ga_sites_leaves_a_point_park_without_a_nearest_site():
    """Issue: one point park, two 5G-A sites, remove both: the live engine kept a nearest at 623 m.

    Site A is where Python's ``(px - x) ** 2`` rounds one step above numpy's product, so the removed site's
    distance came out one rounding step larger than the stored nearest and was never looked up again.
    """
    park = _park("park-000001", Point(121.625, 29.88))
    a = make_site(1, 121.6244, 29.8744, kind="5g_a", band_mhz=4900)  # 623.35 m from the park
    b = make_site(2, 121.6365, 29.8749, kind="5g_a", band_mhz=4900)  # 1,246.29 m
    s = _scenario(parks={park.id: park}, sites={a.id: a, b.id: b})
    engine = CoverageEngine(s, YEAR)
    stack = CommandStack(s)
    px, py = to_metric(121.625, 29.88)
    ax, ay = to_metric(a.lon, a.lat)
    bx, by = to_metric(b.lon, b.lat)
    d_a, d_b = math.hypot(ax - px, ay - py), math.hypot(bx - px, by - py)
    start = engine.figures().point_parks[park.id]
    assert start.nearest_5ga_site_m == pytest.approx(d_a, abs=1e-6)
    assert start.nearest_site_m == start.nearest_5ga_site_m

    stack.push(cmd.remove_features(s, "sites", [a.id]))
    got = engine.figures().point_parks[park.id]
    assert got.nearest_5ga_site_m == pytest.approx(d_b, abs=1e-6)  # B is the nearest now, not A's 623 m
    assert got.nearest_site_m == got.nearest_5ga_site_m
    _assert_equals_fresh(engine, s)

    stack.push(cmd.remove_features(s, "sites", [b.id]))
    got = engine.figures().point_parks[park.id]
    assert got.nearest_5ga_site_m is None and got.nearest_site_m is None  # no site left
    assert not got.covered_5g and not got.covered_5ga
    _assert_equals_fresh(engine, s)

    stack.undo()
    stack.undo()
    assert engine.figures().point_parks[park.id] == start  # bit for bit where we began
    # Both removed by one command: the same answer.
    stack.push(cmd.remove_features(s, "sites", [a.id, b.id]))
    assert engine.figures().point_parks[park.id].nearest_5ga_site_m is None
    _assert_equals_fresh(engine, s)
    engine.close()


def test_a_point_park_on_the_edge_of_a_disc_is_judged_alike_by_the_live_and_a_fresh_engine():
    """A site whose radius is the park's distance, rounded so that r·r < d²: outside by both engines' test.

    Today's live path tested sqrt(d²) <= r (covered) while the bulk build tested d² <= r² (not covered).
    """
    park = _park("park-000001", Point(121.58, 29.87))
    px, py = (float(v) for v in to_metric(121.58, 29.87))
    for i in range(200):  # find a position where sqrt(d²) rounds onto r but r·r < d² (about one in four)
        lon, lat = 121.58 + 0.0001 * (i + 7), 29.87 + 0.00007 * (i + 3)
        x, y = (float(v) for v in to_metric(lon, lat))
        d2 = (x - px) * (x - px) + (y - py) * (y - py)
        r = math.sqrt(d2)
        if r * r < d2:
            break
    else:
        pytest.fail("no edge position found")
    s = _scenario(parks={park.id: park})
    engine = CoverageEngine(s, YEAR)
    site = make_site(1, lon, lat, radius_m=r)
    CommandStack(s).push(cmd.add_features(s, [site]))
    got = engine.figures().point_parks[park.id]
    assert not got.covered_5g  # the centre is a rounding step outside the disc
    assert got.nearest_site_m == r
    _assert_equals_fresh(engine, s)
    engine.close()


def test_figures_do_not_depend_on_the_order_of_sites_and_zones():
    """The same features in reverse insertion order give bit-identical figures (unions of discs and F5G zones)."""
    rng = random.Random(11)
    s = _scenario()
    for i in range(40):
        site = make_site(i + 1, *_point(rng), kind=rng.choice(["5g_macro", "5g_a"]), band_mhz=4900)
        s.sites[site.id] = site
    for i, (lon, lat) in enumerate([(121.56, 29.86), (121.60, 29.88), (121.585, 29.875)]):
        z = Zone(f"zone-{i + 1:06d}", f"F5G{i}", "f5g", box(lon - 0.015, lat - 0.01, lon + 0.015, lat + 0.01))
        s.zones[z.id] = z
    s.zones["zone-000009"] = Zone("zone-000009", "重点区", "priority", box(121.55, 29.85, 121.61, 29.89))
    for i, (lon, lat) in enumerate([(121.57, 29.86), (121.60, 29.88)]):
        pid = f"park-{i + 1:06d}"
        s.parks[pid] = _park(pid, box(lon - 0.01, lat - 0.008, lon + 0.01, lat + 0.008))
    forward = CoverageEngine(s, YEAR, subscribe=False).figures()
    rev = _scenario(**{k: dict(reversed(getattr(s, k).items())) for k in ("sites", "zones", "parks")})
    backward = CoverageEngine(rev, YEAR, subscribe=False).figures()
    assert backward == forward, _differences(backward, forward)[:10]
    assert 0 < forward.parks["park-000001"].coverage_5g_pct < 100  # discs overlap inside the parks
    assert 0 < forward.zones["zone-000009"].coverage_f5g_pct < 100


# ------------------------------------------------------------------------------------------ random sequences
def _point(rng: random.Random) -> tuple[float, float]:
    x0, y0, x1, y1 = REGION
    return x0 + rng.random() * (x1 - x0), y0 + rng.random() * (y1 - y0)


def _new_site(s: Scenario, rng: random.Random):
    kind = rng.choice(["5g_macro", "5g_macro", "5g_a", "5g_small"])
    band = {"5g_a": 4900, "5g_small": 3500}.get(kind) or rng.choice([700, 2600, 3500])
    return make_site(0, *_point(rng), id=s.new_id("sites"), kind=kind, band_mhz=band,
                     environment=rng.choice(["urban", "suburban", "rural"]),
                     radius_m=rng.choice([None, None, round(rng.uniform(150, 2500), 1)]),
                     open_year=rng.choice([2024, 2025, 2026, YEAR, YEAR + 1]))  # fmt: skip


def _new_park(s: Scenario, rng: random.Random) -> Park:
    lon, lat = _point(rng)
    h = rng.uniform(0.001, 0.008)
    geom = Point(lon, lat) if rng.random() < 0.5 else box(lon - h, lat - h * 0.8, lon + h, lat + h * 0.8)
    return _park(s.new_id("parks"), geom, rng.choice([2025, YEAR, YEAR + 1]))


def _new_zone(s: Scenario, rng: random.Random) -> Zone:
    lon, lat = _point(rng)
    h = rng.uniform(0.004, 0.015)
    kind = rng.choice(["f5g", "f5g", "priority", "functional"])
    return Zone(s.new_id("zones"), f"区域{lon:.3f}", kind, box(lon - h, lat - h * 0.7, lon + h, lat + h * 0.7),
                rng.choice([2025, YEAR, YEAR + 1]))  # fmt: skip


def _pick(s: Scenario, rng: random.Random, layer: str, ids: list[str], k: int = 1) -> list[str]:
    """``k`` random ids; for sites, half the time the nearest ones to a point park (its nearest-site bookkeeping)."""
    points = [p.geometry for p in s.parks.values() if p.geometry.geom_type == "Point"]
    if layer != "sites" or not points or rng.random() < 0.5:
        return rng.sample(ids, min(k, len(ids)))
    p = rng.choice(points)
    return sorted(ids, key=lambda i: (s.sites[i].lon - p.x) ** 2 + (s.sites[i].lat - p.y) ** 2)[:k]


def _random_command(s: Scenario, rng: random.Random) -> cmd.Command:
    """One random edit of sites, parks or zones (ValueError when the model refuses the random value)."""
    layer = rng.choices(["sites", "parks", "zones"], weights=[6, 2, 1])[0]
    ids = sorted(s.layer(layer))
    op = rng.choice(["add", "remove", "move", "set"]) if ids else "add"
    if op == "add":
        make = {"sites": _new_site, "parks": _new_park, "zones": _new_zone}[layer]
        return cmd.add_features(s, [make(s, rng) for _ in range(rng.choice([1, 1, 2]))])  # new_id never repeats
    if op == "remove":
        return cmd.remove_features(s, layer, _pick(s, rng, layer, ids, rng.choice([1, 1, 2])))
    fid = _pick(s, rng, layer, ids)[0]
    if op == "move":
        d = 0.004 if layer == "sites" else 0.002
        return cmd.move_feature(s, layer, fid, rng.uniform(-d, d), rng.uniform(-d, d))
    if layer == "sites":
        values = rng.choice([
            {"kind": "5g_a", "band_mhz": 4900},
            {"kind": "5g_macro", "band_mhz": 3500},
            {"radius_m": round(rng.uniform(150, 2500), 1)},
            {"radius_m": None},
            {"open_year": rng.choice([2025, YEAR + 1])},
            {"environment": rng.choice(["urban", "rural"])},
        ])  # fmt: skip
    elif layer == "parks":
        values = {"open_year": rng.choice([2025, YEAR + 1])}
    else:
        values = rng.choice([{"kind": rng.choice(["f5g", "priority", "functional"])},
                             {"open_year": rng.choice([2025, YEAR + 1])},
                             {"name": f"改名{rng.randint(0, 99)}"}])  # fmt: skip
    return cmd.set_attributes(s, layer, fid, **values)


def _start(rng: random.Random) -> Scenario:
    s = _scenario()
    for _ in range(20):
        f = _new_site(s, rng)
        s.sites[f.id] = f
    for _ in range(5):
        f = _new_park(s, rng)
        s.parks[f.id] = f
    # A priority zone over the middle of the region, half of it F5G, and a random zone.
    s.zones["zone-000001"] = Zone("zone-000001", "重点区", "priority", box(121.55, 29.855, 121.61, 29.885))
    s.zones["zone-000002"] = Zone("zone-000002", "F5G", "f5g", box(121.58, 29.85, 121.62, 29.89))
    f = _new_zone(s, rng)
    s.zones[f.id] = f
    # The pair: a point park with two 5G-A sites as its nearest.
    pp = _park(s.new_id("parks"), Point(121.625, 29.88))
    s.parks[pp.id] = pp
    for lon, lat in [(121.6244, 29.8744), (121.6365, 29.8749)]:
        f = make_site(0, lon, lat, id=s.new_id("sites"), kind="5g_a", band_mhz=4900)
        s.sites[f.id] = f
    return s


@pytest.mark.parametrize("seed", range(6))
def test_random_edit_sequences_with_undo_and_redo_keep_every_figure_equal_to_a_fresh_engine(seed):
    rng = random.Random(seed)
    s = _start(rng)
    engine = CoverageEngine(s, YEAR)
    stack = CommandStack(s)
    first = engine.figures()
    changed = False
    for step in range(1, 61):
        roll = rng.random()
        if roll < 0.15:
            for _ in range(rng.randint(1, 3)):
                stack.undo()
        elif roll < 0.3:
            for _ in range(rng.randint(1, 2)):
                stack.redo()
        else:
            try:
                command = _random_command(s, rng)
            except ValueError:  # a random value the model refuses (e.g. no link budget): not an edit
                continue
            stack.push(command)
        if step % 5 == 0:
            _assert_equals_fresh(engine, s)
            changed |= engine.figures() != first
    assert changed  # the edits did change figures
    while stack.undo():
        pass
    assert engine.figures() == first, _differences(engine.figures(), first)[:10]
    while stack.redo():
        pass
    _assert_equals_fresh(engine, s)
    engine.close()


# ------------------------------------------------------------------------------------------- under editing
def _covered(engine: CoverageEngine) -> dict[str, np.ndarray]:
    return {layer: engine.city_layers[layer].counts > 0 for layer in ("5g", "5g_a")}


@pytest.mark.parametrize("seed", range(3))
def test_each_update_reports_exactly_the_city_cells_whose_coverage_changed(seed):
    rng = random.Random(100 + seed)
    s = _start(rng)
    engine = CoverageEngine(s, YEAR)
    deltas = []
    engine.subscribe(deltas.append)
    stack = CommandStack(s)
    for _ in range(40):
        before = _covered(engine)
        try:
            stack.push(_random_command(s, rng))
        except ValueError:
            continue
        after = _covered(engine)
        delta = deltas[-1]
        for layer in ("5g", "5g_a"):
            assert np.array_equal(delta.cells[layer], np.flatnonzero(before[layer] != after[layer])), layer
    assert any(len(d.cells["5g"]) for d in deltas)


def test_a_drag_of_500_steps_reuses_the_disc_slots():
    s = _start(random.Random(1))
    engine = CoverageEngine(s, YEAR)
    stack = CommandStack(s)
    sid = sorted(s.sites)[0]
    slots = engine._store.n
    for _ in range(500):
        stack.push(cmd.move_feature(s, "sites", sid, 0.00001, 0.0))
    assert engine._store.n == slots and len(stack.done) == 1  # one undo step, no new slots
    _assert_equals_fresh(engine, s)


def test_a_zone_rename_recomputes_no_grid_and_an_f5g_edit_only_what_it_reaches(monkeypatch):
    s = _start(random.Random(2))
    far = Zone("zone-000090", "远处重点区", "priority", box(121.30, 29.70, 121.33, 29.72))
    s.zones[far.id] = far
    engine = CoverageEngine(s, YEAR)
    stack = CommandStack(s)
    grids = []
    real = CoverageEngine._zone_grid
    monkeypatch.setattr(
        CoverageEngine,
        "_zone_grid",
        lambda self, frame, reuse=None: grids.append(frame.zone.id) or real(self, frame, reuse),
    )
    refreshed = []
    real_f5g = CoverageEngine._refresh_zone_f5g
    monkeypatch.setattr(
        CoverageEngine, "_refresh_zone_f5g", lambda self, zg: refreshed.append(zg.zone.id) or real_f5g(self, zg)
    )
    stack.push(cmd.set_attributes(s, "zones", "zone-000001", name="新名字"))
    assert grids == [] and engine.figures().zones["zone-000001"].name == "新名字"
    stack.push(cmd.move_feature(s, "zones", "zone-000002", 0.003, 0.0))  # the F5G zone over zone-000001
    assert grids == [] and refreshed == ["zone-000001"]  # the far zone is not touched
    stack.push(cmd.move_feature(s, "zones", "zone-000001", 0.002, 0.0))
    assert grids == ["zone-000001"]
    _assert_equals_fresh(engine, s)


def test_an_update_that_fails_half_way_leaves_the_engine_equal_to_a_fresh_one(monkeypatch, caplog):
    s = _start(random.Random(3))
    engine = CoverageEngine(s, YEAR)
    stack = CommandStack(s)
    ids = sorted(s.sites)[:2]
    real = CoverageEngine._add_disc
    calls = []

    def fail_second(self, site):
        calls.append(site.id)
        if len(calls) == 2:
            raise MemoryError("simulated")
        return real(self, site)

    monkeypatch.setattr(CoverageEngine, "_add_disc", fail_second)
    deltas = []
    engine.subscribe(deltas.append)
    stack.push(cmd.macro("两站", [cmd.move_feature(s, "sites", i, 0.002, 0.0) for i in ids]))
    monkeypatch.setattr(CoverageEngine, "_add_disc", real)
    assert deltas[-1].everything and "rebuilding from the scenario" in caplog.text
    _assert_equals_fresh(engine, s)


@pytest.mark.parametrize("seed", range(4))
def test_stepping_the_year_back_and_forth_equals_a_fresh_engine_each_year(seed):
    rng = random.Random(200 + seed)
    s = _start(rng)
    stack = CommandStack(s)
    for _ in range(25):  # features opening in several years
        try:
            stack.push(_random_command(s, rng))
        except ValueError:
            continue
    engine = CoverageEngine(s, YEAR)
    steps = []
    real = engine._step_year
    engine._step_year = lambda *a: steps.append(a[1]) or real(*a)  # the incremental path, not a rebuild
    for year in (YEAR - 1, YEAR + 1, YEAR, 2019, YEAR + 1, YEAR - 1, YEAR):
        engine.set_year(year)
        assert engine.year == year
        _assert_equals_fresh(engine, s)
    assert len(steps) >= 4 and {1, -1} <= set(steps)
    engine.close()


def test_a_year_step_then_edits_stay_equal_to_a_fresh_engine():
    rng = random.Random(300)
    s = _start(rng)
    engine = CoverageEngine(s, YEAR)
    stack = CommandStack(s)
    engine.set_year(YEAR + 1)
    for _ in range(30):
        try:
            stack.push(_random_command(s, rng))
        except ValueError:
            continue
    _assert_equals_fresh(engine, s)
    engine.set_year(YEAR)
    while stack.undo():
        pass
    _assert_equals_fresh(engine, s)


def test_a_dragged_zone_keeps_its_counts_and_equals_a_fresh_engine_at_every_step(monkeypatch):
    """A zone drag recounts only the strips it uncovers (no whole count of the grid), the undo counts nothing,
    and every step — with site edits in between, and a removal undone after a site moved inside the zone —
    equals a fresh engine."""
    from planner.geo import grid

    s = _start(random.Random(5))
    engine = CoverageEngine(s, YEAR)
    stack = CommandStack(s)
    whole = []
    real = grid.count_discs
    monkeypatch.setattr(
        "planner.analysis.coverage.count_discs", lambda spec, *a, **k: whole.append(spec.size) or real(spec, *a, **k)
    )
    for step in range(6):
        stack.push(cmd.move_feature(s, "zones", "zone-000001", 0.0007, -0.0004))
        assert whole == []  # the strips are counted by recount_discs, never the whole grid again
        _assert_equals_fresh(engine, s)
        whole.clear()  # (the fresh engine counted its grids)
        if step == 2:
            site = sorted(s.sites)[0]
            stack.push(cmd.move_feature(s, "sites", site, 0.001, 0.0))
            _assert_equals_fresh(engine, s)
            whole.clear()
    for _ in range(8):
        stack.undo()
        assert whole == []
        _assert_equals_fresh(engine, s)
        whole.clear()
    stack.push(cmd.remove_features(s, "zones", ["zone-000001"]))
    inside = cmd.add_features(s, [make_site(0, 121.58, 29.87, id=s.new_id("sites"), kind="5g_a", band_mhz=4900)])
    stack.push(inside)
    stack.undo()  # the site again out, then the zone back: its spare grid still counts as before the site
    stack.undo()
    _assert_equals_fresh(engine, s)
    stack.push(cmd.remove_features(s, "zones", ["zone-000001"]))
    stack.push(inside)
    _assert_equals_fresh(engine, s)
    stack.undo()
    stack.redo()  # the zone is still removed; its spare grid predates the site and must not come back
    stack.undo()
    stack.undo()
    _assert_equals_fresh(engine, s)


def test_an_undo_after_an_f5g_edit_does_not_bring_back_stale_f5g_cells():
    s = _start(random.Random(6))
    engine = CoverageEngine(s, YEAR)
    stack = CommandStack(s)
    stack.push(cmd.move_feature(s, "zones", "zone-000001", 0.001, 0.0))
    stack.push(cmd.move_feature(s, "zones", "zone-000002", -0.01, 0.0))  # the F5G zone over zone-000001
    _assert_equals_fresh(engine, s)
    stack.undo()
    stack.undo()
    _assert_equals_fresh(engine, s)
    stack.redo()
    stack.redo()
    _assert_equals_fresh(engine, s)
