"""Benchmark of the map canvas on the bundled 42,000-site baseline, offscreen at 1600×1000.

Usage::

    python tests/bench_canvas.py            # a readable report
    python tests/bench_canvas.py --json     # one JSON line

Figures (milliseconds):

* ``frame_ms_median`` / ``frame_ms_p95`` — a full synchronous repaint of the map (districts with labels, the
  42,000 sites, zones, parks and the 5G coverage layer) at the whole-city view, over 40 frames, as after an edit:
  the sites and zones come from the pixmaps their items keep for the current zoom;
* ``frame_ms_median_no_coverage`` — the same without the coverage layer (the figure the issue started from);
* ``zoom_frame_ms_median`` / ``zoom_frame_ms_p95`` — a full repaint after a zoom step (±1 %), when every cached
  layer (the sites, the zones) is drawn again from the data: the cost of a frame while zooming;
* ``drag_frame_ms_median`` / ``drag_frame_ms_p95`` — one step of dragging a site with the Move tool, as the app
  runs it: the mouse event, the move command, the engine's update, the coverage layer's changed cells, the sites
  layer, then the event loop (the repaint, and the figures dock's refresh whenever it is due — at most every
  0.2 s during a drag), over 60 steps at 60 moves a second;
* ``start_ms_median`` — ``python main.py`` until the first painted window (a fresh process each time, median of
  5), measured by the app's own ``PLANNER_EXIT_AFTER_FIRST_PAINT`` hook (it prints the time and quits).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _stats(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return round(statistics.median(times), 2), round(times[int(0.95 * (len(times) - 1))], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--no-start", action="store_true", help="skip the start-up measurement")
    args = parser.parse_args()

    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    from planner.paths import BASELINE
    from planner.session import Session
    from planner.storage.fileformat import load
    from planner.ui.app import create_app
    from planner.ui.figures_dock import FiguresPanel
    from planner.ui.map_canvas import MapCanvas
    from planner.ui.tools import MoveTool

    app = create_app(["bench"])
    session = Session(load(BASELINE), BASELINE)
    canvas = MapCanvas(session=session)  # the map alone, at exactly 1600×1000
    canvas.resize(1600, 1000)
    canvas.show()
    figures = FiguresPanel(session)  # the live figures, refreshed as in the app
    figures.show()
    app.processEvents()
    canvas.fit_all()
    session.build_engine()
    figures.refresh()
    app.processEvents()
    assert canvas.viewport().width() == 1600 and canvas.viewport().height() == 1000

    def frames(n: int) -> list[float]:
        out = []
        for _ in range(n):
            t = time.perf_counter()
            canvas.viewport().repaint()
            out.append((time.perf_counter() - t) * 1000)
        return out

    frames(5)  # warm caches
    no_cov = _stats(frames(40))
    session.set_layer_visible("coverage", True)
    app.processEvents()
    frames(5)
    full = _stats(frames(40))

    def zoom_frames(n: int) -> list[float]:
        # Each frame at another zoom (±1 %), so every cached layer is drawn again from the data.
        out = []
        for i in range(n):
            f = 1.01 if i % 2 else 1 / 1.01
            canvas.scale(f, f)
            t = time.perf_counter()
            canvas.viewport().repaint()
            out.append((time.perf_counter() - t) * 1000)
        return out

    zoom = _stats(zoom_frames(40))

    # Dragging a site with the Move tool, as a planner does: press on it, then mouse moves; after each move the
    # event loop runs as in the app (the figures when their refresh is due) and the frame is drawn.
    tool = MoveTool(canvas)
    canvas.set_tool(tool)
    scenario = session.scenario
    site = scenario.sites[sorted(scenario.sites)[len(scenario.sites) // 2]]
    start = canvas.view_point(site.lon, site.lat)

    def mouse(kind, pos: QPointF, buttons) -> QMouseEvent:
        return QMouseEvent(kind, pos, canvas.viewport().mapToGlobal(pos), Qt.MouseButton.LeftButton, buttons,
                           Qt.KeyboardModifier.NoModifier)  # fmt: skip

    canvas.mousePressEvent(mouse(QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton))
    app.processEvents()
    drag = []
    for i in range(1, 61):
        pos = start + QPointF(1.5 * i, 0.7 * i)
        t = time.perf_counter()
        canvas.mouseMoveEvent(mouse(QEvent.Type.MouseMove, pos, Qt.MouseButton.LeftButton))
        app.processEvents()  # what is due: the figures' refresh (Qt defers the repaint to a timer of its own) …
        canvas.viewport().repaint()  # … and the frame itself, drawn now so that it is counted in this step
        drag.append((time.perf_counter() - t) * 1000)
        time.sleep(0.016)  # a mouse reports ~60 moves a second
    canvas.mouseReleaseEvent(mouse(QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.NoButton))
    assert tool.steps > 50, "the drag did not move the site"
    drag_stats = _stats(drag)

    out = {
        "sites": len(scenario.sites),
        "size": "1600x1000",
        "frame_ms_median": full[0],
        "frame_ms_p95": full[1],
        "frame_ms_median_no_coverage": no_cov[0],
        "zoom_frame_ms_median": zoom[0],
        "zoom_frame_ms_p95": zoom[1],
        "drag_frame_ms_median": drag_stats[0],
        "drag_frame_ms_p95": drag_stats[1],
    }
    canvas.close()
    figures.close()
    if not args.no_start:
        out["start_ms_median"] = _start_ms()
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>28}: {v}")


def _start_ms(runs: int = 5) -> float:
    """``python main.py`` (the baseline) until its window is first painted, in a fresh process each run: the time
    from launching the process to the line it prints right after its first paint."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PLANNER_EXIT_AFTER_FIRST_PAINT": "1"}
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(root / "main.py")], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        line = proc.stdout.readline()
        elapsed = (time.perf_counter() - t) * 1000
        proc.wait(60)
        if not line.startswith("first paint"):
            raise SystemExit(f"start-up run failed (exit code {proc.returncode})")
        times.append(elapsed)
    return round(statistics.median(times), 1)


if __name__ == "__main__":
    main()
