"""Bookmarks: saved views in the scenario file (strict, round trip, old files unchanged), edits as undoable commands,
and the bookmarks panel."""

from __future__ import annotations

import json

import pytest

from planner.domain.bookmarks import LAYER_STYLES, Bookmark, find_bookmark, make_bookmark
from planner.domain.commands import (
    CommandStack,
    add_bookmark,
    move_bookmark,
    remove_bookmark,
    rename_bookmark,
    update_bookmark,
)
from planner.storage import atomic
from planner.storage.fileformat import dumps, load, loads
from planner.storage.problems import ScenarioFileError
from tests.conftest import make_small_scenario

CITY = (121.0, 28.9, 122.3, 30.4)
SANJIANGKOU = (121.45, 29.8, 121.65, 29.95)


def marks() -> list[Bookmark]:
    return [
        make_bookmark("全市 · 一区一品", 2025, CITY, [("districts", "product"), ("parks", "kind")]),
        make_bookmark("三江口 5G-A", 2026, SANJIANGKOU, [("districts", "product"), ("coverage", "5g_a")]),
        make_bookmark(
            "双万兆 2027", 2027, CITY, [("districts", "coverage_5g"), ("coverage", "dual"), ("zones", "kind")]
        ),
    ]


def with_marks():
    s = make_small_scenario()
    for b in marks():
        add_bookmark(s, b).do(s)
    return s


def titles(s) -> list[str]:
    return [b.title for b in s.bookmarks]


# -- commands ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, label, after",
    [
        (lambda s: add_bookmark(s, make_bookmark("北仑港", 2027, CITY, [])), "添加书签 北仑港",
         ["全市 · 一区一品", "三江口 5G-A", "双万兆 2027", "北仑港"]),
        (lambda s: add_bookmark(s, make_bookmark("开场", 2025, CITY, []), 0), "添加书签 开场",
         ["开场", "全市 · 一区一品", "三江口 5G-A", "双万兆 2027"]),
        (lambda s: rename_bookmark(s, 1, " 三江口核心区 "), "重命名书签 三江口 5G-A → 三江口核心区",
         ["全市 · 一区一品", "三江口核心区", "双万兆 2027"]),
        (lambda s: move_bookmark(s, 2, 0), "移动书签 双万兆 2027（第 3 → 1 个）",
         ["双万兆 2027", "全市 · 一区一品", "三江口 5G-A"]),
        (lambda s: move_bookmark(s, 0, 1), "移动书签 全市 · 一区一品（第 1 → 2 个）",
         ["三江口 5G-A", "全市 · 一区一品", "双万兆 2027"]),
        (lambda s: remove_bookmark(s, 1), "删除书签 三江口 5G-A", ["全市 · 一区一品", "双万兆 2027"]),
        (lambda s: update_bookmark(s, 0, make_bookmark("-", 2027, SANJIANGKOU, [("sites", "kind")])),
         "更新书签 全市 · 一区一品", ["全市 · 一区一品", "三江口 5G-A", "双万兆 2027"]),
    ],
)  # fmt: skip
def test_each_bookmark_edit_is_one_undo_step_with_a_chinese_label(make, label, after):
    s = with_marks()
    before = s.bookmarks
    heard = []
    s.subscribe(heard.append)
    stack = CommandStack(s)
    stack.push(make(s))
    assert stack.undo_label == label
    assert titles(s) == after
    done = s.bookmarks
    assert heard[-1][0].collection == "meta" and heard[-1][0].key == "bookmarks"  # listeners hear what changed
    stack.undo()
    assert s.bookmarks == before and s.bookmarks is before  # exactly as it was: the very same tuple
    stack.redo()
    assert s.bookmarks == done


