"""``python -m planner.ui [scenario.json]`` starts the desktop planner."""

from __future__ import annotations

import sys

from planner.ui.app import run_app

if __name__ == "__main__":
    raise SystemExit(run_app(sys.argv[1] if len(sys.argv) > 1 else None))
