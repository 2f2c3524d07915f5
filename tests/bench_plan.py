"""Benchmark of the planning assistant: gap-fill siting of the priority zones, and the target gap.

Usage::

    python tests/bench_plan.py            # a readable report
    python tests/bench_plan.py --json     # one JSON line

On the bundled baseline (42,000 sites, end of 2025), with 3.5 GHz 5G-A macro sites (30 m, urban):

* ``engine_s`` — building the coverage engine for 2025 (the app has it already; every other figure reuses it);
* ``qianwan_s`` — 前湾新区 (≈353 km²) from its baseline 5G-A coverage to 100 %, median of ``--repeat`` runs
  (the issue's target: ≤ 3 s), with ``qianwan_sites`` and ``qianwan_hex_sites``, the sites a hexagonal layout at
  r·√3 needs over the same uncovered part (the assistant should need no more);
* ``zones_s`` — each of the four priority zones to 100 %, one after the other (target: ≤ 10 s together), with
  each zone's time and sites;
* ``gap_s`` — the whole target gap for 2027 (``python main.py gap --year 2027``: the four zones' siting plus the
  rest), and its total in 万元.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ZONES = ("北仑临港产业带", "前湾新区", "余姚经济技术开发区", "慈溪高新区")


def _timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--repeat", type=int, default=3, help="runs of 前湾新区 (the median is reported)")
    args = parser.parse_args()

    from planner.analysis.coverage import CoverageEngine
    from planner.analysis.gap import target_gap
    from planner.analysis.siting import parse_profile, plan_sites, region_grid, resolve_region
    from planner.geo.crs import geometry_to_metric
    from planner.geo.grid import count_discs
    from planner.paths import BASELINE
    from planner.storage.fileformat import load
    from tests.hexbound import hex_layout_sites

    scenario = load(BASELINE)
    profile = parse_profile("5g_a:3500")
    out: dict[str, object] = {"sites": len(scenario.sites), "radius_m": round(profile.radius_m(), 1)}
    out["engine_s"], engine = _timed(lambda: CoverageEngine(scenario, 2025, subscribe=False))

    qianwan = resolve_region(scenario, "前湾新区")
    runs = [
        _timed(lambda: plan_sites(scenario, qianwan, profile, year=2025, engine=engine)) for _ in range(args.repeat)
    ]
    proposal = runs[-1][1]
    out["qianwan_s"] = statistics.median(t for t, _p in runs)
    out["qianwan_before_pct"] = round(proposal.coverage_before_pct, 2)
    out["qianwan_after_pct"] = round(proposal.coverage_after_pct, 2)
    out["qianwan_sites"] = len(proposal.sites)
    spec, mask = region_grid(geometry_to_metric(qianwan.geometry))
    x, y, r = engine.discs("5g_a", spec.bounds)
    covered = (count_discs(spec, x, y, r) > 0).ravel() if len(x) else np.zeros(spec.size, bool)
    out["qianwan_hex_sites"] = hex_layout_sites(spec, np.flatnonzero(mask & ~covered), proposal.radius_m)

    zones = {}
    for name in ZONES:
        region = resolve_region(scenario, name)
        t, p = _timed(lambda region=region: plan_sites(scenario, region, profile, year=2025, engine=engine))
        zones[name] = {"s": round(t, 2), "sites": len(p.sites), "after_pct": round(p.coverage_after_pct, 2)}
    out["zones_s"] = sum(z["s"] for z in zones.values())
    out["zones"] = zones

    engine_2027 = CoverageEngine(scenario, 2027, subscribe=False)
    out["gap_s"], report = _timed(lambda: target_gap(scenario, 2027, engine=engine_2027))
    out["gap_total_wan"] = round(report.total_wan, 1)
    out = {k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for k, v in out.items():
            print(f"{k:>20}: {v}")


if __name__ == "__main__":
    main()