def test_an_update_records_the_new_view_and_keeps_the_title():
    s = with_marks()
    update_bookmark(s, 0, make_bookmark("ignored", 2027, SANJIANGKOU, [("sites", "kind")])).do(s)
    b = s.bookmarks[0]
    assert (b.title, b.year, b.extent, b.layers) == ("全市 · 一区一品", 2027, SANJIANGKOU, (("sites", "kind"),))


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda s: add_bookmark(s, make_bookmark("三江口 5G-A", 2027, CITY, [])), "title of bookmark 2 already"),
        (lambda s: rename_bookmark(s, 0, "双万兆 2027"), "title of bookmark 3 already"),
        (lambda s: rename_bookmark(s, 0, "   "), "must not be empty"),
        (lambda s: rename_bookmark(s, 7, "x"), "no bookmark 8"),
        (lambda s: move_bookmark(s, 1, 1), "already there"),
        (lambda s: remove_bookmark(s, 3), "no bookmark 4"),
        (lambda s: add_bookmark(s, make_bookmark("远方", 2027, (100.0, 20.0, 101.0, 21.0), [])), "no part of Ningbo"),
        (lambda s: add_bookmark(s, make_bookmark("x", 2200, CITY, [])), "outside 1990–2100"),
        (lambda s: add_bookmark(s, make_bookmark("x", 2027, CITY, [("coverage", "6g")])), "cannot be drawn as '6g'"),
    ],
)
def test_an_edit_the_loader_would_refuse_is_refused_and_changes_nothing(make, words):
    s = with_marks()
    before = s.bookmarks
    with pytest.raises(ValueError, match=words):
        make(s)
    assert s.bookmarks is before


def test_the_bookmark_layer_vocabulary_is_the_sessions():
    from planner.session import LAYER_STYLES as SESSION_STYLES
    from planner.session import MAP_LAYERS

    assert LAYER_STYLES == SESSION_STYLES and tuple(LAYER_STYLES) == MAP_LAYERS


def test_a_bookmark_is_found_by_title_or_number():
    s = with_marks()
    assert find_bookmark(s.bookmarks, "三江口 5G-A") == 1
    assert find_bookmark(s.bookmarks, " 3 ") == 2
    with pytest.raises(KeyError, match=r"no bookmark titled '北仑'.*三江口 5G-A"):
        find_bookmark(s.bookmarks, "北仑")


def test_a_bookmark_edit_leaves_the_coverage_engine_alone():
    from planner.analysis.coverage import CoverageEngine
    from planner.session import Session

    session = Session(with_marks())
    before = session.figures()
    session.push(remove_bookmark(session.scenario, 0))
    assert session.figures() == before == CoverageEngine(session.scenario, session.year, subscribe=False).figures()


# -- the file -----------------------------------------------------------------------------------------------------
def test_bookmarks_round_trip_through_save_and_load_in_order(tmp_path):
    s = with_marks()
    path = tmp_path / "show.json"
    atomic.save(s, path)
    again = load(path)
    assert again == s and again.bookmarks == s.bookmarks and titles(again) == titles(s)
    text = path.read_text(encoding="utf-8")
    assert dumps(again) == text
    lines = [ln for ln in text.splitlines() if '"title": ' in ln and '"extent": ' in ln]
    assert len(lines) == 3 and "三江口 5G-A" in lines[1]  # one line each, in the presenter's order, Chinese as is
    doc = json.loads(text)
    assert doc["bookmarks"][1] == {
        "title": "三江口 5G-A",
        "year": 2026,
        "extent": list(SANJIANGKOU),
        "layers": {"districts": "product", "coverage": "5g_a"},
    }


def test_a_file_without_bookmarks_loads_and_is_written_as_before(small_scenario, tmp_path):
    text = dumps(small_scenario)
    assert "bookmarks" not in text  # a scenario with none writes exactly what a planner before bookmarks wrote
    again = loads(text)
    assert again.bookmarks == () and dumps(again) == text
    # ... and the bookmarks of a scenario that had some can all be deleted, back to that very file
    s = with_marks()
    for _ in range(3):
        remove_bookmark(s, 0).do(s)
    assert dumps(s) == text


