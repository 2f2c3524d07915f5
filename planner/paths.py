"""Where the planner finds its bundled files (basemap assets, fonts, bundled scenarios)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
BASEMAP = ASSETS / "basemap"
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "ningbo_2025_baseline.json"
PLAN_2027 = SCENARIOS / "ningbo_2027_plan.json"


def user_data_dir() -> Path:
    """The planner's own folder for the user's data (recovery of unsaved new scenarios, recent files).

    ``PLANNER_DATA_DIR`` overrides it (tests, portable installs); otherwise ``$XDG_DATA_HOME/ningbo-planner`` or
    ``~/.local/share/ningbo-planner`` (on Windows ``%APPDATA%\\ningbo-planner``).
    """
    import os

    override = os.environ.get("PLANNER_DATA_DIR")
    if override:
        return Path(override)
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "ningbo-planner"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ningbo-planner"
