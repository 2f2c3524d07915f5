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
* ``summary_s`` — the whole ``summary --json`` data (coverage, investment, targets) with a live engine;
* ``coverage_mem_mb`` — memory held by the engine's structures (tracemalloc); ``peak_rss_mb_engine`` — process
  peak before the baselines run; ``peak_rss_mb`` — process peak at the end.

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
    for i in range(300):
        kind = i % 3
        if kind == 0:
            c = cmd.move_feature(scenario, "sites", rng.choice(ids), rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01))
        elif kind == 1:
            sid = rng.choice(ids)
            ids.remove(sid)
            c = cmd.remove_features(scenario, "sites", [sid])
        else:
            sid = scenario.new_id("sites")
            ids.append(sid)
            c = cmd.add_features(scenario, [Site(sid, rng.choice(["5g_macro", "5g_a"]), "cmcc", 3500, 30.0, "urban",
                                                 121.3 + rng.random() * 0.6, 29.6 + rng.random() * 0.6, 2025)])  # fmt: skip
        t = time.perf_counter()
        stack.push(c)
        engine.figures()
        edit_times.append((time.perf_counter() - t) * 1000)
    while stack.undo():
        pass
    edit_times.sort()

    summary_s = _median_time(lambda: summary(scenario, engine=engine), 3)

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
        "summary_s": round(summary_s, 3),
        "coverage_mem_mb": round(coverage_mem_mb, 1),
    }
    out["peak_rss_mb_engine"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if not args.no_baseline:
        out.update(_vector_baselines(scenario))
        out["full_speedup_vs_vector"] = round(out["vector_full_s"] / out["coverage_s"], 1)
        out["edit_speedup_vs_vector"] = round(out["vector_edit_ms"] / out["edit_ms_median"], 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # with the baselines
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>24}: {v}")


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