SPOILERS = [
    ("year", lambda b: b.update(year=3000), "bookmarks row 2 (三江口 5G-A), field year: 年份超出范围 / year 3000 is outside"),
    ("year text", lambda b: b.update(year="2026"), "bookmarks row 2 (三江口 5G-A), field year: must be a whole year"),
    ("extent short", lambda b: b.update(extent=[121.4, 29.8, 121.6]),
     "bookmarks row 2 (三江口 5G-A), field extent: must be [west, south, east, north]"),
    ("extent text", lambda b: b.update(extent=[121.4, "29.8", 121.6, 29.9]), "field extent: must be [west, south"),
    ("extent swapped", lambda b: b.update(extent=[121.6, 29.8, 121.4, 29.9]), "with west < east"),
    ("extent elsewhere", lambda b: b.update(extent=[116.3, 39.9, 116.5, 40.0]), "shows no part of Ningbo"),
    ("layer", lambda b: b.update(layers={"roads": "kind"}), "field layers: 'roads' is not a map layer"),
    ("style", lambda b: b.update(layers={"coverage": "6g"}), "field layers: layer 'coverage' cannot be drawn as '6g'"),
    ("layers list", lambda b: b.update(layers=["districts"]), "field layers: must be an object mapping"),
    ("unknown field", lambda b: b.update(zoom=3), "bookmarks row 2 (三江口 5G-A): unknown field 'zoom'"),
    ("missing title", lambda b: b.pop("title"), "bookmarks row 2: required field 'title' is missing"),
    ("empty title", lambda b: b.update(title=" "), "bookmarks row 2 (' '), field title: must not be empty"),
    ("title twice", lambda b: b.update(title="全市 · 一区一品"),
     "bookmarks row 2 (全市 · 一区一品), field title: '全市 · 一区一品' is the title of bookmark 1 already"),
]  # fmt: skip


@pytest.mark.parametrize("what, spoil, message", SPOILERS, ids=[s[0] for s in SPOILERS])
def test_a_malformed_bookmark_is_refused_naming_the_bookmark_and_field(what, spoil, message):
    doc = json.loads(dumps(with_marks()))
    spoil(doc["bookmarks"][1])
    with pytest.raises(ScenarioFileError) as err:
        loads(json.dumps(doc, ensure_ascii=False), "show.json")
    report = err.value.report()
    assert message in report and "show.json — bookmarks row 2" in report, report
    assert "bookmarks row 1" not in report and "bookmarks row 3" not in report  # the good ones are not blamed


def test_every_problem_of_a_bookmark_is_listed_and_the_section_must_be_a_list():
    doc = json.loads(dumps(with_marks()))
    doc["bookmarks"][2].update(year=1800, extent=[1, 2], layers={"parks": "size"})
    with pytest.raises(ScenarioFileError) as err:
        loads(json.dumps(doc, ensure_ascii=False), "show.json")
    assert {p.where for p in err.value.problems} == {
        f"bookmarks row 3 (双万兆 2027), field {f}" for f in ("year", "extent", "layers")
    }
    doc["bookmarks"] = {"title": "x"}
    with pytest.raises(ScenarioFileError, match=r"bookmarks.*must be a list"):
        loads(json.dumps(doc, ensure_ascii=False), "show.json")


def test_a_key_given_twice_in_a_bookmark_is_refused():
    text = dumps(with_marks()).replace('"year": 2026,', '"year": 2026, "year": 2027,')
    with pytest.raises(ScenarioFileError, match=r"bookmarks row 2 \(三江口 5G-A\): key 'year' appears twice"):
        loads(text, "show.json")


# -- the panel ------------------------------------------------------------------------------------------------------
@pytest.fixture
def window(qtbot):
    from planner.ui.app import create_app
    from planner.ui.main_window import MainWindow

    create_app([])
    w = MainWindow(with_marks())
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.session.stack.set_clean()


