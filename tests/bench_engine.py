"""Benchmark of the coverage and investment engine on the bundled 42,000-site baseline.

Usage::

    python tests/bench_engine.py            # a readable report
    python tests/bench_engine.py --json     # one JSON line
    python tests/bench_engine.py --no-baseline   # skip the exact-vector baselines (faster)

Figures (seconds unless the name says otherwise):

* ``load_s`` — reading and validating the scenario file;
* ``init_s`` — once per process: reading the district boundaries, setting up the UTM projection and rasterising
  the districts on the 50 m city grid (the app does this at start-up, before any scenario);
* ``coverage_first_s`` — the first CoverageEngine for the loaded scenario (full coverage, first time);
* ``coverage_s`` — full coverage of all districts, the city and all zones (median of 7 rebuilds; min and max
  beside it, because this virtual machine's timings vary by ±50 % from run to run);
* ``edit_ms_median`` / ``edit_ms_p95`` — one edit (a third each of add, move, remove a site) pushed through the
  command stack until every figure is up to date, over 300 edits;
* ``edit_ms_by_kind`` — per kind of edit (sites, parks, zones, investments, products), the median of ~40 edits,
  each pushed and undone with the engine following the scenario and its figures read after both, in ms;
* ``year_step_ms`` — one step of the year slider on the 2027 plan (2027 ↔ 2026), median of 10 steps back and
  forth, the figures read after each; ``year_step_ms_baseline_2024`` the same for the baseline's heavier
  2025 ↔ 2024 (~7,500 sites, 18 % of all, open in 2025); compare with ``coverage_s`` (a rebuild);
* ``rss_growth_mb_20k_edits`` — growth of the process's resident memory over 20,000 random edits and their undos
  (after 2,000 to warm up): it stays flat when the engine reuses what an edit frees;
* ``summary_s`` — the whole ``summary --json`` data (coverage, investment, targets) with a live engine;
* ``coverage_mem_mb`` — memory held by the engine's structures (tracemalloc); ``peak_rss_mb_engine`` — process
  peak before the baselines run; ``peak_rss_mb`` — process peak at the end;
* ``province_summary_s`` / ``province_peak_rss_mb`` — the whole ``python main.py summary FILE --json`` command
  (start-up, load, coverage, investment, targets, output) in a fresh process, on a province-sized scenario of
  220,000 sites (Zhejiang had about 220,000 5G sites at the end of 2023) that the benchmark generates from the
  baseline with a fixed seed: each extra site is a copy of a baseline site moved by a few hundred metres, kept
  only where it is still on Ningbo's land. ``province_load_s`` is the load alone, in this process.

Baselines measured in the same run, for ratios: ``vector_full_s`` — exact vector coverage of the ten districts
(buffer every site as a 64-segment-per-quarter disc, union, intersect each district: the "straightforward
geopandas" method done with shapely 2 directly); ``vector_edit_ms`` — one move handled by re-unioning the discs of
the affected district and re-intersecting (median of 20).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _median_time(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--no-baseline", action="store_true", help="skip the exact-vector baselines")
    parser.add_argument("--no-province", action="store_true", help="skip the 220,000-site province scenario")
    args = parser.parse_args()

    from planner.paths import BASELINE
    from planner.storage.fileformat import load

    t = time.perf_counter()
    scenario = load(BASELINE)
    load_s = time.perf_counter() - t

    from planner.analysis.coverage import CoverageEngine, _city_grid
    from planner.analysis.summary import summary
    from planner.domain import commands as cmd
    from planner.domain.commands import CommandStack
    from planner.domain.features import Site
    from planner.geo.basemap import districts
    from planner.geo.crs import to_metric

    t = time.perf_counter()
    districts()
    to_metric(121.5, 29.9)
    _city_grid()
    init_s = time.perf_counter() - t

    gc.collect()
    t = time.perf_counter()
    engine = CoverageEngine(scenario)
    coverage_first_s = time.perf_counter() - t
    rebuilds = sorted(_median_time(engine.rebuild, 1) for _ in range(7))
    coverage_s = statistics.median(rebuilds)
    # Memory of the engine's structures: a second engine built under tracemalloc (which slows it, hence apart).
    gc.collect()
    tracemalloc.start()
    probe = CoverageEngine(scenario, subscribe=False)
    coverage_mem_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    del probe

    stack = CommandStack(scenario)
    rng = random.Random(2025)
    ids = sorted(scenario.sites)
    edit_times = []

    def random_edit(kind: int):
        """A move, a removal or an addition of a site; positions stay on Ningbo's land, as validation requires
        (an edit the validation refuses — a site near the border moved across it — is drawn again)."""
        while True:
            try:
                if kind == 0:
                    dx, dy = rng.uniform(-0.001, 0.001), rng.uniform(-0.001, 0.001)
                    return cmd.move_feature(scenario, "sites", rng.choice(ids), dx, dy)
                if kind == 1:
                    sid = rng.choice(ids)
                    ids.remove(sid)
                    return cmd.remove_features(scenario, "sites", [sid])
                near = scenario.sites[rng.choice(ids)]  # a new site near an existing one
                site = Site(scenario.new_id("sites"), rng.choice(["5g_macro", "5g_a"]), "cmcc", 3500, 30.0, "urban",
                            near.lon + rng.uniform(-0.001, 0.001), near.lat + rng.uniform(-0.001, 0.001), 2025)  # fmt: skip
                c = cmd.add_features(scenario, [site])
                ids.append(site.id)
                return c
            except ValueError:
                continue

    for i in range(300):
        c = random_edit(i % 3)
        t = time.perf_counter()
        stack.push(c)
        engine.figures()
        edit_times.append((time.perf_counter() - t) * 1000)
    while stack.undo():
        pass
    edit_times.sort()

    summary_s = _median_time(lambda: summary(scenario, engine=engine), 3)
    year_step = _year_step_ms(engine)
    from planner.paths import PLAN_2027

    plan_engine = CoverageEngine(load(PLAN_2027), subscribe=False)
    year_step_plan = _year_step_ms(plan_engine)
    del plan_engine
    by_kind = _edits_by_kind(scenario, engine, stack)
    rss_growth = _rss_growth(scenario, engine, stack)

    out = {
        "sites": len(scenario.sites),
        "load_s": round(load_s, 3),
        "init_s": round(init_s, 3),
        "coverage_first_s": round(coverage_first_s, 3),
        "coverage_s": round(coverage_s, 3),
        "coverage_min_s": round(rebuilds[0], 3),
        "coverage_max_s": round(rebuilds[-1], 3),
        "edit_ms_median": round(statistics.median(edit_times), 3),
        "edit_ms_p95": round(edit_times[int(0.95 * len(edit_times))], 3),
        "year_step_ms": year_step_plan,
        "year_step_ms_baseline_2024": year_step,
        "edit_ms_by_kind": by_kind,
        "rss_growth_mb_20k_edits": rss_growth,
        "summary_s": round(summary_s, 3),
        "coverage_mem_mb": round(coverage_mem_mb, 1),
    }
    out["peak_rss_mb_engine"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if not args.no_baseline:
        out.update(_vector_baselines(scenario))
        out["full_speedup_vs_vector"] = round(out["vector_full_s"] / out["coverage_s"], 1)
        out["edit_speedup_vs_vector"] = round(out["vector_edit_ms"] / out["edit_ms_median"], 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # with the baselines
    if not args.no_province:
        out.update(_province(scenario))
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>24}: {v}")


#: Size and seed of the generated province-sized scenario.
PROVINCE_SITES = 220_000
PROVINCE_SEED = 20231231


def province_scenario(base, n: int = PROVINCE_SITES, seed: int = PROVINCE_SEED):
    """A copy of ``base`` with ``n`` sites: its own plus copies of them moved by a few hundred metres (normal,
    σ ≈ 400 m), kept only where they are still on Ningbo's land. Deterministic for a given seed."""
    import dataclasses

    import numpy as np

    from planner.geo.land import ON_LAND, place_points

    rng = np.random.default_rng(seed)
    originals = [base.sites[k] for k in sorted(base.sites)]
    extra = n - len(originals)
    pick = rng.integers(0, len(originals), extra * 2)
    lon = np.array([originals[i].lon for i in pick]) + rng.normal(0, 0.004, len(pick))
    lat = np.array([originals[i].lat for i in pick]) + rng.normal(0, 0.004, len(pick))
    keep = np.flatnonzero(place_points(lon, lat).code == ON_LAND)[:extra]
    province = base.copy()
    province.name = "浙江省规模测试 / province-sized test"
    for j, k in enumerate(keep):
        sid = f"site-p{j:06d}"
        x, y = round(float(lon[k]), 6), round(float(lat[k]), 6)
        province.sites[sid] = dataclasses.replace(originals[pick[k]], id=sid, lon=x, lat=y)
    return province


