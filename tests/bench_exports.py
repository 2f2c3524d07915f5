"""Benchmark of the exports on the bundled 42,000-site baseline.

Usage::

    python tests/bench_exports.py            # a readable report
    python tests/bench_exports.py --json     # one JSON line

Each export is timed in a fresh process (``python main.py export BASELINE --<kind> OUT``, median of 3 runs), which
is what an official waits for, import and engine build included; ``engine_s`` is the part every export shares
(loading the file and building the coverage engine: ``main.py summary``). Figures: ``<kind>_s`` seconds and
``<kind>_mb`` file size for xlsx (the brief, with its map picture), html (the web map), png and pdf (the 一区一品
map at A4), gpkg; ``html_ready_s`` is the web map's time to interactive in headless Chromium with the network off
(when Chromium is installed), from the page's own timing probe.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ("xlsx", "html", "png", "pdf", "gpkg")


def _run(args: list[str]) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MPLBACKEND": "Agg"}
    t = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "main.py"), *args], check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from planner.paths import BASELINE

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out["engine_s"] = round(
            statistics.median(_run(["summary", str(BASELINE), "--json"]) for _ in range(args.runs)), 2
        )
        for kind in KINDS:
            path = Path(tmp) / f"export.{kind}"
            times = [_run(["export", str(BASELINE), f"--{kind}", str(path)]) for _ in range(args.runs)]
            out[f"{kind}_s"] = round(statistics.median(times), 2)
            out[f"{kind}_mb"] = round(path.stat().st_size / 2**20, 2)
        try:
            from tests.test_webmap import run_page  # the headless Chromium (network off) the tests use

            _dom, attrs = run_page(Path(tmp) / "export.html", Path(tmp))
            out["html_ready_s"] = round(int(attrs["data-webmap-ready"]) / 1000, 2)
        except Exception as exc:  # a benchmark reports what it could not measure
            out["html_ready_error"] = str(exc)[:200]
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>18}: {v}")


if __name__ == "__main__":
    main()
