"""Shared fixtures: small scenarios built in code, and the bundled files loaded once per session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
# The app's settings (recent files, window layout) and its data folder (recovery of unsaved new scenarios) go to a
# folder of this test run, never to the user's own.
os.environ["PLANNER_TEST_HOME"] = tempfile.mkdtemp(prefix="planner-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(os.environ["PLANNER_TEST_HOME"], "config")
os.environ["PLANNER_DATA_DIR"] = os.path.join(os.environ["PLANNER_TEST_HOME"], "data")

import pytest
from shapely.geometry import Point, box

from planner.domain.features import InvestmentItem, Park, Site, Zone
from planner.domain.scenario import Scenario, Target, UnitCost
from planner.paths import BASELINE, PLAN_2027, ROOT

#: The environment the command-line tests run ``main.py`` in.
CLI_ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONIOENCODING": "utf-8"}


def run_cli(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python main.py ARGS`` as a user would, in a fresh process; output decoded as UTF-8."""
    options = dict(capture_output=True, text=True, encoding="utf-8", env=CLI_ENV, cwd=ROOT, timeout=timeout)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], check=False, **(options | kwargs))


def make_site(i: int, lon: float = 121.55, lat: float = 29.87, **kw) -> Site:
    """A valid 3.5 GHz urban macro site; keyword arguments override fields."""
    values = dict(
        id=f"site-{i:06d}",
        kind="5g_macro",
        operator="ctcc",
        band_mhz=3500,
        height_m=30.0,
        environment="urban",
        lon=lon,
        lat=lat,
        open_year=2024,
    )
    values.update(kw)
    return Site(**values)


def make_small_scenario() -> Scenario:
    """A hand-made scenario with one of everything, valid."""
    return Scenario(
        id="test",
        name="测试情景",
        description="小型测试情景",
        base_year=2025,
        horizon_year=2027,
        author="tests",
        modified="2026-01-01T00:00:00+08:00",
        products={"330206": "港航数据 + 交通治理"},
        parks={
            "park-000001": Park(
                "park-000001",
                "数创港核心园",
                "sck_core",
                Point(121.625, 29.88),
                "330212",
                "operating",
                2025,
                50.0,
                250000.0,
                120,
                None,
                "数据要素",
                True,
                "示意",
            ),
            "park-000002": Park(
                "park-000002",
                "多边形园区",
                "digital_park",
                box(121.80, 29.89, 121.82, 29.90),
                "330206",
                "planned",
                2027,
            ),
        },
        sites={
            s.id: s
            for s in [
                make_site(1),
                make_site(2, 121.56, 29.88, kind="5g_a", band_mhz=4900),
                make_site(3, 121.30, 29.60, environment="rural", band_mhz=700, operator="cbn", open_year=2026),
            ]
        },
        zones={
            "zone-000001": Zone(
                "zone-000001", "北仑临港产业带", "priority", box(121.80, 29.88, 121.90, 29.93), 2025, None, True, "示意"
            )
        },
        investments={
            "inv-000001": InvestmentItem("inv-000001", "5G-A 覆盖", "330206", "5g_a", 2026, 3500.0, "private")
        },
        catalogue={"5g_macro_site": UnitCost("5g_macro_site", "5G宏站", "5G macro site", "站", 25.0, "domain.md")},
        targets={
            "sck_parks@2027": Target(
                "sck_parks", "数创港特色创新园", "Data Innovation Port parks", 2027, 10, "个", "seed 001"
            )
        },
    )


@pytest.fixture
def small_scenario() -> Scenario:
    return make_small_scenario()


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    from planner.storage.fileformat import load

    return load(BASELINE)


@pytest.fixture(scope="session")
def plan() -> Scenario:
    from planner.storage.fileformat import load

    return load(PLAN_2027)


def shown_window(qtbot, scenario: Scenario, width: int = 1400, height: int = 900):
    """A main window on ``scenario``, shown offscreen at ``width`` × ``height`` and exposed (Qt tests)."""
    from planner.ui.app import create_app
    from planner.ui.main_window import MainWindow

    create_app([])
    w = MainWindow(scenario)
    qtbot.addWidget(w)
    w.resize(width, height)
    w.show()
    qtbot.waitExposed(w)
    return w


class Answers:
    """The answers the app's yes/no questions get in a test (a real dialog would block an offscreen run)."""

    def __init__(self) -> None:
        self.asked: list[str] = []  # the titles of the questions asked
        self.answer: str = "Discard"  # the name of the QMessageBox.StandardButton to give

    def __call__(self, parent, title, text, buttons=None, default=None):
        from PySide6.QtWidgets import QMessageBox

        self.asked.append(title)
        return getattr(QMessageBox.StandardButton, self.answer)


@pytest.fixture(autouse=True)
def questions(monkeypatch) -> Answers:
    """Every ``QMessageBox.question`` is answered (default: Discard) and recorded, in every test using Qt."""
    answers = Answers()
    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QMessageBox

        monkeypatch.setattr(QMessageBox, "question", answers)
    return answers
