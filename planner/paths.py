"""Where the planner finds its bundled files (basemap assets, fonts, bundled scenarios)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
BASEMAP = ASSETS / "basemap"
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "ningbo_2025_baseline.json"
PLAN_2027 = SCENARIOS / "ningbo_2027_plan.json"
