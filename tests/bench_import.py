"""Benchmark of the import check: 100,000 site rows with 1 % bad, read, mapped, converted and checked.

Usage::

    python tests/bench_import.py            # a readable report
    python tests/bench_import.py --json     # one JSON line

The rows are the bundled baseline's sites, repeated and moved by up to ~20 m, with one row in a hundred spoiled
(an empty or unreadable coordinate, an unknown kind, a negative cost, a year out of range). Figures: ``csv_s`` —
read + check of the UTF-8 CSV; ``csv_gcj02_s`` the same points written in GCJ-02 and read as such; ``gbk_s`` the same file in GBK;
``xlsx_s`` the same rows in an XLSX (read with python-calamine); ``command_s`` building the one undo command of
the valid rows; ``valid`` and ``rejected`` counts. The issue's target is ≤ 5 s for the check.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROWS = 100_000
HEAD = ["id", "lon", "lat", "operator", "band_mhz", "height_m", "kind", "environment", "open_year", "capex_wan"]


def rows(n: int = ROWS) -> list[list[object]]:
    """``n`` site rows from the baseline, 1 % spoiled."""
    from planner.paths import BASELINE
    from planner.storage.fileformat import load

    sites = list(load(BASELINE).sites.values())
    rng = random.Random(3)
    out = []
    for i in range(n):
        s = sites[i % len(sites)]
        lon, lat = s.lon + rng.uniform(-2e-4, 2e-4), s.lat + rng.uniform(-2e-4, 2e-4)
        row = [f"IMP{i:06d}", f"{lon:.7f}", f"{lat:.7f}", s.operator, s.band_mhz, s.height_m, s.kind, s.environment,
               2026, 30]  # fmt: skip
        if i % 100 == 7:
            row[rng.choice([1, 2, 6, 9, 8])] = rng.choice(["", "x", "-5", "1800", "卫星站"])
        out.append(row)
    return out


def _in_gcj02(data):
    """The rows with their readable coordinates moved to GCJ-02, as an AMap export would have them."""
    from planner.geo.chinacrs import wgs84_to_gcj02

    out = []
    for row in data:
        try:
            lon, lat = wgs84_to_gcj02(float(row[1]), float(row[2]))
            row = [row[0], f"{lon:.7f}", f"{lat:.7f}", *row[3:]]
        except ValueError:
            pass
        out.append(row)
    return out


def _write_csv(path: Path, data, encoding: str) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEAD)
        w.writerows(data)
    return path


def _timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    import openpyxl

    from planner.paths import BASELINE
    from planner.storage.fileformat import load
    from planner.storage.importer import apply_import, read_import

    scenario = load(BASELINE)
    scenario.sites.clear()
    data = rows(args.rows)
    out: dict[str, object] = {"rows": args.rows}
    with tempfile.TemporaryDirectory() as tmp:
        utf8 = _write_csv(Path(tmp) / "sites.csv", data, "utf-8-sig")
        gbk = _write_csv(Path(tmp) / "sites_gbk.csv", data, "gbk")
        gcj = _write_csv(Path(tmp) / "sites_gcj02.csv", _in_gcj02(data), "utf-8")
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("sites")
        ws.append(HEAD)
        for r in data:
            ws.append(r)
        wb.save(Path(tmp) / "sites.xlsx")
        out["csv_s"], report = _timed(lambda: read_import(utf8, "sites", scenario))
        out["csv_gcj02_s"], _ = _timed(lambda: read_import(gcj, "sites", scenario, crs="gcj02"))
        out["gbk_s"], _ = _timed(lambda: read_import(gbk, "sites", scenario))
        out["xlsx_s"], _ = _timed(lambda: read_import(Path(tmp) / "sites.xlsx", "sites", scenario))
        out["command_s"], _ = _timed(lambda: apply_import(scenario, report))
        out["valid"], out["rejected"] = len(report.features), len(report.rejected)
    out = {k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>12}: {v}")


if __name__ == "__main__":
    main()