def _province(base) -> dict[str, float]:
    """``summary --json`` of the province-sized scenario, as a user runs it: a fresh process, its wall time (median
    of 3) and its peak resident memory (the highest of the 3; Linux's VmHWM)."""
    import subprocess
    import tempfile

    from planner.paths import ROOT
    from planner.storage.atomic import save
    from planner.storage.fileformat import load

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "province.json"
        save(province_scenario(base), path, keep_backup=False)
        t = time.perf_counter()
        load(path)
        load_s = time.perf_counter() - t
        # The child reports its own peak (VmHWM, which the kernel resets at exec): getrusage's ru_maxrss of a
        # child would include the pages it shared with this (large) process between fork and exec.
        report = (
            "import atexit, runpy, sys\n"
            "def peak():\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM:'): sys.stderr.write('PEAK_KB ' + line.split()[1] + '\\n')\n"
            "atexit.register(peak)\n"
            f"sys.argv = ['main.py', 'summary', {str(path)!r}, '--json']\n"
            "runpy.run_path('main.py', run_name='__main__')\n"
        )
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            child = subprocess.run(
                [sys.executable, "-c", report], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
            elapsed = time.perf_counter() - t
            if child.returncode:
                raise SystemExit(f"summary of the province scenario failed with exit code {child.returncode}")
            peak_kb = [int(line.split()[1]) for line in child.stderr.splitlines() if line.startswith("PEAK_KB ")]
            runs.append((elapsed, peak_kb[-1] / 1024 if peak_kb else float("nan")))
        size_mb = path.stat().st_size / 2**20
    runs.sort()
    return {
        "province_sites": PROVINCE_SITES,
        "province_file_mb": round(size_mb, 1),
        "province_load_s": round(load_s, 3),
        "province_summary_s": round(runs[1][0], 3),
        "province_peak_rss_mb": round(max(r for _, r in runs), 1),
    }


def _year_step_ms(engine, n: int = 10) -> float:
    """Median ms of one year step and back (each counted as one step), figures read after each."""
    year = engine.year
    times = []
    for i in range(n):
        t = time.perf_counter()
        engine.set_year(year - 1 if i % 2 == 0 else year)
        engine.figures()
        times.append((time.perf_counter() - t) * 1000)
    engine.set_year(year)
    return round(statistics.median(times), 1)


def _edit_makers(scenario):
    """Functions making one random edit of each kind on ``scenario`` (a kind's function may raise ValueError when
    the random value is refused, e.g. moved off the land; the caller draws again)."""
    from shapely import affinity
    from shapely.geometry import Point, box

    from planner.domain import commands as cmd
    from planner.domain.features import InvestmentItem, Park, Site, Zone

    rng = random.Random(7)
    site_ids = sorted(scenario.sites)
    jitter = lambda d: rng.uniform(-d, d)  # noqa: E731

    def near_site():
        s = scenario.sites[rng.choice(site_ids)]
        return s.lon + jitter(0.002), s.lat + jitter(0.002)

    def zone_of(kind):
        ids = sorted(z for z, v in scenario.zones.items() if v.kind == kind)
        return rng.choice(ids)

    def new_site():
        lon, lat = near_site()
        return Site(
            scenario.new_id("sites"), rng.choice(["5g_macro", "5g_a"]), "cmcc", 3500, 30.0, "urban", lon, lat, 2025
        )

    def new_park():
        lon, lat = near_site()
        from planner.geo.basemap import district_at

        return Park(scenario.new_id("parks"), "测试园区", "digital_park", Point(lon, lat), district_at(lon, lat) or "330212",
                    "operating", 2025)  # fmt: skip

    def new_zone():
        lon, lat = near_site()
        return Zone(
            scenario.new_id("zones"),
            "测试重点区",
            "priority",
            box(lon - 0.01, lat - 0.008, lon + 0.01, lat + 0.008),
            2025,
        )

    def reshape_zone():
        z = zone_of("priority")
        geom = affinity.scale(scenario.zones[z].geometry, 1 + jitter(0.02), 1 + jitter(0.02))
        return cmd.set_attributes(scenario, "zones", z, geometry=geom)

    def inv_item():
        return InvestmentItem(scenario.new_id("investments"), "5G-A 补盲", "330212", "5g_a", 2026, 1200.0, "private")

    return {
        "site_add": lambda: cmd.add_features(scenario, [new_site()]),
        "site_move": lambda: cmd.move_feature(scenario, "sites", rng.choice(site_ids), jitter(0.002), jitter(0.002)),
        "site_remove": lambda: cmd.remove_features(scenario, "sites", [rng.choice(site_ids)]),
        "site_set": lambda: cmd.set_attributes(
            scenario, "sites", rng.choice(site_ids), height_m=rng.choice([25.0, 35.0])
        ),
        "park_add": lambda: cmd.add_features(scenario, [new_park()]),
        "park_move": lambda: cmd.move_feature(
            scenario, "parks", rng.choice(sorted(scenario.parks)), jitter(0.002), jitter(0.002)
        ),
        "park_remove": lambda: cmd.remove_features(scenario, "parks", [rng.choice(sorted(scenario.parks))]),
        "zone_add": lambda: cmd.add_features(scenario, [new_zone()]),
        "zone_rename": lambda: cmd.set_attributes(
            scenario, "zones", zone_of("priority"), name=f"重点区{rng.randint(0, 999)}"
        ),
        "zone_move": lambda: cmd.move_feature(scenario, "zones", zone_of("priority"), jitter(0.002), jitter(0.002)),
        "zone_reshape": reshape_zone,
        "zone_remove": lambda: cmd.remove_features(scenario, "zones", [zone_of("priority")]),
        "f5g_zone_move": lambda: cmd.move_feature(scenario, "zones", zone_of("f5g"), jitter(0.002), jitter(0.002)),
        "investment_add": lambda: cmd.add_features(scenario, [inv_item()]),
        "product_assign": lambda: cmd.assign_product(scenario, "330212", f"数据要素 {rng.randint(0, 999)}"),
    }


def _one(make):
    """A command from ``make``, drawn again while the model refuses the random value."""
    for _ in range(100):
        try:
            return make()
        except ValueError:
            continue
    raise RuntimeError("no valid random edit in 100 draws")


def _edits_by_kind(scenario, engine, stack, n: int = 40) -> dict[str, float]:
    """Median ms of an edit and its undo, figures read after each, per kind of edit."""
    out = {}
    for kind, make in _edit_makers(scenario).items():
        times = []
        for _ in range(n):
            c = _one(make)
            t = time.perf_counter()
            stack.push(c)
            engine.figures()
            stack.undo()
            engine.figures()
            times.append((time.perf_counter() - t) * 1000)
        out[kind] = round(statistics.median(times), 3)
    return out


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _rss_growth(scenario, engine, stack, n: int = 20_000, warm: int = 2_000) -> float:
    """Resident-memory growth (MB) over ``n`` random edits with their undos, after ``warm`` of them."""
    makers = _edit_makers(scenario)
    # Mostly sites, as a planner's day is; every kind appears (zone geometry edits cost ~10-30 ms each).
    kinds = list(makers)
    weights = [30 if k.startswith("site") else 1 if k in ("zone_move", "zone_reshape", "f5g_zone_move", "zone_add",
               "zone_remove") else 4 for k in kinds]  # fmt: skip
    rng = random.Random(11)
    start = 0.0
    for i in range(warm + n):
        if i == warm:
            gc.collect()
            start = _rss_mb()
        stack.push(_one(makers[rng.choices(kinds, weights)[0]]))
        engine.figures()
        stack.undo()
    gc.collect()
    return round(_rss_mb() - start, 1)


def _vector_baselines(scenario) -> dict[str, float]:
    """Exact vector coverage with shapely: the full computation and one edit by re-unioning a district."""
    import numpy as np
    import shapely

    from planner.analysis.coverage import EXACT_QUAD_SEGS
    from planner.geo.basemap import districts
    from planner.geo.crs import geometry_to_metric, to_metric
    from planner.geo.site_radius import site_radii_m

    sites = [s for s in scenario.sites.values() if s.open_year <= scenario.horizon_year]
    x, y = to_metric([s.lon for s in sites], [s.lat for s in sites])
    r = site_radii_m(sites)
    metric = [geometry_to_metric(d.geometry) for d in districts()]

    def full():
        discs = shapely.buffer(shapely.points(x, y), r, quad_segs=EXACT_QUAD_SEGS)
        union = shapely.union_all(discs)
        return [shapely.intersection(union, g).area / g.area for g in metric]

    t = time.perf_counter()
    full()
    vector_full_s = time.perf_counter() - t

    # One move: re-union the discs that reach the affected district (江北, the smallest) and re-intersect.
    g = metric[1]
    x0, y0, x1, y1 = g.bounds
    near = np.flatnonzero((x + r >= x0) & (x - r <= x1) & (y + r >= y0) & (y - r <= y1))
    times = []
    for i in range(20):
        xs = x[near].copy()
        xs[i] += 100.0
        t = time.perf_counter()
        union = shapely.union_all(shapely.buffer(shapely.points(xs, y[near]), r[near], quad_segs=EXACT_QUAD_SEGS))
        _ = shapely.intersection(union, g).area
        times.append((time.perf_counter() - t) * 1000)
    return {"vector_full_s": round(vector_full_s, 3), "vector_edit_ms": round(statistics.median(times), 3)}


if __name__ == "__main__":
    main()