def listed(w) -> list[str]:
    panel = w.bookmarks_panel
    return [panel.list.item(i).text() for i in range(panel.list.count())]


def test_the_panel_lists_the_bookmarks_and_its_buttons_edit_them_through_the_undo_stack(window):
    panel, s = window.bookmarks_panel, window.session
    assert listed(window) == ["1. 全市 · 一区一品 · 2025", "2. 三江口 5G-A · 2026", "3. 双万兆 2027 · 2027"]
    window.session.set_year(2026)
    assert panel.add("北仑港区")
    assert titles(s.scenario)[-1] == "北仑港区" and s.scenario.bookmarks[-1].year == 2026
    assert window.undo_action.text() == "撤销：添加书签 北仑港区"
    panel.list.setCurrentRow(1)
    assert panel.rename("三江口核心区") and listed(window)[1] == "2. 三江口核心区 · 2026"
    panel.list.setCurrentRow(1)
    panel.buttons["down"].click()
    assert titles(s.scenario)[:3] == ["全市 · 一区一品", "双万兆 2027", "三江口核心区"]
    assert panel.selected() == 2  # the moved bookmark stays selected
    panel.list.setCurrentRow(0)
    panel.buttons["delete"].click()
    assert titles(s.scenario) == ["双万兆 2027", "三江口核心区", "北仑港区"]
    for label in (
        "删除书签 全市 · 一区一品",
        "移动书签 三江口核心区（第 2 → 3 个）",
        "重命名书签 三江口 5G-A → 三江口核心区",
    ):
        assert window.stack.undo_label == label
        window.session.undo()
    assert titles(s.scenario) == ["全市 · 一区一品", "三江口 5G-A", "双万兆 2027", "北仑港区"] and listed(window)[
        1:2
    ] == ["2. 三江口 5G-A · 2026"]


def test_a_refused_rename_is_explained_and_changes_nothing(window):
    panel = window.bookmarks_panel
    panel.list.setCurrentRow(0)
    before = window.scenario.bookmarks
    assert not panel.rename("双万兆 2027")
    assert window.scenario.bookmarks is before
    assert "title of bookmark 3 already" in window.statusBar().currentMessage()


def test_a_rename_keeps_the_renamed_bookmark_selected(window):
    """The selection jumped to the bookmark last shown after a rename, so the next ▼ did nothing."""
    panel = window.bookmarks_panel
    panel.navigator.go_to(1)
    panel.list.setCurrentRow(0)
    assert panel.rename("全市概览")
    assert panel.selected() == 0 and window.scenario.bookmarks[0].title == "全市概览"
    assert panel.buttons["down"].isEnabled() and panel.move(1)
    assert [b.title for b in window.scenario.bookmarks][1] == "全市概览" and panel.selected() == 1


def test_the_bookmarks_are_in_the_view_menu_and_a_dock(window):
    menu = window.presentation.bookmarks_view_menu
    menu.aboutToShow.emit()
    texts = [a.text() for a in menu.actions() if a.text()]
    assert "添加书签…" in texts and "2. 三江口 5G-A · 2026" in texts
    assert window.bookmarks_dock.windowTitle() == "书签"
    assert window.presentation.add_bookmark_action.shortcut().toString() == "Ctrl+B"


def test_going_to_a_bookmark_from_the_panel_sets_year_layers_and_extent(window):
    panel = window.bookmarks_panel
    panel.list.setCurrentRow(1)
    assert panel.go()
    s = window.session
    assert s.year == 2026
    assert {n for n, st in s.layers.items() if st.visible} == {"districts", "coverage"}
    assert s.layers["coverage"].style == "5g_a"
    w, so, e, n = window.canvas.extent()
    x0, y0, x1, y1 = SANJIANGKOU
    assert w <= x0 and e >= x1 and so <= y0 and n >= y1  # at least the saved box is shown …
    assert min(e - w - (x1 - x0), n - so - (y1 - y0)) < 0.01  # … and not much more along one side
